"""Azure Functions traces: 2019 (invocation counts per minute plus duration percentiles) and 2021
(one row per invocation).

**2019** (``invocations_per_function_md.anon.dNN.csv`` with ``function_durations_percentiles.anon.dNN.csv``
of the same day). The invocations file has a header ``HashOwner,HashApp,HashFunction,Trigger,1,...,1440``
and one row per function with its invocation count in each minute of the day. The durations file has a
header naming at least ``HashOwner, HashApp, HashFunction`` and ``percentile_Average_{0,1,25,50,75,99,100}``
(milliseconds); functions are matched on all three hashes. Each invocation becomes one task:

- arrival: the minute's invocations are spread within it by ``spread``: ``uniform`` (default: the count
  is kept and the times are independent uniform draws in the minute, which is a Poisson process
  conditioned on that count), ``poisson`` (the count itself is drawn from Poisson(count), so the total
  differs from the trace and the report states both), or ``even`` (evenly spaced, no randomness).
- run time: drawn from the function's percentile table read as a piecewise-linear quantile function
  through (0, p0), (0.01, p1), (0.25, p25), (0.5, p50), (0.75, p75), (0.99, p99), (1, p100). The table
  holds percentiles of 30-second averages, not of single invocations (see the dataset's notes).
- ``cycles = run time x ref_hz`` (one reference core per invocation).
- ``task_id = fnL:K``: L the function's line in the invocations file, K the invocation's rank in time;
  the function (``HashOwner/HashApp/HashFunction``) is the key for source assignment.
- trace time (for the time window) is seconds from the start of the day the file covers; one day per
  conversion (the day files share no clock).

Skipped and counted: invocations of a function that has no durations row, draws with a non-positive run
time, arrivals outside the time window, work out of range. Malformed (raise, or counted when lenient): a
row with the wrong column count, a count that is not a non-negative integer, a non-numeric, negative or
decreasing percentile, a function listed twice in the durations file. The durations table is held in
memory (one row per function, small beside the invocations); the invocations stream.

**2021** (``AzureFunctionsInvocationTraceForTwoWeeksJan2021``, extracted from its ``.rar``): columns
``app, func, end_timestamp, duration`` (seconds); a first row equal to those names is read as a header.
One task per row: trace arrival = ``end_timestamp - duration``, ``cycles = duration x ref_hz``, run time =
``duration``, ``task_id = invL`` (L the line), key ``app/func``. Skipped and counted: a non-positive
duration, arrivals outside the time window, work out of range.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from itertools import pairwise
from pathlib import Path

import numpy as np

from workloads._io import csv_rows
from workloads._sort import ExternalSorter
from workloads.errors import OptionError, WorkloadError
from workloads.format import Task
from workloads.rng import stream
from workloads.traces.common import (
    ConversionReport,
    ConvertOptions,
    RowProblems,
    finalize,
    parse_number,
    record,
    work_cycles,
)

NAME_2019 = "azure-2019"
NAME_2021 = "azure-2021"
SPREADS = ("uniform", "poisson", "even")
MINUTES = 1440
KEY_COLUMNS = ("HashOwner", "HashApp", "HashFunction")
INVOCATION_HEADER = (*KEY_COLUMNS, "Trigger", *(str(m) for m in range(1, MINUTES + 1)))
PERCENTILES = (0, 1, 25, 50, 75, 99, 100)
PERCENTILE_COLUMNS = tuple(f"percentile_Average_{p}" for p in PERCENTILES)
_QUANTILES = np.array(PERCENTILES, dtype=float) / 100.0
COLUMNS_2021 = ("app", "func", "end_timestamp", "duration")


def read_durations(
    path: str | os.PathLike[str], report: ConversionReport, problems: RowProblems
) -> dict[tuple[str, str, str], np.ndarray]:
    """The durations file as {(owner, app, function): percentiles in ms (7 values, non-decreasing)}."""
    rows = csv_rows(path)
    header_line, header = next(rows, (1, []))
    names = [h.strip() for h in header]
    missing = [c for c in (*KEY_COLUMNS, *PERCENTILE_COLUMNS) if c not in names]
    if missing:
        raise WorkloadError(
            f"not a function_durations_percentiles file: the header lacks {', '.join(missing)}",
            path=path,
            line=header_line,
            reason="bad header",
        )
    keys = [names.index(c) for c in KEY_COLUMNS]
    cols = [names.index(c) for c in PERCENTILE_COLUMNS]
    table: dict[tuple[str, str, str], np.ndarray] = {}
    first_line: dict[tuple[str, str, str], int] = {}
    for line, row in rows:
        report.rows_read += 1
        try:
            if len(row) != len(names):
                raise WorkloadError(
                    f"{len(row)} columns, the header has {len(names)}", reason="wrong column count"
                )
            key = (row[keys[0]], row[keys[1]], row[keys[2]])
            values = []
            for i in cols:
                value = parse_number(row[i], f"{i + 1} ({names[i]})")
                if value is None or value < 0:
                    raise WorkloadError(
                        f"{row[i]!r} is not a non-negative number of ms",
                        column=f"{i + 1} ({names[i]})",
                        reason="bad percentile",
                    )
                values.append(value)
            if any(b < a for a, b in pairwise(values)):
                raise WorkloadError(
                    f"percentiles decrease: {values}",
                    column=f"{cols[0] + 1}-{cols[-1] + 1}",
                    reason="bad percentile",
                )
            if key in table:
                raise WorkloadError(
                    f"function {'/'.join(key)[:60]}... is listed twice (first on line {first_line[key]})",
                    reason="function listed twice",
                )
        except WorkloadError as e:
            problems(e.at(path=path, line=line))
            continue
        table[key] = np.array(values)
        first_line[key] = line
    return table


def read_azure_2019(
    invocations: str | os.PathLike[str],
    durations: str | os.PathLike[str],
    options: ConvertOptions,
    report: ConversionReport,
    *,
    spread: str = "uniform",
) -> Iterator[Task]:
    """Stream the tasks of one day of the 2019 trace (invocations and durations files) in file order."""
    if spread not in SPREADS:
        raise OptionError("spread", spread, f"unknown; known: {', '.join(SPREADS)}")
    problems = RowProblems(report, options.lenient)
    table = read_durations(durations, report, problems)
    arrivals_rng = stream(options.seed, NAME_2019, "arrivals")
    durations_rng = stream(options.seed, NAME_2019, "durations")
    path = Path(invocations)
    resolved = ExternalSorter(options.run_size)
    trace_invocations = 0
    try:
        rows = csv_rows(path)
        header_line, header = next(rows, (1, []))
        if tuple(h.strip() for h in header) != INVOCATION_HEADER:
            raise WorkloadError(
                "not an invocations_per_function file: expected the header "
                "HashOwner,HashApp,HashFunction,Trigger,1,2,...,1440",
                path=path,
                line=header_line,
                reason="bad header",
            )
        minute_start_s = np.arange(MINUTES, dtype=float) * 60.0
        for line, row in rows:
            report.rows_read += 1
            try:
                counts = _minute_counts(row)
            except WorkloadError as e:
                problems(e.at(path=path, line=line))
                continue
            trace_invocations += int(counts.sum())
            if spread == "poisson":
                counts = arrivals_rng.poisson(counts)
            total = int(counts.sum())
            if total == 0:
                continue
            report.tasks_seen += total
            key = (row[0], row[1], row[2])
            where = f"{path}:{line}"
            percentiles = table.get(key)
            if percentiles is None:
                report.tasks_skipped.add(
                    "function has no duration percentiles", f"{where}: {total} invocations", total
                )
                continue
            times = _spread(counts, minute_start_s, spread, arrivals_rng)
            durations_s = np.interp(durations_rng.random(total), _QUANTILES, percentiles) / 1000.0
            job = "/".join(key)
            for k, (arrival, duration) in enumerate(zip(times.tolist(), durations_s.tolist(), strict=True)):
                reason = _skip_reason(arrival, duration, options)
                if isinstance(reason, str):
                    report.tasks_skipped.add(reason, f"{where}: invocation {k}")
                    continue
                resolved.add(record(arrival, 0, job, f"fn{line}:{k}", reason, duration))
        report.notes.append(f"invocations in the trace: {trace_invocations}; drawn with spread={spread}")
        yield from finalize(resolved, options, report)
    finally:
        resolved.close()


def _skip_reason(arrival_s: float, duration_s: float, options: ConvertOptions) -> int | str:
    """The task's cycles, or why it is skipped."""
    if duration_s <= 0:
        return "non-positive duration"
    if not options.in_window(arrival_s):
        return "outside the time window"
    return work_cycles(1.0, duration_s, options.ref_hz)


def _minute_counts(row: list[str]) -> np.ndarray:
    if len(row) != len(INVOCATION_HEADER):
        raise WorkloadError(
            f"{len(row)} columns, expected {len(INVOCATION_HEADER)} (4 keys and 1440 minutes)",
            reason="wrong column count",
        )
    cells = row[4:]
    try:
        counts = np.array(cells, dtype=np.int64)
        if counts.min() >= 0:
            return counts
    except (ValueError, OverflowError):
        pass
    bad = next(i for i, c in enumerate(cells) if not c.strip().isdigit() or len(c.strip()) > 18)
    raise WorkloadError(
        f"{cells[bad][:20]!r} is not a count of invocations (a non-negative integer)",
        column=f"{bad + 5} (minute {bad + 1})",
        reason="not a number",
    )


def _spread(
    counts: np.ndarray, minute_start_s: np.ndarray, spread: str, rng: np.random.Generator
) -> np.ndarray:
    """Arrival times (s, ascending) of ``counts[m]`` invocations in each minute ``m``."""
    starts = np.repeat(minute_start_s, counts)
    if spread == "even":
        first = np.cumsum(counts) - counts
        rank = np.arange(len(starts)) - np.repeat(first, counts)
        return starts + (rank + 0.5) / np.repeat(counts, counts) * 60.0
    offsets = rng.random(len(starts)) * 60.0
    minute = np.repeat(np.arange(len(counts)), counts)
    order = np.lexsort((offsets, minute))
    return (starts + offsets)[order]


def read_azure_2021(
    path: str | os.PathLike[str], options: ConvertOptions, report: ConversionReport
) -> Iterator[Task]:
    """Stream the tasks of the 2021 invocation trace (plain or gzip CSV) in workload-file order."""
    problems = RowProblems(report, options.lenient)
    resolved = ExternalSorter(options.run_size)
    labels = {name: f"{i} ({name})" for i, name in enumerate(COLUMNS_2021, start=1)}
    try:
        for line, row in csv_rows(path):
            if line == 1 and tuple(c.strip() for c in row) == COLUMNS_2021:
                continue
            report.rows_read += 1
            try:
                if len(row) != len(COLUMNS_2021):
                    raise WorkloadError(
                        f"{len(row)} columns, expected {len(COLUMNS_2021)} ({','.join(COLUMNS_2021)})",
                        reason="wrong column count",
                    )
                end_s = parse_number(row[2], labels["end_timestamp"])
                duration_s = parse_number(row[3], labels["duration"])
                if end_s is None or duration_s is None:
                    column = labels["end_timestamp" if end_s is None else "duration"]
                    raise WorkloadError("empty field", column=column, reason="missing field")
            except WorkloadError as e:
                problems(e.at(path=path, line=line))
                continue
            report.tasks_seen += 1
            arrival_s = end_s - duration_s
            outcome = _skip_reason(arrival_s, duration_s, options)
            if isinstance(outcome, str):
                report.tasks_skipped.add(outcome, f"{path}:{line}")
                continue
            resolved.add(record(arrival_s, 0, f"{row[0]}/{row[1]}", f"inv{line}", outcome, duration_s))
        yield from finalize(resolved, options, report)
    finally:
        resolved.close()
