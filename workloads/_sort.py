"""External merge sort of tuples, so that conversions run in memory bounded by a run size, not the trace.

Items are kept in memory up to ``run_size``; beyond that each full run is sorted and spilled to a temporary
file (pickled in blocks; the files never leave this process), and the sorted stream is a k-way merge of
the runs. When there are more than ``fan_in`` runs they are merged in passes first, so that at most
``fan_in`` blocks are in memory at once. Items are plain tuples of str, int, float and nested tuples,
compared with ``<``; callers make every item's leading fields unique so that the order is total and the
result deterministic.
"""

from __future__ import annotations

import heapq
import pickle
import shutil
import tempfile
from collections.abc import Generator, Iterable, Iterator
from pathlib import Path
from typing import Any, BinaryIO

_BLOCK = 2048


def _write_run(items: Iterable[tuple[Any, ...]], f: BinaryIO) -> None:
    block: list[tuple[Any, ...]] = []
    for item in items:
        block.append(item)
        if len(block) == _BLOCK:
            pickle.dump(block, f, protocol=pickle.HIGHEST_PROTOCOL)
            block = []
    if block:
        pickle.dump(block, f, protocol=pickle.HIGHEST_PROTOCOL)


def _read_run(path: Path) -> Iterator[tuple[Any, ...]]:
    with open(path, "rb") as f:
        while True:
            try:
                block = pickle.load(f)
            except EOFError:
                return
            yield from block


class ExternalSorter:
    """Collect tuples with :meth:`add`, then iterate them sorted with :meth:`sorted` (once)."""

    def __init__(self, run_size: int = 200_000, fan_in: int = 64) -> None:
        if run_size < 1 or fan_in < 2:
            raise ValueError("run_size must be >= 1 and fan_in >= 2")
        self.run_size = run_size
        self.fan_in = fan_in
        self._buffer: list[tuple[Any, ...]] = []
        self._runs: list[Path] = []
        self._dir: Path | None = None
        self._count = 0

    def __len__(self) -> int:
        return self._count

    @property
    def spilled_runs(self) -> int:
        """How many runs went to disk (0 when everything fitted in one run)."""
        return len(self._runs)

    def add(self, item: tuple[Any, ...]) -> None:
        """Add one item."""
        self._buffer.append(item)
        self._count += 1
        if len(self._buffer) >= self.run_size:
            self._spill()

    def _new_run(self) -> Path:
        if self._dir is None:
            self._dir = Path(tempfile.mkdtemp(prefix="workloads-sort-"))
        path = self._dir / f"run-{len(self._runs):06d}.bin"
        self._runs.append(path)
        return path

    def _spill(self) -> None:
        self._buffer.sort()
        with open(self._new_run(), "wb") as f:
            _write_run(self._buffer, f)
        self._buffer = []

    def sorted(self) -> Generator[tuple[Any, ...], None, None]:
        """All items in ascending order; temporary files are removed when the iteration ends or is closed."""
        try:
            if not self._runs:
                self._buffer.sort()
                items, self._buffer = self._buffer, []
                yield from items
                return
            if self._buffer:
                self._spill()
            runs = list(self._runs)
            while len(runs) > self.fan_in:
                merged: list[Path] = []
                for start in range(0, len(runs), self.fan_in):
                    group = runs[start : start + self.fan_in]
                    path = self._new_run()
                    with open(path, "wb") as f:
                        _write_run(heapq.merge(*(_read_run(p) for p in group)), f)
                    for p in group:
                        p.unlink()
                    merged.append(path)
                runs = merged
            yield from heapq.merge(*(_read_run(p) for p in runs))
        finally:
            self.close()

    def close(self) -> None:
        """Remove the temporary files (also done when :meth:`sorted` finishes)."""
        self._buffer = []
        if self._dir is not None:
            shutil.rmtree(self._dir, ignore_errors=True)
            self._dir = None
        self._runs = []

    def __enter__(self) -> ExternalSorter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
