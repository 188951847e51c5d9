"""What every trace conversion shares: its options, its report, and the last stage that writes tasks.

A trace reader turns rows into *trace records* (plain tuples, see :func:`record`) in whatever order the
trace holds them, and feeds them to an :class:`~workloads._sort.ExternalSorter`. :func:`finalize` then
streams them in arrival order and applies, in this order:

1. the origin: ``arrival_s = (trace arrival - earliest trace arrival kept) x time_scale``;
2. ``max_tasks``: the first tasks in arrival order are kept, the rest counted as skipped (dependencies
   always come earlier, so no kept task loses one);
3. the source node, by the :class:`~workloads.sources.SourceRule`;
4. input and output bytes, by their :class:`~workloads.distributions.BytesRule` (traces record none);
5. the deadline: ``arrival_s + deadline_slack x (run time recorded in the trace)``; ``time_scale`` does
   not scale the run time, because the work (cycles) is not scaled either.

Times are rounded to the microseconds the file holds, so the tasks yielded are exactly those written.

Memory stays bounded by ``run_size`` records whatever the trace size.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from workloads._sort import ExternalSorter
from workloads.distributions import BytesRule, parse_bytes_rule
from workloads.errors import OptionError, SkipCounter, WorkloadError
from workloads.format import MAX_INT64, Task, quantize_s
from workloads.rng import stream
from workloads.sources import SourceAssigner, SourceRule

DEFAULT_INPUT_BYTES = "uniform:low=1e5,high=1e6"
DEFAULT_OUTPUT_BYTES = "uniform:low=1e3,high=1e5"
DEFAULT_REF_HZ = 2.4e9
DEFAULT_SOURCES = 10
_BATCH = 4096

Record = tuple[float, int, str, str, int, float, tuple[str, ...]]
"""A trace record: (trace arrival s, dependency depth, job, task id, cycles, run time s, dependency ids)."""


def record(
    arrival_trace_s: float,
    depth: int,
    job: str,
    task_id: str,
    cycles: int,
    duration_s: float,
    depends_on: tuple[str, ...] = (),
) -> Record:
    """Build a trace record. Sorting records orders them by arrival, then depth (a dependency before its
    dependants at equal arrival), then job and task id (unique, so the order is total)."""
    return (arrival_trace_s, depth, job, task_id, cycles, duration_s, depends_on)


@dataclass(frozen=True)
class ConvertOptions:
    """Options shared by every trace conversion (see the module docstring for where each applies)."""

    ref_hz: float = DEFAULT_REF_HZ
    """Clock of the reference core, Hz: one core-second of trace work is ``ref_hz`` cycles."""
    deadline_slack: float | None = 2.0
    """Deadline = arrival + slack x the run time the trace records; None writes no deadlines."""
    time_scale: float = 1.0
    """Multiplies arrival offsets (0.1 replays ten times faster); run times and cycles are not scaled."""
    start_s: float | None = None
    """Keep tasks whose trace arrival is at or after this, in the trace's own seconds."""
    end_s: float | None = None
    """Keep tasks whose trace arrival is before this, in the trace's own seconds."""
    max_tasks: int | None = None
    """Keep at most this many tasks, the earliest by arrival."""
    sources: SourceRule = field(default_factory=lambda: SourceRule.numbered(DEFAULT_SOURCES))
    """Node names and how tasks are assigned to them."""
    input_bytes: BytesRule = field(default_factory=lambda: parse_bytes_rule(DEFAULT_INPUT_BYTES))
    """Rule for the bytes a task sends (no trace records them)."""
    output_bytes: BytesRule = field(default_factory=lambda: parse_bytes_rule(DEFAULT_OUTPUT_BYTES))
    """Rule for the bytes of a task's result (no trace records them)."""
    seed: int = 0
    """Seed of every random draw of the conversion."""
    lenient: bool = False
    """Skip and count malformed rows instead of raising at the first one."""
    run_size: int = 200_000
    """Records held in memory before the sort spills a run to disk."""

    def __post_init__(self) -> None:
        if not (math.isfinite(self.ref_hz) and self.ref_hz > 0):
            raise OptionError("ref_hz", self.ref_hz, "must be a positive number of Hz")
        if self.deadline_slack is not None and not (
            math.isfinite(self.deadline_slack) and self.deadline_slack > 0
        ):
            raise OptionError("deadline_slack", self.deadline_slack, "must be > 0 (or None for no deadlines)")
        if not (math.isfinite(self.time_scale) and self.time_scale > 0):
            raise OptionError("time_scale", self.time_scale, "must be > 0")
        if self.start_s is not None and self.end_s is not None and self.start_s >= self.end_s:
            raise OptionError("start_s/end_s", (self.start_s, self.end_s), "the window is empty")
        if self.max_tasks is not None and self.max_tasks < 0:
            raise OptionError("max_tasks", self.max_tasks, "must be >= 0")
        if isinstance(self.seed, bool) or not isinstance(self.seed, int) or self.seed < 0:
            raise OptionError("seed", self.seed, "must be a non-negative integer")
        if self.run_size < 1:
            raise OptionError("run_size", self.run_size, "must be >= 1")

    def in_window(self, trace_s: float) -> bool:
        """Whether a trace arrival falls in the [start_s, end_s) window."""
        return (self.start_s is None or trace_s >= self.start_s) and (
            self.end_s is None or trace_s < self.end_s
        )

    def window_text(self) -> str:
        """The window as written in reports and file headers."""
        if self.start_s is None and self.end_s is None:
            return "whole trace"
        lo = "-inf" if self.start_s is None else f"{self.start_s:g}"
        hi = "inf" if self.end_s is None else f"{self.end_s:g}"
        return f"[{lo}, {hi}) s of trace time"

    def describe(self) -> list[str]:
        """Header comment lines stating every rule the conversion applied."""
        slack = (
            "none" if self.deadline_slack is None else f"arrival + {self.deadline_slack:g} x trace run time"
        )
        return [
            f"ref_hz: {self.ref_hz:g}",
            f"deadline: {slack}",
            f"time_scale: {self.time_scale:g}",
            f"window: {self.window_text()}",
            f"max_tasks: {'none' if self.max_tasks is None else self.max_tasks}",
            f"sources: {self.sources}",
            f"input_bytes: {self.input_bytes} (synthesised; the trace has no data sizes)",
            f"output_bytes: {self.output_bytes} (synthesised; the trace has no data sizes)",
            f"seed: {self.seed}",
        ]


@dataclass
class ConversionReport:
    """What a conversion read, wrote and left out, by reason; nothing is dropped without a count here.

    ``rows_skipped`` counts malformed rows (lenient mode only). ``tasks_skipped`` counts task candidates
    that were not written, by reason; :meth:`balanced` checks that every candidate is accounted for.
    ``adjustments`` counts changes made to written tasks (dependency edges removed, arrivals raised).
    """

    trace: str
    inputs: tuple[str, ...]
    rows_read: int = 0
    rows_skipped: SkipCounter = field(default_factory=SkipCounter)
    tasks_seen: int = 0
    tasks_skipped: SkipCounter = field(default_factory=SkipCounter)
    tasks_written: int = 0
    adjustments: SkipCounter = field(default_factory=SkipCounter)
    notes: list[str] = field(default_factory=list)

    def balanced(self) -> bool:
        """Whether every task candidate was either written or counted as skipped."""
        return self.tasks_seen == self.tasks_written + self.tasks_skipped.total()


class RowProblems:
    """Raises a malformed-row error, or counts it when the conversion is lenient."""

    def __init__(self, report: ConversionReport, lenient: bool) -> None:
        self.report = report
        self.lenient = lenient

    def __call__(self, error: WorkloadError) -> None:
        """Handle one malformed row (the error already carries its file, line and column)."""
        if not self.lenient:
            raise error
        self.report.rows_skipped.add_error(error)

    def task(self, error: WorkloadError) -> None:
        """Handle one task rejected for a structural problem (bad dependency, cycle): raise or count it."""
        if not self.lenient:
            raise error
        self.report.tasks_skipped.add_error(error)


def finalize(records: ExternalSorter, options: ConvertOptions, report: ConversionReport) -> Iterator[Task]:
    """Stream the sorted records as tasks (see the module docstring); counts into ``report``."""
    assigner = options.sources.assigner(options.seed)
    input_rng = stream(options.seed, "input_bytes")
    output_rng = stream(options.seed, "output_bytes")
    limit = len(records) if options.max_tasks is None else min(options.max_tasks, len(records))
    remaining = len(records) - limit
    origin: float | None = None
    batch: list[tuple[Any, ...]] = []
    taken = 0
    ordered = records.sorted()
    try:
        for rec in ordered:
            if taken == limit:
                break
            if origin is None:
                origin = rec[0]
            batch.append(rec)
            taken += 1
            if len(batch) == _BATCH:
                yield from _emit(batch, origin, options, assigner, input_rng, output_rng, report)
                batch = []
        if batch:
            assert origin is not None
            yield from _emit(batch, origin, options, assigner, input_rng, output_rng, report)
    finally:
        ordered.close()
    if remaining:
        report.tasks_skipped.add(
            "beyond max_tasks", f"the {remaining} latest task(s) after the first {limit}", remaining
        )


def _emit(
    batch: list[tuple[Any, ...]],
    origin: float,
    options: ConvertOptions,
    assigner: SourceAssigner,
    input_rng: np.random.Generator,
    output_rng: np.random.Generator,
    report: ConversionReport,
) -> Iterator[Task]:
    cycles = np.fromiter((rec[4] for rec in batch), dtype=np.int64, count=len(batch))
    inputs = options.input_bytes.draw(cycles, input_rng).tolist()
    outputs = options.output_bytes.draw(cycles, output_rng).tolist()
    scale = options.time_scale
    slack = options.deadline_slack
    for rec, input_bytes, output_bytes in zip(batch, inputs, outputs, strict=True):
        arrival_s = quantize_s((rec[0] - origin) * scale)
        deadline_s = None if slack is None else quantize_s(arrival_s + slack * rec[5])
        report.tasks_written += 1
        yield Task(
            arrival_s, assigner.assign(rec[2]), rec[3], rec[4], input_bytes, output_bytes, deadline_s, rec[6]
        )


def work_cycles(cores: float, duration_s: float, ref_hz: float) -> int | str:
    """Cycles of ``cores`` busy for ``duration_s`` at ``ref_hz``, or the skip reason when out of range."""
    cycles = round(cores * duration_s * ref_hz)
    if cycles < 1:
        return "work rounds to 0 cycles"
    if cycles > MAX_INT64:
        return "work above 2^63 - 1 cycles"
    return cycles


def parse_number(text: str, column: str) -> float | None:
    """A trace field as a finite float, None when empty; raises WorkloadError("not a number") otherwise."""
    text = text.strip()
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        raise WorkloadError(f"{text[:40]!r} is not a number", column=column, reason="not a number") from None
    if not math.isfinite(value):
        raise WorkloadError(f"{text!r} is not a finite number", column=column, reason="not a number")
    return value


def parse_integer(text: str, column: str) -> int | None:
    """A trace field as an integer, None when empty; raises WorkloadError("not a number") otherwise."""
    text = text.strip()
    if not text:
        return None
    try:
        return int(text)
    except ValueError:
        raise WorkloadError(
            f"{text[:40]!r} is not an integer", column=column, reason="not a number"
        ) from None
