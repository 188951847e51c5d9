"""Workload files for the simulator: checked in Python before any simulator sees them.

``pygym.make(..., workload="w.csv")`` reads the whole file once (streaming, every line checked by
:func:`workloads.read_workload`) and checks that every task's source is one of the scenario's nodes; the
simulator streams the file again when it replays it, and checks it again.
"""

from __future__ import annotations

import os
from collections.abc import Collection
from pathlib import Path

import workloads
from pygym.errors import ConfigError


def check(path: str | os.PathLike[str], sources: Collection[str], what: str = "node") -> Path:
    """The file's absolute path, after checking every line and that every source is in ``sources``.

    ``what`` names the kind of node a source must be ("node", "device") in the error.
    """
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
