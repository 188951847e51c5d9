"""Heuristic offloading policies for the offload-* environments: the baselines every learner is compared to.

Each policy maps a vector env's observations and infos of one step (arrays over envs and agents, see
``pygym.make_vec``) to one action per env and agent. They read fields by name (``env.observation_fields``),
so they work for any neighbour count.

- ``local``: always keep the task (action 0).
- ``random``: a uniformly random action among those the action mask allows, or, for continuous (Box)
  actions, a uniform draw from the box (each env's draws seeded by its episode seed).
- ``least-queue``: the node with the fewest waiting tasks among the agent itself and its neighbours, as
  last heard (PeersimGym's LeastQueue baseline); ties go to the agent itself, then the lowest slot.
- ``round-robin``: each agent cycles through itself and its present neighbours in slot order.
- ``size-table`` (offload-mec-explaboff-v0): a fixed policy given as a table from a device's task-size class
  (its class mean, read from ``infos["metrics"]``) to a server and an offload ratio, e.g.
  ``7:0:0.5,6:1:0.5,3:0:0.2``; it emits the raw action ``a0 = (2 server + 1) / B - 1`` (the centre of the
  server's bin) and ``a1 = 2 ratio - 1``, which the environment decodes back into (server, ratio), as
  ExplabOff's harness for static policies does.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

import gymnasium
import numpy as np


class Policy(Protocol):
    """What an evaluation loop needs from a policy: batch in, batch out."""

    name: str

    def start(self, env: Any, seeds: np.ndarray) -> None:
        """Called when every env of ``env`` (a ``pygym.VecEnv``) starts an episode, with their seeds."""

    def act(self, observations: np.ndarray, infos: Mapping[str, Any]) -> np.ndarray:
        """Actions (num_envs, agents) for Discrete spaces, (num_envs, agents, dim) for Box spaces."""
        ...


class LocalPolicy:
    name = "local"

    def start(self, env: Any, seeds: np.ndarray) -> None:
        pass

    def act(self, observations: np.ndarray, infos: Mapping[str, Any]) -> np.ndarray:
        return np.zeros(observations.shape[:2], dtype=np.int64)


class RandomPolicy:
    name = "random"

    def __init__(self) -> None:
        self._rngs: list[np.random.Generator] = []
        self._box: gymnasium.spaces.Box | None = None

    def start(self, env: Any, seeds: np.ndarray) -> None:
        self._rngs = [np.random.default_rng(int(seed)) for seed in seeds]
        space = env.single_action_space
        # The env's own space is not sampled: seeding it would change the env's state.
        self._box = space if isinstance(space, gymnasium.spaces.Box) else None

    def act(self, observations: np.ndarray, infos: Mapping[str, Any]) -> np.ndarray:
        agents = observations.shape[1]
        if self._box is not None:
            low, high = self._box.low, self._box.high
            return np.stack([rng.uniform(low, high, (agents, *low.shape)) for rng in self._rngs]).astype(
                np.float32
            )
        masks = infos["action_mask"]
        actions = np.empty(observations.shape[:2], dtype=np.int64)
        for i, rng in enumerate(self._rngs):
            # A uniform pick among each agent's allowed actions: the k-th allowed one, k uniform.
            allowed = masks[i].sum(axis=1)
            picks = rng.integers(0, allowed)
            actions[i] = (np.cumsum(masks[i], axis=1) <= picks[:, None]).sum(axis=1)
        return actions


class LeastQueuePolicy:
    name = "least-queue"

    def start(self, env: Any, seeds: np.ndarray) -> None:
        fields = env.observation_fields
        slots = len(env.action_meanings) - 1
        self._queues = np.array(
            [fields.index("queue_tasks"), *(fields.index(f"nb{k}_queue_tasks") for k in range(slots))]
        )

    def act(self, observations: np.ndarray, infos: Mapping[str, Any]) -> np.ndarray:
        queues = np.where(infos["action_mask"], observations[:, :, self._queues], np.inf)
        return np.argmin(queues, axis=2)


class RoundRobinPolicy:
    name = "round-robin"

    def start(self, env: Any, seeds: np.ndarray) -> None:
        self._turns = np.zeros((env.num_envs, env.num_agents), dtype=np.int64)

    def act(self, observations: np.ndarray, infos: Mapping[str, Any]) -> np.ndarray:
        masks = infos["action_mask"]
        turn = self._turns % masks.sum(axis=2)
        self._turns += 1
        return (np.cumsum(masks, axis=2) <= turn[:, :, None]).sum(axis=2)


class SizeTablePolicy:
    """A fixed (server, offload ratio) per task-size class, for offload-mec-explaboff-v0.

    The class of a device comes from its ``class_mean`` metric (the mean of its class's task sizes; the
    observation's ``class{k}_own`` one-hot says the same), so the table is keyed by the published class
    means (7, 6, 3, ... size units).
    """

    name = "size-table"

    def __init__(self, table: str | Mapping[float, tuple[int, float]] | None = None) -> None:
        if table is None:
            raise ValueError("the size-table policy needs a table, e.g. --table 7:0:0.5,6:1:0.5,3:0:0.2")
        self.table = self.parse(table) if isinstance(table, str) else dict(table)
        self._means = np.array(sorted(self.table))
        self._servers = 0

    @staticmethod
    def parse(text: str) -> dict[float, tuple[int, float]]:
        """``"7:0:0.5,6:1:0.5"`` (class mean : server index : offload ratio) as {7: (0, 0.5), 6: (1, 0.5)}."""
        table: dict[float, tuple[int, float]] = {}
        for item in text.split(","):
            parts = item.strip().split(":")
            try:
                if len(parts) != 3:
                    raise ValueError
                mean, server, ratio = float(parts[0]), int(parts[1]), float(parts[2])
            except ValueError:
                raise ValueError(
                    f"size-table entry {item.strip()!r}: expected class_mean:server:ratio, e.g. 7:0:0.5"
                ) from None
            if server < 0 or not 0 <= ratio <= 1:
                raise ValueError(
                    f"size-table entry {item.strip()!r}: expected a server >= 0 and a ratio in [0, 1]"
                )
            if mean in table:
                raise ValueError(f"size-table lists class mean {mean:g} twice")
            table[mean] = (server, ratio)
        return table

    def start(self, env: Any, seeds: np.ndarray) -> None:
        servers = sum(1 for f in env.observation_fields if f.startswith("es") and f.endswith("_capacity"))
        if not servers or "class_mean" not in env.metric_fields:
            raise ValueError(f"the size-table policy needs task-size classes; {env.env_id} has none")
        too_high = sorted(s for s, _ in self.table.values() if s >= servers)
        if too_high:
            raise ValueError(
                f"size-table names server {too_high[-1]}; {env.env_id} has servers 0..{servers - 1}"
            )
        self._servers = servers
        self._class_mean = env.metric_fields.index("class_mean")
        entries = [self.table[m] for m in self._means]
        self._actions = np.array(
            [[(2 * server + 1) / servers - 1, 2 * ratio - 1] for server, ratio in entries], dtype=np.float32
        )

    def act(self, observations: np.ndarray, infos: Mapping[str, Any]) -> np.ndarray:
        means = infos["metrics"][:, :, self._class_mean]
        index = np.clip(np.searchsorted(self._means, means), 0, len(self._means) - 1)
        unknown = self._means[index] != means
        if unknown.any():
            i, a = np.argwhere(unknown)[0]
            known = ", ".join(f"{m:g}" for m in self._means)
            raise ValueError(
                f"size-table has no entry for class mean {means[i, a]:g} (env {i}, agent {a}); "
                f"it covers {known}"
            )
        return self._actions[index]


POLICIES: dict[str, type[LocalPolicy | RandomPolicy | LeastQueuePolicy | RoundRobinPolicy]] = {
    p.name: p for p in (LocalPolicy, RandomPolicy, LeastQueuePolicy, RoundRobinPolicy)
}
"""The policies that need no arguments."""

TABLE_POLICIES: dict[str, type[SizeTablePolicy]] = {SizeTablePolicy.name: SizeTablePolicy}
"""The policies built from a table (``pygym eval --table``)."""


def policy_names() -> list[str]:
    """Every policy ``make_policy`` knows."""
    return [*POLICIES, *TABLE_POLICIES]


def make_policy(name: str, table: str | None = None) -> Policy:
    """A fresh heuristic policy by name (``table`` for ``size-table``); KeyError lists the known names,
    ValueError describes a bad or missing table."""
    if name in TABLE_POLICIES:
        return TABLE_POLICIES[name](table)
    try:
        return POLICIES[name]()
    except KeyError:
        raise KeyError(f"unknown policy {name!r}; known: {', '.join(policy_names())}") from None
