"""MAPPO (Yu et al. 2022) for continuous actions: Gaussian policies, a centralised value on ``state()``.

The baseline "MPOff" of ExplabOff's figure, implemented as MAPPO is published rather than as the release
ran it (ExplabOff report, sections 3.4 and 6.8: its runner acted on stale observations from the wrong
buffer slot, inserted the pre-step observation, gave every agent a critic on its own observation only, so
IPPO, and its flags silently selected Tanh and PopArt):

- a diagonal Gaussian policy per agent (or one shared by all agents with the agent's index as input,
  ``--share-parameters``, MAPPO's default): the mean from an MLP on the agent's observation, a learned
  state-independent log standard deviation; the sampled action is stored as drawn and clipped into the
  Box when sent to the env (CleanRL's continuous PPO);
- a **centralised value** V(s) on the global ``state()`` (with the agent's index when shared);
- GAE over rollouts of ``num_steps`` vector steps, the step that crosses an autoreset masked out of every
  loss (:func:`agents.common.returns.gae`); PPO's clipped surrogate, a clipped Huber value loss, an entropy
  bonus, advantage normalisation;
- **value normalisation**: the critic predicts returns standardised by their running mean and variance
  (MAPPO's ValueNorm), updated from each rollout's returns.

Defaults are the release's MAPPO command where it meant what it said (lr 7e-4 for actor and critic, 10
epochs of one minibatch, clip 0.2, entropy 0.01, value coefficient 1, Huber delta 10, gamma 0.99, lambda
0.95, gradient clip 10, 64-unit ReLU networks), over 32 envs x 25 steps per rollout (the release: one env,
25 steps).

Run: ``python -m agents.mappo --help`` or ``pygym train mappo --set setting=2x3 ...``.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn
from torch.distributions import Normal
from torch.nn import functional

from agents.common.continuous import ContinuousArgs, greedy_box_policy, resolved_options
from agents.common.errors import check_ranges
from agents.common.evaluator import PeriodicEvaluator, check_eval_args
from agents.common.losses import clipped_policy_loss
from agents.common.nets import AgentMLP
from agents.common.normalize import RunningNormalizer, agent_major_inputs
from agents.common.policies import ActFn
from agents.common.returns import gae
from agents.common.session import TrainingRun, check_train_args, parse_args

ALGO = "mappo"


@dataclass
class Args(ContinuousArgs):
    """MAPPO for Box actions; defaults documented against the release's command in the module docstring."""

    num_envs: int = 32
    """environments stepped together"""
    total_timesteps: int = 9_000_000
    """environment steps"""
    num_steps: int = 25
    """vector steps per rollout (the release: 25 steps of one env)"""
    learning_rate: float = 7e-4
    """Adam learning rate of the actor"""
    critic_lr: float = 7e-4
    """Adam learning rate of the critic"""
    anneal_lr: bool = False
    """anneal both learning rates linearly to 0 over the run"""
    gamma: float = 0.99
    """discount"""
    gae_lambda: float = 0.95
    """GAE lambda"""
    update_epochs: int = 10
    """epochs over each rollout"""
    num_minibatches: int = 1
    """minibatches per epoch (over env steps; the agents of a step stay together)"""
    clip_coef: float = 0.2
    """surrogate (and value) clipping coefficient"""
    ent_coef: float = 0.01
    """entropy bonus coefficient"""
    vf_coef: float = 1.0
    """value loss coefficient"""
    huber_delta: float = 10.0
    """Huber loss delta of the value loss"""
    max_grad_norm: float = 10.0
    """gradient norm clip (actor and critic each)"""
    hidden: tuple[int, ...] = (64, 64)
    """hidden layers of actor and critic"""
    share_parameters: bool = True
    """one actor and one critic for all agents, with the agent's index as input (MAPPO)"""
    log_std_init: float = -0.5
    """initial log standard deviation of the Gaussian policy"""
    value_norm: bool = True
    """standardise the value targets by their running mean and variance (MAPPO's ValueNorm)"""


class GaussianActors(nn.Module):
    """Per-agent (or shared) Gaussian policies: mean MLP on the observation, learned log std per action."""

    def __init__(self, num_agents: int, obs_dim: int, act_dim: int, args: Mapping[str, Any]) -> None:
        super().__init__()
        shared = bool(args["share_parameters"])
        hidden = tuple(args["hidden"])
        self.mean = AgentMLP(
            num_agents, obs_dim, act_dim, hidden, shared=shared, activation="relu", out_gain=0.01
        )
        groups = 1 if shared else num_agents
        self.log_std = nn.Parameter(torch.full((groups, 1, act_dim), float(args["log_std_init"])))

    def forward(self, x: torch.Tensor) -> Normal:
        mean = self.mean(x)
        return Normal(mean, self.log_std.expand_as(mean).exp())


class CentralValue(nn.Module):
    """V_i(state) per agent (or shared with the agent's index): ``(B, S) -> (A, B)``."""

    def __init__(self, num_agents: int, state_dim: int, args: Mapping[str, Any]) -> None:
        super().__init__()
        self.num_agents = num_agents
        self.mlp = AgentMLP(
            num_agents, state_dim, 1, tuple(args["hidden"]), shared=bool(args["share_parameters"]),
            activation="relu",
        )  # fmt: skip

    def forward(self, states: torch.Tensor) -> torch.Tensor:
        return self.mlp(states.unsqueeze(0).expand(self.num_agents, -1, -1)).squeeze(-1)


class ValueNorm:
    """Running mean and variance of value targets: the critic learns ``(G - mean) / std``."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self.stats = RunningNormalizer(1, clip=math.inf)

    def update(self, returns: torch.Tensor) -> None:
        if self.enabled:
            self.stats.update(returns.reshape(-1, 1).numpy())

    def normalize(self, x: torch.Tensor) -> torch.Tensor:
        if not self.enabled:
            return x
        mean, std = float(self.stats.mean[0]), float(np.sqrt(self.stats.var[0] + self.stats.epsilon))
        return (x - mean) / std

    def denormalize(self, x: torch.Tensor) -> torch.Tensor:
        if not self.enabled:
            return x
        mean, std = float(self.stats.mean[0]), float(np.sqrt(self.stats.var[0] + self.stats.epsilon))
        return x * std + mean

    def state_dict(self) -> dict[str, Any]:
        return self.stats.state_dict()

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self.stats.load_state_dict(state)


def clipped_value_loss(
    new: torch.Tensor, old: torch.Tensor, targets: torch.Tensor, clip: float, delta: float
) -> torch.Tensor:
    """MAPPO's value loss per element: the larger of the Huber losses of the new prediction and of the
    prediction clipped to ``old +- clip`` (all in normalised units)."""
    clipped = old + (new - old).clamp(-clip, clip)
    unclipped_loss = functional.huber_loss(new, targets, delta=delta, reduction="none")
    clipped_loss = functional.huber_loss(clipped, targets, delta=delta, reduction="none")
    return torch.max(unclipped_loss, clipped_loss)


def check_args(args: Args) -> None:
    check_train_args(args)
    checks = [
        ("num_steps", args.num_steps >= 1, ">= 1"),
        ("update_epochs", args.update_epochs >= 1, ">= 1"),
        ("num_minibatches", 1 <= args.num_minibatches <= args.num_envs * args.num_steps, "in [1, batch]"),
        ("gamma", 0 <= args.gamma <= 1, "in [0, 1]"),
        ("gae_lambda", 0 <= args.gae_lambda <= 1, "in [0, 1]"),
        ("clip_coef", args.clip_coef > 0, "> 0"),
        ("huber_delta", args.huber_delta > 0, "> 0"),
    ]
    check_ranges(args, checks)
    check_eval_args(args)


def train(args: Args) -> Path:
    """Trains MAPPO; returns the run directory."""
    check_args(args)
    normalize, bootstrap = resolved_options(vars(args))
    run = TrainingRun.start(args, ALGO, actions="box")
    with run, PeriodicEvaluator(run, args) as evaluate:
        # ALGO LOGIC: initialisation
        num_agents, obs_dim, act_dim, state_dim = run.num_agents, run.obs_dim, run.act_dim, run.state_dim
        n, steps = args.num_envs, args.num_steps
        batch_size = n * steps
        minibatch_size = max(batch_size // args.num_minibatches, 1)
        num_iterations = -(-args.total_timesteps // batch_size)
        actor = GaussianActors(num_agents, obs_dim, act_dim, vars(args))
        critic = CentralValue(num_agents, state_dim, vars(args))
        actor_optimizer = torch.optim.Adam(actor.parameters(), lr=args.learning_rate, eps=1e-5)
        critic_optimizer = torch.optim.Adam(critic.parameters(), lr=args.critic_lr, eps=1e-5)
        obs_norm, state_norm = RunningNormalizer(obs_dim), RunningNormalizer(state_dim)
        value_norm = ValueNorm(args.value_norm)
        normalizers = {"obs": obs_norm, "state": state_norm, "value": value_norm}
        models = {"actor": actor, "critic": critic}
        optimizers = {"actor": actor_optimizer, "critic": critic_optimizer}
        extra = run.restore(models=models, optimizers=optimizers, normalizers=normalizers)
        iteration = int(extra.get("iteration", 0))
        updates = int(extra.get("updates", 0))

        # Agent-major observations (A, N, D) and states (N, S), normalised when the run normalises.
        prepare = functools.partial(
            agent_major_inputs, obs_norm=obs_norm, state_norm=state_norm, normalize=normalize
        )

        def greedy(obs: np.ndarray) -> np.ndarray:
            with torch.no_grad():
                x = torch.from_numpy(obs).transpose(0, 1)
                mean = actor.mean(obs_norm(x) if normalize else x)
                return mean.clamp(-1.0, 1.0).transpose(0, 1).numpy()

        # Rollout storage, agent-major: (T, A, N, ...); `valid` marks real transitions.
        observations = torch.zeros(steps, num_agents, n, obs_dim)
        states = torch.zeros(steps, n, state_dim)
        actions = torch.zeros(steps, num_agents, n, act_dim)
        logprobs = torch.zeros(steps, num_agents, n)
        rewards = torch.zeros(steps, num_agents, n)
        terminations = torch.zeros(steps, num_agents, n, dtype=torch.bool)
        truncations = torch.zeros(steps, num_agents, n, dtype=torch.bool)
        values = torch.zeros(steps + 1, num_agents, n)
        predictions = torch.zeros(steps, num_agents, n)  # the critic's outputs, in normalised units
        valid = torch.zeros(steps, n, dtype=torch.bool)

        obs, infos = run.reset_envs()
        ended = np.zeros(n, dtype=bool)
        x, s = prepare(obs, run.venv.state(), ~ended)
        evaluate(greedy)
        while run.global_step < args.total_timesteps:
            iteration += 1
            if args.anneal_lr:
                fraction = 1.0 - (iteration - 1.0) / num_iterations
                actor_optimizer.param_groups[0]["lr"] = fraction * args.learning_rate
                critic_optimizer.param_groups[0]["lr"] = fraction * args.critic_lr

            # ALGO LOGIC: rollout
            for t in range(steps):
                with run.timer("act"), torch.no_grad():
                    observations[t], states[t] = x, s
                    valid[t] = torch.from_numpy(~ended)
                    predictions[t] = critic(s)
                    values[t] = value_norm.denormalize(predictions[t])
                    dist = actor(x)
                    actions[t] = dist.sample()
                    logprobs[t] = dist.log_prob(actions[t]).sum(-1)
                    sent = actions[t].clamp(-1.0, 1.0).transpose(0, 1).numpy()
                obs, reward, terminated, truncated, infos = run.step_envs(sent)
                run.record_episodes(infos)
                rewards[t] = torch.from_numpy(reward).T
                # A truncation that ends the task (auto on the release's env) is not bootstrapped.
                end_here = terminated if bootstrap else terminated | truncated
                terminations[t] = torch.from_numpy(end_here).T
                truncations[t] = torch.from_numpy(truncated & ~end_here).T
                ended = (terminated | truncated).any(axis=1)
                x, s = prepare(obs, run.venv.state(), ~ended)
                evaluate(greedy)
            with torch.no_grad():
                values[steps] = value_norm.denormalize(critic(s))
                advantages = gae(rewards, values, terminations, truncations, args.gamma, args.gae_lambda)
                returns = advantages + values[:steps]

            # ALGO LOGIC: update. Flatten (T, N) into the batch; agents stay on the leading axis.
            with run.timer("learn"):
                b_obs = observations.permute(1, 0, 2, 3).reshape(num_agents, batch_size, obs_dim)
                b_states = states.reshape(batch_size, state_dim)
                b_actions = actions.permute(1, 0, 2, 3).reshape(num_agents, batch_size, act_dim)

                def agent_major(y: torch.Tensor) -> torch.Tensor:
                    return y.transpose(0, 1).reshape(num_agents, batch_size)

                b_logprobs, b_advantages = agent_major(logprobs), agent_major(advantages)
                b_returns, b_old_values = agent_major(returns), agent_major(predictions)
                b_valid = valid.reshape(batch_size)
                value_norm.update(b_returns[:, b_valid])
                b_targets = value_norm.normalize(b_returns)
                clipfracs: list[float] = []
                # A batch with no valid step (every env autoresetting throughout) trains nothing but logs.
                approx_kl = pg_loss = v_loss = entropy_loss = torch.zeros(())
                for _epoch in range(args.update_epochs):
                    order = torch.randperm(batch_size)
                    for start in range(0, batch_size, minibatch_size):
                        mb = order[start : start + minibatch_size]
                        weight = b_valid[mb].float().expand(num_agents, -1)
                        count = weight.sum()
                        if count == 0:
                            continue
                        dist = actor(b_obs[:, mb])
                        new_logprob = dist.log_prob(b_actions[:, mb]).sum(-1)
                        entropy = dist.entropy().sum(-1)
                        pg_loss, approx_kl, clipfrac = clipped_policy_loss(
                            new_logprob - b_logprobs[:, mb], b_advantages[:, mb], weight, args.clip_coef, True
                        )
                        clipfracs.append(clipfrac)
                        entropy_loss = (entropy * weight).sum() / count
                        actor_loss = pg_loss - args.ent_coef * entropy_loss
                        actor_optimizer.zero_grad()
                        actor_loss.backward()
                        nn.utils.clip_grad_norm_(actor.parameters(), args.max_grad_norm)
                        actor_optimizer.step()
                        v_loss_all = clipped_value_loss(
                            critic(b_states[mb]), b_old_values[:, mb], b_targets[:, mb],
                            args.clip_coef, args.huber_delta,
                        )  # fmt: skip
                        v_loss = (v_loss_all * weight).sum() / count
                        critic_optimizer.zero_grad()
                        (v_loss * args.vf_coef).backward()
                        nn.utils.clip_grad_norm_(critic.parameters(), args.max_grad_norm)
                        critic_optimizer.step()
                        updates += 1
            run.log(
                {
                    "charts/learning_rate": actor_optimizer.param_groups[0]["lr"],
                    "charts/updates": updates,
                    "charts/policy_std": actor.log_std.exp().mean().item(),
                    "losses/value_loss": v_loss.item(),
                    "losses/policy_loss": pg_loss.item(),
                    "losses/entropy": entropy_loss.item(),
                    "losses/approx_kl": approx_kl.item(),
                    "losses/clipfrac": float(np.mean(clipfracs)) if clipfracs else 0.0,
                }
            )
            run.log_speed()

            # TRY NOT TO MODIFY: checkpoint, then restart the episodes (see agents.common.session)
            if run.checkpoint_due():
                run.save_checkpoint(
                    models=models,
                    optimizers=optimizers,
                    normalizers=normalizers,
                    extra={"iteration": iteration, "updates": updates},
                )
                if run.halted():
                    break
                obs, infos = run.reset_envs()
                ended[:] = False
                x, s = prepare(obs, run.venv.state(), ~ended)
        if run.global_step >= args.total_timesteps:
            evaluate(greedy, final=True)
        run.finish()
    return run.run_dir


def greedy_policy(checkpoint: dict[str, Any]) -> ActFn:
    """The mean action of the trained Gaussian policy, clipped into the Box (for ``pygym eval``)."""
    args, layout = checkpoint["args"], checkpoint["layout"]
    actor = GaussianActors(
        len(layout["agents"]),
        len(layout["observation_fields"]),
        len(layout["continuous_action_fields"]),
        args,
    )
    actor.load_state_dict(checkpoint["models"]["actor"])
    normalize, _ = resolved_options(args)

    def mean_action(x: torch.Tensor) -> torch.Tensor:
        return actor.mean(x).clamp(-1.0, 1.0)

    return greedy_box_policy(mean_action, checkpoint, normalize)


if __name__ == "__main__":
    train(parse_args(Args, prog="python -m agents.mappo"))
