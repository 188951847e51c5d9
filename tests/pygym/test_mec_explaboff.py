"""offload-mec-explaboff-v0 on the real simulator: hand-worked episodes (rewards, infos,
the release's logged cost and success rate), an independent re-implementation of the released rules run
against the simulator over many random episodes, and the named errors."""

from __future__ import annotations

import numpy as np
import pytest

import pygym

pytestmark = pytest.mark.jvm

ENV = "offload-mec-explaboff-v0"
# Sizes equal to their class means, device m holding class m: 7, 6, 3 in 2x3.
SCRIPTED = {"task_size_std": 0, "shuffle_classes": False}
ES0, ES1 = -0.5, 0.5  # the centres of the two servers' bins of [-1, 1]


def act(*pairs: tuple[float, float]) -> dict[str, np.ndarray]:
    """Raw actions per device from (server bin value, offload ratio p)."""
    return {f"md_{m}": np.array([a0, 2 * p - 1], np.float32) for m, (a0, p) in enumerate(pairs)}


@pytest.fixture(scope="module")
def scripted():
    env = pygym.make(ENV, **SCRIPTED)
    yield env
    env.close()


@pytest.mark.parametrize(("setting", "devices", "obs_dim"), [("2x3", 3, 16), ("2x5", 5, 20), ("3x7", 7, 27)])
def test_spaces_follow_the_published_settings(setting: str, devices: int, obs_dim: int) -> None:
    with pygym.make(ENV, setting=setting) as env:
        assert env.possible_agents == [f"md_{m}" for m in range(devices)]
        space = env.action_space("md_0")
        assert space is env.action_space("md_0")
        assert space.shape == (2,) and space.low.tolist() == [-1, -1] and space.high.tolist() == [1, 1]
        assert env.observation_space("md_0").shape == (obs_dim,)
        observations, infos = env.reset(seed=5)
        assert env.state().shape == env.state_space.shape == (devices * obs_dim,)
        np.testing.assert_array_equal(env.state(), np.concatenate([observations[a] for a in env.agents]))
        assert "action_mask" not in infos["md_0"]
        assert sorted(infos[a]["class_index"] for a in env.agents) == list(range(devices))


def test_hand_worked_episode_that_ends_early(scripted) -> None:
    env = scripted
    observations, infos = env.reset(seed=1)
    np.testing.assert_allclose(
        observations["md_0"],
        [6 / 25, 12 / 25, 1 / 3, 7 / 20, 1.808 / 5, 7 / 20, 6 / 20, 3 / 20, 1, 0, 0,
         0.3011 / 0.5, 0.303 / 0.5, 0, 0, -1],
        rtol=1e-6,
    )  # fmt: skip
    assert infos["md_0"]["class_mean"] == 7 and infos["md_2"]["class_mean"] == 3
    # Steps 1-2 everyone on server 1 (order md_2, md_1, md_0 by upload time), step 3 md_0 moves to server 0.
    w2, w1, w0 = 0.106 + 0.125, 0.104 + 0.375, 0.102 + 7 * 0.875 / 12
    carry1 = w2 + w1 + w0 - 1
    carry2 = carry1 + 0.125 + 0.375 + 7 * 0.875 / 12 - 1
    expected_cost_md0 = [0.303 + w2 + w1 + w0, 0.303 + carry2 + 1, 0.3011 + 0.101 + 7 * 0.875 / 6]
    expected_backlog = [[0, carry1], [0, carry2], [0.101 + 7 * 0.875 / 6 - 1, 0]]
    for step in range(3):
        first = ES0 if step == 2 else ES1
        _, rewards, terms, truncs, infos = env.step(act((first, 0.875), (ES1, 0.75), (ES1, 0.5)))
        assert rewards == dict.fromkeys(env.possible_agents, 0.0)  # sparse: nothing before the end
        assert not any(terms.values()) and not any(truncs.values())
        assert infos["md_0"]["cost"] == pytest.approx(expected_cost_md0[step], abs=1e-12)
        assert infos["md_1"]["cost"] == pytest.approx(1.5) and infos["md_2"]["cost"] == pytest.approx(1.5)
        np.testing.assert_allclose(infos["md_1"]["server_backlog_s"], expected_backlog[step], atol=1e-7)
        assert infos["md_0"]["step_success"] and not infos["md_0"]["episode"].any()  # zeros until the end
    assert infos["md_0"]["server"] == 0 and infos["md_0"]["edge_latency_s"] == pytest.approx(
        expected_cost_md0[2]
    )
    # Step 4: md_1 keeps 75 % local: 4.5 s > 1.806 s. Terminated; reward -10 x 4.5 / 3 for every device.
    _, rewards, terms, truncs, infos = env.step(act((ES0, 0.875), (ES1, 0.25), (ES1, 0.5)))
    assert all(terms.values()) and not any(truncs.values()) and env.agents == []
    assert rewards == dict.fromkeys(env.possible_agents, pytest.approx(-15.0))
    assert infos["md_1"]["missed"] and infos["md_1"]["local_latency_s"] == pytest.approx(4.5)
    episode = dict(zip(env.episode_fields, infos["md_2"]["episode"], strict=True))
    assert episode == pytest.approx({key: float(value) for key, value in env.episode.items()})
    assert episode["avg_cost"] == pytest.approx(4.5)  # the max cost of the failing step, as logged
    assert episode["success_rate"] == pytest.approx(3 / 9)  # (4 steps - 1) / (10 - 1)
    assert episode["cost_max_logged"] == pytest.approx(4.5 * 4.5)  # the release's logging bug
    assert episode["return"] == pytest.approx(-15.0)
    assert episode["length"] == 4 and episode["ended_early"] and episode["missed_deadlines"] == 1


def safe_episode_costs() -> np.ndarray:
    """Per step and device costs of the 'safe' plan: md_0 to ES1 with p 0.875, md_1 to ES0 with p 0.75 and
    md_2 to ES1 with p 0.5."""
    md0_first = 0.303 + (0.106 + 0.125) + (0.102 + 7 * 0.875 / 12)  # both switch times, no carry (0.84 < 1)
    md0_later = 0.303 + 0.125 + 7 * 0.875 / 12
    costs = np.full((10, 3), 1.5)  # md_1 and md_2: their local part (1.5 s) is the larger
    costs[:, 0] = [md0_first] + [md0_later] * 9
    return costs


def test_hand_worked_full_episode_earns_60_over_mean_cost_squared(scripted) -> None:
    env = scripted
    env.reset(seed=2)
    steps = 0
    while env.agents:
        _, rewards, terms, truncs, _ = env.step(act((ES1, 0.875), (ES0, 0.75), (ES1, 0.5)))
        steps += 1
    costs = safe_episode_costs()
    c_mean = costs.mean()
    assert steps == 10 and all(truncs.values()) and not any(terms.values())
    assert rewards["md_0"] == pytest.approx(60 / c_mean**2, rel=1e-12)
    episode = env.episode
    assert episode["avg_cost"] == pytest.approx(c_mean, rel=1e-12)
    assert episode["success_rate"] == 1.0 and not episode["ended_early"]
    assert episode["cost_max_logged"] == pytest.approx(costs.mean(axis=0).max() * c_mean)


def test_a_miss_on_the_last_step_counts_as_success_as_released(scripted) -> None:
    env = scripted
    env.reset(seed=3)
    for _ in range(9):
        env.step(act((ES1, 0.875), (ES0, 0.75), (ES1, 0.5)))
    _, rewards, terms, truncs, _ = env.step(act((ES1, 0.875), (ES0, 0.25), (ES1, 0.5)))
    costs = safe_episode_costs()
    costs[9, 1] = 4.5
    assert all(terms.values()) and not any(truncs.values())  # honest flags: a miss is terminal
    assert rewards["md_0"] == pytest.approx(60 / costs.mean() ** 2, rel=1e-12)  # but the reward is positive
    episode = env.episode
    assert episode["success_rate"] == 1.0 and episode["missed_on_last_step"] and not episode["ended_early"]
    assert episode["avg_cost"] == pytest.approx(costs.mean(), rel=1e-12)


class ReleasedRules:
    """The released environment's step (ExplabOff notes, sections 1.4 and 1.7-1.9), written independently of
    the simulator: each server keeps a list of per-task remaining process times and drains it item by item."""

    def __init__(self, caps: list[float], uploads: np.ndarray, switches: np.ndarray) -> None:
        self.caps, self.uploads, self.switches = caps, uploads, switches
        self.queues: list[list[float]] = [[] for _ in caps]
        self.seen: list[set[int]] = [set() for _ in caps]
        self.costs: list[np.ndarray] = []

    def step(self, t: int, sizes: np.ndarray, deadlines: np.ndarray, raw: np.ndarray):
        n, b_count = len(sizes), len(self.caps)
        a = np.clip(raw.astype(np.float64), -0.9999, 0.9999)
        servers = np.floor((a[:, 0] + 1) * b_count / 2).astype(int)
        p = (a[:, 1] + 1) / 2
        cost = np.zeros(n)
        for b in range(b_count):
            for m in sorted((m for m in range(n) if servers[m] == b), key=lambda m: self.uploads[m][b]):
                switch = 0.0 if m in self.seen[b] else self.switches[m][b]
                self.seen[b].add(m)
                self.queues[b].append(switch + sizes[m] * p[m] / self.caps[b])
                cost[m] = max(sizes[m] * (1 - p[m]), self.uploads[m][b] + sum(self.queues[b]))
            left, queue = 1.0, self.queues[b]
            while queue and left > 0:
                if queue[0] <= left:
                    left -= queue.pop(0)
                else:
                    queue[0] -= left
                    left = 0.0
        self.costs.append(cost)
        missed = cost > deadlines
        reward = 0.0
        if t == 10:
            reward = 60 / np.mean(self.costs) ** 2
        elif missed.any():
            reward = float(np.mean(np.where(missed, -10 * cost, 0.0)))
        return servers, cost, missed, reward, bool(missed.any() or t == 10)


TABLES = {
    "2x3": ([6.0, 12.0], [[0.3011, 0.303], [0.3021, 0.302], [0.3031, 0.301]],
            [[0.101, 0.102], [0.103, 0.104], [0.105, 0.106]], [1.808, 1.806, 1.805], [7, 6, 3]),
    "3x7": ([10.0, 19.0, 26.0],
            [[0.3011, 0.303, 0.302], [0.3021, 0.302, 0.301], [0.3031, 0.301, 0.302], [0.3021, 0.302, 0.303],
             [0.3031, 0.301, 0.302], [0.3021, 0.302, 0.301], [0.3031, 0.301, 0.302]],
            [[0.101, 0.102, 0.103], [0.103, 0.104, 0.102], [0.105, 0.106, 0.104], [0.101, 0.102, 0.103],
             [0.103, 0.104, 0.105], [0.103, 0.104, 0.102], [0.105, 0.106, 0.104]],
            [2.208, 2.206, 2.205, 2.206, 2.205, 2.206, 2.205], [7, 6, 3, 4, 5, 4.5, 5.5]),
}  # fmt: skip


# Plans that meet every deadline (class mean -> server, ratio); noise around them gives long episodes whose
# backlogs carry over, and occasional late misses.
PLANS = {
    "2x3": {7: (1, 0.875), 6: (0, 0.75), 3: (1, 0.5)},
    "3x7": {7: (2, 0.8), 6: (1, 0.75), 3: (0, 0.5), 4: (0, 0.6), 5: (1, 0.65), 4.5: (2, 0.6), 5.5: (2, 0.7)},
}


def actions_for(
    mode: int, rng: np.random.Generator, infos: dict, agents: list[str], setting: str
) -> np.ndarray:
    raw = np.empty((len(agents), 2), np.float32)
    if mode == 0:  # anything, a few values outside [-1, 1] (clipped)
        raw[:] = rng.uniform(-1.2, 1.2, raw.shape)
    elif mode == 1:  # any server, mostly large ratios
        raw[:, 0] = rng.uniform(-1, 1, len(raw))
        raw[:, 1] = rng.uniform(0.4, 1.2, len(raw))
    else:  # the plan with noise, now and then another server
        servers = len(TABLES[setting][0])
        for i, agent in enumerate(agents):
            server, ratio = PLANS[setting][infos[agent]["class_mean"]]
            if rng.random() < 0.05:
                server = int(rng.integers(servers))
            raw[i] = [(2 * server + 1) / servers - 1, 2 * (ratio + rng.uniform(-0.03, 0.08)) - 1]
    return raw


@pytest.mark.parametrize(("setting", "episodes"), [("2x3", 300), ("3x7", 120)])
def test_simulator_agrees_with_an_independent_implementation_of_the_released_rules(
    setting: str, episodes: int
) -> None:
    caps, uploads, switches, deadlines, means = TABLES[setting]
    rng = np.random.default_rng(7)
    steps_compared = 0
    lengths = []
    with pygym.make(ENV, setting=setting, observation="raw") as env:
        col = env._metric_index
        obs_col = {name: i for i, name in enumerate(env.observation_fields)}
        for episode in range(episodes):
            observations, infos = env.reset(seed=episode)
            classes = [infos[a]["class_index"] for a in env.agents]
            rules = ReleasedRules(caps, np.array(uploads), np.array(switches))
            t = 0
            while env.agents:
                t += 1
                raw = actions_for(episode % 3, rng, infos, env.agents, setting)
                sizes_seen = np.array([observations[a][obs_col["task_size"]] for a in env.agents])
                observations, rewards, terms, truncs, infos = env.step(
                    dict(zip(env.agents, raw, strict=True))
                )
                m = env.last_frame.metrics
                sizes = m[:, col["task_size"]]
                np.testing.assert_array_equal(
                    sizes.astype(np.float32), sizes_seen
                )  # the task observed is run
                np.testing.assert_array_equal(m[:, col["deadline_s"]], [deadlines[c] for c in classes])
                servers, cost, missed, reward, end = rules.step(t, sizes, m[:, col["deadline_s"]], raw)
                np.testing.assert_array_equal(m[:, col["server"]], servers)
                np.testing.assert_allclose(m[:, col["cost"]], cost, rtol=0, atol=1e-9)
                np.testing.assert_array_equal(m[:, col["missed"]] > 0, missed)
                assert all(r == pytest.approx(reward, rel=1e-9, abs=1e-12) for r in rewards.values())
                assert (any(terms.values()) or any(truncs.values())) == end
                backlogs = np.array([sum(q) for q in rules.queues])
                np.testing.assert_allclose(infos["md_0"]["server_backlog_s"], backlogs, atol=1e-5)
                np.testing.assert_array_equal(observations["md_0"][obs_col["last_server"]], servers[0])
                assert np.mean([abs(s - means[c]) for s, c in zip(sizes, classes, strict=True)]) < 0.5
                steps_compared += 1
            lengths.append(t)
    assert steps_compared >= episodes * 3, steps_compared
    assert lengths.count(10) >= episodes // 5 and lengths.count(1) >= episodes // 5, np.bincount(lengths)
    assert len(set(lengths)) >= 5, np.bincount(lengths)  # early ends at many different steps


def test_whole_episodes_are_reproducible() -> None:
    def run(env, seed: int) -> list[bytes]:
        rng = np.random.default_rng(seed + 100)
        env.reset(seed=seed)
        trace = [env.last_frame.observation.tobytes()]
        while env.agents:
            actions = {a: rng.uniform([-1, 0.5], [1, 1]).astype(np.float32) for a in env.agents}
            _, rewards, _, _, _ = env.step(actions)
            f = env.last_frame
            trace.append(
                f.observation.tobytes() + f.metrics.tobytes() + f.state.tobytes() + str(rewards).encode()
            )
        return trace

    with pygym.make(ENV, setting="2x5") as a, pygym.make(ENV, setting="2x5") as b:
        compared = 0
        for seed in range(30):
            first, second = run(a, seed), run(b, seed)
            assert first == second
            compared += len(first)
        assert compared >= 60
        assert run(a, 1) != run(a, 2)


def test_named_errors_and_clipping(scripted) -> None:
    with pytest.raises(pygym.ConfigError, match=r"'setting' = 4x9.*expected one of auto, 2x3, 2x5, 3x7"):
        pygym.make(ENV, setting="4x9")
    with pytest.raises(
        pygym.ConfigError, match=r"'n_devices' = 4.*tables exist for 2x3 \(2 servers, 3 devices\)"
    ):
        pygym.make(ENV, n_devices=4)
    with pytest.raises(pygym.ConfigError, match=r"expected auto or 7 \(setting 3x7 has 7 devices\)"):
        pygym.make(ENV, setting="3x7", n_devices=5)
    with pytest.raises(pygym.ConfigError, match=r"unknown reward 'dense'.*known: sparse"):
        pygym.make(ENV, reward="dense")
    with pytest.raises(pygym.ConfigError, match="takes no reward_weights"):
        pygym.make(ENV, reward_weights={"miss": 1})
    env = scripted
    env.reset(seed=1)
    good = act((ES1, 0.875), (ES1, 0.75), (ES1, 0.5))
    with pytest.raises(pygym.ActionError, match=r"action for md_1 has shape \(3,\); expected \(2,\)"):
        env.step({**good, "md_1": np.zeros(3, np.float32)})
    with pytest.raises(pygym.ActionError, match=r"action for md_2 is .*expected finite numbers, not NaN"):
        env.step({**good, "md_2": np.array([0.0, np.nan], np.float32)})
    # The simulator checks again what Python let through.
    group = env._live_group().groups[0]
    one = (np.zeros(1, np.int8), np.zeros(1, np.int64))
    with pytest.raises(pygym.ActionError, match="env 0, agent md_0: offload_ratio is NaN; expected a finite"):
        group.send(group.layout.encode_input(*one, np.array([[[0, np.nan], [0, 0], [0, 0]]]), False))
    with pytest.raises(
        pygym.FrameError, match=r"expected 56 for 1 sessions of 3 agents x 2 little-endian float32"
    ):
        group.send(group.layout.encode_input(*one, np.zeros((1, 3, 2)), False)[:44])
    # Outside [-1, 1] is clipped like the release (to +-0.9999), not rejected.
    _, _, _, _, infos = env.step({**good, "md_0": np.array([5.0, -3.0], np.float32)})
    assert infos["md_0"]["server"] == 1 and infos["md_0"]["offload_ratio"] == pytest.approx(0.00005)


def test_render_and_card() -> None:
    with pygym.make(ENV, render_mode="ansi", **SCRIPTED) as env:
        env.reset(seed=1)
        env.step(act((ES1, 0.875), (ES1, 0.75), (ES1, 0.25)))
        text = env.render()
        assert "md_1" in text and "MISS" in text
    import pygym.envs.offload_mec_explaboff as card

    assert "a miss on the last step still takes" in (card.__doc__ or "")
