"""offload-mec-explaboff-v0: ExplabOff's multi-access edge computing environment, exactly as released.

The environment of ExplabOff (Ren, Hu, Niu, Yao, INFOCOM 2025; ``huzheyuan740/ExplabOff``, ``mec_env/``) on
our simulator, so that results can be set beside the paper's figure. Mobile devices (the agents) each hold
one task per step and choose an edge server and the fraction ``p`` of the task to offload; the servers'
first-in first-out queues are shared. There is no channel and no energy: upload times come from a fixed
table and the cost is latency only. Sizes are the release's abstract size units (a size is its own
computational load), capacities are size units per second, times are seconds.

Per step, for device ``m`` with task size ``d`` (drawn ~ N(class mean, 0.1^2); classes are dealt to the
devices by a seeded random permutation at every reset, together with their deadlines) choosing server
``b``: ``T_loc = d (1 - p) / 1.0``; the server takes the step's tasks in order of upload time (ties in
device order) and appends each to its queue with work ``switch + d p / C_b``, where the switch time is
charged only the first time the device uses that server in the episode; ``T_edge = upload[m][b] +``
everything queued up to and including the task (the backlog carried from earlier steps, the step's earlier
tasks, its own work). Latency ``T = max(T_loc, T_edge)``, cost ``c = 1 x T``, a miss when ``T > deadline``.
Then each server works off ``drain_s`` (1 s) of its queue.

=====================  ==========================================================================
Agents                 ``md_0`` ... ``md_{n_devices-1}``
Action                 ``Box([-1, 1]^2, float32)``: ``server_choice, offload_ratio``, decoded as the
                       release's run script does: clip to [-0.9999, 0.9999], server
                       ``floor((a0 + 1) B / 2)``, ratio ``p = (a1 + 1) / 2`` (so both parts are always
                       non-zero and there is no local-only choice). Values outside [-1, 1] are
                       clipped, never rejected. A wrong shape, NaN or infinity raises ActionError.
Observation            ``Box(float32, 3B + 2M + 4)`` (16 for 2x3, 20 for 2x5, 27 for 3x7), the
                       release's ``State`` in its order, named by ``env.observation_fields``:
                       ``es{b}_capacity`` (/25), ``device_capacity`` (/3), ``task_size`` (/20),
                       ``task_deadline_s`` (/5), ``class{k}_task_size`` (/20; the current task of the
                       device holding class k, so every device sees every task), ``class{k}_own``
                       (one-hot of its own class), ``es{b}_upload_s`` (/0.5), ``es{b}_backlog_s``
                       (raw seconds), ``last_server`` (raw; -1 at episode start).
                       ``observation="raw"`` gives the unscaled values. Declared bounds: the
                       table's largest capacities, deadlines and upload times; ``last_server`` in
                       [-1, B - 1]; task sizes are normal draws and the backlogs add them up, so
                       those fields are declared unbounded (infinite).
State                  ``state()``: the M observations concatenated (48 for 2x3), the critic input of
                       the release's run script.
Reward                 The release's sparse team reward, the same for every device and zero on every
                       step but the last: after ``episode_steps`` steps ``60 / c_mean^2`` with
                       ``c_mean`` the mean cost over devices and steps; at an early end ``-10 x`` the
                       mean over devices of the cost of those that missed (0 for the others).
Episode end            Terminated at the first step where a device misses its deadline; truncated
                       after ``episode_steps`` (10) steps without a miss.
Infos                  The same keys at reset and every step, per device: ``metrics`` (named by
                       ``env.metric_fields``), ``class_index``, ``class_mean``, ``server_backlog_s``
                       (each server's backlog after the step's drain), the decision applied
                       ``server`` (-1 at reset), ``offload_ratio``, ``cost``, ``local_latency_s``,
                       ``edge_latency_s``, ``latency_s`` (NaN at reset), ``missed``,
                       ``step_cost_mean``, ``step_cost_max`` (NaN at reset), ``step_success``;
                       ``episode`` (float64 values named by ``env.episode_fields``, zeros before the
                       last step): ``avg_cost`` and
                       ``success_rate`` as the release logs them (AvgCost and SuccRate of its
                       figure), ``return``, ``length`` (steps), ``cost_max_logged``,
                       ``ended_early``, ``missed_deadlines``, ``missed_on_last_step``, ``tasks``
                       and ``latency_mean_s``; ``env.episode`` holds the last one. The vector env
                       gives the same figures in ``infos["episode"]``.
=====================  ==========================================================================

Logged as released: ``avg_cost`` is ``c_mean`` after a full episode, else the largest cost of the failing
step; ``success_rate`` is ``(steps executed - 1) / (episode_steps - 1)``; ``cost_max_logged`` reproduces
the release's ``cost_max x cost_mean`` logging bug.

Arguments (defaults in brackets; ``pygym sim template offload-mec-explaboff-v0`` lists them all):

- ``setting`` ["auto"]: ``"2x3"``, ``"2x5"`` or ``"3x7"`` (servers x devices), the published tables of
  ``config.py``, ``config_5.py`` and ``config_bs37.py``: server capacities [6, 12], [10, 19],
  [10, 19, 26]; task-size means [7, 6, 3], [7, 6, 3, 4, 5], [7, 6, 3, 4, 5, 4.5, 5.5]; deadlines about
  1.8 s (2x3) and 2.2 s (2x5, 3x7); upload times about 0.3 s and switch times 0.101-0.106 s per device and
  server. ``"auto"`` picks the table matching ``n_servers`` and ``n_devices``.
- ``n_servers``, ``n_devices`` ["auto"]: with a named setting they must match it; otherwise they select
  the table (``n_devices=5`` gives 2x5, ``n_servers=3`` gives 3x7, both auto give 2x3). A count without a
  published table, or an unknown setting, raises ConfigError naming the tables that exist.
- ``server_capacities`` ["auto"]: e.g. ``"10,19,25"`` (see below).
- ``task_size_std`` [0.1] (0 to 0.5), ``shuffle_classes`` [True] (False: device m holds class m),
  ``observation`` ["normalised" or "raw"], ``episode_steps`` [10], ``drain_s`` [1].
- ``render_mode`` [None or "ansi"], ``server`` [this process's JVM; or a client from ``pygym.connect``].
  ``reward`` must be ``"sparse"``; the reward constants (-10, 60) are the release's and take no weights.

Quirks of the release reproduced (so numbers compare with its figure): a miss on the last step still takes
the full-episode branch (positive reward, success rate 1; ``missed_on_last_step`` reports it honestly, and
the frame says ``terminated`` rather than ``truncated``); the upload time is added on top of the whole queue
with no overlap; the per-step queue order follows upload times, not arrival; the switch time is charged once
per device and server per episode; the early-end reward counts only the devices that missed;
``cost_max_logged`` keeps the logging bug.

Fixed or changed: observations are normalised per field (the release's hard-coded indices are right only
for 2x3 and scramble the 2x5 and 3x7 observations, ExplabOff report section 6.2); in 2x3 they equal the
release's. 3x7's third server runs at the 26 that ``config_bs37.py`` lists (the release leaves that line
commented out and runs it at 25; ``server_capacities="10,19,25"`` restores that). ``step`` returns the
observation the devices act on next (new tasks drawn); the release's run script stores a ``next_obs``
holding the previous tasks. The class permutation and task sizes come from the episode seed (Java streams
``classes`` and ``tasks``), not from Python's ``random`` and numpy's global generator: the distributions
match the release, the draws do not. Actions are decoded in double precision from the float32 action.

Version history:

- v0: initial release.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

import numpy as np

from pygym.env import Frame, SimParallelEnv
from pygym.episodes import EpisodeLogic
from pygym.errors import ConfigError
from pygym.frames import Batch

COST_TO_REWARD = -10.0
"""per-device reward per unit of cost on a miss (the release's ``cost_to_reward``)"""
ADJUST_BIAS_FOR_NORMAL = 60.0
"""numerator of the full-episode reward 60 / c_mean^2 (``adjust_bias_for_normal``)"""


class ExplabOffEpisodes(EpisodeLogic):
    """The release's ``cost_reward_function_v2``: zero until the episode ends, then one team value; the
    episode figures as the release logs them."""

    rewards = ("sparse",)
    figures = (
        "avg_cost",
        "success_rate",
        "cost_max_logged",
        "ended_early",
        "missed_deadlines",
        "missed_on_last_step",
        "tasks",
        "latency_mean_s",
    )

    def __init__(self, env_id: str, reward: str | None, reward_weights: Mapping[str, float] | None) -> None:
        if reward is not None and reward != "sparse":
            raise ConfigError(
                f"unknown reward '{reward}' for {env_id}; known: sparse (the release's team reward)"
            )
        if reward_weights:
            raise ConfigError(
                f"{env_id} takes no reward_weights: its constants (-10 per unit of cost on a miss, "
                "60 / c_mean^2 after a full episode) are the release's"
            )
        super().__init__(env_id, reward, None)

    def attach(self, spec: Mapping[str, Any], num_envs: int) -> None:
        super().attach(spec, num_envs)
        self.cost = self.metric_index["cost"]
        self.missed = self.metric_index["missed"]
        self.latency = self.metric_index["latency_s"]
        # Per-device sums are agent-major (agents, envs): numpy reduces over the rows of a contiguous array
        # several times faster than over the middle axis of the frame's (envs, agents, metrics) view.
        self.cost_sums = np.zeros((self.num_agents, num_envs))
        self.missed_counts = np.zeros(num_envs, dtype=np.int64)
        self.latency_sums = np.zeros(num_envs)
        self.avg_cost = np.zeros(num_envs)
        self.cost_max_logged = np.zeros(num_envs)
        self.missed_last = np.zeros(num_envs, dtype=bool)

    def _started(self, which: np.ndarray, batch: Batch) -> None:
        self.cost_sums[:, which] = 0.0
        self.missed_counts[which] = 0
        self.latency_sums[which] = 0.0

    def _rewards(self, which: np.ndarray, batch: Batch) -> np.ndarray:
        # Whole-batch operations with masks (no fancy indexing): nearly every call of a large vector env
        # ends some episodes, so this runs at every step.
        metrics = batch.metrics.transpose(1, 2, 0)  # (agents, metrics, envs)
        cost = np.ascontiguousarray(metrics[:, self.cost])
        missed = np.ascontiguousarray(metrics[:, self.missed]) > 0
        self.cost_sums += cost * which
        self.missed_counts += (missed & which).sum(axis=0)
        self.latency_sums += np.ascontiguousarray(metrics[:, self.latency]).sum(axis=0) * which
        ended = which & batch.ended
        if not ended.any():
            return np.zeros((self.num_envs, self.num_agents))
        # The release's last-step branch, taken whether or not a device missed on that step.
        full = ended & (batch.step >= self.max_steps)
        early = ended ^ full
        # Means over devices as sums / devices: what ndarray.mean computes, without its Python wrapper.
        with np.errstate(divide="ignore", invalid="ignore"):
            per_device = self.cost_sums / np.maximum(batch.step, 1)
            cost_mean = per_device.sum(axis=0) / self.num_agents
            full_reward = ADJUST_BIAS_FOR_NORMAL * cost_mean**-2
        early_reward = np.where(missed, COST_TO_REWARD * cost, 0.0).sum(axis=0) / self.num_agents
        largest = cost.max(axis=0)
        reward = np.where(full, full_reward, np.where(early, early_reward, 0.0))
        self.avg_cost = np.where(full, cost_mean, np.where(early, largest, self.avg_cost))
        logged = np.where(early, largest * largest, self.cost_max_logged)
        self.cost_max_logged = np.where(full, per_device.max(axis=0) * cost_mean, logged)
        self.missed_last = np.where(ended, full & missed.any(axis=0), self.missed_last)
        return np.repeat(reward[:, None], self.num_agents, axis=1)

    def _figures(self, ended: np.ndarray) -> dict[str, np.ndarray]:
        tasks = self.lengths * self.num_agents
        with np.errstate(divide="ignore", invalid="ignore"):
            latency_mean = np.where(tasks > 0, self.latency_sums / tasks, np.nan)
        return {
            "avg_cost": self.avg_cost.copy(),
            "success_rate": (self.lengths - 1) / (self.max_steps - 1),
            "cost_max_logged": self.cost_max_logged.copy(),
            "ended_early": self.lengths < self.max_steps,
            "missed_deadlines": self.missed_counts.copy(),
            "missed_on_last_step": self.missed_last.copy(),
            "tasks": tasks,
            "latency_mean_s": latency_mean,
        }


class OffloadMecExplabOffEnv(SimParallelEnv):
    """offload-mec-explaboff-v0; see the module docstring."""

    env_id: ClassVar[str] = "offload-mec-explaboff-v0"
    Logic = ExplabOffEpisodes

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        fields = self.observation_fields
        self.n_devices = len(self.possible_agents)
        self.n_servers = sum(1 for f in fields if f.startswith("es") and f.endswith("_capacity"))
        self._backlog = np.array([fields.index(f"es{b}_backlog_s") for b in range(self.n_servers)])
        col = self._metric_index
        self._cost = col["cost"]
        self._missed = col["missed"]
        self._decision = {
            name: col[name]
            for name in ("offload_ratio", "cost", "local_latency_s", "edge_latency_s", "latency_s")
        }
        self._shared: tuple[Frame, dict[str, Any]] | None = None

    def _frame_info(self, frame: Frame) -> dict[str, Any]:
        """What every device's info shares for this frame, computed once per frame."""
        if self._shared is not None and self._shared[0] is frame:
            return self._shared[1]
        stepped = frame.step > 0
        costs = frame.metrics[:, self._cost]
        shared: dict[str, Any] = {
            # Backlogs are raw seconds in both observation modes.
            "server_backlog_s": frame.observation[0, self._backlog].astype(np.float64),
            "step_cost_mean": float(costs.mean()) if stepped else float("nan"),
            "step_cost_max": float(costs.max()) if stepped else float("nan"),
            "step_success": stepped and not bool((frame.metrics[:, self._missed] > 0).any()),
        }
        self._shared = (frame, shared)
        return shared

    def _info(self, frame: Frame, i: int) -> dict[str, Any]:
        row = frame.metrics[i]
        col = self._metric_index
        stepped = frame.step > 0
        info = super()._info(frame, i)
        info["class_index"] = int(row[col["class_index"]])
        info["class_mean"] = float(row[col["class_mean"]])
        info["server"] = int(row[col["server"]]) if stepped else -1
        for name, c in self._decision.items():
            info[name] = float(row[c]) if stepped else float("nan")
        info["missed"] = bool(row[self._missed] > 0)
        info.update(self._frame_info(frame))
        return info

    def render(self) -> str | None:
        """With ``render_mode="ansi"``: per device its class, decision, latencies and cost; the backlogs."""
        if self.render_mode != "ansi" or self.last_frame is None:
            return super().render()
        frame = self.last_frame
        col = self._metric_index
        lines = [
            f"step {frame.step}/{self.max_steps}  backlog s: {self._frame_info(frame)['server_backlog_s']}"
        ]
        lines.append(
            f"{'device':>6} {'class':>5} {'server':>6} {'p':>6} {'T_loc':>7} {'T_edge':>7} {'cost':>7}"
        )
        for i, agent in enumerate(self.possible_agents):
            m = frame.metrics[i]
            lines.append(
                f"{agent:>6} {m[col['class_mean']]:5g} {m[col['server']]:6.0f} "
                f"{m[col['offload_ratio']]:6.3f} "
                f"{m[col['local_latency_s']]:7.3f} {m[col['edge_latency_s']]:7.3f} {m[col['cost']]:7.3f}"
                + ("  MISS" if m[col["missed"]] > 0 else "")
            )
        return "\n".join(lines)
