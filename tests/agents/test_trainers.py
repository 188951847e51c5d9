"""Every trainer on the real simulator with tiny budgets: through the real CLI in a subprocess (as CleanRL
tests its scripts), exact --resume in process, and the named errors of bad input."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import torch

from agents import trainer
from agents.common import checkpoint as checkpoints
from agents.common.errors import (
    CheckpointCorrupt,
    CheckpointMismatch,
    InvalidArgs,
    RunDirExists,
    UnsupportedEnv,
)
from agents.common.runs import read_metric
from agents.common.session import parse_args
from tests.conftest import pygym_cli

pytestmark = [pytest.mark.jvm, pytest.mark.slow]

# Episodes of 10 decisions, two envs: a run of 240 env steps holds 24 episodes.
TINY = ["--set", "episode_s=1", "--num-envs", "2", "--no-progress", "--seed", "3"]
OPTIONS = {
    "ddqn": [
        "--learning-starts",
        "40",
        "--batch-size",
        "16",
        "--hidden",
        "16",
        "--target-network-frequency",
        "60",
    ],
    "a2c": ["--num-steps", "5", "--hidden", "16"],
    "ppo": ["--num-steps", "10", "--hidden", "16", "--num-minibatches", "2", "--update-epochs", "2"],
}
VARIANTS = {
    "ddqn": ["--share-parameters"],
    "a2c": ["--centralized-critic"],
    "ppo": ["--share-parameters", "--centralized-critic"],  # MAPPO
}


@pytest.fixture(scope="module")
def trained_runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """One tiny run per trainer through ``pygym train`` (shared by the tests below)."""
    runs = tmp_path_factory.mktemp("runs")
    made = {}
    for algo in ("ddqn", "a2c", "ppo"):
        result = pygym_cli(
            "train", algo, *TINY, *OPTIONS[algo], *VARIANTS[algo],
            "--total-timesteps", "240", "--runs-dir", str(runs),
        )  # fmt: skip
        made[algo] = Path(result.stdout.strip().splitlines()[-1])
    return made


@pytest.mark.parametrize("algo", ["ddqn", "a2c", "ppo"])
def test_cli_run_writes_a_complete_run_directory(trained_runs: dict[str, Path], algo: str) -> None:
    run = trained_runs[algo]
    assert run.name.startswith(f"offload-neighbour-v0__{algo}__3__")
    config = json.loads((run / "config.json").read_text())
    assert config["algo"] == algo and config["env_id"] == "offload-neighbour-v0"
    assert config["scenario"] == {"episode_s": 1}
    assert config["args"]["total_timesteps"] == 240 and config["args"]["seed"] == 3
    assert config["contract_version"] == config["spec"]["contract_version"]
    assert "protocol.queue" in config["spec"]["config"] or "queue_capacity" in config["spec"]["config"]
    assert config["package_version"] and config["layout"]["action_meanings"][0] == "local"
    assert len(config["layout"]["observation_fields"]) == 34 and len(config["layout"]["agents"]) == 10
    summary = json.loads((run / "summary.json").read_text())
    assert summary["status"] == "finished" and summary["global_step"] >= 240
    assert summary["decisions"] == summary["global_step"] * 10
    assert summary["invalid_actions"] == 0  # masks honoured: the simulator counted no masked action
    assert summary["episodes"] >= 16
    assert 0 < summary["final_completion_ratio"] <= 1
    assert set(summary["time_s"]) >= {"env", "act", "learn", "other"} and summary["cpu_s"] > 0
    steps, returns = read_metric(run, "charts/episodic_return")
    assert len(steps) >= 8 and np.isfinite(returns).all()
    assert len(read_metric(run, "env/completion_ratio")[0]) == len(steps)
    loss_tag = "losses/td_loss" if algo == "ddqn" else "losses/policy_loss"
    assert len(read_metric(run, loss_tag)[0]) >= 1
    assert list(run.glob("events.out.tfevents.*"))
    saved = checkpoints.step_checkpoints(run)
    assert len(saved) >= 2 and saved[-1][0] == summary["global_step"]
    latest = checkpoints.load(run / "checkpoints" / "latest.pt")
    assert latest["global_step"] == summary["global_step"] and latest["algo"] == algo
    assert not [p for p in run.parent.iterdir() if p.name.startswith(".")]


def test_runs_compare_and_eval_read_the_runs(trained_runs: dict[str, Path], tmp_path: Path) -> None:
    root = trained_runs["ddqn"].parent
    listed = json.loads(pygym_cli("runs", str(root), "--json").stdout)
    assert sorted(r["algo"] for r in listed) == ["a2c", "ddqn", "ppo"]
    assert all(r["status"] == "finished" and r["steps"] >= 240 for r in listed)
    figure = tmp_path / "curves.png"
    compared = json.loads(pygym_cli("compare", str(root), "-o", str(figure), "--json").stdout)
    assert sorted(g["label"] for g in compared["groups"]) == ["a2c", "ddqn", "ppo"]
    assert figure.stat().st_size > 10_000
    table = pygym_cli("compare", str(root)).stdout
    assert "final figures" in table and "ppo" in table
    evaluated = json.loads(
        pygym_cli("eval", "--policy", f"local,{trained_runs['ppo']}", "--episodes", "2", "--json").stdout
    )["policies"]
    assert [p["policy"] for p in evaluated] == ["local", trained_runs["ppo"].name]
    assert all(p["episodes"] == 2 and p["steps"] == 20 for p in evaluated)


def test_compare_keeps_runs_of_different_rewards_apart(trained_runs: dict[str, Path], tmp_path: Path) -> None:
    root = tmp_path / "runs"
    default = shutil.copytree(trained_runs["ddqn"], root / "default")
    weighted = shutil.copytree(trained_runs["ddqn"], root / "weighted")
    config = json.loads((weighted / "config.json").read_text())
    config["scenario"]["reward_weights"] = {"latency": 1.5}
    (weighted / "config.json").write_text(json.dumps(config))
    compared = json.loads(pygym_cli("compare", str(default), str(weighted), "--json").stdout)
    groups = {g["label"]: g["runs"] for g in compared["groups"]}
    assert groups == {"ddqn [reward default]": [str(default)], "ddqn [reward latency=1.5]": [str(weighted)]}


def test_eval_of_a_checkpoint_on_another_layout_is_a_named_error(trained_runs: dict[str, Path]) -> None:
    result = pygym_cli(
        "eval", "--policy", str(trained_runs["ddqn"]), "--set", "max_neighbours=3", "--set", "episode_s=1",
        check=False,
    )  # fmt: skip
    assert result.returncode == 1
    assert "CheckpointMismatch" in result.stdout
    assert "observation fields: checkpoint has 34, env has 28" in " ".join(result.stdout.split())


def test_bad_cli_input_gives_named_errors(trained_runs: dict[str, Path], tmp_path: Path) -> None:
    unknown_algo = pygym_cli("train", "dqn", check=False)
    assert unknown_algo.returncode == 1 and "UnknownAlgorithm: unknown algorithm 'dqn'" in unknown_algo.stdout
    unknown_option = pygym_cli("train", "ppo", "--learning-rat", "1", check=False)
    assert unknown_option.returncode == 2 and "--learning-rat" in unknown_option.stderr
    run = trained_runs["a2c"]
    before = sorted(p.name for p in run.rglob("*"))
    exists = pygym_cli(
        "train", "a2c", *TINY, "--runs-dir", str(run.parent), "--run-name", run.name, check=False
    )  # fmt: skip
    assert exists.returncode == 1 and "RunDirExists" in exists.stdout and "--force" in exists.stdout
    assert sorted(p.name for p in run.rglob("*")) == before
    # Runs of different environments cannot be compared.
    other = tmp_path / "other"
    other.mkdir()
    config = json.loads((run / "config.json").read_text())
    (other / "config.json").write_text(json.dumps({**config, "env_id": "offload-mec-v0"}))
    shutil.copy(run / "metrics.csv", other / "metrics.csv")
    mixed = pygym_cli("compare", str(run), str(other), check=False)
    assert mixed.returncode == 1 and "CompareError" in mixed.stdout and "offload-mec-v0" in mixed.stdout


def _train(algo: str, runs: Path, *extra: str) -> Path:
    module = trainer(algo)
    argv = [
        *TINY,
        *OPTIONS[algo],
        "--total-timesteps",
        "240",
        "--checkpoint-every",
        "120",
        "--runs-dir",
        str(runs),
    ]
    return module.train(parse_args(module.Args, [*argv, *extra]))


def _state(run: Path) -> dict[str, Any]:
    return checkpoints.load(run / "checkpoints" / "latest.pt")


@pytest.mark.parametrize("algo", ["ddqn", "a2c", "ppo"])
def test_resume_of_a_run_stopped_halfway_ends_with_the_same_weights(tmp_path: Path, algo: str) -> None:
    whole = _train(algo, tmp_path, "--run-name", "whole")
    halted = _train(algo, tmp_path, "--run-name", "halted", "--halt-after", "120")
    assert _state(halted)["global_step"] == 120 and not (halted / "summary.json").exists()
    module = trainer(algo)
    module.train(parse_args(module.Args, ["--resume", str(halted), "--no-progress"]))
    a, b = _state(whole), _state(halted)
    assert a["global_step"] == b["global_step"] == 240
    compared = 0
    for model in a["models"]:
        for key, tensor in a["models"][model].items():
            assert torch.equal(tensor, b["models"][model][key]), f"{model}.{key} differs after resume"
            compared += tensor.numel()
    assert compared > 1000
    for name in a["normalizers"]:
        assert torch.equal(a["normalizers"][name]["mean"], b["normalizers"][name]["mean"])
    assert (
        read_metric(whole, "charts/episodic_return")[1].tolist()
        == read_metric(halted, "charts/episodic_return")[1].tolist()
    )
    if algo == "ddqn":
        assert torch.equal(a["replay"]["observations"], b["replay"]["observations"])


def test_resume_refuses_a_corrupt_checkpoint_and_a_layout_change(tmp_path: Path) -> None:
    run = _train("a2c", tmp_path, "--run-name", "r", "--halt-after", "120")
    latest = run / "checkpoints" / "latest.pt"
    good = latest.read_bytes()
    latest.write_bytes(good[:100])
    module = trainer("a2c")
    with pytest.raises(CheckpointCorrupt, match=r"latest\.pt cannot be read"):
        module.train(parse_args(module.Args, ["--resume", str(run)]))
    latest.write_bytes(good)
    config = json.loads((run / "config.json").read_text())
    config["scenario"]["max_neighbours"] = 3
    (run / "config.json").write_text(json.dumps(config))
    with pytest.raises(CheckpointMismatch, match="observation fields: checkpoint has 34, env has 28"):
        module.train(parse_args(module.Args, ["--resume", str(run)]))
    with pytest.raises(RunDirExists):
        _train("a2c", tmp_path, "--run-name", "r")


def test_value_based_trainer_refuses_continuous_actions(tmp_path: Path) -> None:
    module = trainer("ddqn")
    argv = ["--env", "offload-mec-explaboff-v0", "--set", "setting=2x3", "--runs-dir", str(tmp_path)]
    with pytest.raises(UnsupportedEnv, match="ddqn needs discrete actions; offload-mec-explaboff-v0 has Box"):
        module.train(parse_args(module.Args, argv))
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("algo", "argv", "message"),
    [
        ("ppo", ["--num-steps", "0"], "--num-steps 0: expected >= 1"),
        ("ppo", ["--num-minibatches", "0"], r"--num-minibatches 0: expected in \[1, batch\]"),
        ("ppo", ["--target-kl", "0"], "--target-kl 0.0: expected > 0"),
        ("a2c", ["--num-steps", "0"], "--num-steps 0: expected >= 1"),
        ("a2c", ["--gamma", "1.5"], r"--gamma 1.5: expected in \[0, 1\]"),
        ("ddqn", ["--batch-size", "64", "--buffer-size", "32"], "--buffer-size 32: expected >= batch_size"),
        ("ddqn", ["--exploration-fraction", "0"], r"--exploration-fraction 0.0: expected in \(0, 1\]"),
        ("ddqn", ["--num-envs", "0"], "--num-envs 0: expected >= 1"),
        ("mappo", ["--num-envs", "0"], "--num-envs 0: expected >= 1"),
        ("ppo", ["--torch-threads", "0"], "--torch-threads 0: expected >= 1"),
    ],
)
def test_options_out_of_range_are_named_before_anything_starts(
    tmp_path: Path, algo: str, argv: list[str], message: str
) -> None:
    module = trainer(algo)
    with pytest.raises(InvalidArgs, match=message):
        module.train(parse_args(module.Args, [*argv, "--runs-dir", str(tmp_path)]))
    assert list(tmp_path.iterdir()) == []
