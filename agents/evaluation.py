"""Running a policy for whole episodes of a vector env and summarising their records.

Reads only the public vector-env API and ``infos["episode"]`` (see ``pygym.make_vec``), so it runs on every
env id. Episode ``k`` of an evaluation uses seed ``seed + k``: the episodes run in rounds of ``num_envs``, a
round reset with ``seed + round * num_envs`` so that env ``i`` plays episode ``round * num_envs + i``; an env
that finishes early idles (its next episodes are discarded) until the round's last one ends.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from agents.heuristics import Policy


@dataclass(frozen=True)
class Summary:
    """Figures over the evaluated episodes: each of the env's episode figures averaged over episodes (see its
    card; for offload-mec-explaboff-v0 ``avg_cost`` and ``success_rate`` are then the means of what the
    ExplabOff release logs per episode, its figure's AvgCost and SuccRate)."""

    policy: str
    env_id: str
    episodes: int
    steps: int
    """env steps taken by the counted episodes"""
    seed: int
    reward: float
    """mean episode return, averaged over agents"""
    figures: dict[str, float] = field(default_factory=dict)
    """the mean over episodes of each figure of the env's episode record"""

    def as_dict(self) -> dict[str, Any]:
        return {
            "policy": self.policy,
            "env_id": self.env_id,
            "episodes": self.episodes,
            "steps": self.steps,
            "seed": self.seed,
            "reward": self.reward,
            **self.figures,
        }


def evaluate(env: Any, policy: Policy, episodes: int, seed: int) -> Summary:
    """Runs ``episodes`` episodes of the vector env ``env`` with seeds ``seed, seed + 1, ...``."""
    if episodes < 1:
        raise ValueError(f"episodes must be >= 1, got {episodes}")
    records: list[dict[str, Any]] = []
    for start in range(0, episodes, env.num_envs):
        counted = min(env.num_envs, episodes - start)
        records.extend(_round(env, policy, seed + start)[:counted])
    figures = {key: _mean([r[key] for r in records]) for key in records[0] if key not in ("return", "length")}
    return Summary(
        policy=policy.name,
        env_id=env.env_id,
        episodes=episodes,
        steps=int(sum(r["length"] for r in records)),
        seed=seed,
        reward=float(np.mean([np.mean(r["return"]) for r in records])),
        figures=figures,
    )


def _round(env: Any, policy: Policy, seed: int) -> list[dict[str, Any]]:
    """Each env's first episode from ``env.reset(seed=seed)``: its record, in env order."""
    observations, infos = env.reset(seed=seed)
    policy.start(env, seed + np.arange(env.num_envs))
    found: list[dict[str, Any] | None] = [None] * env.num_envs
    while True:
        # An episode may be over at reset already (a replayed workload finishing before any decision).
        if "episode" in infos:
            record = infos["episode"]
            for i in np.flatnonzero(infos["_episode"]):
                if found[i] is None:
                    found[i] = {key: values[i] for key, values in record.items()}
        if all(r is not None for r in found):
            return [r for r in found if r is not None]
        observations, _, _, _, infos = env.step(policy.act(observations, infos))


def _mean(values: list[Any]) -> float:
    """The mean over episodes, ignoring episodes where the figure is undefined (NaN); NaN if it never is."""
    array = np.asarray(values, dtype=np.float64)
    finite = array[np.isfinite(array)]
    return float(finite.mean()) if len(finite) else float("nan")
