"""Policies and trainers for the pygym environments.

Trainers are one file each (``agents/ddqn.py``, ``agents/a2c.py``, ``agents/ppo.py``), CleanRL style; the
plumbing they share (run directories, checkpoints, replay, seeding, returns) lives in ``agents.common``.
Importing this package loads no trainer (and no torch): :func:`trainer` imports one by name.
"""

from __future__ import annotations

import importlib
from types import ModuleType

ALGORITHMS: dict[str, str] = {
    "ddqn": "agents.ddqn",
    "a2c": "agents.a2c",
    "ppo": "agents.ppo",
    "explaboff": "agents.explaboff",
    "cmoff": "agents.cmoff",
    "maddpg": "agents.maddpg",
    "matd3": "agents.matd3",
    "mappo": "agents.mappo",
}
"""Trainer modules by algorithm name (``pygym train ALGO``)."""


def trainer(name: str) -> ModuleType:
    """The trainer module of algorithm ``name``; UnknownAlgorithm lists the known names."""
    from agents.common.errors import UnknownAlgorithm

    if name not in ALGORITHMS:
        raise UnknownAlgorithm(f"unknown algorithm {name!r}; known: {', '.join(ALGORITHMS)}")
    return importlib.import_module(ALGORITHMS[name])
