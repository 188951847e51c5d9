"""``pygym topology ...`` commands: generate, import, export, validate, show, route, plot, schema.

Every command that reads a topology file validates it first; a bad file ends the command with exit code 2
and one ``error:`` line naming the file, the element and the rule it breaks.
"""

from __future__ import annotations

import json
import math
import sys
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from enum import Enum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from topologies import importers, scenarios, simple
from topologies.blocks import Density
from topologies.errors import TopologyError, TopologyWarning
from topologies.fileformat import dumps, load, save, schema_text
from topologies.latency import distribution
from topologies.model import Topology
from topologies.nodes import parse_roles
from topologies.routing import route as find_route
from topologies.summary import summarize

app = typer.Typer(help="Generate, inspect, route and plot edge topologies.", no_args_is_help=True)
generate_app = typer.Typer(help="Generate a topology (Ether scenarios, PeersimGym's simple networks).")
import_app = typer.Typer(help="Convert a foreign topology file into the topology format.")
app.add_typer(generate_app, name="generate", no_args_is_help=True)
app.add_typer(import_app, name="import", no_args_is_help=True)
console = Console()


class LatencyChoice(str, Enum):
    """How links get their latency from their distribution."""

    sample = "sample"
    mode = "mode"
    mean = "mean"


class RoutingChoice(str, Enum):
    """Route selection: fewest links (Ether) or least latency."""

    hops = "hops"
    latency = "latency"


class LayoutChoice(str, Enum):
    """Plot layouts."""

    auto = "auto"
    tree = "tree"
    positions = "positions"
    spring = "spring"


class CpuChoice(str, Enum):
    """How PeersimGym's cpu_milis becomes cores and frequency."""

    ether = "ether"
    peersimgym = "peersimgym"


Seed = Annotated[
    int, typer.Option(min=0, help="seed; the same seed and options give the same file, byte for byte")
]
Output = Annotated[
    Path | None,
    typer.Option("--output", "-o", help="file to write (default: print to stdout)", show_default=False),
]
Latency = Annotated[
    LatencyChoice,
    typer.Option(help="link latency: a sample of its distribution, or its mode or mean (parity)"),
]
Routes = Annotated[
    bool,
    typer.Option("--routes/--no-routes", help="also write all-pairs route matrices between compute nodes"),
]
RoutingOpt = Annotated[RoutingChoice, typer.Option(help="routing of the written route matrices")]
Agents = Annotated[
    str | None,
    typer.Option(
        help="roles whose nodes are agents, comma-separated (default: device,edge)", show_default=False
    ),
]
Name = Annotated[
    str | None, typer.Option(help="topology name (default: the generator's)", show_default=False)
]
Types = Annotated[str, typer.Option(help="node types, comma-separated; node i gets type i mod len")]
BandwidthMbps = Annotated[float, typer.Option(help="bandwidth of every link, Mbit/s")]
LinkLatency = Annotated[
    str, typer.Option(help="latency distribution of every link (lan, wlan, business_isp, mobile_isp)")
]


@contextmanager
def _errors() -> Iterator[None]:
    # Topology warnings (a disconnected network allowed, repeated entries in an import) become one
    # "warning:" line each on stderr; topology errors end the command with exit code 2.
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", TopologyWarning)
        try:
            yield
        except TopologyError as e:
            typer.echo(f"error: {e}", err=True)
            raise typer.Exit(2) from None
        finally:
            for warning in caught:
                if issubclass(warning.category, TopologyWarning):
                    typer.echo(f"warning: {warning.message}", err=True)
                else:
                    warnings.showwarning(warning.message, warning.category, warning.filename, warning.lineno)


def _roles(agents: str | None, default: tuple[str, ...]) -> tuple[Any, ...]:
    return parse_roles(agents) if agents is not None else default


def _emit(topology: Topology, output: Path | None, routes: bool, routing: RoutingChoice) -> None:
    if routes:
        topology = topology.with_routes(routing.value)
    if output is None:
        sys.stdout.write(dumps(topology))
        return
    save(topology, output)
    agents = len(topology.agents)
    typer.echo(
        f"wrote {output}: {len(topology.compute_nodes)} compute nodes ({agents} agents), "
        f"{len(topology.switches)} switches, {len(topology.links)} links"
        + (f", {routing.value} route matrices" if routes else "")
    )


def _generate(
    build: Callable[[], Topology], output: Path | None, routes: bool, routing: RoutingChoice
) -> None:
    with _errors():
        _emit(build(), output, routes, routing)


@generate_app.command("urban-sensing")
def urban_sensing(
    cells: Annotated[int, typer.Option(min=1, help="neighbourhoods in the city")] = 3,
    density: Annotated[
        str,
        typer.Option(help="nodes per cell: an integer, or lognorm:S,LOC[,SCALE] (Ether: lognorm:0.82,2.02)"),
    ] = scenarios.URBAN_DENSITY.spec,
    cloudlet_servers: Annotated[int, typer.Option(min=1, help="servers per cloudlet rack")] = 5,
    cloudlet_racks: Annotated[int, typer.Option(min=1, help="racks in the cloudlet")] = 2,
    internet: Annotated[str, typer.Option(help="name of the backbone switch")] = "internet",
    seed: Seed = 0,
    latency: Latency = LatencyChoice.sample,
    agents: Agents = None,
    name: Name = None,
    output: Output = None,
    routes: Routes = False,
    routing: RoutingOpt = RoutingChoice.hops,
) -> None:
    """Ether's urban sensing scenario: cells of sensing boxes and a compute box, plus a cloudlet."""
    _generate(
        lambda: scenarios.urban_sensing(
            cells,
            density=Density.parse(density),
            cloudlet_servers_per_rack=cloudlet_servers,
            cloudlet_racks=cloudlet_racks,
            internet=internet,
            seed=seed,
            latency=latency.value,
            agent_roles=_roles(agents, ("device", "edge")),
            name=name,
        ),
        output,
        routes,
        routing,
    )


@generate_app.command("industrial-iot")
def industrial_iot(
    premises: Annotated[int, typer.Option(min=1, help="factories, each with a floor and a cloudlet")] = 1,
    internet: Annotated[str, typer.Option(help="name of the backbone switch")] = "internet",
    seed: Seed = 0,
    latency: Latency = LatencyChoice.sample,
    agents: Agents = None,
    name: Name = None,
    output: Output = None,
    routes: Routes = False,
    routing: RoutingOpt = RoutingChoice.hops,
) -> None:
    """Ether's industrial IoT scenario: 20 compute nodes per premises."""
    _generate(
        lambda: scenarios.industrial_iot(
            premises,
            internet=internet,
            seed=seed,
            latency=latency.value,
            agent_roles=_roles(agents, ("device", "edge")),
            name=name,
        ),
        output,
        routes,
        routing,
    )


@generate_app.command("cloud-regions")
def cloud_regions(
    regions: Annotated[
        str | None,
        typer.Option(help="regions, comma-separated (default: every region of the table or inet graph)"),
    ] = None,
    servers_per_rack: Annotated[int, typer.Option(min=1, help="servers per rack in each region")] = 5,
    racks: Annotated[int, typer.Option(min=1, help="racks per region")] = 1,
    inet: Annotated[
        Path | None,
        typer.Option(
            help="inter-region latency graph (GraphML or node-link JSON, 'latency' in ms), as Ether's"
        ),
    ] = None,
    seed: Seed = 0,
    latency: Latency = LatencyChoice.sample,
    agents: Annotated[
        str | None, typer.Option(help="roles whose nodes are agents (default: cloud)", show_default=False)
    ] = None,
    name: Name = None,
    output: Output = None,
    routes: Routes = False,
    routing: RoutingOpt = RoutingChoice.hops,
) -> None:
    """Ether's cloud regions scenario: a cloudlet per region on a backbone."""

    def build() -> Topology:
        chosen = [r.strip() for r in regions.split(",") if r.strip()] if regions is not None else None
        return scenarios.cloud_regions(
            chosen,
            servers_per_rack=servers_per_rack,
            racks=racks,
            inet=importers.read_inet_graph(inet) if inet is not None else None,
            seed=seed,
            latency=latency.value,
            agent_roles=_roles(agents, ("cloud",)),
            name=name,
        )

    _generate(build, output, routes, routing)


def _types(text: str) -> tuple[str, ...]:
    return tuple(t.strip() for t in text.split(",") if t.strip())


def _simple_options(
    types: str,
    bandwidth_mbps: float,
    link_latency: str,
    seed: int,
    latency: LatencyChoice,
    agents: str | None,
    name: str | None,
) -> dict[str, Any]:
    """The keyword arguments every one of PeersimGym's simple generators takes, from the shared options."""
    return {
        "types": _types(types),
        "bandwidth_bps": bandwidth_mbps * 1e6,
        "link_latency": distribution(link_latency),
        "seed": seed,
        "latency": latency.value,
        "agent_roles": _roles(agents, ("device", "edge")),
        "name": name,
    }


@generate_app.command("fully-connected")
def fully_connected(
    nodes: Annotated[int, typer.Option(min=2, help="compute nodes")] = 10,
    radius_m: Annotated[float, typer.Option(help="radius of the circle the nodes sit on, m")] = 50.0,
    types: Types = "rpi4",
    bandwidth_mbps: BandwidthMbps = 100.0,
    link_latency: LinkLatency = "wlan",
    seed: Seed = 0,
    latency: Latency = LatencyChoice.sample,
    agents: Agents = None,
    name: Name = None,
    output: Output = None,
    routes: Routes = False,
    routing: RoutingOpt = RoutingChoice.hops,
) -> None:
    """PeersimGym's fully connected network: nodes on a circle, every pair linked."""
    _generate(
        lambda: simple.fully_connected(
            nodes,
            radius_m=radius_m,
            **_simple_options(types, bandwidth_mbps, link_latency, seed, latency, agents, name),
        ),
        output,
        routes,
        routing,
    )


@generate_app.command("random-geometric")
def random_geometric(
    nodes: Annotated[int, typer.Option(min=2, help="compute nodes")] = 10,
    area_m: Annotated[float, typer.Option(help="side of the square the nodes are placed in, m")] = 100.0,
    radius_m: Annotated[float, typer.Option(help="nodes closer than this are linked, m")] = 50.0,
    types: Types = "rpi4",
    bandwidth_mbps: BandwidthMbps = 100.0,
    link_latency: LinkLatency = "wlan",
    seed: Seed = 0,
    latency: Latency = LatencyChoice.sample,
    agents: Agents = None,
    name: Name = None,
    output: Output = None,
    routes: Routes = False,
    routing: RoutingOpt = RoutingChoice.hops,
) -> None:
    """PeersimGym's random network: uniform placement, links within a radius, redrawn until connected."""
    _generate(
        lambda: simple.random_geometric(
            nodes,
            area_m=area_m,
            radius_m=radius_m,
            **_simple_options(types, bandwidth_mbps, link_latency, seed, latency, agents, name),
        ),
        output,
        routes,
        routing,
    )


@generate_app.command("grid")
def grid(
    nodes: Annotated[int, typer.Option(min=2, help="compute nodes")] = 9,
    columns: Annotated[
        int | None, typer.Option(help="grid columns (default: ceil(sqrt(nodes)))", show_default=False)
    ] = None,
    spacing_m: Annotated[float, typer.Option(help="distance between grid neighbours, m")] = 20.0,
    types: Types = "rpi4",
    bandwidth_mbps: BandwidthMbps = 100.0,
    link_latency: LinkLatency = "wlan",
    seed: Seed = 0,
    latency: Latency = LatencyChoice.sample,
    agents: Agents = None,
    name: Name = None,
    output: Output = None,
    routes: Routes = False,
    routing: RoutingOpt = RoutingChoice.hops,
) -> None:
    """PeersimGym's grid network: row-major placement, links to right and lower neighbours."""
    _generate(
        lambda: simple.grid(
            nodes,
            columns=columns,
            spacing_m=spacing_m,
            **_simple_options(types, bandwidth_mbps, link_latency, seed, latency, agents, name),
        ),
        output,
        routes,
        routing,
    )


@generate_app.command("ring")
def ring(
    nodes: Annotated[int, typer.Option(min=3, help="compute nodes")] = 10,
    radius_m: Annotated[float, typer.Option(help="radius of the ring, m")] = 50.0,
    types: Types = "rpi4",
    bandwidth_mbps: BandwidthMbps = 100.0,
    link_latency: LinkLatency = "wlan",
    seed: Seed = 0,
    latency: Latency = LatencyChoice.sample,
    agents: Agents = None,
    name: Name = None,
    output: Output = None,
    routes: Routes = False,
    routing: RoutingOpt = RoutingChoice.hops,
) -> None:
    """PeersimGym's ring network: each node linked to the next."""
    _generate(
        lambda: simple.ring(
            nodes,
            radius_m=radius_m,
            **_simple_options(types, bandwidth_mbps, link_latency, seed, latency, agents, name),
        ),
        output,
        routes,
        routing,
    )


@generate_app.command("bridged-clusters")
def bridged_clusters(
    nodes: Annotated[int, typer.Option(min=4, help="compute nodes, split into two clusters")] = 10,
    cluster_radius_m: Annotated[float, typer.Option(help="radius of each cluster, m")] = 20.0,
    distance_m: Annotated[float, typer.Option(help="distance between the cluster centres, m")] = 100.0,
    types: Types = "rpi4",
    bandwidth_mbps: BandwidthMbps = 100.0,
    link_latency: LinkLatency = "wlan",
    seed: Seed = 0,
    latency: Latency = LatencyChoice.sample,
    agents: Agents = None,
    name: Name = None,
    output: Output = None,
    routes: Routes = False,
    routing: RoutingOpt = RoutingChoice.hops,
) -> None:
    """PeersimGym's bridged clusters: two fully connected clusters joined by one link."""
    _generate(
        lambda: simple.bridged_clusters(
            nodes,
            cluster_radius_m=cluster_radius_m,
            distance_m=distance_m,
            **_simple_options(types, bandwidth_mbps, link_latency, seed, latency, agents, name),
        ),
        output,
        routes,
        routing,
    )


AllowDisconnected = Annotated[
    bool, typer.Option(help="accept a disconnected network (a warning instead of an error)")
]


@import_app.command("peersimgym")
def import_peersimgym(
    file: Annotated[Path, typer.Argument(help="PeersimGym Ether JSON file")],
    cpu: Annotated[
        CpuChoice,
        typer.Option(help="ether: cores = cpu_milis/1000 at the type's frequency; peersimgym: 1 core"),
    ] = CpuChoice.ether,
    frequency_hz: Annotated[
        float | None, typer.Option(help="CPU frequency for node types not in the table", show_default=False)
    ] = None,
    agents: Agents = None,
    name: Name = None,
    allow_disconnected: AllowDisconnected = False,
    output: Output = None,
    routes: Routes = False,
    routing: RoutingOpt = RoutingChoice.hops,
) -> None:
    """Convert PeersimGym's Ether JSON (path_info bandwidths and RTTs become links)."""
    _generate(
        lambda: importers.read_peersimgym(
            file,
            cpu=cpu.value,
            frequency_hz=frequency_hz,
            agent_roles=_roles(agents, ("device", "edge")),
            name=name,
            allow_disconnected=allow_disconnected,
        ),
        output,
        routes,
        routing,
    )


@import_app.command("networkx")
def import_networkx(
    file: Annotated[Path, typer.Argument(help="node-link JSON (.json) or GraphML (.graphml, .xml)")],
    default_bandwidth_mbps: Annotated[
        float | None, typer.Option(help="bandwidth of edges without one, Mbit/s", show_default=False)
    ] = None,
    default_latency_ms: Annotated[
        float | None, typer.Option(help="one-way latency of edges without one, ms", show_default=False)
    ] = None,
    agents: Agents = None,
    name: Name = None,
    allow_disconnected: AllowDisconnected = False,
    output: Output = None,
    routes: Routes = False,
    routing: RoutingOpt = RoutingChoice.hops,
) -> None:
    """Convert a networkx graph file (attributes bandwidth_bps/latency_s, or Ether's bandwidth/latency)."""
    _generate(
        lambda: importers.read_graph(
            file,
            default_bandwidth_bps=None if default_bandwidth_mbps is None else default_bandwidth_mbps * 1e6,
            default_latency_s=None if default_latency_ms is None else default_latency_ms / 1000,
            agent_roles=_roles(agents, ("device", "edge")),
            name=name,
            allow_disconnected=allow_disconnected,
        ),
        output,
        routes,
        routing,
    )


TopologyFile = Annotated[Path, typer.Argument(help="topology file")]


@app.command("export")
def export(
    file: TopologyFile,
    output: Annotated[Path, typer.Option("--output", "-o", help="target: .json (node-link) or .graphml")],
) -> None:
    """Write a topology as a networkx graph file (node-link JSON or GraphML; route matrices are dropped)."""
    with _errors():
        topology = load(file)
        suffix = output.suffix.lower()
        if suffix == ".json":
            importers.write_node_link(topology, output)
        elif suffix in (".graphml", ".xml"):
            importers.write_graphml(topology, output)
        else:
            raise TopologyError(f"{output}: unknown suffix {output.suffix!r}; expected .json or .graphml")
    typer.echo(f"wrote {output}")


@app.command("validate")
def validate(file: TopologyFile, allow_disconnected: AllowDisconnected = False) -> None:
    """Load and check a topology file (fields, names, links, connectivity, stored routes)."""
    with _errors():
        topology = load(file, allow_disconnected=allow_disconnected)
    stored = f", {topology.routes.routing} route matrices verified" if topology.routes is not None else ""
    typer.echo(
        f"{file}: valid: {len(topology.compute_nodes)} compute nodes, {len(topology.switches)} switches, "
        f"{len(topology.links)} links{stored}"
    )


def _si(value: float | None, unit: str) -> str:
    if value is None or (isinstance(value, float) and math.isinf(value)):
        return "-"
    for factor, prefix in ((1e9, "G"), (1e6, "M"), (1e3, "k"), (1, ""), (1e-3, "m"), (1e-6, "µ")):
        if abs(value) >= factor or factor == 1e-6:
            return f"{value / factor:.3g} {prefix}{unit}"
    return f"{value:.3g} {unit}"


def _json_safe(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_json_safe(v) for v in value]
    return value


RoutingFilter = Annotated[
    RoutingChoice | None,
    typer.Option(help="routing (default: the file's stored matrices, else hops)", show_default=False),
]


@app.command("show")
def show(
    file: TopologyFile,
    routing: RoutingFilter = None,
    as_json: Annotated[bool, typer.Option("--json", help="print one JSON object instead of tables")] = False,
    allow_disconnected: AllowDisconnected = False,
) -> None:
    """Summarise a topology: counts by type and role, latency and bandwidth percentiles."""
    with _errors():
        topology = load(file, allow_disconnected=allow_disconnected)
        summary = summarize(topology, routing.value if routing is not None else None)
    if as_json:
        typer.echo(json.dumps(_json_safe(summary), allow_nan=False))
        return
    counts = Table(title=f"{summary['name']} ({file})")
    counts.add_column("type")
    counts.add_column("role")
    counts.add_column("count", justify="right")
    counts.add_column("agents", justify="right")
    counts.add_column("cores", justify="right")
    counts.add_column("frequency", justify="right")
    counts.add_column("memory", justify="right")
    for type_key in summary["by_type"]:
        members = [n for n in topology.compute_nodes if n.type == type_key]
        first = members[0]
        counts.add_row(
            type_key,
            ", ".join(sorted({n.role for n in members})),
            str(len(members)),
            str(sum(n.agent for n in members)),
            str(first.cores) if all(n.cores == first.cores for n in members) else "mixed",
            _si(first.frequency_hz, "Hz")
            if all(n.frequency_hz == first.frequency_hz for n in members)
            else "mixed",
            _si(first.memory_bytes, "B")
            if all(n.memory_bytes == first.memory_bytes for n in members)
            else "mixed",
        )
    counts.caption = (
        f"{summary['compute_nodes']} compute nodes ({summary['agents']} agents), "
        f"{summary['switches']} switches, {summary['links']} links ({summary['directed_links']} directed)"
    )
    console.print(counts)
    stats = Table(
        title=f"percentiles (one-way latency; routes: {summary['routing']} routing, compute-node pairs)"
    )
    stats.add_column("quantity", no_wrap=True)
    for column in ("min", "p5", "p50", "p95", "p99", "max"):
        stats.add_column(column, justify="right")
    for label, key, unit in (
        ("link latency", "link_latency_s", "s"),
        ("link bandwidth", "link_bandwidth_bps", "bit/s"),
        ("route latency", "route_latency_s", "s"),
        ("route RTT", "route_rtt_s", "s"),
        ("route bottleneck", "route_bottleneck_bps", "bit/s"),
    ):
        values = summary[key] or {}
        stats.add_row(label, *(_si(values.get(c), unit) for c in ("min", "p5", "p50", "p95", "p99", "max")))
    hops = summary["route_hops"] or {}
    stats.add_row(
        "route hops",
        *(f"{hops[c]:g}" if c in hops else "-" for c in ("min", "p5", "p50", "p95", "p99", "max")),
    )
    if summary["unreachable_pairs"]:
        stats.caption = f"{summary['unreachable_pairs']} ordered pairs are unreachable"
    console.print(stats)


@app.command("route")
def route(
    file: TopologyFile,
    source: Annotated[str, typer.Argument(help="source node or switch")],
    target: Annotated[str, typer.Argument(help="target node or switch")],
    routing: Annotated[
        RoutingChoice, typer.Option(help="fewest links (Ether) or least latency")
    ] = RoutingChoice.hops,
    as_json: Annotated[bool, typer.Option("--json", help="print one JSON object")] = False,
    allow_disconnected: AllowDisconnected = False,
) -> None:
    """The route between two nodes: path, one-way latency, round-trip time, bottleneck bandwidth."""
    with _errors():
        topology = load(file, allow_disconnected=allow_disconnected)
        found = find_route(topology, source, target, routing.value)
    if as_json:
        payload = {
            "source": found.source,
            "target": found.target,
            "routing": found.routing,
            "path": list(found.path),
            "hops": found.hops,
            "latency_s": found.latency_s,
            "rtt_s": found.rtt_s,
            "bottleneck_bps": found.bottleneck_bps,
        }
        typer.echo(json.dumps(_json_safe(payload), allow_nan=False))
        return
    typer.echo(" -> ".join(found.path))
    typer.echo(f"hops: {found.hops} ({found.routing} routing)")
    typer.echo(f"one-way latency: {found.latency_s * 1000:.6g} ms")
    typer.echo(f"round-trip time: {'-' if math.isinf(found.rtt_s) else f'{found.rtt_s * 1000:.6g} ms'}")
    typer.echo(f"bottleneck bandwidth: {_si(found.bottleneck_bps, 'bit/s')}")


@app.command("plot")
def plot(
    file: TopologyFile,
    output: Annotated[Path, typer.Option("--output", "-o", help="image file (.png, .svg, .pdf)")],
    layout: Annotated[LayoutChoice, typer.Option(help="vertex layout")] = LayoutChoice.auto,
    labels: Annotated[
        bool | None,
        typer.Option(
            "--labels/--no-labels", help="draw vertex names (default: up to 80 vertices)", show_default=False
        ),
    ] = None,
    dpi: Annotated[int, typer.Option(min=50, help="resolution of raster images")] = 150,
    allow_disconnected: AllowDisconnected = False,
) -> None:
    """Draw a topology: roles coloured, switches grey, link width by bandwidth and colour by latency."""
    from topologies.plot import plot as plot_topology  # matplotlib loads only when plotting

    with _errors():
        topology = load(file, allow_disconnected=allow_disconnected)
        plot_topology(topology, output, layout=layout.value, labels=labels, dpi=dpi)
    typer.echo(f"wrote {output}")


@app.command("schema")
def schema() -> None:
    """Print the JSON Schema of the topology file format (version 1)."""
    sys.stdout.write(schema_text())
