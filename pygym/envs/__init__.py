"""The registered environments, by versioned id."""

from __future__ import annotations

from pygym.env import SimParallelEnv
from pygym.envs.offload_mec import OffloadMecEnv
from pygym.envs.offload_mec_explaboff import OffloadMecExplabOffEnv
from pygym.envs.offload_neighbour import OffloadNeighbourEnv

REGISTRY: dict[str, type[SimParallelEnv]] = {
    OffloadNeighbourEnv.env_id: OffloadNeighbourEnv,
    OffloadMecExplabOffEnv.env_id: OffloadMecExplabOffEnv,
    OffloadMecEnv.env_id: OffloadMecEnv,
}
