"""One seed gives byte-identical frames over a whole episode in two fresh processes (two JVMs)."""

from __future__ import annotations

import pytest

from tests.conftest import python_lines

pytestmark = pytest.mark.jvm

CHILD = """
import hashlib, sys
import numpy as np
import pygym
env = pygym.make("offload-neighbour-v0", episode_s=20)
rng = np.random.default_rng(11)
observations, infos = env.reset(seed=2024)
print(hashlib.sha256(env.last_frame.observation.tobytes()).hexdigest())
while env.agents:
    actions = {a: int(rng.choice(np.flatnonzero(infos[a]["action_mask"]))) for a in env.agents}
    observations, rewards, terms, truncs, infos = env.step(actions)
    f = env.last_frame
    h = hashlib.sha256()
    for part in (f.observation, f.action_mask, f.metrics, f.state, f.task_records):
        h.update(part.tobytes())
    h.update(np.array(list(rewards.values())).tobytes())
    print(h.hexdigest())
"""


def test_same_seed_same_frames_in_two_processes() -> None:
    first = python_lines(CHILD)
    second = python_lines(CHILD)
    assert len(first) == 201  # the reset frame and 200 steps, each compared
    assert first == second
    assert len(set(first)) > 150  # frames really change from step to step
