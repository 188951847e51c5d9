"""The client side of the bridge: connections to a simulator server and the groups of sessions on it.

The server is a py4j gateway; this client speaks py4j's wire protocol itself, for four reasons measured or
observed with py4j's own Python client: it re-sends a command when a connection breaks (wrong for ``run``,
which is not idempotent), it turns Ctrl-C into an unrelated error while leaving the reply in flight, it has
no per-call deadline, and after ``fork`` a child's finaliser shuts down the socket its parent is using. Here:
every call has a deadline; nothing is ever re-sent (a broken connection raises ``SimulatorCrashed``); a call
interrupted by Ctrl-C or a deadline closes its connection and leaves its group needing a reset; a forked
child detaches what it inherited and refuses to use it.

Every server reply is text: ``+payload`` or ``-kind:message\\x01java stack``; frames travel as base64 text
(py4j would decode a returned byte array one byte at a time). Connections are pooled, one per concurrent
caller, so several threads may use one client.
"""

from __future__ import annotations

import base64
import json
import logging
import os
import socket
import threading
import weakref
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from typing import Any

import numpy as np
from py4j import protocol as p4

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
    SimulatorTimeout,
)
from pygym.frames import CONTRACT_VERSION, OP_RESET, Batch, Layout
from pygym.jvm import Endpoint, SimulatorProcess

log = logging.getLogger(__name__)

CONNECT_TIMEOUT_S = 5.0
CALL_TIMEOUT_S = 60.0
CREATE_TIMEOUT_S = 600.0
DETAIL_SEPARATOR = "\x01"

_ERRORS: dict[str, type[PygymError]] = {
    "config": ConfigError,
    "action": ActionError,
    "frame": FrameError,
    "session": SessionError,
}
_OK_STRING = b"!ys+"


def _int_arg(value: int) -> str:
    return f"{p4.INTEGER_TYPE}{int(value)}\n"


def _str_arg(value: str) -> str:
    return f"{p4.STRING_TYPE}{p4.escape_new_line(value)}\n"


def _bytes_arg(value: bytes) -> str:
    return f"{p4.BYTES_TYPE}{base64.b64encode(value).decode('ascii')}\n"


def _command(method: str, *args: str) -> bytes:
    """py4j's "call ``method`` on the entry point" command with already encoded arguments."""
    parts = [p4.CALL_COMMAND_NAME, p4.ENTRY_POINT_OBJECT_ID, "\n", method, "\n", *args, p4.END_COMMAND_PART]
    return "".join(parts).encode("utf-8")


class _Connection:
    """One authenticated socket to the server. Calls on it are strictly one at a time."""

    def __init__(self, endpoint: Endpoint, connect_timeout_s: float) -> None:
        self.sock = socket.create_connection((endpoint.host, endpoint.port), timeout=connect_timeout_s)
        try:
            self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            self.reader = self.sock.makefile("rb")
            token = endpoint.token.replace("\n", "")
            reply = self.send(f"{p4.AUTH_COMMAND_NAME}\n{token}\n".encode(), connect_timeout_s)
        except BaseException:
            self.sock.close()
            raise
        if reply != b"!yv":
            self.close()
            raise _AuthRefused(reply)

    def send(self, command: bytes, timeout_s: float) -> bytes:
        """Sends one command and returns the reply line (without its newline)."""
        self.sock.settimeout(timeout_s)
        self.sock.sendall(command)
        line = self.reader.readline()
        if not line.endswith(b"\n"):
            raise ConnectionResetError("the simulator closed the connection")
        return line[:-1]

    def close(self) -> None:
        for closeable in (self.reader, self.sock):
            with suppress(OSError):
                closeable.close()

    def detach(self) -> None:
        """In a forked child: drop this process's copy of the socket without touching the parent's."""
        with suppress(OSError):
            os.close(self.sock.detach())


class _AuthRefused(Exception):
    pass


_clients: weakref.WeakSet[Client] = weakref.WeakSet()


def _after_fork_in_child() -> None:
    for client in list(_clients):
        client._inherited()


os.register_at_fork(after_in_child=_after_fork_in_child)


class Client:
    """A connection to a simulator server, started by this process (``process``) or running elsewhere.

    ``call_timeout_s`` bounds every call but ``create``, which ``create_timeout_s`` bounds (a topology or
    workload file may take long to load); past it, ``SimulatorTimeout``.
    """

    def __init__(
        self,
        endpoint: Endpoint,
        process: SimulatorProcess | None = None,
        *,
        connect_timeout_s: float = CONNECT_TIMEOUT_S,
        call_timeout_s: float = CALL_TIMEOUT_S,
        create_timeout_s: float = CREATE_TIMEOUT_S,
    ) -> None:
        self.endpoint = endpoint
        self.process = process
        self.connect_timeout_s = connect_timeout_s
        self.call_timeout_s = call_timeout_s
        self.create_timeout_s = create_timeout_s
        self._pool: list[_Connection] = []
        self._lock = threading.Lock()
        self._closed = False
        self._owner_pid = os.getpid()
        _clients.add(self)
        try:
            version = int(self._call("connect", _command("contractVersion"), connect_timeout_s)[2:])
        except (ConnectionFailed, SimulatorCrashed, SimulatorTimeout, SimulatorError) as e:
            self.close()
            raise ConnectionFailed(str(e)) from None
        if version != CONTRACT_VERSION:
            self.close()
            raise ContractMismatch(
                f"simulator at {self.address} speaks bridge contract {version}, this pygym speaks "
                f"{CONTRACT_VERSION}"
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

    @property
    def address(self) -> str:
        return f"{self.endpoint.host}:{self.endpoint.port}"

    @property
    def closed(self) -> bool:
        return self._closed

    def alive(self) -> bool:
        """False once the connection is closed or this client's own JVM has exited."""
        return not self._closed and (self.process is None or self.process.alive())

    def _inherited(self) -> None:
        """Called in a forked child: the parent's connections are the parent's."""
        with self._lock:
            pool, self._pool = self._pool, []
        for connection in pool:
            connection.detach()

    def _connection(self) -> _Connection:
        if os.getpid() != self._owner_pid:
            raise SessionError(
                f"this simulator connection was opened by process {self._owner_pid} before fork(); a forked "
                "process cannot share it: create new environments in this process (they get their own "
                "simulator)"
            )
        if self._closed:
            raise SessionError("the connection to the simulator is closed")
        with self._lock:
            if self._pool:
                return self._pool.pop()
        try:
            return _Connection(self.endpoint, self.connect_timeout_s)
        except _AuthRefused as e:
            reply = e.args[0]
            if reply.startswith(b"!x"):
                raise ConnectionFailed(
                    f"the simulator at {self.address} refused the auth token (check the token given to "
                    "pygym.connect / PYGYM_TOKEN)"
                ) from None
            raise ConnectionFailed(
                f"{self.address} is not a pygym simulator server: it answered {reply[:80]!r} to the handshake"
            ) from None
        except (TimeoutError, OSError) as e:
            message = (
                f"cannot connect to a simulator at {self.address} within {self.connect_timeout_s:g} s: {e}"
            )
            raise ConnectionFailed(self._with_process_state(message)) from None

    def _call(self, what: str, command: bytes, timeout_s: float) -> bytes:
        """Sends a command on a pooled connection; returns the raw reply. Never re-sends."""
        connection = self._connection()
        try:
            reply = connection.send(command, timeout_s)
        except TimeoutError:
            connection.close()
            raise SimulatorTimeout(
                self._with_process_state(
                    f"{what}: no reply from the simulator at {self.address} within {timeout_s:g} s"
                )
            ) from None
        except OSError as e:
            connection.close()
            raise SimulatorCrashed(self._crash_message(what, e)) from None
        except BaseException:
            # Ctrl-C (or any other interruption): the reply is still in flight on this connection.
            connection.close()
            raise
        with self._lock:
            self._pool.append(connection)
        if reply.startswith(b"!"):
            return reply[1:]
        raise SimulatorCrashed(self._crash_message(what, ValueError(f"unexpected reply {reply[:200]!r}")))

    def _text_call(self, what: str, method: str, *args: str, timeout_s: float | None = None) -> str:
        """Calls a method that replies ``+payload`` or ``-kind:message``; returns the payload."""
        reply = self._call(what, _command(method, *args), timeout_s or self.call_timeout_s).decode("utf-8")
        if reply.startswith(p4.SUCCESS + p4.STRING_TYPE):
            text = p4.unescape_new_line(reply[2:])
            if text.startswith("+"):
                return text[1:]
            if text.startswith("-"):
                raise self._failure(what, text[1:])
        raise SimulatorError(
            f"{what}: unexpected reply from the simulator: {p4.unescape_new_line(reply)[:500]}"
        )

    def _failure(self, what: str, text: str) -> PygymError:
        kind, _, rest = text.partition(":")
        message, _, detail = rest.partition(DETAIL_SEPARATOR)
        if kind == "simulator":
            return SimulatorError(message, detail)
        return _ERRORS.get(kind, SimulatorError)(message)

    def _crash_message(self, what: str, e: BaseException) -> str:
        message = f"{what}: lost the simulator at {self.address} ({type(e).__name__}: {e})"
        return self._with_process_state(message)

    def _with_process_state(self, message: str) -> str:
        if self.process is None:
            return message
        code = self.process.process.poll()
        state = "running" if code is None else f"exited with code {code}"
        if code is None and self.process.stopped():
            state = "stopped (SIGSTOP?)"
        return f"{message}\nJVM pid {self.process.pid} {state}; stderr tail:\n{self.process.stderr_tail()}"

    def env_ids(self) -> list[str]:
        reply = self._call("env_ids", _command("envIds"), self.call_timeout_s).decode()
        return p4.unescape_new_line(reply[2:]).split(",")

    def template(self, env_id: str) -> str:
        """The scenario's configuration template: parameters with defaults and comments, then wiring."""
        return self._text_call("template", "template", _str_arg(env_id))

    def session_count(self) -> int:
        """Open sessions on the server, over all groups."""
        return int(self._call("session_count", _command("sessionCount"), self.call_timeout_s)[2:])

    def create_group(
        self, env_id: str, count: int, overrides: dict[str, str], threads: int = 0
    ) -> RemoteGroup:
        """Creates ``count`` sessions of ``env_id`` stepped together by ``threads`` JVM worker threads (0: one
        per core); every key and value is validated by the simulator before this returns."""
        lines = []
        for key, value in overrides.items():
            if "\n" in key or "\n" in value or "#" in value:
                raise ConfigError(f"{key}: keys and values may not contain newlines or '#' (got {value!r})")
            lines.append(f"{key} {value}")
        args = (_str_arg(env_id), _int_arg(count), _int_arg(threads), _str_arg("\n".join(lines)))
        group_id = int(self._text_call("create", "create", *args, timeout_s=self.create_timeout_s))
        try:
            return RemoteGroup(self, group_id)
        except BaseException:
            self.close_group(group_id)
            raise

    def close_group(self, group_id: int) -> None:
        """Closes a group on the server; does nothing once the server or the connection is gone."""
        if not self.alive() or os.getpid() != self._owner_pid:
            return
        with suppress(SimulatorCrashed, SimulatorTimeout, ConnectionFailed):
            self._text_call("close", "close", _int_arg(group_id), timeout_s=self.connect_timeout_s)

    def close(self) -> None:
        """Closes the connections; stops the JVM if this client started it. Idempotent."""
        if self._closed:
            return
        self._closed = True
        with self._lock:
            pool, self._pool = self._pool, []
        mine = os.getpid() == self._owner_pid
        for connection in pool:
            connection.close() if mine else connection.detach()
        if self.process is not None and mine:
            self.process.terminate()


class RemoteGroup:
    """Sessions created together on one server and stepped with one bridge call (a single env is a group of
    one). A call interrupted (Ctrl-C, deadline) leaves the simulator and Python disagreeing about where the
    episodes are, so the group then refuses to step until every session is reset."""

    def __init__(self, client: Client, group_id: int) -> None:
        self.client = client
        self.id = group_id
        self.spec: dict[str, Any] = json.loads(client._text_call("describe", "describe", _int_arg(group_id)))
        self.layout = Layout.from_describe(self.spec)
        self.size = int(self.spec["sessions"])
        self._run_prefix = (
            f"{p4.CALL_COMMAND_NAME}{p4.ENTRY_POINT_OBJECT_ID}\nrun\n{_int_arg(group_id)}{p4.BYTES_TYPE}"
        )
        self._interrupted: str | None = None
        self._closed = False

    def run(self, ops: np.ndarray, seeds: np.ndarray, actions: np.ndarray, records: bool) -> Batch:
        """One bridge call: per session an operation (step, reset or hold), a seed and actions."""
        if self._closed:
            raise SessionError("the environment is closed")
        if self._interrupted is not None and not (ops == OP_RESET).all():
            raise SessionError(
                f"a call to the simulator was interrupted ({self._interrupted}); the episodes' state is "
                "unknown: reset the environment to continue"
            )
        return self.send(self.layout.encode_input(ops, seeds, actions, records))

    def send(self, frame: bytes) -> Batch:
        """Sends an already encoded input frame (checked by the simulator: FrameError if malformed)."""
        command = (
            f"{self._run_prefix}{base64.b64encode(frame).decode('ascii')}\n{p4.END_COMMAND_PART}".encode(
                "ascii"
            )
        )
        with self._interruptible("step"):
            reply = self.client._call("step", command, self.client.call_timeout_s)
        self._interrupted = None
        if reply.startswith(_OK_STRING[1:]):
            return self.layout.decode(bytearray(base64.b64decode(memoryview(reply)[3:])))
        text = p4.unescape_new_line(reply.decode("utf-8"))
        if text.startswith("ys-"):
            raise self.client._failure("step", text[3:])
        raise SimulatorError(f"step: unexpected reply from the simulator: {text[:500]}")

    @contextmanager
    def _interruptible(self, what: str) -> Iterator[None]:
        try:
            yield
        except SimulatorTimeout:
            self._interrupted = f"{what} timed out"
            raise
        except KeyboardInterrupt:
            self._interrupted = f"{what} interrupted by Ctrl-C"
            raise

    def close(self) -> None:
        """Closes the group on the server. Idempotent."""
        if not self._closed:
            self._closed = True
            self.client.close_group(self.id)
