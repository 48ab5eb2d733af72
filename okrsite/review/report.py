"""A goal diff as a pull-request comment (GitHub/GitLab Markdown) or as JSON.

Handbook text (titles, ids from a broken file) is escaped: a comment must not turn a
title into a link, an image, a mention or a broken table. Tables are capped so that
a sweeping change still fits in one comment; the JSON lists everything.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Any

from okrsite.diagnostics import plural
from okrsite.render.filters import status_label, tone
from okrsite.review.diff import GoalDiff, KeyResultEntry, KpiEntry, ObjectiveEntry, ProgressChange, SideInfo

MARKER = "<!-- okrsite-diff -->"  # lets a CI job find and update its earlier comment
MAX_ROWS = 30
# The theme's colours (okrsite.css --tone-*), as the nearest emoji; the word always goes beside it.
TONE_EMOJI = {"good": "🟢", "warn": "🟠", "bad": "🔴", "plan": "🔵", "end": "⚫", "none": "⚪"}
FIELD_LABELS = {"org_unit": "unit"}
_MD_SPECIAL = set("\\`*_{}[]()<>#+!|~@&$")


def md(text: Any) -> str:
    """Handbook text as literal Markdown: one line, every active character backslash-escaped."""
    s = " ".join(str(text).split())
    return "".join("\\" + ch if ch in _MD_SPECIAL else ch for ch in s)


def code(text: Any) -> str:
    s = " ".join(str(text).split())
    ticks = "`" * (_longest_run(s, "`") + 1)
    pad = " " if s.startswith("`") or s.endswith("`") else ""
    return f"{ticks}{pad}{s}{pad}{ticks}".replace("|", "\\|")


def _longest_run(s: str, ch: str) -> int:
    best = run = 0
    for c in s:
        run = run + 1 if c == ch else 0
        best = max(best, run)
    return best


def num(v: Any) -> str:
    if v is None:
        return "—"
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, (int, float)):
        return f"{v:,}"
    return md(v)


def value(field: str, v: Any) -> str:
    """A field's value for reading: ranges as bounds, plans as dated points."""
    if v is None or v == []:
        return "—"
    if field == "range" and isinstance(v, list) and len(v) == 2:
        low, high = v
        if low is None:
            return f"≤ {num(high)}"
        if high is None:
            return f"≥ {num(low)}"
        return f"{num(low)} – {num(high)}"
    if field == "plan" and isinstance(v, list):
        return "; ".join(f"{p.get('date') or '—'}: {num(p.get('value'))}" if isinstance(p, dict) else num(p)
                         for p in v)
    if field == "kind":
        return md(str(v).capitalize())
    return num(v)


def pct(p: float | None) -> str:
    if p is None:
        return "—"
    return f"{p * 100:.1f}".rstrip("0").rstrip(".") + "%"


def chip(status: str | None, grade: str | None = None) -> str:
    """A status as the site shows it: its colour and its word."""
    if grade:
        return f"{TONE_EMOJI[tone(grade)]} {status_label(status)} · {status_label(grade)}"
    if not status:
        return "—"
    return f"{TONE_EMOJI[tone(status)]} {status_label(status)}"


def _label(side: SideInfo) -> str:
    if side.commit is None:
        return "the working tree"
    return f"{code(side.label)} ({code(side.commit[:10])})" if side.label != side.commit else code(side.commit[:10])


def _table(header: Sequence[str], rows: list[Any], cells: Callable[[Any], Sequence[str]]) -> list[str]:
    out = ["| " + " | ".join(header) + " |", "|" + "|".join(" --- " for _ in header) + "|"]
    out += ["| " + " | ".join(cells(r)) + " |" for r in rows[:MAX_ROWS]]
    if len(rows) > MAX_ROWS:
        out += ["", f"… and {len(rows) - MAX_ROWS} more (`okrsite diff --format json` lists every one)."]
    return out


def _section(title: str, rows: list[Any], header: Sequence[str], cells: Callable[[Any], Sequence[str]],
             note: str = "") -> list[str]:
    if not rows:
        return []
    out = ["", f"#### {title} ({len(rows)})", ""]
    if note:
        out += [note, ""]
    return out + _table(header, rows, cells)


def _side_notes(d: GoalDiff) -> list[str]:
    out: list[str] = []
    for side in (d.base, d.head):
        if not side.exists:
            out += ["", f"> **Note:** {_label(side)} has no handbook in this folder; "
                    f"everything {'there' if side is d.head else 'here'} counts as "
                    f"{'removed' if side is d.head else 'added'}."]
        elif not side.clean:
            lines = side.first_errors
            fence = "`" * max(3, max((_longest_run(x, "`") for x in lines), default=0) + 1)
            more = side.errors - len(lines)
            out += ["", f"> **Warning:** {_label(side)} does not check clean: {plural(side.errors, 'error')}"
                    f" (what loaded is compared).", ">", f"> {fence}text"]
            out += [f"> {line}" for line in lines]
            if more > 0:
                out.append(f"> … and {more} more")
            out.append(f"> {fence}")
    return out


def _summary(d: GoalDiff) -> str:
    parts = []
    for rows, one, what in ((d.objectives_added, "objective", "added"), (d.objectives_removed, "objective", "removed"),
                            (d.key_results_added, "key result", "added"),
                            (d.key_results_removed, "key result", "removed"),
                            (d.changes, "value", "changed"),
                            (d.progress, "objective", "with new progress or status"),
                            (d.kpis_untargeted, "KPI", "no longer targeted"),
                            (d.kpis_added, "KPI", "added"), (d.kpis_removed, "KPI", "removed")):
        if rows:
            parts.append(f"{plural(len(rows), one)} {what}")
    return " · ".join(parts) if parts else "No change to objectives, key results or KPIs."


def _as_of_note(d: GoalDiff) -> str:
    where = {"config": "`as_of` in okrsite.yaml of " + ("the working tree" if d.head.commit is None
                                                        else code(d.head.label)),
             "option": "`--today`", "today": "today; okrsite.yaml sets no `as_of`"}[d.as_of_source]
    return f"Progress and status on both sides are judged at **{d.as_of.isoformat()}** ({where})."


def _where(c: Any) -> str:
    if c.type == "kpi":
        return f"KPI {code(c.id)} {md(c.title)}"
    ident = f"{c.id}/{c.key_result}" if c.key_result else c.id
    return f"{code(ident)} {md(c.title)}"


def _status_change(p: ProgressChange) -> str:
    old, new = chip(p.old_status, p.old_grade), chip(p.new_status, p.new_grade)
    return new if old == new else f"{old} → {new}"


def _measure(kr: KeyResultEntry) -> str:
    unit = f" {md(kr.unit)}" if kr.unit else ""
    if kr.kind in ("increase", "decrease"):
        return f"{num(kr.start)} → {num(kr.target)}{unit}"
    if kr.kind == "threshold":
        return f"range {value('range', kr.range)}{unit}"
    if kr.kind == "milestone":
        return f"due {kr.due or '—'}"
    return "—"


def _objective_cells(o: ObjectiveEntry) -> list[str]:
    status = chip(o.status, o.grade) + (f", {pct(o.progress)}" if o.status else "")
    return [f"{code(o.id)} {md(o.title)}", code(o.cycle) if o.cycle else "—",
            code(o.org_unit) if o.org_unit else "—", str(len(o.key_results)), status]


def _kr_cells(k: KeyResultEntry) -> list[str]:
    return [code(f"{k.objective}/{k.id}"), md(k.title), md(k.kind.capitalize()), _measure(k)]


def _kpi_cells(k: KpiEntry) -> list[str]:
    return [code(k.id), md(k.title), code(k.org_unit) if k.org_unit else "—"]


def markdown(d: GoalDiff) -> str:
    lines = [MARKER, f"### OKR changes: {_label(d.base)} → {_label(d.head)}", "", _as_of_note(d)]
    lines += _side_notes(d)
    lines += ["", f"**{_summary(d)}**"]
    lines += _section("Changed targets, dates and weights", d.changes, ("Objective, key result or KPI", "Field",
                      "From", "To"), lambda c: [_where(c), FIELD_LABELS.get(c.field, c.field),
                                                value(c.field, c.old), value(c.field, c.new)])
    lines += _section("Progress and status", d.progress, ("Objective", "Progress", "Status"),
                      lambda p: [f"{code(p.id)} {md(p.title)}", f"{pct(p.old_progress)} → {pct(p.new_progress)}",
                                 _status_change(p)])
    obj_header = ("Objective", "Cycle", "Unit", "Key results", "Status")
    lines += _section("Objectives added", d.objectives_added, obj_header, _objective_cells)
    lines += _section("Objectives removed", d.objectives_removed, obj_header, _objective_cells)
    kr_header = ("Key result", "Title", "Kind", "Measure")
    lines += _section("Key results added", d.key_results_added, kr_header, _kr_cells)
    lines += _section("Key results removed", d.key_results_removed, kr_header, _kr_cells)
    kpi_header = ("KPI", "Title", "Unit")
    lines += _section("KPIs no longer targeted", d.kpis_untargeted, kpi_header, _kpi_cells,
                      "No objective (`kpis`) and no key result (`kpi`) aims at these any more.")
    lines += _section("KPIs added", d.kpis_added, kpi_header, _kpi_cells)
    lines += _section("KPIs removed", d.kpis_removed, kpi_header, _kpi_cells)
    return "\n".join(lines) + "\n"


def _side(s: SideInfo) -> dict[str, Any]:
    return {"label": s.label, "commit": s.commit, "exists": s.exists, "clean": s.clean, "errors": s.errors,
            "warnings": s.warnings, "pages": s.pages, "first_errors": s.first_errors}


def _objective(o: ObjectiveEntry) -> dict[str, Any]:
    return {"id": o.id, "title": o.title, "cycle": o.cycle, "org_unit": o.org_unit, "progress": o.progress,
            "status": o.status, "grade": o.grade, "key_results": o.key_results}


def _kr(k: KeyResultEntry) -> dict[str, Any]:
    return {"objective": k.objective, "id": k.id, "title": k.title, "kind": k.kind, "start": k.start,
            "target": k.target, "unit": k.unit, "range": k.range, "due": k.due}


def _kpi(k: KpiEntry) -> dict[str, Any]:
    return {"id": k.id, "title": k.title, "org_unit": k.org_unit}


def as_json(d: GoalDiff) -> str:
    data = {
        "as_of": d.as_of.isoformat(), "as_of_source": d.as_of_source,
        "base": _side(d.base), "head": _side(d.head),
        "changes": [{"type": c.type, "id": c.id, "key_result": c.key_result, "title": c.title, "field": c.field,
                     "from": c.old, "to": c.new} for c in d.changes],
        "progress": [{"id": p.id, "title": p.title,
                      "from": {"progress": p.old_progress, "status": p.old_status, "grade": p.old_grade},
                      "to": {"progress": p.new_progress, "status": p.new_status, "grade": p.new_grade}}
                     for p in d.progress],
        "objectives_added": [_objective(o) for o in d.objectives_added],
        "objectives_removed": [_objective(o) for o in d.objectives_removed],
        "key_results_added": [_kr(k) for k in d.key_results_added],
        "key_results_removed": [_kr(k) for k in d.key_results_removed],
        "kpis_untargeted": [_kpi(k) for k in d.kpis_untargeted],
        "kpis_added": [_kpi(k) for k in d.kpis_added],
        "kpis_removed": [_kpi(k) for k in d.kpis_removed],
    }
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
