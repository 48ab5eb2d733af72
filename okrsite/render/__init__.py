"""Render stage: the resolved, computed handbook → output files (path → bytes or file to copy).

Every HTML page is planned as a `PageJob`: an output URL, a template and a context
of plain JSON-able data. The context is all the template may read, so comparing it
with the last one says whether the page can have changed: `RenderCache` skips the
Jinja render when it has not. That is what lets `serve` re-render piecemeal; the
same context, hashed by `fingerprint`, will let `build` skip unchanged outputs
across runs.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from okrsite.compute.results import Results
from okrsite.model import Site
from okrsite.validate.graph import Graph
from okrsite.write.output import Output


@dataclass(slots=True)
class RenderInput:
    site: Site
    graph: Graph
    results: Results
    files: set[str] = field(default_factory=set)  # content-relative non-Markdown files linked from bodies
    extra: dict[str, Any] = field(default_factory=dict)  # options for the renderer (none today)
    history: Any = None  # okrsite.history.model.History from git, or None (no repository, --no-history)


@dataclass(slots=True)
class PageJob:
    url: str  # output path relative to the site root
    template: str  # Jinja template name
    context: dict[str, Any]  # plain JSON-able data: everything the template reads


@dataclass(slots=True)
class PlannedPage:
    """A page known by URL before its context is built: `make()` builds the `PageJob`.

    Planning every page is cheap; building contexts is not, so `build` hands the
    `make`s to worker processes and each builds, renders and writes its own share.
    """

    url: str
    make: Callable[[], PageJob]
    source: str | None = None  # the id of the page it shows, when it shows one


class Deferred:
    """An output `serve` makes only when it is asked for, once: data.json is 18 MiB at 10,000
    objectives and takes most of a second, and nobody reads it after every keystroke."""

    __slots__ = ("_make", "_value", "_lock")

    def __init__(self, make: Callable[[], bytes]) -> None:
        self._make: Callable[[], bytes] | None = make
        self._value = b""
        self._lock = threading.Lock()

    def __call__(self) -> bytes:
        with self._lock:
            if self._make is not None:
                self._value, self._make = self._make(), None
            return self._value


@dataclass(slots=True)
class CachedPage:
    template: str
    context: dict[str, Any]
    html: bytes
    reads: frozenset[Any]  # what the context was made from (okrsite.render.deps); empty: rebuild always
    links: tuple[Any, ...]  # how the source page's body links resolved


@dataclass(slots=True)
class RenderCache:
    """What `serve` keeps between rebuilds: each page's bytes with the context and the reads that
    produced them, and the inputs of the last render.

    A page is rebuilt only when something it read changed (`okrsite.render.deps`); a
    rebuilt context equal to the last one (`==`, a deep compare in C) is not rendered.
    """

    pages: dict[str, CachedPage] = field(default_factory=dict)
    rendered: list[str] = field(default_factory=list)  # URLs actually rendered by the last call
    rebuilt: int = 0  # contexts built by the last call
    theme: Any = None  # the last `Theme`, reused while its files are unchanged; a new one invalidates all
    # costly derived values (see `Refs.remembered`), each stored with the inputs it came from
    memo: dict[Any, tuple[Any, Any]] = field(default_factory=dict)
    last: RenderInput | None = None
    data: Deferred | None = None  # the last data.json, kept while nothing it shows changed


def _changed(cache: RenderCache, inp: RenderInput) -> set[Any] | None:
    return changed_since(cache.last, inp)


def changed_since(last: RenderInput | None, inp: RenderInput) -> set[Any] | None:
    """Keys that differ from the last render, or None when everything must be rebuilt."""
    from okrsite.render.deps import changed_keys

    if last is None or last.site.config != inp.site.config or last.files != inp.files:
        return None
    keys = changed_keys(last.graph, inp.graph, "g.") | changed_keys(last.results, inp.results, "r.")
    if last.history is not None and inp.history is not None:  # git history: the edited file's pending change
        return keys | changed_keys(last.history, inp.history, "h.")
    return keys if last.history is inp.history else None


def render_site(inp: RenderInput, cache: RenderCache | None = None, defer: bool = False) -> dict[str, Output]:
    """Every output in memory; with `defer`, data.json is a `Deferred` made when first asked for."""
    from okrsite.render.data_json import render_data
    from okrsite.render.deps import Reads, link_signature
    from okrsite.render.html import Theme, plan_pages, theme_assets
    from okrsite.render.refs import Refs

    cache = cache if cache is not None else RenderCache()
    theme = Theme.for_site(inp.site, cache.theme)
    if theme is not cache.theme:
        cache.pages.clear()
        cache.theme = theme
    changed = _changed(cache, inp)
    cache.rendered, cache.rebuilt, cache.last = [], 0, inp
    outputs: dict[str, Output] = {}
    live: set[str] = set()
    reads = Reads()
    refs = Refs(inp, cache.memo, reads=reads)  # shared by every page and the search index: each ref built once
    pages = inp.graph.pages
    for planned in plan_pages(inp, refs):
        hit = cache.pages.get(planned.url)
        links = link_signature(pages.get(planned.source)) if planned.source else ()
        if (hit is None or changed is None or not hit.reads or hit.links != links
                or not changed.isdisjoint(hit.reads)):
            reads.start()
            job = planned.make()
            got = reads.take()
            if planned.source and got:
                got |= {("g.pages", planned.source)}
            cache.rebuilt += 1
            if hit is None or hit.template != job.template or hit.context != job.context:
                hit = CachedPage(job.template, job.context, theme.render(job), got, links)
                cache.rendered.append(job.url)
            else:
                hit = CachedPage(hit.template, hit.context, hit.html, got, links)
            cache.pages[planned.url] = hit
        outputs[planned.url] = hit.html
        live.add(planned.url)
    for url in [u for u in cache.pages if u not in live]:
        del cache.pages[url]
    outputs.update(theme_assets(inp, theme, refs))
    for rel in sorted(inp.files):
        outputs.setdefault(rel, Path(inp.site.root / "content" / rel))
    if cache.data is None or changed != set():
        cache.data = Deferred(partial(render_data, inp.site, inp.graph, inp.results, inp.history))
    outputs["data.json"] = cache.data if defer else cache.data()
    return outputs
