"""The topology file: round trips, byte stability, the published schema, and load-time validation errors."""

from __future__ import annotations

import copy
import json
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import topologies
from topologies import limits
from topologies.errors import (
    DisconnectedError,
    DuplicateLinkError,
    DuplicateNameError,
    InvalidValueError,
    RouteMatrixError,
    TopologyError,
    TopologyFormatError,
    TopologyWarning,
    UnknownNodeError,
)
from topologies.fileformat import SCHEMA_FILE, dumps, load, loads, save, schema, to_document
from topologies.limits import MAX_JSON_DEPTH

from .helpers import SchemaViolation, check_schema

SAMPLES: dict[str, Callable[[], topologies.Topology]] = {
    "urban-sensing": lambda: topologies.urban_sensing(3, seed=1),
    "industrial-iot": lambda: topologies.industrial_iot(2, seed=2),
    "cloud-regions": lambda: topologies.cloud_regions(["eu-west-1", "us-east-1", "ap-south-1"], seed=3),
    "random-geometric": lambda: topologies.random_geometric(12, seed=4),
    "bridged-clusters": lambda: topologies.bridged_clusters(8, seed=5),
}


@pytest.mark.parametrize("name", SAMPLES)
def test_file_round_trip_is_exact(name: str, tmp_path: Path) -> None:
    original = SAMPLES[name]()
    for topology in (original, original.with_routes("hops"), original.with_routes("latency")):
        path = tmp_path / "topo.json"
        save(topology, path)
        loaded = load(path)
        assert loaded == topology
        assert path.read_text(encoding="utf-8") == dumps(loaded)
        assert json.loads(dumps(topology)) == to_document(topology)
    assert len(original.links) > 5


def test_same_seed_gives_the_same_bytes(tmp_path: Path) -> None:
    for seed in (0, 7):
        a, b = tmp_path / f"a{seed}.json", tmp_path / f"b{seed}.json"
        save(topologies.urban_sensing(4, seed=seed).with_routes(), a)
        save(topologies.urban_sensing(4, seed=seed).with_routes(), b)
        assert a.read_bytes() == b.read_bytes()
    assert (tmp_path / "a0.json").read_bytes() != (tmp_path / "a7.json").read_bytes()


def test_files_satisfy_the_published_schema() -> None:
    published = schema()
    assert published == json.loads((Path(topologies.__file__).parent / "schema" / SCHEMA_FILE).read_text())
    checked = 0
    for make in SAMPLES.values():
        t = make()
        checked += check_schema(to_document(t), published)
        checked += check_schema(to_document(t.with_routes()), published)
    assert checked > 5_000


@pytest.mark.parametrize(
    ("mutate", "where"),
    [
        (lambda d: d["links"][0].update(bandwidth_bps=0), "minimum 1"),
        (lambda d: d["links"][0].update(bandwith_bps=5), "unexpected property 'bandwith_bps'"),
        (lambda d: d["compute_nodes"][0].update(role="fog"), "not in"),
        (lambda d: d["compute_nodes"][0].update(cores=2.5), "not of type"),
        (lambda d: d.update(version=2), "const"),
        (lambda d: d["switches"][0].update(name=" padded"), "does not match"),
        (lambda d: d["compute_nodes"][0].update(cores=2**31), "maximum 4096"),
        (lambda d: d["compute_nodes"][0].update(frequency_hz=1e-300), "minimum 1000000"),
        (lambda d: d["links"][0].update(latency_s=1e9), "maximum 3600"),
    ],
)
def test_the_schema_rejects_what_the_loader_rejects(
    mutate: Callable[[dict[str, Any]], None], where: str
) -> None:
    document = to_document(topologies.urban_sensing(1, seed=0))
    mutate(document)
    with pytest.raises(SchemaViolation, match=where):
        check_schema(document, schema())
    with pytest.raises(TopologyError):
        loads(json.dumps(document))


def test_the_schema_states_the_ranges_the_readers_check() -> None:
    defs = schema()["$defs"]
    node = defs["compute_node"]["properties"]
    pairs = [
        (node["cores"]["maximum"], limits.MAX_CORES),
        (node["frequency_hz"]["minimum"], limits.MIN_FREQUENCY_HZ),
        (node["frequency_hz"]["maximum"], limits.MAX_FREQUENCY_HZ),
        (node["memory_bytes"]["maximum"], limits.MAX_MEMORY_BYTES),
        (node["position_m"]["anyOf"][1]["items"]["maximum"], limits.MAX_POSITION_M),
        (-node["position_m"]["anyOf"][1]["items"]["minimum"], limits.MAX_POSITION_M),
        (defs["bandwidth"]["minimum"], limits.MIN_BANDWIDTH_BPS),
        (defs["bandwidth"]["maximum"], limits.MAX_BANDWIDTH_BPS),
        (defs["link"]["properties"]["latency_s"]["maximum"], limits.MAX_LATENCY_S),
        (defs["lognormal"]["properties"]["s"]["maximum"], limits.MAX_LOGNORMAL_S),
        (defs["lognormal"]["properties"]["loc_s"]["maximum"], limits.MAX_LATENCY_S),
        (defs["lognormal"]["properties"]["scale_s"]["maximum"], limits.MAX_LATENCY_S),
    ]
    for stated, checked in pairs:
        assert stated == checked
    assert len(pairs) == 12


def write(tmp_path: Path, document: Any) -> Path:
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(document) if not isinstance(document, str) else document, encoding="utf-8")
    return path


def base() -> dict[str, Any]:
    return to_document(topologies.urban_sensing(1, density=topologies.Density(constant=2), seed=0))


BAD_FILES: list[tuple[str, Callable[[dict[str, Any]], Any], type[TopologyError], str]] = [
    (
        "unknown node in a link",
        lambda d: d["links"].append(
            {"source": "rpi3_0", "target": "ghost_1", "bandwidth_bps": 1, "latency_s": 0}
        ),
        UnknownNodeError,
        r"links\[\d+\] \(rpi3_0 -- ghost_1\): unknown node 'ghost_1'",
    ),
    (
        "zero bandwidth",
        lambda d: d["links"][0].update(bandwidth_bps=0),
        InvalidValueError,
        r"links\[0\] \(rpi3_0 - switch_lan_0\): link rpi3_0 -- switch_lan_0: bandwidth_bps must be a number "
        r"in \[1, 1e\+15\], got 0",
    ),
    (
        "negative bandwidth on a switch",
        lambda d: d["switches"][0].update(bandwidth_bps=-5),
        InvalidValueError,
        r"switches\[0\] \(shared_0\): switch 'shared_0': bandwidth_bps must be a number in \[1, 1e\+15\], "
        r"got -5",
    ),
    (
        "negative latency",
        lambda d: d["links"][1].update(latency_s=-0.001),
        InvalidValueError,
        r"links\[1\] .*latency_s must be a number in \[0, 3600\], got -0.001",
    ),
    (
        "a switch named like a node",
        lambda d: d["switches"].append({"name": "tx2_0", "kind": "lan"}),
        DuplicateNameError,
        r"duplicate name 'tx2_0': compute_nodes\[\d+\] and switches\[\d+\]",
    ),
    (
        "two nodes with one name",
        lambda d: d["compute_nodes"].append(dict(d["compute_nodes"][0])),
        DuplicateNameError,
        r"duplicate name 'rpi3_0': compute_nodes\[0\] and compute_nodes\[\d+\]",
    ),
    (
        "a second link in the same direction",
        lambda d: d["links"].append(dict(d["links"][0], directed=True)),
        DuplicateLinkError,
        r"links\[\d+\] \(rpi3_0 -> switch_lan_0\) and links\[0\] \(rpi3_0 -- switch_lan_0\) both carry",
    ),
    (
        "a self-loop",
        lambda d: d["links"].append(
            {"source": "nuc_0", "target": "nuc_0", "bandwidth_bps": 1, "latency_s": 0}
        ),
        DuplicateLinkError,
        "connects 'nuc_0' to itself",
    ),
    (
        "a misspelt field",
        lambda d: d["links"][2].update(bandwith_bps=1e9),
        TopologyFormatError,
        r"links\[2\] .*: unknown field\(s\) bandwith_bps \(allowed: source, target, bandwidth_bps",
    ),
    (
        "a missing field",
        lambda d: d["compute_nodes"][3].pop("memory_bytes"),
        TopologyFormatError,
        r"compute_nodes\[3\] \(rpi3_3\): missing required field\(s\) memory_bytes",
    ),
    (
        "cores as a string",
        lambda d: d["compute_nodes"][1].update(cores="4"),
        TopologyFormatError,
        r"compute_nodes\[1\] \(rpi3_1\): cores must be an integer, got a string '4'",
    ),
    (
        "agent as a number",
        lambda d: d["compute_nodes"][1].update(agent=1),
        TopologyFormatError,
        "agent must be true or false, got a number 1",
    ),
    (
        "an unknown role",
        lambda d: d["compute_nodes"][0].update(role="fog"),
        InvalidValueError,
        r"compute_nodes\[0\] \(rpi3_0\): compute node 'rpi3_0': role 'fog' is not one of device, edge, cloud",
    ),
    (
        "zero cores",
        lambda d: d["compute_nodes"][0].update(cores=0),
        InvalidValueError,
        r"cores must be an integer in \[1, 4096\], got 0",
    ),
    (
        "2^31 cores",
        lambda d: d["compute_nodes"][0].update(cores=2**31),
        InvalidValueError,
        r"compute_nodes\[0\] \(rpi3_0\): compute node 'rpi3_0': cores must be an integer in \[1, 4096\], "
        r"got 2147483648",
    ),
    (
        "1e30 cores",
        lambda d: d["compute_nodes"][0].update(cores=1e30),
        InvalidValueError,
        r"compute_nodes\[0\] \(rpi3_0\): .*cores must be an integer in \[1, 4096\], "
        r"got an integer of 31 digits",
    ),
    (
        "a clock of 1e-300 Hz",
        lambda d: d["compute_nodes"][2].update(frequency_hz=1e-300),
        InvalidValueError,
        r"compute_nodes\[2\] \(rpi3_2\): .*frequency_hz must be a number in \[1e\+06, 1e\+12\], got 1e-300",
    ),
    (
        "an exabyte of memory",
        lambda d: d["compute_nodes"][1].update(memory_bytes=10**18),
        InvalidValueError,
        r"compute_nodes\[1\] \(rpi3_1\): .*memory_bytes must be an integer in \[1, 1e\+15\], got 10{18}",
    ),
    (
        "memory of 400 digits",
        lambda d: d["compute_nodes"][1].update(memory_bytes=10**400),
        InvalidValueError,
        r"memory_bytes must be an integer in \[1, 1e\+15\], got an integer of 401 digits",
    ),
    (
        "a position beyond the moon",
        lambda d: d["compute_nodes"][0].update(position_m=[0, 1e300]),
        InvalidValueError,
        r"compute_nodes\[0\] \(rpi3_0\): .*position_m\[1\] must be a number in \[-1e\+08, 1e\+08\], "
        r"got 1e\+300",
    ),
    (
        "a link of 1e-300 bit/s",
        lambda d: d["links"][0].update(bandwidth_bps=1e-300),
        InvalidValueError,
        r"links\[0\] \(rpi3_0 - switch_lan_0\): .*bandwidth_bps must be a number in \[1, 1e\+15\], "
        r"got 1e-300",
    ),
    (
        "a link latency of a year",
        lambda d: d["links"][0].update(latency_s=3.2e7),
        InvalidValueError,
        r"links\[0\] \(rpi3_0 - switch_lan_0\): .*latency_s must be a number in \[0, 3600\], got 32000000",
    ),
    (
        "a latency distribution of shape 1e5",
        lambda d: d["latency_distributions"]["lan"].update(s=1e5),
        InvalidValueError,
        r"latency_distributions\['lan'\]: latency distribution 'lan': s must be a number in \(0, 10\], "
        r"got 100000",
    ),
    (
        "an undefined latency distribution",
        lambda d: d["links"][0].update(latency_distribution="wifi6"),
        TopologyFormatError,
        r"latency_distribution 'wifi6' is not defined under latency_distributions "
        r"\(defined: lan, mobile_isp\)",
    ),
    ("version 2", lambda d: d.update(version=2), TopologyFormatError, "version 2 is not supported"),
    (
        "another format",
        lambda d: d.update(format="ether"),
        TopologyFormatError,
        "format must be 'pygym-topology'",
    ),
    ("a list document", lambda d: [d], TopologyFormatError, "the document must be an object, got an array"),
]


@pytest.mark.parametrize(("case", "mutate", "error", "message"), BAD_FILES, ids=[c[0] for c in BAD_FILES])
def test_bad_files_fail_at_load_naming_file_element_and_rule(
    case: str,
    mutate: Callable[[dict[str, Any]], Any],
    error: type[TopologyError],
    message: str,
    tmp_path: Path,
) -> None:
    document = base()
    replaced = mutate(document)
    path = write(tmp_path, replaced if isinstance(replaced, list) else document)
    with pytest.raises(error, match=message) as raised:
        load(path)
    assert str(raised.value).startswith(f"{path}: "), case


def test_malformed_json_is_named(tmp_path: Path) -> None:
    cases = {
        "{not json": "not valid JSON: Expecting property name",
        '{"format": NaN}': "NaN is not a number JSON allows",
        '{"format": "a", "format": "b"}': "an object has the key 'format' twice",
    }
    for text, message in cases.items():
        with pytest.raises(TopologyFormatError, match=message):
            load(write(tmp_path, text))
    with pytest.raises(TopologyFormatError, match=r"missing.json: cannot read"):
        load(tmp_path / "missing.json")
    assert len(cases) == 3


def test_numbers_beyond_a_double_and_deep_nesting_are_named(tmp_path: Path) -> None:
    text = json.dumps(base()).replace('"frequency_hz": 1400000000', '"frequency_hz": 1e400', 1)
    assert "1e400" in text
    with pytest.raises(InvalidValueError, match=r"compute_nodes\[0\] \(rpi3_0\): .*frequency_hz .* got inf"):
        load(write(tmp_path, text))
    # Deeper than Python's own recursion limit: a named error, not a RecursionError.
    path = write(tmp_path, "[" * 100_000 + "]" * 100_000)
    with pytest.raises(TopologyFormatError) as raised:
        load(path)
    assert str(raised.value) == f"{path}: arrays and objects nested deeper than {MAX_JSON_DEPTH} levels"
    # Within the recursion limit but beyond the simulator's: the same rule, so both readers agree.
    for depth, ok in ((MAX_JSON_DEPTH, True), (MAX_JSON_DEPTH + 1, False), (500, False)):
        document = base()
        nested: Any = 1
        for _ in range(depth - 1):  # the document is level 1, provenance's value the levels below
            nested = {"a": nested}
        document["provenance"] = nested
        if ok:
            assert load(write(tmp_path, document)).name == "urban-sensing"
        else:
            with pytest.raises(
                TopologyFormatError, match=r"provenance: arrays and objects nested deeper than 64"
            ):
                load(write(tmp_path, document))


def disconnected() -> dict[str, Any]:
    document = base()
    document["compute_nodes"].append(dict(document["compute_nodes"][0], name="rpi3_99", position_m=None))
    return document


def test_a_disconnected_network_is_an_error_or_a_stated_warning(tmp_path: Path) -> None:
    path = write(tmp_path, disconnected())
    with pytest.raises(
        DisconnectedError, match=r"disconnected: 'rpi3_0' cannot reach 'rpi3_99' \(1 of 20 compute"
    ):
        load(path)
    with pytest.warns(TopologyWarning, match="disconnected.*unreachable pairs get no route"):
        t = load(path, allow_disconnected=True)
    assert len(t.compute_nodes) == 20
    one_way = base()
    one_way["links"] = [
        x for x in one_way["links"] if (x["kind"], x["target"]) != ("downlink", "switch_cloudlet_0")
    ]
    with pytest.raises(DisconnectedError, match=r"'rpi3_0' cannot reach 'server_0' \(10 of 19 compute nodes"):
        loads(json.dumps(one_way))


def test_a_stranded_switch_only_warns() -> None:
    document = base()
    document["switches"].append({"name": "spare_switch", "kind": "lan"})
    with pytest.warns(TopologyWarning, match=r"1 switch\(es\) .* carry no route: 'spare_switch'"):
        t = loads(json.dumps(document))
    assert len(t.switches) == len(base()["switches"]) + 1 == 9


def routed() -> dict[str, Any]:
    return to_document(
        topologies.urban_sensing(1, density=topologies.Density(constant=2), seed=0).with_routes()
    )


def test_route_matrices_that_disagree_with_the_links_fail(tmp_path: Path) -> None:
    tampered = routed()
    tampered["routes"]["latency_s"][0][5] += 0.001
    path = write(tmp_path, tampered)
    with pytest.raises(
        RouteMatrixError, match=r"routes.latency_s\[rpi3_0\]\[tx2_0\] = .* but hops routing over"
    ):
        load(path)
    assert load(path, verify=False).routes is not None  # trusted when asked not to verify
    cases: list[tuple[Callable[[dict[str, Any]], None], str]] = [
        (lambda r: r["nodes"].reverse(), "routes.nodes must list every compute node in file order"),
        (lambda r: r["hops"].pop(), r"routes.hops must be 19 rows of 19 entries"),
        (
            lambda r: r["bottleneck_bps"][0].__setitem__(0, 5.0),
            r"bottleneck_bps\[rpi3_0\]\[rpi3_0\] must be null",
        ),
        (lambda r: r["latency_s"][2].__setitem__(3, None), "disagree on whether the pair is reachable"),
        (
            lambda r: r["hops"][1].__setitem__(2, 0),
            r"routes.hops\[rpi3_1\]\[rpi3_2\] must be an integer in \[1, 28\] \(the file's links\), "
            r"or -1 when unreachable, got 0",
        ),
        (
            lambda r: r["hops"][1].__setitem__(2, 2**40),
            r"routes.hops\[rpi3_1\]\[rpi3_2\] must be an integer in \[1, 28\]",
        ),
        (
            lambda r: r["bottleneck_bps"][0].__setitem__(1, 1e-300),
            r"routes.bottleneck_bps\[rpi3_0\]\[rpi3_1\] must be a number in \[1, 1e\+15\] or null, "
            r"got 1e-300",
        ),
        (
            lambda r: r["latency_s"][0].__setitem__(1, 1e300),
            r"routes.latency_s\[rpi3_0\]\[rpi3_1\] = 1e\+300 exceeds hops x 3600 s",
        ),
        (lambda r: r.update(routing="fastest"), "routes.routing must be one of hops, latency"),
    ]
    for mutate, message in cases:
        document = routed()
        mutate(document["routes"])
        with pytest.raises(RouteMatrixError, match=message):
            loads(json.dumps(document))
    assert len(cases) == 9


def test_load_error_keeps_the_class_and_adds_the_path(tmp_path: Path) -> None:
    document = copy.deepcopy(base())
    document["links"][0]["target"] = "nowhere"
    path = write(tmp_path, document)
    with pytest.raises(UnknownNodeError) as raised:
        load(path)
    assert isinstance(raised.value, ValueError)
    assert str(raised.value).startswith(str(path))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert loads(json.dumps(base())).name == "urban-sensing"
