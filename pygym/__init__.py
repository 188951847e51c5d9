"""pygym: a co-simulation gym for task offloading in edge computing.

``pygym.make("offload-neighbour-v0", **scenario)`` returns a PettingZoo ParallelEnv driven by a Java
discrete-event simulator over a py4j bridge. The JVM starts on first use and is shared by the envs of the
process; ``pygym.connect(host, port, token)`` or ``server="host:port"`` uses a running server instead.
``pygym.make_vec(env_id, num_envs, **scenario)`` steps many sessions with one bridge call, arrays in and
out: the fast path for training.
"""

from __future__ import annotations

from typing import Any

from pettingzoo.utils.conversions import parallel_to_aec

from pygym.env import SimParallelEnv
from pygym.envs import REGISTRY
from pygym.errors import (
    ActionError,
    ConfigError,
    ConnectionFailed,
    ContractMismatch,
    FileTransferError,
    FrameError,
    JvmStartError,
    LibraryMissing,
    LibraryVersionError,
    LimitExceeded,
    PygymError,
    SessionError,
    SimulatorCrashed,
    SimulatorError,
    SimulatorTimeout,
    TlsError,
)
from pygym.presets import Preset, preset_scenario, presets
from pygym.servers import connect, launch, shutdown, simulator_cpu_s
from pygym.vector import VecEnv

__version__ = "0.1.0"

__all__ = [
    "ActionError",
    "ConfigError",
    "ConnectionFailed",
    "ContractMismatch",
    "FileTransferError",
    "FrameError",
    "JvmStartError",
    "LibraryMissing",
    "LibraryVersionError",
    "LimitExceeded",
    "Preset",
    "PygymError",
    "SessionError",
    "SimParallelEnv",
    "SimulatorCrashed",
    "SimulatorError",
    "SimulatorTimeout",
    "TlsError",
    "VecEnv",
    "__version__",
    "aec",
    "connect",
    "env_ids",
    "launch",
    "make",
    "make_vec",
    "preset_scenario",
    "presets",
    "shutdown",
    "simulator_cpu_s",
]


def env_ids() -> list[str]:
    """The registered environment ids."""
    return sorted(REGISTRY)


def make(env_id: str, preset: str | None = None, **kwargs: Any) -> SimParallelEnv:
    """Creates the ParallelEnv ``env_id``; keyword arguments are described in the env's card. ``preset``
    names a scenario (``pygym.presets(env_id)``) whose keywords ``kwargs`` override."""
    try:
        cls = REGISTRY[env_id]
    except KeyError:
        raise ConfigError(f"unknown env id {env_id!r}; known: {', '.join(env_ids())}") from None
    if preset is not None:
        kwargs = {**preset_scenario(env_id, preset), **kwargs}
    return cls(**kwargs)


def make_vec(env_id: str, num_envs: int, preset: str | None = None, **kwargs: Any) -> VecEnv:
    """Creates ``num_envs`` sessions of ``env_id`` stepped together: arrays in and out, one bridge call per
    step (see :mod:`pygym.vector`). Scenario keywords (and ``preset``) as for :func:`make`; also
    ``autoreset_mode``, ``task_records``, ``threads`` (JVM worker threads, default one per core) and
    ``servers``."""
    if preset is not None:
        kwargs = {**preset_scenario(env_id, preset), **kwargs}
    return VecEnv(env_id, num_envs, **kwargs)


def aec(env_id: str, **kwargs: Any) -> Any:
    """The same environment through PettingZoo's AEC interface (``parallel_to_aec``)."""
    return parallel_to_aec(make(env_id, **kwargs))
