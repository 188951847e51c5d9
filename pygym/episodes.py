"""What an environment id computes in Python from the simulator's measurements: rewards, and the record of
each finished episode. Written over a batch of sessions with numpy, so the same code serves the vector env
(many sessions, one call) and the PettingZoo env (a batch of one), and the two always agree.

An episode record holds ``return`` (per agent) and ``length`` (steps), then the env's own ``figures``
(for example completed tasks and mean latency), all numbers of fixed shape. Each env module defines one
subclass of :class:`EpisodeLogic`; its docstring lists the figures.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

import numpy as np

from pygym.errors import ConfigError
from pygym.frames import Batch


class EpisodeLogic:
    """Rewards and episode records of one env id over ``num_envs`` sessions.

    Subclasses set ``rewards`` (the reward names they know, first the default) and ``figures``, check their
    weights in ``__init__`` (called before any simulator is asked), and implement ``_started``,
    ``_rewards`` and ``_figures``.
    """

    rewards: ClassVar[tuple[str, ...]]
    figures: ClassVar[tuple[str, ...]] = ()

    def __init__(self, env_id: str, reward: str | None, reward_weights: Mapping[str, float] | None) -> None:
        if reward is None:
            reward = self.rewards[0]
        if reward not in self.rewards:
            raise ConfigError(f"unknown reward {reward!r} for {env_id}; known: {', '.join(self.rewards)}")
        if reward_weights is not None and not isinstance(reward_weights, Mapping):
            raise ConfigError(
                f"reward_weights={reward_weights!r}: expected a mapping of weight names to numbers, such as "
                f"{{'latency': 0.5}} (got {type(reward_weights).__name__})"
            )
        self.env_id = env_id
        self.reward_name = reward
        self.weights: Any = None
        """the reward's weights (a dataclass of floats), for envs whose rewards take weights"""

    def attach(self, spec: Mapping[str, Any], num_envs: int) -> None:
        """Binds to a group's layout; called once the simulator has described it."""
        self.num_envs = num_envs
        self.num_agents = len(spec["agents"])
        self.metric_index = {f["name"]: i for i, f in enumerate(spec["metrics"])}
        self.max_steps = int(spec["max_steps"])
        self.returns = np.zeros((num_envs, self.num_agents))
        self.lengths = np.zeros(num_envs, dtype=np.int64)

    def started(self, which: np.ndarray, batch: Batch) -> None:
        """Episodes started in the sessions where ``which`` is set; ``batch`` holds their first frames."""
        self.returns[which] = 0.0
        self.lengths[which] = 0
        self._started(which, batch)

    def stepped(self, which: np.ndarray, batch: Batch) -> np.ndarray:
        """The rewards (num_envs, agents) of the sessions that stepped (``which``; zero elsewhere)."""
        rewards = self._rewards(which, batch)
        if not which.all():
            rewards[~which] = 0.0
        self.returns += rewards
        self.lengths += which
        return rewards

    def record(self, ended: np.ndarray) -> dict[str, np.ndarray]:
        """The records of every session, meaningful where ``ended``: ``return`` (num_envs, agents),
        ``length`` and the figures (num_envs,)."""
        return {"return": self.returns.copy(), "length": self.lengths.copy(), **self._figures(ended)}

    def _started(self, which: np.ndarray, batch: Batch) -> None:
        """Resets the episode accumulators of the sessions in ``which``."""

    def _rewards(self, which: np.ndarray, batch: Batch) -> np.ndarray:
        """Rewards (num_envs, agents) for this step, accumulating what the figures need where ``which``."""
        raise NotImplementedError

    def _figures(self, ended: np.ndarray) -> dict[str, np.ndarray]:
        return {}
