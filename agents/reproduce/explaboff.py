"""``pygym reproduce explaboff``: ExplabOff's comparison (its README figure ``figs/exp.png``), here.

Every method is trained on every setting of ``offload-mec-explaboff-v0`` (2x3, 2x5, 3x7) with every seed,
through :mod:`agents.common.sweep` (Ray Tune: local by default, a cluster with ``address``; each run its own
simulator). Each run evaluates its greedy policy (no exploration noise) every ``eval_every`` training
episodes on the same 32 fixed episodes (:mod:`agents.common.evaluator`). The output folder then holds

- ``runs/<setting>/<method>__<seed>/``: the run directories (``pygym runs``, ``pygym eval`` read them);
- ``evaluations.csv``: every deterministic evaluation (setting, method, seed, training episodes, env steps,
  trainer CPU seconds, AvgCost, SuccRate, return, early ends, ...);
- ``figure.png``: laid out like the paper's: one column per setting, AvgCost (top) and SuccRate (bottom)
  against training episodes, one line per method (mean over seeds, band min-max), the paper's reading of
  ExplabOff's final cost dotted;
- ``table.md`` and ``table.csv``: per setting and method the final AvgCost and SuccRate (mean +- std over
  seeds of each run's evaluations in the last 5% of its training episodes), the episodes until SuccRate
  >= 0.95 first holds, the area under the cost curve (mean AvgCost over training), speed, the paper's
  reading, failed runs with their errors, the targets and the ordering of the methods;
- ``mi.csv`` and ``mi.png``: the MI diagnostics of the ExplabOff runs (the lower and upper bounds on replay
  batches, the bonus, the mean return in GOOD and BAD);
- ``reproduce.json``: the grid (budgets, evaluation, methods' options) and every run's outcome.

An episode budget N means ``10 N`` environment steps (the release budgets steps too: 9e6); episodes that
end early on a missed deadline are shorter, so a run plays more than N episodes. Rerunning the same command
skips finished runs, resumes interrupted ones from their last checkpoint and retries failed ones; more
settings, methods or seeds can be added to a folder later, but a folder whose runs were made with another
budget, evaluation or options is refused (ResultsFolderMismatch).
"""

from __future__ import annotations

import csv
import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from agents.common import sweep as sweeping
from agents.common.errors import InvalidArgs, ResultsFolderMismatch, UnknownAlgorithm
from agents.common.runs import CONFIG, METRICS, read_config, read_summary, write_json_atomic

ENV_ID = "offload-mec-explaboff-v0"
SETTINGS = ("2x3", "2x5", "3x7")
EPISODE_STEPS = 10
MANIFEST = "reproduce.json"
FORMAT = 1
FINAL_FRACTION = 0.05
"""the final figures average each run's evaluations in the last 5% of its training episodes"""
SUCCESS_LEVEL = 0.95
EVAL_POINTS = 50
"""default evaluations per run: eval_every = episodes / 50"""


@dataclass(frozen=True)
class Method:
    name: str
    algo: str
    args: Mapping[str, Any]
    description: str


METHODS: dict[str, Method] = {
    m.name: m
    for m in (
        Method(
            "explaboff", "explaboff", {}, "ExplabOff: JSD on superior, CLUB on inferior, alpha 3.5, beta 1"
        ),
        Method("cmoff", "cmoff", {}, "CMOff: ExplabOff without MI (shared central critic)"),
        Method("maddpg", "maddpg", {}, "MADDPG (MDOff), per-agent central critics"),
        Method("matd3", "matd3", {}, "MATD3 (MTOff), twin critics, smoothing, delayed actors"),
        Method("mappo", "mappo", {}, "MAPPO (MPOff), centralised V on state()"),
        Method("explaboff-faithful", "explaboff", {"faithful": True}, "ExplabOff with the release's defects"),
        Method("cmoff-faithful", "cmoff", {"faithful": True}, "CMOff with the release's defects"),
        Method("explaboff-jsd-only", "explaboff", {"beta": 0.0}, "ablation: beta = 0 (lower bound only)"),
        Method("explaboff-club-only", "explaboff", {"alpha": 0.0}, "ablation: alpha = 0 (upper bound only)"),
        Method("explaboff-random-split", "explaboff", {"split": "random"}, "ablation: GOOD/BAD by a coin"),
        Method(
            "explaboff-nce-l1out",
            "explaboff",
            {"mi_lower": "infonce", "mi_upper": "l1out"},
            "ExplabOff with the figure's estimators (InfoNCE, L1Out)",
        ),
    )
}
DEFAULT_METHODS = ("explaboff", "cmoff", "maddpg", "matd3", "mappo")

PAPER = {
    "2x3": {"explaboff": (1.0, 1.0), "cmoff": (1.3, 0.8), "maddpg": (1.45, 0.85), "matd3": (1.7, 0.45),
            "mappo": (1.9, 0.3)},
    "2x5": {"explaboff": (1.5, 0.8), "cmoff": (1.8, 0.75), "maddpg": (1.7, 0.6), "matd3": (2.0, 0.55),
            "mappo": (2.1, 0.5)},
    "3x7": {"explaboff": (1.25, 1.0), "cmoff": (1.7, 0.8), "maddpg": (4.8, 0.05), "matd3": (6.0, 0.02),
            "mappo": (1.8, 0.5)},
}  # fmt: skip
"""(AvgCost, SuccRate) of each method near 1e6 episodes, read off the README figure (+-0.1 in cost, +-0.05
in rate; ExplabOff report, section 4); the figure has one run per method."""

HEURISTICS = {"random": None, "size-table": "7:1:0.875,6:0:0.75,3:1:0.5"}
"""reference policies evaluated on the same episodes; the size table (2x3 only) meets every deadline"""

TARGET_CPU_S = 15 * 60
"""2x3 target: AvgCost <= 1.0 with SuccRate >= 0.95 within 15 CPU-minutes of training on >= 2 of 3 seeds"""

EVAL_COLUMNS = (
    "setting", "method", "algo", "seed", "status", "env_steps", "train_episodes", "cpu_s", "wall_s",
    "avg_cost", "success_rate", "reward", "ended_early", "missed_deadlines", "missed_on_last_step",
    "latency_mean_s",
)  # fmt: skip
MI_TAGS = (
    "charts/mi_lower", "charts/mi_upper", "charts/mi_bonus", "charts/good_return_mean",
    "charts/bad_return_mean", "charts/mi_phase",
)  # fmt: skip


@dataclass
class Plan:
    """The grid: settings x methods x seeds, budgets per setting, evaluation, extra trainer options."""

    output: Path
    settings: list[str]
    methods: list[str]
    seeds: dict[str, list[int]]
    """seeds per setting"""
    episodes: dict[str, int]
    eval_every: dict[str, int]
    eval_episodes: int = 32
    eval_seed: int = 1_000_000_000
    extra_args: dict[str, dict[str, Any]] = field(default_factory=dict)
    """trainer options per method (``--arg METHOD.KEY=VALUE``)"""

    def method_args(self, method: str) -> dict[str, Any]:
        return {**METHODS[method].args, **self.extra_args.get(method, {})}

    def run_dir(self, setting: str, method: str, seed: int) -> Path:
        return self.output / "runs" / setting / f"{method}__{seed}"

    def trials(self) -> list[sweeping.Trial]:
        trials = []
        for setting in self.settings:
            for method in self.methods:
                for seed in self.seeds[setting]:
                    args = {
                        "set": [f"setting={setting}"],
                        "total_timesteps": EPISODE_STEPS * self.episodes[setting],
                        "eval_every_episodes": self.eval_every[setting],
                        "eval_episodes": self.eval_episodes,
                        "eval_seed": self.eval_seed,
                        **self.method_args(method),
                    }
                    run_dir = self.run_dir(setting, method, seed)
                    trials.append(sweeping.Trial(METHODS[method].algo, ENV_ID, None, seed, args, run_dir))
        return trials

    def manifest(self) -> dict[str, Any]:
        return {
            "reproduction": "explaboff",
            "format": FORMAT,
            "env_id": ENV_ID,
            "eval_episodes": self.eval_episodes,
            "eval_seed": self.eval_seed,
            "settings": {
                s: {"episodes": self.episodes[s], "eval_every": self.eval_every[s]} for s in self.settings
            },
            "methods": {m: {"algo": METHODS[m].algo, "args": self.method_args(m)} for m in self.methods},
            "seeds": {s: list(self.seeds[s]) for s in self.settings},
        }


def make_plan(
    output: Path,
    settings: Sequence[str],
    methods: Sequence[str],
    seeds: Mapping[str, int] | int,
    episodes: Mapping[str, int] | int,
    eval_every: Mapping[str, int] | int | None = None,
    eval_episodes: int = 32,
    extra_args: Sequence[str] = (),
) -> Plan:
    """A checked Plan; InvalidArgs or UnknownAlgorithm name the first bad input."""
    unknown = [s for s in settings if s not in SETTINGS]
    if unknown or not settings:
        raise InvalidArgs(f"unknown setting {', '.join(unknown) or '(none)'}; known: {', '.join(SETTINGS)}")
    bad_methods = [m for m in methods if m not in METHODS]
    if bad_methods or not methods:
        raise UnknownAlgorithm(
            f"unknown method {', '.join(bad_methods) or '(none)'}; known: {', '.join(METHODS)}"
        )
    seed_counts = _per_setting("--seeds", seeds, settings)
    if eval_episodes < 1:
        raise InvalidArgs(f"--eval-episodes {eval_episodes}: expected >= 1")
    budgets = _per_setting("--episodes", episodes, settings)
    every = (
        {s: max(1, budgets[s] // EVAL_POINTS) for s in settings}
        if eval_every is None
        else _per_setting("--eval-every", eval_every, settings)
    )
    plan = Plan(
        # Absolute: Ray Tune refuses a relative storage path, and its workers run in folders of their own.
        output=Path(output).resolve(),
        settings=list(dict.fromkeys(settings)),
        methods=list(dict.fromkeys(methods)),
        seeds={s: list(range(1, seed_counts[s] + 1)) for s in settings},
        episodes=budgets,
        eval_every=every,
        eval_episodes=eval_episodes,
        extra_args=_parse_extra_args(extra_args, methods),
    )
    sweeping.check_trials(plan.trials())
    return plan


def _per_setting(option: str, value: Mapping[str, int] | int, settings: Sequence[str]) -> dict[str, int]:
    values = dict(value) if isinstance(value, Mapping) else {s: int(value) for s in settings}
    missing = [s for s in settings if s not in values]
    if missing:
        raise InvalidArgs(f"{option} gives no value for setting {', '.join(missing)}")
    for setting in settings:
        if values[setting] < 1:
            raise InvalidArgs(f"{option} {values[setting]} for {setting}: expected >= 1")
    return {s: int(values[s]) for s in settings}


def _parse_extra_args(items: Sequence[str], methods: Sequence[str]) -> dict[str, dict[str, Any]]:
    """``METHOD.KEY=VALUE`` items (values read as JSON when they parse) by method."""
    extra: dict[str, dict[str, Any]] = {}
    for item in items:
        target, sep, text = item.partition("=")
        method, dot, key = target.partition(".")
        if not sep or not dot or not key:
            raise InvalidArgs(f"--arg expects METHOD.KEY=VALUE, got {item!r}")
        if method not in methods:
            raise InvalidArgs(f"--arg {item!r}: method {method!r} is not in the grid ({', '.join(methods)})")
        try:
            value: Any = json.loads(text)
        except ValueError:
            value = text
        extra.setdefault(method, {})[key.replace("-", "_")] = value
    return extra


# ---- the results folder --------------------------------------------------------------------------------


def check_folder(plan: Plan) -> dict[str, Any]:
    """The manifest to write: the folder's own merged with this plan. ResultsFolderMismatch if the folder
    holds another grid's runs (other budgets, evaluation or options) or files no reproduction wrote."""
    path = plan.output / MANIFEST
    wanted = plan.manifest()
    if not path.is_file():
        stray = [p.name for p in plan.output.iterdir()] if plan.output.is_dir() else []
        if stray:
            raise ResultsFolderMismatch(
                f"{plan.output} holds {', '.join(sorted(stray)[:5])} but no {MANIFEST}: it is not a folder "
                "of pygym reproduce explaboff; choose another -o"
            )
        return wanted
    try:
        existing = json.loads(path.read_text())
    except (OSError, ValueError) as e:
        raise ResultsFolderMismatch(f"{path} cannot be read: {e}") from None
    differences = []
    for key in ("reproduction", "format", "env_id", "eval_episodes", "eval_seed"):
        if existing.get(key) != wanted[key]:
            differences.append(f"{key}: folder {existing.get(key)!r}, now {wanted[key]!r}")
    for setting, budget in wanted["settings"].items():
        theirs = existing.get("settings", {}).get(setting)
        if theirs is not None and theirs != budget:
            differences.append(f"setting {setting}: folder {theirs}, now {budget}")
    for method, options in wanted["methods"].items():
        theirs = existing.get("methods", {}).get(method)
        if theirs is not None and theirs != options:
            differences.append(f"method {method}: folder {theirs}, now {options}")
    if differences:
        raise ResultsFolderMismatch(
            f"{plan.output} holds another grid's runs ({'; '.join(differences)}); rerun with the folder's "
            "options or choose another -o"
        )
    merged = dict(existing)
    merged["settings"] = {**existing.get("settings", {}), **wanted["settings"]}
    merged["methods"] = {**existing.get("methods", {}), **wanted["methods"]}
    merged["seeds"] = {
        s: sorted(set(existing.get("seeds", {}).get(s, [])) | set(wanted["seeds"].get(s, [])))
        for s in {*existing.get("seeds", {}), *wanted["seeds"]}
    }
    for trial in plan.trials():
        _check_run(trial)
    return merged


def _check_run(trial: sweeping.Trial) -> None:
    """A run directory already there must be this trial's."""
    if not (trial.run_dir / CONFIG).is_file():
        return
    config = read_config(trial.run_dir)
    saved = config["args"]
    problems = []
    if config["algo"] != trial.algo:
        problems.append(f"algo {config['algo']} (now {trial.algo})")
    if config.get("scenario") != {"setting": trial.args["set"][0].split("=", 1)[1]}:
        problems.append(f"scenario {config.get('scenario')}")
    for key, value in trial.args.items():
        if key != "set" and saved.get(key) != value:
            problems.append(f"{key} {saved.get(key)!r} (now {value!r})")
    if saved.get("seed") != trial.seed:
        problems.append(f"seed {saved.get('seed')} (now {trial.seed})")
    if problems:
        raise ResultsFolderMismatch(f"run {trial.run_dir} was made by another grid: {', '.join(problems)}")


def run(plan: Plan, *, address: str | None = None, max_concurrent: int | None = None) -> Report:
    """Trains what is missing (skipping finished runs, resuming interrupted ones) and writes the report."""
    manifest = check_folder(plan)
    plan.output.mkdir(parents=True, exist_ok=True)
    write_json_atomic(plan.output / MANIFEST, {**manifest, "outcomes": _previous_outcomes(plan)})
    spec = sweeping.Spec(name="explaboff", runs_dir=plan.output / "runs", trials=plan.trials())
    outcomes = sweeping.run(spec, address=address, max_concurrent=max_concurrent)
    report = build_report(plan, outcomes)
    report.heuristics = evaluate_heuristics(plan)
    report.write(plan.output)
    outcome_records = {**_previous_outcomes(plan), **{_key(o.trial): o.as_dict() for o in outcomes}}
    write_json_atomic(plan.output / MANIFEST, {**manifest, "outcomes": outcome_records})
    return report


def _key(trial: sweeping.Trial) -> str:
    return str(trial.run_dir.relative_to(trial.run_dir.parent.parent.parent))


def _previous_outcomes(plan: Plan) -> dict[str, Any]:
    path = plan.output / MANIFEST
    if not path.is_file():
        return {}
    return dict(json.loads(path.read_text()).get("outcomes", {}))


# ---- reading runs --------------------------------------------------------------------------------------


@dataclass
class RunResult:
    setting: str
    method: str
    algo: str
    seed: int
    status: str
    error: str | None
    evaluations: list[dict[str, Any]]
    diagnostics: dict[str, tuple[np.ndarray, np.ndarray]]
    """MI tags: (steps, values)"""
    summary: dict[str, Any]
    updates: float


def read_run(
    setting: str, method: str, seed: int, run_dir: Path, status: str, error: str | None
) -> RunResult:
    """A run's evaluations (grouped by step) and diagnostics from its metrics.csv."""
    evals: dict[int, dict[str, Any]] = {}
    diagnostics: dict[str, tuple[list[int], list[float]]] = {tag: ([], []) for tag in MI_TAGS}
    updates = 0.0
    path = run_dir / METRICS
    if path.is_file():
        with open(path, newline="") as f:
            for row in csv.DictReader(f):
                tag = row["tag"]
                if tag.startswith("eval/"):
                    entry = evals.setdefault(int(row["step"]), {"wall_s": float(row["wall_s"])})
                    entry[tag[5:]] = float(row["value"])
                elif tag in diagnostics:
                    diagnostics[tag][0].append(int(row["step"]))
                    diagnostics[tag][1].append(float(row["value"]))
                elif tag == "charts/updates":
                    updates = float(row["value"])
    config = read_config(run_dir) if (run_dir / CONFIG).is_file() else {"algo": METHODS[method].algo}
    rows = []
    for step in sorted(evals):
        e = evals[step]
        rows.append(
            {
                "setting": setting, "method": method, "algo": config["algo"], "seed": seed, "status": status,
                "env_steps": step, "train_episodes": int(e.get("episodes", 0)), "cpu_s": e.get("cpu_s"),
                "wall_s": e["wall_s"], "avg_cost": e.get("avg_cost"), "success_rate": e.get("success_rate"),
                "reward": e.get("reward"), "ended_early": e.get("ended_early"),
                "missed_deadlines": e.get("missed_deadlines"),
                "missed_on_last_step": e.get("missed_on_last_step"),
                "latency_mean_s": e.get("latency_mean_s"),
            }
        )  # fmt: skip
    return RunResult(
        setting=setting,
        method=method,
        algo=str(config["algo"]),
        seed=seed,
        status=status,
        error=error,
        evaluations=rows,
        diagnostics={k: (np.asarray(s, np.int64), np.asarray(v)) for k, (s, v) in diagnostics.items()},
        summary=read_summary(run_dir) or {},
        updates=updates,
    )


def final_value(result: RunResult, key: str) -> float:
    """Mean of ``key`` over the run's evaluations in its last 5% of training episodes (at least the last)."""
    rows = [r for r in result.evaluations if r.get(key) is not None]
    if not rows:
        return math.nan
    last = rows[-1]["train_episodes"]
    chosen = [r[key] for r in rows if r["train_episodes"] >= (1 - FINAL_FRACTION) * last]
    return float(np.mean(chosen))


def episodes_to_success(result: RunResult, level: float = SUCCESS_LEVEL) -> int | None:
    """Training episodes at the first evaluation with SuccRate >= level (None if never)."""
    for r in result.evaluations:
        if r["success_rate"] is not None and r["success_rate"] >= level:
            return int(r["train_episodes"])
    return None


def area_under_cost(result: RunResult) -> float:
    """Mean AvgCost over training: the trapezoid area under the evaluation curve over its episode range."""
    rows = [r for r in result.evaluations if r["avg_cost"] is not None]
    if len(rows) < 2:
        return math.nan
    x = np.asarray([r["train_episodes"] for r in rows], np.float64)
    y = np.asarray([r["avg_cost"] for r in rows])
    area = float(np.sum((y[1:] + y[:-1]) / 2 * np.diff(x)))
    return area / (x[-1] - x[0]) if x[-1] > x[0] else float(y.mean())


def first_target(result: RunResult, cost: float, success: float = SUCCESS_LEVEL) -> dict[str, Any] | None:
    """The first evaluation with AvgCost <= cost and SuccRate >= success (episodes, CPU seconds)."""
    for r in result.evaluations:
        if r["avg_cost"] is not None and r["avg_cost"] <= cost and (r["success_rate"] or 0) >= success:
            return {"train_episodes": r["train_episodes"], "cpu_s": r["cpu_s"], "env_steps": r["env_steps"]}
    return None


# ---- the report ----------------------------------------------------------------------------------------


@dataclass
class Report:
    plan: Plan
    results: list[RunResult]
    rows: list[dict[str, Any]]
    mi_rows: list[dict[str, Any]]
    targets: list[dict[str, Any]]
    orderings: list[dict[str, Any]]
    failures: list[dict[str, Any]]
    heuristics: list[dict[str, Any]] = field(default_factory=list)
    """reference policies on the evaluation episodes (:func:`evaluate_heuristics`)"""

    def write(self, output: Path) -> None:
        output.mkdir(parents=True, exist_ok=True)
        with open(output / "evaluations.csv", "w", newline="") as f:
            writer = csv.DictWriter(f, fieldnames=EVAL_COLUMNS)
            writer.writeheader()
            for result in self.results:
                writer.writerows(result.evaluations)
        _write_csv(output / "table.csv", self.rows)
        _write_csv(output / "mi.csv", self.mi_rows)
        (output / "table.md").write_text(self.markdown())
        plot_figure(self, output / "figure.png")
        if self.mi_rows:
            plot_mi(self, output / "mi.png")

    def markdown(self) -> str:
        plan = self.plan
        lines = [
            "# ExplabOff reproduction (`pygym reproduce explaboff`)",
            "",
            f"Env `{ENV_ID}`; budgets (training episodes, x10 env steps): "
            + ", ".join(
                f"{s} {plan.episodes[s]:,} (evaluated every {plan.eval_every[s]:,})" for s in plan.settings
            )
            + "; seeds "
            + ", ".join(f"{s} {len(plan.seeds[s])}" for s in plan.settings)
            + f"; each evaluation {plan.eval_episodes} fixed episodes "
            f"(seeds {plan.eval_seed}...), greedy policy. Final = mean +- std over seeds of each run's "
            f"evaluations in its last {FINAL_FRACTION:.0%} of training episodes; paper = reading of the "
            "release's figure near 1e6 episodes (one run per method).",
            "",
        ]
        for setting in plan.settings:
            lines += [f"## {setting}", ""]
            lines.append(
                "| method | runs | AvgCost | SuccRate | episodes to SuccRate >= 0.95 | cost AUC | return | "
                "paper AvgCost / SuccRate | env steps/s | updates | updates/s | CPU min/run |"
            )
            lines.append("|---|---|---|---|---|---|---|---|---|---|---|---|")
            for r in (r for r in self.rows if r["setting"] == setting):
                paper = PAPER[setting].get(r["method"])
                paper_text = f"{paper[0]:.2f} / {paper[1]:.2f}" if paper else "-"
                lines.append(
                    f"| {r['method']} | {r['runs_finished']}/{r['runs']} "
                    f"| {_pm(r['avg_cost'], r['avg_cost_std'])} "
                    f"| {_pm(r['success_rate'], r['success_rate_std'])} | {r['episodes_to_success']} "
                    f"| {_num(r['cost_auc'])} | {_num(r['return'])} | {paper_text} "
                    f"| {_num(r['env_steps_per_s'], 0)} | {_num(r['updates'], 0)} "
                    f"| {_num(r['updates_per_s'], 1)} | {_num(r['cpu_min'], 1)} |"
                )
            lines.append("")
            for h in (h for h in self.heuristics if h["setting"] == setting):
                lines.append(
                    f"- reference, {h['policy']} on the same episodes: AvgCost {h['avg_cost']:.3f}, "
                    f"SuccRate {h['success_rate']:.3f}"
                )
            for o in (o for o in self.orderings if o["setting"] == setting):
                order = " < ".join(o["order"])
                lines.append(f"- ordering by final AvgCost ({o['group']}): {order}; {o['verdict']}")
            lines.append("")
        if self.targets:
            lines += ["## Targets", ""]
            lines += [f"- {t['setting']} {t['method']}: {t['text']}" for t in self.targets]
            lines.append("")
        if self.mi_rows:
            lines += ["## MI diagnostics (mean over seeds of each run's mean over its iterations)", ""]
            lines.append(
                "| setting | method | MI phase | I_lower (replay) | I_upper (replay) | bonus | "
                "GOOD mean return | BAD mean return | bonus (last 10%) |"
            )
            lines.append("|---|---|---|---|---|---|---|---|---|")
            for m in self.mi_rows:
                lines.append(
                    f"| {m['setting']} | {m['method']} | {_num(m['mi_phase'], 2)} "
                    f"| {_num(m['mi_lower'], 4)} | {_num(m['mi_upper'], 4)} | {_num(m['mi_bonus'], 4)} "
                    f"| {_num(m['good_return'], 2)} | {_num(m['bad_return'], 2)} "
                    f"| {_num(m['mi_bonus_final'], 4)} |"
                )
            lines.append("")
        if self.failures:
            lines += ["## Failed runs", ""]
            lines += [f"- {f['run']}: {f['error']}" for f in self.failures]
            lines.append("")
        return "\n".join(lines)


def evaluate_heuristics(plan: Plan) -> list[dict[str, Any]]:
    """The random policy on every setting and the deadline-meeting size table on 2x3, on the runs'
    evaluation episodes."""
    import pygym
    from agents.evaluation import evaluate
    from agents.heuristics import make_policy

    rows = []
    for setting in plan.settings:
        with pygym.make_vec(ENV_ID, min(plan.eval_episodes, 64), setting=setting) as venv:
            for name, table in HEURISTICS.items():
                if table is not None and setting != "2x3":
                    continue
                summary = evaluate(venv, make_policy(name, table=table), plan.eval_episodes, plan.eval_seed)
                label = f"{name} {table}" if table else name
                rows.append(
                    {
                        "setting": setting,
                        "policy": label,
                        "avg_cost": summary.figures["avg_cost"],
                        "success_rate": summary.figures["success_rate"],
                    }
                )
    return rows


def build_report(plan: Plan, outcomes: Sequence[sweeping.Outcome]) -> Report:
    by_dir = {o.trial.run_dir: o for o in outcomes}
    results = []
    failures = []
    for setting in plan.settings:
        for method in plan.methods:
            for seed in plan.seeds[setting]:
                run_dir = plan.run_dir(setting, method, seed)
                outcome = by_dir.get(run_dir)
                status = "missing" if outcome is None else outcome.status
                error = None if outcome is None else outcome.error
                if status == "failed":
                    failures.append({"run": str(run_dir.relative_to(plan.output)), "error": error})
                results.append(read_run(setting, method, seed, run_dir, status, error))
    rows = []
    mi_rows = []
    for setting in plan.settings:
        for method in plan.methods:
            here = [r for r in results if r.setting == setting and r.method == method]
            done = [r for r in here if r.status in ("finished", "skipped")]
            rows.append(_table_row(setting, method, here, done))
            if METHODS[method].algo == "explaboff" and done:
                mi_rows.append(_mi_row(setting, method, done))
    report = Report(plan, results, rows, mi_rows, [], [], failures)
    report.targets = _targets(plan, results)
    report.orderings = _orderings(plan, rows)
    return report


def _table_row(setting: str, method: str, here: list[RunResult], done: list[RunResult]) -> dict[str, Any]:
    costs = [final_value(r, "avg_cost") for r in done]
    successes = [final_value(r, "success_rate") for r in done]
    reached = [episodes_to_success(r) for r in done]
    hits = [x for x in reached if x is not None]
    speeds = [r.summary.get("env_steps_per_s") for r in done]
    update_rates = [r.updates / r.summary["wall_s"] for r in done if r.summary.get("wall_s")]
    cpu = [r.summary["cpu_s"] / 60 for r in done if r.summary.get("cpu_s") is not None]
    return {
        "setting": setting,
        "method": method,
        "runs": len(here),
        "runs_finished": len(done),
        "avg_cost": _mean(costs),
        "avg_cost_std": _std(costs),
        "success_rate": _mean(successes),
        "success_rate_std": _std(successes),
        "episodes_to_success": f"{int(np.mean(hits)):,} ({len(hits)}/{len(done)} seeds)" if hits else
        f"never (0/{len(done)} seeds)",
        "cost_auc": _mean([area_under_cost(r) for r in done]),
        "return": _mean([final_value(r, "reward") for r in done]),
        "env_steps_per_s": _mean([s for s in speeds if s]),
        "updates": _mean([r.updates for r in done]),
        "updates_per_s": _mean(update_rates),
        "cpu_min": _mean(cpu),
        "paper_avg_cost": PAPER[setting].get(method, (None, None))[0],
        "paper_success_rate": PAPER[setting].get(method, (None, None))[1],
    }  # fmt: skip


def _mi_row(setting: str, method: str, done: list[RunResult]) -> dict[str, Any]:
    def whole(tag: str) -> float:
        return _mean([float(np.mean(r.diagnostics[tag][1])) for r in done if len(r.diagnostics[tag][1])])

    def late(tag: str) -> float:
        values = []
        for r in done:
            steps, v = r.diagnostics[tag]
            if len(v):
                values.append(float(np.mean(v[steps >= 0.9 * steps[-1]])))
        return _mean(values)

    return {
        "setting": setting,
        "method": method,
        "runs": len(done),
        "mi_phase": whole("charts/mi_phase"),
        "mi_lower": whole("charts/mi_lower"),
        "mi_upper": whole("charts/mi_upper"),
        "mi_bonus": whole("charts/mi_bonus"),
        "good_return": whole("charts/good_return_mean"),
        "bad_return": whole("charts/bad_return_mean"),
        "mi_bonus_final": late("charts/mi_bonus"),
    }


def _targets(plan: Plan, results: list[RunResult]) -> list[dict[str, Any]]:
    """The issue's targets for ExplabOff (and, for comparison, whether the other methods reach them)."""
    targets = []
    for method in plan.methods:
        own = method in ("explaboff", "explaboff-faithful")
        if "2x3" in plan.settings:
            runs = _runs(results, "2x3", method)
            hits = [first_target(r, 1.0) for r in runs]
            within = [h for h in hits if h is not None and (h["cpu_s"] or math.inf) <= TARGET_CPU_S]
            detail = ", ".join(
                f"seed {r.seed}: "
                + (f"{h['train_episodes']:,} episodes, {h['cpu_s'] / 60:.1f} CPU min" if h else "not reached")
                for r, h in zip(runs, hits, strict=True)
            )
            met = len(within) >= 2
            verdict = ("met" if met else "not met") if own else "for comparison"
            targets.append(
                {
                    "setting": "2x3",
                    "method": method,
                    "target": own,
                    "met": met,
                    "text": f"AvgCost <= 1.0 with SuccRate >= 0.95 within 15 CPU-minutes on {len(within)}/"
                    f"{len(runs)} seeds ({verdict}; target >= 2 of 3): {detail}",
                }
            )
        for setting, paper_cost in (("2x5", 1.5), ("3x7", 1.25)):
            if setting not in plan.settings:
                continue
            runs = _runs(results, setting, method)
            finals = [final_value(r, "avg_cost") for r in runs]
            met = bool(finals) and _mean(finals) < paper_cost
            verdict = ("beaten" if met else "not beaten") if own else "for comparison"
            targets.append(
                {
                    "setting": setting,
                    "method": method,
                    "target": own,
                    "met": met,
                    "text": f"final AvgCost {_pm(_mean(finals), _std(finals))} vs the figure's ExplabOff "
                    f"~{paper_cost} ({verdict}; seeds: " + ", ".join(_num(c) for c in finals) + ")",
                }
            )
    return targets


def _runs(results: list[RunResult], setting: str, method: str) -> list[RunResult]:
    return [r for r in results if r.setting == setting and r.method == method and r.status != "failed"]


def _orderings(plan: Plan, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Methods ordered by final AvgCost, for the fixed and the faithful ExplabOff/CMOff, and whether the
    paper's claim (ExplabOff best, CMOff second) holds; a gap within one std counts as a tie."""
    groups = [("fixed", "explaboff", "cmoff"), ("faithful", "explaboff-faithful", "cmoff-faithful")]
    baselines = ["maddpg", "matd3", "mappo"]
    orderings = []
    for setting in plan.settings:
        by_method = {r["method"]: r for r in rows if r["setting"] == setting}
        for label, ours, ablation in groups:
            members = [m for m in (ours, ablation, *baselines) if m in by_method]
            members = [m for m in members if not math.isnan(by_method[m]["avg_cost"])]
            if ours not in members or len(members) < 2:
                continue
            order = sorted(members, key=lambda m: by_method[m]["avg_cost"])
            best, second = order[0], order[1]
            gap = by_method[second]["avg_cost"] - by_method[best]["avg_cost"]
            noise = max(by_method[best]["avg_cost_std"], by_method[second]["avg_cost_std"])
            claim = best == ours and (ablation not in members or second == ablation)
            verdict = (
                f"the paper's claim (ExplabOff best, CMOff second) {'holds' if claim else 'does not hold'}"
                f"; best {best} ahead of {second} by {gap:.3f} (largest std of the two {noise:.3f}"
                f"{', within noise' if gap <= noise else ''})"
            )
            orderings.append(
                {"setting": setting, "group": label, "order": order, "claim_holds": claim, "verdict": verdict}
            )
    return orderings


# ---- figures -------------------------------------------------------------------------------------------

COLOURS = {
    "explaboff": "tab:red", "cmoff": "tab:blue", "maddpg": "tab:green", "matd3": "tab:purple",
    "mappo": "tab:orange", "explaboff-faithful": "tab:pink", "cmoff-faithful": "tab:cyan",
}  # fmt: skip


def _curves(results: list[RunResult], key: str) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Mean, min and max over seeds of ``key`` against training episodes (a common grid)."""
    usable = [r for r in results if len([e for e in r.evaluations if e[key] is not None]) >= 2]
    if not usable:
        empty = np.zeros(0)
        return empty, empty, empty, empty
    last = min(r.evaluations[-1]["train_episodes"] for r in usable)
    grid = np.linspace(0, last, 200)
    curves = []
    for r in usable:
        rows = [e for e in r.evaluations if e[key] is not None]
        curves.append(np.interp(grid, [e["train_episodes"] for e in rows], [e[key] for e in rows]))
    stacked = np.stack(curves)
    return grid, stacked.mean(axis=0), stacked.min(axis=0), stacked.max(axis=0)


def plot_figure(report: Report, output: Path) -> Path:
    """AvgCost (top) and SuccRate (bottom) against training episodes, one column per setting."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    settings = report.plan.settings
    # At least 8 inches wide, so that a one-setting figure still fits its title.
    fig, axes = plt.subplots(2, len(settings), figsize=(max(5.2 * len(settings), 8.0), 7.2), squeeze=False)
    letters = "abc"
    for col, setting in enumerate(settings):
        for row, (key, label) in enumerate((("avg_cost", "AvgCost"), ("success_rate", "SuccRate"))):
            ax = axes[row][col]
            for method in report.plan.methods:
                runs = [r for r in report.results if r.setting == setting and r.method == method]
                grid, mean, low, high = _curves(runs, key)
                if not len(grid):
                    continue
                colour = COLOURS.get(method)
                legend = f"{method} ({len(runs)} seed{'s' if len(runs) > 1 else ''})"
                style = "--" if method.endswith("-faithful") else "-"
                (line,) = ax.plot(grid, mean, style, color=colour, lw=1.5, label=legend)
                ax.fill_between(grid, low, high, color=line.get_color(), alpha=0.18, linewidth=0)
            paper = PAPER[setting]["explaboff"][0 if key == "avg_cost" else 1]
            ax.axhline(paper, color="grey", ls=":", lw=1.2, label="paper ExplabOff (final)")
            for h in report.heuristics:
                if h["setting"] == setting and h["policy"].startswith("size-table") and key == "avg_cost":
                    ax.axhline(h[key], color="black", ls="--", lw=0.9, label="size-table heuristic")
            ax.set_xlabel("training episodes")
            ax.set_ylabel(label)
            ax.grid(alpha=0.3)
            if key == "avg_cost":
                ax.set_title(f"({letters[col]}) {setting[0]} ESs / {setting[2]} MDs")
            else:
                ax.set_ylim(-0.03, 1.03)
        axes[0][col].legend(fontsize=7, loc="upper right")
    fig.suptitle(
        f"{ENV_ID}: greedy policy on {report.plan.eval_episodes} fixed episodes\n"
        "mean over seeds, band min-max; dashed: the release's defects (--faithful); dotted: the paper's "
        "ExplabOff (final)",
        fontsize=9,
    )
    fig.tight_layout()
    fig.savefig(output, dpi=110)
    plt.close(fig)
    return output


def plot_mi(report: Report, output: Path) -> Path:
    """The MI bonus, the bounds on replay batches and the GOOD/BAD mean returns against env steps."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    settings = sorted({m["setting"] for m in report.mi_rows}, key=SETTINGS.index)
    panels = (
        ("charts/mi_bonus", "bonus alpha I_lower - beta I_upper"),
        ("charts/mi_lower", "I_lower on replay batches"),
        ("charts/mi_upper", "I_upper on replay batches"),
        ("charts/good_return_mean", "GOOD (solid) / BAD (dashed) mean return"),
    )
    fig, axes = plt.subplots(
        len(panels), len(settings), figsize=(max(5.2 * len(settings), 8.0), 10), squeeze=False
    )
    for col, setting in enumerate(settings):
        for row, (tag, title) in enumerate(panels):
            ax = axes[row][col]
            for method in report.plan.methods:
                runs = [
                    r for r in report.results
                    if r.setting == setting and r.method == method and METHODS[method].algo == "explaboff"
                ]  # fmt: skip
                tags = [tag, "charts/bad_return_mean"] if tag == "charts/good_return_mean" else [tag]
                for t, style in zip(tags, ("-", "--"), strict=False):
                    series = [r.diagnostics[t] for r in runs if len(r.diagnostics[t][0]) >= 2]
                    if not series:
                        continue
                    last = min(s[0][-1] for s in series)
                    grid = np.linspace(0, last, 200)
                    mean = np.mean([np.interp(grid, s[0], s[1]) for s in series], axis=0)
                    label = method if style == "-" else None
                    ax.plot(grid, mean, style, color=COLOURS.get(method), lw=1.3, label=label)
            ax.set_title(f"{setting}: {title}", fontsize=9)
            ax.set_xlabel("env steps")
            ax.grid(alpha=0.3)
            if row == 0 and ax.get_legend_handles_labels()[0]:
                ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(output, dpi=100)
    plt.close(fig)
    return output


# ---- helpers -------------------------------------------------------------------------------------------


def _mean(values: Sequence[float | None]) -> float:
    finite = [float(v) for v in values if v is not None and math.isfinite(float(v))]
    return float(np.mean(finite)) if finite else math.nan


def _std(values: Sequence[float | None]) -> float:
    finite = [float(v) for v in values if v is not None and math.isfinite(float(v))]
    return float(np.std(finite)) if finite else math.nan


def _num(value: Any, digits: int = 3) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    return f"{value:,.{digits}f}"


def _pm(mean: float, std: float) -> str:
    return "-" if math.isnan(mean) else f"{mean:.3f} +- {std:.3f}"


def _write_csv(path: Path, rows: list[dict[str, Any]]) -> None:
    with open(path, "w", newline="") as f:
        if not rows:
            return
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
