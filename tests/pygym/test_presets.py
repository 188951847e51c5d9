"""Presets: every one makes an environment; keywords override; the data files are what the script writes."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

import pygym
from pygym.presets import FOLDER, make_presets
from tests.conftest import PYTHON, python_subprocess_env


def test_preset_data_files_are_reproduced_byte_for_byte(tmp_path: Path) -> None:
    written = make_presets.write(tmp_path)
    assert len(written) == 2
    for path in written:
        committed = (FOLDER / path.name).read_bytes()
        assert path.read_bytes() == committed, (
            f"{path.name} differs: run python -m pygym.presets.make_presets"
        )
        assert len(committed) > 1000


def test_unknown_preset_lists_the_known_ones() -> None:
    with pytest.raises(
        pygym.ConfigError, match="unknown preset 'heavy' for offload-neighbour-v0; its presets: load-light"
    ):
        pygym.preset_scenario("offload-neighbour-v0", "heavy")
    with pytest.raises(pygym.ConfigError, match="its presets: none"):
        pygym.preset_scenario("offload-mec-v0", "load-light")


def test_preset_keywords_are_copies() -> None:
    scenario = pygym.preset_scenario("offload-neighbour-v0", "clusters-2")
    scenario["topology_params"]["cells"] = 9
    assert pygym.preset_scenario("offload-neighbour-v0", "clusters-2")["topology_params"]["cells"] == 2


@pytest.mark.jvm
@pytest.mark.parametrize("name", [p.name for p in pygym.presets("offload-neighbour-v0")])
def test_every_preset_makes_an_environment_that_steps(name: str) -> None:
    with pygym.make("offload-neighbour-v0", preset=name) as env:
        assert env.max_steps == 300
        env.reset(seed=3)
        arrived = 0
        for _ in range(20):
            _, _, _, _, infos = env.step(dict.fromkeys(env.agents, 0))
            arrived += int(
                sum(info["metrics"][env.metric_fields.index("arrived")] for info in infos.values())
            )
        assert arrived > 0


@pytest.mark.jvm
def test_keywords_override_the_preset() -> None:
    with pygym.make("offload-neighbour-v0", preset="edge-server", max_neighbours=3, episode_s=2) as env:
        assert env.max_steps == 20
        assert len(env.action_meanings) == 4
        assert env.possible_agents[:2] == ["rpi3_0", "rpi3_1"]


def test_scenarios_command_lists_every_preset() -> None:
    listed = subprocess.run(
        [PYTHON, "-m", "pygym.cli", "scenarios", "--json"],
        capture_output=True,
        text=True,
        env=python_subprocess_env(),
        check=True,
    )
    rows = json.loads(listed.stdout)
    assert [r["preset"] for r in rows] == [p.name for p in pygym.presets("offload-neighbour-v0")]
    assert len(rows) == 10 and all(r["description"] and r["scenario"] for r in rows)
    text = subprocess.run(
        [PYTHON, "-m", "pygym.cli", "scenarios"], capture_output=True, text=True, env=python_subprocess_env()
    ).stdout
    assert len(text.strip().splitlines()) == 10 and "edge-server" in text
