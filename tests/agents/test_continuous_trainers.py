"""The five continuous-action trainers (ExplabOff, CMOff, MADDPG, MATD3, MAPPO) on the real simulator with
tiny budgets: through ``pygym train`` on offload-mec-explaboff-v0, in process on offload-mec-v0, exact
``--resume``, what ``--faithful`` stores, and the named errors of bad input."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import torch

from agents import trainer
from agents.common import checkpoint as checkpoints
from agents.common.errors import InvalidArgs, UnsupportedEnv
from agents.common.runs import read_metric
from agents.common.session import parse_args
from tests.conftest import pygym_cli

# The module's first test also runs the five CLI trainings of its fixture.
pytestmark = [pytest.mark.jvm, pytest.mark.slow, pytest.mark.timeout(900)]

ALGOS = ("explaboff", "cmoff", "maddpg", "matd3", "mappo")
# Four envs, episodes of at most 10 steps: 400 env steps hold 40 to 400 episodes.
TINY = [
    "--num-envs",
    "4",
    "--no-progress",
    "--seed",
    "3",
    "--eval-every-episodes",
    "40",
    "--eval-episodes",
    "4",
]
OFF_POLICY = ["--batch-size", "32", "--learning-starts", "100", "--train-every", "20", "--hidden", "16",
              "--log-every", "2"]  # fmt: skip
OPTIONS = {
    "explaboff": [*OFF_POLICY, "--good-min", "10", "--good-capacity", "50", "--bad-capacity", "50"],
    "cmoff": OFF_POLICY,
    "maddpg": OFF_POLICY,
    "matd3": OFF_POLICY,
    "mappo": ["--num-steps", "10", "--update-epochs", "2", "--num-minibatches", "2", "--hidden", "16"],
}
STEPS = 400


@pytest.fixture(scope="module")
def mec_runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """One tiny run per trainer through ``pygym train`` on the release's 2x3 setting."""
    runs = tmp_path_factory.mktemp("runs")
    made = {}
    for algo in ALGOS:
        result = pygym_cli(
            "train", algo, "--set", "setting=2x3", *TINY, *OPTIONS[algo],
            "--total-timesteps", str(STEPS), "--runs-dir", str(runs),
        )  # fmt: skip
        made[algo] = Path(result.stdout.strip().splitlines()[-1])
    return made


@pytest.mark.parametrize("algo", ALGOS)
def test_cli_run_trains_and_evaluates_deterministically(mec_runs: dict[str, Path], algo: str) -> None:
    run = mec_runs[algo]
    assert run.name.startswith(f"offload-mec-explaboff-v0__{algo}__3__")
    config = json.loads((run / "config.json").read_text())
    assert config["algo"] == algo and config["scenario"] == {"setting": "2x3"}
    assert config["layout"]["continuous_action_fields"] == ["server_choice", "offload_ratio"]
    assert len(config["layout"]["observation_fields"]) == 16 and len(config["layout"]["agents"]) == 3
    summary = json.loads((run / "summary.json").read_text())
    assert summary["status"] == "finished" and summary["global_step"] >= STEPS
    assert summary["episodes"] >= 40 and summary["cpu_s"] > 0
    # Evaluations: one before training, one per 40 training episodes, one at the end; 4 fixed episodes.
    steps, costs = read_metric(run, "eval/avg_cost")
    _, episodes = read_metric(run, "eval/episodes")
    _, success = read_metric(run, "eval/success_rate")
    assert steps[0] == 0 and episodes[0] == 0 and len(costs) >= 3
    assert episodes[-1] == summary["episodes"] and np.all(np.diff(episodes) > 0)
    assert np.all(costs > 0) and np.all((success >= 0) & (success <= 1))
    assert len(read_metric(run, "env/avg_cost")[0]) >= 10  # training episodes logged too
    updates = read_metric(run, "charts/updates")[1]
    assert len(updates) >= 1 and updates[-1] >= 2
    saved = checkpoints.step_checkpoints(run)
    assert len(saved) >= 2 and saved[-1][0] == summary["global_step"]
    latest = checkpoints.load(run / "checkpoints" / "latest.pt")
    assert latest["algo"] == algo and latest.get("replay") is None  # a finished run drops its replay


def test_explaboff_reaches_the_mi_phase_and_logs_its_diagnostics(mec_runs: dict[str, Path]) -> None:
    run = mec_runs["explaboff"]
    phase = read_metric(run, "charts/mi_phase")[1]
    # Plain DDPG until GOOD holds 10 transitions, then MI (logged as the mean over 2 iterations).
    assert phase[0] < 1 and phase[-1] == 1
    for tag in (
        "charts/mi_lower",
        "charts/mi_upper",
        "charts/mi_bonus",
        "losses/mi_lower",
        "losses/mi_upper",
    ):
        values = read_metric(run, tag)[1]
        assert len(values) >= 1 and np.isfinite(values).all(), tag
    good, bad = read_metric(run, "charts/good_size")[1], read_metric(run, "charts/bad_size")[1]
    assert good[-1] > 0 and bad[-1] > 0 and good[-1] <= 50
    # CMOff never enters the MI phase and logs no MI.
    assert set(read_metric(mec_runs["cmoff"], "charts/mi_phase")[1].tolist()) == {0.0}
    assert len(read_metric(mec_runs["cmoff"], "charts/mi_bonus")[0]) == 0


def test_matd3_counts_one_actor_update_per_two_critic_updates(mec_runs: dict[str, Path]) -> None:
    critic = read_metric(mec_runs["matd3"], "charts/critic_updates")[1]
    actor = read_metric(mec_runs["matd3"], "charts/actor_updates")[1]
    assert len(critic) >= 2 and critic[-1] >= 4
    assert (actor == critic // 2).all()
    plain_critic = read_metric(mec_runs["maddpg"], "charts/critic_updates")[1]
    assert (read_metric(mec_runs["maddpg"], "charts/actor_updates")[1] == plain_critic).all()


def test_pygym_eval_runs_a_trained_continuous_policy(mec_runs: dict[str, Path]) -> None:
    out = pygym_cli(
        "eval", "--policy", f"random,{mec_runs['explaboff']},{mec_runs['mappo']}", "--episodes", "3", "--json"
    )
    policies = json.loads(out.stdout)["policies"]
    assert [p["policy"] for p in policies] == ["random", mec_runs["explaboff"].name, mec_runs["mappo"].name]
    assert all(p["episodes"] == 3 and p["avg_cost"] > 0 for p in policies)


def _train(algo: str, runs: Path, *extra: str, steps: int = STEPS) -> Path:
    module = trainer(algo)
    argv = [*TINY, *OPTIONS[algo], "--total-timesteps", str(steps), "--runs-dir", str(runs), *extra]
    return module.train(parse_args(module.Args, argv))


@pytest.mark.parametrize("algo", ALGOS)
def test_every_trainer_also_trains_on_offload_mec_v0(tmp_path: Path, algo: str) -> None:
    run = _train(algo, tmp_path, "--env", "offload-mec-v0", "--set", "episode_steps=5", steps=200)
    summary = json.loads((run / "summary.json").read_text())
    assert summary["status"] == "finished" and summary["env_id"] == "offload-mec-v0"
    latest = checkpoints.load(run / "checkpoints" / "latest.pt")
    # SI-unit observations: "auto" normalises them, with statistics saved for evaluation.
    assert latest["normalizers"]["obs"]["count"] > 1 and latest["args"]["normalize_observations"] == "auto"
    assert len(read_metric(run, "eval/avg_cost")[0]) >= 2


def _replay_actions(run: Path) -> np.ndarray:
    replay = checkpoints.load(run / "checkpoints" / "latest.pt")["replay"]
    return replay["actions"].numpy()


def test_faithful_mode_stores_decoded_actions_and_the_default_raw_ones(tmp_path: Path) -> None:
    raw_run = _train(
        "explaboff", tmp_path, "--run-name", "raw", "--halt-after", "200", "--checkpoint-every", "200"
    )
    faithful_run = _train(
        "explaboff", tmp_path, "--run-name", "faithful", "--faithful", "--halt-after", "200",
        "--checkpoint-every", "200",
    )  # fmt: skip
    raw, decoded = _replay_actions(raw_run), _replay_actions(faithful_run)
    assert len(raw) >= 100 and len(decoded) >= 100
    # Raw actions: the actors' tanh outputs plus noise, anywhere in [-1, 1].
    assert raw.min() >= -1 and raw.max() <= 1 and (raw[..., 0] < 0).any()
    assert not np.isin(raw[..., 0], [0.0, 1.0]).all()
    # Decoded: [server index in {0, 1}, ratio in [0, 1]].
    assert np.isin(decoded[..., 0], [0.0, 1.0]).all() and (decoded[..., 1] >= 0).all()
    assert (decoded[..., 1] <= 1).all()
    assert checkpoints.load(faithful_run / "checkpoints" / "latest.pt")["args"]["faithful"] is True


def _weights(run: Path) -> dict[str, Any]:
    return checkpoints.load(run / "checkpoints" / "latest.pt")


@pytest.mark.parametrize("algo", ["explaboff", "matd3", "mappo"])
def test_resume_of_a_run_stopped_halfway_ends_with_the_same_weights(tmp_path: Path, algo: str) -> None:
    every = ["--checkpoint-every", "200"]
    whole = _train(algo, tmp_path, "--run-name", "whole", *every)
    halted = _train(algo, tmp_path, "--run-name", "halted", "--halt-after", "200", *every)
    assert _weights(halted)["global_step"] == 200 and not (halted / "summary.json").exists()
    module = trainer(algo)
    module.train(parse_args(module.Args, ["--resume", str(halted), "--no-progress"]))
    a, b = _weights(whole), _weights(halted)
    assert a["global_step"] == b["global_step"] >= STEPS
    compared = 0
    for model in a["models"]:
        for key, tensor in a["models"][model].items():
            assert torch.equal(tensor, b["models"][model][key]), f"{model}.{key} differs after resume"
            compared += tensor.numel()
    assert compared > 1000
    assert read_metric(whole, "eval/avg_cost")[1].tolist() == read_metric(halted, "eval/avg_cost")[1].tolist()
    if algo == "explaboff":
        for store in ("good", "bad"):
            assert torch.equal(a["extra"][store]["returns"], b["extra"][store]["returns"])


def test_bad_input_gives_named_errors(tmp_path: Path) -> None:
    with pytest.raises(
        UnsupportedEnv, match=r"explaboff needs continuous \(Box\) actions; offload-neighbour-v0"
    ):
        _train("explaboff", tmp_path, "--env", "offload-neighbour-v0", "--set", "episode_s=1")
    with pytest.raises(UnsupportedEnv, match="mappo needs continuous"):
        _train("mappo", tmp_path, "--env", "offload-neighbour-v0", "--set", "episode_s=1")
    with pytest.raises(InvalidArgs, match="cmoff is ExplabOff without the MI reward"):
        _train("cmoff", tmp_path, "--alpha", "1")
    with pytest.raises(InvalidArgs, match=r"--batch-size 1: expected >= 2"):
        _train("explaboff", tmp_path, "--batch-size", "1")
    with pytest.raises(InvalidArgs, match=r"--policy-delay 0"):
        _train("matd3", tmp_path, "--policy-delay", "0")
    assert list(tmp_path.iterdir()) == []  # nothing written
    cli = pygym_cli("train", "explaboff", "--set", "setting=4x4", "--runs-dir", str(tmp_path), check=False)
    assert cli.returncode == 1 and "ConfigError" in cli.stdout and "4x4" in cli.stdout


def test_mappo_trains_through_rollouts_in_which_every_step_is_an_autoreset(tmp_path: Path) -> None:
    # One-step rollouts of two envs: whenever both envs just ended, the rollout holds no valid step.
    run = _train("mappo", tmp_path, "--set", "setting=2x3", "--num-steps", "1", "--num-envs", "2",
                 "--num-minibatches", "1", steps=200)  # fmt: skip
    losses = read_metric(run, "losses/approx_kl")[1]
    assert json.loads((run / "summary.json").read_text())["status"] == "finished"
    assert len(losses) == 100 and (losses == 0).sum() >= 1  # some rollouts had nothing to learn from
