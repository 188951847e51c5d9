"""``observation="normalised"`` of offload-neighbour-v0 and offload-mec-v0: on a real episode, every value is
the raw one divided by the raw field's declared high (the factor the env cards document; fields whose high
is infinite, 0 or 1 are unchanged), and the state likewise; the keyword survives pickling; an unknown mode is
a named error listing the modes. (That normalised values stay inside their declared spaces over whole
episodes, with and without files, is ``test_spaces_contain.py``.)"""

from __future__ import annotations

import pickle
from pathlib import Path
from typing import Any

import gymnasium
import numpy as np
import pytest

import pygym
import topologies
import workloads
from pygym.errors import ConfigError

pytestmark = pytest.mark.jvm


def neighbour_workload(tmp: Path) -> dict[str, Any]:
    path = tmp / "neighbour.csv"
    tasks = workloads.synthesize(
        {f"node_{i}": workloads.Poisson(6.0) for i in range(10)}, 5.0, workloads.TaskShape(), seed=3
    )
    workloads.write_workload(path, tasks)
    return {"episode_s": 5, "workload": str(path), "queue_capacity": 4}


def mec_topology_workload(tmp: Path) -> dict[str, Any]:
    urban = topologies.urban_sensing(1, seed=2).with_routes()
    topology = tmp / "urban.json"
    topologies.save(urban, topology)
    devices = [n.name for n in urban.compute_nodes if n.agent and n.role == "device"]
    path = tmp / "mec.csv"
    tasks = workloads.synthesize(
        {d: workloads.Poisson(3.0) for d in devices}, 10.0, workloads.TaskShape(), seed=4
    )
    workloads.write_workload(path, tasks)
    return {"topology": str(topology), "workload": str(path), "episode_steps": 12}


CASES = {
    "neighbour": ("offload-neighbour-v0", lambda tmp: {"episode_s": 10, "arrival_rate_hz": 8}),
    "neighbour-workload": ("offload-neighbour-v0", neighbour_workload),
    "mec": ("offload-mec-v0", lambda tmp: {"episode_steps": 12, "n_devices": 4}),
    "mec-topology-workload": ("offload-mec-v0", mec_topology_workload),
}


def factors(space: gymnasium.spaces.Box) -> np.ndarray:
    """What the env cards document: a field is divided by its declared raw high if that is finite and neither
    0 nor 1; others keep their values."""
    high = space.high.astype(np.float32)
    return np.where(np.isfinite(high) & (high > 0) & (high != 1), high, np.float32(1))


@pytest.mark.parametrize("case", CASES)
def test_normalised_is_raw_divided_by_the_declared_highs(case: str, tmp_path: Path) -> None:
    env_id, scenario = CASES[case]
    kwargs = scenario(tmp_path)
    rng = np.random.default_rng(5)
    steps = values = 0
    with pygym.make(env_id, **kwargs) as raw, pygym.make(env_id, observation="normalised", **kwargs) as norm:
        raw_space = raw.observation_space(raw.possible_agents[0])
        norm_space = norm.observation_space(norm.possible_agents[0])
        assert isinstance(raw_space, gymnasium.spaces.Box) and isinstance(norm_space, gymnasium.spaces.Box)
        obs_factor = factors(raw_space)
        state_factor = factors(raw.state_space)
        scaled = obs_factor != 1
        assert scaled.sum() >= 10, "most fields are scaled"
        np.testing.assert_array_equal(norm_space.high[scaled], 1)
        for raw_field, norm_field, factor in zip(
            raw.spec_json["observation"], norm.spec_json["observation"], obs_factor, strict=True
        ):
            # The unit says what the value was divided by: "Hz / 2000000000".
            divided = norm_field["unit"].startswith(raw_field["unit"] + " / ")
            assert divided == (factor != 1), norm_field
        raw_obs, infos = raw.reset(seed=9)
        norm_obs, _ = norm.reset(seed=9)
        while True:
            for agent in raw_obs:
                np.testing.assert_array_equal(norm_obs[agent], raw_obs[agent] / obs_factor)
                values += int(np.count_nonzero(raw_obs[agent][scaled]))
            np.testing.assert_array_equal(norm.state(), raw.state() / state_factor)
            if not raw.agents:
                break
            actions: dict[str, Any] = {}
            for agent in raw.agents:
                if raw.continuous_action_fields:
                    actions[agent] = rng.uniform(-1, 1, 2).astype(np.float32)
                else:
                    actions[agent] = int(rng.choice(np.flatnonzero(infos[agent]["action_mask"])))
            raw_obs, raw_rewards, _, _, infos = raw.step(actions)
            norm_obs, norm_rewards, _, _, _ = norm.step(actions)
            assert norm_rewards == raw_rewards  # the mode changes the view, not the dynamics
            steps += 1
        assert not norm.agents
    assert steps >= 5 and steps == raw.last_frame.step
    assert values > 10 * steps, "scaled values compared, not zeros"


@pytest.mark.parametrize("env_id", ["offload-neighbour-v0", "offload-mec-v0"])
def test_the_mode_survives_pickling(env_id: str) -> None:
    with pygym.make(env_id, observation="normalised") as env:
        copy = pickle.loads(pickle.dumps(env))
        try:
            space = copy.observation_space(copy.possible_agents[0])
            assert isinstance(space, gymnasium.spaces.Box)
            assert space == env.observation_space(env.possible_agents[0])
            assert float(space.high.max()) == 1.0
        finally:
            copy.close()


@pytest.mark.parametrize("env_id", pygym.env_ids())
def test_an_unknown_observation_mode_is_a_named_error(env_id: str) -> None:
    with pytest.raises(
        ConfigError, match=r"'observation' = normalized.*expected one of (raw, normalised|normalised, raw)"
    ):
        pygym.make(env_id, observation="normalized")
