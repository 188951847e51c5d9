"""offload-mec-v0: ExplabOff's offloading decision on physical models of radio, computing and energy.

The decision problem of ``offload-mec-explaboff-v0`` (each mobile device holds one task per epoch and
chooses an edge server and the fraction ``p`` of the task to offload; the devices share the servers) on
physical models, so the same agents can be trained on a realistic network. Devices are placed uniformly in
a disc-shaped cell at every reset; the edge servers stand evenly on a ring around its centre. A task has
input bytes (uniform in [``task_bytes_min``, ``task_bytes_max``]), CPU cycles (bytes x
``cycles_per_byte``) and a relative deadline. The local part, (1 - p) of the cycles, queues on the device's
CPU (first-in first-out). The offloaded part sends p of the bytes over the device's uplink, one upload at a
time, at the Shannon rate ``B log2(1 + P g(d) / (N0 B))`` of a log-distance path-loss channel (orthogonal
channels, no interference), then computes p of the cycles on the chosen server, whose CPU serves task parts
first-in first-out or by processor sharing (``server_discipline``). A task is done when both parts are; it
misses its deadline if it finishes after it (it still completes). Energy: computing ``kappa x hz^2`` per
cycle on the device and on the server, transmission ``tx_power_w x`` time on air.

=====================  ==========================================================================
Agents                 ``md_0`` ... ``md_{n_devices-1}``
Action                 ``Box([-1, 1]^2, float32)``: ``server_choice, offload_ratio``, decoded as in
                       offload-mec-explaboff-v0 but clipped to [-1, 1] only: server
                       ``floor((a0 + 1) B / 2)`` (a0 = 1 is the last server), ``p = (a1 + 1) / 2``, so
                       ``p = 0`` keeps the task local and ``p = 1`` offloads all of it. Values outside
                       [-1, 1] are clipped; a wrong shape, NaN or infinity raises ActionError.
Observation            ``Box(float32, 6 + 4 B + M)``, SI units, named by ``env.observation_fields``:
                       the task held now ``task_bytes, task_cycles, task_deadline_s``; own ``cpu_hz,
                       local_backlog_s, uplink_backlog_s``; per server k ``es{k}_uplink_bps`` (this
                       device's rate to it), ``es{k}_cpu_hz, es{k}_backlog_cycles, es{k}_jobs``; every
                       device's task ``md{j}_task_bytes``.
State                  ``state()``: the M observations concatenated, for centralised critics.
Reward                 From a per-device cost over the device's tasks that finished during the step:
                       ``latency x`` seconds of latency ``+ energy x`` joules the device spent
                       (local computing and transmission) ``+ edge_energy x`` joules the server spent
                       on its offloaded parts ``+ miss x`` deadline misses. ``reward="team"``
                       (default): every device gets minus the mean cost over devices;
                       ``reward="agent"``: minus its own. Weights: ``reward_weights={...}``
                       (``pygym.envs.offload_mec.MecCostWeights``: latency 1, energy 1,
                       edge_energy 0, miss 1).
Episode end            Truncated after ``episode_steps`` decisions; never terminated. After the last
                       decision the simulation runs on without new tasks until every task is done,
                       so the last frame (its ``time_s`` says when) accounts for every task.
Infos                  ``metrics`` (named by ``env.metric_fields``: the decision applied, then sums
                       over the device's tasks finished in the step: ``completed``, latency parts,
                       ``missed``, energies) and ``cost``; after a step also ``server`` and
                       ``offload_ratio``. ``env.last_frame.task_records`` holds one record per
                       finished task (``env.task_record_fields``). At the episode's end ``episode``:
                       ``avg_cost`` (mean cost per task), ``success_rate`` (fraction of tasks within
                       their deadline), ``latency_mean_s``, ``energy_j`` (devices), ``edge_energy_j``,
                       ``tasks``, ``missed_deadlines``, ``return``; also ``env.episode_summary``.
=====================  ==========================================================================

Arguments (defaults in brackets; ``pygym sim template offload-mec-v0`` lists every key):

- ``n_devices`` [3], ``n_servers`` [2], ``cell_radius_m`` [250], ``server_ring_m`` [100]
- ``device_hz`` [1e9], ``device_kappa`` [1e-27], ``server_hz_min/max`` [5e9, 10e9] (drawn per server at
  reset), ``server_kappa`` [1e-29], ``server_discipline`` ["fifo" or "ps"]
- ``bandwidth_hz`` [10e6], ``tx_power_w`` [0.1], ``path_loss_db_at_1m`` [15.3], ``path_loss_exponent``
  [3.76] (the 3GPP macro-cell law 128.1 + 37.6 log10(d/km)), ``noise_psd_dbm_per_hz`` [-174]
- ``task_bytes_min/max`` [0.5e6, 2e6], ``cycles_per_byte`` [1000], ``task_deadline_s`` [1.5],
  ``epoch_s`` [1], ``episode_steps`` [10]
- ``reward`` ["team" or "agent"], ``reward_weights`` [{}], ``render_mode`` [None or "ansi"], ``server``

Placement and workload come from built-in generators (random streams ``placement``, ``hardware`` and
``tasks`` of the episode seed); topology and workload files will plug in here when their formats exist.
Results are not returned over a downlink (their size is taken as negligible) and propagation delay is
neglected.

Version history:

- v0: initial release.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from typing import Any, ClassVar

import numpy as np

from pygym.env import SimParallelEnv
from pygym.errors import ConfigError
from pygym.frames import Frame

REWARDS = ("team", "agent")


@dataclass(frozen=True)
class MecCostWeights:
    """Weights of a device's cost; the reward is minus the cost (the team's mean, or the device's own)."""

    latency: float = 1.0
    """per second of latency of each finished task"""
    energy: float = 1.0
    """per joule the device spent on its finished tasks (local computing and transmission)"""
    edge_energy: float = 0.0
    """per joule the servers spent computing the device's offloaded parts"""
    miss: float = 1.0
    """per finished task that missed its deadline"""

    @classmethod
    def from_mapping(cls, values: Mapping[str, float] | None) -> MecCostWeights:
        known = {f.name for f in fields(cls)}
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
            weights = replace(weights, **{key: number})
        return weights


class OffloadMecEnv(SimParallelEnv):
    """offload-mec-v0; see the module docstring."""

    env_id: ClassVar[str] = "offload-mec-v0"
    default_reward: ClassVar[str] = "team"
    reward_weights: MecCostWeights  # type: ignore[assignment]

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.n_devices = len(self.possible_agents)
        self.n_servers = sum(
            1 for f in self.observation_fields if f.endswith("_cpu_hz") and f.startswith("es")
        )
        col = self._metric_index
        w = self.reward_weights
        # cost = metrics @ weight vector: one matrix product per step.
        self._cost_vector = np.zeros(len(self.metric_fields))
        for name, weight in (
            ("latency_sum_s", w.latency),
            ("energy_local_j", w.energy),
            ("energy_tx_j", w.energy),
            ("energy_edge_j", w.edge_energy),
            ("missed", w.miss),
        ):
            self._cost_vector[col[name]] = weight
        self._totals = np.zeros(len(self.metric_fields))
        self._cost_total = 0.0
        self._return = 0.0
        self._step_cost = np.zeros(self.n_devices)
        self.episode_summary: dict[str, Any] | None = None

    def _configure_reward(self, name: str, weights: Mapping[str, float] | None) -> None:
        if name not in REWARDS:
            raise ConfigError(f"unknown reward '{name}' for {self.env_id}; known: {', '.join(REWARDS)}")
        self.reward_weights = MecCostWeights.from_mapping(weights)

    def _episode_started(self, frame: Frame) -> None:
        self._totals[:] = 0
        self._cost_total = 0.0
        self._return = 0.0
        self._step_cost = np.zeros(self.n_devices)
        self.episode_summary = None

    def _rewards(self, frame: Frame) -> np.ndarray:
        cost = frame.metrics @ self._cost_vector
        self._step_cost = cost
        self._totals += frame.metrics.sum(axis=0)
        self._cost_total += float(cost.sum())
        rewards = -cost if self.reward_name == "agent" else np.full(len(cost), -float(cost.mean()))
        self._return += float(rewards.mean())
        if frame.truncated or frame.terminated:
            col = self._metric_index
            t = self._totals
            tasks = int(t[col["completed"]])
            self.episode_summary = {
                "avg_cost": self._cost_total / tasks if tasks else float("nan"),
                "success_rate": 1.0 - float(t[col["missed"]]) / tasks if tasks else float("nan"),
                "latency_mean_s": float(t[col["latency_sum_s"]]) / tasks if tasks else float("nan"),
                "energy_j": float(t[col["energy_local_j"]] + t[col["energy_tx_j"]]),
                "edge_energy_j": float(t[col["energy_edge_j"]]),
                "tasks": tasks,
                "missed_deadlines": int(t[col["missed"]]),
                "steps": frame.step,
                "ended_early": False,
                "return": self._return,
            }
        return rewards

    def _info(self, frame: Frame, i: int) -> dict[str, Any]:
        row = frame.metrics[i]
        info: dict[str, Any] = {"metrics": row, "cost": float(self._step_cost[i]) if frame.step > 0 else 0.0}
        if frame.step > 0:
            col = self._metric_index
            info["server"] = int(row[col["server"]])
            info["offload_ratio"] = float(row[col["offload_ratio"]])
        if (frame.truncated or frame.terminated) and self.episode_summary is not None:
            info["episode"] = self.episode_summary
        return info

    def state(self) -> np.ndarray:
        """The global state for a centralised critic: every device's observation, concatenated."""
        return super().state()
