"""Ether's building blocks, written from its documented behaviour (Ether 0.3.3, ``ether/cell.py``).

A block materialises into a :class:`~topologies.builder.TopologyBuilder`. Members of a cell are node type
keys (``"rpi3"``: a host) or nested blocks; a member hangs off its parent's vertex (the LAN switch or the
shared medium). Ether's ``Link`` vertices are folded into edges (see :mod:`topologies.model`):

========================  ==========================================================================
Ether                     here
========================  ==========================================================================
``Host`` node + its       one undirected link node -- parent, 1 Gbit/s, ``lan`` latency, kind ``node``
1000 Mbit/s ``Link``      (Ether: node--link ``lan``, link--parent 0 ms)
``LANCell``               switch ``switch_lan_<n>``; as a member of a shared cell: link to the medium,
                          medium bandwidth, ``lan`` latency, kind ``shared``; with a vertex backhaul:
                          link at :data:`SWITCH_FABRIC_BANDWIDTH_BPS`, ``lan`` latency, kind ``lan``
``SharedLinkCell``        switch ``shared_<n>`` with ``bandwidth_bps`` (300 Mbit/s by default), the
                          medium; with a vertex backhaul: link at the medium's bandwidth, 0 ms (Ether
                          gives that edge no latency)
``UpDownLink`` backhaul   two directed links: cell -> backhaul (uplink, ``bw_up``) and backhaul -> cell
                          (downlink, ``bw_down``), each with one draw of the backhaul's distribution, or
                          0 ms when it has none (Ether's ``UpDownLink`` default)
``Cloudlet``              switch ``switch_cloudlet_<n>``; each rack a ``LANCell`` of servers whose
                          backhaul is the cloudlet switch
``GeoCell``               ``size`` cells, each built by a factory from ``int(density sample)``
backbone string           a switch of kind ``backbone`` (``internet``, ``internet_<region>``)
========================  ==========================================================================

Edges that Ether models without any bandwidth resource (switch to switch) need a capacity in a file; they
get :data:`SWITCH_FABRIC_BANDWIDTH_BPS`. Every route in Ether's scenarios starts and ends on a 1 Gbit/s
node link, so a fabric of at least 1 Gbit/s never changes a bottleneck: the values are an assumption
that keeps parity.
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from topologies.builder import Site, TopologyBuilder
from topologies.errors import ParameterError
from topologies.latency import BUSINESS_ISP, LAN, MOBILE_ISP, LogNormal

NODE_LINK_BANDWIDTH_BPS = 1e9
"""Ether's ``Host`` link: 1000 Mbit/s."""
DEFAULT_SHARED_BANDWIDTH_BPS = 300e6
"""Ether's ``SharedLinkCell`` default: 300 Mbit/s."""
SWITCH_FABRIC_BANDWIDTH_BPS = 10e9
"""Assumption for switch-to-switch edges, which Ether gives no capacity (rack to cloudlet, box to factory)."""


@dataclass(frozen=True)
class UpDownLink:
    """A backhaul with separate up- and downlink capacities towards ``backhaul`` (a backbone or switch)."""

    down_bps: float
    up_bps: float
    backhaul: str = "internet"
    latency: LogNormal | None = None


def mobile_connection(backhaul: str = "internet") -> UpDownLink:
    """Ether's ``MobileConnection``: 125 Mbit/s down, 25 up, ``mobile_isp`` latency."""
    return UpDownLink(125e6, 25e6, backhaul, MOBILE_ISP)


def business_isp(backhaul: str = "internet") -> UpDownLink:
    """Ether's ``BusinessIsp``: 500 Mbit/s down, 50 up, ``business_isp`` latency."""
    return UpDownLink(500e6, 50e6, backhaul, BUSINESS_ISP)


def fiber_to_exchange(backhaul: str = "internet") -> UpDownLink:
    """Ether's ``FiberToExchange``: 1000 Mbit/s both ways, ``lan`` latency."""
    return UpDownLink(1e9, 1e9, backhaul, LAN)


@dataclass(frozen=True)
class Attachment:
    """Where a member hangs: its parent's vertex and, for a shared medium, the medium's bandwidth."""

    vertex: str
    shared_bandwidth_bps: float | None = None


Backhaul = str | UpDownLink


class Block(ABC):
    """Something that materialises vertices and links into a builder."""

    @abstractmethod
    def materialize(self, builder: TopologyBuilder, attach: Attachment | None = None) -> str:
        """Add this block; ``attach`` (set by a parent) overrides the block's own backhaul, as in Ether.

        Returns the block's own vertex (its switch, shared medium or node).
        """


Member = str | Block


def host(builder: TopologyBuilder, type_key: str, attach: Attachment | None) -> str:
    """Add one node of ``type_key`` with its 1 Gbit/s node link to ``attach`` (if any)."""
    name = builder.add_compute(type_key)
    if attach is not None:
        builder.connect(name, attach.vertex, bandwidth_bps=NODE_LINK_BANDWIDTH_BPS, latency=LAN, kind="node")
    return name


def _materialize_members(builder: TopologyBuilder, members: Sequence[Member], attach: Attachment) -> None:
    for member in members:
        if isinstance(member, str):
            host(builder, member, attach)
        else:
            member.materialize(builder, attach)


def _up_down(builder: TopologyBuilder, vertex: str, link: UpDownLink) -> None:
    backbone = builder.ensure_switch(link.backhaul, "backbone")
    latency: LogNormal | float = link.latency if link.latency is not None else 0.0
    builder.connect(
        vertex, backbone, bandwidth_bps=link.up_bps, latency=latency, kind="uplink", directed=True
    )
    builder.connect(
        backbone, vertex, bandwidth_bps=link.down_bps, latency=latency, kind="downlink", directed=True
    )


def _resolve(
    builder: TopologyBuilder, backhaul: Backhaul | Attachment | None
) -> Attachment | UpDownLink | None:
    if isinstance(backhaul, str):
        return Attachment(builder.ensure_switch(backhaul, "backbone"))
    return backhaul


@dataclass(frozen=True)
class LANCell(Block):
    """Members on one switch ``switch_lan_<n>``; Ether's ``LANCell`` (and ``IoTComputeBox``)."""

    members: tuple[Member, ...]
    backhaul: Backhaul | None = None

    def materialize(self, builder: TopologyBuilder, attach: Attachment | None = None) -> str:
        """Add the switch, then the members, then the backhaul links (Ether's order)."""
        switch = builder.add_switch("lan", f"switch_lan_{builder.next_index('switch_lan')}")
        _materialize_members(builder, self.members, Attachment(switch))
        up = _resolve(builder, attach if attach is not None else self.backhaul)
        if isinstance(up, UpDownLink):
            _up_down(builder, switch, up)
        elif up is not None and up.shared_bandwidth_bps is not None:
            builder.connect(
                switch, up.vertex, bandwidth_bps=up.shared_bandwidth_bps, latency=LAN, kind="shared"
            )
        elif up is not None:
            builder.connect(
                switch, up.vertex, bandwidth_bps=SWITCH_FABRIC_BANDWIDTH_BPS, latency=LAN, kind="lan"
            )
        return switch


IoTComputeBox = LANCell
"""Ether's alias for a LAN cell of devices."""


@dataclass(frozen=True)
class SharedLinkCell(Block):
    """Members on one shared medium ``shared_<n>`` of ``shared_bandwidth_bps``; Ether's ``SharedLinkCell``."""

    members: tuple[Member, ...]
    shared_bandwidth_bps: float = DEFAULT_SHARED_BANDWIDTH_BPS
    backhaul: Backhaul | None = None

    def materialize(self, builder: TopologyBuilder, attach: Attachment | None = None) -> str:
        """Add the medium, then the members, then the backhaul links."""
        medium = builder.add_switch(
            "shared", f"shared_{builder.next_index('shared')}", bandwidth_bps=self.shared_bandwidth_bps
        )
        _materialize_members(builder, self.members, Attachment(medium, self.shared_bandwidth_bps))
        up = _resolve(builder, attach if attach is not None else self.backhaul)
        if isinstance(up, UpDownLink):
            _up_down(builder, medium, up)
        elif up is not None:
            # Ether connects the shared Link to a plain backhaul without a latency distribution.
            builder.connect(
                medium, up.vertex, bandwidth_bps=self.shared_bandwidth_bps, latency=0.0, kind="shared"
            )
        return medium


@dataclass(frozen=True)
class Cloudlet(Block):
    """``racks`` racks of ``servers_per_rack`` servers on ``switch_cloudlet_<n>``; Ether's ``Cloudlet``."""

    servers_per_rack: int = 5
    racks: int = 1
    backhaul: Backhaul | None = None
    server_type: str = "server"

    def __post_init__(self) -> None:
        for name in ("servers_per_rack", "racks"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ParameterError(f"cloudlet {name} must be a positive integer, got {value!r}")

    def materialize(self, builder: TopologyBuilder, attach: Attachment | None = None) -> str:
        """Add the cloudlet switch, its racks, then its backhaul links."""
        switch = builder.add_switch("cloudlet", f"switch_cloudlet_{builder.next_index('switch_cloudlet')}")
        rack = LANCell((self.server_type,) * self.servers_per_rack)
        for _ in range(self.racks):
            rack.materialize(builder, Attachment(switch))
        up = _resolve(builder, attach if attach is not None else self.backhaul)
        if isinstance(up, UpDownLink):
            _up_down(builder, switch, up)
        elif up is not None:
            kind, bandwidth = (
                ("shared", up.shared_bandwidth_bps)
                if up.shared_bandwidth_bps is not None
                else ("lan", SWITCH_FABRIC_BANDWIDTH_BPS)
            )
            builder.connect(switch, up.vertex, bandwidth_bps=bandwidth, latency=LAN, kind=kind)
        return switch


@dataclass(frozen=True)
class Density:
    """How many units a geo-cell holds: a constant, or ``int()`` of a shifted log-normal draw (Ether's
    ``IntegerTruncationSampler(lognorm(s, loc, scale))``)."""

    constant: int | None = None
    s: float = 1.0
    loc: float = 0.0
    scale: float = 1.0

    def __post_init__(self) -> None:
        if self.constant is not None:
            if isinstance(self.constant, bool) or not isinstance(self.constant, int) or self.constant < 0:
                raise ParameterError(
                    f"density constant must be a non-negative integer, got {self.constant!r}"
                )
            return
        if not (math.isfinite(self.s) and self.s > 0 and math.isfinite(self.scale) and self.scale > 0):
            raise ParameterError(
                f"density lognorm needs s > 0 and scale > 0, got s={self.s}, scale={self.scale}"
            )
        if not (math.isfinite(self.loc) and self.loc >= 0):
            raise ParameterError(f"density lognorm needs loc >= 0, got {self.loc}")

    def sample(self, rng: np.random.Generator) -> int:
        """One cell size."""
        if self.constant is not None:
            return self.constant
        return int(self.loc + self.scale * math.exp(self.s * float(rng.standard_normal())))

    @property
    def spec(self) -> str:
        """The text form :meth:`parse` reads: ``4`` or ``lognorm:0.82,2.02,1``."""
        if self.constant is not None:
            return str(self.constant)
        return f"lognorm:{self.s:g},{self.loc:g},{self.scale:g}"

    @classmethod
    def parse(cls, text: str) -> Density:
        """``N`` (a constant) or ``lognorm:S,LOC[,SCALE]``."""
        text = text.strip()
        if text.isdigit():
            return cls(constant=int(text))
        family, _, args = text.partition(":")
        if family != "lognorm" or not args:
            raise ParameterError(f"density {text!r} is neither an integer nor lognorm:S,LOC[,SCALE]")
        try:
            values = [float(v) for v in args.split(",")]
        except ValueError:
            raise ParameterError(f"density {text!r}: S, LOC and SCALE must be numbers") from None
        if len(values) not in (2, 3):
            raise ParameterError(f"density {text!r}: expected lognorm:S,LOC or lognorm:S,LOC,SCALE")
        return cls(s=values[0], loc=values[1], scale=values[2] if len(values) == 3 else 1.0)


@dataclass(frozen=True)
class GeoCell:
    """``size`` cells, each made by ``factory(n)`` with ``n`` drawn from ``density``; Ether's ``GeoCell``.

    ``site`` optionally gives each cell (by index) the disc its nodes are placed in.
    """

    size: int
    density: Density
    factory: Callable[[int], Block]
    site: Callable[[int], Site] | None = field(default=None)

    def __post_init__(self) -> None:
        if isinstance(self.size, bool) or not isinstance(self.size, int) or self.size < 1:
            raise ParameterError(f"geo-cell size must be a positive integer, got {self.size!r}")

    def materialize(self, builder: TopologyBuilder) -> list[int]:
        """Add the cells; returns the sampled size of each."""
        sizes = []
        for i in range(self.size):
            n = self.density.sample(builder.structure_rng)
            sizes.append(n)
            block = self.factory(n)
            if self.site is None:
                block.materialize(builder)
            else:
                here = self.site(i)
                with builder.site(here.centre_m, here.radius_m):
                    block.materialize(builder)
        return sizes
