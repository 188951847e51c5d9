"""A simulator server started the way users start one (``pygym sim serve`` in its own process), with its own
working directory and temporary folder, for the tests of remote use: files by content, the gateway's security,
TLS and limits."""

from __future__ import annotations

import json
import secrets
import signal
import subprocess
import threading
import time
from collections.abc import Callable
from pathlib import Path

from pygym.jvm import HANDSHAKE
from tests.conftest import PYTHON, python_subprocess_env

SERVE = [PYTHON, "-c", "from pygym.cli import main; main()", "sim", "serve"]


class Served:
    """``pygym sim serve`` with ``options``, its token in ``PYGYM_TOKEN`` (None: the server makes one), run in
    ``home`` (its working directory) with ``home/tmp`` as its temporary folder."""

    def __init__(self, home: Path, *options: str, token: str | None = "", host: str = "127.0.0.1") -> None:
        self.home = home
        self.tmp = home / "tmp"
        self.tmp.mkdir(parents=True, exist_ok=True)
        env = python_subprocess_env()
        env["TMPDIR"] = str(self.tmp)
        env.pop("PYGYM_TOKEN", None)
        env.pop("PYGYM_SERVER", None)
        self.token = secrets.token_hex(20) if token == "" else token
        if self.token is not None:
            env["PYGYM_TOKEN"] = self.token
        self.process = subprocess.Popen(
            [*SERVE, "--host", host, "--port", "0", *options],
            cwd=home,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.stderr: list[str] = []
        threading.Thread(target=self._drain, daemon=True).start()
        line = self.process.stdout.readline() if self.process.stdout else ""
        self.handshake_line = line
        if not line.startswith(HANDSHAKE):
            self.stop()
            raise RuntimeError(f"no handshake: {line!r}; stderr: {self.stderr_text()}")
        self.info = json.loads(line[len(HANDSHAKE) :])
        self.port = int(self.info["port"])
        if self.token is None:
            self.token = self.info["token"]
        self.address = f"127.0.0.1:{self.port}"

    def _drain(self) -> None:
        assert self.process.stderr is not None
        for line in self.process.stderr:
            self.stderr.append(line)

    def stderr_text(self) -> str:
        time.sleep(0.1)
        return "".join(self.stderr)

    @property
    def pid(self) -> int:
        """The JVM's pid: ``pygym sim serve`` replaces itself with it."""
        return self.process.pid

    def rss_mb(self) -> float:
        with open(f"/proc/{self.pid}/status") as f:
            return next(int(line.split()[1]) for line in f if line.startswith("VmRSS")) / 1024

    def cache_files(self) -> list[Path]:
        """The files the server keeps from uploads (its store is a folder in its temporary folder)."""
        return sorted(p for folder in self.tmp.glob("pygym-files-*") for p in folder.iterdir())

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        for stream in (self.process.stdin, self.process.stdout):
            if stream is not None:
                stream.close()

    def __enter__(self) -> Served:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def wait_until(condition: Callable[[], bool], timeout_s: float, step_s: float = 0.1) -> float:
    """Polls ``condition`` until it holds; returns the seconds it took, or raises AssertionError."""
    start = time.monotonic()
    while not condition():
        if time.monotonic() - start > timeout_s:
            raise AssertionError(f"not within {timeout_s} s")
        time.sleep(step_s)
    return time.monotonic() - start


def client_env(token: str) -> dict[str, str]:
    """Environment of a client process: the token, and no server of its own."""
    env = python_subprocess_env()
    env["PYGYM_TOKEN"] = token
    env.pop("PYGYM_SERVER", None)
    return env
