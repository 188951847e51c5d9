"""Learning curves and final figures of runs grouped by algorithm, and by preset and reward where the runs
differ in them (``pygym compare``).

Each run's logged episode figures (``charts/episodic_return``, ``env/completion_ratio``, ...) are smoothed
by a moving average over ``smooth`` logged points and interpolated onto a grid of environment steps up to
the shortest run of its group; a group's curve is the mean over its runs (seeds) with a band of min-max or
standard error. Final figures are the means over each run's last 10% of steps.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from agents.common.errors import CompareError
from agents.common.runs import COMPLETION_TAG, RETURN_TAG, final_window, read_config, read_metric

PANELS = ((RETURN_TAG, "episode return per agent"), (COMPLETION_TAG, "completion ratio"))
FINAL_TAGS = (RETURN_TAG, COMPLETION_TAG, "env/latency_mean_s")


@dataclass
class Group:
    """The runs of one algorithm (and preset, and reward, when the runs span several)."""

    label: str
    runs: list[Path] = field(default_factory=list)
    seeds: list[int] = field(default_factory=list)
    steps: list[int] = field(default_factory=list)
    finals: dict[str, list[float]] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        finals = {}
        for tag, values in self.finals.items():
            finite = [v for v in values if math.isfinite(v)]
            finals[tag] = {
                "mean": float(np.mean(finite)) if finite else None,
                "std": float(np.std(finite)) if finite else None,
                "min": float(np.min(finite)) if finite else None,
                "max": float(np.max(finite)) if finite else None,
                "per_run": [v if math.isfinite(v) else None for v in values],
            }
        return {
            "label": self.label,
            "runs": [str(r) for r in self.runs],
            "seeds": self.seeds,
            "steps": self.steps,
            "final": finals,
        }


def reward_label(config: dict[str, Any]) -> str:
    """The reward a run trained on, from its scenario keywords: ``default``, or the reward's name and the
    weights given (for example ``latency=1.5``)."""
    scenario = config.get("scenario") or {}
    parts = [str(scenario["reward"])] if scenario.get("reward") else []
    weights = scenario.get("reward_weights") or {}
    parts += [f"{name}={value:g}" for name, value in sorted(weights.items())]
    return ", ".join(parts) or "default"


def group_runs(run_dirs: Sequence[Path]) -> list[Group]:
    """Groups runs by algorithm (and preset, and reward, if they differ); CompareError if they span several
    envs."""
    if not run_dirs:
        raise CompareError("no runs to compare")
    configs = [(Path(r), read_config(Path(r))) for r in run_dirs]
    envs = sorted({str(c.get("env_id")) for _, c in configs})
    if len(envs) > 1:
        listing = "; ".join(f"{r.name}: {c.get('env_id')}" for r, c in configs)
        raise CompareError(
            f"runs of different environments cannot be compared ({', '.join(envs)}): {listing}"
        )
    several_presets = len({c.get("preset") for _, c in configs}) > 1
    # Runs trained on different rewards are different experiments, even with the same algorithm.
    several_rewards = len({reward_label(c) for _, c in configs}) > 1
    groups: dict[str, Group] = {}
    for run, config in configs:
        label = str(config["algo"]) + (f" [{config.get('preset') or 'default'}]" if several_presets else "")
        label += f" [reward {reward_label(config)}]" if several_rewards else ""
        group = groups.setdefault(label, Group(label))
        group.runs.append(run)
        group.seeds.append(int(config["args"].get("seed", 0)))
        steps, _ = read_metric(run, RETURN_TAG)
        if len(steps) == 0:
            raise CompareError(f"run {run} has logged no episode yet")
        group.steps.append(int(steps[-1]))
        for tag in FINAL_TAGS:
            group.finals.setdefault(tag, []).append(final_window(*read_metric(run, tag)))
    return list(groups.values())


def _smoothed_curve(run: Path, tag: str, grid: np.ndarray, smooth: int) -> np.ndarray:
    steps, values = read_metric(run, tag)
    finite = np.isfinite(values)
    steps, values = steps[finite], values[finite]
    if len(values) == 0:
        return np.full(len(grid), np.nan)
    window = max(1, min(smooth, len(values)))
    kernel = np.ones(window) / window
    padded = np.concatenate([np.full(window - 1, values[0]), values])
    averaged = np.convolve(padded, kernel, mode="valid")
    return np.interp(grid, steps, averaged)


def plot(groups: Sequence[Group], output: Path, *, band: str = "minmax", smooth: int = 10) -> Path:
    """Writes the learning-curve figure (one panel per figure in PANELS) to ``output``."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    if band not in ("minmax", "stderr"):
        raise CompareError(f"band {band!r}: expected minmax or stderr")
    env_id = read_config(groups[0].runs[0]).get("env_id", "")
    fig, axes = plt.subplots(1, len(PANELS), figsize=(6 * len(PANELS), 4.2), squeeze=False)
    for ax, (tag, title) in zip(axes[0], PANELS, strict=True):
        for group in groups:
            # Each algorithm's curve runs to its shortest run: budgets may differ between algorithms.
            grid = np.linspace(0, min(group.steps), 200)
            curves = np.stack([_smoothed_curve(run, tag, grid, smooth) for run in group.runs])
            if np.isnan(curves).all():
                continue
            mean = np.nanmean(curves, axis=0)
            if band == "minmax":
                low, high = np.nanmin(curves, axis=0), np.nanmax(curves, axis=0)
            else:
                err = np.nanstd(curves, axis=0) / np.sqrt(max(len(group.runs), 1))
                low, high = mean - err, mean + err
            (line,) = ax.plot(grid, mean, label=f"{group.label} (n={len(group.runs)})")
            ax.fill_between(grid, low, high, color=line.get_color(), alpha=0.2, linewidth=0)
        ax.set_title(title)
        ax.set_xlabel("environment steps")
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
    band_text = "min-max over seeds" if band == "minmax" else "standard error over seeds"
    fig.suptitle(f"{env_id}: mean over seeds, band {band_text}, moving average of {smooth} logged points")
    fig.tight_layout()
    output.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(output, dpi=120)
    plt.close(fig)
    return output
