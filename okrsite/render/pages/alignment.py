"""The alignment map: portfolio → units → objectives → key results → KPIs, one tree per cycle.

Each tree is drawn twice: as a plotly sunburst coloured by status (interactive),
and as a nested HTML list that needs no JavaScript and prints.
"""

from __future__ import annotations

from typing import Any

from okrsite import urls
from okrsite.model import Cycle
from okrsite.render import PageJob
from okrsite.render.charts import CONFIG, layout, plain, short
from okrsite.render.filters import pct, status_label, tone, url_path
from okrsite.render.nav import cycles_group, page_context, toc_entry
from okrsite.render.refs import Refs, num

Node = dict[str, Any]
MAX_CHART_NODES = 4000  # beyond this the sunburst leaves out KPIs, then key results (the outline has them)


def _kr_nodes(refs: Refs, oid: str) -> list[Node]:
    obj = refs.obj_page(oid)
    res = refs.results.objectives[oid]
    nodes = []
    for kr, r in zip(obj.key_results if obj else [], res.key_results, strict=False):
        ref = refs.kr(oid, kr.id)
        if ref is None:
            continue
        children = []
        if kr.kpi and (k := refs.kpi(kr.kpi)):
            children.append({"kind": "kpi", "key": f"{oid}/{kr.id}/{k['id']}", "title": k["title"], "url": k["url"],
                             "status": k["health"], "progress": None, "children": []})
        nodes.append({"kind": "kr", "key": f"{oid}/{kr.id}", "title": kr.title, "url": ref["url"],
                      "status": ref["status"], "progress": num(r.progress, 4), "children": children})
    return nodes


def _objective_node(refs: Refs, oid: str) -> Node:
    o = refs.objective(oid)
    obj = refs.obj_page(oid)
    assert o is not None and obj is not None
    children = _kr_nodes(refs, oid)
    measured = {kr.kpi for kr in obj.key_results if kr.kpi}
    for kid in obj.kpis:
        k = refs.kpi(kid)
        if k and kid not in measured:
            children.append({"kind": "kpi", "key": f"{oid}/{kid}", "title": k["title"], "url": k["url"],
                             "status": k["health"], "progress": None, "children": []})
    aligned = [{"title": (p["kr"] or p["objective"])["title"], "url": (p["kr"] or p["objective"])["url"]}
               for p in refs.parent_refs(oid)]
    return {"kind": "objective", "key": oid, "title": o["title"], "url": o["url"], "status": o["grade"] or o["status"],
            "progress": o["progress"], "children": children, "aligned": aligned}


def cycle_tree(refs: Refs, cycle: Cycle) -> tuple[list[Node], int]:
    """Root nodes of the unit tree pruned to units with objectives of `cycle` below them."""
    g = refs.graph
    ids = [o for o in g.cycle_objectives.get(cycle.id, []) if o in refs.results.objectives]
    by_unit: dict[str, list[str]] = {}
    orphans = []
    for oid in ids:
        obj = refs.obj_page(oid)
        if obj and refs.unit(obj.org_unit):
            by_unit.setdefault(obj.org_unit, []).append(oid)  # type: ignore[arg-type]
        else:
            orphans.append(oid)
    keep: set[str] = set()
    for uid in by_unit:
        keep.update(u["id"] for u in refs.unit_chain(uid))

    def unit_node(uid: str, seen: frozenset[str]) -> Node:
        u = refs.unit(uid)
        assert u is not None
        kids = [unit_node(c, seen | {uid}) for c in g.unit_children.get(uid, []) if c in keep and c not in seen]
        objs = [_objective_node(refs, o) for o in by_unit.get(uid, [])]
        return {"kind": "unit", "key": uid, "title": u["title"], "url": u["url"], "status": None,
                "progress": None, "note": u["kind"].replace("_", " "), "children": objs + kids}

    roots = [unit_node(r.id, frozenset()) for r in refs.roots() if r.id in keep]
    if orphans:
        roots.append({"kind": "unit", "key": "(none)", "title": "No unit", "url": None, "status": None,
                      "progress": None, "note": "", "children": [_objective_node(refs, o) for o in orphans]})
    return roots, len(ids)


def chart_depth(counts: dict[str, int]) -> set[str]:
    """Node kinds the sunburst leaves out so that a huge portfolio stays drawable."""
    total = sum(counts.values())
    if total <= MAX_CHART_NODES:
        return set()
    if total - counts["kpi"] <= MAX_CHART_NODES:
        return {"kpi"}
    return {"kpi", "kr"}


def sunburst(refs: Refs, cycle: Cycle, roots: list[Node], skip: set[str]) -> dict[str, Any]:
    ids: list[str] = []
    labels: list[str] = []
    parents: list[str] = []
    colours: list[str] = []
    text_colours: list[str] = []
    hover: list[str] = []
    links: list[str] = []
    kinds = {"unit": "Unit", "objective": "Objective", "kr": "Key result", "kpi": "KPI"}

    top = ""
    if len(roots) != 1:
        top = "site"
        ids.append(top)
        labels.append(short(refs.cfg.title, 28))
        parents.append("")
        colours.append("var(--surface-3)")
        text_colours.append("var(--fg)")
        hover.append(plain(refs.cfg.title))
        links.append(urls.INDEXES["org_unit"])

    def add(node: Node, parent: str) -> None:
        if node["kind"] in skip:
            return
        nid = f"{node['kind']}:{node['key']}"
        ids.append(nid)
        labels.append(short(node["title"], 28))
        parents.append(parent)
        if node["status"]:
            t = tone(node["status"])
            colours.append(f"var(--tone-{t})")
            text_colours.append(f"var(--on-tone-{t})")
        else:
            colours.append("var(--surface-3)")
            text_colours.append("var(--fg)")
        extra = ""
        if node["status"]:
            extra = f"<br>{status_label(node['status'])}"
        if node["progress"] is not None:
            extra += f" · {pct(node['progress'])}"
        hover.append(f"{kinds[node['kind']]}: {plain(node['title'])}{extra}")
        links.append(url_path(node["url"]) if node["url"] else "")
        for child in node["children"]:
            add(child, nid)

    for r in roots:
        add(r, top)
    data = [{"type": "sunburst", "ids": ids, "labels": labels, "parents": parents, "customdata": links,
             "hovertext": hover, "hoverinfo": "text", "insidetextorientation": "auto",
             "marker": {"colors": colours, "line": {"color": "var(--bg)", "width": 1.5}},
             "textfont": {"color": text_colours}, "leaf": {"opacity": 1}}]
    # labels too small to read are left out (hover and the outline name every segment)
    lay = layout(showlegend=False, margin={"l": 0, "r": 0, "t": 0, "b": 0}, uniformtext={"minsize": 9, "mode": "hide"})
    return {"data": data, "layout": {**lay, "height": 640}, "config": CONFIG}


def count_nodes(roots: list[Node]) -> dict[str, int]:
    counts = {"unit": 0, "objective": 0, "kr": 0, "kpi": 0}
    stack = list(roots)
    while stack:
        n = stack.pop()
        counts[n["kind"]] += 1
        stack.extend(n["children"])
    return counts


def map_job(refs: Refs) -> PageJob:
    url = urls.MAP
    cycles = []
    for c in reversed(refs.cfg.cycles):
        roots, n = cycle_tree(refs, c)
        counts = count_nodes(roots)
        chart = None
        if n:
            skip = chart_depth(counts)
            left_out = " and ".join({"kr": "key results", "kpi": "KPIs"}[k] for k in sorted(skip, reverse=True))
            summary = (f"{c.title}: {counts['unit']} units, {counts['objective']} objectives, "
                       f"{counts['kr']} key results, {counts['kpi']} KPI links; coloured by status. "
                       + (f"The chart leaves out {left_out} at this size; " if skip else "")
                       + "The outline below lists the whole tree.")
            chart = {"id": f"chart-map-{c.id}", "height": 640, "label": f"Alignment map of {c.title}",
                     "summary": summary, "table": None, "figure": sunburst(refs, c, roots, skip)}
        cycles.append({"cycle": refs.cycle(c.id), "anchor": f"cycle-{c.id}", "outline": roots, "count": n,
                       "chart": chart})
    selected = refs.cfg.current_cycle or (refs.cfg.cycles[-1].id if refs.cfg.cycles else None)
    toc = [toc_entry("Map", "map"), toc_entry("Outline", "outline")]
    toc += [toc_entry(c["cycle"]["title"], c["anchor"], 3) for c in cycles]
    return PageJob(url, "map.html", page_context(
        refs, url, section="map", kind="map", title="Alignment map", page_id="map",
        sidebar=[cycles_group(refs)], toc=toc, charts=any(c["chart"] for c in cycles),
        cycles=cycles, selected=selected,
    ))
