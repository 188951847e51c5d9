"""Sessions that need no shared filesystem: against a server started with ``pygym sim serve`` whose working
directory and temporary folder are not the client's, topology and workload files travel by content (sent once
per server, checked, kept while a session uses them), ``server:`` paths name files inside the server's data
folder, and an upload cut off halfway is never used."""

from __future__ import annotations

import json
import os
import signal
import subprocess
from pathlib import Path

import numpy as np
import pytest

import pygym
import topologies
import workloads
from pygym import bridge
from pygym.bridge import _bytes_arg, _long_arg, _str_arg, file_digest
from tests.conftest import PYTHON
from tests.pygym.served import Served, client_env, wait_until

pytestmark = pytest.mark.jvm


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory):
    home = tmp_path_factory.mktemp("server-home")
    data = home / "data"
    data.mkdir()
    with Served(home, "--data-dir", str(data)) as server:
        yield server


@pytest.fixture
def client(served: Served):
    c = pygym.connect("127.0.0.1", served.port, served.token)
    yield c
    c.close()


@pytest.fixture
def files(tmp_path: Path) -> tuple[Path, Path]:
    """A topology file of 12 nodes and a workload replayed at four of them, in the client's folder only."""
    topology = tmp_path / "topo.json"
    topo = topologies.random_geometric(12, seed=3).with_routes("hops")
    topologies.save(topo, topology)
    names = topo.compute_names
    tasks = [
        workloads.Task(0.05 * i, names[i % 4], f"t{i}", 300_000_000, 200_000, 10_000, 0.05 * i + 5.0, ())
        for i in range(40)
    ]
    workload = tmp_path / "w.csv"
    workloads.write_workload(workload, tasks)
    return topology, workload


def record(env: pygym.SimParallelEnv, seed: int) -> tuple[list[np.ndarray], int]:
    """Every observation and reward of one episode with actions from the masks; and the steps taken."""
    rng = np.random.default_rng(seed)
    observations, infos = env.reset(seed=seed)
    out = [np.concatenate([observations[a] for a in env.agents])]
    steps = 0
    while env.agents:
        actions = {a: int(rng.choice(np.flatnonzero(infos[a]["action_mask"]))) for a in env.agents}
        observations, rewards, _, _, infos = env.step(actions)
        out.append(np.concatenate([observations[a] for a in observations]))
        out.append(np.array([rewards[a] for a in rewards]))
        steps += 1
    return out, steps


def test_topology_and_workload_by_content_give_the_local_episode(
    served: Served, client, files: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    topology, workload = files
    assert not (served.home / topology.name).exists() and str(served.tmp) != os.environ.get("TMPDIR", "/tmp")
    scenario = {
        "topology": str(topology),
        "workload": str(workload),
        "episode_s": 3,
        "serve_undecided": False,
    }
    chunks: list[str] = []
    text_call = bridge.Client._text_call

    def counting(self, what, method, *args, **kwargs):  # type: ignore[no-untyped-def]
        if method == "fileChunk":
            chunks.append(method)
        return text_call(self, what, method, *args, **kwargs)

    monkeypatch.setattr(bridge.Client, "_text_call", counting)
    with pygym.make("offload-neighbour-v0", server=client, **scenario) as remote:
        config = remote.spec_json["config"]
        assert f"topology content:{file_digest(remote.topology.path)[0]}" in config
        assert f"workload content:{file_digest(workload)[0]}" in config
        sent = len(chunks)
        assert sent == 2, "one chunk each for the topology and the workload"
        assert len(served.cache_files()) == 2
        # The same files again while the first env holds them: nothing is sent.
        with pygym.make("offload-neighbour-v0", server=client, **scenario) as again:
            assert len(chunks) == sent and again.spec_json["config"] == config
        remote_record, steps = record(remote, seed=4)
    assert served.cache_files() == [], "no session uses them: the server drops them"
    with pygym.make("offload-neighbour-v0", **scenario) as local:
        local_record, local_steps = record(local, seed=4)
    assert steps == local_steps and steps >= 20  # the replay ends the episode once every task finished
    assert len(remote_record) == len(local_record) == 1 + 2 * steps
    for i, (a, b) in enumerate(zip(remote_record, local_record, strict=True)):
        np.testing.assert_array_equal(a, b, err_msg=f"record {i}")


def test_a_workload_larger_than_one_chunk_is_sent_in_chunks_and_checked(
    served: Served, client, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(bridge, "CHUNK_BYTES", 4096)
    tasks = [
        workloads.Task(0.001 * i, f"node_{i % 6}", f"t{i}", 10**8, 1000, 100, None, ()) for i in range(3000)
    ]
    path = tmp_path / "long.csv"
    workloads.write_workload(path, tasks)
    chunks = -(-path.stat().st_size // 4096)
    assert chunks > 20
    arrived = []
    for server in (client, None):
        with pygym.make(
            "offload-neighbour-v0", server=server, nodes=6, agents=3, episode_s=1, workload=str(path)
        ) as env:
            env.reset(seed=1)
            count = 0
            while env.agents:
                env.step(dict.fromkeys(env.agents, 0))
                count += int(env.last_frame.metrics[:, env.metric_fields.index("arrived")].sum())
            arrived.append(count)
    # The first second's rows at the three agent nodes, from the file sent in chunks as from the local file.
    assert arrived == [500, 500]


def test_server_paths_are_explicit_and_only_inside_the_data_folder(served: Served, client, files) -> None:
    _, workload = files
    inside = served.home / "data" / "w.csv"
    inside.write_bytes(workload.read_bytes())
    topology = str(files[0])
    with pygym.make("offload-neighbour-v0", server=client, topology=topology, workload="server:w.csv") as env:
        assert "workload server:w.csv" in env.spec_json["config"]
        env.reset(seed=1)
    with pytest.raises(pygym.ConfigError, match=r"the file is outside the server's data folder"):
        pygym.make("offload-neighbour-v0", server=client, topology=topology, workload=f"server:{workload}")
    with pytest.raises(pygym.ConfigError, match=r"this server opens no path a client names"):
        client.create_group(
            "offload-neighbour-v0", 1, {"workload": str(inside), "nodes": "12", "agents": "4"}
        )


def test_server_errors_about_a_file_sent_by_content_name_the_local_file(
    client, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "unknown-source.csv"
    workloads.write_workload(path, [workloads.Task(0.0, "node_7", "a", 10, 0, 0, None, ())])
    # Skip Python's own check, so that the server's finds the problem.
    monkeypatch.setattr(pygym.workload, "check", lambda p, sources, what="node": Path(p).resolve())
    with pytest.raises(pygym.ConfigError) as error:
        pygym.make("offload-neighbour-v0", server=client, nodes=5, agents=2, workload=str(path))
    message = str(error.value)
    assert f"{path}:4: column 2 (source): no node named 'node_7'" in message, message
    assert file_digest(path)[0] not in message


def test_an_upload_cut_off_halfway_is_never_used(served: Served, client, tmp_path: Path, files) -> None:
    _, workload = files
    data = workload.read_bytes()
    digest, size = file_digest(workload)
    assert client._text_call("send", "fileOffer", _str_arg(digest), _long_arg(size)) == "send"
    client._text_call("send", "fileChunk", _str_arg(digest), _long_arg(0), _bytes_arg(data[: size // 2]))
    overrides = {"workload": f"content:{digest}", "nodes": "12", "agents": "4"}
    with pytest.raises(pygym.ConfigError, match=f"workload = content:{digest}: this server keeps no file"):
        client.create_group("offload-neighbour-v0", 1, overrides)
    with pytest.raises(
        pygym.FileTransferError, match=f"ended after {size // 2} of its {size} bytes; nothing was kept"
    ):
        client._text_call("send", "fileEnd", _str_arg(digest))
    # Bytes that are not the digest's: the file changed while it was sent.
    client._text_call("send", "fileOffer", _str_arg(digest), _long_arg(size))
    client._text_call("send", "fileChunk", _str_arg(digest), _long_arg(0), _bytes_arg(data[::-1]))
    with pytest.raises(pygym.FileTransferError, match="the file changed while it was sent"):
        client._text_call("send", "fileEnd", _str_arg(digest))
    assert served.cache_files() == []


HALF_UPLOAD = """
import sys, pygym
from pathlib import Path
from pygym.bridge import _bytes_arg, _long_arg, _str_arg, file_digest
client = pygym.connect("127.0.0.1", int(sys.argv[1]), __import__("os").environ["PYGYM_TOKEN"])
path = Path(sys.argv[2])
digest, size = file_digest(path)
client._text_call("send", "fileOffer", _str_arg(digest), _long_arg(size))
half = _bytes_arg(path.read_bytes()[: size // 2])
client._text_call("send", "fileChunk", _str_arg(digest), _long_arg(0), half)
print("half", flush=True)
sys.stdin.read()
"""


def test_a_client_killed_halfway_through_an_upload_leaves_nothing(served: Served, files) -> None:
    _, workload = files
    child = subprocess.Popen(
        [PYTHON, "-c", HALF_UPLOAD, str(served.port), str(workload)],
        env=client_env(served.token),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert child.stdout is not None and child.stdout.readline().strip() == "half"
        assert len(served.cache_files()) == 1, "the partial upload"
        os.kill(child.pid, signal.SIGKILL)
        child.wait(10)
    finally:
        if child.poll() is None:
            child.kill()
    wait_until(lambda: served.cache_files() == [], timeout_s=20)


def test_a_trainer_finds_the_server_in_pygym_server_and_writes_its_address_into_the_run(
    served: Served, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from agents import a2c
    from agents.common.session import TrainingRun, parse_args

    monkeypatch.setenv("PYGYM_TOKEN", served.token)
    monkeypatch.setenv("PYGYM_SERVER", served.address)
    args = parse_args(a2c.Args, ["--set", "episode_s=1", "--num-envs", "2", "--runs-dir", str(tmp_path)])
    with TrainingRun.start(args, "a2c") as run:
        assert run.venv.servers == [served.address]
        config_text = (run.run_dir / "config.json").read_text()
    config = json.loads(config_text)
    assert config["server"] == served.address and config["args"]["server"] is None
    assert served.token not in config_text


def test_bad_server_input_is_named(served: Served, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PYGYM_TOKEN", raising=False)
    monkeypatch.delenv("PYGYM_SERVER", raising=False)
    cases = [
        ({"server": served.address}, pygym.ConfigError, "needs a token: pass token=... or set PYGYM_TOKEN"),
        ({"server": "127.0.0.1:99999", "token": "t" * 16}, pygym.ConfigError, "port in 1..65535"),
        ({"server": "127.0.0.1:port", "token": "t" * 16}, pygym.ConfigError, "expected 'host:port'"),
        ({"token": served.token}, pygym.ConfigError, r"token=, tls= and tls_ca= need server='host:port'"),
        ({"server": served.address, "token": "wrong-token-0123456789"}, pygym.ConnectionFailed,
         f"the simulator at {served.address} refused the auth token"),
    ]  # fmt: skip
    checked = 0
    for kwargs, error, message in cases:
        with pytest.raises(error, match=message):
            pygym.make("offload-neighbour-v0", **kwargs, nodes=4, agents=2)
        checked += 1
    monkeypatch.setenv("PYGYM_SERVER", "no-port-here")
    with pytest.raises(pygym.ConfigError, match=r"\$PYGYM_SERVER 'no-port-here': expected 'host:port'"):
        pygym.make_vec("offload-neighbour-v0", 2, nodes=4, agents=2)
    assert checked == len(cases)
