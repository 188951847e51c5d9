"""The JVM's life: reused across resets, gone when its Python parent dies, reachable by connect()."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time

import numpy as np
import pytest

import pygym
from pygym.bridge import Client
from pygym.jvm import HANDSHAKE, server_command
from tests.conftest import SHORT, start_python

pytestmark = pytest.mark.jvm


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie is dead for our purposes.
    with open(f"/proc/{pid}/stat") as f:
        return f.read().split()[2] != "Z"


def test_fifty_resets_reuse_one_jvm() -> None:
    client = Client.start()
    try:
        env = pygym.make("offload-neighbour-v0", server=client, **SHORT)
        first = env.reset(seed=9)[0]
        rss_kb = []
        for i in range(50):
            observations, _ = env.reset(seed=9)
            env.step(dict.fromkeys(env.agents, 0))
            assert env.possible_agents == [f"node_{k}" for k in range(10)]
            assert all(np.array_equal(observations[a], first[a]) for a in first)
            assert client.process is not None and client.process.alive()
            if i % 10 == 9:
                with open(f"/proc/{client.process.pid}/status") as f:
                    rss_kb.append(next(int(line.split()[1]) for line in f if line.startswith("VmRSS")))
        assert client.session_count() == 1
        assert len(rss_kb) == 5
        assert rss_kb[-1] < rss_kb[0] * 1.5 + 50_000, rss_kb  # no growth per reset
        env.close()
        assert client.session_count() == 0
    finally:
        client.close()
    assert not client.process.alive()


CHILD = """
import sys, time, pygym
env = pygym.make("offload-neighbour-v0", episode_s=10)
env.reset(seed=1)
print(pygym.servers.local_server().process.pid, flush=True)
time.sleep(600)
"""


def test_sigkill_of_the_python_parent_leaves_no_jvm() -> None:
    child = start_python(CHILD)
    try:
        jvm_pid = int(child.stdout.readline())
        assert pid_alive(jvm_pid)
        child.send_signal(signal.SIGKILL)
        child.wait(10)
        deadline = time.monotonic() + 5
        while pid_alive(jvm_pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not pid_alive(jvm_pid), f"JVM {jvm_pid} outlived its killed parent"
    finally:
        child.kill()
        child.wait()


def test_connect_to_a_running_server_with_its_token() -> None:
    token = "secret-token-1234567"
    env = {**os.environ, "PYGYM_TOKEN": token}
    server = subprocess.Popen(
        server_command(), stdout=subprocess.PIPE, stdin=subprocess.PIPE, text=True, env=env
    )
    try:
        line = server.stdout.readline()
        assert line.startswith(HANDSHAKE)
        info = json.loads(line[len(HANDSHAKE) :])
        assert info["host"] == "127.0.0.1" and "token" not in info
        client = pygym.connect(info["host"], info["port"], token)
        with pygym.make("offload-neighbour-v0", server=client, **SHORT) as env:
            env.reset(seed=1)
            _, rewards, _, _, _ = env.step(dict.fromkeys(env.agents, 0))
            assert len(rewards) == 10
        client.close()
        with pytest.raises(
            pygym.ConnectionFailed, match=f"the simulator at 127.0.0.1:{info['port']} refused the auth token"
        ):
            pygym.connect(info["host"], info["port"], "wrong-token-12345678")
    finally:
        server.kill()
        server.wait()


def test_server_start_failure_exits_with_a_message() -> None:
    taken = subprocess.Popen(server_command(), stdout=subprocess.PIPE, stdin=subprocess.PIPE, text=True)
    try:
        port = json.loads(taken.stdout.readline()[len(HANDSHAKE) :])["port"]
        second = subprocess.run(server_command(port=port), capture_output=True, text=True, timeout=60)
        assert second.returncode == 2
        assert "cannot start the simulator server" in second.stderr
        assert second.stdout == ""
    finally:
        taken.kill()
        taken.wait()


def test_simulator_cpu_s_counts_the_jvms_this_process_started() -> None:
    launched = pygym.launch()
    try:
        before = pygym.simulator_cpu_s()
        rng = np.random.default_rng(0)
        steps = 0
        with pygym.make_vec("offload-neighbour-v0", 8, server=launched) as venv:
            _, infos = venv.reset(seed=1)
            while steps < 300:
                actions = np.argmax(rng.random(infos["action_mask"].shape) * infos["action_mask"], axis=2)
                _, _, _, _, infos = venv.step(actions.astype(np.int32))
                steps += 1
        spent = pygym.simulator_cpu_s() - before
        assert launched.process is not None
        with open(f"/proc/{launched.process.pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        jvm_total = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        assert steps == 300 and spent > 0.05  # 2,400 simulated steps are not free
        assert launched.process.cpu_s() == pytest.approx(jvm_total, abs=0.05)
    finally:
        launched.close()
