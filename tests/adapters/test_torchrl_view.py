"""pygym.adapters.to_torchrl: a TorchRL EnvBase with a batch of envs and one agent group."""

from __future__ import annotations

import numpy as np
import pytest

import pygym
from pygym.adapters import to_torchrl
from tests.adapters.common import SCENARIOS

pytestmark = pytest.mark.jvm

torch = pytest.importorskip("torch")


def view_of(env_id: str, n: int):  # type: ignore[no-untyped-def]
    return to_torchrl(pygym.make_vec(env_id, n, autoreset_mode="same_step", **SCENARIOS[env_id][0]))


@pytest.mark.parametrize("env_id", list(SCENARIOS))
def test_check_env_specs_passes_and_rollouts_cross_episodes(env_id: str) -> None:
    from torchrl.envs.utils import check_env_specs

    _, length = SCENARIOS[env_id]
    n = 3
    env = view_of(env_id, n)
    try:
        check_env_specs(env, seed=4)
        a = env.n_agents
        assert env.group_map == {"agents": env.venv.possible_agents}
        assert env.reward_key == ("agents", "reward") and env.action_key == ("agents", "action")
        env.set_seed(4)
        steps = 2 * length + 2
        rollout = env.rollout(steps, break_when_any_done=False)
        assert rollout.batch_size == torch.Size([n, steps])
        assert rollout["next", "agents", "reward"].shape == (n, steps, a, 1)
        assert rollout["next", "state"].shape == (n, steps, env.venv.state_space.shape[0])
        done = rollout["next", "done"].squeeze(-1)
        assert done.sum(dim=1).min() >= 2  # every env ended twice and was reset by TorchRL
        # After a done, the next root observation is a new episode's first: the rollout's data must match
        # a fresh VecEnv replaying the same actions.
        with pygym.make_vec(env_id, n, autoreset_mode="same_step", **SCENARIOS[env_id][0]) as venv:
            obs, _ = venv.reset(seed=4)
            for t in range(steps):
                np.testing.assert_array_equal(rollout["agents", "observation"][:, t].numpy(), obs)
                actions = rollout["agents", "action"][:, t].numpy()
                obs, rewards, terms, truncs, infos = venv.step(actions)
                np.testing.assert_array_equal(
                    rollout["next", "agents", "reward"][:, t, :, 0].numpy(), rewards
                )
                expected = obs.copy()
                if "_final_obs" in infos:
                    expected[infos["_final_obs"]] = infos["final_obs"][infos["_final_obs"]]
                np.testing.assert_array_equal(
                    rollout["next", "agents", "observation"][:, t].numpy(), expected
                )
                np.testing.assert_array_equal(done[:, t].numpy(), (terms | truncs)[:, 0])
    finally:
        env.close()


def test_masks_in_the_spec_and_seeded_resets_reproduce() -> None:
    env = view_of("offload-neighbour-v0", 2)
    try:
        assert ("agents", "action_mask") in env.observation_spec.keys(True, True)
        assert env.observation_spec["agents", "action_mask"].dtype == torch.bool
        env.set_seed(9)
        first = env.reset()
        env.set_seed(9)
        again = env.reset()
        assert (first["agents", "observation"] == again["agents", "observation"]).all()
        assert first["agents", "action_mask"].dtype == torch.bool
        partial = first.clone()
        partial["_reset"] = torch.tensor([[True], [False]])
        with pytest.raises(pygym.SessionError, match=r"reset of envs \[0\] that have not ended"):
            env.reset(partial)
        bad = env.rand_action(first)
        bad["agents", "action"] = torch.zeros(2, 10, 3, dtype=torch.int64)
        with pytest.raises(pygym.ActionError, match=r"shape \(2, 10, 3\); expected \(2, 10\)"):
            env.step(bad)
        bad["agents", "action"] = torch.zeros(2, 10)
        with pytest.raises(pygym.ActionError, match="expected integers"):
            env.step(bad)
        bad["agents", "action"] = torch.full((2, 10), 77)
        with pytest.raises(pygym.ActionError, match="outside"):
            env.step(bad)
    finally:
        env.close()
    with (
        pygym.make_vec("offload-neighbour-v0", 1, episode_s=1) as venv,
        pytest.raises(pygym.ConfigError, match="autoreset_mode='same_step'"),
    ):
        to_torchrl(venv)
