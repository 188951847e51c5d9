"""``pygym topology`` commands, driven through the typer app that pygym mounts."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import networkx as nx
import pytest
from typer.testing import CliRunner

import topologies
from topologies.cli import app
from topologies.latency import LAN, MOBILE_ISP

runner = CliRunner()


def invoke(*args: str | Path) -> tuple[int, str, str]:
    result = runner.invoke(app, [str(a) for a in args])
    return result.exit_code, result.stdout, result.stderr


def test_generate_show_route(tmp_path: Path) -> None:
    topo, again = tmp_path / "topo.json", tmp_path / "again.json"
    code, out, _ = invoke("generate", "urban-sensing", "--cells", "3", "--seed", "1", "-o", topo)
    assert code == 0 and out.startswith(f"wrote {topo}: ")
    assert invoke("generate", "urban-sensing", "--cells", "3", "--seed", "1", "-o", again)[0] == 0
    assert topo.read_bytes() == again.read_bytes()
    t = topologies.load(topo)

    code, out, _ = invoke("show", topo, "--json")
    summary = json.loads(out)
    assert code == 0
    assert summary["compute_nodes"] == len(t.compute_nodes)
    assert summary["by_type"] == {
        "nuc": 3,
        "rpi3": summary["by_type"]["tx2"],
        "server": 10,
        "tx2": summary["by_type"]["rpi3"],
    }
    assert sum(summary["by_type"].values()) == summary["compute_nodes"]
    assert summary["route_bottleneck_bps"]["min"] == 25e6

    code, out, _ = invoke("route", topo, "rpi3_0", "server_0", "--json")
    answer = json.loads(out)
    expected = topologies.route(t, "rpi3_0", "server_0")
    assert code == 0
    assert answer["path"] == list(expected.path) and answer["path"][0] == "rpi3_0"
    assert (answer["latency_s"], answer["rtt_s"], answer["bottleneck_bps"]) == (
        expected.latency_s,
        expected.rtt_s,
        expected.bottleneck_bps,
    )

    code, out, _ = invoke("route", topo, "rpi3_0", "server_0", "--routing", "latency")
    assert code == 0 and "bottleneck bandwidth: 25 Mbit/s" in out and "round-trip time:" in out
    code, out, _ = invoke("show", topo)
    assert code == 0 and "rpi3" in out and "route bottleneck" in out


def test_mode_latencies_reproduce_ethers_mode_route(tmp_path: Path) -> None:
    topo = tmp_path / "mode.json"
    assert invoke("generate", "urban-sensing", "--seed", "3", "--latency", "mode", "-o", topo)[0] == 0
    answer = json.loads(invoke("route", topo, "rpi3_0", "server_0", "--json")[1])
    assert answer["latency_s"] == pytest.approx(
        5 * round(LAN.mode_s, 9) + round(MOBILE_ISP.mode_s, 9), abs=1e-12
    )
    assert answer["rtt_s"] == pytest.approx(2 * answer["latency_s"], abs=1e-12)


@pytest.mark.parametrize(
    "args",
    [
        ["industrial-iot", "--premises", "2"],
        ["cloud-regions", "--regions", "eu-west-1,us-east-1", "--racks", "2"],
        ["fully-connected", "--nodes", "5"],
        ["random-geometric", "--nodes", "12", "--radius-m", "60"],
        ["grid", "--nodes", "7", "--columns", "3"],
        ["ring", "--nodes", "6", "--types", "nuc,rpi4"],
        ["bridged-clusters", "--nodes", "8", "--agents", "edge"],
    ],
)
def test_every_generator_writes_a_valid_file_with_routes(args: list[str], tmp_path: Path) -> None:
    topo = tmp_path / "t.json"
    code, out, err = invoke("generate", *args, "--seed", "2", "--routes", "--routing", "latency", "-o", topo)
    assert code == 0, err
    code, out, _ = invoke("validate", topo)
    assert code == 0 and "latency route matrices verified" in out
    t = topologies.load(topo)
    assert t.routes is not None and t.routes.routing == "latency"
    assert t.provenance["generator"] == args[0] and len(t.compute_nodes) >= 5


def test_generate_to_stdout_and_parameter_errors() -> None:
    code, out, _ = invoke("generate", "ring", "--nodes", "3")
    assert code == 0 and topologies.loads(out).compute_names == ("rpi4_0", "rpi4_1", "rpi4_2")
    code, _, err = invoke("generate", "urban-sensing", "--density", "gamma:2")
    assert code == 2 and "error: density 'gamma:2' is neither an integer nor lognorm:S,LOC[,SCALE]" in err
    code, _, err = invoke("generate", "cloud-regions", "--regions", "mars-1")
    assert code == 2 and "unknown region(s) mars-1" in err
    code, _, err = invoke("generate", "ring", "--agents", "boss")
    assert code == 2 and "role 'boss' is not one of device, edge, cloud" in err


def test_bad_file_ends_with_a_named_error(tmp_path: Path) -> None:
    document = topologies.fileformat.to_document(topologies.ring(4, seed=0))
    document["links"][1]["target"] = "rpi4_9"
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(document), encoding="utf-8")
    for command in (
        ["show", bad],
        ["route", bad, "rpi4_0", "rpi4_1"],
        ["validate", bad],
        ["plot", bad, "-o", "x.png"],
    ):
        code, _, err = invoke(*command)
        assert code == 2
        assert err.startswith(f"error: {bad}: links[1] (rpi4_1 -- rpi4_9): unknown node 'rpi4_9'"), err
    code, _, err = invoke("route", tmp_path / "missing.json", "a", "b")
    assert code == 2 and "cannot read" in err


def test_plot_writes_an_image(tmp_path: Path) -> None:
    topo, image = tmp_path / "topo.json", tmp_path / "topo.png"
    assert invoke("generate", "industrial-iot", "-o", topo)[0] == 0
    code, out, _ = invoke("plot", topo, "-o", image)
    assert code == 0 and out.strip() == f"wrote {image}"
    data = image.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 20_000
    flat, flat_image = tmp_path / "grid.json", tmp_path / "grid.svg"
    assert invoke("generate", "grid", "--nodes", "9", "-o", flat)[0] == 0
    assert invoke("plot", flat, "-o", flat_image, "--layout", "positions", "--no-labels")[0] == 0
    assert flat_image.read_text(encoding="utf-8").count("<path") > 9
    # Scenario nodes carry synthetic positions; switches are drawn at the mean of their neighbours.
    assert invoke("plot", topo, "-o", tmp_path / "by-position.png", "--layout", "positions")[0] == 0


def test_import_and_export(tmp_path: Path) -> None:
    from .test_importers import peersimgym_document

    source = tmp_path / "ether.json"
    source.write_text(json.dumps(peersimgym_document()), encoding="utf-8")
    converted = tmp_path / "converted.json"
    code, _, err = invoke("import", "peersimgym", source, "-o", converted, "--routes")
    assert code == 0, err
    assert err.startswith(f"warning: {source}: 1 repeated neighbour entries and 0 repeated path_info entries")
    assert topologies.load(converted).routes is not None
    graphml = tmp_path / "t.graphml"
    assert invoke("export", converted, "-o", graphml)[0] == 0
    assert nx.read_graphml(graphml).number_of_nodes() == 4
    back = tmp_path / "back.json"
    assert invoke("import", "networkx", graphml, "-o", back)[0] == 0
    assert topologies.load(back) == topologies.load(converted).without_routes()
    code, _, err = invoke("export", converted, "-o", tmp_path / "t.csv")
    assert code == 2 and "unknown suffix '.csv'" in err
    code, _, err = invoke("plot", converted, "-o", tmp_path / "p.png", "--layout", "positions")
    assert code == 2 and "needs position_m on every compute node; 1 have none (first: 'server_0')" in err


def test_schema_command_prints_the_published_schema() -> None:
    code, out, _ = invoke("schema")
    assert code == 0 and json.loads(out) == topologies.schema()
    assert json.loads(out)["properties"]["version"]["const"] == topologies.VERSION == 1


def test_the_package_imports_nothing_of_ours_but_itself() -> None:
    package = Path(topologies.__file__).parent
    imported: set[str] = set()
    files = sorted(package.rglob("*.py"))
    for source in files:
        for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                imported.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module:
                imported.add(node.module.split(".")[0])
    assert not imported & {"pygym", "agents", "workloads"}
    assert "topologies" in imported and len(files) >= 14
