"""Small hand-built topologies and a JSON Schema subset checker shared by the topologies tests."""

from __future__ import annotations

import re
from typing import Any

from topologies.model import ComputeNode, Link, Switch, Topology


def node(name: str, *, role: str = "device", agent: bool = True) -> ComputeNode:
    """A 4-core 1 GHz test node."""
    return ComputeNode(
        name=name,
        type="rpi4",
        cores=4,
        frequency_hz=1e9,
        memory_bytes=2**30,
        role=role,  # type: ignore[arg-type]
        agent=agent,
        position_m=(0.0, 0.0),
    )


def topology(
    nodes: list[str],
    links: list[Link],
    switches: list[Switch] | None = None,
    *,
    name: str = "hand-built",
) -> Topology:
    """A topology of test nodes named ``nodes`` joined by ``links``."""
    return Topology(
        name=name,
        compute_nodes=tuple(node(n) for n in nodes),
        switches=tuple(switches or ()),
        links=tuple(links),
    )


class SchemaViolation(AssertionError):
    """A document does not satisfy the schema."""


def check_schema(document: Any, schema: dict[str, Any]) -> int:
    """Validate ``document`` against the JSON Schema subset our schema uses; returns values checked.

    Supports type, const, enum, required, properties, additionalProperties, items, minItems, maxItems,
    minimum, exclusiveMinimum, maximum, minLength, pattern, anyOf and local ``$ref``s. Raises
    :class:`SchemaViolation` naming the JSON path.
    """
    counter = [0]
    _check(document, schema, schema, "$", counter)
    return counter[0]


_TYPES = {
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
    "string": lambda v: isinstance(v, str),
    "boolean": lambda v: isinstance(v, bool),
    "null": lambda v: v is None,
    "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "number": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
}
_KNOWN = {
    "$schema", "$id", "$defs", "$ref", "title", "description", "default", "type", "const", "enum", "required",
    "properties", "additionalProperties", "items", "minItems", "maxItems", "minimum", "exclusiveMinimum",
    "maximum", "minLength", "pattern", "anyOf",
}  # fmt: skip


def _check(value: Any, schema: dict[str, Any], root: dict[str, Any], path: str, counter: list[int]) -> None:
    unknown = set(schema) - _KNOWN
    if unknown:
        raise AssertionError(f"schema at {path} uses keywords the checker does not know: {sorted(unknown)}")
    counter[0] += 1
    if "$ref" in schema:
        target: Any = root
        for part in schema["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        _check(value, target, root, path, counter)
    if "type" in schema:
        types = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
        if not any(_TYPES[t](value) for t in types):
            raise SchemaViolation(f"{path}: {value!r} is not of type {types}")
    if "const" in schema and value != schema["const"]:
        raise SchemaViolation(f"{path}: {value!r} != const {schema['const']!r}")
    if "enum" in schema and value not in schema["enum"]:
        raise SchemaViolation(f"{path}: {value!r} not in {schema['enum']}")
    if "anyOf" in schema:
        for option in schema["anyOf"]:
            try:
                _check(value, option, root, path, counter)
                break
            except SchemaViolation:
                continue
        else:
            raise SchemaViolation(f"{path}: {value!r} matches none of anyOf")
    if _TYPES["number"](value):
        if "minimum" in schema and value < schema["minimum"]:
            raise SchemaViolation(f"{path}: {value} < minimum {schema['minimum']}")
        if "exclusiveMinimum" in schema and value <= schema["exclusiveMinimum"]:
            raise SchemaViolation(f"{path}: {value} <= exclusiveMinimum {schema['exclusiveMinimum']}")
        if "maximum" in schema and value > schema["maximum"]:
            raise SchemaViolation(f"{path}: {value} > maximum {schema['maximum']}")
    if isinstance(value, str):
        if len(value) < schema.get("minLength", 0):
            raise SchemaViolation(f"{path}: {value!r} shorter than {schema['minLength']}")
        if "pattern" in schema and not re.search(schema["pattern"], value):
            raise SchemaViolation(f"{path}: {value!r} does not match {schema['pattern']}")
    if isinstance(value, list):
        if len(value) < schema.get("minItems", 0) or len(value) > schema.get("maxItems", len(value)):
            raise SchemaViolation(f"{path}: {len(value)} items outside [minItems, maxItems]")
        if "items" in schema:
            for i, item in enumerate(value):
                _check(item, schema["items"], root, f"{path}[{i}]", counter)
    if isinstance(value, dict):
        for key in schema.get("required", []):
            if key not in value:
                raise SchemaViolation(f"{path}: missing required {key!r}")
        properties = schema.get("properties", {})
        for key, item in value.items():
            if key in properties:
                _check(item, properties[key], root, f"{path}.{key}", counter)
            elif schema.get("additionalProperties") is False:
                raise SchemaViolation(f"{path}: unexpected property {key!r}")
            elif isinstance(schema.get("additionalProperties"), dict):
                _check(item, schema["additionalProperties"], root, f"{path}.{key}", counter)
