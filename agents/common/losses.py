"""Losses shared by the PPO trainers (``agents.ppo`` for discrete actions, ``agents.mappo`` for Box ones),
over minibatches whose rows carry a weight: 1 for a transition, 0 for the step that only resets an env."""

from __future__ import annotations

import torch


def clipped_policy_loss(
    logratio: torch.Tensor,
    advantages: torch.Tensor,
    weight: torch.Tensor,
    clip_coef: float,
    normalize_advantages: bool,
) -> tuple[torch.Tensor, torch.Tensor, float]:
    """PPO's clipped surrogate, the weighted mean over the rows (agents x minibatch; ``weight.sum() > 0``).
    With ``normalize_advantages`` the advantages are first standardised by their weighted moments. Returns
    the loss, the approximate KL divergence ``mean((r - 1) - log r)`` and the fraction of clipped ratios
    (the last two without gradient)."""
    count = weight.sum()
    ratio = logratio.exp()
    with torch.no_grad():
        approx_kl = (((ratio - 1) - logratio) * weight).sum() / count
        clipfrac = float((((ratio - 1.0).abs() > clip_coef).float() * weight).sum() / count)
    if normalize_advantages:
        mean = (advantages * weight).sum() / count
        std = (((advantages - mean) ** 2 * weight).sum() / count).sqrt()
        advantages = (advantages - mean) / (std + 1e-8)
    loss = torch.max(-advantages * ratio, -advantages * torch.clamp(ratio, 1 - clip_coef, 1 + clip_coef))
    return (loss * weight).sum() / count, approx_kl, clipfrac
