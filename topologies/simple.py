"""PeersimGym's simple generators (``ConfigHelper/TopologyGeneration.py``): flat networks of compute nodes.

Nodes link directly to each other (no switches) and get positions in metres, as PeersimGym places them:

- :func:`fully_connected`: nodes evenly on a circle, every pair linked;
- :func:`random_geometric`: uniform in a square, a link wherever two nodes are within ``radius_m``
  (PeersimGym's ``random``); placements are redrawn from the structure stream until the graph is connected,
  up to :data:`MAX_PLACEMENT_ATTEMPTS` times, so the result is the first connected placement of the seed;
- :func:`grid`: row-major on a grid ``spacing_m`` apart, links to the right and down neighbours;
- :func:`ring`: evenly on a circle, each node linked to the next;
- :func:`bridged_clusters`: two fully connected clusters (sizes ceil(n/2) and floor(n/2)) around centres
  ``distance_m`` apart, joined by one bridge link between the closest cross-cluster pair.

Node types cycle through ``types`` (node ``i`` gets ``types[i % len(types)]``). Every link gets
``bandwidth_bps`` (PeersimGym's synthetic files write 100 Mbit/s) and a latency from Ether's ``wlan``
distribution by default: PeersimGym writes 0 ms and computes delays from its SNR channel model instead.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

import networkx as nx
import numpy as np

from topologies.builder import TopologyBuilder, stream
from topologies.errors import ParameterError
from topologies.latency import WLAN, LatencyMode, LogNormal
from topologies.model import Topology
from topologies.nodes import Role, node_type

DEFAULT_BANDWIDTH_BPS = 100e6
MAX_PLACEMENT_ATTEMPTS = 100


def _check_common(nodes: int, types: Sequence[str], bandwidth_bps: float, minimum: int) -> None:
    if isinstance(nodes, bool) or not isinstance(nodes, int) or nodes < minimum:
        raise ParameterError(f"nodes must be an integer >= {minimum}, got {nodes!r}")
    if not types:
        raise ParameterError("types must name at least one node type")
    for t in types:
        node_type(t)
    if not (math.isfinite(bandwidth_bps) and bandwidth_bps > 0):
        raise ParameterError(f"bandwidth_bps must be positive, got {bandwidth_bps}")


def _positive(value: float, name: str) -> None:
    if not (math.isfinite(value) and value > 0):
        raise ParameterError(f"{name} must be a positive number, got {value}")


def _circle(n: int, radius_m: float) -> list[tuple[float, float]]:
    return [
        (
            round(radius_m * math.cos(2 * math.pi * i / n), 3),
            round(radius_m * math.sin(2 * math.pi * i / n), 3),
        )
        for i in range(n)
    ]


def _build(
    generator: str,
    positions: Sequence[tuple[float, float]],
    edges: Iterable[tuple[int, int]],
    *,
    types: Sequence[str],
    bandwidth_bps: float,
    link_latency: LogNormal | float,
    seed: int,
    latency: LatencyMode,
    agent_roles: Iterable[Role],
    name: str | None,
    parameters: dict[str, object],
) -> Topology:
    builder = TopologyBuilder(generator, name=name, seed=seed, latency=latency, agent_roles=agent_roles)
    names = [builder.add_compute(types[i % len(types)], position_m=p) for i, p in enumerate(positions)]
    for a, b in edges:
        builder.connect(
            names[a], names[b], bandwidth_bps=bandwidth_bps, latency=link_latency, kind="wireless"
        )
    described_latency = link_latency.name if isinstance(link_latency, LogNormal) else link_latency
    return builder.build(
        {
            "nodes": len(positions),
            "types": list(types),
            "bandwidth_bps": bandwidth_bps,
            "link_latency": described_latency,
            **parameters,
        }
    )


def fully_connected(
    nodes: int = 10,
    *,
    radius_m: float = 50.0,
    types: Sequence[str] = ("rpi4",),
    bandwidth_bps: float = DEFAULT_BANDWIDTH_BPS,
    link_latency: LogNormal | float = WLAN,
    seed: int = 0,
    latency: LatencyMode = "sample",
    agent_roles: Iterable[Role] = ("device", "edge"),
    name: str | None = None,
) -> Topology:
    """``nodes`` on a circle of ``radius_m``, every pair linked."""
    _check_common(nodes, types, bandwidth_bps, 2)
    _positive(radius_m, "radius_m")
    edges = [(i, j) for i in range(nodes) for j in range(i + 1, nodes)]
    return _build(
        "fully-connected",
        _circle(nodes, radius_m),
        edges,
        types=types,
        bandwidth_bps=bandwidth_bps,
        link_latency=link_latency,
        seed=seed,
        latency=latency,
        agent_roles=agent_roles,
        name=name,
        parameters={"radius_m": radius_m},
    )


def ring(
    nodes: int = 10,
    *,
    radius_m: float = 50.0,
    types: Sequence[str] = ("rpi4",),
    bandwidth_bps: float = DEFAULT_BANDWIDTH_BPS,
    link_latency: LogNormal | float = WLAN,
    seed: int = 0,
    latency: LatencyMode = "sample",
    agent_roles: Iterable[Role] = ("device", "edge"),
    name: str | None = None,
) -> Topology:
    """``nodes`` (at least 3) on a circle, node ``i`` linked to node ``i + 1`` and the last to the first."""
    _check_common(nodes, types, bandwidth_bps, 3)
    _positive(radius_m, "radius_m")
    return _build(
        "ring",
        _circle(nodes, radius_m),
        [(i, (i + 1) % nodes) for i in range(nodes)],
        types=types,
        bandwidth_bps=bandwidth_bps,
        link_latency=link_latency,
        seed=seed,
        latency=latency,
        agent_roles=agent_roles,
        name=name,
        parameters={"radius_m": radius_m},
    )


def grid(
    nodes: int = 9,
    *,
    columns: int | None = None,
    spacing_m: float = 20.0,
    types: Sequence[str] = ("rpi4",),
    bandwidth_bps: float = DEFAULT_BANDWIDTH_BPS,
    link_latency: LogNormal | float = WLAN,
    seed: int = 0,
    latency: LatencyMode = "sample",
    agent_roles: Iterable[Role] = ("device", "edge"),
    name: str | None = None,
) -> Topology:
    """``nodes`` row-major on a grid of ``columns`` (default ceil(sqrt(nodes))); the last row may be short."""
    _check_common(nodes, types, bandwidth_bps, 2)
    _positive(spacing_m, "spacing_m")
    cols = math.ceil(math.sqrt(nodes)) if columns is None else columns
    if isinstance(cols, bool) or not isinstance(cols, int) or not 1 <= cols <= nodes:
        raise ParameterError(f"columns must be an integer in [1, nodes={nodes}], got {columns!r}")
    positions = [((i % cols) * spacing_m, (i // cols) * spacing_m) for i in range(nodes)]
    edges = []
    for i in range(nodes):
        if (i + 1) % cols != 0 and i + 1 < nodes:
            edges.append((i, i + 1))
        if i + cols < nodes:
            edges.append((i, i + cols))
    return _build(
        "grid",
        positions,
        edges,
        types=types,
        bandwidth_bps=bandwidth_bps,
        link_latency=link_latency,
        seed=seed,
        latency=latency,
        agent_roles=agent_roles,
        name=name,
        parameters={"columns": cols, "spacing_m": spacing_m},
    )


def _geometric_edges(positions: np.ndarray, radius_m: float) -> list[tuple[int, int]]:
    distance = np.linalg.norm(positions[:, None, :] - positions[None, :, :], axis=-1)
    rows, cols = np.nonzero(np.triu(distance <= radius_m, k=1))
    return [(int(i), int(j)) for i, j in zip(rows, cols, strict=True)]


def random_geometric(
    nodes: int = 10,
    *,
    area_m: float = 100.0,
    radius_m: float = 50.0,
    types: Sequence[str] = ("rpi4",),
    bandwidth_bps: float = DEFAULT_BANDWIDTH_BPS,
    link_latency: LogNormal | float = WLAN,
    seed: int = 0,
    latency: LatencyMode = "sample",
    agent_roles: Iterable[Role] = ("device", "edge"),
    name: str | None = None,
) -> Topology:
    """``nodes`` uniform in an ``area_m`` square, linked within ``radius_m`` (PeersimGym's 100 m, 50 m)."""
    _check_common(nodes, types, bandwidth_bps, 2)
    _positive(area_m, "area_m")
    _positive(radius_m, "radius_m")
    rng = stream(seed, "structure")
    attempts = 0
    while attempts < MAX_PLACEMENT_ATTEMPTS:
        attempts += 1
        placed = np.round(rng.uniform(0.0, area_m, size=(nodes, 2)), 3)
        edges = _geometric_edges(placed, radius_m)
        graph = nx.Graph(edges)
        graph.add_nodes_from(range(nodes))
        if nx.is_connected(graph):
            break
    else:
        raise ParameterError(
            f"random_geometric: no connected placement of {nodes} nodes with radius_m={radius_m} in a "
            f"{area_m} m square after {MAX_PLACEMENT_ATTEMPTS} attempts; raise radius_m or shrink area_m"
        )
    positions = [(float(x), float(y)) for x, y in placed]
    return _build(
        "random-geometric",
        positions,
        edges,
        types=types,
        bandwidth_bps=bandwidth_bps,
        link_latency=link_latency,
        seed=seed,
        latency=latency,
        agent_roles=agent_roles,
        name=name,
        parameters={"area_m": area_m, "radius_m": radius_m, "placement_attempts": attempts},
    )


def bridged_clusters(
    nodes: int = 10,
    *,
    cluster_radius_m: float = 20.0,
    distance_m: float = 100.0,
    types: Sequence[str] = ("rpi4",),
    bandwidth_bps: float = DEFAULT_BANDWIDTH_BPS,
    link_latency: LogNormal | float = WLAN,
    seed: int = 0,
    latency: LatencyMode = "sample",
    agent_roles: Iterable[Role] = ("device", "edge"),
    name: str | None = None,
) -> Topology:
    """Two fully connected clusters ``distance_m`` apart joined by one bridge between their closest nodes."""
    _check_common(nodes, types, bandwidth_bps, 4)
    _positive(cluster_radius_m, "cluster_radius_m")
    _positive(distance_m, "distance_m")
    rng = stream(seed, "structure")
    first = math.ceil(nodes / 2)
    clusters = [range(first), range(first, nodes)]
    positions: list[tuple[float, float]] = []
    for centre_x, members in ((-distance_m / 2, clusters[0]), (distance_m / 2, clusters[1])):
        for _ in members:
            radius = cluster_radius_m * math.sqrt(float(rng.random()))
            angle = 2 * math.pi * float(rng.random())
            positions.append(
                (round(centre_x + radius * math.cos(angle), 3), round(radius * math.sin(angle), 3))
            )
    edges = [(i, j) for members in clusters for i in members for j in members if i < j]
    bridge = min(
        ((i, j) for i in clusters[0] for j in clusters[1]),
        key=lambda pair: math.dist(positions[pair[0]], positions[pair[1]]),
    )
    edges.append(bridge)
    return _build(
        "bridged-clusters",
        positions,
        edges,
        types=types,
        bandwidth_bps=bandwidth_bps,
        link_latency=link_latency,
        seed=seed,
        latency=latency,
        agent_roles=agent_roles,
        name=name,
        parameters={"cluster_radius_m": cluster_radius_m, "distance_m": distance_m, "bridge": list(bridge)},
    )
