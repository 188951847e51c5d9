"""The MEC policies (random over a Box, size-table), their evaluation and `pygym eval` on the MEC envs."""

from __future__ import annotations

import json
import math
import subprocess

import gymnasium
import numpy as np
import pytest

from agents.evaluation import MecSummary, evaluate
from agents.heuristics import SizeTablePolicy, make_policy
from tests.conftest import PYTHON, REPO, python_subprocess_env


class FakeMecEnv:
    env_id = "offload-mec-explaboff-v0"
    n_servers = 2
    possible_agents = ("md_0", "md_1", "md_2")
    metric_fields = ("class_index", "class_mean")

    def action_space(self, agent: str) -> gymnasium.spaces.Box:
        return gymnasium.spaces.Box(-1, 1, (2,), np.float32)


def decode(raw: np.ndarray, servers: int) -> tuple[int, float]:
    """The release's decoding, as the environment applies it."""
    a = np.clip(raw.astype(np.float64), -0.9999, 0.9999)
    return int(np.floor((a[0] + 1) * servers / 2)), float((a[1] + 1) / 2)


def test_size_table_emits_raw_actions_that_decode_to_its_table() -> None:
    policy = make_policy("size-table", table="7:0:0.5,6:1:0.5,3:0:0.2")
    assert isinstance(policy, SizeTablePolicy)
    assert policy.table == {7.0: (0, 0.5), 6.0: (1, 0.5), 3.0: (0, 0.2)}
    policy.reset(FakeMecEnv(), 0)
    infos = {"md_0": {"class_mean": 3.0}, "md_1": {"class_mean": 7.0}, "md_2": {"class_mean": 6.0}}
    actions = policy.act(dict.fromkeys(infos, np.zeros(16)), infos)
    decoded = {a: decode(v, 2) for a, v in actions.items()}
    assert decoded["md_0"][0] == 0 and decoded["md_0"][1] == pytest.approx(0.2, abs=1e-7)
    assert decoded["md_1"][0] == 0 and decoded["md_1"][1] == pytest.approx(0.5)
    assert decoded["md_2"][0] == 1 and decoded["md_2"][1] == pytest.approx(0.5)
    assert all(v.dtype == np.float32 and v.shape == (2,) for v in actions.values())


def test_size_table_errors_say_what_was_expected() -> None:
    with pytest.raises(ValueError, match="needs a table"):
        make_policy("size-table")
    with pytest.raises(ValueError, match="'7:0': expected class_mean:server:ratio"):
        SizeTablePolicy.parse("7:0")
    with pytest.raises(ValueError, match="a ratio in \\[0, 1\\]"):
        SizeTablePolicy.parse("7:0:1.5")
    with pytest.raises(ValueError, match="twice"):
        SizeTablePolicy.parse("7:0:0.5,7:1:0.5")
    policy = SizeTablePolicy("7:2:0.5")
    with pytest.raises(ValueError, match=r"names server 2; offload-mec-explaboff-v0 has servers 0\.\.1"):
        policy.reset(FakeMecEnv(), 0)
    policy = SizeTablePolicy("7:1:0.5")
    policy.reset(FakeMecEnv(), 0)
    with pytest.raises(ValueError, match="no entry for class mean 4 \\(md_0\\); it covers 7"):
        policy.act({"md_0": np.zeros(3)}, {"md_0": {"class_mean": 4.0}})


def test_random_samples_the_box_with_its_own_seeded_generator() -> None:
    env = FakeMecEnv()
    first, second = make_policy("random"), make_policy("random")
    first.reset(env, 5)
    second.reset(env, 5)
    draws = [first.act(dict.fromkeys(env.possible_agents), {}) for _ in range(200)]
    again = [second.act(dict.fromkeys(env.possible_agents), {}) for _ in range(200)]
    values = np.array([d[a] for d in draws for a in env.possible_agents])
    assert values.shape == (600, 2) and values.dtype == np.float32
    assert values.min() >= -1 and values.max() <= 1 and values.std() > 0.5  # spread over the whole box
    assert all(
        np.array_equal(d[a], e[a]) for d, e in zip(draws, again, strict=True) for a in env.possible_agents
    )


@pytest.mark.jvm
def test_evaluate_summarises_both_mec_envs() -> None:
    import pygym

    with pygym.make("offload-mec-explaboff-v0", setting="2x5") as env:
        summary = evaluate(env, make_policy("random"), episodes=30, seed=3)
        assert isinstance(summary, MecSummary)
        assert summary.episodes == 30 and summary.steps >= 30
        assert summary.avg_cost > 0 and 0 <= summary.success_rate <= 1 and summary.energy_j is None
        assert summary.tasks == 5 * summary.steps
    with pygym.make("offload-mec-v0") as env:
        summary = evaluate(env, make_policy("random"), episodes=3, seed=3)
        assert isinstance(summary, MecSummary)
        assert summary.steps == 30 and summary.tasks == 90 and summary.early_end_rate == 0
        assert summary.energy_j is not None and summary.energy_j > 0 and summary.latency_mean_s > 0


def pygym_eval(*args: str) -> subprocess.CompletedProcess:
    env = {**python_subprocess_env(), "COLUMNS": "400"}  # error boxes on one line
    return subprocess.run(
        [PYTHON, "-m", "pygym.cli", "eval", *args],
        capture_output=True, text=True, env=env, cwd=REPO, timeout=120,
    )  # fmt: skip


@pytest.mark.jvm
def test_eval_cli_json_for_the_compatible_mode() -> None:
    out = pygym_eval(
        "--env", "offload-mec-explaboff-v0", "--setting", "2x3", "--policy", "random,size-table",
        "--table", "7:1:0.875,6:0:0.75,3:1:0.5", "--episodes", "40", "--seed", "1", "--json",
    )  # fmt: skip
    assert out.returncode == 0, out.stderr
    results = json.loads(out.stdout)["policies"]
    assert [r["policy"] for r in results] == ["random", "size-table"]
    for r in results:
        assert r["episodes"] == 40 and r["env_id"] == "offload-mec-explaboff-v0"
        assert math.isfinite(r["avg_cost"]) and 0 <= r["success_rate"] <= 1
    # The table meets every deadline (the hand-worked plan of the env tests, 1.32 there with exact sizes and
    # no shuffle): full episodes only.
    table = results[1]
    assert table["success_rate"] == 1.0 and table["steps"] == 400 and table["early_end_rate"] == 0
    assert 1.25 < table["avg_cost"] < 1.4
    assert results[0]["success_rate"] < 0.2


@pytest.mark.jvm
def test_eval_cli_errors() -> None:
    bad = pygym_eval("--env", "offload-mec-explaboff-v0", "--setting", "5x5", "--episodes", "1")
    assert bad.returncode != 0 and "expected one of auto, 2x3, 2x5, 3x7" in bad.stderr
    lonely = pygym_eval("--env", "offload-mec-explaboff-v0", "--policy", "random", "--table", "7:0:0.5")
    assert lonely.returncode != 0 and "add --policy size-table" in lonely.stderr
    physical = pygym_eval("--env", "offload-mec-v0", "--policy", "size-table", "--table", "7:0:0.5")
    assert physical.returncode != 0 and "needs task-size classes" in physical.stderr
    out = pygym_eval("--env", "offload-mec-v0", "--policy", "random", "--episodes", "2", "--json")
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout)
    assert result["steps"] == 20 and result["energy_j"] > 0
