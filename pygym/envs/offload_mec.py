"""offload-mec-v0: ExplabOff's offloading decision on physical models of radio, computing and energy.

The decision problem of ``offload-mec-explaboff-v0`` (each mobile device decides, per epoch, for one task:
an edge server and the fraction ``p`` of the task to offload; the devices share the servers) on physical
models, so the same agents can be trained on a realistic network. By default the network is a cell: devices
are placed uniformly in a disc at every reset, the edge servers stand evenly on a ring around its centre,
and tasks come from a built-in generator, one per device per epoch: input bytes uniform in
[``task_bytes_min``, ``task_bytes_max``], CPU cycles = bytes x ``cycles_per_byte``, a relative deadline
``task_deadline_s``, no output. The local part, (1 - p) of the cycles, runs on the device's CPU (first-in
first-out). The offloaded part sends p of the input bytes over the device's uplink, one upload at a time, at
the Shannon rate ``B log2(1 + P g(d) / (N0 B))`` of a log-distance path-loss channel (orthogonal channels,
no interference), computes p of the cycles on the chosen server, whose CPU serves task parts first-in
first-out or by processor sharing (``server_discipline``; with several cores a part uses one core), and
returns p of the task's output bytes to the device. A task is done when both parts are; it misses its
deadline if it finishes after it (it still completes). Energy: computing ``kappa x hz^2`` per cycle on the
device and on the server, transmission ``tx_power_w x`` time on air.

A topology file (``topology=``) replaces the cell, and a workload file (``workload=``) the generator; see
Arguments.

=====================  ==========================================================================
Agents                 The devices, ids = node names, stable across resets: ``md_0`` ...
                       ``md_{n_devices-1}`` in a cell; with a topology, its ``device`` nodes marked as
                       agents, in file order. ``env.server_names``: ``es_0`` ... or the topology's.
Action                 ``Box([-1, 1]^2, float32)``: ``server_choice, offload_ratio``, decoded as in
                       offload-mec-explaboff-v0 but clipped to [-1, 1] only: server
                       ``floor((a0 + 1) B / 2)`` (a0 = 1 is the last server), ``p = (a1 + 1) / 2``, so
                       ``p = 0`` keeps the task local and ``p = 1`` offloads all of it. Values outside
                       [-1, 1] are clipped; a wrong shape, NaN or infinity raises ActionError. It applies
                       to the task the device holds; a device that holds none (only when replaying a
                       workload) does nothing and reports ``decided = 0``.
Observation            ``Box(float32, 10 + 6 B + M)``, SI units, named by ``env.observation_fields``:
                       the task held now ``task_bytes, task_cycles, task_deadline_s`` (time left until
                       its deadline, infinite if it has none; all 0 when no task is held); own
                       ``cpu_hz`` (per core),
                       ``local_backlog_s`` (queued cycles / (cores x hz)), ``uplink_backlog_s``; per
                       server k ``es{k}_uplink_bps`` (this device's rate to it), ``es{k}_cpu_hz,
                       es{k}_backlog_cycles, es{k}_jobs``; every device's held task
                       ``md{j}_task_bytes``; then ``task_present, task_output_bytes, queued_tasks``
                       (tasks awaiting this device's decision, the held one included), own ``cores``,
                       and per server ``es{k}_cores, es{k}_latency_s`` (one-way latency to it). The
                       fields from ``task_present`` on came with topologies and workloads; the indices
                       before them are those of the first v0 layout.
State                  ``state()``: the M observations concatenated, for centralised critics.
Reward                 From a per-device cost over the device's tasks that finished during the step:
                       ``latency x`` seconds of latency ``+ energy x`` joules the device spent
                       (local computing and transmission) ``+ edge_energy x`` joules the server spent
                       on its offloaded parts ``+ miss x`` deadline misses ``+ drop x`` dropped tasks.
                       ``reward="team"`` (default): every device gets minus the mean cost over devices;
                       ``reward="agent"``: minus its own. Weights: ``reward_weights={...}``
                       (``pygym.envs.offload_mec.MecCostWeights``: latency 1, energy 1,
                       edge_energy 0, miss 1, drop 1).
Episode end            Truncated after ``episode_steps`` decisions, or when a replayed workload with
                       ``workload_end="truncate"`` has had every task finish; never terminated. After
                       the last decision the simulation runs on without new decisions until every
                       decided task is done, so the last frame (its ``time_s`` says when) accounts for
                       every task: replayed tasks never decided are counted there as ``unfinished``,
                       and no replayed task arrives after the last decision epoch.
Infos                  ``metrics`` (named by ``env.metric_fields``: the decision applied, then sums
                       over the device's tasks finished in the step: ``completed``, latency parts,
                       ``missed``, energies; then ``decided``, ``arrived``, ``dropped_queue_full``,
                       ``dropped_dependency``, ``unfinished``, ``return_sum_s``), ``cost``,
                       ``decided``, ``server`` (-1 at reset) and ``offload_ratio`` (NaN at reset),
                       the same keys at reset and every step.
                       ``env.last_frame.task_records`` holds one record per completed task
                       (``env.task_record_fields``, including ``workload_line`` (-1 for generated
                       tasks), ``created_s`` (arrival), ``decided_s``, ``started_s`` (first upload or
                       computation), ``finished_s``). ``episode``: float64 values named by
                       ``env.episode_fields``, zeros before the last step: ``avg_cost`` (mean cost
                       per completed or dropped task), ``success_rate`` (fraction of those
                       completed within their deadline), ``latency_mean_s``, ``energy_j`` (devices),
                       ``edge_energy_j``, ``tasks`` (completed), ``missed_deadlines``, ``arrived``,
                       ``dropped``, ``unfinished``, ``length`` (steps), ``ended_early``,
                       ``return``; ``env.episode`` holds the last one. The vector env gives the same
                       figures in ``infos["episode"]``.
=====================  ==========================================================================

Arguments (defaults in brackets; ``pygym sim template offload-mec-v0`` lists every key):

- ``n_devices`` [3], ``n_servers`` [2], ``cell_radius_m`` [250], ``server_ring_m`` [100]
- ``device_hz`` [1e9], ``device_cores`` [1], ``device_kappa`` [1e-27], ``server_hz_min/max`` [5e9, 10e9]
  (drawn per server at reset), ``server_cores`` [1], ``server_kappa`` [1e-29], ``server_discipline``
  ["fifo" or "ps"]
- ``bandwidth_hz`` [10e6], ``tx_power_w`` [0.1], ``path_loss_db_at_1m`` [15.3], ``path_loss_exponent``
  [3.76] (the 3GPP macro-cell law 128.1 + 37.6 log10(d/km)), ``noise_psd_dbm_per_hz`` [-174]
- ``task_bytes_min/max`` [0.5e6, 2e6], ``cycles_per_byte`` [1000], ``task_deadline_s`` [1.5] (the built-in
  generator), ``epoch_s`` [1], ``episode_steps`` [10]
- ``topology`` [None]: a topology file (``pygym topology generate ...``), a ``topologies.Topology``, or a
  generator name (``"urban-sensing"``, ``"random-geometric"``, ...) with ``topology_params`` [{}] and
  ``topology_seed`` [0]; ``topology_routing`` ["hops"] or "latency", as for offload-neighbour-v0. The
  devices are then the file's compute nodes with role ``device`` marked as agents, the servers its nodes with
  role ``edge`` (agent or not), each in file order; ``topology_cloud_servers`` [False]: True makes its
  ``cloud`` nodes servers too (in file order among the edge nodes). Devices not marked as agents take no
  part, nor do cloud nodes otherwise. Each device's and server's CPU gets the node's cores and clock rate;
  uploads run at the route's bottleneck bandwidth and reach the server the route's one-way latency after the
  last bit is sent; results come back over the reverse route likewise (without contention). A node whose
  only links are wireless keeps the path-loss channel at the file's distance as a cap on its rates.
  ``n_devices`` and ``n_servers`` come from the file (setting them too is a ConfigError), and
  ``cell_radius_m``, ``server_ring_m``, ``device_hz``, ``device_cores``, ``server_hz_min/max`` and
  ``server_cores`` do not apply. A file without such devices or servers is a ConfigError naming it and the
  rule, raised in Python before any simulator starts; the simulator checks the file again.
- ``workload`` [None]: a workload file (``pygym workload convert|synth ...``) replayed instead of the
  built-in generator. Each line is a task arriving at its ``source`` device (a device's node name:
  ``md_0`` ..., or the topology's) at its ``arrival_s``, with its cycles, input bytes, output bytes and
  absolute deadline; the first unknown source is a ConfigError, in Python before any simulator starts and
  again in the simulator, which streams the file. How replayed tasks meet decisions: a task is released
  when every task it ``depends_on`` has completed (at once if none); released tasks join their device's
  queue, oldest first, of at most ``task_queue_capacity`` [100] tasks (a task finding it full is dropped,
  reason ``queue_full``); at each decision epoch every device decides for the oldest task in its queue
  (``queued_tasks`` says how many wait), so a device decides at most one task per epoch. A task whose
  dependency was dropped is dropped too (reason ``dependency``). The first decision is at ``t = epoch_s``
  (tasks arriving in [0, epoch_s) are decided then; a task arriving exactly at a decision time waits for the
  next), and a task's latency counts from its arrival. ``workload_end`` ["truncate"]: after the last line
  the episode is truncated once every replayed task has finished; "loop": the file starts over, shifted by
  its last arrival plus its mean gap. ``episode_steps`` still bounds the episode (raise it for long files).
- ``reward`` ["team" or "agent"], ``reward_weights`` [{}], ``render_mode`` [None or "ansi"], ``server``

In a cell, placement, server clock rates and the generated tasks come from the random streams
``placement``, ``hardware`` and ``tasks`` of the episode seed. In a cell propagation delay is neglected and
results come back at the uplink channel's rate (generated tasks have no output).

Version history:

- v0: initial release. Before release, in the same version: topology files (devices, servers, hardware
  and routes from the file; multi-core CPUs), workload files (replayed tasks with dependencies, a per-device
  decision queue, drops), result return, and the observation, metric and record fields after the original
  ones.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np

from pygym.env import Frame, SimParallelEnv
from pygym.episodes import EpisodeLogic
from pygym.errors import ConfigError
from pygym.frames import Batch
from pygym.group import Prepared
from pygym.prepare import Files, Nodes, prepare_files
from pygym.rewards import weights_from_mapping

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
    drop: float = 1.0
    """per dropped task (a replayed task finding its device's queue full, or whose dependency was dropped)"""

    @classmethod
    def from_mapping(cls, values: Mapping[str, float] | None) -> MecCostWeights:
        return weights_from_mapping(cls, values)


def devices_and_servers(files: Files, scenario: Mapping[str, Any], cloud_servers: bool) -> Nodes:
    """The devices (the agents, the nodes a workload may name) and servers of offload-mec-v0: with a
    topology, by the roles the template states (ConfigError if either is missing); in a cell, named by the
    template's prefixes."""
    template = files.template
    topology = files.topology
    if topology is None:
        if cloud_servers:
            raise ConfigError("topology_cloud_servers applies to a topology; none was given")
        prefix = template.value("init.net.device_prefix", scenario)
        devices = tuple(f"{prefix}{m}" for m in range(template.count("n_devices", scenario)))
        prefix = template.value("init.net.server_prefix", scenario)
        servers = tuple(f"{prefix}{k}" for k in range(template.count("n_servers", scenario)))
        return Nodes(sources=lambda: devices, source_kind="device", extras={"server_names": servers})
    device_role = template.value("init.net.device_role", scenario)
    server_role = template.value("init.net.server_role", scenario)
    cloud_role = template.value("init.net.cloud_role", scenario)
    server_roles = (server_role, cloud_role) if cloud_servers else (server_role,)
    agents = set(topology.agent_names)
    pairs = list(zip(topology.node_names, topology.node_roles, strict=True))
    devices = tuple(name for name, role in pairs if role == device_role and name in agents)
    servers = tuple(name for name, role in pairs if role in server_roles)
    if not devices:
        raise ConfigError(
            f"{files.source}: no devices: offload-mec-v0's devices (its agents) are the compute nodes with "
            f"role '{device_role}' marked as agents, and the file has none"
        )
    if not servers:
        rule = (
            f"role '{server_role}' or '{cloud_role}'"
            if cloud_servers
            else f"role '{server_role}' ({cloud_role} nodes count too with topology_cloud_servers=True)"
        )
        raise ConfigError(
            f"{files.source}: no servers: offload-mec-v0's servers are the compute nodes with {rule}"
        )
    return Nodes(
        sources=lambda: devices,
        source_kind="device",
        overrides={
            "n_devices": len(devices),
            "n_servers": len(servers),
            "topology_cloud_servers": cloud_servers,
        },
        extras={"server_names": servers},
    )


class MecEpisodes(EpisodeLogic):
    """Rewards from each device's cost (``metrics @ weights``): the team's mean or the device's own; episode
    figures over the devices' finished and dropped tasks."""

    rewards = REWARDS
    figures = (
        "avg_cost",
        "success_rate",
        "latency_mean_s",
        "energy_j",
        "edge_energy_j",
        "tasks",
        "missed_deadlines",
        "arrived",
        "dropped",
        "unfinished",
        "ended_early",
    )
    _COST_TERMS = (
        ("latency_sum_s", "latency"),
        ("energy_local_j", "energy"),
        ("energy_tx_j", "energy"),
        ("energy_edge_j", "edge_energy"),
        ("missed", "miss"),
        ("dropped_queue_full", "drop"),
        ("dropped_dependency", "drop"),
    )

    def __init__(self, env_id: str, reward: str | None, reward_weights: Mapping[str, float] | None) -> None:
        super().__init__(env_id, reward, reward_weights)
        self.weights = MecCostWeights.from_mapping(reward_weights)

    def attach(self, spec: Mapping[str, Any], num_envs: int) -> None:
        super().attach(spec, num_envs)
        col = self.metric_index
        # cost = metrics @ weight vector: one matrix product per step.
        self.cost_vector = np.zeros(len(col))
        for name, weight in self._COST_TERMS:
            self.cost_vector[col[name]] = getattr(self.weights, weight)
        self.totals = np.zeros((num_envs, len(col)))
        self.cost_totals = np.zeros(num_envs)
        self.step_cost = np.zeros((num_envs, self.num_agents))

    def _started(self, which: np.ndarray, batch: Batch) -> None:
        # A replayed workload's tasks may arrive (and be dropped) before the first decision.
        self.totals[which] = batch.metrics[which].sum(axis=1)
        self.cost_totals[which] = 0.0
        self.step_cost[which] = 0.0

    def _rewards(self, which: np.ndarray, batch: Batch) -> np.ndarray:
        cost = batch.metrics @ self.cost_vector
        self.step_cost = cost
        self.totals[which] += batch.metrics[which].sum(axis=1)
        self.cost_totals[which] += cost[which].sum(axis=1)
        if self.reward_name == "agent":
            return -cost
        return np.repeat(-cost.mean(axis=1, keepdims=True), self.num_agents, axis=1)

    def _figures(self, ended: np.ndarray) -> dict[str, np.ndarray]:
        col = self.metric_index
        t = self.totals
        tasks = t[:, col["completed"]]
        dropped = t[:, col["dropped_queue_full"]] + t[:, col["dropped_dependency"]]
        finished = tasks + dropped
        with np.errstate(divide="ignore", invalid="ignore"):
            return {
                "avg_cost": np.where(finished > 0, self.cost_totals / finished, np.nan),
                "success_rate": np.where(
                    finished > 0, 1.0 - (t[:, col["missed"]] + dropped) / finished, np.nan
                ),
                "latency_mean_s": np.where(tasks > 0, t[:, col["latency_sum_s"]] / tasks, np.nan),
                "energy_j": t[:, col["energy_local_j"]] + t[:, col["energy_tx_j"]],
                "edge_energy_j": t[:, col["energy_edge_j"]].copy(),
                "tasks": tasks.astype(np.int64),
                "missed_deadlines": t[:, col["missed"]].astype(np.int64),
                "arrived": t[:, col["arrived"]].astype(np.int64),
                "dropped": dropped.astype(np.int64),
                "unfinished": t[:, col["unfinished"]].astype(np.int64),
                "ended_early": self.lengths < self.max_steps,
            }


class OffloadMecEnv(SimParallelEnv):
    """offload-mec-v0; see the module docstring."""

    env_id: ClassVar[str] = "offload-mec-v0"
    Logic = MecEpisodes
    logic: MecEpisodes

    @classmethod
    def prepare(cls, **scenario: Any) -> Prepared:
        """The scenario keywords as overrides, everything about the ``topology`` (with
        ``topology_cloud_servers``) and ``workload`` files checked before a simulator is started or asked."""
        cloud_servers = bool(scenario.pop("topology_cloud_servers", False))
        return prepare_files(
            cls.env_id,
            scenario,
            lambda files: devices_and_servers(files, scenario, cloud_servers),
            set_by_topology=("n_devices", "n_servers"),
            topology_sets="its device agents and its servers",
            require_agents=False,
        )

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.n_devices = len(self.possible_agents)
        self.server_names: tuple[str, ...] = self.prepared.extras["server_names"]
        self.n_servers = len(self.server_names)

    def _info(self, frame: Frame, i: int) -> dict[str, Any]:
        row = frame.metrics[i]
        col = self._metric_index
        stepped = frame.step > 0
        info = super()._info(frame, i)
        info["cost"] = float(self.logic.step_cost[0, i]) if stepped else 0.0
        info["decided"] = bool(row[col["decided"]]) if stepped else False
        info["server"] = int(row[col["server"]]) if stepped else -1
        info["offload_ratio"] = float(row[col["offload_ratio"]]) if stepped else float("nan")
        return info
