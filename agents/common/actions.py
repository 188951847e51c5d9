"""Action selection under action masks: masked argmax, masked categorical, uniform among allowed actions.

``mask`` is boolean with the action axis last; True marks an allowed action. Masked actions are never
chosen, neither greedily nor while exploring.
"""

from __future__ import annotations

import numpy as np
import torch
from torch.distributions import Categorical


def masked_logits(logits: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """Logits with masked actions at the most negative float (probability exactly 0 after softmax)."""
    return logits.masked_fill(~mask, torch.finfo(logits.dtype).min)


def masked_argmax(values: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """Index of the largest allowed value along the last axis."""
    return masked_logits(values, mask).argmax(dim=-1)


def masked_categorical(logits: torch.Tensor, mask: torch.Tensor) -> Categorical:
    """A categorical distribution over the allowed actions only."""
    return Categorical(logits=masked_logits(logits, mask))


def uniform_allowed(rng: np.random.Generator, mask: np.ndarray) -> np.ndarray:
    """One action per row of ``mask`` (shape (..., n_actions)), uniform among that row's allowed actions.

    Rows with no allowed action are an error: the environments always allow at least "keep the task".
    """
    if not mask.any(axis=-1).all():
        raise ValueError("an action mask row allows no action")
    keys = np.where(mask, rng.random(mask.shape), -1.0)
    return keys.argmax(axis=-1)


def epsilon_greedy(
    rng: np.random.Generator, q_values: torch.Tensor, mask: np.ndarray, epsilon: float
) -> tuple[np.ndarray, np.ndarray]:
    """Masked epsilon-greedy actions; returns the actions and which of them explored."""
    greedy = masked_argmax(q_values, torch.from_numpy(mask)).numpy()
    explore = rng.random(greedy.shape) < epsilon
    random_actions = uniform_allowed(rng, mask)
    return np.where(explore, random_actions, greedy), explore
