"""Drawing a topology with matplotlib: roles coloured, switches grey, links weighted by bandwidth.

Layouts:

- ``tree``: a radial tree around the backbone (or the best-connected switch) with each subtree given an
  angle proportional to its leaves, so Ether's cells, boxes and racks appear as fans; the default for
  topologies with switches;
- ``positions``: the compute nodes' ``position_m`` (every compute node needs one; switches sit at the mean of
  their neighbours); the default for flat topologies whose nodes all have positions;
- ``spring``: networkx's force-directed layout, seeded (below 500 vertices; above that networkx needs scipy).

The figure is built with matplotlib's object API on the Agg canvas, so plotting never touches pyplot's
global state or needs a display.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from pathlib import Path
from typing import Literal

import networkx as nx
from matplotlib import colormaps
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import LogNorm
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from topologies.errors import ParameterError
from topologies.model import Topology

Layout = Literal["auto", "tree", "positions", "spring"]
LAYOUTS = ("auto", "tree", "positions", "spring")

ROLE_COLOURS = {"device": "#4C72B0", "edge": "#55A868", "cloud": "#C44E52"}
SWITCH_COLOUR = "#9A9A9A"
BACKBONE_COLOUR = "#4D4D4D"
LABEL_LIMIT = 80
"""Vertex names are drawn when the topology has at most this many vertices (unless told otherwise)."""

Positions = dict[str, tuple[float, float]]


def _undirected(topology: Topology) -> nx.Graph:
    graph = nx.Graph()
    graph.add_nodes_from(n.name for n in topology.compute_nodes)
    graph.add_nodes_from(s.name for s in topology.switches)
    for link in topology.links:
        if graph.has_edge(link.source, link.target):
            # Up- and downlink pairs are drawn once, at the slower direction's bandwidth.
            edge = graph.edges[link.source, link.target]
            edge["bandwidth_bps"] = min(edge["bandwidth_bps"], link.bandwidth_bps)
            edge["latency_s"] = max(edge["latency_s"], link.latency_s)
        else:
            graph.add_edge(
                link.source, link.target, bandwidth_bps=link.bandwidth_bps, latency_s=link.latency_s
            )
    return graph


def _root(topology: Topology, component: set[str], graph: nx.Graph) -> str:
    backbone = [s.name for s in topology.switches if s.kind == "backbone" and s.name in component]
    candidates = backbone or [s.name for s in topology.switches if s.name in component] or sorted(component)
    return max(candidates, key=lambda v: (graph.degree(v), -candidates.index(v)))


def tree_layout(topology: Topology) -> Positions:
    """Radial tree positions for every vertex (components side by side)."""
    graph = _undirected(topology)
    positions: Positions = {}
    offset = 0.0
    for component in sorted(nx.connected_components(graph), key=lambda c: -len(c)):
        root = _root(topology, component, graph)
        tree = nx.bfs_tree(graph, root)
        leaves: dict[str, int] = {}
        for vertex in nx.dfs_postorder_nodes(tree, root):
            leaves[vertex] = sum(leaves[c] for c in tree.successors(vertex)) or 1
        depth_max = 1
        stack = [(root, 0.0, 2 * math.pi, 0)]
        while stack:
            vertex, start, span, depth = stack.pop()
            depth_max = max(depth_max, depth)
            angle = start + span / 2
            positions[vertex] = (offset + depth * math.cos(angle), depth * math.sin(angle))
            cursor = start
            for child in tree.successors(vertex):
                share = span * leaves[child] / leaves[vertex]
                stack.append((child, cursor, share, depth + 1))
                cursor += share
        offset += 2 * depth_max + 1
    return positions


def position_layout(topology: Topology) -> Positions:
    """Compute nodes at ``position_m``; switches at the mean position of their compute neighbours."""
    missing = [n.name for n in topology.compute_nodes if n.position_m is None]
    if missing:
        raise ParameterError(
            f"layout 'positions' needs position_m on every compute node; {len(missing)} have none "
            f"(first: {missing[0]!r}); use the tree or spring layout"
        )
    positions: Positions = {n.name: n.position_m for n in topology.compute_nodes if n.position_m is not None}
    graph = _undirected(topology)
    pending = [s.name for s in topology.switches]
    # Switches inherit positions from placed neighbours, outward from the compute nodes.
    while pending:
        placed_now = []
        for switch in pending:
            around = [positions[v] for v in graph.neighbors(switch) if v in positions]
            if around:
                positions[switch] = (
                    sum(p[0] for p in around) / len(around),
                    sum(p[1] for p in around) / len(around),
                )
                placed_now.append(switch)
        if not placed_now:
            for switch in pending:
                positions[switch] = (0.0, 0.0)
            break
        pending = [s for s in pending if s not in positions]
    return positions


def spring_layout(topology: Topology, seed: int = 0) -> Positions:
    """networkx's seeded force-directed layout (fewer than 500 vertices without scipy)."""
    graph = _undirected(topology)
    try:
        layout = nx.spring_layout(graph, seed=seed)
    except ModuleNotFoundError as e:
        raise ParameterError(
            f"the spring layout of {graph.number_of_nodes()} vertices needs {e.name}; use --layout tree"
        ) from None
    return {v: (float(p[0]), float(p[1])) for v, p in layout.items()}


def layout_positions(topology: Topology, layout: Layout = "auto") -> Positions:
    """Positions of every vertex under ``layout``."""
    if layout not in LAYOUTS:
        raise ParameterError(f"layout {layout!r} is not one of {', '.join(LAYOUTS)}")
    if layout == "auto":
        flat = not topology.switches and all(n.position_m is not None for n in topology.compute_nodes)
        layout = "positions" if flat else "tree"
    if layout == "positions":
        return position_layout(topology)
    if layout == "spring":
        return spring_layout(topology)
    return tree_layout(topology)


def draw(
    topology: Topology,
    *,
    layout: Layout = "auto",
    labels: bool | None = None,
    title: str | None = None,
) -> Figure:
    """A matplotlib figure of ``topology``.

    Node colour is the role (device, edge, cloud), switches are grey squares and backbones dark diamonds,
    agents have a black outline; link width grows with log bandwidth and link colour shows latency.
    """
    positions = layout_positions(topology, layout)
    graph = _undirected(topology)
    vertex_count = graph.number_of_nodes()
    size = min(18.0, max(7.0, math.sqrt(vertex_count) * 1.1))
    figure = Figure(figsize=(size, size * 0.8))
    FigureCanvasAgg(figure)
    ax = figure.add_subplot()
    ax.set_axis_off()
    node_size = max(12.0, min(220.0, 6000.0 / max(vertex_count, 1)))

    edges = list(graph.edges(data=True))
    if edges:
        # Thinner lines on big drawings, so dense fans stay distinguishable.
        thinning = min(1.0, math.sqrt(200 / vertex_count))
        widths = [_width(d["bandwidth_bps"]) * thinning for _, _, d in edges]
        positive = [d["latency_s"] for _, _, d in edges if d["latency_s"] > 0]
        # Zero-latency links (Ether gives some edges none) take the smallest positive latency's colour.
        floor = min(positive, default=1e-6)
        latencies = [max(d["latency_s"], floor) for _, _, d in edges]
        norm = LogNorm(vmin=min(latencies), vmax=max(max(latencies), min(latencies) * 1.001))
        collection = nx.draw_networkx_edges(
            graph,
            positions,
            edgelist=[(u, v) for u, v, _ in edges],
            width=widths,
            edge_color=latencies,
            edge_cmap=colormaps["viridis"],
            edge_vmin=norm.vmin,
            edge_vmax=norm.vmax,
            ax=ax,
            alpha=0.8,
        )
        if collection is not None and not isinstance(collection, list):
            collection.set_norm(norm)
            colorbar = figure.colorbar(collection, ax=ax, shrink=0.5, pad=0.01)
            colorbar.set_label("link latency (s, one way; log scale)")

    _draw_vertices(ax, graph, positions, topology, node_size)
    if labels is None:
        labels = vertex_count <= LABEL_LIMIT
    if labels:
        nx.draw_networkx_labels(graph, positions, font_size=6, ax=ax)

    roles = {n.role for n in topology.compute_nodes}
    handles = [
        Line2D([], [], marker="o", linestyle="", color=colour, markersize=8, label=role)
        for role, colour in ROLE_COLOURS.items()
        if role in roles
    ]
    if any(s.kind != "backbone" for s in topology.switches):
        handles.append(
            Line2D([], [], marker="s", linestyle="", color=SWITCH_COLOUR, markersize=8, label="switch")
        )
    if any(s.kind == "backbone" for s in topology.switches):
        handles.append(
            Line2D([], [], marker="D", linestyle="", color=BACKBONE_COLOUR, markersize=8, label="backbone")
        )
    if topology.agents:
        handles.append(
            Line2D(
                [],
                [],
                marker="o",
                linestyle="",
                markerfacecolor="white",
                markeredgecolor="black",
                label="agent",
            )
        )
    handles += [
        Line2D([], [], color="black", linewidth=_width(bandwidth), label=text)
        for bandwidth, text in ((25e6, "25 Mbit/s"), (1e9, "1 Gbit/s"), (10e9, "10 Gbit/s"))
    ]
    ax.legend(handles=handles, loc="upper left", fontsize=8, frameon=False)
    counts = (
        f"{len(topology.compute_nodes)} compute nodes, {len(topology.switches)} switches, "
        f"{len(topology.links)} links"
    )
    ax.set_title(title or f"{topology.name}: {counts}", fontsize=11)
    figure.tight_layout()
    return figure


def _width(bandwidth_bps: float) -> float:
    # Line width grows with log bandwidth: 1 Mbit/s -> 0.3, 1 Gbit/s -> 3.0, 10 Gbit/s -> 3.9.
    return 0.3 + 0.9 * math.log10(max(bandwidth_bps, 1e6) / 1e6)


def _draw_vertices(
    ax: Axes, graph: nx.Graph, positions: Mapping[str, tuple[float, float]], topology: Topology, size: float
) -> None:
    for role, colour in ROLE_COLOURS.items():
        members = [n for n in topology.compute_nodes if n.role == role]
        _scatter(ax, graph, positions, [n.name for n in members if not n.agent], colour, "o", size, "white")
        _scatter(ax, graph, positions, [n.name for n in members if n.agent], colour, "o", size, "black")
    backbones = [s.name for s in topology.switches if s.kind == "backbone"]
    others = [s.name for s in topology.switches if s.kind != "backbone"]
    _scatter(ax, graph, positions, others, SWITCH_COLOUR, "s", size * 0.7, "white")
    _scatter(ax, graph, positions, backbones, BACKBONE_COLOUR, "D", size * 1.3, "white")


def _scatter(
    ax: Axes,
    graph: nx.Graph,
    positions: Mapping[str, tuple[float, float]],
    names: list[str],
    colour: str,
    shape: str,
    size: float,
    outline: str,
) -> None:
    if names:
        nx.draw_networkx_nodes(
            graph,
            positions,
            nodelist=names,
            node_color=colour,
            node_shape=shape,
            node_size=size,
            edgecolors=outline,
            linewidths=0.8,
            ax=ax,
        )


def plot(
    topology: Topology,
    path: str | Path,
    *,
    layout: Layout = "auto",
    labels: bool | None = None,
    dpi: int = 150,
) -> None:
    """Draw ``topology`` and save it to ``path`` (format from the suffix: .png, .svg, .pdf)."""
    figure = draw(topology, layout=layout, labels=labels)
    figure.savefig(str(path), dpi=dpi)
