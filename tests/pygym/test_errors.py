"""Bad input gives named errors carrying the simulator's message; the server keeps serving other sessions."""

from __future__ import annotations

import numpy as np
import pytest

import pygym
from pygym.bridge import Client
from tests.conftest import SHORT

pytestmark = pytest.mark.jvm


@pytest.fixture
def healthy():
    env = pygym.make("offload-neighbour-v0", **SHORT)
    env.reset(seed=1)
    yield env
    env.close()


def step_ok(env) -> None:
    _, rewards, _, _, _ = env.step(dict.fromkeys(env.agents, 0))
    assert len(rewards) == 10


def test_unknown_key(healthy) -> None:
    with pytest.raises(
        pygym.ConfigError, match=r"unknown key 'queue_capcity'.*did you mean 'queue_capacity'"
    ):
        pygym.make("offload-neighbour-v0", queue_capcity=5)
    step_ok(healthy)


def test_bad_value_names_key_and_value(healthy) -> None:
    with pytest.raises(
        pygym.ConfigError, match=r"protocol.radio.tx_power_w = tx_power_w \(from 'tx_power_w' = -1"
    ):
        pygym.make("offload-neighbour-v0", tx_power_w=-1)
    with pytest.raises(pygym.ConfigError, match="nodes = \\[1\\]: expected a number, a boolean or a string"):
        pygym.make("offload-neighbour-v0", nodes=[1])
    with pytest.raises(pygym.ConfigError, match="unknown env id 'offload-nowhere-v0'"):
        pygym.make("offload-nowhere-v0")
    step_ok(healthy)


def test_actions_are_checked_in_python_and_in_java(healthy) -> None:
    with pytest.raises(pygym.ActionError, match="action for node_0 is 7; expected an integer in \\[0, 5\\)"):
        healthy.step({**dict.fromkeys(healthy.agents, 0), "node_0": 7})
    with pytest.raises(pygym.ActionError, match="missing: \\['node_9'\\]"):
        healthy.step(dict.fromkeys(healthy.agents[:-1], 0))
    with pytest.raises(pygym.ActionError, match="expected an integer"):
        healthy.step(dict.fromkeys(healthy.agents, 0.5))
    # The simulator checks again what Python let through.
    group = remote(healthy)
    frame = group.layout.encode_input(STEP, SEEDS, np.array([[0, -3, 0, 0, 0, 0, 0, 0, 0, 0]]), False)
    with pytest.raises(pygym.ActionError, match="env 0, agent node_1: action -3 is outside \\[0, 5\\)"):
        group.send(frame)
    step_ok(healthy)


def remote(env):
    return env._live_group().groups[0]


STEP = np.zeros(1, dtype=np.int8)
SEEDS = np.zeros(1, dtype=np.int64)


def test_malformed_input_frame(healthy) -> None:
    group = remote(healthy)
    with pytest.raises(pygym.FrameError, match="input frame has 7 bytes, less than its 16-byte header"):
        group.send(b"\0" * 7)
    good = group.layout.encode_input(STEP, SEEDS, np.zeros((1, 10)), False)
    with pytest.raises(
        pygym.FrameError,
        match="input frame has 76 bytes; expected 72 for 1 sessions of 10 agents x 1 little-endian int32",
    ):
        group.send(good + b"\0" * 4)
    with pytest.raises(pygym.FrameError, match="bad input frame magic"):
        group.send(b"XXXX" + good[4:])
    with pytest.raises(pygym.FrameError, match="input frame is for 2 sessions; this group has 1"):
        group.send(good[:8] + (2).to_bytes(4, "little") + good[12:])
    step_ok(healthy)


def test_java_exception_in_one_session_leaves_the_others_running(healthy) -> None:
    faulty = pygym.make(
        "offload-neighbour-v0",
        **SHORT,
        **{"control.fault": "FaultInjector", "control.fault.from_s": 0.5, "control.fault.step_s": 1},
    )
    faulty.reset(seed=1)
    with pytest.raises(
        pygym.SimulatorError, match=r"IllegalStateException: injected fault at t=0\.5 s"
    ) as info:
        for _ in range(10):
            step_ok(healthy)
            faulty.step(dict.fromkeys(faulty.agents, 0))
    assert "FaultInjector.execute" in info.value.java_stack
    with pytest.raises(pygym.SessionError, match="this environment group failed earlier"):
        remote(faulty).send(remote(faulty).layout.encode_input(STEP, SEEDS, np.zeros((1, 10)), False))
    step_ok(healthy)
    faulty.reset(seed=2)  # a reset recovers the session
    faulty.close()
    step_ok(healthy)


def test_a_dead_jvm_is_reported_with_its_stderr() -> None:
    client = Client.start()
    try:
        env = pygym.make("offload-neighbour-v0", server=client, **SHORT)
        env.reset(seed=1)
        client.process.process.kill()
        client.process.process.wait()
        with pytest.raises(
            pygym.SimulatorCrashed, match=r"(?s)lost the simulator at 127.0.0.1:\d+.*exited with code -9"
        ):
            env.step(dict.fromkeys(env.agents, 0))
        env.close()
    finally:
        client.close()


def test_a_dead_default_simulator_is_replaced_for_new_envs() -> None:
    from pygym import servers

    env = pygym.make("offload-neighbour-v0", **SHORT)
    env.reset(seed=1)
    dead = servers.local_server()
    dead.process.process.kill()  # type: ignore[union-attr]
    dead.process.process.wait()  # type: ignore[union-attr]
    with pytest.raises(
        pygym.SimulatorCrashed, match="environments created from now on get a fresh simulator"
    ):
        env.step(dict.fromkeys(env.agents, 0))
    with pygym.make("offload-neighbour-v0", **SHORT) as fresh:
        fresh.reset(seed=1)
        step_ok(fresh)
    assert servers.local_server() is not dead and servers.local_server().alive()
    env.close()


def test_raw_python_errors_became_named_errors(healthy) -> None:
    with pytest.raises(pygym.ConfigError, match=r"reward_weights=\[1, 2\]: expected a mapping"):
        pygym.make("offload-neighbour-v0", reward_weights=[1, 2])
    with pytest.raises(pygym.ConfigError, match="server address 'localhost': expected 'host:port'"):
        pygym.make("offload-neighbour-v0", server="localhost", token="t" * 16)
    with pytest.raises(pygym.ConfigError, match="server=42: expected 'host:port'"):
        pygym.make("offload-neighbour-v0", server=42)
    with pytest.raises(
        pygym.ActionError, match="step takes a dict with one action per live agent, got NoneType"
    ):
        healthy.step(None)
    with pytest.raises(pygym.ConfigError, match="seed 'abc': expected a whole number"):
        healthy.reset(seed="abc")
    with pytest.raises(pygym.ConfigError, match=r"seed 1\.5: expected a whole number"):
        healthy.reset(seed=1.5)
    with pytest.raises(pygym.ConfigError, match="needs the server's token"):
        pygym.connect("127.0.0.1", 1, "")
    with pygym.make("offload-mec-v0") as mec:
        mec.reset(seed=1)
        with pytest.raises(pygym.ActionError, match="expected 2 real numbers"):
            mec.step(dict.fromkeys(mec.agents, np.array([0.5 + 1j, 0.0])))
    step_ok(healthy)


def test_a_listener_that_is_not_a_simulator_is_named_as_such() -> None:
    import socket
    import threading

    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()

        def answer() -> None:
            connection, _ = listener.accept()
            with connection:
                connection.recv(1024)
                connection.sendall(b"HTTP/1.1 400 Bad Request\r\n\r\n")

        threading.Thread(target=answer, daemon=True).start()
        with pytest.raises(
            pygym.ConnectionFailed, match=r"is not a pygym simulator server: it answered b'HTTP/1\.1"
        ):
            pygym.connect("127.0.0.1", listener.getsockname()[1], "t" * 16)


def test_a_corrupt_reply_is_a_frame_error(healthy) -> None:
    group = healthy._live_group().groups[0]
    with pytest.raises(pygym.FrameError, match="the simulator's reply is not valid base64"):
        group._reply(b"yj@@not base64@@")
    with pytest.raises(pygym.SimulatorError, match="unexpected reply from the simulator: ys"):
        group._reply(b"ys+something else")
    with pytest.raises(pygym.FrameError, match="shorter than its 64-byte header"):
        group._reply(b"yj" + __import__("base64").b64encode(b"PYGB"))
    step_ok(healthy)
