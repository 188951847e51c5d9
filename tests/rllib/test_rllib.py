"""pygym.rllib: every env id as an RLlib MultiAgentEnv, and RLlib's PPO training on it (run in the RLlib
virtualenv by ``make test-rllib``; skipped elsewhere)."""

from __future__ import annotations

import math
import re
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest

import pygym
from tests.adapters.common import SCENARIOS, random_actions
from tests.readme_recipes import run_recipe

pytestmark = pytest.mark.jvm


@pytest.fixture(scope="module")
def rllib() -> ModuleType:
    """pygym.rllib, imported only where RLlib's extra is installed (conftest skips these tests elsewhere)."""
    import pygym.rllib

    return pygym.rllib


def test_register_makes_every_env_id_an_rllib_env(rllib: ModuleType) -> None:
    from ray.tune.registry import ENV_CREATOR, _global_registry

    assert rllib.register() == pygym.env_ids()
    for env_id in pygym.env_ids():
        assert _global_registry.contains(ENV_CREATOR, env_id)


@pytest.mark.parametrize("env_id", list(SCENARIOS))
def test_seeded_episodes_reproduce_and_follow_rllibs_conventions(rllib: ModuleType, env_id: str) -> None:
    from ray.rllib.utils.pre_checks.env import check_multiagent_environments

    scenario, length = SCENARIOS[env_id]
    runs = []
    for _ in range(2):
        env = rllib.PygymMultiAgentEnv(env_id, scenario)
        check_multiagent_environments(env)
        rng = np.random.default_rng(3)
        obs, infos = env.reset(seed=21)
        trace = [np.stack(list(obs.values()))]
        episodes = steps = 0
        while episodes < 2:
            masks = (
                np.stack([i["action_mask"] for i in infos.values()])
                if "action_mask" in infos[env.agents[0]]
                else None
            )
            actions = random_actions(rng, masks, (len(env.agents), 2))
            obs, rewards, terms, truncs, infos = env.step(dict(zip(env.agents, actions, strict=True)))
            steps += 1
            assert set(obs) == set(rewards) == set(env.possible_agents)
            trace.append(np.stack(list(obs.values())))
            trace.append(np.array(list(rewards.values())))
            if terms["__all__"] or truncs["__all__"]:
                record = infos[env.agents[0]]["episode"]
                assert record["length"] <= length and math.isfinite(record["return"])
                episodes += 1
                with pytest.raises(pygym.ActionError, match="call reset"):
                    env.step(dict(zip(env.agents, actions, strict=True)))
                obs, infos = env.reset()
                trace.append(np.stack(list(obs.values())))
        with pytest.raises(pygym.ActionError, match=f"missing: \\['{env.agents[0]}'\\]"):
            env.step({agent: actions[0] for agent in env.agents[1:]})
        wrong = {agent: actions[0] for agent in env.agents}
        if masks is None:
            wrong[env.agents[-1]] = np.zeros(3, np.float32)
            bad = r"must fit Box"
        else:
            wrong[env.agents[-1]] = 1.5
            bad = "expected integers"
        with pytest.raises(pygym.ActionError, match=bad):
            env.step(wrong)
        env.close()
        runs.append(trace)
    assert len(runs[0]) == len(runs[1]) >= 2 * 2 + 1
    for a, b in zip(*runs, strict=True):
        np.testing.assert_array_equal(a, b)


@pytest.mark.slow
def test_readme_rllib_ppo_recipe_trains_with_two_env_runners(rllib: ModuleType, tmp_path: Path) -> None:
    out = run_recipe("rllib-ppo", tmp_path, timeout_s=900)
    returns = [float(r) for r in re.findall(r"^\d+ (-?[\d.]+)$", out, flags=re.M)]
    assert len(returns) == 3, out
    # A random policy's return on ExplabOff 2x3 is about -74; three PPO iterations of 400 steps move it up.
    assert returns[-1] > returns[0] + 5, returns
