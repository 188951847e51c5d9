"""Benchmark: generation and routing time for about 10, 100 and 1,000 compute nodes.

Run with ``.venv/bin/python -m topologies.bench``. For each generator and size it reports the wall time to
generate the topology, to compute the all-pairs route matrices between compute nodes with hop-count and
with minimum-latency routing, to write the file with matrices, and to load it back (which validates the
file and re-derives the matrices to check them), plus the file size. Sizes are exact for urban sensing
(constant cell density 2: 9 nodes per cell, plus the cloudlet) and the grid; industrial IoT comes in
steps of 20. Each timing is the best of a few repeats on small sizes and a single run at 1,000 nodes.
"""

from __future__ import annotations

import platform
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import TypeVar

from rich.console import Console
from rich.table import Table

from topologies.blocks import Density
from topologies.fileformat import load, save
from topologies.model import Topology
from topologies.routing import route_matrix
from topologies.scenarios import industrial_iot, urban_sensing
from topologies.simple import grid

T = TypeVar("T")


@dataclass(frozen=True)
class Case:
    """One benchmarked topology."""

    generator: str
    target: int
    build: Callable[[], Topology]


def _urban(target: int) -> Callable[[], Topology]:
    # Density 2 gives 4 * 2 + 1 = 9 nodes per cell; a 10-node case uses a 1-server cloudlet.
    if target == 10:
        return partial(
            urban_sensing, 1, density=Density(constant=2), cloudlet_servers_per_rack=1, cloudlet_racks=1
        )
    return partial(urban_sensing, (target - 10) // 9, density=Density(constant=2), seed=1)


CASES = [
    *(Case("urban-sensing", n, _urban(n)) for n in (10, 100, 1000)),
    *(Case("industrial-iot", n, partial(industrial_iot, max(1, n // 20), seed=1)) for n in (20, 100, 1000)),
    *(Case("grid", n, partial(grid, n, seed=1)) for n in (10, 100, 1000)),
]


def _timed(action: Callable[[], T], repeats: int) -> tuple[T, float]:
    start = time.perf_counter()
    result = action()
    best = time.perf_counter() - start
    for _ in range(repeats - 1):
        start = time.perf_counter()
        action()
        best = min(best, time.perf_counter() - start)
    return result, best


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:,.1f}"


def run(console: Console) -> Table:
    """Run every case and return the results table."""
    table = Table(title=f"topologies: generation and routing (Python {platform.python_version()}, best of n)")
    for column in ("generator", "compute nodes", "vertices", "links", "generate ms", "routes hops ms"):
        table.add_column(column, justify="left" if column == "generator" else "right")
    for column in ("routes latency ms", "save ms", "load+verify ms", "file KiB"):
        table.add_column(column, justify="right")
    with tempfile.TemporaryDirectory() as scratch:
        for case in CASES:
            repeats = 1 if case.target >= 1000 else 3
            topology, generate_s = _timed(case.build, repeats)
            _, hops_s = _timed(partial(route_matrix, topology, "hops"), repeats)
            _, latency_s = _timed(partial(route_matrix, topology, "latency"), repeats)
            path = Path(scratch) / f"{case.generator}-{case.target}.json"
            _, save_s = _timed(partial(save, topology.with_routes("hops"), path), repeats)
            _, load_s = _timed(partial(load, path), repeats)
            vertices = len(topology.compute_nodes) + len(topology.switches)
            table.add_row(
                case.generator,
                str(len(topology.compute_nodes)),
                str(vertices),
                str(len(topology.links)),
                _ms(generate_s),
                _ms(hops_s),
                _ms(latency_s),
                _ms(save_s),
                _ms(load_s),
                f"{path.stat().st_size / 1024:,.0f}",
            )
            console.log(f"{case.generator} {len(topology.compute_nodes)} nodes done")
    return table


def main() -> None:
    """Print the benchmark table."""
    console = Console()
    table = run(console)
    console.print(table)


if __name__ == "__main__":
    main()
