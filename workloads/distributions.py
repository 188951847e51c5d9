"""Named distributions for task sizes, and the rules that give tasks the byte counts traces lack.

A distribution is written ``NAME:key=value,key=value`` (lists separated by ``;``), the same on the command
line and in Python:

=============  ===================================  =============================================
name           parameters                           draws
=============  ===================================  =============================================
const          value >= 0                           always ``value``
uniform        low >= 0, high >= low                uniform on [low, high)
exponential    mean > 0                             exponential with that mean
lognormal      median > 0, sigma >= 0               exp(N(ln median, sigma^2))
gamma          shape > 0, mean > 0                  gamma with that shape and mean
pareto         shape > 0, minimum > 0               Pareto type I: minimum x (1 + Lomax(shape))
choice         values (``;`` list, each >= 0),      one of the values, with the weights normalised
               weights (``;`` list, >= 0, optional)  (equal weights when left out)
=============  ===================================  =============================================

Examples: ``lognormal:median=4e7,sigma=0.5``, ``choice:values=2e8;6e8,weights=4;6``. ``choice`` draws each
value with probability weight / sum of weights (PeersimGym's type sampling over-weights the last type).

No public trace records how many bytes a task sends or returns, so a :class:`BytesRule` supplies them and
is always stated in the output's header: either ``per-cycle:ratio=R`` (``round(R x cycles)`` bytes) or any
distribution above. Draws are rounded to the nearest integer.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np

from workloads.errors import OptionError

MAX_INT64 = 2**63 - 1
Params = Mapping[str, "float | tuple[float, ...]"]


@dataclass(frozen=True)
class _Kind:
    required: tuple[str, ...]
    optional: tuple[str, ...]
    lists: tuple[str, ...]
    check: Callable[[Params], str | None]
    draw: Callable[[Params, np.random.Generator, int], np.ndarray]
    mean: Callable[[Params], float]


def _weights(p: Params) -> np.ndarray:
    values = p["values"]
    assert isinstance(values, tuple)
    raw = p.get("weights")
    weights = np.ones(len(values)) if raw is None else np.asarray(raw, dtype=float)
    return weights / weights.sum()


def _check_choice(p: Params) -> str | None:
    values = p["values"]
    assert isinstance(values, tuple)
    if min(values) < 0:
        return "values must be >= 0"
    weights = p.get("weights")
    if weights is not None:
        assert isinstance(weights, tuple)
        if len(weights) != len(values):
            return f"{len(weights)} weights for {len(values)} values"
        if min(weights) < 0 or sum(weights) <= 0:
            return "weights must be >= 0 and not all 0"
    return None


def _f(p: Params, key: str) -> float:
    value = p[key]
    assert isinstance(value, float)
    return value


_KINDS: dict[str, _Kind] = {
    "const": _Kind(
        ("value",),
        (),
        (),
        lambda p: None if _f(p, "value") >= 0 else "value must be >= 0",
        lambda p, rng, n: np.full(n, _f(p, "value")),
        lambda p: _f(p, "value"),
    ),
    "uniform": _Kind(
        ("low", "high"),
        (),
        (),
        lambda p: None if 0 <= _f(p, "low") <= _f(p, "high") else "needs 0 <= low <= high",
        lambda p, rng, n: rng.uniform(_f(p, "low"), _f(p, "high"), n),
        lambda p: (_f(p, "low") + _f(p, "high")) / 2,
    ),
    "exponential": _Kind(
        ("mean",),
        (),
        (),
        lambda p: None if _f(p, "mean") > 0 else "mean must be > 0",
        lambda p, rng, n: rng.exponential(_f(p, "mean"), n),
        lambda p: _f(p, "mean"),
    ),
    "lognormal": _Kind(
        ("median", "sigma"),
        (),
        (),
        lambda p: None if _f(p, "median") > 0 and _f(p, "sigma") >= 0 else "needs median > 0 and sigma >= 0",
        lambda p, rng, n: rng.lognormal(math.log(_f(p, "median")), _f(p, "sigma"), n),
        lambda p: _f(p, "median") * math.exp(_f(p, "sigma") ** 2 / 2),
    ),
    "gamma": _Kind(
        ("shape", "mean"),
        (),
        (),
        lambda p: None if _f(p, "shape") > 0 and _f(p, "mean") > 0 else "needs shape > 0 and mean > 0",
        lambda p, rng, n: rng.gamma(_f(p, "shape"), _f(p, "mean") / _f(p, "shape"), n),
        lambda p: _f(p, "mean"),
    ),
    "pareto": _Kind(
        ("shape", "minimum"),
        (),
        (),
        lambda p: None if _f(p, "shape") > 0 and _f(p, "minimum") > 0 else "needs shape > 0 and minimum > 0",
        lambda p, rng, n: _f(p, "minimum") * (1.0 + rng.pareto(_f(p, "shape"), n)),
        lambda p: (
            _f(p, "minimum") * _f(p, "shape") / (_f(p, "shape") - 1) if _f(p, "shape") > 1 else math.inf
        ),
    ),
    "choice": _Kind(
        ("values",),
        ("weights",),
        ("values", "weights"),
        _check_choice,
        lambda p, rng, n: rng.choice(np.asarray(p["values"], dtype=float), size=n, p=_weights(p)),
        lambda p: float(np.dot(np.asarray(p["values"], dtype=float), _weights(p))),
    ),
}

DISTRIBUTIONS = tuple(_KINDS)


@dataclass(frozen=True)
class Distribution:
    """A parsed distribution spec; draw with :meth:`sample`, print back with ``str()``."""

    name: str
    params: tuple[tuple[str, float | tuple[float, ...]], ...]

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        """``n`` float draws from ``rng``."""
        return np.asarray(_KINDS[self.name].draw(dict(self.params), rng, n), dtype=float)

    def sample_int(self, rng: np.random.Generator, n: int, *, minimum: int = 0) -> np.ndarray:
        """``n`` draws rounded to the nearest integer (int64), raised to ``minimum`` where below it.

        Raises OptionError when a draw exceeds 2^63 - 1 (a heavy tail drawn too far).
        """
        values = np.rint(self.sample(rng, n))
        if n and values.max() > MAX_INT64:
            raise OptionError("distribution", str(self), f"drew {values.max():.3g}, above 2^63 - 1")
        return np.maximum(values.astype(np.int64), minimum)

    def mean(self) -> float:
        """The distribution's mean (inf for a Pareto with shape <= 1)."""
        return _KINDS[self.name].mean(dict(self.params))

    def __str__(self) -> str:
        if not self.params:
            return self.name
        parts = []
        for key, value in self.params:
            text = ";".join(f"{v:g}" for v in value) if isinstance(value, tuple) else f"{value:g}"
            parts.append(f"{key}={text}")
        return f"{self.name}:{','.join(parts)}"


def _number(option: str, spec: str, key: str, text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise OptionError(option, spec, f"{key}={text!r} is not a number") from None
    if not math.isfinite(value):
        raise OptionError(option, spec, f"{key}={text!r} is not finite")
    return value


def parse_distribution(spec: str, option: str = "distribution") -> Distribution:
    """Parse ``NAME:key=value,...``; raises OptionError naming ``option``, the spec and what is wrong."""
    name, _, rest = spec.strip().partition(":")
    kind = _KINDS.get(name)
    if kind is None:
        raise OptionError(option, spec, f"unknown distribution {name!r}; known: {', '.join(DISTRIBUTIONS)}")
    params: dict[str, float | tuple[float, ...]] = {}
    for item in filter(None, (part.strip() for part in rest.split(","))):
        key, eq, text = item.partition("=")
        key = key.strip()
        if not eq:
            raise OptionError(option, spec, f"{item!r} is not key=value")
        if key not in kind.required + kind.optional:
            allowed = ", ".join(kind.required + kind.optional)
            raise OptionError(option, spec, f"{name} has no parameter {key!r} (it takes {allowed})")
        if key in params:
            raise OptionError(option, spec, f"{key} is given twice")
        if key in kind.lists:
            params[key] = tuple(_number(option, spec, key, t) for t in text.split(";"))
        else:
            params[key] = _number(option, spec, key, text)
    missing = [k for k in kind.required if k not in params]
    if missing:
        raise OptionError(option, spec, f"{name} needs {', '.join(missing)}")
    problem = kind.check(params)
    if problem:
        raise OptionError(option, spec, problem)
    ordered = tuple((k, params[k]) for k in kind.required + kind.optional if k in params)
    return Distribution(name, ordered)


@dataclass(frozen=True)
class BytesRule:
    """How many bytes a task sends (input) or returns (output): per cycle of work, or a distribution."""

    per_cycle: float | None = None
    distribution: Distribution | None = None

    def draw(self, cycles: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """Byte counts (int64) for tasks with these cycle counts, drawn from ``rng`` when random."""
        if self.per_cycle is not None:
            values = np.rint(cycles.astype(float) * self.per_cycle)
            if len(values) and values.max() > MAX_INT64:
                raise OptionError("bytes rule", str(self), f"gives {values.max():.3g} bytes, above 2^63 - 1")
            return values.astype(np.int64)
        assert self.distribution is not None
        return self.distribution.sample_int(rng, len(cycles))

    def __str__(self) -> str:
        if self.per_cycle is not None:
            return f"per-cycle:ratio={self.per_cycle:g}"
        return str(self.distribution)


def parse_bytes_rule(spec: str, option: str = "bytes rule") -> BytesRule:
    """Parse ``per-cycle:ratio=R`` or a distribution spec into a BytesRule; raises OptionError."""
    name, _, rest = spec.strip().partition(":")
    if name != "per-cycle":
        return BytesRule(distribution=parse_distribution(spec, option))
    key, eq, text = rest.partition("=")
    if key.strip() != "ratio" or not eq:
        raise OptionError(option, spec, "per-cycle takes one parameter, ratio (bytes per cycle)")
    ratio = _number(option, spec, "ratio", text)
    if ratio < 0:
        raise OptionError(option, spec, "ratio must be >= 0")
    return BytesRule(per_cycle=ratio)
