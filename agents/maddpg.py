"""MADDPG (Lowe et al. 2017) for continuous actions, with MATD3's three changes as options.

The baseline of ExplabOff's figure ("MDOff"), implemented as MADDPG is published rather than as the release
ran it (ExplabOff report, sections 3.2 and 6.8, lists what the release's marlbenchmark code did wrong):

- one deterministic actor per agent on its own observation, and **one centralised critic per agent**,
  ``Q_i(s, a_1..a_M)`` on the global ``state()`` and the joint action, each trained on the agent's own
  reward: ``y_i = r_i + gamma (1 - d) Q'_i(s', mu'_1(o'_1), ..., mu'_M(o'_M))`` (the release's critic
  output heads were a plain Python list: never trained, never copied to the target);
- the **per-agent actor update**: agent i's action replaced by ``mu_i(o_i)``, the other agents' actions
  taken from the replay, loss ``-Q_i(s, a_1, .., mu_i(o_i), .., a_M)`` (plus ``1e-6 mean(mu^2)``);
- **soft** target updates with tau after every actor update (the release's ``--use_soft_update`` flag
  turned them off: hard copies every 200 steps);
- Gaussian exploration noise of constant std 0.1 (the release's ``act_noise_std``) on top of the actor,
  uniform random actions for the first ``learning_starts`` steps;
- each agent's gradient clipped on its own.

MATD3 (Ackermann et al. 2019; ``agents/matd3.py``) sets ``--twin-critics`` (two critics per agent, the
target takes their minimum), ``--target-policy-noise 0.2 --target-noise-clip 0.5`` (clipped Gaussian noise
on the target actions) and ``--policy-delay 2`` (the actors and all targets updated every second critic
update; the release's counter never advanced, so its actors updated at every step).

The training budget and networks default to ExplabOff's released ones (batch 1024, gamma 0.95, tau 0.01,
Adam 1e-4 for actors and 1e-3 for critics, 64-64 ReLU networks, gradient clip 0.5, replay 1e6, warm-up 1024
steps, one iteration per 100 env steps), so that the comparison with ExplabOff isolates the algorithms. The
release's marlbenchmark values were lr 7e-4, gamma 0.99, batch 32, replay 5000 transitions, gradient clip
10 (pass them to compare).

Run: ``python -m agents.maddpg --help`` or ``pygym train maddpg --set setting=2x3 ...``.
"""

from __future__ import annotations

import copy
import functools
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from torch import nn
from torch.nn import functional

from agents.common.continuous import (
    Actors,
    ContinuousArgs,
    JointBatch,
    JointReplay,
    Means,
    box_actions,
    critic_inputs,
    deterministic_actors_policy,
    no_bootstrap,
    resolved_options,
    soft_update,
    state_is_joint_observation,
)
from agents.common.errors import check_ranges
from agents.common.evaluator import PeriodicEvaluator, check_eval_args
from agents.common.nets import AgentMLP, clip_grad_norm_per_group
from agents.common.normalize import RunningNormalizer
from agents.common.session import TrainingRun, check_train_args, crossings, parse_args

ALGO = "maddpg"


@dataclass
class Args(ContinuousArgs):
    """MADDPG (MATD3 with --twin-critics --policy-delay 2 --target-policy-noise 0.2)."""

    num_envs: int = 64
    """environments stepped together"""
    total_timesteps: int = 9_000_000
    """environment steps"""
    gamma: float = 0.95
    """discount (ExplabOff's; the release's MADDPG used 0.99)"""
    tau: float = 0.01
    """soft target update rate"""
    batch_size: int = 1024
    """transitions per batch (the release's MADDPG: 32)"""
    buffer_size: int = 1_000_000
    """replay capacity (the release's MADDPG: 5000)"""
    learning_starts: int = 1_024
    """environment steps of uniform random actions before training"""
    train_every: int = 100
    """environment steps per training iteration (one critic update per agent)"""
    actor_lr: float = 1e-4
    """Adam learning rate of the actors"""
    critic_lr: float = 1e-3
    """Adam learning rate of the critics"""
    hidden: tuple[int, ...] = (64, 64)
    """hidden layers of actors and critics"""
    max_grad_norm: float = 0.5
    """gradient norm clip of each agent's actor and critic"""
    action_l2: float = 1e-6
    """weight of mean(a^2) in the actor loss"""
    exploration_noise: float = 0.1
    """std of the Gaussian noise added to the actors' actions while training"""
    twin_critics: bool = False
    """two critics per agent, the target takes their minimum (TD3)"""
    policy_delay: int = 1
    """critic updates per actor (and target) update (TD3: 2)"""
    target_policy_noise: float = 0.0
    """std of the Gaussian noise on the target actions (TD3: 0.2)"""
    target_noise_clip: float = 0.5
    """the target action noise is clipped to +-this (TD3: 0.5)"""
    log_every: int = 100
    """training iterations between logged losses"""


class AgentCritics(nn.Module):
    """One centralised critic per agent (and a twin of each with ``twin``): ``Q_i(state, joint action)``.
    ``forward(states (B, S), joint (A, B, A*act))`` returns ``(A, B)`` (or the twin's too)."""

    def __init__(self, num_agents: int, state_dim: int, joint_dim: int, hidden: Sequence[int], twin: bool):
        super().__init__()
        self.num_agents = num_agents
        self.q1 = AgentMLP(
            num_agents, state_dim + joint_dim, 1, hidden, shared=False, activation="relu", init="uniform"
        )
        self.q2 = (
            AgentMLP(
                num_agents, state_dim + joint_dim, 1, hidden, shared=False, activation="relu", init="uniform"
            )
            if twin
            else None
        )

    def forward(self, states: torch.Tensor, joint: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor | None]:
        x = torch.cat([states.unsqueeze(0).expand(self.num_agents, -1, -1), joint], dim=-1)
        q1 = self.q1(x).squeeze(-1)
        return q1, None if self.q2 is None else self.q2(x).squeeze(-1)


def replace_own_actions(actions: torch.Tensor, own: torch.Tensor) -> torch.Tensor:
    """Agent i's view of the joint action for its actor update: the batch's actions ``(B, A, act)`` with
    agent i's replaced by ``own[i]`` ``(A, B, act)``; returns ``(A, B, A*act)``."""
    agents, batch, act_dim = own.shape
    eye = torch.eye(agents, dtype=own.dtype).reshape(agents, 1, agents, 1)
    joint = actions.unsqueeze(0) * (1 - eye) + own.unsqueeze(2) * eye
    return joint.reshape(agents, batch, agents * act_dim)


class Learner:
    """The networks, optimisers and update of MADDPG/MATD3 (testable apart from the environment loop)."""

    def __init__(self, num_agents: int, obs_dim: int, act_dim: int, state_dim: int, args: Args) -> None:
        self.args = args
        self.num_agents, self.act_dim = num_agents, act_dim
        joint_dim = num_agents * act_dim
        self.actors = Actors(num_agents, obs_dim, act_dim, args.hidden)
        self.actor_targets = copy.deepcopy(self.actors)
        self.critics = AgentCritics(num_agents, state_dim, joint_dim, args.hidden, args.twin_critics)
        self.critic_targets = copy.deepcopy(self.critics)
        self.actor_optimizer = torch.optim.Adam(self.actors.parameters(), lr=args.actor_lr)
        self.critic_optimizer = torch.optim.Adam(self.critics.parameters(), lr=args.critic_lr)
        self.critic_updates = 0
        self.actor_updates = 0

    @property
    def models(self) -> dict[str, nn.Module]:
        return {
            "actors": self.actors,
            "actor_targets": self.actor_targets,
            "critics": self.critics,
            "critic_targets": self.critic_targets,
        }

    @property
    def optimizers(self) -> dict[str, torch.optim.Optimizer]:
        return {"actors": self.actor_optimizer, "critics": self.critic_optimizer}

    def targets(self, batch: JointBatch, next_x: torch.Tensor, next_s: torch.Tensor) -> torch.Tensor:
        """``r_i + gamma (1 - d) Q'_i(s', mu'(o') [+ clipped noise])``, the minimum over twins: (A, B)."""
        args = self.args
        with torch.no_grad():
            next_actions = self.actor_targets(next_x)
            if args.target_policy_noise > 0:
                smoothing = (torch.randn_like(next_actions) * args.target_policy_noise).clamp(
                    -args.target_noise_clip, args.target_noise_clip
                )
                next_actions = (next_actions + smoothing).clamp(-1.0, 1.0)
            batch_size = next_actions.shape[1]
            joint = next_actions.transpose(0, 1).reshape(1, batch_size, -1).expand(self.num_agents, -1, -1)
            q1, q2 = self.critic_targets(next_s, joint)
            next_q = q1 if q2 is None else torch.minimum(q1, q2)
            return batch.rewards.T + args.gamma * (1.0 - batch.dones) * next_q

    def update(self, batch: JointBatch, x: torch.Tensor, s: torch.Tensor, next_x: torch.Tensor,
               next_s: torch.Tensor) -> dict[str, float]:  # fmt: skip
        """One critic update per agent, and every ``policy_delay``-th time one actor update per agent and
        the soft target updates. ``x``/``next_x`` are agent-major observations, ``s``/``next_s`` states, all
        as the networks see them (normalised or not)."""
        args = self.args
        batch_size = batch.actions.shape[0]
        y = self.targets(batch, next_x, next_s)
        joint = batch.actions.reshape(1, batch_size, -1).expand(self.num_agents, -1, -1)
        q1, q2 = self.critics(s, joint)
        critic_loss = functional.mse_loss(q1, y) * self.num_agents
        if q2 is not None:
            critic_loss = critic_loss + functional.mse_loss(q2, y) * self.num_agents
        self.critic_optimizer.zero_grad()
        critic_loss.backward()
        clip_grad_norm_per_group(self.critics, args.max_grad_norm)
        self.critic_optimizer.step()
        self.critic_updates += 1
        stats = {"losses/critic": critic_loss.item() / self.num_agents, "losses/q_values": q1.mean().item()}
        if self.critic_updates % args.policy_delay == 0:
            own = self.actors(x)
            q_own, _ = self.critics(s, replace_own_actions(batch.actions, own))
            actor_loss = -q_own.mean(dim=1).sum() + args.action_l2 * (own**2).mean()
            self.actor_optimizer.zero_grad()
            actor_loss.backward()
            clip_grad_norm_per_group(self.actors, args.max_grad_norm)
            self.actor_optimizer.step()
            soft_update(self.critic_targets, self.critics, args.tau)
            soft_update(self.actor_targets, self.actors, args.tau)
            self.actor_updates += 1
            stats["losses/actor"] = actor_loss.item() / self.num_agents
        return stats


def check_args(args: Args) -> None:
    check_train_args(args)
    checks = [
        ("gamma", 0 <= args.gamma <= 1, "in [0, 1]"),
        ("tau", 0 < args.tau <= 1, "in (0, 1]"),
        ("batch_size", args.batch_size >= 1, ">= 1"),
        ("buffer_size", args.buffer_size >= 1, ">= 1"),
        ("train_every", args.train_every >= 1, ">= 1"),
        ("policy_delay", args.policy_delay >= 1, ">= 1"),
        ("exploration_noise", args.exploration_noise >= 0, ">= 0"),
        ("target_policy_noise", args.target_policy_noise >= 0, ">= 0"),
        ("target_noise_clip", args.target_noise_clip >= 0, ">= 0"),
        ("log_every", args.log_every >= 1, ">= 1"),
    ]
    check_ranges(args, checks)
    check_eval_args(args)


def train(args: Args, algo: str = ALGO) -> Path:
    """Trains MADDPG (or MATD3 with its options); returns the run directory."""
    check_args(args)
    normalize, bootstrap = resolved_options(vars(args))
    run = TrainingRun.start(args, algo, actions="box")
    with run, PeriodicEvaluator(run, args) as evaluate:
        # ALGO LOGIC: initialisation
        venv, rng = run.venv, run.rng
        num_agents, obs_dim, act_dim, state_dim = run.num_agents, run.obs_dim, run.act_dim, run.state_dim
        n = args.num_envs
        learner = Learner(num_agents, obs_dim, act_dim, state_dim, args)
        joint_state = state_is_joint_observation(venv)
        obs_norm, state_norm = RunningNormalizer(obs_dim), RunningNormalizer(state_dim)
        normalizers = {"obs": obs_norm, "state": state_norm}
        stored_state_dim = None if joint_state else state_dim
        replay = JointReplay(args.buffer_size, num_agents, obs_dim, act_dim, stored_state_dim)
        extra = run.restore(
            models=learner.models, optimizers=learner.optimizers, normalizers=normalizers, replay=replay
        )
        learner.critic_updates = int(extra.get("critic_updates", 0))
        learner.actor_updates = int(extra.get("actor_updates", 0))
        means = Means()
        logged_since = 0

        inputs = functools.partial(
            critic_inputs,
            obs_norm=obs_norm,
            state_norm=state_norm,
            normalize=normalize,
            joint_state=joint_state,
        )

        greedy = functools.partial(box_actions, learner.actors, obs_norm=obs_norm, normalize=normalize)

        obs, infos = run.reset_envs()
        state = venv.state()
        ended = np.zeros(n, dtype=bool)
        evaluate(greedy)
        while run.global_step < args.total_timesteps:
            # ALGO LOGIC: act (uniform during warm-up, then the actors plus Gaussian noise)
            with run.timer("act"):
                if run.global_step < args.learning_starts:
                    if normalize and (~ended).any():
                        obs_norm.update(obs[~ended])
                        state_norm.update(state[~ended])
                    actions = rng.uniform(-1.0, 1.0, size=(n, num_agents, act_dim))
                else:
                    noise = rng.standard_normal((n, num_agents, act_dim)) * args.exploration_noise
                    actions = greedy(obs) + noise
                actions = np.clip(actions, -1.0, 1.0).astype(np.float32)
            next_obs, rewards, terminations, truncations, infos = run.step_envs(actions)
            next_state = venv.state()
            run.record_episodes(infos)
            valid = ~ended  # the step after an end only resets that env (next-step autoreset)
            dones = no_bootstrap(terminations, truncations, bootstrap)
            replay.add(
                obs[valid],
                actions[valid],
                rewards[valid],
                next_obs[valid],
                dones[valid],
                None if joint_state else state[valid],
                None if joint_state else next_state[valid],
            )
            ended = (terminations | truncations).any(axis=1)
            obs, state = next_obs, next_state

            # ALGO LOGIC: training, one iteration per train_every env steps
            before = run.global_step - n
            due = crossings(before, run.global_step, args.train_every)
            if run.global_step >= args.learning_starts and due > 0:
                with run.timer("learn"):
                    for _ in range(due):
                        batch = replay.sample(rng, args.batch_size)
                        x, s = inputs(batch.observations, batch.states)
                        next_x, next_s = inputs(batch.next_observations, batch.next_states)
                        means.add(learner.update(batch, x, s, next_x, next_s))
                        logged_since += 1
                        if logged_since >= args.log_every:
                            run.log(means.pop())
                            run.log(
                                {
                                    "charts/updates": learner.critic_updates,
                                    "charts/critic_updates": learner.critic_updates,
                                    "charts/actor_updates": learner.actor_updates,
                                }
                            )
                            run.log_speed()
                            logged_since = 0

            # TRY NOT TO MODIFY: evaluation, checkpoint, then restart the episodes (agents.common.session)
            evaluate(greedy)
            if run.checkpoint_due():
                final = run.global_step >= args.total_timesteps
                run.log({"charts/updates": learner.critic_updates})
                run.save_checkpoint(
                    models=learner.models,
                    optimizers=learner.optimizers,
                    normalizers=normalizers,
                    extra={"critic_updates": learner.critic_updates, "actor_updates": learner.actor_updates},
                    # A finished run is never resumed: its last checkpoint leaves the replay out (disk).
                    replay=None if final else replay.state_dict(),
                )
                if run.halted():
                    break
                obs, infos = run.reset_envs()
                state = venv.state()
                ended[:] = False
        if run.global_step >= args.total_timesteps:
            evaluate(greedy, final=True)
        run.finish()
    return run.run_dir


greedy_policy = deterministic_actors_policy
"""The trained actors without exploration noise (for ``pygym eval``)."""


if __name__ == "__main__":
    train(parse_args(Args, prog="python -m agents.maddpg"))
