"""The ``pygym workload`` commands, run through typer's test runner."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from workloads import cli, load_workload
from workloads.cli import app
from workloads.samples import sample_paths

runner = CliRunner()


@pytest.fixture(autouse=True)
def wide_console(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tables as wide as their content, so that assertions do not depend on the terminal's width."""
    monkeypatch.setattr(cli.console, "width", 250)
    monkeypatch.setattr(cli.err_console, "width", 250)


def _run(*args: str | Path) -> str:
    result = runner.invoke(app, [str(a) for a in args])
    assert result.exit_code == 0, result.output
    return result.output


@pytest.mark.parametrize(
    ("trace", "extra", "written"),
    [
        ("alibaba-2018", (), 201),
        ("google-2011", ("--cores-per-unit", "2"), 36),
        ("google-2019", (), 46),
        ("azure-2019", ("--spread", "even"), 2183),
        ("azure-2021", (), 292),
    ],
)
def test_convert_every_sample(tmp_path: Path, trace: str, extra: tuple[str, ...], written: int) -> None:
    paths = sample_paths(trace)
    args: list[str | Path] = ["convert", trace, paths[0], "-o", tmp_path / "w.csv.gz", "--ref-hz", "2.4e9"]
    if trace == "azure-2019":
        args += ["--durations", paths[1]]
    output = _run(*args, "--deadline-slack", "2.0", *extra)
    assert "tasks written" in output and str(written) in output
    workload = load_workload(tmp_path / "w.csv.gz")
    assert len(workload) == written
    assert "ref_hz: 2.4e+09" in workload.comments


def test_convert_options_reach_the_file(tmp_path: Path) -> None:
    out = tmp_path / "w.csv"
    _run(
        "convert",
        "alibaba-2018",
        sample_paths("alibaba-2018")[0],
        "-o",
        out,
        "--max-tasks",
        "5",
        "--no-deadlines",
        "--source-names",
        "rpi3_0,rpi3_1",
        "--assign",
        "round-robin",
        "--input-bytes",
        "const:value=1000",
    )
    tasks = load_workload(out).tasks
    assert len(tasks) == 5
    assert [t.source for t in tasks] == ["rpi3_0", "rpi3_1", "rpi3_0", "rpi3_1", "rpi3_0"]
    assert {t.deadline_s for t in tasks} == {None} and {t.input_bytes for t in tasks} == {1000}


def test_convert_errors_are_clear(tmp_path: Path) -> None:
    bad = tmp_path / "bt.csv"
    bad.write_text("M1,1,j_1,1,Terminated,10,20,100,0.5\nM2_1,1,j_1,1,Terminated,x,30,100,0.5\n")
    result = runner.invoke(app, ["convert", "alibaba-2018", str(bad), "-o", str(tmp_path / "w.csv")])
    assert result.exit_code == 1
    assert f"{bad}:2: column 6 (start_time): 'x' is not a number" in result.output
    assert not (tmp_path / "w.csv").exists()
    lenient = runner.invoke(
        app, ["convert", "alibaba-2018", str(bad), "-o", str(tmp_path / "w.csv"), "--lenient"]
    )
    assert lenient.exit_code == 0 and "malformed row skipped: not a number" in lenient.output
    wrong = runner.invoke(
        app, ["convert", "alibaba-2018", str(bad), "-o", str(tmp_path / "w.csv"), "--durations", str(bad)]
    )
    assert wrong.exit_code == 2 and "does not apply to alibaba-2018" in wrong.output
    spec = runner.invoke(
        app,
        ["convert", "azure-2021", str(bad), "-o", str(tmp_path / "w.csv"), "--input-bytes", "normal:mean=1"],
    )
    assert spec.exit_code == 2 and "unknown distribution 'normal'" in spec.output


def test_synth_is_byte_reproducible_per_seed(tmp_path: Path) -> None:
    common = ["synth", "poisson", "--rate", "5", "--duration", "60", "--sources", "10"]
    _run(*common, "--seed", "1", "-o", tmp_path / "a.csv")
    _run(*common, "--seed", "1", "-o", tmp_path / "b.csv")
    _run(*common, "--seed", "2", "-o", tmp_path / "c.csv")
    assert (tmp_path / "a.csv").read_bytes() == (tmp_path / "b.csv").read_bytes()
    assert (tmp_path / "a.csv").read_bytes() != (tmp_path / "c.csv").read_bytes()
    tasks = load_workload(tmp_path / "a.csv").tasks
    assert abs(len(tasks) - 3000) < 4 * 3000**0.5
    assert len({t.source for t in tasks}) == 10


@pytest.mark.parametrize(
    "args",
    [
        ("mmpp", "--state-rates", "1,20", "--mean-sojourn-s", "30,5"),
        ("diurnal", "--rate", "2", "--period-s", "120", "--amplitude", "0.9"),
        ("linear", "--low-hz", "1", "--high-hz", "3", "--step-s", "20"),
        ("zigzag", "--step-s", "10"),
        ("uniform-random", "--step-s", "15"),
        ("hetero-uniform-random", "--layer-sizes", "1,2", "--step-s", "30"),
        ("hetero-zigzag", "--step-s", "30"),
        ("poisson", "--rates", "1,2,3", "--cycles", "choice:values=2e8;6e8,weights=4;6"),
    ],
)
def test_synth_kinds(tmp_path: Path, args: tuple[str, ...]) -> None:
    out = tmp_path / "w.csv"
    output = _run("synth", *args, "--duration", "120", "--sources", "3", "-o", out)
    tasks = load_workload(out).tasks
    assert tasks and f"wrote {len(tasks)} tasks" in output
    assert max(t.arrival_s for t in tasks) < 120


def test_synth_rejects_options_of_another_kind(tmp_path: Path) -> None:
    result = runner.invoke(app, ["synth", "poisson", "--state-rates", "1,2", "-o", str(tmp_path / "w.csv")])
    assert result.exit_code == 2 and "does not apply to poisson" in result.output
    result = runner.invoke(app, ["synth", "mmpp", "-o", str(tmp_path / "w.csv")])
    assert result.exit_code == 2 and "--state-rates" in result.output


def test_show_prints_counts_rates_percentiles_and_plots(tmp_path: Path) -> None:
    out = tmp_path / "w.csv"
    _run("convert", "alibaba-2018", sample_paths("alibaba-2018")[0], "-o", out)
    png = tmp_path / "w.png"
    output = _run("show", out, "--plot", png, "--bins", "20")
    for words in (
        "tasks",
        "201",
        "dependency edges",
        "arrival rate over time (20 bins",
        "p50",
        "cycles",
        "node_",
    ):
        assert words in output
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    broken = tmp_path / "broken.csv"
    broken.write_text(out.read_text().replace(",j_100:M1,", ",j_100 M1,", 1))
    result = runner.invoke(app, ["show", str(broken)])
    assert result.exit_code == 1 and "column 3 (task_id)" in result.output
