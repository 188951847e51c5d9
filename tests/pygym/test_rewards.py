"""Reward functions on hand-made measurements (no JVM)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from pygym.envs.offload_neighbour import NeighbourEpisodes
from pygym.errors import ConfigError
from pygym.rewards import RewardWeights, dense, sparse

FIELDS = [
    "arrived", "completed", "latency_sum_s", "wait_sum_s", "transfer_sum_s", "compute_sum_s", "return_sum_s",
    "dropped_queue_full", "dropped_deadline", "energy_j", "decided", "invalid_action", "decision_local",
    "decision_cycles", "decision_input_bytes", "decision_target_queue_tasks", "decision_target_free_slots",
    "decision_target_capacity", "decision_target_cores", "decision_target_hz", "decision_source_hz",
    "decision_uplink_bps", "decision_propagation_s",
]  # fmt: skip
COL = {name: i for i, name in enumerate(FIELDS)}


def rows(*dicts: dict[str, float]) -> np.ndarray:
    m = np.zeros((len(dicts), len(FIELDS)))
    for i, d in enumerate(dicts):
        for key, value in d.items():
            m[i, COL[key]] = value
    return m


def test_sparse_counts_completions_minus_drops_and_optional_penalties() -> None:
    m = rows(
        {
            "completed": 3,
            "dropped_queue_full": 1,
            "dropped_deadline": 1,
            "latency_sum_s": 2.0,
            "energy_j": 4.0,
        },
        {},
    )
    np.testing.assert_allclose(sparse(m, COL, RewardWeights(utility=2.0)), [2.0, 0.0])
    np.testing.assert_allclose(sparse(m, COL, RewardWeights(latency=0.5, energy=0.25)), [1 - 1 - 1, 0.0])


def test_dense_uses_the_applied_decision() -> None:
    offload = {
        "decided": 1, "decision_cycles": 4e8, "decision_input_bytes": 1e6, "decision_target_queue_tasks": 2,
        "decision_target_capacity": 10, "decision_target_cores": 2, "decision_target_hz": 2e9,
        "decision_source_hz": 1e9, "decision_uplink_bps": 8e7, "decision_propagation_s": 1e-7,
    }  # fmt: skip
    local = {**offload, "decision_local": 1, "decision_target_hz": 1e9, "decision_target_queue_tasks": 9}
    m = rows(offload, local, {})
    w = RewardWeights()
    got = dense(m, COL, w)
    t_wait = 2 * 4e8 / (2 * 2e9)
    t_comm = 1e6 * 8 / 8e7 + 1e-7
    t_exec = 4e8 / 2e9 - 4e8 / 1e9
    overload = -math.log10((10 - 3) / 10)
    assert got[0] == pytest.approx(1 - (t_wait + t_comm + t_exec) - overload)
    t_wait_local = 9 * 4e8 / (2 * 1e9)
    assert got[1] == pytest.approx(1 - t_wait_local - 3.0)  # a full queue after adding: -log10(1e-3) = 3
    assert got[2] == 0.0  # no decision: no_op


def test_weights_are_validated_by_name() -> None:
    assert RewardWeights.from_mapping({"utility": 3}).utility == 3.0
    with pytest.raises(ConfigError, match="unknown reward weight 'utilty'"):
        RewardWeights.from_mapping({"utilty": 1})
    with pytest.raises(ConfigError, match="expected a number"):
        RewardWeights.from_mapping({"energy": "lots"})
    with pytest.raises(ConfigError, match="unknown reward 'shaped' for offload-neighbour-v0; known: sparse"):
        NeighbourEpisodes("offload-neighbour-v0", "shaped", None)
    with pytest.raises(ConfigError, match=r"reward_weights=\[1, 2\]: expected a mapping"):
        NeighbourEpisodes("offload-neighbour-v0", None, [1, 2])  # type: ignore[arg-type]
