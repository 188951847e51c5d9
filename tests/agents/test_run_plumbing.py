"""Run directories, checkpoints, metrics, seeding and --resume argument handling, without a simulator."""

from __future__ import annotations

import csv
import dataclasses
import json
import random
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import torch

from agents import a2c, ddqn, ppo, trainer
from agents.common import checkpoint as checkpoints
from agents.common.errors import (
    CheckpointCorrupt,
    CheckpointMismatch,
    ResumeMismatch,
    RunDirExists,
    RunNotFound,
    UnknownAlgorithm,
)
from agents.common.metrics import MetricsLogger
from agents.common.nets import ActorCritic
from agents.common.normalize import RunningNormalizer
from agents.common.policies import load_policy
from agents.common.runs import CONFIG, METRICS, create_run_dir, find_runs, read_metric
from agents.common.seeding import capture_rng, env_seed, restore_rng, seed_everything
from agents.common.session import args_from_config, auto_checkpoint_every, parse_args, parse_scenario

LAYOUT = {
    "env_id": "offload-neighbour-v0",
    "agents": ["node_0", "node_1", "node_2"],
    "observation_fields": ["queue_tasks", "cpu_hz", "nb0_queue_tasks", "nb1_queue_tasks"],
    "action_meanings": ["local", "neighbour 0", "neighbour 1"],
    "state_fields": ["node_0.queue_tasks", "node_1.queue_tasks"],
}


def _payload(algo: str, args: Any) -> dict[str, Any]:
    """A checkpoint of a freshly initialised ``algo`` network over LAYOUT, with fitted normaliser stats."""
    torch.manual_seed(5)
    args_dict = dataclasses.asdict(args)
    obs_dim, n_actions = len(LAYOUT["observation_fields"]), len(LAYOUT["action_meanings"])
    if algo == "ddqn":
        models: dict[str, torch.nn.Module] = {
            "q_network": ddqn.QNetwork(3, obs_dim, n_actions, args.hidden, args.share_parameters)
        }
    else:
        models = {"agent": ActorCritic(3, obs_dim, len(LAYOUT["state_fields"]), n_actions, args_dict)}
    normalizer = RunningNormalizer(obs_dim)
    normalizer.update(np.random.default_rng(0).normal([3, 1e9, 3, 3], [1, 3e8, 1, 1], size=(200, 4)))
    return {
        "algo": algo,
        "global_step": 64,
        "counters": {"resets": 1},
        "layout": LAYOUT,
        "args": args_dict,
        "models": {k: m.state_dict() for k, m in models.items()},
        "optimizers": {},
        "normalizers": {"obs": normalizer.state_dict()},
        "extra": {},
        "rng": capture_rng(np.random.default_rng(1)),
    }


@pytest.mark.parametrize(
    ("algo", "args"),
    [
        ("ddqn", ddqn.Args(hidden=(16,))),
        ("ddqn", ddqn.Args(hidden=(16,), share_parameters=True)),
        ("a2c", a2c.Args(hidden=(16,), centralized_critic=True)),
        ("ppo", ppo.Args(hidden=(16, 16), share_parameters=True)),
    ],
)
def test_checkpoint_save_then_load_gives_identical_greedy_actions(
    tmp_path: Path, algo: str, args: Any
) -> None:
    payload = _payload(algo, args)
    module = trainer(algo)
    before = module.greedy_policy(payload)
    checkpoints.save(tmp_path, payload, replay=None)
    policy = load_policy(tmp_path)
    assert policy.algo == algo and policy.global_step == 64
    rng = np.random.default_rng(2)
    compared = 0
    for _ in range(20):
        obs = rng.normal([3, 1e9, 3, 3], [2, 5e8, 2, 2], size=(8, 3, 4)).astype(np.float32)
        masks = rng.random((8, 3, 3)) < 0.6
        masks[..., 0] = True
        actions = policy.act(obs, {"action_mask": masks})
        assert np.array_equal(actions, before(obs, masks))
        assert masks[np.arange(8)[:, None], np.arange(3), actions].all()
        compared += actions.size
    assert compared == 480
    assert (tmp_path / "checkpoints" / "step_64.pt").is_file()


def test_step_checkpoints_leave_out_the_replay_buffer(tmp_path: Path) -> None:
    payload = _payload("ddqn", ddqn.Args(hidden=(8,)))
    replay = {"observations": torch.zeros(1000, 3, 4)}
    checkpoints.save(tmp_path, payload, replay=replay)
    latest = checkpoints.load(tmp_path / "checkpoints" / "latest.pt")
    step = checkpoints.load(tmp_path / "checkpoints" / "step_64.pt")
    assert latest["replay"]["observations"].shape == (1000, 3, 4)
    assert "replay" not in step
    assert [s for s, _ in checkpoints.step_checkpoints(tmp_path)] == [64]
    assert not [p for p in (tmp_path / "checkpoints").iterdir() if p.name.startswith(".")]


def test_corrupt_checkpoints_are_named(tmp_path: Path) -> None:
    payload = _payload("ddqn", ddqn.Args(hidden=(8,)))
    path = checkpoints.save(tmp_path, payload)
    data = path.read_bytes()
    truncated = tmp_path / "truncated.pt"
    truncated.write_bytes(data[: len(data) // 2])
    with pytest.raises(CheckpointCorrupt, match=r"truncated\.pt cannot be read"):
        checkpoints.load(truncated)
    text = tmp_path / "text.pt"
    text.write_text("not a checkpoint")
    with pytest.raises(CheckpointCorrupt, match="cannot be read"):
        checkpoints.load(text)
    partial = tmp_path / "partial.pt"
    torch.save({"format": 1, "algo": "ddqn"}, partial)
    with pytest.raises(CheckpointCorrupt, match="lacks global_step, layout, args, models, rng"):
        checkpoints.load(partial)
    with pytest.raises(CheckpointCorrupt, match="does not exist"):
        checkpoints.load(tmp_path / "missing.pt")
    (tmp_path / "empty_run").mkdir()
    with pytest.raises(CheckpointCorrupt, match="has no checkpoint yet"):
        load_policy(tmp_path / "empty_run")


def test_checkpoint_from_another_layout_names_what_differs() -> None:
    checkpoint = {"layout": LAYOUT}
    other = dict(LAYOUT, observation_fields=[*LAYOUT["observation_fields"], "nb2_queue_tasks"])
    with pytest.raises(
        CheckpointMismatch, match=r"observation fields: checkpoint has 4, env has 5 \(only in env: nb2"
    ):
        checkpoints.check_compatible(checkpoint, other, "x.pt")
    renamed = dict(LAYOUT, env_id="offload-mec-v0", action_meanings=["local", "server 0", "neighbour 1"])
    with pytest.raises(CheckpointMismatch) as error:
        checkpoints.check_compatible(checkpoint, renamed, "x.pt")
    assert "env id: checkpoint offload-neighbour-v0, env offload-mec-v0" in str(error.value)
    assert "actions: position 1 is 'neighbour 0' in the checkpoint, 'server 0' in the env" in str(error.value)
    checkpoints.check_compatible(checkpoint, dict(LAYOUT), "x.pt")


def test_run_directory_is_created_whole_and_refused_when_it_exists(tmp_path: Path) -> None:
    run = create_run_dir(tmp_path, "r1", {"algo": "ppo", "args": {"seed": 3}}, force=False)
    assert sorted(p.name for p in run.iterdir()) == ["checkpoints", CONFIG, METRICS]
    with pytest.raises(RunDirExists, match=r"--resume .*r1.* or --force"):
        create_run_dir(tmp_path, "r1", {"algo": "ppo", "args": {}}, force=False)
    (run / "checkpoints" / "old.pt").write_text("x")
    replaced = create_run_dir(tmp_path, "r1", {"algo": "a2c", "args": {"seed": 4}}, force=True)
    assert json.loads((replaced / CONFIG).read_text())["algo"] == "a2c"
    assert not (replaced / "checkpoints" / "old.pt").exists()
    assert [p.name for p in tmp_path.iterdir()] == ["r1"]  # no temporary directories left
    assert list(find_runs(tmp_path)) == [replaced]
    with pytest.raises(RunNotFound, match="neither a run directory"):
        list(find_runs(tmp_path / "nothing"))


def test_failed_config_write_leaves_no_directory(tmp_path: Path) -> None:
    with pytest.raises(TypeError, match="not JSON serialisable"):
        create_run_dir(tmp_path, "r2", {"algo": "ppo", "args": {}, "bad": object()}, force=False)
    assert list(tmp_path.iterdir()) == []


def test_metrics_resume_drops_rows_logged_after_the_checkpoint(tmp_path: Path) -> None:
    run = create_run_dir(tmp_path, "r", {"algo": "ppo", "args": {}}, force=False)
    logger = MetricsLogger(run)
    for step in (10, 20, 30, 40):
        logger.scalar("charts/episodic_return", step / 10, step)
    with pytest.raises(ValueError, match="outside the namespaces"):
        logger.scalar("return", 1.0, 50)
    logger.close()
    resumed = MetricsLogger(run, resume_step=20)
    resumed.scalar("charts/episodic_return", 9.0, 30)
    resumed.close()
    steps, values = read_metric(run, "charts/episodic_return")
    assert steps.tolist() == [10, 20, 30] and values.tolist() == [1.0, 2.0, 9.0]
    with open(run / METRICS) as f:
        assert next(csv.reader(f)) == ["step", "tag", "value", "wall_s"]


def test_rng_states_round_trip_through_a_checkpoint(tmp_path: Path) -> None:
    generator = seed_everything(11, torch_threads=1)
    state = capture_rng(generator)
    torch.save({"rng": state}, tmp_path / "rng.pt")
    first = (random.random(), np.random.random(), torch.rand(1).item(), generator.random())
    loaded = torch.load(tmp_path / "rng.pt", weights_only=True)
    restore_rng(loaded["rng"], generator)
    assert (random.random(), np.random.random(), torch.rand(1).item(), generator.random()) == first


def test_env_seeds_differ_between_runs_and_rounds() -> None:
    seeds = {env_seed(run, r) for run in range(1, 4) for r in range(50)}
    assert len(seeds) == 150
    assert all(0 <= s < 2**62 for s in seeds)
    assert env_seed(1, 0) == env_seed(1, 0)


def test_scenario_settings_parse_as_json_or_text() -> None:
    scenario = parse_scenario(
        ["arrival_rate_hz=8", "reward=dense", 'reward_weights={"latency": 1}', "x= a b"]
    )
    assert scenario == {"arrival_rate_hz": 8, "reward": "dense", "reward_weights": {"latency": 1}, "x": "a b"}
    import pygym

    with pytest.raises(pygym.ConfigError, match="key=value"):
        parse_scenario(["arrival_rate_hz"])


def test_resume_keeps_the_run_args(tmp_path: Path) -> None:
    args = ppo.Args(seed=3, hidden=(32,), total_timesteps=1000, halt_after=500)
    run = create_run_dir(tmp_path, "r", {"algo": "ppo", "args": dataclasses.asdict(args)}, force=False)
    resumed = parse_args(ppo.Args, ["--resume", str(run)])
    assert resumed.seed == 3 and resumed.hidden == (32,) and resumed.total_timesteps == 1000
    assert resumed.halt_after is None and resumed.resume == str(run)
    assert parse_args(ppo.Args, ["--resume", str(run), "--halt-after", "700"]).halt_after == 700
    with pytest.raises(ResumeMismatch, match=r"learning_rate \(0.0003 -> 0.1\)"):
        parse_args(ppo.Args, ["--resume", str(run), "--learning-rate", "0.1"])
    with pytest.raises(ResumeMismatch, match="does not know: mystery"):
        args_from_config(ppo.Args, {"args": {"mystery": 1}})
    with pytest.raises(RunNotFound, match="not a run directory"):
        parse_args(ppo.Args, ["--resume", str(tmp_path / "nope")])


def test_unknown_algorithm_and_unknown_option() -> None:
    with pytest.raises(UnknownAlgorithm, match="unknown algorithm 'dqn'; known: ddqn, a2c, ppo"):
        trainer("dqn")
    with pytest.raises(SystemExit) as exit_info:
        parse_args(ddqn.Args, ["--learning-rat", "0.1"])
    assert exit_info.value.code == 2


def test_automatic_checkpoints_fall_on_whole_episodes() -> None:
    # 300-step episodes plus the autoreset step, 8 envs: multiples of 2408 env steps.
    assert auto_checkpoint_every(300_000, 8, 300) == 2408 * 13
    assert auto_checkpoint_every(240, 2, 10) == 44
    assert auto_checkpoint_every(1000, 4, 0) == 100  # no fixed episode length: a tenth of the run
