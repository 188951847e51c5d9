"""Synchronous n-step advantage actor-critic (A2C) for the multi-agent offloading environments.

PeersimGym's A2C learner, over a vector environment: every ``num_steps`` vector steps each agent updates its
actor and critic from bootstrapped n-step returns (:func:`agents.common.returns.nstep_returns`). The policy
is a categorical over the allowed actions only (masked logits), with an entropy bonus. A truncated
episode (time limit) is bootstrapped from the value of its final observation; a terminated one is not.
With ``--centralized-critic`` the critic sees the global ``state()`` instead of the agent's observation.
``--share-parameters`` gives all agents one actor and one critic with the agent's index as input.

PeersimGym's scripts used: gamma 0.5 (0.55 in one script), returns every 11 steps (150 in another),
AdamW at 1e-5, a 512-512-256-256-128-128 leaky-ReLU trunk, smooth-L1 critic loss, gradient clip 10, no
entropy bonus. The defaults keep its 11-step returns and its smooth-L1 critic; gamma 0.99, a higher
learning rate, smaller networks, an entropy bonus and a tighter clip are what A2C usually needs to learn
in a CPU budget (pass ``--gamma 0.5 --learning-rate 1e-5 --ent-coef 0 --max-grad-norm 10
--hidden 512 512 256 256 128 128`` for PeersimGym's values).

Run: ``python -m agents.a2c --help`` or ``pygym train a2c --env offload-neighbour-v0 ...``.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn
from torch.nn import functional

from agents.common.actions import masked_categorical
from agents.common.errors import check_ranges
from agents.common.nets import ActorCritic
from agents.common.normalize import RunningNormalizer, agent_major_inputs
from agents.common.policies import ActFn, masked_greedy
from agents.common.returns import nstep_returns
from agents.common.session import TrainArgs, TrainingRun, check_train_args, parse_args

ALGO = "a2c"


@dataclass
class Args(TrainArgs):
    """A2C; defaults documented against PeersimGym's in the module docstring."""

    learning_rate: float = 7e-4
    """Adam learning rate (PeersimGym: 1e-5, AdamW)"""
    num_steps: int = 11
    """vector steps per update: the n of the n-step returns (PeersimGym: 11)"""
    gamma: float = 0.99
    """discount per decision epoch (PeersimGym: 0.5)"""
    ent_coef: float = 0.01
    """entropy bonus coefficient (PeersimGym: none)"""
    vf_coef: float = 0.5
    """critic loss coefficient"""
    max_grad_norm: float = 0.5
    """gradient norm clip (PeersimGym: 10)"""
    hidden: tuple[int, ...] = (64, 64)
    """hidden layer sizes of actor and critic (PeersimGym: 512 512 256 256 128 128)"""
    share_parameters: bool = False
    """one actor and one critic for all agents, with the agent's index as input"""
    centralized_critic: bool = False
    """the critic sees the global state() (every node's queue and load) instead of the observation"""
    normalize_observations: bool = True
    """normalise observations (and the state) by running mean and variance"""


def check_args(args: Args) -> None:
    """InvalidArgs naming the first option out of range."""
    check_train_args(args)
    checks = [
        ("learning_rate", args.learning_rate > 0, "> 0"),
        ("gamma", 0 <= args.gamma <= 1, "in [0, 1]"),
        ("num_steps", args.num_steps >= 1, ">= 1"),
        ("ent_coef", args.ent_coef >= 0, ">= 0"),
        ("vf_coef", args.vf_coef >= 0, ">= 0"),
        ("max_grad_norm", args.max_grad_norm > 0, "> 0"),
    ]
    check_ranges(args, checks)


def train(args: Args) -> Path:
    """Trains A2C; returns the run directory."""
    check_args(args)
    run = TrainingRun.start(args, ALGO)
    with run:
        # ALGO LOGIC: initialisation
        num_agents, obs_dim, n_actions, state_dim = run.num_agents, run.obs_dim, run.n_actions, run.state_dim
        n, steps = args.num_envs, args.num_steps
        agent = ActorCritic(num_agents, obs_dim, state_dim, n_actions, vars(args))
        optimizer = torch.optim.Adam(agent.parameters(), lr=args.learning_rate)
        obs_norm, state_norm = RunningNormalizer(obs_dim), RunningNormalizer(state_dim)
        normalizers = {"obs": obs_norm, "state": state_norm}
        extra = run.restore(models={"agent": agent}, optimizers={"agent": optimizer}, normalizers=normalizers)
        updates = int(extra.get("updates", 0))

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
        rewards = torch.zeros(steps, num_agents, n)
        terminations = torch.zeros(steps, num_agents, n, dtype=torch.bool)
        truncations = torch.zeros(steps, num_agents, n, dtype=torch.bool)
        values = torch.zeros(steps + 1, num_agents, n)
        valid = torch.zeros(steps, n, dtype=torch.bool)

        obs, infos = run.reset_envs()
        ended = np.zeros(n, dtype=bool)
        x, s = prepare(obs, run.venv.state(), ~ended)
        while run.global_step < args.total_timesteps:
            # ALGO LOGIC: rollout
            for t in range(steps):
                with run.timer("act"), torch.no_grad():
                    observations[t], states[t] = x, s
                    masks[t] = torch.from_numpy(infos["action_mask"]).transpose(0, 1)
                    valid[t] = torch.from_numpy(~ended)
                    values[t] = agent.value(x, s)
                    actions[t] = masked_categorical(agent.actor(x), masks[t]).sample()
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
                returns = nstep_returns(rewards, values, terminations, truncations, args.gamma)

            # ALGO LOGIC: update
            with run.timer("learn"):
                weight = valid.unsqueeze(1).expand(steps, num_agents, n).float()
                count = weight.sum().clamp(min=1.0)
                flat_obs = observations.permute(1, 0, 2, 3).reshape(num_agents, steps * n, obs_dim)
                flat_states = states.reshape(steps * n, state_dim)
                logits = agent.actor(flat_obs).reshape(num_agents, steps, n, n_actions).transpose(0, 1)
                dist = masked_categorical(logits, masks)
                new_values = agent.value(flat_obs, flat_states).reshape(num_agents, steps, n).transpose(0, 1)
                advantages = returns - new_values.detach()
                policy_loss = -(dist.log_prob(actions) * advantages * weight).sum() / count
                value_loss = (
                    functional.smooth_l1_loss(new_values, returns, reduction="none") * weight
                ).sum() / count
                entropy = (dist.entropy() * weight).sum() / count
                loss = policy_loss + args.vf_coef * value_loss - args.ent_coef * entropy
                optimizer.zero_grad()
                loss.backward()
                nn.utils.clip_grad_norm_(agent.parameters(), args.max_grad_norm)
                optimizer.step()
                updates += 1
            if updates % 20 == 1:
                run.log(
                    {
                        "losses/policy_loss": policy_loss.item(),
                        "losses/value_loss": value_loss.item(),
                        "losses/entropy": entropy.item(),
                        "charts/updates": updates,
                    }
                )
                run.log_speed()

            # TRY NOT TO MODIFY: checkpoint, then restart the episodes (see agents.common.session)
            if run.checkpoint_due():
                run.save_checkpoint(
                    models={"agent": agent},
                    optimizers={"agent": optimizer},
                    normalizers=normalizers,
                    extra={"updates": updates},
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
    train(parse_args(Args, prog="python -m agents.a2c"))
