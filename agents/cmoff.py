"""CMOff: ExplabOff's code path without the mutual-information reward (the cleanest ablation).

The release's ``run_coma_like_offloading_alg.py`` runs ExplabOff's ``MA_T_DDPG`` (per-device actors, one
centralised critic shared by all devices on a team reward, the shared Ornstein-Uhlenbeck noise, the joint
actor update) but never fills the superior buffer and passes no MI weights, so it never trains the MI
networks nor adds a bonus: "COMA-like" means the single centralised critic, not COMA's counterfactual
baseline (ExplabOff report, section 3.1). This trainer is :mod:`agents.explaboff` with ``alpha = beta = 0``,
so CMOff and ExplabOff differ in the MI reward only, faithful mode included; every other option and default
is ExplabOff's.

Run: ``python -m agents.cmoff --help`` or ``pygym train cmoff --set setting=2x3 ...``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from agents import explaboff
from agents.common.errors import InvalidArgs
from agents.common.policies import ActFn
from agents.common.session import parse_args

ALGO = "cmoff"


@dataclass
class Args(explaboff.Args):
    """CMOff: ExplabOff with alpha = beta = 0 (no MI networks trained, no bonus)."""

    alpha: float = 0.0
    """must stay 0 (CMOff has no MI reward; use explaboff for alpha > 0)"""
    beta: float = 0.0
    """must stay 0 (CMOff has no MI reward; use explaboff for beta > 0)"""


def train(args: Args) -> Path:
    """Trains CMOff; returns the run directory."""
    if args.alpha != 0 or args.beta != 0:
        raise InvalidArgs(
            f"cmoff is ExplabOff without the MI reward: --alpha and --beta must be 0, got {args.alpha} and "
            f"{args.beta} (train explaboff for an MI reward)"
        )
    return explaboff.train(args, algo=ALGO)


def greedy_policy(checkpoint: dict[str, Any]) -> ActFn:
    """The trained actors without exploration noise (for ``pygym eval``)."""
    return explaboff.greedy_policy(checkpoint)


if __name__ == "__main__":
    train(parse_args(Args, prog="python -m agents.cmoff"))
