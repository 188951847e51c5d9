"""offload-neighbour-v0 on a topology file: nodes, agents, hardware and routes come from the file."""

from __future__ import annotations

import json

import numpy as np
import pytest
from pettingzoo.test import parallel_api_test

import pygym
import topologies
from pygym.servers import local_server
from tests.conftest import run_python

pytestmark = pytest.mark.jvm


@pytest.fixture(scope="module")
def topo() -> topologies.Topology:
    return topologies.random_geometric(12, seed=3).with_routes("hops")


def shannon_bps(distance_m: float) -> float:
    """The template's default channel: 5 MHz, 0.1 W, 2.4 GHz, 290 K, free space."""
    gain = (299_792_458.0 / (4 * np.pi * 2.4e9 * max(distance_m, 1.0))) ** 2
    return 5e6 * np.log2(1 + 0.1 * gain / (1.380649e-23 * 290 * 5e6))


@pytest.mark.parametrize("wireless", [False, True])
def test_agents_hardware_and_routes_come_from_the_file(wireless, tmp_path) -> None:
    if wireless:  # PeersimGym-style radio links: the channel caps the route's bandwidth
        topo = topologies.random_geometric(12, seed=3, area_m=60.0, radius_m=40.0).with_routes("hops")
    else:
        topo = topologies.urban_sensing(cells=1, seed=4).with_routes("hops")
    path = tmp_path / "t.json"
    topologies.save(topo, path)
    view = topologies.agents_and_routes(topologies.load(path))
    names = [n.name for n in topo.compute_nodes]
    agent_nodes = [n for n in topo.compute_nodes if n.agent]
    with pygym.make("offload-neighbour-v0", topology=str(path), episode_s=5) as env:
        assert env.possible_agents == [n.name for n in agent_nodes]
        assert env.spec_json["agent_nodes"] == list(range(len(agent_nodes)))
        observations, _ = env.reset(seed=1)
        col = {name: i for i, name in enumerate(env.observation_fields)}
        checked = 0
        for node in agent_nodes:
            obs = observations[node.name]
            assert obs[col["cores"]] == node.cores
            assert obs[col["cpu_hz"]] == np.float32(node.frequency_hz)
            i = names.index(node.name)
            # Neighbour slots hold the lowest-latency nodes, nearest first; the uplink is the route's
            # bottleneck, capped by the channel between wireless endpoints.
            by_latency = sorted((view.routes.latency_s[i, j], j) for j in range(len(names)) if j != i)
            for k in range(4):
                if not obs[col[f"nb{k}_present"]]:
                    continue
                j = by_latency[k][1]
                expected = view.routes.bottleneck_bps[i, j]
                if wireless:
                    a, b = topo.compute_nodes[i].position_m, topo.compute_nodes[j].position_m
                    expected = min(expected, shannon_bps(float(np.hypot(a[0] - b[0], a[1] - b[1]))))
                assert obs[col[f"nb{k}_uplink_bps"]] == pytest.approx(expected, rel=1e-6)
                assert obs[col[f"nb{k}_cpu_hz"]] == np.float32(topo.compute_nodes[j].frequency_hz)
                checked += 1
        assert checked >= len(agent_nodes)
        first = env.reset(seed=1)[0]
        assert env.possible_agents == [n.name for n in agent_nodes]
        assert all(np.array_equal(first[a], observations[a]) for a in first)


def test_generated_topology_passes_the_api_test() -> None:
    env = pygym.make(
        "offload-neighbour-v0",
        topology="urban-sensing",
        topology_params={"cells": 1},
        topology_seed=2,
        episode_s=5,
    )
    try:
        assert env.topology is not None and len(env.possible_agents) == env.topology.agents
        parallel_api_test(env, num_cycles=50)
    finally:
        env.close()


def test_nodes_and_agents_are_not_set_alongside_a_topology(topo) -> None:
    with pytest.raises(pygym.ConfigError, match="nodes: set by the topology"):
        pygym.make("offload-neighbour-v0", topology=topo, nodes=5)
    with pytest.raises(pygym.ConfigError, match=r"bad topology_params"):
        pygym.make("offload-neighbour-v0", topology="ring", topology_params={"spokes": 3})


BAD = {
    "format": "pygym-topology",
    "version": 1,
    "compute_nodes": [
        {"name": "a", "type": "rpi4", "role": "device", "agent": True, "cores": 4, "frequency_hz": 1.5e9,
         "memory_bytes": 4e9},
        {"name": "b", "type": "rpi4", "role": "device", "agent": False, "cores": 4, "frequency_hz": 1.5e9,
         "memory_bytes": 4e9},
    ],
    "switches": [],
    "links": [{"source": "a", "target": "ghost", "bandwidth_bps": 1e8, "latency_s": 0.001}],
    "routes": None,
}  # fmt: skip


def test_a_bad_file_fails_in_python_before_any_jvm(tmp_path) -> None:
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(BAD))
    code = f"""
import pygym, pygym.servers
try:
    pygym.make("offload-neighbour-v0", topology={str(path)!r})
except pygym.ConfigError as e:
    print("ConfigError:", e)
print("jvm started:", pygym.servers._local is not None)
"""
    out = run_python(code)
    assert out.returncode == 0, out.stderr
    assert "ConfigError:" in out.stdout and "ghost" in out.stdout and "links[0]" in out.stdout
    assert "jvm started: False" in out.stdout


def test_the_simulator_checks_a_file_that_reaches_it_directly(tmp_path) -> None:
    bad = dict(BAD, links=[{"source": "a", "target": "b", "bandwidth_bps": 1e8, "latency_s": 0.001}])
    path = tmp_path / "no-routes.json"
    path.write_text(json.dumps(bad))
    client = local_server()
    with pytest.raises(pygym.ConfigError, match="has no route matrices"):
        client.create_group("offload-neighbour-v0", 1, {"topology": str(path), "nodes": "2", "agents": "1"})
    bad["links"] = [{"source": "a", "target": "ghost", "bandwidth_bps": 1e8, "latency_s": 0.001}]
    path.write_text(json.dumps(bad))
    with pytest.raises(pygym.ConfigError, match=r"links\[0\] \(a - ghost\): unknown node 'ghost'"):
        client.create_group("offload-neighbour-v0", 1, {"topology": str(path), "nodes": "2", "agents": "1"})
    with pytest.raises(pygym.ConfigError, match="the file has 12 compute nodes"):
        topo = topologies.random_geometric(12, seed=3).with_routes("hops")
        good = tmp_path / "good.json"
        topologies.save(topo, good)
        client.create_group("offload-neighbour-v0", 1, {"topology": str(good), "nodes": "20", "agents": "10"})
