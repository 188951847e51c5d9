"""The client side of the bridge: a py4j connection to a simulator server and its sessions.

One server holds many sessions (independent simulations). A session step is one py4j call: the action
frame goes in as bytes, the step frame comes back as base64 text (py4j decodes returned byte arrays one
byte at a time in Python; base64 text decodes in one call). Java failures arrive as named errors.
"""

from __future__ import annotations

import base64
import contextlib
import json
import logging
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np
from py4j import protocol as py4j_protocol
from py4j.java_gateway import GatewayClient, GatewayParameters, JavaGateway
from py4j.protocol import Py4JAuthenticationError, Py4JError, Py4JJavaError, Py4JNetworkError

from pygym.errors import (
    ActionError,
    ConfigError,
    ConnectionFailed,
    ContractMismatch,
    FrameError,
    PygymError,
    SessionError,
    SimulatorCrashed,
    SimulatorError,
)
from pygym.frames import CONTRACT_VERSION, Frame, Layout
from pygym.jvm import Endpoint, SimulatorProcess

# py4j logs connection failures with tracebacks; the named errors raised here carry the same information.
logging.getLogger("py4j").setLevel(logging.CRITICAL)

# py4j strips the leading "!" of a reply before returning it.
_STRING_REPLY = py4j_protocol.SUCCESS + py4j_protocol.STRING_TYPE

_ERRORS: dict[str, type[PygymError]] = {
    "config": ConfigError,
    "action": ActionError,
    "frame": FrameError,
    "session": SessionError,
}


class _NoDelayGatewayClient(GatewayClient):
    """Sets TCP_NODELAY on py4j's sockets so that small requests are never held back."""

    def _create_connection(self):
        connection = super()._create_connection()
        connection.socket.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return connection


class _Gateway(JavaGateway):
    def _create_gateway_client(self):
        return _NoDelayGatewayClient(gateway_parameters=self.gateway_parameters)


class Client:
    """A connection to a simulator server, started by this process (``process``) or running elsewhere."""

    def __init__(self, endpoint: Endpoint, process: SimulatorProcess | None = None) -> None:
        self.endpoint = endpoint
        self.process = process
        self._closed = False
        params = GatewayParameters(
            address=endpoint.host,
            port=endpoint.port,
            auth_token=endpoint.token,
            auto_convert=False,
            auto_field=False,
            auto_close=True,
        )
        self._gateway = _Gateway(gateway_parameters=params)
        self._sessions = self._gateway.entry_point
        try:
            version = self._sessions.contractVersion()
        except (Py4JAuthenticationError, Py4JNetworkError, OSError) as e:
            self.close()
            detail = "the auth token was refused" if isinstance(e, Py4JAuthenticationError) else str(e)
            message = f"cannot connect to a simulator at {endpoint.host}:{endpoint.port}: {detail}"
            if process is not None:
                message += f"\nstderr tail:\n{process.stderr_tail()}"
            raise ConnectionFailed(message) from None
        if version != CONTRACT_VERSION:
            self.close()
            raise ContractMismatch(
                f"simulator at {endpoint.host}:{endpoint.port} speaks bridge contract {version}, this pygym "
                f"speaks {CONTRACT_VERSION}"
            )

    @classmethod
    def start(cls, **process_args: Any) -> Client:
        """Starts a simulator JVM tied to this process and connects to it."""
        process = SimulatorProcess(**process_args)
        try:
            return cls(process.endpoint, process)
        except BaseException:
            process.terminate()
            raise

    @contextmanager
    def _calls(self, what: str) -> Iterator[None]:
        """Turns py4j failures into named pygym errors."""
        if self._closed:
            raise SessionError(f"{what}: the connection to the simulator is closed")
        try:
            yield
        except Py4JJavaError as e:
            raise self._translate(e) from None
        except (Py4JNetworkError, Py4JError, OSError) as e:
            raise SimulatorCrashed(self._crash_message(what, e)) from None

    def _translate(self, e: Py4JJavaError) -> PygymError:
        java = e.java_exception
        try:
            if java.getClass().getName() == "edgesim.bridge.BridgeException":
                kind = java.getKind()
                if kind == "simulator":
                    return SimulatorError(java.getMessage(), java.getDetail())
                return _ERRORS.get(kind, SimulatorError)(java.getMessage())
            return SimulatorError(str(java.toString()))
        except Py4JError as inner:
            return SimulatorCrashed(self._crash_message("reading a Java exception", inner))

    def _crash_message(self, what: str, e: BaseException) -> str:
        where = f"{self.endpoint.host}:{self.endpoint.port}"
        message = f"{what}: lost the simulator at {where} ({type(e).__name__}: {e})"
        if self.process is not None:
            state = (
                "running" if self.process.alive() else f"exited with code {self.process.process.returncode}"
            )
            message += f"\nJVM pid {self.process.pid} {state}; stderr tail:\n{self.process.stderr_tail()}"
        return message

    def env_ids(self) -> list[str]:
        with self._calls("env_ids"):
            return str(self._sessions.envIds()).split(",")

    def template(self, env_id: str) -> str:
        """The scenario's configuration template: parameters with defaults and comments, then wiring."""
        with self._calls("template"):
            return str(self._sessions.template(env_id))

    def session_count(self) -> int:
        with self._calls("session_count"):
            return int(self._sessions.sessionCount())

    def create_session(self, env_id: str, overrides: dict[str, str]) -> Session:
        """Creates a session; every key and value is validated by the simulator before this returns."""
        lines = []
        for key, value in overrides.items():
            if "\n" in key or "\n" in value or "#" in value:
                raise ConfigError(f"{key}: keys and values may not contain newlines or '#' (got {value!r})")
            lines.append(f"{key} {value}")
        with self._calls("create"):
            session_id = int(self._sessions.create(env_id, "\n".join(lines)))
        try:
            return Session(self, session_id)
        except BaseException:
            self.close_session(session_id)
            raise

    def close_session(self, session_id: int) -> None:
        if self._closed or (self.process is not None and not self.process.alive()):
            return
        with self._calls("close"):
            self._sessions.close(session_id)

    def close(self) -> None:
        """Closes the connection; stops the JVM if this client started it. Idempotent."""
        if self._closed:
            return
        self._closed = True
        # The JVM may already be gone; stopping it below is what matters.
        with contextlib.suppress(Exception):
            self._gateway.close(keep_callback_server=False, close_callback_server_connections=False)
        if self.process is not None:
            self.process.terminate()

    @property
    def closed(self) -> bool:
        return self._closed


class Session:
    """One simulation on a server: reset with a seed, step with one action per agent."""

    def __init__(self, client: Client, session_id: int) -> None:
        self.client = client
        self.id = session_id
        with client._calls("describe"):
            self.spec: dict[str, Any] = json.loads(str(client._sessions.describe(session_id)))
        self.layout = Layout.from_describe(self.spec)
        self._reset = client._sessions.reset
        # The step call is written in py4j's wire protocol directly: "call method step on the entry point
        # with an int and a byte array". py4j's generic path costs more than the simulation step itself
        # (argument conversion, and unescaping the 5 kB reply piece by piece); base64 needs no unescaping.
        self._gateway_client = client._gateway._gateway_client
        self._step_command = (
            f"{py4j_protocol.CALL_COMMAND_NAME}{py4j_protocol.ENTRY_POINT_OBJECT_ID}\nstep\n"
            f"{py4j_protocol.INTEGER_TYPE}{session_id}\n{py4j_protocol.BYTES_TYPE}"
        )
        self._closed = False

    def reset(self, seed: int) -> Frame:
        with self.client._calls("reset"):
            text = self._reset(self.id, int(seed))
        return self.layout.decode_text(text)

    def step(self, actions: np.ndarray) -> Frame:
        """Sends one action per agent (int32, in agent order) and returns the next frame."""
        return self.step_raw(self.layout.encode_actions(actions))

    def step_raw(self, action_frame: bytes) -> Frame:
        """Sends an already encoded action frame (checked by the simulator, FrameError if malformed)."""
        command = (
            f"{self._step_command}{base64.b64encode(action_frame).decode('ascii')}\n"
            f"{py4j_protocol.END_COMMAND_PART}"
        )
        with self.client._calls("step"):
            answer = self._gateway_client.send_command(command)
            if not answer.startswith(_STRING_REPLY):
                # Errors (and anything unexpected) take py4j's own decoding, which raises Py4JJavaError.
                py4j_protocol.get_return_value(answer, self._gateway_client, "t", "step")
                raise SimulatorCrashed(f"unexpected reply to step: {answer[:200]!r}")
        return self.layout.decode_text(answer[len(_STRING_REPLY) :])

    def close(self) -> None:
        """Closes the session on the server. Idempotent."""
        if not self._closed:
            self._closed = True
            self.client.close_session(self.id)
