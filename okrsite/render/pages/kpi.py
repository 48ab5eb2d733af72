"""The KPI page: time series against target/alert or band, key-result check-ins, cascade, objectives."""

from __future__ import annotations

from typing import Any

from okrsite import urls
from okrsite.model import Kpi
from okrsite.render import PageJob
from okrsite.render.body import render_body
from okrsite.render.charts import kpi_series
from okrsite.render.history import history_section
from okrsite.render.nav import (
    NAV_CAP,
    body_anchors,
    body_toc,
    capped,
    group,
    item,
    page_context,
    section_ids,
    toc_entry,
)
from okrsite.render.refs import Refs, iso, num
from okrsite.render.sparkline import kpi_spark

MEASUREMENT_ROWS = 24  # newest measurements listed in the table; the chart shows them all


def kpi_job(refs: Refs, kpi: Kpi) -> PageJob:
    url = refs.url(kpi.id)
    res = refs.results.kpis[kpi.id]
    g = refs.graph

    # objectives that move it: those naming it in `kpis`, and those with a key result it measures
    movers: dict[str, list[str]] = {}
    for oid in g.kpi_objectives.get(kpi.id, []):
        movers.setdefault(oid, []).append("names it")
    key_results = []
    checkins: list[dict[str, Any]] = []
    chart_checkins = []
    for oid, kr_id in g.kpi_key_results.get(kpi.id, []):
        obj = refs.obj_page(oid)
        kr_ref = refs.kr(oid, kr_id)
        if obj is None or kr_ref is None:
            continue
        movers.setdefault(oid, []).append(f"key result “{kr_ref['title']}”")  # shown under the title
        key_results.append(kr_ref)
        kr = next(k for k in obj.key_results if k.id == kr_id)
        points = []
        for c in kr.checkins:
            checkins.append({"date": iso(c.date), "value": num(c.value), "confidence": num(c.confidence),
                             "note": c.note, "kr": kr_ref, "objective": refs.objective(oid)})
            if c.date is not None and c.value is not None and c.date <= refs.as_of:
                points.append((c.date.isoformat(), num(c.value)))
        if points:
            chart_checkins.append({"title": kr.title, "points": points})
    checkins.sort(key=lambda c: (c["date"] or "", c["kr"]["url"]), reverse=True)
    objectives_all = []
    for oid, why in movers.items():
        ref = refs.objective(oid)
        if ref:
            cycle = refs.cycle(ref["cycle"]) if ref.get("cycle") else None
            objectives_all.append({**ref, "why": why, "cycle_title": cycle["title"] if cycle else None})
    # current cycle first, then newest cycles first
    cycle_rank = {c.id: i for i, c in enumerate(refs.cfg.cycles)}
    objectives_all.sort(key=lambda o: (o["cycle"] != refs.cfg.current_cycle, -cycle_rank.get(o["cycle"], -1)))
    objectives, more = capped(objectives_all)
    checkins_shown, checkins_more = capped(checkins)

    chain = refs.kpi_chain(kpi.id)
    children_all = [refs.kpi(c) for c in g.kpi_children.get(kpi.id, [])]
    children_all = [c for c in children_all if c]
    children, children_more = capped(children_all)
    children = [{**c, "spark": kpi_spark(refs, c["id"])} for c in children]  # copies: refs are shared
    chart = kpi_series(kpi, res, chart_checkins)
    body = render_body(kpi.doc, url)
    rows = [{"date": iso(v.date), "value": num(v.value)} for v in res.series[-MEASUREMENT_ROWS:]][::-1]

    history = history_section(refs, kpi)
    ids = section_ids(["series", "about", "checkins", "cascade", "objectives", "measurements", "history"],
                      body_anchors(kpi.doc))
    toc = [toc_entry("Over time", ids["series"])]
    if body:
        toc.append(toc_entry("About", ids["about"]))
        toc += [dict(t, level=3) for t in body_toc(kpi.doc, (2,))]
    if checkins:
        toc.append(toc_entry("Key-result check-ins", ids["checkins"]))
    toc.append(toc_entry("Cascade", ids["cascade"]))
    toc.append(toc_entry("Objectives that move it", ids["objectives"]))
    toc.append(toc_entry("Measurements", ids["measurements"]))
    if history:
        toc.append(toc_entry("History", ids["history"]))

    parent = chain[-2] if len(chain) > 1 else None
    cascade = [item(k, current=k["id"] == kpi.id, status=k["health"], depth=i) for i, k in enumerate(chain)]
    cascade += [item(c, status=c["health"], depth=len(chain)) for c in children_all[:NAV_CAP]]
    sidebar = [
        group("Cascade", cascade, more_url=urls.INDEXES["kpi"], cap=NAV_CAP + len(chain)),
        group("Owned by", [item(refs.unit(kpi.org_unit))]),
        group("Moved by", [item(o, status=o["status"]) for o in objectives_all], more_url=urls.INDEXES["objective"]),
    ]
    crumbs = [{"title": "KPIs", "url": urls.INDEXES["kpi"]}] + [{"title": k["title"], "url": k["url"]}
                                                                for k in chain[:-1]]
    return PageJob(url, "kpi.html", page_context(
        refs, url, section="kpis", kind="kpi", title=kpi.title, page_id=kpi.id, crumbs=crumbs,
        sidebar=sidebar, toc=toc, charts=chart is not None,
        kpi={
            "id": kpi.id, "title": kpi.title, "owner": kpi.owner, "owner_url": refs.person_url(kpi.owner),
            "unit": kpi.unit, "better": kpi.better,
            "target": num(kpi.target), "alert": num(kpi.alert),
            "range": [num(v) for v in kpi.range] if kpi.range else None, "indicator": kpi.indicator,
            "health": res.health,
            "latest": {"date": iso(res.latest.date), "value": num(res.latest.value)} if res.latest else None,
            "org_unit": refs.unit(kpi.org_unit), "parent": parent, "count": len(res.series),
        },
        chart=chart, body=body, checkins=checkins_shown, checkins_more=checkins_more, key_results=key_results,
        children=children, children_more=children_more, objectives=objectives, objectives_more=more,
        measurements=rows, measurements_more=max(0, len(res.series) - MEASUREMENT_ROWS), ids=ids, history=history,
    ))
