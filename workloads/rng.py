"""Named random streams derived from one seed.

Every random choice of the package draws from a stream named for what it decides ("arrivals", "cycles",
"sources", ...), derived from the user's seed and the name through numpy's SeedSequence. Streams are
independent of one another, so adding a random column never shifts the draws of another, and one seed
reproduces a file byte for byte. Names are turned into integers with CRC-32, never Python's salted hash().
"""

from __future__ import annotations

import zlib

import numpy as np


def stream(seed: int, *names: str | int) -> np.random.Generator:
    """The generator for ``seed`` and a path of names (strings or non-negative integers): ("arrivals", 3)."""
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"seed {seed!r}: a seed is a non-negative integer")
    key = [int(seed)]
    for name in names:
        key.append(zlib.crc32(name.encode()) if isinstance(name, str) else int(name))
    return np.random.default_rng(np.random.SeedSequence(key))
