"""File plumbing: plain or gzip input recognised by content, CSV rows with line numbers, atomic output.

Compression is recognised by the gzip magic bytes, not by the file name, so a renamed file still reads.
Decoding, decompression and CSV errors become :class:`~workloads.errors.WorkloadError` naming the file and
the line reached, so a truncated download reads as such instead of as a Python traceback.
"""

from __future__ import annotations

import contextlib
import csv
import gzip
import io
import os
import tempfile
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from workloads.errors import WorkloadError

GZIP_MAGIC = b"\x1f\x8b"


def is_gzip(path: str | os.PathLike[str]) -> bool:
    """Whether the file starts with the gzip magic bytes."""
    with open(path, "rb") as f:
        return f.read(2) == GZIP_MAGIC


def open_text(path: str | os.PathLike[str]) -> IO[str]:
    """Open a UTF-8 text file for reading, decompressing it on the fly when it is gzip-compressed.

    Raises WorkloadError when the file does not exist or is not a regular file.
    """
    p = Path(path)
    if not p.exists():
        raise WorkloadError("no such file", path=p, reason="missing file")
    if not p.is_file():
        raise WorkloadError("not a regular file", path=p, reason="missing file")
    if is_gzip(p):
        return io.TextIOWrapper(gzip.open(p, "rb"), encoding="utf-8", newline="")
    return open(p, encoding="utf-8", newline="")


def wrap_read_error(error: Exception, path: str | os.PathLike[str], line: int) -> WorkloadError:
    """Turn a decoding, decompression or CSV error met after ``line`` into a WorkloadError at ``line + 1``."""
    if isinstance(error, UnicodeDecodeError):
        problem = f"not UTF-8 text ({error.reason} at byte {error.start} of the chunk)"
    elif isinstance(error, EOFError):
        problem = "the gzip stream ends early (truncated file?)"
    elif isinstance(error, (gzip.BadGzipFile, zlib.error)):
        problem = f"corrupt gzip data ({error})"
    else:
        problem = f"unreadable CSV ({error})"
    return WorkloadError(problem, path=path, line=line + 1, reason="unreadable input")


def csv_rows(path: str | os.PathLike[str]) -> Iterator[tuple[int, list[str]]]:
    """Yield (line number, fields) for every CSV record of a plain or gzip file, streaming.

    The line number is the physical line on which the record ends (1-based), as a text editor shows it.
    """
    with open_text(path) as f:
        reader = csv.reader(f, strict=True)
        line = 0
        try:
            for row in reader:
                line = reader.line_num
                yield line, row
        except (UnicodeDecodeError, EOFError, gzip.BadGzipFile, zlib.error, csv.Error) as e:
            raise wrap_read_error(e, path, line) from e


@contextlib.contextmanager
def atomic_output(path: str | os.PathLike[str], *, compress: bool | None = None) -> Iterator[IO[str]]:
    """Write a text file atomically: into a temporary file beside it, renamed into place on success.

    A failure (including a validation error raised by the caller) leaves no partial file behind.
    ``compress`` defaults to whether the name ends in ``.gz``; the gzip header carries no file name and
    a zero timestamp, so equal content gives equal bytes (level 6: level 9 costs far more time for little).
    """
    target = Path(path)
    if compress is None:
        compress = target.name.endswith(".gz")
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as raw:
            if compress:
                with (
                    gzip.GzipFile(filename="", mode="wb", fileobj=raw, compresslevel=6, mtime=0) as gz,
                    io.TextIOWrapper(gz, encoding="utf-8", newline="\n") as text,
                ):
                    yield text
            else:
                with io.TextIOWrapper(raw, encoding="utf-8", newline="\n") as text:
                    yield text
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
