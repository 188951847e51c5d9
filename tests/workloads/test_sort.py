"""The external sort behind conversions: same order as sorted(), spills and merge passes, no files left."""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np

from workloads._sort import ExternalSorter


def _sort_dirs() -> set[Path]:
    return set(Path(tempfile.gettempdir()).glob("workloads-sort-*"))


def test_spilled_runs_and_merge_passes_give_sorted_order() -> None:
    rng = np.random.default_rng(0)
    items = [
        (float(t), int(d), f"j{j}", f"t{i}") for i, (t, d, j) in enumerate(rng.integers(0, 50, (5000, 3)))
    ]
    before = _sort_dirs()
    sorter = ExternalSorter(run_size=97, fan_in=4)
    for item in items:
        sorter.add(item)
    assert len(sorter) == 5000
    assert sorter.spilled_runs == 5000 // 97
    out = list(sorter.sorted())
    assert out == sorted(items)
    assert _sort_dirs() == before


def test_small_inputs_stay_in_memory_and_early_close_cleans_up() -> None:
    sorter = ExternalSorter(run_size=10)
    for i in (3, 1, 2):
        sorter.add((i,))
    assert list(sorter.sorted()) == [(1,), (2,), (3,)] and sorter.spilled_runs == 0
    before = _sort_dirs()
    big = ExternalSorter(run_size=10)
    for i in range(100, 0, -1):
        big.add((i, "x"))
    assert len(_sort_dirs() - before) == 1
    stream = big.sorted()
    assert next(stream) == (1, "x")
    stream.close()
    assert _sort_dirs() == before
