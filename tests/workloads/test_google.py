"""Google 2011 task_events and 2019 instance_events readers: landmark tasks, skip counts, bad rows."""

from __future__ import annotations

import csv
import gzip
import io
from collections import defaultdict
from pathlib import Path

import pytest

from tests.workloads.helpers import assert_error
from workloads import ConversionReport, ConvertOptions, Task, WorkloadError
from workloads.traces import read_trace

SAMPLES = Path(__file__).resolve().parents[2] / "workloads" / "samples"
SAMPLE_2011 = SAMPLES / "google_2011_task_events.csv.gz"
SAMPLE_2019 = SAMPLES / "google_2019_instance_events.csv"
OPTIONS = ConvertOptions(ref_hz=1e9, deadline_slack=2.0)


def _convert(
    trace: str, path: Path, options: ConvertOptions = OPTIONS, cores_per_unit: float = 1.0
) -> tuple[list[Task], ConversionReport]:
    report = ConversionReport(trace, ())
    return list(read_trace(trace, path, options, report, cores_per_unit=cores_per_unit)), report


def test_2011_landmarks() -> None:
    tasks, report = _convert("google-2011", SAMPLE_2011)
    by_id = {t.task_id: t for t in tasks}
    expected = {
        "6250000001:0": (0.0, 3_750_000_000, 60.0),
        "6250000001:1": (0.5, 5_000_000_000, 40.5),  # rerun after its eviction: 20 s at 0.25 of a core
        "6250000004:0": (4.0, 10_000_000_000, 44.0),  # CPU request from the UPDATE_RUNNING event
    }
    for task_id, values in expected.items():
        task = by_id[task_id]
        assert (task.arrival_s, task.cycles, task.deadline_s) == values
        assert task.depends_on == ()
    assert "6250000002:0" not in by_id and "6250000003:0" not in by_id
    assert report.tasks_skipped.examples["submitted before the trace window (timestamp 0)"].endswith(
        "google_2011_task_events.csv.gz:1: job 6250000002 task 0"
    )
    assert report.tasks_skipped.examples["no FINISH after a SCHEDULE (last event KILL)"].endswith(
        "job 6250000003 task 0"
    )
    assert len(expected) == 3


def _independent_outcomes(rows: list[list[str]], submit: int, finish: int) -> tuple[int, int, int, int]:
    """(tasks, finished and kept, submitted at 0, unfinished), from the raw events without the reader."""
    histories: dict[tuple[str, str], list[tuple[int, int]]] = defaultdict(list)
    for time_us, job, index, kind in rows:
        histories[(job, index)].append((int(time_us), int(kind)))
    kept = at_zero = unfinished = 0
    for events in histories.values():
        first_submit = min(t for t, k in events if k == submit)
        if first_submit == 0:
            at_zero += 1
        elif any(k == finish for _, k in events):
            kept += 1
        else:
            unfinished += 1
    return len(histories), kept, at_zero, unfinished


def test_2011_every_task_is_written_or_counted() -> None:
    tasks, report = _convert("google-2011", SAMPLE_2011)
    with gzip.open(SAMPLE_2011, "rt") as f:
        raw = [[r[0], r[2], r[3], r[5]] for r in csv.reader(f)]
    seen, kept, at_zero, unfinished = _independent_outcomes(raw, submit=0, finish=4)
    assert report.rows_read == len(raw) == 149
    assert report.tasks_seen == seen
    assert len(tasks) == report.tasks_written == kept == 36
    assert report.tasks_skipped.counts["submitted before the trace window (timestamp 0)"] == at_zero
    assert report.tasks_skipped.total() == at_zero + unfinished
    assert report.balanced()


def test_2019_landmarks_and_counts() -> None:
    tasks, report = _convert("google-2019", SAMPLE_2019)
    by_id = {t.task_id: t for t in tasks}
    task = by_id["400000001:0"]
    assert (task.arrival_s, task.cycles, task.deadline_s) == (0.0, 1_200_000_000, 120.0)
    assert "400000002:3" not in by_id
    with SAMPLE_2019.open() as f:
        raw = [[r["time"], r["collection_id"], r["instance_index"], r["type"]] for r in csv.DictReader(f)]
    seen, kept, at_zero, unfinished = _independent_outcomes(raw, submit=0, finish=6)
    assert report.tasks_seen == seen and len(tasks) == kept
    assert report.tasks_skipped.counts["submitted before the trace window (timestamp 0)"] == at_zero
    assert report.tasks_skipped.total() == at_zero + unfinished
    assert report.balanced()


def test_cores_per_unit_and_window() -> None:
    options = ConvertOptions(ref_hz=1e9, deadline_slack=2.0, start_s=601.2, end_s=606.0)
    tasks, report = _convert("google-2011", SAMPLE_2011, options, cores_per_unit=8)
    assert [(t.task_id, t.arrival_s, t.cycles) for t in tasks] == [
        ("6250000001:1", 0.0, 40_000_000_000),
        ("6250000004:0", 3.5, 80_000_000_000),
    ]
    assert report.tasks_skipped.counts["outside the time window"] == 34
    assert report.balanced()


def _csv(rows: list[list[str]]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue()


def _event_2011(time_us: str, kind: str, cpu: str = "0.5", job: str = "7", index: str = "0") -> list[str]:
    return [time_us, "", job, index, "", kind, "user", "0", "0", cpu, "0.1", "0", "0"]


@pytest.mark.parametrize(
    ("row", "column", "words", "reason"),
    [
        (_event_2011("12", "1")[:12], None, "12 columns, expected 13", "wrong column count"),
        (_event_2011("x", "1"), "1 (timestamp)", "not an integer", "not a number"),
        (_event_2011("12", "9"), "6 (event_type)", "not an event type", "unknown event type"),
        (_event_2011("12", "1", job=""), "3 (job_id)", "empty field", "missing field"),
        (_event_2011("12", "1", cpu="half"), "10 (cpu_request)", "not a number", "not a number"),
    ],
)
def test_2011_malformed_rows(
    tmp_path: Path, row: list[str], column: str | None, words: str, reason: str
) -> None:
    path = tmp_path / "part.csv"
    path.write_text(
        _csv([_event_2011("1000000", "0"), row, _event_2011("2000000", "1"), _event_2011("5000000", "4")])
    )
    with pytest.raises(WorkloadError, match=words) as error:
        _convert("google-2011", path)
    assert_error(error, path, 2, column)
    tasks, report = _convert("google-2011", path, ConvertOptions(ref_hz=1e9, lenient=True))
    assert report.rows_skipped.counts == {reason: 1}
    assert [(t.task_id, t.cycles) for t in tasks] == [("7:0", 1_500_000_000)]


def test_2019_header_and_named_event_types(tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    path.write_text("time,type,collection_id,instance_index\n1,0,1,1\n")
    with pytest.raises(
        WorkloadError, match=r"lacks cpus or resource_request_cpus or resource_request\.cpus"
    ) as error:
        _convert("google-2019", path)
    assert_error(error, path, 1, None)
    path.write_text(
        "collection_id,instance_index,type,time,resource_request.cpus\n"
        "9,2,SUBMIT,1000000,0.5\n9,2,SCHEDULE,2000000,0.5\n9,2,FINISH,4000000,\n9,2,BOGUS,5000000,\n"
    )
    with pytest.raises(WorkloadError, match="'BOGUS' is not an event type") as error:
        _convert("google-2019", path)
    assert_error(error, path, 5, "3 (type)")
    tasks, report = _convert("google-2019", path, ConvertOptions(ref_hz=1e9, lenient=True))
    assert [(t.task_id, t.arrival_s, t.cycles, t.deadline_s) for t in tasks] == [
        ("9:2", 0.0, 1_000_000_000, 4.0)
    ]
    assert report.rows_skipped.counts == {"unknown event type": 1}


def test_2011_task_history_rules(tmp_path: Path) -> None:
    after_window = str(2**63 - 1)
    rows = [
        _event_2011("500000", "0", job="1"),
        _event_2011("600000", "1", job="1"),
        _event_2011("900000", "4", job="1"),
        # Resubmitted after an eviction: the first SUBMIT is the arrival, the last run the work.
        _event_2011("1000000", "0", job="2"),
        _event_2011("2000000", "1", job="2"),
        _event_2011("3000000", "2", job="2"),
        _event_2011("4000000", "0", job="2"),
        _event_2011("5000000", "1", job="2", cpu="0.25"),
        _event_2011("9000000", "4", job="2", cpu="0.25"),
        _event_2011("1000000", "0", job="3"),
        _event_2011("2000000", "1", job="3"),
        _event_2011(after_window, "4", job="3"),
        _event_2011("2000000", "1", job="4"),
        _event_2011("3000000", "4", job="4"),
        _event_2011("1000000", "0", job="5", cpu=""),
        _event_2011("2000000", "1", job="5", cpu=""),
        _event_2011("3000000", "4", job="5", cpu=""),
        _event_2011("1000000", "0", job="6"),
        _event_2011("2000000", "1", job="6"),
        _event_2011("2000000", "4", job="6"),
    ]
    path = tmp_path / "part.csv"
    path.write_text(_csv(rows))
    tasks, report = _convert("google-2011", path)
    assert [(t.task_id, t.arrival_s, t.cycles, t.deadline_s) for t in tasks] == [
        ("1:0", 0.0, 150_000_000, 0.6),
        ("2:0", 0.5, 1_000_000_000, 8.5),
    ]
    assert report.tasks_skipped.counts == {
        "finished after the trace window": 1,
        "no SUBMIT event": 1,
        "missing CPU request": 1,
        "non-positive duration": 1,
    }
    assert report.tasks_seen == 6 and report.balanced()
