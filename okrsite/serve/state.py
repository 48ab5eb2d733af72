"""Incremental rebuild state: what `serve` keeps between rebuilds so an edit costs little.

Per content file we keep the loaded page (and its load diagnostics) keyed by the
stat signature of the file and of the CSV it reads. When the watcher names only files
we know (an edit, not a new or removed file), only those are read again and the
folder is not even walked; otherwise every file is stat'ed and those whose signature
changed are read. Validation runs on the whole graph (a change in one file can break
a link in another); compute keeps the results of unchanged pages
(`okrsite.serve.recompute`), and rendering goes through one persistent `PageRenderer`
(`okrsite.serve.outputs`), so only pages an edit can change are made again — with
`lazy`, only the edited page before `rebuild` returns. Nothing here touches sockets
or the terminal.
"""

from __future__ import annotations

import os
import time
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from okrsite.build import check_site, history
from okrsite.diagnostics import ERROR, Diagnostic, Diagnostics, sort_key
from okrsite.history import HistoryCache
from okrsite.load import load_page
from okrsite.load.config import load_config
from okrsite.load.csvdata import csv_source
from okrsite.load.sources import find_content
from okrsite.model import Kpi, Page, Site, SourceFile
from okrsite.render import Deferred, RenderInput
from okrsite.serve.outputs import Later, Outputs, PageRenderer, Served
from okrsite.serve.recompute import Recompute

Sig = tuple[int, int, int] | None  # (inode, mtime_ns, size); None when the file is missing


def stat_sig(path: Path) -> Sig:
    """Inode too, because editors that save by rename can keep mtime and size."""
    try:
        st = path.stat()
    except OSError:
        return None
    return (st.st_ino, st.st_mtime_ns, st.st_size)


@dataclass(slots=True)
class Entry:
    """One content file as last loaded."""

    deps: dict[Path, Sig]  # the file itself, and the CSV a KPI reads
    page: Page | None
    diagnostics: list[Diagnostic]


@dataclass(slots=True)
class Outcome:
    """What one rebuild did, for the terminal, the overlay and /__okrsite/status."""

    ok: bool
    diagnostics: list[Diagnostic]
    pages: int
    reread: list[str] = field(default_factory=list)  # display paths of files (re)loaded
    rendered: list[str] = field(default_factory=list)  # URLs re-rendered (empty when failed)
    changed: list[str] = field(default_factory=list)  # output paths whose bytes changed (or made again later)
    pending: list[str] = field(default_factory=list)  # pages made again when first asked for (lazy rebuilds)
    ms: float = 0.0
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity == ERROR]


class SiteState:
    """The site as last loaded and the last good outputs; `rebuild()` brings them up to date."""

    def __init__(self, root: Path, display_root: str, today: date | None = None, lazy: bool = False) -> None:
        """`lazy` (the preview): pages other than the edited ones that an edit may change, and the
        aggregate outputs, are made when first asked for; else `rebuild` makes them all but data.json."""
        self.root = root.absolute()
        self.lazy = lazy
        self.display_root = display_root
        self.today = today
        self.outputs: Mapping[str, Served] | None = None  # the last good build; None before one succeeds
        self.builds = 0  # good builds that changed the outputs or recovered from a failure
        self.failing = False  # the last rebuild failed: the next good one reloads pages even if unchanged
        self.reset()

    def reset(self) -> None:
        """Forget every cache (after an unexpected exception): the next rebuild is a full one."""
        self._entries: dict[Path, Entry] = {}
        self._sources: list[SourceFile] | None = None  # what the last walk of content/ found
        self._walk_diags: list[Diagnostic] = []  # and said about it
        self._file_sigs: dict[str, Sig] = {}  # for outputs that are files to copy
        self._unsettled: tuple[Outcome, tuple[Mapping[str, Served], dict[str, Sig]]] | None = None
        self.cache = PageRenderer()
        self.compute = Recompute()
        self.history = HistoryCache()  # git's answers kept while HEAD stays: only `git status` reruns

    def data_files(self) -> set[Path]:
        """CSV files that pages read, so the watcher can cover folders outside content/."""
        return {p for e in self._entries.values() for p in list(e.deps)[1:]}

    def rebuild(self, changed: Collection[Path] = ()) -> Outcome:
        """Bring the outputs up to date with the files; `changed`: what the watcher saw change (nothing
        named: look at every file)."""
        t0 = time.perf_counter()
        forced = {Path(os.path.abspath(p)) for p in changed}
        diags = Diagnostics()
        timings: dict[str, float] = {}
        site, reread, edited = self._load(diags, forced)
        timings["load"] = time.perf_counter() - t0
        build = check_site(site, diags, timings, self.compute)
        if build.failed():
            self.failing = True
            return self._outcome(False, diags, site, reread, t0, timings)
        history(build, self.history)
        assert build.resolved is not None and build.results is not None
        t1 = time.perf_counter()
        outputs = self.cache.render(RenderInput(site, build.resolved.graph, build.results, build.resolved.files,
                                                history=build.history), frozenset(edited), self.lazy)
        timings["render"] = time.perf_counter() - t1
        previous = (self.outputs if self.outputs is not None else {}, self._file_sigs)
        changed_outputs, self._file_sigs = _changed(*previous, outputs)
        if changed_outputs or self.outputs is None or self.failing:
            self.builds += 1
        self.failing = False
        self.outputs = outputs
        out = self._outcome(True, diags, site, reread, t0, timings)
        out.rendered = list(self.cache.rendered)
        out.changed = changed_outputs
        out.pending = list(self.cache.pending)
        self._unsettled = (out, previous) if self.cache.unsettled else None
        return out

    def settle(self) -> Outcome | None:
        """After a lazy rebuild is published: plan every page and defer those the edit may have changed
        (until then, only the edited pages, static files and data.json are served; the rest waits).
        Returns the rebuild's outcome, now with every changed output; None when there was nothing to do."""
        job, self._unsettled = self._unsettled, None
        if job is None:
            return None
        t0 = time.perf_counter()
        self.cache.settle()
        out, previous = job
        assert self.outputs is not None
        out.changed, self._file_sigs = _changed(*previous, self.outputs)
        out.rendered = list(self.cache.rendered)
        out.pending = list(self.cache.pending)
        out.timings["settle"] = time.perf_counter() - t0
        return out

    def _load(self, diags: Diagnostics, forced: set[Path]) -> tuple[Site, list[str], set[str]]:
        """Config every time (it is one small file); content files only when changed. Also returns the
        ids of the pages read again."""
        config = load_config(self.root, self.display_root, diags, self.today)
        site = Site(self.root, self.display_root, config)
        entries: dict[Path, Entry] = {}
        reread: list[str] = []
        edited: set[str] = set()
        named = self._only_known(forced)
        if named is None:
            walk = Diagnostics()
            self._sources = find_content(self.root, self.display_root, walk)
            self._walk_diags = list(walk)
        diags.extend(self._walk_diags)
        assert self._sources is not None
        for sf in self._sources:
            entry = self._entries.get(sf.path)
            if entry is None or (sf.path in named if named is not None else
                                 any(p in forced or stat_sig(p) != s for p, s in entry.deps.items())):
                entry = self._read(sf)
                reread.append(sf.display)
                if entry.page is not None:
                    edited.add(entry.page.id)
            entries[sf.path] = entry
            diags.extend(entry.diagnostics)
            site.add(sf.rel, entry.page)
        self._entries = entries
        return site, reread, edited

    def _only_known(self, forced: set[Path]) -> set[Path] | None:
        """The content files to read again when the watcher named only edits of files we know (content
        files, their CSV data, or files that are no content); None when content/ must be walked again."""
        if not forced or self._sources is None:
            return None
        content = self.root / "content"
        named: set[Path] = set()
        for p in forced:
            readers = [p] if p in self._entries else [f for f, e in self._entries.items() if p in e.deps]
            if readers:  # a content file, or the CSV data of KPIs
                if not p.is_file() or p.is_symlink():  # removed, or a symlink's checks to redo: walk
                    return None
                named.update(readers)
            elif (p == content or content in p.parents) and (p.suffix == ".md" or not p.is_file()):
                return None  # a new page, or a folder
        return named

    @staticmethod
    def _read(sf: SourceFile) -> Entry:
        deps: dict[Path, Sig] = {sf.path: stat_sig(sf.path)}  # taken before reading: a racing edit re-reads
        file_diags = Diagnostics()
        page = load_page(sf, file_diags, html=True)
        if isinstance(page, Kpi) and page.data_file:
            csv_path = csv_source(sf, page.data_file)[1]
            deps[Path(os.path.abspath(csv_path))] = stat_sig(csv_path)
        return Entry(deps, page, list(file_diags))

    def _outcome(self, ok: bool, diags: Diagnostics, site: Site, reread: list[str], t0: float,
                 timings: dict[str, float]) -> Outcome:
        return Outcome(ok, sorted(diags, key=sort_key), len(site.pages), reread,
                       ms=(time.perf_counter() - t0) * 1000, timings=timings)


def _changed(old: Mapping[str, Served], sigs_before: dict[str, Sig], new: Mapping[str, Served],
             ) -> tuple[list[str], dict[str, Sig]]:
    """Output paths added, removed or different from the last good build (a deferred output made again
    counts as different), and the signatures of the files to copy. Of outputs not settled yet only the
    keys they hold count; the search index, sitemap, feed and calendar, until made, not at all."""
    complete = not isinstance(new, Outputs) or new.settled
    was, now = _known(old), _known(new)
    sigs = {k: stat_sig(v) for k, v in now.items() if isinstance(v, Path)}
    changed = [k for k in was if k not in now] if complete else []
    for k, v in now.items():
        before = was.get(k)
        if before is v and not isinstance(v, Path):
            continue
        if isinstance(before, Later) and before.peek() is not None:
            before = before.peek()
        if isinstance(v, Path):
            if before != v or sigs_before.get(k) != sigs[k]:
                changed.append(k)
        elif before is not v and (isinstance(v, Deferred) or before != v):
            changed.append(k)
    return sorted(changed), sigs


def _known(outputs: Mapping[str, Served]) -> Mapping[str, Served]:
    """Every output whose key is known without making anything."""
    return {**outputs.files, **outputs.known} if isinstance(outputs, Outputs) else outputs
