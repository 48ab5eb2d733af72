"""The home page: vision, the current cycle at a glance, KPI health board, gaps and stale key results.

It is the dashboard, so it reads the whole current cycle and every KPI; lists stay
capped so the page stays small however large the handbook grows.
"""

from __future__ import annotations

from typing import Any

from okrsite import urls
from okrsite.compute.results import HEALTHS
from okrsite.model import Kpi, Objective
from okrsite.render import PageJob
from okrsite.render.body import render_body
from okrsite.render.charts import donut
from okrsite.render.filters import pct, status_label
from okrsite.render.history import cycle_revisions
from okrsite.render.nav import body_anchors, body_toc, capped, page_context, section_ids, toc_entry
from okrsite.render.pages.cycle import cycle_summary
from okrsite.render.pages.home_planning import planning_watch
from okrsite.render.pages.indexes import kpi_health_url
from okrsite.render.refs import Refs, iso
from okrsite.render.rollup import HEALTH_ORDER
from okrsite.render.sparkline import kpi_spark

BOARD_CAP = 12  # KPIs shown per health group; the KPI index has them all
NEEDS_CAP = 20
STALE_CAP = 20
VISION_CAP = 3  # root units whose vision the home page shows


def needs_objective(refs: Refs) -> list[dict[str, Any]]:
    """KPIs off track or at risk that no current-cycle objective names and no current-cycle key result measures."""
    cur = refs.cfg.current_cycle
    out = []
    for page in refs.graph.pages.values():
        if not isinstance(page, Kpi):
            continue
        health = refs.results.kpis[page.id].health
        if health not in ("off_track", "at_risk"):
            continue
        named = any((o := refs.obj_page(oid)) is not None and o.cycle == cur
                    for oid in refs.graph.kpi_objectives.get(page.id, []))
        measured = any((o := refs.obj_page(oid)) is not None and o.cycle == cur
                       for oid, _ in refs.graph.kpi_key_results.get(page.id, []))
        if not named and not measured:
            out.append({**refs.kpi(page.id), "org_unit": refs.unit(page.org_unit)})  # type: ignore[dict-item]
    out.sort(key=lambda k: (k["health"] != "off_track", k["title"].lower()))
    return out


def stale_key_results(refs: Refs) -> list[dict[str, Any]]:
    out = []
    for page in refs.graph.pages.values():
        if not isinstance(page, Objective):
            continue
        for kr in refs.results.objectives[page.id].key_results:
            if kr.stale and kr.current_date is not None:
                out.append({"kr": refs.kr(page.id, kr.id), "objective": refs.objective(page.id),
                            "last": iso(kr.current_date), "days": (refs.as_of - kr.current_date).days})
    out.sort(key=lambda s: (-s["days"], s["kr"]["url"]))
    return out


def health_board(refs: Refs) -> list[dict[str, Any]]:
    groups: dict[str, list[str]] = {h: [] for h in HEALTH_ORDER}
    for page in refs.graph.pages.values():
        if isinstance(page, Kpi):
            groups.setdefault(refs.results.kpis[page.id].health, []).append(page.id)
    board = []
    for h in HEALTH_ORDER:
        ids = groups.get(h, [])
        shown, more = capped(ids, BOARD_CAP)
        board.append({"health": h, "count": len(ids), "more": more, "url": kpi_health_url(refs, h),
                      "kpis": [{**refs.kpi(k), "spark": kpi_spark(refs, k)} for k in shown]})  # type: ignore[dict-item]
    return board


def home_job(refs: Refs) -> PageJob:
    url = urls.HOME
    cfg = refs.cfg
    vision = []
    for root in refs.roots()[:VISION_CAP]:
        body = render_body(root.doc, url)
        vision.append({"unit": refs.unit(root.id), "body": body})
    source = next((p for p in refs.graph.pages.values() if urls.is_home_source(p)), None)
    intro = None
    if source is not None:  # content/index.md: the handbook's own words first, like MkDocs' index.md
        intro = {"title": source.title if source.title != cfg.title else None,
                 "body": render_body(source.doc, url)}
    current = refs.current_cycle()
    glance = None
    charts = []
    if current is not None:
        ids = [o for o in refs.graph.cycle_objectives.get(current.id, []) if o in refs.results.objectives]
        glance = {"cycle": refs.cycle(current.id), **cycle_summary(refs, current, ids)}
        if glance["count"] and glance["state"] != "planned":
            key = "grade_counts" if glance["state"] == "ended" else "status_counts"
            counts = [(c["status"], c["count"]) for c in glance[key]]
            charts.append(donut("chart-home-status", counts, label=f"Objectives of {current.title} by status",
                                summary=", ".join(f"{n} {status_label(s).lower()}" for s, n in counts) + ".",
                                centre=pct(glance["progress"])))
    board = health_board(refs)
    kpi_counts = [(g["health"], g["count"]) for g in board]
    if sum(n for _, n in kpi_counts):
        charts.append(donut("chart-home-health", kpi_counts, label="KPIs by health",
                            summary=", ".join(f"{n} {status_label(s).lower()}" for s, n in kpi_counts) + ".",
                            centre=str(sum(n for _, n in kpi_counts))))
    needs, needs_more = capped(needs_objective(refs), NEEDS_CAP)
    stale, stale_more = capped(stale_key_results(refs), STALE_CAP)
    watch = planning_watch(refs)  # forecast to miss, confidence falling, dependencies in trouble (capped)
    docs = [r.doc for r in refs.roots()[:VISION_CAP]] + ([source.doc] if source is not None else [])
    ids = section_ids(["intro", "cycle", "health", "needs", "stale", "vision", "revisions", "forecast-to-miss",
                       "confidence-falling", "dependencies-in-trouble"], body_anchors(*docs))
    revisions = cycle_revisions(refs)  # from git: the current cycle's revisions, newest first (capped)
    toc = []
    if intro and intro["body"]:
        toc.append(toc_entry(intro["title"] or "Introduction", ids["intro"]))
        toc += [dict(t, level=3) for t in body_toc(source.doc, (2,))]  # type: ignore[union-attr]
    toc += [toc_entry("This cycle", ids["cycle"])] if glance else []
    toc += [toc_entry("KPI health", ids["health"]), toc_entry("Needs an objective", ids["needs"]),
            toc_entry("Stale key results", ids["stale"])]
    toc += [toc_entry(w["title"], ids[w["id"]]) for w in watch]
    toc += [toc_entry("Revisions this cycle", ids["revisions"])] if revisions else []
    if any(v["body"] for v in vision):
        toc.append(toc_entry("Vision", ids["vision"]))
    return PageJob(url, "home.html", page_context(
        refs, url, section="home", kind="home", title=cfg.title, page_id="home", toc=toc,
        charts=bool(charts), intro=intro, vision=vision, glance=glance, board=board, needs=needs, needs_more=needs_more,
        stale=stale, stale_more=stale_more, home_charts=charts, health_order=list(HEALTHS), ids=ids,
        revisions=revisions, watch=watch,
    ))
