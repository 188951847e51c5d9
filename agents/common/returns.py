"""Returns and advantages over a rollout of a vector environment, telling termination from truncation.

Inputs are time-major: ``rewards``, ``terminations``, ``truncations`` shaped (T, ...), and ``values``
shaped (T + 1, ...) where ``values[t + 1]`` is the value of the observation that step t returned. With
Gymnasium's next-step autoreset that observation is the episode's final observation when the episode ended
at t, so a truncated episode is bootstrapped from the value of its real last state, and a terminated one
is not bootstrapped at all. ``values[T]`` is the value after the last step of the rollout. Nothing flows
back across an episode end. The step after an end (the one that resets) is not a transition; trainers
mask it out of their losses.
"""

from __future__ import annotations

import torch


def nstep_returns(
    rewards: torch.Tensor,
    values: torch.Tensor,
    terminations: torch.Tensor,
    truncations: torch.Tensor,
    gamma: float,
) -> torch.Tensor:
    """Bootstrapped n-step returns (n up to the end of the rollout), as synchronous A2C uses them:
    ``R_t = r_t + gamma * (0 if terminated, V(s_{t+1}) if truncated, else R_{t+1})``, ``R_T = V(s_T)``."""
    _check(rewards, values, terminations, truncations)
    returns = torch.zeros_like(rewards)
    running = values[-1]
    for t in reversed(range(rewards.shape[0])):
        following = torch.where(truncations[t], values[t + 1], running)
        following = torch.where(terminations[t], torch.zeros_like(following), following)
        running = rewards[t] + gamma * following
        returns[t] = running
    return returns


def gae(
    rewards: torch.Tensor,
    values: torch.Tensor,
    terminations: torch.Tensor,
    truncations: torch.Tensor,
    gamma: float,
    lam: float,
) -> torch.Tensor:
    """Generalised advantage estimates (Schulman et al. 2016):
    ``delta_t = r_t + gamma * V(s_{t+1}) * (1 - terminated_t) - V(s_t)``,
    ``A_t = delta_t + gamma * lam * (1 - ended_t) * A_{t+1}``. With ``lam = 1`` ``A + V`` equals
    :func:`nstep_returns`."""
    _check(rewards, values, terminations, truncations)
    advantages = torch.zeros_like(rewards)
    running = torch.zeros_like(rewards[0])
    for t in reversed(range(rewards.shape[0])):
        not_terminated = (~terminations[t]).to(rewards.dtype)
        not_ended = (~(terminations[t] | truncations[t])).to(rewards.dtype)
        delta = rewards[t] + gamma * values[t + 1] * not_terminated - values[t]
        running = delta + gamma * lam * not_ended * running
        advantages[t] = running
    return advantages


def _check(
    rewards: torch.Tensor, values: torch.Tensor, terminations: torch.Tensor, truncations: torch.Tensor
) -> None:
    if values.shape[0] != rewards.shape[0] + 1 or values.shape[1:] != rewards.shape[1:]:
        raise ValueError(f"values must be shaped (T + 1, ...) for rewards {tuple(rewards.shape)}")
    if terminations.shape != rewards.shape or truncations.shape != rewards.shape:
        raise ValueError("terminations and truncations must be shaped like rewards")
    if terminations.dtype != torch.bool or truncations.dtype != torch.bool:
        raise ValueError("terminations and truncations must be boolean tensors")
