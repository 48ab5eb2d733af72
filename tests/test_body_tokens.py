"""Bodies keep no tokens after loading (they are most of a big handbook's memory); rendering uses the HTML their
one parse made (or parses them again where it was not kept) and must link exactly as the parse validation saw."""

from __future__ import annotations

import shutil
from pathlib import Path

from okrsite.build import check
from okrsite.markdown import parse_body
from okrsite.render.body import render_body
from tests.site_support import REPO, SPEC_SITE


def _with_tokens(doc, line: int):  # noqa: ANN001, ANN202 - the body as loading used to keep it
    fresh = parse_body(doc.source, line)
    for new, old in zip(fresh.links, doc.links, strict=True):
        new.resolved, new.label = old.resolved, old.label
    return fresh


def _bodies_render_alike(root: Path) -> int:
    build = check(root)
    compared = 0
    for page in build.site.pages:
        doc = page.doc
        assert doc is not None and doc.tokens is None
        assert all(link.token is None for link in doc.links)
        url = build.resolved.graph.url_of.get(page.id, "index.html")
        assert render_body(doc, url) == render_body(_with_tokens(doc, page.body_line), url), page.file.rel
        compared += bool(doc.links)
    return compared


def test_example_bodies_render_as_with_their_tokens() -> None:
    assert _bodies_render_alike(REPO) > 10


def test_spec_handbook_bodies_render_as_with_their_tokens() -> None:
    assert _bodies_render_alike(SPEC_SITE) > 0


def test_broken_and_renamed_links_render_from_the_latest_validation(tmp_path: Path) -> None:
    site = shutil.copytree(REPO, tmp_path / "hb", ignore=shutil.ignore_patterns(".git", ".venv", "_site", "tests",
                                                                             "bench", "node_modules"))
    page = site / "content" / "handbook" / "glossary.md"
    page.write_text(page.read_text() + "\nSee [[nps]], [[no-such-page]] and [[nps|our NPS]].\n")
    build = check(site)
    glossary = next(p for p in build.site.pages if p.file.path == page)
    html = render_body(glossary.doc, build.resolved.graph.url_of[glossary.id])
    nps = next(p for p in build.site.pages if p.id == "nps")
    assert f'class="wikilink">{nps.title}</a>' in html
    assert '<span class="broken-link">no-such-page</span>' in html
    assert 'class="wikilink">our NPS</a>' in html
