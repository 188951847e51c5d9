"""Starting and stopping the simulator JVM.

The JVM is started with its stdin a pipe from this process and ``--parent-pid`` set to this process, so it
exits when this process exits, however that happens (SIGKILL included). It runs in its own session, so a
Ctrl-C in the terminal reaches Python, which can then close things in order. Its stderr is kept (the last
lines) for error messages. Its token is made here and given through the environment (``PYGYM_TOKEN``), never
on the command line, which every user of the machine can read; it is started ``--trusted`` (its one client is
this process: it opens the paths this process names, and only the heap bounds its sessions).
"""

from __future__ import annotations

import collections
import json
import os
import secrets
import shutil
import subprocess
import threading
from dataclasses import dataclass
from pathlib import Path

from pygym.errors import JvmStartError

HANDSHAKE = "PYGYM-SIM-READY"
SERVER_CLASS = "edgesim.bridge.Server"
TOKEN_VARIABLE = "PYGYM_TOKEN"
# A serial collector suits a single-threaded simulator and keeps the JVM to a few threads.
DEFAULT_JVM_ARGS = ("-XX:+UseSerialGC",)
STDERR_LINES_KEPT = 200


@dataclass(frozen=True)
class Endpoint:
    """Where a simulator server listens, the token it requires, and whether it speaks TLS (with the CA file
    that signed its certificate; None: the system's CAs)."""

    host: str
    port: int
    token: str
    tls: bool = False
    tls_ca: str | None = None

    def __repr__(self) -> str:
        # The token stays out of logs and tracebacks.
        return f"Endpoint(host={self.host!r}, port={self.port}, tls={self.tls}, tls_ca={self.tls_ca!r})"


def jar_path() -> Path:
    """The simulator jar: ``$PYGYM_JAR`` if set, else the one built into this package by ``make build``."""
    env = os.environ.get("PYGYM_JAR")
    path = Path(env) if env else Path(__file__).parent / "_java" / "edgesim.jar"
    if not path.is_file():
        raise JvmStartError(
            f"simulator jar not found at {path}; build it with `make build` (or set PYGYM_JAR to a built jar)"
        )
    return path


def java_executable() -> str:
    """``$JAVA_HOME/bin/java`` if set, else ``java`` on PATH."""
    home = os.environ.get("JAVA_HOME")
    if home and (Path(home) / "bin" / "java").is_file():
        return str(Path(home) / "bin" / "java")
    found = shutil.which("java")
    if not found:
        raise JvmStartError("no `java` on PATH and JAVA_HOME is not set; install a Java 17 runtime")
    return found


def server_command(
    host: str = "127.0.0.1",
    port: int = 0,
    parent_pid: int | None = None,
    exit_on_stdin_close: bool = False,
    jvm_args: tuple[str, ...] = DEFAULT_JVM_ARGS,
    options: tuple[str, ...] = (),
) -> list[str]:
    """The command line that runs the simulator server; ``options`` are further server options (``--trusted``,
    ``--token-file F``, ``--tls-cert F``, limits, ...). The token is never on it: the server reads it from
    ``PYGYM_TOKEN`` or ``--token-file``."""
    cmd = [java_executable(), *jvm_args, "-cp", str(jar_path()), SERVER_CLASS]
    cmd += ["--host", host, "--port", str(port)]
    if parent_pid is not None:
        cmd += ["--parent-pid", str(parent_pid)]
    if exit_on_stdin_close:
        cmd.append("--exit-on-stdin-close")
    return [*cmd, *options]


class SimulatorProcess:
    """A simulator server JVM owned by this process."""

    def __init__(self, jvm_args: tuple[str, ...] = DEFAULT_JVM_ARGS, startup_timeout_s: float = 60.0) -> None:
        cmd = server_command(
            parent_pid=os.getpid(), exit_on_stdin_close=True, jvm_args=jvm_args, options=("--trusted",)
        )
        self._token = secrets.token_hex(24)
        self._stderr: collections.deque[str] = collections.deque(maxlen=STDERR_LINES_KEPT)
        try:
            self.process = subprocess.Popen(
                cmd,
                env={**os.environ, TOKEN_VARIABLE: self._token},
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                start_new_session=True,
                text=True,
                bufsize=1,
            )
        except OSError as e:
            raise JvmStartError(f"cannot run {cmd[0]}: {e}") from e
        self._stderr_thread = threading.Thread(
            target=self._drain_stderr, name="pygym-jvm-stderr", daemon=True
        )
        self._stderr_thread.start()
        self.endpoint = self._read_handshake(startup_timeout_s)
        self.pid = self.process.pid
        self._cpu_s = 0.0

    def _drain_stderr(self) -> None:
        assert self.process.stderr is not None
        for line in self.process.stderr:
            self._stderr.append(line.rstrip("\n"))

    def _read_handshake(self, timeout_s: float) -> Endpoint:
        lines: list[str] = []
        ready = threading.Event()

        def read() -> None:
            # Keeps reading after the handshake so stray output can never fill the pipe and block the JVM.
            assert self.process.stdout is not None
            for line in self.process.stdout:
                lines.append(line)
                if line.startswith(HANDSHAKE):
                    ready.set()
            ready.set()

        threading.Thread(target=read, name="pygym-jvm-stdout", daemon=True).start()
        ready.wait(timeout_s)
        handshake = next((line for line in lines if line.startswith(HANDSHAKE)), None)
        if handshake is None:
            self.terminate()
            reason = (
                "exited" if self.process.poll() is not None else f"sent no handshake within {timeout_s:.0f} s"
            )
            raise JvmStartError(
                f"the simulator JVM {reason} (exit code {self.process.returncode}).\n"
                f"stdout: {''.join(lines)[-2000:]!r}\nstderr tail:\n{self.stderr_tail()}"
            )
        info = json.loads(handshake[len(HANDSHAKE) :])
        return Endpoint(host=info["host"], port=int(info["port"]), token=self._token)

    def stderr_tail(self, lines: int = 50) -> str:
        """The last lines the JVM wrote to stderr."""
        self._stderr_thread.join(0.2 if self.process.poll() is not None else 0)
        return "\n".join(list(self._stderr)[-lines:])

    def alive(self) -> bool:
        return self.process.poll() is None

    def cpu_s(self) -> float:
        """CPU seconds (user + system, every thread) the JVM has used, from /proc; once it has exited, the
        last value read."""
        try:
            fields = Path(f"/proc/{self.pid}/stat").read_text().rsplit(")", 1)[1].split()
            self._cpu_s = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        except (OSError, IndexError, ValueError):
            pass
        return self._cpu_s

    def stopped(self) -> bool:
        """Whether every thread of the JVM is stopped (SIGSTOP, or traced), from /proc where there is one."""
        try:
            tasks = list(Path(f"/proc/{self.pid}/task").iterdir())
            states = [(task / "stat").read_text().rsplit(")", 1)[1].split()[0] for task in tasks]
        except (OSError, IndexError):
            return False
        return bool(states) and all(state in ("T", "t") for state in states)

    def terminate(self, timeout_s: float = 5.0) -> None:
        """Stops the JVM: close its stdin (it exits by itself), then SIGTERM, then SIGKILL. Idempotent."""
        if self.process.poll() is None:
            try:
                if self.process.stdin is not None:
                    self.process.stdin.close()
            except OSError:
                pass
            try:
                self.process.wait(timeout_s / 2)
            except subprocess.TimeoutExpired:
                self.process.terminate()
                try:
                    self.process.wait(timeout_s / 2)
                except subprocess.TimeoutExpired:
                    self.process.kill()
                    self.process.wait()
        self._stderr_thread.join(1.0)
