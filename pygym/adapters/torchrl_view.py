"""A ``pygym.VecEnv`` as a TorchRL ``EnvBase``: batch dimension = envs, one agent group ``"agents"``.

The layout of TorchRL's multi-agent environments (VMAS, its multi-agent PPO tutorial): batch size
``(num_envs,)``; per agent under ``"agents"`` (shape ``(num_envs, agents)``) ``observation``, ``action_mask``
(bool, Discrete actions), ``action`` and ``reward`` (``(..., 1)``); at the root ``state`` (the global state
for centralised critics) and ``done``/``terminated``/``truncated`` ``(num_envs, 1)``, since all agents of an
env end together. TorchRL resets only the envs that ended (``_reset`` masks): the VecEnv runs with
``autoreset_mode="same_step"``, the step that ends an env returns its final observation, and the reset hands
out the new episode's first observation, which the VecEnv already holds. ``set_seed(s)`` seeds the next full
reset (env ``i`` with ``s + i``).

Arrays cross as ``torch.from_numpy`` views; no Python runs per agent. For masked random actions (e.g.
``env.rand_action``) add TorchRL's ``ActionMask`` transform.

The ``state`` of the step that ends an env is its final state (``infos["final_info"]["state"]``).
"""

from __future__ import annotations

from typing import Any

import gymnasium
import numpy as np
import torch
from tensordict import TensorDict, TensorDictBase
from torchrl.data import Binary, Bounded, Categorical, Composite, Unbounded
from torchrl.envs import EnvBase

from pygym.adapters.gymnasium_view import check_vecenv
from pygym.errors import SessionError
from pygym.vector import VecEnv

GROUP = "agents"


def _box_spec(low: np.ndarray, high: np.ndarray, shape: tuple[int, ...]) -> Bounded | Unbounded:
    if np.isfinite(low).all() and np.isfinite(high).all():
        return Bounded(
            low=torch.as_tensor(np.broadcast_to(low, shape).copy()),
            high=torch.as_tensor(np.broadcast_to(high, shape).copy()),
            shape=shape,
            dtype=torch.float32,
        )
    return Unbounded(shape=shape, dtype=torch.float32)


class TorchRLView(EnvBase):
    """See the module docstring; use :func:`pygym.adapters.to_torchrl`."""

    def __init__(self, venv: VecEnv) -> None:
        check_vecenv(venv, "to_torchrl", same_step=True)
        n, a = venv.num_envs, venv.num_agents
        super().__init__(device="cpu", batch_size=torch.Size([n]))
        self.venv = venv
        self.n_agents = a
        self.group_map = {GROUP: list(venv.possible_agents)}
        self._discrete = not venv.continuous_action_fields
        self._seed: int | None = None
        self._current: TensorDict | None = None
        self._ended = np.zeros(n, dtype=bool)
        obs_space = venv.single_observation_space
        agent_obs: dict[str, Any] = {
            "observation": _box_spec(obs_space.low, obs_space.high, (n, a, obs_space.shape[0]))
        }
        if self._discrete:
            actions = len(venv.action_meanings)
            agent_obs["action_mask"] = Binary(n=actions, shape=(n, a, actions), dtype=torch.bool)
            action = Categorical(n=actions, shape=(n, a), dtype=torch.int64)
        else:
            space = venv.single_action_space
            assert isinstance(space, gymnasium.spaces.Box)
            action = _box_spec(space.low, space.high, (n, a, space.shape[0]))
        state = venv.state_space
        self.observation_spec = Composite(
            {
                GROUP: Composite(agent_obs, shape=(n, a)),
                "state": _box_spec(state.low, state.high, (n, state.shape[0])),
            },
            shape=(n,),
        )
        self.action_spec = Composite({GROUP: Composite({"action": action}, shape=(n, a))}, shape=(n,))
        self.reward_spec = Composite(
            {GROUP: Composite({"reward": Unbounded(shape=(n, a, 1), dtype=torch.float32)}, shape=(n, a))},
            shape=(n,),
        )
        flag = Categorical(n=2, shape=(n, 1), dtype=torch.bool)
        self.done_spec = Composite(
            {"done": flag, "terminated": flag.clone(), "truncated": flag.clone()}, shape=(n,)
        )

    def _observations(self, obs: np.ndarray, masks: np.ndarray | None, state: np.ndarray) -> dict[str, Any]:
        agents: dict[str, torch.Tensor] = {"observation": torch.from_numpy(obs)}
        if masks is not None:
            agents["action_mask"] = torch.from_numpy(masks)
        return {GROUP: agents, "state": torch.from_numpy(state)}

    def _td(self, fields: dict[str, Any]) -> TensorDict:
        n, a = self.venv.num_envs, self.n_agents
        agents = TensorDict(fields.pop(GROUP), batch_size=(n, a))
        return TensorDict({GROUP: agents, **fields}, batch_size=(n,))

    def _reset(self, tensordict: TensorDictBase | None = None, **kwargs: Any) -> TensorDict:
        reset = None if tensordict is None else tensordict.get("_reset", None)
        if reset is not None and self._current is not None:
            wanted = reset.reshape(self.venv.num_envs, -1).any(dim=1).numpy()
            if not (wanted & ~self._ended).any():
                # The VecEnv reset the envs that ended in their last step: hand out their first frames.
                self._ended &= ~wanted
                return self._current.clone()
            if not wanted.all():
                raise SessionError(
                    f"reset of envs {np.flatnonzero(wanted & ~self._ended).tolist()} that have not ended: "
                    "the "
                    "VecEnv resets an env when it ends; reset all envs at once (env.reset()) instead"
                )
        obs, infos = self.venv.reset(seed=self._seed)
        self._seed = None
        self._ended[:] = False
        current = self._td(
            {
                **self._observations(obs, infos.get("action_mask"), self.venv.state()),
                **self._flags(
                    np.zeros(self.venv.num_envs, dtype=bool), np.zeros(self.venv.num_envs, dtype=bool)
                ),
            }
        )
        self._current = current
        return current.clone()

    def _flags(self, terminated: np.ndarray, truncated: np.ndarray) -> dict[str, torch.Tensor]:
        return {
            "done": torch.from_numpy((terminated | truncated)[:, None]),
            "terminated": torch.from_numpy(terminated[:, None].copy()),
            "truncated": torch.from_numpy(truncated[:, None].copy()),
        }

    def _step(self, tensordict: TensorDictBase) -> TensorDict:
        action = tensordict.get((GROUP, "action"))
        obs, rewards, terminations, truncations, infos = self.venv.step(action.detach().cpu().numpy())
        masks = infos.get("action_mask")
        state = self.venv.state()
        no_flags = np.zeros(self.venv.num_envs, dtype=bool)
        self._current = self._td({**self._observations(obs, masks, state), **self._flags(no_flags, no_flags)})
        ended = infos.get("_final_obs")
        self._ended = np.zeros(self.venv.num_envs, dtype=bool) if ended is None else ended.copy()
        if ended is not None:
            final = infos["final_info"]
            obs = np.where(ended[:, None, None], infos["final_obs"], obs)
            if masks is not None:
                masks = np.where(ended[:, None, None], final["action_mask"], masks)
            state = np.where(ended[:, None], final["state"], state)
        fields = self._observations(obs, masks, state)
        fields[GROUP]["reward"] = torch.from_numpy(rewards[:, :, None])
        return self._td({**fields, **self._flags(terminations[:, 0], truncations[:, 0])})

    def _set_seed(self, seed: int | None) -> None:
        self._seed = seed

    def close(self, *, raise_if_closed: bool = True) -> None:
        self.venv.close()
        self.is_closed = True

    def __repr__(self) -> str:
        return f"TorchRLView({self.venv!r})"
