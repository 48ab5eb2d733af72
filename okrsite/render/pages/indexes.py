"""Index pages: the full lists that per-page navigation deliberately leaves out."""

from __future__ import annotations

import posixpath
from typing import Any

from okrsite import urls
from okrsite.model import FreePage, Kpi, Objective
from okrsite.render import PageJob
from okrsite.render.nav import cycles_group, page_context, toc_entry
from okrsite.render.pages.cycle import cycle_summary, unit_order
from okrsite.render.pages.home import HEALTH_ORDER
from okrsite.render.pages.unit import cycles_newest_first
from okrsite.render.refs import Refs, num
from okrsite.render.sparkline import kpi_spark


def units_index(refs: Refs) -> PageJob:
    url = urls.INDEXES["org_unit"]
    g = refs.graph
    cur = refs.cfg.current_cycle
    counts: dict[str, int] = {}
    for oid in g.cycle_objectives.get(cur or "", []):
        obj = refs.obj_page(oid)
        if obj and obj.org_unit:
            counts[obj.org_unit] = counts.get(obj.org_unit, 0) + 1

    def node(uid: str, seen: frozenset[str]) -> dict[str, Any]:
        ref = refs.unit(uid)
        kids = [node(c, seen | {uid}) for c in g.unit_children.get(uid, []) if c not in seen]
        return {**ref, "objectives": counts.get(uid, 0), "kpis": len(g.unit_kpis.get(uid, [])),  # type: ignore[dict-item]
                "children": kids}

    tree = [node(r.id, frozenset()) for r in refs.roots()]
    total = len(unit_order(refs))
    return PageJob(url, "index_units.html", page_context(
        refs, url, section="units", kind="index", title="Organisation", page_id="units",
        toc=[toc_entry(t["title"], f"tree-{t['id']}") for t in tree], tree=tree, total=total,
        current_cycle=refs.cycle(cur)))


def objectives_index(refs: Refs) -> PageJob:
    url = urls.INDEXES["objective"]
    order = {uid: i for i, uid in enumerate(unit_order(refs))}
    by_cycle: dict[str | None, list[Objective]] = {}
    for p in refs.graph.pages.values():
        if isinstance(p, Objective) and p.id in refs.results.objectives:
            cid = p.cycle if refs.cfg.cycle(p.cycle) else None
            by_cycle.setdefault(cid, []).append(p)
    groups = []
    for c in [*cycles_newest_first(refs), None]:
        objs = by_cycle.get(c.id if c else None, [])
        if not objs:
            continue
        objs.sort(key=lambda o: (order.get(o.org_unit or "", len(order)), o.title.lower(), o.id))
        summary = cycle_summary(refs, c, [o.id for o in objs]) if c else None
        groups.append({"cycle": refs.cycle(c.id) if c else None, "anchor": f"cycle-{c.id if c else 'none'}",
                       "summary": summary, "objectives": [refs.objective(o.id) for o in objs]})
    toc = [toc_entry(gr["cycle"]["title"] if gr["cycle"] else "No cycle", gr["anchor"]) for gr in groups]
    return PageJob(url, "index_objectives.html", page_context(
        refs, url, section="objectives", kind="index", title="Objectives", page_id="objectives",
        sidebar=[cycles_group(refs)], toc=toc, groups=groups,
        total=sum(len(gr["objectives"]) for gr in groups)))


def kpis_index(refs: Refs) -> PageJob:
    url = urls.INDEXES["kpi"]
    groups: dict[str, list[dict[str, Any]]] = {h: [] for h in HEALTH_ORDER}
    for p in refs.graph.pages.values():
        if isinstance(p, Kpi):
            ref = refs.kpi(p.id)
            groups.setdefault(ref["health"], []).append(  # type: ignore[index]
                {**ref, "org_unit": refs.unit(p.org_unit), "alert": num(p.alert),  # type: ignore[dict-item]
                 "range": [num(v) for v in p.range] if p.range else None, "spark": kpi_spark(refs, p.id)})
    out = []
    for h, items in groups.items():
        if items:
            items.sort(key=lambda k: (k["title"].lower(), k["id"]))
            out.append({"health": h, "anchor": f"health-{h}", "kpis": items})
    return PageJob(url, "index_kpis.html", page_context(
        refs, url, section="kpis", kind="index", title="KPIs", page_id="kpis",
        toc=[toc_entry(g["health"].replace("_", " ").capitalize(), g["anchor"]) for g in out],
        groups=out, total=sum(len(g["kpis"]) for g in out)))


def cycles_index(refs: Refs) -> PageJob:
    url = urls.INDEXES["cycle"]
    cards = []
    for c in cycles_newest_first(refs):
        ids = [o for o in refs.graph.cycle_objectives.get(c.id, []) if o in refs.results.objectives]
        cards.append({"cycle": refs.cycle(c.id), "summary": cycle_summary(refs, c, ids)})
    return PageJob(url, "index_cycles.html", page_context(
        refs, url, section="cycles", kind="index", title="Cycles", page_id="cycles",
        sidebar=[cycles_group(refs)], cards=cards))


def page_folders(refs: Refs) -> dict[str, list[FreePage]]:
    """Free pages by folder, each folder sorted by `order` then title (the handbook's reading order)."""
    folders: dict[str, list[FreePage]] = {}
    for p in refs.graph.pages.values():
        if isinstance(p, FreePage) and not urls.is_home_source(p):
            folders.setdefault(posixpath.dirname(p.file.rel), []).append(p)
    for pages in folders.values():
        pages.sort(key=reading_order)
    return dict(sorted(folders.items()))


def reading_order(p: FreePage) -> tuple[Any, ...]:
    return (p.order is None, p.order if p.order is not None else 0, p.title.lower(), p.id)


def folder_title(folder: str) -> str:
    return folder.rsplit("/", 1)[-1].replace("-", " ").replace("_", " ").capitalize() if folder else "Pages"


def pages_index(refs: Refs) -> PageJob:
    url = urls.INDEXES["page"]
    groups = []
    for folder, pages in page_folders(refs).items():
        items = []
        for p in pages:
            text = getattr(p.doc, "text", "") or ""
            items.append({**refs.page(p.id), "summary": text[:220] + ("…" if len(text) > 220 else "")})  # type: ignore[dict-item]
        groups.append({"title": folder_title(folder), "anchor": "folder-" + (folder.replace("/", "-") or "root"),
                       "pages": items})
    return PageJob(url, "index_pages.html", page_context(
        refs, url, section="handbook", kind="index", title="Handbook", page_id="pages",
        toc=[toc_entry(g["title"], g["anchor"]) for g in groups], groups=groups))


def index_jobs(refs: Refs) -> list[PageJob]:
    return [units_index(refs), objectives_index(refs), kpis_index(refs), cycles_index(refs), pages_index(refs)]
