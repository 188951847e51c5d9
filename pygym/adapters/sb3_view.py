"""A ``pygym.VecEnv`` as a Stable-Baselines3 2.x ``VecEnv``, agents folded into the batch.

Row ``i * A + a`` is agent ``a`` of env ``i``: SB3 trains one policy shared by every agent. SB3 resets an env
in the step that ends it, so the VecEnv must use ``autoreset_mode="same_step"``; an ended row's info holds
``terminal_observation``, ``TimeLimit.truncated`` and ``episode`` (``r`` the agent's return, ``l`` the
length, ``t`` seconds since the view was made, as SB3's ``Monitor`` writes it), so SB3 logs episode returns
without a ``VecMonitor``. ``env_method("action_masks")`` returns the masks of the current observations
(bool rows x n_actions) for sb3-contrib's ``MaskablePPO``. ``seed(s)`` then ``reset()`` seeds the VecEnv
with ``s`` (its env ``i`` with ``s + i``).

Observations, rewards and dones are arrays reshaped from the VecEnv's; only the infos of rows whose
episode ended are filled in Python (SB3 reads infos as a list of dicts).
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np
from stable_baselines3.common.vec_env import VecEnv as SB3VecEnv
from stable_baselines3.common.vec_env.base_vec_env import VecEnvIndices

from pygym.adapters.gymnasium_view import Folding, check_vecenv
from pygym.errors import ConfigError, SessionError
from pygym.vector import VecEnv

# Row attributes SB3 and sb3-contrib ask a VecEnv for; every row has the same value.
_ROW_ATTRIBUTES = ("render_mode", "action_masks", "env_id", "possible_agents", "observation_fields")


class SB3VecEnvView(SB3VecEnv):
    """See the module docstring; use :func:`pygym.adapters.to_sb3`."""

    def __init__(self, venv: VecEnv) -> None:
        self.venv = check_vecenv(venv, "to_sb3", same_step=True)
        self.folding = Folding(venv)
        self.render_mode = None
        self._actions: np.ndarray | None = None
        self._masks: np.ndarray | None = None
        self._started_s = time.perf_counter()
        super().__init__(self.folding.rows, venv.single_observation_space, venv.single_action_space)

    def reset(self) -> np.ndarray:
        seed = self._seeds[0]
        obs, infos = self.venv.reset(seed=seed, options=self._options[0] or None)
        self._reset_seeds()
        self._reset_options()
        self._masks = self._row_masks(infos)
        self.reset_infos = [{} for _ in range(self.num_envs)]
        return self.folding.rows_of(obs)

    def step_async(self, actions: np.ndarray) -> None:
        self._actions = self.folding.actions(actions)

    def step_wait(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[dict[str, Any]]]:
        if self._actions is None:
            raise SessionError("step_wait() without step_async(actions)")
        actions, self._actions = self._actions, None
        obs, rewards, terminations, truncations, infos = self.venv.step(actions)
        fold = self.folding
        dones = (terminations | truncations).reshape(-1)
        self._masks = self._row_masks(infos)
        row_infos: list[dict[str, Any]] = [{} for _ in range(self.num_envs)]
        if "_final_obs" in infos:
            self._fill_ended(row_infos, infos, terminations.reshape(-1), truncations.reshape(-1))
        return fold.rows_of(obs), rewards.reshape(-1), dones, row_infos

    def _fill_ended(
        self,
        row_infos: list[dict[str, Any]],
        infos: dict[str, Any],
        terminations: np.ndarray,
        truncations: np.ndarray,
    ) -> None:
        fold = self.folding
        final_obs = fold.rows_of(infos["final_obs"])
        record = infos["final_info"]["episode"]
        returns = fold.rows_of(record["return"])
        lengths = fold.per_row(record["length"])
        elapsed_s = round(time.perf_counter() - self._started_s, 6)
        for row in np.flatnonzero(fold.per_row(infos["_final_obs"])):
            row_infos[row] = {
                "terminal_observation": final_obs[row],
                "TimeLimit.truncated": bool(truncations[row] and not terminations[row]),
                "episode": {"r": float(returns[row]), "l": int(lengths[row]), "t": elapsed_s},
            }

    def _row_masks(self, infos: dict[str, Any]) -> np.ndarray | None:
        mask = infos.get("action_mask")
        return None if mask is None else self.folding.rows_of(mask)

    def action_masks(self) -> np.ndarray:
        """The masks of the current observations, bool (rows, n_actions)."""
        if self._masks is None:
            raise ConfigError(
                f"{self.venv.env_id} has no action masks (continuous actions)"
                if self.folding.continuous
                else "action_masks() before reset()"
            )
        return self._masks

    def close(self) -> None:
        self.venv.close()

    def __enter__(self) -> SB3VecEnvView:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _rows(self, indices: VecEnvIndices) -> list[int]:
        return list(self._get_indices(indices))

    def get_attr(self, attr_name: str, indices: VecEnvIndices = None) -> list[Any]:
        if attr_name not in _ROW_ATTRIBUTES or (attr_name == "action_masks" and self.folding.continuous):
            raise AttributeError(f"the rows of this view have no attribute {attr_name!r}")
        source = self if attr_name in ("render_mode", "action_masks") else self.venv
        return [getattr(source, attr_name)] * len(self._rows(indices))

    def set_attr(self, attr_name: str, value: Any, indices: VecEnvIndices = None) -> None:
        raise AttributeError(
            f"set_attr({attr_name!r}): the rows of this view are agents of shared simulator sessions; "
            "configure the VecEnv (pygym.make_vec keywords) instead"
        )

    def env_method(
        self, method_name: str, *method_args: Any, indices: VecEnvIndices = None, **method_kwargs: Any
    ) -> list[Any]:
        if method_name != "action_masks":
            raise AttributeError(f"the rows of this view have no method {method_name!r}; only 'action_masks'")
        masks = self.action_masks()
        # An array, not a list of rows: sb3-contrib np.stack()s it, and no Python runs per agent.
        rows = masks if indices is None else masks[self._rows(indices)]
        return rows  # type: ignore[return-value]

    def env_is_wrapped(self, wrapper_class: type, indices: VecEnvIndices = None) -> list[bool]:
        return [False] * len(self._rows(indices))

    def __repr__(self) -> str:
        return f"SB3VecEnvView({self.venv!r}, num_envs={self.num_envs})"
