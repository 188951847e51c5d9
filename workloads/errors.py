"""Errors and skip accounting shared by every reader and writer of the package.

Every bad input raises :class:`WorkloadError` naming the file, the line and the column. Readers that run in
lenient mode do not raise for a malformed row: they count it in a :class:`SkipCounter` under a short,
stable reason and keep the first example of each reason, so that nothing is dropped without a trace.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from os import PathLike

EXCERPT_CHARS = 160
"""Longest quoted value that messages show whole; longer ones are cut (see :func:`excerpt`)."""


def excerpt(value: object) -> str:
    """``repr(value)`` for a message: whole when short, else its start and end with its length between, so
    that a message about a megabyte-long field stays readable."""
    text = repr(value)
    if len(text) <= EXCERPT_CHARS:
        return text
    return f"{text[:100]}... ({len(text)} characters in all) ...{text[-20:]}"


class WorkloadError(ValueError):
    """A bad input found in a file: says what was wrong and where (file, 1-based line, column).

    ``reason`` is a short category ("wrong column count", "not a number", ...) under which lenient readers
    count the row instead of raising.
    """

    def __init__(
        self,
        message: str,
        *,
        path: str | PathLike[str] | None = None,
        line: int | None = None,
        column: str | None = None,
        reason: str = "malformed row",
    ) -> None:
        self.message = message
        self.path = None if path is None else str(path)
        self.line = line
        self.column = column
        self.reason = reason
        super().__init__(self.location() + message)

    def location(self) -> str:
        """The ``file:line: column C: `` prefix of the message (parts that are unknown are left out)."""
        where = ""
        if self.path is not None:
            where = self.path if self.line is None else f"{self.path}:{self.line}"
            where += ": "
        elif self.line is not None:
            where = f"line {self.line}: "
        if self.column is not None:
            where += f"column {self.column}: "
        return where

    def at(
        self, *, path: str | PathLike[str] | None = None, line: int | None = None, column: str | None = None
    ) -> WorkloadError:
        """A copy with the location parts that this error lacks filled in."""
        return WorkloadError(
            self.message,
            path=self.path if self.path is not None else path,
            line=self.line if self.line is not None else line,
            column=self.column if self.column is not None else column,
            reason=self.reason,
        )


class OptionError(ValueError):
    """A bad option value (a distribution spec, a source rule, a window): names the option and the value."""

    def __init__(self, option: str, value: object, problem: str) -> None:
        self.option = option
        self.value = value
        super().__init__(f"{option} {value!r}: {problem}")


class FetchError(RuntimeError):
    """A download failed: HTTP error, unknown trace name, or a checksum that does not match."""


@dataclass
class SkipCounter:
    """Counts of skipped rows or tasks by reason, with the first example (location and message) of each."""

    counts: Counter[str] = field(default_factory=Counter)
    examples: dict[str, str] = field(default_factory=dict)

    def add(self, reason: str, example: str, n: int = 1) -> None:
        """Count ``n`` items under ``reason``; ``example`` says where the first one was and why."""
        self.counts[reason] += n
        self.examples.setdefault(reason, example)

    def add_error(self, error: WorkloadError) -> None:
        """Count one row rejected by ``error`` under the error's reason."""
        self.add(error.reason, str(error))

    def total(self) -> int:
        """How many items were counted under all reasons together."""
        return sum(self.counts.values())

    def __bool__(self) -> bool:
        return self.total() > 0

    def items(self) -> list[tuple[str, int, str]]:
        """(reason, count, first example) triples, largest count first, ties by reason."""
        return [
            (r, n, self.examples[r]) for r, n in sorted(self.counts.items(), key=lambda rn: (-rn[1], rn[0]))
        ]
