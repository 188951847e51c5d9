"""Azure Functions 2019 and 2021 readers: arrivals, durations, seeds, skip counts and bad rows."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest

from tests.workloads.helpers import assert_error
from workloads import ConversionReport, ConvertOptions, Task, WorkloadError
from workloads.samples import sample_paths
from workloads.traces import read_trace

INVOCATIONS, DURATIONS = sample_paths("azure-2019")
(SAMPLE_2021,) = sample_paths("azure-2021")
OPTIONS = ConvertOptions(ref_hz=1e9, deadline_slack=2.0)


def _convert_2019(
    spread: str = "uniform",
    options: ConvertOptions = OPTIONS,
    invocations: Path = INVOCATIONS,
    durations: Path = DURATIONS,
) -> tuple[list[Task], ConversionReport]:
    report = ConversionReport("azure-2019", ())
    tasks = list(read_trace("azure-2019", invocations, options, report, durations=durations, spread=spread))
    return tasks, report


def _raw_counts() -> tuple[int, int]:
    """(invocations in the sample, invocations of functions without a durations row), read independently."""
    with DURATIONS.open() as f:
        known = {(r["HashOwner"], r["HashApp"], r["HashFunction"]) for r in csv.DictReader(f)}
    total = orphan = 0
    with INVOCATIONS.open() as f:
        for row in csv.DictReader(f):
            count = sum(int(row[str(m)]) for m in range(1, 1441))
            total += count
            if (row["HashOwner"], row["HashApp"], row["HashFunction"]) not in known:
                orphan += count
    return total, orphan


def test_2019_even_spread_places_the_landmark_function_exactly() -> None:
    tasks, report = _convert_2019("even")
    landmark = [t for t in tasks if t.task_id.startswith("fn2:")]
    assert [(t.task_id, t.arrival_s) for t in landmark] == [
        ("fn2:0", 0.0),
        ("fn2:1", 20.0),
        ("fn2:2", 40.0),
        ("fn2:3", 140.0),
    ]
    for task in landmark:
        assert task.cycles == 100_000_000  # every percentile of the landmark is 100 ms
        assert task.deadline_s == pytest.approx(task.arrival_s + 0.2, abs=1e-6)
    assert report.balanced()


def test_2019_uniform_spread_keeps_every_count_and_accounts_for_orphans() -> None:
    tasks, report = _convert_2019("uniform")
    total, orphan = _raw_counts()
    assert report.tasks_seen == total == 2292
    assert report.tasks_skipped.counts == {"function has no duration percentiles": orphan}
    assert orphan > 0
    assert len(tasks) == report.tasks_written == total - orphan
    assert report.rows_read == 30 + 28
    landmark = {t.task_id: t.arrival_s for t in tasks if t.task_id.startswith("fn2:")}
    assert 60 < landmark["fn2:3"] - landmark["fn2:0"] < 180
    assert landmark["fn2:2"] - landmark["fn2:0"] < 60
    assert f"invocations in the trace: {total}; drawn with spread=uniform" in report.notes


def test_2019_durations_follow_the_percentile_table() -> None:
    tasks, _ = _convert_2019("uniform")
    with DURATIONS.open() as f:
        rows = list(csv.DictReader(f))
    table = {
        r["HashFunction"]: [float(r[f"percentile_Average_{p}"]) for p in (0, 1, 25, 50, 75, 99, 100)]
        for r in rows
    }
    with INVOCATIONS.open() as f:
        line_of = {row["HashFunction"]: i + 2 for i, row in enumerate(csv.DictReader(f))}
    checked = 0
    for function, pct in table.items():
        ms = np.array([t.cycles / 1e6 for t in tasks if t.task_id.startswith(f"fn{line_of[function]}:")])
        assert ((ms >= pct[0] - 1e-6) & (ms <= pct[-1] + 1e-6)).all()
        checked += len(ms)
    assert checked == len(tasks)
    busiest = max(table, key=lambda fn: sum(t.task_id.startswith(f"fn{line_of[fn]}:") for t in tasks))
    ms = np.array([t.cycles / 1e6 for t in tasks if t.task_id.startswith(f"fn{line_of[busiest]}:")])
    assert len(ms) > 100
    assert np.median(ms) == pytest.approx(table[busiest][3], rel=0.25)


def test_2019_seeds_reproduce_and_differ() -> None:
    first, _ = _convert_2019("uniform", ConvertOptions(ref_hz=1e9, seed=5))
    again, _ = _convert_2019("uniform", ConvertOptions(ref_hz=1e9, seed=5))
    other, _ = _convert_2019("uniform", ConvertOptions(ref_hz=1e9, seed=6))
    assert first == again
    assert len(first) == len(other)
    assert [t.arrival_s for t in first] != [t.arrival_s for t in other]


def test_2019_poisson_spread_draws_counts_and_says_so() -> None:
    tasks, report = _convert_2019("poisson")
    total, _ = _raw_counts()
    assert report.tasks_seen != total
    assert abs(report.tasks_seen - total) < 5 * total**0.5
    assert report.balanced() and len(tasks) == report.tasks_written
    assert f"invocations in the trace: {total}; drawn with spread=poisson" in report.notes


def test_2019_bad_rows(tmp_path: Path) -> None:
    lines = INVOCATIONS.read_text().splitlines()
    cells = lines[2].split(",")
    cells[4 + 9] = "2.5"
    bad = tmp_path / "inv.csv"
    bad.write_text("\n".join([lines[0], lines[1], ",".join(cells), *lines[3:]]) + "\n")
    with pytest.raises(WorkloadError, match=r"'2\.5' is not a count") as error:
        _convert_2019(invocations=bad)
    assert_error(error, bad, 3, "14 (minute 10)")
    tasks, report = _convert_2019(invocations=bad, options=ConvertOptions(lenient=True))
    assert report.rows_skipped.counts == {"not a number": 1}
    assert tasks and report.balanced()

    durations = DURATIONS.read_text().splitlines()
    fields = durations[1].split(",")
    fields[-1] = "1"  # the maximum below the other percentiles
    wrong = tmp_path / "durations.csv"
    wrong.write_text("\n".join([durations[0], ",".join(fields), *durations[2:]]) + "\n")
    with pytest.raises(WorkloadError, match="percentiles decrease") as error:
        _convert_2019(durations=wrong)
    assert_error(error, wrong, 2, "8-14")
    wrong.write_text("HashOwner,HashApp,HashFunction,Average\n")
    with pytest.raises(WorkloadError, match="lacks percentile_Average_0") as error:
        _convert_2019(durations=wrong)
    assert_error(error, wrong, 1, None)


def test_2021_landmarks_and_counts() -> None:
    report = ConversionReport("azure-2021", ())
    tasks = list(read_trace("azure-2021", SAMPLE_2021, OPTIONS, report))
    by_id = {t.task_id: t for t in tasks}
    assert (by_id["inv2"].arrival_s, by_id["inv2"].cycles, by_id["inv2"].deadline_s) == (
        0.0,
        134_000_000,
        0.268,
    )
    assert (by_id["inv3"].arrival_s, by_id["inv3"].cycles) == (1.259427, 13_000_000)
    assert (by_id["inv4"].arrival_s, by_id["inv4"].cycles) == (39.20316, 42_356_000_000)
    assert "inv5" not in by_id
    with SAMPLE_2021.open() as f:
        rows = list(csv.DictReader(f))
    zero = sum(1 for r in rows if float(r["duration"]) <= 0)
    assert report.rows_read == len(rows) == 300
    assert report.tasks_skipped.counts == {"non-positive duration": zero}
    assert len(tasks) == len(rows) - zero
    assert report.balanced()


def test_2021_bad_row(tmp_path: Path) -> None:
    path = tmp_path / "inv.csv"
    path.write_text("a,f,10.5,0.5\na,f,,0.5\na,f,12.0,0.25\n")
    with pytest.raises(WorkloadError, match="empty field") as error:
        list(read_trace("azure-2021", path, OPTIONS, ConversionReport("azure-2021", ())))
    assert_error(error, path, 2, "3 (end_timestamp)")
    report = ConversionReport("azure-2021", ())
    tasks = list(read_trace("azure-2021", path, ConvertOptions(ref_hz=1e9, lenient=True), report))
    assert [(t.task_id, t.arrival_s) for t in tasks] == [("inv1", 0.0), ("inv3", 1.75)]
    assert report.rows_skipped.counts == {"missing field": 1}
