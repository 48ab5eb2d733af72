"""The dependency view: who needs whom between top-level units in the current cycle.

Objectives are grouped by the root of their unit's tree (value streams, say), so the matrix stays
small however many teams there are: at most `MATRIX_CAP` units a side, the rest as "Other units".
A cell counts the `depends_on` entries from objectives of its row's unit on objectives of its
column's unit; it is drawn in the bad tone when any of them is in trouble. The tables beside the
chart list the pairs (troubled first) and the dependencies in trouble, both capped.
"""

from __future__ import annotations

import math
from typing import Any

from okrsite import urls
from okrsite.render import PageJob
from okrsite.render.charts import axis, chart, layout, short, tone_colour
from okrsite.render.nav import capped, page_context, toc_entry
from okrsite.render.refs import Ref, Refs

MATRIX_CAP = 40  # units a side; more are summed into OTHER
PAIRS_CAP = 100  # rows of the pairs table
TROUBLE_CAP = 50  # rows of the in-trouble table
OTHER = "\0other"  # not a page id: ids come from file names
NO_UNIT = ""


def _top_unit(refs: Refs, uid: str | None, memo: dict[str | None, str]) -> str:
    hit = memo.get(uid)
    if hit is None:
        chain = refs.unit_chain(uid)
        hit = memo[uid] = chain[0]["id"] if chain else NO_UNIT
    return hit


def _unit_title(refs: Refs, key: str) -> str:
    if key == OTHER:
        return "Other units"
    ref = refs.unit(key) if key else None
    return ref["title"] if ref else "Without a unit"


def dependency_pairs(refs: Refs) -> tuple[dict[tuple[str, str], list[int]], list[dict[str, Any]], int]:
    """(needing unit, needed unit) → [dependencies, in trouble]; the dependencies in trouble; the total."""
    cur = refs.cfg.current_cycle
    pairs: dict[tuple[str, str], list[int]] = {}
    troubled: list[dict[str, Any]] = []
    memo: dict[str | None, str] = {}
    total = 0
    for oid in refs.graph.cycle_objectives.get(cur or "", []) if cur else []:
        needs = refs.graph.dependencies.get(oid)
        res = refs.results.objectives.get(oid)
        obj = refs.obj_page(oid)
        if not needs or res is None or obj is None:
            continue
        trouble = set(res.dependencies_in_trouble)
        src = _top_unit(refs, obj.org_unit, memo)
        for entry, target, kr_id in needs:
            page = refs.obj_page(target)
            if page is None:
                continue
            cell = pairs.setdefault((src, _top_unit(refs, page.org_unit, memo)), [0, 0])
            cell[0] += 1
            total += 1
            if entry in trouble:
                cell[1] += 1
                troubled.append({"objective": refs.objective(oid), "needs": refs.objective(target),
                                 "kr": refs.kr(target, kr_id) if kr_id else None})
    return pairs, troubled, total


def _bounded(pairs: dict[tuple[str, str], list[int]]) -> tuple[list[str], dict[tuple[str, str], list[int]]]:
    """The units on the matrix's sides (at most MATRIX_CAP, the busiest) and the pairs folded onto them."""
    weight: dict[str, int] = {}
    for (a, b), (n, _) in pairs.items():
        weight[a] = weight.get(a, 0) + n
        weight[b] = weight.get(b, 0) + n
    ranked = sorted(weight, key=lambda u: (-weight[u], u))
    keep = set(ranked if len(ranked) <= MATRIX_CAP else ranked[:MATRIX_CAP - 1])
    folded: dict[tuple[str, str], list[int]] = {}
    for (a, b), (n, t) in pairs.items():
        key = (a if a in keep else OTHER, b if b in keep else OTHER)
        cell = folded.setdefault(key, [0, 0])
        cell[0] += n
        cell[1] += t
    units = sorted(keep, key=lambda u: (u == NO_UNIT, u))
    if len(keep) < len(ranked):
        units.append(OTHER)
    return units, folded


def dependency_matrix(units: list[str], folded: dict[tuple[str, str], list[int]], titles: dict[str, str],
                      rows: list[list[str]]) -> dict[str, Any]:
    """A bubble matrix: rows need columns; bubble size the count, colour whether any is in trouble."""
    at = {u: i for i, u in enumerate(units)}
    biggest = max(n for n, _ in folded.values())
    data = []
    for troubled, name, status in ((True, "Some in trouble", "off_track"), (False, "None in trouble", "on_track")):
        cells = sorted((k, v) for k, v in folded.items() if (v[1] > 0) == troubled)
        if not cells:
            continue
        data.append({
            "type": "scatter", "mode": "markers+text", "name": name,
            "x": [at[b] for (_, b), _ in cells], "y": [at[a] for (a, _), _ in cells],
            "text": [str(v[0]) for _, v in cells],
            "textfont": {"color": f"var(--on-tone-{'bad' if troubled else 'good'})", "size": 11},
            "marker": {"color": tone_colour(status), "size": [round(14 + 26 * math.sqrt(v[0] / biggest), 1)
                                                              for _, v in cells],
                       "line": {"color": "var(--bg)", "width": 1}},
            "customdata": [[short(titles[a], 50), short(titles[b], 50), v[1]] for (a, b), v in cells],
            "hovertemplate": "%{customdata[0]} needs %{customdata[1]}<br>%{text} dependencies, "
                             "%{customdata[2]} in trouble<extra></extra>"})
    ticks = list(range(len(units)))
    labels = [short(titles[u], 28) for u in units]
    lay = layout(xaxis=axis(tickvals=ticks, ticktext=labels, tickangle=-40, range=[-0.7, len(units) - 0.3],
                            title={"text": "Needed from", "font": {"color": "var(--fg-muted)"}}, side="top",
                            showgrid=True, zeroline=False),
                 yaxis=axis(tickvals=ticks, ticktext=labels, range=[len(units) - 0.3, -0.7],
                            title={"text": "Needed by", "font": {"color": "var(--fg-muted)"}}, showgrid=True,
                            zeroline=False),
                 margin={"l": 8, "r": 8, "t": 8, "b": 8}, legend={"orientation": "h", "x": 0, "y": -0.02,
                                                                   "yanchor": "top", "font": {"color": "var(--fg)"}})
    height = 180 + 30 * len(units)
    n = sum(v[0] for v in folded.values())
    t = sum(v[1] for v in folded.values())
    summary = (f"{n} dependenc{'y' if n == 1 else 'ies'} between {len(units)} unit{'s' if len(units) != 1 else ''}; "
               f"{t} in trouble.")
    return chart("chart-dependencies", data, lay, height=height, label="Dependencies between units",
                 summary=summary, head=["Needed by", "Needed from", "Dependencies", "In trouble"], rows=rows)


def dependencies_job(refs: Refs) -> PageJob:
    url = urls.DEPENDENCIES
    cycle = refs.cycle(refs.cfg.current_cycle)
    pairs, troubled, total = dependency_pairs(refs)
    titles = {u: _unit_title(refs, u) for pair in pairs for u in pair} | {OTHER: "Other units"}
    ordered = sorted(pairs.items(), key=lambda kv: (-kv[1][1], -kv[1][0], titles[kv[0][0]].lower(),
                                                    titles[kv[0][1]].lower(), kv[0]))

    def side(key: str) -> Ref:
        ref = refs.unit(key) if key else None
        return {"title": titles[key], "url": ref["url"] if ref else None}

    table = [{"from": side(a), "to": side(b), "count": n, "trouble": t} for (a, b), (n, t) in ordered]
    shown, more = capped(table, PAIRS_CAP)
    trouble_shown, trouble_more = capped(troubled, TROUBLE_CAP)
    figure = None
    if pairs:
        units, folded = _bounded(pairs)
        rows = [[r["from"]["title"], r["to"]["title"], str(r["count"]), str(r["trouble"])] for r in shown]
        figure = dependency_matrix(units, folded, titles, rows)
    toc = [toc_entry("Who needs whom", "matrix")] + ([toc_entry("Pairs of units", "pairs")] if shown else [])
    if troubled:
        toc.append(toc_entry("In trouble", "in-trouble"))
    running = bool(cycle and cycle["state"] == "running")
    return PageJob(url, "dependencies.html", page_context(
        refs, url, section="units", kind="dependencies", title="Dependencies", page_id="dependencies",
        crumbs=[{"title": "Units", "url": urls.INDEXES["org_unit"]}], toc=toc, charts=figure is not None,
        cycle=cycle, running=running, chart=figure, pairs=shown, pairs_more=more, pairs_total=len(table),
        total=total, trouble_total=len(troubled), troubled=trouble_shown, troubled_more=trouble_more))
