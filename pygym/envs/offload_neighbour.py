"""offload-neighbour-v0: PeersimGym's task-offloading problem, modelled correctly.

Nodes lie in a square; each has cores x clock rate and a bounded first-in first-out queue. Tasks (CPU
cycles, input bytes, result bytes, deadline) arrive at the agent nodes as Poisson processes. At every
decision epoch each agent takes the oldest task in its queue that it has not decided on and keeps it or
sends it to one of its neighbours over a wireless link (Shannon rate of a free-space channel with thermal
noise, plus propagation); results travel back to the origin. A task is dropped when it reaches a full queue
(``queue_full``) or when its result is not back by its deadline (``deadline``). Undecided tasks run locally
when a core is free (set ``serve_undecided=False`` to make every task wait for its agent's decision).

When nothing is decided: with ``serve_undecided=True`` (the default, PeersimGym's behaviour) an agent decides
only for tasks that wait in its queue, and a task that finds a free core starts at once. On a network with
many cores per node and little load every task can start before its agent's next decision epoch: for example
an ``urban-sensing`` topology (its ``rpi3_*`` devices have 4 cores) replaying a workload at its ``rpi3_*``
sources. Then ``decided`` is 0 in every step, ``served_undecided`` counts every task, actions have no effect,
and two seeds give identical trajectories. Watch the two metrics (their sums over an episode, the episode
record's ``decided`` and ``served_undecided``, are the decisions that mattered and the decisions that never
happened; an episode with none of the first and some of the second raises a ``NothingDecidedWarning``, once
per environment); set ``serve_undecided=False`` so that every task waits for a decision, or raise the load
so that tasks queue.

=====================  ==========================================================================
Agents                 ``node_0`` ... ``node_{agents-1}`` (the first ``agents`` nodes; ids are node
                       names, stable across resets)
Action                 ``Discrete(1 + max_neighbours)``: 0 keeps the task, k sends it to neighbour
                       slot k - 1. ``infos[agent]["action_mask"]`` marks the slots that hold a
                       neighbour. A masked action keeps the task local and is reported in the
                       ``invalid_action`` metric (the dense reward penalises it). With no undecided
                       task the action does nothing. An action outside the space raises ActionError.
Observation            ``Box(float32, 10 + 6 x max_neighbours)``, SI units, named by
                       ``env.observation_fields``: own ``queue_tasks, free_slots, busy_cores, cores,
                       cpu_hz``; the head task's ``head_present, head_cycles, head_input_bytes,
                       head_output_bytes, head_deadline_left_s``; per neighbour slot k
                       ``nbk_present, nbk_queue_tasks, nbk_free_slots, nbk_age_s, nbk_cpu_hz,
                       nbk_uplink_bps`` where queue and free slots are as last announced by the
                       neighbour's load beacon and ``age_s`` is how old that announcement is.
State                  ``state()``: per node ``queue_tasks, busy_cores, free_slots,
                       radio_backlog_bytes`` (``env.state_fields``), for centralised critics.
Reward                 ``reward="sparse"`` (default): utility x (completed - dropped) per origin
                       agent. ``reward="dense"``: PeersimGym's utility minus expected delay
                       (wait + transfer + execution difference) minus overload, from the decision
                       the simulator applied. Both subtract ``latency`` x seconds of latency of
                       completed tasks and ``energy`` x joules. Weights: ``reward_weights={...}``
                       (see ``pygym.rewards.RewardWeights``).
Episode end            Truncated (a time limit, not a terminal state) after
                       ``round(episode_s / epoch_s)`` steps; never terminated.
Infos                  ``action_mask`` (int8) and ``metrics``: this agent's raw measurements for the
                       step, named by ``env.metric_fields`` (arrived, completed, latency parts,
                       drops by reason, energy, ``served_undecided``: this agent's tasks that a core
                       started before the agent decided on them, and the decision the simulator
                       applied, ``decided`` = 1 when there was one).
                       ``env.last_frame.task_records`` holds the latency parts of every task
                       finished in the step (``env.task_record_fields``). ``episode``: float64
                       values named by ``env.episode_fields``, zeros until the episode's last
                       step, then this agent's ``return`` and the episode's ``length``
                       (steps), ``arrived``, ``completed``, ``completion_ratio`` (completed /
                       arrived), ``dropped_queue_full``, ``dropped_deadline``,
                       ``dropped_dependency``, ``unfinished``, ``latency_mean_s``,
                       ``latency_p95_s`` (NaN without task records: a vector env asks for them
                       with ``task_records=True``), ``energy_j``, ``decided`` and
                       ``served_undecided``, over the tasks of the agents; the vector env gives
                       the same figures in ``infos["episode"]``.
=====================  ==========================================================================

Arguments (defaults in brackets; any key of the simulator's template can be set the same way, see
``pygym sim template offload-neighbour-v0``):

- ``nodes`` [20], ``agents`` [10], ``area_m`` [100], ``radius_m`` [50], ``max_neighbours`` [4]
- ``cores`` [2], ``cpu_hz_min`` [0.5e9], ``cpu_hz_max`` [2e9], ``kappa`` [1e-27] (energy per cycle is
  kappa x hz^2 J), ``queue_capacity`` [10], ``serve_undecided`` [True]
- ``arrival_rate_hz`` [4], ``background_arrival_rate_hz`` [0], ``task_cycles_min/max`` [2e8, 6e8],
  ``task_input_bytes_min/max`` [1e5, 1e6], ``task_output_bytes_min/max`` [1e3, 1e5],
  ``task_deadline_s_min/max`` [1, 2]
- ``bandwidth_hz`` [5e6], ``tx_power_w`` [0.1], ``carrier_hz`` [2.4e9], ``noise_temperature_k`` [290],
  ``beacon_bytes`` [64], ``beacon_interval_s`` [epoch_s]
- ``epoch_s`` [0.1], ``episode_s`` [100]
- ``topology`` [None]: a topology file (``pygym topology generate ...``), a ``topologies.Topology``, or a
  generator name (``"urban-sensing"``, ``"random-geometric"``, ...) with ``topology_params`` [{}] and
  ``topology_seed`` [0]; ``topology_routing`` ["hops"] or "latency". The nodes are then the file's
  compute nodes, agents are those it marks as agents (ids = node names, agents first in file order),
  each node gets its cores and clock rate and a queue of ``floor(memory_bytes /
  topology_task_memory_bytes)`` tasks [256e6 bytes per task] capped at ``queue_capacity``, neighbours are
  the ``max_neighbours`` nodes with the lowest route latency, and a transfer runs at the route's bottleneck
  bandwidth plus its one-way latency (a node whose only links are wireless keeps the Shannon channel as a
  cap). ``nodes``, ``agents`` and ``area_m``/``radius_m`` then do not apply. The file is checked in Python
  before any simulator sees it, and again by the simulator.
- ``workload`` [None]: a workload file (``pygym workload convert|synth ...``) replayed instead of the
  Poisson arrivals (set ``arrival_rate_hz`` to keep both): each line is a task arriving at its ``source``
  node (a node name: ``node_i``, or a topology's names) at its ``arrival_s``, with its cycles, bytes and
  absolute deadline. A task waits at its source until the tasks it ``depends_on`` have completed; if one
  is dropped, so is it (reason ``dependency``). The simulator streams the file. ``workload_end``
  ["truncate"]: after the last line, the episode is truncated once every replayed task has finished;
  "loop": the file starts over, shifted by its last arrival plus its mean gap. Checked in Python (every
  line, and every source against the scenario's nodes) and again by the simulator.
- ``reward`` ["sparse"], ``reward_weights`` [{}], ``render_mode`` [None or "ansi"], ``server`` [this
  process's JVM; or a client from ``pygym.connect``]

Presets (``pygym.make("offload-neighbour-v0", preset=NAME)``, ``pygym scenarios``; keywords given
alongside override the preset's; the data is in :mod:`pygym.presets`):

- ``load-light`` / ``load-medium`` / ``load-heavy``: the default network at 3 / 6 / 9 tasks/s per agent;
- ``hetero-heavy``: clock rates 0.3-4 GHz, a 1 MHz channel (costly transfers), 8 tasks/s per agent;
- ``edge-server``: two cells of slow ``rpi3`` boards and a ``nuc`` on 20 Mbit/s shared wireless, an
  88-core server three hops away (not an agent), tasks of 1-3e9 cycles and 0.2-2 MB, 3 tasks/s; the
  queue-length heuristic leaves a margin here (it ignores clock rates and transfer times);
- ``clusters-1`` ... ``clusters-4``: Ether's urban-sensing city of 1 to 4 cells, ``rpi3`` boards as
  agents, compute boxes as helpers, big tasks at 3 tasks/s;
- ``trace-alibaba``: the synthetic Alibaba 2018 sample replayed 500x faster and looped.

All presets use 30 s episodes (300 decisions).

Differences from PeersimGym: first-in first-out service (PeersimGym's comparator serves last-in first),
Poisson arrivals not capped at one per tick, noise over the channel bandwidth (not the message size),
computing energy from its own coefficient, seeded randomness everywhere, one JVM reused across resets.

Version history:

- v0: initial release. Before release, in the same version: the ``served_undecided`` metric (after
  ``dropped_dependency``, before the decision fields).
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from typing import Any, ClassVar

import numpy as np

from pygym.env import SimParallelEnv
from pygym.episodes import EpisodeLogic
from pygym.frames import Batch
from pygym.group import Prepared
from pygym.prepare import Files, Nodes, prepare_files
from pygym.rewards import REWARDS, RewardWeights, sparse, sparse_vector


class NothingDecidedWarning(UserWarning):
    """An episode in which every task started before its agent decided: actions had no effect."""


class NeighbourEpisodes(EpisodeLogic):
    """Rewards from :mod:`pygym.rewards` over each step's metrics; episode figures summed over the agents'
    counters (latency percentiles from the task records of tasks that originate at agents)."""

    rewards = tuple(REWARDS)
    figures = (
        "arrived",
        "completed",
        "completion_ratio",
        "dropped_queue_full",
        "dropped_deadline",
        "dropped_dependency",
        "unfinished",
        "latency_mean_s",
        "latency_p95_s",
        "energy_j",
        "decided",
        "served_undecided",
    )
    _COUNTED = ("arrived", "completed", "dropped_queue_full", "dropped_deadline", "dropped_dependency")
    _FINISHED = _COUNTED[1:]

    def __init__(self, env_id: str, reward: str | None, reward_weights: Mapping[str, float] | None) -> None:
        super().__init__(env_id, reward, reward_weights)
        self.reward_fn = REWARDS[self.reward_name]
        self.weights = RewardWeights.from_mapping(reward_weights)

    def attach(self, spec: Mapping[str, Any], num_envs: int) -> None:
        super().attach(spec, num_envs)
        self.totals = np.zeros((num_envs, len(self.metric_index)))
        self.agent_nodes = np.array(spec["agent_nodes"])
        records = list(spec["task_record"])
        self.origin = records.index("origin_node")
        self.latency = records.index("latency_s")
        self.latencies: list[list[np.ndarray]] = [[] for _ in range(num_envs)]
        self.warned = np.zeros(num_envs, dtype=bool)
        # The sparse reward is a product with a weight vector: one operation per step for the whole batch.
        self.linear = sparse_vector(self.metric_index, self.weights) if self.reward_fn is sparse else None

    def _started(self, which: np.ndarray, batch: Batch) -> None:
        # Tasks arrive (and may be dropped) before the first decision: the reset frame counts too.
        self.totals[which] = batch.metrics[which].sum(axis=1)
        for i in np.flatnonzero(which):
            self.latencies[i] = []
        self._collect_latencies(which, batch)

    def _rewards(self, which: np.ndarray, batch: Batch) -> np.ndarray:
        metrics = batch.metrics
        if self.linear is not None:
            rewards = metrics @ self.linear
        else:
            n, agents, m = metrics.shape
            rewards = self.reward_fn(metrics.reshape(n * agents, m), self.metric_index, self.weights)
            rewards = rewards.reshape(n, agents)
        if which.all():
            self.totals += metrics.sum(axis=1)
        else:
            self.totals[which] += metrics[which].sum(axis=1)
        self._collect_latencies(which, batch)
        return rewards

    def _collect_latencies(self, which: np.ndarray, batch: Batch) -> None:
        if not len(batch.task_records):
            return
        for i in np.flatnonzero(which & (batch.record_counts > 0)):
            records = batch.records_of(int(i))
            self.latencies[i].append(
                records[np.isin(records[:, self.origin], self.agent_nodes), self.latency]
            )

    def _figures(self, ended: np.ndarray) -> dict[str, np.ndarray]:
        col = self.metric_index
        t = self.totals
        counted = (*self._COUNTED, "decided", "served_undecided")
        figures: dict[str, np.ndarray] = {name: t[:, col[name]].astype(np.int64) for name in counted}
        arrived = t[:, col["arrived"]]
        completed = t[:, col["completed"]]
        finished = sum(t[:, col[name]] for name in self._FINISHED)
        idle = ended & (figures["decided"] == 0) & (figures["served_undecided"] > 0) & ~self.warned
        if idle.any():
            self.warned |= idle
            first = int(np.flatnonzero(idle)[0])
            warnings.warn(
                f"{self.env_id}: no decision mattered in an episode of env {first}: all "
                f"{figures['served_undecided'][first]} tasks started before their agent decided "
                "(serve_undecided=True); see the env card",
                NothingDecidedWarning,
                stacklevel=4,
            )
        p95 = np.full(self.num_envs, np.nan)
        for i in np.flatnonzero(ended):
            latencies = np.concatenate(self.latencies[i]) if self.latencies[i] else np.zeros(0)
            if len(latencies):
                p95[i] = np.percentile(latencies, 95)
        with np.errstate(divide="ignore", invalid="ignore"):
            figures.update(
                completion_ratio=np.where(arrived > 0, completed / arrived, np.nan),
                unfinished=(arrived - finished).astype(np.int64),
                latency_mean_s=np.where(completed > 0, t[:, col["latency_sum_s"]] / completed, np.nan),
                latency_p95_s=p95,
                energy_j=t[:, col["energy_j"]].copy(),
            )
        return figures


class OffloadNeighbourEnv(SimParallelEnv):
    """offload-neighbour-v0; see the module docstring."""

    env_id: ClassVar[str] = "offload-neighbour-v0"
    Logic = NeighbourEpisodes

    @classmethod
    def prepare(cls, **scenario: Any) -> Prepared:
        """The scenario keywords as overrides, the ``topology`` and ``workload`` files checked first."""

        def nodes(files: Files) -> Nodes:
            topology = files.topology
            if topology is not None:
                return Nodes(
                    sources=lambda: topology.node_names,
                    overrides={"nodes": topology.nodes, "agents": topology.agents},
                )
            # The template's nodes: network.node_prefix, then the index.
            prefix = files.template.value("network.node_prefix", scenario)
            return Nodes(
                sources=lambda: [f"{prefix}{i}" for i in range(files.template.count("nodes", scenario))]
            )

        prepared = prepare_files(
            cls.env_id,
            scenario,
            nodes,
            set_by_topology=("nodes", "agents"),
            topology_sets="its compute and agent nodes",
        )
        if prepared.workload is not None:
            # The file's tasks replace the Poisson arrivals unless rates are set explicitly.
            prepared.overrides.setdefault("arrival_rate_hz", 0)
            prepared.overrides.setdefault("background_arrival_rate_hz", 0)
        return prepared

    def render(self) -> str | None:
        """With ``render_mode="ansi"``: per agent, queue, busy cores, head task, last action, reward."""
        if self.render_mode != "ansi" or self.last_frame is None:
            return super().render()
        frame = self.last_frame
        obs = frame.observation
        col = {name: i for i, name in enumerate(self.observation_fields)}
        lines = [f"t={frame.time_s:.3f} s  step {frame.step}/{self.max_steps}"]
        lines.append(f"{'agent':>10} {'queue':>5} {'busy':>4} {'head':>4} {'action':>12} {'reward':>8}")
        for i, agent in enumerate(self.possible_agents):
            lines.append(
                f"{agent:>10} {obs[i, col['queue_tasks']]:5.0f} {obs[i, col['busy_cores']]:4.0f} "
                f"{'yes' if obs[i, col['head_present']] else 'no':>4} {self._action_text(i):>12} "
                f"{self._reward_text(i):>8}"
            )
        return "\n".join(lines)
