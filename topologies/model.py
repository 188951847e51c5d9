"""The topology data model: compute nodes, switches, links, optional route matrices.

A topology is a directed graph whose vertices are compute nodes and switches. Ether's model has a third
vertex kind, the ``Link`` (a bandwidth resource that routes pass through); here a link is an edge with a
bandwidth and a one-way latency, and Ether's shared medium (``SharedLinkCell``) becomes a switch with its
own ``bandwidth_bps``: every route through such a switch is limited by it. With that rule a route's
bottleneck is exactly Ether's (the minimum bandwidth over the ``Link`` vertices it visits).

Everything is immutable and validated on construction, so an invalid :class:`Topology` cannot exist:
names are unique across compute nodes and switches, links name existing vertices, bandwidths are positive,
latencies non-negative, and no two links cover the same direction between the same pair. Connectivity is
checked separately (:func:`check_connected`) because callers may allow disconnected networks.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import TYPE_CHECKING, Any, Literal, get_args

import networkx as nx
import numpy as np

from topologies.errors import (
    DisconnectedError,
    DuplicateLinkError,
    DuplicateNameError,
    InvalidValueError,
    RouteMatrixError,
    TopologyFormatError,
    TopologyWarning,
    UnknownNodeError,
)
from topologies.latency import LogNormal
from topologies.limits import (
    MAX_BANDWIDTH_BPS,
    MAX_CORES,
    MAX_FREQUENCY_HZ,
    MAX_LATENCY_S,
    MAX_MEMORY_BYTES,
    MAX_POSITION_M,
    MIN_BANDWIDTH_BPS,
    MIN_FREQUENCY_HZ,
    check_range,
)
from topologies.nodes import Role, check_role

if TYPE_CHECKING:
    from topologies.routing import RoutingIndex

RoutingMode = Literal["hops", "latency"]
ROUTING_MODES: tuple[str, ...] = get_args(RoutingMode)


def check_name(name: object, what: str) -> str:
    """Return ``name`` if it is a usable vertex name: a non-empty string, no outer spaces or control chars."""
    if not isinstance(name, str) or not name:
        raise InvalidValueError(f"{what}: name must be a non-empty string, got {name!r}")
    if name != name.strip() or any(ord(c) < 32 for c in name):
        raise InvalidValueError(f"{what}: name {name!r} has leading/trailing spaces or control characters")
    return name


@dataclass(frozen=True)
class ComputeNode:
    """A machine that runs tasks. ``agent`` marks the nodes an RL policy controls."""

    name: str
    type: str
    cores: int
    frequency_hz: float
    memory_bytes: int
    role: Role
    agent: bool
    arch: str | None = None
    position_m: tuple[float, float] | None = None
    labels: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        check_name(self.name, "compute node")
        where = f"compute node {self.name!r}"
        if not isinstance(self.type, str) or not self.type:
            raise InvalidValueError(f"{where}: type must be a non-empty string, got {self.type!r}")
        check_range(self.cores, f"{where}: cores", 1, MAX_CORES, integer=True)
        check_range(self.frequency_hz, f"{where}: frequency_hz", MIN_FREQUENCY_HZ, MAX_FREQUENCY_HZ)
        check_range(self.memory_bytes, f"{where}: memory_bytes", 1, MAX_MEMORY_BYTES, integer=True)
        try:
            check_role(self.role)
        except InvalidValueError as e:
            raise InvalidValueError(f"{where}: {e}") from None
        if not isinstance(self.agent, bool):
            raise InvalidValueError(f"{where}: agent must be true or false, got {self.agent!r}")
        if self.arch is not None and (not isinstance(self.arch, str) or not self.arch):
            raise InvalidValueError(f"{where}: arch must be a non-empty string or null, got {self.arch!r}")
        if self.position_m is not None:
            if not isinstance(self.position_m, (tuple, list)) or len(self.position_m) != 2:
                raise InvalidValueError(
                    f"{where}: position_m must be [x, y] in metres, got {self.position_m!r}"
                )
            for axis, v in enumerate(self.position_m):
                check_range(v, f"{where}: position_m[{axis}]", -MAX_POSITION_M, MAX_POSITION_M)
        for key, value in self.labels.items():
            if not isinstance(key, str) or not isinstance(value, str):
                raise InvalidValueError(
                    f"{where}: labels must map strings to strings, got {key!r}: {value!r}"
                )


@dataclass(frozen=True)
class Switch:
    """A forwarding vertex. With ``bandwidth_bps`` it is a shared medium limiting every route through it."""

    name: str
    kind: str
    bandwidth_bps: float | None = None

    def __post_init__(self) -> None:
        check_name(self.name, "switch")
        if not isinstance(self.kind, str) or not self.kind:
            raise InvalidValueError(
                f"switch {self.name!r}: kind must be a non-empty string, got {self.kind!r}"
            )
        if self.bandwidth_bps is not None:
            check_range(
                self.bandwidth_bps,
                f"switch {self.name!r}: bandwidth_bps",
                MIN_BANDWIDTH_BPS,
                MAX_BANDWIDTH_BPS,
            )


@dataclass(frozen=True)
class Link:
    """An edge with a capacity and a fixed one-way latency. Undirected links carry both directions."""

    source: str
    target: str
    bandwidth_bps: float
    latency_s: float
    directed: bool = False
    kind: str = "link"
    latency_distribution: str | None = None
    """Name of the distribution ``latency_s`` was drawn from (a key of ``latency_distributions``), if any."""

    @property
    def label(self) -> str:
        """``a -> b`` or ``a -- b``, as error messages and tables name the link."""
        return f"{self.source} {'->' if self.directed else '--'} {self.target}"

    def __post_init__(self) -> None:
        for end in (self.source, self.target):
            check_name(end, f"link {self.source!r} - {self.target!r}")
        check_range(
            self.bandwidth_bps, f"link {self.label}: bandwidth_bps", MIN_BANDWIDTH_BPS, MAX_BANDWIDTH_BPS
        )
        check_range(self.latency_s, f"link {self.label}: latency_s", 0, MAX_LATENCY_S)
        if not isinstance(self.directed, bool):
            raise InvalidValueError(
                f"link {self.label}: directed must be true or false, got {self.directed!r}"
            )
        if not isinstance(self.kind, str) or not self.kind:
            raise InvalidValueError(f"link {self.label}: kind must be a non-empty string, got {self.kind!r}")


@dataclass(frozen=True, eq=False)
class RouteMatrix:
    """All-pairs routes between compute nodes, indexed like ``nodes``.

    ``latency_s[i, j]`` is the one-way latency from ``nodes[i]`` to ``nodes[j]`` (``inf`` when unreachable,
    0 on the diagonal); ``bottleneck_bps[i, j]`` the smallest bandwidth on that route (``inf`` on the
    diagonal, where no link is involved, 0 when unreachable); ``hops[i, j]`` the number of links (-1 when
    unreachable). The round-trip time of a pair is ``latency_s[i, j] + latency_s[j, i]``.
    """

    routing: RoutingMode
    nodes: tuple[str, ...]
    latency_s: np.ndarray
    bottleneck_bps: np.ndarray
    hops: np.ndarray

    def __post_init__(self) -> None:
        if self.routing not in ROUTING_MODES:
            raise RouteMatrixError(
                f"routes: routing {self.routing!r} is not one of {', '.join(ROUTING_MODES)}"
            )
        n = len(self.nodes)
        for name in ("latency_s", "bottleneck_bps", "hops"):
            shape = getattr(self, name).shape
            if shape != (n, n):
                raise RouteMatrixError(f"routes: {name} has shape {shape}, expected ({n}, {n}) for {n} nodes")
        if len(set(self.nodes)) != n:
            raise RouteMatrixError("routes: nodes lists a name twice")

    def index(self, name: str) -> int:
        """Position of compute node ``name`` in the matrices."""
        try:
            return self.nodes.index(name)
        except ValueError:
            raise UnknownNodeError(f"routes: {name!r} is not a compute node of this matrix") from None

    def rtt_s(self) -> np.ndarray:
        """Round-trip times: the two one-way latencies of each pair added."""
        return self.latency_s + self.latency_s.T

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, RouteMatrix):
            return NotImplemented
        return (
            self.routing == other.routing
            and self.nodes == other.nodes
            and np.array_equal(self.latency_s, other.latency_s)
            and np.array_equal(self.bottleneck_bps, other.bottleneck_bps)
            and np.array_equal(self.hops, other.hops)
        )

    __hash__ = None  # type: ignore[assignment]


@dataclass(frozen=True)
class Topology:
    """A validated network: compute nodes, switches, links, the latency distributions links cite, routes."""

    name: str
    compute_nodes: tuple[ComputeNode, ...]
    switches: tuple[Switch, ...]
    links: tuple[Link, ...]
    latency_distributions: Mapping[str, LogNormal] = field(default_factory=dict)
    routes: RouteMatrix | None = None
    provenance: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "compute_nodes", tuple(self.compute_nodes))
        object.__setattr__(self, "switches", tuple(self.switches))
        object.__setattr__(self, "links", tuple(self.links))
        _check_structure(self)

    @cached_property
    def _vertices(self) -> dict[str, ComputeNode | Switch]:
        vertices: list[ComputeNode | Switch] = [*self.compute_nodes, *self.switches]
        return {v.name: v for v in vertices}

    def vertex(self, name: str) -> ComputeNode | Switch:
        """The compute node or switch called ``name``; raises :class:`UnknownNodeError` with suggestions."""
        try:
            return self._vertices[name]
        except KeyError:
            raise UnknownNodeError(
                f"no node or switch named {name!r}{_suggest(name, self._vertices)}"
            ) from None

    def compute_node(self, name: str) -> ComputeNode:
        """The compute node called ``name``."""
        vertex = self.vertex(name)
        if not isinstance(vertex, ComputeNode):
            raise UnknownNodeError(f"{name!r} is a switch, not a compute node")
        return vertex

    @property
    def compute_names(self) -> tuple[str, ...]:
        """Compute node names in file order (the order of route matrices)."""
        return tuple(n.name for n in self.compute_nodes)

    @property
    def agents(self) -> tuple[ComputeNode, ...]:
        """Compute nodes marked as agents, in file order."""
        return tuple(n for n in self.compute_nodes if n.agent)

    @cached_property
    def graph(self) -> nx.DiGraph:
        """The network as a ``networkx.DiGraph``: undirected links become two arcs with the same values.

        Vertices carry ``kind`` (``compute`` or ``switch``) and, for shared media, ``bandwidth_bps``; arcs
        carry ``bandwidth_bps``, ``latency_s`` and ``link`` (the index into :attr:`links`).
        """
        graph = nx.DiGraph(name=self.name)
        for node in self.compute_nodes:
            graph.add_node(node.name, kind="compute")
        for switch in self.switches:
            graph.add_node(switch.name, kind="switch", bandwidth_bps=switch.bandwidth_bps)
        for index, link in enumerate(self.links):
            attrs = {"bandwidth_bps": link.bandwidth_bps, "latency_s": link.latency_s, "link": index}
            graph.add_edge(link.source, link.target, **attrs)
            if not link.directed:
                graph.add_edge(link.target, link.source, **attrs)
        return graph

    @cached_property
    def routing_index(self) -> RoutingIndex:
        """Integer-indexed adjacency lists that :mod:`topologies.routing` searches (built once)."""
        from topologies.routing import RoutingIndex

        return RoutingIndex(self)

    def with_routes(self, routing: RoutingMode = "hops") -> Topology:
        """A copy carrying all-pairs route matrices computed with ``routing``."""
        from topologies.routing import route_matrix

        return replace(self, routes=route_matrix(self, routing))

    def without_routes(self) -> Topology:
        """A copy without route matrices."""
        return replace(self, routes=None)


def _suggest(name: str, known: Iterable[str]) -> str:
    import difflib

    close = difflib.get_close_matches(name, list(known), n=3)
    return f"; did you mean {', '.join(repr(c) for c in close)}?" if close else ""


def _check_structure(topology: Topology) -> None:
    seen: dict[str, str] = {}
    groups: tuple[tuple[str, Sequence[ComputeNode | Switch]], ...] = (
        ("compute_nodes", topology.compute_nodes),
        ("switches", topology.switches),
    )
    for kind, vertices in groups:
        for i, vertex in enumerate(vertices):
            where = f"{kind}[{i}]"
            if vertex.name in seen:
                raise DuplicateNameError(f"duplicate name {vertex.name!r}: {seen[vertex.name]} and {where}")
            seen[vertex.name] = where
    for name, dist in topology.latency_distributions.items():
        if not isinstance(dist, LogNormal) or dist.name != name:
            raise InvalidValueError(f"latency_distributions[{name!r}] must be a LogNormal named {name!r}")
    arcs: dict[tuple[str, str], int] = {}
    for i, link in enumerate(topology.links):
        for end in (link.source, link.target):
            if end not in seen:
                raise UnknownNodeError(
                    f"links[{i}] ({link.label}): unknown node {end!r}{_suggest(end, seen)}"
                )
        if link.source == link.target:
            raise DuplicateLinkError(f"links[{i}] ({link.label}) connects {link.source!r} to itself")
        if (
            link.latency_distribution is not None
            and link.latency_distribution not in topology.latency_distributions
        ):
            raise TopologyFormatError(
                f"links[{i}] ({link.label}): latency_distribution {link.latency_distribution!r} is not "
                "defined under latency_distributions "
                f"(defined: {', '.join(topology.latency_distributions) or 'none'})"
            )
        directions = (
            [(link.source, link.target)]
            if link.directed
            else [
                (link.source, link.target),
                (link.target, link.source),
            ]
        )
        for arc in directions:
            if arc in arcs:
                other = topology.links[arcs[arc]]
                raise DuplicateLinkError(
                    f"links[{i}] ({link.label}) and links[{arcs[arc]}] ({other.label}) both carry "
                    f"{arc[0]} -> {arc[1]}"
                )
            arcs[arc] = i
    if topology.routes is not None:
        names = topology.compute_names
        if topology.routes.nodes != names:
            raise RouteMatrixError(
                "routes.nodes must list every compute node in file order; "
                f"got {len(topology.routes.nodes)} names, expected {len(names)}"
                + _first_difference(topology.routes.nodes, names)
            )


def _first_difference(got: Sequence[str], expected: Sequence[str]) -> str:
    for i, (a, b) in enumerate(zip(got, expected, strict=False)):
        if a != b:
            return f" (first difference at index {i}: {a!r} instead of {b!r})"
    return ""


def check_connected(topology: Topology, *, allow_disconnected: bool = False) -> None:
    """Check that every compute node reaches every other one along link directions.

    Raises :class:`DisconnectedError` naming an unreachable pair, or, with ``allow_disconnected``, warns
    (:class:`TopologyWarning`) instead. Switches that no compute node can reach, or that cannot reach a
    compute node, only warn: they carry no route.
    """
    if not topology.compute_nodes:
        return
    graph = topology.graph
    components = list(nx.strongly_connected_components(graph))
    component_of = {v: i for i, comp in enumerate(components) for v in comp}
    first = topology.compute_nodes[0].name
    home = component_of[first]
    outside = [n.name for n in topology.compute_nodes if component_of[n.name] != home]
    if outside:
        other = outside[0]
        direction = (
            f"{other!r} cannot reach {first!r}"
            if nx.has_path(graph, first, other)
            else f"{first!r} cannot reach {other!r}"
        )
        message = (
            f"topology {topology.name!r} is disconnected: {direction} "
            f"({len(outside)} of {len(topology.compute_nodes)} compute nodes lie outside the component "
            f"of {first!r})"
        )
        if not allow_disconnected:
            raise DisconnectedError(message)
        warnings.warn(message + "; unreachable pairs get no route", TopologyWarning, stacklevel=2)
    stranded = [s.name for s in topology.switches if component_of[s.name] != home]
    if stranded and not outside:
        shown = ", ".join(repr(s) for s in stranded[:5]) + (" ..." if len(stranded) > 5 else "")
        warnings.warn(
            f"topology {topology.name!r}: {len(stranded)} switch(es) cannot both reach and be reached "
            f"from the compute nodes and carry no route: {shown}",
            TopologyWarning,
            stacklevel=2,
        )
