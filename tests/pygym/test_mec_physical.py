"""offload-mec-v0 on the real simulator: rewards from the measured costs, the physics of
one device worked by hand, conservation of tasks, reproducibility and named errors."""

from __future__ import annotations

import math

import numpy as np
import pytest

import pygym
from pygym.envs.offload_mec import MecCostWeights

pytestmark = pytest.mark.jvm

ENV = "offload-mec-v0"


def test_spaces_state_and_layout() -> None:
    with pygym.make(ENV, n_devices=7, n_servers=3) as env:
        assert env.possible_agents == [f"md_{m}" for m in range(7)]
        assert env.observation_space("md_0").shape == (10 + 6 * 3 + 7,)
        # The first layout's fields keep their indices; the later ones follow them.
        first = ["task_bytes", "task_cycles", "task_deadline_s"]
        first += ["cpu_hz", "local_backlog_s", "uplink_backlog_s"]
        first += [f"es{k}_{f}" for k in range(3) for f in ("uplink_bps", "cpu_hz", "backlog_cycles", "jobs")]
        first += [f"md{j}_task_bytes" for j in range(7)]
        assert env.observation_fields[: len(first)] == first
        assert env.observation_fields[len(first) :] == [
            "task_present", "task_output_bytes", "queued_tasks", "cores",
            *[f"es{k}_{f}" for k in range(3) for f in ("cores", "latency_s")],
        ]  # fmt: skip
        assert env.action_space("md_3").shape == (2,)
        observations, _ = env.reset(seed=1)
        assert env.state().shape == (7 * 35,)
        np.testing.assert_array_equal(env.state(), np.concatenate([observations[a] for a in env.agents]))
        assert env.n_servers == 3 and env.n_devices == 7 and env.server_names == ("es_0", "es_1", "es_2")
        obs = dict(zip(env.observation_fields, observations["md_0"], strict=True))
        # In a cell: one core each, no propagation delay, the generator's task always present, no output.
        assert obs["cores"] == obs["es2_cores"] == 1 and obs["es1_latency_s"] == 0
        assert obs["task_present"] == 1 and obs["queued_tasks"] == 1 and obs["task_output_bytes"] == 0


def test_one_device_worked_by_hand() -> None:
    fixed = {"n_devices": 1, "n_servers": 1, "task_bytes_min": 0.5e6, "task_bytes_max": 0.5e6,
             "server_hz_min": 10e9, "server_hz_max": 10e9}  # fmt: skip
    with pygym.make(ENV, reward="agent", **fixed) as env:
        observations, _ = env.reset(seed=9)
        obs = dict(zip(env.observation_fields, observations["md_0"], strict=True))
        assert obs["task_cycles"] == pytest.approx(5e8) and obs["es0_cpu_hz"] == pytest.approx(1e10)
        # Local: 5e8 cycles at 1 GHz = 0.5 s and 1e-27 x (1e9)^2 x 5e8 = 0.5 J; cost 0.5 + 0.5.
        _, rewards, _, _, infos = env.step({"md_0": np.array([0, -1], np.float32)})
        assert rewards["md_0"] == pytest.approx(-1.0)
        # Offloaded: 4e6 bits at the uplink rate, 0.05 s at 10 GHz; device energy 0.1 W x upload time.
        _, rewards, _, _, infos = env.step({"md_0": np.array([0, 1], np.float32)})
        upload = 4e6 / float(obs["es0_uplink_bps"])  # the cell does not move within an episode
        assert infos["md_0"]["offload_ratio"] == 1.0
        assert rewards["md_0"] == pytest.approx(-(upload + 0.05 + 0.1 * upload), rel=1e-6)
        record = dict(zip(env.task_record_fields, env.last_frame.task_records[0], strict=True))
        assert record["upload_s"] == pytest.approx(upload, rel=1e-6)
        assert record["energy_edge_j"] == pytest.approx(1e-29 * 1e20 * 5e8)


def test_team_and_agent_rewards_weigh_the_measured_costs() -> None:
    weights = {"latency": 2.0, "energy": 0.5, "edge_energy": 0.25, "miss": 3.0}
    with pygym.make(ENV, reward="agent", reward_weights=weights) as agent, pygym.make(ENV) as team:
        assert agent.reward_weights == MecCostWeights(**weights)
        compared = 0
        for env in (agent, team):
            env.reset(seed=4)
            rng = np.random.default_rng(4)
            while env.agents:
                _, rewards, _, _, infos = env.step(
                    {a: rng.uniform(-1, 1, 2).astype(np.float32) for a in env.agents}
                )
                m = env.last_frame.metrics
                col = env._metric_index
                w = env.reward_weights
                cost = (w.latency * m[:, col["latency_sum_s"]] + w.energy * (m[:, col["energy_local_j"]]
                        + m[:, col["energy_tx_j"]]) + w.edge_energy * m[:, col["energy_edge_j"]]
                        + w.miss * m[:, col["missed"]])  # fmt: skip
                expected = -cost if env is agent else np.full(len(cost), -cost.mean())
                np.testing.assert_allclose(list(rewards.values()), expected, rtol=1e-12)
                np.testing.assert_allclose([infos[a]["cost"] for a in env.possible_agents], cost, rtol=1e-12)
                compared += 1
        assert compared == 20
        summary = team.episode
        assert summary["tasks"] == 30 and 0 <= summary["success_rate"] <= 1 and summary["avg_cost"] > 0


@pytest.mark.parametrize("discipline", ["fifo", "ps"])
def test_every_task_is_accounted_for_once(discipline: str) -> None:
    with pygym.make(ENV, n_devices=5, server_discipline=discipline) as env:
        rng = np.random.default_rng(1)
        for seed in range(5):
            env.reset(seed=seed)
            completed, records = 0.0, 0
            while env.agents:
                env.step({a: rng.uniform(-1, 1, 2).astype(np.float32) for a in env.agents})
                completed += env.last_frame.metrics[:, env._metric_index["completed"]].sum()
                records += len(env.last_frame.task_records)
            assert completed == records == 50  # 10 decisions x 5 devices, each finished exactly once
            assert env.episode["tasks"] == 50
            assert env.last_frame.time_s >= 10.0 and math.isfinite(env.episode["latency_mean_s"])


def test_whole_episodes_are_reproducible() -> None:
    def run(env, seed: int) -> list[bytes]:
        rng = np.random.default_rng(seed)
        env.reset(seed=seed)
        trace = [env.last_frame.observation.tobytes()]
        while env.agents:
            _, rewards, _, _, _ = env.step({a: rng.uniform(-1, 1, 2).astype(np.float32) for a in env.agents})
            f = env.last_frame
            trace.append(f.observation.tobytes() + f.metrics.tobytes() + f.task_records.tobytes()
                         + np.array(list(rewards.values())).tobytes())  # fmt: skip
        return trace

    with pygym.make(ENV, server_discipline="ps") as a, pygym.make(ENV, server_discipline="ps") as b:
        compared = 0
        for seed in range(10):
            first = run(a, seed)
            assert first == run(b, seed)
            compared += len(first)
        assert compared == 10 * 11
        assert run(a, 1) != run(a, 2)


def test_named_errors() -> None:
    with pytest.raises(pygym.ConfigError, match="expected one of fifo, ps"):
        pygym.make(ENV, server_discipline="lifo")
    with pytest.raises(pygym.ConfigError, match=r"unknown key 'n_device'.*did you mean 'n_devices'"):
        pygym.make(ENV, n_device=3)
    with pytest.raises(
        pygym.ConfigError, match="unknown reward 'sparse' for offload-mec-v0; known: team, agent"
    ):
        pygym.make(ENV, reward="sparse")
    with pytest.raises(pygym.ConfigError, match="unknown reward weight 'utility'"):
        pygym.make(ENV, reward_weights={"utility": 1})
    with pygym.make(ENV) as env:
        env.reset(seed=1)
        with pytest.raises(pygym.ActionError, match=r"action for md_0 has shape \(\); expected \(2,\)"):
            env.step({a: 0.5 for a in env.agents})
        with pytest.raises(pygym.ActionError, match="expected finite numbers"):
            env.step({a: np.array([np.inf, 0], np.float32) for a in env.agents})
        _, _, _, _, infos = env.step({a: np.array([3, -3], np.float32) for a in env.agents})
        assert infos["md_0"]["server"] == 1 and infos["md_0"]["offload_ratio"] == 0.0  # clipped to [-1, 1]
