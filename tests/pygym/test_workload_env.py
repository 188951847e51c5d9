"""offload-neighbour-v0 replaying a workload file: arrivals, dependencies and errors."""

from __future__ import annotations

import numpy as np
import pytest

import pygym
import workloads
from pygym.servers import local_server
from tests.conftest import run_python

pytestmark = pytest.mark.jvm


def dag(path) -> list[workloads.Task]:
    """Three small jobs, each a chain fanning in (x1, x2 -> x3), spread over four sources."""
    tasks = []
    for j in range(3):
        t0 = j * 2.0
        tasks += [
            workloads.Task(t0, f"node_{j}", f"j{j}/1", 400_000_000, 200_000, 10_000, t0 + 20.0, ()),
            workloads.Task(t0, f"node_{j + 1}", f"j{j}/2", 200_000_000, 200_000, 10_000, t0 + 20.0, ()),
            workloads.Task(
                t0 + 0.05, f"node_{j}", f"j{j}/3", 10**8, 200_000, 10_000, t0 + 20.0, (f"j{j}/1", f"j{j}/2")
            ),
        ]
    workloads.write_workload(path, tasks)
    return tasks


def test_replayed_tasks_respect_their_dependencies(tmp_path) -> None:
    path = tmp_path / "dag.csv"
    tasks = dag(path)
    env = pygym.make("offload-neighbour-v0", nodes=6, agents=4, workload=str(path), episode_s=60)
    try:
        _, infos = env.reset(seed=3)
        fields = {name: i for i, name in enumerate(env.task_record_fields)}
        records = []
        arrived = env.last_frame.metrics[:, env.metric_fields.index("arrived")].sum()
        steps = 0
        while env.agents:
            # Offload when a neighbour is there: dependencies must hold across nodes too.
            actions = {a: int(np.flatnonzero(infos[a]["action_mask"])[-1]) for a in env.agents}
            _, _, _, _, infos = env.step(actions)
            steps += 1
            records.extend(env.last_frame.task_records.tolist())
            arrived += env.last_frame.metrics[:, env.metric_fields.index("arrived")].sum()
        assert steps < env.max_steps  # ended by the replay: file done and every task finished
        assert arrived == len(tasks) == 9
        by_line = {int(r[fields["workload_line"]]): r for r in records}
        assert len(by_line) == 9, "every task completed"
        line_of = {t.task_id: i + 4 for i, t in enumerate(tasks)}  # 3 header lines, then one line per task
        checked = 0
        for t in tasks:
            mine = by_line[line_of[t.task_id]]
            assert mine[fields["created_s"]] == pytest.approx(t.arrival_s)
            for dep in t.depends_on:
                assert mine[fields["started_s"]] >= by_line[line_of[dep]][fields["finished_s"]]
                checked += 1
        assert checked == 6
    finally:
        env.close()


def test_bad_workloads_fail_before_the_simulator_and_in_it(tmp_path) -> None:
    path = tmp_path / "w.csv"
    workloads.write_workload(path, [workloads.Task(0.0, "node_7", "a", 10, 0, 0, None, ())])
    code = f"""
import pygym, pygym.servers
try:
    pygym.make("offload-neighbour-v0", nodes=5, agents=2, workload={str(path)!r})
except pygym.ConfigError as e:
    print("ConfigError:", e)
print("jvm started:", pygym.servers._local is not None)
"""
    out = run_python(code)
    assert "comes from 'node_7', which is not a node of this scenario" in out.stdout, out.stdout + out.stderr
    assert "jvm started: False" in out.stdout
    broken = tmp_path / "broken.csv"
    broken.write_text(path.read_text().replace(",10,", ",ten,"))
    with pytest.raises(pygym.ConfigError, match=r"broken.csv:4: column 4 \(cycles\)"):
        pygym.make("offload-neighbour-v0", workload=str(broken))
    # A file that reaches the simulator directly is checked there too.
    with pytest.raises(pygym.ConfigError, match=r"w.csv:4: column 2 \(source\): no node named 'node_7'"):
        local_server().create_group(
            "offload-neighbour-v0", 1, {"workload": str(path), "nodes": "5", "agents": "2"}
        )
