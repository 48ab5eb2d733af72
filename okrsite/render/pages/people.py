"""People: one page per owner or lead, and the People tab that lists them, split into pages.

A person can own thousands of objectives in a big handbook, so each list on a person page
is capped (the first `LIST_CAP`, with how many more); the index shows `PEOPLE_PER_PAGE` rows
a page. Everything is read through `refs` (serve records those reads).
"""

from __future__ import annotations

from functools import partial
from typing import Any

from okrsite import urls
from okrsite.compute.results import OBJECTIVE_STATUSES, Person
from okrsite.render import PageJob, PlannedPage
from okrsite.render.nav import capped, group, page_context, page_count, pager, toc_entry
from okrsite.render.refs import Ref, Refs
from okrsite.render.rollup import HEALTH_ORDER

PEOPLE_PER_PAGE = 100
NEIGHBOURS = 10  # people either side of this one in the sidebar
# worst first within a cycle, so what needs attention heads each list
STATUS_RANK = {s: i for i, s in enumerate(("off_track", "red", "at_risk", "yellow", "on_track", "green",
                                           "planned", "ended", "no_data"))}


def people_pages(refs: Refs) -> list[PlannedPage]:
    """The index pages and one page per person; URLs come from compute, no context is built here."""
    people: list[Person] = refs.results.people
    n = page_count(len(people), PEOPLE_PER_PAGE)
    out = [PlannedPage(urls.people_index_url(p), partial(people_index, refs, p)) for p in range(1, n + 1)]
    out += [PlannedPage(person.url, partial(person_job, refs, i)) for i, person in enumerate(people)]
    return out


def index_page_of(i: int) -> int:
    return i // PEOPLE_PER_PAGE + 1


def _cycle_order(refs: Refs) -> dict[str | None, int]:
    """The current cycle first, then the others newest first."""
    order = {c.id: len(refs.cfg.cycles) - c.index for c in refs.cfg.cycles}
    if refs.cfg.current_cycle:
        order[refs.cfg.current_cycle] = -1
    return order


def _objectives(refs: Refs, ids: list[str]) -> list[Ref]:
    rank = _cycle_order(refs)
    refs_ = [r for r in (refs.objective(o) for o in ids) if r]
    return sorted(refs_, key=lambda r: (rank.get(r["cycle"], 1 << 30), STATUS_RANK.get(r["grade"] or r["status"], 99),
                                        r["title"].lower(), r["id"]))


def _key_results(refs: Refs, ids: list[str]) -> list[Ref]:
    rank = _cycle_order(refs)
    out = []
    for ref in ids:
        oid, _, kr_id = ref.partition("/")
        kr, obj = refs.kr(oid, kr_id), refs.objective(oid)
        if kr and obj:
            cycle = refs.cycle(obj["cycle"])
            out.append({**kr, "cycle": obj["cycle"], "cycle_title": cycle["title"] if cycle else None})
    return sorted(out, key=lambda r: (rank.get(r["cycle"], 1 << 30), STATUS_RANK.get(r["status"], 99),
                                      r["title"].lower(), r["objective"]["id"], r["id"]))


def _mix(objectives: list[Ref], cycle_id: str | None) -> list[dict[str, Any]]:
    """How many of the objectives of one cycle have each status (grades once ended)."""
    counts: dict[str, int] = {}
    for o in objectives:
        if o["cycle"] == cycle_id:
            s = o["grade"] or o["status"]
            counts[s] = counts.get(s, 0) + 1
    order = [*OBJECTIVE_STATUSES, "green", "yellow", "red"]
    return [{"status": s, "count": counts[s]} for s in sorted(counts, key=lambda s: STATUS_RANK.get(s, len(order)))]


def person_job(refs: Refs, i: int) -> PageJob:
    people: list[Person] = refs.results.people
    person = people[i]
    url = person.url
    objectives_all = _objectives(refs, person.objectives)
    krs_all = _key_results(refs, person.key_results)
    kpis_all = sorted((k for k in (refs.kpi(x) for x in person.kpis) if k),
                      key=lambda k: (HEALTH_ORDER.index(k["health"]) if k["health"] in HEALTH_ORDER else 99,
                                     k["title"].lower(), k["id"]))
    units_all = sorted((u for u in (refs.unit(x) for x in person.org_units) if u),
                       key=lambda u: (u["title"].lower(), u["id"]))
    objectives, objectives_more = capped(objectives_all)
    cycle_titles = {c.id: c.title for c in refs.cfg.cycles}
    # copies (refs are shared): the cycle by its title, and no owner line under each: it is this person
    objectives = [{**o, "owner": "", "cycle": cycle_titles.get(o["cycle"], o["cycle"])} for o in objectives]
    krs, krs_more = capped(krs_all)
    kpis, kpis_more = capped(kpis_all)
    units, units_more = capped(units_all)
    cur = refs.cfg.current_cycle
    lo, hi = max(0, i - NEIGHBOURS), min(len(people), i + NEIGHBOURS + 1)
    here = urls.people_index_url(index_page_of(i))
    nav = group("People", [{"title": p.name, "url": p.url, "current": j == i, "status": None, "note": "",
                            "depth": 0} for j, p in enumerate(people[lo:hi], lo)], url=here,
                cap=2 * NEIGHBOURS + 1)
    if lo > 0 or hi < len(people):
        nav["more"] = {"url": here, "label": f"all {len(people)} people…"}
    toc = [toc_entry(title, anchor) for title, anchor, n in (
        ("Units led", "units", len(units_all)), ("Objectives", "objectives", len(objectives_all)),
        ("Key results", "key-results", len(krs_all)), ("KPIs", "kpis", len(kpis_all))) if n]
    return PageJob(url, "person.html", page_context(
        refs, url, section="people", kind="person", title=person.name, page_id=url,
        crumbs=[{"title": "People", "url": urls.PEOPLE}], sidebar=[nav], toc=toc,
        person={"name": person.name, "objectives": len(objectives_all), "key_results": len(krs_all),
                "kpis": len(kpis_all), "org_units": len(units_all)},
        current_cycle=refs.cycle(cur), mix=_mix(objectives_all, cur),
        objectives=objectives, objectives_more=objectives_more, key_results=krs, key_results_more=krs_more,
        kpis=kpis, kpis_more=kpis_more, units=units, units_more=units_more, index_url=here))


def people_index(refs: Refs, page: int) -> PageJob:
    people: list[Person] = refs.results.people
    url = urls.people_index_url(page)
    first = (page - 1) * PEOPLE_PER_PAGE
    cur = refs.cfg.current_cycle
    rows = []
    for person in people[first:first + PEOPLE_PER_PAGE]:
        objectives = [r for r in (refs.objective(o) for o in person.objectives) if r]
        rows.append({"name": person.name, "url": person.url, "objectives": len(person.objectives),
                     "key_results": len(person.key_results), "kpis": len(person.kpis),
                     "units": [u for u in (refs.unit(x) for x in person.org_units[:3]) if u],
                     "units_more": max(0, len(person.org_units) - 3), "mix": _mix(objectives, cur)})
    # one jump link per initial letter: where the names starting with it begin (a bounded list)
    letters: list[dict[str, Any]] = []
    for i, person in enumerate(people):
        initial = (person.name[:1] or "?").upper()
        if not letters or letters[-1]["letter"] != initial:
            if any(x["letter"] == initial for x in letters):
                continue  # names sorted by code point: a lower-case initial after Z joins its upper-case run
            letters.append({"letter": initial, "url": urls.people_index_url(index_page_of(i)) + f"#person-{i}",
                            "index": i})
    for row, i in zip(rows, range(first, first + len(rows)), strict=False):
        row["anchor"] = f"person-{i}"
    n = page_count(len(people), PEOPLE_PER_PAGE)
    return PageJob(url, "index_people.html", page_context(
        refs, url, section="people", kind="index", title="People" + (f" · page {page}" if n > 1 else ""),
        page_id="people", crumbs=[{"title": "People", "url": urls.PEOPLE}] if page > 1 else None,
        rows=rows, letters=letters[:60], total=len(people), first=first + 1 if rows else 0,
        last=first + len(rows), current_cycle=refs.cycle(cur), dependencies=urls.DEPENDENCIES,
        pager=pager(page, n, urls.people_index_url)))
