"""Multi-agent MLPs: one network per agent evaluated in one batched matmul, or one shared network that gets
the agent's index (one-hot) as an extra input.

Tensors are agent-major: ``(num_agents, batch, features)``.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping, Sequence
from typing import Any

import torch
from torch import nn

ACTIVATIONS: dict[str, type[nn.Module]] = {"relu": nn.ReLU, "tanh": nn.Tanh, "leaky_relu": nn.LeakyReLU}


INITS = ("orthogonal", "uniform")


class GroupLinear(nn.Module):
    """``groups`` independent linear layers: ``(groups, batch, in) -> (groups, batch, out)``.

    ``init="orthogonal"``: each group's weight orthogonal with ``gain``, bias zero (the initialisation
    CleanRL's PPO uses). ``init="uniform"``: weight and bias uniform in +-1/sqrt(in), as ``torch.nn.Linear``
    initialises itself (``gain`` unused).
    """

    def __init__(
        self, groups: int, in_features: int, out_features: int, gain: float, init: str = "orthogonal"
    ) -> None:
        super().__init__()
        if init not in INITS:
            raise ValueError(f"init {init!r}; known: {', '.join(INITS)}")
        self.weight = nn.Parameter(torch.empty(groups, in_features, out_features))
        self.bias = nn.Parameter(torch.zeros(groups, 1, out_features))
        with torch.no_grad():
            if init == "uniform":
                bound = 1.0 / math.sqrt(in_features)
                nn.init.uniform_(self.weight, -bound, bound)
                nn.init.uniform_(self.bias, -bound, bound)
            else:
                for g in range(groups):
                    nn.init.orthogonal_(self.weight[g], gain=gain)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.baddbmm(self.bias, x, self.weight)


class AgentMLP(nn.Module):
    """An MLP per agent (``shared=False``) or one MLP for all agents with a one-hot agent index appended to
    its input (``shared=True``). ``forward`` maps ``(A, B, in_dim)`` to ``(A, B, out_dim)``."""

    def __init__(
        self,
        num_agents: int,
        in_dim: int,
        out_dim: int,
        hidden: Sequence[int],
        *,
        shared: bool,
        activation: str = "tanh",
        out_gain: float = 1.0,
        init: str = "orthogonal",
    ) -> None:
        super().__init__()
        if activation not in ACTIVATIONS:
            raise ValueError(f"activation {activation!r}; known: {', '.join(ACTIVATIONS)}")
        self.num_agents = num_agents
        self.shared = shared
        groups = 1 if shared else num_agents
        sizes = [in_dim + (num_agents if shared else 0), *hidden]
        layers: list[nn.Module] = []
        for a, b in itertools.pairwise(sizes):
            layers += [GroupLinear(groups, a, b, gain=math.sqrt(2), init=init), ACTIVATIONS[activation]()]
        layers.append(GroupLinear(groups, sizes[-1], out_dim, gain=out_gain, init=init))
        self.layers = nn.Sequential(*layers)
        self.agent_ids: torch.Tensor
        self.register_buffer("agent_ids", torch.eye(num_agents), persistent=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        agents, batch, _ = x.shape
        if agents != self.num_agents:
            raise ValueError(f"input has {agents} agents, the network {self.num_agents}")
        if not self.shared:
            return self.layers(x)
        ids = self.agent_ids[:, None, :].expand(agents, batch, agents)
        flat = torch.cat([x, ids], dim=-1).reshape(1, agents * batch, -1)
        return self.layers(flat).reshape(agents, batch, -1)


def clip_grad_norm_per_group(module: nn.Module, max_norm: float) -> torch.Tensor:
    """Clips the gradient of each group (agent) of a module built from GroupLinear layers to ``max_norm``
    separately, as if every agent had its own network and its own ``clip_grad_norm_``; returns the groups'
    norms before clipping. Every parameter of ``module`` must have the group on its first axis."""
    grads = [p.grad for p in module.parameters() if p.grad is not None]
    if not grads:
        return torch.zeros(0)
    norms = torch.stack([g.reshape(g.shape[0], -1).pow(2).sum(dim=1) for g in grads]).sum(dim=0).sqrt()
    scale = torch.clamp(max_norm / (norms + 1e-6), max=1.0)
    for g in grads:
        g.mul_(scale.reshape(-1, *([1] * (g.dim() - 1))))
    return norms


class ActorCritic(nn.Module):
    """A masked-categorical actor on observations and a critic on observations or on the global state
    (``centralized_critic``), each per agent or shared (``share_parameters``); used by A2C and PPO."""

    def __init__(
        self, num_agents: int, obs_dim: int, state_dim: int, n_actions: int, args: Mapping[str, Any]
    ):
        super().__init__()
        hidden, shared = tuple(args["hidden"]), bool(args["share_parameters"])
        self.centralized = bool(args["centralized_critic"])
        self.actor = AgentMLP(num_agents, obs_dim, n_actions, hidden, shared=shared, out_gain=0.01)
        critic_in = state_dim if self.centralized else obs_dim
        self.critic = AgentMLP(num_agents, critic_in, 1, hidden, shared=shared, out_gain=1.0)

    @classmethod
    def from_checkpoint(cls, checkpoint: Mapping[str, Any]) -> ActorCritic:
        layout = checkpoint["layout"]
        model = cls(
            len(layout["agents"]),
            len(layout["observation_fields"]),
            len(layout["state_fields"]),
            len(layout["action_meanings"]),
            checkpoint["args"],
        )
        model.load_state_dict(checkpoint["models"]["agent"])
        return model

    def value(self, obs: torch.Tensor, state: torch.Tensor) -> torch.Tensor:
        """``(A, B)`` values of ``obs`` ``(A, B, obs_dim)`` or of ``state`` ``(B, state_dim)`` (broadcast to
        every agent)."""
        x = state.unsqueeze(0).expand(obs.shape[0], -1, -1) if self.centralized else obs
        return self.critic(x).squeeze(-1)
