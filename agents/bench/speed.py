"""Training speed of the continuous-action trainers on offload-mec-explaboff-v0 (``make trainer-speed``).

Each trainer runs ``--steps`` environment steps with its defaults (a short warm-up so that it trains from
the start) in this process, one after the other; the table gives env steps per second and gradient
iterations per second of wall time and of the trainer's CPU time (the simulator runs in the JVM, the
trainer in Python), where the time went, and what the released ExplabOff code needs for the same number of
steps with its environment alone (about 2,800 steps/s on the 2-core development machine, one env,
Python): the release then adds one single-sample actor forward pass per device and step, a print per step
and its updates on top.
"""

from __future__ import annotations

import argparse
import json
import tempfile
from pathlib import Path

from rich.console import Console
from rich.table import Table

import agents
from agents.common.runs import read_metric
from agents.common.session import parse_args

RELEASE_ENV_STEPS_PER_S = 2_800.0
"""the released ``mec_env`` alone, stepped by its run script's loop on the development machine"""
ALGOS = ("explaboff", "cmoff", "maddpg", "matd3", "mappo")


def measure(algo: str, setting: str, steps: int, runs: Path) -> dict[str, float | str]:
    module = agents.trainer(algo)
    argv = [
        "--set", f"setting={setting}", "--total-timesteps", str(steps), "--runs-dir", str(runs),
        "--no-progress", "--eval-every-episodes", "0", "--checkpoint-every", str(steps),
    ]  # fmt: skip
    run = module.train(parse_args(module.Args, argv))
    summary = json.loads((run / "summary.json").read_text())
    updates = read_metric(run, "charts/updates")[1]
    phase = read_metric(run, "charts/mi_phase")[1]
    n_updates = float(updates[-1]) if len(updates) else 0.0
    time_s = summary["time_s"]
    return {
        "algo": algo,
        "setting": setting,
        "steps": summary["global_step"],
        "updates": n_updates,
        "wall_s": summary["wall_s"],
        "cpu_s": summary["cpu_s"],
        "steps_per_s": summary["global_step"] / summary["wall_s"],
        "steps_per_cpu_s": summary["global_step"] / summary["cpu_s"],
        "updates_per_s": n_updates / max(time_s.get("learn", 0.0), 1e-9),
        "env_s": time_s.get("env", 0.0),
        "learn_s": time_s.get("learn", 0.0),
        "mi_phase": float(phase.mean()) if len(phase) else float("nan"),
        "release_env_s": summary["global_step"] / RELEASE_ENV_STEPS_PER_S,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=100_000, help="env steps per trainer")
    parser.add_argument("--settings", default="2x3", help="comma-separated settings")
    parser.add_argument("--algos", default=",".join(ALGOS))
    parser.add_argument("--json", action="store_true", help="print JSON rows instead of a table")
    options = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory(prefix="trainer-speed-") as folder:
        for setting in options.settings.split(","):
            for algo in options.algos.split(","):
                rows.append(measure(algo, setting, options.steps, Path(folder)))
    if options.json:
        print(json.dumps(rows))
        return
    table = Table(title=f"trainer speed, offload-mec-explaboff-v0, {options.steps:,} env steps each")
    columns = [
        ("algo", "algo", "{}"), ("setting", "setting", "{}"), ("env steps/s", "steps_per_s", "{:,.0f}"),
        ("steps/CPU s", "steps_per_cpu_s", "{:,.0f}"), ("updates", "updates", "{:,.0f}"),
        ("updates/s (learn)", "updates_per_s", "{:,.1f}"), ("env s", "env_s", "{:.1f}"),
        ("learn s", "learn_s", "{:.1f}"), ("wall s", "wall_s", "{:.1f}"), ("MI phase", "mi_phase", "{:.2f}"),
        ("release env alone s", "release_env_s", "{:.1f}"),
    ]  # fmt: skip
    for title, _, _ in columns:
        table.add_column(title, justify="left" if title in ("algo", "setting") else "right")
    for row in rows:
        table.add_row(*(fmt.format(row[key]) for _, key, fmt in columns))
    Console(width=160).print(table)


if __name__ == "__main__":
    main()
