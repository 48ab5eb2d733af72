"""The home page's planning watch list: forecast to miss, confidence falling, dependencies in trouble.

Three early warnings beside the stale key results, about objectives of running cycles only (a
forecast and a dependency's trouble exist only while the cycle runs; an old fall of confidence is
history). Each list is capped at WATCH_CAP rows with an "N more" link, so the home page stays small
however large the handbook grows.
"""

from __future__ import annotations

from typing import Any

from okrsite import urls
from okrsite.model import Objective
from okrsite.render.confidence_spark import confidence_points
from okrsite.render.nav import capped
from okrsite.render.refs import Refs, cycle_state, num

WATCH_CAP = 10
TROUBLE_SHOWN = 3  # troubled dependencies named per row


def _running(refs: Refs) -> list[Objective]:
    out = []
    for page in refs.graph.pages.values():
        if isinstance(page, Objective) and page.id in refs.results.objectives:
            cycle = refs.cfg.cycle(page.cycle)
            if cycle is not None and cycle_state(cycle, refs.as_of) == "running":
                out.append(page)
    return out


def forecast_to_miss(refs: Refs, objectives: list[Objective]) -> list[dict[str, Any]]:
    rows = []
    for obj in objectives:
        res = refs.results.objectives[obj.id]
        if res.forecast_to_miss and res.forecast is not None:
            rows.append({"objective": refs.objective(obj.id), "forecast": num(res.forecast, 4)})
    rows.sort(key=lambda r: (r["forecast"], r["objective"]["url"]))
    return rows


def confidence_falling(refs: Refs, objectives: list[Objective]) -> list[dict[str, Any]]:
    rows = []
    for obj in objectives:
        for kr, r in zip(obj.key_results, refs.results.objectives[obj.id].key_results, strict=False):
            if not r.confidence_falling:
                continue
            pts = confidence_points(kr, refs.as_of)
            before = pts[-2][1] if len(pts) > 1 else None
            rows.append({"kr": refs.kr(obj.id, kr.id), "objective": refs.objective(obj.id),
                         "now": num(r.confidence, 4), "before": num(before, 4)})
    rows.sort(key=lambda r: (-((r["before"] or 0) - (r["now"] or 0)), r["kr"]["url"]))
    return rows


def dependencies_in_trouble(refs: Refs, objectives: list[Objective]) -> list[dict[str, Any]]:
    rows = []
    for obj in objectives:
        troubled = refs.results.objectives[obj.id].dependencies_in_trouble
        if not troubled:
            continue
        entries = {ref: (target, kr_id) for ref, target, kr_id in refs.graph.dependencies.get(obj.id, [])}
        named = []
        for ref in troubled[:TROUBLE_SHOWN]:
            target, kr_id = entries.get(ref, (ref, ""))
            o = refs.objective(target)
            if o is not None:
                named.append({"objective": o, "kr": refs.kr(target, kr_id) if kr_id else None})
        rows.append({"objective": refs.objective(obj.id), "count": len(troubled), "troubled": named,
                     "others": max(0, len(troubled) - TROUBLE_SHOWN)})
    rows.sort(key=lambda r: (-r["count"], r["objective"]["url"]))
    return rows


def planning_watch(refs: Refs) -> list[dict[str, Any]]:
    """The three lists, in reading order, each {id, title, status, blurb, empty, rows, more, more_url}."""
    objectives = _running(refs)
    index = urls.INDEXES["objective"]
    lists = [
        ("forecast-to-miss", "Forecast to miss", "forecast_to_miss",
         "Objectives whose forecast at the cycle's end is below 70%.",
         "No objective is forecast to miss.", forecast_to_miss(refs, objectives), "objectives forecast to miss"),
        ("confidence-falling", "Confidence falling", "confidence_falling",
         "Key results whose latest confidence is at least 20 points below the check-in before.",
         "No key result's confidence is falling.", confidence_falling(refs, objectives),
         "key results with falling confidence"),
        ("dependencies-in-trouble", "Dependencies in trouble", "in_trouble",
         "Objectives that depend on an objective or key result at risk or off track.",
         "No objective depends on one in trouble.", dependencies_in_trouble(refs, objectives),
         "objectives with dependencies in trouble"),
    ]
    out = []
    for sid, title, status, blurb, empty, rows, what in lists:
        shown, more = capped(rows, WATCH_CAP)
        out.append({"id": sid, "title": title, "status": status, "blurb": blurb, "empty": empty, "rows": shown,
                    "more": more, "more_url": index, "more_what": what})
    return out
