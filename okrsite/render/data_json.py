"""`data.json`: the whole handbook with computed values, for other tools."""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterator
from datetime import date
from functools import partial
from typing import Any

from okrsite import urls
from okrsite.compute.results import KpiResult, KrResult, ObjectiveResult, Results
from okrsite.history.model import History
from okrsite.model import Config, Kpi, Objective, OrgUnit, Site
from okrsite.render.history import revisions_data
from okrsite.validate.graph import Graph

_EXACT = 2**53  # integers below this survive a float exactly


def num(x: float | None) -> float | int | None:
    """Integral values as ints (as the author wrote them); others at full precision."""
    kind = type(x)  # the two usual kinds first: half a million numbers at 10,000 objectives
    if kind is int:
        return x if -_EXACT < x < _EXACT else float(x)  # type: ignore[operator]
    if kind is float:
        if not -math.inf < x < math.inf:  # type: ignore[operator]  # NaN, ±Infinity: not JSON
            return None
        return int(x) if x.is_integer() and -_EXACT < x < _EXACT else x  # type: ignore[union-attr, operator]
    if x is None or not math.isfinite(x):  # NaN/Infinity are not JSON (degenerate 1e308-sized input)
        return None
    if float(x).is_integer() and abs(x) < 2**53:
        return int(x)
    return float(x)


def iso(d: date | None) -> str | None:
    return d.isoformat() if d else None


def as_written(value: Any, normalised: list[str]) -> Any:
    if isinstance(value, str) or (isinstance(value, list) and all(isinstance(v, str) for v in value)):
        return value
    return normalised if normalised else None


def cycle_state(start: date, end: date, as_of: date) -> str:
    return "planned" if as_of < start else "ended" if as_of > end else "running"


def site_data(cfg: Config) -> dict:
    return {
        "title": cfg.title,
        "description": cfg.description,
        "base_path": cfg.base_path,
        "as_of": iso(cfg.as_of),
        "current_cycle": cfg.current_cycle,
        "stale_after_days": cfg.stale_after_days,
    }


def kr_data(obj: Objective, r: KrResult, i: int) -> dict:
    kr = obj.key_results[i]
    return {
        "id": kr.id,
        "title": kr.title,
        "kind": kr.kind,
        "current": num(r.current),
        "current_date": iso(r.current_date),
        "current_source": r.current_source,
        "progress": num(r.progress),
        "progress_raw": num(r.progress_raw),
        "start": num(kr.start),
        "target": num(kr.target),
        "stretch": num(kr.stretch),
        "range": [num(v) for v in kr.range] if kr.range else None,
        "due": iso(kr.due),
        "done": kr.done if kr.kind == "milestone" else None,
        "unit": kr.unit,
        "kpi": kr.kpi,
        "weight": num(kr.weight),
        "confidence": num(r.confidence),
        "no_data": r.no_data,
        "stale": r.stale,
        "owner": kr.owner,
        "expected": num(r.expected),
        "plan": [{"date": iso(p.date), "value": num(p.value)} for p in kr.plan],
        "forecast": num(r.forecast),
        "forecast_progress": num(r.forecast_progress),
        "confidence_falling": r.confidence_falling,
    }


def unit_data(page: OrgUnit, url: str) -> dict:
    kind = page.kind if page.fields.get("kind") is not None else None  # as written; absent: null
    return {"id": page.id, "title": page.title, "url": url, "kind": kind, "parent": page.parent, "lead": page.lead}


def objective_data(page: Objective, url: str, r: ObjectiveResult, history: History | None) -> dict:
    bv = page.business_value
    row = {
        "id": page.id,
        "title": page.title,
        "url": url,
        "cycle": page.cycle,
        "org_unit": page.org_unit,
        "owner": page.owner,
        "parent": as_written(page.parent_raw, page.parents),
        "kpis": as_written(page.fields.get("kpis"), page.kpis) or [],
        "progress": num(r.progress),
        "expected": num(r.expected),
        "status": r.status,
        "grade": r.grade,
        "business_value": {"planned": num(bv.planned), "actual": num(bv.actual)} if bv else None,
        "predictability": num(r.predictability),
        "key_results": [kr_data(page, kr, i) for i, kr in enumerate(r.key_results)],
        "depends_on": as_written(page.fields.get("depends_on"), page.depends_on) or [],
        "needed_by": r.needed_by,
        "dependencies_in_trouble": r.dependencies_in_trouble,
        "forecast": num(r.forecast),
        "forecast_to_miss": r.forecast_to_miss,
    }
    if history is not None:  # git history: the spec's `revisions`
        row["revisions"] = revisions_data(history, page)
    return row


def kpi_data(page: Kpi, url: str, r: KpiResult, history: History | None) -> dict:
    row = {
        "id": page.id,
        "title": page.title,
        "url": url,
        "org_unit": page.org_unit,
        "parent": page.parent,
        "owner": page.owner,
        "unit": page.unit,
        "better": page.better,
        "target": num(page.target),
        "alert": num(page.alert),
        "range": [num(v) for v in page.range] if page.range else None,
        "indicator": page.indicator,
        "latest": {"date": iso(r.latest.date), "value": num(r.latest.value)} if r.latest else None,
        "health": r.health,
    }
    if history is not None:
        row["revisions"] = revisions_data(history, page)
    return row


Row = tuple[str, str, tuple[Any, ...], Callable[[], dict]]  # list, page id, what the row is made from, its maker


def page_rows(site: Site, graph: Graph, results: Results, history: History | None = None) -> Iterator[Row]:
    """Each unit, objective and KPI in page order, with everything its row is made from."""
    files = history.files if history is not None else None
    for page in site.pages:
        if graph.pages.get(page.id) is not page:
            continue
        url = graph.url_of[page.id]
        if isinstance(page, OrgUnit):
            yield "org_units", page.id, (page, url), partial(unit_data, page, url)
        elif isinstance(page, Objective):
            r = results.objectives[page.id]
            fh = files.get(page.file.rel) if files is not None else False
            yield "objectives", page.id, (page, url, r, fh), partial(objective_data, page, url, r, history)
        elif isinstance(page, Kpi):
            k = results.kpis[page.id]
            fh = files.get(page.file.rel) if files is not None else False
            yield "kpis", page.id, (page, url, k, fh), partial(kpi_data, page, url, k, history)


def build_data(site: Site, graph: Graph, results: Results, history: History | None = None) -> dict:
    cfg = site.config
    lists: dict[str, list[dict]] = {"org_units": [], "objectives": [], "kpis": []}
    for kind, _, _, make in page_rows(site, graph, results, history):
        lists[kind].append(make())
    return {"site": site_data(cfg), "cycles": cycles_data(cfg), **lists, "people": people_data(results)}


def cycles_data(cfg: Config) -> list[dict]:
    return [
        {
            "id": c.id,
            "title": c.title,
            "start": iso(c.start),
            "end": iso(c.end),
            "url": urls.cycle_url(c),
            "state": cycle_state(c.start, c.end, cfg.as_of),
            "current": c.id == cfg.current_cycle,
        }
        for c in cfg.cycles
    ]


def people_data(results: Results) -> list[dict]:
    return [{"name": p.name, "url": p.url, "objectives": p.objectives, "key_results": p.key_results,
             "kpis": p.kpis, "org_units": p.org_units} for p in results.people]


def render_data(site: Site, graph: Graph, results: Results, history: History | None = None,
                rows: dict[tuple[str, str], tuple[tuple[Any, ...], str]] | None = None) -> bytes:
    """data.json's bytes. `rows` (kept by `serve` between rebuilds) holds each page's line with what it
    was made from: an edit writes only the lines of the pages it changed again (18 MiB at 10,000 objectives)."""
    if rows is None:
        data = build_data(site, graph, results, history)
        return _assemble({k: [_dumps(v) for v in value] if isinstance(value, list) else _dumps(value)
                          for k, value in data.items()})
    cfg = site.config
    lists: dict[str, list[str]] = {"org_units": [], "objectives": [], "kpis": []}
    kept: dict[tuple[str, str], tuple[tuple[Any, ...], str]] = {}
    for kind, page_id, inputs, make in page_rows(site, graph, results, history):
        key = (kind, page_id)
        hit = rows.get(key)
        if hit is None or hit[0] != inputs:
            hit = (inputs, _dumps(make()))
        kept[key] = hit
        lists[kind].append(hit[1])
    rows.clear()
    rows.update(kept)
    return _assemble({"site": _dumps(site_data(cfg)), "cycles": [_dumps(c) for c in cycles_data(cfg)], **lists,
                      "people": [_dumps(p) for p in people_data(results)]})


def _assemble(parts: dict[str, str | list[str]]) -> bytes:
    # one entity per line: readable in a diff, and written by json's C encoder (indent= is pure Python,
    # ~10x slower at 1,000 objectives)
    out = []
    for key, value in parts.items():
        if isinstance(value, list):
            rows = ",\n  ".join(value)
            out.append(f'{_dumps(key)}: [\n  {rows}\n ]' if value else f"{_dumps(key)}: []")
        else:
            out.append(f"{_dumps(key)}: {value}")
    return ("{\n " + ",\n ".join(out) + "\n}\n").encode("utf-8")


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
