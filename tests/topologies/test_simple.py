"""PeersimGym's simple generators: which links exist, positions, node types, parameter errors."""

from __future__ import annotations

import itertools
import math

import networkx as nx
import pytest

from topologies.errors import InvalidValueError, ParameterError
from topologies.latency import LAN
from topologies.model import Topology
from topologies.simple import bridged_clusters, fully_connected, grid, random_geometric, ring


def pairs(t: Topology) -> set[frozenset[str]]:
    return {frozenset((link.source, link.target)) for link in t.links}


def position(t: Topology, name: str) -> tuple[float, float]:
    p = t.compute_node(name).position_m
    assert p is not None
    return p


def test_fully_connected_links_every_pair_once() -> None:
    t = fully_connected(6, radius_m=30.0, seed=1)
    names = t.compute_names
    assert pairs(t) == {frozenset(p) for p in itertools.combinations(names, 2)}
    assert len(t.links) == 15
    assert all(math.hypot(*position(t, n)) == pytest.approx(30.0, abs=1e-3) for n in names)
    assert all(
        link.kind == "wireless" and link.bandwidth_bps == 100e6 and not link.directed for link in t.links
    )
    assert {link.latency_distribution for link in t.links} == {"wlan"}


def test_ring_links_each_node_to_the_next() -> None:
    t = ring(7, seed=2)
    names = t.compute_names
    assert pairs(t) == {frozenset((names[i], names[(i + 1) % 7])) for i in range(7)}
    assert sorted(d for _, d in nx.Graph(list(map(tuple, pairs(t)))).degree()) == [2] * 7


@pytest.mark.parametrize(("nodes", "columns", "expected_links"), [(10, None, 13), (12, 3, 17), (9, None, 12)])
def test_grid_links_right_and_down_neighbours(nodes: int, columns: int | None, expected_links: int) -> None:
    t = grid(nodes, columns=columns, spacing_m=20.0, seed=3)
    names = t.compute_names
    # Two grid nodes are linked exactly when they are one spacing apart.
    adjacent = {
        frozenset((a, b))
        for a, b in itertools.combinations(names, 2)
        if math.dist(position(t, a), position(t, b)) == pytest.approx(20.0)
    }
    assert pairs(t) == adjacent
    assert len(t.links) == expected_links


def test_random_geometric_links_exactly_the_close_pairs() -> None:
    t = random_geometric(25, area_m=100.0, radius_m=35.0, seed=4)
    names = t.compute_names
    close = {
        frozenset((a, b))
        for a, b in itertools.combinations(names, 2)
        if math.dist(position(t, a), position(t, b)) <= 35.0
    }
    assert pairs(t) == close
    assert all(0 <= c <= 100 for n in names for c in position(t, n))
    assert nx.is_connected(nx.Graph(list(map(tuple, pairs(t)))))
    assert len(close) == len(t.links) > 25
    assert t.provenance["parameters"]["placement_attempts"] >= 1


def test_random_geometric_gives_up_with_a_clear_error() -> None:
    with pytest.raises(
        ParameterError, match=r"no connected placement of 40 nodes with radius_m=1.0 .* raise radius_m"
    ):
        random_geometric(40, radius_m=1.0, seed=0)


def test_bridged_clusters_have_exactly_one_bridge() -> None:
    t = bridged_clusters(9, seed=5)
    names = t.compute_names
    first, second = set(names[:5]), set(names[5:])
    crossing = [p for p in pairs(t) if len(p & first) == 1]
    assert len(crossing) == 1
    inside = {frozenset(p) for group in (first, second) for p in itertools.combinations(sorted(group), 2)}
    assert pairs(t) - set(crossing) == inside
    a, b = sorted(crossing[0], key=lambda n: n in second)
    closest = min(math.dist(position(t, x), position(t, y)) for x in first for y in second)
    assert math.dist(position(t, a), position(t, b)) == closest
    assert len(t.links) == 10 + 6 + 1


def test_types_cycle_and_options_apply() -> None:
    t = ring(5, types=("nuc", "rpi4"), bandwidth_bps=54e6, link_latency=LAN, latency="mode", seed=0)
    assert [n.type for n in t.compute_nodes] == ["nuc", "rpi4", "nuc", "rpi4", "nuc"]
    assert [n.name for n in t.compute_nodes] == ["nuc_0", "rpi4_0", "nuc_1", "rpi4_1", "nuc_2"]
    assert [n.role for n in t.compute_nodes] == ["edge", "device", "edge", "device", "edge"]
    assert {(x.bandwidth_bps, x.latency_s) for x in t.links} == {(54e6, round(LAN.mode_s, 9))}
    assert len(t.links) == 5


def test_simple_parameter_errors() -> None:
    with pytest.raises(ParameterError, match="nodes must be an integer >= 3, got 2"):
        ring(2)
    with pytest.raises(ParameterError, match="nodes must be an integer >= 4"):
        bridged_clusters(3)
    with pytest.raises(ParameterError, match=r"columns must be an integer in \[1, nodes=5\], got 9"):
        grid(5, columns=9)
    with pytest.raises(ParameterError, match="radius_m must be a positive number"):
        fully_connected(4, radius_m=0.0)
    with pytest.raises(InvalidValueError, match="unknown node type 'rpi5'"):
        grid(4, types=("rpi5",))
    with pytest.raises(ParameterError, match="bandwidth_bps must be positive"):
        ring(4, bandwidth_bps=-1.0)
