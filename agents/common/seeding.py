"""The one seeding ritual of every trainer, and the random state a checkpoint carries.

A run's randomness comes from four places: Python's ``random``, numpy's global generator, torch's
generator (network initialisation, sampling from policies) and the trainer's own numpy ``Generator``
(exploration, replay sampling). Episode seeds are derived from the run seed and a counter, so the
environments' randomness is a function of the run seed as well.
"""

from __future__ import annotations

import random
from typing import Any

import numpy as np
import torch

MAX_ENV_SEED = 2**62
"""Episode seeds stay below this, so ``seed + env_index`` fits the simulator's 63-bit seeds."""


def seed_everything(seed: int, torch_threads: int) -> np.random.Generator:
    """Seeds Python, numpy and torch, makes torch deterministic, and returns the trainer's generator.

    ``torch_threads`` is fixed because a CPU reduction split over another number of threads sums in
    another order: results are reproducible for one thread count.
    """
    random.seed(seed)
    np.random.seed(seed % 2**32)
    torch.manual_seed(seed)
    torch.use_deterministic_algorithms(True)
    torch.set_num_threads(torch_threads)
    return np.random.default_rng(seed)


def env_seed(run_seed: int, round_index: int) -> int:
    """The seed of the ``round_index``-th ``venv.reset`` of a run (env i gets this + i).

    Derived through ``numpy.random.SeedSequence`` so that runs with neighbouring seeds (1, 2, 3) do not
    share episodes, as ``seed + env_index`` alone would make them do.
    """
    words = np.random.SeedSequence([run_seed, round_index]).generate_state(2, np.uint32)
    return (int(words[0]) << 32 | int(words[1])) % MAX_ENV_SEED


def capture_rng(generator: np.random.Generator) -> dict[str, Any]:
    """Every random state of the process that a trainer uses, in types ``torch.load(weights_only=True)``
    accepts."""
    version, mt_state, gauss = random.getstate()
    np_state = np.random.get_state(legacy=False)
    assert isinstance(np_state, dict)
    return {
        "python": [version, list(mt_state), gauss],
        "numpy": {
            "key": torch.from_numpy(np_state["state"]["key"].astype(np.int64)),
            "pos": int(np_state["state"]["pos"]),
            "has_gauss": int(np_state["has_gauss"]),
            "gauss": float(np_state["gauss"]),
        },
        "torch": torch.get_rng_state(),
        "generator": _plain(generator.bit_generator.state),
    }


def restore_rng(state: dict[str, Any], generator: np.random.Generator) -> None:
    """Puts back the random states :func:`capture_rng` took."""
    version, mt_state, gauss = state["python"]
    random.setstate((version, tuple(mt_state), gauss))
    numpy_state = state["numpy"]
    np.random.set_state(
        {
            "bit_generator": "MT19937",
            "state": {"key": numpy_state["key"].numpy().astype(np.uint32), "pos": numpy_state["pos"]},
            "has_gauss": numpy_state["has_gauss"],
            "gauss": numpy_state["gauss"],
        }
    )
    torch.set_rng_state(state["torch"])
    generator.bit_generator.state = state["generator"]


def _plain(value: Any) -> Any:
    # PCG64's state holds 128-bit Python ints; they pickle as plain ints.
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, np.integer):
        return int(value)
    return value
