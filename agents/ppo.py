"""PPO with GAE for the multi-agent offloading environments: IPPO and MAPPO for discrete actions.

CleanRL's PPO (clipped surrogate, clipped value loss, advantage normalisation, linear learning-rate
annealing, minibatch epochs) over a vector environment, with

- a categorical policy over the allowed actions only (masked logits);
- one actor per agent, or one shared actor with the agent's index as input (``--share-parameters``);
- a decentralised critic on each agent's observation, or a centralised critic on the global ``state()``
  (``--centralized-critic``). Independent actors and decentralised critics make IPPO; a shared actor
  with a centralised critic makes MAPPO (Yu et al. 2022);
- GAE that bootstraps a truncated episode from its final observation and a terminated one from nothing
  (:func:`agents.common.returns.gae`); the step that crosses an autoreset is masked out of every loss.

PeersimGym's PPO used clip 0.1, minibatches of 64, 2048 steps per rollout and lambda 0.95 with networks of
512/256/128; the defaults keep its clip and lambda with CleanRL's rollout and network sizes.

Run: ``python -m agents.ppo --help`` or ``pygym train ppo --env offload-neighbour-v0 ...``.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn

from agents.common.actions import masked_categorical
from agents.common.errors import check_ranges
from agents.common.losses import clipped_policy_loss
from agents.common.nets import ActorCritic
from agents.common.normalize import RunningNormalizer, agent_major_inputs
from agents.common.policies import ActFn, masked_greedy
from agents.common.returns import gae
from agents.common.session import TrainArgs, TrainingRun, check_train_args, parse_args

ALGO = "ppo"


@dataclass
class Args(TrainArgs):
    """PPO (IPPO by default; MAPPO with --share-parameters --centralized-critic)."""

    learning_rate: float = 3e-4
    """Adam learning rate"""
    anneal_lr: bool = True
    """anneal the learning rate linearly to 0 over the run"""
    num_steps: int = 128
    """vector steps per rollout (PeersimGym: 2048 single-env steps)"""
    gamma: float = 0.99
    """discount per decision epoch"""
    gae_lambda: float = 0.95
    """GAE lambda (PeersimGym: 0.95)"""
    num_minibatches: int = 4
    """minibatches per epoch (over env steps; all agents of a step stay together)"""
    update_epochs: int = 4
    """epochs over each rollout"""
    norm_adv: bool = True
    """normalise advantages per minibatch"""
    clip_coef: float = 0.1
    """surrogate clipping coefficient (PeersimGym: 0.1)"""
    clip_vloss: bool = True
    """clip the value loss as in the PPO paper's implementation"""
    ent_coef: float = 0.01
    """entropy bonus coefficient"""
    vf_coef: float = 0.5
    """value loss coefficient"""
    max_grad_norm: float = 0.5
    """gradient norm clip"""
    target_kl: float | None = None
    """stop an update's epochs early past this approximate KL"""
    hidden: tuple[int, ...] = (64, 64)
    """hidden layer sizes of actor and critic"""
    share_parameters: bool = False
    """one actor and one critic for all agents, with the agent's index as input"""
    centralized_critic: bool = False
    """the critic sees the global state() (MAPPO) instead of the agent's observation (IPPO)"""
    normalize_observations: bool = True
    """normalise observations (and the state) by running mean and variance"""


def check_args(args: Args) -> None:
    """InvalidArgs naming the first option out of range."""
    check_train_args(args)
    checks = [
        ("learning_rate", args.learning_rate > 0, "> 0"),
        ("gamma", 0 <= args.gamma <= 1, "in [0, 1]"),
        ("num_steps", args.num_steps >= 1, ">= 1"),
        ("gae_lambda", 0 <= args.gae_lambda <= 1, "in [0, 1]"),
        ("num_minibatches", 1 <= args.num_minibatches <= args.num_envs * args.num_steps, "in [1, batch]"),
        ("update_epochs", args.update_epochs >= 1, ">= 1"),
        ("clip_coef", args.clip_coef > 0, "> 0"),
        ("ent_coef", args.ent_coef >= 0, ">= 0"),
        ("vf_coef", args.vf_coef >= 0, ">= 0"),
        ("max_grad_norm", args.max_grad_norm > 0, "> 0"),
        ("target_kl", args.target_kl is None or args.target_kl > 0, "> 0 (or unset)"),
    ]
    check_ranges(args, checks)


def train(args: Args) -> Path:
    """Trains PPO; returns the run directory."""
    check_args(args)
    run = TrainingRun.start(args, ALGO)
    with run:
        # ALGO LOGIC: initialisation
        num_agents, obs_dim, n_actions, state_dim = run.num_agents, run.obs_dim, run.n_actions, run.state_dim
        n, steps = args.num_envs, args.num_steps
        batch_size = n * steps
        minibatch_size = max(batch_size // args.num_minibatches, 1)
        num_iterations = -(-args.total_timesteps // batch_size)
        agent = ActorCritic(num_agents, obs_dim, state_dim, n_actions, vars(args))
        optimizer = torch.optim.Adam(agent.parameters(), lr=args.learning_rate, eps=1e-5)
        obs_norm, state_norm = RunningNormalizer(obs_dim), RunningNormalizer(state_dim)
        normalizers = {"obs": obs_norm, "state": state_norm}
        extra = run.restore(models={"agent": agent}, optimizers={"agent": optimizer}, normalizers=normalizers)
        iteration = int(extra.get("iteration", 0))

        # Agent-major observations (A, N, D) and states (N, S), normalised when the run normalises.
        normalize = args.normalize_observations
        prepare = functools.partial(
            agent_major_inputs, obs_norm=obs_norm, state_norm=state_norm, normalize=normalize
        )

        # Rollout storage, agent-major: (T, A, N, ...); `valid` marks real transitions.
        observations = torch.zeros(steps, num_agents, n, obs_dim)
        states = torch.zeros(steps, n, state_dim)
        masks = torch.zeros(steps, num_agents, n, n_actions, dtype=torch.bool)
        actions = torch.zeros(steps, num_agents, n, dtype=torch.long)
        logprobs = torch.zeros(steps, num_agents, n)
        rewards = torch.zeros(steps, num_agents, n)
        terminations = torch.zeros(steps, num_agents, n, dtype=torch.bool)
        truncations = torch.zeros(steps, num_agents, n, dtype=torch.bool)
        values = torch.zeros(steps + 1, num_agents, n)
        valid = torch.zeros(steps, n, dtype=torch.bool)

        obs, infos = run.reset_envs()
        ended = np.zeros(n, dtype=bool)
        x, s = prepare(obs, run.venv.state(), ~ended)
        while run.global_step < args.total_timesteps:
            iteration += 1
            if args.anneal_lr:
                optimizer.param_groups[0]["lr"] = (
                    1.0 - (iteration - 1.0) / num_iterations
                ) * args.learning_rate

            # ALGO LOGIC: rollout
            for t in range(steps):
                with run.timer("act"), torch.no_grad():
                    observations[t], states[t] = x, s
                    masks[t] = torch.from_numpy(infos["action_mask"]).transpose(0, 1)
                    valid[t] = torch.from_numpy(~ended)
                    values[t] = agent.value(x, s)
                    dist = masked_categorical(agent.actor(x), masks[t])
                    actions[t] = dist.sample()
                    logprobs[t] = dist.log_prob(actions[t])
                obs, reward, terminated, truncated, infos = run.step_envs(actions[t].T.numpy())
                run.record_episodes(infos)
                rewards[t] = torch.from_numpy(reward).T
                terminations[t] = torch.from_numpy(terminated).T
                truncations[t] = torch.from_numpy(truncated).T
                ended = (terminated | truncated).any(axis=1)
                # After an end, obs holds the final observation: V(final) bootstraps a truncation.
                x, s = prepare(obs, run.venv.state(), ~ended)
            with torch.no_grad():
                values[steps] = agent.value(x, s)
                advantages = gae(rewards, values, terminations, truncations, args.gamma, args.gae_lambda)
                returns = advantages + values[:steps]

            # ALGO LOGIC: update. Flatten (T, N) into the batch; agents stay on the leading axis.
            with run.timer("learn"):
                b_obs = observations.permute(1, 0, 2, 3).reshape(num_agents, batch_size, obs_dim)
                b_states = states.reshape(batch_size, state_dim)
                b_masks = masks.permute(1, 0, 2, 3).reshape(num_agents, batch_size, n_actions)

                def agent_major(x: torch.Tensor) -> torch.Tensor:
                    return x.transpose(0, 1).reshape(num_agents, batch_size)

                b_actions, b_logprobs = agent_major(actions), agent_major(logprobs)
                b_advantages, b_returns = agent_major(advantages), agent_major(returns)
                b_values = agent_major(values[:steps])
                b_valid = valid.reshape(batch_size)
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
                        dist = masked_categorical(agent.actor(b_obs[:, mb]), b_masks[:, mb])
                        new_logprob = dist.log_prob(b_actions[:, mb])
                        entropy = dist.entropy()
                        new_value = agent.value(b_obs[:, mb], b_states[mb])
                        pg_loss, approx_kl, clipfrac = clipped_policy_loss(
                            new_logprob - b_logprobs[:, mb], b_advantages[:, mb], weight, args.clip_coef,
                            args.norm_adv,
                        )  # fmt: skip
                        clipfracs.append(clipfrac)
                        if args.clip_vloss:
                            unclipped = (new_value - b_returns[:, mb]) ** 2
                            clipped_value = b_values[:, mb] + torch.clamp(
                                new_value - b_values[:, mb], -args.clip_coef, args.clip_coef
                            )
                            clipped = (clipped_value - b_returns[:, mb]) ** 2
                            v_loss = 0.5 * (torch.max(unclipped, clipped) * weight).sum() / count
                        else:
                            v_loss = 0.5 * (((new_value - b_returns[:, mb]) ** 2) * weight).sum() / count
                        entropy_loss = (entropy * weight).sum() / count
                        loss = pg_loss - args.ent_coef * entropy_loss + v_loss * args.vf_coef
                        optimizer.zero_grad()
                        loss.backward()
                        nn.utils.clip_grad_norm_(agent.parameters(), args.max_grad_norm)
                        optimizer.step()
                    if args.target_kl is not None and approx_kl > args.target_kl:
                        break
            valid_values = b_values[:, b_valid]
            valid_returns = b_returns[:, b_valid]
            variance = valid_returns.var()
            explained_var = (
                float("nan") if variance == 0 else float(1 - (valid_returns - valid_values).var() / variance)
            )
            run.log(
                {
                    "charts/learning_rate": optimizer.param_groups[0]["lr"],
                    "losses/value_loss": v_loss.item(),
                    "losses/policy_loss": pg_loss.item(),
                    "losses/entropy": entropy_loss.item(),
                    "losses/approx_kl": approx_kl.item(),
                    "losses/clipfrac": float(np.mean(clipfracs)) if clipfracs else 0.0,
                    "losses/explained_variance": explained_var,
                }
            )
            run.log_speed()

            # TRY NOT TO MODIFY: checkpoint, then restart the episodes (see agents.common.session)
            if run.checkpoint_due():
                run.save_checkpoint(
                    models={"agent": agent},
                    optimizers={"agent": optimizer},
                    normalizers=normalizers,
                    extra={"iteration": iteration},
                )
                if run.halted():
                    break
                obs, infos = run.reset_envs()
                ended[:] = False
                x, s = prepare(obs, run.venv.state(), ~ended)
        run.finish()
    return run.run_dir


def greedy_policy(checkpoint: dict[str, Any]) -> ActFn:
    """The trained actor taking its most probable allowed action (for ``pygym eval``)."""
    return masked_greedy(ActorCritic.from_checkpoint(checkpoint).eval().actor, checkpoint)


if __name__ == "__main__":
    train(parse_args(Args, prog="python -m agents.ppo"))
