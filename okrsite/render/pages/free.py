"""Free handbook pages: the body, its table of contents, and the pages of the same folder around it."""

from __future__ import annotations

import posixpath

from okrsite import urls
from okrsite.model import FreePage
from okrsite.render import PageJob
from okrsite.render.body import render_body
from okrsite.render.nav import body_toc, group, item, page_context
from okrsite.render.pages.indexes import folder_title
from okrsite.render.refs import Refs

FOLDER_CAP = 30


def free_page_job(refs: Refs, page: FreePage, siblings: list[FreePage], i: int) -> PageJob:
    """`siblings`: the pages of the same folder in reading order; this page is `siblings[i]`."""
    url = refs.url(page.id)
    prev_ref = refs.page(siblings[i - 1].id) if i > 0 else None
    next_ref = refs.page(siblings[i + 1].id) if i + 1 < len(siblings) else None
    # a window of the folder around this page keeps the sidebar bounded in a huge folder
    lo = max(0, min(i - FOLDER_CAP // 2, len(siblings) - FOLDER_CAP))
    window = siblings[lo:lo + FOLDER_CAP]
    folder = posixpath.dirname(page.file.rel)
    nav = group(folder_title(folder), [item(refs.page(p.id), current=p.id == page.id) for p in window],
                url=urls.INDEXES["page"], cap=FOLDER_CAP)
    if len(siblings) > len(window):
        nav["more"] = {"url": urls.INDEXES["page"], "label": f"all {len(siblings)} pages…"}
    return PageJob(url, "page.html", page_context(
        refs, url, section="handbook", kind="page", title=page.title, page_id=page.id,
        crumbs=[{"title": "Handbook", "url": urls.INDEXES["page"]}], sidebar=[nav],
        toc=body_toc(page.doc), body=render_body(page.doc, url),
        prev=prev_ref, next=next_ref,
    ))
