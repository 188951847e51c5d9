"""Alibaba 2018 batch_task reader: the sample's landmark tasks, skip counts, DAGs, and malformed rows."""

from __future__ import annotations

import csv
import gzip
from collections import Counter, defaultdict
from pathlib import Path

import pytest

from tests.workloads.helpers import assert_error
from workloads import ConversionReport, ConvertOptions, SourceRule, Task, WorkloadError, load_workload
from workloads.distributions import parse_bytes_rule
from workloads.traces import convert_trace, read_trace
from workloads.traces.alibaba import parse_task_name

SAMPLE = Path(__file__).resolve().parents[2] / "workloads" / "samples" / "alibaba_2018_batch_task.csv"
OPTIONS = ConvertOptions(ref_hz=1e9, deadline_slack=2.0)


def _convert(
    path: Path | list[Path], options: ConvertOptions = OPTIONS
) -> tuple[list[Task], ConversionReport]:
    report = ConversionReport("alibaba-2018", ())
    tasks = list(read_trace("alibaba-2018", path, options, report))
    return tasks, report


def test_landmark_tasks_have_the_trace_arrivals_cycles_deadlines_and_dependencies() -> None:
    tasks, report = _convert(SAMPLE)
    by_id = {t.task_id: t for t in tasks}
    expected = {
        # id: (arrival_s, cycles, deadline_s, depends_on)
        "j_100:M1": (0.0, 30 * 10**9, 60.0, ()),
        "j_100:M2_1": (31.0, 30 * 10**9, 91.0, ("j_100:M1",)),
        "j_100:M3_1": (31.0, 120 * 10**9, 151.0, ("j_100:M1",)),
        "j_100:R4_2_3": (92.0, 100 * 10**9, 112.0, ("j_100:M2_1", "j_100:M3_1")),
        "j_101:M2_1": (110.0, 10 * 10**9, 130.0, ()),
        "j_101:J3_2": (110.0, 25 * 10**9, 160.0, ("j_101:M2_1",)),
        "j_102:task_LTg0MTUwNTA5Mjg4MDkwNjIzMA==": (0.0, 60 * 10**9, 120.0, ()),
    }
    for task_id, (arrival_s, cycles, deadline_s, deps) in expected.items():
        task = by_id[task_id]
        assert (task.arrival_s, task.cycles, task.deadline_s, task.depends_on) == (
            arrival_s,
            cycles,
            deadline_s,
            deps,
        )
    for absent in ("j_101:M1", "j_103:task_NzgyMzA5NjQ0NzUxMDc0NDUxMQ==", "j_104:M1"):
        assert absent not in by_id
    order = [t.task_id for t in tasks]
    assert order.index("j_100:M1") < order.index("j_102:task_LTg0MTUwNTA5Mjg4MDkwNjIzMA==")
    assert order.index("j_101:M2_1") == order.index("j_101:J3_2") - 1
    assert report.adjustments.examples["arrival raised to a dependency's later arrival"].endswith(
        "alibaba_2018_batch_task.csv:7: 'J3_2' of job 'j_101'"
    )
    assert len(expected) == 7


def _independent_counts(path: Path) -> tuple[int, Counter[str], int]:
    """Rows, skips by reason and removed edges, recomputed from the raw file without the reader."""
    skips: Counter[str] = Counter()
    dead: dict[str, set[int]] = defaultdict(set)
    rows = list(csv.reader(path.open()))
    for name, _, job, _, _, start, end, cpu, _ in rows:
        if start == "0" or end == "0":
            reason = "start_time or end_time is 0 (outside the trace span)"
        elif float(end) <= float(start):
            reason = "non-positive duration"
        elif not cpu:
            reason = "missing plan_cpu"
        else:
            continue
        skips[reason] += 1
        parsed = parse_task_name(name)
        assert parsed is not None
        dead[job].add(parsed[0])
    removed = 0
    for name, _, job, *_ in rows:
        parsed = parse_task_name(name)
        assert parsed is not None
        number, deps = parsed
        if number not in dead[job]:
            removed += sum(1 for d in set(deps) if d in dead[job])
    return len(rows), skips, removed


def test_every_row_is_written_or_counted_by_reason() -> None:
    tasks, report = _convert(SAMPLE)
    rows, skips, removed_edges = _independent_counts(SAMPLE)
    assert report.rows_read == rows == 214
    assert report.tasks_skipped.counts == skips
    assert (
        sum(n for r, n in report.adjustments.counts.items() if r.startswith("dependency removed"))
        == removed_edges
    )
    assert removed_edges >= 2
    assert report.tasks_written == len(tasks) == rows - sum(skips.values())
    assert report.balanced()
    assert not report.rows_skipped


def test_output_is_a_valid_workload_file_and_reproducible(tmp_path: Path) -> None:
    first = convert_trace("alibaba-2018", SAMPLE, tmp_path / "a.csv", OPTIONS)
    convert_trace("alibaba-2018", SAMPLE, tmp_path / "b.csv", OPTIONS)
    assert (tmp_path / "a.csv").read_bytes() == (tmp_path / "b.csv").read_bytes()
    workload = load_workload(tmp_path / "a.csv")
    assert len(workload) == first.tasks_written == 201
    assert "converted from the alibaba-2018 trace: alibaba_2018_batch_task.csv" in workload.comments
    assert sum(1 for t in workload.tasks if t.depends_on) > 20


def test_jobs_split_across_the_file_and_tiny_sort_runs_give_the_same_file(tmp_path: Path) -> None:
    rows = SAMPLE.read_text().splitlines()
    gz = tmp_path / "reversed.csv.gz"
    gz.write_bytes(gzip.compress(("\n".join(reversed(rows)) + "\n").encode()))
    convert_trace("alibaba-2018", SAMPLE, tmp_path / "a.csv", OPTIONS)
    small_runs = ConvertOptions(ref_hz=1e9, deadline_slack=2.0, run_size=7)
    convert_trace("alibaba-2018", gz, tmp_path / "b.csv", small_runs)
    a = (tmp_path / "a.csv").read_text().splitlines()
    b = (tmp_path / "b.csv").read_text().splitlines()
    assert a[3:] == b[3:]
    assert len(a) == 3 + 9 + 1 + 201


def test_window_limit_scale_and_sources() -> None:
    options = ConvertOptions(
        ref_hz=1e9,
        deadline_slack=3.0,
        time_scale=0.5,
        start_s=86_431,
        end_s=86_600,
        max_tasks=3,
        sources=SourceRule(("rpi3_0", "rpi3_1"), "round-robin"),
        input_bytes=parse_bytes_rule("per-cycle:ratio=0.001"),
        output_bytes=parse_bytes_rule("const:value=10"),
    )
    tasks, report = _convert(SAMPLE, options)
    assert [t.task_id for t in tasks] == ["j_100:M2_1", "j_100:M3_1", "j_100:R4_2_3"]
    assert [t.arrival_s for t in tasks] == [0.0, 0.0, 30.5]
    assert tasks[0].deadline_s == 0.0 + 3.0 * 30
    assert tasks[2].depends_on == ("j_100:M2_1", "j_100:M3_1")
    assert [t.source for t in tasks] == ["rpi3_0", "rpi3_1", "rpi3_0"]
    assert [t.input_bytes for t in tasks] == [3 * 10**7, 12 * 10**7, 10**8]
    assert {t.output_bytes for t in tasks} == {10}
    assert report.tasks_skipped.counts["beyond max_tasks"] == 2
    assert (
        report.adjustments.counts["dependency removed: the dependency was skipped (outside the time window)"]
        == 2
    )
    assert report.balanced()


def _file(tmp_path: Path, *rows: str) -> Path:
    path = tmp_path / "batch_task.csv"
    path.write_text("\n".join(rows) + "\n")
    return path


GOOD = "M1,1,j_1,1,Terminated,10,20,100,0.5"
MALFORMED = [
    ("M1,1,j_1,1,Terminated,10,20,100", 2, None, "8 columns, expected 9", "wrong column count"),
    ("M1,x,j_1,1,Terminated,10,20,100,0.5", 2, "2 (instance_num)", "not an integer", "not a number"),
    ("M1,1,j_1,1,Terminated,ten,20,100,0.5", 2, "6 (start_time)", "not a number", "not a number"),
    ("M1,1,j_1,1,Terminated,10,20,1e999,0.5", 2, "8 (plan_cpu)", "not a finite number", "not a number"),
    ("Merge,1,j_1,1,Terminated,10,20,100,0.5", 2, "1 (task_name)", "neither a DAG", "bad task_name"),
    ("M1,1,,1,Terminated,10,20,100,0.5", 2, "3 (job_name)", "not a job name", "bad name"),
]


@pytest.mark.parametrize(("row", "line", "column", "words", "reason"), MALFORMED)
def test_malformed_rows_raise_with_line_and_column_or_are_counted(
    tmp_path: Path, row: str, line: int, column: str | None, words: str, reason: str
) -> None:
    path = _file(tmp_path, "task_a,1,j_0,1,Terminated,5,9,100,0.5", row, GOOD.replace("j_1", "j_9"))
    with pytest.raises(WorkloadError, match=words) as error:
        _convert(path)
    assert_error(error, path, line, column)
    tasks, report = _convert(path, ConvertOptions(lenient=True))
    assert report.rows_skipped.counts == {reason: 1}
    assert [t.task_id for t in tasks] == ["j_0:task_a", "j_9:M1"]
    assert report.rows_read == 3 and report.balanced()


@pytest.mark.parametrize(
    ("rows", "line", "words", "reason", "skipped"),
    [
        (
            (GOOD, "M2_1_7,1,j_1,1,Terminated,21,30,100,0.5"),
            2,
            "depends on task 7, which no row",
            "dependency on a task that never appears",
            1,
        ),
        (
            (GOOD, "M2_3,1,j_1,1,Terminated,21,30,100,0.5", "M3_2,1,j_1,1,Terminated,21,30,100,0.5"),
            2,
            "dependency cycle in job 'j_1': M2_3 -> M3_2 -> M2_3",
            "dependency cycle",
            2,
        ),
        ((GOOD, "M2_2,1,j_1,1,Terminated,21,30,100,0.5"), 2, "M2_2 -> M2_2", "dependency cycle", 1),
        (
            (GOOD, "R1,1,j_1,1,Terminated,21,30,100,0.5"),
            2,
            "task number 1 of job 'j_1' is used by 'M1'",
            "two tasks with one number in a job",
            1,
        ),
        ((GOOD, GOOD), 2, "appears twice", "task listed twice in a job", 1),
    ],
)
def test_dependency_errors_name_the_task_row(
    tmp_path: Path, rows: tuple[str, ...], line: int, words: str, reason: str, skipped: int
) -> None:
    path = _file(tmp_path, *rows, "M5_2,1,j_1,1,Terminated,40,50,100,0.5")
    with pytest.raises(WorkloadError, match=words) as error:
        _convert(path)
    assert_error(error, path, line, "1 (task_name)")
    tasks, report = _convert(path, ConvertOptions(lenient=True))
    assert report.tasks_skipped.counts[reason] == skipped
    assert report.balanced()
    assert "j_1:M1" in {t.task_id for t in tasks}
    assert all(dep in {t.task_id for t in tasks} for t in tasks for dep in t.depends_on)


def test_dag_names() -> None:
    cases = {"M1": (1, ()), "M2_1": (2, (1,)), "R5_3_4": (5, (3, 4)), "J12_10_11_2": (12, (10, 11, 2))}
    for name, parsed in cases.items():
        assert parse_task_name(name) == parsed
    assert parse_task_name("task_Nzg3ODAwNDgzMTAwNTc2NTQ2Mw==") == (-1, ())
    assert parse_task_name("MergeTask") is None
    assert parse_task_name("M") is None
