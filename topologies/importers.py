"""Readers and writers for foreign topology files: PeersimGym's Ether JSON, networkx graphs, inet graphs.

**PeersimGym's Ether JSON** (written by TOAL's ``TopologySavingTools.py``, read by PeersimGym's
``EtherTopologyReader``)::

    {"nodes": {name: {"id", "arch", "name", "coordinates": [x, y], "capacity": {"cpu_milis", "memory"},
                      "labels"}},
     "links": {"neighbours": {id: [id, ...]},
               "path_info": [{"id", "source": id, "target": id, "path_bandwidths": [Mbit/s, ...],
                              "min_bandwidth": Mbit/s, "expected_rtt": ms}]}}

Each ``path_info`` entry summarises an Ether route between two neighbours (the BFS over Ether's graph that
skips ``Link`` vertices), so it becomes one logical link: ``bandwidth_bps = min_bandwidth * 1e6`` and
``latency_s = expected_rtt / 2 / 1000`` (Ether's RTT is twice the one-way latency). A pair listed both ways
with equal values becomes one undirected link, otherwise two directed ones. Every neighbour pair must have
its ``path_info``. Coordinates go to ``position_m`` as they are (PeersimGym treats them as metres in its
100 x 100 area). CPU: with ``cpu="ether"`` (the default), ``cores = cpu_milis / 1000`` (which must be whole)
and the frequency comes from the node-type table; ``cpu="peersimgym"`` reproduces PeersimGym's reader,
one core at ``cpu_milis * 1000`` "Hz" (its per-tick instruction rate), which its synthetic networks need
(they use ``cpu_milis`` such as 14800 as a speed figure).

**networkx graphs** (node-link JSON or GraphML): :func:`to_networkx` / :func:`from_networkx` map every
field of a topology to scalar attributes (GraphML allows nothing else), so files round-trip exactly.
Foreign graphs are read with these rules: a vertex is a compute node if ``kind == "compute"`` or it has a
``type`` or ``cores`` attribute, otherwise a switch; compute attributes missing on a known ``type`` come from
the node-type table; an edge needs ``bandwidth_bps`` (or Ether's ``bandwidth`` in Mbit/s) and ``latency_s``
(or Ether's ``latency`` in ms) unless defaults are passed.
"""

from __future__ import annotations

import json
import math
import re
import warnings
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, Literal

import networkx as nx

from topologies.errors import ConversionError, TopologyError, TopologyWarning
from topologies.fileformat import parse_json
from topologies.latency import LogNormal
from topologies.model import ComputeNode, Link, Switch, Topology, check_connected
from topologies.nodes import (
    ETHER_MODEL_LABEL,
    ETHER_TYPE_LABEL,
    ETHER_TYPE_TO_ROLE,
    MODEL_TO_TYPE,
    NODE_TYPES,
    Role,
    check_role,
)
from topologies.scenarios import InetGraph

CpuMode = Literal["ether", "peersimgym"]

_NAME_RE = re.compile(r"^(.+)_(\d+)$")
_PREFIX_TO_TYPE = {t.name_prefix: t.key for t in NODE_TYPES.values()}


def _with_source(path: Path, error: TopologyError) -> TopologyError:
    return type(error)(f"{path}: {error}")


def _read_json(path: Path) -> Any:
    try:
        return parse_json(path.read_text(encoding="utf-8"))
    except OSError as e:
        raise ConversionError(f"{path}: cannot read: {e.strerror or e}") from None
    except TopologyError as e:
        raise _with_source(path, e) from None


# --- PeersimGym --------------------------------------------------------------------------------------------


def _infer_type(name: str, labels: Mapping[str, str]) -> str:
    match = _NAME_RE.match(name)
    prefix = match.group(1) if match else name
    if prefix in _PREFIX_TO_TYPE:
        return _PREFIX_TO_TYPE[prefix]
    model = labels.get(ETHER_MODEL_LABEL)
    # A name prefix that is not a known type (rpi5_6G) is the more specific description; keep it.
    if match is None and model in MODEL_TO_TYPE:
        return MODEL_TO_TYPE[model]
    return prefix


def _peersimgym_node(
    key: str, value: object, cpu: CpuMode, frequency_hz: float | None, agent_roles: frozenset[str]
) -> tuple[Any, ComputeNode]:
    where = f"nodes[{key!r}]"
    if not isinstance(value, dict):
        raise ConversionError(f"{where} must be an object")
    for field in ("id", "capacity"):
        if field not in value:
            raise ConversionError(f"{where}: missing {field!r}")
    if value.get("name", key) != key:
        raise ConversionError(f"{where}: its name field {value['name']!r} differs from its key")
    capacity = value["capacity"]
    if not isinstance(capacity, dict) or "cpu_milis" not in capacity or "memory" not in capacity:
        raise ConversionError(f"{where}: capacity must hold cpu_milis and memory")
    cpu_milis, memory = capacity["cpu_milis"], capacity["memory"]
    if not _is_number(cpu_milis) or cpu_milis <= 0 or not _is_number(memory) or memory <= 0:
        raise ConversionError(
            f"{where}: cpu_milis and memory must be positive numbers, got {cpu_milis!r}, {memory!r}"
        )
    labels = value.get("labels") or {}
    if not isinstance(labels, dict) or not all(isinstance(v, str) for v in labels.values()):
        raise ConversionError(f"{where}: labels must map strings to strings")
    type_key = _infer_type(key, labels)
    known = NODE_TYPES.get(type_key)
    if cpu == "peersimgym":
        cores, frequency = 1, float(cpu_milis) * 1000
    else:
        if cpu_milis % 1000:
            raise ConversionError(
                f"{where}: cpu_milis {cpu_milis} is not a whole number of cores; PeersimGym's synthetic "
                "networks use cpu_milis as a speed figure: import with cpu='peersimgym' (--cpu peersimgym)"
            )
        cores = int(cpu_milis // 1000)
        if known is not None:
            frequency = known.frequency_hz
        elif frequency_hz is not None:
            frequency = frequency_hz
        else:
            raise ConversionError(
                f"{where}: type {type_key!r} is not in the node-type table, so its CPU frequency is unknown; "
                "pass frequency_hz (--frequency-hz) or cpu='peersimgym'"
            )
    if known is not None:
        role: Role = known.role
    elif labels.get(ETHER_TYPE_LABEL) in ETHER_TYPE_TO_ROLE:
        role = ETHER_TYPE_TO_ROLE[labels[ETHER_TYPE_LABEL]]
    else:
        raise ConversionError(
            f"{where}: cannot tell its role: type {type_key!r} is unknown and it has no "
            f"{ETHER_TYPE_LABEL} label"
        )
    coordinates = value.get("coordinates")
    position = None
    if isinstance(coordinates, list):
        if len(coordinates) != 2 or not all(_is_number(c) for c in coordinates):
            raise ConversionError(
                f"{where}: coordinates must be [x, y] numbers or 'N/A', got {coordinates!r}"
            )
        position = (float(coordinates[0]), float(coordinates[1]))
    elif coordinates not in (None, "N/A"):
        raise ConversionError(f"{where}: coordinates must be [x, y] numbers or 'N/A', got {coordinates!r}")
    arch = value.get("arch")
    node = ComputeNode(
        name=key,
        type=type_key,
        cores=cores,
        frequency_hz=frequency,
        memory_bytes=int(memory),
        role=role,
        agent=role in agent_roles,
        arch=None if arch in (None, "N/A") else str(arch),
        position_m=position,
        labels=dict(labels),
    )
    return value["id"], node


def _is_number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def read_peersimgym(
    path: str | Path,
    *,
    cpu: CpuMode = "ether",
    frequency_hz: float | None = None,
    agent_roles: Iterable[Role] = ("device", "edge"),
    name: str | None = None,
    allow_disconnected: bool = False,
) -> Topology:
    """Convert a PeersimGym Ether JSON file (see the module docstring for the mapping)."""
    path = Path(path)
    if cpu not in ("ether", "peersimgym"):
        raise ConversionError(f"cpu must be 'ether' or 'peersimgym', got {cpu!r}")
    roles = frozenset(check_role(r) for r in agent_roles)
    document = _read_json(path)
    try:
        return _convert_peersimgym(document, path, cpu, frequency_hz, roles, name, allow_disconnected)
    except TopologyError as e:
        raise _with_source(path, e) from None


def _convert_peersimgym(
    document: Any,
    path: Path,
    cpu: CpuMode,
    frequency_hz: float | None,
    agent_roles: frozenset[str],
    name: str | None,
    allow_disconnected: bool,
) -> Topology:
    if not isinstance(document, dict) or not isinstance(document.get("nodes"), dict):
        raise ConversionError("not a PeersimGym Ether file: expected an object with a 'nodes' object")
    links_part = document.get("links")
    if not isinstance(links_part, dict) or not isinstance(links_part.get("path_info"), list):
        raise ConversionError("not a PeersimGym Ether file: expected links.path_info (an array)")
    by_id: dict[str, str] = {}
    nodes = []
    for key, value in document["nodes"].items():
        node_id, node = _peersimgym_node(key, value, cpu, frequency_hz, agent_roles)
        if str(node_id) in by_id:
            raise ConversionError(f"nodes {by_id[str(node_id)]!r} and {key!r} share the id {node_id}")
        by_id[str(node_id)] = key
        nodes.append(node)

    def node_of(node_id: object, where: str) -> str:
        if str(node_id) not in by_id:
            raise ConversionError(f"{where}: unknown node id {node_id!r}")
        return by_id[str(node_id)]

    arcs: dict[tuple[str, str], tuple[float, float]] = {}
    repeated = 0
    for i, entry in enumerate(links_part["path_info"]):
        where = f"links.path_info[{i}]"
        if (
            not isinstance(entry, dict)
            or not {"source", "target", "min_bandwidth", "expected_rtt"} <= entry.keys()
        ):
            raise ConversionError(f"{where}: needs source, target, min_bandwidth and expected_rtt")
        pair = (node_of(entry["source"], where), node_of(entry["target"], where))
        bandwidth_mbps, rtt_ms = entry["min_bandwidth"], entry["expected_rtt"]
        if not _is_number(bandwidth_mbps) or bandwidth_mbps <= 0:
            raise ConversionError(
                f"{where} ({pair[0]} -> {pair[1]}): min_bandwidth must be > 0, got {bandwidth_mbps!r}"
            )
        if not _is_number(rtt_ms) or rtt_ms < 0:
            raise ConversionError(
                f"{where} ({pair[0]} -> {pair[1]}): expected_rtt must be >= 0, got {rtt_ms!r}"
            )
        values = (float(bandwidth_mbps) * 1e6, round(float(rtt_ms) / 2 / 1000, 12))
        if pair in arcs:
            if arcs[pair] != values:
                raise ConversionError(
                    f"{where}: {pair[0]} -> {pair[1]} is listed twice with different values"
                )
            repeated += 1
            continue
        arcs[pair] = values
    neighbours = links_part.get("neighbours", {})
    if not isinstance(neighbours, dict):
        raise ConversionError("links.neighbours must be an object of id -> [ids]")
    repeated_neighbours = 0
    for source_id, targets in neighbours.items():
        source = node_of(source_id, f"links.neighbours[{source_id!r}]")
        if not isinstance(targets, list):
            raise ConversionError(f"links.neighbours[{source_id!r}] must be an array of ids")
        seen = set()
        for target_id in targets:
            target = node_of(target_id, f"links.neighbours[{source_id!r}]")
            if target in seen:
                repeated_neighbours += 1
                continue
            seen.add(target)
            if (source, target) not in arcs:
                raise ConversionError(
                    f"links.neighbours lists {source} -> {target} but links.path_info has no entry for that "
                    "pair, so its bandwidth and latency are unknown"
                )
    if repeated or repeated_neighbours:
        warnings.warn(
            f"{path}: {repeated_neighbours} repeated neighbour entries and {repeated} repeated path_info "
            "entries (identical values) were read once",
            TopologyWarning,
            stacklevel=3,
        )
    links = []
    merged: set[tuple[str, str]] = set()
    for (a, b), (bandwidth, latency) in arcs.items():
        if arcs.get((b, a)) == (bandwidth, latency):
            if (b, a) in merged:
                continue
            merged.add((a, b))
            links.append(Link(a, b, bandwidth, latency, directed=False, kind="path"))
        else:
            links.append(Link(a, b, bandwidth, latency, directed=True, kind="path"))
    topology = Topology(
        name=name or path.stem,
        compute_nodes=tuple(nodes),
        switches=(),
        links=tuple(links),
        provenance={"importer": "peersimgym", "file": path.name, "cpu": cpu},
    )
    check_connected(topology, allow_disconnected=allow_disconnected)
    return topology


# --- networkx ----------------------------------------------------------------------------------------------


def to_networkx(topology: Topology) -> nx.Graph:
    """``topology`` as a networkx graph with scalar attributes only (so GraphML can hold it).

    A ``Graph`` when every link is undirected, else a ``DiGraph`` in which an undirected link is two arcs
    marked ``directed=False``. Route matrices are not carried (recompute them after reading).
    """
    directed = any(link.directed for link in topology.links)
    graph: nx.Graph = nx.DiGraph() if directed else nx.Graph()
    graph.graph["name"] = topology.name
    graph.graph["latency_distributions"] = json.dumps(
        {name: d.to_json() for name, d in topology.latency_distributions.items()}
    )
    graph.graph["provenance"] = json.dumps(dict(topology.provenance))
    for node in topology.compute_nodes:
        attrs: dict[str, Any] = {
            "kind": "compute",
            "type": node.type,
            "role": node.role,
            "agent": node.agent,
            "cores": node.cores,
            "frequency_hz": float(node.frequency_hz),
            "memory_bytes": node.memory_bytes,
            "labels": json.dumps(dict(node.labels)),
        }
        if node.arch is not None:
            attrs["arch"] = node.arch
        if node.position_m is not None:
            attrs["position_x_m"], attrs["position_y_m"] = (float(v) for v in node.position_m)
        graph.add_node(node.name, **attrs)
    for switch in topology.switches:
        attrs = {"kind": "switch", "switch_kind": switch.kind}
        if switch.bandwidth_bps is not None:
            attrs["bandwidth_bps"] = float(switch.bandwidth_bps)
        graph.add_node(switch.name, **attrs)
    for index, link in enumerate(topology.links):
        attrs = {
            # Position and orientation in the file, so a round trip keeps link order (it breaks route ties).
            "link_index": index,
            "link_source": link.source,
            "bandwidth_bps": float(link.bandwidth_bps),
            "latency_s": float(link.latency_s),
            "kind": link.kind,
            "directed": link.directed,
        }
        if link.latency_distribution is not None:
            attrs["latency_distribution"] = link.latency_distribution
        graph.add_edge(link.source, link.target, **attrs)
        if directed and not link.directed:
            graph.add_edge(link.target, link.source, **attrs)
    return graph


def _json_attr(value: Any, where: str) -> Any:
    if isinstance(value, str):
        try:
            return parse_json(value)
        except TopologyError as e:
            raise ConversionError(f"{where}: {e}") from None
    return value


_COMPUTE_ATTRS = {"type", "cores", "frequency_hz", "memory_bytes"}


def _graph_node(name: str, attrs: Mapping[str, Any], agent_roles: frozenset[str]) -> ComputeNode | Switch:
    kind = attrs.get("kind")
    if kind not in (None, "compute", "switch"):
        raise ConversionError(f"node {name!r}: kind must be 'compute' or 'switch', got {kind!r}")
    is_compute = kind == "compute" or (kind is None and bool(_COMPUTE_ATTRS & attrs.keys()))
    if not is_compute:
        bandwidth = attrs.get("bandwidth_bps")
        return Switch(name=name, kind=str(attrs.get("switch_kind", "router")), bandwidth_bps=bandwidth)
    type_key = attrs.get("type")
    if not isinstance(type_key, str):
        raise ConversionError(f"node {name!r}: a compute node needs a 'type' attribute")
    spec = NODE_TYPES.get(type_key)
    missing = [a for a in ("cores", "frequency_hz", "memory_bytes") if a not in attrs]
    if spec is None and missing:
        raise ConversionError(
            f"node {name!r}: type {type_key!r} is not in the node-type table, so it needs "
            f"{', '.join(missing)}"
        )
    role = attrs.get("role", spec.role if spec is not None else None)
    if role is None:
        raise ConversionError(
            f"node {name!r}: type {type_key!r} is not in the node-type table, so it needs 'role'"
        )
    has_x, has_y = "position_x_m" in attrs, "position_y_m" in attrs
    if has_x != has_y:
        raise ConversionError(f"node {name!r}: position_x_m and position_y_m must come together")
    position = (float(attrs["position_x_m"]), float(attrs["position_y_m"])) if has_x else None
    labels = _json_attr(attrs["labels"], f"node {name!r} labels") if "labels" in attrs else None
    table: dict[str, Any] = (
        {"cores": spec.cores, "frequency_hz": spec.frequency_hz, "memory_bytes": spec.memory_bytes}
        if spec is not None
        else {}
    )
    values = {key: attrs.get(key, table.get(key)) for key in ("cores", "frequency_hz", "memory_bytes")}
    return ComputeNode(
        name=name,
        type=type_key,
        cores=_whole(values["cores"], f"node {name!r}: cores"),
        frequency_hz=float(values["frequency_hz"]),
        memory_bytes=_whole(values["memory_bytes"], f"node {name!r}: memory_bytes"),
        role=role,
        agent=bool(attrs["agent"]) if "agent" in attrs else role in agent_roles,
        arch=attrs.get("arch", spec.arch if spec is not None else None),
        position_m=position,
        labels=labels if labels is not None else (dict(spec.labels) if spec is not None else {}),
    )


def _whole(value: Any, what: str) -> int:
    # GraphML may hand back 4.0 for an integer attribute; a fractional value is an error, not truncated.
    if isinstance(value, bool) or not isinstance(value, (int, float)) or float(value) != int(value):
        raise ConversionError(f"{what} must be an integer, got {value!r}")
    return int(value)


def _edge_value(
    attrs: Mapping[str, Any], where: str, ours: str, ether: str, scale: float, default: float | None
) -> float:
    if ours in attrs:
        return float(attrs[ours])
    if ether in attrs:
        return float(attrs[ether]) * scale
    if default is not None:
        return default
    hint = (
        "; it has 'weight', which Ether ignores (gcloudping): rename it to 'latency' (ms) if it is one"
        if ours == "latency_s" and "weight" in attrs
        else ""
    )
    raise ConversionError(f"{where}: no {ours} (or {ether}) attribute and no default given{hint}")


def from_networkx(
    graph: nx.Graph,
    *,
    name: str | None = None,
    default_bandwidth_bps: float | None = None,
    default_latency_s: float | None = None,
    agent_roles: Iterable[Role] = ("device", "edge"),
    allow_disconnected: bool = False,
) -> Topology:
    """Convert a networkx graph (see the module docstring for the attribute rules)."""
    roles = frozenset(check_role(r) for r in agent_roles)
    names = {node: node if isinstance(node, str) else str(node) for node in graph.nodes}
    vertices = [_graph_node(names[n], attrs, roles) for n, attrs in graph.nodes(data=True)]
    links: list[tuple[int, Link]] = []
    pending: dict[frozenset[str], tuple[tuple[str, str], dict[str, Any]]] = {}
    for position, (u, v, attrs) in enumerate(graph.edges(data=True)):
        arc = (names[u], names[v])
        one_way = graph.is_directed() and attrs.get("directed", True) is not False
        a, b = arc
        if not one_way and attrs.get("link_source") == b:
            a, b = b, a
        where = f"edge {a} - {b}"
        bandwidth = _edge_value(attrs, where, "bandwidth_bps", "bandwidth", 1e6, default_bandwidth_bps)
        latency = _edge_value(attrs, where, "latency_s", "latency", 1e-3, default_latency_s)
        link = Link(
            a,
            b,
            bandwidth,
            latency,
            directed=one_way,
            kind=str(attrs.get("kind", "link")),
            latency_distribution=attrs.get("latency_distribution"),
        )
        if graph.is_directed() and not one_way:
            # An undirected link stored as two arcs: keep it once, and only if both halves agree.
            key = frozenset(arc)
            if key in pending:
                if pending.pop(key)[1] != dict(attrs):
                    raise ConversionError(
                        f"{where}: the two arcs of an undirected link carry different attributes"
                    )
                continue
            pending[key] = (arc, dict(attrs))
        links.append((int(attrs.get("link_index", position)), link))
    if pending:
        (a, b), _ = next(iter(pending.values()))
        raise ConversionError(
            f"edge {a} - {b} is marked directed=false but its reverse arc {b} -> {a} is missing"
        )
    distributions_json = _json_attr(
        graph.graph.get("latency_distributions", "{}"), "graph latency_distributions"
    )
    distributions = {
        key: LogNormal(key, float(d["s"]), float(d["loc_s"]), float(d["scale_s"]))
        for key, d in dict(distributions_json).items()
    }
    provenance = _json_attr(graph.graph.get("provenance", "{}"), "graph provenance")
    topology = Topology(
        name=name or str(graph.graph.get("name") or "topology"),
        compute_nodes=tuple(v for v in vertices if isinstance(v, ComputeNode)),
        switches=tuple(v for v in vertices if isinstance(v, Switch)),
        links=tuple(link for _, link in sorted(links, key=lambda item: item[0])),
        latency_distributions=distributions,
        provenance=dict(provenance),
    )
    check_connected(topology, allow_disconnected=allow_disconnected)
    return topology


def write_node_link(topology: Topology, path: str | Path) -> None:
    """Write ``topology`` as networkx node-link JSON."""
    data = nx.node_link_data(to_networkx(topology), edges="edges")
    Path(path).write_text(json.dumps(data, indent=1, allow_nan=False) + "\n", encoding="utf-8")


def _node_link_graph(path: Path) -> nx.Graph:
    data = _read_json(path)
    if not isinstance(data, dict) or "nodes" not in data:
        raise ConversionError(f"{path}: not node-link JSON: expected an object with 'nodes'")
    # networkx before 3.4 wrote the edge list under "links".
    edges_key = "edges" if "edges" in data else "links"
    try:
        graph: nx.Graph = nx.node_link_graph(data, edges=edges_key)
    except (KeyError, TypeError, nx.NetworkXError) as e:
        raise ConversionError(f"{path}: malformed node-link JSON: {e}") from None
    return graph


def read_node_link(path: str | Path, **options: Any) -> Topology:
    """Read networkx node-link JSON; ``options`` are those of :func:`from_networkx`."""
    path = Path(path)
    try:
        return from_networkx(_node_link_graph(path), **options)
    except TopologyError as e:
        raise _with_source(path, e) from None


def write_graphml(topology: Topology, path: str | Path) -> None:
    """Write ``topology`` as GraphML."""
    nx.write_graphml(to_networkx(topology), str(path))


def _graphml_graph(path: Path) -> nx.Graph:
    try:
        graph: nx.Graph = nx.read_graphml(str(path))
    except OSError as e:
        raise ConversionError(f"{path}: cannot read: {e.strerror or e}") from None
    except Exception as e:  # the XML parser and networkx raise several unrelated types
        raise ConversionError(f"{path}: not readable GraphML: {e}") from None
    return graph


def read_graphml(path: str | Path, **options: Any) -> Topology:
    """Read GraphML; ``options`` are those of :func:`from_networkx`."""
    path = Path(path)
    try:
        return from_networkx(_graphml_graph(path), **options)
    except TopologyError as e:
        raise _with_source(path, e) from None


def read_graph(path: str | Path, **options: Any) -> Topology:
    """Read node-link JSON (``.json``) or GraphML (``.graphml``, ``.xml``) by the file's suffix."""
    path = Path(path)
    if path.suffix.lower() == ".json":
        return read_node_link(path, **options)
    if path.suffix.lower() in (".graphml", ".xml"):
        return read_graphml(path, **options)
    raise ConversionError(
        f"{path}: unknown graph file suffix {path.suffix!r}; expected .json, .graphml or .xml"
    )


def read_inet_graph(path: str | Path) -> InetGraph:
    """An inter-region latency graph like Ether's ``inet/*.graphml`` (``latency`` in ms, or ``latency_s``)."""
    path = Path(path)
    graph = _node_link_graph(path) if path.suffix.lower() == ".json" else _graphml_graph(path)
    regions = tuple(str(n) for n in graph.nodes)
    arcs = []
    for u, v, attrs in graph.edges(data=True):
        try:
            latency = _edge_value(attrs, f"edge {u} - {v}", "latency_s", "latency", 1e-3, None)
        except TopologyError as e:
            raise _with_source(path, e) from None
        if not math.isfinite(latency) or latency < 0:
            raise ConversionError(f"{path}: edge {u} - {v}: latency must be >= 0, got {latency}")
        arcs.append((str(u), str(v), round(latency, 12)))
    return InetGraph(regions=regions, arcs=tuple(arcs), directed=graph.is_directed(), source=path.name)
