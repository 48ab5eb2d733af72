"""The alignment map, split so that every page stays light: a landing per cycle and a page per unit.

`map.html` (the current cycle) and `map/CYCLE.html` show a cycle's top level: the
units under the root(s) with counts and status mix. `map/CYCLE/UNIT.html` shows one
unit's subtree in that cycle: its own objectives → key results → KPIs, and its child
units summarised, each linking to its own map page. A sunburst draws the same
bounded tree (at most `SEGMENTS` segments) and drills down by loading the child's
page; the outline under it lists that tree without JavaScript.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from okrsite import urls
from okrsite.model import Cycle
from okrsite.render import PageJob, PlannedPage
from okrsite.render.charts import CONFIG, layout, plain, short
from okrsite.render.filters import pct, status_label, tone, unit_kind, url_path
from okrsite.render.nav import NAV_CAP, group, item, page_context, page_count, pager, toc_entry
from okrsite.render.pages.unit import cycles_newest_first
from okrsite.render.refs import Ref, Refs, num
from okrsite.render.rollup import EVERYTHING, STRUCTURE, CycleGroups, rollup

Node = dict[str, Any]
SEGMENTS = 120  # most segments one sunburst draws: what a reader can take in, and quick to draw
MIN_LABEL_SHARE = 1 / 60  # a segment narrower than this share of the circle gets no label (its hover names it)
OBJECTIVES_PER_PAGE = 40  # a unit's own objectives on one map page (each with its key results and KPIs)
UNITS_PER_PAGE = 200  # child units summarised on one map page
LANDING_ROWS = 300  # units listed on a cycle's landing
CHART_HEIGHT = 640
KINDS = {"unit": "Unit", "objective": "Objective", "kr": "Key result", "kpi": "KPI"}


# --- URLs --------------------------------------------------------------------------------------------

def landing_url(refs: Refs, cycle_id: str | None) -> str:
    return urls.map_landing_url(cycle_id, refs.cfg.current_cycle)


def unit_map_url(refs: Refs, cycle_id: str, unit_id: str) -> str | None:
    """The map page of a unit in a cycle, or None when no objective of the cycle sits in its subtree."""
    g = rollup(refs).cycles.get(cycle_id)
    return urls.map_unit_url(cycle_id, unit_id) if g is not None and unit_id in g.below else None


def map_pages_of(g: CycleGroups, uid: str) -> int:
    return max(page_count(len(g.own.get(uid, [])), OBJECTIVES_PER_PAGE),
               page_count(len(g.children.get(uid, [])), UNITS_PER_PAGE))


def map_pages(refs: Refs) -> list[PlannedPage]:
    """Every map page, known without building a context: a landing per cycle, then (cycle, unit) pages."""
    ru = rollup(refs)
    cycles = refs.cfg.cycles
    out = [PlannedPage(landing_url(refs, c.id), partial(landing_job, refs, c)) for c in cycles]
    if not any(p.url == urls.MAP for p in out):  # no cycles (or no current one): the tab still opens
        out.insert(0, PlannedPage(urls.MAP, partial(landing_job, refs, None)))
    for c in cycles:
        g = ru.cycles[c.id]
        for uid in ru.unit_order:
            if uid in g.below:
                for n in range(1, map_pages_of(g, uid) + 1):
                    out.append(PlannedPage(urls.map_unit_url(c.id, uid, n), partial(unit_map_job, refs, c, uid, n)))
    return out


# --- nodes: what the sunburst and the outline draw ----------------------------------------------------

def _kpi_node(k: Ref, key: str) -> Node:
    return {"kind": "kpi", "key": key, "title": k["title"], "url": k["url"], "status": k["health"],
            "progress": None, "children": [], "value": 1}


def objective_node(refs: Refs, oid: str) -> Node:
    """An objective with its key results (each with the KPI measuring it) and the KPIs it names.

    Built once per render (its unit's page and the one above both draw it): callers copy, never change it."""
    return rollup(refs).remembered(("objective-node", oid), lambda: _objective_node(refs, oid))  # type: ignore[no-any-return]


def _objective_node(refs: Refs, oid: str) -> Node:
    o = refs.objective(oid)
    obj = refs.obj_page(oid)
    res = refs.results.objectives[oid]
    assert o is not None and obj is not None
    children: list[Node] = []
    for kr, r in zip(obj.key_results, res.key_results, strict=False):
        ref = refs.kr(oid, kr.id)
        if ref is None:
            continue
        kids = []
        if kr.kpi and (k := refs.kpi(kr.kpi)):
            kids.append(_kpi_node(k, f"{oid}/{kr.id}/{k['id']}"))
        children.append({"kind": "kr", "key": f"{oid}/{kr.id}", "title": kr.title, "url": ref["url"],
                         "status": ref["status"], "progress": num(r.progress, 4), "children": kids, "value": 1})
    measured = {kr.kpi for kr in obj.key_results if kr.kpi}
    for kid in obj.kpis:
        k = refs.kpi(kid)
        if k and kid not in measured:
            children.append(_kpi_node(k, f"{oid}/{kid}"))
    aligned = [{"title": (p["kr"] or p["objective"])["title"], "url": (p["kr"] or p["objective"])["url"]}
               for p in refs.parent_refs(oid)]
    return {"kind": "objective", "key": oid, "title": o["title"], "url": o["url"], "owner": o["owner"],
            "status": o["grade"] or o["status"], "progress": o["progress"], "children": children,
            "aligned": aligned, "value": max(1, len(children))}


def unit_node(refs: Refs, cycle: Cycle, uid: str) -> Node:
    """A unit summarised: its subtree's tally, coloured by its roll-up, drilling down to its map page."""
    ru = rollup(refs)
    g = ru.cycles[cycle.id]
    row = ru.unit_row(cycle, uid, urls.map_unit_url(cycle.id, uid))
    u = row["unit"]
    return {"kind": "unit", "key": uid, "title": u["title"], "url": u["url"], "drill": row["map"],
            "status": row["status"], "progress": row["progress"], "note": u["kind"], "row": row,
            "children": [], "value": g.below[uid].weight}


def biggest(ring: list[Node], what: str, drill: str | None, budget: int = SEGMENTS) -> list[Node]:
    """A first ring too big to draw: its biggest segments, in their order, and one segment for the rest."""
    if len(ring) < budget:
        return ring
    keep = {id(n) for n in sorted(ring, key=lambda n: -n["value"])[:budget - 2]}  # stable: ties keep order
    rest = [n for n in ring if id(n) not in keep]
    return [n for n in ring if id(n) in keep] + [{
        "kind": "more", "key": "(more)", "title": f"{len(rest)} more {what}", "url": None, "drill": drill,
        "status": None, "progress": None, "note": "", "children": [], "value": sum(n["value"] for n in rest)}]


def fit_rings(first: list[Node], grow: Callable[[list[Node], int, int], bool], budget: int = SEGMENTS) -> None:
    """Attach rings under `first` while the whole figure stays within `budget` segments.

    `grow(frontier, step, room)` attaches the next ring under the nodes of `frontier` when it
    has at most `room` nodes, and says whether it did; a ring that does not fit is left out
    whole, so every drawn unit shows all of its parts and sizes stay proportional.
    """
    used = 1 + len(first)  # the centre and the first ring
    frontier = first
    step = 0
    while grow(frontier, step, budget - used):
        frontier = [c for n in frontier for c in n["children"]]
        used += len(frontier)
        step += 1


def sunburst(centre: Node, ring: list[Node]) -> dict[str, Any]:
    """A plotly sunburst of `centre` and its drawn descendants, sized by key results, coloured by status."""
    ids: list[str] = []
    labels: list[str] = []
    parents: list[str] = []
    values: list[int] = []
    colours: list[str] = []
    text_colours: list[str] = []
    hover: list[str] = []
    links: list[list[str]] = []

    def add(node: Node, parent: str) -> int:
        nid = f"{node['kind']}:{node['key']}"
        i = len(ids)
        ids.append(nid)
        labels.append(short(node["title"], 28))
        parents.append(parent)
        values.append(0)
        if node["status"]:
            t = tone(node["status"])
            colours.append(f"var(--tone-{t})")
            text_colours.append(f"var(--on-tone-{t})")
        else:
            colours.append("var(--surface-3)")
            text_colours.append("var(--fg)")
        what = unit_kind(node.get("note")) if node["kind"] == "unit" and node.get("note") else KINDS.get(node["kind"])
        extra = f"<br>{status_label(node['status'])}" if node["status"] else ""
        if node["progress"] is not None:
            extra += f" · {pct(node['progress'])}"
        if node.get("row"):
            r = node["row"]
            extra += f"<br>{r['count']} objective{'s' if r['count'] != 1 else ''}: " + ", ".join(
                f"{m['count']} {status_label(m['status']).lower()}" for m in r["mix"])
        if node["kind"] == "more":
            hover.append(f"{plain(node['title'])}<br><i>Click to list them</i>")
        else:
            click = "" if not node.get("drill") else "go up a level" if node.get("up") else "open its map"
            hover.append(f"{what}: {plain(node['title'])}{extra}" + (f"<br><i>Click to {click}</i>" if click else ""))
        links.append([url_path(node["url"]) if node["url"] else "",
                      url_path(node["drill"]) if node.get("drill") else ""])
        total = sum(add(c, nid) for c in node["children"])
        values[i] = max(node["value"], total)  # "total" branch values: a parent at least its parts
        return values[i]

    root = len(ids)
    add({**centre, "children": []}, "")
    values[root] = sum(add(n, ids[root]) for n in ring) or 1
    for i in range(root + 1, len(ids)):  # too thin to read: no label to lay out (plotly would hide it anyway)
        if values[i] < values[root] * MIN_LABEL_SHARE:
            labels[i] = ""
    data = [{"type": "sunburst", "ids": ids, "labels": labels, "parents": parents, "values": values,
             "branchvalues": "total", "customdata": links, "hovertext": hover, "hoverinfo": "text",
             "insidetextorientation": "auto", "sort": False,
             "marker": {"colors": colours, "line": {"color": "var(--bg)", "width": 1.5}},
             "textfont": {"color": text_colours}, "leaf": {"opacity": 1}}]
    # labels too small to read are left out (hover and the outline name every segment)
    lay = layout(showlegend=False, margin={"l": 0, "r": 0, "t": 0, "b": 0}, uniformtext={"minsize": 9, "mode": "hide"})
    return {"data": data, "layout": {**lay, "height": CHART_HEIGHT}, "config": CONFIG}


def count_segments(nodes: list[Node]) -> int:
    """Segments drawn for these nodes and their descendants (the "N more" segment not counted)."""
    stack = list(nodes)
    n = 0
    while stack:
        x = stack.pop()
        n += x["kind"] != "more"
        stack.extend(x["children"])
    return n


def _chart(chart_id: str, label: str, summary: str, centre: Node, ring: list[Node]) -> dict[str, Any] | None:
    if not ring:
        return None
    return {"id": chart_id, "height": CHART_HEIGHT, "label": label, "summary": summary, "table": None,
            "figure": sunburst(centre, ring)}


# --- shared page parts --------------------------------------------------------------------------------

def cycle_tabs(refs: Refs, selected: str | None, url_of: Callable[[str], str | None],
               unit: str | None = None) -> list[dict[str, Any]]:
    """One link per cycle, newest first (a handful: cycles come from okrsite.yaml), with its objective
    count: all of the cycle's, or those of `unit`'s subtree."""
    ru = rollup(refs)
    tabs = []
    for c in cycles_newest_first(refs):
        ref = refs.cycle(c.id)
        g = ru.cycles[c.id]
        count = g.total.count if unit is None else (g.below[unit].count if unit in g.below else 0)
        tabs.append({"id": c.id, "title": c.title, "url": url_of(c.id), "count": count,
                     "state": ref["state"] if ref else None, "current": c.id == refs.cfg.current_cycle,
                     "selected": c.id == selected})
    return tabs


def _summary(refs: Refs, cycle: Cycle, g: CycleGroups) -> dict[str, Any]:
    return {**rollup(refs).judged(cycle, g.total), "units": len(g.below)}


# --- the landing: a cycle's top level --------------------------------------------------------------------

def top_rows(refs: Refs, cycle: Cycle, cap: int = LANDING_ROWS) -> tuple[list[dict[str, Any]], int]:
    """The root(s) and their child units, summarised: at most `cap` rows, and how many were left out."""
    ru = rollup(refs)
    g = ru.cycles[cycle.id]
    rows: list[dict[str, Any]] = []
    wanted = 0
    for r in g.roots:
        wanted += 1 + len(g.children.get(r, []))
        for uid, depth in [(r, 0), *((c, 1) for c in g.children.get(r, []))]:
            if len(rows) < cap:
                rows.append({**ru.unit_row(cycle, uid, urls.map_unit_url(cycle.id, uid)), "depth": depth})
    return rows, wanted - len(rows)


def landing_job(refs: Refs, cycle: Cycle | None) -> PageJob:
    cid = cycle.id if cycle else None
    url = landing_url(refs, cid)
    tabs = cycle_tabs(refs, cid, lambda c: landing_url(refs, c))
    ctx: dict[str, Any] = {"cycle": refs.cycle(cid), "tabs": tabs, "summary": None, "chart": None, "rows": [],
                           "rows_more": 0, "orphans": [], "root_map": None}
    toc = []
    rollup(refs).depend(EVERYTHING)  # the whole cycle's top level: rebuilt on any edit (one page a cycle)
    if cycle is not None:
        ru = rollup(refs)
        g = ru.cycles[cycle.id]
        rows, more = top_rows(refs, cycle)
        ctx.update(summary=_summary(refs, cycle, g), rows=rows, rows_more=more,
                   orphans=[refs.objective(o) for o in g.orphans[:NAV_CAP]],
                   root_map=urls.map_unit_url(cycle.id, g.roots[0]) if len(g.roots) == 1 else None)
        if len(g.roots) == 1:
            centre = unit_node(refs, cycle, g.roots[0])
            first = [unit_node(refs, cycle, c) for c in g.children.get(g.roots[0], [])]
        else:
            centre = {"kind": "unit", "key": "(site)", "title": refs.cfg.title, "url": urls.INDEXES["org_unit"],
                      "status": ctx["summary"]["status"], "progress": ctx["summary"]["progress"], "note": "",
                      "children": [], "value": g.total.weight}
            first = [unit_node(refs, cycle, r) for r in g.roots]
        if len(first) >= SEGMENTS:
            first = biggest(first, f"units of {cycle.title}", ctx["root_map"])
        else:
            fit_rings(first, rings(refs, cycle, False))
        if first:
            drawn = count_segments(first)
            ctx["chart"] = _chart(
                f"chart-map-{cycle.id}", f"Alignment map of {cycle.title}",
                f"{cycle.title}: {g.total.count} objectives in {len(g.below)} units, {drawn} units drawn, "
                f"coloured by their roll-up status. Select a unit to open its part of the map; "
                "the table below lists the same units.", centre, first)
        toc = [toc_entry("Map", "map"), toc_entry("Units", "units")]
    return PageJob(url, "map.html", page_context(
        refs, url, section="map", kind="map", title="Alignment map", page_id="map",
        crumbs=[{"title": "Map", "url": urls.MAP}] if url != urls.MAP else None,
        sidebar=[_cycles_group(tabs)], toc=toc, charts=ctx["chart"] is not None, **ctx))


def _cycles_group(tabs: list[dict[str, Any]]) -> dict[str, Any]:
    items = [{"title": t["title"], "url": t["url"], "current": t["selected"], "status": t["state"],
              "note": "", "depth": 0} for t in tabs if t["url"]]
    return group("Cycles", items, url=urls.INDEXES["cycle"])


# --- one unit's subtree in one cycle ---------------------------------------------------------------------

def unit_map_job(refs: Refs, cycle: Cycle, uid: str, page: int) -> PageJob:
    ru = rollup(refs)
    ru.depend(STRUCTURE, lambda: ru.subtree_keys(cycle.id, uid))  # its subtree's objectives: tallies, rings
    g = ru.cycles[cycle.id]
    url = urls.map_unit_url(cycle.id, uid, page)
    u = refs.unit(uid)
    assert u is not None
    own_all = g.own.get(uid, [])
    kids_all = g.children.get(uid, [])
    pages = map_pages_of(g, uid)
    own = own_all[(page - 1) * OBJECTIVES_PER_PAGE: page * OBJECTIVES_PER_PAGE]
    kids = kids_all[(page - 1) * UNITS_PER_PAGE: page * UNITS_PER_PAGE]
    objectives = [objective_node(refs, o) for o in own]
    units = [unit_node(refs, cycle, c) for c in kids]
    rows = [n["row"] for n in units]

    first = [*objectives, *units]
    centre = unit_node(refs, cycle, uid)
    parent = ru.tree_parent.get(uid)
    centre["drill"] = urls.map_unit_url(cycle.id, parent) if parent else landing_url(refs, cycle.id)
    centre["up"] = True
    centre["value"] = 0

    chart = None
    if first:
        # outline nodes keep their full key results; the chart gets copies trimmed to what fits
        drawn = [{**n, "children": [], "full": n["children"]} if n["kind"] == "objective" else n for n in first]
        if len(drawn) >= SEGMENTS:
            drawn = biggest(drawn, "objectives and units (listed below)", url + ("#units" if units else "#objectives"))
        else:
            fit_rings(drawn, rings(refs, cycle, True))
        drawn_n = count_segments(drawn)
        sub = f" (page {page} of {pages})" if pages > 1 else ""
        chart = _chart(f"chart-map-{cycle.id}-{uid}", f"Alignment map of {u['title']} in {cycle.title}",
                       f"{u['title']} in {cycle.title}{sub}: {len(own_all)} own objective"
                       f"{'s' if len(own_all) != 1 else ''} and {len(kids_all)} unit{'s' if len(kids_all) != 1 else ''}"
                       f" with objectives below; {drawn_n} segments drawn, coloured by status. "
                       "Select a unit to open its map; the outline below lists the same tree.", centre, drawn)

    chain = refs.unit_chain(uid)
    crumbs: list[Ref] = [{"title": "Map", "url": urls.MAP}]
    if landing_url(refs, cycle.id) != urls.MAP:
        crumbs.append({"title": cycle.title, "url": landing_url(refs, cycle.id)})
    crumbs += [{"title": a["title"], "url": urls.map_unit_url(cycle.id, a["id"])} for a in chain[:-1]]

    tree = [item({"title": a["title"], "url": urls.map_unit_url(cycle.id, a["id"])}, current=a["id"] == uid, depth=i)
            for i, a in enumerate(chain)]
    tree += [item({"title": n["title"], "url": n["drill"]}, status=n["status"], depth=len(chain))
             for n in units[:NAV_CAP]]
    more = len(kids_all) - min(NAV_CAP, len(units))
    nav = group("Map", tree, cap=NAV_CAP + len(chain))
    if more > 0:
        nav["more"] = {"url": url + "#units", "label": f"{more} more…"}
    tabs = cycle_tabs(refs, cycle.id, lambda c: unit_map_url(refs, c, uid), unit=uid)
    sidebar = [nav, _cycles_group(tabs)]
    toc = [toc_entry("Map", "map")]
    if objectives:
        toc.append(toc_entry("Objectives", "objectives"))
    if units:
        toc.append(toc_entry("Units", "units"))
    up = chain[-2] if len(chain) > 1 else None
    return PageJob(url, "map_unit.html", page_context(
        refs, url, section="map", kind="map", page_id=f"map-{cycle.id}-{uid}",
        title=f"{u['title']} · {cycle.title}" + (f" · page {page}" if page > 1 else ""),
        crumbs=crumbs, sidebar=sidebar, toc=toc, charts=chart is not None,
        cycle=refs.cycle(cycle.id), unit=u, tabs=tabs, chart=chart,
        summary={**ru.judged(cycle, g.below[uid]), "own": len(own_all), "units": len(kids_all)},
        objectives=objectives, rows=rows,
        up={"title": up["title"], "url": urls.map_unit_url(cycle.id, up["id"])} if up else
        {"title": f"{cycle.title} overview", "url": landing_url(refs, cycle.id)},
        pager=pager(page, pages, lambda n: urls.map_unit_url(cycle.id, uid, n)),
        first=(page - 1) * OBJECTIVES_PER_PAGE + 1 if own else 0,
    ))


def rings(refs: Refs, cycle: Cycle, unit_objectives: bool) -> Callable[[list[Node], int, int], bool]:
    """How a map grows ring by ring: under each unit its child units (and in the first ring, with
    `unit_objectives`, its own objectives, undivided); under each of the page's own objectives its key
    results, and under those the KPIs measuring them. Sizes are counted before any node is built."""
    g = rollup(refs).cycles[cycle.id]

    def grow(frontier: list[Node], step: int, room: int) -> bool:
        with_objectives = unit_objectives and step == 0
        size = 0
        for n in frontier:
            if n["kind"] == "unit":
                size += len(g.children.get(n["key"], [])) + (len(g.own.get(n["key"], [])) if with_objectives else 0)
            else:
                size += len(n.get("full", ()))
        if not size or size > room:
            return False
        for n in frontier:
            if n["kind"] == "unit":
                kids = [{**objective_node(refs, o), "children": []} for o in g.own.get(n["key"], [])
                        ] if with_objectives else []
                n["children"] = kids + [unit_node(refs, cycle, c) for c in g.children.get(n["key"], [])]
            elif "full" in n:
                n["children"] = [{**c, "children": [], "full": c["children"]} for c in n.pop("full")]
        return True

    return grow
