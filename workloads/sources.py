"""Which node a converted trace task starts at: a documented, seeded rule over a list of node names.

Traces record no edge node, so a :class:`SourceRule` assigns one. Modes:

- ``hash`` (default): ``names[crc32(job) mod len(names)]``, where ``job`` is the trace's grouping key
  (Alibaba job name, Google job id, Azure function). Every task of a job starts at the same node, so a
  job's dependencies stay local, and the choice does not depend on the seed or on the other tasks.
- ``round-robin``: the k-th task in arrival order starts at ``names[k mod len(names)]``.
- ``random``: each task, in arrival order, draws a node uniformly from the ``sources`` stream of the seed.

Node names follow the workload format's grammar and must be names of the topology the workload is replayed
on (``node_0`` ... by default, the nodes of ``pygym`` scenarios).
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass

from workloads.errors import OptionError
from workloads.format import SOURCE_RE
from workloads.rng import stream

ASSIGN_MODES = ("hash", "round-robin", "random")
_BATCH = 4096


@dataclass(frozen=True)
class SourceRule:
    """Node names and the mode that maps tasks onto them."""

    names: tuple[str, ...]
    mode: str = "hash"

    def __post_init__(self) -> None:
        if not self.names:
            raise OptionError("sources", self.names, "at least one node name is needed")
        for name in self.names:
            if not SOURCE_RE.fullmatch(name):
                raise OptionError("sources", name, "not a node name ([A-Za-z_][A-Za-z0-9_.-]*, at most 128)")
        if len(set(self.names)) != len(self.names):
            raise OptionError("sources", ",".join(self.names), "a node name is listed twice")
        if self.mode not in ASSIGN_MODES:
            raise OptionError("assign", self.mode, f"unknown mode; known: {', '.join(ASSIGN_MODES)}")

    @classmethod
    def numbered(cls, count: int, prefix: str = "node_", mode: str = "hash") -> SourceRule:
        """``count`` nodes named ``prefix0`` ... ``prefix{count-1}``."""
        if count < 1:
            raise OptionError("sources", count, "at least one source is needed")
        return cls(tuple(f"{prefix}{i}" for i in range(count)), mode)

    def assigner(self, seed: int) -> SourceAssigner:
        """A stateful assigner to call once per task, in arrival order."""
        return SourceAssigner(self, seed)

    def __str__(self) -> str:
        names = ",".join(self.names) if len(self.names) <= 4 else f"{self.names[0]}..{self.names[-1]}"
        return f"{self.mode} over {len(self.names)} nodes ({names})"


class SourceAssigner:
    """Applies a SourceRule task by task; see the module docstring for each mode's rule."""

    def __init__(self, rule: SourceRule, seed: int) -> None:
        self._names = rule.names
        self._mode = rule.mode
        self._count = 0
        self._rng = stream(seed, "sources")
        self._batch: list[int] = []

    def assign(self, job: str) -> str:
        """The node of the next task in arrival order, which belongs to ``job``."""
        n = len(self._names)
        if self._mode == "hash":
            return self._names[zlib.crc32(job.encode()) % n]
        if self._mode == "round-robin":
            name = self._names[self._count % n]
            self._count += 1
            return name
        if not self._batch:
            self._batch = self._rng.integers(0, n, _BATCH).tolist()[::-1]
        return self._names[self._batch.pop()]
