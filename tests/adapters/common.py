"""Scenarios with short episodes for the library view tests, and random valid actions."""

from __future__ import annotations

import numpy as np

# (scenario keywords, steps per episode at most)
SCENARIOS = {
    "offload-neighbour-v0": ({"episode_s": 2, "arrival_rate_hz": 6}, 20),
    "offload-mec-explaboff-v0": ({"setting": "2x3"}, 10),
    "offload-mec-v0": ({"episode_steps": 6}, 6),
}


def random_actions(rng: np.random.Generator, masks: np.ndarray | None, shape: tuple[int, ...]) -> np.ndarray:
    """Uniform among the allowed actions (masks (..., n)), or uniform in [-1, 1] of ``shape`` for Box."""
    if masks is None:
        return rng.uniform(-1, 1, shape).astype(np.float32)
    picks = rng.integers(0, masks.sum(axis=-1))
    return (np.cumsum(masks, axis=-1) <= picks[..., None]).sum(axis=-1)
