"""Double DQN for the multi-agent offloading environments: PeersimGym's DDQN learner, made a true Double DQN.

Each agent learns its own Q-network from its own replay (independent learners, as PeersimGym's
``DDQNAgentMARL``), or, with ``--share-parameters``, all agents share one network that gets the agent's
index as an extra input. What differs from PeersimGym's code:

- the target is Double DQN's: the online network picks ``a* = argmax_a Q(s', a)`` among the allowed
  actions of s', the target network evaluates it (PeersimGym's "DDQN" uses the plain DQN target
  ``max_a Q_target(s', a)``);
- action masks are honoured in the greedy argmax, in exploration and in the target's argmax;
- the target network is synchronised every ``target_network_frequency`` environment steps (PeersimGym's
  condition ``step % interval == 0 or dones`` is true at every step);
- each agent's replay has exactly the transitions it saw (PeersimGym shares one write counter across the
  agents' buffers); epsilon decays once per environment step, not once per agent per step;
- Huber loss, gradient norm clipping, no batch normalisation, inputs normalised by running statistics
  (taken during the random warm-up, then frozen so that replayed targets keep their meaning).

PeersimGym's experiment scripts used: learning rate 1e-4, gamma 0.99, replay 10,000 per agent, batch 500,
epsilon 1.0 -> 0.1, target sync every 300 steps, networks 512-256-128, gradient clip 100. The defaults
below keep its learning rate, gamma, replay size, final epsilon and clip; the network, batch and sync
interval are smaller or expressed in env steps to fit a CPU budget (pass
``--hidden 512 256 128 --batch-size 500`` for PeersimGym's sizes).

Run: ``python -m agents.ddqn --help`` or ``pygym train ddqn --env offload-neighbour-v0 ...``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn
from torch.nn import functional

from agents.common.actions import epsilon_greedy, masked_argmax
from agents.common.buffers import ReplayBuffer
from agents.common.errors import check_ranges
from agents.common.nets import AgentMLP
from agents.common.normalize import RunningNormalizer
from agents.common.policies import ActFn, masked_greedy
from agents.common.session import TrainArgs, TrainingRun, check_train_args, crossings, parse_args

ALGO = "ddqn"


@dataclass
class Args(TrainArgs):
    """Double DQN; defaults documented against PeersimGym's in the module docstring."""

    learning_rate: float = 1e-4
    """Adam learning rate (PeersimGym: 1e-4)"""
    gamma: float = 0.99
    """discount per decision epoch (PeersimGym: 0.99)"""
    buffer_size: int = 10_000
    """replay rows per agent (PeersimGym: 10,000 per agent)"""
    batch_size: int = 128
    """transitions sampled per agent per update (PeersimGym: 500)"""
    hidden: tuple[int, ...] = (128, 128)
    """hidden layer sizes (PeersimGym: 512 256 128, with batch norm)"""
    learning_starts: int = 5_000
    """environment steps of uniform random (masked) actions before learning starts"""
    train_frequency: int = 8
    """environment steps between gradient updates (8 with 8 envs: one update per vector step)"""
    target_network_frequency: int = 1_000
    """environment steps between copies of the online network into the target network"""
    start_epsilon: float = 1.0
    """exploration rate at the start (PeersimGym: 1.0)"""
    end_epsilon: float = 0.1
    """exploration rate at the end of the decay (PeersimGym: 0.1)"""
    exploration_fraction: float = 0.5
    """fraction of total_timesteps over which epsilon decays linearly"""
    max_grad_norm: float = 100.0
    """gradient norm clip (PeersimGym clips each gradient value at 100)"""
    share_parameters: bool = False
    """one network for all agents, with the agent's index as input (default: one network per agent)"""
    normalize_observations: bool = True
    """normalise inputs by running mean and variance (frozen once learning starts)"""


class QNetwork(nn.Module):
    """Q-values per agent: ``(A, B, obs_dim) -> (A, B, n_actions)``."""

    def __init__(self, num_agents: int, obs_dim: int, n_actions: int, hidden: tuple[int, ...], shared: bool):
        super().__init__()
        self.mlp = AgentMLP(num_agents, obs_dim, n_actions, hidden, shared=shared, activation="relu")

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.mlp(x)


def linear_schedule(start: float, end: float, duration: float, step: float) -> float:
    """``start`` moving linearly to ``end`` over ``duration`` steps, then ``end``."""
    if duration <= 0:
        return end
    return start + min(step / duration, 1.0) * (end - start)


def double_dqn_targets(
    rewards: torch.Tensor,
    next_q_online: torch.Tensor,
    next_q_target: torch.Tensor,
    next_masks: torch.Tensor,
    terminations: torch.Tensor,
    gamma: float,
) -> torch.Tensor:
    """``r + gamma * Q_target(s', argmax_{a allowed in s'} Q_online(s', a))``, not bootstrapped past a
    termination (a truncated transition is bootstrapped: the episode was cut, not ended)."""
    best = masked_argmax(next_q_online, next_masks)
    next_value = next_q_target.gather(-1, best.unsqueeze(-1)).squeeze(-1)
    return rewards + gamma * next_value * (~terminations).to(rewards.dtype)


def check_args(args: Args) -> None:
    """InvalidArgs naming the first option out of range."""
    check_train_args(args)
    checks = [
        ("learning_rate", args.learning_rate > 0, "> 0"),
        ("gamma", 0 <= args.gamma <= 1, "in [0, 1]"),
        ("batch_size", args.batch_size >= 1, ">= 1"),
        ("buffer_size", args.buffer_size >= args.batch_size, ">= batch_size"),
        ("learning_starts", args.learning_starts >= 0, ">= 0"),
        ("train_frequency", args.train_frequency >= 1, ">= 1"),
        ("target_network_frequency", args.target_network_frequency >= 1, ">= 1"),
        ("start_epsilon", 0 <= args.start_epsilon <= 1, "in [0, 1]"),
        ("end_epsilon", 0 <= args.end_epsilon <= 1, "in [0, 1]"),
        ("exploration_fraction", 0 < args.exploration_fraction <= 1, "in (0, 1]"),
        ("max_grad_norm", args.max_grad_norm > 0, "> 0"),
    ]
    check_ranges(args, checks)


def train(args: Args) -> Path:
    """Trains Double DQN; returns the run directory."""
    check_args(args)
    run = TrainingRun.start(args, ALGO)
    with run:
        # ALGO LOGIC: initialisation
        num_agents, obs_dim, n_actions = run.num_agents, run.obs_dim, run.n_actions
        q_network = QNetwork(num_agents, obs_dim, n_actions, args.hidden, args.share_parameters)
        target_network = QNetwork(num_agents, obs_dim, n_actions, args.hidden, args.share_parameters)
        target_network.load_state_dict(q_network.state_dict())
        optimizer = torch.optim.Adam(q_network.parameters(), lr=args.learning_rate)
        normalizer = RunningNormalizer(obs_dim)
        replay = ReplayBuffer(args.buffer_size, num_agents, obs_dim, n_actions)
        models = {"q_network": q_network, "target_network": target_network}
        extra = run.restore(
            models=models, optimizers={"q_network": optimizer}, normalizers={"obs": normalizer}, replay=replay
        )
        updates = int(extra.get("updates", 0))

        def normalize(x: torch.Tensor) -> torch.Tensor:
            return normalizer(x) if args.normalize_observations else x

        obs, infos = run.reset_envs()
        ended = np.zeros(args.num_envs, dtype=bool)
        while run.global_step < args.total_timesteps:
            # ALGO LOGIC: act (masked epsilon-greedy)
            epsilon = linear_schedule(
                args.start_epsilon,
                args.end_epsilon,
                args.exploration_fraction * args.total_timesteps,
                run.global_step,
            )
            masks = infos["action_mask"]
            with run.timer("act"):
                if args.normalize_observations and run.global_step < args.learning_starts and (~ended).any():
                    normalizer.update(obs[~ended])
                if run.global_step < args.learning_starts:
                    q_values = torch.zeros(args.num_envs, num_agents, n_actions)
                    epsilon = 1.0
                else:
                    with torch.no_grad():
                        q_values = q_network(normalize(torch.from_numpy(obs).transpose(0, 1))).transpose(0, 1)
                actions, _ = epsilon_greedy(run.rng, q_values, masks, epsilon)
            next_obs, rewards, terminations, truncations, infos = run.step_envs(actions)
            run.record_episodes(infos)
            # The step after an episode end only resets that env (next-step autoreset): not a transition.
            replay.add(obs, actions, rewards, next_obs, terminations, infos["action_mask"], valid=~ended)
            ended = (terminations | truncations).any(axis=1)
            obs = next_obs

            # ALGO LOGIC: training
            before = run.global_step - args.num_envs
            if run.global_step > args.learning_starts and crossings(
                before, run.global_step, args.train_frequency
            ):
                with run.timer("learn"):
                    batch = replay.sample(run.rng, args.batch_size)
                    with torch.no_grad():
                        next_x = normalize(batch.next_observations)
                        targets = double_dqn_targets(
                            batch.rewards,
                            q_network(next_x),
                            target_network(next_x),
                            batch.next_masks,
                            batch.terminations,
                            args.gamma,
                        )
                    q_taken = q_network(normalize(batch.observations)).gather(-1, batch.actions.unsqueeze(-1))
                    loss = functional.smooth_l1_loss(q_taken.squeeze(-1), targets)
                    optimizer.zero_grad()
                    loss.backward()
                    nn.utils.clip_grad_norm_(q_network.parameters(), args.max_grad_norm)
                    optimizer.step()
                    updates += 1
                if crossings(before, run.global_step, args.target_network_frequency):
                    target_network.load_state_dict(q_network.state_dict())
                if updates % 100 == 1:
                    run.log(
                        {
                            "losses/td_loss": loss.item(),
                            "losses/q_values": q_taken.mean().item(),
                            "charts/epsilon": epsilon,
                            "charts/updates": updates,
                        }
                    )
                    run.log_speed()

            # TRY NOT TO MODIFY: checkpoint, then restart the episodes (see agents.common.session)
            if run.checkpoint_due():
                run.save_checkpoint(
                    models=models,
                    optimizers={"q_network": optimizer},
                    normalizers={"obs": normalizer},
                    extra={"updates": updates},
                    replay=replay.state_dict(),
                )
                if run.halted():
                    break
                obs, infos = run.reset_envs()
                ended[:] = False
        run.finish()
    return run.run_dir


def greedy_policy(checkpoint: dict[str, Any]) -> ActFn:
    """The trained network acting greedily among the allowed actions (for ``pygym eval``)."""
    args, layout = checkpoint["args"], checkpoint["layout"]
    q_network = QNetwork(
        len(layout["agents"]),
        len(layout["observation_fields"]),
        len(layout["action_meanings"]),
        tuple(args["hidden"]),
        bool(args["share_parameters"]),
    )
    q_network.load_state_dict(checkpoint["models"]["q_network"])
    return masked_greedy(q_network.eval(), checkpoint)


if __name__ == "__main__":
    train(parse_args(Args, prog="python -m agents.ddqn"))
