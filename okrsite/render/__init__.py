"""Render stage: the resolved, computed handbook → output files (path → bytes or file to copy).

Every HTML page is planned as a `PageJob`: an output URL, a template and a context
of plain JSON-able data. The context is all the template may read, so its hash
says whether the page can have changed: `RenderCache` skips the Jinja render when
it has not. That is what lets `serve` re-render piecemeal, and later lets `build`
skip unchanged outputs.
"""

from __future__ import annotations

import hashlib
import json
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
class RenderCache:
    """Rendered bytes by URL with the fingerprint of what produced them."""

    pages: dict[str, tuple[str, bytes]] = field(default_factory=dict)
    rendered: list[str] = field(default_factory=list)  # URLs actually rendered by the last call
    theme_key: str = ""  # changes when templates change, invalidating everything


def fingerprint(job: PageJob, theme_key: str) -> str:
    blob = json.dumps([theme_key, job.template, job.context], sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.blake2b(blob.encode("utf-8"), digest_size=16).hexdigest()


def render_site(inp: RenderInput, cache: RenderCache | None = None) -> dict[str, Output]:
    from okrsite.render.data_json import render_data
    from okrsite.render.html import Theme, plan_pages, theme_assets

    theme = Theme.for_site(inp.site)
    cache = cache if cache is not None else RenderCache()
    if cache.theme_key != theme.key:
        cache.pages.clear()
        cache.theme_key = theme.key
    cache.rendered = []
    outputs: dict[str, Output] = {}
    live: set[str] = set()
    for job in plan_pages(inp):
        fp = fingerprint(job, theme.key)
        hit = cache.pages.get(job.url)
        if hit is None or hit[0] != fp:
            data = theme.render(job)
            cache.pages[job.url] = (fp, data)
            cache.rendered.append(job.url)
        outputs[job.url] = cache.pages[job.url][1]
        live.add(job.url)
    for url in [u for u in cache.pages if u not in live]:
        del cache.pages[url]
    outputs.update(theme_assets(inp, theme))
    for rel in sorted(inp.files):
        outputs.setdefault(rel, Path(inp.site.root / "content" / rel))
    outputs["data.json"] = render_data(inp.site, inp.graph, inp.results)
    return outputs
