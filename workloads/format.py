"""The workload file format, version 1: the tasks a simulation replays, one CSV line per task.

This docstring is the specification; the Java replayer and every writer follow it.

File
----
UTF-8 text (in practice ASCII), optionally gzip-compressed. Readers recognise compression by the gzip magic
bytes ``1f 8b``, not by the name; :func:`write_workload` compresses when the name ends in ``.gz`` and writes
a gzip header with no file name and a zero timestamp, so the same tasks always give the same bytes. Lines
end in LF (readers also accept CRLF); writers end the last line with one too (readers accept a last line
without). There are no blank lines.

Header
------
Line 1 and line 2 are exactly::

    # pygym-workload 1
    # units: arrival_s=s cycles=cycle input_bytes=byte output_bytes=byte deadline_s=s

A reader rejects a file whose line 1 names another version. Then come zero or more comment lines, each
starting with ``#``, holding provenance (generator, trace, options, seed); readers ignore their content.
Then the column header line, exactly::

    arrival_s,source,task_id,cycles,input_bytes,output_bytes,deadline_s,depends_on

Then one line per task, each with exactly 8 comma-separated fields in that order. No field is quoted and no
field can contain a comma, a quote or a line break, so a line is split on commas and nothing else.

Columns
-------
=============  ==========================================================================================
arrival_s      Seconds from the start of the workload at which the task appears at its source.
               Grammar ``[0-9]+(\\.[0-9]+)?`` (no sign, no exponent); writers print exactly 6 decimals
               (microseconds), e.g. ``12.500000``.
source         The node that generates the task and receives its result: a node name of the topology it
               is replayed on (``node_3``, ``rpi3_0``). Grammar ``[A-Za-z_][A-Za-z0-9_.-]{0,127}``. The
               file does not know the topology; the simulator rejects, naming the line, a source for which
               it has no node.
task_id        Unique within the file. Grammar ``[A-Za-z0-9_.:/+=@-]{1,255}``. Trace converters build it
               from the trace (``j_12:M2_1`` for Alibaba job ``j_12`` task ``M2_1``).
cycles         CPU work in cycles. Integer, grammar ``[0-9]+``, at least 1 and at most 2^63 - 1 (a Java
               ``long``).
input_bytes    Bytes the source must send for the task to run on another node. Integer, ``[0-9]+``,
               at most 2^63 - 1; 0 allowed.
output_bytes   Bytes of result returned to the source. Integer as ``input_bytes``.
deadline_s     Absolute time (same axis as ``arrival_s``) by which the result must be back at the source;
               at least ``arrival_s``. Same grammar and printing as ``arrival_s``. Empty: no deadline.
depends_on     Task ids separated by ``;`` (no spaces); empty when the task has none. Each id names a task
               on an **earlier line** of the same file; no id appears twice in one list; a task never
               lists itself. Because references point backwards only, dependencies cannot form a cycle,
               and a replayer reading top to bottom always knows every task a line refers to.
=============  ==========================================================================================

Order
-----
Lines are sorted by ``arrival_s``, non-decreasing. Lines with equal ``arrival_s`` stay in file order, and
the replayer processes them in file order (ties are **not** re-sorted by ``task_id``). Since a dependency
is on an earlier line, its ``arrival_s`` is never later than its dependant's. This package's trace
converters break ties by dependency depth, then job, then task id; its synthetic generator by source, then
each source's count. Both are deterministic.

Meaning for the replayer
------------------------
A task arrives at ``source`` at ``arrival_s``. It may start (locally or after being offloaded) once it has
arrived and every task in ``depends_on`` has completed, wherever those ran; dependencies may cross sources.
A dependency that is dropped (queue full, deadline) leaves its dependants unable to run; the simulator
drops them too and says so. Version 1 carries no per-edge data volume: a dependant's transfer is its own
``input_bytes``.

Validation
----------
:func:`read_workload` and :func:`write_workload` enforce everything above and raise
:class:`~workloads.errors.WorkloadError` naming the file, the line and the column (for example
``w.csv:7: column 4 (cycles): '12.5' is not a non-negative integer``); lines are the 1-based physical lines
of the decompressed text, columns are numbered from 1 and named. Reading with ``lenient=True`` skips a bad
line instead, counts it by reason, and also skips lines that depend on a skipped or unknown task.
"""

from __future__ import annotations

import math
import operator
import os
import re
import zlib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

from workloads._io import atomic_output, open_text, wrap_read_error
from workloads.errors import SkipCounter, WorkloadError, excerpt

FORMAT_VERSION = 1
MAGIC_PREFIX = "# pygym-workload "
VERSION_LINE = f"{MAGIC_PREFIX}{FORMAT_VERSION}"
UNITS_LINE = "# units: arrival_s=s cycles=cycle input_bytes=byte output_bytes=byte deadline_s=s"
COLUMNS = (
    "arrival_s",
    "source",
    "task_id",
    "cycles",
    "input_bytes",
    "output_bytes",
    "deadline_s",
    "depends_on",
)
HEADER_LINE = ",".join(COLUMNS)
MAX_INT64 = 2**63 - 1
TIME_DECIMALS = 6
TASK_ID_RE = re.compile(r"[A-Za-z0-9_.:/+=@-]{1,255}")
SOURCE_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]{0,127}")
_COLUMN_LABEL = {name: f"{i} ({name})" for i, name in enumerate(COLUMNS, start=1)}


class Task(NamedTuple):
    """One task of a workload; the fields are the file's columns, in order, with their units in the names."""

    arrival_s: float
    """Seconds from the start of the workload at which the task appears at its source."""
    source: str
    """Name of the node that generates the task and receives its result."""
    task_id: str
    """Identifier, unique within the workload."""
    cycles: int
    """CPU work in cycles (at least 1)."""
    input_bytes: int
    """Bytes sent when the task runs on another node."""
    output_bytes: int
    """Bytes of result returned to the source."""
    deadline_s: float | None
    """Absolute deadline in seconds on the arrival axis, or None for no deadline."""
    depends_on: tuple[str, ...] = ()
    """Ids of tasks (listed earlier) that must complete before this one may start."""


@dataclass(frozen=True)
class Workload:
    """A validated workload file loaded into memory: its tasks in file order and its comment lines."""

    path: Path
    tasks: tuple[Task, ...]
    comments: tuple[str, ...]

    def __len__(self) -> int:
        return len(self.tasks)


def column_label(name: str) -> str:
    """How errors name a column of the format: its 1-based position and its name, e.g. ``4 (cycles)``."""
    return _COLUMN_LABEL[name]


def quantize_s(value: float) -> float:
    """The value a time takes once written with six decimals (what a reader gets back)."""
    return float(f"{value:.{TIME_DECIMALS}f}") + 0.0


def format_time(value: float) -> str:
    """A time as the format writes it: six decimals, no exponent, no negative zero."""
    return f"{value + 0.0:.{TIME_DECIMALS}f}"


def _bad(column: str, message: str, reason: str) -> WorkloadError:
    return WorkloadError(message, column=column_label(column), reason=reason)


def _parse_time(text: str, column: str) -> float:
    whole, dot, frac = text.partition(".")
    if not (whole.isascii() and whole.isdigit() and (not dot or (frac.isascii() and frac.isdigit()))):
        raise _bad(
            column, f"{excerpt(text)} is not a plain non-negative decimal number of seconds", "not a number"
        )
    return float(text)


def _parse_int(text: str, column: str) -> int:
    if not (text.isascii() and text.isdigit()):
        raise _bad(column, f"{excerpt(text)} is not a non-negative integer", "not a number")
    value = int(text)
    if value > MAX_INT64:
        raise _bad(column, f"{excerpt(text)} exceeds 2^63 - 1", "out of range")
    return value


def _parse_ids(text: str) -> tuple[str, ...]:
    if not text:
        return ()
    return tuple(text.split(";"))


def validate_task(task: Task) -> Task:
    """Check one task's values against the format (everything but order and references).

    Returns the task with times quantized to what a reader will get back and integers as plain ints.
    Raises WorkloadError naming the column.
    """
    arrival = _check_time(task.arrival_s, "arrival_s")
    deadline = None if task.deadline_s is None else _check_time(task.deadline_s, "deadline_s")
    if not isinstance(task.source, str) or not SOURCE_RE.fullmatch(task.source):
        raise _bad(
            "source", f"{excerpt(task.source)} is not a node name ([A-Za-z_][A-Za-z0-9_.-]*)", "bad name"
        )
    if not isinstance(task.task_id, str) or not TASK_ID_RE.fullmatch(task.task_id):
        raise _bad(
            "task_id",
            f"{excerpt(task.task_id)} is not a task id (1-255 of A-Z a-z 0-9 _ . : / + = @ -)",
            "bad name",
        )
    cycles = _check_int(task.cycles, "cycles")
    if cycles < 1:
        raise _bad("cycles", f"{cycles} cycles: a task needs at least 1 cycle of work", "out of range")
    input_bytes = _check_int(task.input_bytes, "input_bytes")
    output_bytes = _check_int(task.output_bytes, "output_bytes")
    if deadline is not None and deadline < arrival:
        raise _bad(
            "deadline_s",
            f"deadline {format_time(deadline)} s is before the arrival {format_time(arrival)} s",
            "deadline before arrival",
        )
    deps = tuple(task.depends_on)
    for dep in deps:
        if not isinstance(dep, str) or not TASK_ID_RE.fullmatch(dep):
            raise _bad("depends_on", f"{excerpt(dep)} is not a task id", "bad name")
    if len(set(deps)) != len(deps):
        raise _bad(
            "depends_on", f"a task id is listed twice in {excerpt(';'.join(deps))}", "duplicate dependency"
        )
    if task.task_id in deps:
        raise _bad("depends_on", f"task {task.task_id!r} depends on itself", "dependency cycle")
    return Task(arrival, task.source, task.task_id, cycles, input_bytes, output_bytes, deadline, deps)


def _check_time(value: object, column: str) -> float:
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise _bad(column, f"{excerpt(value)} is not a number of seconds", "not a number") from None
    if not math.isfinite(number) or number < 0:
        raise _bad(column, f"{number!r} s: times must be finite and non-negative", "out of range")
    return quantize_s(number)


def _check_int(value: object, column: str) -> int:
    if isinstance(value, bool):
        raise _bad(column, f"{excerpt(value)} is not an integer", "not a number")
    try:
        number = operator.index(value)  # type: ignore[arg-type]
    except TypeError:
        raise _bad(column, f"{excerpt(value)} is not an integer", "not a number") from None
    if number < 0 or number > MAX_INT64:
        raise _bad(column, f"{excerpt(number)} is outside 0 .. 2^63 - 1", "out of range")
    return int(number)


def parse_task_line(line: str) -> Task:
    """Parse one data line (without its line break) into a validated Task; raises WorkloadError."""
    fields = line.split(",")
    if len(fields) != len(COLUMNS):
        raise WorkloadError(
            f"{len(fields)} fields, expected {len(COLUMNS)} ({HEADER_LINE})", reason="wrong column count"
        )
    arrival_s, source, task_id, cycles, input_bytes, output_bytes, deadline_s, depends_on = fields
    task = Task(
        _parse_time(arrival_s, "arrival_s"),
        source,
        task_id,
        _parse_int(cycles, "cycles"),
        _parse_int(input_bytes, "input_bytes"),
        _parse_int(output_bytes, "output_bytes"),
        _parse_time(deadline_s, "deadline_s") if deadline_s else None,
        _parse_ids(depends_on),
    )
    return validate_task(task)


def format_task_line(task: Task) -> str:
    """One data line (with its LF) for a task that :func:`validate_task` accepted."""
    deadline = "" if task.deadline_s is None else format_time(task.deadline_s)
    return (
        f"{format_time(task.arrival_s)},{task.source},{task.task_id},{task.cycles},"
        f"{task.input_bytes},{task.output_bytes},{deadline},{';'.join(task.depends_on)}\n"
    )


class _OrderCheck:
    """Checks arrival order, id uniqueness and backward references line by line."""

    def __init__(self, check_references: bool) -> None:
        self.check_references = check_references
        self.seen: set[str] = set()
        self.last_arrival_s = 0.0

    def check(self, task: Task) -> None:
        if task.arrival_s < self.last_arrival_s:
            raise _bad(
                "arrival_s",
                f"{format_time(task.arrival_s)} s is earlier than the previous line's "
                f"{format_time(self.last_arrival_s)} s; lines must be sorted by arrival_s",
                "not sorted by arrival",
            )
        if self.check_references:
            if task.task_id in self.seen:
                raise _bad(
                    "task_id", f"task id {task.task_id!r} appears on an earlier line", "duplicate task id"
                )
            for dep in task.depends_on:
                if dep not in self.seen:
                    raise _bad(
                        "depends_on",
                        f"{dep!r} is not the task id of an earlier line "
                        "(dependencies must refer to tasks listed before)",
                        "unknown dependency",
                    )

    def accept(self, task: Task) -> None:
        self.last_arrival_s = task.arrival_s
        if self.check_references:
            self.seen.add(task.task_id)


def _read_header(lines: Iterator[str], path: Path) -> tuple[list[str], int]:
    """Consume the header; return the comment lines and the number of the column-header line."""
    first = next(lines, None)
    if first is None:
        raise WorkloadError("empty file; expected a workload file", path=path, line=1, reason="bad header")
    first = first.rstrip("\r\n")
    if first != VERSION_LINE:
        if first.startswith(MAGIC_PREFIX):
            raise WorkloadError(
                f"unsupported format version {first[len(MAGIC_PREFIX) :]!r}; this reader knows version "
                f"{FORMAT_VERSION}",
                path=path,
                line=1,
                reason="bad header",
            )
        raise WorkloadError(
            f"not a workload file: line 1 is {first[:60]!r}, expected {VERSION_LINE!r}",
            path=path,
            line=1,
            reason="bad header",
        )
    second = (next(lines, None) or "").rstrip("\r\n")
    if second != UNITS_LINE:
        raise WorkloadError(f"expected the units line {UNITS_LINE!r}", path=path, line=2, reason="bad header")
    comments: list[str] = []
    number = 2
    for raw in lines:
        number += 1
        text = raw.rstrip("\r\n")
        if text.startswith("#"):
            comments.append(text[1:].removeprefix(" "))
            continue
        if text != HEADER_LINE:
            raise WorkloadError(
                f"expected the column header {HEADER_LINE!r}, got {text[:80]!r}",
                path=path,
                line=number,
                reason="bad header",
            )
        return comments, number
    raise WorkloadError(
        "the file ends before the column header line", path=path, line=number + 1, reason="bad header"
    )


def read_comments(path: str | os.PathLike[str]) -> list[str]:
    """The comment lines of a workload file's header (without their leading ``# ``), after checking it."""
    p = Path(path)
    with open_text(p) as f:
        try:
            comments, _ = _read_header(iter(f), p)
        except (UnicodeDecodeError, EOFError, OSError, zlib.error) as e:
            raise wrap_read_error(e, p, 0) from e
    return comments


def read_workload(
    path: str | os.PathLike[str],
    *,
    lenient: bool = False,
    skipped: SkipCounter | None = None,
    check_references: bool = True,
) -> Iterator[Task]:
    """Stream the tasks of a workload file in file order, validating every line as it is read.

    Strict by default: the first bad line raises WorkloadError with the file, line and column. With
    ``lenient=True`` a bad line is skipped and counted in ``skipped`` by reason (lines that depend on a
    skipped task are skipped too). ``check_references`` (on by default) checks id uniqueness and backward
    references; it keeps the set of ids seen, the only state that grows with the file.
    """
    p = Path(path)
    if lenient and skipped is None:
        raise ValueError("lenient reading needs a SkipCounter to count skipped lines in")
    order = _OrderCheck(check_references)
    number = 0
    with open_text(p) as f:
        lines = iter(f)
        try:
            _, number = _read_header(lines, p)
            for raw in lines:
                number += 1
                line = raw.rstrip("\r\n")
                try:
                    if not line:
                        raise WorkloadError("blank line", reason="blank line")
                    task = parse_task_line(line)
                    order.check(task)
                except WorkloadError as e:
                    error = e.at(path=p, line=number)
                    if not lenient:
                        raise error from None
                    assert skipped is not None
                    skipped.add_error(error)
                    continue
                order.accept(task)
                yield task
        except (UnicodeDecodeError, EOFError, OSError, zlib.error) as e:
            raise wrap_read_error(e, p, number) from e


def load_workload(path: str | os.PathLike[str]) -> Workload:
    """Read and fully validate a workload file into memory (strict: the first bad line raises)."""
    p = Path(path)
    comments = read_comments(p)
    return Workload(path=p, tasks=tuple(read_workload(p)), comments=tuple(comments))


def write_workload(
    path: str | os.PathLike[str],
    tasks: Iterable[Task],
    *,
    comments: Sequence[str] = (),
    check_references: bool = True,
) -> int:
    """Write tasks (already in arrival order) as a workload file; return the number of tasks written.

    Every task is validated as it is written; a bad task raises WorkloadError naming the output file, the
    line it would have had and the column, and no file is left behind. Times are written with six decimals.
    ``comments`` become ``# `` lines of the header (no line breaks allowed). ``check_references`` keeps the
    set of ids written to check uniqueness and backward references; writers that guarantee both by
    construction may turn it off to write in constant memory.
    """
    p = Path(path)
    for comment in comments:
        if "\n" in comment or "\r" in comment:
            raise ValueError(f"a header comment cannot contain a line break: {comment!r}")
    order = _OrderCheck(check_references)
    with atomic_output(p) as out:
        out.write(f"{VERSION_LINE}\n{UNITS_LINE}\n")
        for comment in comments:
            out.write(f"# {comment}\n")
        out.write(HEADER_LINE + "\n")
        number = 3 + len(comments)
        written = 0
        for task in tasks:
            number += 1
            try:
                checked = validate_task(task)
                order.check(checked)
            except WorkloadError as e:
                raise e.at(path=p, line=number) from None
            order.accept(checked)
            out.write(format_task_line(checked))
            written += 1
    return written
