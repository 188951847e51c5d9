"""Replay storage for off-policy trainers over a vector environment.

One row holds one environment step of every agent (observation, action, reward, next observation,
termination, the next step's action mask). Each agent samples its own rows (:meth:`ReplayBuffer.sample`
draws independent indices per agent), so the agents learn from independent replay streams that all have
exactly the transitions that agent saw: there is no counter shared across agents (PeersimGym's
DDQN-MARL shares one, which fills each agent's buffer at every N-th slot and samples mostly empty rows).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch


@dataclass
class Batch:
    """Agent-major tensors: ``observations`` (A, B, obs_dim), ``actions`` (A, B) and so on."""

    observations: torch.Tensor
    actions: torch.Tensor
    rewards: torch.Tensor
    next_observations: torch.Tensor
    terminations: torch.Tensor
    next_masks: torch.Tensor


class Ring:
    """The bookkeeping of a first-in first-out ring of ``capacity`` rows kept in numpy arrays (the
    attributes named by ``fields``): where new rows go, how many are held, and the checkpoint of the rows."""

    def __init__(self, capacity: int) -> None:
        if capacity < 1:
            raise ValueError(f"replay capacity must be >= 1, got {capacity}")
        self.capacity = capacity
        self.position = 0
        self.size = 0

    @property
    def fields(self) -> tuple[str, ...]:
        """The arrays that hold the rows."""
        raise NotImplementedError

    def claim(self, n: int) -> np.ndarray:
        """The slots of ``n`` new rows (overwriting the oldest once full); ValueError if they do not fit."""
        if n > self.capacity:
            raise ValueError(f"{n} rows do not fit a replay buffer of {self.capacity}")
        slots = (self.position + np.arange(n)) % self.capacity
        self.position = int((self.position + n) % self.capacity)
        self.size = min(self.size + n, self.capacity)
        return slots

    def state_dict(self) -> dict[str, Any]:
        n = self.size
        state: dict[str, Any] = {"capacity": self.capacity, "position": self.position, "size": n}
        state.update({name: torch.from_numpy(getattr(self, name)[:n].copy()) for name in self.fields})
        return state

    def load_state_dict(self, state: Mapping[str, Any]) -> None:
        if state["capacity"] != self.capacity:
            raise ValueError(f"replay capacity {state['capacity']} in the checkpoint, {self.capacity} now")
        n = int(state["size"])
        for name in self.fields:
            getattr(self, name)[:n] = state[name].numpy()
        self.size = n
        self.position = int(state["position"])


class ReplayBuffer(Ring):
    """A ring of ``capacity`` rows, each one step of one environment for all ``num_agents`` agents."""

    fields = ("observations", "next_observations", "actions", "rewards", "terminations", "next_masks")

    def __init__(self, capacity: int, num_agents: int, obs_dim: int, n_actions: int) -> None:
        super().__init__(capacity)
        self.observations = np.zeros((capacity, num_agents, obs_dim), np.float32)
        self.next_observations = np.zeros((capacity, num_agents, obs_dim), np.float32)
        self.actions = np.zeros((capacity, num_agents), np.int64)
        self.rewards = np.zeros((capacity, num_agents), np.float32)
        self.terminations = np.zeros((capacity, num_agents), np.bool_)
        self.next_masks = np.zeros((capacity, num_agents, n_actions), np.bool_)

    def add(
        self,
        observations: np.ndarray,
        actions: np.ndarray,
        rewards: np.ndarray,
        next_observations: np.ndarray,
        terminations: np.ndarray,
        next_masks: np.ndarray,
        valid: np.ndarray,
    ) -> int:
        """Adds the rows of a vector step (arrays shaped (N, A, ...)) whose ``valid`` entry is true (a
        step that crosses an autoreset is not a transition). Returns the number of rows added."""
        rows = np.flatnonzero(valid)
        slots = self.claim(len(rows))
        self.observations[slots] = observations[rows]
        self.actions[slots] = actions[rows]
        self.rewards[slots] = rewards[rows]
        self.next_observations[slots] = next_observations[rows]
        self.terminations[slots] = terminations[rows]
        self.next_masks[slots] = next_masks[rows]
        return len(rows)

    def sample(self, rng: np.random.Generator, batch_size: int) -> Batch:
        """``batch_size`` rows per agent, drawn independently for each agent (with replacement)."""
        if self.size == 0:
            raise ValueError("cannot sample an empty replay buffer")
        num_agents = self.actions.shape[1]
        rows = rng.integers(0, self.size, size=(num_agents, batch_size))
        agents = np.arange(num_agents)[:, None]
        return Batch(
            observations=torch.from_numpy(self.observations[rows, agents]),
            actions=torch.from_numpy(self.actions[rows, agents]),
            rewards=torch.from_numpy(self.rewards[rows, agents]),
            next_observations=torch.from_numpy(self.next_observations[rows, agents]),
            terminations=torch.from_numpy(self.terminations[rows, agents]),
            next_masks=torch.from_numpy(self.next_masks[rows, agents]),
        )
