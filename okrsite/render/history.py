"""History in the site: the History section of objective and KPI pages, the "last updated" line and
"Edit this page" link of every page, the home page's revisions of the current cycle, and `revisions`
in data.json — all plain data built from `okrsite.history`.

A revision dated after its objective's cycle began is a *mid-cycle change*: the OKR rule is to keep
the objective and adjust key results openly, so those are marked, and counted on the home page.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from okrsite import urls
from okrsite.history.model import ADDED, REMOVED, Commit, FileHistory, History, Revision
from okrsite.model import Cycle, Kpi, Objective, Page
from okrsite.render.filters import datefmt, fmt, with_unit
from okrsite.render.refs import Refs
from okrsite.repo_links import commit_url, edit_url

HISTORY_CAP = 30  # commits listed in a page's History section; data.json has every revision
HOME_CAP = 12  # revisions listed on the home page
FIELD_LABELS = {
    "title": "Title", "start": "Start", "target": "Target", "range": "Range", "due": "Due date",
    "weight": "Weight", "kind": "Kind", "plan": "Plan", "alert": "Alert",
    ADDED: "Key result added", REMOVED: "Key result removed",
}


# --- data.json -------------------------------------------------------------------------------------

def revisions_data(history: History, page: Page) -> list[dict[str, Any]]:
    """The spec's `revisions`, newest first; uncommitted edits have no commit and are left out."""
    fh = history.files.get(page.file.rel)
    if fh is None:
        return []
    return [{"commit": r.commit.hash, "date": r.commit.date, "author": r.commit.author, "message": r.commit.subject,
             "key_result": r.key_result, "field": r.field, "from": r.old, "to": r.new}
            for r in fh.revisions if r.commit is not None]


# --- values for reading --------------------------------------------------------------------------------

def shown(value: Any, field: str, unit: str = "") -> str:
    """A tracked value in words: numbers with their unit, ranges as bands, plans as dated points."""
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (int, float)):
        return with_unit(value, unit) if field in ("start", "target", "alert") else fmt(value)
    if field == "due" and isinstance(value, str):
        return datefmt(value)
    if field == "range" and isinstance(value, list) and len(value) == 2:
        low, high = (shown(v, "target", unit) if v is not None else None for v in value)
        return f"{low} – {high}" if low and high else f"at least {low}" if low else f"at most {high}" if high \
            else "none"
    if field == "plan" and isinstance(value, list):
        points = []
        for p in value:
            if isinstance(p, dict):
                points.append(f"{datefmt(str(p.get('date') or ''))}: {shown(p.get('value'), 'target', unit)}")
            else:
                points.append(shown(p, "", unit))
        return " · ".join(points) if points else "no plan"
    return str(value)


def _phase(day: str | None, cycle: Cycle | None) -> str | None:
    """`mid_cycle` after the cycle's first day and up to its end, `after_cycle` once it ended."""
    if day is None or cycle is None:
        return None
    d = date.fromisoformat(day)
    if d > cycle.end:
        return "after_cycle"
    return "mid_cycle" if d > cycle.start else None


def _commit(refs: Refs, c: Commit) -> dict[str, Any]:
    return {"hash": c.hash, "short": c.hash[:8], "url": commit_url(refs.cfg.repo_url, c.hash), "date": c.date,
            "author": c.author, "message": c.subject}


def _change(refs: Refs, page: Page, r: Revision, cycle: Cycle | None) -> dict[str, Any]:
    kr_ref = None
    unit = ""
    if isinstance(page, Objective) and r.key_result is not None:
        kr = next((k for k in page.key_results if k.id == r.key_result), None)
        if kr is not None:
            unit = kr.unit
            kr_ref = {"title": kr.title, "url": refs.url(page.id) + "#" + urls.kr_anchor(kr.id)}
    elif isinstance(page, Kpi):
        unit = page.unit
    if r.key_result is not None and kr_ref is None:
        kr_ref = {"title": r.kr_title or r.key_result, "url": None}  # since removed
    structural = r.field in (ADDED, REMOVED)
    return {
        "key_result": r.key_result, "kr": kr_ref, "field": r.field, "label": FIELD_LABELS.get(r.field, r.field),
        "from": None if structural else shown(r.old, r.field, unit),
        "to": None if structural else shown(r.new, r.field, unit),
        "phase": _phase(r.commit.date if r.commit else None, cycle),
    }


def history_section(refs: Refs, page: Objective | Kpi) -> dict[str, Any] | None:
    """A page's History section: its revisions grouped by commit, newest first, then what is not committed."""
    history: History | None = refs.history
    fh = history.files.get(page.file.rel) if history is not None else None
    if history is None or fh is None:
        return None
    cycle = refs.cfg.cycle(page.cycle) if isinstance(page, Objective) else None
    groups: list[dict[str, Any]] = []
    by_commit: dict[str, dict[str, Any]] = {}
    for r in fh.revisions:
        assert r.commit is not None
        g = by_commit.get(r.commit.hash)
        if g is None:
            if len(groups) == HISTORY_CAP:
                break
            g = by_commit[r.commit.hash] = {**_commit(refs, r.commit), "changes": []}
            groups.append(g)
        g["changes"].append(_change(refs, page, r, cycle))
    commits = len({r.commit.hash for r in fh.revisions if r.commit is not None})
    for g in groups:
        g["phase"] = next((c["phase"] for c in g["changes"] if c["phase"]), None)
    return {
        "commits": groups,
        "more": commits - len(groups),
        "count": len(fh.revisions),
        "mid_cycle": sum(1 for r in fh.revisions if _phase(r.commit.date if r.commit else None, cycle) == "mid_cycle"),
        "pending": [_change(refs, page, r, None) for r in fh.pending],
        "dirty": fh.dirty,
        "committed": fh.committed,
        "created": _commit(refs, fh.created) if fh.created else None,
        "shallow": {"since": history.oldest.date if history.oldest else None} if history.shallow else None,
        "cycle": {"title": cycle.title, "start": cycle.start.isoformat()} if cycle else None,
    }


# --- every page ------------------------------------------------------------------------------------------

def source_info(refs: Refs, kind: str, page_id: str) -> dict[str, Any] | None:
    """"Last updated" from git and "Edit this page" from repo_url + edit_uri, for a page drawn from a file."""
    page = _source_page(refs, kind, page_id)
    if page is None:
        return None
    history: History | None = refs.history
    fh: FileHistory | None = history.files.get(page.file.rel) if history is not None else None
    edit = edit_url(refs.cfg.repo_url, refs.cfg.edit_uri, page.file.rel, history.prefix if history else "")
    if fh is None and edit is None:
        return None
    updated = fh.updated if fh is not None else None
    return {"updated": updated.date if updated else None, "by": updated.author if updated else None,
            "commit": _commit(refs, updated) if updated else None, "dirty": bool(fh and fh.dirty),
            "committed": bool(fh and fh.committed), "git": fh is not None, "edit_url": edit}


SOURCE_KINDS = ("objective", "kpi", "org_unit", "page")


def _source_page(refs: Refs, kind: str, page_id: str) -> Page | None:
    if kind in SOURCE_KINDS:
        return refs.graph.pages.get(page_id)
    if kind == "home":  # content/index.md, when there is one, is the home page's source
        return next((p for p in refs.graph.pages.values() if urls.is_home_source(p)), None)
    return None


# --- the home page ---------------------------------------------------------------------------------------

def cycle_revisions(refs: Refs, cap: int = HOME_CAP) -> dict[str, Any] | None:
    """Revisions of the current cycle's objectives, newest first: the home page's "revisions this cycle"."""
    history: History | None = refs.history
    cycle = refs.current_cycle()
    if history is None or cycle is None:
        return None
    rows: list[tuple[tuple[int, int, str], dict[str, Any]]] = []
    count = mid = 0
    for oid in refs.graph.cycle_objectives.get(cycle.id, []):
        obj = refs.obj_page(oid)
        fh = history.files.get(obj.file.rel) if obj is not None else None
        if obj is None or fh is None:
            continue
        for r in fh.revisions:
            assert r.commit is not None
            count += 1
            change = _change(refs, obj, r, cycle)
            mid += change["phase"] == "mid_cycle"
            key = (-r.commit.stamp, r.commit.order, obj.id)
            if len(rows) < cap or key < rows[-1][0]:
                rows.append((key, {**change, "commit": _commit(refs, r.commit), "objective": refs.objective(oid)}))
                rows.sort(key=lambda kv: kv[0])
                del rows[cap:]
    return {"cycle": refs.cycle(cycle.id), "items": [r for _, r in rows], "count": count, "mid_cycle": mid,
            "more": max(0, count - len(rows))}
