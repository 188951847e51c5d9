"""The workload file format: round trips, exact bytes, and an error naming line and column for each rule."""

from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np
import pytest

from tests.workloads.helpers import assert_error, workload_text, write
from workloads import (
    SkipCounter,
    Task,
    WorkloadError,
    load_workload,
    read_comments,
    read_workload,
    write_workload,
)
from workloads.format import UNITS_LINE, VERSION_LINE, quantize_s


def _tasks(n: int, seed: int = 3) -> list[Task]:
    rng = np.random.default_rng(seed)
    times = np.sort(rng.uniform(0, 100, n))
    tasks = []
    for i, t in enumerate(times.tolist()):
        deps = tuple(f"t{j}" for j in sorted({int(j) for j in rng.integers(0, i, 2)})) if i > 1 else ()
        deadline = None if i % 7 == 0 else t + float(rng.uniform(0.001, 5))
        tasks.append(
            Task(
                t,
                f"node_{i % 4}",
                f"t{i}",
                int(rng.integers(1, 10**12)),
                int(rng.integers(0, 10**7)),
                i,
                deadline,
                deps,
            )
        )
    return tasks


@pytest.mark.parametrize("name", ["w.csv", "w.csv.gz"])
def test_round_trip_gives_back_every_task_and_the_same_bytes(tmp_path: Path, name: str) -> None:
    tasks = _tasks(300)
    path = tmp_path / name
    assert write_workload(path, tasks, comments=["made by a test"]) == 300
    back = list(read_workload(path))
    assert len(back) == 300
    for original, read in zip(tasks, back, strict=True):
        assert read.arrival_s == quantize_s(original.arrival_s)
        assert read.deadline_s == (None if original.deadline_s is None else quantize_s(original.deadline_s))
        assert read[1:6] == original[1:6]
        assert read.depends_on == original.depends_on
    again = tmp_path / ("again-" + name)
    write_workload(again, back, comments=["made by a test"])
    assert again.read_bytes() == path.read_bytes()
    assert read_comments(path) == ["made by a test"]
    assert (path.read_bytes()[:2] == b"\x1f\x8b") == name.endswith(".gz")


def test_the_file_layout_is_exactly_the_documented_one(tmp_path: Path) -> None:
    task = Task(1.5, "rpi3_0", "j_1:M2_1", 4_000_000, 1000, 10, 3.25, ("j_1:M1",))
    first = Task(1.5, "rpi3_0", "j_1:M1", 7, 0, 0, None)
    path = tmp_path / "w.csv"
    write_workload(path, [first, task], comments=["trace: x"])
    assert path.read_text() == (
        "# pygym-workload 1\n"
        "# units: arrival_s=s cycles=cycle input_bytes=byte output_bytes=byte deadline_s=s\n"
        "# trace: x\n"
        "arrival_s,source,task_id,cycles,input_bytes,output_bytes,deadline_s,depends_on\n"
        "1.500000,rpi3_0,j_1:M1,7,0,0,,\n"
        "1.500000,rpi3_0,j_1:M2_1,4000000,1000,10,3.250000,j_1:M1\n"
    )


def test_gzip_output_is_byte_reproducible(tmp_path: Path) -> None:
    tasks = _tasks(50)
    write_workload(tmp_path / "a.csv.gz", tasks)
    write_workload(tmp_path / "b.csv.gz", tasks)
    assert (tmp_path / "a.csv.gz").read_bytes() == (tmp_path / "b.csv.gz").read_bytes()
    assert gzip.decompress((tmp_path / "a.csv.gz").read_bytes()).count(b"\n") == 3 + 50


def test_load_workload_reads_crlf_and_gzip_regardless_of_name(tmp_path: Path) -> None:
    text = workload_text("0.5,node_0,a,10,1,2,1.0,", "0.5,node_1,b,10,1,2,,a").replace("\n", "\r\n")
    plain = write(tmp_path / "w.csv", text)
    hidden = tmp_path / "w.data"
    hidden.write_bytes(gzip.compress(text.encode()))
    for path in (plain, hidden):
        workload = load_workload(path)
        assert [t.task_id for t in workload.tasks] == ["a", "b"]
        assert workload.tasks[1] == Task(0.5, "node_1", "b", 10, 1, 2, None, ("a",))


BAD_ROWS = [
    ("0.5,node_0,a,10,1,2,1.0", 4, None, "7 fields, expected 8"),
    ("x,node_0,a,10,1,2,1.0,", 4, "1 (arrival_s)", "not a plain"),
    ("-1,node_0,a,10,1,2,1.0,", 4, "1 (arrival_s)", "not a plain"),
    ("1e3,node_0,a,10,1,2,,", 4, "1 (arrival_s)", "not a plain"),
    ("0.5,3node,a,10,1,2,1.0,", 4, "2 (source)", "not a node name"),
    ("0.5,node_0,a b,10,1,2,1.0,", 4, "3 (task_id)", "not a task id"),
    ("0.5,node_0,a,12.5,1,2,1.0,", 4, "4 (cycles)", "not a non-negative integer"),
    ("0.5,node_0,a,0,1,2,1.0,", 4, "4 (cycles)", "at least 1 cycle"),
    ("0.5,node_0,a,99999999999999999999,1,2,1.0,", 4, "4 (cycles)", r"exceeds 2\^63 - 1"),
    ("0.5,node_0,a,10,-1,2,1.0,", 4, "5 (input_bytes)", "not a non-negative integer"),
    ("0.5,node_0,a,10,1,two,1.0,", 4, "6 (output_bytes)", "not a non-negative integer"),
    ("0.5,node_0,a,10,1,2,0.25,", 4, "7 (deadline_s)", "before the arrival"),
    ("0.5,node_0,a,10,1,2,1.0,a", 4, "8 (depends_on)", "depends on itself"),
    ("0.5,node_0,a,10,1,2,1.0,,", 4, None, "9 fields, expected 8"),
]


@pytest.mark.parametrize(("row", "line", "column", "words"), BAD_ROWS)
def test_a_bad_row_names_file_line_and_column(
    tmp_path: Path, row: str, line: int, column: str, words: str
) -> None:
    path = write(tmp_path / "w.csv", workload_text(row))
    with pytest.raises(WorkloadError, match=words) as error:
        list(read_workload(path))
    assert_error(error, path, line, column)


ORDER_ERRORS = [
    (("1.0,node_0,a,10,1,2,,", "0.5,node_0,b,10,1,2,,"), 5, "1 (arrival_s)", "sorted by arrival_s"),
    (("1.0,node_0,a,10,1,2,,", "1.0,node_0,a,10,1,2,,"), 5, "3 (task_id)", "appears on an earlier line"),
    (
        ("1.0,node_0,a,10,1,2,,b", "1.0,node_0,b,10,1,2,,"),
        4,
        "8 (depends_on)",
        "not the task id of an earlier",
    ),
    (("1.0,node_0,a,10,1,2,,", "1.0,node_0,b,10,1,2,,a;a"), 5, "8 (depends_on)", "listed twice"),
    (("1.0,node_0,a,10,1,2,,", ""), 5, None, "blank line"),
]


@pytest.mark.parametrize(("rows", "line", "column", "words"), ORDER_ERRORS)
def test_order_uniqueness_and_backward_references_are_enforced(
    tmp_path: Path, rows: tuple[str, ...], line: int, column: str | None, words: str
) -> None:
    path = write(tmp_path / "w.csv", workload_text(*rows))
    with pytest.raises(WorkloadError, match=words) as error:
        list(read_workload(path))
    assert_error(error, path, line, column)


def test_a_dependency_cycle_cannot_be_written(tmp_path: Path) -> None:
    tasks = [Task(0.0, "n", "a", 1, 0, 0, None, ("b",)), Task(0.0, "n", "b", 1, 0, 0, None, ("a",))]
    path = tmp_path / "w.csv"
    with pytest.raises(WorkloadError, match="not the task id of an earlier line") as error:
        write_workload(path, tasks)
    assert_error(error, path, 4, "8 (depends_on)")
    assert not path.exists()
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ("", 1, "empty file"),
        ("hello\n", 1, "not a workload file"),
        ("# pygym-workload 2\n", 1, "unsupported format version '2'"),
        (f"{VERSION_LINE}\n# units: s\n", 2, "units line"),
        (f"{VERSION_LINE}\n{UNITS_LINE}\n# note\narrival_s,source\n", 4, "column header"),
        (f"{VERSION_LINE}\n{UNITS_LINE}\n# note\n", 4, "ends before the column header"),
    ],
)
def test_header_errors_name_the_line(tmp_path: Path, text: str, line: int, words: str) -> None:
    path = write(tmp_path / "w.csv", text)
    with pytest.raises(WorkloadError, match=words) as error:
        list(read_workload(path))
    assert_error(error, path, line, None)


def test_truncated_gzip_is_reported_as_such(tmp_path: Path) -> None:
    full = tmp_path / "w.csv.gz"
    write_workload(full, _tasks(2000))
    cut = tmp_path / "cut.csv.gz"
    cut.write_bytes(full.read_bytes()[: len(full.read_bytes()) // 2])
    with pytest.raises(WorkloadError, match="ends early") as error:
        list(read_workload(cut))
    assert error.value.path == str(cut)
    assert error.value.line is not None and error.value.line > 4


def test_lenient_reading_skips_and_counts_bad_lines_and_their_dependants(tmp_path: Path) -> None:
    path = write(
        tmp_path / "w.csv",
        workload_text(
            "0.1,node_0,a,10,1,2,,",
            "0.2,node_0,b,ten,1,2,,",
            "0.3,node_0,c,10,1,2,,b",
            "0.05,node_0,d,10,1,2,,",
            "0.4,node_0,e,10,1,2,,a",
        ),
    )
    skipped = SkipCounter()
    kept = list(read_workload(path, lenient=True, skipped=skipped))
    assert [t.task_id for t in kept] == ["a", "e"]
    assert skipped.counts == {"not a number": 1, "unknown dependency": 1, "not sorted by arrival": 1}
    assert skipped.examples["not a number"].startswith(f"{path}:5: column 4 (cycles)")
    assert skipped.examples["not sorted by arrival"].startswith(f"{path}:7: column 1 (arrival_s)")
    assert skipped.total() + len(kept) == 5


def test_writer_checks_each_task_and_names_the_line(tmp_path: Path) -> None:
    good = Task(0.0, "node_0", "a", 5, 0, 0, None)
    path = tmp_path / "w.csv"
    with pytest.raises(WorkloadError, match="not an integer") as error:
        write_workload(path, [good, good._replace(task_id="b", cycles=2.5)], comments=["one", "two"])  # type: ignore[arg-type]
    assert_error(error, path, 7, "4 (cycles)")
    with pytest.raises(WorkloadError, match="times must be finite") as error:
        write_workload(path, [good._replace(arrival_s=float("nan"))])
    assert_error(error, path, 4, "1 (arrival_s)")
    with pytest.raises(ValueError, match="line break"):
        write_workload(path, [good], comments=["a\nb"])
    assert not path.exists()


def test_times_are_quantized_so_rounding_never_breaks_order(tmp_path: Path) -> None:
    tasks = [
        Task(1.0000001, "n", "a", 1, 0, 0, 1.0000004),
        Task(1.0000004, "n", "b", 1, 0, 0, 1.0000001 + 1e-7, ("a",)),
    ]
    path = tmp_path / "w.csv"
    assert write_workload(path, tasks) == 2
    back = load_workload(path).tasks
    assert [t.arrival_s for t in back] == [1.0, 1.0]
    assert [t.deadline_s for t in back] == [1.0, 1.0]
    assert "-0.000000" not in (tmp_path / "w.csv").read_text()
    write_workload(tmp_path / "z.csv", [Task(-0.0, "n", "z", 1, 0, 0, -0.0)])
    assert "\n0.000000,n,z,1,0,0,0.000000,\n" in (tmp_path / "z.csv").read_text()
