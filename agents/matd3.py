"""MATD3 (Ackermann et al. 2019): MADDPG with TD3's three changes, for continuous actions.

The baseline "MTOff" of ExplabOff's figure, implemented as published (ExplabOff report, section 3.3, lists
what the release's marlbenchmark code did wrong; its delayed actor update never happened because its update
counter never advanced). On top of :mod:`agents.maddpg` (per-agent centralised critics on the global state
and joint action, per-agent actor updates, soft targets, Gaussian exploration):

- **twin critics** per agent; the target takes the minimum of the two target critics;
- **target policy smoothing**: Gaussian noise of std 0.2, clipped to +-0.5, on the target actions;
- **delayed updates**: the actors and all target networks are updated once every ``policy_delay`` = 2
  critic updates (``charts/actor_updates`` and ``charts/critic_updates`` count them).

Every other option and default is :mod:`agents.maddpg`'s (ExplabOff's training budget and networks).

Run: ``python -m agents.matd3 --help`` or ``pygym train matd3 --set setting=2x3 ...``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from agents import maddpg
from agents.common.policies import ActFn
from agents.common.session import parse_args

ALGO = "matd3"


@dataclass
class Args(maddpg.Args):
    """MATD3: MADDPG's options with TD3's defaults."""

    twin_critics: bool = True
    """two critics per agent, the target takes their minimum"""
    policy_delay: int = 2
    """critic updates per actor (and target) update"""
    target_policy_noise: float = 0.2
    """std of the Gaussian noise on the target actions"""
    target_noise_clip: float = 0.5
    """the target action noise is clipped to +-this"""


def train(args: Args) -> Path:
    """Trains MATD3; returns the run directory."""
    return maddpg.train(args, algo=ALGO)


def greedy_policy(checkpoint: dict[str, Any]) -> ActFn:
    """The trained actors without exploration noise (for ``pygym eval``)."""
    return maddpg.greedy_policy(checkpoint)


if __name__ == "__main__":
    train(parse_args(Args, prog="python -m agents.matd3"))
