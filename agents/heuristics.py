"""Heuristic offloading policies for the offload-* environments: the baselines every learner is compared to.

Each policy maps the observations and infos of one step to one action per live agent. They read fields by
name (``env.observation_fields``), so they work for any neighbour count.

- ``local``: always keep the task (action 0).
- ``random``: a uniformly random action among those the action mask allows (seeded).
- ``least-queue``: the node with the fewest waiting tasks among the agent itself and its neighbours, as
  last heard (PeersimGym's LeastQueue baseline); ties go to the agent itself, then the lowest slot.
- ``round-robin``: each agent cycles through itself and its present neighbours in slot order.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

import numpy as np


class Policy(Protocol):
    """What an evaluation loop needs from a policy."""

    name: str

    def reset(self, env: Any, seed: int) -> None:
        """Called before each episode with the environment and the episode's seed."""

    def act(self, observations: Mapping[str, np.ndarray], infos: Mapping[str, Any]) -> dict[str, int]:
        """One action per agent in ``observations``."""
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

    def reset(self, env: Any, seed: int) -> None:
        self._rng = np.random.default_rng(seed)

    def act(self, observations: Mapping[str, np.ndarray], infos: Mapping[str, Any]) -> dict[str, int]:
        actions = {}
        for agent in observations:
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


POLICIES: dict[str, type[LocalPolicy | RandomPolicy | LeastQueuePolicy | RoundRobinPolicy]] = {
    p.name: p for p in (LocalPolicy, RandomPolicy, LeastQueuePolicy, RoundRobinPolicy)
}


def make_policy(name: str) -> Policy:
    """A fresh heuristic policy by name; KeyError lists the known names."""
    try:
        return POLICIES[name]()
    except KeyError:
        raise KeyError(f"unknown policy {name!r}; known: {', '.join(POLICIES)}") from None
