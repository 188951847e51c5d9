"""Every pygym env id as an RLlib multi-agent environment (RLlib's current API stack, ``MultiAgentEnv``).

    import pygym.rllib
    from ray.rllib.algorithms.ppo import PPOConfig

    pygym.rllib.register()       # registers every env id with Ray Tune's registry, in this process
    config = PPOConfig().environment("offload-mec-explaboff-v0", env_config={"setting": "2x3"})

``env_config`` holds the scenario keywords of :func:`pygym.make`. RLlib builds the envs in each env runner
(a Ray worker process), so each runner holds its own simulator sessions on its own JVM (or on the server
given as ``server="host:port"``). Each env is a one-session :class:`pygym.VecEnv`: arrays inside, RLlib's
per-agent dicts at the boundary. ``reset(seed=s)`` reproduces an episode exactly; a reset without a seed
starts the next episode of the sequence that seed started. Infos carry each agent's ``action_mask``
(Discrete actions) and, at an episode's last step, the episode record (``return`` per agent, ``length`` and
the env's figures, see its card).

Ray pins its own Gymnasium version (ray 2.60's ``rllib`` extra pins gymnasium 1.2.2): install
``pygym-edge[rllib]`` in a virtualenv of its own (``make rllib-venv``).
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import partial
from typing import Any

import numpy as np

from pygym.adapters.libraries import require_rllib

require_rllib()

from ray.rllib.env.multi_agent_env import MultiAgentEnv  # noqa: E402
from ray.rllib.utils.typing import MultiAgentDict  # noqa: E402
from ray.tune.registry import register_env  # noqa: E402

import pygym  # noqa: E402
from pygym.errors import ActionError  # noqa: E402


class PygymMultiAgentEnv(MultiAgentEnv):
    """One simulator session of ``env_id`` as an RLlib ``MultiAgentEnv``; see the module docstring."""

    def __init__(self, env_id: str, config: Mapping[str, Any] | None = None) -> None:
        super().__init__()
        self.env_id = env_id
        self.venv = pygym.make_vec(env_id, 1, **dict(config or {}))
        self._agents: list[str] = list(self.venv.possible_agents)
        self.possible_agents = list(self._agents)
        # Every agent acts in every step, and RLlib checks results against ``agents`` after the last one too.
        self.agents = list(self._agents)
        self._running = False
        self.observation_spaces = dict.fromkeys(self._agents, self.venv.single_observation_space)
        self.action_spaces = dict.fromkeys(self._agents, self.venv.single_action_space)
        self._discrete = not self.venv.continuous_action_fields

    def reset(  # type: ignore[override]  # per-agent dicts, as RLlib's own MultiAgentEnv.reset
        self, *, seed: int | None = None, options: dict[str, Any] | None = None
    ) -> tuple[MultiAgentDict, MultiAgentDict]:
        obs, infos = self.venv.reset(seed=seed, options=options)
        self._running = True
        return self._observations(obs), self._infos(infos)

    def step(  # type: ignore[override]  # RLlib's multi-agent step returns dicts, not gymnasium's tuple
        self, action_dict: MultiAgentDict
    ) -> tuple[MultiAgentDict, MultiAgentDict, MultiAgentDict, MultiAgentDict, MultiAgentDict]:
        if not self._running:
            raise ActionError("step() after the episode ended (or before reset()): call reset() first")
        missing = [agent for agent in self._agents if agent not in action_dict]
        unknown = [agent for agent in action_dict if agent not in self._agents]
        if missing or unknown:
            raise ActionError(
                f"step needs one action per live agent; missing: {missing or 'none'}, "
                f"unknown: {unknown or 'none'}"
            )
        # The VecEnv checks the actions' type, shape and range, naming the agent of a bad one.
        try:
            actions = np.asarray([action_dict[agent] for agent in self._agents])[None]
        except (TypeError, ValueError):
            space = self.venv.single_action_space
            raise ActionError(
                f"actions {dict(action_dict)!r:.200}: each agent's action must fit {space}"
            ) from None
        obs, rewards, terminations, truncations, infos = self.venv.step(actions)
        terminated, truncated = bool(terminations[0, 0]), bool(truncations[0, 0])
        agent_infos = self._infos(infos)
        if terminated or truncated:
            record = infos["episode"]
            figures = {key: value[0].item() for key, value in record.items() if key != "return"}
            for i, agent in enumerate(self._agents):
                agent_infos[agent]["episode"] = {"return": float(record["return"][0, i]), **figures}
            self._running = False
        agents = self._agents
        return (
            self._observations(obs),
            dict(zip(agents, rewards[0].tolist(), strict=True)),
            {**dict.fromkeys(agents, terminated), "__all__": terminated},
            {**dict.fromkeys(agents, truncated), "__all__": truncated},
            agent_infos,
        )

    def _observations(self, obs: np.ndarray) -> MultiAgentDict:
        return dict(zip(self._agents, obs[0], strict=True))

    def _infos(self, infos: Mapping[str, Any]) -> MultiAgentDict:
        if not self._discrete:
            return {agent: {} for agent in self._agents}
        return {
            agent: {"action_mask": mask}
            for agent, mask in zip(self._agents, infos["action_mask"][0], strict=True)
        }

    def close(self) -> None:
        self.venv.close()


def make_env(env_id: str, config: Mapping[str, Any] | None = None) -> PygymMultiAgentEnv:
    """The env creator RLlib calls in each env runner: ``config`` (an ``EnvContext``) holds the scenario."""
    return PygymMultiAgentEnv(env_id, config)


def register(env_ids: list[str] | None = None) -> list[str]:
    """Registers the env ids (default: all) with Ray Tune's registry; returns the ids registered. Call it in
    the driver before building an algorithm; Ray ships the creators to the env runners."""
    ids = pygym.env_ids() if env_ids is None else list(env_ids)
    for env_id in ids:
        register_env(env_id, partial(make_env, env_id))
    return ids
