"""Heuristic offloading policies for the offload-* environments: the baselines every learner is compared to.

Each policy maps the observations and infos of one step to one action per live agent. They read fields by
name (``env.observation_fields``), so they work for any neighbour count.

- ``local``: always keep the task (action 0).
- ``random``: a uniformly random action among those the action mask allows, or, for continuous (Box)
  actions, a uniform draw from the box (seeded by the episode seed).
- ``least-queue``: the node with the fewest waiting tasks among the agent itself and its neighbours, as
  last heard (PeersimGym's LeastQueue baseline); ties go to the agent itself, then the lowest slot.
- ``round-robin``: each agent cycles through itself and its present neighbours in slot order.
- ``size-table`` (offload-mec-explaboff-v0): a fixed policy given as a table from a device's task-size class
  (its class mean) to a server and an offload ratio, e.g. ``7:0:0.5,6:1:0.5,3:0:0.2``; it emits the raw
  action ``a0 = (2 server + 1) / B - 1`` (the centre of the server's bin) and ``a1 = 2 ratio - 1``, which the
  environment decodes back into (server, ratio), as ExplabOff's harness for static policies does.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

import gymnasium
import numpy as np


class Policy(Protocol):
    """What an evaluation loop needs from a policy."""

    name: str

    def reset(self, env: Any, seed: int) -> None:
        """Called before each episode with the environment and the episode's seed."""

    def act(self, observations: Mapping[str, np.ndarray], infos: Mapping[str, Any]) -> dict[str, Any]:
        """One action per agent in ``observations``: an int for discrete spaces, an array for Box spaces."""
        ...


class LocalPolicy:
    name = "local"

    def reset(self, env: Any, seed: int) -> None:
        pass

    def act(self, observations: Mapping[str, np.ndarray], infos: Mapping[str, Any]) -> dict[str, int]:
        return dict.fromkeys(observations, 0)


class RandomPolicy:
    name = "random"

    def __init__(self) -> None:
        self._rng = np.random.default_rng(0)
        self._boxes: dict[str, gymnasium.spaces.Box] = {}

    def reset(self, env: Any, seed: int) -> None:
        self._rng = np.random.default_rng(seed)
        # The env's own spaces are not sampled: seeding them would change the env's state.
        self._boxes = {}
        for agent in env.possible_agents:
            space = env.action_space(agent)
            if isinstance(space, gymnasium.spaces.Box):
                self._boxes[agent] = space

    def act(self, observations: Mapping[str, np.ndarray], infos: Mapping[str, Any]) -> dict[str, Any]:
        actions: dict[str, Any] = {}
        for agent in observations:
            box = self._boxes.get(agent)
            if box is not None:
                actions[agent] = self._rng.uniform(box.low, box.high).astype(box.dtype)
                continue
            allowed = np.flatnonzero(infos[agent]["action_mask"])
            actions[agent] = int(allowed[self._rng.integers(len(allowed))])
        return actions


class LeastQueuePolicy:
    name = "least-queue"

    def __init__(self) -> None:
        self._own = 0
        self._neighbours = np.zeros(0, dtype=np.intp)

    def reset(self, env: Any, seed: int) -> None:
        fields = env.observation_fields
        self._own = fields.index("queue_tasks")
        slots = len(env.action_meanings) - 1
        self._neighbours = np.array([fields.index(f"nb{k}_queue_tasks") for k in range(slots)], dtype=np.intp)

    def act(self, observations: Mapping[str, np.ndarray], infos: Mapping[str, Any]) -> dict[str, int]:
        actions = {}
        for agent, obs in observations.items():
            mask = infos[agent]["action_mask"]
            queues = np.concatenate(([obs[self._own]], obs[self._neighbours]))
            queues = np.where(mask > 0, queues, np.inf)
            actions[agent] = int(np.argmin(queues))
        return actions


class RoundRobinPolicy:
    name = "round-robin"

    def __init__(self) -> None:
        self._next: dict[str, int] = {}

    def reset(self, env: Any, seed: int) -> None:
        self._next = {}

    def act(self, observations: Mapping[str, np.ndarray], infos: Mapping[str, Any]) -> dict[str, int]:
        actions = {}
        for agent in observations:
            allowed = np.flatnonzero(infos[agent]["action_mask"])
            turn = self._next.get(agent, 0)
            actions[agent] = int(allowed[turn % len(allowed)])
            self._next[agent] = turn + 1
        return actions


class SizeTablePolicy:
    """A fixed (server, offload ratio) per task-size class, for offload-mec-explaboff-v0.

    The class of a device comes from ``infos[agent]["class_mean"]`` (the mean of its class's task sizes; the
    observation's ``class{k}_own`` one-hot says the same), so the table is keyed by the published class
    means (7, 6, 3, ... size units).
    """

    name = "size-table"

    def __init__(self, table: str | Mapping[float, tuple[int, float]] | None = None) -> None:
        if table is None:
            raise ValueError("the size-table policy needs a table, e.g. --table 7:0:0.5,6:1:0.5,3:0:0.2")
        self.table = self.parse(table) if isinstance(table, str) else dict(table)
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

    def reset(self, env: Any, seed: int) -> None:
        servers = getattr(env, "n_servers", None)
        if servers is None or "class_mean" not in env.metric_fields:
            raise ValueError(f"the size-table policy needs task-size classes; {env.env_id} has none")
        too_high = sorted(s for s, _ in self.table.values() if s >= servers)
        if too_high:
            raise ValueError(
                f"size-table names server {too_high[-1]}; {env.env_id} has servers 0..{servers - 1}"
            )
        self._servers = int(servers)

    def act(self, observations: Mapping[str, np.ndarray], infos: Mapping[str, Any]) -> dict[str, Any]:
        actions: dict[str, Any] = {}
        for agent in observations:
            mean = float(infos[agent]["class_mean"])
            entry = self.table.get(mean)
            if entry is None:
                known = ", ".join(f"{m:g}" for m in self.table)
                raise ValueError(
                    f"size-table has no entry for class mean {mean:g} ({agent}); it covers {known}"
                )
            server, ratio = entry
            actions[agent] = np.array([(2 * server + 1) / self._servers - 1, 2 * ratio - 1], dtype=np.float32)
        return actions


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
