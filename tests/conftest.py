"""Shared fixtures. Tests marked ``jvm`` use the real simulator jar over a real socket."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
# Episodes short enough for tests: 100 decisions of 0.1 s.
SHORT = {"episode_s": 10}


@pytest.fixture
def short_env() -> Iterator:
    import pygym

    env = pygym.make("offload-neighbour-v0", **SHORT)
    yield env
    env.close()


def python_subprocess_env() -> dict[str, str]:
    """Environment for child Python processes: same interpreter, repo importable."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(REPO), env.get("PYTHONPATH", "")])
    return env


PYTHON = sys.executable
