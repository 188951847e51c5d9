"""Benchmark: trace conversion and workload-file reading, speed and peak memory.

Run ``python -m workloads.bench``. It writes synthetic Alibaba ``batch_task.csv`` files (DAG jobs of 1 to
8 tasks, rows shuffled so that every job's rows are scattered and the reader must group them) of 100
thousand and one million rows, plain and gzip, in a temporary folder. Each measurement runs in a fresh
child process that reports its own peak resident memory (``VmHWM``), so that one measurement's memory
never shows in another. The baseline row is a child that only imports the package.
"""

from __future__ import annotations

import argparse
import gzip
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from rich.console import Console
from rich.table import Table

from workloads.rng import stream

_MODULE = "workloads.bench"


def write_alibaba(path: Path, rows: int, seed: int = 1) -> int:
    """Write ``rows`` synthetic batch_task rows (gzip when the name ends in .gz); return the bytes written."""
    rng = stream(seed, "bench")
    sizes = rng.integers(1, 9, size=rows)
    ends = np.cumsum(sizes)
    sizes = sizes[: int(np.searchsorted(ends, rows)) + 1]
    sizes[-1] -= int(sizes.sum()) - rows
    job_start = rng.integers(86_400, 8 * 86_400, size=len(sizes))
    durations = rng.integers(1, 900, size=rows)
    instances = rng.integers(1, 100, size=rows)
    cpus = rng.choice([50, 100, 200, 400], size=rows)
    lines: list[str] = []
    row = 0
    for job, size in enumerate(sizes.tolist()):
        t = int(job_start[job])
        for k in range(1, size + 1):
            deps = "" if k == 1 else f"_{k - 1}" if k % 3 else f"_{k - 2}_{k - 1}" if k > 2 else "_1"
            duration = int(durations[row])
            name = f"{'MRJ'[k % 3]}{k}{deps}"
            lines.append(f"{name},{instances[row]},j_{job},1,Terminated,{t},{t + duration},{cpus[row]},0.5\n")
            t += duration + 1
            row += 1
    # Shuffled, so that the rows of a job are scattered and the reader must group them.
    text = "".join(lines[i] for i in rng.permutation(len(lines)).tolist()).encode()
    if path.name.endswith(".gz"):
        path.write_bytes(gzip.compress(text, compresslevel=1, mtime=0))
    else:
        path.write_bytes(text)
    return path.stat().st_size


def _peak_rss_mib() -> float:
    """This process's peak resident memory since it started (its own VmHWM, which exec resets; wait4's
    ru_maxrss would also count the parent's memory at fork time)."""
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    raise RuntimeError("no VmHWM in /proc/self/status")


def _child(args: list[str]) -> None:
    """Run one measured job in this process (called in a fresh child) and print its peak memory."""
    kind = args[0]
    if kind == "import":
        import workloads  # noqa: F401
    elif kind == "convert":
        from workloads.traces import ConvertOptions, convert_trace

        report = convert_trace("alibaba-2018", args[1], args[2], ConvertOptions(run_size=int(args[3])))
        if not (report.balanced() and report.tasks_written > 0):
            raise SystemExit(f"conversion wrote {report.tasks_written} tasks; report unbalanced")
    elif kind == "read":
        from workloads.format import read_workload

        if sum(1 for _ in read_workload(args[1], check_references=args[2] == "refs")) == 0:
            raise SystemExit("read no task")
    else:
        raise SystemExit(f"unknown child job {kind!r}")
    print(f"peak_rss_mib={_peak_rss_mib():.1f}")


def measure(job: list[str]) -> tuple[float, float]:
    """(wall seconds, peak resident MiB) of a fresh child process running ``job``."""
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", _MODULE, "--child", *job], capture_output=True, text=True, check=False
    )
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"benchmark job {job} failed ({done.returncode}): {done.stderr[-2000:]}")
    return elapsed, float(done.stdout.strip().rpartition("peak_rss_mib=")[2])


def main() -> None:
    """Generate the inputs, run every measurement, print the table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--child", nargs=argparse.REMAINDER, help=argparse.SUPPRESS)
    parser.add_argument("--rows", type=int, default=1_000_000, help="rows of the large inputs")
    args = parser.parse_args()
    if args.child:
        _child(args.child)
        return
    console = Console()
    table = Table(title="workloads: trace conversion and workload reading (each job a fresh process)")
    for column in ("job", "rows", "input MiB", "seconds", "rows/s", "peak RSS MiB"):
        table.add_column(column, justify="left" if column == "job" else "right", no_wrap=column != "job")
    _, base_rss = measure(["import"])
    table.add_row("import workloads (baseline)", "-", "-", "-", "-", f"{base_rss:.0f}")
    small, large = args.rows // 10, args.rows
    runs = [
        (small, "small.csv", 200_000),
        (large, "large.csv", 200_000),
        (large, "large.csv", 50_000),
        (large, "large.csv.gz", 200_000),
    ]
    with tempfile.TemporaryDirectory(prefix="workloads-bench-") as tmp:
        folder = Path(tmp)
        for rows, name, run_size in runs:
            source = folder / name
            if not source.exists():
                write_alibaba(source, rows)
            size_mib = source.stat().st_size / 2**20
            output = folder / "out.csv"
            seconds, rss = measure(["convert", str(source), str(output), str(run_size)])
            table.add_row(
                f"convert alibaba-2018 {name}, run_size {run_size:,}",
                f"{rows:,}",
                f"{size_mib:.1f}",
                f"{seconds:.1f}",
                f"{rows / seconds:,.0f}",
                f"{rss:.0f}",
            )
            if name == "large.csv" and run_size == 200_000:
                for mode, label in (
                    ("refs", "checking ids and references"),
                    ("norefs", "no reference check"),
                ):
                    seconds, rss = measure(["read", str(output), mode])
                    table.add_row(
                        f"read_workload, {label}",
                        f"{rows:,}",
                        f"{output.stat().st_size / 2**20:.1f}",
                        f"{seconds:.1f}",
                        f"{rows / seconds:,.0f}",
                        f"{rss:.0f}",
                    )
    console.print(table)
    console.print(
        f"python {sys.version.split()[0]}, {os.cpu_count()} cpus. Seconds include the child's start "
        "(about 0.3 s). Conversions write plain CSV; input rows are shuffled DAG jobs of 1-8 tasks.",
        highlight=False,
    )


if __name__ == "__main__":
    main()
