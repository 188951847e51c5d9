"""Every observation and every state lies inside its declared space, on every step of whole episodes of every
env id, with and without topology and workload files, in both observation modes; and the declared bounds are
finite wherever the scenario can bound its values (the number of finite fields of each case is recorded).

Only the public PettingZoo API of ``pygym.make`` is used: ``reset``, ``step``, ``agents``,
``observation_space``, ``action_space``, ``state_space``, ``state`` and the action masks in ``infos``. The
files come from the repository's own generators (``topologies``, ``workloads.synthesize``).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import gymnasium
import numpy as np
import pytest

import pygym
import topologies
import workloads

pytestmark = pytest.mark.jvm


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Topologies whose clocks exceed the templates' ranges (urban sensing: 1.2-2.2 GHz boards, cloud regions:
    servers), and Poisson workloads at each scenario's sources."""
    folder = tmp_path_factory.mktemp("spaces")
    paths: dict[str, Path] = {}
    urban = topologies.urban_sensing(1, seed=2).with_routes()
    for name, topology in (("urban", urban), ("cloud", topologies.cloud_regions(seed=1).with_routes())):
        paths[name] = folder / f"{name}.json"
        topologies.save(topology, paths[name])
    devices = [n.name for n in urban.compute_nodes if n.agent and n.role == "device"]
    sources = {
        "nodes": [f"node_{i}" for i in range(20)],
        "urban-nodes": list(urban.compute_names),
        "md": ["md_0", "md_1", "md_2"],
        "urban-devices": devices,
    }
    for name, names in sources.items():
        tasks = workloads.synthesize(
            {s: workloads.Poisson(2.0) for s in names}, 20.0, workloads.TaskShape(), seed=1
        )
        paths[name] = folder / f"{name}.csv"
        workloads.write_workload(paths[name], tasks)
    # Tasks without deadlines: the deadline fields have no bound.
    for name, names in (("nodes-no-deadline", sources["nodes"]), ("md-no-deadline", sources["md"])):
        tasks = workloads.synthesize(
            {s: workloads.Poisson(2.0) for s in names}, 20.0, workloads.TaskShape(deadline_s=None), seed=1
        )
        paths[name] = folder / f"{name}.csv"
        workloads.write_workload(paths[name], tasks)
    return paths


NORMALISED = {"observation": "normalised"}

# (env id, scenario arguments with file keys naming `files` entries, episodes, (finite observation fields,
# finite state fields)). Fields stay infinite only where nothing bounds them: the deadline fields of a
# workload with tasks without deadlines; ExplabOff's task sizes (normal draws) and the server backlogs they
# feed.
CASES: list[tuple[str, dict[str, Any], int, tuple[int, int]]] = [
    ("offload-neighbour-v0", {"episode_s": 30}, 1, (34, 80)),
    ("offload-neighbour-v0", {"episode_s": 30, "topology": "urban"}, 1, (34, 92)),
    ("offload-neighbour-v0", {"episode_s": 30, "topology": "cloud"}, 1, (34, 280)),
    ("offload-neighbour-v0", {"episode_s": 30, "workload": "nodes"}, 1, (34, 80)),
    ("offload-neighbour-v0", {"episode_s": 30, "workload": "nodes-no-deadline"}, 1, (33, 80)),
    ("offload-neighbour-v0", {"episode_s": 30, "topology": "urban", "workload": "urban-nodes"}, 1, (34, 92)),
    ("offload-neighbour-v0", {"episode_s": 30, **NORMALISED}, 1, (34, 80)),
    (
        "offload-neighbour-v0",
        {"episode_s": 30, "topology": "urban", "workload": "urban-nodes", **NORMALISED},
        1,
        (34, 92),
    ),
    ("offload-neighbour-v0", {"episode_s": 30, "workload": "nodes-no-deadline", **NORMALISED}, 1, (33, 80)),
    ("offload-mec-v0", {"episode_steps": 60}, 2, (25, 75)),
    (
        "offload-mec-v0",
        {"episode_steps": 60, "server_discipline": "ps", "n_devices": 5, "n_servers": 3},
        2,
        (33, 165),
    ),
    (
        "offload-mec-v0",
        {"episode_steps": 60, "topology": "urban", "topology_cloud_servers": True},
        2,
        (118, 708),
    ),
    ("offload-mec-v0", {"episode_steps": 60, "workload": "md"}, 2, (25, 75)),
    ("offload-mec-v0", {"episode_steps": 60, "workload": "md-no-deadline"}, 2, (24, 72)),
    ("offload-mec-v0", {"episode_steps": 60, "topology": "urban", "workload": "urban-devices"}, 2, (58, 348)),
    ("offload-mec-v0", {"episode_steps": 60, **NORMALISED}, 2, (25, 75)),
    (
        "offload-mec-v0",
        {"episode_steps": 60, "topology": "urban", "workload": "urban-devices", **NORMALISED},
        2,
        (58, 348),
    ),
    ("offload-mec-v0", {"episode_steps": 60, "workload": "md-no-deadline", **NORMALISED}, 2, (24, 72)),
    ("offload-mec-explaboff-v0", {"setting": "2x3"}, 20, (10, 30)),
    ("offload-mec-explaboff-v0", {"setting": "2x5", "observation": "raw"}, 20, (12, 60)),
    ("offload-mec-explaboff-v0", {"setting": "3x7"}, 20, (16, 112)),
]


def test_the_cases_cover_every_env_id() -> None:
    assert {env_id for env_id, _, _, _ in CASES} == set(pygym.env_ids())
    normalised = {env_id for env_id, scenario, _, _ in CASES if scenario.get("observation") == "normalised"}
    # ExplabOff's default is its own normalised mode; the two others are raw by default.
    assert normalised == {"offload-neighbour-v0", "offload-mec-v0"}


def outside(value: np.ndarray, space: gymnasium.spaces.Box) -> Iterator[str]:
    for i in np.flatnonzero(~((value >= space.low) & (value <= space.high))):
        yield f"[{i}] = {value[i]!r} outside [{space.low[i]!r}, {space.high[i]!r}]"


def finite(space: gymnasium.spaces.Box) -> np.ndarray:
    return np.isfinite(space.low) & np.isfinite(space.high)


@pytest.mark.parametrize(
    ("env_id", "scenario", "episodes", "finite_fields"),
    CASES,
    ids=[f"{c[0]}-{'-'.join(map(str, c[1].values()))}" for c in CASES],
)
def test_observations_and_states_stay_in_their_spaces(
    env_id: str,
    scenario: dict[str, Any],
    episodes: int,
    finite_fields: tuple[int, int],
    files: dict[str, Path],
) -> None:
    kwargs = {k: str(files[v]) if k in ("topology", "workload") else v for k, v in scenario.items()}
    env = pygym.make(env_id, **kwargs)
    observation_space = env.observation_space(env.possible_agents[0])
    assert isinstance(observation_space, gymnasium.spaces.Box)
    assert isinstance(env.state_space, gymnasium.spaces.Box)
    assert (int(finite(observation_space).sum()), int(finite(env.state_space).sum())) == finite_fields
    if env_id != "offload-mec-explaboff-v0" and scenario.get("observation") == "normalised":
        # Scaled by their highs: every finite field lies in [0, 1], but those that are always 0 (results of
        # generated tasks, latencies in a cell), which keep [0, 0].
        for space in (observation_space, env.state_space):
            assert (space.low[finite(space)] == 0).all()
            assert np.isin(space.high[finite(space)], (0, 1)).all()
    rng = np.random.default_rng(7)
    observations_checked = states_checked = steps = 0
    failures: list[str] = []
    try:
        for episode in range(episodes):
            obs, infos = env.reset(seed=100 + episode)
            while True:
                for agent, o in obs.items():
                    space = env.observation_space(agent)
                    observations_checked += 1
                    if not space.contains(o):
                        failures += [f"step {steps} {agent} observation{w}" for w in outside(o, space)]
                state = env.state()
                states_checked += 1
                if not env.state_space.contains(state):
                    failures += [f"step {steps} state{w}" for w in outside(state, env.state_space)]
                if not env.agents:
                    break
                actions = {}
                for agent in env.agents:
                    space = env.action_space(agent)
                    if isinstance(space, gymnasium.spaces.Discrete):
                        actions[agent] = int(rng.choice(np.flatnonzero(infos[agent]["action_mask"])))
                    else:
                        actions[agent] = rng.uniform(-1, 1, space.shape).astype(np.float32)
                obs, _, _, _, infos = env.step(actions)
                steps += 1
    finally:
        env.close()
    assert not failures, f"{len(failures)} values outside their spaces, first: {failures[:5]}"
    assert states_checked == steps + episodes
    assert observations_checked >= states_checked
    assert steps >= episodes
