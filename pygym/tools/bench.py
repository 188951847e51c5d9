"""``make bench``: speed of the bridge, the simulator and the engine, printed as tables.

1. offload-neighbour-v0 with 10 agents on 20 nodes, one env: env steps/s through the bridge (``env.step`` of
   the PettingZoo env with random valid actions, only the step call timed), the bare bridge call (the group
   call of a group of one: py4j round trip, simulation and decoding, no PettingZoo dictionaries), the same
   simulation stepped inside the JVM through the same calls with no bridge, their ratio, reset latency and
   peak memory. The bridge is measured twice: as processes are scheduled normally, and with Python and the
   JVM pinned to one core, which removes the cost of waking the other core on every round trip.
2. Vector stepping (``pygym.make_vec``): aggregate env steps/s of offload-neighbour-v0 (10 agents, 20 nodes)
   and offload-mec-explaboff-v0 (2x3) for several ``num_envs`` and JVM worker threads (random valid actions,
   only ``step`` timed, autoresets included), next to the same group stepped inside the JVM and the
   single-session in-JVM limit measured in the same run.
3. Memory per session with 1,000 sessions open (JVM and Python peak resident memory over a fresh JVM).
4. The MEC scenarios (offload-mec-explaboff-v0 in its 2x3, 2x5 and 3x7 settings, offload-mec-v0 with 3, 5
   and 7 devices), one env: env steps/s through the bridge and inside the JVM.
5. The engine alone on PeerSim's hold model at N = 1,000 and 100,000 nodes: events/s, bytes allocated per
   event, peak memory.
6. The topology and workload benchmarks, when those packages provide them.
"""

from __future__ import annotations

import importlib
import json
import os
import resource
import subprocess
import sys
import time
from typing import Any

import numpy as np
from rich.console import Console
from rich.table import Table

import pygym
from pygym import jvm, servers
from pygym.bridge import Client
from pygym.frames import OP_RESET, OP_STEP

ENV_ID = "offload-neighbour-v0"
STEPS = 20_000
SEED = 1
PEERSIM_EVENTS_PER_S = {1_000: 5.9e6, 100_000: 1.7e6}
console = Console(width=120)


def peak_rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status") as f:
        return next(int(line.split()[1]) for line in f if line.startswith("VmHWM")) / 1024


def rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status") as f:
        return next(int(line.split()[1]) for line in f if line.startswith("VmRSS")) / 1024


def java(*args: str) -> dict:
    cmd = [
        jvm.java_executable(),
        *jvm.DEFAULT_JVM_ARGS,
        "-cp",
        str(jvm.jar_path()),
        *args,
    ]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def random_valid(rng: np.random.Generator, masks: np.ndarray) -> np.ndarray:
    """A uniform pick among each agent's allowed actions, for every env and agent at once."""
    picks = rng.integers(0, masks.sum(axis=-1))
    return (np.cumsum(masks, axis=-1) <= picks[..., None]).sum(axis=-1)


def bridge_steps(env: pygym.SimParallelEnv, steps: int) -> tuple[float, float]:
    """Seconds spent in ``env.step`` and in the bare group call, each over ``steps`` steps."""
    rng = np.random.default_rng(SEED)
    _, infos = env.reset(seed=SEED)
    env_time = 0.0
    for _ in range(steps):
        if not env.agents:
            _, infos = env.reset()
        masks = np.stack([infos[a]["action_mask"] for a in env.possible_agents]).astype(bool)
        chosen = dict(zip(env.possible_agents, random_valid(rng, masks).tolist(), strict=True))
        t0 = time.perf_counter()
        _, _, _, _, infos = env.step(chosen)
        env_time += time.perf_counter() - t0
    group = env._live_group().groups[0]
    seeds = np.array([SEED], dtype=np.int64)
    reset, step = np.full(1, OP_RESET, np.int8), np.full(1, OP_STEP, np.int8)
    batch = group.run(reset, seeds, np.zeros((1, 10)), True)
    raw_time = 0.0
    for _ in range(steps):
        ops = reset if batch.ended[0] else step
        actions = random_valid(rng, batch.action_mask.astype(bool))
        t0 = time.perf_counter()
        batch = group.run(ops, seeds, actions, True)
        raw_time += time.perf_counter() - t0
    return env_time, raw_time


def pinned_bridge() -> dict[str, float]:
    """µs per env.step and per bare call, measured in a child process pinned (with its JVM) to one core."""
    out = subprocess.run(
        [sys.executable, "-m", "pygym.tools.bench", "--pinned-bridge-json"],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def _pinned_bridge_json() -> None:
    os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})  # the JVM started below inherits it
    env = pygym.make(ENV_ID)
    bridge_steps(env, 5_000)
    env_time, raw_time = bridge_steps(env, STEPS)
    env.close()
    print(json.dumps({"env_us": env_time / STEPS * 1e6, "raw_us": raw_time / STEPS * 1e6}))


def scenario_table() -> None:
    pinned = pinned_bridge()
    env = pygym.make(ENV_ID)
    bridge_steps(env, 5_000)  # warm up the JIT and the Python caches
    env_time, raw_time = bridge_steps(env, STEPS)
    t0 = time.perf_counter()
    resets = 50
    for i in range(resets):
        env.reset(seed=SEED + i)
    reset_s = (time.perf_counter() - t0) / resets
    jvm_pid = servers.local_server().process.pid  # type: ignore[union-attr]
    jvm_mb = peak_rss_mb(jvm_pid)
    py_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    agents, nodes = len(env.possible_agents), len(env.state_fields) // 4
    env.close()
    inside = java(
        "edgesim.bench.ScenarioBench", ENV_ID, str(STEPS), str(SEED), "--envs", "1", "--threads", "1"
    )

    env_us = env_time / STEPS * 1e6
    raw_us = raw_time / STEPS * 1e6
    jvm_us = 1e6 / inside["steps_per_s"]
    table = Table(title=f"{ENV_ID}: {agents} agents on {nodes} nodes, {STEPS} steps, random valid actions")
    for column in ("measure", "steps/s", "µs/step", "target", "met"):
        table.add_column(column, justify="left" if column == "measure" else "right")
    table.add_row("env.step through the bridge", f"{1e6 / env_us:,.0f}", f"{env_us:.1f}", ">= 3,000/s",
                  _ok(1e6 / env_us >= 3000))  # fmt: skip
    table.add_row("bare bridge call (group of one)", f"{1e6 / raw_us:,.0f}", f"{raw_us:.1f}", "", "")
    for what, key in (("env.step", "env_us"), ("bare bridge call", "raw_us")):
        table.add_row(
            f"{what}, Python and JVM on one core", f"{1e6 / pinned[key]:,.0f}", f"{pinned[key]:.1f}", "", ""
        )
    table.add_row(
        "inside the JVM, no bridge (limit)", f"{inside['steps_per_s']:,.0f}", f"{jvm_us:.1f}", "", ""
    )
    table.add_row("ratio bridge / in-JVM steps/s", f"{jvm_us / env_us:.2f}", "", "", "")
    table.add_row(
        "bridge overhead, one core: (env.step - in-JVM) / env.step",
        f"{(pinned['env_us'] - jvm_us) / pinned['env_us']:.0%}",
        f"{pinned['env_us'] - jvm_us:.1f}",
        "<= 30%",
        _ok((pinned["env_us"] - jvm_us) / pinned["env_us"] <= 0.30),
    )
    overhead = (env_us - jvm_us) / env_us
    table.add_row(
        "bridge overhead: (env.step - in-JVM) / env.step",
        f"{overhead:.0%}",
        f"{env_us - jvm_us:.1f}",
        "<= 30%",
        _ok(overhead <= 0.30),
    )
    table.add_row(
        "reset (env.reset, mean of 50)", "", f"{reset_s * 1e6:,.0f}", "< 50,000 µs", _ok(reset_s < 0.05)
    )
    table.add_row("reset inside the JVM (mean of 20)", "", f"{inside['mean_reset_s'] * 1e6:,.0f}", "", "")
    table.add_row("peak memory: JVM / Python (MB)", "", f"{jvm_mb:,.0f} / {py_mb:,.0f}", "", "")
    console.print(table)


VECTOR_ROWS: list[tuple[str, dict[str, Any], tuple[int, ...]]] = [
    (ENV_ID, {}, (1, 8, 32, 128)),
    ("offload-mec-explaboff-v0", {"setting": "2x3"}, (1, 8, 32, 128, 256)),
]
VECTOR_THREADS = (1, 2)
VECTOR_SECONDS = 3.0


def vector_steps_per_s(venv: pygym.VecEnv, seconds: float) -> float:
    """Env steps/s of ``venv.step`` with random valid actions over about ``seconds`` of stepping (only the
    step calls timed; a call that autoresets an env counts no step for it)."""
    rng = np.random.default_rng(SEED)
    _, infos = venv.reset(seed=SEED)
    ended = np.zeros(venv.num_envs, dtype=bool)
    elapsed = 0.0
    taken = 0
    while elapsed < seconds:
        if venv._continuous:
            actions = rng.uniform(-1, 1, (venv.num_envs, venv.num_agents, 2)).astype(np.float32)
        else:
            actions = random_valid(rng, infos["action_mask"])
        t0 = time.perf_counter()
        _, _, terminations, truncations, infos = venv.step(actions)
        elapsed += time.perf_counter() - t0
        taken += int((~ended).sum())
        ended = terminations[:, 0] | truncations[:, 0]
    return taken / elapsed


def vector_table() -> None:
    table = Table(
        title=f"vector envs (pygym.make_vec): aggregate env steps/s, random valid actions, about "
        f"{VECTOR_SECONDS:g} s of stepping per row; single = one session stepped inside the JVM"
    )
    for column in (
        "env",
        "envs",
        "JVM threads",
        "steps/s",
        "in-JVM group",
        "single",
        "ratio",
        "target",
        "met",
    ):
        table.add_column(column, justify="left" if column == "env" else "right", no_wrap=column == "env")
    for env_id, kwargs, sizes in VECTOR_ROWS:
        args = [f"{k}={v}" for k, v in kwargs.items()]
        calls = 100_000 if env_id == ENV_ID else 400_000
        single = java("edgesim.bench.ScenarioBench", env_id, str(calls), str(SEED), "--envs", "1",
                      "--threads", "1", *args)["steps_per_s"]  # fmt: skip
        name = env_id + (f" {kwargs['setting']}" if "setting" in kwargs else "")
        for num_envs in sizes:
            for threads in VECTOR_THREADS:
                with pygym.make_vec(env_id, num_envs, threads=threads, **kwargs) as venv:
                    vector_steps_per_s(venv, 1.0)  # warm up the JIT and the Python caches
                    rate = vector_steps_per_s(venv, VECTOR_SECONDS)
                group_calls = max(200, int(30 * single / num_envs))
                inside = java("edgesim.bench.ScenarioBench", env_id, str(group_calls), str(SEED), "--envs",
                              str(num_envs), "--threads", str(threads), *args)["steps_per_s"]  # fmt: skip
                target, met = _vector_target(env_id, num_envs, threads, rate, single)
                table.add_row(name, str(num_envs), str(threads), f"{rate:,.0f}", f"{inside:,.0f}",
                              f"{single:,.0f}", f"{rate / single:.2f}", target, met)  # fmt: skip
    console.print(table)


def _vector_target(env_id: str, num_envs: int, threads: int, rate: float, single: float) -> tuple[str, str]:
    if env_id == ENV_ID and num_envs == 32:
        factor = 0.8 if threads == 1 else 1.3
        return f">= {factor}x single", _ok(rate >= factor * single)
    if env_id != ENV_ID and num_envs == 256 and threads == max(VECTOR_THREADS):
        return ">= 200,000/s", _ok(rate >= 200_000)
    return "", ""


MEMORY_SESSIONS = 1_000


def memory_table() -> None:
    """Peak memory per session with 1,000 sessions open, over a fresh JVM and this process."""
    table = Table(
        title=f"memory per session with {MEMORY_SESSIONS:,} sessions open (reset and stepped 10 times)"
    )
    for column in ("env", "JVM MB total", "JVM KB/session", "Python MB total", "Python KB/session"):
        table.add_column(column, justify="left" if column == "env" else "right")
    for env_id, kwargs, _ in VECTOR_ROWS:
        client = Client.start()
        try:
            pid = client.process.pid  # type: ignore[union-attr]
            jvm_before = rss_mb(pid)
            py_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            with pygym.make_vec(env_id, MEMORY_SESSIONS, server=client, **kwargs) as venv:
                rng = np.random.default_rng(SEED)
                _, infos = venv.reset(seed=SEED)
                for _ in range(10):
                    if venv._continuous:
                        actions = rng.uniform(-1, 1, (venv.num_envs, venv.num_agents, 2)).astype(np.float32)
                    else:
                        actions = random_valid(rng, infos["action_mask"])
                    _, _, _, _, infos = venv.step(actions)
                jvm_peak = peak_rss_mb(pid)
                py_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        finally:
            client.close()
        per = 1024 / MEMORY_SESSIONS
        table.add_row(env_id, f"{jvm_peak:,.0f}", f"{(jvm_peak - jvm_before) * per:,.0f}", f"{py_peak:,.0f}",
                      f"{max(py_peak - py_before, 0) * per:,.1f}")  # fmt: skip
    console.print(table)


MEC_STEPS = 10_000
MEC_ROWS: list[tuple[str, dict[str, Any]]] = [
    ("offload-mec-explaboff-v0", {"setting": "2x3"}),
    ("offload-mec-explaboff-v0", {"setting": "2x5"}),
    ("offload-mec-explaboff-v0", {"setting": "3x7"}),
    ("offload-mec-v0", {"n_devices": 3, "n_servers": 2}),
    ("offload-mec-v0", {"n_devices": 5, "n_servers": 2}),
    ("offload-mec-v0", {"n_devices": 7, "n_servers": 3}),
]
MEC_TARGET_STEPS_PER_S = 5_000


def mec_bridge_seconds(env: pygym.SimParallelEnv, steps: int) -> float:
    """Seconds spent in ``env.step`` over ``steps`` steps of uniform random actions (resets not timed)."""
    rng = np.random.default_rng(SEED)
    env.reset(seed=SEED)
    elapsed = 0.0
    for _ in range(steps):
        if not env.agents:
            env.reset()
        draws = rng.uniform(-1, 1, (len(env.agents), 2)).astype(np.float32)
        actions = dict(zip(env.agents, draws, strict=True))
        t0 = time.perf_counter()
        env.step(actions)
        elapsed += time.perf_counter() - t0
    return elapsed


def mec_table() -> None:
    table = Table(title=f"MEC scenarios: {MEC_STEPS} env steps per row, uniform random actions in [-1, 1]^2")
    for column in (
        "env id",
        "arguments",
        "devices",
        "bridge steps/s",
        "µs/step",
        "in-JVM steps/s",
        "target",
        "met",
    ):
        table.add_column(
            column,
            justify="left" if column in ("env id", "arguments") else "right",
            no_wrap=column == "env id",
        )
    for env_id, kwargs in MEC_ROWS:
        env = pygym.make(env_id, **kwargs)
        mec_bridge_seconds(env, 2_000)  # warm up the JIT and the Python caches
        seconds = mec_bridge_seconds(env, MEC_STEPS)
        devices = len(env.possible_agents)
        env.close()
        # The in-JVM run is longer: a step takes microseconds there, and short runs are mostly JIT noise.
        inside = java("edgesim.bench.ScenarioBench", env_id, str(20 * MEC_STEPS), str(SEED),
                      "--envs", "1", "--threads", "1", *(f"{k}={v}" for k, v in kwargs.items()))  # fmt: skip
        rate = MEC_STEPS / seconds
        target = devices == 3
        table.add_row(
            env_id,
            " ".join(f"{k}={v}" for k, v in kwargs.items()),
            str(devices),
            f"{rate:,.0f}",
            f"{1e6 / rate:.1f}",
            f"{inside['steps_per_s']:,.0f}",
            f">= {MEC_TARGET_STEPS_PER_S:,}/s" if target else "",
            _ok(rate >= MEC_TARGET_STEPS_PER_S) if target else "",
        )
    console.print(table)


def engine_table() -> None:
    table = Table(title="engine alone: PeerSim hold model (one pending event per node, delays 1..100 ticks)")
    for column in (
        "nodes",
        "events",
        "M events/s",
        "PeerSim 1.0.5",
        "target (2x)",
        "met",
        "bytes/event",
        "peak MB",
    ):
        table.add_column(column, justify="right")
    for nodes, peersim in PEERSIM_EVENTS_PER_S.items():
        r = java("edgesim.bench.HoldBench", str(nodes), "10000000", str(SEED))
        rate = r["events_per_s"]
        table.add_row(
            f"{nodes:,}",
            f"{r['events']:,}",
            f"{rate / 1e6:.2f}",
            f"{peersim / 1e6:.1f}",
            f"{2 * peersim / 1e6:.1f}",
            _ok(rate >= 2 * peersim),
            f"{r['alloc_bytes_per_event']:.3f}",
            f"{r['peak_rss_bytes'] / 2**20:,.0f}",
        )
    console.print(table)


def _ok(met: bool) -> str:
    return "yes" if met else "NO"


def main() -> None:
    if "--pinned-bridge-json" in sys.argv:
        _pinned_bridge_json()
        return
    console.print(f"[bold]pygym bench[/bold] (java: {jvm.java_executable()}, jar: {jvm.jar_path()})")
    scenario_table()
    vector_table()
    memory_table()
    mec_table()
    engine_table()
    for package in ("topologies", "workloads"):
        try:
            module = importlib.import_module(f"{package}.bench")
        except ModuleNotFoundError as e:
            if e.name != f"{package}.bench":
                raise
            continue
        module.main()


if __name__ == "__main__":
    main()
