"""The gateway, tried as an attacker would (issue 11): with the token, py4j's own client reaches the session
API and nothing else; sessions belong to the client that created them and end with it; the token never shows
on a command line or in a log unless the server made it; a server beyond loopback needs a chosen token; and
clients that never authenticate cannot grow the JVM's memory."""

from __future__ import annotations

import base64
import os
import signal
import socket
import subprocess
import threading
from pathlib import Path

import numpy as np
import pytest
from py4j.java_gateway import GatewayParameters, JavaGateway, java_import
from py4j.protocol import Py4JError

import pygym
from pygym.bridge import _bytes_arg, _command, _int_arg
from pygym.frames import OP_STEP
from pygym.servers import local_server
from tests.conftest import PYTHON
from tests.pygym.served import SERVE, Served, client_env, wait_until

pytestmark = pytest.mark.jvm

ONLY_SESSIONS = "this simulator server answers only the pygym session API"
SMALL = {"nodes": 6, "agents": 3, "episode_s": 1}


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory):
    with Served(tmp_path_factory.mktemp("served")) as server:
        yield server


@pytest.fixture
def py4j_gateway(served: Served):
    gateway = JavaGateway(gateway_parameters=GatewayParameters(port=served.port, auth_token=served.token))
    yield gateway
    gateway.close()


# --- only the session API -------------------------------------------------------------------------------


def test_py4j_s_own_client_calls_the_session_api(py4j_gateway: JavaGateway) -> None:
    entry = py4j_gateway.entry_point
    assert entry.contractVersion() == pygym.frames.CONTRACT_VERSION
    assert "offload-neighbour-v0" in entry.envIds().split(",")
    created = entry.create("offload-neighbour-v0", 2, 1, "nodes 6\nagents 3\nepisode_s 1")
    assert created.startswith("+"), created
    assert entry.describe(int(created[1:])).startswith('+{"')
    assert entry.close(int(created[1:])) == "+"


def _read_file(g: JavaGateway) -> object:
    return g.jvm.java.nio.file.Files.readString(g.jvm.java.io.File("/etc/hostname").toPath())


ATTACKS = {
    "System.getProperty": lambda g: g.jvm.java.lang.System.getProperty("user.home"),
    "System.getenv": lambda g: g.jvm.java.lang.System.getenv("PYGYM_TOKEN"),
    "Files.readString": _read_file,
    "Runtime.exec": lambda g: g.jvm.java.lang.Runtime.getRuntime().exec("touch /tmp/pygym-owned"),
    "setAccessible": lambda g: g.entry_point.getClass().getDeclaredField("groups").setAccessible(True),
    "getClass": lambda g: g.entry_point.getClass(),
    "a constructor": lambda g: g.jvm.java.lang.ProcessBuilder(["id"]),
    "an array": lambda g: g.new_array(g.jvm.java.lang.String, 3),
    "a JVM view": lambda g: g.new_jvm_view().java,
    "java_import": lambda g: java_import(g.jvm, "java.io.*"),
    "another method of the entry point": lambda g: g.entry_point.notifyAll(),
}


@pytest.mark.parametrize("attack", list(ATTACKS))
def test_py4j_s_own_client_reaches_nothing_else(py4j_gateway: JavaGateway, attack: str) -> None:
    with pytest.raises(Py4JError) as error:
        ATTACKS[attack](py4j_gateway)
    assert ONLY_SESSIONS in str(error.value), str(error.value)
    assert not Path("/tmp/pygym-owned").exists()
    # The refusal is an answer: the same connection keeps serving.
    assert py4j_gateway.entry_point.sessionCount() >= 0


def test_shutting_the_server_down_is_refused(py4j_gateway: JavaGateway, served: Served) -> None:
    py4j_gateway.shutdown()  # py4j sends its shutdown command and ignores the answer
    client = pygym.connect("127.0.0.1", served.port, served.token)
    try:
        assert client.env_ids()
    finally:
        client.close()
    assert served.process.poll() is None


# --- sessions belong to their client -------------------------------------------------------------------


def test_another_client_can_neither_describe_nor_step_a_group(served: Served) -> None:
    owner = pygym.connect("127.0.0.1", served.port, served.token)
    other = pygym.connect("127.0.0.1", served.port, served.token)
    try:
        with pygym.make_vec("offload-neighbour-v0", 2, server=owner, **SMALL) as venv:
            venv.reset(seed=1)
            group = venv._group.groups[0]
            missing = f"no open environment group {group.id} (closed, or created on another server)"
            with pytest.raises(pygym.SessionError) as described:
                other._text_call("describe", "describe", _int_arg(group.id))
            assert str(described.value) == missing
            frame = group.layout.encode_input(
                np.full(2, OP_STEP, np.int8), np.zeros(2, np.int64), np.zeros((2, 3), np.int32), False
            )
            reply = other._call("step", _command("run", _int_arg(group.id), _bytes_arg(frame)), 10)
            assert base64.b64decode(reply[2:]).decode().startswith(f"-session:{missing}")
            # The owner's view is untouched.
            venv.step(np.zeros((2, 3), np.int64))
            assert venv._group.batch is not None and int(venv._group.batch.step[0]) == 1
    finally:
        other.close()
        owner.close()


def test_another_client_s_close_leaves_the_group_running(served: Served) -> None:
    owner = pygym.connect("127.0.0.1", served.port, served.token)
    other = pygym.connect("127.0.0.1", served.port, served.token)
    try:
        with pygym.make_vec("offload-neighbour-v0", 2, server=owner, **SMALL) as venv:
            venv.reset(seed=1)
            other.close_group(venv._group.groups[0].id)
            steps = 0
            for _ in range(5):
                venv.step(np.zeros((2, 3), np.int64))
                steps += 1
            assert steps == 5
    finally:
        other.close()
        owner.close()


KILLED_CLIENT = """
import os, sys, pygym
venv = pygym.make_vec("offload-neighbour-v0", 20, server=sys.argv[1], nodes=6, agents=3, episode_s=1)
venv.reset(seed=1)
print(venv._group.groups[0].id, flush=True)
sys.stdin.read()
"""


def test_the_sessions_of_a_killed_remote_client_are_closed_within_seconds(served: Served) -> None:
    observer = pygym.connect("127.0.0.1", served.port, served.token)
    try:
        before = observer.session_count()
        child = subprocess.Popen(
            [PYTHON, "-c", KILLED_CLIENT, served.address],
            env=client_env(served.token),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        try:
            assert child.stdout is not None
            group_id = int(child.stdout.readline())
            assert observer.session_count() == before + 20
            os.kill(child.pid, signal.SIGKILL)
            child.wait(10)
        finally:
            if child.poll() is None:
                child.kill()
        waited = wait_until(lambda: observer.session_count() == before, timeout_s=20)
        print(f"20 sessions of a SIGKILLed client closed {waited:.1f} s after it died")
        assert "closed its 20 session(s) in 1 group(s)" in served.stderr_text()
        with pytest.raises(pygym.SessionError, match=f"no open environment group {group_id}"):
            observer._text_call("describe", "describe", _int_arg(group_id))
    finally:
        observer.close()


# --- tokens ---------------------------------------------------------------------------------------------


def test_a_given_token_is_on_no_command_line_and_in_no_handshake(served: Served) -> None:
    cmdline = Path(f"/proc/{served.pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    assert "edgesim.bridge.Server" in cmdline
    assert served.token not in cmdline and "--token" not in cmdline
    assert served.token not in served.handshake_line and '"token"' not in served.handshake_line
    # This process's own JVM: Python makes its token and passes it by environment.
    own = local_server()
    assert own.process is not None
    own_cmdline = Path(f"/proc/{own.process.pid}/cmdline").read_bytes().decode()
    assert own.endpoint.token not in own_cmdline and "--trusted" in own_cmdline


def test_a_token_the_server_made_is_printed_once_in_the_handshake(tmp_path: Path) -> None:
    with Served(tmp_path, token=None) as server:
        assert len(server.info["token"]) == 48
        client = pygym.connect("127.0.0.1", server.port, server.info["token"])
        client.close()


def run_serve(tmp_path: Path, *args: str, token: str | None) -> subprocess.CompletedProcess[str]:
    env = client_env(token or "")
    if token is None:
        env.pop("PYGYM_TOKEN")
    return subprocess.run(
        [*SERVE, *args],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
    )


def test_short_tokens_and_tokens_on_the_command_line_are_refused(tmp_path: Path) -> None:
    short = run_serve(tmp_path, token="x")
    assert short.returncode == 2
    assert "the token from PYGYM_TOKEN has 1 characters; at least 16 are required" in short.stderr
    (tmp_path / "token").write_text("tooshort\n")
    from_file = run_serve(tmp_path, "--token-file", str(tmp_path / "token"), token=None)
    assert (
        from_file.returncode == 2 and "--token-file" in from_file.stderr and "at least 16" in from_file.stderr
    )
    jvm = subprocess.run(
        [*pygym.jvm.server_command(), "--token", "a-token-on-the-command-line"],
        capture_output=True,
        text=True,
    )
    assert jvm.returncode == 2 and "--token is not accepted" in jvm.stderr


def test_binding_beyond_loopback_needs_a_chosen_token_and_says_so(tmp_path: Path) -> None:
    refused = run_serve(tmp_path, "--host", "0.0.0.0", token=None)
    assert refused.returncode == 2
    assert (
        "binding 0.0.0.0 accepts connections from other machines, so it needs a token you chose"
        in refused.stderr
    )
    assert "export PYGYM_TOKEN=$(openssl rand -hex 24)" in refused.stderr
    with Served(tmp_path, host="0.0.0.0") as server:
        assert "listening on 0.0.0.0, beyond loopback" in server.stderr_text()
        assert "plaintext (--tls-cert/--tls-key encrypt it)" in server.stderr_text()


# --- bounded reads --------------------------------------------------------------------------------------

FLOOD_BYTES = 200 << 20


def _flood(port: int, prefix: bytes, sent: list[int]) -> None:
    """Sends ``prefix`` then junk without a newline until the server closes the connection."""
    block = b"x" * (1 << 20)
    total = 0
    with socket.create_connection(("127.0.0.1", port), timeout=30) as s:
        try:
            s.sendall(prefix)
            while total < FLOOD_BYTES:
                s.sendall(block)
                total += len(block)
        except OSError:
            pass
    sent.append(total)


def test_unauthenticated_clients_sending_huge_commands_leave_the_memory_flat(served: Served) -> None:
    client = pygym.connect("127.0.0.1", served.port, served.token)
    client.close()
    before_mb = served.rss_mb()
    sent: list[int] = []
    prefixes = [b"A\n", b"A\nnot-the-token", b"c\nt\ncreate\ns", b"A\n"]
    threads = [threading.Thread(target=_flood, args=(served.port, p, sent)) for p in prefixes]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    after_mb = served.rss_mb()
    print(f"JVM RSS {before_mb:.0f} MB before, {after_mb:.0f} MB after 4 floods; sent {sent}")
    assert len(sent) == 4
    assert all(n < 64 << 20 for n in sent), f"the server read far past 1 KB before authentication: {sent}"
    assert after_mb - before_mb < 32, f"RSS grew from {before_mb:.0f} MB to {after_mb:.0f} MB"
