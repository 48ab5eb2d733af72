"""Load stage: files on disk → front matter with source positions → the model."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from okrsite.diagnostics import ERROR, Diagnostics
from okrsite.load.cache import FrontCache, open_cache
from okrsite.load.config import load_config
from okrsite.load.fields import describe
from okrsite.load.gcpause import paused_collector
from okrsite.load.pages import build_page
from okrsite.load.sources import Split, find_content, read_text, split_front_matter
from okrsite.load.stream import stream_chunks
from okrsite.load.yamlnodes import Parsed, parse
from okrsite.markdown import Body, read_body
from okrsite.model import Located, Page, Pos, Site, SourceFile
from okrsite.plainbody import is_plain


def load_page(sf: SourceFile, diags: Diagnostics, html: bool = False) -> Page | None:
    """One content file to one page, or None (with diagnostics) when it cannot be read. With `html` (the
    page will be rendered) its body keeps its HTML (markdown.read_body)."""
    split = _read_split(sf, diags)
    if split is None:
        return None
    return _page(sf, split, parse(split.yaml or "", split.yaml_line0, marks=False), diags, html=html)


def _read_split(sf: SourceFile, diags: Diagnostics) -> Split | None:
    text = read_text(sf, diags)
    if text is None:
        return None
    split = split_front_matter(text.text)
    if isinstance(split, str):
        diags.add(sf, Pos(1, 1), ERROR, "front-matter", split)
        return None
    return split


def _page(sf: SourceFile, split: Split, parsed: Parsed, diags: Diagnostics, doc: Body | None = None,
          html: bool = False) -> Page | None:
    """The page from its parsed front matter and its body (parsed here unless a worker did: `doc`)."""
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
        page.doc = doc if doc is not None else read_body(split.body, split.body_line, html)
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
FILE_CHUNK = 32  # files a process takes at a time


def load_site(root: Path, display_root: str, diags: Diagnostics, today: date | None = None,
              jobs: int = 1, html: bool = False) -> Site:
    """Every content file into the model, in path order, with its diagnostics in that order too.

    With `jobs` > 1, forked workers read files, parse their front matter (the costly part:
    libyaml makes a Python object per event) and every body that is more than plain paragraphs,
    and stream back plain values, body texts and what the bodies say (links, headings, text;
    never their tokens), which this process makes into pages as they arrive; when none are
    waiting it reads and parses files itself. Pages are made here because they cost more to send
    than to make, and plain bodies are parsed here too (plainbody.py: cheaper than sending). Front
    matter parsed by an earlier run comes from the cache (load/cache.py) instead, wherever the file
    is read. With `html` (pages will be rendered) bodies keep the HTML their parse made.
    """
    with paused_collector():
        config = load_config(root, display_root, diags, today)
        site = Site(root, display_root, config)
        files = find_content(root, display_root, diags)
        cache = open_cache(root, len(files))
        pages: list[tuple[Page | None, Diagnostics] | None] = [None] * len(files)

        def here(chunk: range) -> None:
            for i in chunk:
                pages[i] = _loaded(files[i], _front(files[i], cache), cache, html)

        if jobs <= 1 or len(files) < PARALLEL_FROM:
            here(range(len(files)))
        else:
            def work(chunk: range) -> list[tuple[int, Front]]:
                return [(i, _front(files[i], cache, bodies=True, html=html)) for i in chunk]

            def use(fronts: list[tuple[int, Front]]) -> None:
                for i, front in fronts:
                    pages[i] = _loaded(files[i], front, cache, html)

            stream_chunks(len(files), jobs, FILE_CHUNK, work, use, here)
        for sf, loaded in zip(files, pages, strict=True):
            assert loaded is not None  # every chunk was done, here or in a worker
            diags.extend(loaded[1])
            site.add(sf.rel, loaded[0])
        cache.save()
        return site


# What reading one file gives (in a worker or here): the diagnostics of reading it, then (if it could
# be read) its body, body line, parsed front matter, the cache key of its YAML and its parsed body
# (None: parse it here). The front matter is `Parsed` when it has problems, else its value, or
# CACHED when the cache has it (it is not sent).
Front = tuple[list, "tuple[str, int, Any, bytes, Body | None] | None"]
CACHED = ...


def _front(sf: SourceFile, cache: FrontCache, bodies: bool = False, html: bool = False) -> Front:
    read_diags = Diagnostics()
    split = _read_split(sf, read_diags)
    if split is None:
        return list(read_diags), None
    yaml_text = split.yaml or ""
    key = cache.key(yaml_text) if cache.path is not None else b""
    doc = read_body(split.body, split.body_line, html) if bodies and not is_plain(split.body) else None
    if key and cache.has(key):
        return list(read_diags), (split.body, split.body_line, CACHED, key, doc)
    parsed = parse(yaml_text, split.yaml_line0, marks=False)
    return list(read_diags), (split.body, split.body_line, parsed.value if _plain(parsed) else parsed, key, doc)


def _plain(parsed: Parsed) -> bool:
    return not parsed.problems and not parsed.values and not parsed.keys


def _loaded(sf: SourceFile, front: Front, cache: FrontCache, html: bool = False) -> tuple[Page | None, Diagnostics]:
    read_diags, rest = front
    d = Diagnostics(read_diags)
    if rest is None:
        return None, d
    body, body_line, parsed, key, doc = rest
    if parsed is CACHED:
        parsed = Parsed(cache.take(key))
    elif not isinstance(parsed, Parsed):
        if key:
            cache.keep(key, parsed)
        parsed = Parsed(parsed)
    return _page(sf, Split(None, 0, body, body_line), parsed, d, doc, html), d
