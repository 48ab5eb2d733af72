"""The cycle page: every objective of the cycle by unit; once ended, a scorecard graded 0.0–1.0."""

from __future__ import annotations

from typing import Any

from okrsite import urls
from okrsite.compute.progress import expected_progress, grade_of, status_of
from okrsite.compute.results import GRADES, OBJECTIVE_STATUSES
from okrsite.model import Cycle, OrgUnit
from okrsite.render import PageJob
from okrsite.render.charts import donut
from okrsite.render.filters import pct
from okrsite.render.nav import cycles_group, page_context, toc_entry
from okrsite.render.refs import Ref, Refs, num

RUNNING_STATUSES = ("on_track", "at_risk", "off_track")


def unit_order(refs: Refs) -> list[str]:
    """Org units in tree order (pre-order from the roots), so a cycle reads top-down."""
    out: list[str] = []
    seen: set[str] = set()

    def visit(uid: str) -> None:
        if uid in seen:
            return
        seen.add(uid)
        out.append(uid)
        for child in refs.graph.unit_children.get(uid, []):
            visit(child)

    for root in refs.roots():
        visit(root.id)
    out += [p.id for p in refs.graph.pages.values() if isinstance(p, OrgUnit) and p.id not in seen]
    return out


def cycle_summary(refs: Refs, cycle: Cycle, ids: list[str]) -> dict[str, Any]:
    """Status counts while running; score, grade and how key results split once ended."""
    res = [refs.results.objectives[o] for o in ids]
    state = refs.cycle(cycle.id)["state"]  # type: ignore[index]
    mean = sum(r.progress for r in res) / len(res) if res else 0.0
    expected = expected_progress(cycle, refs.as_of)
    status, grade = status_of(mean, expected, cycle, refs.as_of)
    krs = [k for r in res for k in r.key_results]
    split = {g: 0 for g in GRADES}
    for k in krs:
        split[grade_of(k.progress)] += 1
    counts = {s: 0 for s in OBJECTIVE_STATUSES}
    grades = {g: 0 for g in GRADES}
    for r in res:
        counts[r.status] = counts.get(r.status, 0) + 1
        if r.grade:
            grades[r.grade] += 1
    return {
        "state": state, "count": len(res), "progress": num(mean, 4), "expected": num(expected, 4),
        "status": status, "grade": grade if res else None,
        "status_counts": [{"status": s, "count": counts[s]} for s in RUNNING_STATUSES],
        "grade_counts": [{"status": g, "count": grades[g]} for g in GRADES],
        "kr_count": len(krs),
        "kr_split": [{"status": g, "count": n, "share": num(n / len(krs), 4) if krs else 0} for g, n in split.items()],
    }


def cycle_chart(cycle: Cycle, summary: dict[str, Any]) -> dict[str, Any] | None:
    if not summary["count"] or summary["state"] == "planned":
        return None
    key = "grade_counts" if summary["state"] == "ended" else "status_counts"
    counts = [(c["status"], c["count"]) for c in summary[key]]
    what = "grade" if summary["state"] == "ended" else "status"
    text = ", ".join(f"{n} {s.replace('_', ' ')}" for s, n in counts)
    return donut(f"chart-cycle-{cycle.id}", counts, label=f"Objectives of {cycle.title} by {what}",
                 summary=f"{summary['count']} objectives by {what}: {text}.",
                 centre=f"{summary['progress']:.2f}" if summary["state"] == "ended" else pct(summary["progress"]))


def cycle_job(refs: Refs, cycle: Cycle) -> PageJob:
    url = urls.cycle_url(cycle)
    ids = [o for o in refs.graph.cycle_objectives.get(cycle.id, []) if o in refs.results.objectives]
    by_unit: dict[str | None, list[Ref]] = {}
    for oid in ids:
        obj = refs.obj_page(oid)
        uid = obj.org_unit if obj and refs.unit(obj.org_unit) else None
        by_unit.setdefault(uid, []).append(refs.objective(oid))  # type: ignore[arg-type]
    units = []
    for uid in [*unit_order(refs), None]:
        if uid in by_unit:
            units.append({"unit": refs.unit(uid) if uid else None, "anchor": f"unit-{uid or 'none'}",
                          "objectives": by_unit[uid]})
    summary = cycle_summary(refs, cycle, ids)
    chart = cycle_chart(cycle, summary)
    ref = refs.cycle(cycle.id)
    toc = [toc_entry("Scorecard" if summary["state"] == "ended" else "At a glance", "summary"),
           toc_entry("Objectives by unit", "by-unit")]
    toc += [toc_entry(u["unit"]["title"] if u["unit"] else "Other", u["anchor"], 3) for u in units[:30]]
    return PageJob(url, "cycle.html", page_context(
        refs, url, section="cycles", kind="cycle", title=cycle.title, page_id=cycle.id,
        crumbs=[{"title": "Cycles", "url": urls.INDEXES["cycle"]}], sidebar=[cycles_group(refs, cycle.id)],
        toc=toc, charts=chart is not None, cycle=ref, summary=summary, units=units, chart=chart,
    ))
