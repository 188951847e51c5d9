"""The container engine as the container tests drive it: podman or docker, found by docker/engine.sh.

Every container these tests start carries the label ``pygym.test-run=<run id>`` (compose projects are
named after the run id), so that tests/containers/run.sh can remove whatever a failed run left behind and
check that nothing was.
"""

from __future__ import annotations

import os
import secrets
import shlex
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
ENGINE_SCRIPT = REPO / "docker" / "engine.sh"
COMPOSE_FILE = REPO / "docker" / "compose.yaml"
SERVER_PORT = 25333
RUN_LABEL = "pygym.test-run"


class EngineError(AssertionError):
    """An engine command failed; the message holds the command and the tail of its output."""


def engine_script(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", str(ENGINE_SCRIPT), *args], capture_output=True, text=True, env=env, timeout=120
    )


def _tail(text: str, lines: int = 15) -> str:
    # Debian's podman 4.3 logs that it cannot reach systemd for timers on every health-checked container.
    kept = [line for line in text.splitlines() if "systemd" not in line]
    return "\n".join(kept[-lines:])


@dataclass(frozen=True)
class Engine:
    command: str
    compose_command: tuple[str, ...]
    run_id: str
    image_tag: str

    @classmethod
    def from_environment(cls) -> Engine:
        """The engine tests/containers/run.sh chose, or the one docker/engine.sh finds."""
        command = os.environ.get("PYGYM_CONTAINER_ENGINE") or _found("")
        compose = os.environ.get("PYGYM_COMPOSE") or _found("compose")
        run_id = os.environ.get("PYGYM_TEST_RUN") or f"pygym-ct-{secrets.token_hex(4)}"
        return cls(command, tuple(shlex.split(compose)), run_id, os.environ.get("IMAGE_TAG", "latest"))

    def image(self, name: str) -> str:
        return f"pygym-{name}:{self.image_tag}"

    def __call__(
        self, *args: str, check: bool = True, timeout: float = 120, env: dict[str, str] | None = None
    ) -> subprocess.CompletedProcess[str]:
        result = subprocess.run(
            [self.command, *args], capture_output=True, text=True, timeout=timeout, env=env
        )
        if check and result.returncode != 0:
            raise EngineError(
                f"`{self.command} {shlex.join(args)}` failed (exit {result.returncode}):\n"
                f"{_tail(result.stderr + result.stdout)}"
            )
        return result

    def compose(
        self, *args: str, env: dict[str, str], check: bool = True, timeout: float = 300
    ) -> subprocess.CompletedProcess[str]:
        command = [*self.compose_command, "-p", self.run_id, "-f", str(COMPOSE_FILE), *args]
        result = subprocess.run(
            command, capture_output=True, text=True, timeout=timeout, env={**os.environ, **env}, cwd=REPO
        )
        if check and result.returncode != 0:
            raise EngineError(
                f"`{shlex.join(command)}` failed (exit {result.returncode}):\n"
                f"{_tail(result.stderr + result.stdout, 40)}"
            )
        return result

    def health_check(self, container: str) -> bool:
        """Runs the image's HEALTHCHECK once. podman schedules health checks with systemd timers, which
        machines without systemd lack, so the test runs it itself; docker's daemon runs it on schedule."""
        if self.command == "podman":
            return self("healthcheck", "run", container, check=False).returncode == 0
        status = self("inspect", "--format", "{{.State.Health.Status}}", container).stdout.strip()
        return status == "healthy"

    def wait_healthy(self, container: str, within_s: float = 90) -> int:
        """Waits until the container's health check passes; returns how many checks it took."""
        deadline = time.monotonic() + within_s
        checks = 0
        while True:
            checks += 1
            if self.health_check(container):
                return checks
            state = self("inspect", "--format", "{{.State.Status}}", container).stdout.strip()
            if state != "running":
                logs = self("logs", container, check=False)
                raise EngineError(
                    f"container {container} is {state}; its output:\n{_tail(logs.stdout + logs.stderr)}"
                )
            if time.monotonic() > deadline:
                raise EngineError(
                    f"container {container} not healthy after {within_s:.0f} s ({checks} checks)"
                )
            time.sleep(0.5)

    def host_port(self, container: str, port: int = SERVER_PORT) -> int:
        """The host port published for the container's port (``127.0.0.1:40123`` -> 40123)."""
        mapping = self("port", container, f"{port}/tcp").stdout.split()[0]
        return int(mapping.rsplit(":", 1)[1])

    def remove(self, container: str) -> None:
        """Removes a container at once, running or not (docker's rm -f kills without a grace time)."""
        grace = ["-t", "0"] if self.command == "podman" else []
        self("rm", "-f", *grace, container, check=False)

    def containers_of_run(self) -> list[str]:
        by_label = self("ps", "-aq", "--filter", f"label={RUN_LABEL}={self.run_id}").stdout.split()
        by_project = self("ps", "-aq", "--filter", f"label=com.docker.compose.project={self.run_id}").stdout
        return sorted(set(by_label) | set(by_project.split()))


def _found(what: str) -> str:
    result = engine_script(*([what] if what else []))
    if result.returncode != 0:
        raise EngineError(result.stderr.strip())
    return result.stdout.strip()


@dataclass
class SimulatorContainer:
    """A simulator container started by a test, its port published on the host's loopback."""

    engine: Engine
    token: str = field(default_factory=lambda: secrets.token_hex(16))
    name: str = ""
    port: int = 0

    def start(self) -> SimulatorContainer:
        self.name = f"{self.engine.run_id}-sim-{secrets.token_hex(3)}"
        # The token goes by environment (`-e NAME` copies it), not on the engine's command line.
        self.engine(
            "run", "-d", "--name", self.name, "--label", f"{RUN_LABEL}={self.engine.run_id}",
            "-e", "PYGYM_TOKEN", "-p", f"127.0.0.1::{SERVER_PORT}", self.engine.image("simulator"),
            env={**os.environ, "PYGYM_TOKEN": self.token},
        )  # fmt: skip
        self.port = self.engine.host_port(self.name)
        self.engine.wait_healthy(self.name)
        return self

    def remove(self) -> None:
        self.engine.remove(self.name)
