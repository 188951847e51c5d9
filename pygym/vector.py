"""``pygym.make_vec``: many sessions of one scenario stepped with one bridge call, arrays in and out.

The fast path under every trainer. ``num_envs`` sessions are created together on the simulator (one server,
or spread over several with ``servers=``) and stepped together by a fixed pool of JVM worker threads
(``threads``, default one per core; results never depend on it). Shapes (N = num_envs, A = agents):

- ``reset(seed=s) -> (obs, infos)``; env ``i`` is seeded with ``s + i`` and then follows exactly the episodes
  of ``pygym.make(...)`` reset with ``s + i`` and then reset without a seed (each later episode's seed is the
  next of the sequence its first seed starts, ``pygym.group.episode_seeds``).
- ``step(actions) -> (obs, rewards, terminations, truncations, infos)``: ``obs`` float32 (N, A, obs_dim);
  ``rewards`` float32 (N, A); ``terminations``/``truncations`` bool (N, A); ``actions`` int (N, A) for
  Discrete actions, float32 (N, A, act_dim) for Box actions.
- ``infos["action_mask"]`` bool (N, A, n_actions) (discrete envs), ``infos["metrics"]`` float64 (N, A,
  n_metrics) named by ``metric_fields``; when envs end, ``infos["episode"]`` (a dict of arrays: ``return``
  (N, A), ``length`` (N,) and the env's figures (N,), see its card) with ``infos["_episode"]`` bool (N,)
  marking the envs that ended; ``infos["task_records"]`` (with ``task_records=True``: float64 (total,
  fields) and ``infos["task_record_counts"]`` (N,), session after session).
- ``state()`` float32 (N, state_dim).

Autoreset follows Gymnasium 1.x, declared in ``metadata["autoreset_mode"]``. ``"next_step"`` (default): the
step on which an env ends returns its final observation; on the next step its action is ignored, it is reset
and the row holds the new episode's first observation with reward 0. ``"same_step"``: an env that ends is
reset in the same call; the returned row is the new episode's first observation, the final one is in
``infos["final_obs"]`` (N, A, obs_dim) and its infos (and final ``state``) in ``infos["final_info"]``,
``infos["_final_obs"]`` marking those envs. In our scenarios all agents of an env end together; the arrays
stay per agent.
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping, Sequence
from typing import Any

import gymnasium
import numpy as np

from pygym.env import SimParallelEnv
from pygym.envs import REGISTRY
from pygym.errors import ActionError, ConfigError, SessionError
from pygym.frames import OP_HOLD, OP_RESET, OP_STEP, Batch
from pygym.group import MAX_SEED, SessionGroup, check_seed, episode_seeds, fresh_seed

AUTORESET_MODES = ("next_step", "same_step")
# The operation of each session, indexed by whether it resets: one lookup per call.
_RESET_OR_STEP = np.array([OP_STEP, OP_RESET], dtype=np.int8)
_RESET_OR_HOLD = np.array([OP_HOLD, OP_RESET], dtype=np.int8)


def env_class(env_id: str) -> type[SimParallelEnv]:
    try:
        return REGISTRY[env_id]
    except KeyError:
        raise ConfigError(f"unknown env id {env_id!r}; known: {', '.join(sorted(REGISTRY))}") from None


class EpisodeSeedTable:
    """Where each env is in its seed sequence (:func:`pygym.group.episode_seeds`), with the next ``EPISODES``
    seeds of every env computed ahead: a vector env whose episodes end at nearly every call then finds its
    seeds with one lookup instead of SplitMix64's dozen numpy operations."""

    EPISODES = 64

    def __init__(self, bases: np.ndarray) -> None:
        self.bases = bases
        """each env's first seed (its episode 0)"""
        self.episodes = np.zeros(len(bases), dtype=np.int64)
        self._rows = np.arange(len(bases))
        self._fill()

    def _fill(self) -> None:
        self._first = self.episodes.copy()
        ahead = self._first[:, None] + np.arange(self.EPISODES)
        self._table = episode_seeds(self.bases[:, None], ahead)
        # Each advance moves an env by at most one episode, so the table covers EPISODES - 1 advances.
        self._advances_left = self.EPISODES - 1

    def advance(self, which: np.ndarray) -> np.ndarray:
        """Moves the envs in ``which`` to their next episode; returns every env's current seed."""
        if self._advances_left == 0:
            self._fill()
        self._advances_left -= 1
        self.episodes += which
        return self._table[self._rows, self.episodes - self._first]


class VecEnv:
    """``num_envs`` copies of one scenario as arrays; see the module docstring. Use :func:`pygym.make_vec`."""

    def __init__(
        self,
        env_id: str,
        num_envs: int,
        *,
        autoreset_mode: str = "next_step",
        task_records: bool = False,
        threads: int = 0,
        server: object = None,
        servers: Sequence[object] | None = None,
        token: str | None = None,
        tls: bool | None = None,
        tls_ca: str | None = None,
        reward: str | None = None,
        reward_weights: Mapping[str, float] | None = None,
        **scenario: Any,
    ) -> None:
        self._group: SessionGroup | None = None
        cls = env_class(env_id)
        if autoreset_mode not in AUTORESET_MODES:
            raise ConfigError(f"autoreset_mode {autoreset_mode!r} is not one of {', '.join(AUTORESET_MODES)}")
        self.env_id = env_id
        self.metadata = {"autoreset_mode": autoreset_mode, "name": env_id}
        self.autoreset_mode = autoreset_mode
        self.logic = cls.Logic(env_id, reward, reward_weights)
        prepared = cls.prepare(**scenario)
        group = SessionGroup(
            env_id,
            num_envs,
            prepared,
            self.logic,
            server=server,
            servers=servers,
            token=token,
            tls=tls,
            tls_ca=tls_ca,
            threads=threads,
            task_records=task_records,
        )
        self._group = group
        self.num_envs = group.num_envs
        self.servers: list[str | None] = group.servers
        """each server's ``host:port`` (None: a JVM of this process), as plain data for a run's config"""
        self.scenario = group.overrides
        self.spec: dict[str, Any] = group.spec
        self.possible_agents: list[str] = group.possible_agents
        self.num_agents = len(self.possible_agents)
        self.observation_fields = group.observation_fields
        self.metric_fields = group.metric_fields
        self.state_fields = group.state_fields
        self.task_record_fields = group.task_record_fields
        self.action_meanings = group.action_meanings
        self.continuous_action_fields = group.continuous_action_fields
        self.max_steps = group.max_steps
        self.single_observation_space: gymnasium.spaces.Box = group.observation_space
        self.single_action_space: gymnasium.spaces.Space = group.action_space
        self.state_space: gymnasium.spaces.Box = group.state_space
        self.task_records = bool(task_records)
        n, a = self.num_envs, self.num_agents
        self._continuous = group.continuous
        self._action_shape = (n, a, len(self.continuous_action_fields)) if self._continuous else (n, a)
        self._no_actions = np.zeros(self._action_shape, dtype=np.float32 if self._continuous else np.int32)
        self._seeds: EpisodeSeedTable | None = None
        self._ended = np.zeros(n, dtype=bool)
        self._started = False

    def _live(self) -> SessionGroup:
        if self._group is None:
            raise SessionError("the vector environment is closed")
        return self._group

    def _next_seeds(self, which: np.ndarray) -> np.ndarray:
        """Moves each env in ``which`` to the next episode of its seed sequence; returns every env's seed."""
        if self._seeds is None:
            self._seeds = EpisodeSeedTable(fresh_seed() + np.arange(self.num_envs, dtype=np.int64))
            return self._seeds.bases
        return self._seeds.advance(which)

    def reset(
        self, *, seed: int | None = None, options: dict[str, Any] | None = None
    ) -> tuple[np.ndarray, dict[str, Any]]:
        """Resets every env: env ``i`` with ``seed + i``, or with the next seed of its own sequence."""
        group = self._live()
        if seed is not None:
            base = check_seed(seed)
            if base + self.num_envs - 1 > MAX_SEED:
                raise ConfigError(f"seed {seed} + {self.num_envs - 1} (one per env) exceeds 2^63 - 1")
            self._seeds = EpisodeSeedTable(base + np.arange(self.num_envs, dtype=np.int64))
            seeds = self._seeds.bases
        else:
            seeds = self._next_seeds(np.ones(self.num_envs, dtype=bool))
        batch = group.run(group.reset_all, seeds, self._no_actions)
        self._ended = batch.ended
        self._started = True
        return batch.observation, self._infos(batch, batch.ended)

    def step(self, actions: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, dict[str, Any]]:
        group = self._live()
        if not self._started:
            raise SessionError("step() before reset(): call reset() first")
        resets = self._ended
        encoded = self._check_actions(actions, resets)
        if resets.any():
            batch = group.run(_RESET_OR_STEP[resets.view(np.uint8)], self._next_seeds(resets), encoded)
        else:
            batch = group.run(group.step_all, None, encoded)
        rewards = group.rewards.astype(np.float32)
        ended = batch.ended
        terminations = np.repeat(batch.terminated[:, None], self.num_agents, axis=1)
        truncations = np.repeat(batch.truncated[:, None], self.num_agents, axis=1)
        infos = self._infos(batch, ended)
        if self.autoreset_mode == "same_step" and ended.any():
            final_info = {**infos, "state": batch.state.copy()}
            final = {
                "final_obs": batch.observation.copy(),
                "final_info": final_info,
                "_final_obs": ended.copy(),
            }
            batch = group.run(_RESET_OR_HOLD[ended.view(np.uint8)], self._next_seeds(ended), self._no_actions)
            infos = {**self._infos(batch, batch.ended), **final}
            ended = batch.ended
        self._ended = ended
        return batch.observation, rewards, terminations, truncations, infos

    def _infos(self, batch: Batch, ended: np.ndarray) -> dict[str, Any]:
        infos: dict[str, Any] = {"metrics": batch.metrics}
        if not self._continuous:
            infos["action_mask"] = batch.action_mask.view(bool)
        if self.task_records:
            infos["task_records"] = batch.task_records
            infos["task_record_counts"] = batch.record_counts
        if ended.any():
            infos["episode"] = self.logic.record(ended)
            infos["_episode"] = ended.copy()
        return infos

    def _check_actions(self, actions: Any, resets: np.ndarray) -> np.ndarray:
        """The actions as an array of the right shape and type; ActionError naming the env and agent of the
        first bad one. Rows of envs being reset (``resets``) are ignored."""
        try:
            array = np.asarray(actions)
        except (TypeError, ValueError):
            raise ActionError(
                f"actions {actions!r:.80}: expected an array of shape {self._action_shape}"
            ) from None
        if array.shape != self._action_shape:
            raise ActionError(
                f"actions have shape {array.shape}; expected {self._action_shape} (num_envs, agents"
                + (", action values)" if self._continuous else ")")
            )
        if self._continuous:
            if array.dtype.kind not in "biuf":
                raise ActionError(f"actions have dtype {array.dtype}; expected real numbers (float32)")
            array = array.astype(np.float32, copy=False)
            if np.isfinite(array).all():
                return array
            bad = ~np.isfinite(array).all(axis=2) & ~resets[:, None]
            what = "is not finite (NaN or inf)"
        else:
            if array.dtype.kind not in "iu":
                raise ActionError(f"actions have dtype {array.dtype}; expected integers for Discrete actions")
            n = len(self.action_meanings)
            if array.min() >= 0 and array.max() < n:
                return array
            bad = ((array < 0) | (array >= n)) & ~resets[:, None]
            what = f"is outside [0, {n})"
        if bad.any():
            i, a = np.argwhere(bad)[0]
            raise ActionError(
                f"env {i}, agent {self.possible_agents[a]}: action {array[i, a].tolist()} {what}; "
                "no env was stepped"
            )
        return array

    def state(self) -> np.ndarray:
        """The global state of every env (num_envs, state_dim), named by ``state_fields``."""
        group = self._live()
        if group.batch is None:
            raise SessionError("state() before reset()")
        return group.batch.state

    @property
    def unwrapped(self) -> VecEnv:
        return self

    def close(self) -> None:
        """Closes every session. Idempotent."""
        group, self._group = self._group, None
        if group is not None:
            group.close()

    def __enter__(self) -> VecEnv:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __del__(self) -> None:
        with contextlib.suppress(Exception):
            self.close()

    def __repr__(self) -> str:
        return f"VecEnv({self.env_id!r}, num_envs={self.num_envs}, agents={self.num_agents})"


# The RL library views of a VecEnv (pygym.adapters), reachable from here too.
from pygym.adapters import to_gymnasium as to_gymnasium  # noqa: E402
from pygym.adapters import to_sb3 as to_sb3  # noqa: E402
from pygym.adapters import to_torchrl as to_torchrl  # noqa: E402
