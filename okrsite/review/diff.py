"""Two computed handbooks → what changed in the goals, as plain, sorted data.

Ids are the identity: a page whose id changes is one removed and one added. Values
are compared as the model holds them (after defaults), so `target: 60` and
`target: 60.0` are the same target, and a key result without `kind` is an increase on
both sides.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from okrsite.build import Build
from okrsite.compute.results import ObjectiveResult
from okrsite.model import KeyResult, Kpi, Objective
from okrsite.validate.graph import Graph

# The fields whose revisions matter for a review, in the order they are listed (the same as
# `revisions` in data.json); an objective's own cycle and unit say where it moved.
KR_FIELDS = ("title", "kind", "start", "target", "range", "due", "weight", "plan")
OBJECTIVE_FIELDS = ("title", "cycle", "org_unit")
KPI_FIELDS = ("title", "target", "alert", "range")
PROGRESS_STEP = 0.001  # a progress change smaller than 0.1 percentage point is no change


def plain(value: Any) -> Any:
    """JSON-able and comparable: dates as ISO text, whole floats as ints, tuples as lists."""
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, float):
        return int(value) if math.isfinite(value) and value.is_integer() else value
    if isinstance(value, int):
        return value
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if hasattr(value, "date") and hasattr(value, "value"):  # a plan point
        return {"date": plain(value.date), "value": plain(value.value)}
    return str(value)


@dataclass(slots=True)
class SideInfo:
    """One side of the comparison, as the report names it."""

    label: str  # the revision as typed, or "working tree"
    commit: str | None  # full hash; None for the working tree
    exists: bool  # False when the site folder is not in that revision
    errors: int
    warnings: int
    pages: int
    first_errors: list[str] = field(default_factory=list)  # compiler-style lines, at most a few

    @property
    def clean(self) -> bool:
        return self.errors == 0


@dataclass(slots=True)
class KeyResultEntry:
    objective: str
    id: str
    title: str
    kind: str
    start: Any
    target: Any
    unit: str
    range: Any
    due: Any


@dataclass(slots=True)
class ObjectiveEntry:
    id: str
    title: str
    cycle: str | None
    org_unit: str | None
    progress: float | None
    status: str | None
    grade: str | None
    key_results: list[str] = field(default_factory=list)


@dataclass(slots=True)
class KpiEntry:
    id: str
    title: str
    org_unit: str | None


@dataclass(slots=True)
class ValueChange:
    type: str  # "objective" | "kpi"
    id: str  # the page id
    key_result: str | None  # the key result id, or None for the page's own field
    title: str  # of the key result (or page), on the newer side
    field: str
    old: Any
    new: Any


@dataclass(slots=True)
class ProgressChange:
    id: str
    title: str
    old_progress: float
    new_progress: float
    old_status: str
    new_status: str
    old_grade: str | None
    new_grade: str | None


@dataclass(slots=True)
class GoalDiff:
    as_of: date
    as_of_source: str  # "config" (the newer side's okrsite.yaml), "option" (--today) or "today"
    base: SideInfo
    head: SideInfo
    objectives_added: list[ObjectiveEntry] = field(default_factory=list)
    objectives_removed: list[ObjectiveEntry] = field(default_factory=list)
    key_results_added: list[KeyResultEntry] = field(default_factory=list)
    key_results_removed: list[KeyResultEntry] = field(default_factory=list)
    changes: list[ValueChange] = field(default_factory=list)
    progress: list[ProgressChange] = field(default_factory=list)
    kpis_added: list[KpiEntry] = field(default_factory=list)
    kpis_removed: list[KpiEntry] = field(default_factory=list)
    kpis_untargeted: list[KpiEntry] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not any((self.objectives_added, self.objectives_removed, self.key_results_added,
                        self.key_results_removed, self.changes, self.progress, self.kpis_added,
                        self.kpis_removed, self.kpis_untargeted))


def _graph(build: Build) -> Graph:
    assert build.resolved is not None
    return build.resolved.graph


def _of(build: Build, cls: type) -> dict[str, Any]:
    return {pid: p for pid, p in sorted(_graph(build).pages.items()) if isinstance(p, cls)}


def _kr_entry(obj: Objective, kr: KeyResult) -> KeyResultEntry:
    return KeyResultEntry(obj.id, kr.id, kr.title, kr.kind, plain(kr.start), plain(kr.target), kr.unit,
                          plain(kr.range), plain(kr.due))


def _objective_entry(obj: Objective, result: ObjectiveResult | None) -> ObjectiveEntry:
    return ObjectiveEntry(obj.id, obj.title, obj.cycle, obj.org_unit,
                          result.progress if result else None, result.status if result else None,
                          result.grade if result else None, [kr.id for kr in obj.key_results])


def _kpi_entry(kpi: Kpi) -> KpiEntry:
    return KpiEntry(kpi.id, kpi.title, kpi.org_unit)


def _key_results(obj: Objective) -> dict[str, KeyResult]:
    out: dict[str, KeyResult] = {}
    for kr in obj.key_results:
        out.setdefault(kr.id, kr)  # a duplicate id is the loader's error; the first one counts
    return out


def _field_changes(kind: str, page_id: str, kr_id: str | None, title: str, old: Any, new: Any,
                   names: tuple[str, ...]) -> list[ValueChange]:
    changes = []
    for name in names:
        a, b = plain(getattr(old, name, None)), plain(getattr(new, name, None))
        if name == "plan":
            a, b = a or None, b or None  # no plan and an empty plan are the same
        if a != b:
            changes.append(ValueChange(kind, page_id, kr_id, title, name, a, b))
    return changes


def targeted(kpi_id: str, g: Graph, seen: set[str] | None = None) -> bool:
    """Aimed at by an objective (`kpis`) or measured by a key result (`kpi`), directly or through a
    KPI that feeds it — the same cascade-aware rule as the `unused-kpi` warning."""
    seen = set() if seen is None else seen
    if kpi_id in seen:
        return False
    seen.add(kpi_id)
    if g.kpi_objectives.get(kpi_id) or g.kpi_key_results.get(kpi_id):
        return True
    return any(targeted(child, g, seen) for child in sorted(g.kpi_children.get(kpi_id, [])))


def _progress_changed(a: ObjectiveResult, b: ObjectiveResult) -> bool:
    return (a.status != b.status or a.grade != b.grade
            or round(a.progress / PROGRESS_STEP) != round(b.progress / PROGRESS_STEP))


def compare(old: Build, new: Build, as_of: date, as_of_source: str, base: SideInfo, head: SideInfo) -> GoalDiff:
    """What `new` changes relative to `old`; both computed at the same `as_of`."""
    d = GoalDiff(as_of, as_of_source, base, head)
    old_obj, new_obj = _of(old, Objective), _of(new, Objective)
    old_res, new_res = old.results.objectives if old.results else {}, new.results.objectives if new.results else {}
    for oid, obj in new_obj.items():
        if oid not in old_obj:
            d.objectives_added.append(_objective_entry(obj, new_res.get(oid)))
            d.key_results_added.extend(_kr_entry(obj, kr) for kr in _key_results(obj).values())
    for oid, obj in old_obj.items():
        if oid not in new_obj:
            d.objectives_removed.append(_objective_entry(obj, old_res.get(oid)))
            d.key_results_removed.extend(_kr_entry(obj, kr) for kr in _key_results(obj).values())
    for oid in sorted(old_obj.keys() & new_obj.keys()):
        a, b = old_obj[oid], new_obj[oid]
        d.changes.extend(_field_changes("objective", oid, None, b.title, a, b, OBJECTIVE_FIELDS))
        a_krs, b_krs = _key_results(a), _key_results(b)
        for kr_id, kr in sorted(b_krs.items()):
            if kr_id in a_krs:
                d.changes.extend(_field_changes("objective", oid, kr_id, kr.title, a_krs[kr_id], kr, KR_FIELDS))
            else:
                d.key_results_added.append(_kr_entry(b, kr))
        d.key_results_removed.extend(_kr_entry(a, kr) for kr_id, kr in a_krs.items() if kr_id not in b_krs)
        ra, rb = old_res.get(oid), new_res.get(oid)
        if ra is not None and rb is not None and _progress_changed(ra, rb):
            d.progress.append(ProgressChange(oid, b.title, ra.progress, rb.progress, ra.status, rb.status,
                                             ra.grade, rb.grade))
    old_kpi, new_kpi = _of(old, Kpi), _of(new, Kpi)
    d.kpis_added = [_kpi_entry(k) for kid, k in new_kpi.items() if kid not in old_kpi]
    d.kpis_removed = [_kpi_entry(k) for kid, k in old_kpi.items() if kid not in new_kpi]
    og, ng = _graph(old), _graph(new)
    for kid in sorted(old_kpi.keys() & new_kpi.keys()):
        a, b = old_kpi[kid], new_kpi[kid]
        d.changes.extend(_field_changes("kpi", kid, None, b.title, a, b, KPI_FIELDS))
        if targeted(kid, og) and not targeted(kid, ng):
            d.kpis_untargeted.append(_kpi_entry(b))
    d.key_results_added.sort(key=lambda e: (e.objective, e.id))
    d.key_results_removed.sort(key=lambda e: (e.objective, e.id))
    return d  # changes: objectives then KPIs by id, a page's own fields first, key results by id
