"""Deterministic evaluation during training: the current policy, exploration off, on fixed episodes.

Every ``eval_every_episodes`` training episodes (and once before training and once at its end) the trainer
hands its greedy policy to :class:`PeriodicEvaluator`, which plays ``eval_episodes`` episodes with the seeds
``eval_seed, eval_seed + 1, ...`` on a vector env of its own (the same episodes at every evaluation and for
every run of the same scenario, so curves of different methods and seeds compare like for like) and logs the
means of the env's episode figures under ``eval/`` (``eval/avg_cost``, ``eval/success_rate``,
``eval/reward``, ...) with ``eval/episodes``, the training episodes finished so far, and ``eval/cpu_s``, the
run's CPU seconds so far (trainer and simulator JVM, evaluations included). It reads only the
public env API and ``infos["episode"]`` (:func:`agents.evaluation.evaluate`), draws no random number of the
trainer and leaves the training envs alone, so a run with evaluations trains exactly as one without.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

import pygym
from agents.common.session import TrainArgs
from agents.evaluation import evaluate

if TYPE_CHECKING:
    from agents.common.session import TrainingRun

MAX_EVAL_ENVS = 64
"""sessions an evaluation steps together (results do not depend on it: episode k always has seed + k)"""


@dataclass
class EvalArgs(TrainArgs):
    """TrainArgs plus deterministic evaluation during training."""

    eval_every_episodes: int = 2_000
    """training episodes between deterministic evaluations (0: none); one runs before training and one at
    the end"""
    eval_episodes: int = 32
    """episodes per evaluation: the same fixed episodes every time (seeds eval_seed, eval_seed + 1, ...)"""
    eval_seed: int = 1_000_000_000
    """seed of the first evaluation episode (held out: training episodes use seeds derived by SeedSequence
    from the run seed)"""


class GreedyPolicy:
    """A batch action function as an :class:`agents.heuristics.Policy`."""

    def __init__(self, name: str, act: Callable[[np.ndarray], np.ndarray]) -> None:
        self.name = name
        self._act = act

    def start(self, env: Any, seeds: np.ndarray) -> None:
        pass

    def act(self, observations: np.ndarray, infos: Mapping[str, Any]) -> np.ndarray:
        return self._act(observations)


def check_eval_args(args: EvalArgs) -> None:
    """ConfigError for evaluation options out of range; trainers call it before their run directory exists."""
    if args.eval_every_episodes < 0 or args.eval_episodes < 1:
        raise pygym.ConfigError(
            f"eval_every_episodes must be >= 0 and eval_episodes >= 1, got {args.eval_every_episodes} "
            f"and {args.eval_episodes}"
        )


class PeriodicEvaluator:
    """Evaluations of one training run; see the module docstring."""

    def __init__(self, run: TrainingRun, args: EvalArgs) -> None:
        self.run = run
        self.every = args.eval_every_episodes
        self.episodes = args.eval_episodes
        self.seed = args.eval_seed
        self.venv: Any = None
        if self.every > 0:
            self.venv = pygym.make_vec(
                args.env,
                min(self.episodes, MAX_EVAL_ENVS),
                server=args.server,
                **run.scenario,
            )
        # A resumed run evaluated up to its checkpoint already (evaluations come before checkpoints).
        self.done_at: int | None = run.episodes if run.checkpoint is not None else None

    def due(self) -> bool:
        """True before training and whenever the finished training episodes reach the next multiple of
        ``eval_every_episodes``."""
        if self.venv is None:
            return False
        if self.done_at is None:
            return True
        return self.run.episodes // self.every > self.done_at // self.every

    def __call__(self, act: Callable[[np.ndarray], np.ndarray], *, final: bool = False) -> dict[str, Any]:
        """Evaluates ``act`` (observations (N, A, obs_dim) -> actions) if due, or at the end of training
        (``final``) unless this many episodes were evaluated already; returns the figures logged (empty if
        none)."""
        if self.venv is None or not (self.due() or (final and self.done_at != self.run.episodes)):
            return {}
        with self.run.timer("eval"):
            summary = evaluate(self.venv, GreedyPolicy(self.run.algo, act), self.episodes, self.seed)
        figures = {
            "eval/episodes": float(self.run.episodes),
            "eval/cpu_s": self.run.cpu_s(),
            "eval/reward": summary.reward,
        }
        figures.update({f"eval/{key}": float(value) for key, value in summary.figures.items()})
        self.run.log(figures)
        self.done_at = self.run.episodes
        return figures

    def close(self) -> None:
        if self.venv is not None:
            self.venv.close()
            self.venv = None

    def __enter__(self) -> PeriodicEvaluator:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
