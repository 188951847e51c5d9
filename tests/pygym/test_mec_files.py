"""offload-mec-v0 on topology files and replaying workload files: devices, servers, hardware and routes come
from the file; replayed tasks are decided only after their dependencies finish; errors are named, in Python
before any JVM where the rule can be checked there, and again by the simulator."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
from pettingzoo.test import parallel_api_test

import pygym
import topologies
import workloads
from pygym.servers import local_server
from tests.conftest import run_python

pytestmark = pytest.mark.jvm

ENV = "offload-mec-v0"


def path_loss_bps(distance_m: float) -> float:
    """The template's uplink channel: 10 MHz, 0.1 W, 15.3 dB + 37.6 log10(d / 1 m), -174 dBm/Hz."""
    loss_db = 15.3 + 37.6 * math.log10(max(distance_m, 1.0))
    noise_w = 10 ** ((-174 - 30) / 10) * 10e6
    return 10e6 * math.log2(1 + 0.1 * 10 ** (-loss_db / 10) / noise_w)


def test_a_generated_topology_passes_the_api_test() -> None:
    env = pygym.make(
        ENV,
        topology="random-geometric",
        topology_params={"nodes": 6, "types": ["rpi4", "nuc"]},
        topology_seed=2,
    )
    try:
        assert env.possible_agents == ["rpi4_0", "rpi4_1", "rpi4_2"]
        assert env.server_names == ("nuc_0", "nuc_1", "nuc_2")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # PettingZoo warns about unbounded observation fields
            parallel_api_test(env, num_cycles=30)
    finally:
        env.close()


def wireless_topology() -> topologies.Topology:
    """Every link wireless, 1 Gbit/s: the path-loss channel between the endpoints caps each route."""
    return topologies.random_geometric(
        9, seed=3, area_m=60.0, radius_m=40.0, types=("rpi4", "rpi4", "nuc"), bandwidth_bps=1e9
    )


CASES = {
    "wireless": (wireless_topology, False),
    # Ether's urban sensing, wired, with its cloud nodes counted as servers.
    "urban-cloud": (lambda: topologies.urban_sensing(cells=1, seed=4), True),
}


@pytest.mark.parametrize("case", CASES)
def test_devices_servers_hardware_and_rates_come_from_the_file(case: str, tmp_path) -> None:
    make_topology, cloud = CASES[case]
    path = tmp_path / "t.json"
    topologies.save(make_topology().with_routes("hops"), path)
    topo = topologies.load(path)
    view = topologies.agents_and_routes(topo)
    names = list(view.nodes)
    devices = [n for n in topo.compute_nodes if n.role == "device" and n.name in view.agents]
    servers = [n for n in topo.compute_nodes if n.role == "edge" or (cloud and n.role == "cloud")]
    assert devices and servers and (not cloud or any(n.role == "cloud" for n in servers))
    with pygym.make(ENV, topology=str(path), topology_cloud_servers=cloud) as env:
        assert env.possible_agents == [n.name for n in devices]
        assert env.server_names == tuple(n.name for n in servers)
        assert env.n_devices == len(devices) and env.n_servers == len(servers)
        observations, _ = env.reset(seed=1)
        col = {name: i for i, name in enumerate(env.observation_fields)}
        checked = capped = 0
        for device in devices:
            obs = observations[device.name]
            assert obs[col["cores"]] == device.cores and obs[col["cpu_hz"]] == np.float32(device.frequency_hz)
            i = names.index(device.name)
            for k, server in enumerate(servers):
                j = names.index(server.name)
                expected = view.routes.bottleneck_bps[i, j]
                if case == "wireless":
                    (ax, ay), (bx, by) = device.position_m, server.position_m
                    channel = path_loss_bps(math.hypot(ax - bx, ay - by))
                    capped += channel < expected
                    expected = min(expected, channel)
                assert obs[col[f"es{k}_uplink_bps"]] == pytest.approx(expected, rel=1e-6)
                assert obs[col[f"es{k}_latency_s"]] == np.float32(view.routes.latency_s[i, j])
                assert obs[col[f"es{k}_cpu_hz"]] == np.float32(server.frequency_hz)
                assert obs[col[f"es{k}_cores"]] == server.cores
                checked += 1
        assert checked == len(devices) * len(servers)
        assert capped > 0 if case == "wireless" else capped == 0
        again, _ = env.reset(seed=1)
        assert env.possible_agents == [n.name for n in devices]
        assert all(np.array_equal(again[a], observations[a]) for a in env.possible_agents)


def test_device_and_server_counts_are_not_set_alongside_a_topology() -> None:
    topo = topologies.random_geometric(6, seed=2, types=("rpi4", "nuc"))
    with pytest.raises(pygym.ConfigError, match="n_devices, n_servers: set by the topology"):
        pygym.make(ENV, topology=topo, n_devices=3, n_servers=3)
    with pytest.raises(pygym.ConfigError, match="topology_cloud_servers applies to a topology"):
        pygym.make(ENV, topology_cloud_servers=True)
    with pytest.raises(pygym.ConfigError, match="topology_params needs topology"):
        pygym.make(ENV, topology_params={"nodes": 3})


def run_before_jvm(code: str) -> str:
    """Runs ``code`` in a fresh interpreter and returns its output, which ends with whether a JVM started."""
    code += "\nprint('jvm started:', pygym.servers._local is not None)\n"
    out = run_python(code)
    assert out.returncode == 0, out.stderr
    return out.stdout


def test_files_without_devices_or_servers_and_unknown_sources_fail_before_any_jvm(tmp_path) -> None:
    only_devices = tmp_path / "devices.json"
    topologies.save(topologies.random_geometric(4, seed=1), only_devices)  # rpi4 devices, no edge node
    load = tmp_path / "w.csv"
    workloads.write_workload(load, [
        workloads.Task(0.0, "md_1", "a", 10, 0, 0, None, ()),
        workloads.Task(0.5, "es_0", "b", 10, 0, 0, None, ()),  # a server is no source
        workloads.Task(0.6, "md_7", "c", 10, 0, 0, None, ()),
    ])  # fmt: skip
    out = run_before_jvm(f"""
import pygym, pygym.servers
for kwargs in ({{"topology": {str(only_devices)!r}}}, {{"topology": "cloud-regions"}},
               {{"workload": {str(load)!r}}}):
    try:
        pygym.make("offload-mec-v0", **kwargs)
    except pygym.ConfigError as e:
        print("ConfigError:", e)
""")
    errors = [line for line in out.splitlines() if line.startswith("ConfigError:")]
    assert len(errors) == 3, out
    assert str(only_devices) in errors[0] and "no servers" in errors[0] and "role 'edge'" in errors[0]
    assert "'cloud-regions'" in errors[1] and "no devices" in errors[1] and "role 'device'" in errors[1]
    assert "task b comes from 'es_0'" in errors[2] and "the first unknown source" in errors[2]
    assert "jvm started: False" in out


def test_the_simulator_checks_files_that_reach_it_directly(tmp_path) -> None:
    load = tmp_path / "w.csv"
    workloads.write_workload(load, [workloads.Task(0.0, "es_0", "a", 10, 0, 0, None, ())])
    client = local_server()
    with pytest.raises(pygym.ConfigError, match=r"w.csv:4: column 2 \(source\): no device named 'es_0'"):
        client.create_group(ENV, 1, {"workload": str(load)})
    path = tmp_path / "t.json"
    topologies.save(topologies.random_geometric(4, seed=1).with_routes("hops"), path)
    with pytest.raises(pygym.ConfigError, match="the file has no servers: a MEC scenario's servers are"):
        client.create_group(ENV, 1, {"topology": str(path), "n_devices": "4", "n_servers": "1"})


def dag(path, sources: list[str]) -> list[workloads.Task]:
    """Three small jobs, each two tasks fanning in to a third, spread over the sources."""
    tasks = []
    for j in range(3):
        t0 = j * 1.5
        a, b = sources[j % len(sources)], sources[(j + 1) % len(sources)]
        tasks += [
            workloads.Task(t0, a, f"j{j}/1", 4 * 10**8, 200_000, 10_000, t0 + 20.0, ()),
            workloads.Task(t0 + 0.1, b, f"j{j}/2", 2 * 10**8, 200_000, 10_000, t0 + 20.0, ()),
            workloads.Task(t0 + 0.2, a, f"j{j}/3", 10**8, 200_000, 10_000, t0 + 20.0, (f"j{j}/1", f"j{j}/2")),
        ]
    workloads.write_workload(path, tasks)
    return tasks


@pytest.mark.parametrize("on_topology", [False, True])
def test_a_replayed_dag_starts_no_task_before_its_dependencies_finish(on_topology: bool, tmp_path) -> None:
    path = tmp_path / "dag.csv"
    if on_topology:
        topo = topologies.urban_sensing(cells=1, seed=4)
        sources = [n.name for n in topo.compute_nodes if n.role == "device" and n.agent][:3]
        kwargs: dict = {"topology": topo}
    else:
        sources = ["md_0", "md_1", "md_2"]
        kwargs = {"n_devices": 3, "epoch_s": 0.5}
    tasks = dag(path, sources)
    with pygym.make(ENV, workload=str(path), episode_steps=200, **kwargs) as env:
        assert env.workload == path.resolve()
        fields = {name: i for i, name in enumerate(env.task_record_fields)}
        rng = np.random.default_rng(3)
        env.reset(seed=3)
        records, steps = [], 0
        while env.agents:
            env.step({a: rng.uniform(-1, 1, 2).astype(np.float32) for a in env.agents})
            records.extend(env.last_frame.task_records.tolist())
            steps += 1
        summary = env.episode
        assert steps < env.max_steps and summary["ended_early"]  # ended by the replay: every task finished
        assert summary["arrived"] == summary["tasks"] == len(tasks) == 9
        assert summary["dropped"] == summary["unfinished"] == 0
        by_line = {int(r[fields["workload_line"]]): r for r in records}
        line_of = {t.task_id: i + 4 for i, t in enumerate(tasks)}  # 3 header lines, then one per task
        assert sorted(by_line) == sorted(line_of.values())
        checked = 0
        for t in tasks:
            mine = by_line[line_of[t.task_id]]
            assert mine[fields["created_s"]] == pytest.approx(t.arrival_s)
            assert mine[fields["started_s"]] >= mine[fields["decided_s"]] >= t.arrival_s
            assert mine[fields["finished_s"]] == pytest.approx(t.arrival_s + mine[fields["latency_s"]])
            for dep in t.depends_on:
                assert mine[fields["started_s"]] >= by_line[line_of[dep]][fields["finished_s"]]
                checked += 1
        assert checked == 6


def test_a_full_queue_drops_a_task_and_its_dependants(tmp_path) -> None:
    path = tmp_path / "w.csv"
    workloads.write_workload(path, [
        workloads.Task(0.0, "md_0", "a", 10**8, 1000, 0, None, ()),
        workloads.Task(0.1, "md_0", "b", 10**8, 1000, 0, None, ()),  # md_0 already holds a: dropped
        workloads.Task(0.2, "md_1", "c", 10**8, 1000, 0, None, ("b",)),  # so c is dropped too
        workloads.Task(0.3, "md_1", "d", 10**8, 1000, 0, None, ("a",)),
    ])  # fmt: skip
    weights = {"latency": 0.0, "energy": 0.0, "miss": 0.0, "drop": 2.5}
    with pygym.make(
        ENV, n_devices=2, workload=str(path), task_queue_capacity=1, reward="agent", reward_weights=weights
    ) as env:
        _, infos = env.reset(seed=1)
        col = env._metric_index
        first = env.last_frame.metrics
        assert first[0, col["dropped_queue_full"]] == 1 and first[1, col["dropped_dependency"]] == 1
        assert first[:, col["arrived"]].tolist() == [2, 2]
        decisions = 0
        while env.agents:
            _, rewards, _, _, infos = env.step({a: np.array([0, -1], np.float32) for a in env.agents})
            decisions += sum(info["decided"] for info in infos.values())
            assert all(r == 0 for r in rewards.values())  # drops before the first decision cost no step
        summary = env.episode
        assert decisions == 2 and summary["tasks"] == 2 and summary["dropped"] == 2
        assert summary["success_rate"] == 0.5 and summary["arrived"] == 4
    # A drop during a step is charged to its device at the drop weight.
    late = tmp_path / "late.csv"
    workloads.write_workload(late, [
        workloads.Task(1.2, "md_0", "a", 10**8, 1000, 0, None, ()),
        workloads.Task(1.3, "md_0", "b", 10**8, 1000, 0, None, ()),
    ])  # fmt: skip
    with pygym.make(
        ENV, n_devices=2, workload=str(late), task_queue_capacity=1, reward="agent", reward_weights=weights
    ) as env:
        env.reset(seed=1)
        _, rewards, _, _, infos = env.step({a: np.array([0, -1], np.float32) for a in env.agents})
        assert rewards == {"md_0": -2.5, "md_1": 0.0} and infos["md_0"]["cost"] == 2.5
