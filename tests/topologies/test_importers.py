"""Importers: PeersimGym's Ether JSON, networkx node-link JSON and GraphML (round trips, foreign graphs)."""

from __future__ import annotations

import json
import warnings
from pathlib import Path
from typing import Any

import networkx as nx
import pytest

import topologies
from topologies.errors import ConversionError, DisconnectedError, TopologyError
from topologies.importers import (
    from_networkx,
    read_graph,
    read_graphml,
    read_node_link,
    read_peersimgym,
    to_networkx,
    write_graphml,
    write_node_link,
)

RPI3_LABELS = {"ether.edgerun.io/type": "sbc", "ether.edgerun.io/model": "rpi3b+"}


def peersimgym_node(
    name: str, node_id: int, cpu_milis: int, memory: int, labels: dict[str, str], xy: Any
) -> Any:
    return {
        "id": node_id,
        "arch": "arm32",
        "name": name,
        "coordinates": xy,
        "capacity": {"cpu_milis": cpu_milis, "memory": memory},
        "labels": labels,
    }


def path_info(source: int, target: int, bandwidths: list[int], rtt_ms: float) -> dict[str, Any]:
    return {
        "id": f"{source}->{target}",
        "source": source,
        "target": target,
        "path_bandwidths": bandwidths,
        "min_bandwidth": min(bandwidths),
        "expected_rtt": rtt_ms,
    }


def peersimgym_document() -> dict[str, Any]:
    """The shape of PeersimGym's shipped ``one_cluste_8rpi_manual.json``, cut down to four nodes."""
    rpi0, rpi1, nuc, server = 139792896437264, 139792896437552, 139792896083232, 139792896436640
    nuc_labels = {"ether.edgerun.io/type": "sffc", "ether.edgerun.io/model": "nuci5"}
    server_labels = {"ether.edgerun.io/type": "server", "ether.edgerun.io/model": "server"}
    return {
        "nodes": {
            "rpi3_0": peersimgym_node("rpi3_0", rpi0, 4000, 1023012864, RPI3_LABELS, [50, 11]),
            "rpi3_1": peersimgym_node("rpi3_1", rpi1, 4000, 1023012864, RPI3_LABELS, [51, 10]),
            "nuc_0": peersimgym_node("nuc_0", nuc, 32000, 17179869184, nuc_labels, [30, 30]),
            "server_0": peersimgym_node("server_0", server, 88000, 188000000000, server_labels, "N/A"),
        },
        "links": {
            "path_info": [
                path_info(rpi0, nuc, [1000, 500, 1000], 4.0),
                path_info(nuc, rpi0, [1000, 500, 1000], 4.0),
                path_info(rpi1, nuc, [1000, 500, 1000], 4.25130072924984),
                path_info(nuc, rpi1, [1000, 500, 1000], 4.212244932739315),
                path_info(nuc, server, [1000, 500, 25, 1000, 1000], 46.816349766751834),
                path_info(server, nuc, [1000, 1000, 125, 500, 1000], 52.115114374951695),
            ],
            "neighbours": {
                str(rpi0): [nuc, nuc],
                str(rpi1): [nuc],
                str(nuc): [rpi0, rpi1, server],
                str(server): [nuc],
            },
        },
    }


def write_json(tmp_path: Path, document: Any, name: str = "peersimgym.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


def test_peersimgym_ether_json(tmp_path: Path) -> None:
    path = write_json(tmp_path, peersimgym_document())
    with pytest.warns(
        topologies.TopologyWarning, match="1 repeated neighbour entries and 0 repeated path_info"
    ):
        t = read_peersimgym(path)
    assert t.compute_names == ("rpi3_0", "rpi3_1", "nuc_0", "server_0")
    rpi, nuc, server = t.compute_node("rpi3_0"), t.compute_node("nuc_0"), t.compute_node("server_0")
    assert (rpi.type, rpi.cores, rpi.frequency_hz, rpi.memory_bytes, rpi.role) == (
        "rpi3",
        4,
        1.4e9,
        1023012864,
        "device",
    )
    assert (nuc.type, nuc.cores, nuc.role, nuc.agent) == ("nuc", 32, "edge", True)  # the file's cores win
    assert (server.role, server.agent, server.position_m) == ("cloud", False, None)
    assert rpi.position_m == (50.0, 11.0) and rpi.labels == RPI3_LABELS
    links = {(x.source, x.target): x for x in t.links}
    assert len(links) == 5  # rpi3_0 <-> nuc symmetric: one link; rpi3_1 and server asymmetric: two each
    symmetric = links[("rpi3_0", "nuc_0")]
    assert (symmetric.directed, symmetric.bandwidth_bps, symmetric.latency_s) == (False, 500e6, 0.002)
    assert links[("rpi3_1", "nuc_0")].directed and links[("nuc_0", "rpi3_1")].directed
    up, down = links[("nuc_0", "server_0")], links[("server_0", "nuc_0")]
    assert (up.bandwidth_bps, down.bandwidth_bps) == (25e6, 125e6)
    assert up.latency_s == pytest.approx(0.046816349766751834 / 2, abs=1e-12)
    assert topologies.route(t, "rpi3_0", "server_0").bottleneck_bps == 25e6
    assert t.provenance == {"importer": "peersimgym", "file": "peersimgym.json", "cpu": "ether"}


def synthetic_document() -> dict[str, Any]:
    """PeersimGym's synthetic networks: cpu_milis as a speed figure, types outside Ether's table."""
    document = peersimgym_document()
    document["nodes"]["rpi3_0"]["capacity"]["cpu_milis"] = 14800
    document["nodes"]["rpi5_6G_0"] = document["nodes"].pop("rpi3_1") | {
        "name": "rpi5_6G_0",
        "capacity": {"cpu_milis": 9600, "memory": 6442450944},
    }
    return document


def test_peersimgym_cpu_modes(tmp_path: Path) -> None:
    path = write_json(tmp_path, synthetic_document())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", topologies.TopologyWarning)
        with pytest.raises(
            ConversionError,
            match=r"nodes\['rpi3_0'\]: cpu_milis 14800 is not a whole number .*--cpu peersimgym",
        ):
            read_peersimgym(path)
        t = read_peersimgym(path, cpu="peersimgym")
        fixed = write_json(
            tmp_path,
            synthetic_document()
            | {
                "nodes": {
                    k: v | {"capacity": {"cpu_milis": 4000, "memory": 10**9}}
                    for k, v in synthetic_document()["nodes"].items()
                }
            },
            "whole.json",
        )
        with pytest.raises(
            ConversionError, match=r"type 'rpi5_6G' is not in the node-type table.*--frequency-hz"
        ):
            read_peersimgym(fixed)
        with_frequency = read_peersimgym(fixed, frequency_hz=2.4e9)
    rpi5 = t.compute_node("rpi5_6G_0")
    assert (rpi5.type, rpi5.cores, rpi5.frequency_hz, rpi5.role) == ("rpi5_6G", 1, 9.6e6, "device")
    assert t.compute_node("rpi3_0").frequency_hz == 14.8e6
    assert with_frequency.compute_node("rpi5_6G_0").frequency_hz == 2.4e9
    assert with_frequency.compute_node("rpi3_0").frequency_hz == 1.4e9
    assert len(t.compute_nodes) == 4


def test_peersimgym_inconsistencies_are_named(tmp_path: Path) -> None:
    no_path = peersimgym_document()
    no_path["links"]["path_info"].pop(0)
    with pytest.raises(
        ConversionError, match=r"neighbours lists rpi3_0 -> nuc_0 but links\.path_info has no entry"
    ):
        read_peersimgym(write_json(tmp_path, no_path))
    unknown = peersimgym_document()
    unknown["links"]["path_info"][0]["target"] = 42
    with pytest.raises(ConversionError, match=r"peersimgym.json: links.path_info\[0\]: unknown node id 42"):
        read_peersimgym(write_json(tmp_path, unknown))
    zero = peersimgym_document()
    zero["links"]["path_info"][4]["min_bandwidth"] = 0
    with pytest.raises(
        ConversionError, match=r"path_info\[4\] \(nuc_0 -> server_0\): min_bandwidth must be > 0"
    ):
        read_peersimgym(write_json(tmp_path, zero))
    isolated = peersimgym_document()
    isolated["links"]["path_info"] = isolated["links"]["path_info"][:4]
    isolated["links"]["neighbours"] = {}
    with pytest.raises(DisconnectedError, match="server_0"):
        read_peersimgym(write_json(tmp_path, isolated))
    with pytest.raises(ConversionError, match="not a PeersimGym Ether file"):
        read_peersimgym(write_json(tmp_path, {"nodes": []}))


ROUND_TRIP = {
    "urban-sensing": lambda: topologies.urban_sensing(2, seed=1),
    "industrial-iot": lambda: topologies.industrial_iot(1, seed=2, latency="mode"),
    "cloud-regions": lambda: topologies.cloud_regions(["eu-west-1", "us-east-1"], seed=3),
    "grid": lambda: topologies.grid(9, seed=4),
}


@pytest.mark.parametrize("name", ROUND_TRIP)
def test_networkx_round_trips(name: str, tmp_path: Path) -> None:
    t = ROUND_TRIP[name]()
    graph = to_networkx(t)
    assert graph.is_directed() == any(link.directed for link in t.links)
    assert from_networkx(graph) == t
    write_node_link(t, tmp_path / "t.json")
    write_graphml(t, tmp_path / "t.graphml")
    assert read_node_link(tmp_path / "t.json") == t
    assert read_graphml(tmp_path / "t.graphml") == t
    assert read_graph(tmp_path / "t.graphml") == t
    assert graph.number_of_nodes() == len(t.compute_nodes) + len(t.switches)


def test_foreign_graph_with_ether_units(tmp_path: Path) -> None:
    graph = nx.Graph(name="lab")
    graph.add_node("pi", type="rpi4")
    graph.add_node(
        "box", type="jetson-orin", cores=12, frequency_hz=2.2e9, memory_bytes=32 * 2**30, role="edge"
    )
    graph.add_node("router")
    graph.add_edge("pi", "router", bandwidth=100, latency=2.5)  # Ether's units: Mbit/s and ms
    graph.add_edge("router", "box", bandwidth_bps=1e9, latency_s=0.0005)
    path = tmp_path / "lab.graphml"
    nx.write_graphml(graph, path)
    t = read_graph(path)
    assert t.compute_names == ("pi", "box") and [s.name for s in t.switches] == ["router"]
    pi = t.compute_node("pi")
    assert (pi.cores, pi.frequency_hz, pi.role, pi.agent, pi.arch) == (4, 1.5e9, "device", True, "arm32v7")
    assert t.compute_node("box").cores == 12
    r = topologies.route(t, "pi", "box")
    assert (r.latency_s, r.bottleneck_bps) == (0.003, 100e6)
    assert t.switches[0].kind == "router"
    assert len(t.links) == 2


def test_foreign_graph_errors_name_the_edge_or_node(tmp_path: Path) -> None:
    graph = nx.Graph()
    graph.add_edge("a", "b", bandwidth_bps=1e9, weight=3.0)
    graph.nodes["a"]["type"] = "rpi4"
    graph.nodes["b"]["type"] = "nuc"
    with pytest.raises(
        ConversionError, match=r"edge a - b: no latency_s .* it has 'weight', which Ether ignores"
    ):
        from_networkx(graph)
    assert from_networkx(graph, default_latency_s=0.001).links[0].latency_s == 0.001
    graph.nodes["b"]["type"] = "orin"
    with pytest.raises(
        ConversionError, match="node 'b': type 'orin' is not in the node-type table, so it needs cores"
    ):
        from_networkx(graph, default_latency_s=0.001)
    directed = nx.DiGraph()
    directed.add_edge("a", "b", bandwidth_bps=1.0, latency_s=0.0, directed=False)
    directed.nodes["a"]["type"] = directed.nodes["b"]["type"] = "rpi4"
    with pytest.raises(ConversionError, match="marked directed=false but its reverse arc b -> a is missing"):
        from_networkx(directed)
    with pytest.raises(ConversionError, match=r"bad.txt: unknown graph file suffix '.txt'"):
        read_graph(tmp_path / "bad.txt")
    broken = tmp_path / "broken.graphml"
    broken.write_text("<graphml><graph>", encoding="utf-8")
    with pytest.raises(ConversionError, match=r"broken\.graphml: not readable GraphML"):
        read_graphml(broken)


def test_node_link_files_from_older_networkx_use_links(tmp_path: Path) -> None:
    t = topologies.ring(4, seed=0)
    data = nx.node_link_data(to_networkx(t), edges="links")
    path = tmp_path / "old.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    assert read_node_link(path) == t
    assert "links" in data and len(data["links"]) == 4


def test_deeply_nested_json_is_a_named_error_for_every_json_importer(tmp_path: Path) -> None:
    deep = tmp_path / "deep.json"
    deep.write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    checked = 0
    for read in (read_peersimgym, read_node_link):
        with pytest.raises(
            TopologyError, match=r"deep\.json: arrays and objects nested deeper than 64 levels"
        ):
            read(deep)
        checked += 1
    # A GraphML attribute holding JSON (labels) is parsed by the same reader.
    graph = to_networkx(topologies.ring(3, seed=0))
    first = next(iter(graph.nodes))
    graph.nodes[first]["labels"] = "[" * 100_000 + "]" * 100_000
    with pytest.raises(ConversionError, match=r"labels: arrays and objects nested deeper than 64 levels"):
        from_networkx(graph)
    assert checked == 2
