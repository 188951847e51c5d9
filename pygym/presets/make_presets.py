"""Write the data files of the presets: ``python -m pygym.presets.make_presets``.

- ``edge_server.topology.json``: the heterogeneous network of the ``edge-server`` preset (built here with
  :class:`topologies.TopologyBuilder`);
- ``alibaba_sample.workload.csv``: the (synthetic) Alibaba 2018 sample of ``workloads/samples`` converted
  to a workload file (500x time compression, cycles scaled to edge boards) for the ``trace-alibaba``
  preset.

The output is the same byte for byte on every run; a test checks that the committed files match.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

import topologies
from topologies.latency import WLAN
from workloads import ConvertOptions, convert_trace
from workloads.samples import ALIBABA
from workloads.samples import FOLDER as SAMPLES

FOLDER = Path(__file__).resolve().parent
EDGE_SERVER = "edge_server.topology.json"
ALIBABA_WORKLOAD = "alibaba_sample.workload.csv"

CELLS = 2
DEVICES_PER_CELL = 4
WIRELESS_BPS = 20e6
"""Each cell's shared wireless medium: offloading a megabyte takes about 0.4 s."""
BACKHAUL_BPS = 100e6
BACKHAUL_LATENCY_S = 2e-3
SERVER_LINK_BPS = 1e9
SERVER_LINK_LATENCY_S = 0.5e-3


def edge_server_topology(seed: int = 0) -> topologies.Topology:
    """Two cells of slow boards (4 ``rpi3`` devices and one ``nuc`` edge box each, all agents) on 20 Mbit/s
    shared wireless media, joined through an aggregation switch to one 88-core ``server`` (not an agent):
    three hops from every device (medium, aggregation switch, server link)."""
    builder = topologies.TopologyBuilder("edge-server", seed=seed, agent_roles=("device", "edge"))
    aggregation = builder.add_switch("aggregation", "switch_aggregation")
    for cell in range(CELLS):
        with builder.site((200.0 * cell, 0.0), 40.0):
            medium = builder.add_switch("shared", f"wireless_{cell}", bandwidth_bps=WIRELESS_BPS)
            for node_type in ["rpi3"] * DEVICES_PER_CELL + ["nuc"]:
                node = builder.add_compute(node_type)
                builder.connect(node, medium, bandwidth_bps=WIRELESS_BPS, latency=WLAN, kind="wireless")
            builder.connect(
                medium, aggregation, bandwidth_bps=BACKHAUL_BPS, latency=BACKHAUL_LATENCY_S, kind="backhaul"
            )
    server = builder.add_compute("server", position_m=(100.0, 300.0))
    builder.connect(
        server, aggregation, bandwidth_bps=SERVER_LINK_BPS, latency=SERVER_LINK_LATENCY_S, kind="lan"
    )
    return builder.build(
        {
            "cells": CELLS,
            "devices_per_cell": DEVICES_PER_CELL,
            "wireless_bps": WIRELESS_BPS,
            "backhaul_bps": BACKHAUL_BPS,
            "server_link_bps": SERVER_LINK_BPS,
        }
    )


def alibaba_options() -> ConvertOptions:
    """The sample spans two hours of trace time with tasks of hours of CPU: replayed 500x faster (15 s) and
    scaled to edge boards (a trace core-second is 2.4e4 cycles, so the median task is 4e8 cycles);
    deadlines stay at arrival + 2x the trace's run time (minutes: the trace preset is about latency)."""
    return ConvertOptions(ref_hz=2.4e4, deadline_slack=2.0, time_scale=0.002)


def write(folder: Path = FOLDER) -> list[Path]:
    topology_path = folder / EDGE_SERVER
    topologies.save(edge_server_topology(), topology_path)
    workload_path = folder / ALIBABA_WORKLOAD
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / ALIBABA_WORKLOAD
        convert_trace("alibaba-2018", SAMPLES / ALIBABA, out, alibaba_options())
        # The converted file names its input by file name only, so it is the same on every machine.
        workload_path.write_bytes(out.read_bytes())
    return [topology_path, workload_path]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folder", type=Path, default=FOLDER, help="where to write (default: the package)")
    for path in write(parser.parse_args().folder):
        print(f"wrote {path}")


if __name__ == "__main__":
    main()
