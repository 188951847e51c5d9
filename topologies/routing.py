"""Routes: path, one-way latency, round-trip time and bottleneck bandwidth, per pair and all pairs.

Two routings:

- ``hops`` (the default, for parity with Ether): fewest links, breadth-first over the directed graph, as
  Ether's ``Topology.path`` (an unweighted ``nx.shortest_path``). Ties go to the neighbour whose link comes
  first in the file. Folding Ether's ``Link`` vertices into edges changes hop counts but not the chosen
  paths on Ether's scenarios: their cells form a tree with one loop-free path per direction, and between
  backbone regions both pick the direct edge. Ties matter only on meshes such as the simple generators.
- ``latency``: minimum total one-way latency (Dijkstra on ``latency_s``).

A route's latency is the sum of its links' ``latency_s``. Its bottleneck is the smallest ``bandwidth_bps``
over its links and over every switch on it that has a bandwidth (a shared medium). Its round-trip time is
the forward latency plus the latency of the reverse route; Ether reports twice the forward latency, which is
the same number whenever links are symmetric (e.g. all links at their distribution's mode).

The searches are networkx's algorithms (``single_source_shortest_path``, ``single_source_dijkstra``),
visiting neighbours and breaking ties in the same order, re-implemented over integer-indexed adjacency
lists: networkx builds a path list for every target of every search, which made a 1,000-node matrix cost
seconds. A vertex with a single outgoing link (every compute node in Ether's scenarios) shares the search
of the vertex it hangs off: its routes are that link followed by the neighbour's routes, exactly what a
search from the vertex itself finds. Single routes and matrices use the same code, so they always agree.
"""

from __future__ import annotations

import heapq
import itertools
import math
from dataclasses import dataclass

import numpy as np

from topologies.errors import InvalidValueError, UnknownNodeError
from topologies.model import ROUTING_MODES, RouteMatrix, RoutingMode, Topology

Routing = RoutingMode


@dataclass(frozen=True)
class Route:
    """One route between two vertices."""

    source: str
    target: str
    routing: Routing
    path: tuple[str, ...]
    """Every vertex from source to target, switches included."""
    latency_s: float
    """One-way latency along :attr:`path`."""
    rtt_s: float
    """Forward latency plus the latency of the reverse route (which may take other links); ``inf`` if none."""
    bottleneck_bps: float
    """Smallest bandwidth on the path (links and shared-medium switches); ``inf`` from a node to itself."""

    @property
    def hops(self) -> int:
        """Number of links on the path."""
        return len(self.path) - 1


def check_routing(routing: str) -> Routing:
    """Return ``routing`` if it is ``hops`` or ``latency``, else raise naming both."""
    if routing not in ROUTING_MODES:
        raise InvalidValueError(f"routing {routing!r} is not one of {', '.join(ROUTING_MODES)}")
    return routing  # type: ignore[return-value]


def _clean_s(value_s: float) -> float:
    # Sums of link latencies carry float noise in the last bits; 1 ps resolution removes it.
    return round(value_s, 12)


@dataclass
class _Tree:
    """One single-source search: per vertex index, the parent, latency, bottleneck and hop count."""

    source: int
    parent: list[int]
    latency_s: list[float]
    bottleneck_bps: list[float]
    hops: list[int]


class RoutingIndex:
    """The topology as integer-indexed adjacency lists, in link order (networkx's adjacency order).

    Built once per topology (``Topology.routing_index``). Compute nodes come first, in file order, so
    compute node ``i`` is vertex ``i``.
    """

    def __init__(self, topology: Topology) -> None:
        self.names = [n.name for n in topology.compute_nodes] + [s.name for s in topology.switches]
        self.index = {name: i for i, name in enumerate(self.names)}
        self.medium = [math.inf] * len(topology.compute_nodes) + [
            s.bandwidth_bps if s.bandwidth_bps is not None else math.inf for s in topology.switches
        ]
        self.out: list[list[tuple[int, float, float]]] = [[] for _ in self.names]
        for link in topology.links:
            a, b = self.index[link.source], self.index[link.target]
            self.out[a].append((b, link.latency_s, link.bandwidth_bps))
            if not link.directed:
                self.out[b].append((a, link.latency_s, link.bandwidth_bps))

    def _start(self, source: int) -> _Tree:
        n = len(self.names)
        tree = _Tree(source, [-1] * n, [math.inf] * n, [0.0] * n, [-1] * n)
        tree.latency_s[source], tree.bottleneck_bps[source], tree.hops[source] = 0.0, math.inf, 0
        return tree

    def _reach(self, tree: _Tree, parent: int, vertex: int, latency_s: float, bandwidth_bps: float) -> None:
        tree.parent[vertex] = parent
        tree.latency_s[vertex] = tree.latency_s[parent] + latency_s
        tree.hops[vertex] = tree.hops[parent] + 1
        tree.bottleneck_bps[vertex] = min(tree.bottleneck_bps[parent], bandwidth_bps, self.medium[vertex])

    def breadth_first(self, source: int) -> _Tree:
        """Fewest links; neighbours in link order, level by level, as networkx."""
        tree = self._start(source)
        hops = tree.hops
        level = [source]
        while level:
            following = []
            for u in level:
                for v, latency_s, bandwidth_bps in self.out[u]:
                    if hops[v] < 0:
                        self._reach(tree, u, v, latency_s, bandwidth_bps)
                        following.append(v)
            level = following
        return tree

    def dijkstra(self, source: int) -> _Tree:
        """Least latency; networkx's Dijkstra (a heap of (distance, insertion count), strict improvement)."""
        tree = self._start(source)
        n = len(self.names)
        seen = [math.inf] * n
        seen[source] = 0.0
        via: list[tuple[int, float, float]] = [(-1, 0.0, 0.0)] * n
        done = [False] * n
        counter = itertools.count(1)
        fringe = [(0.0, 0, source)]
        while fringe:
            distance, _, u = heapq.heappop(fringe)
            if done[u]:
                continue
            done[u] = True
            if u != source:
                parent, latency_s, bandwidth_bps = via[u]
                self._reach(tree, parent, u, latency_s, bandwidth_bps)
            for v, latency_s, bandwidth_bps in self.out[u]:
                if done[v]:
                    continue
                candidate = distance + latency_s
                if candidate < seen[v]:
                    seen[v] = candidate
                    via[v] = (u, latency_s, bandwidth_bps)
                    heapq.heappush(fringe, (candidate, next(counter), v))
        return tree

    def search(self, source: int, routing: Routing) -> _Tree:
        """The single-source search of ``routing``."""
        return self.breadth_first(source) if routing == "hops" else self.dijkstra(source)

    def anchor(self, source: int) -> tuple[int, float, float] | None:
        """(next vertex, latency, bandwidth) when ``source`` has exactly one outgoing link, else None."""
        out = self.out[source]
        return out[0] if len(out) == 1 else None

    def path(self, tree: _Tree, target: int) -> list[str]:
        """Vertex names from the tree's source to ``target``."""
        steps = []
        vertex = target
        while vertex >= 0:
            steps.append(self.names[vertex])
            vertex = tree.parent[vertex]
        return steps[::-1]


def _one_way(
    network: RoutingIndex, source: int, target: int, routing: Routing
) -> tuple[list[str], float, float] | None:
    """(path, latency, bottleneck) from source to target, or None when unreachable."""
    anchor = network.anchor(source)
    if anchor is None or target == source:
        tree = network.search(source, routing)
        if tree.hops[target] < 0:
            return None
        return network.path(tree, target), tree.latency_s[target], tree.bottleneck_bps[target]
    nxt, latency_s, bandwidth_bps = anchor
    tree = network.search(nxt, routing)
    if tree.hops[target] < 0:
        return None
    path = [network.names[source], *network.path(tree, target)]
    if target == nxt:
        return path, latency_s, min(bandwidth_bps, tree.bottleneck_bps[target])
    bottleneck = min(bandwidth_bps, network.medium[nxt], tree.bottleneck_bps[target])
    return path, latency_s + tree.latency_s[target], bottleneck


def route(topology: Topology, source: str, target: str, routing: Routing = "hops") -> Route:
    """The route from ``source`` to ``target`` (any vertices) under ``routing``.

    Raises :class:`UnknownNodeError` for an unknown name and when the target cannot be reached.
    """
    check_routing(routing)
    topology.vertex(source)
    topology.vertex(target)
    network = topology.routing_index
    s, t = network.index[source], network.index[target]
    forward = _one_way(network, s, t, routing)
    if forward is None:
        raise UnknownNodeError(
            f"no route from {source!r} to {target!r}: the links do not connect them that way"
        )
    backward = _one_way(network, t, s, routing)
    path, latency_s, bottleneck_bps = forward
    # A one-way network can route there but not back; its round trip is then infinite, not an error.
    rtt_s = _clean_s(latency_s + backward[1]) if backward is not None else math.inf
    return Route(
        source=source,
        target=target,
        routing=routing,
        path=tuple(path),
        latency_s=_clean_s(latency_s),
        rtt_s=rtt_s,
        bottleneck_bps=bottleneck_bps,
    )


def route_matrix(topology: Topology, routing: Routing = "hops") -> RouteMatrix:
    """All-pairs routes between the compute nodes, in file order. Unreachable pairs are marked, not raised."""
    check_routing(routing)
    network = topology.routing_index
    names = topology.compute_names
    n = len(names)
    columns = np.arange(n)  # compute nodes come first in the network's index
    latency = np.full((n, n), math.inf)
    bottleneck = np.zeros((n, n))
    hops = np.full((n, n), -1, dtype=np.int64)
    rows: dict[int, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}

    def row(vertex: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        if vertex not in rows:
            tree = network.search(vertex, routing)
            rows[vertex] = (
                np.asarray(tree.latency_s)[columns],
                np.asarray(tree.bottleneck_bps)[columns],
                np.asarray(tree.hops, dtype=np.int64)[columns],
            )
        return rows[vertex]

    for i in range(n):
        anchor = network.anchor(i)
        if anchor is None:
            latency[i], bottleneck[i], hops[i] = row(i)
        else:
            nxt, latency_s, bandwidth_bps = anchor
            via_latency, via_bottleneck, via_hops = row(nxt)
            reachable = via_hops >= 0
            latency[i] = latency_s + via_latency
            # The neighbour's own medium limits every route through it, except a route that ends there.
            limit = min(bandwidth_bps, network.medium[nxt])
            bottleneck[i] = np.where(reachable, np.minimum(limit, via_bottleneck), 0.0)
            hops[i] = np.where(reachable, via_hops + 1, -1)
        latency[i, i], bottleneck[i, i], hops[i, i] = 0.0, math.inf, 0
    latency = np.where(np.isfinite(latency), np.round(latency, 12), latency)
    return RouteMatrix(routing=routing, nodes=names, latency_s=latency, bottleneck_bps=bottleneck, hops=hops)


@dataclass(frozen=True)
class AgentRoutes:
    """What a simulator needs besides the nodes: who the agents are and how far apart everyone is."""

    nodes: tuple[str, ...]
    """Every compute node, in file order; the index of the route matrices."""
    agents: tuple[str, ...]
    """Compute nodes marked ``agent``, in file order."""
    agent_indices: tuple[int, ...]
    """Position of each agent in :attr:`nodes`."""
    routes: RouteMatrix


def agents_and_routes(topology: Topology, routing: Routing | None = None) -> AgentRoutes:
    """The agents and the compute-node route matrix of ``topology``.

    Uses the matrices stored in the topology when they exist and were made with ``routing`` (or when
    ``routing`` is None); otherwise computes them (``hops`` unless ``routing`` says otherwise).
    """
    stored = topology.routes
    if stored is not None and (routing is None or stored.routing == routing):
        routes = stored
    else:
        routes = route_matrix(topology, check_routing(routing or "hops"))
    names = topology.compute_names
    agents = tuple(n.name for n in topology.agents)
    position = {name: i for i, name in enumerate(names)}
    return AgentRoutes(
        nodes=names,
        agents=agents,
        agent_indices=tuple(position[a] for a in agents),
        routes=routes,
    )
