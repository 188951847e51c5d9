"""``observation="normalised"`` reaches the library views: ``pygym.make_vec`` passes it to the simulator,
and the Gymnasium, Stable-Baselines3 and TorchRL views declare the scaled bounds and hand out the scaled
values."""

from __future__ import annotations

import numpy as np
import pytest

import pygym
from pygym.adapters import to_gymnasium, to_sb3, to_torchrl
from tests.adapters.common import SCENARIOS, random_actions

pytestmark = pytest.mark.jvm

ENV_IDS = ["offload-neighbour-v0", "offload-mec-v0"]


def normalised(env_id: str, n: int) -> pygym.VecEnv:
    return pygym.make_vec(
        env_id, n, observation="normalised", autoreset_mode="same_step", **SCENARIOS[env_id][0]
    )


def within(obs: np.ndarray, low: np.ndarray, high: np.ndarray) -> bool:
    return bool(((obs >= low) & (obs <= high)).all())


@pytest.mark.parametrize("env_id", ENV_IDS)
def test_make_vec_and_the_gymnasium_and_sb3_views_are_normalised(env_id: str) -> None:
    _, length = SCENARIOS[env_id]
    n = 2
    rng = np.random.default_rng(3)
    checked = 0
    with (
        normalised(env_id, n) as venv,
        to_gymnasium(normalised(env_id, n)) as gym_view,
        to_sb3(normalised(env_id, n)) as sb3_view,
    ):
        space = venv.single_observation_space
        assert float(space.high.max()) == 1.0 and float(space.low.min()) == 0.0
        assert gym_view.single_observation_space == space
        assert sb3_view.observation_space == space
        obs, infos = venv.reset(seed=1)
        gym_obs, _ = gym_view.reset(seed=1)
        sb3_view.seed(1)
        sb3_obs = sb3_view.reset()
        for _ in range(length + 1):
            flat = obs.reshape(-1, obs.shape[-1])
            for batch in (flat, gym_obs, sb3_obs):
                assert within(batch, space.low, space.high)
                checked += len(batch)
            np.testing.assert_array_equal(gym_obs, flat)
            np.testing.assert_array_equal(sb3_obs, flat)
            actions = random_actions(rng, infos.get("action_mask"), (n, venv.num_agents, 2))
            obs, _, _, _, infos = venv.step(actions)
            rows = actions.reshape(-1, *actions.shape[2:])
            gym_obs, *_ = gym_view.step(rows)
            sb3_obs, *_ = sb3_view.step(rows)
    assert checked == 3 * (length + 1) * n * venv.num_agents


@pytest.mark.parametrize("env_id", ENV_IDS)
def test_the_torchrl_view_is_normalised(env_id: str) -> None:
    torch = pytest.importorskip("torch")
    env = to_torchrl(normalised(env_id, 2))
    try:
        spec = env.observation_spec["agents", "observation"]
        assert float(spec.space.high.max()) == 1.0
        rollout = env.rollout(4, break_when_any_done=False)
        obs = rollout["next", "agents", "observation"]
        assert obs.numel() > 0 and bool(((obs >= 0) & (obs <= 1)).all())
        assert bool(torch.isfinite(obs).all())
    finally:
        env.close()
