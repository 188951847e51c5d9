"""Configuration through ``pygym.make``: expressions are evaluated once per key and bounded, and every bad
key, value or file gives a ConfigError that names the key and says what was expected, with long values cut."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

import pygym
from workloads.format import HEADER_LINE, UNITS_LINE, VERSION_LINE

pytestmark = pytest.mark.jvm

ENV = "offload-neighbour-v0"

# Numeric keys of the template in the order each refers to the next; network.size is the first one read.
CHAIN = [
    "network.size", "nodes", "agents", "area_m", "radius_m", "max_neighbours", "cores", "cpu_hz_min",
    "cpu_hz_max", "kappa", "queue_capacity", "arrival_rate_hz", "background_arrival_rate_hz",
    "task_cycles_min", "task_cycles_max", "task_input_bytes_min", "task_input_bytes_max",
    "task_output_bytes_min", "task_output_bytes_max", "task_deadline_s_min", "task_deadline_s_max",
    "bandwidth_hz", "tx_power_w",
    "carrier_hz", "noise_temperature_k", "beacon_bytes", "beacon_interval_s", "epoch_s", "episode_s",
    "topology_task_memory_bytes",
]  # fmt: skip


def test_thirty_keys_each_the_sum_of_the_next_twice_are_evaluated_once_each() -> None:
    assert len(CHAIN) == len(set(CHAIN)) == 30
    overrides = {key: f"{after} + {after}" for key, after in itertools.pairwise(CHAIN)}
    overrides[CHAIN[-1]] = "1"
    assert 1000 < sum(len(k) + len(v) + 2 for k, v in overrides.items()) < 1500  # the reported 1.3 kB
    # 2^29 evaluations of the last key without memoisation; one each with it. The value, 2^29 nodes, is out of
    # range: a named error at once.
    with pytest.raises(pygym.ConfigError) as error:
        pygym.make(ENV, **overrides)
    assert str(error.value) == (
        "network.size = nodes + nodes (override): expected an integer in [1, 50000000]"
    )


def test_deep_and_long_expressions_are_named_errors() -> None:
    parens = "(" * 100_000 + "1" + ")" * 100_000
    with pytest.raises(pygym.ConfigError) as long:
        pygym.make(ENV, nodes=parens)
    message = str(long.value)
    assert message.startswith("nodes = ((((")
    assert "(200001 characters in all)" in message
    assert message.endswith(
        "(override): expected a number or an expression over keys of at most 4096 characters, "
        "got 200001 characters"
    )
    assert len(message) < 400
    with pytest.raises(pygym.ConfigError) as deep:
        pygym.make(ENV, nodes="-" * 100 + "20")
    assert deep.match(
        r"^nodes = -{100}20 \(override\): expected a number or an expression over keys \(nested deeper than "
        r"64 levels of parentheses or minus signs \(at position 65\)\)$"
    )
    with pygym.make(ENV, nodes="-" * 10 + "20", episode_s=1) as shallow_enough:
        assert len(shallow_enough.possible_agents) == 10


def test_keys_that_cannot_be_keys_are_explained() -> None:
    from pygym.bridge import _int_arg, _str_arg
    from pygym.servers import local_server

    with pytest.raises(pygym.ConfigError, match="key 'a b': a key is a name without white space"):
        pygym.make(ENV, **{"a b": 1})
    with pytest.raises(pygym.ConfigError, match="key '': a key is a name without white space"):
        pygym.make(ENV, **{"": 5})

    # Overrides that reach the simulator without pygym's check are explained there.
    def create(text: str) -> None:
        local_server()._text_call("create", "create", _str_arg(ENV), _int_arg(1), _int_arg(1), _str_arg(text))

    with pytest.raises(pygym.ConfigError) as space:
        create("a b 1")
    assert space.match(
        r"^unknown key 'a' for offload-neighbour-v0 \(a key cannot contain white space: a key 'a b' reads as "
        r"key 'a' with the value 'b 1'\)"
    )
    with pytest.raises(pygym.ConfigError) as empty:
        create(" 5")
    assert (
        str(empty.value) == "overrides line 1: '5' has no key (a line is a key, white space, then its value)"
    )


def test_wiring_to_the_wrong_kind_of_protocol_or_to_itself() -> None:
    with pytest.raises(pygym.ConfigError) as kind:
        pygym.make(ENV, **{"protocol.beacon.linkable": "cpu"})
    assert str(kind.value) == (
        "protocol.beacon.linkable = cpu: protocol 'cpu' is a Cpu, expected a NeighbourTable "
        "(declared protocols of that kind: links)"
    )
    with pytest.raises(pygym.ConfigError) as itself:
        pygym.make(ENV, **{"protocol.radio.cpu": "radio"})
    assert str(itself.value) == (
        "protocol.radio.cpu = radio: protocol 'radio' cannot be wired to itself; expected a Cpu"
    )


def test_huge_values_are_cut_in_messages() -> None:
    cases = {
        "nodes": ("9" * 1_000_000, "nodes = 9999"),
        "workload_end": ("x" * 1_000_000, "init.workload.end = workload_end (from 'workload_end' = xxxx"),
    }
    for key, (value, start) in cases.items():
        with pytest.raises(pygym.ConfigError) as error:
            pygym.make(ENV, **{key: value})
        message = str(error.value)
        assert message.startswith(start), message[:200]
        assert "(1000000 characters in all)" in message
        assert len(message) < 600
    assert len(cases) == 2


def test_a_ten_megabyte_task_id_is_cut_in_messages(tmp_path: Path) -> None:
    huge = "t" * 10_000_000
    path = tmp_path / "huge.csv"
    path.write_text(f"{VERSION_LINE}\n{UNITS_LINE}\n{HEADER_LINE}\n0.000000,node_0,{huge},100,10,10,,\n")
    with pytest.raises(pygym.ConfigError) as in_python:
        pygym.make(ENV, workload=str(path))
    assert in_python.match(r"column 3 \(task_id\): 'tttt")
    assert "(10000002 characters in all)" in str(in_python.value)
    assert len(str(in_python.value)) < 600
    with pytest.raises(pygym.ConfigError) as in_java:
        pygym.make(ENV, **{"init.workload.workload": str(path)})
    assert in_java.match(rf"^init\.workload\.workload = {path}: {path}:4: column 3 \(task_id\): 'tttt")
    assert "(10000000 characters in all)" in str(in_java.value)
    assert len(str(in_java.value)) < 600


def test_clock_rates_out_of_range_fail_at_make_not_at_reset() -> None:
    cases = [
        ("offload-neighbour-v0", "cpu_hz_min", "protocol.cpu.hz_min"),
        ("offload-mec-v0", "device_hz", "protocol.local.hz_min"),
    ]
    for env_id, key, component_key in cases:
        with pytest.raises(pygym.ConfigError) as error:
            pygym.make(env_id, **{key: 1e-300})
        assert str(error.value) == (
            f"{component_key} = {key} (from '{key}' = 1e-300, override): expected a finite number in "
            "[1000000, 1000000000000]"
        )
    assert len(cases) == 2


def test_a_key_with_white_space_is_refused_before_the_simulator() -> None:
    from pygym.servers import local_server

    with pytest.raises(pygym.ConfigError, match="key 'a b': a key is a name without white space"):
        local_server().create_group("offload-neighbour-v0", 1, {"a b": "1"})
    with pytest.raises(pygym.ConfigError, match="key '': a key is a name without white space"):
        local_server().create_group("offload-neighbour-v0", 1, {"": "1"})
