"""A ``pygym.VecEnv`` as a Gymnasium 1.x ``VectorEnv`` with the agents folded into the batch.

Row ``i * A + a`` of every array is agent ``a`` of env ``i`` (``A`` = ``venv.num_agents``), so one shared
policy acts for every agent, as PettingZoo-to-vector wrappers do. The folding is a reshape of the VecEnv's
arrays (no copy, no Python per agent); per-env values (episode figures, ``_episode``) are repeated for each
of the env's agents. The autoreset mode is the VecEnv's, declared in ``metadata["autoreset_mode"]``.
"""

from __future__ import annotations

from typing import Any

import gymnasium
import numpy as np
from gymnasium.vector import AutoresetMode, VectorEnv
from gymnasium.vector.utils import batch_space

from pygym.errors import ActionError, ConfigError
from pygym.vector import VecEnv

_MODES = {"next_step": AutoresetMode.NEXT_STEP, "same_step": AutoresetMode.SAME_STEP}
# Infos that are not per env: the finished tasks of all envs, session after session.
_UNFOLDED = ("task_records",)


def check_vecenv(venv: object, view: str, *, same_step: bool = False) -> VecEnv:
    """``venv`` if it is a VecEnv with a Box observation space (and same-step autoreset if asked for);
    ConfigError saying how to make one otherwise."""
    if not isinstance(venv, VecEnv):
        raise ConfigError(f"{view} takes a pygym.VecEnv (pygym.make_vec(...)), got {type(venv).__name__}")
    if not isinstance(venv.single_observation_space, gymnasium.spaces.Box):
        raise ConfigError(f"{view} needs a Box observation space, got {venv.single_observation_space}")
    if same_step and venv.autoreset_mode != "same_step":
        raise ConfigError(
            f"{view} needs a VecEnv with autoreset_mode='same_step' (the library resets an env in the step "
            f"that ends it), got {venv.autoreset_mode!r}: pygym.make_vec({venv.env_id!r}, {venv.num_envs}, "
            "autoreset_mode='same_step', ...)"
        )
    return venv


class Folding:
    """Reshapes a VecEnv's (num_envs, agents, ...) arrays to (num_envs * agents, ...) rows."""

    def __init__(self, venv: VecEnv) -> None:
        self.num_envs = venv.num_envs
        self.num_agents = venv.num_agents
        self.rows = venv.num_envs * venv.num_agents
        self.continuous = venv.continuous_action_fields != []
        self.action_dims: tuple[int, ...] = (len(venv.continuous_action_fields),) if self.continuous else ()

    def rows_of(self, array: np.ndarray) -> np.ndarray:
        """(N, A, ...) -> (N * A, ...), a view."""
        return array.reshape(self.rows, *array.shape[2:])

    def per_row(self, array: np.ndarray) -> np.ndarray:
        """A per-env (N, ...) array repeated for each agent of its env: (N * A, ...)."""
        return np.repeat(array, self.num_agents, axis=0)

    def fold(self, value: Any) -> Any:
        """An info value with rows for the agents: (N, A, ...) arrays reshaped, (N, ...) repeated."""
        if isinstance(value, dict):
            return {key: (item if key in _UNFOLDED else self.fold(item)) for key, item in value.items()}
        if isinstance(value, np.ndarray) and value.ndim >= 1 and value.shape[0] == self.num_envs:
            if value.ndim >= 2 and value.shape[1] == self.num_agents:
                return self.rows_of(value)
            return self.per_row(value)
        return value

    def actions(self, actions: Any) -> np.ndarray:
        """Folded actions (N * A[, dim]) as the VecEnv's (N, A[, dim]); ActionError for a wrong shape. The
        VecEnv checks dtype and range and names the env and agent of a bad value."""
        try:
            array = np.asarray(actions)
        except (TypeError, ValueError):
            raise ActionError(
                f"actions {actions!r:.80}: expected an array of shape {self.action_shape}"
            ) from None
        if array.shape != self.action_shape:
            raise ActionError(
                f"actions have shape {array.shape}; expected {self.action_shape}: one row per agent of each "
                f"env ({self.num_envs} envs x {self.num_agents} agents; "
                f"row i * {self.num_agents} + a is agent "
                "a of env i)"
            )
        return array.reshape(self.num_envs, self.num_agents, *self.action_dims)

    @property
    def action_shape(self) -> tuple[int, ...]:
        return (self.rows, *self.action_dims)


class GymnasiumVectorView(VectorEnv):
    """A Gymnasium ``VectorEnv`` over a :class:`pygym.VecEnv`; use :func:`pygym.adapters.to_gymnasium`.

    ``num_envs`` is the VecEnv's envs x agents. ``reset(seed=s)`` seeds the VecEnv's env ``i`` with ``s + i``
    (all its agents' rows share it). Infos: ``action_mask`` bool (rows, n_actions) for Discrete actions,
    ``metrics`` (rows, n_metrics), and when envs end ``episode`` (``return`` per row, ``length`` and the env's
    figures repeated on its rows) with ``_episode`` bool (rows,). ``state()`` gives each row its env's
    global state. The VecEnv stays reachable as ``.venv``; closing the view closes it.
    """

    def __init__(self, venv: VecEnv) -> None:
        self.venv = check_vecenv(venv, "to_gymnasium")
        self.folding = Folding(venv)
        self.num_envs = self.folding.rows
        self.single_observation_space = venv.single_observation_space
        self.single_action_space = venv.single_action_space
        self.observation_space = batch_space(self.single_observation_space, self.num_envs)
        self.action_space = batch_space(self.single_action_space, self.num_envs)
        self.metadata = {"autoreset_mode": _MODES[venv.autoreset_mode], "name": venv.env_id}
        self.render_mode = None

    def reset(
        self, *, seed: int | list[int | None] | None = None, options: dict[str, Any] | None = None
    ) -> tuple[np.ndarray, dict[str, Any]]:
        if isinstance(seed, list | tuple):
            raise ConfigError(
                "reset(seed=[...]): give one int; the view's rows are agents of shared envs, and env i is "
                "seeded with seed + i"
            )
        obs, infos = self.venv.reset(seed=seed, options=options)
        return self.folding.rows_of(obs), self.folding.fold(infos)

    def step(self, actions: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, dict[str, Any]]:
        obs, rewards, terminations, truncations, infos = self.venv.step(self.folding.actions(actions))
        fold = self.folding
        return (
            fold.rows_of(obs),
            rewards.reshape(-1),
            terminations.reshape(-1),
            truncations.reshape(-1),
            fold.fold(infos),
        )

    def state(self) -> np.ndarray:
        """Each row's env's global state, float32 (rows, state_dim), for centralised critics."""
        return self.folding.per_row(self.venv.state())

    def close_extras(self, **kwargs: Any) -> None:
        self.venv.close()

    def __enter__(self) -> GymnasiumVectorView:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"GymnasiumVectorView({self.venv!r}, num_envs={self.num_envs})"


def to_gymnasium(venv: VecEnv) -> GymnasiumVectorView:
    """``venv`` as a ``gymnasium.vector.VectorEnv`` with agents folded into the batch (see the class)."""
    return GymnasiumVectorView(venv)
