"""The cycle page: the cycle at a glance (a scorecard graded 0.0–1.0 once ended), one row per value
stream with its status mix, and the objectives that need attention. It never lists every objective:
each row links to that stream's map page, and the objectives index has them all, page by page."""

from __future__ import annotations

from functools import partial
from typing import Any

from okrsite import urls
from okrsite.compute.progress import expected_progress, grade_of, status_of
from okrsite.compute.results import GRADES, OBJECTIVE_STATUSES
from okrsite.model import Cycle
from okrsite.render import PageJob, PlannedPage
from okrsite.render.charts import donut
from okrsite.render.filters import pct
from okrsite.render.nav import cycles_group, page_context, toc_entry
from okrsite.render.refs import Ref, Refs, num
from okrsite.render.rollup import EVERYTHING, rollup

RUNNING_STATUSES = ("on_track", "at_risk", "off_track")
ATTENTION_CAP = 20


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


def attention(refs: Refs, cycle: Cycle, cap: int = ATTENTION_CAP) -> tuple[list[Ref], int]:
    """The objectives that most need a look: off track then at risk while running, red once ended."""
    ru = rollup(refs)
    worst = {"off_track": 0, "at_risk": 1, "red": 0}
    picked = []
    for oid, _ in ru.cycles[cycle.id].ordered():
        r = refs.results.objectives[oid]
        rank = worst.get(r.grade or r.status)
        if rank is not None:
            picked.append((rank, r.progress, oid))
    picked.sort()
    return [refs.objective(o) for _, _, o in picked[:cap]], max(0, len(picked) - cap)  # type: ignore[misc]


def cycle_pages(refs: Refs) -> list[PlannedPage]:
    return [PlannedPage(urls.cycle_url(c), partial(cycle_job, refs, c)) for c in refs.cfg.cycles]


def cycle_job(refs: Refs, cycle: Cycle) -> PageJob:
    """The cycle's scorecard, one row per value stream (the units under the root) and what needs attention."""
    from okrsite.render.pages.alignment import landing_url, top_rows

    url = urls.cycle_url(cycle)
    rollup(refs).depend(EVERYTHING)  # a scorecard of the whole cycle: rebuilt on any edit
    ids = [o for o in refs.graph.cycle_objectives.get(cycle.id, []) if o in refs.results.objectives]
    summary = cycle_summary(refs, cycle, ids)
    chart = cycle_chart(cycle, summary)
    rows, rows_more = top_rows(refs, cycle)
    needs, needs_more = attention(refs, cycle)
    ref = refs.cycle(cycle.id)
    ids_ = {"summary": "summary", "streams": "by-stream", "attention": "attention"}
    toc = [toc_entry("Scorecard" if summary["state"] == "ended" else "At a glance", ids_["summary"])]
    if rows:
        toc.append(toc_entry("By value stream", ids_["streams"]))
    if summary["state"] != "planned" and summary["count"]:
        toc.append(toc_entry("Lowest scores" if summary["state"] == "ended" else "Needs attention", ids_["attention"]))
    from okrsite.render.pages.indexes import objectives_url

    return PageJob(url, "cycle.html", page_context(
        refs, url, section="cycles", kind="cycle", title=cycle.title, page_id=cycle.id,
        crumbs=[{"title": "Cycles", "url": urls.INDEXES["cycle"]}], sidebar=[cycles_group(refs, cycle.id)],
        toc=toc, charts=chart is not None, cycle=ref, summary=summary, chart=chart, rows=rows, rows_more=rows_more,
        needs=needs, needs_more=needs_more, map=landing_url(refs, cycle.id), objectives=objectives_url(refs, cycle.id),
    ))
