"""The maths of the continuous-action trainers on hand-made batches: ExplabOff's dual buffers, threshold, TD
target with the MI bonus, stored actions and bound formulas; MADDPG/MATD3's targets and delayed updates;
MAPPO's value loss and normalisation; the shared replay, noise, initialisation and per-agent clipping."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest
import torch

from agents import maddpg, matd3
from agents.common.continuous import JointReplay, Means, OrnsteinUhlenbeck, no_bootstrap, resolved_options
from agents.common.nets import AgentMLP, GroupLinear, clip_grad_norm_per_group
from agents.explaboff import (
    EpisodeRecorder,
    TransitionStore,
    club_upper_bound,
    count_servers,
    jsd_lower_bound,
    l1out_upper_bound,
    mi_bonus,
    split_threshold,
    stored_actions,
    td_target,
)
from agents.mappo import ValueNorm, clipped_value_loss


def store(capacity: int = 5, keep: str = "best") -> TransitionStore:
    return TransitionStore(capacity, state_dim=2, action_dim=1, keep=keep)


def add_episode(buffer: TransitionStore, episode_return: float, length: int, tag: float) -> None:
    """An episode whose states and actions all hold ``tag`` (to recognise its rows)."""
    buffer.add(np.full((length, 2), tag, np.float32), np.full((length, 1), tag, np.float32), episode_return)


def rows_by_tag(buffer: TransitionStore) -> dict[float, int]:
    tags, counts = np.unique(buffer.actions[: buffer.size, 0], return_counts=True)
    return {float(t): int(c) for t, c in zip(tags, counts, strict=True)}


def test_threshold_is_the_empty_value_then_the_lowest_good_return_then_raised_by_the_moving_average() -> None:
    good = store(capacity=10)
    assert split_threshold(good, [], empty=-10_000.0, min_episodes=10) == -10_000.0
    assert split_threshold(good, [5.0] * 20, empty=-10_000.0, min_episodes=10) == -10_000.0  # GOOD empty
    add_episode(good, 3.0, 2, tag=1)
    add_episode(good, 7.0, 2, tag=2)
    # Fewer than 10 returns seen: the moving average does not count yet.
    assert split_threshold(good, [50.0] * 9, empty=-10_000.0, min_episodes=10) == 3.0
    # 10 returns whose mean (4.5) exceeds the lowest GOOD return (3): the threshold rises to it.
    recent = [0.0, 9.0] * 5
    assert split_threshold(good, recent, empty=-10_000.0, min_episodes=10) == pytest.approx(4.5)
    # A mean below the lowest GOOD return leaves the lowest GOOD return.
    assert split_threshold(good, [-20.0] * 10, empty=-10_000.0, min_episodes=10) == 3.0


def test_good_store_evicts_its_lowest_return_entries_when_full() -> None:
    good = store(capacity=5)
    add_episode(good, 10.0, 2, tag=1)  # rows 0-1
    add_episode(good, -5.0, 2, tag=2)  # rows 2-3: the lowest
    add_episode(good, 3.0, 1, tag=3)  # row 4: full now
    assert good.size == 5 and rows_by_tag(good) == {1.0: 2, 2.0: 2, 3.0: 1}
    add_episode(good, 20.0, 3, tag=4)  # 3 rows in: the two -5 rows and the 3.0 row go
    assert rows_by_tag(good) == {1.0: 2, 4.0: 3}
    assert sorted(good.returns[: good.size].tolist()) == [10.0, 10.0, 20.0, 20.0, 20.0]
    # A partial overflow evicts only what does not fit: one row of the lowest return (10).
    good = store(capacity=5)
    add_episode(good, 10.0, 2, tag=1)
    add_episode(good, 15.0, 2, tag=2)
    add_episode(good, 30.0, 2, tag=3)
    assert good.size == 5 and rows_by_tag(good) == {1.0: 1, 2.0: 2, 3.0: 2}
    assert good.mean_return() == pytest.approx((10 + 15 * 2 + 30 * 2) / 5)


def test_bad_store_is_first_in_first_out() -> None:
    bad = store(capacity=5, keep="fifo")
    add_episode(bad, -1.0, 3, tag=1)
    add_episode(bad, 100.0, 3, tag=2)  # wraps: overwrites the two oldest rows, whatever the returns
    assert rows_by_tag(bad) == {1.0: 2, 2.0: 3}
    add_episode(bad, 0.0, 2, tag=3)
    assert rows_by_tag(bad) == {2.0: 3, 3.0: 2}
    with pytest.raises(ValueError, match="does not fit"):
        add_episode(bad, 0.0, 6, tag=4)
    # Sampling draws with replacement (the release draws 1024 pairs from at most 1000).
    states, actions = bad.sample(np.random.default_rng(0), 50)
    assert states.shape == (50, 2) and set(actions[:, 0].tolist()) <= {2.0, 3.0}


def test_store_state_round_trip() -> None:
    good = store(capacity=5)
    add_episode(good, 1.0, 3, tag=7)
    again = store(capacity=5)
    again.load_state_dict(good.state_dict())
    assert again.size == 3 and rows_by_tag(again) == {7.0: 3} and again.mean_return() == 1.0


def test_td_target_adds_the_mi_bonus_and_stops_at_episode_ends() -> None:
    rewards = torch.tensor([0.0, 0.0, 60.0, -12.0])
    dones = torch.tensor([0.0, 0.0, 1.0, 1.0])
    next_q = torch.tensor([10.0, -4.0, 99.0, 99.0])
    lower = torch.tensor([0.2, 0.4, 0.0, 1.0])
    upper = torch.tensor([0.1, -0.2, 0.5, 0.0])
    bonus = mi_bonus(3.5, 1.0, lower, upper)
    assert torch.allclose(bonus, torch.tensor([0.6, 1.6, -0.5, 3.5]))
    targets = td_target(rewards, dones, next_q, 0.95, bonus)
    expected = torch.tensor([0.95 * 10 + 0.6, 0.95 * -4 + 1.6, 60.0 - 0.5, -12.0 + 3.5])
    assert torch.allclose(targets, expected)
    # With alpha = beta = 0 (CMOff) the target is plain DDPG's.
    plain = td_target(rewards, dones, next_q, 0.95, mi_bonus(0.0, 0.0, lower, upper))
    assert torch.allclose(plain, torch.tensor([9.5, -3.8, 60.0, -12.0]))


def test_faithful_mode_stores_decoded_actions_and_the_default_raw_ones() -> None:
    raw = np.array([[[-1.0, -1.0], [0.2, 0.5], [1.0, 1.0], [-0.01, 0.0]]], np.float32)
    assert stored_actions(raw, 2, faithful=False) is raw
    decoded = stored_actions(raw, 2, faithful=True)
    # server floor((a0 + 1) B / 2) after clipping to +-0.9999; ratio (a1 + 1) / 2.
    assert decoded[0, :, 0].tolist() == [0.0, 1.0, 1.0, 0.0]
    assert np.allclose(decoded[0, :, 1], [0.00005, 0.75, 0.99995, 0.5], atol=1e-6)
    assert decoded[0, 2, 0] == 1.0  # a0 = 1 is clipped first, so it stays in the last of B = 2 bins
    assert stored_actions(np.array([[0.99, 0.0]], np.float32), 3, faithful=True)[0, 0] == 2.0
    assert count_servers(["es0_capacity", "es1_capacity", "device_capacity", "es1_backlog_s"]) == 2
    assert count_servers(["task_bytes", "es0_uplink_bps", "es2_cpu_hz", "es1_jobs"]) == 3


def test_jsd_bound_equals_the_release_fenchel_dual_loss() -> None:
    torch.manual_seed(3)
    scores = torch.randn(7, 7) * 2
    n = scores.shape[0]
    log2 = math.log(2.0)
    mask = torch.eye(n)
    e_pos = log2 - torch.nn.functional.softplus(-scores)
    e_neg = torch.nn.functional.softplus(-scores) + scores - log2
    loss = (e_neg * (1 - mask)).sum(1) / (n - 1) - (e_pos * mask).sum(1)
    assert torch.allclose(jsd_lower_bound(scores), -loss, atol=1e-6)


def test_club_and_l1out_formulas_equal_their_pairwise_definitions() -> None:
    torch.manual_seed(4)
    n, d = 9, 3
    mu, logvar, y = torch.randn(n, d), torch.tanh(torch.randn(n, d)), torch.randn(n, d)
    # CLUB as the release computes it, with the n x n x d differences.
    positive = -((mu - y) ** 2) / 2.0 / logvar.exp()
    negative = -((y.unsqueeze(0) - mu.unsqueeze(1)) ** 2).mean(dim=1) / 2.0 / logvar.exp()
    assert torch.allclose(club_upper_bound(mu, logvar, y), positive.sum(-1) - negative.sum(-1), atol=1e-5)
    # L1Out: log q(y_i|x_i) - log mean_{j != i} q(y_i|x_j) with Gaussian densities.
    dist = torch.distributions.Normal(mu.unsqueeze(0), (0.5 * logvar).exp().unsqueeze(0))
    log_q = dist.log_prob(y.unsqueeze(1)).sum(-1)  # [i, j] = log q(y_i | x_j)
    expected = []
    for i in range(n):
        others = torch.cat([log_q[i, :i], log_q[i, i + 1 :]])
        expected.append(log_q[i, i] - (torch.logsumexp(others, 0) - math.log(n - 1)))
    assert torch.allclose(l1out_upper_bound(mu, logvar, y), torch.stack(expected), atol=1e-4)


def test_episode_recorder_returns_each_envs_episode_in_order() -> None:
    recorder = EpisodeRecorder(num_envs=2, max_steps=3, num_agents=1, obs_dim=1, act_dim=1)
    for t in range(3):
        obs = np.array([[[t]], [[10 + t]]], np.float32)
        which = np.array([True, t < 2])
        rewards = np.array([[t], [10 + t]], np.float32)
        recorder.add(which, obs, obs, rewards, obs + 1, np.array([t == 2, t == 1]), obs[:, 0], obs[:, 0] + 1)
    second = recorder.pop(1)
    assert second["observations"][:, 0, 0].tolist() == [10.0, 11.0] and second["dones"].tolist() == [
        False,
        True,
    ]
    first = recorder.pop(0)
    assert first["rewards"][:, 0].tolist() == [0.0, 1.0, 2.0] and first["states"].shape == (3, 1)
    with pytest.raises(ValueError, match="longer than"):
        for _ in range(4):
            recorder.add(
                np.array([True, False]), obs, obs, rewards, obs, np.array([False] * 2), obs[:, 0], obs[:, 0]
            )


def test_replay_derives_the_state_from_observations_or_stores_it() -> None:
    rng = np.random.default_rng(0)
    obs = rng.normal(size=(6, 3, 4)).astype(np.float32)
    actions = rng.uniform(-1, 1, size=(6, 3, 2)).astype(np.float32)
    rewards = rng.normal(size=(6, 3)).astype(np.float32)
    dones = np.array([False, False, True, False, False, True])
    derived = JointReplay(4, 3, 4, 2, state_dim=None)
    with pytest.raises(ValueError, match="do not fit"):
        derived.add(obs, actions, rewards, obs + 1, dones)
    derived.add(obs[:4], actions[:4], rewards[:4], obs[:4] + 1, dones[:4])
    derived.add(obs[4:], actions[4:], rewards[4:], obs[4:] + 1, dones[4:])  # wraps onto rows 0-1
    assert derived.size == 4 and derived.position == 2
    batch = derived.sample(rng, 32)
    assert torch.equal(batch.states, batch.observations.reshape(32, 12))
    assert torch.equal(batch.next_states, batch.next_observations.reshape(32, 12))
    stored = JointReplay(8, 3, 4, 2, state_dim=5)
    with pytest.raises(ValueError, match="stores states"):
        stored.add(obs, actions, rewards, obs, dones)
    stored.add(obs, actions, rewards, obs, dones, np.ones((6, 5)), np.zeros((6, 5)))
    batch = stored.sample(rng, 16)
    assert batch.states.shape == (16, 5) and (batch.states == 1).all() and (batch.next_states == 0).all()
    again = JointReplay(8, 3, 4, 2, state_dim=5)
    again.load_state_dict(stored.state_dict())
    assert again.size == 6 and np.array_equal(again.actions[:6], actions)


def test_ornstein_uhlenbeck_advances_once_per_agent_and_restarts() -> None:
    noise = OrnsteinUhlenbeck(num_envs=2, act_dim=2, theta=0.15, sigma=0.2)
    rng, reference = np.random.default_rng(5), np.random.default_rng(5)
    out = noise.sample(rng, num_agents=3)
    x = np.zeros((2, 2))
    for agent in range(3):
        x = x + 0.15 * (0 - x) + 0.2 * reference.standard_normal((2, 2))
        assert np.allclose(out[:, agent], x)
    noise.reset(np.array([True, False]))
    assert np.all(noise.x[0] == 0) and np.allclose(noise.x[1], x[1])


def test_auto_options_follow_the_env() -> None:
    release = {"env": "offload-mec-explaboff-v0", "normalize_observations": "auto", "truncation": "auto"}
    assert resolved_options(release) == (False, False)
    assert resolved_options({**release, "env": "offload-mec-v0"}) == (True, True)
    assert resolved_options({**release, "normalize_observations": "on", "truncation": "bootstrap"}) == (
        True,
        True,
    )
    terminations = np.array([[False, False], [True, True], [False, False]])
    truncations = np.array([[True, True], [False, False], [False, False]])
    assert no_bootstrap(terminations, truncations, bootstrap=True).tolist() == [False, True, False]
    assert no_bootstrap(terminations, truncations, bootstrap=False).tolist() == [True, True, False]


def test_uniform_init_and_per_agent_gradient_clipping() -> None:
    torch.manual_seed(0)
    layer = GroupLinear(3, 16, 4, gain=1.0, init="uniform")
    assert (
        layer.weight.abs().max() <= 1 / 4 and layer.bias.abs().max() <= 1 / 4 and layer.bias.abs().sum() > 0
    )
    with pytest.raises(ValueError, match="init 'xavier'"):
        GroupLinear(1, 2, 2, gain=1.0, init="xavier")
    net = AgentMLP(3, 5, 2, (8,), shared=False, activation="relu")
    x = torch.randn(3, 10, 5)
    x[0] *= 100.0  # agent 0's gradient is far larger than the others'
    net(x).pow(2).sum().backward()
    before = [p.grad.clone() for p in net.parameters()]
    norms = clip_grad_norm_per_group(net, 0.5)
    assert norms[0] > 0.5
    for agent in range(3):
        clipped = math.sqrt(sum(float(p.grad[agent].pow(2).sum()) for p in net.parameters()))
        assert clipped == pytest.approx(min(float(norms[agent]), 0.5), rel=1e-4)
        if norms[agent] <= 0.5:  # untouched when under the limit
            assert all(
                torch.equal(p.grad[agent], g[agent]) for p, g in zip(net.parameters(), before, strict=True)
            )


def test_agent_views_replace_only_their_own_action() -> None:
    actions = torch.arange(12, dtype=torch.float32).reshape(2, 3, 2)  # (B, A, act)
    own = -torch.ones(3, 2, 2)  # (A, B, act)
    joint = maddpg.replace_own_actions(actions, own)
    assert joint.shape == (3, 2, 6)
    for agent in range(3):
        view = joint[agent].reshape(2, 3, 2)
        assert (view[:, agent] == -1).all()
        others = [a for a in range(3) if a != agent]
        assert torch.equal(view[:, others], actions[:, others])


def _batch(seed: int, agents: int = 2) -> maddpg.JointBatch:
    g = torch.Generator().manual_seed(seed)
    obs = torch.randn(16, agents, 3, generator=g)
    return maddpg.JointBatch(
        observations=obs,
        states=obs.reshape(16, -1),
        actions=torch.rand(16, agents, 2, generator=g) * 2 - 1,
        rewards=torch.randn(16, agents, generator=g),
        next_observations=obs + 0.1,
        next_states=(obs + 0.1).reshape(16, -1),
        dones=(torch.rand(16, generator=g) < 0.3).float(),
    )


def test_matd3_updates_actors_and_targets_every_policy_delay_critic_updates() -> None:
    torch.manual_seed(0)
    args = matd3.Args(batch_size=16, hidden=(8,))
    assert args.policy_delay == 2 and args.twin_critics and args.target_policy_noise == 0.2
    learner = maddpg.Learner(2, 3, 2, 6, args)
    changed_actor, changed_target = [], []
    for update in range(1, 7):
        batch = _batch(update)
        actor_before = [p.clone() for p in learner.actors.parameters()]
        target_before = [p.clone() for p in learner.critic_targets.parameters()]
        stats = learner.update(batch, batch.observations.transpose(0, 1), batch.states,
                               batch.next_observations.transpose(0, 1), batch.next_states)  # fmt: skip
        changed_actor.append(
            any(not torch.equal(a, b) for a, b in zip(actor_before, learner.actors.parameters(), strict=True))
        )
        changed_target.append(
            any(
                not torch.equal(a, b)
                for a, b in zip(target_before, learner.critic_targets.parameters(), strict=True)
            )
        )
        assert ("losses/actor" in stats) == (update % 2 == 0)
    assert learner.critic_updates == 6 and learner.actor_updates == 3
    assert changed_actor == [False, True, False, True, False, True]
    assert changed_target == changed_actor
    # MADDPG: an actor update with every critic update.
    plain = maddpg.Learner(2, 3, 2, 6, maddpg.Args(batch_size=16, hidden=(8,)))
    for update in range(3):
        batch = _batch(10 + update)
        plain.update(batch, batch.observations.transpose(0, 1), batch.states,
                     batch.next_observations.transpose(0, 1), batch.next_states)  # fmt: skip
    assert plain.critic_updates == plain.actor_updates == 3 and plain.critics.q2 is None


def test_maddpg_target_per_agent_and_matd3_takes_the_twin_minimum() -> None:
    torch.manual_seed(1)
    batch = _batch(0)
    next_x = batch.next_observations.transpose(0, 1)
    plain = maddpg.Learner(2, 3, 2, 6, maddpg.Args(batch_size=16, hidden=(8,)))
    y = plain.targets(batch, next_x, batch.next_states)
    with torch.no_grad():
        mu = plain.actor_targets(next_x).transpose(0, 1).reshape(1, 16, 4).expand(2, -1, -1)
        q, _ = plain.critic_targets(batch.next_states, mu)
    assert torch.allclose(y, batch.rewards.T + 0.95 * (1 - batch.dones) * q)
    twin_args = dataclasses.replace(matd3.Args(batch_size=16, hidden=(8,)), target_policy_noise=0.0)
    twin = maddpg.Learner(2, 3, 2, 6, twin_args)
    y = twin.targets(batch, next_x, batch.next_states)
    with torch.no_grad():
        mu = twin.actor_targets(next_x).transpose(0, 1).reshape(1, 16, 4).expand(2, -1, -1)
        q1, q2 = twin.critic_targets(batch.next_states, mu)
    assert q2 is not None and not torch.allclose(q1, q2)
    assert torch.allclose(y, batch.rewards.T + 0.95 * (1 - batch.dones) * torch.minimum(q1, q2))


def test_mappo_value_loss_and_value_normalisation() -> None:
    new = torch.tensor([1.0, 0.0, 20.0])
    old = torch.tensor([0.0, 0.0, 0.0])
    targets = torch.tensor([1.0, 0.5, 20.0])
    loss = clipped_value_loss(new, old, targets, clip=0.2, delta=10.0)
    # element 0: unclipped exact (0) but clipped prediction 0.2 -> Huber 0.5 * 0.8^2; the larger counts.
    assert loss[0].item() == pytest.approx(0.5 * 0.8**2)
    assert loss[1].item() == pytest.approx(0.5 * 0.5**2)
    # element 2: the clipped prediction 0.2 is 19.8 away: Huber's linear part 10 * (19.8 - 5).
    assert loss[2].item() == pytest.approx(10 * (19.8 - 5))
    norm = ValueNorm(enabled=True)
    returns = torch.tensor([[60.0, 40.0, -10.0, 0.0]])
    norm.update(returns)
    standardised = norm.normalize(returns)
    assert standardised.mean().item() == pytest.approx(0.0, abs=1e-4)
    assert torch.allclose(norm.denormalize(standardised), returns, atol=1e-4)
    off = ValueNorm(enabled=False)
    off.update(returns)
    assert torch.equal(off.normalize(returns), returns)


def test_means_average_between_pops() -> None:
    means = Means()
    means.add({"a": 1.0, "b": 4.0})
    means.add({"a": 3.0})
    assert means.pop() == {"a": 2.0, "b": 4.0}
    assert means.pop() == {}
