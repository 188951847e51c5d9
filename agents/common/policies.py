"""Trained policies for evaluation: a run directory or checkpoint file becomes a batch policy over arrays.

``load_policy("runs/<run>")`` reads the run's latest checkpoint (or the ``.pt`` file given) and asks the
trainer that wrote it for its greedy actor: the action with the highest score (Q-value or logit) among the
allowed ones. The result follows :class:`agents.heuristics.Policy`, so ``agents.evaluation.evaluate`` and
``pygym eval --policy local,runs/<run>`` run it next to the heuristics; at ``start`` it checks that the
env has the layout it was trained on (CheckpointMismatch names what differs).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import torch

from agents.common import checkpoint as checkpoints
from agents.common.actions import masked_argmax
from agents.common.normalize import RunningNormalizer

ActFn = Callable[[np.ndarray, np.ndarray | None], np.ndarray]
"""``(obs (N, A, obs_dim), masks (N, A, n_actions)) -> actions (N, A)`` for discrete actions;
``(obs, None) -> actions (N, A, act_dim)`` for continuous (Box) actions, which have no masks."""


def masked_greedy(network: Callable[[torch.Tensor], torch.Tensor], checkpoint: dict[str, Any]) -> ActFn:
    """Greedy actions of ``network`` (agent-major scores ``(A, B, n_actions)`` from normalised
    observations), with the checkpoint's observation statistics."""
    args, layout = checkpoint["args"], checkpoint["layout"]
    normalizer = RunningNormalizer(len(layout["observation_fields"]))
    normalizer.load_state_dict(checkpoint["normalizers"]["obs"])
    normalize = bool(args["normalize_observations"])

    def act(obs: np.ndarray, masks: np.ndarray | None) -> np.ndarray:
        assert masks is not None, "a discrete policy needs the env's action masks"
        with torch.no_grad():
            x = torch.from_numpy(np.ascontiguousarray(obs, dtype=np.float32)).transpose(0, 1)
            scores = network(normalizer(x) if normalize else x).transpose(0, 1)
            return masked_argmax(scores, torch.from_numpy(np.asarray(masks, dtype=bool))).numpy()

    return act


class TrainedPolicy:
    """A checkpoint acting greedily on batches, as an :class:`agents.heuristics.Policy`."""

    def __init__(self, path: Path, checkpoint: dict[str, Any], act: ActFn) -> None:
        self.path = path
        self.checkpoint = checkpoint
        self.algo: str = checkpoint["algo"]
        self.layout: dict[str, Any] = checkpoint["layout"]
        self.global_step: int = int(checkpoint["global_step"])
        run_dir = path.parent.parent if path.parent.name == "checkpoints" else path.parent
        self.run_dir = run_dir
        self.name = run_dir.name if path.name == checkpoints.LATEST else f"{run_dir.name}@{self.global_step}"
        self._act = act

    def check_env(self, venv: Any) -> None:
        """CheckpointMismatch if ``venv`` has another id or observation/action layout than the checkpoint."""
        checkpoints.check_compatible(self.checkpoint, checkpoints.env_layout(venv), str(self.path))

    def start(self, env: Any, seeds: np.ndarray) -> None:
        self.check_env(env)

    def act(self, observations: np.ndarray, infos: Mapping[str, Any]) -> np.ndarray:
        return self._act(observations, infos.get("action_mask"))


def load_policy(path: str | Path) -> TrainedPolicy:
    """The greedy policy of a run directory (its ``checkpoints/latest.pt``) or of a checkpoint file."""
    import agents

    checkpoint_path = checkpoints.resolve(Path(path))
    checkpoint = checkpoints.load(checkpoint_path)
    trainer = agents.trainer(checkpoint["algo"])
    return TrainedPolicy(checkpoint_path, checkpoint, trainer.greedy_policy(checkpoint))
