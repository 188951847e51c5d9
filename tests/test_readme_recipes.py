"""The README's Stable-Baselines3 and TorchRL recipes run as written, with tiny budgets (RLlib's run in
tests/rllib, in the RLlib virtualenv)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.readme_recipes import BUDGETS, recipes, run_recipe

pytestmark = [pytest.mark.jvm, pytest.mark.slow]


def test_every_recipe_has_its_budget_lines() -> None:
    assert sorted(recipes()) == sorted(BUDGETS)


@pytest.mark.parametrize("name", ["sb3-ppo", "sb3-maskable-ppo"])
def test_sb3_recipe(name: str, tmp_path: Path) -> None:
    out = run_recipe(name, tmp_path)
    # SB3's verbose log of the one rollout: 128 env steps x 4 envs x 10 agents.
    assert re.search(r"total_timesteps\s*\|\s*5120\b", out), out


def test_torchrl_mappo_recipe(tmp_path: Path) -> None:
    out = run_recipe("torchrl-mappo", tmp_path)
    lines = re.findall(r"^frames\s+(\d+)\s+episode return\s+(-?[\d.]+)$", out, flags=re.M)
    assert [int(frames) for frames, _ in lines] == [2000], out
