"""Workload files for the simulator: checked in Python before any simulator sees them.

``pygym.make(..., workload="w.csv")`` reads the whole file once (streaming, every line checked by
:func:`workloads.read_workload`) and checks that every task's source is one of the scenario's nodes; the
simulator streams the file again when it replays it, and checks it again. ``workload="server:/data/w.csv"``
names a file on the simulator server's side (inside its ``--data-dir``): Python does not read it, the
simulator checks it.
"""

from __future__ import annotations

import os
from collections.abc import Collection
from pathlib import Path

import workloads
from pygym.errors import ConfigError

SERVER_PREFIX = "server:"
"""how a path on the simulator server's side is written"""


def is_server_path(path: str | os.PathLike[str]) -> bool:
    """Whether ``path`` names a file on the simulator server's side (``server:/data/w.csv``)."""
    return os.fspath(path).startswith(SERVER_PREFIX)


def check(path: str | os.PathLike[str], sources: Collection[str], what: str = "node") -> Path:
    """The file's absolute path, after checking every line and that every source is in ``sources``; a server
    path (``server:...``) as it is, unchecked (the simulator checks it).

    ``what`` names the kind of node a source must be ("node", "device") in the error.
    """
    if is_server_path(path):
        if len(os.fspath(path)) == len(SERVER_PREFIX):
            raise ConfigError("workload 'server:': a server path names a file, e.g. server:/data/w.csv")
        return Path(os.fspath(path))
    resolved = Path(path).resolve()
    try:
        for task in workloads.read_workload(resolved):
            if task.source not in sources:
                examples = ", ".join(sorted(sources)[:3])
                raise ConfigError(
                    f"workload {resolved}: task {task.task_id} comes from {workloads.excerpt(task.source)}, "
                    f"which is not a {what} of this scenario (the first unknown source; {what}s are e.g. "
                    f"{examples})"
                )
    except workloads.WorkloadError as e:
        raise ConfigError(f"workload: {e}") from None
    except OSError as e:
        raise ConfigError(f"workload {resolved}: {e}") from None
    return resolved
