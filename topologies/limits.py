"""The range of every number in a topology, checked when one is built, generated, imported or loaded.

Far beyond real hardware, so that only a typo or a hostile file is refused, and tight enough that no value
can exhaust the simulator's memory or make a service or transfer time infinite. The simulator checks the same
ranges when it reads a file (``peersim-java/.../io/TopologyFile.java``; cores and clock rates in
``model/Hardware.java``, which also bounds the scenarios' configuration keys); ``FORMAT.md`` lists them.
"""

from __future__ import annotations

import math

from topologies.errors import InvalidValueError

MAX_CORES = 4096
"""Cores of one compute node."""
MIN_FREQUENCY_HZ = 1e6
MAX_FREQUENCY_HZ = 1e12
"""Clock rate of one core, Hz."""
MAX_MEMORY_BYTES = 10**15
"""Memory of one compute node, bytes (1 PB)."""
MAX_POSITION_M = 1e8
"""Largest absolute position coordinate, metres."""
MIN_BANDWIDTH_BPS = 1.0
MAX_BANDWIDTH_BPS = 1e15
"""Bandwidth of a link, of a shared-medium switch and of a route's bottleneck, bit/s."""
MAX_LATENCY_S = 3600.0
"""One-way latency of one link, and ``loc_s`` and ``scale_s`` of a latency distribution, seconds."""
MAX_LOGNORMAL_S = 10.0
"""Shape ``s`` of a latency distribution."""
MAX_JSON_DEPTH = 64
"""Deepest nesting of arrays and objects in a topology file."""


def _shown(value: object) -> str:
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 10**20:
        return f"an integer of {len(str(abs(value)))} digits"
    text = repr(value)
    return text if len(text) <= 160 else f"{text[:100]}... ({len(text)} characters)"


def check_range(
    value: object,
    what: str,
    low: float,
    high: float,
    *,
    integer: bool = False,
    low_open: bool = False,
) -> None:
    """Raise :class:`InvalidValueError` unless ``value`` is a finite number (an int if ``integer``) in
    ``[low, high]`` (``(low, high]`` with ``low_open``); the message names ``what`` and the range."""
    ok = (
        not isinstance(value, bool)
        and (isinstance(value, int) if integer else isinstance(value, (int, float)))
        # A Python int may be too large for a float; it compares exactly with the bounds anyway.
        and (isinstance(value, int) or math.isfinite(value))  # type: ignore[arg-type]
        and (value > low if low_open else value >= low)  # type: ignore[operator]
        and value <= high  # type: ignore[operator]
    )
    if not ok:
        kind = "an integer" if integer else "a number"
        bounds = f"{'(' if low_open else '['}{low:g}, {high:g}]"
        raise InvalidValueError(f"{what} must be {kind} in {bounds}, got {_shown(value)}")
