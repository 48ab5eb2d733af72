"""The offline search index: a compact list of every page and key result, written as a script.

A script, not JSON: `fetch()` of a local JSON file fails from `file://`, but a
`<script src>` loads anywhere, needs no binary tool (Pagefind) and is byte-stable.
"""

from __future__ import annotations

from okrsite import urls
from okrsite.model import FreePage, Kpi, Objective, OrgUnit
from okrsite.render.filters import script_json, url_path
from okrsite.render.refs import Refs

INDEX_URL = f"{urls.ASSETS}/search-index.js"
TEXT_CHARS = 160  # of each body: enough to recognise a page, small enough for 10,000 pages


def excerpt(page: object) -> str:
    text = getattr(getattr(page, "doc", None), "text", "") or ""
    text = " ".join(text.split())
    return text if len(text) <= TEXT_CHARS else text[:TEXT_CHARS].rsplit(" ", 1)[0] + "…"


def search_docs(refs: Refs) -> list[list[str]]:
    """[title, type, url, text, status] per page, key result and cycle."""
    docs: list[list[str]] = []
    for c in refs.cfg.cycles:
        ref = refs.cycle(c.id)
        docs.append([c.title, "cycle", ref["url"], f"{ref['start']} – {ref['end']}", ref["state"]])  # type: ignore[index]
    for p in refs.graph.pages.values():
        url = refs.url(p.id)
        if isinstance(p, Objective):
            o = refs.objective(p.id)
            if o is None:
                continue
            unit = o["unit"]["title"] if o["unit"] else ""
            cycle = refs.cycle(p.cycle) if p.cycle else None
            meta = " · ".join(x for x in (p.owner, unit, cycle["title"] if cycle else p.cycle or "") if x)
            docs.append([p.title, "objective", url, f"{meta} — {excerpt(p)}".strip(" —"), o["grade"] or o["status"]])
            for kr in p.key_results:
                k = refs.kr(p.id, kr.id)
                if k:
                    docs.append([kr.title, "key result", k["url"], p.title, k["status"]])
        elif isinstance(p, Kpi):
            k = refs.kpi(p.id)
            docs.append([p.title, "KPI", url, " · ".join(x for x in (p.owner, excerpt(p)) if x),
                         k["health"] if k else ""])
        elif isinstance(p, OrgUnit):
            meta = " · ".join(x for x in (p.kind.replace("_", " "), p.lead) if x)
            docs.append([p.title, "unit", url, f"{meta} — {excerpt(p)}".strip(" —"), ""])
        elif isinstance(p, FreePage):
            docs.append([p.title, "page", url, excerpt(p), ""])
    return [[t, kind, url_path(url), text, status] for t, kind, url, text, status in docs]


def search_index(refs: Refs) -> bytes:
    body = script_json({"v": 1, "fields": ["title", "type", "url", "text", "status"], "docs": search_docs(refs)})
    return f"window.OKRSITE_SEARCH={body};\n".encode()
