"""Ether's per-link latency distributions, in seconds, and how a generator turns one into a fixed latency.

Ether (``ether/qos/latency.py``) gives each edge a ``scipy.stats.lognorm(s, loc, scale)`` in milliseconds,
one way, and re-samples it on every route query. Here a distribution is sampled once per link when a
topology is generated, so a topology file is one fixed network; ``mode`` and ``mean`` replace the sample
by the distribution's mode or mean (``mode`` reproduces Ether's cached "mode routes").

``lognorm(s, loc, scale)`` is ``loc + scale * exp(s * Z)`` with ``Z`` standard normal. Scaling a log-normal
by 1/1000 scales ``loc`` and ``scale`` and leaves ``s``, so the millisecond parameters below convert to
seconds exactly.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Literal, get_args

import numpy as np

from topologies.errors import InvalidValueError
from topologies.limits import MAX_LATENCY_S, MAX_LOGNORMAL_S, check_range

LatencyMode = Literal["sample", "mode", "mean"]
LATENCY_MODES: tuple[str, ...] = get_args(LatencyMode)

# Sampled latencies are rounded to this resolution so files stay readable and stable; 1 ns is far below
# anything the simulator resolves.
LATENCY_RESOLUTION_S = 1e-9


@dataclass(frozen=True)
class LogNormal:
    """A shifted log-normal latency distribution ``loc_s + scale_s * exp(s * Z)``, one way, in seconds."""

    name: str
    s: float
    loc_s: float
    scale_s: float

    def __post_init__(self) -> None:
        if not self.name:
            raise InvalidValueError("a latency distribution needs a non-empty name")
        where = f"latency distribution {self.name!r}"
        check_range(self.s, f"{where}: s", 0, MAX_LOGNORMAL_S, low_open=True)
        check_range(self.loc_s, f"{where}: loc_s", 0, MAX_LATENCY_S)
        check_range(self.scale_s, f"{where}: scale_s", 0, MAX_LATENCY_S, low_open=True)

    @property
    def mode_s(self) -> float:
        """The most likely value: ``loc + scale * exp(-s^2)``."""
        return self.loc_s + self.scale_s * math.exp(-self.s * self.s)

    @property
    def mean_s(self) -> float:
        """The expectation: ``loc + scale * exp(s^2 / 2)``."""
        return self.loc_s + self.scale_s * math.exp(self.s * self.s / 2)

    @property
    def median_s(self) -> float:
        """The median: ``loc + scale``."""
        return self.loc_s + self.scale_s

    def sample_s(self, rng: np.random.Generator) -> float:
        """Draw one latency from ``rng``."""
        return self.loc_s + self.scale_s * math.exp(self.s * float(rng.standard_normal()))

    def value_s(self, mode: LatencyMode, rng: np.random.Generator) -> float:
        """The latency a link gets under ``mode``: a sample, the mode or the mean, rounded to 1 ns."""
        if mode == "sample":
            value = self.sample_s(rng)
        elif mode == "mode":
            value = self.mode_s
        elif mode == "mean":
            value = self.mean_s
        else:
            raise InvalidValueError(f"latency mode {mode!r} is not one of {', '.join(LATENCY_MODES)}")
        return round_latency_s(value)

    def to_json(self) -> dict[str, Any]:
        """The distribution as it appears under ``latency_distributions`` in a topology file."""
        return {"family": "lognormal", "s": self.s, "loc_s": self.loc_s, "scale_s": self.scale_s}


def round_latency_s(value_s: float) -> float:
    """Round a latency to :data:`LATENCY_RESOLUTION_S`."""
    return round(value_s, 9)


def _ether_ms(name: str, s: float, loc_ms: float, scale_ms: float) -> LogNormal:
    return LogNormal(name=name, s=s, loc_s=loc_ms / 1000, scale_s=scale_ms / 1000)


# Ether 0.3.3 ``ether/qos/latency.py``: (s, loc, scale) in ms. Modes 0.500, 3.37, 6.52 and 22.51 ms.
LAN = _ether_ms("lan", 0.25, 0.35, 0.16)
WLAN = _ether_ms("wlan", 0.635, 1.18, 3.27)
BUSINESS_ISP = _ether_ms("business_isp", 0.87, 5.95, 1.21)
MOBILE_ISP = _ether_ms("mobile_isp", 0.49, 16.2, 8.02)

DISTRIBUTIONS: dict[str, LogNormal] = {d.name: d for d in (LAN, WLAN, BUSINESS_ISP, MOBILE_ISP)}


def distribution(name: str) -> LogNormal:
    """Ether's named distribution ``name`` (``lan``, ``wlan``, ``business_isp``, ``mobile_isp``)."""
    try:
        return DISTRIBUTIONS[name]
    except KeyError:
        raise InvalidValueError(
            f"unknown latency distribution {name!r}; known: {', '.join(DISTRIBUTIONS)}"
        ) from None


def check_latency_mode(mode: str) -> LatencyMode:
    """Return ``mode`` if it is a latency mode, else raise naming the allowed ones."""
    if mode not in LATENCY_MODES:
        raise InvalidValueError(f"latency mode {mode!r} is not one of {', '.join(LATENCY_MODES)}")
    return mode  # type: ignore[return-value]
