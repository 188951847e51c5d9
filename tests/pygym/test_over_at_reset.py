"""Episodes that are over at reset (a replayed workload whose tasks all finish or drop before the first
decision) come back with no live agents and their record, in the PettingZoo env and in the vector env."""

from __future__ import annotations

import numpy as np
import pytest
from pettingzoo.test import parallel_api_test

import pygym
import workloads

pytestmark = pytest.mark.jvm


@pytest.fixture
def one_task(tmp_path):
    path = tmp_path / "one.csv"
    workloads.write_workload(path, [workloads.Task(0.0, "node_0", "t0", 10**6, 1_000, 100, None, ())])
    return str(path)


@pytest.fixture
def fan_in(tmp_path):
    """A task that misses its deadline at once, and 5,000 tasks depending on it: all dropped at t = 0."""
    path = tmp_path / "fan.csv"
    head = workloads.Task(0.0, "node_1", "head", 10**12, 1_000, 100, 0.0, ())
    tails = [
        workloads.Task(0.0, f"node_{k % 5}", f"t{k}", 10**6, 1_000, 100, None, ("head",)) for k in range(5000)
    ]
    workloads.write_workload(path, [head, *tails])
    return str(path)


@pytest.mark.parametrize("workload", ["one_task", "fan_in"])
def test_an_episode_over_at_reset_has_no_live_agents(workload: str, request) -> None:
    path = request.getfixturevalue(workload)
    with pygym.make("offload-neighbour-v0", nodes=6, agents=4, workload=path) as env:
        _, infos = env.reset(seed=1)
        assert env.agents == [] and env.last_frame is not None and env.last_frame.truncated
        record = dict(zip(env.episode_fields, infos["node_0"]["episode"], strict=True))
        assert record["length"] == 0 and record["arrived"] >= 1
        assert (
            record["completed"] + record["dropped_deadline"] + record["dropped_dependency"]
            == record["arrived"]
        )
        steps = 0
        while env.agents:  # the standard loop runs no step
            env.step(dict.fromkeys(env.agents, 0))
            steps += 1
        assert steps == 0
        with pytest.raises(pygym.SessionError, match="call reset"):
            env.step({"node_0": 0})


def test_the_vector_env_reports_them_and_resets_them_again(one_task: str) -> None:
    with pygym.make_vec("offload-neighbour-v0", 3, nodes=6, agents=4, workload=one_task) as venv:
        _, infos = venv.reset(seed=1)
        assert infos["_episode"].tolist() == [True, True, True]
        assert infos["episode"]["length"].tolist() == [0, 0, 0]
        for _ in range(3):  # every call resets them again (their actions are ignored)
            _, rewards, terms, truncs, infos = venv.step(np.full((3, 4), 99))
            assert truncs.all() and not terms.any() and (rewards == 0).all()
            assert infos["_episode"].all()


def test_pettingzoo_api_holds_for_an_env_over_at_reset(one_task: str) -> None:
    with pygym.make("offload-neighbour-v0", nodes=6, agents=4, workload=one_task) as env:
        parallel_api_test(env, num_cycles=5)


def test_offload_mec_decides_a_lone_task_before_its_episode_ends(tmp_path) -> None:
    """offload-mec-v0 holds replayed tasks for a decision, so a one-task workload is never over at reset."""
    path = tmp_path / "one.csv"
    workloads.write_workload(path, [workloads.Task(0.0, "md_0", "t0", 10**6, 1_000, 100, None, ())])
    with pygym.make("offload-mec-v0", workload=str(path)) as env:
        env.reset(seed=1)
        assert env.agents == env.possible_agents
        env.step({a: np.zeros(2, np.float32) for a in env.agents})
        assert env.agents == [] and env.episode is not None and env.episode["tasks"] == 1
