"""Helpers shared by the workload tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from workloads import WorkloadError
from workloads.format import HEADER_LINE, UNITS_LINE, VERSION_LINE


def workload_text(*rows: str, comments: tuple[str, ...] = ()) -> str:
    """A workload file's text: the header, comment lines, then ``rows``."""
    lines = [VERSION_LINE, UNITS_LINE, *(f"# {c}" for c in comments), HEADER_LINE, *rows]
    return "\n".join(lines) + "\n"


def write(path: Path, text: str) -> Path:
    """Write ``text`` to ``path`` and return the path."""
    path.write_text(text, encoding="utf-8", newline="")
    return path


def assert_error(
    error: pytest.ExceptionInfo[WorkloadError], path: Path, line: int, column: str | None
) -> None:
    """The error names the file, the line and (when given) the column, in its attributes and its message."""
    e = error.value
    assert e.path == str(path)
    assert e.line == line
    assert str(e).startswith(f"{path}:{line}: ")
    if column is not None:
        assert e.column is not None and column in e.column
        assert f"column {e.column}" in str(e)
