"""A group of sessions of one env id, on one or several servers, with the env id's Python logic: what the
vector env and the PettingZoo env both stand on. One call steps every session (one bridge call per server,
concurrently when there are several), then the rewards and episode records are computed over the batch.

A server this process did not start shares no filesystem with it: the topology and workload files go to it by
content (:meth:`pygym.bridge.Client.send_file`), and the configuration names them ``content:<sha256>``; errors
about them name the local files again. A workload written ``server:/path`` is a file on the server's side and
is passed through as it is.
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import gymnasium
import numpy as np

from pygym import servers as server_registry
from pygym.bridge import CONTENT_PREFIX, Client, RemoteGroup, name_local_files
from pygym.episodes import EpisodeLogic
from pygym.errors import ConfigError, PygymError
from pygym.frames import OP_RESET, OP_STEP, Batch, Layout
from pygym.workload import is_server_path

if TYPE_CHECKING:
    from pygym.topology import PreparedTopology

MAX_SEED = 2**63 - 1


@dataclass
class Prepared:
    """A scenario's keywords turned into simulator overrides by its env module, with the files it checked."""

    overrides: dict[str, object]
    topology: PreparedTopology | None = None
    workload: Path | None = None
    extras: dict[str, Any] = field(default_factory=dict)


def override_value(key: str, value: object) -> str:
    """A scenario keyword's value as the simulator's configuration text."""
    if isinstance(value, bool | np.bool_):
        return "true" if value else "false"
    if isinstance(value, int | np.integer):
        return str(int(value))
    if isinstance(value, float | np.floating):
        return repr(float(value))
    if isinstance(value, str):
        return value
    raise ConfigError(
        f"{key} = {value!r}: expected a number, a boolean or a string, got {type(value).__name__}"
    )


_GOLDEN_GAMMA = np.uint64(0x9E3779B97F4A7C15)


def episode_seeds(bases: np.ndarray, episodes: np.ndarray) -> np.ndarray:
    """The seed of each env's episode ``episodes`` after its base seed ``bases`` (episode 0 is the base seed
    itself): SplitMix64 of base + episode x golden gamma, in [0, 2^63 - 1]. Vectorised, so a vector env of
    any size draws its autoreset seeds in a few numpy operations; the single env uses the same sequence."""
    z = bases.astype(np.uint64) + episodes.astype(np.uint64) * _GOLDEN_GAMMA
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    z = z ^ (z >> np.uint64(31))
    return np.where(episodes == 0, bases, (z >> np.uint64(1)).astype(np.int64)).astype(np.int64)


def fresh_seed() -> int:
    """A base seed from the operating system's entropy, for a reset that was never given one."""
    # 62 bits, so that a vector env's base + env index stays a valid seed.
    return int(np.random.SeedSequence().generate_state(1, np.uint64)[0] >> np.uint64(2))


def check_seed(seed: object) -> int:
    """A seed as an int in [0, 2^63 - 1]; ConfigError naming the seed otherwise."""
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer):
        raise ConfigError(
            f"seed {seed!r}: expected a whole number in [0, 2^63 - 1], got {type(seed).__name__}"
        )
    if not 0 <= int(seed) <= MAX_SEED:
        raise ConfigError(f"seed {seed} is outside [0, 2^63 - 1]")
    return int(seed)


def _box(fields: Sequence[Mapping[str, Any]]) -> gymnasium.spaces.Box:
    return gymnasium.spaces.Box(
        low=np.array([f["low"] for f in fields], dtype=np.float32),
        high=np.array([f["high"] for f in fields], dtype=np.float32),
        dtype=np.float32,
    )


class SessionGroup:
    """``num_envs`` sessions of ``env_id`` created from one configuration, and the env id's logic."""

    def __init__(
        self,
        env_id: str,
        num_envs: int,
        prepared: Prepared,
        logic: EpisodeLogic,
        *,
        server: object = None,
        servers: Sequence[object] | None = None,
        token: str | None = None,
        tls: bool | None = None,
        tls_ca: str | None = None,
        threads: int = 0,
        task_records: bool = False,
    ) -> None:
        if isinstance(num_envs, bool) or not isinstance(num_envs, int | np.integer) or num_envs < 1:
            raise ConfigError(f"num_envs must be a whole number >= 1, got {num_envs!r}")
        if isinstance(threads, bool) or not isinstance(threads, int | np.integer) or threads < 0:
            raise ConfigError(f"threads must be a whole number >= 0 (0: one per core), got {threads!r}")
        self.env_id = env_id
        self.num_envs = int(num_envs)
        self.prepared = prepared
        self.logic = logic
        self.task_records = bool(task_records)
        self.overrides = {key: override_value(key, value) for key, value in prepared.overrides.items()}
        clients = self._clients(server, servers, token, tls, tls_ca)
        if len(clients) > self.num_envs:
            raise ConfigError(
                f"{len(clients)} servers for {self.num_envs} envs: give each server at least one env"
            )
        # Env i lives on server i * S // num_envs: contiguous blocks, so batches concatenate in env order.
        counts = [
            (k + 1) * self.num_envs // len(clients) - k * self.num_envs // len(clients)
            for k in range(len(clients))
        ]
        self.groups: list[RemoteGroup] = []
        try:
            for client, count in zip(clients, counts, strict=True):
                self.groups.append(self._create(client, count, int(threads)))
        except BaseException:
            self.close()
            raise
        self.servers: list[str | None] = [
            None if group.client.process is not None else group.client.address for group in self.groups
        ]
        """each group's server as plain data (``host:port``; None for a JVM of this process)"""
        self._pool = ThreadPoolExecutor(len(self.groups) - 1) if len(self.groups) > 1 else None
        self.spec: dict[str, Any] = self.groups[0].spec
        self.layout: Layout = self.groups[0].layout
        self.possible_agents: list[str] = list(self.spec["agents"])
        self.observation_fields = [f["name"] for f in self.spec["observation"]]
        self.metric_fields = [f["name"] for f in self.spec["metrics"]]
        self.state_fields = [f["name"] for f in self.spec["state"]]
        self.task_record_fields: list[str] = list(self.spec["task_record"])
        self.action_meanings: list[str] = list(self.spec["actions"])
        self.continuous_action_fields = [f["name"] for f in self.spec["continuous_actions"]]
        self.epoch_s = float(self.spec["epoch_s"])
        self.max_steps = int(self.spec["max_steps"])
        self.observation_space = _box(self.spec["observation"])
        self.state_space = _box(self.spec["state"])
        self.action_space: gymnasium.spaces.Space = (
            _box(self.spec["continuous_actions"])
            if self.continuous_action_fields
            else gymnasium.spaces.Discrete(len(self.action_meanings))
        )
        logic.attach(self.spec, self.num_envs)
        self._seeds = np.zeros(self.num_envs, dtype=np.int64)
        # One operation for every session, built once (read-only: the per-step calls share them).
        self.step_all = _ops(self.num_envs, OP_STEP)
        self.reset_all = _ops(self.num_envs, OP_RESET)
        self.batch: Batch | None = None
        self.rewards = np.zeros((self.num_envs, len(self.possible_agents)))

    @staticmethod
    def _clients(
        server: object,
        servers: Sequence[object] | None,
        token: str | None,
        tls: bool | None,
        tls_ca: str | None,
    ) -> list[Client]:
        if servers is None:
            return [server_registry.resolve(server, token, tls, tls_ca)]
        if server is not None:
            raise ConfigError("give server= or servers=, not both")
        if isinstance(servers, str) or not isinstance(servers, Sequence) or not servers:
            raise ConfigError(f"servers= must be a non-empty list of servers, got {servers!r}")
        return [server_registry.resolve(s, token, tls, tls_ca) for s in servers]

    def _create(self, client: Client, count: int, threads: int) -> RemoteGroup:
        """Creates this group's sessions on one server; files by content where it shares no filesystem."""
        if client.process is not None:
            return client.create_group(self.env_id, count, self.overrides, threads)
        overrides = dict(self.overrides)
        local: dict[str, str] = {}
        files = [self.prepared.topology.path if self.prepared.topology is not None else None]
        if self.prepared.workload is not None and not is_server_path(self.prepared.workload):
            files.append(self.prepared.workload)
        for path in files:
            if path is None:
                continue
            keys = [key for key, value in overrides.items() if value == str(path)]
            if not keys:
                continue
            name = client.send_file(Path(path))
            local[name[len(CONTENT_PREFIX) :]] = str(path)
            for key in keys:
                overrides[key] = name
        try:
            return client.create_group(self.env_id, count, overrides, threads)
        except PygymError as e:
            # The server names the files by content; the user knows them by their local paths.
            e.args = tuple(name_local_files(a, local) if isinstance(a, str) else a for a in e.args)
            raise

    @property
    def continuous(self) -> bool:
        return bool(self.continuous_action_fields)

    def run(self, ops: np.ndarray, seeds: np.ndarray | None, actions: np.ndarray) -> Batch:
        """One call: per session ``OP_STEP`` (with ``actions``), ``OP_RESET`` (with ``seeds``) or
        ``OP_HOLD``; updates the logic and sets ``rewards`` (zero for sessions that did not step)."""
        if seeds is None:
            seeds = self._seeds
        if len(self.groups) == 1:
            batch = self.groups[0].run(ops, seeds, actions, self.task_records)
        else:
            batch = self._run_spread(ops, seeds, actions)
        self.batch = batch
        resets = ops == OP_RESET
        if resets.any():
            self.logic.started(resets, batch)
        self.rewards = self.logic.stepped(ops == OP_STEP, batch)
        return batch

    def _run_spread(self, ops: np.ndarray, seeds: np.ndarray, actions: np.ndarray) -> Batch:
        assert self._pool is not None
        parts: list[Any] = []
        start = 0
        for group in self.groups:
            part = slice(start, start + group.size)
            parts.append((group, part))
            start += group.size
        futures = [
            self._pool.submit(group.run, ops[part], seeds[part], actions[part], self.task_records)
            for group, part in parts[1:]
        ]
        group, part = parts[0]
        first = group.run(ops[part], seeds[part], actions[part], self.task_records)
        return Batch.concatenate([first, *(f.result() for f in futures)])

    def close(self) -> None:
        """Closes every group on its server. Idempotent."""
        groups, self.groups = self.groups, []
        for group in groups:
            with contextlib.suppress(Exception):
                group.close()
        pool = getattr(self, "_pool", None)
        if pool is not None:
            pool.shutdown(wait=False)


def _ops(n: int, op: int) -> np.ndarray:
    ops = np.full(n, op, dtype=np.int8)
    ops.setflags(write=False)
    return ops
