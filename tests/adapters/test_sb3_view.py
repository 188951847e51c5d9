"""pygym.adapters.to_sb3: a Stable-Baselines3 VecEnv over the VecEnv, and SB3's own algorithms on it."""

from __future__ import annotations

import numpy as np
import pytest

import pygym
from pygym.adapters import to_sb3
from tests.adapters.common import SCENARIOS, random_actions

pytestmark = pytest.mark.jvm


def same_step(env_id: str, n: int) -> pygym.VecEnv:
    return pygym.make_vec(env_id, n, autoreset_mode="same_step", **SCENARIOS[env_id][0])


@pytest.mark.parametrize("env_id", list(SCENARIOS))
def test_steps_follow_the_vecenv_with_terminal_observations_and_episodes(env_id: str) -> None:
    from stable_baselines3.common.vec_env.util import obs_space_info  # noqa: F401  (SB3 importable)

    _, length = SCENARIOS[env_id]
    n, seed = 2, 11
    rng = np.random.default_rng(2)
    ended_rows = compared = 0
    with same_step(env_id, n) as venv, to_sb3(same_step(env_id, n)) as view:
        a = venv.num_agents
        view.seed(seed)
        obs = view.reset()
        venv_obs, infos = venv.reset(seed=seed)
        np.testing.assert_array_equal(obs, venv_obs.reshape(n * a, -1))
        for _ in range(2 * length + 1):
            masks = infos.get("action_mask")
            if masks is not None:
                np.testing.assert_array_equal(
                    np.stack(view.env_method("action_masks")), masks.reshape(n * a, -1)
                )
            actions = random_actions(rng, masks, (n, a, 2))
            venv_obs, rewards, terms, truncs, infos = venv.step(actions)
            obs, view_rewards, dones, row_infos = view.step(actions.reshape(n * a, *actions.shape[2:]))
            np.testing.assert_array_equal(obs, venv_obs.reshape(n * a, -1))
            np.testing.assert_array_equal(view_rewards, rewards.reshape(-1))
            np.testing.assert_array_equal(dones, (terms | truncs).reshape(-1))
            assert len(row_infos) == n * a
            compared += 1
            for row in np.flatnonzero(dones):
                i, agent = divmod(int(row), a)
                info = row_infos[row]
                np.testing.assert_array_equal(info["terminal_observation"], infos["final_obs"][i, agent])
                assert info["TimeLimit.truncated"] == bool(truncs[i, agent] and not terms[i, agent])
                assert info["episode"]["r"] == pytest.approx(
                    infos["final_info"]["episode"]["return"][i, agent]
                )
                assert info["episode"]["l"] == infos["final_info"]["episode"]["length"][i]
                ended_rows += 1
            assert all(not row_infos[row] for row in np.flatnonzero(~dones))
    assert compared == 2 * length + 1 and ended_rows >= n * a


def test_masks_only_for_discrete_actions_and_no_per_row_settings() -> None:
    with to_sb3(same_step("offload-mec-explaboff-v0", 1)) as view:
        assert not view.has_attr("action_masks")
        assert view.get_attr("render_mode") == [None] * view.num_envs
        assert view.env_is_wrapped(object) == [False] * view.num_envs
        with pytest.raises(AttributeError, match="agents of shared simulator sessions"):
            view.set_attr("render_mode", "human")
    with to_sb3(same_step("offload-neighbour-v0", 2)) as view:
        assert view.has_attr("action_masks")
        view.reset()
        assert np.stack(view.env_method("action_masks", indices=[0, 5])).shape == (2, 5)


def test_next_step_vecenv_and_bad_actions_are_named_errors() -> None:
    with (
        pygym.make_vec("offload-neighbour-v0", 1, episode_s=1) as venv,
        pytest.raises(pygym.ConfigError, match="autoreset_mode='same_step'"),
    ):
        to_sb3(venv)
    with to_sb3(same_step("offload-neighbour-v0", 2)) as view:
        view.reset()
        with pytest.raises(pygym.ActionError, match=r"expected \(20,\)"):
            view.step(np.zeros(19, np.int64))
        with pytest.raises(pygym.ActionError, match="outside"):
            view.step(np.full(20, -1))
        view.step(np.zeros(20, np.int64))


def test_seeded_sb3_ppo_is_reproducible_and_learns_from_the_view() -> None:
    from stable_baselines3 import PPO

    def run() -> tuple[np.ndarray, list[float]]:
        with to_sb3(same_step("offload-mec-explaboff-v0", 2)) as env:
            model = PPO("MlpPolicy", env, n_steps=32, batch_size=64, n_epochs=2, seed=5, verbose=0)
            model.learn(total_timesteps=2 * 6 * 32 * 2)
            returns = [e["r"] for e in model.ep_info_buffer]
            return next(iter(model.policy.parameters())).detach().numpy().copy(), returns

    weights, returns = run()
    again, returns_again = run()
    assert len(returns) >= 12  # 10-step episodes: 64 steps x 12 rows, logged from the view's infos
    assert returns == returns_again
    np.testing.assert_array_equal(weights, again)


def test_maskable_ppo_reads_the_masks() -> None:
    from sb3_contrib import MaskablePPO
    from sb3_contrib.common.maskable.utils import get_action_masks

    # Nodes with fewer neighbours than slots: some actions are masked.
    venv = pygym.make_vec(
        "offload-neighbour-v0", 1, autoreset_mode="same_step", episode_s=2, max_neighbours=8
    )
    with to_sb3(venv) as env:
        model = MaskablePPO("MlpPolicy", env, n_steps=20, batch_size=100, n_epochs=1, seed=1, verbose=0)
        model.learn(total_timesteps=env.num_envs * 20)
        obs = env.reset()
        masks = get_action_masks(env)
        assert masks.shape == (env.num_envs, 9) and not masks.all()
        for _ in range(20):
            actions, _ = model.predict(obs, action_masks=masks)
            assert masks[np.arange(env.num_envs), actions].all()
            obs, _, _, _ = env.step(actions)
            masks = get_action_masks(env)
        assert len(model.ep_info_buffer) == env.num_envs
