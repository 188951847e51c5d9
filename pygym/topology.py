"""Topology files for the simulator: load and check in Python, before any simulator sees them.

``pygym.make(..., topology=...)`` accepts a topology file path, a :class:`topologies.Topology`, or the name
of a generator (``"urban-sensing"``, ``"random-geometric"``, ...) with ``topology_params`` and
``topology_seed``. The topology is validated here (errors name the file, the element and the rule), given
route matrices if it has none for the requested routing, and written once, content-addressed, to this
process's cache folder, which the local simulator reads. The simulator checks the file again when it loads it.

Each process has its own folder under ``<tmp>/pygym-topologies-<uid>/``, named by its pid and removed when
it exits. A process killed with SIGKILL cannot remove its folder, so the first process to prepare a topology
afterwards removes the folders of processes that no longer run.
"""

from __future__ import annotations

import atexit
import hashlib
import os
import shutil
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import topologies
from pygym.errors import ConfigError

# This process's folder and the pid that made it: a forked child makes its own, and never removes its
# parent's at exit.
_own: tuple[int, Path] | None = None


@dataclass(frozen=True)
class PreparedTopology:
    """A topology file the simulator can read, with what the scenario needs to know about it."""

    path: Path
    nodes: int
    agents: int
    agent_names: tuple[str, ...]
    node_names: tuple[str, ...]
    node_roles: tuple[str, ...] = ()
    """Role of each compute node (``device``, ``edge``, ``cloud``), in file order like :attr:`node_names`."""


def cache_root() -> Path:
    """The folder holding every process's cache folder (one per user)."""
    path = Path(tempfile.gettempdir()) / f"pygym-topologies-{os.getuid()}"
    path.mkdir(mode=0o700, exist_ok=True)
    return path


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)  # signal 0: only checks that the process exists
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # it exists, under another user
    return True


def remove_stale() -> list[Path]:
    """Removes the cache folders of processes that no longer run; returns them."""
    removed = []
    for folder in cache_root().iterdir():
        pid = int(folder.name) if folder.name.isdigit() else None
        if pid is not None and pid != os.getpid() and folder.is_dir() and not _running(pid):
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder)
    return removed


def cache_dir() -> Path:
    """This process's folder of prepared topology files (one per distinct content), removed at exit. Made on
    first use, which first removes the folders that processes killed without cleaning up left behind."""
    global _own
    pid = os.getpid()
    if _own is None or _own[0] != pid or not _own[1].is_dir():
        remove_stale()
        folder = cache_root() / str(pid)
        folder.mkdir(mode=0o700, exist_ok=True)
        _own = (pid, folder)
    return _own[1]


def prepare(
    topology: str | os.PathLike[str] | topologies.Topology,
    params: Mapping[str, Any] | None = None,
    seed: int = 0,
    routing: str = "hops",
    require_agents: bool = True,
) -> PreparedTopology:
    """Loads or generates ``topology``, checks it, adds routes if needed, and writes it for the simulator.

    ``require_agents=False`` leaves it to the scenario to check which nodes it needs (a MEC scenario's
    agents are devices, and it needs servers too), so that its error can say what the scenario expects.
    """
    if routing not in topologies.model.ROUTING_MODES:
        raise ConfigError(
            f"topology_routing {routing!r}: expected one of {', '.join(topologies.model.ROUTING_MODES)}"
        )
    try:
        if isinstance(topology, topologies.Topology):
            topo = topology
        elif isinstance(topology, str) and topology in topologies.GENERATORS and not Path(topology).exists():
            generate: Callable[..., topologies.Topology] = topologies.GENERATORS[topology]  # type: ignore[assignment]
            topo = generate(seed=seed, **dict(params or {}))
        else:
            if params:
                raise ConfigError("topology_params applies to generated topologies, not to a topology file")
            topo = topologies.load(Path(topology))
    except topologies.TopologyError as e:
        raise ConfigError(f"topology: {e}") from None
    except TypeError as e:
        raise ConfigError(f"topology {topology!r}: bad topology_params: {e}") from None
    if topo.routes is None or topo.routes.routing != routing:
        topo = topo.with_routes(routing)  # type: ignore[arg-type]
    agents = tuple(node.name for node in topo.compute_nodes if node.agent)
    if require_agents and not agents:
        raise ConfigError(f"topology {topo.name!r} marks no compute node as an agent")
    text = topologies.dumps(topo)
    path = cache_dir() / f"{hashlib.sha256(text.encode()).hexdigest()[:32]}.json"
    if not path.exists():
        # Written under a unique name, then renamed: a reader never sees a partial file.
        fd, partial = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        with os.fdopen(fd, "w") as out:
            out.write(text)
        os.replace(partial, path)
    return PreparedTopology(
        path=path,
        nodes=len(topo.compute_nodes),
        agents=len(agents),
        agent_names=agents,
        node_names=topo.compute_names,
        node_roles=tuple(node.role for node in topo.compute_nodes),
    )


@atexit.register
def _remove_own() -> None:
    if _own is not None and _own[0] == os.getpid():
        shutil.rmtree(_own[1], ignore_errors=True)
