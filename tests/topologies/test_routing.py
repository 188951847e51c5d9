"""Routes on small hand-built networks, and agreement with networkx on generated ones."""

from __future__ import annotations

import itertools
import math

import networkx as nx
import numpy as np
import pytest

import topologies
from topologies.errors import InvalidValueError, UnknownNodeError
from topologies.model import Link, Switch, Topology
from topologies.routing import agents_and_routes, route, route_matrix

from .helpers import topology


def triangle() -> Topology:
    # a - b directly is one slow hop; a - c - b is two fast hops.
    return topology(
        ["a", "b", "c"],
        [
            Link("a", "b", bandwidth_bps=100e6, latency_s=0.010),
            Link("a", "c", bandwidth_bps=1e9, latency_s=0.001),
            Link("c", "b", bandwidth_bps=50e6, latency_s=0.001),
        ],
    )


def test_hop_routing_takes_the_direct_link() -> None:
    r = route(triangle(), "a", "b", "hops")
    assert r.path == ("a", "b")
    assert (r.latency_s, r.rtt_s, r.bottleneck_bps, r.hops) == (0.010, 0.020, 100e6, 1)


def test_latency_routing_takes_the_faster_detour() -> None:
    r = route(triangle(), "a", "b", "latency")
    assert r.path == ("a", "c", "b")
    assert (r.latency_s, r.rtt_s, r.bottleneck_bps, r.hops) == (0.002, 0.004, 50e6, 2)


def test_asymmetric_up_and_down_links() -> None:
    t = topology(
        ["a", "b"],
        [
            Link("a", "s", bandwidth_bps=25e6, latency_s=0.005, directed=True),
            Link("s", "a", bandwidth_bps=125e6, latency_s=0.007, directed=True),
            Link("s", "b", bandwidth_bps=1e9, latency_s=0.001),
        ],
        [Switch("s", "backbone")],
    )
    there, back = route(t, "a", "b"), route(t, "b", "a")
    assert (there.path, there.latency_s, there.bottleneck_bps) == (("a", "s", "b"), 0.006, 25e6)
    assert (back.path, back.latency_s, back.bottleneck_bps) == (("b", "s", "a"), 0.008, 125e6)
    # The round trip adds both directions (Ether would report 2 x 6 ms).
    assert there.rtt_s == back.rtt_s == 0.014
    m = route_matrix(t)
    assert m.latency_s.tolist() == [[0.0, 0.006], [0.008, 0.0]]
    assert m.rtt_s().tolist() == [[0.0, 0.014], [0.014, 0.0]]
    assert m.bottleneck_bps[0, 1] == 25e6 and m.bottleneck_bps[1, 0] == 125e6
    assert m.hops.tolist() == [[0, 2], [2, 0]]


def shared_medium() -> Topology:
    # x, y on a 300 Mbit/s shared medium m; z reaches m through a LAN switch l.
    return topology(
        ["x", "y", "z"],
        [
            Link("x", "m", bandwidth_bps=1e9, latency_s=0.0005),
            Link("y", "m", bandwidth_bps=1e9, latency_s=0.0005),
            Link("l", "m", bandwidth_bps=300e6, latency_s=0.0005),
            Link("z", "l", bandwidth_bps=1e9, latency_s=0.0005),
        ],
        [Switch("m", "shared", bandwidth_bps=300e6), Switch("l", "lan")],
    )


def test_a_shared_medium_limits_every_route_through_it() -> None:
    t = shared_medium()
    assert route(t, "x", "y").bottleneck_bps == 300e6
    assert route(t, "z", "x").bottleneck_bps == 300e6
    # Ending at the medium itself does not pass through it.
    assert route(t, "x", "m").bottleneck_bps == 1e9
    m = route_matrix(t)
    assert m.bottleneck_bps[~np.eye(3, dtype=bool)].tolist() == [300e6] * 6
    assert m.latency_s[2, 0] == pytest.approx(0.0015) and m.hops[2, 0] == 3


def test_unreachable_pairs_are_marked_and_named() -> None:
    t = topology(["a", "b", "c"], [Link("a", "b", bandwidth_bps=1e9, latency_s=0.001)])
    m = route_matrix(t)
    assert math.isinf(m.latency_s[0, 2]) and m.bottleneck_bps[0, 2] == 0 and m.hops[0, 2] == -1
    assert m.hops[0, 1] == 1 and m.latency_s[1, 0] == 0.001
    with pytest.raises(UnknownNodeError, match="no route from 'a' to 'c'"):
        route(t, "a", "c")
    one_way = topology(["a", "b"], [Link("a", "b", bandwidth_bps=1e9, latency_s=0.001, directed=True)])
    r = route(one_way, "a", "b")
    assert r.latency_s == 0.001 and math.isinf(r.rtt_s)


def test_unknown_names_get_suggestions() -> None:
    with pytest.raises(UnknownNodeError, match=r"no node or switch named 'tx_2'; did you mean 'tx2_2'"):
        route(topologies.urban_sensing(1, density=topologies.Density(constant=2), seed=0), "rpi3_0", "tx_2")
    with pytest.raises(InvalidValueError, match="routing 'fastest' is not one of hops, latency"):
        route(triangle(), "a", "b", "fastest")  # type: ignore[arg-type]


def networkx_routes(t: Topology, routing: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The matrices from networkx's own searches, as an independent reference."""
    graph, names = t.graph, t.compute_names
    n = len(names)
    latency, bottleneck, hops = np.full((n, n), math.inf), np.zeros((n, n)), np.full((n, n), -1)
    for i, source in enumerate(names):
        if routing == "hops":
            paths = nx.single_source_shortest_path(graph, source)
        else:
            paths = nx.single_source_dijkstra(graph, source, weight="latency_s")[1]
        for j, target in enumerate(names):
            path = paths.get(target)
            if path is None:
                continue
            limits = [graph.edges[u, v]["bandwidth_bps"] for u, v in itertools.pairwise(path)]
            limits += [
                graph.nodes[v]["bandwidth_bps"] or math.inf
                for v in path[1:-1]
                if graph.nodes[v]["kind"] == "switch"
            ]
            latency[i, j] = sum(graph.edges[u, v]["latency_s"] for u, v in itertools.pairwise(path))
            bottleneck[i, j] = min(limits, default=math.inf)
            hops[i, j] = len(path) - 1
    return latency, bottleneck, hops


@pytest.mark.parametrize("routing", ["hops", "latency"])
def test_matrices_agree_with_networkx(routing: str) -> None:
    cases = [
        topologies.urban_sensing(3, seed=1),
        topologies.industrial_iot(2, seed=2),
        topologies.cloud_regions(["eu-west-1", "eu-central-1", "us-east-1", "ap-southeast-2"], seed=3),
        topologies.random_geometric(30, seed=3),
        topologies.grid(20, seed=1),
        topologies.bridged_clusters(9, seed=2),
        shared_medium(),
    ]
    pairs = 0
    for t in cases:
        m = route_matrix(t, routing)  # type: ignore[arg-type]
        latency, bottleneck, hops = networkx_routes(t, routing)
        assert np.array_equal(m.hops, hops), t.name
        assert np.allclose(m.latency_s, latency, rtol=0, atol=1e-12), t.name
        assert np.array_equal(m.bottleneck_bps, bottleneck), t.name
        for i, j in [(0, len(m.nodes) - 1), (len(m.nodes) - 1, 0)]:
            single = route(t, m.nodes[i], m.nodes[j], routing)  # type: ignore[arg-type]
            assert single.latency_s == m.latency_s[i, j] and single.bottleneck_bps == m.bottleneck_bps[i, j]
        pairs += len(m.nodes) ** 2
    assert pairs == 6199


def test_hop_routes_in_meshes_pick_the_first_listed_neighbour() -> None:
    # a -> d has two 2-hop paths; the one via the link listed first wins, as in networkx's BFS.
    links = [
        Link("a", "c", bandwidth_bps=1e9, latency_s=0.002),
        Link("a", "b", bandwidth_bps=1e9, latency_s=0.001),
        Link("b", "d", bandwidth_bps=1e9, latency_s=0.001),
        Link("c", "d", bandwidth_bps=1e9, latency_s=0.002),
    ]
    assert route(topology(list("abcd"), links), "a", "d").path == ("a", "c", "d")
    assert route(topology(list("abcd"), links), "a", "d", "latency").path == ("a", "b", "d")
    assert route(topology(list("abcd"), links[1:] + links[:1]), "a", "d").path == ("a", "b", "d")


def test_agents_and_routes_prefers_stored_matrices() -> None:
    t = topologies.urban_sensing(2, seed=3)
    view = agents_and_routes(t)
    assert view.routes.routing == "hops" and view.nodes == t.compute_names
    assert view.agents == tuple(n.name for n in t.compute_nodes if n.role != "cloud")
    assert [view.nodes[i] for i in view.agent_indices] == list(view.agents)
    stored = t.with_routes("latency")
    assert agents_and_routes(stored).routes is stored.routes
    assert agents_and_routes(stored, "hops").routes.routing == "hops"
    assert len(view.agents) == len(t.compute_nodes) - 10
