"""Write the synthetic sample files of ``workloads/samples``: ``python -m workloads.samples.make_samples``.

Every file is in the exact format of its public trace but holds made-up rows: a few hand-written
*landmark* rows at the top (the tests check the tasks they become, value by value), then seeded filler
drawn to look like the trace. The output is the same byte for byte on every run. None of these rows comes
from a real trace.
"""

from __future__ import annotations

import argparse
import base64
import gzip
import hashlib
import io
from pathlib import Path

import numpy as np

from workloads.rng import stream
from workloads.samples import (
    ALIBABA,
    AZURE_2019_DURATIONS,
    AZURE_2019_INVOCATIONS,
    AZURE_2021,
    FOLDER,
    GOOGLE_2011,
    GOOGLE_2019,
)

SEED = 2018


ALIBABA_LANDMARKS = [
    # A diamond DAG: M1 -> M2, M1 -> M3, (M2, M3) -> R4.
    "M1,1,j_100,1,Terminated,86400,86430,100,0.39",
    "M2_1,2,j_100,1,Terminated,86431,86461,50,0.39",
    "M3_1,1,j_100,1,Terminated,86431,86491,200,0.39",
    "R4_2_3,10,j_100,2,Terminated,86492,86502,100,0.5",
    # M1 has no duration (skipped), so M2's dependency on it is removed; J3 started before M2 did.
    "M1,1,j_101,1,Terminated,86500,86500,100,0.2",
    "M2_1,1,j_101,1,Terminated,86510,86520,100,0.2",
    "J3_2,1,j_101,1,Terminated,86505,86530,100,0.2",
    "task_LTg0MTUwNTA5Mjg4MDkwNjIzMA==,1,j_102,1,Terminated,86400,86460,100,0.3",
    "task_NzgyMzA5NjQ0NzUxMDc0NDUxMQ==,5,j_103,1,Running,86600,0,100,0.3",
    "M1,1,j_104,1,Terminated,86700,86710,,0.3",
]


def _write(path: Path, text: str) -> None:
    if path.name.endswith(".gz"):
        buffer = io.BytesIO()
        with gzip.GzipFile(filename="", mode="wb", fileobj=buffer, mtime=0) as gz:
            gz.write(text.encode())
        path.write_bytes(buffer.getvalue())
    else:
        path.write_text(text, encoding="utf-8", newline="\n")


def _hex(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def alibaba_rows() -> list[str]:
    """batch_task.csv rows: landmarks, then DAG and independent jobs with a few unfinished tasks."""
    rng = stream(SEED, "alibaba")
    jobs: list[list[str]] = []
    for j in range(60):
        job = f"j_{2000 + j}"
        start = int(rng.integers(87000, 93600))
        rows = []
        if rng.random() < 0.3:
            for k in range(int(rng.integers(1, 4))):
                token = base64.b64encode(str(7_800_000_000_000_000_000 + j * 10 + k).encode()).decode()
                s = start + int(rng.integers(0, 300))
                instances = rng.integers(1, 200)
                finish = s + int(rng.integers(1, 900))
                cpu, mem = rng.choice([50, 100, 200]), rng.uniform(0.1, 2)
                rows.append(f"task_{token},{instances},{job},1,Terminated,{s},{finish},{cpu},{mem:.2f}")
        else:
            ends: dict[int, int] = {}
            for k in range(1, int(rng.integers(2, 9))):
                picks = (
                    rng.integers(1, k, size=int(rng.integers(0, min(k, 3)))) if k > 1 else np.empty(0, int)
                )
                deps = sorted({int(d) for d in picks})
                ready = max([ends[d] for d in deps], default=start)
                s = ready + int(rng.integers(-5, 30))
                duration = int(rng.integers(0, 600)) if rng.random() < 0.05 else int(rng.integers(1, 600))
                status, end = "Terminated", s + duration
                if rng.random() < 0.04:
                    status, end = "Running", 0
                ends[k] = end if end else s
                name = f"{rng.choice(list('MRJ'))}{k}" + "".join(f"_{d}" for d in deps)
                cpu = rng.choice([50, 100, 200, 400])
                rows.append(
                    f"{name},{rng.integers(1, 100)},{job},{rng.integers(1, 13)},{status},{s},{end},{cpu},"
                    f"{rng.uniform(0.1, 3):.2f}"
                )
        jobs.append(rows)
    order = rng.permutation(len(jobs))
    filler = [row for i in order for row in jobs[i]]
    # Move a few rows away from their job: jobs need not be contiguous in the file.
    for _ in range(15):
        i, k = (int(v) for v in rng.integers(0, len(filler), 2))
        filler.insert(k, filler.pop(i))
    return ALIBABA_LANDMARKS + filler


GOOGLE_2011_LANDMARKS = [
    # (time_us, job, index, event type, cpu request)
    (601_000_000, 6250000001, 0, 0, "0.125"),
    (601_500_000, 6250000001, 1, 0, "0.125"),
    (602_000_000, 6250000001, 0, 1, "0.125"),
    (602_000_000, 6250000001, 1, 1, "0.125"),
    (610_000_000, 6250000001, 1, 2, "0.125"),
    (615_000_000, 6250000001, 1, 1, "0.25"),
    (632_000_000, 6250000001, 0, 4, "0.125"),
    (635_000_000, 6250000001, 1, 4, "0.25"),
    (0, 6250000002, 0, 0, "0.0625"),
    (0, 6250000002, 0, 1, "0.0625"),
    (650_000_000, 6250000002, 0, 4, "0.0625"),
    (603_000_000, 6250000003, 0, 0, "0.03"),
    (604_000_000, 6250000003, 0, 1, "0.03"),
    (700_000_000, 6250000003, 0, 5, "0.03"),
    (605_000_000, 6250000004, 0, 0, ""),
    (606_000_000, 6250000004, 0, 1, ""),
    (607_000_000, 6250000004, 0, 8, "0.5"),
    (626_000_000, 6250000004, 0, 4, ""),
]


def _google_filler(
    name: str, schedule: int, finish: int, evict: int, kill: int
) -> list[tuple[int, int, int, int, str]]:
    """Events of filler tasks: submit, schedule, then finish (most), kill, or eviction and a rerun."""
    rng = stream(SEED, name)
    events = []
    for j in range(16):
        job = 6251000000 + j * 7
        cpu = f"{rng.choice([0.0125, 0.03125, 0.0625, 0.125, 0.25]):g}"
        for index in range(int(rng.integers(1, 6))):
            submit = int(rng.integers(610, 1800)) * 1_000_000 + int(rng.integers(0, 1_000_000))
            if rng.random() < 0.06:
                submit = 0
            start = submit + int(rng.integers(0, 5_000_000)) if submit else 0
            events += [(submit, job, index, 0, cpu), (start, job, index, schedule, cpu)]
            end = max(start, 600_000_000) + int(rng.integers(1, 600)) * 1_000_000
            fate = rng.random()
            if fate < 0.1:
                events.append((end, job, index, kill, cpu))
            elif fate < 0.2:
                events += [(end, job, index, evict, cpu), (end + 2_000_000, job, index, schedule, cpu)]
                events.append((end + 60_000_000, job, index, finish, cpu))
            else:
                events.append((end, job, index, finish, cpu))
    return events


def google_2011_rows() -> list[str]:
    """task_events rows (13 columns, no header), sorted by timestamp as the published parts are."""
    events = GOOGLE_2011_LANDMARKS + _google_filler("google-2011", schedule=1, finish=4, evict=2, kill=5)
    rows = []
    for time_us, job, index, kind, cpu in sorted(events, key=lambda e: e[0]):
        machine = "" if kind == 0 else str(300_000_000 + (job + index) % 997)
        user = base64.b64encode(_hex(str(job)).encode()[:30]).decode()
        memory = "" if not cpu else "0.0159"
        rows.append(
            f"{time_us},,{job},{index},{machine},{kind},{user},{job % 4},{job % 12},{cpu},{memory},0.0004,0"
        )
    return rows


GOOGLE_2019_HEADER = (
    "time,type,collection_id,scheduling_class,missing_type,collection_type,priority,"
    "alloc_collection_id,instance_index,machine_id,alloc_instance_index,cpus,memory"
)
GOOGLE_2019_LANDMARKS = [
    (310_000_000, 400000001, 0, 0, "0.02"),
    (310_000_500, 400000001, 0, 1, "0.02"),
    (310_001_000, 400000001, 0, 2, "0.02"),
    (311_000_000, 400000001, 0, 3, "0.02"),
    (371_000_000, 400000001, 0, 6, "0.02"),
    (320_000_000, 400000002, 3, 0, "0.01"),
    (321_000_000, 400000002, 3, 3, "0.01"),
    (330_000_000, 400000002, 3, 7, "0.01"),
]


def google_2019_rows() -> list[str]:
    """A CSV export of instance_events (header row, flattened resource request)."""
    events = GOOGLE_2019_LANDMARKS + _google_filler("google-2019", schedule=3, finish=6, evict=4, kill=7)
    rows = [GOOGLE_2019_HEADER]
    for time_us, job, index, kind, cpu in sorted(events, key=lambda e: e[0]):
        machine = "" if kind < 3 else str(100_000_000 + (job + index) % 991)
        rows.append(
            f"{time_us},{kind},{job},{job % 4},0,0,{200 if job % 2 else 0},0,{index},{machine},-1,{cpu},0.01"
        )
    return rows


def azure_2019_rows() -> tuple[list[str], list[str]]:
    """(invocations rows, durations rows) of one day for 30 functions; two have no durations row."""
    rng = stream(SEED, "azure-2019")
    invocations = ["HashOwner,HashApp,HashFunction,Trigger," + ",".join(str(m) for m in range(1, 1441))]
    durations = [
        "HashOwner,HashApp,HashFunction,Average,Count,Minimum,Maximum,"
        + ",".join(f"percentile_Average_{p}" for p in (0, 1, 25, 50, 75, 99, 100))
    ]
    triggers = ["http", "timer", "queue", "event", "storage", "orchestration", "others"]
    for f in range(30):
        owner, app, func = _hex(f"owner{f // 6}"), _hex(f"app{f // 3}"), _hex(f"function{f}")
        counts = np.zeros(1440, dtype=int)
        if f == 0:
            counts[0], counts[2] = 3, 1
            pct = [100.0] * 7
        else:
            active = rng.random(1440) < rng.uniform(0.005, 0.05)
            counts[active] = rng.integers(1, 4, int(active.sum()))
            median = float(rng.lognormal(np.log(300), 1.2))
            pct = sorted(float(round(median * m, 1)) for m in (0.05, 0.1, 0.5, 1, 1.6, 4, 9))
        trigger = "http" if f == 0 else triggers[int(rng.integers(len(triggers)))]
        invocations.append(f"{owner},{app},{func},{trigger}," + ",".join(str(c) for c in counts))
        if f in (7, 19):
            continue
        total = int(counts.sum())
        durations.append(
            f"{owner},{app},{func},{pct[3]:g},{total},{pct[0]:g},{pct[-1]:g},"
            + ",".join(f"{p:g}" for p in pct)
        )
    return invocations, durations


AZURE_2021_LANDMARKS = [
    f"{_hex('app-a')},{_hex('func-a')},5160.142570018768,0.134",
    f"{_hex('app-a')},{_hex('func-b')},5161.280997037888,0.013",
    f"{_hex('app-b')},{_hex('func-c')},5241.567729949951,42.356",
    f"{_hex('app-b')},{_hex('func-c')},5200.0,0.0",
]


def azure_2021_rows() -> list[str]:
    """Invocation rows (app, func, end_timestamp, duration), unsorted like the published sample."""
    rng = stream(SEED, "azure-2021")
    rows = ["app,func,end_timestamp,duration", *AZURE_2021_LANDMARKS]
    for _ in range(296):
        app = int(rng.integers(12))
        duration = 0.0 if rng.random() < 0.02 else round(float(rng.lognormal(np.log(0.5), 1.5)), 3)
        end = 5170.0 + float(rng.uniform(0, 3600)) + duration
        rows.append(f"{_hex(f'app{app}')},{_hex(f'func{app}.{rng.integers(3)}')},{end!r},{duration:g}")
    return rows


def main(out: Path = FOLDER) -> list[Path]:
    """Write every sample into ``out``; return the paths written."""
    invocations, durations = azure_2019_rows()
    files = {
        ALIBABA: alibaba_rows(),
        GOOGLE_2011: google_2011_rows(),
        GOOGLE_2019: google_2019_rows(),
        AZURE_2019_INVOCATIONS: invocations,
        AZURE_2019_DURATIONS: durations,
        AZURE_2021: azure_2021_rows(),
    }
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, rows in files.items():
        _write(out / name, "\n".join(rows) + "\n")
        written.append(out / name)
    return written


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=FOLDER, help="folder to write the samples into")
    for path in main(parser.parse_args().out):
        print(path)
