"""`parent` chains of org units, objectives and KPIs must not loop."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from okrsite.diagnostics import Diagnostics
from okrsite.model import Kpi, Objective, OrgUnit, Page
from okrsite.validate.graph import Graph


def _find_loops(nodes: list[str], edges: Callable[[str], Iterable[str]]) -> list[list[str]]:
    """Each elementary loop reached by depth-first search, once (iterative: no recursion limit)."""
    state: dict[str, int] = {}  # 1 on the stack, 2 done
    loops: list[list[str]] = []
    for start in nodes:
        if start in state:
            continue
        stack: list[tuple[str, Iterable[str]]] = [(start, iter(edges(start)))]
        path = [start]
        state[start] = 1
        while stack:
            node, it = stack[-1]
            nxt = next(it, None)
            if nxt is None:
                stack.pop()
                path.pop()
                state[node] = 2
                continue
            if state.get(nxt) == 1:
                loops.append(path[path.index(nxt):] + [nxt])
            elif nxt not in state:
                state[nxt] = 1
                stack.append((nxt, iter(edges(nxt))))
                path.append(nxt)
    return loops


def check_loops(g: Graph, diags: Diagnostics) -> None:
    units = sorted(p.id for p in g.pages.values() if isinstance(p, OrgUnit))
    kpis = sorted(p.id for p in g.pages.values() if isinstance(p, Kpi))
    objectives = sorted(p.id for p in g.pages.values() if isinstance(p, Objective))

    def unit_parent(i: str) -> list[str]:
        p = g.unit(i)
        return [p.parent] if p and p.parent and g.unit(p.parent) else []

    def kpi_parent(i: str) -> list[str]:
        p = g.kpi(i)
        return [p.parent] if p and p.parent and g.kpi(p.parent) else []

    def objective_parents(i: str) -> list[str]:
        return sorted({pid for pid, _ in g.parents.get(i, [])})

    for what, nodes, edges in (
        ("org unit", units, unit_parent),
        ("kpi", kpis, kpi_parent),
        ("objective", objectives, objective_parents),
    ):
        for loop in _find_loops(nodes, edges):
            first: Page = g.pages[loop[0]]
            chain = " → ".join(loop)
            diags.error(first.loc, _parent_path(first, loop[1]), "parent-loop", f"{what} parent loop: {chain}")


def _parent_path(page: Page, target: str) -> tuple:
    raw = page.fields.get("parent")
    if isinstance(raw, list):
        for i, item in enumerate(raw):
            if str(item).partition("/")[0] == target:
                return ("parent", i)
    return ("parent",)
