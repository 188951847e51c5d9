"""A scenario where nothing is decided: with ``serve_undecided`` (the default) every task of a lightly loaded
urban-sensing network replaying a workload at its ``rpi3_*`` devices starts on a free core before its agent
decides. The simulator reports it per step and agent (``decided`` stays 0, ``served_undecided`` counts every
task), so actions have no effect and two seeds give one trajectory; with ``serve_undecided=False`` every task
is decided."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pytest

import pygym
import topologies
import workloads
from pygym.envs.offload_neighbour import NothingDecidedWarning

pytestmark = pytest.mark.jvm


@pytest.fixture(scope="module")
def rpi3_workload(tmp_path_factory: pytest.TempPathFactory) -> Path:
    network = topologies.urban_sensing(seed=0)
    sources = [n.name for n in network.compute_nodes if n.name.startswith("rpi3_")]
    assert len(sources) == 14
    tasks = workloads.synthesize(
        {s: workloads.Poisson(1.0) for s in sources}, 30.0, workloads.TaskShape(), seed=1
    )
    path = tmp_path_factory.mktemp("undecided") / "rpi3.csv"
    workloads.write_workload(path, tasks)
    return path


def episode(workload: Path, seed: int, serve_undecided: bool) -> tuple[dict[str, float], np.ndarray]:
    """Totals of three metrics over a whole episode with random valid actions, and every observation; the
    episode record's figures of the same name must agree."""
    env = pygym.make(
        "offload-neighbour-v0",
        topology="urban-sensing",
        workload=str(workload),
        serve_undecided=serve_undecided,
        episode_s=60,
    )
    rng = np.random.default_rng(seed)
    totals = dict.fromkeys(("arrived", "decided", "served_undecided"), 0.0)
    observations = []
    try:
        obs, infos = env.reset(seed=seed)
        while True:
            assert env.last_frame is not None
            for name in totals:
                totals[name] += float(env.last_frame.metrics[:, env.metric_fields.index(name)].sum())
            observations.append(np.stack([obs[a] for a in env.possible_agents]))
            if not env.agents:
                assert env.episode is not None
                assert {name: float(env.episode[name]) for name in totals} == totals
                break
            actions = {a: int(rng.choice(np.flatnonzero(infos[a]["action_mask"]))) for a in env.agents}
            obs, _, _, _, infos = env.step(actions)
    finally:
        env.close()
    return totals, np.stack(observations)


def test_every_task_served_before_any_decision_is_reported(rpi3_workload: Path) -> None:
    with pytest.warns(NothingDecidedWarning, match="no decision mattered .* all 427 tasks started") as caught:
        first, first_obs = episode(rpi3_workload, 1, serve_undecided=True)
    assert len(caught) == 1
    with pytest.warns(NothingDecidedWarning):
        second, second_obs = episode(rpi3_workload, 2, serve_undecided=True)
    assert first["arrived"] == second["arrived"] == 427
    assert first["decided"] == second["decided"] == 0
    assert first["served_undecided"] == second["served_undecided"] == first["arrived"]
    # Actions had no effect: two seeds and two action streams give the same trajectory.
    assert first_obs.shape == second_obs.shape and first_obs.shape[0] > 300
    assert np.array_equal(first_obs, second_obs)


def test_without_serve_undecided_every_task_is_decided(rpi3_workload: Path) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error", NothingDecidedWarning)
        totals, _ = episode(rpi3_workload, 1, serve_undecided=False)
    assert totals["arrived"] == totals["decided"] == 427
    assert totals["served_undecided"] == 0
