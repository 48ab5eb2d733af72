"""Render stage: the resolved, computed handbook → output files (path → bytes or file to copy).

Every HTML page is planned as a `PageJob`: an output URL, a template and a context
of plain JSON-able data. The context is all the template may read, so comparing it
with the last one says whether the page can have changed: `RenderCache` skips the
Jinja render when it has not. That is what lets `serve` re-render piecemeal; the
same context, hashed by `fingerprint`, will let `build` skip unchanged outputs
across runs.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
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


@dataclass(slots=True)
class RenderCache:
    """Rendered bytes by URL with the template and context that produced them.

    Contexts are compared with `==` (a deep compare in C, several times cheaper than
    serialising them to hash); they are plain data, so equal contexts render alike.
    """

    pages: dict[str, tuple[str, dict[str, Any], bytes]] = field(default_factory=dict)
    rendered: list[str] = field(default_factory=list)  # URLs actually rendered by the last call
    theme: Any = None  # the last `Theme`, reused while its files are unchanged; a new one invalidates all
    # costly derived values (see `Refs.remembered`), each stored with the inputs it came from
    memo: dict[Any, tuple[Any, Any]] = field(default_factory=dict)


def fingerprint(job: PageJob, theme_key: str) -> str:
    """A stable hash of everything a page's bytes depend on, for caches that outlive the process."""
    blob = json.dumps([theme_key, job.template, job.context], sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.blake2b(blob.encode("utf-8"), digest_size=16).hexdigest()


def render_site(inp: RenderInput, cache: RenderCache | None = None) -> dict[str, Output]:
    from okrsite.render.data_json import render_data
    from okrsite.render.html import Theme, plan_pages, theme_assets
    from okrsite.render.refs import Refs

    cache = cache if cache is not None else RenderCache()
    theme = Theme.for_site(inp.site, cache.theme)
    if theme is not cache.theme:
        cache.pages.clear()
        cache.theme = theme
    cache.rendered = []
    outputs: dict[str, Output] = {}
    live: set[str] = set()
    refs = Refs(inp, cache.memo)  # shared by every page and the search index: each ref is built once
    for planned in plan_pages(inp, refs):
        job = planned.make()
        hit = cache.pages.get(job.url)
        if hit is None or hit[0] != job.template or hit[1] != job.context:
            hit = cache.pages[job.url] = (job.template, job.context, theme.render(job))
            cache.rendered.append(job.url)
        outputs[job.url] = hit[2]
        live.add(job.url)
    for url in [u for u in cache.pages if u not in live]:
        del cache.pages[url]
    outputs.update(theme_assets(inp, theme, refs))
    for rel in sorted(inp.files):
        outputs.setdefault(rel, Path(inp.site.root / "content" / rel))
    outputs["data.json"] = render_data(inp.site, inp.graph, inp.results)
    return outputs
