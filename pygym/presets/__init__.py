"""Named scenarios (presets): scenario keywords under a name, per environment.

``pygym.make(env_id, preset="edge-server")`` (and ``pygym.make_vec``) start from a preset's keywords;
keywords given alongside override them. ``pygym scenarios`` lists them. A preset is data: the keywords
below, and for two of them a file in this folder written by :mod:`pygym.presets.make_presets`.

offload-neighbour-v0's presets cover PeersimGym's experiment families, each made hard enough that the
decisions matter (episodes of 30 s, 300 decisions per agent):

- load sweep on the default 20-node network: ``load-light`` (3 tasks/s per agent), ``load-medium`` (6),
  ``load-heavy`` (9; an agent decides at most 10 tasks/s, the rest run where they arrived);
- heterogeneous networks: ``hetero-heavy`` (clock rates from 0.3 to 4 GHz, a 1 MHz channel that makes
  transfers costly, 8 tasks/s) and ``edge-server`` (two cells of slow ``rpi3`` boards and a ``nuc`` on
  20 Mbit/s shared wireless, an 88-core server three hops away; tasks of 1-3e9 cycles and 0.2-2 MB);
- topology sizes from Ether's urban-sensing generator: ``clusters-1`` ... ``clusters-4`` (1 to 4 city
  cells; the ``rpi3`` sensing boards are the agents, the compute boxes take offloaded work);
- a replayed trace: ``trace-alibaba`` (the synthetic Alibaba 2018 sample, 500x faster, looped).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pygym.errors import ConfigError

FOLDER = Path(__file__).resolve().parent


@dataclass(frozen=True)
class Preset:
    name: str
    description: str
    """one line for ``pygym scenarios``"""
    scenario: Mapping[str, Any] = field(default_factory=dict)


_SHORT = {"episode_s": 30}
_BIG_TASKS = {
    "task_cycles_min": 1e9,
    "task_cycles_max": 3e9,
    "task_deadline_s_min": 2,
    "task_deadline_s_max": 4,
}


def _clusters(cells: int) -> Preset:
    return Preset(
        f"clusters-{cells}",
        f"Ether urban sensing, {cells} cell(s): rpi3 boards are agents, nuc/tx2 boxes take work; 3 tasks/s",
        {
            **_SHORT,
            **_BIG_TASKS,
            "topology": "urban-sensing",
            "topology_params": {"cells": cells, "agent_roles": ["device"]},
            "arrival_rate_hz": 3,
        },
    )


_NEIGHBOUR = [
    Preset("load-light", "default 20-node network, 3 tasks/s per agent", {**_SHORT, "arrival_rate_hz": 3}),
    Preset("load-medium", "default 20-node network, 6 tasks/s per agent", {**_SHORT, "arrival_rate_hz": 6}),
    Preset("load-heavy", "default 20-node network, 9 tasks/s per agent", {**_SHORT, "arrival_rate_hz": 9}),
    Preset(
        "hetero-heavy",
        "20 nodes of 0.3-4 GHz on a costly 1 MHz channel, 8 tasks/s per agent",
        {**_SHORT, "arrival_rate_hz": 8, "cpu_hz_min": 0.3e9, "cpu_hz_max": 4e9, "bandwidth_hz": 1e6},
    ),
    Preset(
        "edge-server",
        "slow rpi3 cells on 20 Mbit/s shared wireless, an 88-core server 3 hops away; big tasks, 3 tasks/s",
        {
            **_SHORT,
            **_BIG_TASKS,
            "topology": str(FOLDER / "edge_server.topology.json"),
            "arrival_rate_hz": 3,
            "task_input_bytes_min": 2e5,
            "task_input_bytes_max": 2e6,
            "max_neighbours": 5,
        },
    ),
    *(_clusters(cells) for cells in (1, 2, 3, 4)),
    Preset(
        "trace-alibaba",
        "the Alibaba 2018 sample (synthetic rows) replayed 500x faster and looped, DAG dependencies kept",
        {**_SHORT, "workload": str(FOLDER / "alibaba_sample.workload.csv"), "workload_end": "loop"},
    ),
]

PRESETS: dict[str, dict[str, Preset]] = {"offload-neighbour-v0": {p.name: p for p in _NEIGHBOUR}}
"""Presets by environment id, then by name."""


def presets(env_id: str) -> list[Preset]:
    """The presets of ``env_id`` (empty if it has none)."""
    return list(PRESETS.get(env_id, {}).values())


def preset_scenario(env_id: str, name: str) -> dict[str, Any]:
    """A copy of the scenario keywords of preset ``name`` of ``env_id``; ConfigError lists the known ones."""
    known = PRESETS.get(env_id, {})
    if name not in known:
        listing = ", ".join(known) if known else "none"
        raise ConfigError(f"unknown preset {name!r} for {env_id}; its presets: {listing}")
    return {k: (dict(v) if isinstance(v, Mapping) else v) for k, v in known[name].scenario.items()}
