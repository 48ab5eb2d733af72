"""Links in bodies: relative `.md` links, `#anchors` and `[[wiki]]` links must resolve.

A resolved link gets `resolved`: its target as an output URL relative to the site
root (with anchor), which the renderer rewrites relative to each page.
"""

from __future__ import annotations

import posixpath

from okrsite import urls
from okrsite.diagnostics import ERROR, WARNING, Diagnostics, did_you_mean
from okrsite.markdown import Link
from okrsite.model import Objective, Page, Site
from okrsite.validate.graph import Graph

SAFE_SCHEMES = ("http", "https", "mailto", "tel")


def anchors_of(page: Page) -> list[str]:
    anchors = list(page.doc.anchors) if page.doc else []
    if isinstance(page, Objective):
        anchors += [urls.kr_anchor(kr.id) for kr in page.key_results]
    return anchors


def check_links(site: Site, g: Graph, diags: Diagnostics) -> set[str]:
    """Check every body link; return the content-relative paths of linked files to copy."""
    files: set[str] = set()
    content = site.root / "content"
    for page in g.pages.values():
        if page.doc is None:
            continue
        for link in page.doc.links:
            _check(page, link, g, diags, content, files)
    return files


def _err(page: Page, link: Link, code: str, msg: str, diags: Diagnostics, severity: str = ERROR) -> None:
    diags.add(page.file, link.pos, severity, code, msg)


def _check(page: Page, link: Link, g: Graph, diags: Diagnostics, content, files: set[str]) -> None:  # noqa: ANN001
    link.resolved = link.label = None
    if link.kind == "external":
        scheme = link.target.split(":", 1)[0].lower() if ":" in link.target else ""
        if scheme and scheme not in SAFE_SCHEMES:
            _err(page, link, "unsafe-link", f"link scheme '{scheme}:' is not allowed; the link is dropped",
                 diags, WARNING)
        return
    if link.kind == "anchor":
        target_page: Page | None = page
        label = f"'#{link.anchor}'"
    elif link.kind == "wiki":
        _check_wiki(page, link, g, diags)
        return
    else:
        base = posixpath.dirname(page.file.rel)
        rel = posixpath.normpath(posixpath.join(base, link.target)) if link.target else page.file.rel
        if rel.startswith("../") or rel == ".." or link.target.startswith("/"):
            _err(page, link, "broken-link", f"link '{link.target}' points outside content/", diags)
            return
        if link.kind == "file":
            if not (content / rel).is_file():
                _err(page, link, "broken-link", f"broken link: file '{link.target}' not found", diags)
                return
            if not (content / rel).resolve().is_relative_to(content.parent.resolve()):  # symlinked out: never copied
                _err(page, link, "broken-link", f"linked file '{link.target}' is a symlink to outside the site", diags)
                return
            files.add(rel)
            link.resolved = rel + (f"#{link.anchor}" if link.anchor else "")
            return
        target_page = g.by_rel.get(rel)
        if rel in g.failed or (target_page is not None and g.pages.get(target_page.id) is not target_page):
            return  # the target exists but did not load, or lost its id to a duplicate: reported there
        if target_page is None:
            pool = [posixpath.relpath(r, base or ".") for r in g.by_rel]
            hint = did_you_mean(posixpath.relpath(rel, base or "."), pool)
            _err(page, link, "broken-link", f"broken link: '{link.target}' not found{hint}", diags)
            return
        label = f"'#{link.anchor}' in '{link.target}'"
    assert target_page is not None
    if link.anchor:
        anchors = anchors_of(target_page)
        if link.anchor not in anchors:
            _err(page, link, "broken-anchor", f"broken anchor {label}{did_you_mean(link.anchor, anchors)}", diags)
            return
    url = g.url_of[target_page.id]
    link.resolved = url + (f"#{link.anchor}" if link.anchor else "")


def _check_wiki(page: Page, link: Link, g: Graph, diags: Diagnostics) -> None:
    target, _, kr_id = link.target.partition("/")
    found = g.pages.get(target)
    if found is None and g.explained(target):
        return  # the page exists but did not load: its own error says why
    if found is None:
        hint = did_you_mean(target, list(g.pages))
        _err(page, link, "broken-link", f"broken wiki link: no page with id '{target}'{hint}", diags)
        return
    label = found.title
    anchor = ""
    if kr_id:
        if not isinstance(found, Objective):
            _err(page, link, "broken-link",
                 f"broken wiki link: '{target}' is not an objective, so '{kr_id}' cannot be a key result", diags)
            return
        krs = {kr.id: kr for kr in found.key_results}
        if kr_id not in krs:
            _err(page, link, "broken-link",
                 f"broken wiki link: objective '{target}' has no key result '{kr_id}'{did_you_mean(kr_id, krs)}",
                 diags)
            return
        label = krs[kr_id].title
        anchor = "#" + urls.kr_anchor(kr_id)
    link.label = label
    link.resolved = g.url_of[found.id] + anchor
