"""Objectives grouped by cycle and unit, with a tally of every unit's subtree: built once per render.

The split pages (map per cycle and unit, paginated indexes, cycle pages) each show a
bounded slice of these groupings. Building them is O(N) once; a page's context then
costs only what it shows.

Under `serve` (okrsite/render/deps.py) a page must record what it was made from. The
groupings are built with reads switched off, and each page records instead the keys its
slice depends on: `STRUCTURE` (which objectives belong to which unit and cycle, the unit
tree) plus the pages and results of the objectives and units it summarises, e.g. a
unit's map page the objectives of its subtree; so an edit rebuilds the map pages up its
unit chain, not the other 1,250.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from okrsite.compute.progress import expected_progress, status_of
from okrsite.model import Cycle, Kpi, OrgUnit
from okrsite.render.deps import ALL, Key
from okrsite.render.refs import Refs, num

# statuses and grades in the order a status mix reads (worst news of each family last)
MIX_ORDER = ("on_track", "at_risk", "off_track", "green", "yellow", "red", "planned", "ended")
HEALTH_ORDER = ("off_track", "at_risk", "healthy", "no_data", "no_target")  # what needs attention first
# Which objective belongs to which unit and cycle, which unit under which: these change only when
# something is added, removed or moved, so depending on them whole costs nothing on an ordinary edit.
STRUCTURE: frozenset[Key] = frozenset({("g.unit_children", ALL), ("g.unit_objectives", ALL),
                                       ("g.cycle_objectives", ALL), ("g.unit_kpis", ALL)})
EVERYTHING: frozenset[Key] = frozenset({("g.pages", ALL)})  # rebuilt on any edit (a few whole-handbook pages)


@dataclass(slots=True)
class Tally:
    """Objectives of one unit's subtree in one cycle."""

    count: int = 0
    progress: float = 0.0  # sum of the objectives' progress
    weight: int = 0  # sunburst size: key results and KPI links of the objectives
    krs: int = 0
    statuses: dict[str, int] = field(default_factory=dict)  # grade (once ended) or status -> objectives

    def add(self, other: Tally) -> None:
        self.count += other.count
        self.progress += other.progress
        self.weight += other.weight
        self.krs += other.krs
        for s, n in other.statuses.items():
            self.statuses[s] = self.statuses.get(s, 0) + n

    def mix(self) -> list[dict[str, Any]]:
        return [{"status": s, "count": self.statuses[s]} for s in MIX_ORDER if self.statuses.get(s)]


@dataclass(slots=True)
class CycleGroups:
    """One cycle's objectives by unit; only units with objectives of the cycle in their subtree appear."""

    cycle: Cycle
    own: dict[str, list[str]] = field(default_factory=dict)  # unit -> its own objectives, by title
    below: dict[str, Tally] = field(default_factory=dict)  # unit -> its subtree's tally
    children: dict[str, list[str]] = field(default_factory=dict)  # unit -> child units with objectives below
    roots: list[str] = field(default_factory=list)
    orphans: list[str] = field(default_factory=list)  # objectives whose unit does not resolve
    total: Tally = field(default_factory=Tally)
    _ordered: list[tuple[str, str | None]] | None = None

    def ordered(self) -> list[tuple[str, str | None]]:
        """Every objective of the cycle once, with its unit: units in tree order, each unit's by title."""
        if self._ordered is None:
            out: list[tuple[str, str | None]] = []
            stack = list(reversed(self.roots))
            while stack:
                uid = stack.pop()
                out += [(o, uid) for o in self.own.get(uid, [])]
                stack.extend(reversed(self.children.get(uid, [])))
            self._ordered = out + [(o, None) for o in self.orphans]
        return self._ordered


class Rollup:
    """The groupings of one render; get it with `rollup(refs)`."""

    def __init__(self, refs: Refs) -> None:
        self.refs = refs
        self.tracking = refs.reads is not None
        with quiet(refs):  # what a page shows of these, it records itself (see `depend`)
            self.unit_order, self.tree_parent = _unit_order(refs)
            self.position = {u: i for i, u in enumerate(self.unit_order)}
            self.cycles: dict[str, CycleGroups] = {c.id: self._group(c) for c in refs.cfg.cycles}
        self._kpis: list[str] | None = None
        self.memo: dict[Any, Any] = {}  # other derived values of this render, by the module that makes them
        self._keys: dict[Any, frozenset[Key]] = {}

    # --- what a page depends on (serve) ------------------------------------------------------------
    def depend(self, *keysets: frozenset[Key] | Callable[[], frozenset[Key]]) -> None:
        """Record that the page being made shows what these keys name (a callable is only called under serve)."""
        reads = self.refs.reads
        if reads is None:
            return
        for keys in keysets:
            reads.update(keys() if callable(keys) else keys)

    def subtree_keys(self, cycle_id: str, uid: str) -> frozenset[Key]:
        """The units of `uid`'s subtree and their objectives of the cycle: what its tally is made of."""
        k = ("subtree", cycle_id, uid)
        hit = self._keys.get(k)
        if hit is None:
            g = self.cycles[cycle_id]
            keys: set[Key] = {("g.pages", uid)}
            for o in g.own.get(uid, []):
                keys |= {("g.pages", o), ("r.objectives", o)}
            for c in g.children.get(uid, []):
                keys |= self.subtree_keys(cycle_id, c)
            hit = self._keys[k] = frozenset(keys)
        return hit

    def cycle_keys(self, cycle_id: str) -> frozenset[Key]:
        """Every objective of the cycle and every unit with one below it."""
        k = ("cycle", cycle_id)
        if k not in self._keys:
            g = self.cycles[cycle_id]
            keys: set[Key] = {(n, o) for o in g.orphans for n in ("g.pages", "r.objectives")}
            for r in g.roots:
                keys |= self.subtree_keys(cycle_id, r)
            self._keys[k] = frozenset(keys)
        return self._keys[k]

    def kpi_keys(self) -> frozenset[Key]:
        """Every KPI's page and results: the KPI index's order depends on all of them."""
        if "kpis" not in self._keys:
            self._keys["kpis"] = frozenset(k for kid in self.kpis() for k in (("g.pages", kid), ("r.kpis", kid)))
        return self._keys["kpis"]

    def remembered(self, key: Any, make: Callable[[], Any]) -> Any:
        """`make()` once per render; what it read is recorded again by every page that uses the value."""
        hit = self.memo.get(key)
        if hit is None:
            reads = self.refs.reads
            if reads is None or reads.keys is None:
                hit = self.memo[key] = (make(), frozenset())
            else:
                outer, reads.keys = reads.keys, set()
                try:
                    value = make()
                finally:
                    inner, reads.keys = frozenset(reads.keys or ()), outer
                hit = self.memo[key] = (value, inner)
        if hit[1]:
            self.refs.reads.update(hit[1])  # type: ignore[union-attr]
        return hit[0]

    def kpis(self) -> list[str]:
        """Every KPI once, worst health first, then by title: the order of the KPI index."""
        if self._kpis is None:
            refs = self.refs
            rank = {h: i for i, h in enumerate(HEALTH_ORDER)}
            with quiet(refs):  # pages showing this order depend on `kpi_keys()`
                ids = [(rank.get(r.health, len(rank)), p.title.lower(), p.id) for p in refs.graph.pages.values()
                       if isinstance(p, Kpi) and (r := refs.results.kpis.get(p.id)) is not None]
            self._kpis = [kid for _, _, kid in sorted(ids)]
        return self._kpis

    def _objective_tally(self, oid: str) -> Tally:
        obj = self.refs.obj_page(oid)
        res = self.refs.results.objectives[oid]
        measured = {kr.kpi for kr in obj.key_results if kr.kpi} if obj else set()
        extra = len([k for k in (obj.kpis if obj else []) if k not in measured])
        krs = len(obj.key_results) if obj else 0
        return Tally(1, res.progress, max(1, krs + extra), krs, {res.grade or res.status: 1})

    def _group(self, cycle: Cycle) -> CycleGroups:
        refs = self.refs
        g = CycleGroups(cycle)
        own: dict[str, list[tuple[str, str]]] = {}
        for oid in refs.graph.cycle_objectives.get(cycle.id, []):
            obj = refs.obj_page(oid)
            if obj is None or oid not in refs.results.objectives:
                continue
            t = self._objective_tally(oid)
            g.total.add(t)
            uid = obj.org_unit
            if uid is None or uid not in self.position:
                g.orphans.append(oid)
                continue
            own.setdefault(uid, []).append((obj.title.lower(), oid))
            g.below.setdefault(uid, Tally()).add(t)
        g.own = {u: [oid for _, oid in sorted(items)] for u, items in own.items()}
        # subtree tallies bottom-up: in reversed pre-order every unit comes after all of its descendants
        for uid in reversed(self.unit_order):
            t = g.below.get(uid)
            parent = self.tree_parent.get(uid)
            if t is None or parent is None:
                continue
            g.below.setdefault(parent, Tally()).add(t)
        for uid in self.unit_order:
            if uid not in g.below:
                continue
            parent = self.tree_parent.get(uid)
            if parent is None:
                g.roots.append(uid)
            else:
                g.children.setdefault(parent, []).append(uid)
        g.orphans.sort(key=lambda o: (refs.obj_page(o).title.lower(), o))  # type: ignore[union-attr]
        return g

    def tree_levels(self, budget: int) -> tuple[list[str], int]:
        """The units index's shape: the roots it lists (at most `budget`) and the deepest level it shows,
        expanding whole levels while the rows stay within `budget`."""
        key = ("tree-levels", budget)
        if key not in self.memo:
            roots = [u for u in self.unit_order if u not in self.tree_parent][:budget]
            kids = self.tree_children()
            rows, depth, level = len(roots), 0, roots
            while level:
                nxt = [c for u in level for c in kids.get(u, [])]
                if not nxt or rows + len(nxt) > budget:
                    break
                rows, depth, level = rows + len(nxt), depth + 1, nxt
            self.memo[key] = (roots, depth)
        return self.memo[key]  # type: ignore[no-any-return]

    def tree_children(self) -> dict[str, list[str]]:
        """Every unit's children in the unit tree, in tree order."""
        if "tree-children" not in self.memo:
            kids: dict[str, list[str]] = {}
            for uid in self.unit_order:
                parent = self.tree_parent.get(uid)
                if parent is not None:
                    kids.setdefault(parent, []).append(uid)
            self.memo["tree-children"] = kids
        return self.memo["tree-children"]  # type: ignore[no-any-return]

    # --- views of a tally --------------------------------------------------------------------------
    def judged(self, cycle: Cycle, t: Tally) -> dict[str, Any]:
        """A tally as a page shows it: counts, mean progress, its status against the cycle's pace, the mix."""
        mean = t.progress / t.count if t.count else 0.0
        expected = expected_progress(cycle, self.refs.as_of)
        status, grade = status_of(mean, expected, cycle, self.refs.as_of)
        return {"count": t.count, "krs": t.krs, "progress": num(mean, 4), "expected": num(expected, 4),
                "status": grade or status, "running": status not in ("planned", "ended"), "mix": t.mix()}

    def unit_row(self, cycle: Cycle, uid: str, map_url: str) -> dict[str, Any]:
        """A child unit summarised: what a map, cycle or index page lists instead of its objectives."""
        g = self.cycles[cycle.id]
        ref = self.refs.unit(uid)
        return {"unit": ref, "map": map_url, "own": len(g.own.get(uid, [])),
                "units": len(g.children.get(uid, [])), **self.judged(cycle, g.below[uid])}


def _unit_order(refs: Refs) -> tuple[list[str], dict[str, str]]:
    """Org units in tree order (pre-order from the roots), and each one's parent in that tree."""
    order: list[str] = []
    parent: dict[str, str] = {}
    seen: set[str] = set()
    children = refs.graph.unit_children
    for root in refs.roots():
        if root.id in seen:
            continue
        seen.add(root.id)
        stack = [root.id]
        while stack:
            uid = stack.pop()
            order.append(uid)
            kids = [c for c in children.get(uid, []) if c not in seen]
            for c in kids:
                seen.add(c)
                parent[c] = uid
            stack.extend(reversed(kids))
    order += [p.id for p in refs.graph.pages.values() if isinstance(p, OrgUnit) and p.id not in seen]
    return order, parent


@contextmanager
def quiet(refs: Refs) -> Iterator[None]:
    """Reads of the graph and results are not recorded for the page being made, if any."""
    reads = refs.reads
    if reads is None:
        yield
        return
    saved, reads.keys = reads.keys, None
    try:
        yield
    finally:
        reads.keys = saved


def rollup(refs: Refs) -> Rollup:
    """The groupings of this render (built on first use, kept on the `Refs`)."""
    ru = refs.derived.get("rollup")
    if ru is None:
        ru = refs.derived["rollup"] = Rollup(refs)
    return ru  # type: ignore[no-any-return]
