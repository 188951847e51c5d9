"""The PettingZoo ParallelEnv over one simulator session, shared by every scenario.

A single env is a group of one (:class:`~pygym.group.SessionGroup`), so it runs the very code the vector env
runs: one bridge call per step, rewards and the episode record computed by the env id's
:class:`~pygym.episodes.EpisodeLogic`. Spaces, agent ids and field names come from the simulator's
``describe``. Scenario modules in ``pygym.envs`` subclass this and carry the env card.
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

import gymnasium
import numpy as np
from pettingzoo import ParallelEnv

from pygym.bridge import Client
from pygym.episodes import EpisodeLogic
from pygym.errors import ActionError, ConfigError, SessionError
from pygym.frames import Batch
from pygym.group import Prepared, SessionGroup, check_seed, episode_seeds, fresh_seed


@dataclass
class Frame:
    """One session's view of a batch frame (arrays are views into the batch)."""

    step: int
    time_s: float
    terminated: bool
    truncated: bool
    observation: np.ndarray
    action_mask: np.ndarray
    metrics: np.ndarray
    state: np.ndarray
    task_records: np.ndarray

    @classmethod
    def of(cls, batch: Batch, i: int = 0) -> Frame:
        return cls(
            step=int(batch.step[i]),
            time_s=float(batch.time_s[i]),
            terminated=bool(batch.terminated[i]),
            truncated=bool(batch.truncated[i]),
            observation=batch.observation[i],
            action_mask=batch.action_mask[i],
            metrics=batch.metrics[i],
            state=batch.state[i],
            task_records=batch.records_of(i),
        )


class SimParallelEnv(ParallelEnv):
    """A simulator scenario as a PettingZoo ParallelEnv. Use :func:`pygym.make` to create one."""

    env_id: ClassVar[str]
    Logic: ClassVar[type[EpisodeLogic]]
    metadata: ClassVar[dict[str, Any]] = {"render_modes": ["ansi"], "is_parallelizable": True}

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "env_id" in cls.__dict__:
            cls.metadata = {**SimParallelEnv.metadata, "name": cls.env_id}

    @classmethod
    def prepare(cls, **scenario: Any) -> Prepared:
        """Turns the scenario keywords into simulator overrides, checking any files first. Scenarios with
        topology or workload files override this with :func:`pygym.prepare.prepare_files`."""
        return Prepared(overrides=scenario)

    def __init__(
        self,
        *,
        reward: str | None = None,
        reward_weights: Mapping[str, float] | None = None,
        render_mode: str | None = None,
        observation_mode: str = "array",
        seed: int | None = None,
        server: object = None,
        token: str | None = None,
        tls: bool | None = None,
        tls_ca: str | None = None,
        **scenario: Any,
    ) -> None:
        self._group: SessionGroup | None = None
        self._arguments = {
            "reward": reward,
            "reward_weights": reward_weights,
            "render_mode": render_mode,
            "observation_mode": observation_mode,
            "seed": seed,
            **scenario,
        }
        self._server, self._token, self._tls = server, token, (tls, tls_ca)
        if render_mode is not None and render_mode not in self.metadata["render_modes"]:
            raise ConfigError(f"render_mode {render_mode!r} is not one of {self.metadata['render_modes']}")
        if observation_mode not in OBSERVATION_MODES:
            raise ConfigError(
                f"observation_mode {observation_mode!r} is not one of {', '.join(OBSERVATION_MODES)}"
            )
        self.render_mode = render_mode
        self.observation_mode = observation_mode
        self.logic = self.Logic(self.env_id, reward, reward_weights)
        self.reward_name = self.logic.reward_name
        self.reward_weights = self.logic.weights
        prepared = self.prepare(**scenario)
        self.prepared = prepared
        self.topology = prepared.topology
        self.workload = prepared.workload
        group = SessionGroup(
            self.env_id,
            1,
            prepared,
            self.logic,
            server=server,
            token=token,
            tls=tls,
            tls_ca=tls_ca,
            task_records=True,
        )
        self._group = group
        self.scenario = group.overrides
        self.spec_json: dict[str, Any] = group.spec
        self.possible_agents: list[str] = list(group.possible_agents)
        self.agents: list[str] = []
        self.observation_fields: list[str] = group.observation_fields
        self.metric_fields: list[str] = group.metric_fields
        self.state_fields: list[str] = group.state_fields
        self.task_record_fields: list[str] = group.task_record_fields
        self.action_meanings: list[str] = group.action_meanings
        self.continuous_action_fields: list[str] = group.continuous_action_fields
        self.epoch_s: float = group.epoch_s
        self.max_steps: int = group.max_steps
        self.config_text: str = group.spec["config"]
        self.state_space = group.state_space
        self._metric_index = {name: i for i, name in enumerate(self.metric_fields)}
        self._agent_index = {agent: i for i, agent in enumerate(self.possible_agents)}
        observation_space: gymnasium.spaces.Space = group.observation_space
        if observation_mode == "dict":
            if self.continuous_action_fields:
                self.close()
                raise ConfigError(
                    f"observation_mode='dict' puts the action mask in the observation; {self.env_id} has "
                    "continuous actions and no mask: use observation_mode='array'"
                )
            mask_space = gymnasium.spaces.Box(0, 1, (len(self.action_meanings),), np.int8)
            observation_space = gymnasium.spaces.Dict(
                {"observation": group.observation_space, "action_mask": mask_space}
            )
        self._observation_spaces = {agent: observation_space for agent in self.possible_agents}
        self._action_spaces = {agent: group.action_space for agent in self.possible_agents}
        # reset() without a seed draws from the sequence a seed starts: seed= fixes that sequence's start.
        self._base_seed: np.ndarray | None = None if seed is None else np.array([check_seed(seed)], np.int64)
        self._episodes = np.full(1, -1, dtype=np.int64)
        self.episode_fields: tuple[str, ...] = ("return", "length", *self.logic.figures)
        """names of the values of ``infos[agent]["episode"]``"""
        self._empty_record = np.zeros(len(self.episode_fields))
        self._empty_record.setflags(write=False)
        self._no_actions = np.zeros((1, len(self.possible_agents), self._group.layout.action_dim))
        self.episode_seed: int | None = None
        self.last_frame: Frame | None = None
        self.last_actions: np.ndarray | None = None
        self.last_rewards: np.ndarray | None = None
        self.episode: dict[str, Any] | None = None

    def __reduce__(self) -> tuple[Any, tuple[str, dict[str, Any]]]:
        """An env pickles as its id, its arguments and its server's address; unpickling (or copying) creates
        a fresh session with no episode state. This process's own simulator becomes the unpickling
        process's own; a server elsewhere stays that server (its token travels with the pickle)."""
        server = _portable_server(self._server, self._token, *self._tls)
        return (_recreate, (self.env_id, {**self._arguments, **server}))

    def observation_space(self, agent: str) -> gymnasium.spaces.Space:
        """The same space object on every call for an agent, as PettingZoo requires: a Box, or with
        ``observation_mode="dict"`` a Dict of that Box (``observation``) and the mask (``action_mask``)."""
        self._check_agent(agent)
        return self._observation_spaces[agent]

    def action_space(self, agent: str) -> gymnasium.spaces.Space:
        """The same space object on every call for an agent: Discrete, or Box for continuous actions."""
        self._check_agent(agent)
        return self._action_spaces[agent]

    def _check_agent(self, agent: str) -> None:
        if agent not in self._agent_index:
            raise ConfigError(f"unknown agent {agent!r}; agents are {', '.join(self.possible_agents)}")

    def _live_group(self) -> SessionGroup:
        if self._group is None:
            raise SessionError("the environment is closed")
        return self._group

    def reset(
        self, seed: int | None = None, options: dict[str, Any] | None = None
    ) -> tuple[dict[str, np.ndarray], dict[str, dict[str, Any]]]:
        """Starts an episode. A seed fixes it exactly; without one the episode's seed is the next of the
        sequence that the last seed given starts (``pygym.group.episode_seeds``; fresh entropy if no seed was
        ever given), the same sequence a vector env's autoresets follow. An episode that is over at once (a
        replayed workload whose tasks all finish before the first decision) comes back with no live agents
        and its record in ``infos[agent]["episode"]``."""
        group = self._live_group()
        if seed is not None:
            self._base_seed = np.array([check_seed(seed)], dtype=np.int64)
            self._episodes[:] = 0
        else:
            if self._base_seed is None:
                self._base_seed = np.array([fresh_seed()], dtype=np.int64)
            self._episodes += 1
        episode_seed = episode_seeds(self._base_seed, self._episodes)
        batch = group.run(group.reset_all, episode_seed, self._no_actions)
        self.episode_seed = int(episode_seed[0])
        self.last_actions = None
        self.last_rewards = None
        self.episode = None
        frame = self._take(batch)
        self.agents = self.possible_agents[:]
        observations = self._observations(frame)
        infos = {agent: self._info(frame, i) for i, agent in enumerate(self.agents)}
        if frame.terminated or frame.truncated:
            self._end_episode(infos)
        return observations, infos

    def _observations(self, frame: Frame) -> dict[str, Any]:
        if self.observation_mode == "dict":
            return {
                agent: {"observation": frame.observation[i], "action_mask": frame.action_mask[i]}
                for i, agent in enumerate(self.agents)
            }
        return {agent: frame.observation[i] for i, agent in enumerate(self.agents)}

    def _take(self, batch: Batch) -> Frame:
        frame = Frame.of(batch)
        self.last_frame = frame
        return frame

    def _end_episode(self, infos: dict[str, dict[str, Any]]) -> None:
        record = self.logic.record(np.ones(1, dtype=bool))
        self.episode = {key: _scalar(value[0]) for key, value in record.items() if key != "return"}
        returns = record["return"][0]
        values = np.array([float(record[key][0]) if key != "return" else 0.0 for key in self.episode_fields])
        for i, agent in enumerate(self.agents):
            values[0] = returns[i]
            infos[agent]["episode"] = values.copy()
        self.episode["return"] = float(returns.mean())
        self.agents = []

    def _info(self, frame: Frame, i: int) -> dict[str, Any]:
        """An agent's info: the same keys, with numbers or arrays of fixed shape, at reset and at every step,
        so that wrappers can build their specs from reset. ``episode`` is the episode's record as float64
        values named by ``env.episode_fields`` (this agent's return, the length, the env's figures): zeros
        until the episode's last step. ``env.episode`` holds the last one as a dict."""
        info: dict[str, Any] = {"metrics": frame.metrics[i], "episode": self._empty_record}
        if not self.continuous_action_fields:
            info["action_mask"] = frame.action_mask[i]
        return info

    def step(
        self, actions: Mapping[str, Any]
    ) -> tuple[
        dict[str, np.ndarray],
        dict[str, float],
        dict[str, bool],
        dict[str, bool],
        dict[str, dict[str, Any]],
    ]:
        group = self._live_group()
        if not self.agents:
            if self.last_frame is not None and not actions:
                return {}, {}, {}, {}, {}  # no live agent, nothing to do (PettingZoo's API test steps here)
            raise SessionError("the episode is over (or was never started): call reset() first")
        encoded = self._encode_actions(actions)
        batch = group.run(group.step_all, None, encoded[None])
        frame = self._take(batch)
        self.last_actions = encoded
        rewards = group.rewards[0]
        self.last_rewards = rewards
        agents = self.agents
        observations = self._observations(frame)
        reward_dict = {agent: float(rewards[i]) for i, agent in enumerate(agents)}
        terminations = dict.fromkeys(agents, frame.terminated)
        truncations = dict.fromkeys(agents, frame.truncated)
        infos = {agent: self._info(frame, i) for i, agent in enumerate(agents)}
        if frame.terminated or frame.truncated:
            self._end_episode(infos)
        return observations, reward_dict, terminations, truncations, infos

    def _encode_actions(self, actions: Mapping[str, Any]) -> np.ndarray:
        if not isinstance(actions, Mapping):
            raise ActionError(
                f"step takes a dict with one action per live agent, got {type(actions).__name__} "
                f"({actions!r:.80})"
            )
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
        encoded = np.empty((len(self.possible_agents), 1), dtype=np.int32)
        for i, agent in enumerate(self.agents):
            value = actions[agent]
            if isinstance(value, np.ndarray) and value.shape == ():
                value = value.item()
            if isinstance(value, bool | np.bool_) or not isinstance(value, int | np.integer):
                raise ActionError(f"action for {agent} is {value!r}; expected an integer in [0, {n})")
            if not 0 <= value < n:
                raise ActionError(f"action for {agent} is {value}; expected an integer in [0, {n})")
            encoded[i] = value
        return encoded

    def _encode_continuous(self, actions: Mapping[str, Any]) -> np.ndarray:
        dim = len(self.continuous_action_fields)
        names = ", ".join(self.continuous_action_fields)
        encoded = np.empty((len(self.possible_agents), dim), dtype=np.float32)
        for i, agent in enumerate(self.agents):
            raw = actions[agent]
            try:
                value = np.asarray(raw)
                if np.iscomplexobj(value) or value.dtype.kind not in "biuf":
                    raise TypeError
                value = value.astype(np.float32)
            except (TypeError, ValueError):
                raise ActionError(
                    f"action for {agent} is {raw!r}; expected {dim} real numbers ({names})"
                ) from None
            if value.shape != (dim,):
                raise ActionError(f"action for {agent} has shape {value.shape}; expected ({dim},) ({names})")
            if not np.all(np.isfinite(value)):
                raise ActionError(
                    f"action for {agent} is {value.tolist()}; expected finite numbers, not NaN or inf"
                )
            encoded[i] = value
        return encoded

    def state(self) -> np.ndarray:
        """The global state for a centralised critic (fields named by ``env.state_fields``)."""
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
        return self.action_meanings[int(self.last_actions[i, 0])]

    def _reward_text(self, i: int) -> str:
        return "-" if self.last_rewards is None else f"{self.last_rewards[i]:.3f}"

    def close(self) -> None:
        """Closes the session on the server. Idempotent; the process's JVM stays up for other envs."""
        group, self._group = self._group, None
        if group is not None:
            group.close()

    def __enter__(self) -> SimParallelEnv:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __del__(self) -> None:
        # At interpreter shutdown the connection may be gone; the JVM exits with this process anyway.
        with contextlib.suppress(Exception):
            self.close()


OBSERVATION_MODES = ("array", "dict")


def _recreate(env_id: str, arguments: dict[str, Any]) -> SimParallelEnv:
    from pygym.envs import REGISTRY

    return REGISTRY[env_id](**arguments)


def _portable_server(
    server: object, token: str | None, tls: bool | None, tls_ca: str | None
) -> dict[str, Any]:
    """``server=``, ``token=``, ``tls=`` and ``tls_ca=`` as plain data another process can use."""
    if isinstance(server, Client):
        if server.process is not None:
            return {}  # a simulator this process started: the copy uses its own process's simulator
        end = server.endpoint
        return {"server": server.address, "token": end.token, "tls": end.tls, "tls_ca": end.tls_ca}
    return {"server": server, "token": token, "tls": tls, "tls_ca": tls_ca}


def _scalar(value: Any) -> Any:
    """A numpy scalar as a Python number (ints stay ints)."""
    return value.item() if isinstance(value, np.generic) else value
