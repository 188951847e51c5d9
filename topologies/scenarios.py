"""Ether's three scenarios, with Ether's parameters and defaults (Ether 0.3.3, ``ether/scenarios``).

- :func:`urban_sensing` (``UrbanSensingScenario``, modelled on Chicago's Array of Things): a city of
  ``cells`` neighbourhoods. A neighbourhood of size ``n`` (drawn per cell from ``density``, by default
  ``int(lognorm(s=0.82, loc=2.02))``, so n >= 2, mean 2.92) is a 500 Mbit/s shared medium with a mobile
  backhaul (125 down / 25 up Mbit/s) holding ``n`` Array-of-Things boxes (a LAN of 2 ``rpi3``) and one
  compute box (a LAN of 1 ``nuc`` and ``2n`` ``tx2``): ``4n + 1`` compute nodes. Plus one cloudlet of
  2 racks x 5 servers on fibre (1000/1000 Mbit/s).
- :func:`industrial_iot` (``IndustrialIoTScenario``): per premises, a factory LAN on a business ISP
  (500 down / 50 up) holding a compute box (``nuc``, ``tx2``) and a 300 Mbit/s shared medium of 3 ``rpi3``,
  and an on-premises cloudlet of 3 racks x 5 servers attached to the factory switch by 10 Gbit/s up and
  down links with no latency (Ether's ``UpDownLink`` without a distribution): 20 compute nodes. Ether's
  ``premises_density`` parameter is documented there as unused and is left out.
- :func:`cloud_regions` (``CloudRegionsScenario``): one cloudlet per region on backbone switch
  ``internet_<region>``. Ether takes the backbone from a measured inter-region latency graph
  (``load_inet_graph('cloudping')``, shipped with Ether as GraphML); pass such a graph as ``inet``. Without
  one, the regions are those of :data:`REGIONS`, fully meshed, with a one-way latency of
  ``great-circle distance x`` :data:`ROUTE_STRETCH` ``/`` :data:`FIBRE_SPEED_MPS`, an uncalibrated
  distance model (stated assumption) rather than measurements.

Positions are not part of Ether; they are synthesised so that simulators with distance-dependent radio
models have coordinates: city cells on a square grid :data:`CELL_SPACING_M` apart with nodes uniform within
:data:`CELL_RADIUS_M`, premises :data:`PREMISES_SPACING_M` apart, regions at their coordinates projected
plate-carree (x = R * longitude, y = R * latitude, in metres).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from topologies.blocks import (
    Cloudlet,
    Density,
    GeoCell,
    IoTComputeBox,
    LANCell,
    SharedLinkCell,
    UpDownLink,
    business_isp,
    fiber_to_exchange,
    mobile_connection,
)
from topologies.builder import Site, TopologyBuilder
from topologies.errors import ParameterError
from topologies.latency import LatencyMode
from topologies.model import Topology
from topologies.nodes import Role

URBAN_DENSITY = Density(s=0.82, loc=2.02, scale=1.0)
"""Ether's ``default_cell_density``: ``lognorm((0.82, 2.02))``."""
URBAN_SHARED_BANDWIDTH_BPS = 500e6
IIOT_CLOUDLET_LINK_BPS = 10e9

CELL_SPACING_M = 1000.0
CELL_RADIUS_M = 250.0
CLOUDLET_RADIUS_M = 25.0
PREMISES_SPACING_M = 5000.0
PREMISES_RADIUS_M = 100.0
EARTH_RADIUS_M = 6_371_000.0
FIBRE_SPEED_MPS = 2.0e8
"""Light in optical fibre, about c / 1.47."""
ROUTE_STRETCH = 2.0
"""Assumed ratio of real fibre route length (plus equipment delay) to the great-circle distance."""
BACKBONE_BANDWIDTH_BPS = 100e9
"""Assumption for inter-region links, which Ether's inet graphs give no capacity; never a bottleneck."""

REGIONS: dict[str, tuple[float, float]] = {
    "us-east-1": (39.04, -77.49),
    "us-east-2": (39.96, -83.00),
    "us-west-1": (37.34, -121.89),
    "us-west-2": (45.84, -119.70),
    "ca-central-1": (45.50, -73.57),
    "sa-east-1": (-23.55, -46.63),
    "eu-west-1": (53.35, -6.26),
    "eu-west-2": (51.51, -0.13),
    "eu-central-1": (50.11, 8.68),
    "eu-north-1": (59.33, 18.07),
    "ap-south-1": (19.08, 72.88),
    "ap-southeast-1": (1.35, 103.82),
    "ap-southeast-2": (-33.87, 151.21),
    "ap-northeast-1": (35.68, 139.69),
}
"""AWS region ids with the (latitude, longitude) in degrees of the metro area that hosts them."""


def _positive_int(value: int, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ParameterError(f"{name} must be a positive integer, got {value!r}")
    return value


def urban_sensing(
    cells: int = 3,
    *,
    density: Density = URBAN_DENSITY,
    cloudlet_servers_per_rack: int = 5,
    cloudlet_racks: int = 2,
    shared_bandwidth_bps: float = URBAN_SHARED_BANDWIDTH_BPS,
    internet: str = "internet",
    seed: int = 0,
    latency: LatencyMode = "sample",
    agent_roles: Iterable[Role] = ("device", "edge"),
    name: str | None = None,
) -> Topology:
    """Ether's urban sensing scenario (see the module docstring); a pure function of its arguments."""
    _positive_int(cells, "cells")
    builder = TopologyBuilder("urban-sensing", name=name, seed=seed, latency=latency, agent_roles=agent_roles)
    columns = math.ceil(math.sqrt(cells))

    def neighbourhood(n: int) -> SharedLinkCell:
        aot_box = IoTComputeBox(("rpi3", "rpi3"))
        compute_box = IoTComputeBox(("nuc", *(("tx2",) * (2 * n))))
        return SharedLinkCell(
            members=(*((aot_box,) * n), compute_box),
            shared_bandwidth_bps=shared_bandwidth_bps,
            backhaul=mobile_connection(internet),
        )

    def cell_site(i: int) -> Site:
        return Site(((i % columns) * CELL_SPACING_M, (i // columns) * CELL_SPACING_M), CELL_RADIUS_M)

    sizes = GeoCell(cells, density, neighbourhood, cell_site).materialize(builder)
    cloudlet = Cloudlet(cloudlet_servers_per_rack, cloudlet_racks, backhaul=fiber_to_exchange(internet))
    with builder.site(((columns - 1) * CELL_SPACING_M / 2, -CELL_SPACING_M), CLOUDLET_RADIUS_M):
        cloudlet.materialize(builder)
    return builder.build(
        {
            "cells": cells,
            "density": density.spec,
            "cloudlet_servers_per_rack": cloudlet_servers_per_rack,
            "cloudlet_racks": cloudlet_racks,
            "shared_bandwidth_bps": shared_bandwidth_bps,
            "internet": internet,
            "cell_sizes": sizes,
        }
    )


def industrial_iot(
    premises: int = 1,
    *,
    internet: str = "internet",
    seed: int = 0,
    latency: LatencyMode = "sample",
    agent_roles: Iterable[Role] = ("device", "edge"),
    name: str | None = None,
) -> Topology:
    """Ether's industrial IoT scenario (see the module docstring); 20 compute nodes per premises."""
    _positive_int(premises, "premises")
    builder = TopologyBuilder(
        "industrial-iot", name=name, seed=seed, latency=latency, agent_roles=agent_roles
    )
    for p in range(premises):
        with builder.site((p * PREMISES_SPACING_M, 0.0), PREMISES_RADIUS_M):
            floor_compute = IoTComputeBox(("nuc", "tx2"))
            floor_iot = SharedLinkCell(("rpi3",) * 3)
            factory = LANCell((floor_compute, floor_iot), backhaul=business_isp(internet))
            factory_switch = factory.materialize(builder)
        with builder.site((p * PREMISES_SPACING_M, 0.0), CLOUDLET_RADIUS_M):
            uplink = UpDownLink(IIOT_CLOUDLET_LINK_BPS, IIOT_CLOUDLET_LINK_BPS, backhaul=factory_switch)
            Cloudlet(5, 3, backhaul=uplink).materialize(builder)
    return builder.build({"premises": premises, "internet": internet})


@dataclass(frozen=True)
class InetGraph:
    """An inter-region backbone: region names and one-way latencies, as in Ether's ``inet`` GraphML files."""

    regions: tuple[str, ...]
    arcs: tuple[tuple[str, str, float], ...]
    """(source region, target region, latency_s)."""
    directed: bool
    source: str = "inet graph"


def great_circle_m(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance in metres between two (latitude, longitude) points in degrees (haversine)."""
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(h))


def distance_latency_s(a: str, b: str) -> float:
    """The distance model's one-way latency between two regions of :data:`REGIONS`."""
    return round(great_circle_m(REGIONS[a], REGIONS[b]) * ROUTE_STRETCH / FIBRE_SPEED_MPS, 9)


def _projected_m(region: str) -> tuple[float, float]:
    lat, lon = REGIONS[region]
    return (EARTH_RADIUS_M * math.radians(lon), EARTH_RADIUS_M * math.radians(lat))


def cloud_regions(
    regions: Sequence[str] | None = None,
    *,
    servers_per_rack: int = 5,
    racks: int = 1,
    region_sizes: Sequence[tuple[int, int]] | None = None,
    inet: InetGraph | None = None,
    seed: int = 0,
    latency: LatencyMode = "sample",
    agent_roles: Iterable[Role] = ("cloud",),
    name: str | None = None,
) -> Topology:
    """Ether's cloud regions scenario: a cloudlet per region on a backbone (see the module docstring).

    ``region_sizes`` gives (servers per rack, racks) per region, like Ether's ``region_size``; otherwise
    every region gets ``servers_per_rack`` x ``racks`` (Ether's example uses 5 x 1). Servers are the only
    compute here, so they are the agents by default.
    """
    known = inet.regions if inet is not None else tuple(REGIONS)
    chosen = tuple(regions) if regions is not None else known
    if not chosen:
        raise ParameterError("cloud_regions needs at least one region")
    unknown = [r for r in chosen if r not in known]
    if unknown:
        where = inet.source if inet is not None else "the built-in region table"
        raise ParameterError(
            f"unknown region(s) {', '.join(unknown)} (not in {where}); known: {', '.join(known)}"
        )
    if len(set(chosen)) != len(chosen):
        raise ParameterError(f"regions list a region twice: {', '.join(chosen)}")
    if region_sizes is None:
        sizes = [(_positive_int(servers_per_rack, "servers_per_rack"), _positive_int(racks, "racks"))] * len(
            chosen
        )
    else:
        sizes = list(region_sizes)
        if len(sizes) != len(chosen):
            raise ParameterError(f"region_sizes has {len(sizes)} entries for {len(chosen)} regions")
    builder = TopologyBuilder("cloud-regions", name=name, seed=seed, latency=latency, agent_roles=agent_roles)
    switch = {r: builder.add_switch("backbone", f"internet_{r}") for r in chosen}
    if inet is None:
        for i, a in enumerate(chosen):
            for b in chosen[i + 1 :]:
                builder.connect(
                    switch[a],
                    switch[b],
                    bandwidth_bps=BACKBONE_BANDWIDTH_BPS,
                    latency=distance_latency_s(a, b),
                    kind="backbone",
                )
    else:
        selected = set(chosen)
        for a, b, latency_s in inet.arcs:
            if a in selected and b in selected:
                builder.connect(
                    switch[a],
                    switch[b],
                    bandwidth_bps=BACKBONE_BANDWIDTH_BPS,
                    latency=latency_s,
                    kind="backbone",
                    directed=inet.directed,
                )
    for region, (per_rack, rack_count) in zip(chosen, sizes, strict=True):
        cloudlet = Cloudlet(per_rack, rack_count, backhaul=switch[region])
        if region in REGIONS:
            with builder.site(_projected_m(region), CLOUDLET_RADIUS_M):
                cloudlet.materialize(builder)
        else:
            cloudlet.materialize(builder)
    parameters: dict[str, Any] = {
        "regions": list(chosen),
        "region_sizes": [list(s) for s in sizes],
        "backbone": inet.source if inet is not None else "distance model",
    }
    return builder.build(parameters)
