"""A topology's summary: counts by type and role, and latency and bandwidth percentiles.

Percentiles are over links (as written in the file) and over routes between every ordered pair of distinct
compute nodes (one-way latency, round-trip time, bottleneck bandwidth, hops). Routes come from the file's
stored matrices when they match the requested routing, else they are computed.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np

from topologies.model import Topology
from topologies.routing import Routing, agents_and_routes

PERCENTILES = (0, 5, 50, 95, 99, 100)


def percentiles(values: Iterable[float], qs: Sequence[int] = PERCENTILES) -> dict[str, float] | None:
    """``{"min": .., "p5": .., "p50": .., "max": ..}`` of ``values`` (linear interpolation); None if empty."""
    array = np.asarray(list(values), dtype=float)
    if array.size == 0:
        return None
    result = {}
    for q in qs:
        key = "min" if q == 0 else "max" if q == 100 else f"p{q}"
        # 12 significant digits drop interpolation noise (0.00051952000000000001) from printed summaries.
        result[key] = float(f"{np.percentile(array, q):.12g}")
    return result


def summarize(topology: Topology, routing: Routing | None = None) -> dict[str, Any]:
    """The summary as one JSON-ready object (what ``pygym topology show --json`` prints).

    Keys: ``name``, ``compute_nodes``, ``switches``, ``links``, ``directed_links``, ``agents``, ``by_type``,
    ``by_role``, ``cores``, ``routing``, ``routes_stored``, ``link_latency_s``, ``link_bandwidth_bps``,
    ``route_latency_s``, ``route_rtt_s``, ``route_bottleneck_bps``, ``route_hops``, ``unreachable_pairs``.
    """
    view = agents_and_routes(topology, routing)
    routes = view.routes
    n = len(routes.nodes)
    off_diagonal = ~np.eye(n, dtype=bool)
    reachable = off_diagonal & np.isfinite(routes.latency_s)
    both_ways = reachable & reachable.T
    return {
        "name": topology.name,
        "compute_nodes": len(topology.compute_nodes),
        "switches": len(topology.switches),
        "links": len(topology.links),
        "directed_links": sum(1 for link in topology.links if link.directed),
        "agents": len(view.agents),
        "by_type": dict(sorted(Counter(node.type for node in topology.compute_nodes).items())),
        "by_role": dict(sorted(Counter(node.role for node in topology.compute_nodes).items())),
        "cores": sum(node.cores for node in topology.compute_nodes),
        "routing": routes.routing,
        "routes_stored": topology.routes is not None and routes is topology.routes,
        "link_latency_s": percentiles(link.latency_s for link in topology.links),
        "link_bandwidth_bps": percentiles(link.bandwidth_bps for link in topology.links),
        "route_latency_s": percentiles(routes.latency_s[reachable]),
        "route_rtt_s": percentiles(routes.rtt_s()[both_ways]),
        "route_bottleneck_bps": percentiles(routes.bottleneck_bps[reachable]),
        "route_hops": percentiles(routes.hops[reachable]),
        "unreachable_pairs": int(off_diagonal.sum() - reachable.sum()),
    }
