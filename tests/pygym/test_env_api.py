"""Our API promises, on the real simulator (PettingZoo's own tests: test_pettingzoo_conformance)."""

from __future__ import annotations

import numpy as np
import pytest

import pygym
from tests.conftest import SHORT, run_python

pytestmark = pytest.mark.jvm


def run_episode(env, seed: int, action_seed: int) -> list[bytes]:
    rng = np.random.default_rng(action_seed)
    _, infos = env.reset(seed=seed)
    trace = [env.last_frame.observation.tobytes() + env.last_frame.metrics.tobytes()]
    while env.agents:
        actions = {a: int(rng.choice(np.flatnonzero(infos[a]["action_mask"]))) for a in env.agents}
        _, rewards, _, _, infos = env.step(actions)
        frame = env.last_frame
        trace.append(
            frame.observation.tobytes() + frame.metrics.tobytes() + frame.state.tobytes()
            + frame.task_records.tobytes() + np.array(list(rewards.values())).tobytes()
        )  # fmt: skip
    return trace


def test_full_episode_is_reproducible(short_env) -> None:
    first = run_episode(short_env, seed=3, action_seed=4)
    second = run_episode(short_env, seed=3, action_seed=4)
    assert len(first) == short_env.max_steps + 1 == 101
    assert first == second
    assert run_episode(short_env, seed=4, action_seed=4) != first


def test_spaces_agents_and_episode_end(short_env) -> None:
    env = short_env
    assert env.possible_agents == [f"node_{i}" for i in range(10)]
    agent = env.possible_agents[0]
    assert env.observation_space(agent) is env.observation_space(agent)
    assert env.action_space(agent) is env.action_space(agent)
    assert env.action_space(agent).n == 5
    assert env.observation_space(agent).shape == (len(env.observation_fields),) == (34,)
    observations, infos = env.reset(seed=1)
    assert set(observations) == set(env.possible_agents)
    assert infos[agent]["action_mask"].dtype == np.int8 and infos[agent]["action_mask"][0] == 1
    assert env.state().shape == env.state_space.shape == (80,)
    steps = 0
    truncated = False
    while env.agents:
        _, _, terms, truncs, _ = env.step(dict.fromkeys(env.agents, 0))
        steps += 1
        assert not any(terms.values())
        truncated = all(truncs.values())
    assert steps == 100 and truncated and env.agents == []
    assert env.step({}) == ({}, {}, {}, {}, {})  # no live agent: nothing happens
    with pytest.raises(pygym.SessionError, match="call reset"):
        env.step({"node_0": 0})


def test_reset_without_seed_continues_the_seeded_sequence(short_env) -> None:
    short_env.reset(seed=7)
    a = short_env.reset()[0]
    short_env.reset(seed=7)
    b = short_env.reset()[0]
    assert all(np.array_equal(a[k], b[k]) for k in a)


def test_render_context_manager_and_idempotent_close() -> None:
    with pygym.make("offload-neighbour-v0", render_mode="ansi", **SHORT) as env:
        env.reset(seed=1)
        env.step(dict.fromkeys(env.agents, 1))
        text = env.render()
        assert "node_9" in text and "neighbour 0" in text
    env.close()
    env.close()
    with pytest.raises(pygym.SessionError, match="closed"):
        env.reset(seed=1)


def test_pygym_does_not_import_torch() -> None:
    code = "import sys, pygym, pygym.env, pygym.cli; print('torch' in sys.modules)"
    out = run_python(code)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "False"
