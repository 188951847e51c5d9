"""What the trainers for continuous (Box) actions share: their common options, a joint replay buffer, the
Ornstein-Uhlenbeck exploration process, soft target updates and the greedy actor as a policy.

Tensors of the networks are agent-major, ``(agents, batch, features)`` (see :mod:`agents.common.nets`);
arrays of the environment are env-major, ``(envs, agents, features)``, and replay rows are env-major too.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import torch
from torch import nn

from agents.common.buffers import Ring
from agents.common.evaluator import EvalArgs
from agents.common.nets import AgentMLP
from agents.common.normalize import RunningNormalizer
from agents.common.policies import ActFn

RELEASE_ENV = "offload-mec-explaboff-v0"
"""ExplabOff's released environment: observations normalised per field, a 10-step episode that is the task"""


@dataclass
class ContinuousArgs(EvalArgs):
    """Options of every trainer for continuous actions (plus TrainArgs and EvalArgs)."""

    env: str = RELEASE_ENV
    """environment id (``pygym envs``); needs Box actions"""
    normalize_observations: Literal["auto", "on", "off"] = "auto"
    """normalise observations (and the state) by running mean and variance; auto: off on
    offload-mec-explaboff-v0, whose observations the env normalises per field as the release does, on
    elsewhere (SI units)"""
    truncation: Literal["auto", "bootstrap", "end"] = "auto"
    """a truncated episode: bootstrap from its final observation (a time limit) or end its return there;
    auto: end on offload-mec-explaboff-v0 (its 10 steps are the task, which pays its team reward at the end:
    the release stores done there), bootstrap elsewhere"""


def resolved_options(args: Mapping[str, Any]) -> tuple[bool, bool]:
    """``(normalize_observations, bootstrap_truncation)`` of a run's Args (as a dict), "auto" decided by the
    env id."""
    release = args["env"] == RELEASE_ENV
    normalize_option, truncation = args["normalize_observations"], args["truncation"]
    normalize = not release if normalize_option == "auto" else normalize_option == "on"
    bootstrap = not release if truncation == "auto" else truncation == "bootstrap"
    return normalize, bootstrap


def no_bootstrap(terminations: np.ndarray, truncations: np.ndarray, bootstrap: bool) -> np.ndarray:
    """Per env (arrays (N, A)), whether the step ends the return: a termination, or a truncation when
    truncations are not bootstrapped."""
    ends = np.asarray(terminations.any(axis=1), dtype=bool)
    if not bootstrap:
        ends = ends | np.asarray(truncations.any(axis=1), dtype=bool)
    return ends


def state_is_joint_observation(venv: Any) -> bool:
    """True when the env's ``state()`` is its agents' observations concatenated (state fields
    ``<agent>.<observation field>`` in agent order): replay then derives states instead of storing them."""
    joint = [f"{agent}.{name}" for agent in venv.possible_agents for name in venv.observation_fields]
    return list(venv.state_fields) == joint


@dataclass
class JointBatch:
    """Sampled transitions, batch-major: ``observations`` (B, A, obs_dim), ``states`` (B, state_dim),
    ``actions`` (B, A, act_dim), ``rewards`` (B, A), ``dones`` (B,) float (1: no bootstrap)."""

    observations: torch.Tensor
    states: torch.Tensor
    actions: torch.Tensor
    rewards: torch.Tensor
    next_observations: torch.Tensor
    next_states: torch.Tensor
    dones: torch.Tensor


class JointReplay(Ring):
    """A ring of ``capacity`` joint transitions (every agent's observation, action and reward of one env
    step). The global state is stored only when it is not the concatenated observations
    (``state_dim=None``: derived), which halves the memory of the MEC scenarios."""

    FIELDS = ("observations", "actions", "rewards", "next_observations", "dones")

    def __init__(
        self, capacity: int, num_agents: int, obs_dim: int, act_dim: int, state_dim: int | None
    ) -> None:
        super().__init__(capacity)
        self.observations = np.zeros((capacity, num_agents, obs_dim), np.float32)
        self.actions = np.zeros((capacity, num_agents, act_dim), np.float32)
        self.rewards = np.zeros((capacity, num_agents), np.float32)
        self.next_observations = np.zeros((capacity, num_agents, obs_dim), np.float32)
        self.dones = np.zeros(capacity, np.bool_)
        self.stores_states = state_dim is not None
        self.states = np.zeros((capacity if state_dim else 0, state_dim or 0), np.float32)
        self.next_states = np.zeros_like(self.states)

    @property
    def fields(self) -> tuple[str, ...]:
        return self.FIELDS + (("states", "next_states") if self.stores_states else ())

    def add(
        self,
        observations: np.ndarray,
        actions: np.ndarray,
        rewards: np.ndarray,
        next_observations: np.ndarray,
        dones: np.ndarray,
        states: np.ndarray | None = None,
        next_states: np.ndarray | None = None,
    ) -> int:
        """Appends rows (leading axis); returns how many."""
        n = len(observations)
        if self.stores_states and (states is None or next_states is None):
            raise ValueError("this replay stores states: pass states and next_states")
        slots = self.claim(n)
        self.observations[slots] = observations
        self.actions[slots] = actions
        self.rewards[slots] = rewards
        self.next_observations[slots] = next_observations
        self.dones[slots] = dones
        if self.stores_states:
            self.states[slots] = states
            self.next_states[slots] = next_states
        return n

    def sample(self, rng: np.random.Generator, batch_size: int) -> JointBatch:
        """``batch_size`` rows drawn uniformly with replacement."""
        if self.size == 0:
            raise ValueError("cannot sample an empty replay buffer")
        rows = rng.integers(0, self.size, size=batch_size)
        obs, next_obs = self.observations[rows], self.next_observations[rows]
        if self.stores_states:
            states, next_states = self.states[rows], self.next_states[rows]
        else:
            states, next_states = obs.reshape(batch_size, -1), next_obs.reshape(batch_size, -1)
        return JointBatch(
            observations=torch.from_numpy(obs),
            states=torch.from_numpy(np.ascontiguousarray(states)),
            actions=torch.from_numpy(self.actions[rows]),
            rewards=torch.from_numpy(self.rewards[rows]),
            next_observations=torch.from_numpy(next_obs),
            next_states=torch.from_numpy(np.ascontiguousarray(next_states)),
            dones=torch.from_numpy(self.dones[rows].astype(np.float32)),
        )


class OrnsteinUhlenbeck:
    """Ornstein-Uhlenbeck exploration noise ``x <- x + theta (mu - x) + sigma N(0, 1)``, one process per env
    shared by its agents and advanced once per agent in agent order (the release advances its single
    process once per agent action), restarted at ``mu`` when the env's episode restarts."""

    def __init__(self, num_envs: int, act_dim: int, theta: float, sigma: float, mu: float = 0.0) -> None:
        self.theta, self.sigma, self.mu = theta, sigma, mu
        self.x = np.full((num_envs, act_dim), mu, np.float64)

    def sample(self, rng: np.random.Generator, num_agents: int) -> np.ndarray:
        """Noise (envs, agents, act_dim), before scaling."""
        out = np.empty((self.x.shape[0], num_agents, self.x.shape[1]))
        for agent in range(num_agents):
            self.x = self.x + self.theta * (self.mu - self.x) + self.sigma * rng.standard_normal(self.x.shape)
            out[:, agent] = self.x
        return out

    def reset(self, which: np.ndarray) -> None:
        self.x[which] = self.mu

    def state_dict(self) -> dict[str, Any]:
        return {"x": torch.from_numpy(self.x.copy())}

    def load_state_dict(self, state: Mapping[str, Any]) -> None:
        self.x = state["x"].numpy().astype(np.float64)


class Actors(nn.Module):
    """One deterministic actor per agent (MLP, ReLU, tanh output): ``(A, B, obs_dim) -> (A, B, act_dim)`` in
    [-1, 1], initialised as ``torch.nn.Linear`` initialises itself (as ExplabOff's release)."""

    def __init__(self, num_agents: int, obs_dim: int, act_dim: int, hidden: Sequence[int]) -> None:
        super().__init__()
        self.mlp = AgentMLP(
            num_agents, obs_dim, act_dim, hidden, shared=False, activation="relu", init="uniform"
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.tanh(self.mlp(x))


def soft_update(target: nn.Module, source: nn.Module, tau: float) -> None:
    """``target <- tau source + (1 - tau) target``, parameter by parameter."""
    with torch.no_grad():
        for t, s in zip(target.parameters(), source.parameters(), strict=True):
            t.lerp_(s, tau)


def greedy_box_policy(
    actor: Callable[[torch.Tensor], torch.Tensor], checkpoint: Mapping[str, Any], normalize: bool
) -> ActFn:
    """The trained actor's deterministic actions (agent-major ``(A, B, act_dim)`` in the Box) from
    observations, normalised with the checkpoint's statistics when the run normalised them."""
    normalizer = None
    if normalize:
        layout = checkpoint["layout"]
        normalizer = RunningNormalizer(len(layout["observation_fields"]))
        normalizer.load_state_dict(checkpoint["normalizers"]["obs"])

    def act(obs: np.ndarray, masks: np.ndarray | None = None) -> np.ndarray:
        with torch.no_grad():
            x = torch.from_numpy(np.ascontiguousarray(obs, dtype=np.float32)).transpose(0, 1)
            if normalizer is not None:
                x = normalizer(x)
            return actor(x).transpose(0, 1).numpy()

    return act


def deterministic_actors_policy(checkpoint: Mapping[str, Any]) -> ActFn:
    """A checkpoint's deterministic :class:`Actors` (``models["actors"]``) without exploration noise: the
    greedy policy of ExplabOff, CMOff, MADDPG and MATD3 (for ``pygym eval``)."""
    args, layout = checkpoint["args"], checkpoint["layout"]
    actors = Actors(
        len(layout["agents"]),
        len(layout["observation_fields"]),
        len(layout["continuous_action_fields"]),
        tuple(args["hidden"]),
    )
    actors.load_state_dict(checkpoint["models"]["actors"])
    normalize, _ = resolved_options(args)
    return greedy_box_policy(actors.eval(), checkpoint, normalize)


class Means:
    """Running means of logged statistics between two log lines."""

    def __init__(self) -> None:
        self.sums: dict[str, float] = {}
        self.counts: dict[str, int] = {}

    def add(self, values: Mapping[str, float]) -> None:
        for key, value in values.items():
            self.sums[key] = self.sums.get(key, 0.0) + float(value)
            self.counts[key] = self.counts.get(key, 0) + 1

    def pop(self) -> dict[str, float]:
        """The means since the last pop, then cleared."""
        means = {key: total / self.counts[key] for key, total in self.sums.items()}
        self.sums.clear()
        self.counts.clear()
        return means


def actor_inputs(obs: torch.Tensor, obs_norm: RunningNormalizer, normalize: bool) -> torch.Tensor:
    """Agent-major observations (A, B, D) from a batch (B, A, D), normalised when the run normalises."""
    x = obs.transpose(0, 1)
    return obs_norm(x) if normalize else x


def box_actions(
    actor: Callable[[torch.Tensor], torch.Tensor],
    obs: np.ndarray,
    obs_norm: RunningNormalizer,
    normalize: bool,
) -> np.ndarray:
    """A deterministic actor's actions (B, A, act_dim) for a batch of observations (B, A, D) while training
    (the running statistics, not a checkpoint's)."""
    with torch.no_grad():
        return actor(actor_inputs(torch.from_numpy(obs), obs_norm, normalize)).transpose(0, 1).numpy()


def critic_inputs(
    obs: torch.Tensor,
    states: torch.Tensor,
    *,
    obs_norm: RunningNormalizer,
    state_norm: RunningNormalizer,
    normalize: bool,
    joint_state: bool,
) -> tuple[torch.Tensor, torch.Tensor]:
    """Agent-major observations (A, B, D) and states (B, S), normalised when the run normalises (a state that
    is the joint observation is the normalised observations, not normalised again)."""
    x = actor_inputs(obs, obs_norm, normalize)
    if not normalize:
        return x, states
    return x, x.transpose(0, 1).reshape(states.shape) if joint_state else state_norm(states)
