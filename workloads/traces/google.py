"""Google cluster traces: 2011 ``task_events`` and a CSV export of 2019 ``instance_events``.

Both record events of tasks (2019: instances) identified by a job (collection) id and an index, with
timestamps in microseconds, where 0 means "before the trace window" and 2^63 - 1 "after it". The events of
one task are gathered with an external sort, so they may be spread over many files in any order. One
task per (job, index) that has a SUBMIT:

- trace arrival = its first SUBMIT (seconds); ``arrival_s`` = that minus the earliest arrival kept.
- run time = from its last SCHEDULE before a FINISH to that FINISH (the final successful run, after any
  eviction); if it finished several times, the last FINISH counts.
- ``cycles = cpu request x cores_per_unit x run time x ref_hz``. The CPU request is the normalised one on
  that SCHEDULE event, or else the last non-empty one seen before the FINISH. ``cores_per_unit`` says how
  many reference cores a request of 1.0 stands for (the trace normalises by its largest machine and does
  not say how many cores that is; the default 1.0 reads a request as a fraction of one core).
- ``task_id = job:index``; the job is the key for source assignment; no dependencies.

Skipped and counted: no SUBMIT, a SUBMIT at 0 (before the window), no FINISH after a SCHEDULE (the reason
names the task's last event: KILL, FAIL, EVICT, LOST or still running), a FINISH after the window, a
non-positive run time, a missing or non-positive CPU request, work out of range, arrivals outside the time
window. Malformed rows (column count, non-numeric id, time or event type, unknown event type, non-numeric
CPU request) raise WorkloadError or, lenient, are counted.

2011 files (``task_events/part-NNNNN-of-00500.csv.gz``) have no header and 13 columns: timestamp, missing
info, job ID, task index, machine ID, event type (0 SUBMIT, 1 SCHEDULE, 2 EVICT, 3 FAIL, 4 FINISH, 5 KILL,
6 LOST, 7 UPDATE_PENDING, 8 UPDATE_RUNNING), user, scheduling class, priority, CPU request, memory request,
disk request, different-machine constraint.

The 2019 trace is served through BigQuery, which cannot export its nested ``resource_request`` record to
CSV; flatten it in the query. The reader needs a header row naming at least ``time``, ``type``,
``collection_id``, ``instance_index`` and the CPU request as ``cpus`` (also accepted:
``resource_request_cpus``, ``resource_request.cpus``); other columns are ignored. ``type`` holds the event
code (0 SUBMIT, 1 QUEUE, 2 ENABLE, 3 SCHEDULE, 4 EVICT, 5 FAIL, 6 FINISH, 7 KILL, 8 LOST,
9 UPDATE_PENDING, 10 UPDATE_RUNNING) or its name. For example::

    SELECT time, type, collection_id, instance_index, priority, scheduling_class,
           resource_request.cpus AS cpus, resource_request.memory AS memory
    FROM `google.com:google-cluster-data`.clusterdata_2019_a.instance_events
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from itertools import groupby
from operator import itemgetter
from pathlib import Path

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

NAME_2011 = "google-2011"
NAME_2019 = "google-2019"
AFTER_WINDOW_US = 2**63 - 1
COLUMNS_2011 = (
    "timestamp",
    "missing_info",
    "job_id",
    "task_index",
    "machine_id",
    "event_type",
    "user",
    "scheduling_class",
    "priority",
    "cpu_request",
    "memory_request",
    "disk_request",
    "different_machine",
)
_COL_2011 = {name: f"{i} ({name})" for i, name in enumerate(COLUMNS_2011, start=1)}
CPU_COLUMNS_2019 = ("cpus", "resource_request_cpus", "resource_request.cpus")
REQUIRED_2019 = ("time", "type", "collection_id", "instance_index")


@dataclass(frozen=True)
class _Codes:
    """Event codes of one trace version."""

    submit: int
    schedule: int
    finish: int
    names: tuple[str, ...]


CODES_2011 = _Codes(
    0,
    1,
    4,
    ("SUBMIT", "SCHEDULE", "EVICT", "FAIL", "FINISH", "KILL", "LOST", "UPDATE_PENDING", "UPDATE_RUNNING"),
)
CODES_2019 = _Codes(
    0,
    3,
    6,
    (
        "SUBMIT",
        "QUEUE",
        "ENABLE",
        "SCHEDULE",
        "EVICT",
        "FAIL",
        "FINISH",
        "KILL",
        "LOST",
        "UPDATE_PENDING",
        "UPDATE_RUNNING",
    ),
)

# An event as sorted: (job, index, time_us, file index, line, type, cpu request or None when empty).
_Event = tuple[int, int, int, int, int, int, float | None]


def _event_type(text: str, column: str, codes: _Codes) -> int:
    text = text.strip()
    if text.upper() in codes.names:
        return codes.names.index(text.upper())
    try:
        value = parse_integer(text, column)
    except WorkloadError:
        value = None
    if value is None or not 0 <= value < len(codes.names):
        raise WorkloadError(
            f"{text!r} is not an event type (0..{len(codes.names) - 1} or a name such as SUBMIT)",
            column=column,
            reason="unknown event type",
        )
    return value


def _required_int(text: str, column: str) -> int:
    value = parse_integer(text, column)
    if value is None:
        raise WorkloadError("empty field", column=column, reason="missing field")
    return value


def _event(
    time_text: str,
    type_text: str,
    job_text: str,
    index_text: str,
    cpu_text: str,
    columns: tuple[str, ...],
    codes: _Codes,
) -> tuple[int, int, int, int, float | None]:
    """(job, index, time_us, type, cpu or None) from the fields; ``columns`` labels them for errors."""
    time_us = _required_int(time_text, columns[0])
    event_type = _event_type(type_text, columns[1], codes)
    job = _required_int(job_text, columns[2])
    index = _required_int(index_text, columns[3])
    return job, index, time_us, event_type, parse_number(cpu_text, columns[4])


def _files(paths: str | os.PathLike[str] | Sequence[str | os.PathLike[str]]) -> list[Path]:
    return [Path(paths)] if isinstance(paths, (str, os.PathLike)) else [Path(p) for p in paths]


def read_google_2011(
    paths: str | os.PathLike[str] | Sequence[str | os.PathLike[str]],
    options: ConvertOptions,
    report: ConversionReport,
    *,
    cores_per_unit: float = 1.0,
) -> Iterator[Task]:
    """Stream the tasks of 2011 ``task_events`` files (plain or gzip) in workload-file order."""
    files = _files(paths)
    problems = RowProblems(report, options.lenient)
    labels = tuple(_COL_2011[c] for c in ("timestamp", "event_type", "job_id", "task_index", "cpu_request"))

    def events() -> Iterator[_Event]:
        for file_index, path in enumerate(files):
            for line, row in csv_rows(path):
                report.rows_read += 1
                try:
                    if len(row) != len(COLUMNS_2011):
                        raise WorkloadError(
                            f"{len(row)} columns, expected {len(COLUMNS_2011)}", reason="wrong column count"
                        )
                    job, index, time_us, event_type, cpu = _event(
                        row[0], row[5], row[2], row[3], row[9], labels, CODES_2011
                    )
                except WorkloadError as e:
                    problems(e.at(path=path, line=line))
                    continue
                yield (job, index, time_us, file_index, line, event_type, cpu)

    yield from _convert_events(events(), files, options, report, CODES_2011, cores_per_unit)


def read_google_2019(
    paths: str | os.PathLike[str] | Sequence[str | os.PathLike[str]],
    options: ConvertOptions,
    report: ConversionReport,
    *,
    cores_per_unit: float = 1.0,
) -> Iterator[Task]:
    """Stream the tasks of CSV exports of 2019 ``instance_events`` (with a header row) in file order."""
    files = _files(paths)
    problems = RowProblems(report, options.lenient)

    def events() -> Iterator[_Event]:
        for file_index, path in enumerate(files):
            rows = csv_rows(path)
            header_line, header = next(rows, (1, []))
            names = [h.strip() for h in header]
            missing = [c for c in REQUIRED_2019 if c not in names]
            cpu_name = next((c for c in CPU_COLUMNS_2019 if c in names), None)
            if missing or cpu_name is None:
                need = missing + ([] if cpu_name else [" or ".join(CPU_COLUMNS_2019)])
                raise WorkloadError(
                    f"the header row lacks {', '.join(need)} (export the columns named in "
                    "workloads.traces.google's docstring)",
                    path=path,
                    line=header_line,
                    reason="bad header",
                )
            at = [names.index(c) for c in (*REQUIRED_2019, cpu_name)]
            labels = tuple(f"{i + 1} ({names[i]})" for i in at)
            for line, row in rows:
                report.rows_read += 1
                try:
                    if len(row) != len(names):
                        raise WorkloadError(
                            f"{len(row)} columns, the header has {len(names)}", reason="wrong column count"
                        )
                    fields = [row[i] for i in at]
                    job, index, time_us, event_type, cpu = _event(
                        fields[0], fields[1], fields[2], fields[3], fields[4], labels, CODES_2019
                    )
                except WorkloadError as e:
                    problems(e.at(path=path, line=line))
                    continue
                yield (job, index, time_us, file_index, line, event_type, cpu)

    yield from _convert_events(events(), files, options, report, CODES_2019, cores_per_unit)


def _convert_events(
    events: Iterator[_Event],
    files: list[Path],
    options: ConvertOptions,
    report: ConversionReport,
    codes: _Codes,
    cores_per_unit: float,
) -> Iterator[Task]:
    if not cores_per_unit > 0:
        raise ValueError(f"cores_per_unit {cores_per_unit!r} must be > 0")
    grouped = ExternalSorter(options.run_size)
    resolved = ExternalSorter(options.run_size)
    try:
        for event in events:
            grouped.add(event)
        for (job, index), task_events in groupby(grouped.sorted(), key=itemgetter(0, 1)):
            report.tasks_seen += 1
            listed = list(task_events)
            outcome = _task_from_events(listed, codes, options, cores_per_unit)
            if isinstance(outcome, str):
                first = listed[0]
                report.tasks_skipped.add(outcome, f"{files[first[3]]}:{first[4]}: job {job} task {index}")
                continue
            arrival_s, cycles, duration_s = outcome
            resolved.add(record(arrival_s, 0, str(job), f"{job}:{index}", cycles, duration_s))
        yield from finalize(resolved, options, report)
    finally:
        grouped.close()
        resolved.close()


def _task_from_events(
    events: list[_Event], codes: _Codes, options: ConvertOptions, cores_per_unit: float
) -> tuple[float, int, float] | str:
    """(trace arrival s, cycles, run time s) of one task's events (sorted by time, then file order), or the
    reason it is skipped."""
    submit_us: int | None = None
    schedule_us: int | None = None
    schedule_cpu: float | None = None
    last_cpu: float | None = None
    run: tuple[int, int, float | None] | None = None
    last_type = events[0][5]
    for _, _, time_us, _, _, event_type, cpu in events:
        last_type = event_type
        if cpu is not None:
            last_cpu = cpu
        if event_type == codes.submit:
            if submit_us is None:
                submit_us = time_us
        elif event_type == codes.schedule:
            schedule_us = time_us
            schedule_cpu = cpu
        elif event_type == codes.finish and schedule_us is not None:
            run = (schedule_us, time_us, schedule_cpu if schedule_cpu is not None else last_cpu)
    if submit_us is None:
        return "no SUBMIT event"
    if submit_us == 0:
        return "submitted before the trace window (timestamp 0)"
    if run is None:
        return f"no FINISH after a SCHEDULE (last event {codes.names[last_type]})"
    start_us, finish_us, cpu = run
    if finish_us == AFTER_WINDOW_US:
        return "finished after the trace window"
    arrival_s = submit_us / 1e6
    if not options.in_window(arrival_s):
        return "outside the time window"
    duration_s = (finish_us - start_us) / 1e6
    if duration_s <= 0:
        return "non-positive duration"
    if cpu is None:
        return "missing CPU request"
    if cpu <= 0:
        return "non-positive CPU request"
    work = work_cycles(cpu * cores_per_unit, duration_s, options.ref_hz)
    if isinstance(work, str):
        return work
    return arrival_s, work, duration_s
