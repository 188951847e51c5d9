"""Checkpoints: ``checkpoints/step_<n>.pt`` and ``checkpoints/latest.pt``.

A checkpoint is a dict saved with ``torch.save`` and read back with ``torch.load(weights_only=True)`` (no
arbitrary code runs on load). It holds

- ``format``, ``algo``, ``global_step`` and the trainer's counters;
- ``layout``: the environment id, agent ids, observation fields, action meanings (or continuous action
  fields) and state fields it was trained on (a checkpoint is refused by an env whose layout differs,
  naming the difference);
- ``args``: the trainer's Args as a dict;
- ``models`` and ``optimizers``: state dicts; ``normalizers``: observation statistics;
- ``rng``: the random states of Python, numpy, torch and the trainer's generator;
- ``extra``: trainer-specific state. ``latest.pt`` alone also carries the replay buffer (``replay``), so
  that ``--resume`` continues exactly, while the ``step_<n>.pt`` files stay small.

Files are written under a temporary name and renamed, so a crash never leaves a half-written checkpoint.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import re
import tempfile
import zipfile
from pathlib import Path
from typing import Any

import torch

from agents.common.errors import CheckpointCorrupt, CheckpointMismatch
from agents.common.runs import CHECKPOINTS

FORMAT = 1
LATEST = "latest.pt"
REQUIRED = ("format", "algo", "global_step", "layout", "args", "models", "rng")
_STEP_FILE = re.compile(r"step_(\d+)\.pt")


def env_layout(venv: Any) -> dict[str, Any]:
    """What a trained network depends on: env id, agents, observation fields, actions and state fields."""
    return {
        "env_id": venv.env_id,
        "agents": list(venv.possible_agents),
        "observation_fields": list(venv.observation_fields),
        "action_meanings": list(venv.action_meanings),
        "continuous_action_fields": list(getattr(venv, "continuous_action_fields", [])),
        "state_fields": list(venv.state_fields),
    }


def layout_differences(trained: dict[str, Any], current: dict[str, Any]) -> list[str]:
    """Human-readable differences between a checkpoint's layout and an env's; empty if they match."""
    differences = []
    if trained.get("env_id") != current.get("env_id"):
        differences.append(f"env id: checkpoint {trained.get('env_id')}, env {current.get('env_id')}")
    for key, what in (
        ("agents", "agents"),
        ("observation_fields", "observation fields"),
        ("action_meanings", "actions"),
        ("continuous_action_fields", "continuous action fields"),
        ("state_fields", "state fields"),
    ):
        a, b = list(trained.get(key, [])), list(current.get(key, []))
        if a == b:
            continue
        if len(a) != len(b):
            only_a = [x for x in a if x not in b][:4]
            only_b = [x for x in b if x not in a][:4]
            differences.append(
                f"{what}: checkpoint has {len(a)}, env has {len(b)}"
                + (f" (only in checkpoint: {', '.join(only_a)})" if only_a else "")
                + (f" (only in env: {', '.join(only_b)})" if only_b else "")
            )
        else:
            i = next(i for i, (x, y) in enumerate(zip(a, b, strict=True)) if x != y)
            differences.append(f"{what}: position {i} is {a[i]!r} in the checkpoint, {b[i]!r} in the env")
    return differences


def check_compatible(checkpoint: dict[str, Any], current: dict[str, Any], source: str) -> None:
    """Raises CheckpointMismatch listing every difference between the checkpoint's layout and ``current``."""
    differences = layout_differences(checkpoint["layout"], current)
    if differences:
        raise CheckpointMismatch(
            f"checkpoint {source} was trained on another environment layout: " + "; ".join(differences)
        )


def save(run_dir: Path, payload: dict[str, Any], *, replay: dict[str, Any] | None = None) -> Path:
    """Writes ``step_<global_step>.pt`` (without the replay buffer) and ``latest.pt`` (with it)."""
    folder = Path(run_dir) / CHECKPOINTS
    folder.mkdir(exist_ok=True)
    payload = {**payload, "format": FORMAT}
    step_path = folder / f"step_{int(payload['global_step'])}.pt"
    _save_atomic(payload, step_path)
    _save_atomic({**payload, "replay": replay}, folder / LATEST)
    return step_path


def _save_atomic(payload: dict[str, Any], path: Path) -> None:
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    os.close(fd)
    try:
        torch.save(payload, tmp)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def load(path: Path) -> dict[str, Any]:
    """Reads a checkpoint; CheckpointCorrupt says why a file is not a readable checkpoint."""
    path = Path(path)
    if not path.is_file():
        raise CheckpointCorrupt(f"checkpoint {path} does not exist")
    try:
        checkpoint = torch.load(path, map_location="cpu", weights_only=True)
    except (
        RuntimeError,
        EOFError,
        OSError,
        ValueError,
        pickle.UnpicklingError,
        zipfile.BadZipFile,
        AttributeError,
        KeyError,
    ) as e:
        first_line = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        raise CheckpointCorrupt(f"checkpoint {path} cannot be read: {first_line}") from None
    if not isinstance(checkpoint, dict):
        raise CheckpointCorrupt(
            f"checkpoint {path} holds a {type(checkpoint).__name__}, not a checkpoint dict"
        )
    missing = [key for key in REQUIRED if key not in checkpoint]
    if missing:
        raise CheckpointCorrupt(f"checkpoint {path} lacks {', '.join(missing)}")
    if checkpoint["format"] != FORMAT:
        raise CheckpointCorrupt(
            f"checkpoint {path} has format {checkpoint['format']}; this code reads {FORMAT}"
        )
    return checkpoint


def resolve(path: Path) -> Path:
    """A checkpoint file from a run directory (its ``latest.pt``) or a checkpoint path."""
    path = Path(path)
    if path.is_dir():
        latest = path / CHECKPOINTS / LATEST
        if not latest.is_file():
            raise CheckpointCorrupt(f"run {path} has no checkpoint yet ({CHECKPOINTS}/{LATEST} is missing)")
        return latest
    return path


def step_checkpoints(run_dir: Path) -> list[tuple[int, Path]]:
    """The ``step_<n>.pt`` files of a run, by step."""
    folder = Path(run_dir) / CHECKPOINTS
    found = []
    for path in folder.glob("step_*.pt") if folder.is_dir() else []:
        match = _STEP_FILE.fullmatch(path.name)
        if match:
            found.append((int(match.group(1)), path))
    return sorted(found)
