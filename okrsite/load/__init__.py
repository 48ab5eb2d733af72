"""Load stage: files on disk → front matter with source positions → the model."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

from okrsite.diagnostics import ERROR, Diagnostics
from okrsite.load.config import load_config
from okrsite.load.fields import describe
from okrsite.load.pages import build_page
from okrsite.load.sources import Split, find_content, read_text, split_front_matter
from okrsite.load.yamlnodes import Parsed, parse
from okrsite.markdown import Body, parse_body
from okrsite.model import Located, Page, Pos, Site, SourceFile
from okrsite.parallel import Counter, run_forked


def load_page(sf: SourceFile, diags: Diagnostics) -> Page | None:
    """One content file to one page, or None (with diagnostics) when it cannot be read."""
    split = _read_split(sf, diags)
    if split is None:
        return None
    return _page(sf, split, parse(split.yaml or "", split.yaml_line0, marks=False), None, diags)


def _read_split(sf: SourceFile, diags: Diagnostics) -> Split | None:
    text = read_text(sf, diags)
    if text is None:
        return None
    split = split_front_matter(text.text)
    if isinstance(split, str):
        diags.add(sf, Pos(1, 1), ERROR, "front-matter", split)
        return None
    return split


def _page(sf: SourceFile, split: Split, parsed: Parsed, doc: Body | None, diags: Diagnostics) -> Page | None:
    """The page from its parsed front matter; `doc` is its body when already parsed."""
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
        page.doc = doc if doc is not None else parse_body(split.body, split.body_line)
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


PARALLEL_FROM = 400  # files; below this forking costs more than it saves
FILE_CHUNK = 128


def load_site(root: Path, display_root: str, diags: Diagnostics, today: date | None = None,
              jobs: int = 1) -> Site:
    """Every content file into the model. With `jobs` > 1 the front matter (the costly part: libyaml
    builds a Python object per token) is parsed in forked workers while this process parses the
    Markdown bodies and then joins in; only plain values travel back, and the pages are put together
    here in path order.
    """
    config = load_config(root, display_root, diags, today)
    site = Site(root, display_root, config)
    files = find_content(root, display_root, diags)
    if jobs <= 1 or len(files) < PARALLEL_FROM:
        for sf in files:
            site.add(sf.rel, load_page(sf, diags))
        return site
    read_diags = [Diagnostics() for _ in files]
    splits = [_read_split(sf, d) for sf, d in zip(files, read_diags, strict=True)]
    todo = [i for i, sp in enumerate(splits) if sp is not None]

    counter = Counter()

    def front(_: int) -> dict[int, Parsed]:
        done: dict[int, Parsed] = {}
        while (start := counter.take() * FILE_CHUNK) < len(todo):
            for i in todo[start:start + FILE_CHUNK]:
                done[i] = parse(splits[i].yaml or "", splits[i].yaml_line0, marks=False)  # type: ignore[union-attr]
        return done

    def bodies() -> list[Body]:
        return [parse_body(splits[i].body, splits[i].body_line) for i in todo]  # type: ignore[union-attr]

    shares, docs = run_forked(jobs, front, bodies)
    parsed: dict[int, Parsed] = {}
    for share in shares:
        parsed.update(share)
    doc_of = dict(zip(todo, docs, strict=True))
    for i, sf in enumerate(files):
        diags.extend(read_diags[i])
        split = splits[i]
        site.add(sf.rel, None if split is None else _page(sf, split, parsed[i], doc_of[i], diags))
    return site
