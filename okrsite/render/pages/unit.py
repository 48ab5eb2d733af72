"""The org unit page: purpose, lead, parent and child units, objectives per cycle, KPIs, roll-up, predictability.

Every list is capped: the current cycle's objectives (50), a few of each other cycle's,
child units with their subtree's status mix, KPIs. The unit's map pages list the rest.
"""

from __future__ import annotations

from typing import Any

from okrsite import urls
from okrsite.compute.progress import expected_progress, status_of
from okrsite.model import Cycle, OrgUnit
from okrsite.render import PageJob
from okrsite.render.body import render_body
from okrsite.render.charts import progress_bars
from okrsite.render.filters import pct
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
from okrsite.render.refs import Refs, num
from okrsite.render.rollup import EVERYTHING, STRUCTURE
from okrsite.render.rollup import rollup as grouped
from okrsite.render.sparkline import kpi_spark

OTHER_CYCLE_CAP = 10  # objectives shown per cycle other than the current one
UNIT_TREE_ROWS = 400  # the units index expands the unit tree level by level while it stays within this


def cycles_newest_first(refs: Refs) -> list[Cycle]:
    """The current cycle first, then the others, newest first."""
    cur = refs.current_cycle()
    rest = [c for c in reversed(refs.cfg.cycles) if cur is None or c.id != cur.id]
    return ([cur] if cur else []) + rest


def predictability(refs: Refs, objective_ids: list[str]) -> dict[str, Any] | None:
    """SAFe PI predictability: sum of actual over sum of planned business value (objectives with both)."""
    planned = actual = 0.0
    count = 0
    for oid in objective_ids:
        obj = refs.obj_page(oid)
        bv = obj.business_value if obj else None
        if bv is None or bv.planned is None or bv.actual is None:
            continue
        planned += bv.planned
        actual += bv.actual
        count += 1
    if not count or planned <= 0:
        return None
    return {"planned": num(planned), "actual": num(actual), "ratio": num(actual / planned, 4), "count": count}


def rollup(refs: Refs, objective_ids: list[str], cycle: Cycle | None) -> dict[str, Any] | None:
    """Mean progress of the given objectives of `cycle`, judged against the cycle's expected pace."""
    if cycle is None or not objective_ids:
        return None
    progress = sum(refs.results.objectives[o].progress for o in objective_ids) / len(objective_ids)
    expected = expected_progress(cycle, refs.as_of)
    status, grade = status_of(progress, expected, cycle, refs.as_of)
    return {"cycle": refs.cycle(cycle.id), "progress": num(progress, 4), "expected": num(expected, 4),
            "status": status, "grade": grade, "count": len(objective_ids)}


def unit_job(refs: Refs, unit: OrgUnit) -> PageJob:
    url = refs.url(unit.id)
    g = refs.graph
    chain = refs.unit_chain(unit.id)
    groups = grouped(refs)
    current = refs.current_cycle()
    now = groups.cycles[current.id] if current else None
    groups.depend(STRUCTURE)  # which cycles it has a map in, its children's counts
    if now is not None and unit.id in now.below:  # its children's status mix this cycle
        groups.depend(lambda: groups.subtree_keys(current.id, unit.id))  # type: ignore[union-attr]
    children_all = [r for r in (refs.unit(c) for c in g.unit_children.get(unit.id, [])) if r]
    children = []
    for c in children_all[:LIST_CAP]:  # each child with its subtree's objectives this cycle
        below = now.below.get(c["id"]) if now else None
        children.append({**c, "row": groups.unit_row(current, c["id"], urls.map_unit_url(current.id, c["id"]))
                         if below and current else None})
    children_more = len(children_all) - len(children)
    if children_more:  # where the rest are listed depends on the shape of the whole tree
        groups.depend(EVERYTHING)
    roots, depth = groups.tree_levels(UNIT_TREE_ROWS)
    children_more_url = (f"{urls.INDEXES['org_unit']}#unit-{unit.id}" if len(chain) - 1 < depth
                         else urls.map_unit_url(current.id, unit.id) if now and unit.id in now.below
                         else urls.INDEXES["org_unit"])

    by_cycle: dict[str | None, list[str]] = {}
    for oid in g.unit_objectives.get(unit.id, []):
        obj = refs.obj_page(oid)
        if obj is not None and oid in refs.results.objectives:
            by_cycle.setdefault(obj.cycle, []).append(oid)
    cycles = []
    for c in cycles_newest_first(refs):
        ids = by_cycle.get(c.id, [])
        if not ids:
            continue
        # the current cycle's objectives, a few of the others': each cycle's map page lists them all
        shown, more = capped([refs.objective(o) for o in ids], LIST_CAP if current and c.id == current.id
                             else OTHER_CYCLE_CAP)
        cycles.append({"cycle": refs.cycle(c.id), "objectives": shown, "more": more,
                       "map": urls.map_unit_url(c.id, unit.id),
                       "predictability": predictability(refs, ids), "rollup": rollup(refs, ids, c)})
    maps = [urls.map_unit_url(c.id, unit.id) for c in cycles_newest_first(refs) if unit.id in groups.cycles[c.id].below]
    current_ids = by_cycle.get(current.id, []) if current else []
    roll = rollup(refs, current_ids, current)
    chart = None
    if roll and current is not None:
        items = [refs.objective(o) for o in current_ids][:30]
        chart = progress_bars(
            f"chart-unit-{unit.id}", items, roll["expected"] if roll["status"] not in ("ended", "planned") else None,
            label=f"Progress of the objectives of {unit.title} in {current.title}",
            summary=(f"{len(current_ids)} objective{'s' if len(current_ids) != 1 else ''} in {current.title}, "
                     f"mean progress {pct(roll['progress'])}"
                     f" against {pct(roll['expected'])} expected."))
    pi = [{"cycle": c["cycle"], **c["predictability"]} for c in cycles if c["predictability"]]
    kpis = []
    for kid in g.unit_kpis.get(unit.id, []):
        ref = refs.kpi(kid)
        if ref:
            kpis.append({**ref, "spark": kpi_spark(refs, kid)})
    kpis, kpis_more = capped(kpis)
    body = render_body(unit.doc, url)

    ids = section_ids(["about", "rollup", "objectives", "predictability", "kpis", "units"], body_anchors(unit.doc))
    toc = []
    if body:  # the body's own headings, else one entry for it
        toc += body_toc(unit.doc, (2,)) or [toc_entry("Purpose", ids["about"])]
    if roll:
        toc.append(toc_entry("Progress this cycle", ids["rollup"]))
    if cycles:
        toc.append(toc_entry("Objectives", ids["objectives"]))
    if pi:
        toc.append(toc_entry("PI predictability", ids["predictability"]))
    if kpis:
        toc.append(toc_entry("KPIs", ids["kpis"]))
    if children:
        toc.append(toc_entry("Units", ids["units"]))

    tree = [item(u, current=u["id"] == unit.id, depth=i) for i, u in enumerate(chain)]
    tree += [item(c, depth=len(chain)) for c in children_all]
    sidebar = [group("Organisation", tree, more_url=urls.INDEXES["org_unit"], cap=20 + len(chain))]
    crumbs = [{"title": "Units", "url": urls.INDEXES["org_unit"]}] + chain[:-1]
    return PageJob(url, "unit.html", page_context(
        refs, url, section="units", kind="org_unit", title=unit.title, page_id=unit.id, crumbs=crumbs,
        sidebar=sidebar, toc=toc, charts=chart is not None,
        unit={"id": unit.id, "title": unit.title, "kind": unit.kind, "lead": unit.lead,
              "lead_url": refs.person_url(unit.lead),
              "parent": chain[-2] if len(chain) > 1 else None},
        children=children, children_more=children_more, children_more_url=children_more_url,
        map=maps[0] if maps else None, cycles=cycles, rollup=roll, chart=chart,
        predictability=pi, kpis=kpis, kpis_more=kpis_more, body=body, ids=ids,
    ))
