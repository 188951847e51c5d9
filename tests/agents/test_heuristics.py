"""The heuristic policies on the real simulator, and `pygym eval`."""

from __future__ import annotations

import json
import math
import subprocess
from pathlib import Path

import numpy as np
import pytest

import agents
from agents.evaluation import evaluate
from agents.heuristics import POLICIES, make_policy
from tests.conftest import PYTHON, REPO, python_subprocess_env


def test_agents_package_is_this_repository() -> None:
    # Another distribution (the OpenAI Agents SDK) also installs a top-level `agents`.
    assert Path(agents.__file__).resolve().is_relative_to(REPO)


def test_least_queue_picks_the_shortest_known_queue() -> None:
    class Env:
        observation_fields = ("queue_tasks", "nb0_queue_tasks", "nb1_queue_tasks")
        action_meanings = ("local", "neighbour 0", "neighbour 1")

    policy = make_policy("least-queue")
    policy.reset(Env(), 0)
    obs = {"a": np.array([4, 2, 1], np.float32), "b": np.array([1, 1, 0], np.float32)}
    infos = {
        "a": {"action_mask": np.array([1, 1, 0], np.int8)},
        "b": {"action_mask": np.array([1, 1, 1], np.int8)},
    }
    assert policy.act(obs, infos) == {"a": 1, "b": 2}


@pytest.mark.jvm
@pytest.mark.parametrize("name", list(POLICIES))
def test_each_policy_runs_an_episode(short_env, name: str) -> None:
    summary = evaluate(short_env, make_policy(name), episodes=1, seed=3)
    assert summary.steps == 100
    assert summary.arrived > 100
    dropped = summary.dropped_queue_full + summary.dropped_deadline + summary.dropped_dependency
    assert summary.completed + dropped + summary.unfinished == summary.arrived
    assert summary.dropped_dependency == 0  # Poisson tasks have no dependencies
    assert 0 < summary.completion_ratio <= 1
    assert summary.latency_p95_s >= summary.latency_mean_s > 0


@pytest.mark.jvm
def test_eval_cli_json() -> None:
    out = subprocess.run(
        [PYTHON, "-m", "pygym.cli", "eval", "--env", "offload-neighbour-v0", "--policy", "least-queue",
         "--episodes", "2", "--seed", "1", "--set", "episode_s=5", "--json"],
        capture_output=True, text=True, env=python_subprocess_env(), cwd=REPO, timeout=120,
    )  # fmt: skip
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout)
    assert result["episodes"] == 2 and result["steps"] == 100 and result["policy"] == "least-queue"
    for key in (
        "completion_ratio",
        "latency_mean_s",
        "latency_p95_s",
        "dropped_queue_full",
        "energy_j",
        "reward",
    ):
        assert math.isfinite(result[key]), key
