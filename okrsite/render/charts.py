"""plotly figures as plain dicts (not `plotly.graph_objects`: ~200× faster, and a dict is the context).

Colours are written as `var(--name)` and resolved from the page's CSS by
`assets/okrsite.js` at draw time, so charts follow light and dark mode and use the
same status colours as the chips. Each chart carries a text alternative: a one-line
summary and a small data table, shown to screen readers and without JavaScript.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from okrsite.compute.plan import planned_value
from okrsite.compute.progress import clamp, kr_progress
from okrsite.compute.results import KpiResult, KrResult, ObjectiveResult
from okrsite.model import Cycle, Kpi, Objective
from okrsite.render.filters import band, datefmt, pct, status_label, tone, with_unit
from okrsite.render.refs import num

SERIES = [f"var(--series-{i})" for i in range(1, 7)]
CONFIG = {"displayModeBar": False, "displaylogo": False, "responsive": True}


def tone_colour(status: str | None) -> str:
    return f"var(--tone-{tone(status)})"


def plain(text: str) -> str:
    """Text for plotly, which reads `<b>`-style tags and entities in labels: escape them to stay text."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def short(text: str, n: int = 40) -> str:
    """Shortened and escaped for plotly labels."""
    return plain(text if len(text) <= n else text[: n - 1].rstrip() + "…")


def axis(**over: Any) -> dict[str, Any]:
    a = {"gridcolor": "var(--grid)", "linecolor": "var(--border)", "zerolinecolor": "var(--border)",
         "tickfont": {"color": "var(--fg-muted)"}, "automargin": True}
    a.update(over)
    return a


def layout(**over: Any) -> dict[str, Any]:
    lay: dict[str, Any] = {
        "margin": {"l": 8, "r": 8, "t": 8, "b": 8},
        "paper_bgcolor": "rgba(0,0,0,0)",
        "plot_bgcolor": "rgba(0,0,0,0)",
        "font": {"family": "var(--font)", "color": "var(--fg)", "size": 13},
        "hoverlabel": {"bgcolor": "var(--bg)", "bordercolor": "var(--border)", "font": {"color": "var(--fg)"}},
        "legend": {"orientation": "h", "x": 0, "y": -0.18, "xanchor": "left", "yanchor": "top",
                   "font": {"color": "var(--fg-muted)"}},
        "showlegend": True,
    }
    lay.update(over)
    return lay


def chart(chart_id: str, data: list[dict], lay: dict, *, height: int, label: str, summary: str,
          head: list[str], rows: list[list[str]]) -> dict[str, Any]:
    return {"id": chart_id, "height": height, "label": label, "summary": summary,
            "table": {"head": head, "rows": rows},
            "figure": {"data": data, "layout": {**lay, "height": height}, "config": CONFIG}}


def _iso(d: date) -> str:
    return d.isoformat()


# --- objective: progress over the cycle ----------------------------------------------------------

def _kr_step(obj_kr: Any, res: KrResult, cycle: Cycle, until: date) -> list[tuple[date, float]]:
    """(date, clamped progress) points of one key result through the cycle."""
    if obj_kr.kind == "milestone":
        if not obj_kr.done:
            return [(until, 0.0)]
        when = min(max(obj_kr.due or until, cycle.start), until)
        return [(when, 1.0)]
    return [(v.date, clamp(kr_progress(obj_kr, v.value))) for v in res.history]


def _pace(cycle: Cycle, when: date) -> float:
    days = (cycle.end - cycle.start).days
    return clamp((when - cycle.start).days / days) if days > 0 else 1.0


def _planned(kr: Any, res: KrResult, cycle: Cycle, when: date) -> float:
    """A key result's expected progress on `when`: its planned path's, else the cycle's pace (as compute does)."""
    if res.plan_path:
        return clamp(kr_progress(kr, planned_value(res.plan_path, when)))
    return _pace(cycle, when)


def planned_line(obj: Objective, res: ObjectiveResult, cycle: Cycle) -> list[tuple[date, float]]:
    """The objective's expected progress through the cycle: the weighted mean of its key results' planned
    paths (the cycle's pace for those without a plan), at every corner; a straight line without plans."""
    pairs = list(zip(obj.key_results, res.key_results, strict=False))
    dates = sorted({cycle.start, cycle.end} | {d for _, r in pairs for d, _ in r.plan_path
                                               if cycle.start <= d <= cycle.end})
    total = sum(kr.weight for kr, _ in pairs) or 1.0
    if not pairs:
        return [(d, _pace(cycle, d)) for d in dates]
    return [(d, sum(kr.weight * _planned(kr, r, cycle, d) for kr, r in pairs) / total) for d in dates]


def forecast_points(kr: Any, res: KrResult, cycle: Cycle, as_of: date) -> list[tuple[date, float]]:
    """The forecast from `as_of` to the cycle's end as clamped progress, with a corner where it meets 0 or 1
    (so the line flattens at the target instead of leaving the chart); [] without a forecast."""
    if res.forecast_line is None or not cycle.start <= as_of <= cycle.end:
        return []
    days = (cycle.end - cycle.start).days
    if days <= 0:
        return []
    v0, v1 = res.forecast_line

    def raw(day: float) -> float:
        return kr_progress(kr, v0 + (v1 - v0) * day / days)

    a, b = (as_of - cycle.start).days, days
    pa, pb = raw(a), raw(b)
    xs = [float(a)]
    if pb != pa:
        for level in (0.0, 1.0):  # where the raw line crosses the clamp bounds, strictly inside the segment
            t = (level - pa) / (pb - pa)
            if 0 < t < 1:
                xs.append(a + t * (b - a))
    xs = sorted(set(xs)) + [float(b)]
    out: list[tuple[date, float]] = []
    for x in xs:
        day = cycle.start.toordinal() + round(x)
        if out and out[-1][0].toordinal() == day:
            continue
        out.append((date.fromordinal(day), clamp(raw(x))))
    return out if len(out) > 1 else []


def _weighted_steps(dates: list[date], weights: list[float], steps: list[list[tuple[date, float]]]) -> list[float]:
    """At each of `dates` (ascending), the weighted sum of every key result's latest point on or before it
    (the last such in its list; 0 before its first): one pass over points in date order, the way
    back through the list for the rare key result whose points are not in that order."""
    sums = [0.0] * len(dates)
    for w, pts in zip(weights, steps, strict=False):
        if all(pts[i][0] <= pts[i + 1][0] for i in range(len(pts) - 1)):
            i, last = 0, 0.0
            for n, d in enumerate(dates):
                while i < len(pts) and pts[i][0] <= d:
                    last = pts[i][1]
                    i += 1
                sums[n] += w * last
        else:
            for n, d in enumerate(dates):
                known = [p for day, p in pts if day <= d]
                sums[n] += w * (known[-1] if known else 0.0)
    return sums


def objective_progress(obj: Objective, res: ObjectiveResult, cycle: Cycle, as_of: date) -> dict[str, Any] | None:
    """Per key result progress from its history, planned path and forecast; the overall progress and the
    objective's planned path (the straight expected pace when no key result has a plan)."""
    if as_of < cycle.start:
        return None
    until = min(as_of, cycle.end)
    data: list[dict] = []
    steps = [_kr_step(kr, r, cycle, until) for kr, r in zip(obj.key_results, res.key_results, strict=False)]
    for i, (kr, r, pts) in enumerate(zip(obj.key_results, res.key_results, steps, strict=False)):
        colour = SERIES[i % len(SERIES)]
        if kr.kind == "milestone":
            texts = [("done" if kr.done else "not done") + (f", due {datefmt(_iso(kr.due))}" if kr.due else "")]
        else:
            texts = [plain(with_unit(num(v.value), kr.unit)) for v in r.history]
        trace = {"type": "scatter", "name": short(kr.title, 48), "x": [_iso(d) for d, _ in pts],
                 "y": [round(p * 100, 2) for _, p in pts], "text": texts,
                 "mode": "markers" if kr.kind == "milestone" or len(pts) == 1 else "lines+markers",
                 "line": {"color": colour, "width": 2}, "marker": {"color": colour, "size": 7,
                                                                   "symbol": "diamond" if kr.kind == "milestone"
                                                                   else "circle"},
                 "hovertemplate": "%{x|%d %b %Y}<br>%{text} · %{y:.0f}%<extra>%{fullData.name}</extra>"}
        data.append(trace)
        group = f"kr-{i}"
        trace["legendgroup"] = group
        if r.plan_path:
            data.append({"type": "scatter", "name": "Plan: " + short(kr.title, 42), "legendgroup": group,
                         "x": [_iso(d) for d, _ in r.plan_path],
                         "y": [round(clamp(kr_progress(kr, v)) * 100, 2) for _, v in r.plan_path],
                         "text": [plain(with_unit(num(v), kr.unit)) for _, v in r.plan_path],
                         "mode": "lines+markers", "line": {"color": colour, "width": 1.5, "dash": "dot"},
                         "marker": {"color": colour, "size": 5, "symbol": "circle-open"}, "opacity": 0.85,
                         "meta": "plan", "hovertemplate": "%{x|%d %b %Y}<br>planned %{text} · %{y:.0f}%"
                                                           "<extra>%{fullData.name}</extra>"})
        ahead = forecast_points(kr, r, cycle, as_of)
        if ahead and r.forecast is not None:
            data.append({"type": "scatter", "name": "Forecast: " + short(kr.title, 38), "legendgroup": group,
                         "x": [_iso(d) for d, _ in ahead], "y": [round(p * 100, 2) for _, p in ahead],
                         "mode": "lines", "line": {"color": colour, "width": 2, "dash": "dash"}, "meta": "forecast",
                         "customdata": [plain(with_unit(num(r.forecast, 1), kr.unit))] * len(ahead),
                         "hovertemplate": "%{x|%d %b %Y}<br>forecast %{y:.0f}% (%{customdata} at the end)"
                                          "<extra>%{fullData.name}</extra>"})
    # overall: weighted mean at every date any key result moved, ending at as_of with the computed value
    dates = sorted({cycle.start, until} | {d for pts in steps for d, _ in pts if d <= until})
    weights = [kr.weight for kr in obj.key_results]
    total = sum(weights) or 1.0
    overall = [round(acc / total * 100, 2) for acc in _weighted_steps(dates, weights, steps)]
    if overall:
        overall[-1] = round(res.progress * 100, 2)
    data.append({"type": "scatter", "name": "Overall", "x": [_iso(d) for d in dates], "y": overall,
                 "mode": "lines+markers", "line": {"color": "var(--accent)", "width": 4},
                 "marker": {"color": "var(--accent)", "size": 6},
                 "hovertemplate": "%{x|%d %b %Y}<br>overall %{y:.0f}%<extra></extra>"})
    planned = planned_line(obj, res, cycle)
    has_plan = any(r.plan_path for r in res.key_results)
    data.append({"type": "scatter", "name": "Planned path" if has_plan else "Expected pace",
                 "x": [_iso(d) for d, _ in planned], "y": [round(p * 100, 2) for _, p in planned],
                 "mode": "lines", "line": {"color": "var(--fg-muted)", "width": 2, "dash": "dash"},
                 "meta": "planned" if has_plan else "pace",
                 "hovertemplate": "%{x|%d %b %Y}<br>expected %{y:.0f}%<extra></extra>"})
    shapes, notes = [], []
    if cycle.start <= as_of <= cycle.end:
        shapes.append({"type": "line", "xref": "x", "yref": "paper", "x0": _iso(as_of), "x1": _iso(as_of),
                       "y0": 0, "y1": 1, "line": {"color": "var(--fg-muted)", "width": 1, "dash": "dot"}})
        notes.append({"x": _iso(as_of), "y": 1, "xref": "x", "yref": "paper", "text": "as of",
                      "showarrow": False, "yanchor": "bottom", "font": {"size": 11, "color": "var(--fg-muted)"}})
    lay = layout(xaxis=axis(type="date", range=[_iso(cycle.start), _iso(cycle.end)]),
                 yaxis=axis(range=[-3, 105], ticksuffix="%", dtick=25), shapes=shapes, annotations=notes,
                 margin={"l": 8, "r": 8, "t": 20, "b": 8})
    rows = []
    for kr, r in zip(obj.key_results, res.key_results, strict=False):
        when = datefmt(_iso(r.current_date)) if r.current_date else ("—" if r.no_data else "")
        now = "no data" if r.no_data else ("done" if kr.kind == "milestone" and kr.done else
                                          "not done" if kr.kind == "milestone" else with_unit(num(r.current),
                                                                                               kr.unit))
        ahead = "—" if r.forecast is None else f"{with_unit(num(r.forecast, 1), kr.unit)} ({pct(r.forecast_progress)})"
        rows.append([kr.title, now, when, pct(r.progress), pct(r.expected), ahead])
    rows.append(["Overall", "", datefmt(_iso(as_of)), pct(res.progress), pct(res.expected), pct(res.forecast)])
    summary = (f"Progress {pct(res.progress)} on {datefmt(_iso(until))}; expected {pct(res.expected)} "
               f"at this point of {cycle.title}" + (" by its plan" if has_plan else ""))
    if res.forecast is not None:
        summary += f"; forecast {pct(res.forecast)} at the end ({datefmt(_iso(cycle.end))})"
        summary += ", forecast to miss." if res.forecast_to_miss else "."
    else:
        summary += "."
    return chart(f"chart-progress-{obj.id}", data, lay, height=360,
                 label=f"Progress of {obj.title} over {cycle.title}", summary=summary,
                 head=["Key result", "Current", "As of", "Progress", "Expected now", "Forecast at the end"], rows=rows)


# --- KPI: time series -----------------------------------------------------------------------------

def kpi_series(kpi: Kpi, res: KpiResult, checkins: list[dict[str, Any]]) -> dict[str, Any] | None:
    """Measurements with target / alert lines or the healthy band, and key-result check-ins as markers.

    `checkins`: [{"title": key result title, "points": [(iso date, value), …]}].
    """
    if not res.series and not checkins:
        return None
    xs = [_iso(v.date) for v in res.series]
    ys = [num(v.value) for v in res.series]
    every = [v for v in ys if v is not None] + [v for c in checkins for _, v in c["points"]]
    data: list[dict] = [{
        "type": "scatter", "name": short(kpi.title, 40), "x": xs, "y": ys, "mode": "lines+markers",
        "line": {"color": "var(--series-1)", "width": 3}, "marker": {"color": "var(--series-1)", "size": 6},
        "text": [plain(with_unit(v, kpi.unit)) for v in ys],
        "hovertemplate": "%{x|%d %b %Y}<br>%{text}<extra></extra>"}]
    shapes: list[dict] = []
    lines = []
    if kpi.range is not None:
        low, high = kpi.range
        bounds = [v for v in (low, high) if v is not None]
        lo_all = min(every + bounds)
        hi_all = max(every + bounds)
        pad = (hi_all - lo_all or abs(hi_all) or 1) * 0.25
        shapes.append({"type": "rect", "xref": "paper", "x0": 0, "x1": 1, "yref": "y",
                       "y0": low if low is not None else lo_all - pad, "y1": high if high is not None else hi_all + pad,
                       "fillcolor": "var(--tone-good)", "opacity": 0.14, "line": {"width": 0}, "layer": "below"})
        data.append({"type": "scatter", "name": plain(f"Healthy: {band(kpi.range, kpi.unit)}"),
                     "x": [None], "y": [None],
                     "mode": "markers", "marker": {"symbol": "square", "size": 12, "color": "var(--tone-good)",
                                                   "opacity": 0.4}, "hoverinfo": "skip"})
    else:
        if kpi.target is not None:
            lines.append(("Target", kpi.target, "var(--tone-good)", "dash"))
        if kpi.alert is not None:
            lines.append(("Alert", kpi.alert, "var(--tone-warn)", "dot"))
    for name, value, colour, dash in lines:
        # drawn as a shape across the whole plot; the trace only names it in the legend
        shapes.append({"type": "line", "xref": "paper", "x0": 0, "x1": 1, "yref": "y", "y0": num(value),
                       "y1": num(value), "line": {"color": colour, "width": 2, "dash": dash}, "layer": "below"})
        data.append({"type": "scatter", "name": plain(f"{name} {with_unit(num(value), kpi.unit)}"),
                     "x": [None], "y": [None], "mode": "lines", "hoverinfo": "skip",
                     "line": {"color": colour, "width": 2, "dash": dash}})
    for i, c in enumerate(checkins):
        colour = SERIES[(i + 1) % len(SERIES)]
        data.append({"type": "scatter", "name": "Check-ins: " + short(c["title"], 36),
                     "x": [p[0] for p in c["points"]], "y": [p[1] for p in c["points"]], "mode": "markers",
                     "marker": {"symbol": "diamond", "size": 9, "color": colour,
                                "line": {"width": 1, "color": "var(--bg)"}},
                     "hovertemplate": "%{x|%d %b %Y}<br>%{y}<extra>check-in</extra>"})
    yaxis = axis(ticksuffix="%" if kpi.unit == "%" else "")
    if lines and every:  # room above and below the target and alert lines, which autorange would put on the edge
        ends = every + [num(v) for _, v, _, _ in lines]
        lo, hi = min(ends), max(ends)
        pad = (hi - lo) * 0.08 or abs(hi) * 0.05 or 1.0
        yaxis["range"] = [lo - pad, hi + pad]
    lay = layout(xaxis=axis(type="date"), yaxis=yaxis, shapes=shapes, margin={"l": 8, "r": 8, "t": 12, "b": 8})
    rows = [[datefmt(_iso(v.date)), with_unit(num(v.value), kpi.unit)] for v in res.series[-12:]]
    if res.latest:
        summary = (f"Latest {with_unit(num(res.latest.value), kpi.unit)} on {datefmt(_iso(res.latest.date))}: "
                   f"{status_label(res.health).lower()}")
    else:
        summary = "No measurement yet"
    if kpi.range is not None:
        summary += f"; healthy at {band(kpi.range, kpi.unit)}" if None in kpi.range else \
            f"; healthy between {with_unit(num(kpi.range[0]), kpi.unit)} and {with_unit(num(kpi.range[1]), kpi.unit)}"
    elif kpi.target is not None:
        summary += f"; target {with_unit(num(kpi.target), kpi.unit)}"
        if kpi.alert is not None:
            summary += f", alert {with_unit(num(kpi.alert), kpi.unit)}"
    summary += f" ({'higher' if kpi.better != 'lower' else 'lower'} is better)."
    return chart(f"chart-kpi-{kpi.id}", data, lay, height=320, label=f"{kpi.title} over time", summary=summary,
                 head=["Date", "Value"], rows=rows)


# --- bars and donuts -------------------------------------------------------------------------------

def progress_bars(chart_id: str, items: list[dict[str, Any]], expected: float | None, label: str,
                  summary: str) -> dict[str, Any]:
    """Horizontal progress bars of objectives, coloured by status, with the expected-pace line."""
    items = items[::-1]  # plotly draws bottom-up; keep the reading order top-down
    # the status in words on every bar (never colour alone): inside in the tone's text colour, or after a short bar
    data = [{"type": "bar", "orientation": "h", "x": [round((i["progress"] or 0) * 100, 1) for i in items],
             "y": list(range(len(items))),
             "text": [f"{pct(i['progress'])} · {status_label(i['status'])}" for i in items],
             "textposition": "auto", "marker": {"color": [tone_colour(i["status"]) for i in items]},
             "insidetextfont": {"color": [f"var(--on-tone-{tone(i['status'])})" for i in items]},
             "outsidetextfont": {"color": "var(--fg)"}, "cliponaxis": False,
             "customdata": [[short(i["title"], 60), status_label(i["status"])] for i in items],
             "hovertemplate": "%{customdata[0]}<br>%{x:.0f}% · %{customdata[1]}<extra></extra>",
             "showlegend": False}]
    shapes, notes = [], []
    if expected is not None:
        x = round(expected * 100, 1)
        shapes.append({"type": "line", "xref": "x", "yref": "paper", "x0": x, "x1": x, "y0": 0, "y1": 1,
                       "line": {"color": "var(--fg)", "width": 2, "dash": "dash"}})
        notes.append({"x": x, "y": 1, "xref": "x", "yref": "paper", "text": f"expected {pct(expected)}",
                      "showarrow": False, "yanchor": "bottom", "font": {"size": 11, "color": "var(--fg-muted)"}})
    # numeric positions with tick labels: two objectives with the same title stay two bars
    yaxis = axis(tickvals=list(range(len(items))), ticktext=[short(i["title"], 44) for i in items],
                 tickfont={"color": "var(--fg)"}, showgrid=False, zeroline=False)
    xaxis = axis(range=[0, 103], tickvals=[0, 20, 40, 60, 80, 100], ticktext=["0%", "20%", "40%", "60%", "80%", "100%"],
                 zeroline=False)
    lay = layout(xaxis=xaxis, yaxis=yaxis, shapes=shapes,
                 annotations=notes, showlegend=False, bargap=0.35,
                 margin={"l": 8, "r": 16, "t": 22 if notes else 8, "b": 8})
    height = 74 + 34 * len(items)
    rows = [[i["title"], status_label(i["status"]), pct(i["progress"])] for i in items[::-1]]
    return chart(chart_id, data, lay, height=height, label=label, summary=summary,
                 head=["Objective", "Status", "Progress"], rows=rows)


def donut(chart_id: str, counts: list[tuple[str, int]], label: str, summary: str, centre: str) -> dict[str, Any]:
    """Counts by status as a donut, one status colour per slice."""
    shown = [(s, n) for s, n in counts if n]
    data = [{"type": "pie", "hole": 0.62, "sort": False, "direction": "clockwise", "domain": {"x": [0, 0.62]},
             "labels": [status_label(s) for s, _ in shown], "values": [n for _, n in shown],
             "marker": {"colors": [tone_colour(s) for s, _ in shown], "line": {"color": "var(--bg)", "width": 2}},
             "textinfo": "value", "textfont": {"color": [f"var(--on-tone-{tone(s)})" for s, _ in shown]},
             "hovertemplate": "%{label}: %{value}<extra></extra>"}]
    lay = layout(showlegend=True, legend={"orientation": "v", "x": 0.68, "y": 0.5, "yanchor": "middle",
                                          "font": {"color": "var(--fg)"}},
                 annotations=[{"text": plain(centre), "showarrow": False, "x": 0.31, "y": 0.5, "xref": "paper",
                               "yref": "paper", "font": {"size": 18, "color": "var(--fg)"}}],
                 margin={"l": 8, "r": 8, "t": 8, "b": 8})
    rows = [[status_label(s), str(n)] for s, n in counts]
    return chart(chart_id, data, lay, height=220, label=label, summary=summary, head=["Status", "Count"],
                 rows=rows)
