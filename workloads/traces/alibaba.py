"""Alibaba cluster-trace-v2018 ``batch_task.csv``: one task per row, with the DAG of its job.

The file has no header; its 9 columns are ``task_name, instance_num, job_name, task_type, status,
start_time, end_time, plan_cpu, plan_mem`` (``cluster-trace-v2018/schema.txt``). Times are seconds from the
start of the trace, and 0 means "before or after the 8-day span"; ``plan_cpu`` is in hundredths of a core.

Each row becomes one task:

- ``task_id = job_name:task_name``; the job is the grouping key for source assignment.
- trace arrival = ``start_time``; ``arrival_s`` = that minus the earliest ``start_time`` of the tasks kept.
- ``cycles = plan_cpu / 100 x (end_time - start_time) x instance_num x ref_hz``.
- run time for the deadline = ``end_time - start_time``.
- dependencies from ``task_name`` within the job: ``M2_1`` is task 2 and depends on task 1; ``R5_3_4``
  depends on tasks 3 and 4; the letters do not matter; names starting ``task_`` are independent.

Rows skipped and counted (data the task cannot be built from): an empty ``start_time``/``end_time``, either
of them 0, a non-positive duration, an empty or non-positive ``plan_cpu`` or ``instance_num``, work that
rounds to 0 cycles or exceeds 2^63 - 1, and rows outside the time window.

Malformed input raises WorkloadError (or, lenient, is counted by reason): a row without 9 columns, a
non-numeric field that is read, a ``task_name`` that is neither a DAG name nor ``task_*``, a task listed
twice in a job or two tasks with one number, a dependency on a task number no row of the job defines, and
a dependency cycle. Lenient mode skips the offending tasks.

A dependency on a task that was skipped (for any reason above) is removed from the dependant and counted
as an adjustment; so is raising a task's arrival to that of a dependency that started later in the trace
(the format lists dependencies first, and the task cannot start before its dependency anyway).

Rows are grouped by job with an external sort, so jobs need not be contiguous in the file and memory
stays bounded by ``ConvertOptions.run_size``.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator, Sequence
from itertools import groupby
from operator import itemgetter
from pathlib import Path
from typing import NamedTuple

from workloads._io import csv_rows
from workloads._sort import ExternalSorter
from workloads.errors import WorkloadError
from workloads.format import Task
from workloads.traces.common import (
    ConversionReport,
    ConvertOptions,
    RowProblems,
    finalize,
    parse_integer,
    parse_number,
    record,
    work_cycles,
)
from workloads.traces.graph import cycle_path, cyclic_components

NAME = "alibaba-2018"
COLUMNS = (
    "task_name",
    "instance_num",
    "job_name",
    "task_type",
    "status",
    "start_time",
    "end_time",
    "plan_cpu",
    "plan_mem",
)
_COL = {name: f"{i} ({name})" for i, name in enumerate(COLUMNS, start=1)}
_DAG_NAME = re.compile(r"[A-Za-z]+([0-9]+)((?:_[0-9]+)*)")
_NAME_CHARS = re.compile(r"[A-Za-z0-9_.+/=@-]{1,120}")
_INDEPENDENT = -1
OUTSIDE_WINDOW = "outside the time window"


class _Row(NamedTuple):
    """A parsed row, as stage 1 sorts it (by job, file index, line); stored as a plain tuple."""

    job: str
    file_index: int
    line: int
    task_name: str
    number: int
    dep_numbers: tuple[int, ...]
    start_s: float
    duration_s: float
    cycles: int
    skip: str


def parse_task_name(name: str) -> tuple[int, tuple[int, ...]] | None:
    """(task number, dependency numbers) of a DAG task name such as ``M5_3_4``; (-1, ()) for ``task_*``
    names; None when the name is neither."""
    if name.startswith("task_"):
        return _INDEPENDENT, ()
    match = _DAG_NAME.fullmatch(name)
    if match is None:
        return None
    deps = tuple(int(d) for d in match.group(2).split("_")[1:])
    return int(match.group(1)), deps


def _parse_row(row: list[str], file_index: int, line: int, options: ConvertOptions) -> tuple[object, ...]:
    """The row as a plain-tuple _Row; raises WorkloadError (without file and line) when malformed."""
    if len(row) != len(COLUMNS):
        raise WorkloadError(
            f"{len(row)} columns, expected {len(COLUMNS)} ({','.join(COLUMNS)})", reason="wrong column count"
        )
    task_name, instance_text, job = row[0].strip(), row[1], row[2].strip()
    if not _NAME_CHARS.fullmatch(job):
        raise WorkloadError(f"{job[:40]!r} is not a job name", column=_COL["job_name"], reason="bad name")
    parsed = parse_task_name(task_name) if _NAME_CHARS.fullmatch(task_name) else None
    if parsed is None:
        raise WorkloadError(
            f"{task_name[:40]!r} is neither a DAG task name (like M2_1) nor an independent task_* name",
            column=_COL["task_name"],
            reason="bad task_name",
        )
    number, dep_numbers = parsed
    instances = parse_integer(instance_text, _COL["instance_num"])
    start = parse_number(row[5], _COL["start_time"])
    end = parse_number(row[6], _COL["end_time"])
    plan_cpu = parse_number(row[7], _COL["plan_cpu"])
    skip = ""
    duration = 0.0
    cycles = 0
    if start is None or end is None:
        skip = "missing start_time or end_time"
    elif start == 0 or end == 0:
        skip = "start_time or end_time is 0 (outside the trace span)"
    elif end <= start:
        skip = "non-positive duration"
    elif plan_cpu is None:
        skip = "missing plan_cpu"
    elif plan_cpu <= 0:
        skip = "non-positive plan_cpu"
    elif instances is None:
        skip = "missing instance_num"
    elif instances <= 0:
        skip = "non-positive instance_num"
    elif not options.in_window(start):
        skip = OUTSIDE_WINDOW
    else:
        duration = end - start
        work = work_cycles(plan_cpu / 100.0 * instances, duration, options.ref_hz)
        if isinstance(work, str):
            skip = work
        else:
            cycles = work
    return (job, file_index, line, task_name, number, dep_numbers, start or 0.0, duration, cycles, skip)


def read_alibaba_2018(
    paths: str | os.PathLike[str] | Sequence[str | os.PathLike[str]],
    options: ConvertOptions,
    report: ConversionReport,
) -> Iterator[Task]:
    """Stream the tasks of one or more ``batch_task.csv`` files (plain or gzip) in workload-file order.

    Fills ``report`` as it goes; see the module docstring for the mapping and every skip rule.
    """
    files = [Path(paths)] if isinstance(paths, (str, os.PathLike)) else [Path(p) for p in paths]
    problems = RowProblems(report, options.lenient)
    grouped = ExternalSorter(options.run_size)
    resolved = ExternalSorter(options.run_size)
    try:
        for file_index, path in enumerate(files):
            for line, row in csv_rows(path):
                report.rows_read += 1
                try:
                    rec = _parse_row(row, file_index, line, options)
                except WorkloadError as e:
                    problems(e.at(path=path, line=line))
                    continue
                report.tasks_seen += 1
                grouped.add(rec)
        for job, recs in groupby(grouped.sorted(), key=itemgetter(0)):
            _resolve_job(job, [_Row._make(r) for r in recs], files, problems, resolved)
        yield from finalize(resolved, options, report)
    finally:
        grouped.close()
        resolved.close()


def _where(files: list[Path], row: _Row) -> str:
    return f"{files[row.file_index]}:{row.line}"


def _task_error(files: list[Path], row: _Row, message: str, reason: str) -> WorkloadError:
    return WorkloadError(
        message, path=files[row.file_index], line=row.line, column=_COL["task_name"], reason=reason
    )


def _resolve_job(
    job: str, rows: list[_Row], files: list[Path], problems: RowProblems, out: ExternalSorter
) -> None:
    """Check one job's tasks, resolve their dependencies, and add the kept ones to ``out``."""
    report = problems.report
    by_name: dict[str, _Row] = {}
    by_number: dict[int, _Row] = {}
    dead: dict[int, str] = {}  # task number -> why it is not written
    live: list[_Row] = []
    for row in rows:
        if row.task_name in by_name:
            first = by_name[row.task_name]
            problems.task(
                _task_error(
                    files,
                    row,
                    f"task {row.task_name!r} of job {job!r} appears twice (first at {_where(files, first)})",
                    "task listed twice in a job",
                )
            )
            continue
        if row.number != _INDEPENDENT and row.number in by_number:
            other = by_number[row.number]
            problems.task(
                _task_error(
                    files,
                    row,
                    f"task number {row.number} of job {job!r} is used by {other.task_name!r} "
                    f"({_where(files, other)}) and {row.task_name!r}",
                    "two tasks with one number in a job",
                )
            )
            continue
        by_name[row.task_name] = row
        if row.number != _INDEPENDENT:
            by_number[row.number] = row
        if row.skip:
            report.tasks_skipped.add(row.skip, f"{_where(files, row)}: task {row.task_name!r} of job {job!r}")
            dead[row.number] = row.skip
        elif row.number == _INDEPENDENT:
            out.add(record(row.start_s, 0, job, f"{job}:{row.task_name}", row.cycles, row.duration_s))
        else:
            live.append(row)

    parents: dict[int, list[int]] = {}
    for row in live:
        unique = list(dict.fromkeys(row.dep_numbers))
        if len(unique) != len(row.dep_numbers):
            report.adjustments.add(
                "repeated dependency number merged",
                f"{_where(files, row)}: task {row.task_name!r} of job {job!r}",
            )
        missing = [d for d in unique if d not in by_number]
        if missing:
            reason = "dependency on a task that never appears"
            problems.task(
                _task_error(
                    files,
                    row,
                    f"task {row.task_name!r} of job {job!r} depends on task {missing[0]}, "
                    "which no row of the job defines",
                    reason,
                )
            )
            dead[row.number] = reason
            continue
        parents[row.number] = unique

    # Dependencies on lower numbers only (the usual case) cannot close a cycle: skip the search.
    backward = all(p < n for n, ps in parents.items() for p in ps)
    live_edges = {} if backward else {n: [p for p in ps if p in parents] for n, ps in parents.items()}
    for component in cyclic_components(list(live_edges), live_edges):
        walk = " -> ".join(by_number[n].task_name for n in cycle_path(component, live_edges))
        for member in sorted(component, key=lambda n: (by_number[n].file_index, by_number[n].line)):
            problems.task(
                _task_error(
                    files, by_number[member], f"dependency cycle in job {job!r}: {walk}", "dependency cycle"
                )
            )
            dead[member] = "dependency cycle"
    pending: dict[int, list[int]] = {}
    for n, ps in parents.items():
        if n in dead:
            continue
        pending[n] = [p for p in ps if p not in dead]
        for p in ps:
            if p in dead:
                report.adjustments.add(
                    f"dependency removed: the dependency was skipped ({dead[p]})",
                    f"{_where(files, by_number[n])}: {by_number[n].task_name!r} of job {job!r} on task {p}",
                )

    # Parents first: each task's depth, and its arrival raised to its dependencies' arrivals.
    arrival: dict[int, float] = {}
    depth: dict[int, int] = {}
    for n in sorted(pending) if backward else _topological(pending):
        row = by_number[n]
        deps = pending[n]
        arrival[n] = max([row.start_s, *(arrival[p] for p in deps)])
        depth[n] = 1 + max((depth[p] for p in deps), default=-1)
        if arrival[n] > row.start_s:
            report.adjustments.add(
                "arrival raised to a dependency's later arrival",
                f"{_where(files, row)}: {row.task_name!r} of job {job!r}",
            )
        dep_ids = tuple(f"{job}:{by_number[p].task_name}" for p in deps)
        out.add(
            record(arrival[n], depth[n], job, f"{job}:{row.task_name}", row.cycles, row.duration_s, dep_ids)
        )


def _topological(parents: dict[int, list[int]]) -> list[int]:
    """Kahn's order of an acyclic dependency map (every parent listed is a key), parents first."""
    children: dict[int, list[int]] = {n: [] for n in parents}
    waiting = {n: len(ps) for n, ps in parents.items()}
    for n, ps in parents.items():
        for p in ps:
            children[p].append(n)
    ready = sorted(n for n, k in waiting.items() if k == 0)
    order: list[int] = []
    while ready:
        n = ready.pop()
        order.append(n)
        for c in children[n]:
            waiting[c] -= 1
            if waiting[c] == 0:
                ready.append(c)
    return order
