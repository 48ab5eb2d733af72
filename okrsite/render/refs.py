"""Small plain-data summaries of pages ("refs") that page contexts embed when they link elsewhere.

A ref carries only what a link shows (title, URL from the site root, status,
progress), so a page's context, and with it its fingerprint, changes only when
something it actually shows changes. Refs are built once per render and shared.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import date
from typing import Any

from okrsite import urls
from okrsite.compute.progress import status_of
from okrsite.compute.results import KrResult, Results
from okrsite.model import Cycle, FreePage, Kpi, Objective, OrgUnit
from okrsite.render import RenderInput
from okrsite.render.deps import Key, Reads, Tracked
from okrsite.validate.graph import Graph
from okrsite.validate.people import person_key

Ref = dict[str, Any]
_EXACT = 2**53  # integers below this survive a float exactly
MAX_DEPTH = 50  # parent chains are loop-checked; this only guards rendering a broken handbook


def num(x: float | None, digits: int = 6) -> float | int | None:
    """Stable JSON numbers: integral values as ints, others rounded; NaN/inf as None."""
    kind = type(x)  # the two usual kinds first, without the calls (a million numbers at 10,000 objectives)
    if kind is int and -_EXACT < x < _EXACT:  # type: ignore[operator]  # the int the float round trip gives
        return x
    if kind is float:
        if not -math.inf < x < math.inf:  # type: ignore[operator]  # NaN, ±Infinity
            return None
        x = round(x, digits)  # type: ignore[arg-type]
        return int(x) if x.is_integer() and -_EXACT < x < _EXACT else x  # type: ignore[union-attr, operator]
    if x is None or not math.isfinite(x):
        return None
    x = round(float(x), digits)
    return int(x) if x.is_integer() and abs(x) < 2**53 else x


def iso(d: date | None) -> str | None:
    return d.isoformat() if d else None


def cycle_state(cycle: Cycle, as_of: date) -> str:
    return "planned" if as_of < cycle.start else "ended" if as_of > cycle.end else "running"


class Refs:
    """Memoised refs for one render of one handbook."""

    def __init__(self, inp: RenderInput, memo: dict[Any, tuple[Any, Any]] | None = None, *,
                 remember: bool = True, reads: Reads | None = None) -> None:
        self.inp = inp
        self.memo = memo if memo is not None else {}  # kept by `serve` across renders (RenderCache.memo)
        self.remember = remember  # False in a one-shot build: each page is made once, nothing to reuse
        self.site = inp.site
        self.cfg = inp.site.config
        # with `reads` (serve), every read of the graph and results is recorded (okrsite.render.deps)
        self.reads = reads
        self.graph: Graph = Tracked(inp.graph, reads, "g.") if reads else inp.graph  # type: ignore[assignment]
        self.results: Results = Tracked(inp.results, reads, "r.") if reads else inp.results  # type: ignore[assignment]
        history = getattr(inp, "history", None)
        self.history = Tracked(history, reads, "h.") if reads and history is not None else history
        self.as_of = inp.site.config.as_of
        self._memo: dict[tuple[str, str], tuple[Ref | None, frozenset[Key]]] = {}
        self.derived: dict[str, Any] = {}  # values derived from the whole handbook once per render (render/rollup.py)

    # --- model access -------------------------------------------------------------------------------
    def obj_page(self, oid: str | None) -> Objective | None:
        return self.graph.objective(oid)

    def unit_page(self, uid: str | None) -> OrgUnit | None:
        return self.graph.unit(uid)

    def kpi_page(self, kid: str | None) -> Kpi | None:
        return self.graph.kpi(kid)

    def url(self, page_id: str) -> str:
        return self.graph.url_of[page_id]

    def person_url(self, name: str) -> str | None:
        """The page of the person an owner or lead names (None for no name: nobody has the empty key)."""
        return self.results.person_urls.get(person_key(name))

    def current_cycle(self) -> Cycle | None:
        return self.cfg.cycle(self.cfg.current_cycle)

    def remembered(self, key: Any, inputs: Any, make: Callable[[], Any]) -> Any:
        """`make()`, or its value from an earlier render when `inputs` compare equal (serve rebuilds)."""
        if not self.remember:
            return make()
        hit = self.memo.get(key)
        if hit is not None and hit[0] == inputs:
            return hit[1]
        value = make()
        self.memo[key] = (inputs, value)
        return value

    # --- refs ---------------------------------------------------------------------------------------
    def _cached(self, kind: str, key: str | None, make: Any) -> Ref | None:
        """make(key) once per (kind, key) and render; refs are shared, so callers copy before changing one."""
        if key is None:
            return None
        k = (kind, key)
        hit = self._memo.get(k)
        if hit is None:
            reads = self.reads
            if reads is None:
                hit = self._memo[k] = (make(key), frozenset())
            else:  # what the ref was made from is read again by every page that shows it
                outer, reads.keys = reads.keys, set()
                try:
                    value = make(key)
                finally:
                    inner, reads.keys = frozenset(reads.keys or ()), outer
                hit = self._memo[k] = (value, inner)
        if hit[1]:
            self.reads.update(hit[1])  # type: ignore[union-attr]
        return hit[0]

    def cycle(self, cid: str | None) -> Ref | None:
        def make(cid: str) -> Ref | None:
            c = self.cfg.cycle(cid)
            if c is None:
                return None
            return {"id": c.id, "title": c.title, "url": urls.cycle_url(c), "start": iso(c.start),
                    "end": iso(c.end), "state": cycle_state(c, self.as_of), "current": c.id == self.cfg.current_cycle}
        return self._cached("cycle", cid, make)

    def unit(self, uid: str | None) -> Ref | None:
        def make(uid: str) -> Ref | None:
            u = self.unit_page(uid)
            if u is None:
                return None
            return {"id": u.id, "title": u.title, "url": self.url(u.id), "kind": u.kind, "lead": u.lead}
        return self._cached("unit", uid, make)

    def objective(self, oid: str | None) -> Ref | None:
        def make(oid: str) -> Ref | None:
            o = self.obj_page(oid)
            r = self.results.objectives.get(oid)
            if o is None or r is None:
                return None
            unit = self.unit(o.org_unit)
            return {"id": o.id, "title": o.title, "url": self.url(o.id), "owner": o.owner,
                    "status": r.status, "grade": r.grade, "progress": num(r.progress, 4),
                    "expected": num(r.expected, 4), "cycle": o.cycle,
                    "unit": {"title": unit["title"], "url": unit["url"]} if unit else None}
        return self._cached("objective", oid, make)

    def kr(self, oid: str, kr_id: str) -> Ref | None:
        """A key result as a link target: its objective's page, anchored at the key result."""
        def make(key: str) -> Ref | None:
            o = self.obj_page(oid)
            r = self.results.objectives.get(oid)
            if o is None or r is None:
                return None
            for kr, kres in zip(o.key_results, r.key_results, strict=False):
                if kr.id == kr_id:
                    return {"id": kr.id, "title": kr.title, "url": self.url(o.id) + "#" + urls.kr_anchor(kr.id),
                            "objective": {"id": o.id, "title": o.title, "url": self.url(o.id)},
                            "progress": num(kres.progress, 4), "status": self.kr_status(o, kres)}
            return None
        return self._cached("kr", f"{oid}/{kr_id}", make)

    def kpi(self, kid: str | None) -> Ref | None:
        def make(kid: str) -> Ref | None:
            k = self.kpi_page(kid)
            r = self.results.kpis.get(kid)
            if k is None or r is None:
                return None
            latest = {"date": iso(r.latest.date), "value": num(r.latest.value)} if r.latest else None
            return {"id": k.id, "title": k.title, "url": self.url(k.id), "health": r.health, "unit": k.unit,
                    "latest": latest, "target": num(k.target), "better": k.better,
                    "indicator": k.indicator}
        return self._cached("kpi", kid, make)

    def page(self, pid: str | None) -> Ref | None:
        def make(pid: str) -> Ref | None:
            p = self.graph.get(pid, FreePage)
            return {"id": p.id, "title": p.title, "url": self.url(p.id)} if p else None
        return self._cached("page", pid, make)

    # --- derived ------------------------------------------------------------------------------------
    def kr_status(self, obj: Objective, kres: KrResult) -> str:
        """A key result judged like an objective (same thresholds) against its own expected progress (its
        plan's, else the cycle's pace), so the map can colour it; no_data wins."""
        if kres.no_data:
            return "no_data"
        self.results.objectives.get(obj.id)  # recorded for serve: the status follows the objective's results
        status, grade = status_of(kres.progress, kres.expected, self.cfg.cycle(obj.cycle), self.as_of)
        return grade or status

    def unit_chain(self, uid: str | None) -> list[Ref]:
        """The unit and its ancestors, root first."""
        return self._chain(uid, self.unit_page, self.unit)

    def kpi_chain(self, kid: str | None) -> list[Ref]:
        """The KPI and the KPIs it cascades from, root first."""
        return self._chain(kid, self.kpi_page, self.kpi)

    @staticmethod
    def _chain(start: str | None, page: Callable[[str | None], Any], ref: Callable[[str], Ref | None]) -> list[Ref]:
        chain: list[Ref] = []
        seen: set[str] = set()
        p = page(start)
        while p is not None and p.id not in seen and len(chain) < MAX_DEPTH:
            seen.add(p.id)
            r = ref(p.id)
            if r:
                chain.append(r)
            p = page(p.parent)
        return chain[::-1]

    def parent_refs(self, oid: str) -> list[Ref]:
        """What an objective contributes to: objectives, or key results of them."""
        out = []
        for pid, kr_id in self.graph.parents.get(oid, []):
            obj = self.objective(pid)
            if obj:
                out.append({"objective": obj, "kr": self.kr(pid, kr_id) if kr_id else None})
        return out

    def roots(self) -> list[OrgUnit]:
        """Org units without a (resolvable) parent, in page order."""
        return [u for u in self.graph.pages.values()
                if isinstance(u, OrgUnit) and self.unit_page(u.parent) is None]
