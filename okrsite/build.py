"""The pipeline: load → validate → compute → render → write, with per-stage timings.

Each stage takes the previous one's data and appends to one diagnostics list; no
stage raises through another. `serve` reuses the same functions.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from okrsite.compute import compute
from okrsite.compute.results import Results
from okrsite.diagnostics import ERROR, Diagnostics
from okrsite.load import load_site
from okrsite.model import Site
from okrsite.render import RenderCache, RenderInput, render_site
from okrsite.render.theme import known_theme
from okrsite.validate import Resolved, validate
from okrsite.write.output import Output, write_tree


@dataclass(slots=True)
class Build:
    site: Site
    diagnostics: Diagnostics
    resolved: Resolved | None = None
    results: Results | None = None
    outputs: dict[str, Output] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def pages(self) -> int:
        return len(self.site.pages)

    def failed(self, strict: bool = False) -> bool:
        return any(d.severity == ERROR or strict for d in self.diagnostics)


class _Timer:
    def __init__(self, timings: dict[str, float], name: str) -> None:
        self.timings, self.name = timings, name

    def __enter__(self) -> None:
        self.t0 = time.perf_counter()

    def __exit__(self, *exc: object) -> None:
        self.timings[self.name] = self.timings.get(self.name, 0.0) + time.perf_counter() - self.t0


def check(root: Path, display_root: str = ".", today: date | None = None) -> Build:
    """Load, validate and compute; no output."""
    diags = Diagnostics()
    timings: dict[str, float] = {}
    with _Timer(timings, "load"):
        site = load_site(root, display_root, diags, today)
    return check_site(site, diags, timings)


def check_site(site: Site, diags: Diagnostics, timings: dict[str, float] | None = None) -> Build:
    """Validate and compute an already-loaded site: `serve` loads pages incrementally, then calls this."""
    timings = timings if timings is not None else {}
    with _Timer(timings, "validate"):
        if not known_theme(site.root, site.config.theme) and site.config.loc is not None:
            diags.error(site.config.loc, ("theme",), "unknown-theme",
                        f"unknown theme '{site.config.theme}' (no themes/{site.config.theme}/ in the site)")
            site.config.theme = "default"
        resolved = validate(site, diags)
    with _Timer(timings, "compute"):
        results = compute(site, resolved.graph)
    return Build(site, diags, resolved, results, timings=timings)


def render(build: Build, cache: RenderCache | None = None) -> Build:
    """Render every output; with a `cache` (serve) unchanged pages are not re-rendered."""
    assert build.resolved is not None and build.results is not None
    with _Timer(build.timings, "render"):
        build.outputs = render_site(RenderInput(build.site, build.resolved.graph, build.results,
                                                build.resolved.files), cache)
    return build


def write(build: Build, out: Path) -> None:
    with _Timer(build.timings, "write"):
        write_tree(build.outputs, out)
