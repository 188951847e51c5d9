"""The ``pygym`` command line.

This module is the composition root: it wires the library packages (pygym, agents, topologies, workloads)
into commands. Library modules of pygym never import agents; only this command layer does.
"""

from __future__ import annotations

import json
import math
import os
import shutil
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

import pygym
from pygym import jvm
from topologies.cli import app as topology_app
from workloads.cli import app as workload_app

app = typer.Typer(help="A co-simulation gym for task offloading in edge computing.", no_args_is_help=True)
sim_app = typer.Typer(help="The Java simulator server.", no_args_is_help=True)
app.add_typer(sim_app, name="sim")
app.add_typer(topology_app, name="topology")
app.add_typer(workload_app, name="workload")
# Tables stay readable when the output is a pipe or a log (rich would otherwise assume 80 columns).
console = Console(width=max(shutil.get_terminal_size((120, 24)).columns, 110))
EVAL_ENVS = 16
"""sessions ``pygym eval`` steps together (results do not depend on it: episode k always uses seed + k)"""


@app.command("envs")
def envs() -> None:
    """List the registered environment ids."""
    for env_id in pygym.env_ids():
        typer.echo(env_id)


@app.command("scenarios")
def scenarios(
    env: Annotated[str | None, typer.Option("--env", help="only this environment's presets")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="print the presets' keywords as JSON")] = False,
) -> None:
    """List the named scenarios (presets) of each environment, one line each (pygym.make(env, preset=...))."""
    env_ids = [env] if env is not None else pygym.env_ids()
    if env is not None and env not in pygym.env_ids():
        raise typer.BadParameter(f"unknown env id {env!r}; known: {', '.join(pygym.env_ids())}")
    rows = [(env_id, p) for env_id in env_ids for p in pygym.presets(env_id)]
    if as_json:
        payload = [
            {"env_id": e, "preset": p.name, "description": p.description, "scenario": p.scenario}
            for e, p in rows
        ]
        typer.echo(json.dumps(payload, default=str))
        return
    for env_id, p in rows:
        typer.echo(f"{env_id:24s} {p.name:16s} {p.description}")


@sim_app.command("serve")
def serve(
    host: Annotated[
        str, typer.Option(help="address to bind; 0.0.0.0 to accept remote trainers (needs a token you chose)")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="port; 0 picks a free one")] = 0,
    token_file: Annotated[
        Path | None,
        typer.Option(help="file holding the auth token (default: $PYGYM_TOKEN, else a random one, printed)"),
    ] = None,
    tls_cert: Annotated[
        Path | None, typer.Option(help="PEM X.509 certificate (chain): clients connect with tls=True")
    ] = None,
    tls_key: Annotated[Path | None, typer.Option(help="its private key, PEM PKCS#8")] = None,
    data_dir: Annotated[
        Path | None,
        typer.Option(help="folder whose files clients may name as workload='server:/path' (default: none)"),
    ] = None,
    max_connections: Annotated[
        int | None, typer.Option(help="connections at once (a pygym client holds 2 or more) [256]")
    ] = None,
    max_command_bytes: Annotated[
        int | None, typer.Option(help="bytes of one command after authentication [67108864]")
    ] = None,
    max_sessions_per_client: Annotated[
        int | None, typer.Option(help="open sessions per client [1024]")
    ] = None,
    max_nodes_per_session: Annotated[int | None, typer.Option(help="nodes of one session [1000]")] = None,
    max_nodes_per_client: Annotated[
        int | None, typer.Option(help="nodes over all sessions of one client [100000]")
    ] = None,
    max_upload_bytes: Annotated[
        int | None, typer.Option(help="bytes of one file sent by content [536870912]")
    ] = None,
    max_cache_bytes: Annotated[
        int | None, typer.Option(help="bytes of all files sent by content and kept [2147483648]")
    ] = None,
    orphan_grace_s: Annotated[
        float | None,
        typer.Option(help="seconds a client may have no connection before its sessions are closed [5]"),
    ] = None,
) -> None:
    """Run the simulator server in the foreground; it prints one handshake line with host and port (and the
    token, when it made one).

    The token comes from $PYGYM_TOKEN or --token-file (at least 16 characters), never from the command line,
    which every user of the machine can read. Binding beyond loopback needs one. Connect from Python with
    ``pygym.connect(host, port, token)``, or ``server="host:port"`` with $PYGYM_TOKEN set, or
    $PYGYM_SERVER=host:port for every environment of a process. Files go to the server by content; it opens no
    path a client names, except ``server:`` paths inside --data-dir.
    """
    options: list[str] = []
    for flag, value in (
        ("--token-file", token_file),
        ("--tls-cert", tls_cert),
        ("--tls-key", tls_key),
        ("--data-dir", data_dir),
        ("--max-connections", max_connections),
        ("--max-command-bytes", max_command_bytes),
        ("--max-sessions-per-client", max_sessions_per_client),
        ("--max-nodes-per-session", max_nodes_per_session),
        ("--max-nodes-per-client", max_nodes_per_client),
        ("--max-upload-bytes", max_upload_bytes),
        ("--max-cache-bytes", max_cache_bytes),
        ("--orphan-grace-s", orphan_grace_s),
    ):
        if value is not None:
            options += [flag, str(value)]
    try:
        cmd = jvm.server_command(host=host, port=port, options=tuple(options))
    except pygym.PygymError as e:
        raise typer.BadParameter(str(e)) from e
    os.execvp(cmd[0], cmd)


@sim_app.command("template")
def template(env_id: Annotated[str, typer.Argument(help="environment id")]) -> None:
    """Print a scenario's configuration template: every parameter with its default, then the wiring."""
    from pygym import servers

    try:
        typer.echo(servers.local_server().template(env_id), nl=False)
    except pygym.ConfigError as e:
        raise typer.BadParameter(str(e)) from e


def _parse_settings(settings: list[str]) -> dict[str, Any]:
    scenario: dict[str, Any] = {}
    for item in settings:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise typer.BadParameter(f"--set expects key=value, got {item!r}")
        scenario[key.strip()] = value.strip()
    return scenario


def _fmt(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        if math.isnan(value):
            return "-"
        return f"{value:.4g}"
    return str(value)


@app.command("eval")
def evaluate(
    env: Annotated[
        str | None,
        typer.Option("--env", help="environment id [default: a run's env, else offload-neighbour-v0]"),
    ] = None,
    policy: Annotated[
        str,
        typer.Option(help="heuristic policies and trained runs (runs/<run> or a .pt file), comma-separated"),
    ] = "least-queue",
    preset: Annotated[str | None, typer.Option(help="named scenario (pygym scenarios)")] = None,
    episodes: Annotated[int, typer.Option(min=1, help="episodes per policy")] = 5,
    seed: Annotated[int, typer.Option(min=0, help="seed of the first episode; episode i uses seed + i")] = 1,
    reward: Annotated[str | None, typer.Option(help="reward function (default: the env's)")] = None,
    settings: Annotated[
        list[str] | None, typer.Option("--set", help="scenario parameter key=value (repeatable)")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="print one JSON object instead of a table")] = False,
    setting: Annotated[
        str | None,
        typer.Option(help="named parameter setting (offload-mec-explaboff-v0: 2x3, 2x5 or 3x7)"),
    ] = None,
    table: Annotated[
        str | None,
        typer.Option(
            help="table of the size-table policy: class_mean:server:ratio,... e.g. 7:0:0.5,6:1:0.5,3:0:0.2"
        ),
    ] = None,
) -> None:
    """Evaluate heuristic policies. offload-neighbour: completion, latency, drops, energy and reward;
    offload-mec-*: average cost and success rate as the ExplabOff release logs them, and reward."""
    from agents.common.errors import AgentsError
    from agents.evaluation import evaluate as run_episodes
    from agents.heuristics import make_policy, policy_names

    names = [p.strip() for p in policy.split(",") if p.strip()]
    trained = [n for n in names if n not in policy_names() and ("/" in n or Path(n).exists())]
    unknown = [n for n in names if n not in policy_names() and n not in trained]
    if unknown or not names:
        raise typer.BadParameter(f"unknown policy {unknown or policy!r}; known: {', '.join(policy_names())}")
    if table is not None and "size-table" not in names:
        raise typer.BadParameter("--table is the size-table policy's table; add --policy size-table")
    scenario = _parse_settings(settings or [])
    if setting is not None:
        scenario["setting"] = setting
    if trained and env is None and not scenario and preset is None:
        env, scenario = _run_scenario(trained[0])
    env = env or "offload-neighbour-v0"
    summaries = []
    try:
        loaded = _trained_policies(trained)
        policies = [loaded[name] if name in loaded else make_policy(name, table=table) for name in names]
        num_envs = min(episodes, EVAL_ENVS)
        with pygym.make_vec(
            env, num_envs, preset=preset, reward=reward, task_records=True, **scenario
        ) as environment:
            for chosen in policies:
                summaries.append(run_episodes(environment, chosen, episodes, seed).as_dict())
    except AgentsError as e:
        raise _agents_failure(e) from None
    except (pygym.ConfigError, ValueError) as e:
        raise typer.BadParameter(str(e)) from e
    if as_json:
        payload: Any = summaries[0] if len(summaries) == 1 else {"policies": summaries}
        typer.echo(
            json.dumps(payload, allow_nan=False, default=str) if _finite(payload) else json.dumps(payload)
        )
        return
    output = Table(title=f"{env}: {episodes} episode(s) per policy, seeds {seed}..{seed + episodes - 1}")
    if "avg_cost" in summaries[0]:
        columns = [
            ("policy", "policy"),
            ("avg cost", "avg_cost"),
            ("succ rate", "success_rate"),
            ("early end", "ended_early"),
            ("missed", "missed_deadlines"),
            ("lat mean s", "latency_mean_s"),
            ("energy J", "energy_j"),
            ("reward", "reward"),
        ]
    else:
        columns = [
            ("policy", "policy"),
            ("done", "completion_ratio"),
            ("lat mean s", "latency_mean_s"),
            ("lat p95 s", "latency_p95_s"),
            ("drop full", "dropped_queue_full"),
            ("drop late", "dropped_deadline"),
            ("drop dep", "dropped_dependency"),
            ("energy J", "energy_j"),
            ("reward", "reward"),
        ]
    for title, _ in columns:
        output.add_column(title, justify="left" if title == "policy" else "right")
    for s in summaries:
        output.add_row(*(_fmt(s.get(key)) for _, key in columns))
    console.print(output)


def _finite(payload: Any) -> bool:
    values = payload.get("policies", [payload])
    return all(not (isinstance(v, float) and math.isnan(v)) for s in values for v in s.values())


# Training commands. Trainers (and torch) are imported only when one of these commands runs: pygym itself
# never imports torch.


def _run_scenario(path: str) -> tuple[str, dict[str, Any]]:
    """The env id and scenario keywords a run was trained on (for ``eval --policy runs/<run>``)."""
    from agents.common.errors import AgentsError
    from agents.common.runs import read_config

    run_dir = Path(path)
    if run_dir.suffix == ".pt":
        run_dir = run_dir.parent.parent
    try:
        config = read_config(run_dir)
    except AgentsError as e:
        raise _agents_failure(e) from None
    typer.echo(
        f"evaluating on {run_dir.name}'s scenario ({config['env_id']}, preset {config.get('preset')})",
        err=True,
    )
    return str(config["env_id"]), dict(config["scenario"])


def _trained_policies(paths: list[str]) -> dict[str, Any]:
    """Greedy policies of trained runs or checkpoint files, by the name given on the command line."""
    if not paths:
        return {}  # no torch import for heuristics alone
    from agents.common.policies import load_policy

    return {path: load_policy(path) for path in paths}


def _agents_failure(e: Exception) -> typer.Exit:
    console.print(f"[red]error[/red] {type(e).__name__}: {e}", highlight=False, markup=True)
    return typer.Exit(1)


_PASS_THROUGH = {"allow_extra_args": True, "ignore_unknown_options": True, "help_option_names": []}


@app.command("train", context_settings=_PASS_THROUGH, add_help_option=False)
def train(
    ctx: typer.Context,
    algo: Annotated[
        str,
        typer.Argument(
            help="algorithm: ddqn, a2c, ppo (discrete); explaboff, cmoff, maddpg, matd3, mappo (Box)",
            show_default=False,
        ),
    ] = "",
) -> None:
    """Train ALGO: pygym train ALGO --env ENV [--preset P] [--set key=value ...] [trainer options].

    Every trainer option is its Args field (pygym train ALGO --help lists them). The run goes to
    runs/<env>__<algo>__<seed>__<time>/; --resume RUN continues a run from its latest checkpoint.
    """
    import agents
    from agents.common.errors import AgentsError
    from agents.common.session import parse_args

    if not algo or algo in ("-h", "--help"):
        typer.echo(ctx.get_help())
        typer.echo(f"\nalgorithms: {', '.join(agents.ALGORITHMS)}")
        return
    try:
        module = agents.trainer(algo)
        args = parse_args(module.Args, list(ctx.args), prog=f"pygym train {algo}")
        run_dir = module.train(args)
    except (AgentsError, pygym.PygymError) as e:
        raise _agents_failure(e) from None
    typer.echo(str(run_dir))


@app.command("runs")
def runs(
    root: Annotated[str, typer.Argument(help="folder of run directories, or one run")] = "runs",
    as_json: Annotated[bool, typer.Option("--json", help="print JSON instead of a table")] = False,
) -> None:
    """List runs: algorithm, env, preset, seed, status, steps, final return and completion ratio."""
    from agents.common.errors import AgentsError
    from agents.common.runs import find_runs, run_record

    try:
        records = [run_record(path) for path in find_runs(Path(root))]
    except AgentsError as e:
        raise _agents_failure(e) from None
    if as_json:
        typer.echo(json.dumps([r.as_dict() for r in records], default=_json_number))
        return
    output = Table(title=f"{len(records)} run(s) under {root}")
    for title in ("run", "algo", "env", "preset", "seed", "status", "steps", "return", "done"):
        output.add_column(
            title, justify="left" if title in ("run", "algo", "env", "preset", "status") else "right"
        )
    for r in records:
        output.add_row(
            r.path.name,
            r.algo,
            r.env_id,
            r.preset or "-",
            str(r.seed),
            r.status,
            str(r.steps),
            _fmt(r.final_return),
            _fmt(r.completion_ratio),
        )
    console.print(output)


@app.command("compare")
def compare(
    run_dirs: Annotated[list[str], typer.Argument(help="run directories, or folders of runs")],
    output: Annotated[
        str | None, typer.Option("-o", "--output", help="learning-curve figure to write (.png, .pdf, .svg)")
    ] = None,
    band: Annotated[str, typer.Option(help="band around the mean over seeds: minmax or stderr")] = "minmax",
    smooth: Annotated[int, typer.Option(min=1, help="moving average over this many logged episodes")] = 10,
    as_json: Annotated[bool, typer.Option("--json", help="print the final figures as JSON")] = False,
) -> None:
    """Learning curves per algorithm over seeds (x in env steps) and a final-performance table."""
    from agents.common import compare as comparing
    from agents.common.errors import AgentsError
    from agents.common.runs import find_runs

    try:
        paths = [path for item in run_dirs for path in find_runs(Path(item))]
        groups = comparing.group_runs(paths)
        if output is not None:
            comparing.plot(groups, Path(output), band=band, smooth=smooth)
    except AgentsError as e:
        raise _agents_failure(e) from None
    if as_json:
        typer.echo(
            json.dumps({"groups": [g.as_dict() for g in groups], "figure": output}, default=_json_number)
        )
        return
    table = Table(title=f"final figures (mean over the last 10% of steps), {len(paths)} run(s)")
    for title in ("algorithm", "seeds", "steps", "return", "+-", "done", "+-", "lat mean s"):
        table.add_column(title, justify="left" if title == "algorithm" else "right")
    for g in groups:
        finals = g.as_dict()["final"]
        ret, done, lat = (finals[t] for t in comparing.FINAL_TAGS)
        table.add_row(
            g.label,
            ",".join(str(s) for s in g.seeds),
            str(min(g.steps)),
            _fmt(ret["mean"]),
            _fmt(ret["std"]),
            _fmt(done["mean"]),
            _fmt(done["std"]),
            _fmt(lat["mean"]),
        )
    console.print(table)
    if output is not None:
        typer.echo(f"wrote {output}")


@app.command("sweep")
def sweep(
    spec: Annotated[
        str | None, typer.Argument(help="sweep file (.toml or .yaml); see agents.common.sweep")
    ] = None,
    grid: Annotated[
        list[str] | None,
        typer.Option(
            "--grid", help="grid axis as key=v1,v2 (algo, env, preset, seed or an Args field; repeatable)"
        ),
    ] = None,
    address: Annotated[
        str | None, typer.Option(help="address of a running Ray cluster (default: a local Ray instance)")
    ] = None,
    max_concurrent: Annotated[
        int | None, typer.Option(min=1, help="trials at once (default: the cluster's CPUs)")
    ] = None,
    dry_run: Annotated[bool, typer.Option(help="list the trials and exit")] = False,
    evaluate_runs: Annotated[
        bool,
        typer.Option("--evaluate/--no-evaluate", help="run the spec's [evaluate] section after training"),
    ] = True,
    as_json: Annotated[bool, typer.Option("--json", help="print JSON instead of tables")] = False,
) -> None:
    """Run a grid of trainer runs with Ray Tune: each trial its own run directory and simulator; finished runs
    are skipped, unfinished ones resumed, failed ones reported while the others complete."""
    from agents.common import sweep as sweeping
    from agents.common.errors import AgentsError

    overrides = {}
    for item in grid or []:
        key, sep, values = item.partition("=")
        if not sep or not key or not values:
            raise typer.BadParameter(f"--grid expects key=v1,v2, got {item!r}")
        overrides[key.strip()] = [_grid_value(v.strip()) for v in values.split(",")]
    try:
        loaded = sweeping.load_spec(Path(spec) if spec else None, overrides)
        if dry_run:
            for trial in loaded.trials:
                typer.echo(f"{trial.run_dir}  {' '.join(trial.argv())}")
            return
        outcomes = sweeping.run(loaded, address=address, max_concurrent=max_concurrent)
        rows = sweeping.evaluate_runs(loaded, outcomes) if evaluate_runs and loaded.evaluate else []
        figures = _sweep_figures(loaded, outcomes) if rows else []
    except (AgentsError, pygym.PygymError) as e:
        raise _agents_failure(e) from None
    if rows:
        from agents.common.runs import write_json_atomic

        write_json_atomic(
            loaded.runs_dir / "comparison.json",
            {"outcomes": [o.as_dict() for o in outcomes], "evaluation": rows},
        )
    if as_json:
        typer.echo(
            json.dumps({"outcomes": [o.as_dict() for o in outcomes], "evaluation": rows, "figures": figures})
        )
    else:
        table = Table(title=f"sweep {loaded.name}: {len(outcomes)} trial(s)")
        for title in ("run", "status", "steps", "return", "done", "steps/s", "error"):
            table.add_column(title, justify="left" if title in ("run", "status", "error") else "right")
        for o in outcomes:
            d = o.as_dict()
            table.add_row(
                o.trial.run_dir.name,
                o.status,
                _fmt(d["global_step"]),
                _fmt(d["final_return"]),
                _fmt(d["final_completion_ratio"]),
                _fmt(d["env_steps_per_s"]),
                d["error"] or "",
            )
        console.print(table)
        if rows:
            evaluation = Table(
                title=escape("greedy evaluation on held-out seeds (algorithms: mean [min, max] over runs)")
            )
            for title in ("preset", "policy", "runs", "return", "done", "lat mean s", "lat p95 s"):
                evaluation.add_column(title, justify="left" if title in ("preset", "policy") else "right")
            for r in rows:
                if r["kind"] != "run":
                    spread = r["kind"] == "algorithm" and r["runs"] > 1
                    evaluation.add_row(
                        r["preset"] or "-",
                        r["policy"],
                        str(r["runs"]),
                        _spread(r, "reward", spread),
                        _spread(r, "completion_ratio", spread),
                        _spread(r, "latency_mean_s", spread),
                        _fmt(r["latency_p95_s"]),
                    )
            console.print(evaluation)
        for figure in figures:
            typer.echo(f"wrote {figure}")
    if any(o.status == "failed" for o in outcomes):
        raise typer.Exit(1)


@app.command("reproduce")
def reproduce(
    name: Annotated[str, typer.Argument(help="the reproduction: explaboff")],
    output: Annotated[str, typer.Option("-o", "--output", help="results folder (runs, CSV, figure, tables)")],
    settings: Annotated[str, typer.Option(help="settings, comma-separated: 2x3, 2x5, 3x7")] = "2x3,2x5,3x7",
    seeds: Annotated[
        str, typer.Option(help="seeds per method (1..N): N, or per setting 2x3=N,2x5=M,...")
    ] = "3",
    episodes: Annotated[
        str,
        typer.Option(help="training episodes per run (x10 env steps): N, or per setting 2x3=N,2x5=M,..."),
    ] = "100000",
    algos: Annotated[
        str,
        typer.Option(
            help="methods, comma-separated: explaboff, cmoff, maddpg, matd3, mappo, explaboff-faithful, "
            "cmoff-faithful, explaboff-jsd-only, explaboff-club-only, explaboff-random-split, "
            "explaboff-nce-l1out"
        ),
    ] = "explaboff,cmoff,maddpg,matd3,mappo",
    eval_every: Annotated[
        str | None,
        typer.Option(help="training episodes between evaluations: N or per setting [default: episodes / 50]"),
    ] = None,
    eval_episodes: Annotated[int, typer.Option(help="fixed episodes per evaluation")] = 32,
    arg: Annotated[
        list[str] | None,
        typer.Option("--arg", help="trainer option of one method, METHOD.KEY=VALUE (repeatable)"),
    ] = None,
    address: Annotated[
        str | None, typer.Option(help="address of a running Ray cluster (default: a local Ray instance)")
    ] = None,
    max_concurrent: Annotated[
        int | None, typer.Option(min=1, help="runs at once (default: the cluster's CPUs)")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="print the table rows as JSON")] = False,
) -> None:
    """Reproduce a published comparison: train every method on every setting and seed (pygym sweep, Ray
    Tune), evaluate deterministically, write the CSV of evaluations, the paper-style figure, the tables and
    the MI diagnostics. Rerunning skips finished runs and resumes the missing ones."""
    from agents.common.errors import AgentsError
    from agents.reproduce import REPRODUCTIONS

    if name not in REPRODUCTIONS:
        raise typer.BadParameter(f"unknown reproduction {name!r}; known: {', '.join(REPRODUCTIONS)}")
    from agents.reproduce import explaboff

    try:
        plan = explaboff.make_plan(
            Path(output),
            [s.strip() for s in settings.split(",") if s.strip()],
            [a.strip() for a in algos.split(",") if a.strip()],
            _per_setting_numbers("--seeds", seeds),
            _per_setting_numbers("--episodes", episodes),
            None if eval_every is None else _per_setting_numbers("--eval-every", eval_every),
            eval_episodes,
            arg or [],
        )
        report = explaboff.run(plan, address=address, max_concurrent=max_concurrent)
    except (AgentsError, pygym.PygymError) as e:
        raise _agents_failure(e) from None
    if as_json:
        typer.echo(
            json.dumps(
                {"rows": report.rows, "mi": report.mi_rows, "targets": report.targets,
                 "orderings": report.orderings, "failures": report.failures, "heuristics": report.heuristics},
                default=_json_number,
            )
        )  # fmt: skip
    else:
        for setting in plan.settings:
            title = f"ExplabOff reproduction, {setting} ({plan.episodes[setting]:,} episodes per run)"
            table = Table(title=title)
            for title in ("method", "runs", "AvgCost", "SuccRate", "to SuccRate>=0.95", "cost AUC", "paper"):
                table.add_column(title, justify="left" if title == "method" else "right")
            for r in (r for r in report.rows if r["setting"] == setting):
                paper = explaboff.PAPER[setting].get(r["method"])
                table.add_row(
                    r["method"],
                    f"{r['runs_finished']}/{r['runs']}",
                    f"{_fmt(r['avg_cost'])} +- {_fmt(r['avg_cost_std'])}",
                    f"{_fmt(r['success_rate'])} +- {_fmt(r['success_rate_std'])}",
                    r["episodes_to_success"],
                    _fmt(r["cost_auc"]),
                    f"{paper[0]} / {paper[1]}" if paper else "-",
                )
            console.print(table)
        for line in report.orderings:
            typer.echo(f"{line['setting']} ({line['group']}): {' < '.join(line['order'])}; {line['verdict']}")
        for target in report.targets:
            typer.echo(f"target {target['setting']} {target['method']}: {target['text']}")
        for failure in report.failures:
            typer.echo(f"failed {failure['run']}: {failure['error']}")
        typer.echo(f"wrote {plan.output}/evaluations.csv, figure.png, table.md, table.csv, mi.csv")
    if report.failures:
        raise typer.Exit(1)


def _per_setting_numbers(option: str, text: str) -> int | dict[str, int]:
    """``N`` or ``2x3=N,2x5=M`` as an int or a mapping (BadParameter on anything else)."""
    try:
        if "=" not in text:
            return int(text)
        values = {}
        for item in text.split(","):
            key, _, value = item.partition("=")
            values[key.strip()] = int(value)
        return values
    except ValueError:
        raise typer.BadParameter(f"{option} expects N or SETTING=N,..., got {text!r}") from None


def _spread(row: dict[str, Any], figure: str, spread: bool) -> str:
    text = _fmt(row[figure])
    if spread:
        text += f" [{_fmt(row[figure + '_min'])}, {_fmt(row[figure + '_max'])}]"
    return escape(text)


def _grid_value(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return text


def _sweep_figures(spec: Any, outcomes: list[Any]) -> list[str]:
    """One learning-curve figure per (env, preset) of the sweep, next to its runs."""
    from agents.common import compare as comparing

    written = []
    done = [o for o in outcomes if o.status in ("finished", "skipped")]
    for env, preset in sorted({(o.trial.env, o.trial.preset or "") for o in done}):
        runs = [o.trial.run_dir for o in done if (o.trial.env, o.trial.preset or "") == (env, preset)]
        output = spec.runs_dir / f"curves-{env}-{preset or 'default'}.png"
        comparing.plot(comparing.group_runs(runs), output)
        written.append(str(output))
    return written


def _json_number(value: Any) -> Any:
    if isinstance(value, Path):
        return str(value)
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def main() -> None:
    app()


if __name__ == "__main__":
    main()
