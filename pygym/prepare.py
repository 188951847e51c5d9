"""The prelude every env module runs before a session exists: its topology and workload files checked and
turned into simulator overrides, with the defaults and rules they depend on read from the simulator's own
template, so that Python and Java cannot disagree about them.

:class:`Template` reads a scenario's configuration template (``pygym sim template ENV_ID``) from the
simulator jar that ships with pygym, without starting a JVM; without a jar it asks the default server
(``PYGYM_SERVER``). :func:`prepare_files` is the prelude: an env module passes its file keywords and a
function saying which nodes the scenario has (with a topology, or from the template's defaults).
"""

from __future__ import annotations

import functools
import os
import zipfile
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import topologies
from pygym import jvm
from pygym import topology as topology_files
from pygym import workload as workload_files
from pygym.errors import ConfigError, JvmStartError
from pygym.group import Prepared


@dataclass(frozen=True)
class Template:
    """A scenario's configuration template: each key's value as the template states it."""

    env_id: str
    values: Mapping[str, str]

    @classmethod
    def of(cls, env_id: str) -> Template:
        """The template of ``env_id``, from the simulator jar (or the default server without one)."""
        try:
            jar = jvm.jar_path()
        except JvmStartError:
            return cls.parse(env_id, _served_template(env_id))
        return cls.parse(env_id, _jar_template(jar, jar.stat().st_mtime_ns, env_id))

    @classmethod
    def parse(cls, env_id: str, text: str) -> Template:
        """The ``key value`` lines of ``text`` (``#`` starts a comment), as the simulator reads them."""
        values = {}
        for line in text.splitlines():
            key, _, value = line.partition("#")[0].strip().partition(" ")
            if key:
                values[key] = value.strip()
        return cls(env_id, values)

    def value(self, key: str, scenario: Mapping[str, Any]) -> str:
        """``key``'s value: the scenario's keyword if it sets one, else the template's."""
        if key in scenario:
            return str(scenario[key])
        try:
            return self.values[key]
        except KeyError:
            raise ConfigError(f"{self.env_id}'s template has no key {key!r}") from None

    def count(self, key: str, scenario: Mapping[str, Any]) -> int:
        """``key``'s value as a whole number; ConfigError naming the key otherwise."""
        value = scenario[key] if key in scenario else self.value(key, scenario)
        try:
            number = float(value)
        except (TypeError, ValueError):
            raise ConfigError(f"{key} = {value!r}: expected a whole number") from None
        if not number.is_integer():
            raise ConfigError(f"{key} = {value!r}: expected a whole number")
        return int(number)


@functools.cache
def _jar_template(jar: Path, mtime_ns: int, env_id: str) -> str:
    name = f"scenarios/{env_id}.cfg"
    try:
        with zipfile.ZipFile(jar) as archive:
            return archive.read(name).decode()
    except KeyError:
        raise ConfigError(f"the simulator jar {jar} has no template for {env_id!r} ({name})") from None


def _served_template(env_id: str) -> str:
    from pygym import servers

    return servers.resolve().template(env_id)


@dataclass(frozen=True)
class Files:
    """What an env module's node rule is given: the scenario's template, and its topology if it has one."""

    template: Template
    topology: topology_files.PreparedTopology | None
    source: str
    """how errors name the topology (its file, or what generated it); empty without one"""


@dataclass(frozen=True)
class Nodes:
    """What a scenario's nodes mean for its files: the overrides a topology sets (counts of nodes), the
    names a workload line may come from, and anything else the env keeps (``Prepared.extras``)."""

    sources: Callable[[], Collection[str]]
    """the names a workload line's source may be; asked only when there is a workload"""
    source_kind: str = "node"
    """what a workload line's source must be, in errors ("node", "device")"""
    overrides: dict[str, object] = field(default_factory=dict)
    extras: dict[str, Any] = field(default_factory=dict)


def describe_topology(topology: str | os.PathLike[str] | topologies.Topology, seed: int) -> str:
    """How errors name a topology: its file, or what generated it."""
    if isinstance(topology, topologies.Topology):
        return f"topology {topology.name!r}"
    if isinstance(topology, str) and topology in topologies.GENERATORS and not Path(topology).exists():
        return f"topology {topology!r} (generated with seed {seed})"
    return f"topology {Path(topology).resolve()}"


def prepare_files(
    env_id: str,
    scenario: dict[str, Any],
    nodes: Callable[[Files], Nodes],
    *,
    set_by_topology: tuple[str, ...],
    topology_sets: str,
    require_agents: bool = True,
) -> Prepared:
    """The scenario keywords with the file keywords taken out, the files checked and turned into overrides.

    The file keywords: ``topology`` (a file, a ``topologies.Topology`` or a generator name) with
    ``topology_params``, ``topology_seed`` and ``topology_routing``; ``workload`` (a file). With a topology
    the keys in ``set_by_topology`` (and ``network.size``) may not be set, since the topology sets them
    (``topology_sets`` says how, in the error). ``nodes`` says what the topology sets and which nodes a
    workload may name, or without one what the template's defaults and the scenario's keywords give; the
    workload file is checked line by line against those nodes.
    """
    topology = scenario.pop("topology", None)
    topology_params = scenario.pop("topology_params", None)
    topology_seed = scenario.pop("topology_seed", 0)
    topology_routing = scenario.pop("topology_routing", "hops")
    workload = scenario.pop("workload", None)
    template = Template.of(env_id)
    prepared_topology: topology_files.PreparedTopology | None = None
    source = ""
    if topology is not None:
        clash = [key for key in (*set_by_topology, "network.size") if key in scenario]
        if clash:
            raise ConfigError(f"{', '.join(clash)}: set by the topology ({topology_sets})")
        prepared_topology = topology_files.prepare(
            topology, topology_params, topology_seed, topology_routing, require_agents=require_agents
        )
        source = describe_topology(topology, topology_seed)
    elif topology_params is not None:
        raise ConfigError("topology_params needs topology=<generator name>")
    view = nodes(Files(template, prepared_topology, source))
    if prepared_topology is not None:
        scenario.update(topology=str(prepared_topology.path), **view.overrides)
    checked = None
    if workload is not None:
        checked = workload_files.check(workload, view.sources(), what=view.source_kind)
        scenario["workload"] = str(checked)
    return Prepared(overrides=scenario, topology=prepared_topology, workload=checked, extras=view.extras)
