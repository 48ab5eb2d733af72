"""Index pages: what per-page navigation leaves out, split into pages of bounded size.

Objectives: one run of pages per cycle (`objectives/index.html` is the current cycle's
first page), 100 rows a page in unit tree order, so every objective is on exactly one
page. KPIs: one run of pages, worst health first, with tiles that jump to where each
health starts. Units: the top levels of the tree, deeper ones summarised.
"""

from __future__ import annotations

import posixpath
from functools import partial
from typing import Any

from okrsite import urls
from okrsite.model import Cycle, FreePage
from okrsite.render import PageJob, PlannedPage
from okrsite.render.nav import cycles_group, page_context, page_count, pager, toc_entry
from okrsite.render.pages.alignment import cycle_tabs
from okrsite.render.pages.cycle import cycle_summary
from okrsite.render.pages.unit import UNIT_TREE_ROWS, cycles_newest_first
from okrsite.render.refs import Refs, num
from okrsite.render.rollup import EVERYTHING, HEALTH_ORDER, STRUCTURE, rollup
from okrsite.render.sparkline import kpi_spark

OBJECTIVES_PER_PAGE = 100
KPIS_PER_PAGE = 100
PAGES_PER_FOLDER = 200  # handbook pages listed per folder


# --- objectives ------------------------------------------------------------------------------------------

def objectives_url(refs: Refs, cycle_id: str, page: int = 1) -> str:
    return urls.objectives_index_url(cycle_id, page, refs.cfg.current_cycle)


def objective_pages(refs: Refs) -> list[PlannedPage]:
    ru = rollup(refs)
    out = []
    for c in refs.cfg.cycles:
        n = len(ru.cycles[c.id].ordered())
        if n or c.id == refs.cfg.current_cycle:
            for page in range(1, page_count(n, OBJECTIVES_PER_PAGE) + 1):
                out.append(PlannedPage(objectives_url(refs, c.id, page), partial(objectives_index, refs, c, page)))
    if not any(p.url == urls.INDEXES["objective"] for p in out):
        out.insert(0, PlannedPage(urls.INDEXES["objective"], partial(objectives_index, refs, None, 1)))
    return out


def objectives_index(refs: Refs, cycle: Cycle | None, page: int) -> PageJob:
    url = objectives_url(refs, cycle.id, page) if cycle else urls.INDEXES["objective"]
    ru = rollup(refs)
    ru.depend(STRUCTURE)  # which page each objective lands on: counts per unit and cycle
    tabs = cycle_tabs(refs, cycle.id if cycle else None,
                      lambda c: objectives_url(refs, c) if ru.cycles[c].total.count or c == refs.cfg.current_cycle
                      else None)
    groups: list[dict[str, Any]] = []
    ctx: dict[str, Any] = {"cycle": refs.cycle(cycle.id) if cycle else None, "tabs": tabs, "groups": groups,
                           "summary": None, "pager": None, "first": 0, "last": 0, "total": 0}
    if cycle is not None:
        g = ru.cycles[cycle.id]
        rows = g.ordered()
        shown = rows[(page - 1) * OBJECTIVES_PER_PAGE: page * OBJECTIVES_PER_PAGE]
        for oid, uid in shown:
            if not groups or groups[-1]["key"] != uid:
                groups.append({"key": uid, "unit": refs.unit(uid), "anchor": f"unit-{uid or 'none'}",
                               "map": urls.map_unit_url(cycle.id, uid) if uid else None, "objectives": []})
                if ru.tracking:  # a unit's objectives are sorted by title: a renamed one moves within its run
                    ru.depend(frozenset((n, o) for o in (g.own.get(uid, []) if uid else g.orphans)
                                        for n in ("g.pages", "r.objectives")))
            groups[-1]["objectives"].append(refs.objective(oid))
        first = (page - 1) * OBJECTIVES_PER_PAGE + 1
        if page == 1:  # the cycle's status mix heads its first page only: the others need not follow it
            ru.depend(lambda: ru.cycle_keys(cycle.id))
        ctx.update(summary=ru.judged(cycle, g.total) if page == 1 else None, first=first if shown else 0,
                   last=first + len(shown) - 1,
                   total=len(rows), pager=pager(page, page_count(len(rows), OBJECTIVES_PER_PAGE),
                                                lambda n: objectives_url(refs, cycle.id, n)))
    home = urls.INDEXES["objective"]
    title = "Objectives" + (f" · {cycle.title}" if cycle and url != home else "")
    if ctx["pager"]:
        title += f" · page {page}"
    toc = [toc_entry(gr["unit"]["title"] if gr["unit"] else "Without a unit", gr["anchor"]) for gr in groups[:30]]
    return PageJob(url, "index_objectives.html", page_context(
        refs, url, section="objectives", kind="index", title=title, page_id="objectives",
        crumbs=None if url == home else [{"title": "Objectives", "url": home}],
        sidebar=[cycles_group(refs, cycle.id if cycle else None)], toc=toc, **ctx))


# --- KPIs ------------------------------------------------------------------------------------------------

def kpi_health_starts(refs: Refs) -> dict[str, tuple[int, int]]:
    """Per health: how many KPIs have it, and the index page where they start."""
    ru = rollup(refs)
    ru.depend(STRUCTURE, ru.kpi_keys)
    starts: dict[str, tuple[int, int]] | None = ru.memo.get("kpi-health-starts")
    if starts is None:
        starts = ru.memo["kpi-health-starts"] = {}
        for i, kid in enumerate(ru.kpis()):
            h = refs.results.kpis[kid].health
            n, page = starts.get(h, (0, i // KPIS_PER_PAGE + 1))
            starts[h] = (n + 1, page)
    return starts


def kpi_health_url(refs: Refs, health: str) -> str:
    """Where the KPIs of one health start in the index (with the anchor of their heading)."""
    page = kpi_health_starts(refs).get(health, (0, 1))[1]
    return f"{urls.kpis_index_url(page)}#health-{health}"


def kpi_pages(refs: Refs) -> list[PlannedPage]:
    pages = page_count(len(rollup(refs).kpis()), KPIS_PER_PAGE)
    return [PlannedPage(urls.kpis_index_url(n), partial(kpis_index, refs, n)) for n in range(1, pages + 1)]


def kpis_index(refs: Refs, page: int) -> PageJob:
    url = urls.kpis_index_url(page)
    rollup(refs).depend(STRUCTURE, rollup(refs).kpi_keys)  # one order for every KPI: any health change moves some
    ids = rollup(refs).kpis()
    shown = ids[(page - 1) * KPIS_PER_PAGE: page * KPIS_PER_PAGE]
    groups: list[dict[str, Any]] = []
    for kid in shown:
        k = refs.kpi(kid)
        p = refs.kpi_page(kid)
        assert k is not None and p is not None
        if not groups or groups[-1]["health"] != k["health"]:
            groups.append({"health": k["health"], "anchor": f"health-{k['health']}", "kpis": []})
        groups[-1]["kpis"].append({**k, "org_unit": refs.unit(p.org_unit), "alert": num(p.alert),
                                   "range": [num(v) for v in p.range] if p.range else None,
                                   "spark": kpi_spark(refs, kid)})
    starts = kpi_health_starts(refs)
    for gr in groups:
        gr["count"] = starts[gr["health"]][0]
        gr["continued"] = starts[gr["health"]][1] < page
    tiles = [{"health": h, "count": starts.get(h, (0, 1))[0],
              "url": kpi_health_url(refs, h) if h in starts else None} for h in HEALTH_ORDER]
    n = page_count(len(ids), KPIS_PER_PAGE)
    first = (page - 1) * KPIS_PER_PAGE + 1
    return PageJob(url, "index_kpis.html", page_context(
        refs, url, section="kpis", kind="index", title="KPIs" + (f" · page {page}" if n > 1 else ""),
        page_id="kpis", crumbs=[{"title": "KPIs", "url": urls.INDEXES["kpi"]}] if page > 1 else None,
        toc=[toc_entry(g["health"].replace("_", " ").capitalize(), g["anchor"]) for g in groups],
        groups=groups, tiles=tiles, total=len(ids), first=first if shown else 0, last=first + len(shown) - 1,
        pager=pager(page, n, urls.kpis_index_url)))


# --- units -----------------------------------------------------------------------------------------------

def units_index(refs: Refs) -> PageJob:
    """The unit tree, expanded level by level while it stays within `UNIT_TREE_ROWS` rows."""
    url = urls.INDEXES["org_unit"]
    g = refs.graph
    ru = rollup(refs)
    ru.depend(EVERYTHING)  # the whole unit tree
    cur = refs.cfg.current_cycle
    groups = ru.cycles.get(cur or "")
    children = ru.tree_children()
    shown_roots, depth = ru.tree_levels(UNIT_TREE_ROWS)
    roots_all = sum(1 for u in ru.unit_order if u not in ru.tree_parent)
    truncated = False

    def node(uid: str, d: int) -> dict[str, Any]:
        nonlocal truncated
        ref = refs.unit(uid)
        below = groups.below.get(uid) if groups else None
        kids = children.get(uid, [])
        truncated = truncated or bool(kids and d >= depth)
        return {**ref, "objectives": len(groups.own.get(uid, [])) if groups else 0,  # type: ignore[dict-item]
                "below": below.count if below else 0, "kpis": len(g.unit_kpis.get(uid, [])),
                "units": len(kids), "map": urls.map_unit_url(cur, uid) if below and cur else None,
                "children": [node(c, d + 1) for c in kids] if d < depth else []}

    tree = [node(r, 0) for r in shown_roots]
    return PageJob(url, "index_units.html", page_context(
        refs, url, section="units", kind="index", title="Units", page_id="units",
        toc=[toc_entry(t["title"], f"tree-{t['id']}") for t in tree[:30]], tree=tree, total=len(ru.unit_order),
        roots_more=roots_all - len(shown_roots), levels=depth + 1, truncated=truncated, current_cycle=refs.cycle(cur)))


# --- cycles and free pages -------------------------------------------------------------------------------

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
        for p in pages[:PAGES_PER_FOLDER]:  # the rest are a "next" away from the last one listed
            text = getattr(p.doc, "text", "") or ""
            items.append({**refs.page(p.id), "summary": text[:220] + ("…" if len(text) > 220 else "")})  # type: ignore[dict-item]
        groups.append({"title": folder_title(folder), "anchor": "folder-" + (folder.replace("/", "-") or "root"),
                       "pages": items, "more": len(pages) - len(items)})
    return PageJob(url, "index_pages.html", page_context(
        refs, url, section="handbook", kind="index", title="Handbook", page_id="pages",
        toc=[toc_entry(g["title"], g["anchor"]) for g in groups], groups=groups))


def index_pages(refs: Refs) -> list[PlannedPage]:
    """Every index page by URL; contexts are built when a page is made."""
    out = [PlannedPage(urls.INDEXES["org_unit"], partial(units_index, refs))]
    out += objective_pages(refs)
    out += kpi_pages(refs)
    out += [PlannedPage(urls.INDEXES["cycle"], partial(cycles_index, refs)),
            PlannedPage(urls.INDEXES["page"], partial(pages_index, refs))]
    return out
