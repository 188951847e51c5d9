"""The registered environments, by versioned id."""

from __future__ import annotations

from pygym.env import SimParallelEnv
from pygym.envs.offload_neighbour import OffloadNeighbourEnv

REGISTRY: dict[str, type[SimParallelEnv]] = {
    OffloadNeighbourEnv.env_id: OffloadNeighbourEnv,
}
