"""pygym sweep on Ray Tune: a local instance, a two-node cluster, failures reported, finished runs skipped."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from agents.common import sweep as sweeping
from agents.common.errors import SweepSpecError
from tests.conftest import PYTHON, python_subprocess_env

SPEC = """
name = "t"
runs_dir = "out"
[grid]
algo = ["ppo", "a2c"]
num_envs = [2, 0]
[args]
total_timesteps = 120
seed = 5
set = ["episode_s=1"]
hidden = [8]
[args.ppo]
num_steps = 10
[evaluate]
episodes = 2
heuristics = ["local"]
"""


def write_spec(folder: Path, text: str = SPEC, name: str = "spec.toml") -> Path:
    path = folder / name
    path.write_text(text)
    return path


def test_spec_errors_are_named(tmp_path: Path) -> None:
    with pytest.raises(SweepSpecError, match="does not exist"):
        sweeping.load_spec(tmp_path / "missing.toml")
    with pytest.raises(SweepSpecError, match="unknown key\\(s\\) grids"):
        sweeping.load_spec(write_spec(tmp_path, "[grids]\nalgo = ['ppo']\n"))
    with pytest.raises(SweepSpecError, match=r"grid\.algo: unknown algorithm 'sac'"):
        sweeping.load_spec(write_spec(tmp_path, "[grid]\nalgo = ['sac']\n"))
    with pytest.raises(SweepSpecError, match="ppo has no option\\(s\\) learning_rat"):
        sweeping.load_spec(write_spec(tmp_path, "[grid]\nalgo = ['ppo']\n[args]\nlearning_rat = 1\n"))
    with pytest.raises(SweepSpecError, match=r"grid\.seed must be a non-empty list"):
        sweeping.load_spec(write_spec(tmp_path, "[grid]\nalgo = ['ppo']\nseed = []\n"))
    with pytest.raises(SweepSpecError, match="cannot be parsed"):
        sweeping.load_spec(write_spec(tmp_path, "[grid\n"))
    with pytest.raises(SweepSpecError, match="needs algo"):
        sweeping.load_spec(None, {"seed": [1]})


def test_spec_expands_the_grid_into_named_trials(tmp_path: Path) -> None:
    spec = sweeping.load_spec(
        write_spec(tmp_path, SPEC.replace("name = ", "max_concurrent = 3\nname = "), "s.toml")
    )
    assert len(spec.trials) == 4 and spec.max_concurrent == 3
    assert spec.runs_dir == tmp_path / "out"
    names = [t.run_dir.name for t in spec.trials]
    assert len(set(names)) == 4 and all(
        n.startswith("offload-neighbour-v0__") and "__5__t-" in n for n in names
    )
    ppo = spec.trials[0]
    assert ppo.argv() == [
        "--env", "offload-neighbour-v0", "--seed", "5", "--no-progress", "--total-timesteps", "120",
        "--set", "episode_s=1", "--hidden", "8", "--num-steps", "10", "--num-envs", "2",
    ]  # fmt: skip
    # The same spec names the same run directories (so a rerun finds them); YAML reads the same.
    yaml = (
        "name: t\nruns_dir: out\ngrid: {algo: [ppo, a2c], num_envs: [2, 0]}\nargs:\n  total_timesteps: 120\n"
    )
    yaml += "  seed: 5\n  set: [episode_s=1]\n  hidden: [8]\n  ppo: {num_steps: 10}\n"
    again = sweeping.load_spec(write_spec(tmp_path, yaml, "s.yaml"))
    assert [t.run_dir for t in again.trials] == [t.run_dir for t in spec.trials]
    one = sweeping.load_spec(write_spec(tmp_path, SPEC, "s.toml"), {"algo": ["a2c"], "num_envs": [2]})
    assert len(one.trials) == 1 and one.trials[0].run_dir == spec.trials[2].run_dir


@pytest.mark.jvm
@pytest.mark.slow
def test_local_sweep_runs_trials_reports_failures_and_skips_finished_runs(tmp_path: Path) -> None:
    spec = write_spec(tmp_path)

    def sweep(*extra: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [PYTHON, "-m", "pygym.cli", "sweep", str(spec), "--json", "--max-concurrent", "2", *extra],
            capture_output=True,
            text=True,
            env=python_subprocess_env(),
            timeout=600,
        )

    first = sweep()
    assert first.returncode == 1, first.stderr[-3000:]  # two trials fail (num_envs = 0)
    result = json.loads(first.stdout.strip().splitlines()[-1])
    by_status: dict[str, list[dict]] = {}
    for outcome in result["outcomes"]:
        by_status.setdefault(outcome["status"], []).append(outcome)
    assert len(by_status["finished"]) == 2 and len(by_status["failed"]) == 2
    assert sorted(o["algo"] for o in by_status["finished"]) == ["a2c", "ppo"]
    for outcome in by_status["finished"]:
        run = Path(outcome["run"])
        assert (run / "config.json").is_file() and (run / "checkpoints" / "latest.pt").is_file()
        assert json.loads((run / "summary.json").read_text())["global_step"] >= 120
    for outcome in by_status["failed"]:
        assert "InvalidArgs: --num-envs 0: expected >= 1" in outcome["error"], outcome["error"]
    policies = [r["policy"] for r in result["evaluation"] if r["kind"] != "run"]
    assert policies == ["local", "ppo", "a2c"]
    assert all(r["episodes"] == 2 for r in result["evaluation"])
    assert (tmp_path / "out" / "comparison.json").is_file()
    assert Path(result["figures"][0]).stat().st_size > 10_000
    # Rerun of the finished part of the grid: nothing is trained again.
    stamps = {o["run"]: (Path(o["run"]) / "summary.json").stat().st_mtime_ns for o in by_status["finished"]}
    second = sweep("--grid", "num_envs=2", "--no-evaluate")
    assert second.returncode == 0, second.stderr[-3000:]
    again = json.loads(second.stdout.strip().splitlines()[-1])["outcomes"]
    assert [o["status"] for o in again] == ["skipped", "skipped"]
    assert all((Path(run) / "summary.json").stat().st_mtime_ns == t for run, t in stamps.items())


@pytest.mark.jvm
@pytest.mark.slow
def test_sweep_on_a_two_node_ray_cluster(tmp_path: Path) -> None:
    from ray.cluster_utils import Cluster

    cluster = Cluster(initialize_head=True, head_node_args={"num_cpus": 1})
    try:
        cluster.add_node(num_cpus=1)
        cluster.wait_for_nodes()
        spec = sweeping.load_spec(write_spec(tmp_path), {"num_envs": [2]})
        outcomes = sweeping.run(spec, address=cluster.address, max_concurrent=2)
    finally:
        cluster.shutdown()
    assert [o.status for o in outcomes] == ["finished", "finished"], [o.error for o in outcomes]
    for outcome in outcomes:
        assert (outcome.trial.run_dir / "checkpoints" / "latest.pt").is_file()
        assert outcome.summary is not None and outcome.summary["global_step"] >= 120
    # One CPU per node and one per trial: the two trials ran on the two nodes.
    assert len({o.node for o in outcomes}) == 2
