"""Whole-episode trajectories of every env id, hashed and compared with digests recorded from the real
simulator: a change to the scenario layer that is meant to keep behaviour (a refactoring) must keep them.

Each case runs whole episodes (a seeded reset, then resets that continue the seed sequence) with actions
drawn from a fixed generator. It hashes the spec (field names, units and bounds, agents, actions, timing;
not the configuration text), every frame (observation, action mask, metrics, state, task records,
step, time, ends), the rewards and the episode records. A change that alters behaviour on purpose changes
a digest: record the new ones with ``python -m tests.pygym.test_trajectory_hashes`` and say why in the
commit.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import pygym
import workloads

pytestmark = pytest.mark.jvm


def dag_workload(path: Path, sources: list[str], jobs: int, seed: int, gap_s: float) -> None:
    """Small jobs of three tasks (two fanning into a third), from a fixed generator."""
    rng = np.random.default_rng(seed)
    tasks = []
    for j in range(jobs):
        t0 = round(float(j * gap_s + rng.uniform(0, gap_s)), 6)
        a, b = rng.choice(len(sources), 2, replace=False)
        cycles = rng.integers(10**8, 6 * 10**8, 3)
        tasks += [
            workloads.Task(t0, sources[a], f"j{j}/1", int(cycles[0]), 300_000, 20_000, t0 + 3.0, ()),
            workloads.Task(t0, sources[b], f"j{j}/2", int(cycles[1]), 500_000, 20_000, t0 + 3.0, ()),
            workloads.Task(
                t0 + 0.05,
                sources[a],
                f"j{j}/3",
                int(cycles[2]),
                200_000,
                10_000,
                t0 + 4.0,
                (f"j{j}/1", f"j{j}/2"),
            ),
        ]
    workloads.write_workload(path, sorted(tasks, key=lambda t: t.arrival_s))


def neighbour_files(tmp: Path) -> dict[str, Any]:
    path = tmp / "neighbour.csv"
    dag_workload(path, [f"node_{i}" for i in range(5)], jobs=40, seed=5, gap_s=0.1)
    return {
        "nodes": 8,
        "agents": 5,
        "workload": str(path),
        "episode_s": 30,
        "queue_capacity": 2,
        "serve_undecided": False,
    }


def neighbour_topology(tmp: Path) -> dict[str, Any]:
    return {"topology": "urban-sensing", "topology_params": {"cells": 1}, "topology_seed": 2, "episode_s": 5}


def mec_files(tmp: Path) -> dict[str, Any]:
    path = tmp / "mec.csv"
    dag_workload(path, ["rpi4_0", "rpi4_1", "rpi4_2"], jobs=20, seed=7, gap_s=0.4)
    return {
        "topology": "random-geometric",
        "topology_params": {"nodes": 6, "types": ["rpi4", "nuc"]},
        "topology_seed": 2,
        "workload": str(path),
        "task_queue_capacity": 2,
        "episode_steps": 6,
        "epoch_s": 1.0,
    }


def mec_workload(tmp: Path) -> dict[str, Any]:
    path = tmp / "mec-cell.csv"
    dag_workload(path, ["md_0", "md_1", "md_2"], jobs=10, seed=8, gap_s=0.6)
    return {"workload": str(path), "episode_steps": 40, "epoch_s": 0.25, "server_discipline": "ps"}


def fixed(**scenario: Any) -> Callable[[Path], dict[str, Any]]:
    return lambda tmp: scenario


@dataclass(frozen=True)
class Case:
    env_id: str
    scenario: Callable[[Path], dict[str, Any]]
    seed: int
    episodes: int = 2
    ratio: tuple[float, float] = (-1.2, 1.2)
    """range of the second continuous action component (the offloaded fraction in MEC scenarios)"""


# Offloading much of each task in ExplabOff's tables, so that some episodes outlast the first miss.
EXPLABOFF_RATIO = (0.4, 0.9)
CASES = {
    "neighbour": Case("offload-neighbour-v0", fixed(episode_s=10), 11),
    "neighbour-files": Case("offload-neighbour-v0", neighbour_files, 12),
    "neighbour-topology": Case("offload-neighbour-v0", neighbour_topology, 13),
    "mec": Case("offload-mec-v0", fixed(), 21),
    "mec-ps-cores": Case("offload-mec-v0", fixed(server_discipline="ps", server_cores=2, device_cores=2), 22),
    "mec-files": Case("offload-mec-v0", mec_files, 23),
    "mec-workload": Case("offload-mec-v0", mec_workload, 24),
    "explaboff": Case("offload-mec-explaboff-v0", fixed(), 31, episodes=10, ratio=EXPLABOFF_RATIO),
    "explaboff-3x7-raw": Case(
        "offload-mec-explaboff-v0",
        fixed(setting="3x7", observation="raw"),
        32,
        episodes=10,
        ratio=EXPLABOFF_RATIO,
    ),
}

# case -> (steps over all episodes, sha256), recorded from the real simulator.
RECORDED: dict[str, tuple[int, str]] = {
    "neighbour": (200, "ecda08e6025b506ffc42b2b0e36dd890063a9f25f9a28075f560203190626d7a"),
    "neighbour-files": (108, "46b7b058db6ece31e201cd7aafd19446f85fe6353642233b9b25fb1aa237d80d"),
    "neighbour-topology": (100, "f6b366dfc502e4c2fc6354dd660de32739fca16fdf0ef72c9d155c8dc8557ae5"),
    "mec": (20, "a70733f76c8e87b903c6a013a940b352aa9dc11d085701a6e7c5980587e45fa6"),
    "mec-ps-cores": (20, "95246f282c4603d1fb1226633f05fae06ba1d67482a91adc95ad62c34a32400c"),
    "mec-files": (12, "78d771752b7f0fc0e242a4669fa24dfcc8c67134db64e4160e8b7c753cb01d64"),
    "mec-workload": (50, "6bba56ee58df61858413c9d549f79dacd28e9e3634eacae17f599263cba46416"),
    "explaboff": (20, "9ab2f4e5436f18cd157e150266ad6a1cbd3d01b059bbf3987f91ae9e6bd18504"),
    "explaboff-3x7-raw": (28, "d34f284ecf884788bc08e3349944501bc6ff9751870eb0e6055c8f974132de38"),
}


# Spec entries that describe the session rather than the scenario (its group on the server, the server's
# threads) or that are not part of a trajectory (the configuration text, which names temporary files and
# lists the template's wiring keys).
SESSION_KEYS = ("config", "group", "threads")


def _update(h: Any, value: Any) -> None:
    h.update(np.ascontiguousarray(value).tobytes())


def _frame(h: Any, env: pygym.SimParallelEnv) -> None:
    frame = env.last_frame
    assert frame is not None
    for array in (frame.observation, frame.action_mask, frame.metrics, frame.state, frame.task_records):
        _update(h, array)
    h.update(repr((frame.step, frame.time_s, frame.terminated, frame.truncated)).encode())


def trajectory(case: str, tmp: Path) -> tuple[int, str]:
    """Steps taken and the digest of ``case``'s episodes."""
    c = CASES[case]
    rng = np.random.default_rng(c.seed)
    low = np.array([-1.2, c.ratio[0]])
    high = np.array([1.2, c.ratio[1]])
    h = hashlib.sha256()
    steps = 0
    with pygym.make(c.env_id, **c.scenario(tmp)) as env:
        spec = {key: value for key, value in env.spec_json.items() if key not in SESSION_KEYS}
        h.update(json.dumps(spec, sort_keys=True).encode())
        for episode in range(c.episodes):
            _, infos = env.reset(seed=c.seed if episode == 0 else None)
            _frame(h, env)
            while env.agents:
                if env.continuous_action_fields:
                    actions: dict[str, Any] = {
                        a: rng.uniform(low, high).astype(np.float32) for a in env.agents
                    }
                else:
                    actions = {
                        a: int(rng.choice(np.flatnonzero(infos[a]["action_mask"]))) for a in env.agents
                    }
                _, rewards, _, _, infos = env.step(actions)
                steps += 1
                _frame(h, env)
                _update(h, np.array([rewards[a] for a in env.possible_agents if a in rewards]))
            h.update(repr(sorted(env.episode.items()) if env.episode else None).encode())
    return steps, h.hexdigest()


@pytest.mark.parametrize("case", CASES)
def test_trajectory_is_the_recorded_one(case: str, tmp_path: Path) -> None:
    steps, digest = trajectory(case, tmp_path)
    assert steps > CASES[case].episodes
    assert (steps, digest) == RECORDED[case]


def test_every_env_id_has_a_recorded_trajectory() -> None:
    assert {CASES[case].env_id for case in RECORDED} == set(pygym.env_ids())
    assert set(RECORDED) == set(CASES)


if __name__ == "__main__":
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        for name in CASES:
            print(f"    {name!r}: {trajectory(name, Path(folder))},")
