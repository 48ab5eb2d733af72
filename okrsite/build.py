"""The pipeline: load → validate → compute → render → write, with per-stage timings.

Each stage takes the previous one's data and appends to one diagnostics list; no
stage raises through another. `serve` reuses the same functions.
"""

from __future__ import annotations

import gc
import os
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from okrsite.compute import compute
from okrsite.compute.results import Results
from okrsite.diagnostics import ERROR, Diagnostics
from okrsite.history import HistoryCache, read_history
from okrsite.history.model import History
from okrsite.load import load_site
from okrsite.load.gcpause import paused_collector
from okrsite.model import Site
from okrsite.parallel import Background, Counter, run_forked
from okrsite.render import RenderCache, RenderInput, render_site
from okrsite.validate import Resolved, validate
from okrsite.write.inputs import caches_enabled, input_key, tree_key
from okrsite.write.output import Output, check_paths, staged_tree
from okrsite.write.precompress import precompress as precompress_tree
from okrsite.write.tree import MANIFEST, TreeWriter, link_previous, manifest_bytes


@dataclass(slots=True)
class Written:
    """What `publish` did: files in the new tree, how many were written or kept from the last build."""

    files: int = 0
    written: int = 0
    kept: int = 0
    rendered: int = 0  # pages rendered (the rest of the pages matched the previous build's manifest)
    jobs: int = 1
    compressed: int = 0  # .gz/.br files beside text files (--precompress)


@dataclass(slots=True)
class Build:
    site: Site
    diagnostics: Diagnostics
    resolved: Resolved | None = None
    results: Results | None = None
    outputs: dict[str, Output] = field(default_factory=dict)
    written: Written | None = None
    history: History | None = None  # from git (`read_history`); None outside a repository or with --no-history
    notes: list[str] = field(default_factory=list)  # one-line remarks for the terminal, not diagnostics
    timings: dict[str, float] = field(default_factory=dict)
    prepared: Background | None = None  # `prepare`'s child, started once the files are loaded

    def stop(self) -> None:
        """End the preparation child if publish never joined it (a refused build, an error, Ctrl-C)."""
        if self.prepared is not None:
            self.prepared.stop()

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


def check(root: Path, display_root: str = ".", today: date | None = None, jobs: int = 1,
          results: bool = True, meanwhile: Callable[[], Background] | None = None) -> Build:
    """Load, validate and compute; no output. `jobs` > 1 parses front matter in that many workers.
    With `results` False (`okrsite check`) nothing is computed: computing progress and health finds
    no problem validation has not (it reports none), and only the pages show its results.
    `meanwhile` (`prepare`) forks a child first, and starts it on the site's root and theme once the
    files are loaded; it is kept in `Build.prepared`.

    The model made here lives as long as the command, so it is frozen (`gc.freeze()`) before the
    collector is back on: later collections, and the full one before rendering forks, do not walk
    its millions of objects (it holds no reference cycles; reference counting still frees it).
    It is also kept until the next check() in `_LAST`, which holds itself: frozen, that cycle is
    never collected, so the model is not freed object by object when the command's function
    returns (a third of a second at 10,000 objectives), and `cli.run` leaves it to the OS. The
    next check() unfreezes first, so that a long-running caller's garbage is collected again.
    """
    diags = Diagnostics()
    timings: dict[str, float] = {}
    if _LAST:
        gc.unfreeze()
    prepared = meanwhile() if meanwhile is not None else None  # forked while this process is small
    try:
        with paused_collector():
            with _Timer(timings, "load"):
                site = load_site(root, display_root, diags, today, jobs, html=results)
            if prepared is not None:
                prepared.go((site.root, site.config.theme))
            build = check_site(site, diags, timings, compute if results else None)
            build.prepared = prepared
            _LAST[:] = [build, _LAST]
            gc.freeze()
    except BaseException:
        if prepared is not None:
            prepared.stop()
        raise
    return build


_LAST: list[Any] = []  # [the last check()'s Build, this list]: see check()


def check_site(site: Site, diags: Diagnostics, timings: dict[str, float] | None = None,
               compute_with: Callable[[Site, Any], Results] | None = compute) -> Build:
    """Validate and compute an already-loaded site: `serve` loads pages incrementally, then calls this
    (with its own `compute_with`, which reuses the results of unchanged pages; None computes nothing)."""
    timings = timings if timings is not None else {}
    with paused_collector(), _Timer(timings, "validate"):
        from okrsite.render.theme import known_theme  # here: `check` needs no Jinja

        if not known_theme(site.root, site.config.theme) and site.config.loc is not None:
            diags.error(site.config.loc, ("theme",), "unknown-theme",
                        f"unknown theme '{site.config.theme}' (no themes/{site.config.theme}/ in the site)")
            site.config.theme = "default"
        resolved = validate(site, diags)
    if compute_with is None:
        return Build(site, diags, resolved, None, timings=timings)
    with paused_collector(), _Timer(timings, "compute"):
        results = compute_with(site, resolved.graph)
    return Build(site, diags, resolved, results, timings=timings)


def history(build: Build, cache: HistoryCache | None = None) -> Build:
    """Read the content's history from git, once, before rendering (forked workers inherit it)."""
    with _Timer(build.timings, "history"):
        loaded = read_history(build.site, cache)
    build.history = loaded.history
    build.notes += loaded.notes
    return build


def render(build: Build, cache: RenderCache | None = None, defer: bool = False) -> Build:
    """Render every output in memory; with a `cache` (serve) unchanged pages are not re-rendered,
    and with `defer` data.json is made when first asked for."""
    assert build.resolved is not None and build.results is not None
    with _Timer(build.timings, "render"):
        build.outputs = render_site(RenderInput(build.site, build.resolved.graph, build.results,
                                                build.resolved.files, history=build.history), cache, defer)
    return build


PAGE_CHUNK = 64  # pages a worker takes at a time: small enough to balance, large enough to cost nothing


@dataclass(slots=True)
class Prepared:
    """What publish needs that only the files on disk decide, made by `prepare`'s child."""

    theme_dirs: list[Path]
    tree: str  # write.inputs.tree_key of these theme dirs
    compiled: dict[str, bytes]  # render.theme.compiled_theme


def prepare() -> Background:
    """A child to fingerprint the input files and compile the theme while this process validates and
    computes (`check(meanwhile=prepare)` starts it once the files are loaded): both only read
    files, and they were 1.3 s of a cold build's serial part at 10,000 objectives, with one core
    idle. Nothing a stage after loading does changes what they read."""
    from okrsite.render.theme import compiled_theme, theme_dirs

    def work(where: tuple[Path, str]) -> Prepared:
        root, theme = where
        dirs = theme_dirs(root, theme)
        return Prepared(dirs, tree_key(root, dirs), compiled_theme(dirs))

    return Background(work, "the build's preparation")


def default_jobs() -> int:
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1)


def publish(build: Build, out: Path, jobs: int = 0, precompress: bool = False) -> Build:
    """Render and write the site into `out` with `jobs` processes (0: one per CPU).

    This process writes the assets, search index and data.json, then joins the
    `jobs - 1` forked workers; each takes chunks of pages, builds, renders and writes
    them into the new tree, and returns only counts and fingerprints. The output is
    the same bytes for any `jobs`.
    """
    from okrsite.render.body import KEEP_RENDERED

    assert build.resolved is not None and build.results is not None
    inp = RenderInput(build.site, build.resolved.graph, build.results, build.resolved.files, history=build.history)
    jobs = jobs or default_jobs()
    stats = Written(jobs=jobs)
    KEEP_RENDERED[0] = False  # no body is rendered twice in one build
    try:
        with paused_collector():  # plain data made and dropped: see load/gcpause.py and render/stream.py
            return _publish(build, inp, out, jobs, stats, precompress)
    finally:
        KEEP_RENDERED[0] = True


def _publish(build: Build, inp: RenderInput, out: Path, jobs: int, stats: Written, precompress: bool) -> Build:
    from okrsite.render.html import Theme, plan_pages
    from okrsite.render.refs import Refs
    from okrsite.render.stream import render_share

    with _Timer(build.timings, "plan"):
        ready: Prepared | None = None
        if build.prepared is not None:
            ready, build.prepared = build.prepared.result(), None
        theme = Theme.for_site(build.site, compiled=ready.compiled if ready else None)
        tree = ready.tree if ready is not None and ready.theme_dirs == theme.dirs else None
        inputs = input_key(build.site, theme.dirs, build.history, {"precompress": precompress}, tree)
    with staged_tree(out) as (tmp, previous):
        if previous.inputs == inputs and caches_enabled():  # nothing changed: link what it wrote
            t1 = time.perf_counter()
            w = TreeWriter(tmp, previous)
            if link_previous(w, (".gz", ".br") if precompress else ()):
                stats.kept = stats.files = w.kept
                w.put(MANIFEST, manifest_bytes(w.fingerprints, inputs, w.others))
                build.timings["write"] = time.perf_counter() - t1
                build.written = stats
                return build
            shutil.rmtree(tmp)  # a file had gone from the previous output: start again, from nothing
            tmp.mkdir()
        _release_sources(build.site)
        with _Timer(build.timings, "plan"):
            theme.compile_all()
            key = theme.content_key()
            refs = Refs(inp, remember=False)
            plan = plan_pages(inp, refs)
            check_paths(p.url for p in plan)
        t0 = time.perf_counter()
        counter = Counter()

        def pages(_: int) -> tuple[int, int, int, dict[str, str]]:
            w = TreeWriter(tmp, previous)
            rendered = 0
            while (start := counter.take() * PAGE_CHUNK) < len(plan):
                rendered += render_share(plan[start:start + PAGE_CHUNK], theme, key, w)
            return w.written, w.kept, rendered, w.fingerprints

        def rest() -> TreeWriter:
            with _Timer(build.timings, "assets"):
                return _write_rest(TreeWriter(tmp, previous), inp, theme, refs, {p.url for p in plan})

        shares, assets = run_forked(jobs, pages, rest)
        build.timings["render"] = time.perf_counter() - t0 - build.timings["assets"]
        t1 = time.perf_counter()
        prints: dict[str, str] = {}
        for written, kept, rendered, fps in shares:
            stats.written += written
            stats.kept += kept
            stats.rendered += rendered
            prints.update(fps)
        stats.written += assets.written
        stats.kept += assets.kept
        stats.files = len(plan) + assets.written + assets.kept
        TreeWriter(tmp, previous).put(MANIFEST, manifest_bytes(prints, inputs, assets.others))
        stats.compressed = precompress_tree(tmp, previous, jobs) if precompress else 0
    build.timings["write"] = time.perf_counter() - t1
    build.written = stats
    return build


RENDER_FIELDS = ("kind", "kpis", "depends_on")  # raw front matter data.json shows as written


def _release_sources(site: Site) -> None:
    """Drop what only load and validate needed (raw front matter, the page's copy of its body text: the
    body's own `source` stays, rendering parses it) before rendering forks: every worker reads, and so
    copies, every object it is handed; at 10,000 objectives these are about a fifth of the model."""
    for page in site.pages:
        page.fields = {k: page.fields[k] for k in RENDER_FIELDS if k in page.fields}
        page.body = ""


def _write_rest(w: TreeWriter, inp: RenderInput, theme: Any, refs: Any, pages: set[str]) -> TreeWriter:
    """Everything but the planned pages: theme assets, plotly.js, search index, linked files, data.json."""
    from okrsite.render.data_json import render_data
    from okrsite.render.html import theme_assets

    outputs: dict[str, Output] = theme_assets(inp, theme, refs)
    for rel in sorted(inp.files):
        outputs.setdefault(rel, inp.site.root / "content" / rel)
    outputs["data.json"] = render_data(inp.site, inp.graph, inp.results, inp.history)
    check_paths(outputs)
    for rel in sorted(outputs):
        if rel not in pages:
            w.put(rel, outputs.pop(rel))
    return w
