"""pygym.adapters.to_gymnasium: a Gymnasium VectorEnv whose rows are the VecEnv's (env, agent) pairs."""

from __future__ import annotations

import subprocess

import gymnasium
import numpy as np
import pytest
from gymnasium.vector import AutoresetMode

import pygym
from pygym.adapters import to_gymnasium
from tests.adapters.common import SCENARIOS, random_actions
from tests.conftest import PYTHON, python_subprocess_env


def test_import_pygym_and_its_adapters_never_imports_torch() -> None:
    code = (
        "import sys, pygym, pygym.adapters, pygym.vector; "
        "names = ('torch', 'stable_baselines3', 'torchrl', 'tensordict', 'ray'); "
        "bad = [m for m in names if m in sys.modules]; "
        "print(bad); sys.exit(1 if bad else 0)"
    )
    done = subprocess.run([PYTHON, "-c", code], env=python_subprocess_env(), capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.strip() == "[]"


def test_views_are_reachable_from_pygym_vector() -> None:
    import pygym.adapters
    import pygym.vector

    assert pygym.vector.to_gymnasium is pygym.adapters.to_gymnasium
    assert pygym.vector.to_sb3 is pygym.adapters.to_sb3
    assert pygym.vector.to_torchrl is pygym.adapters.to_torchrl


@pytest.mark.jvm
@pytest.mark.parametrize("env_id", list(SCENARIOS))
def test_rows_are_the_vecenv_arrays_folded_over_whole_episodes(env_id: str) -> None:
    scenario, length = SCENARIOS[env_id]
    n, seed = 3, 7
    rng = np.random.default_rng(1)
    compared = ended_rows = 0
    with (
        pygym.make_vec(env_id, n, **scenario) as venv,
        to_gymnasium(pygym.make_vec(env_id, n, **scenario)) as view,
    ):
        a = venv.num_agents
        assert view.num_envs == n * a
        assert view.metadata["autoreset_mode"] is AutoresetMode.NEXT_STEP
        assert view.single_observation_space == venv.single_observation_space
        assert view.observation_space.shape == (n * a, *venv.single_observation_space.shape)
        obs, infos = venv.reset(seed=seed)
        view_obs, view_infos = view.reset(seed=seed)
        np.testing.assert_array_equal(view_obs, obs.reshape(n * a, -1))
        assert view.observation_space.contains(view_obs)
        np.testing.assert_array_equal(view.state(), np.repeat(venv.state(), a, axis=0))
        for _ in range(2 * length + 3):
            masks = infos.get("action_mask")
            actions = random_actions(rng, masks, (n, a, 2))
            if masks is not None:
                np.testing.assert_array_equal(view_infos["action_mask"], masks.reshape(n * a, -1))
                assert view_infos["action_mask"].dtype == bool
            obs, rewards, terms, truncs, infos = venv.step(actions)
            view_obs, view_rewards, view_terms, view_truncs, view_infos = view.step(
                actions.reshape(n * a, *actions.shape[2:])
            )
            np.testing.assert_array_equal(view_obs, obs.reshape(n * a, -1))
            np.testing.assert_array_equal(view_rewards, rewards.reshape(-1))
            np.testing.assert_array_equal(view_terms, terms.reshape(-1))
            np.testing.assert_array_equal(view_truncs, truncs.reshape(-1))
            assert view_rewards.dtype == np.float32 and view_terms.dtype == bool
            np.testing.assert_array_equal(view_infos["metrics"], infos["metrics"].reshape(n * a, -1))
            compared += 1
            if "_episode" in infos:
                mask = np.repeat(infos["_episode"], a)
                np.testing.assert_array_equal(view_infos["_episode"], mask)
                np.testing.assert_array_equal(
                    view_infos["episode"]["return"], infos["episode"]["return"].reshape(-1)
                )
                np.testing.assert_array_equal(
                    view_infos["episode"]["length"], np.repeat(infos["episode"]["length"], a)
                )
                ended_rows += int(mask.sum())
    assert compared == 2 * length + 3
    assert ended_rows >= n * a  # every env ended at least once


@pytest.mark.jvm
def test_same_step_mode_folds_final_observations() -> None:
    scenario, length = SCENARIOS["offload-mec-explaboff-v0"]
    with to_gymnasium(
        pygym.make_vec("offload-mec-explaboff-v0", 2, autoreset_mode="same_step", **scenario)
    ) as view:
        assert view.metadata["autoreset_mode"] is AutoresetMode.SAME_STEP
        view.reset(seed=3)
        finals = 0
        for _ in range(length):
            obs, _, terms, truncs, infos = view.step(np.zeros((view.num_envs, 2), np.float32))
            if "_final_obs" in infos:
                ended = infos["_final_obs"]
                np.testing.assert_array_equal(ended, terms | truncs)
                assert infos["final_obs"].shape == obs.shape
                finals += int(ended.sum())
        assert finals >= view.num_envs


@pytest.mark.jvm
def test_bad_actions_and_seeds_are_named_errors() -> None:
    scenario, _ = SCENARIOS["offload-neighbour-v0"]
    with to_gymnasium(pygym.make_vec("offload-neighbour-v0", 2, **scenario)) as view:
        view.reset(seed=1)
        rows = view.num_envs
        with pytest.raises(pygym.ActionError, match=r"shape \(2, 10\); expected \(20,\).*row i \* 10 \+ a"):
            view.step(np.zeros((2, 10), np.int64))
        with pytest.raises(pygym.ActionError, match="expected integers"):
            view.step(np.zeros(rows, np.float32))
        bad = np.zeros(rows, np.int64)
        bad[13] = 99
        with pytest.raises(pygym.ActionError, match="env 1, agent node_3: action 99 is outside"):
            view.step(bad)
        with pytest.raises(pygym.ConfigError, match="give one int"):
            view.reset(seed=[1, 2])
        view.step(np.zeros(rows, np.int64))  # nothing was half-applied
    with pytest.raises(pygym.ConfigError, match=r"pygym\.VecEnv"):
        to_gymnasium(gymnasium.make("CartPole-v1"))  # type: ignore[arg-type]
