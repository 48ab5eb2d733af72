"""The objective page: status and progress, every key result by kind, plan, forecast and confidence,
alignment, dependencies both ways, KPIs, progress chart."""

from __future__ import annotations

from typing import Any

from okrsite import urls
from okrsite.compute.dependencies import TROUBLE
from okrsite.compute.plan import planned_value
from okrsite.compute.progress import kr_progress
from okrsite.compute.results import KrResult, ObjectiveResult
from okrsite.model import KeyResult, Objective
from okrsite.render import PageJob
from okrsite.render.body import render_body
from okrsite.render.charts import objective_progress
from okrsite.render.confidence_spark import confidence_spark
from okrsite.render.history import history_section
from okrsite.render.nav import (
    LIST_CAP,
    body_anchors,
    body_toc,
    capped,
    group,
    item,
    page_context,
    section_ids,
    toc_entry,
)
from okrsite.render.refs import Ref, Refs, iso, num
from okrsite.render.sparkline import kpi_spark


def number_line(values: list[float], low: float | None, high: float | None, current: float | None) -> dict:
    """Where a threshold band and the current value sit on a bar, as 0..1 fractions.

    The scale is never narrower than twice the band (both bounds) or 5 % of the bound (one bound): a
    value just outside must look just outside, not as far away as a value ten times further off.
    """
    edges = [v for v in (low, high) if v is not None]
    known = [v for v in [*values, *edges, current] if v is not None]
    lo, hi = min(known), max(known)
    if low is not None and high is not None:
        least = 2 * (high - low)
    else:
        least = 0.05 * max((abs(e) for e in edges), default=0.0)
    if hi - lo < least:
        mid = (lo + hi) / 2
        lo, hi = mid - least / 2, mid + least / 2
    pad = (hi - lo) * 0.2 or abs(hi) * 0.1 or 1.0
    lo, hi = lo - pad, hi + pad

    def at(v: float) -> float:
        return round((v - lo) / (hi - lo), 4)

    left = at(low) if low is not None else 0.0
    right = at(high) if high is not None else 1.0
    where = None
    if current is not None:
        where = "below" if low is not None and current < low else \
            "above" if high is not None and current > high else "inside"
    ticks = [{"at": at(v), "value": v, "align": "start" if at(v) < 0.12 else "end" if at(v) > 0.88 else "middle"}
             for v in edges]
    return {"band_left": left, "band_width": round(right - left, 4), "open_low": low is None,
            "open_high": high is None, "marker": at(current) if current is not None else None,
            "where": where, "ticks": ticks}


def kr_bar(kr: KeyResult, r: KrResult) -> dict[str, Any] | None:
    """Geometry of the kind-aware bar: from → current → target (and stretch), or a threshold band."""
    if kr.kind in ("increase", "decrease") and kr.start is not None and kr.target is not None \
            and kr.target != kr.start:
        scale = 1.0
        if kr.stretch is not None:
            scale = max(1.0, kr_progress(kr, kr.stretch))
        return {"type": "track", "fill": round(max(0.0, min(scale, r.progress_raw)) / scale, 4),
                "target_at": round(1 / scale, 4), "stretch_at": 1.0 if kr.stretch is not None else None}
    if kr.kind == "threshold" and kr.range is not None:
        return {"type": "band", **number_line([v.value for v in r.history], kr.range[0], kr.range[1],
                                              r.current)}
    return None


MISS = 0.7  # a forecast below this is "forecast to miss" (the spec's threshold for objectives)


def kr_plan(kr: KeyResult, r: KrResult, as_of: Any) -> dict[str, Any]:
    """The planned value now and the forecast at the cycle's end, for the key result's facts."""
    planned = None
    if r.plan_path:
        value = planned_value(r.plan_path, as_of)
        planned = {"value": num(value, 1), "progress": num(r.expected, 4)}
    forecast = None
    if r.forecast is not None:
        forecast = {"value": num(r.forecast, 1), "progress": num(r.forecast_progress, 4),
                    "miss": r.forecast_progress is not None and r.forecast_progress < MISS}
    return {"planned": planned, "forecast": forecast}


def kr_context(refs: Refs, obj: Objective, kr: KeyResult, r: KrResult) -> dict[str, Any]:
    as_of = refs.as_of
    overdue = kr.kind == "milestone" and not kr.done and kr.due is not None and kr.due < as_of
    stale_days = (as_of - r.current_date).days if r.stale and r.current_date else None
    contributors = [refs.objective(cid) for cid, kid in refs.graph.contributors.get(obj.id, []) if kid == kr.id]
    return {
        "id": kr.id, "anchor": urls.kr_anchor(kr.id), "title": kr.title, "kind": kr.kind, "unit": kr.unit,
        "weight": num(kr.weight), "stretch": num(kr.stretch), "confidence": num(r.confidence),
        "no_data": r.no_data, "stale": r.stale, "stale_days": stale_days,
        "progress": num(r.progress, 4), "progress_raw": num(r.progress_raw, 4),
        "status": refs.kr_status(obj, r),
        "current": num(r.current), "current_date": iso(r.current_date), "current_source": r.current_source,
        "start": num(kr.start), "target": num(kr.target),
        "range": [num(v) for v in kr.range] if kr.range else None,
        "due": iso(kr.due), "done": kr.done, "overdue": overdue,
        "kpi": refs.kpi(kr.kpi),
        "bar": kr_bar(kr, r),
        "checkins": [{"date": iso(c.date), "value": num(c.value), "confidence": num(c.confidence),
                      "note": c.note} for c in kr.checkins],
        "contributors": [c for c in contributors if c],
        "expected": num(r.expected, 4), **kr_plan(kr, r, as_of),
        "confidence_falling": r.confidence_falling,
        "confidence_spark": confidence_spark(kr, as_of, r.confidence_falling),
    }


def moved_kpis(refs: Refs, obj: Objective) -> list[dict[str, Any]]:
    """KPIs the objective names in `kpis` and KPIs measuring its key results, each with a sparkline."""
    order: dict[str, list[str]] = {}
    for kid in obj.kpis:
        order.setdefault(kid, []).append("named by this objective")
    for kr in obj.key_results:
        if kr.kpi:
            order.setdefault(kr.kpi, []).append(f"measures “{kr.title}”")
    out = []
    for kid, why in order.items():
        ref = refs.kpi(kid)
        if ref is not None:
            out.append({**ref, "why": why, "spark": kpi_spark(refs, kid)})
    return out


SEVERITY = {"off_track": 0, "at_risk": 1}


def depends_on(refs: Refs, obj: Objective, res: ObjectiveResult) -> list[dict[str, Any]]:
    """What the objective needs, in trouble first (off track before at risk), then as written."""
    trouble = set(res.dependencies_in_trouble)
    out = []
    for i, (ref, target, kr_id) in enumerate(refs.graph.dependencies.get(obj.id, [])):
        o = refs.objective(target)
        if o is None:
            continue
        k = refs.kr(target, kr_id) if kr_id else None
        out.append(((ref not in trouble, SEVERITY.get(o["status"], 2), i),
                    {"entry": ref, "objective": o, "kr": k, "in_trouble": ref in trouble}))
    return [d for _, d in sorted(out, key=lambda p: p[0])]


def needed_by(refs: Refs, obj: Objective, res: ObjectiveResult) -> list[dict[str, Any]]:
    """Who needs the objective (or one of its key results): troubled ones (off track, at risk) first."""
    out = []
    for oid in res.needed_by:
        o = refs.objective(oid)
        if o is None:
            continue
        krs = [refs.kr(obj.id, kr_id) for _, target, kr_id in refs.graph.dependencies.get(oid, [])
               if target == obj.id and kr_id]
        out.append({"objective": o, "krs": [k for k in krs if k], "in_trouble": o["status"] in TROUBLE})
    out.sort(key=lambda d: (SEVERITY.get(d["objective"]["status"], 2), d["objective"]["title"].lower(),
                            d["objective"]["url"]))
    return out


class _Same:
    """Compares by identity: `serve` keeps an unchanged file's page object, so identity means unchanged."""

    __slots__ = ("obj",)

    def __init__(self, obj: object) -> None:
        self.obj = obj

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Same) and other.obj is self.obj

    __hash__ = None  # type: ignore[assignment]


def objective_job(refs: Refs, obj: Objective) -> PageJob:
    url = refs.url(obj.id)
    res = refs.results.objectives[obj.id]
    cycle = refs.cfg.cycle(obj.cycle)
    parents = refs.parent_refs(obj.id)
    contributors_all = []
    for cid, kr_id in refs.graph.contributors.get(obj.id, []):
        ref = refs.objective(cid)
        if ref:
            contributors_all.append({"objective": ref, "kr": refs.kr(obj.id, kr_id) if kr_id else None})
    contributors, more = capped(contributors_all)
    kpis = moved_kpis(refs, obj)
    krs = [kr_context(refs, obj, kr, r) for kr, r in zip(obj.key_results, res.key_results, strict=False)]
    # the chart costs most of this page's planning: kept while the page, its results and the date are the same
    chart = refs.remembered(("progress", obj.id), (_Same(obj), res, cycle, refs.as_of),
                            lambda: objective_progress(obj, res, cycle, refs.as_of)) if cycle else None
    bv = obj.business_value
    unit = refs.unit(obj.org_unit)
    chain = refs.unit_chain(obj.org_unit)
    body = render_body(obj.doc, url)

    needs_all, dependents_all = depends_on(refs, obj, res), needed_by(refs, obj, res)
    needs, needs_more = capped(needs_all)
    dependents, dependents_more = capped(dependents_all)
    ids = section_ids(["key-results", "progress-chart", "about", "alignment", "dependencies", "kpis", "history"],
                      body_anchors(obj.doc))
    history = history_section(refs, obj)
    toc = [toc_entry("Key results", ids["key-results"])]
    toc += [toc_entry(k["title"], k["anchor"], 3) for k in krs[:12]]
    if chart:
        toc.append(toc_entry("Progress over the cycle", ids["progress-chart"]))
    if body:
        toc.append(toc_entry("About", ids["about"]))
        toc += [dict(t, level=3) for t in body_toc(obj.doc, (2,))]
    toc.append(toc_entry("Alignment", ids["alignment"]))
    if needs or dependents:
        toc.append(toc_entry("Dependencies", ids["dependencies"]))
    if kpis:
        toc.append(toc_entry("KPIs it moves", ids["kpis"]))
    if history:
        toc.append(toc_entry("History", ids["history"]))

    sidebar = [
        group("Organisation", [item(u, depth=i) for i, u in enumerate(chain)]),
        group("Contributes to", [item(p["kr"] or p["objective"], status=p["objective"]["status"]) for p in parents]),
        group("Contributors", [item(c["objective"], status=c["objective"]["status"]) for c in contributors_all],
              more_url=urls.INDEXES["objective"]),
        group("KPIs", [item(k, status=k["health"]) for k in kpis]),
    ]
    crumbs: list[Ref] = [{"title": "Objectives", "url": urls.INDEXES["objective"]}]
    if refs.cycle(obj.cycle):
        crumbs.append(refs.cycle(obj.cycle))  # type: ignore[arg-type]
    return PageJob(url, "objective.html", page_context(
        refs, url, section="objectives", kind="objective", title=obj.title, page_id=obj.id,
        crumbs=crumbs, sidebar=sidebar, toc=toc, charts=chart is not None,
        objective={
            "id": obj.id, "title": obj.title, "owner": obj.owner, "owner_url": refs.person_url(obj.owner),
            "status": res.status, "grade": res.grade,
            "progress": num(res.progress, 4), "expected": num(res.expected, 4),
            "cycle": refs.cycle(obj.cycle), "unit": unit,
            "business_value": {"planned": num(bv.planned), "actual": num(bv.actual)} if bv else None,
            "predictability": num(res.predictability, 4),
            "forecast": num(res.forecast, 4), "forecast_to_miss": res.forecast_to_miss,
            "in_trouble": len(res.dependencies_in_trouble),
        },
        depends_on=needs, depends_on_more=needs_more, needed_by=dependents, needed_by_more=dependents_more,
        key_results=krs, parents=parents, contributors=contributors, contributors_more=more,
        kpis=kpis, chart=chart, body=body, list_cap=LIST_CAP, ids=ids, history=history,
    ))
