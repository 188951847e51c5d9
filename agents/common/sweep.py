"""Grids of trainer runs on Ray Tune (``pygym sweep SPEC``).

A sweep specification is a small TOML or YAML file::

    name = "train-bench"                  # run directories are <env>__<algo>__<seed>__<name>-<preset>-<key>
    runs_dir = "runs/train-bench"         # relative to the spec file's folder
    [grid]                                # every combination is one trial
    algo = ["ddqn", "a2c", "ppo"]
    preset = ["edge-server", "load-heavy"]
    seed = [1, 2, 3]
    [args]                                # Args of every trial (any trainer option, in its snake_case name)
    total_timesteps = 200000
    [args.ppo]                            # Args of one algorithm's trials
    num_steps = 150
    [evaluate]                            # optional: after training, each final checkpoint next to heuristics
    episodes = 10
    seed = 100000
    heuristics = ["local", "random", "least-queue", "round-robin"]

Grid keys are ``algo``, ``env``, ``preset``, ``seed`` or any Args field. Each trial is one trainer run with
its own run directory and its own simulator JVM (Ray runs each trial in its own worker process). A trial
whose run directory holds a finished run is skipped, an unfinished one is resumed from its latest
checkpoint; a failed trial is reported with its error while the others complete. Locally Ray starts an
instance sized to this machine's cores; ``address`` joins an existing cluster.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import math
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from agents.common.errors import AgentsError, SweepSpecError
from agents.common.runs import read_config, read_summary

GRID_KEYS = ("algo", "env", "preset", "seed")
SPEC_KEYS = {"name", "runs_dir", "grid", "args", "evaluate", "max_concurrent", "cpus_per_trial"}


@dataclass(frozen=True)
class Trial:
    """One trainer run of a sweep."""

    algo: str
    env: str
    preset: str | None
    seed: int
    args: Mapping[str, Any]
    """trainer Args beyond env, preset and seed"""
    run_dir: Path

    def key(self) -> str:
        """Unique in a sweep: the run directory's path (names may repeat across sub-folders)."""
        return str(self.run_dir)

    def argv(self) -> list[str]:
        """The trainer's command-line options for this trial (tyro's flags)."""
        argv = ["--env", self.env, "--seed", str(self.seed), "--no-progress"]
        if self.preset is not None:
            argv += ["--preset", self.preset]
        for name, value in self.args.items():
            flag = "--" + name.replace("_", "-")
            if isinstance(value, bool):
                argv.append(flag if value else "--no-" + name.replace("_", "-"))
            elif isinstance(value, (list, tuple)):
                if name in ("scenario", "set"):
                    for item in value:
                        argv += ["--set", str(item)]
                else:
                    argv += [flag, *(str(v) for v in value)]
            elif value is None:
                argv += [flag, "None"]
            else:
                argv += [flag, str(value)]
        return argv


@dataclass
class Spec:
    name: str
    runs_dir: Path
    trials: list[Trial]
    evaluate: dict[str, Any] = field(default_factory=dict)
    max_concurrent: int | None = None
    cpus_per_trial: float = 1.0


def load_spec(path: Path | None, overrides: Mapping[str, Sequence[Any]] | None = None) -> Spec:
    """Reads a TOML or YAML sweep file (or none: then ``overrides`` hold the whole grid); ``overrides``
    replace grid axes (command-line lists)."""
    raw: dict[str, Any] = {}
    base = Path.cwd()
    if path is not None:
        path = Path(path)
        if not path.is_file():
            raise SweepSpecError(f"sweep spec {path} does not exist")
        raw = _read(path)
        base = path.resolve().parent
    unknown = sorted(set(raw) - SPEC_KEYS)
    if unknown:
        raise SweepSpecError(
            f"{path}: unknown key(s) {', '.join(unknown)}; known: {', '.join(sorted(SPEC_KEYS))}"
        )
    grid = dict(raw.get("grid", {}))
    grid.update({k: list(v) for k, v in (overrides or {}).items()})
    for key, values in grid.items():
        if not isinstance(values, list) or not values:
            raise SweepSpecError(f"grid.{key} must be a non-empty list, got {values!r}")
    if "algo" not in grid:
        raise SweepSpecError("the grid needs algo = [...] (ddqn, a2c, ppo)")
    name = str(raw.get("name", "sweep"))
    runs_dir = (base / str(raw.get("runs_dir", "runs"))).resolve()
    common_args, per_algo = _split_args(raw.get("args", {}))
    trials = []
    keys = list(grid)
    for combination in itertools.product(*(grid[k] for k in keys)):
        point = dict(zip(keys, combination, strict=True))
        algo = str(point.pop("algo"))
        env = str(point.pop("env", common_args.get("env", "offload-neighbour-v0")))
        preset = point.pop("preset", common_args.get("preset"))
        seed = int(point.pop("seed", common_args.get("seed", 1)))
        args = {k: v for k, v in common_args.items() if k not in ("env", "preset", "seed")}
        args.update(per_algo.get(algo, {}))
        args.update(point)
        digest = hashlib.sha256(
            json.dumps(
                {"algo": algo, "env": env, "preset": preset, "seed": seed, "args": args}, sort_keys=True
            ).encode()
        ).hexdigest()[:8]
        label = f"{name}-{preset}" if preset else name
        run_dir = runs_dir / f"{env}__{algo}__{seed}__{label}-{digest}"
        trials.append(Trial(algo, env, None if preset is None else str(preset), seed, args, run_dir))
    check_trials(trials)
    max_concurrent = raw.get("max_concurrent")
    return Spec(
        name=name,
        runs_dir=runs_dir,
        trials=trials,
        evaluate=dict(raw.get("evaluate", {})),
        max_concurrent=None if max_concurrent is None else int(max_concurrent),
        cpus_per_trial=float(raw.get("cpus_per_trial", 1.0)),
    )


def _read(path: Path) -> dict[str, Any]:
    text = path.read_text()
    try:
        if path.suffix == ".toml":
            import tomllib

            data = tomllib.loads(text)
        elif path.suffix in (".yaml", ".yml"):
            import yaml

            data = yaml.safe_load(text)
        else:
            raise SweepSpecError(f"sweep spec {path}: expected a .toml, .yaml or .yml file")
    except SweepSpecError:
        raise
    except Exception as e:
        raise SweepSpecError(f"sweep spec {path} cannot be parsed: {e}") from None
    if not isinstance(data, dict):
        raise SweepSpecError(f"sweep spec {path} must hold a table of keys")
    return data


def _split_args(args: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
    import agents

    common: dict[str, Any] = {}
    per_algo: dict[str, dict[str, Any]] = {}
    for key, value in args.items():
        if key in agents.ALGORITHMS:
            if not isinstance(value, Mapping):
                raise SweepSpecError(f"args.{key} must be a table of that algorithm's Args")
            per_algo[key] = dict(value)
        else:
            common[key] = value
    return common, per_algo


def check_trials(trials: Sequence[Trial]) -> None:
    """Every trial's options parse for its trainer (unknown algorithm or option: SweepSpecError now, not in a
    Ray worker later)."""
    import dataclasses

    import agents

    for trial in trials:
        try:
            module = agents.trainer(trial.algo)
        except AgentsError as e:
            raise SweepSpecError(f"grid.algo: {e}") from None
        known = {f.name for f in dataclasses.fields(module.Args)} | {"set"}
        unknown = sorted(set(trial.args) - known)
        if unknown:
            raise SweepSpecError(f"{trial.algo} has no option(s) {', '.join(unknown)} (from the sweep spec)")


@dataclass
class Outcome:
    trial: Trial
    status: str
    """finished, skipped (finished before), failed, unfinished (interrupted, resumed by a rerun)"""
    error: str | None = None
    summary: dict[str, Any] | None = None
    node: str | None = None

    def as_dict(self) -> dict[str, Any]:
        summary = self.summary or {}
        return {
            "run": str(self.trial.run_dir),
            "algo": self.trial.algo,
            "env": self.trial.env,
            "preset": self.trial.preset,
            "seed": self.trial.seed,
            "status": self.status,
            "error": self.error,
            "node": self.node,
            "global_step": summary.get("global_step"),
            "final_return": summary.get("final_return"),
            "final_completion_ratio": summary.get("final_completion_ratio"),
            "wall_s": summary.get("wall_s"),
            "env_steps_per_s": summary.get("env_steps_per_s"),
        }


def run_trial(config: dict[str, Any]) -> dict[str, Any]:
    """The Ray Tune trainable: one trainer run (resumed when its directory holds an unfinished run)."""
    import ray

    import agents
    from agents.common.session import parse_args

    trial: Trial = config["trial"]
    module = agents.trainer(trial.algo)
    latest = trial.run_dir / "checkpoints" / "latest.pt"
    if latest.is_file():
        argv = ["--resume", str(trial.run_dir), "--no-progress"]
    else:
        argv = [*trial.argv(), "--runs-dir", str(trial.run_dir.parent), "--run-name", trial.run_dir.name]
        if trial.run_dir.exists():
            argv.append("--force")  # a run that failed before its first checkpoint starts over
    module.train(parse_args(module.Args, argv, prog=f"pygym train {trial.algo}"))
    summary = read_summary(trial.run_dir) or {}
    return {"status": summary.get("status", "unfinished"), "node": ray.get_runtime_context().get_node_id()}


def run(spec: Spec, *, address: str | None = None, max_concurrent: int | None = None) -> list[Outcome]:
    """Runs the sweep's unfinished trials on Ray Tune; returns every trial's outcome, in grid order."""
    outcomes: dict[str, Outcome] = {}
    pending = []
    for trial in spec.trials:
        summary = read_summary(trial.run_dir)
        if summary is not None and summary.get("status") == "finished":
            outcomes[trial.key()] = Outcome(trial, "skipped", summary=summary)
        else:
            pending.append(trial)
    if pending:
        for outcome in _tune(spec, pending, address, max_concurrent or spec.max_concurrent):
            outcomes[outcome.trial.key()] = outcome
    # A trial Tune never reported (the sweep was interrupted before it ran or ended) is unfinished.
    return [
        outcomes.get(t.key(), Outcome(t, "unfinished", summary=read_summary(t.run_dir))) for t in spec.trials
    ]


def _tune(spec: Spec, trials: list[Trial], address: str | None, max_concurrent: int | None) -> list[Outcome]:
    try:
        import ray
        from ray import tune
    except ImportError:
        raise AgentsError(
            "pygym sweep needs Ray: pip install 'pygym-edge[sweep]' (make setup installs it)"
        ) from None
    cores = os.cpu_count() or 1
    started_here = not ray.is_initialized()
    if started_here:
        if address is None:
            # "local": a new instance even when another Ray cluster runs on this machine (never join it).
            ray.init(
                address="local",
                num_cpus=cores,
                include_dashboard=False,
                log_to_driver=False,
                configure_logging=False,
            )
        else:
            ray.init(address=address, log_to_driver=False, configure_logging=False)
    try:
        concurrent = max_concurrent or max(
            1, int(ray.cluster_resources().get("CPU", cores) // spec.cpus_per_trial)
        )
        spec.runs_dir.mkdir(parents=True, exist_ok=True)
        tuner = tune.Tuner(
            tune.with_resources(run_trial, {"cpu": spec.cpus_per_trial}),
            param_space={"trial": tune.grid_search(trials)},
            tune_config=tune.TuneConfig(max_concurrent_trials=concurrent, reuse_actors=False),
            run_config=tune.RunConfig(
                name=f".ray-{spec.name}",
                storage_path=str(spec.runs_dir),
                failure_config=tune.FailureConfig(max_failures=0, fail_fast=False),
                verbose=0,
            ),
        )
        results = tuner.fit()
        outcomes = []
        for index in range(len(results)):
            result = results[index]
            trial = (result.config or {})["trial"]
            summary = read_summary(trial.run_dir)
            if result.error is not None:
                message = str(result.error).strip().splitlines()
                cause = next(
                    (line for line in reversed(message) if line.strip()), type(result.error).__name__
                )
                outcomes.append(Outcome(trial, "failed", error=cause, summary=summary))
            else:
                metrics = result.metrics or {}
                status = "finished" if metrics.get("status") == "finished" else str(metrics.get("status"))
                outcomes.append(Outcome(trial, status, summary=summary, node=metrics.get("node")))
        return outcomes
    finally:
        if started_here:
            ray.shutdown()


HEURISTICS = ("local", "random", "least-queue", "round-robin")
FIGURES = ("reward", "completion_ratio", "latency_mean_s", "latency_p95_s")


def evaluate_runs(spec: Spec, outcomes: Sequence[Outcome]) -> list[dict[str, Any]]:
    """Each finished run's final checkpoint, greedily, next to the heuristics, on ``evaluate.episodes``
    held-out seeds from ``evaluate.seed`` (per env and preset). Rows: one per heuristic and one per
    algorithm (mean, min and max over its runs), plus one per run."""
    import pygym
    from agents.common.policies import load_policy
    from agents.evaluation import evaluate
    from agents.heuristics import make_policy

    episodes = int(spec.evaluate.get("episodes", 10))
    seed = int(spec.evaluate.get("seed", 100_000))
    heuristics = list(spec.evaluate.get("heuristics", HEURISTICS))
    done = [o for o in outcomes if o.status in ("finished", "skipped")]
    rows: list[dict[str, Any]] = []
    # Runs are evaluated on the scenario they were trained on (preset and --set keywords, as recorded).
    scenarios: dict[str, tuple[str, str, dict[str, Any], list[Outcome]]] = {}
    for outcome in done:
        config = read_config(outcome.trial.run_dir)
        key = json.dumps([config["env_id"], config["scenario"]], sort_keys=True)
        entry = scenarios.setdefault(
            key, (config["env_id"], outcome.trial.preset or "", config["scenario"], [])
        )
        entry[3].append(outcome)
    for env, preset, scenario, here in scenarios.values():
        with pygym.make_vec(env, min(episodes, 10), task_records=True, **scenario) as venv:
            for name in heuristics:
                summary = evaluate(venv, make_policy(name), episodes, seed).as_dict()
                rows.append(_row(env, preset, name, "heuristic", [summary]))
            per_algo: dict[str, list[dict[str, Any]]] = {}
            for outcome in here:
                summary = evaluate(venv, load_policy(outcome.trial.run_dir), episodes, seed).as_dict()
                per_algo.setdefault(outcome.trial.algo, []).append(summary)
                rows.append(_row(env, preset, outcome.trial.run_dir.name, "run", [summary]))
            for algo, summaries in per_algo.items():
                rows.append(_row(env, preset, algo, "algorithm", summaries))
    return rows


def _row(env: str, preset: str, policy: str, kind: str, summaries: list[dict[str, Any]]) -> dict[str, Any]:
    row: dict[str, Any] = {"env": env, "preset": preset or None, "policy": policy, "kind": kind}
    row["runs"] = len(summaries)
    row["episodes"] = sum(int(s["episodes"]) for s in summaries)
    for figure in FIGURES:
        values = [float(s[figure]) for s in summaries if s.get(figure) is not None]
        values = [v for v in values if math.isfinite(v)]
        row[figure] = sum(values) / len(values) if values else None
        row[f"{figure}_min"] = min(values) if values else None
        row[f"{figure}_max"] = max(values) if values else None
    return row
