"""Navigation every page carries: the fixed section bar, breadcrumbs, a local sidebar, a table of contents.

Navigation is bounded and local on purpose: no page lists every page (at 10,000
objectives that would make each page huge and re-render all of them on any
edit). Long lists are capped, with a "more" link to the index page that has them all.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from okrsite import urls
from okrsite.render.history import source_info
from okrsite.render.refs import Ref, Refs, iso

NAV_CAP = 20  # items in one sidebar group
LIST_CAP = 50  # items in an in-page list of related pages (contributors, objectives of a KPI …)

SECTIONS: list[dict[str, str]] = [
    {"key": "home", "title": "Home", "url": urls.HOME},
    {"key": "map", "title": "Map", "url": urls.MAP},
    {"key": "cycles", "title": "Cycles", "url": urls.INDEXES["cycle"]},
    {"key": "units", "title": "Units", "url": urls.INDEXES["org_unit"]},
    {"key": "objectives", "title": "Objectives", "url": urls.INDEXES["objective"]},
    {"key": "kpis", "title": "KPIs", "url": urls.INDEXES["kpi"]},
    {"key": "people", "title": "People", "url": urls.PEOPLE},
    {"key": "handbook", "title": "Handbook", "url": urls.INDEXES["page"]},
]


def site_context(refs: Refs) -> dict[str, Any]:
    cfg = refs.cfg
    return {"title": cfg.title, "description": cfg.description, "as_of": iso(cfg.as_of),
            "current_cycle": refs.cycle(cfg.current_cycle)}


def page_context(refs: Refs, url: str, *, section: str, kind: str, title: str, page_id: str = "",
                 crumbs: list[Ref] | None = None, sidebar: list[dict] | None = None,
                 toc: list[dict] | None = None, charts: bool = False, **extra: Any) -> dict[str, Any]:
    """The context keys every template can rely on, plus the page's own `extra` keys."""
    ctx: dict[str, Any] = {
        "site": site_context(refs),
        "root": urls.root_prefix(url),
        "url": url,
        "section": section,
        "sections": SECTIONS,
        "page": {"id": page_id, "type": kind, "title": title},
        "breadcrumbs": [{"title": c["title"], "url": c["url"]} for c in (crumbs or [])],
        "sidebar": [g for g in (sidebar or []) if g["items"] or g.get("url")],
        "toc": toc or [],
        "charts": charts,
        "source": source_info(refs, kind, page_id),  # "last updated" (git) and "Edit this page" (repo_url)
    }
    ctx.update(extra)
    return ctx


def item(ref: Ref | None, current: bool = False, status: str | None = None, note: str = "",
         depth: int = 0) -> dict | None:
    if ref is None:
        return None
    return {"title": ref["title"], "url": ref["url"], "current": current, "status": status, "note": note,
            "depth": depth}


def group(title: str, items: list[dict | None], *, url: str | None = None, more_url: str | None = None,
          cap: int = NAV_CAP) -> dict[str, Any]:
    """A sidebar group of at most `cap` links; the rest behind a "more" link."""
    real = [i for i in items if i is not None]
    more = None
    if len(real) > cap:
        more = {"url": more_url or url or urls.HOME, "label": f"{len(real) - cap} more…"}
        real = real[:cap]
    return {"title": title, "url": url, "items": real, "more": more}


def capped(items: list[Any], cap: int = LIST_CAP) -> tuple[list[Any], int]:
    """The first `cap` items and how many were left out."""
    return items[:cap], max(0, len(items) - cap)


PAGER_WINDOW = 2  # page links either side of the current one; first and last are always shown


def pager(page: int, pages: int, url_of: Callable[[int], str]) -> dict[str, Any] | None:
    """Previous / next and a bounded run of page numbers (1 … 4 5 [6] 7 8 … 80); None for one page."""
    if pages <= 1:
        return None
    shown = sorted({1, pages, *range(max(1, page - PAGER_WINDOW), min(pages, page + PAGER_WINDOW) + 1)})
    items: list[dict[str, Any]] = []
    last = 0
    for n in shown:
        if n > last + 1:
            items.append({"gap": True, "n": None, "url": None, "current": False})
        items.append({"gap": False, "n": n, "url": url_of(n), "current": n == page})
        last = n
    return {"page": page, "pages": pages, "items": items,
            "prev": url_of(page - 1) if page > 1 else None, "next": url_of(page + 1) if page < pages else None}


def page_count(n: int, size: int) -> int:
    return max(1, -(-n // size))


def cycles_group(refs: Refs, current_id: str | None = None) -> dict[str, Any]:
    """Configured cycles (a handful, from okrsite.yaml), newest first."""
    items = []
    for c in reversed(refs.cfg.cycles):
        ref = refs.cycle(c.id)
        if ref:
            items.append(item(ref, current=c.id == current_id, status=ref["state"]))
    return group("Cycles", items, url=urls.INDEXES["cycle"])


def body_toc(doc: Any, levels: tuple[int, ...] = (2, 3)) -> list[dict[str, Any]]:
    if doc is None:
        return []
    return [{"level": lvl, "title": text, "anchor": anchor}
            for lvl, text, anchor in getattr(doc, "headings", []) if lvl in levels]


def section_ids(names: list[str], taken: set[str]) -> dict[str, str]:
    """Ids for a page's own sections that no heading of its Markdown body(ies) already uses."""
    out: dict[str, str] = {}
    used = set(taken)
    for name in names:
        sid, n = name, 0
        while sid in used:
            n += 1
            sid = f"{name}-section" + (f"-{n}" if n > 1 else "")
        used.add(sid)
        out[name] = sid
    return out


def body_anchors(*docs: Any) -> set[str]:
    return {a for d in docs if d is not None for a in getattr(d, "anchors", [])}


def toc_entry(title: str, anchor: str, level: int = 2) -> dict[str, Any]:
    return {"level": level, "title": title, "anchor": anchor}
