"""What every trainer does around its algorithm: arguments shared by all trainers, the environment, the run
directory, seeding, metrics, checkpoints, ``--resume``, the progress bar and timing.

A trainer's loop reads::

    run = TrainingRun.start(args, algo="ppo")        # env, seeds, run dir (new or resumed), logger, bar
    with run:
        obs, infos = run.reset_envs()
        while run.global_step < args.total_timesteps:
            ...                                       # the algorithm, visible in the trainer's file
            run.record_episodes(infos)                # charts/episodic_*, env/* from infos["episode"]
            if run.checkpoint_due():
                run.save_checkpoint(models=..., optimizers=..., ...)
                obs, infos = run.reset_envs()
            if run.halted():
                break
        run.finish()

Exact resume: the simulator's state cannot be saved, so after every checkpoint the trainer restarts all
episodes with a seed derived from the run seed and a reset counter (:func:`agents.common.seeding.env_seed`).
An uninterrupted run does the same, so the run after a checkpoint is a function of the checkpoint alone,
and ``--resume`` continues it exactly (same thread count, same machine). The partial episodes cut at a
checkpoint are not logged; checkpoints are taken at the end of an iteration, so choose
``--checkpoint-every`` as a multiple of the episode length times ``--num-envs`` to cut none.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import math
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, TypeVar

import gymnasium
import numpy as np
import tyro

import pygym
from agents.common import checkpoint as checkpoints
from agents.common.errors import (
    CheckpointMismatch,
    ResumeMismatch,
    RunDirExists,
    UnsupportedEnv,
    check_ranges,
)
from agents.common.metrics import MetricsLogger
from agents.common.runs import (
    COMPLETION_TAG,
    RETURN_TAG,
    SUMMARY,
    create_run_dir,
    final_window,
    provenance,
    read_config,
    read_metric,
    run_name,
    utc_now,
    write_json_atomic,
)
from agents.common.seeding import capture_rng, env_seed, restore_rng, seed_everything


@dataclass
class TrainArgs:
    """Options every trainer takes: environment, budget, run directory, checkpoints."""

    env: str = "offload-neighbour-v0"
    """environment id (``pygym envs``)"""
    preset: str | None = None
    """named scenario of the environment (``pygym scenarios``); --set keys override its keywords"""
    scenario: Annotated[tuple[str, ...], tyro.conf.arg(name="set"), tyro.conf.UseAppendAction] = ()
    """scenario keyword as key=value (repeatable); values are read as JSON when they parse as JSON"""
    seed: int = 1
    """seed of the run: networks, exploration and every episode"""
    num_envs: int = 8
    """environments stepped together (one simulator session each)"""
    total_timesteps: int = 200_000
    """environment steps to train for, summed over the environments (agent decisions = this x agents)"""
    checkpoint_every: int = 0
    """environment steps between checkpoints (0: a tenth of the run in whole episodes); episodes restart after
    each"""
    runs_dir: str = "runs"
    """folder that holds run directories"""
    run_name: str | None = None
    """run directory name (default: <env>__<algo>__<seed>__<yyyymmdd-hhmmss>)"""
    resume: str | None = None
    """run directory to continue from its latest checkpoint (it keeps its Args)"""
    force: bool = False
    """replace an existing run directory of the same name"""
    halt_after: int | None = None
    """leave the run unfinished after the first checkpoint at or past this step (resume it later)"""
    torch_threads: int = 1
    """torch CPU threads; results reproduce exactly for a fixed count"""
    progress: bool = True
    """show a progress bar with steps/s (on a terminal)"""
    server: str | None = None
    """host:port of a running simulator server (token from $PYGYM_TOKEN); default: $PYGYM_SERVER, else a JVM
    of this process"""


ArgsT = TypeVar("ArgsT", bound=TrainArgs)


def check_train_args(args: TrainArgs) -> None:
    """InvalidArgs naming the first option every trainer takes that is out of range."""
    checks = [
        ("num_envs", args.num_envs >= 1, ">= 1"),
        ("total_timesteps", args.total_timesteps >= 1, ">= 1"),
        ("checkpoint_every", args.checkpoint_every >= 0, ">= 0 (0: a tenth of the run)"),
        ("torch_threads", args.torch_threads >= 1, ">= 1"),
    ]
    check_ranges(args, checks)


ACTION_KINDS: dict[str, type[gymnasium.spaces.Space]] = {
    "discrete": gymnasium.spaces.Discrete,
    "box": gymnasium.spaces.Box,
}
"""The action spaces a trainer can ask for (``TrainingRun.start(..., actions=...)``)."""
ACTION_WORDS = {"discrete": "discrete", "box": "continuous (Box)"}

RESUMABLE_CHANGES = frozenset({"resume", "halt_after", "progress", "force", "server"})
"""Args a resumed run may change: they do not change what the run computes (a simulator is the same
wherever it runs)."""


def parse_args(args_type: type[ArgsT], argv: Sequence[str] | None = None, prog: str | None = None) -> ArgsT:
    """Parses a trainer's Args with tyro. With ``--resume RUN``, options default to the run's saved Args and
    any option that would change the run is refused (ResumeMismatch)."""
    args = tyro.cli(args_type, args=argv, prog=prog)
    if args.resume is None:
        return args
    saved = args_from_config(args_type, read_config(Path(args.resume)))
    # A resumed run runs to its end unless told again where to halt.
    saved = dataclasses.replace(saved, resume=args.resume, halt_after=None, force=False)
    resumed = tyro.cli(args_type, args=argv, prog=prog, default=saved)
    changed = [
        f"{f.name} ({getattr(saved, f.name)!r} -> {getattr(resumed, f.name)!r})"
        for f in dataclasses.fields(args_type)
        if f.name not in RESUMABLE_CHANGES and getattr(saved, f.name) != getattr(resumed, f.name)
    ]
    if changed:
        raise ResumeMismatch(
            f"--resume {args.resume} keeps the run's Args; these options change it: {', '.join(changed)}"
        )
    return resumed


def args_from_config(args_type: type[ArgsT], config: Mapping[str, Any]) -> ArgsT:
    """The Args saved in a run's config.json, as ``args_type`` (tuples restored from JSON lists)."""
    saved = dict(config["args"])
    known = {f.name: f for f in dataclasses.fields(args_type)}
    unknown = sorted(set(saved) - set(known))
    if unknown:
        raise ResumeMismatch(f"the run's Args hold options this trainer does not know: {', '.join(unknown)}")
    values: dict[str, Any] = {k: tuple(v) if isinstance(v, list) else v for k, v in saved.items()}
    return args_type(**values)


def parse_scenario(settings: Sequence[str]) -> dict[str, Any]:
    """``key=value`` strings as scenario keywords; a value that parses as JSON is taken as JSON."""
    scenario: dict[str, Any] = {}
    for item in settings:
        key, sep, text = item.partition("=")
        key = key.strip()
        if not sep or not key:
            raise pygym.ConfigError(f"--set expects key=value, got {item!r}")
        try:
            value: Any = json.loads(text)
        except ValueError:
            value = text.strip()
        scenario[key] = value
    return scenario


def resolve_scenario(env_id: str, preset: str | None, settings: Sequence[str]) -> dict[str, Any]:
    """The scenario keywords of a run: the preset's (if any), then ``--set`` on top."""
    scenario = dict(pygym.preset_scenario(env_id, preset)) if preset else {}
    scenario.update(parse_scenario(settings))
    return scenario


def auto_checkpoint_every(total_timesteps: int, num_envs: int, max_steps: int) -> int:
    """About a tenth of the run, rounded up to whole episodes of every env when episodes have a fixed
    length (``max_steps``), so that the restart after a checkpoint cuts as few episodes as possible."""
    tenth = max(total_timesteps // 10, num_envs)
    if max_steps <= 0:
        return tenth
    # An episode occupies max_steps steps plus the step that autoresets it.
    round_steps = (max_steps + 1) * num_envs
    return -(-tenth // round_steps) * round_steps


class Timer:
    """Wall seconds per named section of the loop (env, act, learn, ...)."""

    def __init__(self, totals: Mapping[str, float] | None = None) -> None:
        self.totals: dict[str, float] = dict(totals or {})

    @contextlib.contextmanager
    def __call__(self, section: str) -> Iterator[None]:
        start = time.perf_counter()
        try:
            yield
        finally:
            self.totals[section] = self.totals.get(section, 0.0) + time.perf_counter() - start


class TrainingRun:
    """One training run: its environment, run directory, logger, checkpoints and counters."""

    def __init__(
        self,
        args: TrainArgs,
        algo: str,
        venv: Any,
        scenario: dict[str, Any],
        run_dir: Path,
        checkpoint: dict[str, Any] | None,
        actions: str = "discrete",
    ) -> None:
        self.args = args
        self.algo = algo
        self.venv = venv
        self.scenario = scenario
        self.run_dir = run_dir
        self.layout = checkpoints.env_layout(venv)
        self.checkpoint = checkpoint
        self.num_agents = venv.num_agents
        self.obs_dim = int(venv.single_observation_space.shape[0])
        space = venv.single_action_space
        # Discrete envs: n_actions choices; Box envs: act_dim values.
        self.n_actions = int(space.n) if actions == "discrete" else 0
        self.act_dim = int(space.shape[0]) if actions == "box" else 0
        self.state_dim = int(venv.state_space.shape[0])
        self.every = args.checkpoint_every or auto_checkpoint_every(
            args.total_timesteps, args.num_envs, int(getattr(venv, "max_steps", 0) or 0)
        )
        counters = checkpoint["counters"] if checkpoint else {}
        self.global_step: int = checkpoint["global_step"] if checkpoint else 0
        self.resets: int = counters.get("resets", 0)
        self.episodes: int = counters.get("episodes", 0)
        self.timer = Timer(counters.get("time_s"))
        # CPU seconds of the trainer and of the simulator JVM it started, over resumed sessions.
        self._cpu_offset = counters.get("cpu_s", 0.0) - self._cpu_now()
        self._last_checkpoint = self.global_step
        # Seeded before the trainer builds its networks; a resumed run's states are put back by restore().
        self.rng = seed_everything(args.seed, args.torch_threads)
        self.invalid_actions: int = counters.get("invalid_actions", 0)
        self._invalid_metric = (
            venv.metric_fields.index("invalid_action") if "invalid_action" in venv.metric_fields else None
        )
        if checkpoint:
            # The run is unfinished again until it ends.
            (run_dir / SUMMARY).unlink(missing_ok=True)
        self.logger = MetricsLogger(
            run_dir,
            resume_step=self.global_step if checkpoint else None,
            wall_offset_s=counters.get("wall_s", 0.0),
        )
        if not checkpoint:
            self.logger.hyperparameters(dataclasses.asdict(args))
        from tqdm import tqdm

        self._bar = tqdm(
            total=args.total_timesteps,
            initial=self.global_step,
            unit="step",
            unit_scale=True,
            dynamic_ncols=True,
            desc=f"{algo} seed {args.seed}",
            disable=None if args.progress else True,
        )
        self._sps_mark = (self.global_step, time.perf_counter())

    @classmethod
    def start(cls, args: TrainArgs, algo: str, actions: str = "discrete") -> TrainingRun:
        """Makes the environment, checks the checkpoint against it when resuming, and creates or reopens the
        run directory. Nothing is written before the environment exists and the checkpoint fits it.
        ``actions`` is the action space the trainer needs: "discrete" or "box" (UnsupportedEnv otherwise)."""
        if actions not in ACTION_KINDS:
            raise ValueError(f"actions {actions!r}: expected one of {', '.join(ACTION_KINDS)}")
        check_train_args(args)
        checkpoint = None
        config = None
        if args.resume is not None:
            run_dir = Path(args.resume)
            config = read_config(run_dir)
            if config["algo"] != algo:
                raise CheckpointMismatch(f"run {run_dir} was trained by {config['algo']}, not {algo}")
            scenario = dict(config["scenario"])
        else:
            scenario = resolve_scenario(args.env, args.preset, args.scenario)
            name = args.run_name or run_name(args.env, algo, args.seed)
            run_dir = Path(args.runs_dir) / name
            if run_dir.exists() and not args.force:
                raise RunDirExists(
                    f"run directory {run_dir} exists; pass --resume {run_dir} to continue it or --force to "
                    "replace it"
                )
        # A server address is plain data: pygym takes the token (and TLS) from the environment.
        venv = pygym.make_vec(args.env, args.num_envs, server=args.server, **scenario)
        try:
            if not isinstance(venv.single_action_space, ACTION_KINDS[actions]):
                raise UnsupportedEnv(
                    f"{algo} needs {ACTION_WORDS[actions]} actions; {args.env} has "
                    f"{venv.single_action_space} actions"
                )
            layout = checkpoints.env_layout(venv)
            if config is not None:
                path = checkpoints.resolve(run_dir)
                checkpoint = checkpoints.load(path)
                checkpoints.check_compatible(checkpoint, layout, str(path))
                if config["spec"].get("config") != venv.spec.get("config"):
                    raise CheckpointMismatch(
                        f"run {run_dir}: the simulator configuration of this env differs from the run's "
                        "(another simulator version or defaults)"
                    )
            else:
                config = {
                    "format": 1,
                    "algo": algo,
                    "env_id": args.env,
                    "preset": args.preset,
                    "scenario": scenario,
                    "args": dataclasses.asdict(args),
                    "layout": layout,
                    "spec": venv.spec,
                    "server": venv.servers[0],
                    "contract_version": venv.spec.get("contract_version"),
                    "created_utc": utc_now(),
                    **provenance(),
                }
                run_dir = create_run_dir(run_dir.parent, run_dir.name, config, force=args.force)
            return cls(args, algo, venv, scenario, run_dir, checkpoint, actions)
        except BaseException:
            venv.close()
            raise

    # -- environment -------------------------------------------------------------------------------------

    def reset_envs(self) -> tuple[np.ndarray, dict[str, Any]]:
        """Restarts every episode with the next seed of the run's sequence."""
        seed = env_seed(self.args.seed, self.resets)
        self.resets += 1
        with self.timer("env"):
            return self.venv.reset(seed=seed)

    def step_envs(self, actions: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, dict]:
        with self.timer("env"):
            result = self.venv.step(actions)
        self.global_step += self.args.num_envs
        self._bar.update(self.args.num_envs)
        if self._invalid_metric is not None:
            self.invalid_actions += int(result[4]["metrics"][..., self._invalid_metric].sum())
        return result

    def record_episodes(self, infos: Mapping[str, Any]) -> int:
        """Logs the episodes that ended at this step (means over those envs); returns how many ended."""
        ended = infos.get("_episode")
        if ended is None or not np.any(ended):
            return 0
        episode = infos["episode"]
        count = int(np.sum(ended))
        self.episodes += count
        figures = {
            RETURN_TAG: float(np.mean(np.asarray(episode["return"])[ended])),
            "charts/episodic_length": float(np.mean(np.asarray(episode["length"])[ended])),
            "charts/episodes": float(self.episodes),
        }
        for key, values in episode.items():
            if key in ("return", "length"):
                continue
            chosen = np.asarray(values, dtype=np.float64)[ended]
            finite = chosen[np.isfinite(chosen)]
            if len(finite):
                figures[f"env/{key}"] = float(finite.mean())
        self.logger.scalars(figures, self.global_step)
        return count

    def log(self, values: Mapping[str, float]) -> None:
        self.logger.scalars(values, self.global_step)

    def cpu_s(self) -> float:
        """CPU seconds this run has used (user + system, all sessions of a resumed run): the trainer process
        and the simulator JVM it started (a remote server's share is not counted)."""
        return self._cpu_offset + self._cpu_now()

    @staticmethod
    def _cpu_now() -> float:
        return time.process_time() + pygym.simulator_cpu_s()

    def log_speed(self) -> None:
        """charts/SPS (env steps per second since the last call) and the time spent per section."""
        steps, then = self._sps_mark
        now = time.perf_counter()
        if now > then and self.global_step > steps:
            sps = (self.global_step - steps) / (now - then)
            self.log({"charts/SPS": sps, "charts/decisions_per_s": sps * self.num_agents})
        self._sps_mark = (self.global_step, now)
        self.log({f"perf/{k}_s": v for k, v in self.timer.totals.items()})
        self.log({"perf/cpu_s": self.cpu_s()})
        if self._invalid_metric is not None:
            self.log({"charts/invalid_actions": self.invalid_actions})

    # -- checkpoints -------------------------------------------------------------------------------------

    def checkpoint_due(self) -> bool:
        return (
            self.global_step - self._last_checkpoint >= self.every
            or self.global_step >= self.args.total_timesteps
        ) and self.global_step > self._last_checkpoint

    def save_checkpoint(
        self,
        *,
        models: Mapping[str, Any],
        optimizers: Mapping[str, Any],
        normalizers: Mapping[str, Any] | None = None,
        extra: Mapping[str, Any] | None = None,
        replay: Mapping[str, Any] | None = None,
    ) -> Path:
        """Writes ``step_<n>.pt`` and ``latest.pt`` (see :mod:`agents.common.checkpoint`)."""
        self.log_speed()
        self.logger.flush()
        payload = {
            "algo": self.algo,
            "global_step": self.global_step,
            "counters": {
                "resets": self.resets,
                "episodes": self.episodes,
                "invalid_actions": self.invalid_actions,
                "time_s": dict(self.timer.totals),
                "wall_s": self.logger.wall_s(),
                "cpu_s": self.cpu_s(),
            },
            "layout": self.layout,
            "args": dataclasses.asdict(self.args),
            "models": {k: v.state_dict() for k, v in models.items()},
            "optimizers": {k: v.state_dict() for k, v in optimizers.items()},
            "normalizers": {k: v.state_dict() for k, v in (normalizers or {}).items()},
            "extra": dict(extra or {}),
            "rng": capture_rng(self.rng),
        }
        path = checkpoints.save(self.run_dir, payload, replay=dict(replay) if replay is not None else None)
        self._last_checkpoint = self.global_step
        return path

    def restore(
        self,
        *,
        models: Mapping[str, Any],
        optimizers: Mapping[str, Any],
        normalizers: Mapping[str, Any] | None = None,
        replay: Any = None,
    ) -> dict[str, Any]:
        """Loads the resumed checkpoint's state into the trainer's objects (the replay buffer too, when the
        checkpoint holds one) and puts back the random states (call it after building every network); returns
        the checkpoint's ``extra`` dict."""
        if self.checkpoint is None:
            return {}
        for key, model in models.items():
            model.load_state_dict(self.checkpoint["models"][key])
        for key, optimizer in optimizers.items():
            optimizer.load_state_dict(self.checkpoint["optimizers"][key])
        for key, normalizer in (normalizers or {}).items():
            normalizer.load_state_dict(self.checkpoint["normalizers"][key])
        if replay is not None and self.checkpoint.get("replay") is not None:
            replay.load_state_dict(self.checkpoint["replay"])
        restore_rng(self.checkpoint["rng"], self.rng)
        return dict(self.checkpoint.get("extra", {}))

    def halted(self) -> bool:
        """True right after the final checkpoint, or the one that reached ``--halt-after``: the trainer
        leaves its loop there."""
        if self._last_checkpoint != self.global_step:
            return False
        halt = self.args.halt_after
        return self.global_step >= self.args.total_timesteps or (
            halt is not None and self.global_step >= halt
        )

    # -- end ---------------------------------------------------------------------------------------------

    def finish(self) -> dict[str, Any]:
        """Writes summary.json (status finished) unless the run halted early; returns the summary."""
        if self.global_step < self.args.total_timesteps:
            return {"status": "unfinished", "global_step": self.global_step}
        self.logger.flush()
        summary = self._summary("finished")
        write_json_atomic(self.run_dir / SUMMARY, summary)
        return summary

    def _summary(self, status: str, error: str | None = None) -> dict[str, Any]:
        wall = self.logger.wall_s()
        steps = self.global_step
        final_return = final_window(*read_metric(self.run_dir, RETURN_TAG))
        completion = final_window(*read_metric(self.run_dir, COMPLETION_TAG))
        latency = final_window(*read_metric(self.run_dir, "env/latency_mean_s"))
        time_s = dict(self.timer.totals)
        time_s["other"] = max(wall - sum(time_s.values()), 0.0)
        summary: dict[str, Any] = {
            "status": status,
            "algo": self.algo,
            "env_id": self.args.env,
            "preset": self.args.preset,
            "seed": self.args.seed,
            "global_step": steps,
            "decisions": steps * self.num_agents,
            "episodes": self.episodes,
            "invalid_actions": self.invalid_actions if self._invalid_metric is not None else None,
            "final_return": _finite_or_none(final_return),
            "final_completion_ratio": _finite_or_none(completion),
            "final_latency_mean_s": _finite_or_none(latency),
            "wall_s": wall,
            "cpu_s": self.cpu_s(),
            "env_steps_per_s": steps / wall if wall > 0 else None,
            "decisions_per_s": steps * self.num_agents / wall if wall > 0 else None,
            "time_s": time_s,
        }
        if error is not None:
            summary["error"] = error
        return summary

    def close(self) -> None:
        self._bar.close()
        self.logger.close()
        self.venv.close()

    def __enter__(self) -> TrainingRun:
        return self

    def __exit__(self, exc_type: Any, exc: BaseException | None, tb: Any) -> None:
        try:
            if exc is not None and not isinstance(exc, KeyboardInterrupt):
                # A failed run says why; it stays resumable from its latest checkpoint.
                with contextlib.suppress(Exception):
                    self.logger.flush()
                    write_json_atomic(
                        self.run_dir / SUMMARY, self._summary("failed", f"{type(exc).__name__}: {exc}")
                    )
        finally:
            self.close()


def _finite_or_none(value: float) -> float | None:
    return value if math.isfinite(value) else None


def crossings(before: int, after: int, every: int) -> int:
    """How many multiples of ``every`` lie in (before, after]: step counters advance by num_envs at a time."""
    return after // every - before // every
