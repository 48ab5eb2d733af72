"""Load stage: files on disk → front matter with source positions → the model."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

from okrsite.diagnostics import ERROR, Diagnostics
from okrsite.load.config import load_config
from okrsite.load.fields import describe
from okrsite.load.pages import build_page
from okrsite.load.sources import find_content, read_text, split_front_matter
from okrsite.load.yamlnodes import parse
from okrsite.markdown import parse_body
from okrsite.model import Located, Page, Pos, Site, SourceFile


def load_page(sf: SourceFile, diags: Diagnostics) -> Page | None:
    """One content file to one page, or None (with diagnostics) when it cannot be read."""
    text = read_text(sf, diags)
    if text is None:
        return None
    split = split_front_matter(text.text)
    if isinstance(split, str):
        diags.add(sf, Pos(1, 1), ERROR, "front-matter", split)
        return None
    parsed = parse(split.yaml or "", split.yaml_line0, marks=False)
    for p in parsed.problems:
        diags.add(sf, p.pos, ERROR, p.code, p.message)
    if parsed.problems and parsed.value is None:
        return None
    loc = Located(sf, parsed.values, parsed.keys)
    if not parsed.values:  # parsed without marks: find them again if a diagnostic needs one
        loc.lazy = _marks_later(sf)
    data = parsed.value
    if data is None:
        diags.add(sf, Pos(1, 1), ERROR, "front-matter", "front matter is empty: every page needs at least 'title'")
        return None
    if not isinstance(data, dict):
        diags.add(sf, loc.at(), ERROR, "front-matter",
                  f"front matter should be a mapping of fields (key: value), not {describe(data)}")
        return None
    page = build_page(data, loc, split.body, split.body_line, diags)
    if page is not None:
        page.doc = parse_body(split.body, split.body_line)
    return page


def _marks_later(sf: SourceFile) -> Callable[[], tuple[dict, dict]]:
    def marks() -> tuple[dict, dict]:
        text = read_text(sf, Diagnostics())
        split = split_front_matter(text.text) if text else None
        if split is None or isinstance(split, str):
            return {}, {}
        parsed = parse(split.yaml or "", split.yaml_line0, marks=True)
        return parsed.values, parsed.keys

    return marks


def load_site(root: Path, display_root: str, diags: Diagnostics, today: date | None = None) -> Site:
    config = load_config(root, display_root, diags, today)
    site = Site(root, display_root, config)
    for sf in find_content(root, display_root, diags):
        site.add(sf.rel, load_page(sf, diags))
    return site
