"""Named errors and the warning raised by the topologies package.

Every error says what is wrong and where: the node name, the link endpoints, the field, and (when a file is
involved) the file path. All are ``ValueError`` subclasses, so callers that only want "bad input" can catch
``TopologyError`` or ``ValueError``.
"""

from __future__ import annotations


class TopologyError(ValueError):
    """Base class of every error the topologies package raises."""


class TopologyFormatError(TopologyError):
    """A topology document is malformed: not JSON, wrong format or version, missing or mistyped fields."""


class UnknownNodeError(TopologyError):
    """A link, route or query names a node that the topology does not contain."""


class DuplicateNameError(TopologyError):
    """Two vertices (compute nodes or switches) share one name."""


class DuplicateLinkError(TopologyError):
    """Two links carry the same direction between the same pair of vertices, or a link is a self-loop."""


class InvalidValueError(TopologyError):
    """A value is out of range: non-positive bandwidth, negative latency, zero cores, an unknown role, ..."""


class DisconnectedError(TopologyError):
    """Some compute node cannot reach another one along the links' directions."""


class RouteMatrixError(TopologyError):
    """Precomputed route matrices in a file do not match its compute nodes or disagree with its links."""


class ParameterError(TopologyError):
    """A generator parameter is out of range or inconsistent (for example a negative cell count)."""


class ConversionError(TopologyError):
    """A foreign topology file (PeersimGym's Ether JSON, node-link JSON, GraphML) cannot be converted."""


class TopologyWarning(UserWarning):
    """Something legal but probably unintended, e.g. a switch no compute node can reach."""
