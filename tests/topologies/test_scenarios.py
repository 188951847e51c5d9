"""Ether's scenarios: structural invariants, parity of mode routes with Ether, determinism by seed."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import networkx as nx
import pytest

import topologies
from topologies.blocks import Density
from topologies.errors import ParameterError
from topologies.fileformat import dumps
from topologies.latency import BUSINESS_ISP, LAN, MOBILE_ISP
from topologies.model import Link, Topology
from topologies.routing import route
from topologies.scenarios import REGIONS, cloud_regions, distance_latency_s, industrial_iot, urban_sensing


def arcs(t: Topology) -> dict[tuple[str, str], Link]:
    """Every direction a link carries, to the link."""
    result = {}
    for link in t.links:
        result[(link.source, link.target)] = link
        if not link.directed:
            result[(link.target, link.source)] = link
    return result


def neighbours(t: Topology, vertex: str) -> list[str]:
    found = []
    for link in t.links:
        if link.source == vertex:
            found.append(link.target)
        elif link.target == vertex:
            found.append(link.source)
    return sorted(set(found))


def types_on(t: Topology, switch: str) -> list[str]:
    computes = {n.name: n.type for n in t.compute_nodes}
    return sorted(computes[v] for v in neighbours(t, switch) if v in computes)


def check_node_links(t: Topology) -> int:
    """Every compute node hangs off exactly one undirected 1 Gbit/s node link with a lan latency."""
    for n in t.compute_nodes:
        own = [link for link in t.links if n.name in (link.source, link.target)]
        assert len(own) == 1, n.name
        link = own[0]
        assert (link.kind, link.bandwidth_bps, link.directed, link.latency_distribution) == (
            "node",
            1e9,
            False,
            "lan",
        ), n.name
        assert LAN.loc_s < link.latency_s < 0.01
    return len(t.compute_nodes)


def check_up_down(
    t: Topology, cell: str, backbone: str, up_bps: float, down_bps: float, dist: str | None
) -> None:
    a = arcs(t)
    up, down = a[(cell, backbone)], a[(backbone, cell)]
    assert (up.directed, up.kind, up.bandwidth_bps, up.latency_distribution) == (True, "uplink", up_bps, dist)
    assert (down.directed, down.kind, down.bandwidth_bps, down.latency_distribution) == (
        True,
        "downlink",
        down_bps,
        dist,
    )
    if dist is None:
        assert up.latency_s == down.latency_s == 0.0


def check_cloudlet(t: Topology, switch: str, racks: int, per_rack: int) -> int:
    rack_switches = [v for v in neighbours(t, switch) if v.startswith("switch_lan_") and types_on(t, v)]
    assert len(rack_switches) == racks
    a = arcs(t)
    for rack in rack_switches:
        assert types_on(t, rack) == ["server"] * per_rack
        link = a[(rack, switch)]
        assert (link.kind, link.bandwidth_bps, link.directed, link.latency_distribution) == (
            "lan",
            10e9,
            False,
            "lan",
        )
    return racks * per_rack


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_urban_sensing_structure(seed: int) -> None:
    t = urban_sensing(3, seed=seed)
    sizes = t.provenance["parameters"]["cell_sizes"]
    media = [s for s in t.switches if s.kind == "shared"]
    assert len(sizes) == len(media) == 3
    a = arcs(t)
    for medium, n in zip(media, sizes, strict=True):
        assert n >= 2  # int(2.02 + lognormal) is at least 2
        assert medium.bandwidth_bps == 500e6
        boxes = [v for v in neighbours(t, medium.name) if v.startswith("switch_lan_")]
        contents = Counter(tuple(types_on(t, b)) for b in boxes)
        assert contents == Counter({("rpi3", "rpi3"): n, tuple(sorted(["nuc"] + ["tx2"] * 2 * n)): 1})
        for box in boxes:
            link = a[(box, medium.name)]
            assert (link.kind, link.bandwidth_bps, link.latency_distribution) == ("shared", 500e6, "lan")
        check_up_down(t, medium.name, "internet", 25e6, 125e6, "mobile_isp")
    servers = check_cloudlet(t, "switch_cloudlet_0", racks=2, per_rack=5)
    check_up_down(t, "switch_cloudlet_0", "internet", 1e9, 1e9, "lan")
    assert check_node_links(t) == sum(4 * n + 1 for n in sizes) + servers
    assert servers == 10
    by_type = Counter(n.type for n in t.compute_nodes)
    assert by_type == {"rpi3": 2 * sum(sizes), "nuc": 3, "tx2": 2 * sum(sizes), "server": 10}


def test_urban_sensing_names_follow_ethers_pattern() -> None:
    t = urban_sensing(2, density=Density(constant=3), seed=5)
    # Per type, names count from 0 in creation order: cell 0's AoT boxes, then its compute box, then cell 1.
    for prefix, count in (("rpi3", 12), ("nuc", 2), ("tx2", 12), ("server", 10)):
        names = [n.name for n in t.compute_nodes if n.name.startswith(prefix + "_")]
        assert names == [f"{prefix}_{i}" for i in range(count)]
    assert [n.name for n in t.compute_nodes[:8]] == [f"rpi3_{i}" for i in range(6)] + ["nuc_0", "tx2_0"]
    switch_names = [s.name for s in t.switches]
    assert all(re.fullmatch(r"switch_lan_\d+|shared_\d+|switch_cloudlet_0|internet", s) for s in switch_names)
    assert switch_names[:5] == ["shared_0", "switch_lan_0", "switch_lan_1", "switch_lan_2", "switch_lan_3"]
    assert len(t.compute_nodes) == 2 * 13 + 10


def test_roles_and_agents() -> None:
    t = urban_sensing(2, seed=1)
    roles = {n.type: n.role for n in t.compute_nodes}
    assert roles == {"rpi3": "device", "nuc": "edge", "tx2": "edge", "server": "cloud"}
    assert all(n.agent == (n.role != "cloud") for n in t.compute_nodes)
    only_cloud = urban_sensing(2, seed=1, agent_roles=("cloud",))
    assert [n.name for n in only_cloud.agents] == [f"server_{i}" for i in range(10)]
    assert len(t.compute_nodes) > 10


@pytest.mark.parametrize("premises", [1, 3])
def test_industrial_iot_structure(premises: int) -> None:
    t = industrial_iot(premises, seed=4)
    assert len(t.compute_nodes) == 20 * premises
    assert Counter(n.type for n in t.compute_nodes) == {
        "nuc": premises,
        "tx2": premises,
        "rpi3": 3 * premises,
        "server": 15 * premises,
    }
    a = arcs(t)
    checked = 0
    for p in range(premises):
        cloudlet = f"switch_cloudlet_{p}"
        factory = next(v for v in neighbours(t, cloudlet) if a[(cloudlet, v)].kind == "uplink")
        check_up_down(t, factory, "internet", 50e6, 500e6, "business_isp")
        check_up_down(t, cloudlet, factory, 10e9, 10e9, None)
        check_cloudlet(t, cloudlet, racks=3, per_rack=5)
        medium = next(v for v in neighbours(t, factory) if v.startswith("shared_"))
        assert types_on(t, medium) == ["rpi3"] * 3
        assert t.vertex(medium).bandwidth_bps == 300e6  # type: ignore[union-attr]
        shared_link = a[(medium, factory)]
        # Ether gives the shared Link -> backhaul edge no latency distribution.
        assert (shared_link.latency_s, shared_link.latency_distribution, shared_link.bandwidth_bps) == (
            0.0,
            None,
            300e6,
        )
        box = next(v for v in neighbours(t, factory) if v.startswith("switch_lan_") and types_on(t, v))
        assert types_on(t, box) == ["nuc", "tx2"]
        assert a[(box, factory)].bandwidth_bps == 10e9
        checked += 1
    assert checked == premises
    assert check_node_links(t) == 20 * premises


def test_cloud_regions_distance_model() -> None:
    t = cloud_regions(seed=2)
    assert len(t.compute_nodes) == 5 * len(REGIONS) == 70
    backbone = [link for link in t.links if link.kind == "backbone"]
    assert len(backbone) == len(REGIONS) * (len(REGIONS) - 1) // 2
    assert all(not link.directed and link.bandwidth_bps == 100e9 for link in backbone)
    dublin_frankfurt = arcs(t)[("internet_eu-west-1", "internet_eu-central-1")]
    assert dublin_frankfurt.latency_s == distance_latency_s("eu-west-1", "eu-central-1")
    assert 0.005 < dublin_frankfurt.latency_s < 0.02
    assert len(t.agents) == 70 and {n.role for n in t.compute_nodes} == {"cloud"}
    for i in range(len(REGIONS)):
        check_cloudlet(t, f"switch_cloudlet_{i}", racks=1, per_rack=5)
    assert check_node_links(t) == 70


def test_cloud_regions_from_an_inet_graph(tmp_path: Path) -> None:
    graph = nx.DiGraph()
    latencies_ms = {("a", "b"): 10.0, ("b", "a"): 12.0, ("a", "c"): 30.0, ("c", "a"): 31.0, ("b", "c"): 5.0}
    for (u, v), ms in latencies_ms.items():
        graph.add_edge(u, v, latency=ms)
    graph.add_edge("c", "b", latency=6.0)
    path = tmp_path / "inet.graphml"
    nx.write_graphml(graph, path)
    inet = topologies.read_inet_graph(path)
    assert inet.directed and inet.regions == ("a", "b", "c") and len(inet.arcs) == 6
    t = cloud_regions(["a", "b"], region_sizes=[(2, 1), (3, 2)], inet=inet, seed=0)
    backbone = {(link.source, link.target): link for link in t.links if link.kind == "backbone"}
    assert set(backbone) == {("internet_a", "internet_b"), ("internet_b", "internet_a")}
    assert backbone[("internet_a", "internet_b")].latency_s == 0.010
    assert backbone[("internet_b", "internet_a")].latency_s == 0.012
    assert all(link.directed for link in backbone.values())
    assert len(t.compute_nodes) == 2 + 6
    assert all(n.position_m is None for n in t.compute_nodes)  # regions outside the built-in table
    with pytest.raises(
        ParameterError, match=r"unknown region\(s\) d \(not in inet.graphml\); known: a, b, c"
    ):
        cloud_regions(["a", "d"], inet=inet)


def test_parity_with_ethers_mode_routes() -> None:
    # Ether's path rpi3 -> server: node lan, LAN->shared lan, mobile uplink, fibre downlink (lan),
    # rack->cloudlet lan, node lan: 5 x lan + 1 x mobile; bottleneck the 25 Mbit/s uplink.
    t = urban_sensing(3, seed=9, latency="mode")
    lan, mobile = round(LAN.mode_s, 9), round(MOBILE_ISP.mode_s, 9)
    r = route(t, "rpi3_0", "server_0")
    assert r.latency_s == pytest.approx(5 * lan + mobile, abs=1e-12)
    assert r.rtt_s == pytest.approx(2 * (5 * lan + mobile), abs=1e-12)
    assert r.bottleneck_bps == 25e6
    back = route(t, "server_0", "rpi3_0")
    assert back.bottleneck_bps == 125e6  # the mobile downlink
    # rpi3 (AoT box) -> nuc (compute box) in one cell: [1000, 500, 1000] Mbit/s, 4 x lan, as PeersimGym's
    # Ether export records.
    same_cell = route(t, "rpi3_0", "nuc_0")
    assert same_cell.bottleneck_bps == 500e6 and same_cell.latency_s == pytest.approx(4 * lan, abs=1e-12)
    assert route(t, "nuc_0", "tx2_0").latency_s == pytest.approx(2 * lan, abs=1e-12)
    iiot = industrial_iot(1, latency="mode")
    assert route(iiot, "rpi3_0", "nuc_0").latency_s == pytest.approx(3 * lan, abs=1e-12)
    assert route(iiot, "rpi3_0", "server_0").bottleneck_bps == 300e6
    far = route(industrial_iot(2, latency="mode"), "nuc_0", "nuc_1")
    assert far.latency_s == pytest.approx(4 * lan + 2 * round(BUSINESS_ISP.mode_s, 9), abs=1e-12)
    assert far.bottleneck_bps == 50e6
    assert len(r.path) == 7


def test_generation_is_a_pure_function_of_scenario_parameters_and_seed() -> None:
    checked = 0
    for name, generate in topologies.GENERATORS.items():
        first, again, other = dumps(generate(seed=11)), dumps(generate(seed=11)), dumps(generate(seed=12))
        assert first == again, name
        assert first != other, name  # sampled latencies differ between seeds
        checked += 1
    assert checked == 8


def test_latency_mode_changes_latencies_only() -> None:
    sampled, mode = urban_sensing(3, seed=21), urban_sensing(3, seed=21, latency="mode")
    assert [n.name for n in sampled.compute_nodes] == [n.name for n in mode.compute_nodes]
    assert [n.position_m for n in sampled.compute_nodes] == [n.position_m for n in mode.compute_nodes]
    assert [(x.source, x.target) for x in sampled.links] == [(x.source, x.target) for x in mode.links]
    lan_links = [x for x in mode.links if x.latency_distribution == "lan"]
    assert {x.latency_s for x in lan_links} == {round(LAN.mode_s, 9)}
    assert len({x.latency_s for x in sampled.links if x.latency_distribution == "lan"}) > 10
    assert len(lan_links) > 40


def test_scenario_parameter_errors() -> None:
    with pytest.raises(ParameterError, match="cells must be a positive integer, got 0"):
        urban_sensing(0)
    with pytest.raises(ParameterError, match="premises must be a positive integer, got -1"):
        industrial_iot(-1)
    with pytest.raises(ParameterError, match="seed must be a non-negative integer"):
        urban_sensing(1, seed=-3)
    with pytest.raises(ParameterError, match="cloudlet racks must be a positive integer"):
        urban_sensing(1, cloudlet_racks=0)
    with pytest.raises(ParameterError, match=r"density 'lognorm:0.8': expected lognorm:S,LOC"):
        Density.parse("lognorm:0.8")
    with pytest.raises(ParameterError, match="regions list a region twice"):
        cloud_regions(["eu-west-1", "eu-west-1"])
    assert Density.parse("lognorm:0.82,2.02") == Density(s=0.82, loc=2.02, scale=1.0)
    assert Density.parse("4").sample(None) == 4  # type: ignore[arg-type]
