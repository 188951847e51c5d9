"""ExplabOff: mutual-information-enhanced MADDPG for task offloading, as released (PMIC-style).

Ren, Hu, Niu, Yao, "ExplabOff: Towards Explorative and Collaborative Task Offloading via Mutual
Information-Enhanced MARL", INFOCOM 2025. The released code (``huzheyuan740/ExplabOff``,
``run_mec_offloading_alg.py`` with ``--policy_name MA_MINE_DDPG``) is PMIC's MADDPG (Li et al., ICML 2022)
applied to the MEC environment; this file is that algorithm (reference notes: ExplabOff report, sections 2
and 5):

- one deterministic actor per mobile device (obs -> 64 -> 64 -> tanh, ReLU) and **one centralised critic
  shared by all devices**, Q(s, a_1..a_M) on the global state (the concatenated observations) and the joint
  action; target copies of both, soft-updated with tau;
- **dual buffers** split by whole episodes: an episode whose (sparse, terminal) return R beats the threshold
  ``max(lowest return in GOOD, mean of the last 1000 returns)`` (the moving average once 10 episodes exist;
  -10000 while GOOD is empty) goes to GOOD, which keeps the highest-return transitions (the lowest are
  evicted when full); the others go to BAD, a first-in first-out ring; each holds 1000 (state, joint
  action) pairs;
- a **lower bound** of I(S; A) trained on GOOD ("MINE" in the code: the Jensen-Shannon bound of Deep
  InfoMax with a separable critic u_ij = phi_a(a_i) . phi_s(s_j); ``--mi-lower infonce`` for InfoNCE, the
  estimator the paper's figure names) and an **upper bound** trained on BAD (CLUB with a Gaussian q(a|s);
  ``--mi-upper l1out`` for the leave-one-out bound of the figure); both then evaluated, without gradient, on
  every replay batch;
- the bonus ``alpha * I_lower - beta * I_upper`` added to the reward inside the TD target
  ``y = r + gamma (1 - d) Q'(s', mu'(o')) + bonus`` (the MI reaches the actors only through Q);
- the **joint actor update**: every device's action replaced by its actor's output at once, loss
  ``-Q(s, mu(o)) + 1e-6 mean(mu(o)^2)``, each actor's gradient clipped to 0.5, one Adam for all actors;
- one Ornstein-Uhlenbeck process (theta 0.15, sigma 0.2) shared by the devices of an env, restarted every
  episode, scaled by ``0.3 * max(0, 1 - episodes / 25000)``: no exploration after 25,000 episodes;
- no MI until GOOD holds 500 transitions (plain centralised DDPG until then); the released
  hyperparameters (section 2.8) as defaults: batch 1024 for replay, GOOD and BAD, gamma 0.95, tau 0.01, Adam
  1e-4 (actors, MI networks) and 1e-3 (critic), critic gradient clip 0.5, replay 1e6, warm-up 1024 steps,
  one training iteration per 100 env steps, alpha 3.5, beta 1.0.

What differs from the release by default, and ``--faithful`` puts back (the two defects that change
results, report section 6):

- the release stores the **decoded** action ([server index, offload ratio]) in replay, GOOD and BAD while
  its actors and target actors feed raw actions in [-1, 1] to the critic (a numpy aliasing bug); we store
  the raw action;
- the release trains only at an episode boundary that falls on a multiple of 100 env steps, which stops
  training altogether once failures no longer shift the phase of full 10-step episodes; we train once every
  100 env steps by counter. Over a vector env the faithful gate is kept per env: env i's episode end
  triggers an iteration when env i's own step count is a multiple of 100 (each env is one release loop
  feeding the shared learner).

Also different, whatever the mode: episodes run on many envs at once (``--num-envs``); the noise scale is
read from the number of finished episodes at each step (the release: at each episode start); networks are
initialised as ``torch.nn.Linear`` does (as the release) but the actors are batched per device; CLUB's
estimate is computed in O(B) from batch moments rather than from the B x B differences (the same value up
to rounding). ``--split random`` is the ablation that puts each episode in GOOD or BAD by a fair coin, both
then first-in first-out. CMOff (``agents/cmoff.py``) is this file with alpha = beta = 0.

Run: ``python -m agents.explaboff --help`` or ``pygym train explaboff --set setting=2x3 ...``.
"""

from __future__ import annotations

import copy
import functools
import itertools
import math
import re
from collections import deque
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np
import torch
from torch import nn
from torch.nn import functional

from agents.common.continuous import (
    Actors,
    ContinuousArgs,
    JointReplay,
    Means,
    OrnsteinUhlenbeck,
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
from agents.common.nets import clip_grad_norm_per_group
from agents.common.normalize import RunningNormalizer
from agents.common.session import TrainingRun, check_train_args, crossings, parse_args

ALGO = "explaboff"
LOG2 = math.log(2.0)


@dataclass
class Args(ContinuousArgs):
    """ExplabOff; defaults are the release's (report section 2.8) unless noted."""

    num_envs: int = 64
    """environments stepped together (the release steps one)"""
    total_timesteps: int = 9_000_000
    """environment steps (the release: 9e6, at most 9e5 episodes of 10 steps)"""
    faithful: bool = False
    """reproduce the release's defects that change results: decoded actions stored in the buffers, training
    gated on episode ends at multiples of 100 steps (see the module docstring)"""
    alpha: float = 3.5
    """weight of the lower bound of I(S;A), learned on superior episodes (``--max_adv_c``)"""
    beta: float = 1.0
    """weight of the upper bound of I(S;A), learned on inferior episodes (``--min_adv_c``)"""
    mi_lower: Literal["jsd", "infonce"] = "jsd"
    """lower bound: the Jensen-Shannon bound of the code ("MINE") or InfoNCE (the paper's figure)"""
    mi_upper: Literal["club", "l1out"] = "club"
    """upper bound: CLUB (the code) or the leave-one-out bound L1Out (the paper's figure)"""
    split: Literal["superior", "random"] = "superior"
    """superior: episodes split by return against the adaptive threshold; random: by a fair coin (ablation)"""
    gamma: float = 0.95
    """discount"""
    tau: float = 0.01
    """soft target update rate"""
    batch_size: int = 1024
    """transitions per replay batch, and per GOOD and BAD batch of the MI networks"""
    buffer_size: int = 1_000_000
    """replay capacity (transitions)"""
    good_capacity: int = 1_000
    """GOOD buffer capacity (transitions of superior episodes)"""
    bad_capacity: int = 1_000
    """BAD buffer capacity (transitions of inferior episodes)"""
    good_min: int = 500
    """GOOD transitions needed before the MI networks train and the bonus applies"""
    threshold_window: int = 1_000
    """episodes in the moving average of returns that bounds the threshold from below"""
    threshold_min_episodes: int = 10
    """episodes needed before the moving average enters the threshold"""
    empty_good_threshold: float = -10_000.0
    """threshold while GOOD is empty (the release's ``lowest_reward``)"""
    learning_starts: int = 1_024
    """environment steps before the first training iteration"""
    train_every: int = 100
    """environment steps per training iteration (one critic and one joint actor step)"""
    mi_update_freq: int = 1
    """train the MI networks at every k-th iteration of the MI phase (``--MI_update_freq``)"""
    actor_lr: float = 1e-4
    """Adam learning rate of the actors (one optimiser for all)"""
    critic_lr: float = 1e-3
    """Adam learning rate of the critic"""
    mi_lr: float = 1e-4
    """Adam learning rate of the lower- and upper-bound networks"""
    hidden: tuple[int, ...] = (64, 64)
    """hidden layers of actors and critic"""
    mi_embedding: int = 32
    """width of the lower bound's state and action embeddings"""
    mi_hidden: int = 32
    """hidden width of the upper bound's mean and log-variance networks (CLUB(hidden_size=64) // 2)"""
    max_grad_norm: float = 0.5
    """gradient norm clip of the critic and of each actor"""
    action_l2: float = 1e-6
    """weight of mean(a^2) in the actor loss (the release's 1e-3 x 1e-3)"""
    noise_scale: float = 0.3
    """initial scale of the Ornstein-Uhlenbeck noise"""
    noise_episodes: int = 25_000
    """episodes over which the noise scale falls linearly to zero"""
    ou_theta: float = 0.15
    """Ornstein-Uhlenbeck mean reversion"""
    ou_sigma: float = 0.2
    """Ornstein-Uhlenbeck volatility"""
    log_every: int = 100
    """training iterations between logged losses and MI diagnostics"""


# ---- actors and critic ---------------------------------------------------------------------------------


class JointCritic(nn.Module):
    """One centralised critic shared by all agents: ``Q(state (B, S), joint action (B, A*act)) -> (B,)``."""

    def __init__(self, state_dim: int, joint_action_dim: int, hidden: Sequence[int]) -> None:
        super().__init__()
        sizes = [state_dim + joint_action_dim, *hidden]
        layers: list[nn.Module] = []
        for a, b in itertools.pairwise(sizes):
            layers += [nn.Linear(a, b), nn.ReLU()]
        layers.append(nn.Linear(sizes[-1], 1))
        self.net = nn.Sequential(*layers)

    def forward(self, states: torch.Tensor, actions: torch.Tensor) -> torch.Tensor:
        return self.net(torch.cat([states, actions], dim=-1)).squeeze(-1)


# ---- mutual-information bounds -------------------------------------------------------------------------


class SeparableCritic(nn.Module):
    """The release's ``NEW_MINE`` embeddings: scores ``u[i, j] = phi_a(a_i) . phi_s(s_j)`` (B x B), the
    diagonal the matched (positive) pairs, the rest negatives."""

    def __init__(self, state_dim: int, action_dim: int, embedding: int) -> None:
        super().__init__()
        self.state_embedding = nn.Linear(state_dim, embedding)
        self.action_embedding = nn.Linear(action_dim, embedding)

    def forward(self, states: torch.Tensor, actions: torch.Tensor) -> torch.Tensor:
        phi_s = functional.leaky_relu(self.state_embedding(states))
        phi_a = functional.leaky_relu(self.action_embedding(actions))
        return phi_a @ phi_s.T


def jsd_lower_bound(scores: torch.Tensor) -> torch.Tensor:
    """Per-sample Jensen-Shannon MI estimate (Deep InfoMax; the release's ``fenchel_dual_loss`` with
    measure JSD, negated): ``(log 2 - softplus(-u_ii)) - mean_{j != i} (softplus(u_ij) - log 2)``, at most
    2 log 2."""
    n = scores.shape[0]
    if n < 2:
        raise ValueError("the JSD bound needs a batch of at least 2 (negatives are the other samples)")
    diagonal = torch.diagonal(scores)
    positive = LOG2 - functional.softplus(-diagonal)
    negatives = functional.softplus(scores) - LOG2
    negative = (negatives.sum(dim=1) - torch.diagonal(negatives)) / (n - 1)
    return positive - negative


def infonce_lower_bound(scores: torch.Tensor) -> torch.Tensor:
    """Per-sample InfoNCE estimate (van den Oord et al. 2018): ``u_ii - log mean_j exp(u_ij)`` over the
    batch, at most log B."""
    n = scores.shape[0]
    return torch.diagonal(scores) - torch.logsumexp(scores, dim=1) + math.log(n)


class GaussianConditional(nn.Module):
    """CLUB's variational q(a | s) = N(mu(s), exp(logvar(s))), logvar squashed into (-1, 1) by tanh as the
    release does; fitted by its (unnormalised) log-likelihood."""

    def __init__(self, state_dim: int, action_dim: int, hidden: int) -> None:
        super().__init__()
        self.mu = nn.Sequential(nn.Linear(state_dim, hidden), nn.ReLU(), nn.Linear(hidden, action_dim))
        self.logvar = nn.Sequential(
            nn.Linear(state_dim, hidden), nn.ReLU(), nn.Linear(hidden, action_dim), nn.Tanh()
        )

    def forward(self, states: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        return self.mu(states), self.logvar(states)

    def learning_loss(self, states: torch.Tensor, actions: torch.Tensor) -> torch.Tensor:
        """The release's ``learning_loss``: ``-mean_i sum_d [-(mu - a)^2 / exp(logvar) - logvar]``."""
        mu, logvar = self(states)
        return -(-((mu - actions) ** 2) / logvar.exp() - logvar).sum(dim=1).mean()


def club_upper_bound(mu: torch.Tensor, logvar: torch.Tensor, actions: torch.Tensor) -> torch.Tensor:
    """Per-sample CLUB estimate (Cheng et al. 2020, the release's ``CLUB.forward``):
    ``sum_d [mean_j (a_jd - mu_id)^2 - (a_id - mu_id)^2] / (2 exp(logvar_id))``, the mean over j taken from
    the batch's first and second moments."""
    mean_a, mean_a2 = actions.mean(dim=0), (actions**2).mean(dim=0)
    negative = mean_a2 - 2 * mu * mean_a + mu**2
    positive = (actions - mu) ** 2
    return ((negative - positive) / (2 * logvar.exp())).sum(dim=1)


def l1out_upper_bound(mu: torch.Tensor, logvar: torch.Tensor, actions: torch.Tensor) -> torch.Tensor:
    """Per-sample leave-one-out bound (Poole et al. 2019): ``log q(a_i|s_i) - log mean_{j != i}
    q(a_i|s_j)`` with the Gaussian q; the B x B log-densities come from matrix products."""
    n = actions.shape[0]
    if n < 2:
        raise ValueError("the L1Out bound needs a batch of at least 2")
    precision = (-logvar).exp()
    # sum_d (a_id - mu_jd)^2 / var_jd for every pair (i, j), expanded into products.
    quadratic = (actions**2) @ precision.T - 2 * actions @ (mu * precision).T + (mu**2 * precision).sum(1)
    log_q = -0.5 * (quadratic + logvar.sum(dim=1) + actions.shape[1] * math.log(2 * math.pi))
    own = torch.diagonal(log_q)
    others = log_q.masked_fill(torch.eye(n, dtype=torch.bool), float("-inf"))
    return own - (torch.logsumexp(others, dim=1) - math.log(n - 1))


class MutualInformation(nn.Module):
    """The lower bound (trained on GOOD) and the upper bound (trained on BAD) of I(S; A)."""

    def __init__(self, state_dim: int, action_dim: int, args: Mapping[str, Any]) -> None:
        super().__init__()
        self.lower_kind, self.upper_kind = str(args["mi_lower"]), str(args["mi_upper"])
        self.lower = SeparableCritic(state_dim, action_dim, int(args["mi_embedding"]))
        self.upper = GaussianConditional(state_dim, action_dim, int(args["mi_hidden"]))

    def lower_bound(self, states: torch.Tensor, actions: torch.Tensor) -> torch.Tensor:
        scores = self.lower(states, actions)
        return jsd_lower_bound(scores) if self.lower_kind == "jsd" else infonce_lower_bound(scores)

    def upper_bound(self, states: torch.Tensor, actions: torch.Tensor) -> torch.Tensor:
        mu, logvar = self.upper(states)
        bound = club_upper_bound if self.upper_kind == "club" else l1out_upper_bound
        return bound(mu, logvar, actions)


def mi_bonus(alpha: float, beta: float, lower: torch.Tensor, upper: torch.Tensor) -> torch.Tensor:
    """The intrinsic reward ``alpha * I_lower - beta * I_upper``."""
    return alpha * lower - beta * upper


def td_target(
    rewards: torch.Tensor, dones: torch.Tensor, next_q: torch.Tensor, gamma: float, bonus: torch.Tensor
) -> torch.Tensor:
    """``r + gamma (1 - done) Q'(s', mu'(o')) + bonus``, the release's target with the MI bonus."""
    return rewards + gamma * (1.0 - dones) * next_q + bonus


# ---- superior and inferior episodes --------------------------------------------------------------------


class TransitionStore:
    """GOOD or BAD: (state, joint action) pairs with their episode's return. ``keep="best"`` keeps the
    highest returns (inserting into a full store evicts its lowest-return entries, as the release's sorted
    buffer with its write pointer at 0 does); ``keep="fifo"`` overwrites the oldest."""

    def __init__(self, capacity: int, state_dim: int, action_dim: int, keep: str) -> None:
        if keep not in ("best", "fifo"):
            raise ValueError(f"keep {keep!r}: expected best or fifo")
        self.capacity, self.keep = capacity, keep
        self.states = np.zeros((capacity, state_dim), np.float32)
        self.actions = np.zeros((capacity, action_dim), np.float32)
        self.returns = np.zeros(capacity, np.float64)
        self.size = 0
        self.position = 0

    def add(self, states: np.ndarray, actions: np.ndarray, episode_return: float) -> None:
        n = len(states)
        if n > self.capacity:
            raise ValueError(f"an episode of {n} transitions does not fit a store of {self.capacity}")
        if self.keep == "fifo":
            slots = (self.position + np.arange(n)) % self.capacity
            self.position = int((self.position + n) % self.capacity)
        else:
            overflow = max(0, self.size + n - self.capacity)
            # Stable order: among equal returns the oldest rows go first.
            evicted = np.argsort(self.returns[: self.size], kind="stable")[:overflow]
            slots = np.concatenate([evicted, self.size + np.arange(n - overflow)]).astype(np.int64)
        self.states[slots] = states
        self.actions[slots] = actions
        self.returns[slots] = episode_return
        self.size = min(self.size + n, self.capacity)

    def sample(self, rng: np.random.Generator, batch_size: int) -> tuple[torch.Tensor, torch.Tensor]:
        """``batch_size`` pairs with replacement (the release draws 1024 from at most 1000)."""
        rows = rng.integers(0, self.size, size=batch_size)
        return torch.from_numpy(self.states[rows]), torch.from_numpy(self.actions[rows])

    def mean_return(self) -> float:
        return float(self.returns[: self.size].mean()) if self.size else float("nan")

    def state_dict(self) -> dict[str, Any]:
        n = self.size
        return {
            "size": n,
            "position": self.position,
            "states": torch.from_numpy(self.states[:n].copy()),
            "actions": torch.from_numpy(self.actions[:n].copy()),
            "returns": torch.from_numpy(self.returns[:n].copy()),
        }

    def load_state_dict(self, state: Mapping[str, Any]) -> None:
        n = int(state["size"])
        self.states[:n] = state["states"].numpy()
        self.actions[:n] = state["actions"].numpy()
        self.returns[:n] = state["returns"].numpy()
        self.size, self.position = n, int(state["position"])


def split_threshold(
    good: TransitionStore, recent_returns: Sequence[float], empty: float, min_episodes: int
) -> float:
    """The return an episode must beat to count as superior: ``empty`` while GOOD is empty, else the lowest
    return in GOOD, raised to the mean of ``recent_returns`` once it holds ``min_episodes`` returns."""
    if good.size == 0:
        return empty
    threshold = float(good.returns[: good.size].min())
    if len(recent_returns) >= min_episodes:
        threshold = max(threshold, float(np.mean(recent_returns)))
    return threshold


def count_servers(observation_fields: Sequence[str]) -> int:
    """Edge servers named in the observation (``es<k>_...`` fields): the B of the action decoding."""
    return len({m.group(1) for f in observation_fields if (m := re.match(r"es(\d+)_", f))})


def stored_actions(actions: np.ndarray, n_servers: int, faithful: bool) -> np.ndarray:
    """What goes into the buffers: the raw actions, or with ``faithful`` the release's decoded ones,
    ``[floor((a0 + 1) B / 2), (a1 + 1) / 2]`` after clipping to +-0.9999 (its in-place decoding bug)."""
    if not faithful:
        return actions
    clipped = np.clip(actions, -0.9999, 0.9999)
    decoded = np.empty_like(clipped)
    decoded[..., 0] = np.floor((clipped[..., 0] + 1) * n_servers / 2)
    decoded[..., 1] = (clipped[..., 1] + 1) / 2
    return decoded


class EpisodeRecorder:
    """Each env's transitions of its current episode, until the episode ends."""

    def __init__(self, num_envs: int, max_steps: int, num_agents: int, obs_dim: int, act_dim: int) -> None:
        shape = (num_envs, max_steps)
        self.observations = np.zeros((*shape, num_agents, obs_dim), np.float32)
        self.next_observations = np.zeros_like(self.observations)
        self.actions = np.zeros((*shape, num_agents, act_dim), np.float32)
        self.rewards = np.zeros((*shape, num_agents), np.float32)
        self.dones = np.zeros(shape, np.bool_)
        self.states: np.ndarray | None = None
        self.next_states: np.ndarray | None = None
        self.lengths = np.zeros(num_envs, np.int64)

    def add(
        self,
        which: np.ndarray,
        observations: np.ndarray,
        actions: np.ndarray,
        rewards: np.ndarray,
        next_observations: np.ndarray,
        dones: np.ndarray,
        states: np.ndarray,
        next_states: np.ndarray,
    ) -> None:
        if self.states is None:
            self.states = np.zeros((*self.dones.shape, states.shape[-1]), np.float32)
            self.next_states = np.zeros_like(self.states)
        assert self.next_states is not None
        envs = np.flatnonzero(which)
        t = self.lengths[envs]
        if (t >= self.dones.shape[1]).any():
            raise ValueError("an episode ran longer than the env's max_steps")
        self.observations[envs, t] = observations[envs]
        self.next_observations[envs, t] = next_observations[envs]
        self.actions[envs, t] = actions[envs]
        self.rewards[envs, t] = rewards[envs]
        self.dones[envs, t] = dones[envs]
        self.states[envs, t] = states[envs]
        self.next_states[envs, t] = next_states[envs]
        self.lengths[envs] += 1

    def pop(self, env: int) -> dict[str, np.ndarray]:
        """Env ``env``'s episode (its rows, copied) and clears it."""
        n = int(self.lengths[env])
        assert self.states is not None and self.next_states is not None
        episode = {
            "observations": self.observations[env, :n].copy(),
            "actions": self.actions[env, :n].copy(),
            "rewards": self.rewards[env, :n].copy(),
            "next_observations": self.next_observations[env, :n].copy(),
            "dones": self.dones[env, :n].copy(),
            "states": self.states[env, :n].copy(),
            "next_states": self.next_states[env, :n].copy(),
        }
        self.lengths[env] = 0
        return episode

    def clear(self) -> None:
        self.lengths[:] = 0


def check_args(args: Args) -> None:
    """InvalidArgs naming the first option out of range."""
    check_train_args(args)
    checks = [
        ("alpha", args.alpha >= 0, ">= 0"),
        ("beta", args.beta >= 0, ">= 0"),
        ("gamma", 0 <= args.gamma <= 1, "in [0, 1]"),
        ("tau", 0 < args.tau <= 1, "in (0, 1]"),
        ("batch_size", args.batch_size >= 2, ">= 2 (the MI bounds contrast samples of a batch)"),
        ("buffer_size", args.buffer_size >= 1, ">= 1"),
        ("good_capacity", args.good_capacity >= 1, ">= 1"),
        ("bad_capacity", args.bad_capacity >= 1, ">= 1"),
        ("good_min", 1 <= args.good_min <= args.good_capacity, "in [1, good_capacity]"),
        ("threshold_window", args.threshold_window >= 1, ">= 1"),
        ("train_every", args.train_every >= 1, ">= 1"),
        ("mi_update_freq", args.mi_update_freq >= 1, ">= 1"),
        ("noise_episodes", args.noise_episodes >= 1, ">= 1"),
        ("log_every", args.log_every >= 1, ">= 1"),
    ]
    check_ranges(args, checks)
    check_eval_args(args)


def train(args: Args, algo: str = ALGO) -> Path:
    """Trains ExplabOff (or CMOff, the same code without MI); returns the run directory."""
    check_args(args)
    normalize, bootstrap = resolved_options(vars(args))
    run = TrainingRun.start(args, algo, actions="box")
    with run, PeriodicEvaluator(run, args) as evaluate:
        # ALGO LOGIC: initialisation
        venv, rng = run.venv, run.rng
        num_agents, obs_dim, act_dim, state_dim = run.num_agents, run.obs_dim, run.act_dim, run.state_dim
        joint_dim = num_agents * act_dim
        n_servers = count_servers(venv.observation_fields)
        n = args.num_envs
        actors = Actors(num_agents, obs_dim, act_dim, args.hidden)
        actor_targets = copy.deepcopy(actors)
        critic = JointCritic(state_dim, joint_dim, args.hidden)
        critic_target = copy.deepcopy(critic)
        mi = MutualInformation(state_dim, joint_dim, vars(args))
        actor_optimizer = torch.optim.Adam(actors.parameters(), lr=args.actor_lr)
        critic_optimizer = torch.optim.Adam(critic.parameters(), lr=args.critic_lr)
        lower_optimizer = torch.optim.Adam(mi.lower.parameters(), lr=args.mi_lr)
        upper_optimizer = torch.optim.Adam(mi.upper.parameters(), lr=args.mi_lr)
        joint_state = state_is_joint_observation(venv)
        obs_norm, state_norm = RunningNormalizer(obs_dim), RunningNormalizer(state_dim)
        stored_state_dim = None if joint_state else state_dim
        replay = JointReplay(args.buffer_size, num_agents, obs_dim, act_dim, stored_state_dim)
        keep_good = "best" if args.split == "superior" else "fifo"
        good = TransitionStore(args.good_capacity, state_dim, joint_dim, keep_good)
        bad = TransitionStore(args.bad_capacity, state_dim, joint_dim, "fifo")
        recent_returns: deque[float] = deque(maxlen=args.threshold_window)
        recorder = EpisodeRecorder(n, run.venv.max_steps, num_agents, obs_dim, act_dim)
        noise = OrnsteinUhlenbeck(n, act_dim, args.ou_theta, args.ou_sigma)
        env_steps = np.zeros(n, np.int64)  # each env's own step count (the faithful gate)
        models = {
            "actors": actors,
            "actor_targets": actor_targets,
            "critic": critic,
            "critic_target": critic_target,
            "mi": mi,
        }
        optimizers = {
            "actors": actor_optimizer,
            "critic": critic_optimizer,
            "mi_lower": lower_optimizer,
            "mi_upper": upper_optimizer,
        }
        normalizers = {"obs": obs_norm, "state": state_norm}
        extra = run.restore(models=models, optimizers=optimizers, normalizers=normalizers, replay=replay)
        if run.checkpoint is not None:
            good.load_state_dict(extra["good"])
            bad.load_state_dict(extra["bad"])
            recent_returns.extend(float(r) for r in extra["recent_returns"])
            env_steps[:] = extra["env_steps"].numpy()
        updates = int(extra.get("updates", 0))
        mi_updates = int(extra.get("mi_updates", 0))
        means = Means()
        logged_since = 0

        inputs = functools.partial(
            critic_inputs,
            obs_norm=obs_norm,
            state_norm=state_norm,
            normalize=normalize,
            joint_state=joint_state,
        )

        greedy = functools.partial(box_actions, actors, obs_norm=obs_norm, normalize=normalize)

        def update() -> None:
            """One training iteration: the MI networks (in the MI phase), the critic, the actors."""
            nonlocal updates, mi_updates
            stats: dict[str, float] = {}
            mi_phase = good.size >= args.good_min and (args.alpha > 0 or args.beta > 0)
            if mi_phase and mi_updates % args.mi_update_freq == 0:
                if args.beta > 0 and bad.size > 0:
                    s_bad, a_bad = bad.sample(rng, args.batch_size)
                    upper_loss = mi.upper.learning_loss(inputs_state(s_bad), a_bad)
                    upper_optimizer.zero_grad()
                    upper_loss.backward()
                    upper_optimizer.step()
                    stats["losses/mi_upper"] = upper_loss.item()
                if args.alpha > 0:
                    s_good, a_good = good.sample(rng, args.batch_size)
                    lower_loss = -mi.lower_bound(inputs_state(s_good), a_good).mean()
                    lower_optimizer.zero_grad()
                    lower_loss.backward()
                    lower_optimizer.step()
                    stats["losses/mi_lower"] = lower_loss.item()
            if mi_phase:
                mi_updates += 1
            batch = replay.sample(rng, args.batch_size)
            x, s = inputs(batch.observations, batch.states)
            next_x, next_s = inputs(batch.next_observations, batch.next_states)
            joint = batch.actions.reshape(args.batch_size, joint_dim)
            rewards = batch.rewards.mean(dim=1)  # the team reward (all agents share it)
            with torch.no_grad():
                lower = mi.lower_bound(s, joint) if mi_phase and args.alpha > 0 else torch.zeros_like(rewards)
                upper = mi.upper_bound(s, joint) if mi_phase and args.beta > 0 else torch.zeros_like(rewards)
                bonus = mi_bonus(args.alpha, args.beta, lower, upper)
                next_actions = actor_targets(next_x).transpose(0, 1).reshape(args.batch_size, joint_dim)
                next_q = critic_target(next_s, next_actions)
                targets = td_target(rewards, batch.dones, next_q, args.gamma, bonus)
            q = critic(s, joint)
            critic_loss = functional.mse_loss(q, targets)
            critic_optimizer.zero_grad()
            critic_loss.backward()
            nn.utils.clip_grad_norm_(critic.parameters(), args.max_grad_norm)
            critic_optimizer.step()
            # The joint actor update: every agent's action replaced by its actor's output at once.
            policy_actions = actors(x).transpose(0, 1).reshape(args.batch_size, joint_dim)
            actor_loss = -critic(s, policy_actions).mean() + args.action_l2 * (policy_actions**2).mean()
            actor_optimizer.zero_grad()
            actor_loss.backward()
            clip_grad_norm_per_group(actors, args.max_grad_norm)
            actor_optimizer.step()
            soft_update(critic_target, critic, args.tau)
            soft_update(actor_targets, actors, args.tau)
            updates += 1
            stats.update(
                {
                    "losses/critic": critic_loss.item(),
                    "losses/actor": actor_loss.item(),
                    "losses/q_values": q.mean().item(),
                    "charts/reward_batch": rewards.mean().item(),
                    "charts/mi_phase": float(mi_phase),
                }
            )
            if mi_phase:
                stats.update(
                    {
                        "charts/mi_lower": lower.mean().item(),
                        "charts/mi_upper": upper.mean().item(),
                        "charts/mi_bonus": bonus.mean().item(),
                    }
                )
            means.add(stats)

        def inputs_state(states: torch.Tensor) -> torch.Tensor:
            """GOOD and BAD hold raw states: normalise them as the replay's."""
            if not normalize:
                return states
            if joint_state:
                obs = states.reshape(states.shape[0], num_agents, obs_dim)
                return inputs(obs, states)[1]
            return state_norm(states)

        obs, infos = run.reset_envs()
        state = venv.state()
        ended = np.zeros(n, dtype=bool)
        evaluate(greedy)
        while run.global_step < args.total_timesteps:
            # ALGO LOGIC: act (deterministic actor + the shared Ornstein-Uhlenbeck noise, decaying to zero)
            scale = args.noise_scale * max(0.0, 1.0 - run.episodes / args.noise_episodes)
            with run.timer("act"):
                if normalize and run.global_step < args.learning_starts and (~ended).any():
                    obs_norm.update(obs[~ended])
                    state_norm.update(state[~ended])
                exploration = noise.sample(rng, num_agents)
                actions = np.clip(greedy(obs) + scale * exploration, -1.0, 1.0).astype(np.float32)
                # An env whose episode ended resets on this step: its noise restarts with the new episode.
                noise.reset(ended)
            next_obs, rewards, terminations, truncations, infos = run.step_envs(actions)
            next_state = venv.state()
            run.record_episodes(infos)

            # ALGO LOGIC: episodes into the replay and into GOOD or BAD
            valid = ~ended  # the step after an end only resets that env (next-step autoreset)
            dones = no_bootstrap(terminations, truncations, bootstrap)
            stored = stored_actions(actions, n_servers, args.faithful)
            recorder.add(valid, obs, stored, rewards, next_obs, dones, state, next_state)
            env_steps[valid] += 1
            ended = (terminations | truncations).any(axis=1)
            due = 0
            for env in np.flatnonzero(ended & valid):
                episode = recorder.pop(int(env))
                replay.add(
                    episode["observations"],
                    episode["actions"],
                    episode["rewards"],
                    episode["next_observations"],
                    episode["dones"],
                    None if joint_state else episode["states"],
                    None if joint_state else episode["next_states"],
                )
                episode_return = float(episode["rewards"].mean(axis=1).sum())
                if args.split == "superior":
                    threshold = split_threshold(
                        good, recent_returns, args.empty_good_threshold, args.threshold_min_episodes
                    )
                    superior = episode_return > threshold
                    means.add({"charts/split_threshold": threshold})
                else:
                    superior = bool(rng.random() < 0.5)
                joint_actions = episode["actions"].reshape(len(episode["actions"]), joint_dim)
                (good if superior else bad).add(episode["states"], joint_actions, episode_return)
                recent_returns.append(episode_return)
                if args.faithful and env_steps[env] % args.train_every == 0:
                    due += 1
            obs, state = next_obs, next_state

            # ALGO LOGIC: training (one iteration per train_every env steps, or the release's gate)
            before = run.global_step - n
            if not args.faithful:
                due = crossings(before, run.global_step, args.train_every)
            if run.global_step >= args.learning_starts and replay.size > 0 and due > 0:
                with run.timer("learn"):
                    for _ in range(due):
                        update()
                        logged_since += 1
                        if logged_since >= args.log_every:
                            run.log(means.pop())
                            run.log(
                                {
                                    "charts/updates": updates,
                                    "charts/noise_scale": scale,
                                    "charts/good_size": good.size,
                                    "charts/bad_size": bad.size,
                                    "charts/good_return_mean": good.mean_return(),
                                    "charts/bad_return_mean": bad.mean_return(),
                                }
                            )
                            run.log_speed()
                            logged_since = 0

            # TRY NOT TO MODIFY: evaluation, checkpoint, then restart the episodes (agents.common.session)
            evaluate(greedy)
            if run.checkpoint_due():
                final = run.global_step >= args.total_timesteps
                run.log({"charts/updates": updates})
                run.save_checkpoint(
                    models=models,
                    optimizers=optimizers,
                    normalizers=normalizers,
                    extra={
                        "updates": updates,
                        "mi_updates": mi_updates,
                        "good": good.state_dict(),
                        "bad": bad.state_dict(),
                        "recent_returns": list(recent_returns),
                        "env_steps": torch.from_numpy(env_steps.copy()),
                    },
                    # A finished run is never resumed: its last checkpoint leaves the replay out (disk).
                    replay=None if final else replay.state_dict(),
                )
                if run.halted():
                    break
                obs, infos = run.reset_envs()
                state = venv.state()
                ended[:] = False
                recorder.clear()
                noise.reset(np.ones(n, dtype=bool))
        if run.global_step >= args.total_timesteps:
            evaluate(greedy, final=True)
        run.finish()
    return run.run_dir


greedy_policy = deterministic_actors_policy
"""The trained actors without exploration noise (for ``pygym eval``)."""


if __name__ == "__main__":
    train(parse_args(Args, prog="python -m agents.explaboff"))
