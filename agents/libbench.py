"""RL libraries on pygym: env steps/s through pygym's views against each library's generic path, and short
training runs evaluated against random and heuristic policies. Prints tables.

    python -m agents.libbench throughput            # Gymnasium, SB3, TorchRL (and RLlib where Ray is)
    python -m agents.libbench train --library sb3   # or torchrl, rllib (RLlib: in .venv-rllib)

Throughput counts env steps (one env step steps every agent of one env) per second of wall time, with fixed
valid actions (keep every task local; a zero Box action), so it measures the env and the wrapper, no policy.
The generic paths are what a new user reaches for: SuperSuit's PettingZoo-to-vector conversion for Gymnasium
and Stable-Baselines3, TorchRL's ``PettingZooWrapper``, RLlib's ``ParallelPettingZooEnv``; each wraps
``pygym.make``'s ParallelEnv. SuperSuit copies an env by pickling it; where that fails, the row says so and
measures one env.

Training runs one library's PPO for a fixed budget from seed 1, then evaluates the greedy policy on
``--eval-episodes`` episodes with seeds 1000, 1001, ... (never seen in training) beside the heuristics on the
same seeds (``agents.evaluation``): mean episode return per agent and the env's headline figure.
"""

from __future__ import annotations

import contextlib
import os
import time
import traceback
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from functools import partial
from typing import Annotated, Any

import numpy as np
import typer
from rich.console import Console
from rich.table import Table

import pygym
from agents.evaluation import Summary, evaluate
from agents.heuristics import make_policy

app = typer.Typer(add_completion=False, no_args_is_help=True, help=__doc__)
console = Console(width=max(160, Console().width))

Scenario = tuple[str, dict[str, Any]]
NEIGHBOUR_LOADED: Scenario = ("offload-neighbour-v0", {"arrival_rate_hz": 8})
EXPLABOFF_2X3: Scenario = ("offload-mec-explaboff-v0", {"setting": "2x3"})
# ExplabOff's release table for 2x3 (class mean : server : offload ratio), the README's size-table example.
SIZE_TABLE = "7:0:0.5,6:1:0.5,3:0:0.2"
EVAL_SEED = 1000


def fixed_actions(venv: pygym.VecEnv) -> np.ndarray:
    """Valid actions for every env and agent: keep the task (0), or a zero Box action."""
    if venv.continuous_action_fields:
        return np.zeros((venv.num_envs, venv.num_agents, len(venv.continuous_action_fields)), np.float32)
    return np.zeros((venv.num_envs, venv.num_agents), np.int64)


def rate(step: Callable[[], int], seconds: float) -> float:
    """Env steps per second of ``step`` (which returns the env steps it took), run for about ``seconds``
    after a warm-up of half as long."""
    # Warm up first: the JVM compiles the simulator's hot code in the first thousands of steps.
    start = time.perf_counter()
    while time.perf_counter() - start < seconds / 2:
        step()
    steps = 0
    start = time.perf_counter()
    while time.perf_counter() - start < seconds:
        steps += step()
    return steps / (time.perf_counter() - start)


@dataclass
class Row:
    library: str
    path: str
    env_id: str
    envs: int
    steps_per_s: float | None
    note: str = ""


# ---------------------------------------------------------------------------------------------- throughput


def ours_gymnasium(env_id: str, scenario: Mapping[str, Any], n: int, seconds: float) -> float:
    from pygym.adapters import to_gymnasium

    with to_gymnasium(pygym.make_vec(env_id, n, **scenario)) as view:
        view.reset(seed=1)
        actions = folded(fixed_actions(view.venv))
        return rate(lambda: view.step(actions) and n, seconds)


def folded(actions: np.ndarray) -> np.ndarray:
    """(envs, agents, ...) actions as rows (envs * agents, ...)."""
    return actions.reshape(actions.shape[0] * actions.shape[1], *actions.shape[2:])


def ours_sb3(env_id: str, scenario: Mapping[str, Any], n: int, seconds: float) -> float:
    from pygym.adapters import to_sb3

    with to_sb3(pygym.make_vec(env_id, n, autoreset_mode="same_step", **scenario)) as view:
        view.reset()
        actions = folded(fixed_actions(view.venv))
        return rate(lambda: view.step(actions) and n, seconds)


def supersuit(
    env_id: str, scenario: Mapping[str, Any], n: int, seconds: float, base_class: str
) -> tuple[float, int, str]:
    import supersuit as ss

    from pygym.adapters.libraries import require

    require("supersuit")
    env = pygym.make(env_id, **scenario)
    markov = ss.pettingzoo_env_to_vec_env_v1(env)
    note = ""
    try:
        vec = ss.concat_vec_envs_v1(markov, n, num_cpus=0, base_class=base_class)
    except Exception as e:  # SuperSuit pickles the env to copy it; without copies, the one env
        note = f"copies fail ({type(e).__name__}: {str(e)[:50]}): 1 env"
        n = 1
        if base_class == "gymnasium":
            vec = markov
        else:
            from supersuit.vector.sb3_vector_wrapper import SB3VecEnvWrapper

            vec = SB3VecEnvWrapper(markov)
    with contextlib.closing(vec):
        if base_class == "gymnasium":
            vec.reset(seed=1)
        else:
            vec.reset()
        agents = len(env.possible_agents)
        space = env.action_space(env.possible_agents[0])
        shape = (n * agents, *(space.shape or ()))
        actions = np.zeros(shape, np.float32 if space.shape else np.int64)
        return rate(lambda: vec.step(actions) and n, seconds), n, note


def ours_torchrl(env_id: str, scenario: Mapping[str, Any], n: int, seconds: float) -> float:
    from pygym.adapters import to_torchrl

    env = to_torchrl(pygym.make_vec(env_id, n, autoreset_mode="same_step", **scenario))
    try:
        env.set_seed(1)
        return rollout_rate(env, n, seconds)
    finally:
        env.close()


def rollout_rate(env: Any, n: int, seconds: float) -> float:
    """TorchRL rollouts of 100 steps with the spec's random actions (both paths pay for them alike)."""
    td = env.reset()

    def step() -> int:
        nonlocal td
        rollout = env.rollout(100, auto_reset=False, tensordict=td, break_when_any_done=False)
        td = rollout[..., -1]["next"].clone()
        td = env.reset(td) if td.get("done").any() else td
        return 100 * n

    return rate(step, seconds)


def torchrl_pettingzoo(env_id: str, scenario: Mapping[str, Any], seconds: float) -> float:
    from torchrl.envs.libs.pettingzoo import PettingZooWrapper

    from pygym.adapters.libraries import require

    require("torchrl", "tensordict")
    env = PettingZooWrapper(env=pygym.make(env_id, **scenario), return_state=True, use_mask=True)
    try:
        env.set_seed(1)
        td = env.reset()

        def step() -> int:
            nonlocal td
            td = env.rollout(100, auto_reset=False, tensordict=td, break_when_any_done=False)[..., -1]["next"]
            td = env.reset() if td.get("done").any() else td.clone()
            return 100

        return rate(step, seconds)
    finally:
        env.close()


def ours_rllib(env_id: str, scenario: Mapping[str, Any], seconds: float) -> float:
    from pygym.rllib import PygymMultiAgentEnv

    return dict_env_rate(PygymMultiAgentEnv(env_id, scenario), seconds)


def rllib_pettingzoo(env_id: str, scenario: Mapping[str, Any], seconds: float) -> float:
    from ray.rllib.env.wrappers.pettingzoo_env import ParallelPettingZooEnv

    return dict_env_rate(ParallelPettingZooEnv(pygym.make(env_id, **scenario)), seconds)


def dict_env_rate(env: Any, seconds: float) -> float:
    env.reset(seed=1)
    agents = list(env.possible_agents)
    space = env.get_action_space(agents[0])
    action = np.zeros(space.shape, np.float32) if space.shape else 0
    actions = dict.fromkeys(agents, action)

    def step() -> int:
        _, _, terms, truncs, _ = env.step(actions)
        if terms["__all__"] or truncs["__all__"]:
            env.reset()
        return 1

    try:
        return rate(step, seconds)
    finally:
        env.close()


def measured(rows: list[Row], row: Row, run: Callable[[], Any]) -> None:
    """Runs one measurement into ``row``; a failure is reported in the row, not raised."""
    try:
        result = run()
        if isinstance(result, tuple):
            row.steps_per_s, row.envs, note = result
            row.note = note
        else:
            row.steps_per_s = result
    except Exception as e:
        row.note = f"fails: {type(e).__name__}: {str(e).splitlines()[0][:90]}"
        if os.environ.get("PYGYM_LIBBENCH_TRACEBACK"):
            traceback.print_exc()
    rows.append(row)
    speed = "-" if row.steps_per_s is None else f"{row.steps_per_s:,.0f}/s"
    console.print(
        f"  {row.library:<10} {row.path:<36} {row.env_id:<26} {row.envs:>3} envs  {speed}  {row.note}"
    )


def rllib_ready() -> bool:
    """Whether RLlib's extra is installed here (ray[tune] alone is not enough)."""
    from pygym.adapters.libraries import require_rllib

    try:
        require_rllib()
    except pygym.PygymError as e:
        console.print(f"  RLlib left out: {str(e)[:150]}")
        return False
    return True


def have(module: str) -> bool:
    try:
        __import__(module)
    except ImportError:
        return False
    return True


def plan(
    env_id: str, scenario: Mapping[str, Any], envs: int, seconds: float
) -> list[tuple[Row, Callable[[], Any]]]:
    """Every measurement of one scenario: (row, what to run), per library."""
    rows: list[tuple[Row, Callable[[], Any]]] = []
    for n in (1, envs):
        rows.append(
            (
                Row("gymnasium", "pygym to_gymnasium", env_id, n, None),
                partial(ours_gymnasium, env_id, scenario, n, seconds),
            )
        )
    rows.append(
        (
            Row("gymnasium", "SuperSuit pettingzoo_env_to_vec_env", env_id, envs, None),
            partial(supersuit, env_id, scenario, envs, seconds, "gymnasium"),
        )
    )
    for n in (1, envs):
        rows.append(
            (Row("sb3", "pygym to_sb3", env_id, n, None), partial(ours_sb3, env_id, scenario, n, seconds))
        )
    rows.append(
        (
            Row("sb3", "SuperSuit concat_vec_envs (sb3)", env_id, envs, None),
            partial(supersuit, env_id, scenario, envs, seconds, "stable_baselines3"),
        )
    )
    for n in (1, envs):
        rows.append(
            (
                Row("torchrl", "pygym to_torchrl", env_id, n, None),
                partial(ours_torchrl, env_id, scenario, n, seconds),
            )
        )
    rows.append(
        (
            Row("torchrl", "TorchRL PettingZooWrapper", env_id, 1, None),
            partial(torchrl_pettingzoo, env_id, scenario, seconds),
        )
    )
    rows.append(
        (
            Row("rllib", "pygym.rllib MultiAgentEnv", env_id, 1, None),
            partial(ours_rllib, env_id, scenario, seconds),
        )
    )
    rows.append(
        (
            Row("rllib", "RLlib ParallelPettingZooEnv", env_id, 1, None),
            partial(rllib_pettingzoo, env_id, scenario, seconds),
        )
    )
    return rows


LIBRARY_MODULES = {"gymnasium": "gymnasium", "sb3": "stable_baselines3", "torchrl": "torchrl", "rllib": "ray"}


@app.command()
def throughput(
    envs: Annotated[int, typer.Option(help="envs per vector env")] = 8,
    seconds: Annotated[float, typer.Option(help="wall time per measurement")] = 3.0,
    libraries: Annotated[str, typer.Option(help="comma-separated; those not installed are left out")] = (
        "gymnasium,sb3,torchrl,rllib"
    ),
) -> None:
    """Env steps/s through pygym's views and through each library's generic PettingZoo path."""
    wanted = [name.strip() for name in libraries.split(",") if name.strip()]
    unknown = [name for name in wanted if name not in LIBRARY_MODULES]
    if unknown:
        raise typer.BadParameter(f"unknown libraries {unknown}; known: {', '.join(LIBRARY_MODULES)}")
    present = {name for name in wanted if have(LIBRARY_MODULES[name]) and (name != "rllib" or rllib_ready())}
    rows: list[Row] = []
    for env_id, scenario in (NEIGHBOUR_LOADED, EXPLABOFF_2X3):
        for row, run in plan(env_id, scenario, envs, seconds):
            if row.library in present:
                measured(rows, row, run)
    table = Table(
        title=f"env steps/s (an env step steps every agent of one env), {seconds:g} s a row, "
        f"{os.cpu_count()} cores"
    )
    for title in ("library", "path", "env", "envs", "env steps/s", "note"):
        table.add_column(title, justify="right" if title in ("envs", "env steps/s") else "left")
    for row in rows:
        speed = "-" if row.steps_per_s is None else f"{row.steps_per_s:,.0f}"
        table.add_row(row.library, row.path, row.env_id, str(row.envs), speed, row.note)
    console.print(table)


# ------------------------------------------------------------------------------------------------ training


class Learned:
    """A trained policy as an ``agents.heuristics.Policy``: batch of observations in, actions out."""

    def __init__(self, name: str, act: Callable[[np.ndarray, Mapping[str, Any]], np.ndarray]) -> None:
        self.name = name
        self._act = act

    def start(self, env: Any, seeds: np.ndarray) -> None:
        pass

    def act(self, observations: np.ndarray, infos: Mapping[str, Any]) -> np.ndarray:
        return self._act(observations, infos)


def train_sb3(algo: str, env_id: str, scenario: Mapping[str, Any], agent_steps: int) -> Learned:
    from stable_baselines3 import PPO
    from stable_baselines3.common.vec_env import VecNormalize

    from pygym.adapters import to_sb3

    venv = pygym.make_vec(env_id, 4, autoreset_mode="same_step", **scenario)
    env = VecNormalize(to_sb3(venv), norm_reward=False)
    env.seed(1)
    if algo == "maskable-ppo":
        from sb3_contrib import MaskablePPO

        model: Any = MaskablePPO(
            "MlpPolicy", env, n_steps=128, batch_size=1280 if venv.num_agents > 3 else 256, seed=1
        )
    else:
        model = PPO("MlpPolicy", env, n_steps=128, batch_size=1280 if venv.num_agents > 3 else 256, seed=1)
    model.learn(total_timesteps=agent_steps)
    env.training = False

    def act(observations: np.ndarray, infos: Mapping[str, Any]) -> np.ndarray:
        n, a = observations.shape[:2]
        rows = env.normalize_obs(observations.reshape(n * a, -1))
        kwargs = {"action_masks": infos["action_mask"].reshape(n * a, -1)} if algo == "maskable-ppo" else {}
        actions, _ = model.predict(rows, deterministic=True, **kwargs)
        return actions.reshape(n, a, *actions.shape[1:])

    return Learned(f"SB3 {algo}", act)


def train_torchrl(env_id: str, scenario: Mapping[str, Any], frames: int) -> Learned:
    """TorchRL's multi-agent PPO (the README recipe's pattern) with a centralised critic."""
    import torch
    from tensordict import TensorDict
    from tensordict.nn import NormalParamExtractor, TensorDictModule
    from torch import nn
    from torchrl.collectors import Collector
    from torchrl.data.replay_buffers import ReplayBuffer
    from torchrl.data.replay_buffers.samplers import SamplerWithoutReplacement
    from torchrl.data.replay_buffers.storages import LazyTensorStorage
    from torchrl.envs import ExplorationType, set_exploration_type
    from torchrl.modules import MaskedCategorical, MultiAgentMLP, ProbabilisticActor, TanhNormal
    from torchrl.objectives import ClipPPOLoss, ValueEstimators

    from pygym.adapters import to_torchrl

    torch.manual_seed(1)
    env = to_torchrl(pygym.make_vec(env_id, 16, autoreset_mode="same_step", **scenario))
    env.set_seed(1)
    discrete = not env.venv.continuous_action_fields
    obs_spec = env.observation_spec["agents", "observation"]
    obs_dim = obs_spec.shape[-1]
    # Raw SI observations span 1e-3 .. 1e9: scale by the spec's bounds where finite, else by a first sample.
    sample = env.venv.reset(seed=0)[0].reshape(-1, obs_dim)
    scale = torch.as_tensor(np.maximum(np.abs(sample).max(axis=0), 1e-6), dtype=torch.float32)

    class Scaled(nn.Module):
        def __init__(self, inner: nn.Module) -> None:
            super().__init__()
            self.inner = inner

        def forward(self, obs: torch.Tensor) -> torch.Tensor:
            return self.inner(obs / scale)

    frames_per_batch = 2048
    if discrete:
        n_actions = len(env.venv.action_meanings)
        actor_net: nn.Module = Scaled(
            MultiAgentMLP(
                obs_dim,
                n_actions,
                n_agents=env.n_agents,
                centralised=False,
                share_params=True,
                depth=2,
                num_cells=64,
                activation_class=nn.Tanh,
            )
        )
        policy = ProbabilisticActor(
            TensorDictModule(actor_net, in_keys=[("agents", "observation")], out_keys=[("agents", "logits")]),
            in_keys={"logits": ("agents", "logits"), "mask": ("agents", "action_mask")},
            out_keys=[env.action_key],
            distribution_class=MaskedCategorical,
            return_log_prob=True,
        )
    else:
        act_dim = env.full_action_spec["agents", "action"].shape[-1]
        actor_net = nn.Sequential(
            Scaled(
                MultiAgentMLP(
                    obs_dim,
                    2 * act_dim,
                    n_agents=env.n_agents,
                    centralised=False,
                    share_params=True,
                    depth=2,
                    num_cells=64,
                    activation_class=nn.Tanh,
                )
            ),
            NormalParamExtractor(),
        )
        space = env.full_action_spec_unbatched[env.action_key].space
        policy = ProbabilisticActor(
            TensorDictModule(
                actor_net,
                in_keys=[("agents", "observation")],
                out_keys=[("agents", "loc"), ("agents", "scale")],
            ),
            spec=env.full_action_spec_unbatched,
            in_keys=[("agents", "loc"), ("agents", "scale")],
            out_keys=[env.action_key],
            distribution_class=TanhNormal,
            distribution_kwargs={"low": space.low, "high": space.high},
            return_log_prob=True,
        )
    critic = TensorDictModule(
        Scaled(
            MultiAgentMLP(
                obs_dim,
                1,
                n_agents=env.n_agents,
                centralised=True,
                share_params=True,
                depth=2,
                num_cells=64,
                activation_class=nn.Tanh,
            )
        ),
        in_keys=[("agents", "observation")],
        out_keys=[("agents", "state_value")],
    )
    collector = Collector(
        env,
        policy,
        frames_per_batch=frames_per_batch,
        total_frames=frames,
        auto_register_policy_transforms=True,
    )
    buffer = ReplayBuffer(
        storage=LazyTensorStorage(frames_per_batch), sampler=SamplerWithoutReplacement(), batch_size=512
    )
    loss = ClipPPOLoss(actor_network=policy, critic_network=critic, clip_epsilon=0.2, entropy_coeff=1e-3)
    loss.set_keys(
        reward=env.reward_key,
        action=env.action_key,
        value=("agents", "state_value"),
        done=("agents", "done"),
        terminated=("agents", "terminated"),
    )
    loss.make_value_estimator(ValueEstimators.GAE, gamma=0.99, lmbda=0.95)
    optimiser = torch.optim.Adam(loss.parameters(), lr=3e-4)
    for batch in collector:
        for key in ("done", "terminated"):
            batch.set(
                ("next", "agents", key),
                batch.get(("next", key)).unsqueeze(-1).expand(batch.get_item_shape(("next", env.reward_key))),
            )
        with torch.no_grad():
            loss.value_estimator(
                batch, params=loss.critic_network_params, target_params=loss.target_critic_network_params
            )
        buffer.extend(batch.reshape(-1))
        for _ in range(4 * frames_per_batch // 512):
            losses = loss(buffer.sample())
            (losses["loss_objective"] + losses["loss_critic"] + losses["loss_entropy"]).backward()
            torch.nn.utils.clip_grad_norm_(loss.parameters(), 1.0)
            optimiser.step()
            optimiser.zero_grad()
        collector.update_policy_weights_()
    collector.shutdown()
    env.close()

    def act(observations: np.ndarray, infos: Mapping[str, Any]) -> np.ndarray:
        n, a = observations.shape[:2]
        agents = {"observation": torch.from_numpy(np.ascontiguousarray(observations))}
        if discrete:
            agents["action_mask"] = torch.from_numpy(np.ascontiguousarray(infos["action_mask"]))
        td = TensorDict({"agents": TensorDict(agents, batch_size=(n, a))}, batch_size=(n,))
        with torch.no_grad(), set_exploration_type(ExplorationType.DETERMINISTIC):
            return policy(td)["agents", "action"].numpy()

    return Learned("TorchRL MAPPO", act)


def train_rllib(env_id: str, scenario: Mapping[str, Any], iterations: int) -> Learned:
    import ray
    import torch
    from ray.rllib.algorithms.ppo import PPOConfig
    from ray.rllib.core.columns import Columns

    import pygym.rllib

    pygym.rllib.register([env_id])
    ray.init(address="local", num_cpus=2, include_dashboard=False, log_to_driver=False)
    steps = 2000
    config = (
        PPOConfig()
        .environment(env_id, env_config=dict(scenario))
        # A shared 2-core machine samples slowly: wait for the runners rather than train on nothing.
        .env_runners(num_env_runners=2, sample_timeout_s=1200)
        .multi_agent(policies={"shared"}, policy_mapping_fn=lambda agent_id, episode, **kwargs: "shared")
        .training(train_batch_size_per_learner=steps, minibatch_size=steps // 8, lr=3e-4, num_epochs=10)
        .debugging(seed=1)
    )
    algo = config.build_algo()
    for i in range(iterations):
        result = algo.train()
        runners = result.get("env_runners", {})
        console.print(f"  rllib iteration {i}: episode return {runners.get('episode_return_mean')}")
    module = algo.get_module("shared")
    assert module is not None
    algo.stop()
    ray.shutdown()
    discrete = isinstance(module.action_space, __import__("gymnasium").spaces.Discrete)

    def act(observations: np.ndarray, infos: Mapping[str, Any]) -> np.ndarray:
        n, a = observations.shape[:2]
        with torch.no_grad():
            out = module.forward_inference({Columns.OBS: torch.from_numpy(observations.reshape(n * a, -1))})
        logits = out[Columns.ACTION_DIST_INPUTS].numpy()
        if discrete:
            return logits.argmax(axis=-1).reshape(n, a)
        dim = logits.shape[-1] // 2
        return np.clip(logits[:, :dim], -1, 1).reshape(n, a, dim).astype(np.float32)

    return Learned("RLlib PPO", act)


BASELINES = {
    "offload-neighbour-v0": ["local", "random", "least-queue", "round-robin"],
    "offload-mec-explaboff-v0": ["random", "size-table"],
}
HEADLINE = {"offload-neighbour-v0": "completion_ratio", "offload-mec-explaboff-v0": "avg_cost"}


@contextlib.contextmanager
def timed() -> Iterator[list[float]]:
    box: list[float] = []
    start = time.perf_counter()
    yield box
    box.append(time.perf_counter() - start)


@app.command()
def train(
    library: Annotated[str, typer.Option(help="sb3 (PPO and MaskablePPO), torchrl or rllib")],
    agent_steps: Annotated[int, typer.Option(help="SB3: agent steps (env steps x agents)")] = 200_000,
    frames: Annotated[int, typer.Option(help="TorchRL: env steps")] = 40_000,
    iterations: Annotated[int, typer.Option(help="RLlib: PPO iterations of 2,000 env steps")] = 10,
    eval_episodes: Annotated[int, typer.Option(help="evaluation episodes per policy, neighbour env")] = 10,
    eval_episodes_mec: Annotated[
        int, typer.Option(help="evaluation episodes per policy, ExplabOff (10 steps each)")
    ] = 500,
    env: Annotated[str, typer.Option(help="neighbour, explaboff or both")] = "both",
) -> None:
    """Trains the library's PPO on ExplabOff 2x3 and on a loaded neighbour scenario; evaluates it beside
    random and the heuristics on the same unseen seeds."""
    scenarios = {
        "neighbour": [NEIGHBOUR_LOADED],
        "explaboff": [EXPLABOFF_2X3],
        "both": [EXPLABOFF_2X3, NEIGHBOUR_LOADED],
    }[env]
    table = Table(
        title=f"{library}: greedy policies after training vs heuristics, "
        f"{eval_episodes} episodes of the neighbour env, {eval_episodes_mec} of ExplabOff "
        f"(seeds {EVAL_SEED}..)"
    )
    for title in ("env", "policy", "budget", "train s", "return/agent", "figure"):
        table.add_column(title, justify="left" if title in ("env", "policy", "budget") else "right")
    for env_id, scenario in scenarios:
        runs: list[tuple[Learned, str, float]] = []
        if library == "sb3":
            algos = ["ppo", "maskable-ppo"] if env_id == "offload-neighbour-v0" else ["ppo"]
            for algo in algos:
                with timed() as took:
                    learned = train_sb3(algo, env_id, scenario, agent_steps)
                runs.append((learned, f"{agent_steps:,} agent steps", took[0]))
        elif library == "torchrl":
            with timed() as took:
                learned = train_torchrl(env_id, scenario, frames)
            runs.append((learned, f"{frames:,} env steps", took[0]))
        elif library == "rllib":
            with timed() as took:
                learned = train_rllib(env_id, scenario, iterations)
            runs.append((learned, f"{iterations * 2000:,} env steps", took[0]))
        else:
            raise typer.BadParameter(f"unknown library {library!r}: sb3, torchrl or rllib")
        figure = HEADLINE[env_id]
        episodes = eval_episodes_mec if env_id == EXPLABOFF_2X3[0] else eval_episodes
        label = f"{env_id} " + " ".join(f"{k}={v}" for k, v in scenario.items())
        results: list[tuple[str, str, str, Summary]] = []
        for name in BASELINES[env_id]:
            policy = make_policy(name, table=SIZE_TABLE if name == "size-table" else None)
            with pygym.make_vec(env_id, min(episodes, 8), **scenario) as venv:
                results.append((name, "-", "-", evaluate(venv, policy, episodes, EVAL_SEED)))
        for learned, budget, seconds in runs:
            with pygym.make_vec(env_id, min(episodes, 8), **scenario) as venv:
                results.append(
                    (
                        learned.name,
                        budget,
                        f"{seconds:,.0f}",
                        evaluate(venv, learned, episodes, EVAL_SEED),
                    )
                )
        for name, budget, seconds_text, summary in results:
            table.add_row(
                label,
                name,
                budget,
                seconds_text,
                f"{summary.reward:.3f}",
                f"{figure} {summary.figures[figure]:.3f}",
            )
        table.add_section()
    console.print(table)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
