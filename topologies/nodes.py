"""Ether's compute node types, with the CPU frequency Ether lacks.

Cores, architecture, memory and labels are Ether 0.3.3's (``ether/blocks/nodes.py``): Ether gives a node
``cpu_millis = cores * 1000`` and parses memory strings with SI (``G`` = 10^9) or IEC (``Gi`` = 2^30,
``Ki`` = 1024) suffixes; the strings are kept here so the byte counts can be traced.

Ether has no CPU speed. ``frequency_hz`` is the nominal (base) clock of the board's CPU, from the vendors'
product briefs and datasheets as recalled when this table was written (not re-checked online in this
session); where Ether does not name a concrete model, or the SoC mixes core types, the row says which
assumption was made. A simulator using cores x frequency should treat these as nominal, not benchmarked,
speeds.

Roles: a node type's default role is its tier in an offloading hierarchy. Single-board computers that sit
in sensing boxes are ``device`` (task sources), small-form-factor and embedded-AI boxes are ``edge``,
servers and cloud VMs are ``cloud``. Generators may override it per node.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal, get_args

from topologies.errors import InvalidValueError

Role = Literal["device", "edge", "cloud"]
ROLES: tuple[str, ...] = get_args(Role)

ETHER_TYPE_LABEL = "ether.edgerun.io/type"
ETHER_MODEL_LABEL = "ether.edgerun.io/model"

_SIZE_SUFFIXES = {
    "": 1,
    "K": 10**3,
    "M": 10**6,
    "G": 10**9,
    "T": 10**12,
    "Ki": 2**10,
    "Mi": 2**20,
    "Gi": 2**30,
    "Ti": 2**40,
}
_SIZE_RE = re.compile(r"^\s*(\d+)\s*([KMGT]i?)?\s*$")


def parse_size(text: str) -> int:
    """Bytes in a Kubernetes-style size string: ``188G`` -> 188e9, ``16Gi`` -> 16 * 2**30, ``999036Ki``."""
    match = _SIZE_RE.match(text)
    if match is None:
        raise InvalidValueError(f"size {text!r} is not <integer>[K|M|G|T][i]")
    return int(match.group(1)) * _SIZE_SUFFIXES[match.group(2) or ""]


@dataclass(frozen=True)
class NodeType:
    """One row of the node-type table: what Ether says about a board, plus its nominal CPU frequency."""

    key: str
    """Type key as used in topology files and on the command line (``rpi3``, ``server``, ...)."""
    name_prefix: str
    """Ether's name pattern is ``<prefix>_<n>``; the prefix differs from the key only for ``vm``."""
    cores: int
    arch: str
    memory: str
    """Ether's memory string; :attr:`memory_bytes` is its byte count."""
    frequency_hz: float
    frequency_source: str
    """Where the frequency comes from, or the assumption made."""
    role: Role
    labels: dict[str, str] = field(default_factory=dict)

    @property
    def memory_bytes(self) -> int:
        """Memory in bytes, parsed as Ether parses it."""
        return parse_size(self.memory)


def _labels(ether_type: str, model: str, **capabilities: str) -> dict[str, str]:
    labels = {ETHER_TYPE_LABEL: ether_type, ETHER_MODEL_LABEL: model}
    labels.update({f"ether.edgerun.io/capabilities/{k}": v for k, v in capabilities.items()})
    return labels


NODE_TYPES: dict[str, NodeType] = {
    t.key: t
    for t in (
        NodeType(
            "server",
            "server",
            88,
            "x86",
            "188G",
            2.2e9,
            "assumption: 88 threads and 188 GB fit a dual 22-core Xeon (e.g. E5-2699 v4, 2.2 GHz base)",
            "cloud",
            _labels("server", "server"),
        ),
        NodeType(
            "vm",
            "cloudvm",
            4,
            "x86",
            "8167784Ki",
            2.5e9,
            "assumption: a generic 4-vCPU cloud VM on a 2.5 GHz Xeon",
            "cloud",
            _labels("vm", "vm"),
        ),
        NodeType(
            "rpi3",
            "rpi3",
            4,
            "arm32",
            "999036Ki",
            1.4e9,
            "Raspberry Pi 3 Model B+ product brief: BCM2837B0, 4x Cortex-A53 at 1.4 GHz",
            "device",
            _labels("sbc", "rpi3b+"),
        ),
        NodeType(
            "rpi4",
            "rpi4",
            4,
            "arm32v7",
            "1G",
            1.5e9,
            "Raspberry Pi 4 Model B product brief: BCM2711, 4x Cortex-A72 at 1.5 GHz (later boards 1.8 GHz)",
            "device",
            _labels("sbc", "rpi4"),
        ),
        NodeType(
            "rockpi",
            "rockpi",
            6,
            "aarch64",
            "4G",
            1.533e9,
            "ROCK Pi 4 (RK3399): 2x Cortex-A72 at 1.8 GHz + 4x Cortex-A53 at 1.4 GHz; core-weighted mean",
            "device",
            _labels("sbc", "rockpi4"),
        ),
        NodeType(
            "coral",
            "coral",
            4,
            "aarch64",
            "1G",
            1.5e9,
            "Coral Dev Board datasheet: NXP i.MX 8M, 4x Cortex-A53 at 1.5 GHz",
            "device",
            _labels("sbc", "coral", tpu="edgetpu"),
        ),
        NodeType(
            "nuc",
            "nuc",
            4,
            "x86",
            "16Gi",
            2.2e9,
            "assumption: Ether's 'nuci5' with 4 threads taken as a NUC7i5 (Core i5-7260U, 2.2 GHz base)",
            "edge",
            _labels("sffc", "nuci5"),
        ),
        NodeType(
            "tx2",
            "tx2",
            4,
            "aarch64",
            "8047252Ki",
            2.0e9,
            "NVIDIA Jetson TX2 datasheet: Cortex-A57 cluster up to 2.0 GHz (Ether counts the 4 A57 cores)",
            "edge",
            _labels("embai", "nvidia_jetson_tx2", cuda="10", gpu="pascal"),
        ),
        NodeType(
            "nano",
            "nano",
            4,
            "aarch64",
            "4G",
            1.43e9,
            "NVIDIA Jetson Nano datasheet: 4x Cortex-A57 at 1.43 GHz",
            "edge",
            _labels("embai", "nvidia_jetson_nano", cuda="10", gpu="maxwell"),
        ),
        NodeType(
            "nx",
            "nx",
            6,
            "aarch64",
            "8G",
            1.4e9,
            "NVIDIA Jetson Xavier NX datasheet: 6x Carmel at 1.4 GHz (1.9 GHz with 2 cores online)",
            "edge",
            _labels("embai", "nvidia_jetson_nx", cuda="10", gpu="volta"),
        ),
    )
}

# Ether's model label -> our type key, for importers that only have labels.
MODEL_TO_TYPE: dict[str, str] = {t.labels[ETHER_MODEL_LABEL]: t.key for t in NODE_TYPES.values()}
# Ether's coarse type label -> default role, for imported nodes of types not in the table.
ETHER_TYPE_TO_ROLE: dict[str, Role] = {
    "server": "cloud",
    "vm": "cloud",
    "sbc": "device",
    "sffc": "edge",
    "embai": "edge",
}


def node_type(key: str) -> NodeType:
    """The table row for ``key``; raises naming the known keys."""
    try:
        return NODE_TYPES[key]
    except KeyError:
        raise InvalidValueError(f"unknown node type {key!r}; known: {', '.join(NODE_TYPES)}") from None


def check_role(role: str) -> Role:
    """Return ``role`` if it is one of :data:`ROLES`, else raise."""
    if role not in ROLES:
        raise InvalidValueError(f"role {role!r} is not one of {', '.join(ROLES)}")
    return role  # type: ignore[return-value]


def parse_roles(text: str) -> tuple[Role, ...]:
    """Roles from a comma-separated list (``"device,edge"``); an empty string means no roles."""
    roles = tuple(check_role(part.strip()) for part in text.split(",") if part.strip())
    if len(set(roles)) != len(roles):
        raise InvalidValueError(f"roles {text!r} list a role twice")
    return roles
