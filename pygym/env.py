"""The PettingZoo ParallelEnv over a simulator session, shared by every scenario.

Spaces, agent ids and field names come from the simulator's ``describe``; one bridge call per step; rewards
are computed here from the raw per-agent measurements. Scenario modules in ``pygym.envs`` subclass this and
carry the env card.
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping
from typing import Any, ClassVar

import gymnasium
import numpy as np
from pettingzoo import ParallelEnv

from pygym import servers
from pygym.bridge import Client, Session
from pygym.errors import ActionError, ConfigError, SessionError
from pygym.frames import Frame
from pygym.rewards import RewardWeights, reward_function

MAX_SEED = 2**63 - 1


def _override_value(key: str, value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    if isinstance(value, (float, np.floating)):
        return repr(float(value))
    if isinstance(value, str):
        return value
    raise ConfigError(
        f"{key} = {value!r}: expected a number, a boolean or a string, got {type(value).__name__}"
    )


class SimParallelEnv(ParallelEnv):
    """A simulator scenario as a PettingZoo ParallelEnv. Use :func:`pygym.make` to create one."""

    env_id: ClassVar[str]
    default_reward: ClassVar[str] = "sparse"
    metadata: ClassVar[dict[str, Any]] = {"render_modes": ["ansi"], "is_parallelizable": True}

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "env_id" in cls.__dict__:
            cls.metadata = {**SimParallelEnv.metadata, "name": cls.env_id}

    def __init__(
        self,
        *,
        reward: str | None = None,
        reward_weights: Mapping[str, float] | None = None,
        render_mode: str | None = None,
        server: Client | None = None,
        **scenario: object,
    ) -> None:
        if render_mode is not None and render_mode not in self.metadata["render_modes"]:
            raise ConfigError(f"render_mode {render_mode!r} is not one of {self.metadata['render_modes']}")
        self.render_mode = render_mode
        self.reward_name = reward or self.default_reward
        self._configure_reward(self.reward_name, reward_weights)
        self.scenario = {key: _override_value(key, value) for key, value in scenario.items()}
        self._session: Session | None = None
        client = server if server is not None else servers.local_server()
        self._session = client.create_session(self.env_id, self.scenario)
        spec = self._session.spec
        self.spec_json: dict[str, Any] = spec
        self.possible_agents: list[str] = list(spec["agents"])
        self.agents: list[str] = []
        self.observation_fields: list[str] = [f["name"] for f in spec["observation"]]
        self.metric_fields: list[str] = [f["name"] for f in spec["metrics"]]
        self.state_fields: list[str] = [f["name"] for f in spec["state"]]
        self.task_record_fields: list[str] = list(spec["task_record"])
        self.action_meanings: list[str] = list(spec["actions"])
        self.epoch_s: float = float(spec["epoch_s"])
        self.max_steps: int = int(spec["max_steps"])
        self.config_text: str = spec["config"]
        self._metric_index = {name: i for i, name in enumerate(self.metric_fields)}
        self._agent_index = {agent: i for i, agent in enumerate(self.possible_agents)}
        obs_low = np.array([f["low"] for f in spec["observation"]], dtype=np.float32)
        obs_high = np.array([f["high"] for f in spec["observation"]], dtype=np.float32)
        self._observation_spaces = {
            agent: gymnasium.spaces.Box(obs_low, obs_high, dtype=np.float32) for agent in self.possible_agents
        }
        self.continuous_action_fields: list[str] = [f["name"] for f in spec["continuous_actions"]]
        self._action_spaces: dict[str, gymnasium.spaces.Space] = {}
        for agent in self.possible_agents:
            if self.continuous_action_fields:
                self._action_spaces[agent] = gymnasium.spaces.Box(
                    low=np.array([f["low"] for f in spec["continuous_actions"]], dtype=np.float32),
                    high=np.array([f["high"] for f in spec["continuous_actions"]], dtype=np.float32),
                    dtype=np.float32,
                )
            else:
                self._action_spaces[agent] = gymnasium.spaces.Discrete(len(self.action_meanings))
        self.state_space = gymnasium.spaces.Box(
            low=np.array([f["low"] for f in spec["state"]], dtype=np.float32),
            high=np.array([f["high"] for f in spec["state"]], dtype=np.float32),
            dtype=np.float32,
        )
        self._seeds: np.random.Generator | None = None
        self.last_frame: Frame | None = None
        self.last_actions: np.ndarray | None = None
        self.last_rewards: np.ndarray | None = None

    def _configure_reward(self, name: str, weights: Mapping[str, float] | None) -> None:
        """Checks the reward's name and weights before the session is created. Scenarios whose rewards are
        not :mod:`pygym.rewards` functions of one step's metrics override this and :meth:`_rewards`."""
        self._reward_fn = reward_function(name)
        self.reward_weights = RewardWeights.from_mapping(weights)

    def observation_space(self, agent: str) -> gymnasium.spaces.Box:
        """The same Box object on every call for an agent, as PettingZoo requires."""
        self._check_agent(agent)
        return self._observation_spaces[agent]

    def action_space(self, agent: str) -> gymnasium.spaces.Space:
        """The same space object on every call for an agent: Discrete, or Box for continuous actions."""
        self._check_agent(agent)
        return self._action_spaces[agent]

    def _check_agent(self, agent: str) -> None:
        if agent not in self._agent_index:
            raise ConfigError(f"unknown agent {agent!r}; agents are {', '.join(self.possible_agents)}")

    def _live_session(self) -> Session:
        if self._session is None:
            raise SessionError("the environment is closed")
        return self._session

    def reset(
        self, seed: int | None = None, options: dict[str, Any] | None = None
    ) -> tuple[dict[str, np.ndarray], dict[str, dict[str, Any]]]:
        """Starts an episode. A seed fixes it exactly; without one the next seed comes from the last seed
        given (or from fresh entropy if none was ever given)."""
        if seed is not None:
            seed = int(seed)
            if not 0 <= seed <= MAX_SEED:
                raise ConfigError(f"seed {seed} is outside [0, 2^63 - 1]")
            self._seeds = np.random.default_rng(seed)
            episode_seed = seed
        else:
            if self._seeds is None:
                self._seeds = np.random.default_rng()
            episode_seed = int(self._seeds.integers(0, MAX_SEED, dtype=np.int64))
        frame = self._live_session().reset(episode_seed)
        self.episode_seed = episode_seed
        self.last_frame = frame
        self.last_actions = None
        self.last_rewards = None
        self.agents = self.possible_agents[:]
        self._episode_started(frame)
        observations = {agent: frame.observation[i] for i, agent in enumerate(self.agents)}
        infos = {agent: self._info(frame, i) for i, agent in enumerate(self.agents)}
        return observations, infos

    def _episode_started(self, frame: Frame) -> None:
        """Called after every reset with the first frame; scenarios with episode-level rewards reset here."""

    def _rewards(self, frame: Frame) -> np.ndarray:
        """One reward per agent for this step, from the named reward function over the step's metrics."""
        return self._reward_fn(frame.metrics, self._metric_index, self.reward_weights)

    def _info(self, frame: Frame, i: int) -> dict[str, Any]:
        if self.continuous_action_fields:
            return {"metrics": frame.metrics[i]}
        return {"action_mask": frame.action_mask[i], "metrics": frame.metrics[i]}

    def step(
        self, actions: Mapping[str, Any]
    ) -> tuple[
        dict[str, np.ndarray],
        dict[str, float],
        dict[str, bool],
        dict[str, bool],
        dict[str, dict[str, Any]],
    ]:
        if not self.agents:
            raise SessionError("the episode is over (or was never started): call reset() first")
        encoded = self._encode_actions(actions)
        frame = self._live_session().step(encoded)
        self.last_frame = frame
        self.last_actions = encoded
        rewards = self._rewards(frame)
        self.last_rewards = rewards
        agents = self.agents
        observations = {agent: frame.observation[i] for i, agent in enumerate(agents)}
        reward_dict = {agent: float(rewards[i]) for i, agent in enumerate(agents)}
        terminations = dict.fromkeys(agents, frame.terminated)
        truncations = dict.fromkeys(agents, frame.truncated)
        infos = {agent: self._info(frame, i) for i, agent in enumerate(agents)}
        if frame.terminated or frame.truncated:
            self.agents = []
        return observations, reward_dict, terminations, truncations, infos

    def _encode_actions(self, actions: Mapping[str, Any]) -> np.ndarray:
        if len(actions) != len(self.agents) or any(agent not in actions for agent in self.agents):
            missing = [a for a in self.agents if a not in actions]
            extra = [a for a in actions if a not in self._agent_index or a not in self.agents]
            raise ActionError(
                f"step needs one action for each live agent; missing: {missing or 'none'}, "
                f"unknown or finished: {extra or 'none'}"
            )
        if self.continuous_action_fields:
            return self._encode_continuous(actions)
        n = len(self.action_meanings)
        encoded = np.empty(len(self.possible_agents), dtype=np.int32)
        for i, agent in enumerate(self.agents):
            value = actions[agent]
            if isinstance(value, np.ndarray) and value.shape == ():
                value = value.item()
            if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
                raise ActionError(f"action for {agent} is {value!r}; expected an integer in [0, {n})")
            if not 0 <= value < n:
                raise ActionError(f"action for {agent} is {value}; expected an integer in [0, {n})")
            encoded[i] = value
        return encoded

    def _encode_continuous(self, actions: Mapping[str, Any]) -> np.ndarray:
        dim = len(self.continuous_action_fields)
        encoded = np.empty((len(self.possible_agents), dim), dtype=np.float32)
        for i, agent in enumerate(self.agents):
            try:
                value = np.asarray(actions[agent], dtype=np.float32)
            except (TypeError, ValueError):
                raise ActionError(
                    f"action for {agent} is {actions[agent]!r}; expected {dim} numbers "
                    f"({', '.join(self.continuous_action_fields)})"
                ) from None
            if value.shape != (dim,):
                raise ActionError(
                    f"action for {agent} has shape {value.shape}; expected ({dim},) "
                    f"({', '.join(self.continuous_action_fields)})"
                )
            if not np.all(np.isfinite(value)):
                raise ActionError(
                    f"action for {agent} is {value.tolist()}; expected finite numbers, not NaN or inf"
                )
            encoded[i] = value
        return encoded

    def state(self) -> np.ndarray:
        """The global state for a centralised critic: every node's queue, busy cores, free slots, backlog."""
        if self.last_frame is None:
            raise SessionError("state() before reset()")
        return self.last_frame.state

    def render(self) -> str | None:
        """With ``render_mode="ansi"``: the time, then each agent's last action and reward."""
        if self.render_mode != "ansi":
            return None
        if self.last_frame is None:
            return "(not reset)"
        lines = [f"t={self.last_frame.time_s:.3f} s  step {self.last_frame.step}/{self.max_steps}"]
        for i, agent in enumerate(self.possible_agents):
            lines.append(f"{agent:>12}  action {self._action_text(i):>16}  reward {self._reward_text(i):>9}")
        return "\n".join(lines)

    def _action_text(self, i: int) -> str:
        if self.last_actions is None:
            return "-"
        if self.continuous_action_fields:
            return " ".join(f"{v:+.3f}" for v in np.atleast_1d(self.last_actions[i]))
        return self.action_meanings[int(self.last_actions[i])]

    def _reward_text(self, i: int) -> str:
        return "-" if self.last_rewards is None else f"{self.last_rewards[i]:.3f}"

    def close(self) -> None:
        """Closes the session on the server. Idempotent; the process's JVM stays up for other envs."""
        session, self._session = self._session, None
        if session is not None:
            session.close()

    def __enter__(self) -> SimParallelEnv:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __del__(self) -> None:
        # At interpreter shutdown the connection may be gone; the JVM exits with this process anyway.
        with contextlib.suppress(Exception):
            self.close()
