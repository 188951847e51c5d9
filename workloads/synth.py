"""Synthetic workloads: seeded arrival processes per source node and task sizes from named distributions.

Arrival processes (each has ``sample(duration_s, rng)`` giving sorted arrival times in seconds and
``expected_count(duration_s)``):

- :class:`Poisson`: a homogeneous Poisson process of ``rate_hz``.
- :class:`MMPP`: a Markov-modulated Poisson process for bursts: a continuous-time Markov chain over states,
  each with its own rate and mean sojourn time; starts in its stationary distribution by default.
- :class:`Diurnal`: a non-homogeneous Poisson process with rate
  ``mean_rate_hz x (1 + amplitude x cos(2 pi (t - peak_s) / period_s))``, sampled by thinning.
- :class:`PiecewiseRate`: a Poisson process whose rate is constant on consecutive segments, the last rate
  held (or the segments repeated) until the end; the base of PeersimGym's schedules below.

PeersimGym's schedules (``envs/ConfigHelper.py``), as PiecewiseRate builders, rates in Hz and steps in
seconds where PeersimGym counts ticks: :func:`linear_schedule` (low to high by one step every ``step_s``,
then held), :func:`zigzag_schedule` (low to high and back, repeated), :func:`uniform_random_schedule`
(a U[low, high] rate per step) and :func:`heterogeneous_schedules` (an independent random or zigzag
schedule per layer of nodes). Unlike PeersimGym, arrivals are a true Poisson process in continuous time (its
clients send at most one task per tick and target pair) and every draw is seeded.

:func:`synthesize` gives each source its own process and draws each source's arrivals and sizes from
streams named after the source, so that adding a node leaves the other nodes' tasks unchanged. Task ids
are ``source:k`` (k counts the source's tasks in time order). Cycles are rounded to an integer, at least 1.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np

from workloads.distributions import BytesRule, Distribution, parse_bytes_rule, parse_distribution
from workloads.errors import OptionError
from workloads.format import Task, quantize_s
from workloads.rng import stream

DEFAULT_CYCLES = "lognormal:median=4e8,sigma=0.5"
DEFAULT_INPUT_BYTES = "uniform:low=1e5,high=1e6"
DEFAULT_OUTPUT_BYTES = "uniform:low=1e3,high=1e5"
DEFAULT_DEADLINE = "uniform:low=1,high=2"
SCHEDULE_KINDS = ("linear", "zigzag", "uniform-random", "hetero-uniform-random", "hetero-zigzag")


class ArrivalProcess(Protocol):
    """A point process of task arrivals at one source."""

    def sample(self, duration_s: float, rng: np.random.Generator) -> np.ndarray:
        """Sorted arrival times in [0, duration_s), seconds."""
        ...

    def expected_count(self, duration_s: float) -> float:
        """Expected number of arrivals in [0, duration_s)."""
        ...

    def describe(self) -> str:
        """One line stating the process and its parameters."""
        ...


def _positive(option: str, value: float, allow_zero: bool = True) -> float:
    ok = math.isfinite(value) and (value >= 0 if allow_zero else value > 0)
    if not ok:
        raise OptionError(option, value, ">= 0 expected" if allow_zero else "> 0 expected")
    return float(value)


def _homogeneous(rate_hz: float, start_s: float, end_s: float, rng: np.random.Generator) -> np.ndarray:
    count = rng.poisson(rate_hz * (end_s - start_s)) if end_s > start_s and rate_hz > 0 else 0
    return np.sort(rng.uniform(start_s, end_s, count))


@dataclass(frozen=True)
class Poisson:
    """Homogeneous Poisson arrivals."""

    rate_hz: float

    def __post_init__(self) -> None:
        _positive("rate_hz", self.rate_hz)

    def sample(self, duration_s: float, rng: np.random.Generator) -> np.ndarray:
        """Sorted arrival times in [0, duration_s)."""
        return _homogeneous(self.rate_hz, 0.0, duration_s, rng)

    def expected_count(self, duration_s: float) -> float:
        """rate x duration."""
        return self.rate_hz * duration_s

    def describe(self) -> str:
        """``poisson(rate_hz=...)``."""
        return f"poisson(rate_hz={self.rate_hz:g})"


@dataclass(frozen=True)
class MMPP:
    """Markov-modulated Poisson arrivals: state i emits at ``rates_hz[i]`` for an exponential sojourn of mean
    ``mean_sojourn_s[i]``, then jumps to state j with probability ``transitions[i][j]`` (default: uniformly
    to another state). ``initial_state`` None starts from the stationary distribution."""

    rates_hz: tuple[float, ...]
    mean_sojourn_s: tuple[float, ...]
    transitions: tuple[tuple[float, ...], ...] | None = None
    initial_state: int | None = None

    def __post_init__(self) -> None:
        n = len(self.rates_hz)
        if n < 1 or len(self.mean_sojourn_s) != n:
            raise OptionError(
                "mmpp", (self.rates_hz, self.mean_sojourn_s), "one mean sojourn per rate is needed"
            )
        for r in self.rates_hz:
            _positive("rates_hz", r)
        for m in self.mean_sojourn_s:
            _positive("mean_sojourn_s", m, allow_zero=False)
        matrix = self.matrix()
        if matrix.shape != (n, n) or (matrix < 0).any() or not np.allclose(matrix.sum(axis=1), 1.0):
            raise OptionError(
                "transitions", self.transitions, f"needs {n} rows of {n} probabilities summing to 1"
            )
        if self.initial_state is not None and not 0 <= self.initial_state < n:
            raise OptionError("initial_state", self.initial_state, f"must be in 0..{n - 1}")

    def matrix(self) -> np.ndarray:
        """The jump matrix between states."""
        n = len(self.rates_hz)
        if self.transitions is not None:
            return np.asarray(self.transitions, dtype=float)
        if n == 1:
            return np.ones((1, 1))
        return (np.ones((n, n)) - np.eye(n)) / (n - 1)

    def stationary(self) -> np.ndarray:
        """Long-run fraction of time in each state: the jump chain's stationary law weighted by sojourns."""
        p = self.matrix()
        n = len(p)
        a = np.vstack([p.T - np.eye(n), np.ones(n)])
        b = np.zeros(n + 1)
        b[-1] = 1.0
        jump = np.linalg.lstsq(a, b, rcond=None)[0]
        time = np.clip(jump, 0, None) * np.asarray(self.mean_sojourn_s)
        return time / time.sum()

    def sample(self, duration_s: float, rng: np.random.Generator) -> np.ndarray:
        """Sorted arrival times in [0, duration_s)."""
        p = self.matrix()
        n = len(p)
        state = (
            self.initial_state if self.initial_state is not None else int(rng.choice(n, p=self.stationary()))
        )
        t = 0.0
        chunks = []
        while t < duration_s:
            end = min(t + rng.exponential(self.mean_sojourn_s[state]), duration_s)
            chunks.append(_homogeneous(self.rates_hz[state], t, end, rng))
            t = end
            state = int(rng.choice(n, p=p[state]))
        return np.concatenate(chunks) if chunks else np.empty(0)

    def expected_count(self, duration_s: float) -> float:
        """Stationary mean rate x duration (exact when starting from the stationary distribution)."""
        return float(np.dot(self.stationary(), self.rates_hz)) * duration_s

    def describe(self) -> str:
        """``mmpp(rates_hz=..., mean_sojourn_s=...)``."""
        rates = ";".join(f"{r:g}" for r in self.rates_hz)
        sojourns = ";".join(f"{m:g}" for m in self.mean_sojourn_s)
        return f"mmpp(rates_hz={rates}, mean_sojourn_s={sojourns})"


@dataclass(frozen=True)
class Diurnal:
    """Poisson arrivals with a daily (or any period) cosine rate curve peaking at ``peak_s``."""

    mean_rate_hz: float
    amplitude: float = 0.5
    period_s: float = 86_400.0
    peak_s: float = 50_400.0

    def __post_init__(self) -> None:
        _positive("mean_rate_hz", self.mean_rate_hz)
        if not 0 <= self.amplitude <= 1:
            raise OptionError("amplitude", self.amplitude, "must be in [0, 1] (the rate cannot go negative)")
        _positive("period_s", self.period_s, allow_zero=False)

    def rate_hz(self, t_s: np.ndarray) -> np.ndarray:
        """The rate at times ``t_s``."""
        phase = 2 * np.pi * (np.asarray(t_s) - self.peak_s) / self.period_s
        return self.mean_rate_hz * (1 + self.amplitude * np.cos(phase))

    def sample(self, duration_s: float, rng: np.random.Generator) -> np.ndarray:
        """Sorted arrival times in [0, duration_s), by thinning a Poisson process of the peak rate."""
        peak = self.mean_rate_hz * (1 + self.amplitude)
        candidates = _homogeneous(peak, 0.0, duration_s, rng)
        keep = rng.random(len(candidates)) * peak < self.rate_hz(candidates)
        return candidates[keep]

    def expected_count(self, duration_s: float) -> float:
        """The rate curve integrated over [0, duration_s)."""
        w = 2 * math.pi / self.period_s
        swing = (math.sin(w * (duration_s - self.peak_s)) - math.sin(-w * self.peak_s)) / w
        return self.mean_rate_hz * (duration_s + self.amplitude * swing)

    def describe(self) -> str:
        """``diurnal(...)``."""
        return (
            f"diurnal(mean_rate_hz={self.mean_rate_hz:g}, amplitude={self.amplitude:g}, "
            f"period_s={self.period_s:g}, peak_s={self.peak_s:g})"
        )


@dataclass(frozen=True)
class PiecewiseRate:
    """Poisson arrivals whose rate is ``rate_hz`` for ``duration_s`` on each segment in turn; after the last
    segment the last rate is held, or with ``repeat`` the segments start over."""

    segments: tuple[tuple[float, float], ...]
    repeat: bool = False
    name: str = "piecewise"

    def __post_init__(self) -> None:
        if not self.segments:
            raise OptionError(
                "segments", self.segments, "at least one (rate_hz, duration_s) segment is needed"
            )
        for rate, length in self.segments:
            _positive("segment rate_hz", rate)
            _positive("segment duration_s", length, allow_zero=False)

    def pieces(self, duration_s: float) -> list[tuple[float, float, float]]:
        """(start_s, end_s, rate_hz) pieces covering [0, duration_s)."""
        out: list[tuple[float, float, float]] = []
        t = 0.0
        while t < duration_s:
            for rate, length in self.segments:
                end = min(t + length, duration_s)
                out.append((t, end, rate))
                t = end
                if t >= duration_s:
                    break
            if not self.repeat and t < duration_s:
                out.append((t, duration_s, self.segments[-1][0]))
                t = duration_s
        return out

    def sample(self, duration_s: float, rng: np.random.Generator) -> np.ndarray:
        """Sorted arrival times in [0, duration_s)."""
        parts = [_homogeneous(rate, start, end, rng) for start, end, rate in self.pieces(duration_s)]
        return np.concatenate(parts) if parts else np.empty(0)

    def expected_count(self, duration_s: float) -> float:
        """The rate integrated over [0, duration_s)."""
        return sum((end - start) * rate for start, end, rate in self.pieces(duration_s))

    def describe(self) -> str:
        """``NAME(rates_hz=...; step_s=...)``."""
        rates = ";".join(f"{r:g}" for r, _ in self.segments[:12])
        more = ";..." if len(self.segments) > 12 else ""
        lengths = {length for _, length in self.segments}
        step = f"{lengths.pop():g}" if len(lengths) == 1 else "varying"
        held = "repeated" if self.repeat else "last held"
        return f"{self.name}(rates_hz={rates}{more}, step_s={step}, {held})"


def _steps(low_hz: float, high_hz: float, step_hz: float) -> list[float]:
    _positive("low_hz", low_hz)
    _positive("step_hz", step_hz, allow_zero=False)
    if high_hz < low_hz:
        raise OptionError("high_hz", high_hz, f"must be >= low_hz {low_hz:g}")
    count = math.floor((high_hz - low_hz) / step_hz + 1e-9) + 1
    return [low_hz + i * step_hz for i in range(count)]


def linear_schedule(
    low_hz: float = 1.0, high_hz: float = 10.0, step_hz: float = 1.0, step_s: float = 100.0
) -> PiecewiseRate:
    """PeersimGym's linear schedule: ``low_hz`` rising by ``step_hz`` every ``step_s`` up to ``high_hz``,
    then held."""
    return PiecewiseRate(tuple((r, step_s) for r in _steps(low_hz, high_hz, step_hz)), name="linear")


def zigzag_schedule(
    low_hz: float = 1.0, high_hz: float = 10.0, step_hz: float = 1.0, step_s: float = 100.0, *, start: int = 0
) -> PiecewiseRate:
    """PeersimGym's zigzag: ``low_hz`` up to ``high_hz`` and back down by ``step_hz`` every ``step_s``,
    repeated; ``start`` shifts the starting point along the cycle (in steps)."""
    up = _steps(low_hz, high_hz, step_hz)
    cycle = up + up[-2:0:-1]
    shift = start % len(cycle)
    return PiecewiseRate(
        tuple((r, step_s) for r in cycle[shift:] + cycle[:shift]), repeat=True, name="zigzag"
    )


def uniform_random_schedule(
    duration_s: float,
    rng: np.random.Generator,
    low_hz: float = 1.0,
    high_hz: float = 10.0,
    step_s: float = 100.0,
) -> PiecewiseRate:
    """PeersimGym's uniform random schedule: a rate drawn from U[low_hz, high_hz] for every ``step_s``."""
    if not 0 <= low_hz <= high_hz:
        raise OptionError("low_hz/high_hz", (low_hz, high_hz), "needs 0 <= low_hz <= high_hz")
    _positive("step_s", step_s, allow_zero=False)
    steps = max(1, math.ceil(duration_s / step_s))
    rates = rng.uniform(low_hz, high_hz, steps)
    return PiecewiseRate(tuple((float(r), step_s) for r in rates), name="uniform-random")


def heterogeneous_schedules(
    kind: str,
    layers: int,
    duration_s: float,
    seed: int,
    low_hz: float = 1.0,
    high_hz: float = 10.0,
    step_hz: float = 1.0,
    step_s: float = 100.0,
) -> list[PiecewiseRate]:
    """One independent schedule per layer (PeersimGym's ``heterogeneous*Schedule``): ``kind``
    ``uniform-random`` draws each layer's rates from its own stream; ``zigzag`` starts each layer at a
    random point of the zigzag cycle."""
    if layers < 1:
        raise OptionError("layers", layers, "at least one layer is needed")
    schedules = []
    for layer in range(layers):
        rng = stream(seed, "schedule", layer)
        if kind == "uniform-random":
            schedules.append(uniform_random_schedule(duration_s, rng, low_hz, high_hz, step_s))
        elif kind == "zigzag":
            cycle = 2 * (len(_steps(low_hz, high_hz, step_hz)) - 1) or 1
            schedules.append(
                zigzag_schedule(low_hz, high_hz, step_hz, step_s, start=int(rng.integers(cycle)))
            )
        else:
            raise OptionError("kind", kind, "heterogeneous schedules are uniform-random or zigzag")
    return schedules


@dataclass(frozen=True)
class TaskShape:
    """How big a synthetic task is: cycles, bytes in and out, and its relative deadline (seconds after
    arrival; None for no deadline)."""

    cycles: Distribution = field(default_factory=lambda: parse_distribution(DEFAULT_CYCLES, "cycles"))
    input_bytes: BytesRule = field(
        default_factory=lambda: parse_bytes_rule(DEFAULT_INPUT_BYTES, "input_bytes")
    )
    output_bytes: BytesRule = field(
        default_factory=lambda: parse_bytes_rule(DEFAULT_OUTPUT_BYTES, "output_bytes")
    )
    deadline_s: Distribution | None = field(
        default_factory=lambda: parse_distribution(DEFAULT_DEADLINE, "deadline")
    )

    def describe(self) -> list[str]:
        """Header comment lines stating each rule."""
        return [
            f"cycles: {self.cycles}",
            f"input_bytes: {self.input_bytes}",
            f"output_bytes: {self.output_bytes}",
            f"deadline: {'none' if self.deadline_s is None else f'arrival + {self.deadline_s} s'}",
        ]


def synthesize(
    processes: Mapping[str, ArrivalProcess], duration_s: float, shape: TaskShape, seed: int
) -> list[Task]:
    """Tasks of every source over [0, duration_s), sorted by arrival (ties by the order of ``processes``,
    then by each source's count)."""
    _positive("duration_s", duration_s, allow_zero=False)
    arrivals: list[np.ndarray] = []
    per_source: list[tuple[str, np.ndarray, np.ndarray, np.ndarray, np.ndarray | None]] = []
    for name, process in processes.items():
        times = process.sample(duration_s, stream(seed, "arrivals", name))
        n = len(times)
        cycles = shape.cycles.sample_int(stream(seed, "cycles", name), n, minimum=1)
        inputs = shape.input_bytes.draw(cycles, stream(seed, "input_bytes", name))
        outputs = shape.output_bytes.draw(cycles, stream(seed, "output_bytes", name))
        slack = (
            None if shape.deadline_s is None else shape.deadline_s.sample(stream(seed, "deadline", name), n)
        )
        arrivals.append(times)
        per_source.append((name, cycles, inputs, outputs, slack))
    if not arrivals:
        return []
    source_index = np.concatenate([np.full(len(t), i) for i, t in enumerate(arrivals)])
    rank = np.concatenate([np.arange(len(t)) for t in arrivals])
    all_times = np.concatenate(arrivals)
    order = np.lexsort((rank, source_index, all_times))
    tasks = []
    for i, k in zip(source_index[order].tolist(), rank[order].tolist(), strict=True):
        name, cycles, inputs, outputs, slack = per_source[i]
        arrival_s = quantize_s(float(arrivals[i][k]))
        deadline_s = None if slack is None else quantize_s(arrival_s + float(slack[k]))
        tasks.append(
            Task(arrival_s, name, f"{name}:{k}", int(cycles[k]), int(inputs[k]), int(outputs[k]), deadline_s)
        )
    return tasks


def per_source(
    names: Sequence[str], process: ArrivalProcess | Sequence[ArrivalProcess]
) -> dict[str, ArrivalProcess]:
    """Map sources to processes: one process shared by all (each source still draws its own arrivals), or
    one per source in order."""
    if isinstance(process, Sequence):
        if len(process) != len(names):
            raise OptionError("processes", len(process), f"one process per source is needed ({len(names)})")
        return dict(zip(names, process, strict=True))
    return dict.fromkeys(names, process)


def layered(
    names: Sequence[str], layer_sizes: Sequence[int], schedules: Sequence[ArrivalProcess]
) -> dict[str, ArrivalProcess]:
    """Give the sources, in order, to layers of ``layer_sizes`` nodes, each layer its own schedule."""
    if sum(layer_sizes) != len(names) or any(s < 1 for s in layer_sizes):
        raise OptionError(
            "layer_sizes", list(layer_sizes), f"positive sizes summing to the {len(names)} sources"
        )
    if len(schedules) != len(layer_sizes):
        raise OptionError("schedules", len(schedules), f"one schedule per layer ({len(layer_sizes)})")
    out: dict[str, ArrivalProcess] = {}
    it = iter(names)
    for size, schedule in zip(layer_sizes, schedules, strict=True):
        for _ in range(size):
            out[next(it)] = schedule
    return out
