"""Summaries of a workload file: counts, arrival rate over time, size and deadline percentiles, a plot."""

from __future__ import annotations

import os
from array import array
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from workloads.format import read_comments, read_workload

if TYPE_CHECKING:
    from matplotlib.axes import Axes

PERCENTILES = (0, 5, 50, 95, 99, 100)
_SPARKS = " ▁▂▃▄▅▆▇█"


@dataclass(frozen=True)
class WorkloadSummary:
    """What :func:`summarize` found in a workload file (arrays in file order)."""

    path: Path
    comments: tuple[str, ...]
    tasks: int
    tasks_per_source: Counter[str]
    tasks_with_dependencies: int
    dependency_edges: int
    tasks_without_deadline: int
    arrival_s: np.ndarray
    cycles: np.ndarray
    input_bytes: np.ndarray
    output_bytes: np.ndarray
    relative_deadline_s: np.ndarray
    """``deadline_s - arrival_s`` of the tasks that have a deadline."""

    @property
    def span_s(self) -> float:
        """Time from the first to the last arrival."""
        return float(self.arrival_s[-1] - self.arrival_s[0]) if self.tasks else 0.0

    @property
    def mean_rate_hz(self) -> float:
        """Tasks per second over the span (0 when the span is 0)."""
        return self.tasks / self.span_s if self.span_s > 0 else 0.0

    def percentile_rows(self) -> list[tuple[str, list[float]]]:
        """(quantity with unit, values at :data:`PERCENTILES`) for sizes, deadlines and gaps."""
        columns = [
            ("cycles", self.cycles),
            ("input_bytes", self.input_bytes),
            ("output_bytes", self.output_bytes),
            ("deadline-arrival s", self.relative_deadline_s),
            ("inter-arrival s", np.diff(self.arrival_s)),
        ]
        return [
            (
                name,
                np.percentile(values, PERCENTILES).tolist()
                if len(values)
                else [float("nan")] * len(PERCENTILES),
            )
            for name, values in columns
        ]


def summarize(path: str | os.PathLike[str]) -> WorkloadSummary:
    """Read and validate a workload file and summarise it (one pass; numeric columns kept as arrays)."""
    p = Path(path)
    comments = read_comments(p)
    arrival, deadline_rel = array("d"), array("d")
    cycles, inputs, outputs = array("q"), array("q"), array("q")
    sources: Counter[str] = Counter()
    with_deps = edges = no_deadline = 0
    for task in read_workload(p):
        arrival.append(task.arrival_s)
        cycles.append(task.cycles)
        inputs.append(task.input_bytes)
        outputs.append(task.output_bytes)
        sources[task.source] += 1
        if task.depends_on:
            with_deps += 1
            edges += len(task.depends_on)
        if task.deadline_s is None:
            no_deadline += 1
        else:
            deadline_rel.append(task.deadline_s - task.arrival_s)
    return WorkloadSummary(
        path=p,
        comments=tuple(comments),
        tasks=len(arrival),
        tasks_per_source=sources,
        tasks_with_dependencies=with_deps,
        dependency_edges=edges,
        tasks_without_deadline=no_deadline,
        arrival_s=np.frombuffer(arrival, dtype=np.float64),
        cycles=np.frombuffer(cycles, dtype=np.int64),
        input_bytes=np.frombuffer(inputs, dtype=np.int64),
        output_bytes=np.frombuffer(outputs, dtype=np.int64),
        relative_deadline_s=np.frombuffer(deadline_rel, dtype=np.float64),
    )


def arrival_rate(arrival_s: np.ndarray, bins: int) -> tuple[np.ndarray, np.ndarray]:
    """(bin start times s, arrivals per second in each bin) over [first arrival, last arrival]."""
    if len(arrival_s) == 0:
        return np.empty(0), np.empty(0)
    lo, hi = float(arrival_s[0]), float(arrival_s[-1])
    if hi <= lo:
        hi = lo + 1.0
    counts, edges = np.histogram(arrival_s, bins=bins, range=(lo, hi))
    return edges[:-1], counts / np.diff(edges)


def compact(value: float) -> str:
    """A number in at most about 7 characters: 3 significant digits, exponents without padding (4.93e8)."""
    if value != value:  # NaN: no data
        return "-"
    text = f"{value:.3g}"
    mantissa, e, exponent = text.partition("e")
    return f"{mantissa}e{int(exponent)}" if e else text


def sparkline(values: np.ndarray) -> str:
    """A one-line bar chart of non-negative values (blank for 0, full block for the maximum)."""
    if len(values) == 0:
        return ""
    top = float(values.max())
    if top <= 0:
        return _SPARKS[0] * len(values)
    levels = np.ceil(values / top * (len(_SPARKS) - 1)).astype(int)
    return "".join(_SPARKS[i] for i in levels)


def plot(summary: WorkloadSummary, out: str | os.PathLike[str], bins: int = 100) -> Path:
    """Write a PNG with the arrival rate over time and the distributions of cycles, bytes and deadlines."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(2, 2, figsize=(11, 7))
    starts, rate = arrival_rate(summary.arrival_s, bins)
    axes[0][0].step(starts, rate, where="post")
    axes[0][0].set(title="arrival rate", xlabel="time (s)", ylabel="tasks/s")
    axes[0][0].set_ylim(bottom=0)
    _cdf(axes[0][1], summary.cycles, "cycles")
    axes[0][1].set(title="work", xlabel="cycles", ylabel="fraction of tasks")
    _cdf(axes[1][0], summary.input_bytes, "input_bytes")
    _cdf(axes[1][0], summary.output_bytes, "output_bytes")
    axes[1][0].set(title="data", xlabel="bytes", ylabel="fraction of tasks")
    axes[1][0].legend()
    _cdf(axes[1][1], summary.relative_deadline_s, "deadline - arrival")
    axes[1][1].set(title="relative deadline", xlabel="deadline_s - arrival_s (s)", ylabel="fraction of tasks")
    fig.suptitle(f"{summary.path.name}: {summary.tasks} tasks, {len(summary.tasks_per_source)} sources")
    fig.tight_layout()
    target = Path(out)
    fig.savefig(target, dpi=100)
    plt.close(fig)
    return target


def _cdf(ax: Axes, values: np.ndarray, label: str) -> None:
    """Empirical CDF on ``ax``; a log x axis when the values span more than two decades."""
    data = np.sort(values.astype(float))
    if len(data) == 0:
        return
    ax.step(data, np.arange(1, len(data) + 1) / len(data), where="post", label=label)
    if data[0] > 0 and data[-1] / data[0] > 100:
        ax.set_xscale("log")
