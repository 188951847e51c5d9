"""The vector env's table of autoreset seeds (no simulator needed)."""

from __future__ import annotations

import numpy as np

from pygym.group import episode_seeds
from pygym.vector import EpisodeSeedTable


def test_seed_table_follows_episode_seeds_across_refills() -> None:
    bases = 1_000 + np.arange(5, dtype=np.int64)
    table = EpisodeSeedTable(bases)
    episodes = np.zeros(5, dtype=np.int64)
    rng = np.random.default_rng(0)
    calls = 3 * EpisodeSeedTable.EPISODES
    for _ in range(calls):
        which = rng.random(5) < 0.5
        which[0] = True  # env 0 ends at every call: it runs through the table twice
        episodes += which
        np.testing.assert_array_equal(table.advance(which), episode_seeds(bases, episodes))
    assert episodes[0] == calls and episodes[1:].min() > 0
