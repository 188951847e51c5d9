"""Run directories: ``runs/<env_id>__<algo>__<seed>__<yyyymmdd-hhmmss>/``.

A run directory holds

- ``config.json``: the trainer's Args, the scenario keywords, the environment's layout and ``describe``
  spec (with the full simulator configuration and the contract version), the simulator server's address
  (``server``: ``host:port``, or null for a JVM of the trainer's process; never its token), package version
  and git commit;
- ``metrics.csv`` (``step,tag,value,wall_s``, one scalar per row) and TensorBoard event files, with tags
  ``charts/`` (returns, lengths, schedules, speed), ``losses/``, ``env/`` (the env's episode figures),
  ``perf/`` (time per section, CPU seconds) and ``eval/`` (deterministic evaluations,
  :mod:`agents.common.evaluator`);
- ``checkpoints/step_<n>.pt`` and ``checkpoints/latest.pt`` (see :mod:`agents.common.checkpoint`);
- ``summary.json`` once the run has ended: ``status`` "finished" or "failed" (with the error), steps,
  final figures, speed, where the time went and the CPU seconds of the trainer process and of the
  simulator JVM it started (``cpu_s``).

A directory appears complete or not at all: it is assembled under a temporary name and renamed.
"""

from __future__ import annotations

import contextlib
import csv
import json
import os
import platform
import shutil
import subprocess
import tempfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np

from agents.common.errors import RunDirExists, RunNotFound

CONFIG = "config.json"
METRICS = "metrics.csv"
SUMMARY = "summary.json"
CHECKPOINTS = "checkpoints"
CONFIG_FORMAT = 1
RETURN_TAG = "charts/episodic_return"
COMPLETION_TAG = "env/completion_ratio"


def run_name(env_id: str, algo: str, seed: int, when: datetime | None = None) -> str:
    """``<env_id>__<algo>__<seed>__<yyyymmdd-hhmmss>`` (local time)."""
    when = when or datetime.now()
    return f"{env_id}__{algo}__{seed}__{when:%Y%m%d-%H%M%S}"


def write_json_atomic(path: Path, payload: Any) -> None:
    """Writes ``path`` through a temporary file in the same folder, so readers see old or new, never half."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w") as f:
            json.dump(payload, f, indent=2, default=_json_default)
            f.write("\n")
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def _json_default(value: Any) -> Any:
    if isinstance(value, (np.integer, np.floating, np.bool_)):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, Path):
        return str(value)
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def provenance() -> dict[str, Any]:
    """Package version, git commit (None outside a checkout), and the versions that shape numerics."""
    import torch

    import pygym

    here = Path(__file__).resolve().parent
    commit: str | None = None
    dirty: bool | None = None
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=here, capture_output=True, text=True, timeout=10, check=True
        ).stdout.strip()
        status = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=here,
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        ).stdout
        dirty = bool(status.strip())
    except (OSError, subprocess.SubprocessError):
        commit = None
    return {
        "package_version": pygym.__version__,
        "git_commit": commit,
        "git_dirty": dirty,
        "python": platform.python_version(),
        "torch": torch.__version__,
        "numpy": np.__version__,
    }


def create_run_dir(runs_dir: Path, name: str, config: Mapping[str, Any], *, force: bool) -> Path:
    """Creates ``runs_dir/name`` holding ``config.json``, an empty ``checkpoints/`` and the metrics header.

    Refuses an existing directory unless ``force`` (which replaces it). The directory is built under a
    temporary name and renamed into place, so no half-written run directory is ever seen.
    """
    final = runs_dir / name
    if final.exists() and not force:
        raise RunDirExists(
            f"run directory {final} exists; pass --resume {final} to continue it or --force to replace it"
        )
    runs_dir.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{name}.", dir=runs_dir))
    try:
        write_json_atomic(tmp / CONFIG, dict(config))
        (tmp / CHECKPOINTS).mkdir()
        with open(tmp / METRICS, "w", newline="") as f:
            csv.writer(f).writerow(["step", "tag", "value", "wall_s"])
        if final.exists():
            trash = Path(tempfile.mkdtemp(prefix=f".{name}.replaced.", dir=runs_dir))
            os.rename(final, trash / name)
            os.rename(tmp, final)
            shutil.rmtree(trash, ignore_errors=True)
        else:
            try:
                os.rename(tmp, final)
            except OSError:
                raise RunDirExists(
                    f"run directory {final} appeared while this run was being created"
                ) from None
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return final


def read_config(run_dir: Path) -> dict[str, Any]:
    """A run's ``config.json``; RunNotFound if ``run_dir`` is not a run directory."""
    path = Path(run_dir) / CONFIG
    if not path.is_file():
        raise RunNotFound(f"{run_dir} is not a run directory (no {CONFIG})")
    try:
        config = json.loads(path.read_text())
    except (OSError, ValueError) as e:
        raise RunNotFound(f"{path} cannot be read: {e}") from None
    if not isinstance(config, dict) or "algo" not in config or "args" not in config:
        raise RunNotFound(f"{path} is not a run configuration (no algo/args)")
    return config


def read_summary(run_dir: Path) -> dict[str, Any] | None:
    path = Path(run_dir) / SUMMARY
    if not path.is_file():
        return None
    try:
        summary = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    return summary if isinstance(summary, dict) else None


def read_metric(run_dir: Path, tag: str) -> tuple[np.ndarray, np.ndarray]:
    """Steps and values of one tag of a run's ``metrics.csv``, in file order."""
    steps: list[int] = []
    values: list[float] = []
    path = Path(run_dir) / METRICS
    if not path.is_file():
        return np.zeros(0, np.int64), np.zeros(0)
    with open(path, newline="") as f:
        for row in csv.DictReader(f):
            if row["tag"] == tag:
                steps.append(int(row["step"]))
                values.append(float(row["value"]))
    return np.asarray(steps, np.int64), np.asarray(values)


def last_step(run_dir: Path) -> int:
    """The last step a run logged (0 if none)."""
    path = Path(run_dir) / METRICS
    last = 0
    if path.is_file():
        with open(path, newline="") as f:
            for row in csv.DictReader(f):
                last = max(last, int(row["step"]))
    return last


def final_window(steps: np.ndarray, values: np.ndarray, fraction: float = 0.1) -> float:
    """The mean of the values logged in the last ``fraction`` of the steps (at least the last value)."""
    if len(values) == 0:
        return float("nan")
    cut = steps[-1] - fraction * steps[-1]
    chosen = values[steps >= cut]
    return float(chosen.mean()) if len(chosen) else float(values[-1])


@dataclass(frozen=True)
class RunRecord:
    """One line of ``pygym runs``."""

    path: Path
    algo: str
    env_id: str
    preset: str | None
    seed: int
    status: str
    """finished, failed, or unfinished (interrupted or still running)"""
    steps: int
    final_return: float
    """mean per-agent episode return over the last 10% of the run's steps"""
    completion_ratio: float
    """mean completion ratio of the episodes in the last 10% of the run's steps"""
    created: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "path": str(self.path),
            "algo": self.algo,
            "env_id": self.env_id,
            "preset": self.preset,
            "seed": self.seed,
            "status": self.status,
            "steps": self.steps,
            "final_return": self.final_return,
            "completion_ratio": self.completion_ratio,
            "created": self.created,
        }


def run_record(run_dir: Path) -> RunRecord:
    config = read_config(run_dir)
    summary = read_summary(run_dir)
    if summary is not None:
        status = str(summary.get("status", "finished"))
        steps = int(summary.get("global_step", 0))
    else:
        status = "unfinished"
        steps = last_step(run_dir)
    final_return = final_window(*read_metric(run_dir, RETURN_TAG))
    completion = final_window(*read_metric(run_dir, COMPLETION_TAG))
    return RunRecord(
        path=Path(run_dir),
        algo=str(config["algo"]),
        env_id=str(config.get("env_id", "?")),
        preset=config.get("preset"),
        seed=int(config["args"].get("seed", 0)),
        status=status,
        steps=steps,
        final_return=final_return,
        completion_ratio=completion,
        created=str(config.get("created_utc", "")),
    )


def find_runs(root: Path) -> Iterator[Path]:
    """Every run directory at or below ``root`` (a folder holding config.json), sorted by path."""
    root = Path(root)
    if (root / CONFIG).is_file():
        yield root
        return
    if not root.is_dir():
        raise RunNotFound(f"{root} is neither a run directory nor a folder of runs")
    for config in sorted(root.rglob(CONFIG)):
        if not any(part.startswith(".") for part in config.relative_to(root).parts):
            yield config.parent


def utc_now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")
