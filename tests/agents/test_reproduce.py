"""``pygym reproduce explaboff``: the plan and its bad input, the results folder rules, the report on
hand-made runs, and a tiny grid on Ray with the real JVM (a crashed run reported while the others complete,
an interrupted run resumed, a rerun that trains only what is missing)."""

from __future__ import annotations

import csv
import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from agents import trainer
from agents.common import sweep as sweeping
from agents.common.errors import InvalidArgs, ResultsFolderMismatch, UnknownAlgorithm
from agents.common.runs import read_metric
from agents.common.session import parse_args
from agents.reproduce import explaboff as reproduce
from tests.conftest import pygym_cli


def plan(tmp_path: Path, **overrides: Any) -> reproduce.Plan:
    options: dict[str, Any] = {
        "output": tmp_path / "results",
        "settings": ["2x3"],
        "methods": ["explaboff", "mappo"],
        "seeds": 1,
        "episodes": 40,
        "eval_every": 10,
        "eval_episodes": 4,
    }
    options.update(overrides)
    return reproduce.make_plan(**options)


def test_plan_expands_settings_methods_and_seeds_into_trials(tmp_path: Path) -> None:
    grid = plan(
        tmp_path,
        settings=["2x3", "3x7"],
        methods=["explaboff-faithful", "matd3"],
        seeds={"2x3": 2, "3x7": 1},
        episodes={"2x3": 100, "3x7": 50},
        eval_every=None,
        extra_args=["matd3.batch_size=64", "explaboff-faithful.hidden=[16, 16]"],
    )
    trials = grid.trials()
    assert len(trials) == 2 * 2 + 2 * 1
    first = trials[0]
    assert first.algo == "explaboff" and first.env == "offload-mec-explaboff-v0" and first.seed == 1
    assert first.run_dir == tmp_path / "results" / "runs" / "2x3" / "explaboff-faithful__1"
    assert first.args["set"] == ["setting=2x3"] and first.args["total_timesteps"] == 1000
    assert first.args["faithful"] is True and first.args["hidden"] == [16, 16]
    assert first.args["eval_every_episodes"] == 2  # 100 episodes / 50 evaluations
    matd3 = [t for t in trials if t.algo == "matd3" and "3x7" in str(t.run_dir)]
    assert len(matd3) == 1 and matd3[0].args["batch_size"] == 64 and matd3[0].args["total_timesteps"] == 500
    assert "--faithful" in first.argv()


@pytest.mark.parametrize(
    ("overrides", "error", "message"),
    [
        ({"settings": ["2x3", "4x4"]}, InvalidArgs, "unknown setting 4x4; known: 2x3, 2x5, 3x7"),
        ({"episodes": 0}, InvalidArgs, "--episodes 0 for 2x3: expected >= 1"),
        ({"episodes": {"3x7": 10}}, InvalidArgs, "--episodes gives no value for setting 2x3"),
        ({"seeds": 0}, InvalidArgs, "--seeds 0 for 2x3: expected >= 1"),
        ({"methods": ["explaboff", "sac"]}, UnknownAlgorithm, "unknown method sac; known: explaboff, cmoff"),
        ({"extra_args": ["mappo.batch"]}, InvalidArgs, "--arg expects METHOD.KEY=VALUE"),
        ({"extra_args": ["maddpg.hidden=[8]"]}, InvalidArgs, "method 'maddpg' is not in the grid"),
        ({"extra_args": ["mappo.batch_size=8"]}, Exception, r"mappo has no option\(s\) batch_size"),
    ],
)
def test_bad_plans_are_named_errors(
    tmp_path: Path, overrides: dict[str, Any], error: type, message: str
) -> None:
    with pytest.raises(error, match=message):
        plan(tmp_path, **overrides)
    assert not (tmp_path / "results").exists()


def test_a_folder_of_another_grid_or_of_other_files_is_refused(tmp_path: Path) -> None:
    first = plan(tmp_path)
    first.output.mkdir()
    (first.output / "notes.txt").write_text("mine")
    with pytest.raises(ResultsFolderMismatch, match=r"holds notes\.txt but no reproduce\.json"):
        reproduce.check_folder(first)
    (first.output / "notes.txt").unlink()
    manifest = reproduce.check_folder(first)
    (first.output / reproduce.MANIFEST).write_text(json.dumps(manifest))
    with pytest.raises(
        ResultsFolderMismatch, match=r"setting 2x3: folder \{'episodes': 40, 'eval_every': 10\}"
    ):
        reproduce.check_folder(plan(tmp_path, episodes=80))
    with pytest.raises(ResultsFolderMismatch, match="eval_episodes: folder 4, now 8"):
        reproduce.check_folder(plan(tmp_path, eval_episodes=8))
    with pytest.raises(ResultsFolderMismatch, match="method mappo"):
        reproduce.check_folder(plan(tmp_path, extra_args=["mappo.num_steps=5"]))
    # Another setting, method or seed extends the folder.
    merged = reproduce.check_folder(plan(tmp_path, settings=["2x3", "2x5"], methods=["cmoff"], seeds=2))
    assert set(merged["settings"]) == {"2x3", "2x5"} and set(merged["methods"]) == {
        "explaboff",
        "mappo",
        "cmoff",
    }
    assert merged["seeds"]["2x3"] == [1, 2]
    # A run directory made with other options is named.
    run = first.run_dir("2x3", "mappo", 1)
    run.mkdir(parents=True)
    (run / "config.json").write_text(
        json.dumps(
            {"algo": "mappo", "scenario": {"setting": "2x3"}, "args": {"seed": 1, "total_timesteps": 7}}
        )
    )
    with pytest.raises(ResultsFolderMismatch, match=r"mappo__1 was made by another grid: total_timesteps 7"):
        reproduce.check_folder(first)


def _fake_run(run_dir: Path, algo: str, setting: str, evaluations: list[tuple[int, float, float]]) -> None:
    """A run directory holding evaluations (training episodes, AvgCost, SuccRate) every 1000 env steps."""
    run_dir.mkdir(parents=True)
    (run_dir / "config.json").write_text(
        json.dumps({"algo": algo, "scenario": {"setting": setting}, "args": {}})
    )
    (run_dir / "summary.json").write_text(
        json.dumps({"status": "finished", "wall_s": 100.0, "cpu_s": 120.0, "env_steps_per_s": 5000.0})
    )
    with open(run_dir / "metrics.csv", "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["step", "tag", "value", "wall_s"])
        for i, (episodes, cost, success) in enumerate(evaluations):
            step = i * 1000
            for tag, value in (
                ("eval/episodes", episodes), ("eval/avg_cost", cost), ("eval/success_rate", success),
                ("eval/cpu_s", 60.0 * i), ("eval/reward", 60 / cost**2),
            ):  # fmt: skip
                writer.writerow([step, tag, value, i])
            writer.writerow([step, "charts/updates", 10 * i, i])
            writer.writerow([step, "charts/mi_bonus", 0.1 * i, i])
            writer.writerow([step, "charts/mi_phase", 1.0, i])


def test_report_on_hand_made_runs(tmp_path: Path) -> None:
    grid = plan(tmp_path, methods=["explaboff", "cmoff"], seeds=2, episodes=1000, eval_every=100)
    curves = {
        ("explaboff", 1): [(0, 3.0, 0.0), (500, 1.2, 0.96), (980, 1.0, 1.0), (1000, 0.98, 1.0)],
        ("explaboff", 2): [(0, 3.0, 0.0), (500, 1.4, 0.5), (990, 1.1, 0.97), (1000, 1.02, 0.99)],
        ("cmoff", 1): [(0, 3.0, 0.0), (500, 2.0, 0.2), (1000, 1.5, 0.6)],
        ("cmoff", 2): [(0, 3.0, 0.0), (500, 2.2, 0.1), (1000, 1.7, 0.4)],
    }
    outcomes = []
    for (method, seed), evaluations in curves.items():
        run_dir = grid.run_dir("2x3", method, seed)
        _fake_run(run_dir, method, "2x3", evaluations)
        trial = next(t for t in grid.trials() if t.run_dir == run_dir)
        outcomes.append(sweeping.Outcome(trial, "finished"))
    report = reproduce.build_report(grid, outcomes)
    rows = {r["method"]: r for r in report.rows}
    # Final: the evaluations in the last 5% of each run's episodes (>= 950), averaged, then over seeds.
    assert rows["explaboff"]["avg_cost"] == pytest.approx(((1.0 + 0.98) / 2 + (1.1 + 1.02) / 2) / 2)
    assert rows["cmoff"]["avg_cost"] == pytest.approx(1.6) and rows["cmoff"]["avg_cost_std"] == pytest.approx(
        0.1
    )
    assert rows["explaboff"]["episodes_to_success"] == "745 (2/2 seeds)"  # (500 + 990) / 2
    assert rows["cmoff"]["episodes_to_success"] == "never (0/2 seeds)"
    # Area under the cost curve of cmoff seed 1: trapezoids (3 + 2) / 2 * 500 + (2 + 1.5) / 2 * 500 over 1000.
    seed1 = next(r for r in report.results if r.method == "cmoff" and r.seed == 1)
    assert reproduce.area_under_cost(seed1) == pytest.approx(2.125)
    assert rows["explaboff"]["updates_per_s"] == pytest.approx(0.3) and rows["explaboff"]["cpu_min"] == 2.0
    ordering = report.orderings[0]
    assert ordering["order"] == ["explaboff", "cmoff"] and ordering["claim_holds"] is True
    target = next(t for t in report.targets if t["setting"] == "2x3")
    assert target["met"] is False and "on 1/2 seeds" in target["text"]  # seed 1 at 2 CPU min, seed 2 never
    report.write(grid.output)
    with open(grid.output / "evaluations.csv", newline="") as f:
        evaluations = list(csv.DictReader(f))
    assert len(evaluations) == sum(len(c) for c in curves.values())
    assert evaluations[0]["method"] == "explaboff" and evaluations[0]["setting"] == "2x3"
    table = (grid.output / "table.md").read_text()
    assert "| explaboff | 2/2 |" in table and "holds" in table and "## MI diagnostics" in table
    assert (grid.output / "figure.png").stat().st_size > 20_000 and (
        grid.output / "mi.png"
    ).stat().st_size > 0
    with open(grid.output / "mi.csv", newline="") as f:
        mi = list(csv.DictReader(f))
    assert [m["method"] for m in mi] == ["explaboff"] and float(mi[0]["mi_bonus"]) > 0


def pygym_reproduce(output: Path, *args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return pygym_cli("reproduce", "explaboff", "-o", str(output), *args, check=False, timeout_s=900, cwd=cwd)


TINY_GRID = [
    "--settings", "2x3", "--seeds", "1", "--episodes", "40", "--eval-every", "10", "--eval-episodes", "4",
    "--algos", "explaboff,mappo", "--max-concurrent", "2",
    "--arg", "explaboff.num_envs=4", "--arg", "explaboff.batch_size=32",
    "--arg", "explaboff.learning_starts=100", "--arg", "explaboff.train_every=20",
    "--arg", "explaboff.good_min=10", "--arg", "explaboff.hidden=[16]",
    "--arg", "mappo.num_envs=4", "--arg", "mappo.num_steps=10", "--arg", "mappo.hidden=[16]",
]  # fmt: skip


@pytest.mark.jvm
@pytest.mark.slow
@pytest.mark.timeout(1200)  # two Ray sweeps; a loaded 2-core machine needs minutes for each
def test_tiny_grid_reports_a_crashed_run_resumes_an_interrupted_one_and_reruns_only_what_is_missing(
    tmp_path: Path,
) -> None:
    output = tmp_path / "results"
    grid = reproduce.make_plan(
        output, ["2x3"], ["explaboff", "mappo"], 1, 40, 10, 4,
        [a for a in TINY_GRID[TINY_GRID.index("--arg"):] if a != "--arg"],
    )  # fmt: skip
    explaboff_trial, mappo_trial = grid.trials()
    # The grid had started (its manifest written) when ...
    output.mkdir()
    (output / reproduce.MANIFEST).write_text(json.dumps(reproduce.check_folder(grid)))
    # ... the ExplabOff run was interrupted after its first checkpoint (as if the machine went down).
    module = trainer("explaboff")
    argv = [*explaboff_trial.argv(), "--runs-dir", str(explaboff_trial.run_dir.parent)]
    argv += ["--run-name", explaboff_trial.run_dir.name, "--checkpoint-every", "200", "--halt-after", "200"]
    module.train(parse_args(module.Args, argv))
    # The MAPPO run crashed leaving a checkpoint that cannot be read.
    (mappo_trial.run_dir / "checkpoints").mkdir(parents=True)
    (mappo_trial.run_dir / "checkpoints" / "latest.pt").write_bytes(b"not a checkpoint")

    first = pygym_reproduce(output, *TINY_GRID)
    assert first.returncode == 1, first.stdout + first.stderr[-2000:]
    assert "failed runs/2x3/mappo__1" in " ".join(first.stdout.split())
    summary = json.loads((explaboff_trial.run_dir / "summary.json").read_text())
    assert summary["status"] == "finished" and summary["global_step"] >= 400
    # Resumed, not restarted: the checkpoint of the first session is still there, the metrics continue.
    steps = [int(p.stem.split("_")[1]) for p in (explaboff_trial.run_dir / "checkpoints").glob("step_*.pt")]
    assert 200 in steps and max(steps) == summary["global_step"]
    assert read_metric(explaboff_trial.run_dir, "eval/avg_cost")[0][0] == 0
    table = (output / "table.md").read_text()
    assert "## Failed runs" in table and "mappo__1" in table and "| explaboff | 1/1 |" in table
    assert "| mappo | 0/1 |" in table

    # The user removes the broken run; the rerun trains MAPPO only and leaves ExplabOff's run alone.
    before = (explaboff_trial.run_dir / "summary.json").stat().st_mtime_ns
    for path in sorted(mappo_trial.run_dir.rglob("*"), reverse=True):
        path.unlink() if path.is_file() else path.rmdir()
    mappo_trial.run_dir.rmdir()
    # Given as a relative path this time (Tune needs an absolute one: the grid resolves it).
    second = pygym_reproduce(Path(output.name), *TINY_GRID, "--json", cwd=output.parent)
    assert second.returncode == 0, second.stdout + second.stderr[-2000:]
    assert (explaboff_trial.run_dir / "summary.json").stat().st_mtime_ns == before
    payload = json.loads(second.stdout.strip().splitlines()[-1])
    rows = {r["method"]: r for r in payload["rows"]}
    assert rows["explaboff"]["runs_finished"] == rows["mappo"]["runs_finished"] == 1
    assert payload["failures"] == [] and payload["mi"][0]["method"] == "explaboff"
    # The reference heuristics on the same evaluation episodes: the size table meets every deadline.
    heuristics = {h["policy"].split()[0]: h for h in payload["heuristics"]}
    assert (
        heuristics["size-table"]["success_rate"] == 1.0 and 1.2 < heuristics["size-table"]["avg_cost"] < 1.4
    )
    assert heuristics["random"]["success_rate"] < 0.1
    assert "reference, size-table" in (output / "table.md").read_text()
    with open(output / "evaluations.csv", newline="") as f:
        evaluations = list(csv.DictReader(f))
    methods = {e["method"] for e in evaluations}
    assert methods == {"explaboff", "mappo"} and len(evaluations) >= 2 * 3
    assert all(0 <= float(e["success_rate"]) <= 1 and float(e["avg_cost"]) > 0 for e in evaluations)
    assert (output / "figure.png").stat().st_size > 20_000
    manifest = json.loads((output / "reproduce.json").read_text())
    assert manifest["outcomes"]["runs/2x3/mappo__1"]["status"] == "finished"
    assert manifest["outcomes"]["runs/2x3/explaboff__1"]["status"] == "skipped"

    # Another budget in the same folder is refused before anything runs.
    other = pygym_reproduce(output, *[("80" if a == "40" else a) for a in TINY_GRID])
    assert other.returncode == 1 and "ResultsFolderMismatch" in other.stdout
    bad = pygym_reproduce(tmp_path / "other", "--settings", "4x4")
    assert bad.returncode == 1 and "InvalidArgs: unknown setting 4x4" in bad.stdout
    zero = pygym_reproduce(tmp_path / "other", "--episodes", "0")
    assert zero.returncode == 1 and "--episodes 0 for 2x3: expected >= 1" in " ".join(zero.stdout.split())
    assert not (tmp_path / "other").exists()
