"""The README's library recipes, run as they are written except for their training budgets."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

from tests.conftest import PYTHON, REPO, python_subprocess_env

# recipe name -> (budget line in the README, the line the test runs instead)
BUDGETS = {
    "sb3-ppo": [("total_timesteps = 400_000", "total_timesteps = 1")],
    "sb3-maskable-ppo": [("total_timesteps = 400_000", "total_timesteps = 1")],
    "torchrl-mappo": [("total_frames = 100_000", "total_frames = 2_000")],
    "rllib-ppo": [
        ("iterations = 50", "iterations = 3"),
        ("steps_per_iteration = 2_000", "steps_per_iteration = 400"),
    ],
}


def recipes() -> dict[str, str]:
    """Every fenced python block of the README whose first line is ``# recipe: NAME``."""
    text = (REPO / "README.md").read_text(encoding="utf-8")
    found = {}
    for block in re.findall(r"^```python\n(.*?)^```", text, flags=re.S | re.M):
        first, _, _ = block.partition("\n")
        if first.startswith("# recipe: "):
            found[first.removeprefix("# recipe: ").strip()] = block
    return found


def run_recipe(name: str, cwd: Path, python: str = PYTHON, timeout_s: float = 600) -> str:
    """Runs the recipe with tiny budgets in a fresh process in ``cwd``; returns its output. Fails if a budget
    line is missing (the README changed) or the process fails."""
    code = recipes()[name]
    for line, tiny in BUDGETS[name]:
        assert re.search(rf"^{re.escape(line)}\b", code, flags=re.M), f"recipe {name} lost its line {line!r}"
        code = re.sub(rf"^{re.escape(line)}\b", tiny, code, count=1, flags=re.M)
    env = python_subprocess_env()
    env["OMP_NUM_THREADS"] = "1"  # the test machine's cores are shared; torch's spinning threads slow it down
    done = subprocess.run(
        [python, "-c", code], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout_s
    )
    assert done.returncode == 0, f"recipe {name} failed:\n{done.stdout[-3000:]}\n{done.stderr[-5000:]}"
    return done.stdout
