"""Frames through memory shared with a JVM this process started, and through py4j replies otherwise: the
same trajectories either way; the simulator maps nothing but the client's own region."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

import pygym
from pygym import bridge
from pygym.bridge import SHARED_DIRECTORY, Client, _int_arg, _str_arg

pytestmark = pytest.mark.jvm


def run(venv, calls: int) -> list[bytes]:
    """Every frame's observations, rewards, ends and task records; the last item: how many had records."""
    rng = np.random.default_rng(3)
    obs, infos = venv.reset(seed=9)
    trace = [obs.tobytes()]
    with_records = 0
    for _ in range(calls):
        masks = infos["action_mask"]
        actions = (np.cumsum(masks, -1) <= rng.integers(0, masks.sum(-1))[..., None]).sum(-1)
        obs, rewards, _, truncs, infos = venv.step(actions)
        trace.append(obs.tobytes() + rewards.tobytes() + truncs.tobytes() + infos["task_records"].tobytes())
        with_records += len(infos["task_records"]) > 0
    return [*trace, str(with_records).encode()]


def test_shared_memory_and_replies_give_the_same_trajectories() -> None:
    owner = pygym.launch()
    remote = pygym.connect(owner.endpoint.host, owner.endpoint.port, owner.endpoint.token)
    try:
        traces = []
        for client, shared in ((owner, True), (remote, False)):
            with pygym.make_vec(
                "offload-neighbour-v0", 4, server=client, task_records=True, episode_s=2
            ) as venv:
                assert (venv._live().groups[0]._shared is not None) == shared
                traces.append(run(venv, 50))
        assert len(traces[0]) == 52 and traces[0] == traces[1] and int(traces[0][-1]) > 25
        assert not any(p.name.startswith("pygym-frames-") for p in SHARED_DIRECTORY.iterdir())
    finally:
        remote.close()
        owner.close()


def test_a_frame_too_large_for_the_region_comes_in_the_reply(monkeypatch) -> None:
    # A region with no room for task records: every frame with a record overflows it.
    monkeypatch.setattr(bridge, "MIN_RECORD_ROOM_BYTES", 0)
    monkeypatch.setattr(bridge, "RECORD_ROOM", 0.0)
    owner = pygym.launch()
    remote = pygym.connect(owner.endpoint.host, owner.endpoint.port, owner.endpoint.token)
    try:
        traces = []
        for client in (owner, remote):
            with pygym.make_vec(
                "offload-neighbour-v0", 2, server=client, task_records=True, episode_s=2
            ) as venv:
                assert (venv._live().groups[0]._shared is None) == (client is remote)
                traces.append(run(venv, 30))
        assert len(traces[0]) == 32 and traces[0] == traces[1] and int(traces[0][-1]) > 15
    finally:
        remote.close()
        owner.close()


@pytest.fixture
def group_id():
    client = pygym.servers.local_server()
    env = pygym.make("offload-neighbour-v0", episode_s=1)
    yield client, env._live_group().groups[0].id
    env.close()


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("../../etc/passwd", "is not a pygym-frames-<hex> name"),
        ("pygym-frames-zz", "is not a pygym-frames-<hex> name"),
        ("pygym-frames-0123456789abcdef", "is not a regular file of 4096 bytes|cannot map"),
    ],
)
def test_attach_maps_only_the_clients_own_region(group_id, name: str, message: str) -> None:
    client, gid = group_id
    with pytest.raises(pygym.ConfigError, match=message):
        client._text_call("attach", "attach", _int_arg(gid), _str_arg(name), _int_arg(2048), _int_arg(2048))


def test_attach_refuses_links_and_wrong_sizes(group_id, tmp_path: Path) -> None:
    client, gid = group_id
    target = tmp_path / "victim"
    target.write_bytes(b"\0" * 4096)
    link = SHARED_DIRECTORY / "pygym-frames-00000000deadbeef"
    sized = SHARED_DIRECTORY / "pygym-frames-00000000cafef00d"
    os.symlink(target, link)
    sized.write_bytes(b"\0" * 100)
    try:
        for path in (link, sized):
            with pytest.raises(pygym.ConfigError, match="is not a regular file of 4096 bytes"):
                client._text_call(
                    "attach", "attach", _int_arg(gid), _str_arg(path.name), _int_arg(2048), _int_arg(2048)
                )
        assert target.read_bytes() == b"\0" * 4096
    finally:
        link.unlink()
        sized.unlink()


def test_a_client_of_a_server_elsewhere_never_uses_shared_memory() -> None:
    owner = Client.start()
    try:
        remote = pygym.connect(owner.endpoint.host, owner.endpoint.port, owner.endpoint.token)
        with pygym.make("offload-neighbour-v0", server=remote, episode_s=1) as env:
            assert env._live_group().groups[0]._shared is None
            env.reset(seed=1)
            env.step(dict.fromkeys(env.agents, 0))
        remote.close()
    finally:
        owner.close()
