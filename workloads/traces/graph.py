"""Small graph routines for a job's dependency graph: cycles (Tarjan's strongly connected components,
iterative) and a readable path around one cycle for error messages."""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from typing import TypeVar

N = TypeVar("N", bound=Hashable)


def cyclic_components(nodes: Sequence[N], parents: Mapping[N, Sequence[N]]) -> list[list[N]]:
    """The strongly connected components that hold a cycle (two or more nodes, or a node that is its own
    parent), each in discovery order; components are listed in the order their first node appears in
    ``nodes``. ``parents[n]`` lists the nodes ``n`` depends on (edges point from dependant to dependency)."""
    index: dict[N, int] = {}
    low: dict[N, int] = {}
    on_stack: set[N] = set()
    stack: list[N] = []
    found: list[list[N]] = []
    counter = 0
    for root in nodes:
        if root in index:
            continue
        work: list[tuple[N, int]] = [(root, 0)]
        while work:
            node, i = work.pop()
            if i == 0:
                index[node] = low[node] = counter
                counter += 1
                stack.append(node)
                on_stack.add(node)
            succ = parents.get(node, ())
            if i < len(succ):
                work.append((node, i + 1))
                nxt = succ[i]
                if nxt not in index:
                    work.append((nxt, 0))
                elif nxt in on_stack:
                    low[node] = min(low[node], index[nxt])
                continue
            if low[node] == index[node]:
                component: list[N] = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1 or node in parents.get(node, ()):
                    found.append(component[::-1])
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
    order = {n: i for i, n in enumerate(nodes)}
    found.sort(key=lambda comp: min(order.get(n, len(order)) for n in comp))
    return found


def cycle_path(component: Sequence[N], parents: Mapping[N, Sequence[N]]) -> list[N]:
    """A closed walk inside a cyclic component, from its first node back to a repeated node (inclusive)."""
    members = set(component)
    path = [component[0]]
    seen = {component[0]: 0}
    while True:
        nxt = next(p for p in parents.get(path[-1], ()) if p in members)
        if nxt in seen:
            return [*path[seen[nxt] :], nxt]
        seen[nxt] = len(path)
        path.append(nxt)
