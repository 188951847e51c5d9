"""Ether-style edge topologies: generators, importers, the topology file format, routing and plots.

Generation is a pure function of (scenario, parameters, seed); link latencies are drawn once, so a file is
one fixed network. The simulator side loads a file with :func:`load` (which validates it completely) and
gets the agents and the all-pairs route matrices with :func:`agents_and_routes`.

This package imports nothing from pygym, agents or workloads.

Main entry points::

    import topologies
    topo = topologies.urban_sensing(cells=3, seed=1)          # Ether's scenarios
    topo = topologies.random_geometric(20, seed=1)            # PeersimGym's simple generators
    topologies.save(topo.with_routes("hops"), "topo.json")    # file format v1, optional route matrices
    topo = topologies.load("topo.json")                       # validated; errors name file, element, rule
    view = topologies.agents_and_routes(topo)                 # agents + latency/bottleneck matrices
    r = topologies.route(topo, "rpi3_0", "server_0")          # path, latency_s, rtt_s, bottleneck_bps

Drawing lives in :mod:`topologies.plot` (imported on demand, as it loads matplotlib).
"""

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
from topologies.builder import TopologyBuilder
from topologies.errors import (
    ConversionError,
    DisconnectedError,
    DuplicateLinkError,
    DuplicateNameError,
    InvalidValueError,
    ParameterError,
    RouteMatrixError,
    TopologyError,
    TopologyFormatError,
    TopologyWarning,
    UnknownNodeError,
)
from topologies.fileformat import FORMAT, VERSION, dumps, load, loads, save, schema
from topologies.importers import (
    from_networkx,
    read_graph,
    read_graphml,
    read_inet_graph,
    read_node_link,
    read_peersimgym,
    to_networkx,
    write_graphml,
    write_node_link,
)
from topologies.latency import BUSINESS_ISP, DISTRIBUTIONS, LAN, MOBILE_ISP, WLAN, LogNormal
from topologies.model import ComputeNode, Link, RouteMatrix, Switch, Topology, check_connected
from topologies.nodes import NODE_TYPES, ROLES, NodeType
from topologies.routing import AgentRoutes, Route, agents_and_routes, route, route_matrix
from topologies.scenarios import InetGraph, cloud_regions, industrial_iot, urban_sensing
from topologies.simple import bridged_clusters, fully_connected, grid, random_geometric, ring
from topologies.summary import summarize

GENERATORS = {
    "urban-sensing": urban_sensing,
    "industrial-iot": industrial_iot,
    "cloud-regions": cloud_regions,
    "fully-connected": fully_connected,
    "random-geometric": random_geometric,
    "grid": grid,
    "ring": ring,
    "bridged-clusters": bridged_clusters,
}
"""Every generator by its command-line name."""

__all__ = [
    "BUSINESS_ISP",
    "DISTRIBUTIONS",
    "FORMAT",
    "GENERATORS",
    "LAN",
    "MOBILE_ISP",
    "NODE_TYPES",
    "ROLES",
    "VERSION",
    "WLAN",
    "AgentRoutes",
    "Cloudlet",
    "ComputeNode",
    "ConversionError",
    "Density",
    "DisconnectedError",
    "DuplicateLinkError",
    "DuplicateNameError",
    "GeoCell",
    "InetGraph",
    "InvalidValueError",
    "IoTComputeBox",
    "LANCell",
    "Link",
    "LogNormal",
    "NodeType",
    "ParameterError",
    "Route",
    "RouteMatrix",
    "RouteMatrixError",
    "SharedLinkCell",
    "Switch",
    "Topology",
    "TopologyBuilder",
    "TopologyError",
    "TopologyFormatError",
    "TopologyWarning",
    "UnknownNodeError",
    "UpDownLink",
    "agents_and_routes",
    "bridged_clusters",
    "business_isp",
    "check_connected",
    "cloud_regions",
    "dumps",
    "fiber_to_exchange",
    "from_networkx",
    "fully_connected",
    "grid",
    "industrial_iot",
    "load",
    "loads",
    "mobile_connection",
    "random_geometric",
    "read_graph",
    "read_graphml",
    "read_inet_graph",
    "read_node_link",
    "read_peersimgym",
    "ring",
    "route",
    "route_matrix",
    "save",
    "schema",
    "summarize",
    "to_networkx",
    "urban_sensing",
    "write_graphml",
    "write_node_link",
]
