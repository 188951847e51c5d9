"""Rewards computed in Python from the raw per-agent measurements the simulator reports each step.

A reward function takes the step's metrics matrix (one row per agent, columns named by ``fields``) and
weights, and returns one reward per agent. Because it reads what the simulator did, a reward change needs
no Java rebuild and always matches the simulation. Metric names are listed in each env's card.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields, replace
from typing import TypeVar

import numpy as np

from pygym.errors import ConfigError


@dataclass(frozen=True)
class RewardWeights:
    """Weights of the reward terms. Times are in seconds and energy in joules."""

    utility: float = 1.0
    """dense: reward for deciding a task; sparse: reward per completed task and penalty per drop"""
    wait: float = 1.0
    """dense: weight of the expected waiting time in the chosen queue"""
    comm: float = 1.0
    """dense: weight of the expected transfer time of the input"""
    exec: float = 1.0
    """dense: weight of the execution-time difference between the chosen node and the agent's own"""
    overload: float = 1.0
    """dense: weight of the overload term -log10(free fraction of the chosen queue after adding the task)"""
    invalid: float = 1.0
    """dense: penalty for a masked action (the task then stays local)"""
    no_op: float = 0.0
    """dense: reward when the agent had no task to decide on"""
    latency: float = 0.0
    """both: penalty per second of latency of this agent's tasks completed in the step"""
    energy: float = 0.0
    """both: penalty per joule spent on this agent's tasks in the step"""

    @classmethod
    def from_mapping(cls, values: Mapping[str, float] | None) -> RewardWeights:
        return weights_from_mapping(cls, values)


W = TypeVar("W")


def weights_from_mapping(cls: type[W], values: Mapping[str, float] | None) -> W:
    """The dataclass ``cls`` of float weights with ``values`` applied, each checked by name and as a finite
    number (ConfigError otherwise)."""
    known = {f.name for f in fields(cls)}  # type: ignore[arg-type]
    weights = cls()
    for key, value in (values or {}).items():
        if key not in known:
            raise ConfigError(f"unknown reward weight '{key}'; known: {', '.join(sorted(known))}")
        try:
            number = float(value)
        except (TypeError, ValueError):
            raise ConfigError(f"reward weight {key} = {value!r}: expected a number") from None
        if not np.isfinite(number):
            raise ConfigError(f"reward weight {key} = {value!r}: expected a finite number")
        weights = replace(weights, **{key: number})  # type: ignore[type-var]
    return weights


RewardFn = Callable[[np.ndarray, Mapping[str, int], RewardWeights], np.ndarray]


def _common(m: np.ndarray, col: Mapping[str, int], w: RewardWeights) -> np.ndarray:
    return -w.latency * m[:, col["latency_sum_s"]] - w.energy * m[:, col["energy_j"]]


def sparse_vector(col: Mapping[str, int], w: RewardWeights) -> np.ndarray:
    """The sparse reward is linear in the metrics: ``metrics @ sparse_vector(...)``, one product per step."""
    vector = np.zeros(len(col))
    vector[col["completed"]] = w.utility
    for name in ("dropped_queue_full", "dropped_deadline", "dropped_dependency"):
        if name in col:
            vector[col[name]] = -w.utility
    vector[col["latency_sum_s"]] = -w.latency
    vector[col["energy_j"]] = -w.energy
    return vector


def sparse(m: np.ndarray, col: Mapping[str, int], w: RewardWeights) -> np.ndarray:
    """PeersimGym's sparse reward: utility x (tasks completed - tasks dropped), per origin agent, minus the
    latency and energy terms."""
    return m @ sparse_vector(col, w)


def dense(m: np.ndarray, col: Mapping[str, int], w: RewardWeights) -> np.ndarray:
    """PeersimGym's dense reward (after Baek et al., WCNC 2019), from the decision the simulator applied.

    r = utility - (wait * t_wait + comm * t_comm + exec * t_exec) - overload * O - invalid * [masked action]
    with t_wait = tasks ahead x cycles / (cores x hz) at the chosen node (as the agent knew it),
    t_comm = input bits / uplink rate + propagation (0 when local), t_exec = cycles / hz_chosen -
    cycles / hz_own, and O = -log10(max(free fraction of the chosen queue after adding the task, 1e-3)).
    Steps without a decision get ``no_op``.
    """
    decided = m[:, col["decided"]] > 0
    cycles = m[:, col["decision_cycles"]]
    hz = m[:, col["decision_target_hz"]]
    cores = m[:, col["decision_target_cores"]]
    ahead = m[:, col["decision_target_queue_tasks"]]
    capacity = m[:, col["decision_target_capacity"]]
    local = m[:, col["decision_local"]] > 0
    with np.errstate(divide="ignore", invalid="ignore"):
        t_wait = np.where(decided, ahead * cycles / (cores * hz), 0.0)
        t_exec = np.where(decided, cycles / hz - cycles / m[:, col["decision_source_hz"]], 0.0)
        t_comm = np.where(
            decided & ~local,
            m[:, col["decision_input_bytes"]] * 8.0 / m[:, col["decision_uplink_bps"]]
            + m[:, col["decision_propagation_s"]],
            0.0,
        )
        occupied = np.minimum(ahead + 1.0, capacity)
        free_fraction = np.where(capacity > 0, (capacity - occupied) / capacity, 0.0)
    overload = -np.log10(np.maximum(free_fraction, 1e-3))
    decided_reward = (
        w.utility
        - (w.wait * t_wait + w.comm * t_comm + w.exec * t_exec)
        - w.overload * overload
        - w.invalid * m[:, col["invalid_action"]]
    )
    return np.where(decided, decided_reward, w.no_op) + _common(m, col, w)


REWARDS: dict[str, RewardFn] = {"sparse": sparse, "dense": dense}
