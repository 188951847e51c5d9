"""The maths of the trainers on hand-made batches: Double DQN targets, masks, n-step returns and GAE."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from agents.common.actions import epsilon_greedy, masked_argmax, masked_categorical, uniform_allowed
from agents.common.buffers import ReplayBuffer
from agents.common.losses import clipped_policy_loss
from agents.common.nets import AgentMLP
from agents.common.normalize import RunningNormalizer
from agents.common.returns import gae, nstep_returns
from agents.ddqn import double_dqn_targets, linear_schedule


def test_double_dqn_target_uses_the_online_argmax_and_differs_from_the_dqn_target() -> None:
    # One agent, three transitions. The online net prefers action 1 in s'; the target net values action 2
    # highest, but action 2 is masked in the second transition.
    rewards = torch.tensor([[1.0, 0.5, -1.0]])
    next_q_online = torch.tensor([[[0.0, 5.0, 1.0], [0.0, 1.0, 9.0], [3.0, 2.0, 1.0]]])
    next_q_target = torch.tensor([[[1.0, 2.0, 10.0], [4.0, 3.0, 20.0], [6.0, 7.0, 8.0]]])
    next_masks = torch.tensor([[[True, True, True], [True, True, False], [True, True, True]]])
    terminations = torch.tensor([[False, False, True]])
    gamma = 0.9
    targets = double_dqn_targets(rewards, next_q_online, next_q_target, next_masks, terminations, gamma)
    # online argmax: action 1 (Q_target 2.0); action 1 among {0, 1} (Q_target 3.0); terminated: r only.
    expected = torch.tensor([[1.0 + 0.9 * 2.0, 0.5 + 0.9 * 3.0, -1.0]])
    assert torch.allclose(targets, expected)
    # The plain DQN target (max of the target net over allowed actions) is what PeersimGym computes.
    dqn = torch.tensor([[1.0 + 0.9 * 10.0, 0.5 + 0.9 * 4.0, -1.0]])
    assert not torch.allclose(targets, dqn)
    assert (targets - dqn).abs().sum() > 1.0


def test_truncated_transitions_are_bootstrapped_by_the_dqn_target() -> None:
    # A truncation is not stored as a termination: the target still bootstraps.
    targets = double_dqn_targets(
        torch.tensor([[0.0]]),
        torch.tensor([[[1.0, 0.0]]]),
        torch.tensor([[[2.0, 0.0]]]),
        torch.tensor([[[True, True]]]),
        torch.tensor([[False]]),
        0.5,
    )
    assert targets.item() == pytest.approx(1.0)


@pytest.mark.parametrize("epsilon", [0.0, 0.3, 1.0])
def test_masked_actions_are_never_chosen_greedy_or_exploring(epsilon: float) -> None:
    rng = np.random.default_rng(7)
    steps, envs, agents, n_actions = 400, 4, 5, 6
    chosen = np.zeros(n_actions, dtype=np.int64)
    explored = 0
    for _ in range(steps):
        masks = rng.random((envs, agents, n_actions)) < 0.4
        masks[..., 0] = True
        # The best Q-value always sits on a masked action when one exists.
        q_values = torch.from_numpy(np.where(masks, 0.0, 100.0).astype(np.float32))
        actions, explore = epsilon_greedy(rng, q_values, masks, epsilon)
        assert masks[np.arange(envs)[:, None], np.arange(agents), actions].all()
        np.add.at(chosen, actions.ravel(), 1)
        explored += int(explore.sum())
    assert chosen.sum() == steps * envs * agents == 8000
    assert explored == pytest.approx(epsilon * 8000, abs=200)
    if epsilon > 0:
        assert (chosen > 0).sum() >= 4  # exploration reached several allowed actions


def test_uniform_allowed_is_uniform_over_the_allowed_actions() -> None:
    rng = np.random.default_rng(1)
    mask = np.array([[True, False, True, True, False]] * 30_000)
    counts = np.bincount(uniform_allowed(rng, mask), minlength=5)
    assert counts[1] == counts[4] == 0
    assert counts.sum() == 30_000
    assert np.allclose(counts[[0, 2, 3]] / 30_000, 1 / 3, atol=0.015)
    with pytest.raises(ValueError, match="allows no action"):
        uniform_allowed(rng, np.zeros((2, 3), dtype=bool))


def test_masked_categorical_samples_only_allowed_actions_and_has_their_entropy() -> None:
    torch.manual_seed(0)
    logits = torch.tensor([[10.0, 0.0, 0.0, 0.0]]).expand(5_000, 4)
    mask = torch.tensor([[False, True, True, False]]).expand(5_000, 4)
    dist = masked_categorical(logits, mask)
    samples = dist.sample()
    assert set(samples.unique().tolist()) == {1, 2}
    assert torch.allclose(dist.entropy(), torch.full((5_000,), float(np.log(2))), atol=1e-5)
    assert torch.isfinite(dist.log_prob(samples)).all()
    assert masked_argmax(logits, mask)[0].item() == 1


# A hand-made trajectory of one env, T = 5: reward 1 each step; the episode terminates at t = 1 (so t = 2
# is the autoreset step), and is truncated at t = 4. values[t + 1] is V of the observation step t returned.
REWARDS = torch.tensor([1.0, 1.0, 0.0, 1.0, 1.0])
VALUES = torch.tensor([0.5, 0.6, 0.7, 0.8, 0.9, 2.0])
TERMINATED = torch.tensor([False, True, False, False, False])
TRUNCATED = torch.tensor([False, False, False, False, True])
GAMMA = 0.9


def test_nstep_returns_stop_at_termination_and_bootstrap_truncation_from_the_final_value() -> None:
    returns = nstep_returns(REWARDS, VALUES, TERMINATED, TRUNCATED, GAMMA)
    r4 = 1.0 + 0.9 * 2.0  # truncated: V(final observation) = values[5]
    r3 = 1.0 + 0.9 * r4
    r2 = 0.0 + 0.9 * r3  # the autoreset step (masked out of losses) sees the next episode
    r1 = 1.0  # terminated: no bootstrap
    r0 = 1.0 + 0.9 * r1
    assert torch.allclose(returns, torch.tensor([r0, r1, r2, r3, r4]))


def test_gae_by_hand_and_equal_to_nstep_returns_at_lambda_one() -> None:
    lam = 0.5
    advantages = gae(REWARDS, VALUES, TERMINATED, TRUNCATED, GAMMA, lam)
    d = [
        1.0 + 0.9 * 0.6 - 0.5,
        1.0 - 0.6,  # terminated: no bootstrap
        0.0 + 0.9 * 0.8 - 0.7,
        1.0 + 0.9 * 0.9 - 0.8,
        1.0 + 0.9 * 2.0 - 0.9,  # truncated: bootstrapped from the final observation's value
    ]
    a4 = d[4]
    a3 = d[3] + 0.9 * lam * a4
    a2 = d[2] + 0.9 * lam * a3
    a1 = d[1]  # nothing flows back across the end
    a0 = d[0] + 0.9 * lam * a1
    assert torch.allclose(advantages, torch.tensor([a0, a1, a2, a3, a4]))
    lambda_one = gae(REWARDS, VALUES, TERMINATED, TRUNCATED, GAMMA, 1.0) + VALUES[:-1]
    assert torch.allclose(lambda_one, nstep_returns(REWARDS, VALUES, TERMINATED, TRUNCATED, GAMMA))


def test_returns_reject_misshaped_inputs() -> None:
    with pytest.raises(ValueError, match="T \\+ 1"):
        gae(REWARDS, VALUES[:-1], TERMINATED, TRUNCATED, GAMMA, 0.9)
    with pytest.raises(ValueError, match="boolean"):
        nstep_returns(REWARDS, VALUES, TERMINATED.float(), TRUNCATED, GAMMA)


def test_replay_skips_invalid_rows_and_each_agent_samples_its_own_rows() -> None:
    buffer = ReplayBuffer(capacity=10, num_agents=2, obs_dim=1, n_actions=2)
    total = 0
    for step in range(8):
        obs = np.array([[[step], [100 + step]], [[50 + step], [150 + step]]], dtype=np.float32)
        valid = np.array([True, step % 2 == 0])
        total += buffer.add(
            obs, np.zeros((2, 2), np.int64), np.zeros((2, 2), np.float32), obs + 1,
            np.zeros((2, 2), bool), np.ones((2, 2, 2), bool), valid,
        )  # fmt: skip
    assert total == 12 and buffer.size == 10 and buffer.position == 2
    stored = set(buffer.observations[:, 0, 0].tolist())
    assert stored.isdisjoint({51.0, 53.0, 55.0, 57.0})  # the invalid rows of env 1 were not stored
    batch = buffer.sample(np.random.default_rng(0), 64)
    assert batch.observations.shape == (2, 64, 1)
    # Agent 1's observations are agent 1's (100 + ...), sampled independently of agent 0's rows.
    assert (batch.observations[1] >= 100).all() and (batch.observations[0] < 100).all()
    assert not torch.equal(batch.observations[0] % 50, batch.observations[1] % 50)
    restored = ReplayBuffer(capacity=10, num_agents=2, obs_dim=1, n_actions=2)
    restored.load_state_dict(buffer.state_dict())
    assert np.array_equal(restored.observations, buffer.observations) and restored.position == 2


def test_running_normaliser_matches_numpy_over_batches() -> None:
    rng = np.random.default_rng(3)
    data = rng.normal([1e9, 5.0], [2e8, 1.0], size=(3000, 2))
    normalizer = RunningNormalizer(2)
    for chunk in np.split(data, 30):
        normalizer.update(chunk)
    assert np.allclose(normalizer.mean, data.mean(axis=0), rtol=1e-6)
    assert np.allclose(normalizer.var, data.var(axis=0), rtol=1e-3)
    out = normalizer(torch.tensor(data, dtype=torch.float32))
    assert out.abs().max() <= 10.0 and abs(float(out.mean())) < 0.05
    with pytest.raises(ValueError, match="NaN"):
        normalizer.update(np.array([[np.nan, 1.0]]))
    before = (normalizer.mean.copy(), normalizer.var.copy(), normalizer.count)
    normalizer.update(np.zeros((0, 2)))  # a rollout with no valid row changes nothing
    assert np.array_equal(normalizer.mean, before[0]) and np.array_equal(normalizer.var, before[1])
    assert normalizer.count == before[2]


def test_agent_mlp_independent_nets_differ_and_shared_net_sees_the_agent_index() -> None:
    torch.manual_seed(0)
    x = torch.ones(3, 4, 5)
    independent = AgentMLP(3, 5, 2, (8,), shared=False)
    out = independent(x)
    assert out.shape == (3, 4, 2) and not torch.allclose(out[0], out[1])
    shared = AgentMLP(3, 5, 2, (8,), shared=True)
    out = shared(x)
    assert out.shape == (3, 4, 2) and not torch.allclose(out[0], out[1])
    assert sum(p.numel() for p in shared.parameters()) == (5 + 3) * 8 + 8 + 8 * 2 + 2


def test_linear_schedule() -> None:
    assert linear_schedule(1.0, 0.1, 100, 0) == 1.0
    assert linear_schedule(1.0, 0.1, 100, 50) == pytest.approx(0.55)
    assert linear_schedule(1.0, 0.1, 100, 1000) == pytest.approx(0.1)


def test_clipped_policy_loss_counts_only_weighted_rows() -> None:
    logratio = torch.tensor([[0.0, 0.5, -0.5, 3.0]])
    advantages = torch.tensor([[1.0, 2.0, -1.0, 100.0]])
    weight = torch.tensor([[1.0, 1.0, 1.0, 0.0]])  # the last row is an autoreset step: ignored
    loss, approx_kl, clipfrac = clipped_policy_loss(logratio, advantages, weight, 0.2, False)
    ratio = logratio[0, :3].exp()
    expected = torch.max(-advantages[0, :3] * ratio, -advantages[0, :3] * ratio.clamp(0.8, 1.2)).mean()
    assert torch.allclose(loss, expected)
    assert torch.allclose(approx_kl, ((ratio - 1) - logratio[0, :3]).mean())
    assert clipfrac == pytest.approx(2 / 3)
    normalised, _, _ = clipped_policy_loss(logratio, advantages, weight, 0.2, True)
    valid = advantages[0, :3]
    standard = (valid - valid.mean()) / (valid.std(unbiased=False) + 1e-8)
    assert torch.allclose(normalised, torch.max(-standard * ratio, -standard * ratio.clamp(0.8, 1.2)).mean())
