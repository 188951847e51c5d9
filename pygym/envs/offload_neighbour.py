"""offload-neighbour-v0: PeersimGym's task-offloading problem, modelled correctly.

Nodes lie in a square; each has cores x clock rate and a bounded first-in first-out queue. Tasks (CPU
cycles, input bytes, result bytes, deadline) arrive at the agent nodes as Poisson processes. At every
decision epoch each agent takes the oldest task in its queue that it has not decided on and keeps it or
sends it to one of its neighbours over a wireless link (Shannon rate of a free-space channel with thermal
noise, plus propagation); results travel back to the origin. A task is dropped when it reaches a full queue
(``queue_full``) or when its result is not back by its deadline (``deadline``). Undecided tasks run locally
when a core is free (set ``serve_undecided=False`` to make every task wait for its agent's decision).

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
                       drops by reason, energy, and the decision the simulator applied).
                       ``env.last_frame.task_records`` holds the latency parts of every task
                       finished in the step (``env.task_record_fields``).
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

- v0: initial release.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any, ClassVar

import topologies
from pygym import topology as topology_files
from pygym import workload as workload_files
from pygym.env import SimParallelEnv
from pygym.errors import ConfigError


class OffloadNeighbourEnv(SimParallelEnv):
    """offload-neighbour-v0; see the module docstring."""

    env_id: ClassVar[str] = "offload-neighbour-v0"
    default_reward: ClassVar[str] = "sparse"

    def __init__(
        self,
        *,
        topology: str | os.PathLike[str] | topologies.Topology | None = None,
        topology_params: Mapping[str, Any] | None = None,
        topology_seed: int = 0,
        topology_routing: str = "hops",
        workload: str | os.PathLike[str] | None = None,
        **kwargs: Any,
    ) -> None:
        self.topology: topology_files.PreparedTopology | None = None
        if topology is not None:
            clash = [key for key in ("nodes", "agents", "network.size") if key in kwargs]
            if clash:
                raise ConfigError(f"{', '.join(clash)}: set by the topology (its compute and agent nodes)")
            self.topology = topology_files.prepare(topology, topology_params, topology_seed, topology_routing)
            kwargs.update(
                topology=str(self.topology.path), nodes=self.topology.nodes, agents=self.topology.agents
            )
        elif topology_params is not None:
            raise ConfigError("topology_params needs topology=<generator name>")
        if workload is not None:
            if self.topology is not None:
                names = set(self.topology.node_names)
            else:
                names = {f"node_{i}" for i in range(int(kwargs.get("nodes", 20)))}
            kwargs["workload"] = str(workload_files.check(workload, names))
            # The file's tasks replace the Poisson arrivals unless rates are set explicitly.
            kwargs.setdefault("arrival_rate_hz", 0)
            kwargs.setdefault("background_arrival_rate_hz", 0)
        super().__init__(**kwargs)

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
