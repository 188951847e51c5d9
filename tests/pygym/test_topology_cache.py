"""Prepared topology files live in a folder per process: removed when the process exits, and, when a process
is killed with SIGKILL and cannot remove its own, by the next process that prepares a topology. Real child
processes, a real SIGKILL, and a private temporary folder (TMPDIR) so other runs do not interfere."""

from __future__ import annotations

import os
import signal
import subprocess
from pathlib import Path

from tests.conftest import start_python

# Prepares a generated topology (no simulator needed), prints where it went, then waits for stdin to close.
PREPARE = """
import sys
from pygym import topology
prepared = topology.prepare("ring", {"nodes": 4}, seed=int(sys.argv[1]))
print(prepared.path, flush=True)
sys.stdin.read()
"""


def start(tmp: Path, seed: int) -> tuple[subprocess.Popen[str], Path]:
    child = start_python(
        PREPARE, str(seed), env={"TMPDIR": str(tmp)}, stdin=subprocess.PIPE, stderr=subprocess.PIPE
    )
    assert child.stdout is not None
    line = child.stdout.readline().strip()
    assert line, child.stderr.read() if child.stderr else ""
    return child, Path(line)


def test_a_sigkilled_process_leaves_its_files_only_until_the_next_process_starts(tmp_path: Path) -> None:
    root = tmp_path / f"pygym-topologies-{os.getuid()}"
    killed, killed_file = start(tmp_path, seed=1)
    alive, alive_file = start(tmp_path, seed=2)
    try:
        assert killed_file.parent == root / str(killed.pid) and killed_file.is_file()
        assert alive_file.parent == root / str(alive.pid) and alive_file.is_file()
        killed.send_signal(signal.SIGKILL)
        assert killed.wait(timeout=30) == -signal.SIGKILL
        assert killed_file.is_file(), "a killed process cannot clean up after itself"
        cleaner, cleaner_file = start(tmp_path, seed=3)
        assert cleaner.communicate(input="", timeout=60)[1] == ""
        assert cleaner.returncode == 0
        assert not killed_file.parent.exists(), "the next process removed the killed one's folder"
        assert alive_file.is_file(), "a running process keeps its folder"
        assert not cleaner_file.parent.exists(), "a process removes its own folder at exit"
    finally:
        for child in (killed, alive):
            if child.poll() is None:
                child.communicate(input="", timeout=60)
    assert alive.returncode == 0
    assert not alive_file.parent.exists()
    assert sorted(p.name for p in root.iterdir()) == []
