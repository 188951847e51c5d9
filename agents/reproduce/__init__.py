"""Reproductions of published comparisons (``pygym reproduce NAME``): each trains a grid of methods, settings
and seeds through :mod:`agents.common.sweep` and writes the paper's figure, tables and the raw evaluations.

- ``explaboff`` (:mod:`agents.reproduce.explaboff`): ExplabOff (INFOCOM 2025) against CMOff, MADDPG, MATD3
  and MAPPO on the released MEC settings 2x3, 2x5 and 3x7.
"""

from __future__ import annotations

REPRODUCTIONS = ("explaboff",)
"""The names ``pygym reproduce`` knows."""
