"""The client side of the bridge: connections to a simulator server and the groups of sessions on it.

The server answers the session API only, in py4j's wire protocol; this client speaks that protocol itself, for
four reasons measured or observed with py4j's own Python client: it re-sends a command when a connection
breaks (wrong for ``run``, which is not idempotent), it turns Ctrl-C into an unrelated error while leaving the
reply in flight, it has no per-call deadline, and after ``fork`` a child's finaliser shuts down the socket its
parent is using. Here: every call has a deadline; nothing is ever re-sent (a broken connection raises
``SimulatorCrashed``); a call interrupted by Ctrl-C or a deadline closes its connection and leaves its group
needing a reset; a forked child detaches what it inherited and refuses to use it.

Every server reply is text, ``+payload`` or ``-kind:message\\x01java stack``, except ``run``'s: a byte array
holding the batch frame (or the UTF-8 failure text), sent as base64 and decoded here in one call. Connections
are pooled, one per concurrent caller, so several threads may use one client. Each connection says ``hello``
with the client's random id after authenticating: the server gives the groups a client creates to that id
alone, and closes them a few seconds after the client's last connection closed (a killed process leaves no
sessions behind). One extra connection, never used for calls, keeps the id alive while the client is open, so
a call interrupted by Ctrl-C (which closes its connection) never costs the client its sessions.

TLS (``tls=True``): every connection is wrapped in TLS and checks the server's certificate against
``tls_ca`` (a PEM CA file; default: the system's CAs) and its host name. A server that pygym did not start
(no shared filesystem) gets topology and workload files by content (:meth:`Client.send_file`).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import logging
import mmap
import os
import re
import secrets
import socket
import ssl
import subprocess
import threading
import weakref
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

import numpy as np
from py4j import protocol as p4

from pygym.errors import (
    ActionError,
    ConfigError,
    ConnectionFailed,
    ContractMismatch,
    FileTransferError,
    FrameError,
    LimitExceeded,
    PygymError,
    SessionError,
    SimulatorCrashed,
    SimulatorError,
    SimulatorTimeout,
    TlsError,
)
from pygym.frames import CONTRACT_VERSION, HEADER, OP_RESET, Batch, Layout
from pygym.jvm import Endpoint, SimulatorProcess

log = logging.getLogger(__name__)

CONNECT_TIMEOUT_S = 5.0
CALL_TIMEOUT_S = 60.0
CREATE_TIMEOUT_S = 600.0
DETAIL_SEPARATOR = "\x01"
READ_BUFFER_BYTES = 1 << 18
CHUNK_BYTES = 1 << 20
"""bytes of a file per upload call (1.4 MB as base64, well inside a server's command limit)"""
CONTENT_PREFIX = "content:"
TLS_REQUIRED = "TLS required"
"""how a TLS server's refusal of a plain connection begins"""

_ERRORS: dict[str, type[PygymError]] = {
    "config": ConfigError,
    "action": ActionError,
    "frame": FrameError,
    "session": SessionError,
    "limit": LimitExceeded,
    "file": FileTransferError,
}
_BYTES_REPLY = b"yj"


def _int_arg(value: int) -> str:
    return f"{p4.INTEGER_TYPE}{int(value)}\n"


def _long_arg(value: int) -> str:
    return f"{p4.LONG_TYPE}{int(value)}\n"


def _str_arg(value: str) -> str:
    return f"{p4.STRING_TYPE}{p4.escape_new_line(value)}\n"


def _bytes_arg(value: bytes) -> str:
    return f"{p4.BYTES_TYPE}{base64.b64encode(value).decode('ascii')}\n"


def _command(method: str, *args: str) -> bytes:
    """py4j's "call ``method`` on the entry point" command with already encoded arguments."""
    parts = [p4.CALL_COMMAND_NAME, p4.ENTRY_POINT_OBJECT_ID, "\n", method, "\n", *args, p4.END_COMMAND_PART]
    return "".join(parts).encode("utf-8")


def _error_text(reply: bytes) -> str:
    """The message of an error reply (``!xs<escaped message>``, without the ``!``: ``xs...``)."""
    text = reply.decode("utf-8", "replace")
    return p4.unescape_new_line(text[2:]) if text.startswith("xs") else text


def tls_context(endpoint: Endpoint) -> ssl.SSLContext | None:
    """The TLS context of ``endpoint`` (None without TLS): the server's certificate is checked against
    ``tls_ca`` (the system's CAs when None) and its host name."""
    if not endpoint.tls:
        if endpoint.tls_ca is not None:
            raise ConfigError("tls_ca= is the CA file of a TLS server: pass tls=True as well")
        return None
    try:
        return ssl.create_default_context(cafile=endpoint.tls_ca)
    except (OSError, ssl.SSLError) as e:
        raise ConfigError(f"tls_ca={endpoint.tls_ca!r}: not a readable PEM CA file ({e})") from None


class _Connection:
    """One authenticated socket to the server, identified as client ``client_id``. Calls on it are strictly
    one at a time."""

    def __init__(
        self, endpoint: Endpoint, connect_timeout_s: float, client_id: str, tls: ssl.SSLContext | None
    ) -> None:
        raw = socket.create_connection((endpoint.host, endpoint.port), timeout=connect_timeout_s)
        self.sock: socket.socket = raw
        try:
            raw.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            if tls is not None:
                try:
                    self.sock = tls.wrap_socket(raw, server_hostname=endpoint.host)
                except (ssl.SSLError, ConnectionError, TimeoutError) as e:
                    raise _TlsFailed(e) from None
            # Frames run to hundreds of kB: read them in few system calls.
            self.reader = self.sock.makefile("rb", buffering=READ_BUFFER_BYTES)
            token = endpoint.token.replace("\n", "")
            reply = self.send(f"{p4.AUTH_COMMAND_NAME}\n{token}\n".encode(), connect_timeout_s)
            if reply != b"!yv":
                raise _Refused(reply)
            reply = self.send(_command("hello", _str_arg(client_id)), connect_timeout_s)
            if reply != b"!ys+":
                raise _Refused(reply, hello=True)
        except BaseException:
            self.close()
            raise

    def send(self, command: bytes, timeout_s: float) -> bytes:
        """Sends one command and returns the reply line (without its newline)."""
        self.sock.settimeout(timeout_s)
        self.sock.sendall(command)
        line = self.reader.readline()
        if not line.endswith(b"\n"):
            raise ConnectionResetError("the simulator closed the connection")
        return line[:-1]

    def close(self) -> None:
        for closeable in (getattr(self, "reader", None), self.sock):
            if closeable is not None:
                with suppress(OSError):
                    closeable.close()

    def detach(self) -> None:
        """In a forked child: drop this process's copy of the socket without touching the parent's."""
        with suppress(OSError):
            os.close(self.sock.detach())


class _Refused(Exception):
    def __init__(self, reply: bytes, hello: bool = False) -> None:
        super().__init__(reply)
        self.reply = reply
        self.hello = hello


class _TlsFailed(Exception):
    def __init__(self, cause: BaseException) -> None:
        super().__init__(cause)
        self.cause = cause


_clients: weakref.WeakSet[Client] = weakref.WeakSet()


def _after_fork_in_child() -> None:
    for client in list(_clients):
        client._inherited()


os.register_at_fork(after_in_child=_after_fork_in_child)

_digests: dict[tuple[str, int, int, int, int], str] = {}
_digests_lock = threading.Lock()


def file_digest(path: Path) -> tuple[str, int]:
    """The SHA-256 (hex) and size of a file, remembered while its inode, size and modification time stay."""
    stat = path.stat()
    key = (str(path), stat.st_dev, stat.st_ino, stat.st_size, stat.st_mtime_ns)
    with _digests_lock:
        known = _digests.get(key)
    if known is None:
        digest = hashlib.sha256()
        with open(path, "rb") as f:
            for block in iter(lambda: f.read(CHUNK_BYTES), b""):
                digest.update(block)
        known = digest.hexdigest()
        with _digests_lock:
            _digests[key] = known
    return known, stat.st_size


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
        self.client_id = secrets.token_hex(16)
        """this client's identity on the server: the groups it creates are its own"""
        self._tls = tls_context(endpoint)
        self._pool: list[_Connection] = []
        self._anchor: _Connection | None = None
        self._lock = threading.Lock()
        self._upload_lock = threading.Lock()
        self._closed = False
        self._lost = False
        self._owner_pid = os.getpid()
        self.replaced_when_dead = False
        """set for this process's default simulator, which the next environment replaces if it died"""
        _clients.add(self)
        try:
            self._anchor = self._connection()
            version = int(self._call("connect", _command("contractVersion"), connect_timeout_s)[2:])
        except (SimulatorCrashed, SimulatorTimeout, SimulatorError) as e:
            self.close()
            raise ConnectionFailed(str(e)) from None
        except BaseException:
            self.close()
            raise
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
        """False once the connection is closed, a connection to the server broke, or this client's own JVM
        has exited (the environments made from now on then get a fresh client)."""
        return not self._closed and not self._lost and (self.process is None or self.process.alive())

    def _inherited(self) -> None:
        """Called in a forked child: the parent's connections are the parent's."""
        with self._lock:
            pool, self._pool = self._pool, []
            anchor, self._anchor = self._anchor, None
        for connection in [*pool, *([anchor] if anchor else [])]:
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
            return _Connection(self.endpoint, self.connect_timeout_s, self.client_id, self._tls)
        except _Refused as e:
            raise self._refusal(e) from None
        except _TlsFailed as e:
            raise self._tls_failure(e.cause) from None
        except (TimeoutError, OSError) as e:
            message = (
                f"cannot connect to a simulator at {self.address} within {self.connect_timeout_s:g} s: {e}"
            )
            raise ConnectionFailed(self._with_process_state(message)) from None

    def _refusal(self, e: _Refused) -> ConnectionFailed:
        if not e.reply.startswith(b"!x"):
            return ConnectionFailed(
                f"{self.address} is not a pygym simulator server: it answered {e.reply[:80]!r} to the "
                "handshake"
            )
        message = _error_text(e.reply[1:])
        if e.hello:
            return ConnectionFailed(
                f"the simulator at {self.address} did not take this client's hello ({message}): is it an "
                "older pygym server? Use the same pygym version on both sides"
            )
        if message.startswith(TLS_REQUIRED):
            return TlsError(
                f"the simulator at {self.address} speaks TLS only: connect with tls=True (and tls_ca= the CA "
                "file of its certificate)"
            )
        if "token" in message:
            return ConnectionFailed(
                f"the simulator at {self.address} refused the auth token (give the server's token as token=, "
                "$PYGYM_TOKEN or pygym.connect's token)"
            )
        return ConnectionFailed(f"the simulator at {self.address} refused the connection: {message}")

    def _tls_failure(self, cause: BaseException) -> TlsError:
        if isinstance(cause, ssl.SSLCertVerificationError):
            return TlsError(
                f"cannot verify the TLS certificate of the simulator at {self.address}: "
                f"{cause.verify_message}; pass tls_ca= the CA file (PEM) that signed the server's certificate"
            )
        if isinstance(cause, TimeoutError):
            return TlsError(f"no TLS handshake with {self.address} within {self.connect_timeout_s:g} s")
        return TlsError(
            f"the TLS handshake with {self.address} failed ({type(cause).__name__}: {cause}): the server "
            "does not speak TLS (connect without tls=True, or start it with --tls-cert and --tls-key), or it "
            "refused the connection"
        )

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
            self._lost = True
            raise SimulatorCrashed(self._crash_message(what, e)) from None
        except BaseException:
            # Ctrl-C (or any other interruption): the reply is still in flight on this connection.
            connection.close()
            raise
        if reply.startswith(b"!y"):
            with self._lock:
                self._pool.append(connection)
            return reply[1:]
        connection.close()
        if reply.startswith(b"!x"):
            # The server refused the command itself (too large, not in its API): it may close the connection.
            message = _error_text(reply[1:])
            raise SimulatorError(f"{what}: the simulator at {self.address} refused the call: {message}")
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
        try:
            # A connection broken by the JVM's death arrives a moment before the exit can be reaped.
            code = self.process.process.wait(0.5)
        except subprocess.TimeoutExpired:
            code = None
        state = "running" if code is None else f"exited with code {code}"
        if code is not None and self.replaced_when_dead:
            state += " (environments created from now on get a fresh simulator)"
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
            if not key or any(c.isspace() for c in key):
                raise ConfigError(
                    f"key {key!r}: a key is a name without white space (letters, digits, '_' and '.')"
                )
            if "\n" in value or "#" in value:
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

    def send_file(self, path: Path) -> str:
        """Sends a file to the server by content unless it keeps it already; returns its name there,
        ``content:<sha256>``, which the next ``create`` of this client may use (the server then keeps the file
        while a group uses it). Sent in chunks and checked by the server at the end; an upload cut off halfway
        is never used. ``LimitExceeded`` if the file is larger than the server allows."""
        digest, size = file_digest(path)
        with self._upload_lock:
            answer = self._text_call("send file", "fileOffer", _str_arg(digest), _long_arg(size))
            if answer == "send":
                sent = 0
                with open(path, "rb") as f:
                    for chunk in iter(lambda: f.read(CHUNK_BYTES), b""):
                        args = (_str_arg(digest), _long_arg(sent), _bytes_arg(chunk))
                        self._text_call("send file", "fileChunk", *args)
                        sent += len(chunk)
                self._text_call("send file", "fileEnd", _str_arg(digest))
            elif answer != "have":
                raise SimulatorError(f"send file: unexpected answer {answer[:80]!r} from {self.address}")
        return CONTENT_PREFIX + digest

    def close(self) -> None:
        """Closes the connections (the server closes this client's groups a few seconds later); stops the JVM
        if this client started it. Idempotent."""
        if self._closed:
            return
        self._closed = True
        with self._lock:
            pool, self._pool = self._pool, []
            anchor, self._anchor = self._anchor, None
        mine = os.getpid() == self._owner_pid
        for connection in [*pool, *([anchor] if anchor else [])]:
            connection.close() if mine else connection.detach()
        if self.process is not None and mine:
            self.process.terminate()


def name_local_files(message: str, names: dict[str, str]) -> str:
    """``message`` with every name of a file sent by content (``content:<sha256>``, or a server path ending in
    the digest) replaced by the local path it came from (``names``: digest to path)."""
    for digest, local in names.items():
        pattern = re.compile(rf"(?:{CONTENT_PREFIX}|[^\s'\"=]*/){digest}")
        message = pattern.sub(local.replace("\\", "\\\\"), message)
    return message


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
        self._shared: SharedRegion | None = None
        if client.process is not None and SHARED_DIRECTORY.is_dir():
            self._shared = SharedRegion.attach(self)

    def run(self, ops: np.ndarray, seeds: np.ndarray, actions: np.ndarray, records: bool) -> Batch:
        """One bridge call: per session an operation (step, reset or hold), a seed and actions."""
        if self._closed:
            raise SessionError("the environment is closed")
        if self._interrupted is not None and not (ops == OP_RESET).all():
            raise SessionError(
                f"a call to the simulator was interrupted ({self._interrupted}); the episodes' state is "
                "unknown: reset the environment to continue"
            )
        if self._shared is None:
            return self.send(self.layout.encode_input(ops, seeds, actions, records))
        length = self.layout.encode_input_into(self._shared.input, ops, seeds, actions, records)
        command = _command("runShared", _int_arg(self.id), _int_arg(length))
        return self._reply(self._call_step(command))

    def send(self, frame: bytes) -> Batch:
        """Sends an already encoded input frame through py4j (checked by the simulator: FrameError if
        malformed)."""
        encoded = base64.b64encode(frame).decode("ascii")
        return self._reply(
            self._call_step(f"{self._run_prefix}{encoded}\n{p4.END_COMMAND_PART}".encode("ascii"))
        )

    def _call_step(self, command: bytes) -> bytes:
        with self._interruptible("step"):
            reply = self.client._call("step", command, self.client.call_timeout_s)
        self._interrupted = None
        return reply

    def _reply(self, reply: bytes) -> Batch:
        """The batch frame of a reply: in the shared region when the reply is empty, else in the reply."""
        if reply == _BYTES_REPLY and self._shared is not None:
            return self.layout.decode(self._shared.frame(self.layout))
        if not reply.startswith(_BYTES_REPLY):
            text = p4.unescape_new_line(reply.decode("utf-8", "replace"))
            raise SimulatorError(f"step: unexpected reply from the simulator: {text[:500]}")
        try:
            frame = bytearray(base64.b64decode(memoryview(reply)[2:], validate=True))
        except binascii.Error as e:
            raise FrameError(f"step: the simulator's reply is not valid base64 ({e})") from None
        if frame.startswith(b"-"):
            raise self.client._failure("step", frame[1:].decode("utf-8", "replace"))
        return self.layout.decode(frame)

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
            if self._shared is not None:
                self._shared.close()


SHARED_DIRECTORY = Path("/dev/shm")
MIN_RECORD_ROOM_BYTES = 1 << 16
RECORD_ROOM = 0.5
"""room for task records in a shared region, as a fraction of the fixed sections (at least the minimum)"""


class SharedRegion:
    """Memory shared with a simulator this process started (so on this machine): a file in /dev/shm that
    both map, unlinked as soon as both have, holding the input frame and then the batch frame. Frames then
    skip base64 and py4j's string handling, which cost more than the simulation for large batches; the py4j
    call still carries the step. A frame too large for the region (many task records) comes in the reply."""

    def __init__(self, memory: mmap.mmap, input_bytes: int) -> None:
        self.memory = memory
        self.view = memoryview(memory)
        self.input = self.view[:input_bytes]
        self.output = self.view[input_bytes:]

    @classmethod
    def attach(cls, group: RemoteGroup) -> SharedRegion | None:
        """Creates and attaches a region for ``group``; None (frames then travel in replies) if the simulator
        cannot map it."""
        n, layout = group.size, group.layout
        input_bytes = layout.input_bytes(n)
        fixed = layout.frame_bytes(n, 0)
        output_bytes = fixed + max(MIN_RECORD_ROOM_BYTES, int(fixed * RECORD_ROOM))
        name = f"pygym-frames-{secrets.token_hex(16)}"
        path = SHARED_DIRECTORY / name
        try:
            fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o600)
        except OSError as e:
            log.debug("no shared memory for frames (%s); frames travel in replies", e)
            return None
        try:
            os.ftruncate(fd, input_bytes + output_bytes)
            memory = mmap.mmap(fd, input_bytes + output_bytes)
            try:
                args = (_int_arg(group.id), _str_arg(name), _int_arg(input_bytes), _int_arg(output_bytes))
                group.client._text_call("attach", "attach", *args)
            except ConfigError as e:
                memory.close()
                log.debug("the simulator cannot map %s (%s); frames travel in replies", path, e)
                return None
            return cls(memory, input_bytes)
        finally:
            os.close(fd)
            path.unlink(missing_ok=True)

    def frame(self, layout: Layout) -> bytearray:
        """A copy of the batch frame in the region (the next call overwrites the region)."""
        _, _, n, *_, records, _ = HEADER.unpack_from(self.output, 0)
        return bytearray(self.output[: layout.frame_bytes(n, records)])

    def close(self) -> None:
        for view in (self.input, self.output, self.view):
            view.release()
        self.memory.close()
