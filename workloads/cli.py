"""``pygym workload ...`` commands: convert traces, synthesise arrivals, inspect and fetch.

- ``convert TRACE INPUT... -o OUT``: a public trace into a workload file, with a report of every row and
  task read, written or skipped by reason.
- ``synth KIND -o OUT``: a seeded synthetic workload (Poisson, MMPP, diurnal, PeersimGym schedules).
- ``show FILE``: counts, arrival rate over time, size and deadline percentiles; ``--plot out.png``.
- ``fetch NAME --out DIR``: download a public trace (resumable, checksum-verified where published).
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from workloads import synth as synthetic
from workloads.distributions import parse_bytes_rule, parse_distribution
from workloads.errors import FetchError, OptionError, WorkloadError
from workloads.format import write_workload
from workloads.rng import stream
from workloads.sources import SourceRule
from workloads.traces import ConversionReport, ConvertOptions, convert_trace
from workloads.traces.common import DEFAULT_INPUT_BYTES, DEFAULT_OUTPUT_BYTES, DEFAULT_REF_HZ, DEFAULT_SOURCES

app = typer.Typer(help="Convert traces, synthesise arrivals, inspect workload files.", no_args_is_help=True)
console = Console()
err_console = Console(stderr=True)


class Trace(str, enum.Enum):
    """Traces ``convert`` reads."""

    alibaba_2018 = "alibaba-2018"
    google_2011 = "google-2011"
    google_2019 = "google-2019"
    azure_2019 = "azure-2019"
    azure_2021 = "azure-2021"


class Kind(str, enum.Enum):
    """Arrival processes ``synth`` generates."""

    poisson = "poisson"
    mmpp = "mmpp"
    diurnal = "diurnal"
    linear = "linear"
    zigzag = "zigzag"
    uniform_random = "uniform-random"
    hetero_uniform_random = "hetero-uniform-random"
    hetero_zigzag = "hetero-zigzag"


class Spread(str, enum.Enum):
    """How azure-2019 places a minute's invocations within it."""

    uniform = "uniform"
    poisson = "poisson"
    even = "even"


class Assign(str, enum.Enum):
    """How converted tasks are given source nodes."""

    hash = "hash"
    round_robin = "round-robin"
    random = "random"


Sources = Annotated[int, typer.Option(min=1, help="number of source nodes, named PREFIX0 .. PREFIX{N-1}")]
SourcePrefix = Annotated[str, typer.Option(help="prefix of the numbered source node names")]
SourceNames = Annotated[
    str | None,
    typer.Option(
        help="comma-separated source node names (topology names, e.g. rpi3_0,rpi3_1); overrides --sources"
    ),
]
Seed = Annotated[
    int, typer.Option(min=0, help="seed of every random draw; one seed reproduces the file byte for byte")
]
Output = Annotated[
    Path, typer.Option("-o", "--output", help="workload file to write (a .gz name compresses it)")
]
InputBytes = Annotated[
    str, typer.Option(help="bytes sent per task: per-cycle:ratio=R or a distribution (see `synth --help`)")
]
OutputBytes = Annotated[
    str, typer.Option(help="bytes of result per task: per-cycle:ratio=R or a distribution")
]


@contextmanager
def _errors() -> Iterator[None]:
    """Turn the package's errors into a clear message and a non-zero exit instead of a traceback."""
    try:
        yield
    except OptionError as e:
        raise typer.BadParameter(str(e)) from e
    except (WorkloadError, FetchError) as e:
        err_console.print(f"[bold red]error:[/] {e}", highlight=False, soft_wrap=True)
        raise typer.Exit(1) from e


def _source_rule(sources: int, prefix: str, names: str | None, mode: str = "hash") -> SourceRule:
    if names:
        return SourceRule(tuple(n.strip() for n in names.split(",") if n.strip()), mode)
    return SourceRule.numbered(sources, prefix, mode)


def _floats(option: str, text: str | None) -> tuple[float, ...]:
    if text is None:
        raise typer.BadParameter(f"{option} is required here")
    try:
        return tuple(float(v) for v in text.split(",") if v.strip())
    except ValueError:
        raise OptionError(option, text, "expected comma-separated numbers") from None


def _reject_unused(kind: str, given: dict[str, object], allowed: set[str]) -> None:
    for option, value in given.items():
        if value is not None and option not in allowed:
            raise OptionError(option, value, f"does not apply to {kind}")


@app.command("convert")
def convert(
    trace: Annotated[Trace, typer.Argument(help="which trace the input files hold")],
    inputs: Annotated[list[Path], typer.Argument(help="trace file(s), plain or gzip", show_default=False)],
    output: Output,
    ref_hz: Annotated[
        float, typer.Option(help="reference core clock, Hz: cycles per core-second of trace work")
    ] = DEFAULT_REF_HZ,
    deadline_slack: Annotated[
        float, typer.Option(help="deadline = arrival + SLACK x the run time recorded in the trace")
    ] = 2.0,
    no_deadlines: Annotated[bool, typer.Option("--no-deadlines", help="write no deadlines")] = False,
    time_scale: Annotated[
        float,
        typer.Option(help="multiply arrival offsets (0.1 replays 10x faster); run times are not scaled"),
    ] = 1.0,
    start_s: Annotated[
        float | None, typer.Option(help="keep tasks arriving at or after this trace time (s)")
    ] = None,
    end_s: Annotated[
        float | None, typer.Option(help="keep tasks arriving before this trace time (s)")
    ] = None,
    max_tasks: Annotated[
        int | None, typer.Option(min=0, help="keep only the first N tasks by arrival")
    ] = None,
    sources: Sources = DEFAULT_SOURCES,
    source_prefix: SourcePrefix = "node_",
    source_names: SourceNames = None,
    assign: Annotated[
        Assign,
        typer.Option(help="hash: crc32 of the job (a job stays on one node); round-robin; random (seeded)"),
    ] = Assign.hash,
    input_bytes: InputBytes = DEFAULT_INPUT_BYTES,
    output_bytes: OutputBytes = DEFAULT_OUTPUT_BYTES,
    seed: Seed = 0,
    lenient: Annotated[
        bool,
        typer.Option("--lenient", help="skip malformed rows and count them by reason instead of stopping"),
    ] = False,
    durations: Annotated[
        Path | None, typer.Option(help="azure-2019: the function_durations_percentiles file of the same day")
    ] = None,
    spread: Annotated[
        Spread | None,
        typer.Option(
            help="azure-2019: uniform (counts kept), poisson (counts drawn), even (default uniform)"
        ),
    ] = None,
    cores_per_unit: Annotated[
        float | None,
        typer.Option(help="google-*: reference cores per normalised CPU request of 1.0 (default 1)"),
    ] = None,
) -> None:
    """Convert a public trace into a workload file and report what was read, written and skipped.

    Example: pygym workload convert alibaba-2018 batch_task.csv -o w.csv --ref-hz 2.4e9 --deadline-slack 2.0
    """
    with _errors():
        name = trace.value
        specific: dict[str, object] = {
            "--durations": durations,
            "--spread": spread,
            "--cores-per-unit": cores_per_unit,
        }
        allowed = {"azure-2019": {"--durations", "--spread"}, "google-2011": {"--cores-per-unit"}}
        allowed["google-2019"] = allowed["google-2011"]
        _reject_unused(name, specific, allowed.get(name, set()))
        options = ConvertOptions(
            ref_hz=ref_hz,
            deadline_slack=None if no_deadlines else deadline_slack,
            time_scale=time_scale,
            start_s=start_s,
            end_s=end_s,
            max_tasks=max_tasks,
            sources=_source_rule(sources, source_prefix, source_names, assign.value),
            input_bytes=parse_bytes_rule(input_bytes, "--input-bytes"),
            output_bytes=parse_bytes_rule(output_bytes, "--output-bytes"),
            seed=seed,
            lenient=lenient,
        )
        report = convert_trace(
            name,
            inputs,
            output,
            options,
            durations=durations,
            spread=(spread or Spread.uniform).value,
            cores_per_unit=1.0 if cores_per_unit is None else cores_per_unit,
        )
    _print_report(report, output, options)


def _print_report(report: ConversionReport, output: Path, options: ConvertOptions) -> None:
    table = Table(title=f"{report.trace} -> {output}", show_header=True)
    table.add_column("what")
    table.add_column("count", justify="right")
    table.add_column("first example", overflow="fold")
    table.add_row("rows read", str(report.rows_read), "")
    for reason, count, example in report.rows_skipped.items():
        table.add_row(f"malformed row skipped: {reason}", str(count), example)
    table.add_row("task candidates", str(report.tasks_seen), "")
    for reason, count, example in report.tasks_skipped.items():
        table.add_row(f"task skipped: {reason}", str(count), example)
    for reason, count, example in report.adjustments.items():
        table.add_row(f"adjusted: {reason}", str(count), example)
    table.add_row("[bold]tasks written[/]", f"[bold]{report.tasks_written}[/]", "")
    console.print(table)
    for note in report.notes:
        console.print(f"note: {note}", highlight=False)
    console.print(
        f"synthesised (no trace records them): input_bytes {options.input_bytes}, output_bytes "
        f"{options.output_bytes}; sources: {options.sources}",
        highlight=False,
    )


@app.command("synth")
def synth(
    kind: Annotated[Kind, typer.Argument(help="arrival process")],
    output: Output,
    duration: Annotated[float, typer.Option(min=0.0, help="length of the workload, s")] = 600.0,
    rate: Annotated[
        float | None,
        typer.Option(
            help="poisson: rate per source, Hz (default 1); diurnal: mean rate per source, Hz (default 1)"
        ),
    ] = None,
    rates: Annotated[str | None, typer.Option(help="poisson: comma-separated rate per source, Hz")] = None,
    state_rates: Annotated[
        str | None, typer.Option(help="mmpp: comma-separated rate of each state, Hz")
    ] = None,
    mean_sojourn_s: Annotated[
        str | None, typer.Option(help="mmpp: comma-separated mean time in each state, s")
    ] = None,
    amplitude: Annotated[
        float | None, typer.Option(help="diurnal: relative swing of the rate, 0..1 (default 0.5)")
    ] = None,
    period_s: Annotated[
        float | None, typer.Option(help="diurnal: period of the rate curve, s (default 86400)")
    ] = None,
    peak_s: Annotated[
        float | None, typer.Option(help="diurnal: time of the peak within the period, s (default 50400)")
    ] = None,
    low_hz: Annotated[float | None, typer.Option(help="schedules: lowest rate, Hz (default 1)")] = None,
    high_hz: Annotated[float | None, typer.Option(help="schedules: highest rate, Hz (default 10)")] = None,
    step_hz: Annotated[float | None, typer.Option(help="linear, zigzag: rate step, Hz (default 1)")] = None,
    step_s: Annotated[
        float | None, typer.Option(help="schedules: time between rate changes, s (default 100)")
    ] = None,
    layer_sizes: Annotated[
        str | None,
        typer.Option(
            help="hetero-*: comma-separated nodes per layer, in source order (default one per node)"
        ),
    ] = None,
    sources: Sources = DEFAULT_SOURCES,
    source_prefix: SourcePrefix = "node_",
    source_names: SourceNames = None,
    cycles: Annotated[str, typer.Option(help="distribution of cycles per task")] = synthetic.DEFAULT_CYCLES,
    input_bytes: InputBytes = synthetic.DEFAULT_INPUT_BYTES,
    output_bytes: OutputBytes = synthetic.DEFAULT_OUTPUT_BYTES,
    deadline: Annotated[
        str, typer.Option(help="distribution of deadline_s - arrival_s, s")
    ] = synthetic.DEFAULT_DEADLINE,
    no_deadlines: Annotated[bool, typer.Option("--no-deadlines", help="write no deadlines")] = False,
    seed: Seed = 0,
) -> None:
    """Generate a seeded synthetic workload file: each source node draws its own arrivals and sizes.

    Distributions are NAME:key=value,...: const:value=V, uniform:low=A,high=B, exponential:mean=M,
    lognormal:median=M,sigma=S, gamma:shape=K,mean=M, pareto:shape=A,minimum=X,
    choice:values=V1;V2,weights=W1;W2. Byte rules also take per-cycle:ratio=R.

    Example: pygym workload synth poisson --rate 5 --duration 600 --sources 10 --seed 1 -o w.csv
    """
    with _errors():
        rule = _source_rule(sources, source_prefix, source_names)
        names = rule.names
        given: dict[str, object] = {
            "--rate": rate,
            "--rates": rates,
            "--state-rates": state_rates,
            "--mean-sojourn-s": mean_sojourn_s,
            "--amplitude": amplitude,
            "--period-s": period_s,
            "--peak-s": peak_s,
            "--low-hz": low_hz,
            "--high-hz": high_hz,
            "--step-hz": step_hz,
            "--step-s": step_s,
            "--layer-sizes": layer_sizes,
        }
        schedule = {"--low-hz", "--high-hz", "--step-s"}
        allowed = {
            Kind.poisson: {"--rate", "--rates"},
            Kind.mmpp: {"--state-rates", "--mean-sojourn-s"},
            Kind.diurnal: {"--rate", "--amplitude", "--period-s", "--peak-s"},
            Kind.linear: schedule | {"--step-hz"},
            Kind.zigzag: schedule | {"--step-hz"},
            Kind.uniform_random: schedule,
            Kind.hetero_uniform_random: schedule | {"--layer-sizes"},
            Kind.hetero_zigzag: schedule | {"--step-hz", "--layer-sizes"},
        }
        _reject_unused(kind.value, given, allowed[kind])
        lo = 1.0 if low_hz is None else low_hz
        hi = 10.0 if high_hz is None else high_hz
        step = 1.0 if step_hz is None else step_hz
        every = 100.0 if step_s is None else step_s
        builders: dict[Kind, Callable[[], dict[str, synthetic.ArrivalProcess]]] = {
            Kind.poisson: lambda: synthetic.per_source(
                names,
                [synthetic.Poisson(r) for r in _floats("--rates", rates)]
                if rates is not None
                else synthetic.Poisson(1.0 if rate is None else rate),
            ),
            Kind.mmpp: lambda: synthetic.per_source(
                names,
                synthetic.MMPP(
                    _floats("--state-rates", state_rates), _floats("--mean-sojourn-s", mean_sojourn_s)
                ),
            ),
            Kind.diurnal: lambda: synthetic.per_source(
                names,
                synthetic.Diurnal(
                    1.0 if rate is None else rate,
                    0.5 if amplitude is None else amplitude,
                    86_400.0 if period_s is None else period_s,
                    50_400.0 if peak_s is None else peak_s,
                ),
            ),
            Kind.linear: lambda: synthetic.per_source(names, synthetic.linear_schedule(lo, hi, step, every)),
            Kind.zigzag: lambda: synthetic.per_source(names, synthetic.zigzag_schedule(lo, hi, step, every)),
            Kind.uniform_random: lambda: synthetic.per_source(
                names, synthetic.uniform_random_schedule(duration, stream(seed, "schedule"), lo, hi, every)
            ),
            Kind.hetero_uniform_random: lambda: _layers(
                names, layer_sizes, "uniform-random", duration, seed, lo, hi, step, every
            ),
            Kind.hetero_zigzag: lambda: _layers(
                names, layer_sizes, "zigzag", duration, seed, lo, hi, step, every
            ),
        }
        processes = builders[kind]()
        shape = synthetic.TaskShape(
            cycles=parse_distribution(cycles, "--cycles"),
            input_bytes=parse_bytes_rule(input_bytes, "--input-bytes"),
            output_bytes=parse_bytes_rule(output_bytes, "--output-bytes"),
            deadline_s=None if no_deadlines else parse_distribution(deadline, "--deadline"),
        )
        tasks = synthetic.synthesize(processes, duration, shape, seed)
        described = sorted({p.describe() for p in processes.values()})
        comments = [
            f"synthetic {kind.value} workload, duration_s {duration:g}, {len(names)} sources: "
            + (", ".join(names) if len(names) <= 8 else f"{names[0]}, {names[1]}, ..., {names[-1]}"),
            *(f"process: {d}" for d in described[:20]),
            *shape.describe(),
            f"seed: {seed}",
        ]
        written = write_workload(output, tasks, comments=comments)
        expected = sum(p.expected_count(duration) for p in processes.values())
    console.print(
        f"wrote {written} tasks to {output} ({expected:.0f} expected from the processes' rates)",
        highlight=False,
    )


def _layers(
    names: tuple[str, ...],
    layer_sizes: str | None,
    kind: str,
    duration: float,
    seed: int,
    lo: float,
    hi: float,
    step: float,
    every: float,
) -> dict[str, synthetic.ArrivalProcess]:
    sizes = (
        [1] * len(names) if layer_sizes is None else [int(v) for v in _floats("--layer-sizes", layer_sizes)]
    )
    schedules = synthetic.heterogeneous_schedules(kind, len(sizes), duration, seed, lo, hi, step, every)
    return synthetic.layered(names, sizes, schedules)


@app.command("show")
def show(
    path: Annotated[Path, typer.Argument(help="workload file (plain or gzip)")],
    plot: Annotated[
        Path | None, typer.Option(help="also write a PNG of rates and distributions here")
    ] = None,
    bins: Annotated[int, typer.Option(min=1, help="time bins of the arrival-rate line and plot")] = 60,
    top: Annotated[int, typer.Option(min=0, help="sources listed by task count")] = 10,
) -> None:
    """Validate a workload file and print counts, the arrival rate over time and percentiles."""
    from workloads.show import PERCENTILES, arrival_rate, compact, sparkline, summarize
    from workloads.show import plot as plot_summary

    with _errors():
        summary = summarize(path)
    table = Table(title=str(path), show_header=False)
    table.add_column("what")
    table.add_column("value", justify="right")
    table.add_row("tasks", str(summary.tasks))
    table.add_row("sources", str(len(summary.tasks_per_source)))
    table.add_row(
        "first / last arrival (s)",
        f"{summary.arrival_s[0]:.3f} / {summary.arrival_s[-1]:.3f}" if summary.tasks else "-",
    )
    table.add_row("mean arrival rate (tasks/s)", f"{summary.mean_rate_hz:.4g}")
    table.add_row("tasks with dependencies", str(summary.tasks_with_dependencies))
    table.add_row("dependency edges", str(summary.dependency_edges))
    table.add_row("tasks without deadline", str(summary.tasks_without_deadline))
    console.print(table)
    for comment in summary.comments:
        console.print(f"  # {comment}", highlight=False, style="dim")
    if summary.tasks:
        _, rate_hz = arrival_rate(summary.arrival_s, bins)
        console.print(
            f"arrival rate over time ({bins} bins, peak {rate_hz.max():.4g} tasks/s):", highlight=False
        )
        console.print(f"  |{sparkline(rate_hz)}|", highlight=False)
        pct = Table(title="percentiles (p0 = min, p100 = max)")
        pct.add_column("quantity", no_wrap=True)
        for p in PERCENTILES:
            pct.add_column(f"p{p}", justify="right")
        for name, values in summary.percentile_rows():
            pct.add_row(name, *(compact(v) for v in values))
        console.print(pct)
        if top:
            per = Table(title=f"tasks per source (top {top})")
            per.add_column("source")
            per.add_column("tasks", justify="right")
            for source, count in summary.tasks_per_source.most_common(top):
                per.add_row(source, str(count))
            console.print(per)
    if plot is not None:
        console.print(f"plot written to {plot_summary(summary, plot, bins)}", highlight=False)


@app.command("fetch")
def fetch(
    name: Annotated[str | None, typer.Argument(help="trace name (see --list)", show_default=False)] = None,
    out: Annotated[Path, typer.Option(help="folder to download into")] = Path("traces"),
    part: Annotated[
        list[int] | None, typer.Option(help="google-2011: task_events part number(s), 0..499 (default 0)")
    ] = None,
    url: Annotated[str | None, typer.Option(help="download from this URL (a mirror) instead")] = None,
    sha256: Annotated[str | None, typer.Option(help="expected SHA-256 (overrides the publisher's)")] = None,
    verify: Annotated[bool, typer.Option(help="look up and check the publisher's checksum")] = True,
    extract: Annotated[bool, typer.Option(help="unpack tar archives after download")] = True,
    list_names: Annotated[bool, typer.Option("--list", help="list the traces that can be fetched")] = False,
) -> None:
    """Download a public trace: streamed with a progress bar, resumable, checksum-verified where published."""
    from dataclasses import replace

    from workloads import fetch as fetching

    if list_names or name is None:
        table = Table(title="fetchable traces")
        for column in ("name", "what", "url", "notes"):
            table.add_column(column, overflow="fold")
        for source in fetching.SOURCES.values():
            table.add_row(source.name, source.description, source.url, source.notes)
        for key, why in fetching.NOT_FETCHABLE.items():
            table.add_row(key, "-", "-", why)
        console.print(table)
        return
    with _errors():
        if part and name != "google-2011":
            raise OptionError("--part", part, "applies to google-2011 only")
        if name == "google-2011":
            sources = [fetching.google_2011_part(p) for p in part or [0]]
        else:
            sources = [fetching.source_named(name)]
        if url is not None:
            if len(sources) > 1:
                raise OptionError("--url", url, "names one file; give one --part with it")
            sources = [replace(sources[0], url=url)]
        for source in sources:
            result = fetching.fetch(source, out, sha256=sha256, verify=verify, extract=extract)
            status = "already present" if result.already_present else "downloaded"
            if result.resumed_from_bytes:
                status += f" (resumed after {result.resumed_from_bytes} bytes)"
            check = "SHA-256 verified" if result.verified else "unverified: no published checksum"
            console.print(f"{result.path}: {status}, {check}", highlight=False)
            for path in result.extracted:
                console.print(f"  unpacked {path}", highlight=False)
            if result.source.notes:
                console.print(f"  note: {result.source.notes}", highlight=False)
