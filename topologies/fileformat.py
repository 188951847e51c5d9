"""The topology file: JSON, ``"format": "pygym-topology"``, ``"version": 1``; writer, loader, validation.

The published JSON Schema is ``topologies/schema/topology-v1.schema.json`` and ``topologies/FORMAT.md``
describes every field; this module is the reference implementation of both. Units are in the field names:
``bandwidth_bps`` (bit/s), ``latency_s`` (seconds, one way), ``frequency_hz``, ``memory_bytes``,
``position_m`` (metres).

Writing is deterministic: one topology gives the same bytes every time (fixed key order, shortest
round-trip float repr, integral floats written as integers, one array element per line). Loading checks
everything and raises a :class:`~topologies.errors.TopologyError` subclass naming the file, the element
(``links[12] (rpi3_0 -- switch_lan_0)``) and the rule it breaks: unknown or missing fields, wrong types,
duplicate JSON keys, NaN, duplicate names, unknown link endpoints, non-positive bandwidths, negative
latencies, duplicate links, disconnected compute nodes, and route matrices that disagree with the links.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Sequence
from importlib import resources
from pathlib import Path
from typing import Any, cast

import numpy as np

from topologies.errors import (
    InvalidValueError,
    RouteMatrixError,
    TopologyError,
    TopologyFormatError,
)
from topologies.latency import LogNormal
from topologies.limits import MAX_BANDWIDTH_BPS, MAX_JSON_DEPTH, MAX_LATENCY_S, MIN_BANDWIDTH_BPS
from topologies.model import (
    ROUTING_MODES,
    ComputeNode,
    Link,
    RouteMatrix,
    RoutingMode,
    Switch,
    Topology,
    check_connected,
)

FORMAT = "pygym-topology"
VERSION = 1
SCHEMA_FILE = "topology-v1.schema.json"

# Relative and absolute tolerance when a file's route matrices are checked against its links.
ROUTE_TOLERANCE = 1e-9


def schema_text() -> str:
    """The published JSON Schema of format version 1, as text."""
    resource = resources.files("topologies").joinpath("schema", SCHEMA_FILE)
    try:
        return resource.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise TopologyError(
            f"the schema file topologies/schema/{SCHEMA_FILE} is not installed with this package; "
            "its distribution must list it as package data"
        ) from None


def schema() -> dict[str, Any]:
    """The published JSON Schema of format version 1."""
    parsed: dict[str, Any] = json.loads(schema_text())
    return parsed


def _number(value: float) -> float | int:
    # Integral floats are written as integers (125000000, not 125000000.0) so files read naturally.
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return int(value)
    return value


def _node_document(node: ComputeNode) -> dict[str, Any]:
    return {
        "name": node.name,
        "type": node.type,
        "role": node.role,
        "agent": node.agent,
        "cores": node.cores,
        "frequency_hz": _number(node.frequency_hz),
        "memory_bytes": node.memory_bytes,
        "arch": node.arch,
        "position_m": None if node.position_m is None else [_number(v) for v in node.position_m],
        "labels": dict(node.labels),
    }


def _switch_document(switch: Switch) -> dict[str, Any]:
    bandwidth = None if switch.bandwidth_bps is None else _number(switch.bandwidth_bps)
    return {"name": switch.name, "kind": switch.kind, "bandwidth_bps": bandwidth}


def _link_document(link: Link) -> dict[str, Any]:
    return {
        "source": link.source,
        "target": link.target,
        "directed": link.directed,
        "bandwidth_bps": _number(link.bandwidth_bps),
        "latency_s": _number(link.latency_s),
        "kind": link.kind,
        "latency_distribution": link.latency_distribution,
    }


def _routes_document(routes: RouteMatrix) -> dict[str, Any]:
    latency = [
        [None if not math.isfinite(v) else _number(float(v)) for v in row]
        for row in routes.latency_s.tolist()
    ]
    bottleneck = [
        [None if i == j or not math.isfinite(v) or v <= 0 else _number(float(v)) for j, v in enumerate(row)]
        for i, row in enumerate(routes.bottleneck_bps.tolist())
    ]
    hops = [[int(v) for v in row] for row in routes.hops.tolist()]
    return {
        "routing": routes.routing,
        "nodes": list(routes.nodes),
        "latency_s": latency,
        "bottleneck_bps": bottleneck,
        "hops": hops,
    }


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return _number(value) if isinstance(value, float) else value


def to_document(topology: Topology) -> dict[str, Any]:
    """The JSON document of ``topology`` as plain Python objects (what :func:`dumps` writes)."""
    return {
        "format": FORMAT,
        "version": VERSION,
        "name": topology.name,
        "provenance": _plain(dict(topology.provenance)),
        "latency_distributions": {name: d.to_json() for name, d in topology.latency_distributions.items()},
        "compute_nodes": [_node_document(n) for n in topology.compute_nodes],
        "switches": [_switch_document(s) for s in topology.switches],
        "links": [_link_document(link) for link in topology.links],
        "routes": None if topology.routes is None else _routes_document(topology.routes),
    }


def _one_line(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, allow_nan=False)


def _array_lines(items: Sequence[Any], indent: str) -> list[str]:
    return [f"{indent}{_one_line(item)}{',' if i < len(items) - 1 else ''}" for i, item in enumerate(items)]


def dumps(topology: Topology) -> str:
    """The file text of ``topology``: valid JSON, one node, link or matrix row per line, byte-stable."""
    document = to_document(topology)
    keys = list(document)
    lines = ["{"]
    for k, key in enumerate(keys):
        value = document[key]
        comma = "," if k < len(keys) - 1 else ""
        if isinstance(value, list) and value:
            lines.append(f"  {_one_line(key)}: [")
            lines.extend(_array_lines(value, "    "))
            lines.append(f"  ]{comma}")
        elif key == "routes" and value is not None:
            lines.append('  "routes": {')
            lines.append(f'    "routing": {_one_line(value["routing"])},')
            lines.append(f'    "nodes": {_one_line(value["nodes"])},')
            matrices = ("latency_s", "bottleneck_bps", "hops")
            for m, matrix in enumerate(matrices):
                tail = "," if m < len(matrices) - 1 else ""
                if value[matrix]:
                    lines.append(f"    {_one_line(matrix)}: [")
                    lines.extend(_array_lines(value[matrix], "      "))
                    lines.append(f"    ]{tail}")
                else:
                    lines.append(f"    {_one_line(matrix)}: []{tail}")
            lines.append(f"  }}{comma}")
        else:
            lines.append(f"  {_one_line(key)}: {_one_line(value)}{comma}")
    lines.append("}")
    return "\n".join(lines) + "\n"


def save(topology: Topology, path: str | Path) -> None:
    """Write ``topology`` to ``path`` (UTF-8, ``\\n`` line ends)."""
    Path(path).write_text(dumps(topology), encoding="utf-8", newline="\n")


# --- reading -----------------------------------------------------------------------------------------------


def _reject_constant(name: str) -> float:
    raise TopologyFormatError(f"{name} is not a number JSON allows")


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise TopologyFormatError(f"an object has the key {key!r} twice")
        result[key] = value
    return result


_TOO_DEEP = f"arrays and objects nested deeper than {MAX_JSON_DEPTH} levels"


def _nesting(value: Any) -> int:
    """Levels of arrays and objects in ``value`` (0 for a scalar), without recursion."""
    deepest = 0
    pending = [(value, 1)]
    while pending:
        item, level = pending.pop()
        children = item.values() if isinstance(item, dict) else item if isinstance(item, list) else None
        if children is None:
            continue
        deepest = max(deepest, level)
        if deepest > MAX_JSON_DEPTH:
            break
        pending.extend((child, level + 1) for child in children if isinstance(child, (dict, list)))
    return deepest


def parse_json(text: str) -> Any:
    """``json.loads`` that rejects NaN/Infinity and duplicate keys instead of silently accepting them, and
    nesting deeper than :data:`~topologies.limits.MAX_JSON_DEPTH` (as the simulator's reader does)."""
    try:
        return json.loads(text, parse_constant=_reject_constant, object_pairs_hook=_unique_keys)
    except json.JSONDecodeError as e:
        raise TopologyFormatError(f"not valid JSON: {e}") from None
    except RecursionError:
        raise TopologyFormatError(_TOO_DEEP) from None


def _type_name(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    return "an object"


class _Object:
    """A JSON object being read, with its location for error messages."""

    def __init__(
        self, value: object, where: str, required: Sequence[str], optional: Sequence[str] = ()
    ) -> None:
        if not isinstance(value, dict):
            raise TopologyFormatError(f"{where} must be an object, got {_type_name(value)}")
        unknown = [k for k in value if k not in required and k not in optional]
        if unknown:
            allowed = ", ".join((*required, *optional))
            raise TopologyFormatError(f"{where}: unknown field(s) {', '.join(unknown)} (allowed: {allowed})")
        missing = [k for k in required if k not in value]
        if missing:
            raise TopologyFormatError(f"{where}: missing required field(s) {', '.join(missing)}")
        self.value: dict[str, Any] = value
        self.where = where

    def has(self, key: str) -> bool:
        return key in self.value and self.value[key] is not None

    def get(self, key: str, check: Callable[[Any], bool], expected: str, default: Any = None) -> Any:
        if key not in self.value:
            return default
        value = self.value[key]
        if not check(value):
            raise TopologyFormatError(
                f"{self.where}: {key} must be {expected}, got {_type_name(value)} {value!r}"
            )
        return value

    def string(self, key: str, default: str | None = None) -> str:
        value: str = self.get(key, lambda v: isinstance(v, str), "a string", default)
        return value

    def optional_string(self, key: str) -> str | None:
        value: str | None = self.get(key, lambda v: v is None or isinstance(v, str), "a string or null")
        return value

    def number(self, key: str, default: float | None = None) -> float:
        value = self.get(key, _is_number, "a number", default)
        return float(value)

    def optional_number(self, key: str) -> float | None:
        value = self.get(key, lambda v: v is None or _is_number(v), "a number or null")
        return None if value is None else float(value)

    def integer(self, key: str) -> int:
        value: int = self.get(key, _is_integer, "an integer")
        return int(value)

    def boolean(self, key: str, default: bool | None = None) -> bool:
        value: bool = self.get(key, lambda v: isinstance(v, bool), "true or false", default)
        return value

    def array(self, key: str, default: list[Any] | None = None) -> list[Any]:
        value: list[Any] = self.get(key, lambda v: isinstance(v, list), "an array", default)
        return value

    def mapping(self, key: str) -> dict[str, Any]:
        value: dict[str, Any] = self.get(key, lambda v: isinstance(v, dict), "an object", {})
        return value


def _is_number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _is_integer(value: object) -> bool:
    if isinstance(value, bool):
        return False
    return isinstance(value, int) or (isinstance(value, float) and value.is_integer())


def _located(where: str, build: Callable[[], Any]) -> Any:
    try:
        return build()
    except InvalidValueError as e:
        raise InvalidValueError(f"{where}: {e}") from None


def _read_distribution(name: str, value: object) -> LogNormal:
    where = f"latency_distributions[{name!r}]"
    obj = _Object(value, where, ("family", "s", "loc_s", "scale_s"))
    family = obj.string("family")
    if family != "lognormal":
        raise TopologyFormatError(f"{where}: family must be 'lognormal', got {family!r}")
    return _located(
        where, lambda: LogNormal(name, obj.number("s"), obj.number("loc_s"), obj.number("scale_s"))
    )


_NODE_FIELDS = ("name", "type", "role", "agent", "cores", "frequency_hz", "memory_bytes")
_NODE_OPTIONAL = ("arch", "position_m", "labels")


def _read_node(i: int, value: object) -> ComputeNode:
    name = value.get("name") if isinstance(value, dict) else None
    where = f"compute_nodes[{i}]" + (f" ({name})" if isinstance(name, str) else "")
    obj = _Object(value, where, _NODE_FIELDS, _NODE_OPTIONAL)
    position = obj.get(
        "position_m",
        lambda v: v is None or (isinstance(v, list) and len(v) == 2 and all(_is_number(x) for x in v)),
        "[x, y] (numbers, metres) or null",
    )
    labels = obj.mapping("labels")
    for key, label in labels.items():
        if not isinstance(label, str):
            raise TopologyFormatError(f"{where}: labels[{key!r}] must be a string, got {_type_name(label)}")
    return _located(
        where,
        lambda: ComputeNode(
            name=obj.string("name"),
            type=obj.string("type"),
            cores=obj.integer("cores"),
            frequency_hz=obj.number("frequency_hz"),
            memory_bytes=obj.integer("memory_bytes"),
            role=obj.string("role"),  # type: ignore[arg-type]
            agent=obj.boolean("agent"),
            arch=obj.optional_string("arch"),
            position_m=None if position is None else (float(position[0]), float(position[1])),
            labels=labels,
        ),
    )


def _read_switch(i: int, value: object) -> Switch:
    name = value.get("name") if isinstance(value, dict) else None
    where = f"switches[{i}]" + (f" ({name})" if isinstance(name, str) else "")
    obj = _Object(value, where, ("name", "kind"), ("bandwidth_bps",))
    return _located(
        where,
        lambda: Switch(
            name=obj.string("name"),
            kind=obj.string("kind"),
            bandwidth_bps=obj.optional_number("bandwidth_bps"),
        ),
    )


def _read_link(i: int, value: object) -> Link:
    ends = (value.get("source"), value.get("target")) if isinstance(value, dict) else (None, None)
    where = f"links[{i}]" + (f" ({ends[0]} - {ends[1]})" if all(isinstance(e, str) for e in ends) else "")
    obj = _Object(
        value,
        where,
        ("source", "target", "bandwidth_bps", "latency_s"),
        ("directed", "kind", "latency_distribution"),
    )
    return _located(
        where,
        lambda: Link(
            source=obj.string("source"),
            target=obj.string("target"),
            bandwidth_bps=obj.number("bandwidth_bps"),
            latency_s=obj.number("latency_s"),
            directed=obj.boolean("directed", False),
            kind=obj.string("kind", "link"),
            latency_distribution=obj.optional_string("latency_distribution"),
        ),
    )


def _matrix(obj: _Object, key: str, n: int, cell: Callable[[int, int, Any], float]) -> np.ndarray:
    rows = obj.array(key)
    if len(rows) != n or any(not isinstance(r, list) or len(r) != n for r in rows):
        raise RouteMatrixError(f"routes.{key} must be {n} rows of {n} entries (one per compute node)")
    return np.array([[cell(i, j, v) for j, v in enumerate(row)] for i, row in enumerate(rows)], dtype=float)


def _read_routes(value: object, links: int) -> RouteMatrix:
    obj = _Object(value, "routes", ("routing", "nodes", "latency_s", "bottleneck_bps", "hops"))
    routing = obj.string("routing")
    if routing not in ROUTING_MODES:
        raise RouteMatrixError(f"routes.routing must be one of {', '.join(ROUTING_MODES)}, got {routing!r}")
    nodes = obj.array("nodes")
    if any(not isinstance(v, str) for v in nodes):
        raise RouteMatrixError("routes.nodes must be an array of compute node names")
    n = len(nodes)

    def pair(i: int, j: int) -> str:
        return f"[{nodes[i]}][{nodes[j]}]"

    def latency_cell(i: int, j: int, v: Any) -> float:
        if v is None:
            if i == j:
                raise RouteMatrixError(f"routes.latency_s{pair(i, j)} must be 0, got null")
            return math.inf
        if not _is_number(v) or v < 0 or (i == j and v != 0):
            raise RouteMatrixError(
                f"routes.latency_s{pair(i, j)} must be {'0' if i == j else 'a number >= 0 or null'}, "
                f"got {v!r}"
            )
        return float(v)

    def bottleneck_cell(i: int, j: int, v: Any) -> float:
        if v is None:
            return math.inf if i == j else 0.0
        if i == j or not _is_number(v) or not MIN_BANDWIDTH_BPS <= v <= MAX_BANDWIDTH_BPS:
            expected = (
                "null" if i == j else f"a number in [{MIN_BANDWIDTH_BPS:g}, {MAX_BANDWIDTH_BPS:g}] or null"
            )
            raise RouteMatrixError(f"routes.bottleneck_bps{pair(i, j)} must be {expected}, got {v!r}")
        return float(v)

    def hops_cell(i: int, j: int, v: Any) -> float:
        if not _is_integer(v) or (i == j and v != 0) or (i != j and v != -1 and not 1 <= v <= links):
            expected = (
                "0" if i == j else f"an integer in [1, {links}] (the file's links), or -1 when unreachable"
            )
            raise RouteMatrixError(f"routes.hops{pair(i, j)} must be {expected}, got {v!r}")
        return float(v)

    latency = _matrix(obj, "latency_s", n, latency_cell)
    bottleneck = _matrix(obj, "bottleneck_bps", n, bottleneck_cell)
    hops = _matrix(obj, "hops", n, hops_cell).astype(np.int64)
    unreachable = np.isinf(latency)
    too_long = ~unreachable & (latency > np.maximum(hops, 0) * MAX_LATENCY_S)
    if too_long.any():
        i, j = np.argwhere(too_long)[0]
        raise RouteMatrixError(
            f"routes.latency_s{pair(int(i), int(j))} = {float(latency[i, j])!r} exceeds hops x "
            f"{MAX_LATENCY_S:g} s ({hops[i, j]} x {MAX_LATENCY_S:g}): "
            f"no link is slower than {MAX_LATENCY_S:g} s"
        )
    if not (np.array_equal(unreachable, hops < 0) and np.array_equal(unreachable, bottleneck == 0)):
        i, j = np.argwhere((unreachable != (hops < 0)) | (unreachable != (bottleneck == 0)))[0]
        raise RouteMatrixError(
            f"routes{pair(int(i), int(j))}: latency_s, bottleneck_bps and hops disagree on whether the "
            "pair is reachable (null, null and -1 go together)"
        )
    return RouteMatrix(
        routing=cast(RoutingMode, routing),
        nodes=tuple(nodes),
        latency_s=latency,
        bottleneck_bps=bottleneck,
        hops=hops,
    )


def verify_routes(topology: Topology) -> None:
    """Check the topology's stored route matrices against routes recomputed from its links."""
    stored = topology.routes
    if stored is None:
        return
    from topologies.routing import route_matrix

    fresh = route_matrix(topology, stored.routing)
    names = stored.nodes
    bad_hops = np.argwhere(stored.hops != fresh.hops)
    if len(bad_hops):
        i, j = bad_hops[0]
        raise RouteMatrixError(
            f"routes.hops[{names[i]}][{names[j]}] = {stored.hops[i, j]} but {stored.routing} routing "
            f"over the links gives {fresh.hops[i, j]}"
        )
    for key in ("latency_s", "bottleneck_bps"):
        a, b = getattr(stored, key), getattr(fresh, key)
        same = (a == b) | np.isclose(
            a, b, rtol=ROUTE_TOLERANCE, atol=ROUTE_TOLERANCE if key == "latency_s" else 0
        )
        bad = np.argwhere(~same)
        if len(bad):
            i, j = bad[0]
            raise RouteMatrixError(
                f"routes.{key}[{names[i]}][{names[j]}] = {a[i, j]:.12g} but {stored.routing} routing "
                f"over the links gives {b[i, j]:.12g}"
            )


def from_document(document: object, *, verify: bool = True, allow_disconnected: bool = False) -> Topology:
    """Build and validate a topology from a parsed JSON document (see :func:`load` for the checks)."""
    top = _Object(
        document,
        "the document",
        ("format", "version", "compute_nodes", "switches", "links"),
        ("name", "provenance", "latency_distributions", "routes"),
    )
    if top.value["format"] != FORMAT:
        raise TopologyFormatError(f"format must be {FORMAT!r}, got {top.value['format']!r}")
    version = top.value["version"]
    if not _is_integer(version) or version != VERSION:
        raise TopologyFormatError(
            f"version {version!r} is not supported; this reader knows version {VERSION}"
        )
    if _nesting(top.value.get("provenance")) + 1 > MAX_JSON_DEPTH:
        raise TopologyFormatError(f"provenance: {_TOO_DEEP}")
    distributions = {
        name: _read_distribution(name, v) for name, v in top.mapping("latency_distributions").items()
    }
    nodes = tuple(_read_node(i, v) for i, v in enumerate(top.array("compute_nodes")))
    switches = tuple(_read_switch(i, v) for i, v in enumerate(top.array("switches")))
    links = tuple(_read_link(i, v) for i, v in enumerate(top.array("links")))
    links_value = top.value["links"]
    routes = (
        _read_routes(top.value["routes"], len(links_value) if isinstance(links_value, list) else 0)
        if top.has("routes")
        else None
    )
    topology = Topology(
        name=top.string("name", "topology"),
        compute_nodes=nodes,
        switches=switches,
        links=links,
        latency_distributions=distributions,
        routes=routes,
        provenance=top.mapping("provenance"),
    )
    check_connected(topology, allow_disconnected=allow_disconnected)
    if verify:
        verify_routes(topology)
    return topology


def loads(
    text: str, *, source: str = "<string>", verify: bool = True, allow_disconnected: bool = False
) -> Topology:
    """Parse and validate topology file text; errors start with ``source``."""
    try:
        return from_document(parse_json(text), verify=verify, allow_disconnected=allow_disconnected)
    except TopologyError as e:
        raise type(e)(f"{source}: {e}") from None


def load(path: str | Path, *, verify: bool = True, allow_disconnected: bool = False) -> Topology:
    """Load and validate a topology file; the simulator side calls this before starting a JVM.

    Raises a :class:`~topologies.errors.TopologyError` subclass whose message starts with the path and
    names the element and the rule broken. ``verify`` recomputes stored route matrices and compares them
    with the file (error on disagreement); ``allow_disconnected`` turns a disconnected network from an
    error into a :class:`~topologies.errors.TopologyWarning`.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as e:
        raise TopologyFormatError(f"{path}: cannot read: {e.strerror or e}") from None
    except UnicodeDecodeError as e:
        raise TopologyFormatError(f"{path}: not UTF-8 text: {e}") from None
    return loads(text, source=str(path), verify=verify, allow_disconnected=allow_disconnected)
