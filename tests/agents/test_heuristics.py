"""The heuristic policies (batch in, batch out) on hand-made arrays and on the real simulator, and
`pygym eval`."""

from __future__ import annotations

import json
import math
import subprocess
from pathlib import Path
from types import SimpleNamespace

import gymnasium
import numpy as np
import pytest

import agents
from agents.evaluation import evaluate
from agents.heuristics import POLICIES, make_policy
from tests.conftest import PYTHON, REPO, SHORT, python_subprocess_env

NEIGHBOUR_ENV = SimpleNamespace(
    env_id="offload-neighbour-v0",
    num_envs=2,
    num_agents=2,
    observation_fields=("queue_tasks", "nb0_queue_tasks", "nb1_queue_tasks"),
    action_meanings=("local", "neighbour 0", "neighbour 1"),
    single_action_space=gymnasium.spaces.Discrete(3),
)


def test_agents_package_is_this_repository() -> None:
    # Another distribution (the OpenAI Agents SDK) also installs a top-level `agents`.
    assert Path(agents.__file__).resolve().is_relative_to(REPO)


def test_least_queue_picks_the_shortest_known_queue_among_the_allowed() -> None:
    policy = make_policy("least-queue")
    policy.start(NEIGHBOUR_ENV, np.arange(2))
    obs = np.array([[[4, 2, 1], [1, 1, 0]], [[0, 3, 3], [5, 5, 5]]], np.float32)
    masks = np.array([[[1, 1, 0], [1, 1, 1]], [[1, 1, 1], [1, 0, 1]]], bool)
    # env 0: the empty slot 2 is masked, so slot 1; ties go to the agent itself, then the lowest slot.
    np.testing.assert_array_equal(policy.act(obs, {"action_mask": masks}), [[1, 2], [0, 0]])


def test_random_and_round_robin_choose_only_allowed_actions() -> None:
    masks = np.zeros((2, 2, 3), bool)
    masks[..., 0] = True
    masks[0, 0, 2] = masks[1, 1, 1] = True
    obs = np.zeros((2, 2, 3), np.float32)
    counts = np.zeros((2, 2, 3), dtype=int)
    for name in ("random", "round-robin"):
        policy = make_policy(name)
        policy.start(NEIGHBOUR_ENV, np.array([5, 6]))
        for _ in range(300):
            actions = policy.act(obs, {"action_mask": masks})
            np.put_along_axis(
                counts, actions[..., None], np.take_along_axis(counts, actions[..., None], 2) + 1, 2
            )
    assert counts.sum() == 2 * 300 * 4 and not counts[~masks].any()
    assert (counts[masks] > 100).all()  # every allowed action is used by both policies


@pytest.mark.jvm
@pytest.mark.parametrize("name", list(POLICIES))
def test_each_policy_runs_episodes(name: str) -> None:
    import pygym

    with pygym.make_vec("offload-neighbour-v0", 2, task_records=True, **SHORT) as env:
        summary = evaluate(env, make_policy(name), episodes=3, seed=3).as_dict()
    assert summary["episodes"] == 3 and summary["steps"] == 300
    assert summary["arrived"] > 100
    dropped = summary["dropped_queue_full"] + summary["dropped_deadline"] + summary["dropped_dependency"]
    assert summary["completed"] + dropped + summary["unfinished"] == pytest.approx(summary["arrived"])
    assert summary["dropped_dependency"] == 0  # Poisson tasks have no dependencies
    assert 0 < summary["completion_ratio"] <= 1
    assert summary["latency_p95_s"] >= summary["latency_mean_s"] > 0


@pytest.mark.jvm
def test_evaluation_does_not_depend_on_the_number_of_envs() -> None:
    import pygym

    results = []
    for num_envs in (1, 3):
        with pygym.make_vec("offload-neighbour-v0", num_envs, task_records=True, **SHORT) as env:
            results.append(evaluate(env, make_policy("random"), episodes=4, seed=11).as_dict())
    assert results[0]["steps"] == 400 and results[0] == results[1]


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
