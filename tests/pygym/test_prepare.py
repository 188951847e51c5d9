"""The env modules' prelude reads its defaults and role rules from the simulator's template: the jar's and
the server's templates agree, and changing a rule in the configuration changes it in Python and Java alike."""

from __future__ import annotations

import pytest

import pygym
import topologies
import workloads
from pygym.prepare import Template
from pygym.servers import local_server

pytestmark = pytest.mark.jvm


def test_the_jar_and_the_server_give_the_same_templates(monkeypatch) -> None:
    client = local_server()
    compared = 0
    for env_id in pygym.env_ids():
        from_jar = Template.of(env_id)
        assert from_jar == Template.parse(env_id, client.template(env_id))
        compared += len(from_jar.values)
    # Without a jar, the template comes from the default server.
    monkeypatch.setenv("PYGYM_JAR", "/nonexistent/edgesim.jar")
    monkeypatch.setenv("PYGYM_SERVER", client.address)
    monkeypatch.setenv("PYGYM_TOKEN", client.endpoint.token)
    for env_id in pygym.env_ids():
        assert Template.of(env_id) == Template.parse(env_id, client.template(env_id))
    assert compared > 100
    assert Template.of("offload-neighbour-v0").count("nodes", {}) == 20
    assert Template.of("offload-mec-v0").value("n_devices", {"n_devices": 5}) == "5"


def write(path, *sources: str) -> str:
    tasks = [workloads.Task(0.1 * i, s, f"t{i}", 10**8, 1000, 100, None, ()) for i, s in enumerate(sources)]
    workloads.write_workload(path, tasks)
    return str(path)


def test_default_node_names_are_the_templates(tmp_path) -> None:
    with pygym.make("offload-neighbour-v0", workload=write(tmp_path / "a.csv", "node_19"), episode_s=1):
        pass
    with pytest.raises(pygym.ConfigError, match="comes from 'node_20', which is not a node of this scenario"):
        pygym.make("offload-neighbour-v0", workload=write(tmp_path / "b.csv", "node_20"))
    renamed = {"network.node_prefix": "n", "nodes": 4, "agents": 2, "episode_s": 1}
    with pygym.make("offload-neighbour-v0", workload=write(tmp_path / "c.csv", "n3"), **renamed) as env:
        assert env.possible_agents == ["n0", "n1"]
    cell = {"init.net.device_prefix": "phone", "init.net.server_prefix": "bs"}
    with pygym.make("offload-mec-v0", workload=write(tmp_path / "d.csv", "phone2"), **cell) as env:
        assert env.possible_agents == ["phone0", "phone1", "phone2"]
        assert env.server_names == ("bs0", "bs1")
    with pytest.raises(pygym.ConfigError, match="comes from 'md_0', which is not a device of this scenario"):
        pygym.make("offload-mec-v0", workload=write(tmp_path / "e.csv", "md_0"), **cell)
    # Two prefixes that could name two nodes alike are refused by the simulator.
    with pytest.raises(pygym.ConfigError, match=r"^init\.net\.server_prefix = md .*neither starts with"):
        pygym.make("offload-mec-v0", **{"init.net.server_prefix": "md"})


def test_the_role_rules_are_the_templates() -> None:
    urban = topologies.urban_sensing(cells=1, seed=4)  # 4 device agents, 5 edge nodes, 10 cloud nodes
    with pygym.make("offload-mec-v0", topology=urban) as env:
        assert len(env.possible_agents) == 4 and len(env.server_names) == 5
    # Servers by another role: the cloud nodes only, in Python (server names) and in Java (the network).
    with pygym.make("offload-mec-v0", topology=urban, **{"init.net.server_role": "cloud"}) as env:
        assert env.server_names == tuple(f"server_{k}" for k in range(10))
        observations, _ = env.reset(seed=1)
        assert len(observations) == 4
        assert "es9_cpu_hz" in env.observation_fields and "es10_cpu_hz" not in env.observation_fields
    with pytest.raises(pygym.ConfigError, match="compute nodes with role 'phone' marked as agents"):
        pygym.make("offload-mec-v0", topology=urban, **{"init.net.device_role": "phone"})
