"""An append-only builder that generators use to assemble a :class:`~topologies.model.Topology`.

It owns the things that make generation a pure function of (scenario, parameters, seed):

- names, numbered per prefix from 0 in creation order (``rpi3_0``, ``switch_lan_3``) within one topology,
  unlike Ether's process-wide counters, which keep growing across topologies;
- three named random streams derived from the seed, so that, for example, switching latencies from
  sampled to mode leaves the structure and positions unchanged: ``structure`` (cell sizes, random
  placements that decide links), ``latency`` (one draw per link, in link order) and ``position`` (where
  nodes sit inside their site);
- the latency mode: every link built from a distribution gets a sample, the mode or the mean.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import numpy as np

from topologies.errors import ParameterError
from topologies.latency import LatencyMode, LogNormal, check_latency_mode
from topologies.model import ComputeNode, Link, Switch, Topology, check_connected
from topologies.nodes import Role, check_role, node_type

_STREAM_IDS = {"structure": 1, "latency": 2, "position": 3}

# Positions are stored to the millimetre.
POSITION_RESOLUTION_DECIMALS = 3


def check_seed(seed: int) -> int:
    """Return ``seed`` if it is a non-negative integer, else raise :class:`ParameterError`."""
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ParameterError(f"seed must be a non-negative integer, got {seed!r}")
    return int(seed)


def stream(seed: int, name: str) -> np.random.Generator:
    """The random stream ``name`` (structure, latency, position) of ``seed``; independent of the others."""
    return np.random.default_rng([check_seed(seed), _STREAM_IDS[name]])


@dataclass(frozen=True)
class Site:
    """A disc in the plane where the compute nodes created inside :meth:`TopologyBuilder.site` are placed."""

    centre_m: tuple[float, float]
    radius_m: float


class TopologyBuilder:
    """Collects vertices and links in creation order and turns them into a validated :class:`Topology`."""

    def __init__(
        self,
        generator: str,
        *,
        name: str | None = None,
        seed: int,
        latency: LatencyMode = "sample",
        agent_roles: Iterable[Role] = ("device", "edge"),
    ) -> None:
        self.generator = generator
        self.name = name or generator
        self.seed = check_seed(seed)
        self.latency_mode: LatencyMode = check_latency_mode(latency)
        self.agent_roles = frozenset(check_role(r) for r in agent_roles)
        self.structure_rng = stream(self.seed, "structure")
        self._latency_rng = stream(self.seed, "latency")
        self._position_rng = stream(self.seed, "position")
        self._counters: dict[str, int] = defaultdict(int)
        self._nodes: list[ComputeNode] = []
        self._switches: list[Switch] = []
        self._links: list[Link] = []
        self._names: set[str] = set()
        self._distributions: dict[str, LogNormal] = {}
        self._sites: list[Site] = []

    def next_index(self, prefix: str) -> int:
        """The next number for names with ``prefix`` (0, 1, 2, ...)."""
        index = self._counters[prefix]
        self._counters[prefix] += 1
        return index

    def has(self, name: str) -> bool:
        """Whether a vertex called ``name`` exists already."""
        return name in self._names

    def _claim(self, name: str) -> str:
        if name in self._names:
            raise ParameterError(f"{self.name}: the name {name!r} is used twice")
        self._names.add(name)
        return name

    @contextmanager
    def site(self, centre_m: tuple[float, float], radius_m: float) -> Iterator[Site]:
        """Place compute nodes created inside this block uniformly in a disc around ``centre_m``."""
        here = Site((float(centre_m[0]), float(centre_m[1])), float(radius_m))
        self._sites.append(here)
        try:
            yield here
        finally:
            self._sites.pop()

    def _position(self) -> tuple[float, float] | None:
        if not self._sites:
            return None
        here = self._sites[-1]
        # Uniform in a disc: the radius goes with the square root of a uniform draw.
        radius = here.radius_m * math.sqrt(float(self._position_rng.random()))
        angle = 2 * math.pi * float(self._position_rng.random())
        return (
            round(here.centre_m[0] + radius * math.cos(angle), POSITION_RESOLUTION_DECIMALS),
            round(here.centre_m[1] + radius * math.sin(angle), POSITION_RESOLUTION_DECIMALS),
        )

    def add_compute(
        self,
        type_key: str,
        *,
        role: Role | None = None,
        position_m: tuple[float, float] | None = None,
    ) -> str:
        """Add a node of a table type, named ``<prefix>_<n>``; positioned by the current site if not given."""
        spec = node_type(type_key)
        name = self._claim(f"{spec.name_prefix}_{self.next_index(spec.name_prefix)}")
        node_role = check_role(role) if role is not None else spec.role
        self._nodes.append(
            ComputeNode(
                name=name,
                type=spec.key,
                cores=spec.cores,
                frequency_hz=spec.frequency_hz,
                memory_bytes=spec.memory_bytes,
                role=node_role,
                agent=node_role in self.agent_roles,
                arch=spec.arch,
                position_m=position_m if position_m is not None else self._position(),
                labels=dict(spec.labels),
            )
        )
        return name

    def add_switch(self, kind: str, name: str, *, bandwidth_bps: float | None = None) -> str:
        """Add a switch; ``bandwidth_bps`` makes it a shared medium."""
        self._switches.append(Switch(name=self._claim(name), kind=kind, bandwidth_bps=bandwidth_bps))
        return name

    def ensure_switch(self, name: str, kind: str) -> str:
        """Return ``name`` if a vertex of that name exists, else add a switch of ``kind`` with that name."""
        return name if self.has(name) else self.add_switch(kind, name)

    def connect(
        self,
        source: str,
        target: str,
        *,
        bandwidth_bps: float,
        latency: LogNormal | float,
        kind: str,
        directed: bool = False,
    ) -> None:
        """Add a link; a distribution is turned into a latency by the builder's latency mode."""
        if isinstance(latency, LogNormal):
            self._distributions.setdefault(latency.name, latency)
            latency_s = latency.value_s(self.latency_mode, self._latency_rng)
            dist_name: str | None = latency.name
        else:
            latency_s, dist_name = float(latency), None
        self._links.append(
            Link(
                source=source,
                target=target,
                bandwidth_bps=float(bandwidth_bps),
                latency_s=latency_s,
                directed=directed,
                kind=kind,
                latency_distribution=dist_name,
            )
        )

    def build(self, parameters: Mapping[str, Any]) -> Topology:
        """The validated topology; raises if it is disconnected. ``parameters`` go into its provenance."""
        topology = Topology(
            name=self.name,
            compute_nodes=tuple(self._nodes),
            switches=tuple(self._switches),
            links=tuple(self._links),
            latency_distributions=dict(sorted(self._distributions.items())),
            provenance={
                "generator": self.generator,
                "seed": self.seed,
                "latency": self.latency_mode,
                "agent_roles": sorted(self.agent_roles),
                "parameters": dict(parameters),
            },
        )
        check_connected(topology)
        return topology
