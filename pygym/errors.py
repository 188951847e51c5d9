"""Named errors raised by pygym. Each carries the simulator's own message."""

from __future__ import annotations


class PygymError(Exception):
    """Base class of every error pygym raises."""


class ConfigError(PygymError, ValueError):
    """A scenario key or value is wrong: unknown key, bad value, inconsistent settings."""


class ActionError(PygymError, ValueError):
    """Actions given to ``step`` do not fit the action space (wrong agents, type or range)."""


class FrameError(PygymError):
    """A frame crossing the bridge is malformed (wrong length or layout)."""


class ContractMismatch(PygymError):
    """The simulator speaks a different bridge contract version than this pygym."""


class SessionError(PygymError):
    """A session call is not possible now: no reset yet, episode over, session closed or failed earlier."""


class SimulatorError(PygymError):
    """An unexpected Java exception inside a session. ``java_stack`` holds the Java stack trace.

    The server and its other sessions keep running; this session must be reset.
    """

    def __init__(self, message: str, java_stack: str = "") -> None:
        super().__init__(message if not java_stack else f"{message}\n--- Java stack trace ---\n{java_stack}")
        self.java_stack = java_stack


class SimulatorCrashed(PygymError):
    """The simulator process died or the connection to it broke. The message ends with its stderr tail."""


class SimulatorTimeout(PygymError):
    """A call to the simulator got no reply within its deadline (a hung or stopped JVM, or a lost network).

    The message names the call and the server, and for this process's own JVM its state and stderr tail. The
    environment must be reset before it steps again.
    """


class ConnectionFailed(PygymError):
    """Could not connect to a simulator server: nothing listening, or a wrong auth token."""


class TlsError(ConnectionFailed):
    """TLS did not work out with a simulator server: one side speaks TLS and the other does not, or the
    server's certificate does not verify against the CA file given."""


class LimitExceeded(PygymError):
    """A call would pass a limit of the simulator server (sessions or nodes per client, nodes per session,
    file bytes); the message names the limit and the server option that sets it. The server keeps serving."""


class FileTransferError(PygymError):
    """A file sent to a simulator server by content was not taken: its bytes do not match the digest (it
    changed while sent), it was cut off, or its chunks came out of order. Nothing of it is kept."""


class JvmStartError(PygymError):
    """The simulator process could not be started (no java, no jar, or no handshake)."""


class LibraryMissing(PygymError, ImportError):
    """An RL library a view needs is not installed. The message names the extra to install."""


class LibraryVersionError(PygymError):
    """An installed RL library is outside the versions pygym's views were tested with. The message names the
    tested range and how to install it (or how to go ahead untested)."""
