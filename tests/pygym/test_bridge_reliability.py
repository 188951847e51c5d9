"""The bridge never runs a step twice, never hangs forever, and survives fork, Ctrl-C and threads."""

from __future__ import annotations

import multiprocessing
import os
import signal
import socket
import threading
import time
from pathlib import Path

import numpy as np
import pytest

import pygym
from pygym.bridge import Client
from tests.conftest import REPO, run_python

pytestmark = pytest.mark.jvm
SHORT = {"episode_s": 100}


def _child_creates_its_own_env(queue) -> None:
    try:
        with pygym.make("offload-neighbour-v0", episode_s=1) as env:
            env.reset(seed=5)
            steps = 0
            while env.agents:
                env.step(dict.fromkeys(env.agents, 0))
                steps += 1
        queue.put(steps)
    except BaseException as e:  # the parent reports it
        queue.put(repr(e))


def test_a_parent_steps_while_forked_children_create_their_own_envs() -> None:
    context = multiprocessing.get_context("fork")
    with pygym.make("offload-neighbour-v0", **SHORT) as env:
        env.reset(seed=1)
        steps = 0
        results = []
        for _ in range(12):
            queue = context.Queue()
            child = context.Process(target=_child_creates_its_own_env, args=(queue,))
            child.start()
            # The parent keeps stepping while the child starts, uses and drops what it inherited.
            for _ in range(5):
                env.step(dict.fromkeys(env.agents, 0))
                steps += 1
            results.append(queue.get(timeout=60))
            child.join(30)
            assert child.exitcode == 0
            env.step(dict.fromkeys(env.agents, 0))
            steps += 1
            assert env.last_frame is not None and env.last_frame.step == steps
    assert steps == 72 and results == [10] * 12


def _use_inherited(env, queue) -> None:
    try:
        env.step(dict.fromkeys(env.agents, 0))
        queue.put("stepped")
    except pygym.SessionError as e:
        queue.put(str(e))


def test_an_env_inherited_through_fork_refuses_to_step_in_the_child() -> None:
    context = multiprocessing.get_context("fork")
    with pygym.make("offload-neighbour-v0", **SHORT) as env:
        env.reset(seed=1)
        queue = context.Queue()
        child = context.Process(target=_use_inherited, args=(env, queue))
        child.start()
        message = queue.get(timeout=60)
        child.join(30)
        assert "opened by process" in message and "before fork()" in message
        env.step(dict.fromkeys(env.agents, 0))  # the parent's env is untouched
        assert env.last_frame is not None and env.last_frame.step == 1


def stop(process) -> None:
    """SIGSTOP, then wait until every thread of the process is stopped (delivery is not instant)."""
    os.kill(process.pid, signal.SIGSTOP)
    deadline = time.monotonic() + 10
    while not process.stopped() and time.monotonic() < deadline:
        time.sleep(0.01)
    assert process.stopped()


@pytest.fixture
def own_jvm():
    client = Client.start()
    yield client
    if client.process is not None and client.process.alive():
        os.kill(client.process.pid, signal.SIGCONT)
    client.close()


def test_a_stopped_simulator_times_out_with_a_named_error(own_jvm) -> None:
    client = Client(own_jvm.endpoint, own_jvm.process, call_timeout_s=1.0)
    env = pygym.make("offload-neighbour-v0", server=client, **SHORT)
    env.reset(seed=1)
    stop(own_jvm.process)
    t0 = time.monotonic()
    with pytest.raises(
        pygym.SimulatorTimeout, match=r"(?s)step: no reply from the simulator at .* within 1 s.*stopped"
    ):
        env.step(dict.fromkeys(env.agents, 0))
    assert time.monotonic() - t0 < 5
    os.kill(own_jvm.process.pid, signal.SIGCONT)
    with pytest.raises(pygym.SessionError, match=r"step timed out.*reset the environment"):
        env.step(dict.fromkeys(env.agents, 0))
    env.reset(seed=1)  # a reset resynchronises Python and the simulator
    env.step(dict.fromkeys(env.agents, 0))
    assert env.last_frame is not None and env.last_frame.step == 1
    env.close()
    client.close()


@pytest.fixture
def python_sigint():
    """Python's own Ctrl-C handler for the test (libraries such as Ray Tune install their own and keep it)."""
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    yield
    signal.signal(signal.SIGINT, previous)


def test_ctrl_c_during_a_step_raises_keyboard_interrupt_and_needs_a_reset(own_jvm, python_sigint) -> None:
    env = pygym.make("offload-neighbour-v0", server=own_jvm, **SHORT)
    env.reset(seed=1)
    env.step(dict.fromkeys(env.agents, 0))
    stop(own_jvm.process)  # the step below waits for its reply
    timer = threading.Timer(0.5, os.kill, (os.getpid(), signal.SIGINT))
    timer.start()
    with pytest.raises(KeyboardInterrupt):
        env.step(dict.fromkeys(env.agents, 0))
    os.kill(own_jvm.process.pid, signal.SIGCONT)
    with pytest.raises(pygym.SessionError, match=r"interrupted by Ctrl-C.*reset the environment"):
        env.step(dict.fromkeys(env.agents, 0))
    env.reset(seed=2)
    for expected in (1, 2, 3):
        env.step(dict.fromkeys(env.agents, 0))
        assert env.last_frame is not None and env.last_frame.step == expected
    env.close()


def test_connecting_to_nothing_or_to_a_silent_listener_fails_within_seconds() -> None:
    with socket.socket() as free:
        free.bind(("127.0.0.1", 0))
        port = free.getsockname()[1]
    t0 = time.monotonic()
    with pytest.raises(pygym.ConnectionFailed, match=f"cannot connect to a simulator at 127.0.0.1:{port}"):
        pygym.connect("127.0.0.1", port, "x" * 16)
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        with pytest.raises(pygym.ConnectionFailed, match="within 5 s"):
            pygym.connect("127.0.0.1", silent.getsockname()[1], "x" * 16)
    assert time.monotonic() - t0 < 12


def test_several_threads_use_different_envs_on_one_client() -> None:
    def trajectory(seed: int) -> list[bytes]:
        with pygym.make("offload-neighbour-v0", episode_s=3) as env:
            observations, _ = env.reset(seed=seed)
            out = [np.stack(list(observations.values())).tobytes()]
            while env.agents:
                observations, _, _, _, _ = env.step(dict.fromkeys(env.agents, 1))
                out.append(np.stack(list(observations.values())).tobytes())
        return out

    expected = {seed: trajectory(seed) for seed in range(4)}
    results: dict[int, list[bytes]] = {}
    errors: list[BaseException] = []

    def run(seed: int) -> None:
        try:
            for _ in range(3):
                assert trajectory(seed) == expected[seed]
            results[seed] = expected[seed]
        except BaseException as e:
            errors.append(e)

    threads = [threading.Thread(target=run, args=(seed,)) for seed in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert not errors and sorted(results) == [0, 1, 2, 3]
    assert sum(len(v) for v in results.values()) == 4 * 31


def test_closing_sessions_releases_their_workload_files(tmp_path: Path, own_jvm) -> None:
    import workloads

    path = tmp_path / "w.csv"
    tasks = [
        workloads.Task(0.05 * k, f"node_{k % 3}", f"t{k}", 10**8, 10_000, 1_000, None, ()) for k in range(400)
    ]
    workloads.write_workload(path, tasks)
    fds = Path(f"/proc/{own_jvm.process.pid}/fd")
    before = len(list(fds.iterdir()))
    for i in range(500):
        env = pygym.make("offload-neighbour-v0", server=own_jvm, workload=str(path), episode_s=1)
        env.reset(seed=i)
        env.step(dict.fromkeys(env.agents, 0))
        env.close()
    assert own_jvm.session_count() == 0
    assert len(list(fds.iterdir())) <= before + 2  # a pooled connection or two, never one per session


def test_closing_an_env_whose_jvm_is_stopped_does_not_hang_exit() -> None:
    script = (
        "import os, signal, pygym\n"
        "env = pygym.make('offload-neighbour-v0')\n"
        "env.reset(seed=1)\n"
        "os.kill(pygym.servers.local_server().process.pid, signal.SIGSTOP)\n"
        "print('stopped', flush=True)\n"
    )
    t0 = time.monotonic()
    out = run_python(script, cwd=REPO, timeout_s=60)
    assert out.returncode == 0 and out.stdout.strip() == "stopped", out.stderr
    assert time.monotonic() - t0 < 30
