"""docker/engine.sh without a working engine: each failure is named, says what to do, and exits with its
own code (3: no usable engine, 4: cannot start containers, 2: bad usage). Runs in the ordinary suite.

The engines here are small executables standing in for podman and docker in the states a machine can be
in (absent, daemon down, unable to start containers); test_images.py reproduces the last one with the
real podman where the machine allows it.
"""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
from pathlib import Path

import pytest

from tests.containers.engine import ENGINE_SCRIPT

BASH = shutil.which("bash") or "/bin/bash"


@pytest.fixture
def bin_dir(tmp_path: Path) -> Path:
    """A PATH holding only the tools the script uses besides the engines."""
    directory = tmp_path / "bin"
    directory.mkdir()
    for tool in ("grep", "tail"):
        found = shutil.which(tool)
        assert found, tool
        (directory / tool).symlink_to(found)
    return directory


def fake_engine(
    bin_dir: Path, name: str, info_status: int, info_error: str = "", run_error: str = ""
) -> None:
    """An executable named like an engine: `info` exits with info_status (printing info_error), `run`
    fails with run_error when given, and `compose version` fails (no compose plugin)."""
    script = f"""#!{BASH}
case "$1" in
    info) [ {info_status} -eq 0 ] || {{ echo "{info_error}" >&2; exit {info_status}; }} ;;
    run) [ -z "{run_error}" ] || {{ echo "{run_error}" >&2; exit 126; }} ;;
    *) exit 125 ;;
esac
"""
    path = bin_dir / name
    path.write_text(script)
    path.chmod(path.stat().st_mode | stat.S_IXUSR)


def run(bin_dir: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {"PATH": str(bin_dir), "HOME": os.environ.get("HOME", "/root"), **env}
    return subprocess.run(
        [BASH, str(ENGINE_SCRIPT), *args], capture_output=True, text=True, env=environment, timeout=30
    )


def test_no_engine_at_all_says_how_to_install_one(bin_dir: Path) -> None:
    result = run(bin_dir)
    assert result.returncode == 3
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert lines[0] == "error: no container engine found: neither podman nor docker is on PATH."
    assert "bash docker/install-podman.sh" in lines[1]


def test_docker_without_a_daemon_says_to_start_one_or_install_podman(bin_dir: Path) -> None:
    fake_engine(bin_dir, "docker", 1, "Cannot connect to the Docker daemon at unix:///var/run/docker.sock.")
    result = run(bin_dir)
    assert result.returncode == 3
    assert "docker is installed but its daemon does not answer" in result.stderr
    assert "Cannot connect to the Docker daemon" in result.stderr  # the engine's own words
    assert "Start the Docker daemon" in result.stderr and "install-podman.sh" in result.stderr


def test_podman_is_preferred_and_its_compose_command_is_asked_for(bin_dir: Path) -> None:
    fake_engine(bin_dir, "podman", 0)
    fake_engine(bin_dir, "docker", 0)
    assert run(bin_dir).stdout == "podman\n"
    assert run(bin_dir, CONTAINER_ENGINE="docker").stdout == "docker\n"
    compose = run(bin_dir, "compose")
    assert compose.returncode == 3
    assert "podman has no compose command: install podman-compose" in compose.stderr


def test_an_engine_that_cannot_start_containers_is_named_with_advice(bin_dir: Path) -> None:
    fake_engine(
        bin_dir, "podman", 0, run_error="Error: runc create failed: error setting rlimits for ready process"
    )
    result = run(bin_dir, "check-run", "debian:bookworm-slim")
    assert result.returncode == 4
    lines = result.stderr.splitlines()
    assert lines[0] == "error: podman cannot start containers (from image debian:bookworm-slim):"
    assert "error setting rlimits" in lines[1]
    assert "default_ulimits" in lines[2] and "install-podman.sh" in lines[2]


def test_a_wrong_engine_choice_or_usage_is_refused(bin_dir: Path) -> None:
    chosen = run(bin_dir, CONTAINER_ENGINE="lxc")
    assert chosen.returncode == 2
    assert chosen.stderr == "error: CONTAINER_ENGINE must be podman or docker, got 'lxc'\n"
    missing = run(bin_dir, CONTAINER_ENGINE="podman")
    assert missing.returncode == 3
    assert "CONTAINER_ENGINE=podman, but 'podman' is not installed" in missing.stderr
    assert run(bin_dir, "check-run").returncode == 2
    assert run(bin_dir, "frobnicate").returncode == 2
