"""Topology files out of range or nested too deeply: a named ConfigError naming the file, the element and the
field, from Python before any simulator reads the file, and from the simulator when Python is bypassed (the
file named through the engine key ``init.net.topology``)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import pygym
import topologies
from topologies.fileformat import to_document

pytestmark = pytest.mark.jvm

ENV_IDS = ("offload-neighbour-v0", "offload-mec-v0")


def document() -> dict[str, Any]:
    """A small Ether urban-sensing network with routes: device agents (rpi3_*), edge servers (nuc, tx2)."""
    return to_document(
        topologies.urban_sensing(1, density=topologies.Density(constant=2), seed=0).with_routes()
    )


def written(tmp_path: Path, mutate: Callable[[dict[str, Any]], None], name: str) -> Path:
    d = document()
    mutate(d)
    path = tmp_path / name
    path.write_text(json.dumps(d), encoding="utf-8")
    return path


def set_node(field: str, value: object) -> Callable[[dict[str, Any]], None]:
    return lambda d: d["compute_nodes"][0].update({field: value})


# (file name, mutation, what Python says, what the simulator says), both after
# "<path>: compute_nodes[0] (rpi3_0)"
NODE_CASES = [
    (
        "cores-2-31.json",
        set_node("cores", 2**31),
        r"cores must be an integer in \[1, 4096\], got 2147483648",
        r"cores must be an integer in \[1, 4096\], got 2.147483648e9",
    ),
    (
        "cores-1e30.json",
        set_node("cores", 1e30),
        r"cores must be an integer in \[1, 4096\], got an integer of 31 digits",
        r"cores must be an integer in \[1, 4096\], got 1e30",
    ),
    (
        "hz-1e-300.json",
        set_node("frequency_hz", 1e-300),
        r"frequency_hz must be a number in \[1e\+06, 1e\+12\], got 1e-300",
        r"frequency_hz must be a number in \[1000000, 1e12\], got 1e-300",
    ),
    (
        "memory-1e300.json",
        set_node("memory_bytes", 10**300),
        r"memory_bytes must be an integer in \[1, 1e\+15\], got an integer of 301 digits",
        r"memory_bytes must be an integer in \[1, 1e15\], got 1e300",
    ),
]


@pytest.mark.parametrize("env_id", ENV_IDS)
def test_out_of_range_node_fields_are_named_in_python_and_in_the_simulator(
    env_id: str, tmp_path: Path
) -> None:
    checked = 0
    for name, mutate, python_message, java_message in NODE_CASES:
        path = written(tmp_path, mutate, name)
        with pytest.raises(pygym.ConfigError) as in_python:
            pygym.make(env_id, topology=str(path))
        where = rf"^topology: {path}: compute_nodes\[0\] \(rpi3_0\): compute node 'rpi3_0': "
        assert in_python.match(where + python_message)
        with pytest.raises(pygym.ConfigError) as in_java:
            pygym.make(env_id, **{"init.net.topology": str(path)})
        assert in_java.match(
            rf"^init\.net\.topology: {path}: compute_nodes\[0\] \(rpi3_0\): " + java_message + "$"
        )
        checked += 1
    assert checked == len(NODE_CASES) == 4


def test_links_and_routes_out_of_range_are_named_by_the_simulator(tmp_path: Path) -> None:
    cases: list[tuple[Callable[[dict[str, Any]], None], str]] = [
        (
            lambda d: d["links"][0].update(bandwidth_bps=1e-300),
            r"links\[0\] \(rpi3_0 - switch_lan_0\): bandwidth_bps must be a number in \[1, 1e15\], "
            r"got 1e-300",
        ),
        (
            lambda d: d["links"][0].update(latency_s=1e12),
            r"links\[0\] \(rpi3_0 - switch_lan_0\): latency_s must be a number in \[0, 3600\], got 1e12",
        ),
        (
            lambda d: d["routes"]["hops"][0].__setitem__(1, 10**12),
            r"route rpi3_0 -> rpi3_1: hops must be an integer in \[1, \d+\], got 1e12",
        ),
    ]
    for i, (mutate, message) in enumerate(cases):
        path = written(tmp_path, mutate, f"bad-{i}.json")
        with pytest.raises(pygym.ConfigError, match=r"topology: .*") as in_python:
            pygym.make("offload-neighbour-v0", topology=str(path))
        assert str(path) in str(in_python.value)
        with pytest.raises(pygym.ConfigError) as in_java:
            pygym.make("offload-neighbour-v0", **{"init.net.topology": str(path)})
        assert in_java.match(rf"^init\.net\.topology: {path}: {message}$")
    assert len(cases) == 3


@pytest.mark.parametrize("env_id", ENV_IDS)
def test_deeply_nested_json_is_a_named_error_in_both_languages(env_id: str, tmp_path: Path) -> None:
    path = tmp_path / "deep.json"
    path.write_text("[" * 200_000 + "]" * 200_000, encoding="utf-8")
    with pytest.raises(pygym.ConfigError) as in_python:
        pygym.make(env_id, topology=str(path))
    assert str(in_python.value) == f"topology: {path}: arrays and objects nested deeper than 64 levels"
    with pytest.raises(pygym.ConfigError) as in_java:
        pygym.make(env_id, **{"init.net.topology": str(path)})
    assert str(in_java.value) == (
        f"init.net.topology: {path} line 1 column 65: arrays and objects nested deeper than 64 levels"
    )


def test_unreadable_topology_files_say_why(tmp_path: Path) -> None:
    missing = tmp_path / "missing.json"
    with pytest.raises(pygym.ConfigError) as none:
        pygym.make("offload-neighbour-v0", **{"init.net.topology": str(missing)})
    assert str(none.value) == f"init.net.topology: cannot read topology file {missing}: no such file"
    binary = tmp_path / "binary.json"
    binary.write_bytes(bytes(range(256)))
    with pytest.raises(pygym.ConfigError) as not_text:
        pygym.make("offload-neighbour-v0", **{"init.net.topology": str(binary)})
    assert str(not_text.value) == (
        f"init.net.topology: cannot read topology file {binary}: not UTF-8 text "
        "(byte 0x80 at offset 128 starts no UTF-8 character; is it a binary file?)"
    )
    with pytest.raises(pygym.ConfigError, match=r"not UTF-8 text"):
        pygym.make("offload-neighbour-v0", topology=str(binary))
