"""pygym: a co-simulation gym for task offloading in edge computing.

``pygym.make("offload-neighbour-v0", **scenario)`` returns a PettingZoo ParallelEnv driven by a Java
discrete-event simulator over a py4j bridge. The JVM starts on first use and is shared by the envs of the
process; ``pygym.connect(host, port, token)`` uses a running server instead.
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
    FrameError,
    JvmStartError,
    PygymError,
    SessionError,
    SimulatorCrashed,
    SimulatorError,
)
from pygym.presets import Preset, preset_scenario, presets
from pygym.servers import connect, shutdown

__version__ = "0.1.0"

__all__ = [
    "ActionError",
    "ConfigError",
    "ConnectionFailed",
    "ContractMismatch",
    "FrameError",
    "JvmStartError",
    "Preset",
    "PygymError",
    "SessionError",
    "SimParallelEnv",
    "SimulatorCrashed",
    "SimulatorError",
    "__version__",
    "aec",
    "connect",
    "env_ids",
    "make",
    "preset_scenario",
    "presets",
    "shutdown",
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


def aec(env_id: str, **kwargs: Any) -> Any:
    """The same environment through PettingZoo's AEC interface (``parallel_to_aec``)."""
    return parallel_to_aec(make(env_id, **kwargs))
