"""Incremental rebuild state: what `serve` keeps between rebuilds so an edit costs little.

Per content file we keep the loaded page (and its load diagnostics) keyed by the
stat signature of the file and of the CSV it reads; a rebuild re-reads only files
whose signature changed or that the watcher named. Validation and compute always
run on the whole graph (they are cheap and cross-file), and rendering goes through
one persistent `RenderCache`, so only pages whose context changed are re-rendered.
Nothing here touches threads, sockets or the terminal.
"""

from __future__ import annotations

import os
import time
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from okrsite.build import check_site, history, render
from okrsite.diagnostics import ERROR, Diagnostic, Diagnostics, sort_key
from okrsite.history import HistoryCache
from okrsite.load import load_page
from okrsite.load.config import load_config
from okrsite.load.csvdata import csv_source
from okrsite.load.sources import find_content
from okrsite.model import Kpi, Page, Site, SourceFile
from okrsite.render import RenderCache
from okrsite.write.output import Output

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
    changed: list[str] = field(default_factory=list)  # output paths whose bytes changed
    ms: float = 0.0
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity == ERROR]


class SiteState:
    """The site as last loaded and the last good outputs; `rebuild()` brings them up to date."""

    def __init__(self, root: Path, display_root: str, today: date | None = None) -> None:
        self.root = root.absolute()
        self.display_root = display_root
        self.today = today
        self.outputs: dict[str, Output] | None = None  # the last good build; None before one succeeds
        self.builds = 0  # good builds that changed the outputs or recovered from a failure
        self.failing = False  # the last rebuild failed: the next good one reloads pages even if unchanged
        self.reset()

    def reset(self) -> None:
        """Forget every cache (after an unexpected exception): the next rebuild is a full one."""
        self._entries: dict[Path, Entry] = {}
        self._file_sigs: dict[str, Sig] = {}  # for outputs that are files to copy
        self.cache = RenderCache()
        self.history = HistoryCache()  # git's answers kept while HEAD stays: only `git status` reruns

    def data_files(self) -> set[Path]:
        """CSV files that pages read, so the watcher can cover folders outside content/."""
        return {p for e in self._entries.values() for p in list(e.deps)[1:]}

    def rebuild(self, changed: Collection[Path] = ()) -> Outcome:
        t0 = time.perf_counter()
        forced = {Path(os.path.abspath(p)) for p in changed}
        diags = Diagnostics()
        timings: dict[str, float] = {}
        site, reread = self._load(diags, forced)
        timings["load"] = time.perf_counter() - t0
        build = check_site(site, diags, timings)
        if build.failed():
            self.failing = True
            return self._outcome(False, diags, site, reread, t0, timings)
        history(build, self.history)
        render(build, self.cache, defer=True)
        changed_outputs = self._changed(build.outputs)
        if changed_outputs or self.outputs is None or self.failing:
            self.builds += 1
        self.failing = False
        self.outputs = build.outputs
        out = self._outcome(True, diags, site, reread, t0, timings)
        out.rendered = list(self.cache.rendered)
        out.changed = changed_outputs
        return out

    def _load(self, diags: Diagnostics, forced: set[Path]) -> tuple[Site, list[str]]:
        """Config every time (it is one small file); content files only when changed."""
        config = load_config(self.root, self.display_root, diags, self.today)
        site = Site(self.root, self.display_root, config)
        entries: dict[Path, Entry] = {}
        reread: list[str] = []
        for sf in find_content(self.root, self.display_root, diags):
            entry = self._entries.get(sf.path)
            if entry is None or any(p in forced or stat_sig(p) != s for p, s in entry.deps.items()):
                entry = self._read(sf)
                reread.append(sf.display)
            entries[sf.path] = entry
            diags.extend(entry.diagnostics)
            site.add(sf.rel, entry.page)
        self._entries = entries
        return site, reread

    @staticmethod
    def _read(sf: SourceFile) -> Entry:
        deps: dict[Path, Sig] = {sf.path: stat_sig(sf.path)}  # taken before reading: a racing edit re-reads
        file_diags = Diagnostics()
        page = load_page(sf, file_diags)
        if isinstance(page, Kpi) and page.data_file:
            csv_path = csv_source(sf, page.data_file)[1]
            deps[Path(os.path.abspath(csv_path))] = stat_sig(csv_path)
        return Entry(deps, page, list(file_diags))

    def _changed(self, new: Mapping[str, Output]) -> list[str]:
        """Output paths added, removed or different from the last good build."""
        old = self.outputs or {}
        sigs = {k: stat_sig(v) for k, v in new.items() if isinstance(v, Path)}
        changed = [k for k in old if k not in new]
        for k, v in new.items():
            before = old.get(k)
            if isinstance(v, Path):
                if before != v or self._file_sigs.get(k) != sigs[k]:
                    changed.append(k)
            elif before is not v and before != v:
                changed.append(k)
        self._file_sigs = sigs
        return sorted(changed)

    def _outcome(self, ok: bool, diags: Diagnostics, site: Site, reread: list[str], t0: float,
                 timings: dict[str, float]) -> Outcome:
        return Outcome(ok, sorted(diags, key=sort_key), len(site.pages), reread,
                       ms=(time.perf_counter() - t0) * 1000, timings=timings)
