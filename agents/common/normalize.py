"""Running mean and variance of observations, for input normalisation.

Observations are in SI units (clock rates near 1e9 Hz, bytes near 1e6, queue lengths near 1), so networks
see ``clip((x - mean) / sqrt(var + eps), -clip, clip)``. The statistics are pooled over agents (they share
one observation layout), updated from the observations the trainer collects, and saved in checkpoints so
that a trained policy acts on the same scale.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch


class RunningNormalizer:
    """Per-feature running mean and variance (Chan et al.'s parallel update, as in Stable-Baselines3)."""

    def __init__(self, dim: int, *, clip: float = 10.0, epsilon: float = 1e-8) -> None:
        self.mean = np.zeros(dim, np.float64)
        self.var = np.ones(dim, np.float64)
        self.count = 1e-4
        self.clip = clip
        self.epsilon = epsilon

    def update(self, batch: np.ndarray) -> None:
        """Folds in every row of ``batch`` (any leading shape, last axis the features)."""
        rows = batch.reshape(-1, batch.shape[-1]).astype(np.float64)
        if len(rows) == 0:
            return  # e.g. a rollout whose every step was an autoreset: nothing to learn from
        if not np.all(np.isfinite(rows)):
            raise ValueError("observation batch holds NaN or inf; cannot normalise it")
        batch_mean, batch_var, n = rows.mean(axis=0), rows.var(axis=0), rows.shape[0]
        delta = batch_mean - self.mean
        total = self.count + n
        self.mean = self.mean + delta * n / total
        m2 = self.var * self.count + batch_var * n + delta**2 * self.count * n / total
        self.var = m2 / total
        self.count = total

    def __call__(self, x: torch.Tensor) -> torch.Tensor:
        mean = torch.as_tensor(self.mean, dtype=torch.float32)
        std = torch.as_tensor(np.sqrt(self.var + self.epsilon), dtype=torch.float32)
        return torch.clamp((x - mean) / std, -self.clip, self.clip)

    def state_dict(self) -> dict[str, Any]:
        return {
            "mean": torch.from_numpy(self.mean.copy()),
            "var": torch.from_numpy(self.var.copy()),
            "count": float(self.count),
            "clip": self.clip,
            "epsilon": self.epsilon,
        }

    def load_state_dict(self, state: dict[str, Any]) -> None:
        if state["mean"].shape != self.mean.shape:
            raise ValueError(
                f"normaliser has {state['mean'].shape[0]} features, expected {self.mean.shape[0]}"
            )
        self.mean = state["mean"].numpy().astype(np.float64)
        self.var = state["var"].numpy().astype(np.float64)
        self.count = float(state["count"])
        self.clip = float(state["clip"])
        self.epsilon = float(state["epsilon"])


def agent_major_inputs(
    obs: np.ndarray,
    state: np.ndarray,
    valid: np.ndarray,
    *,
    obs_norm: RunningNormalizer,
    state_norm: RunningNormalizer,
    normalize: bool,
) -> tuple[torch.Tensor, torch.Tensor]:
    """A vector env's observations (N, A, D) as agent-major tensors (A, N, D) and its states (N, S); with
    ``normalize``, the normalisers first fold in the rows where ``valid``, then scale both."""
    if normalize and valid.any():
        obs_norm.update(obs[valid])
        state_norm.update(state[valid])
    x, s = torch.from_numpy(obs).transpose(0, 1), torch.from_numpy(state)
    return (obs_norm(x), state_norm(s)) if normalize else (x, s)
