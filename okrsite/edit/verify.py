"""Checking an edit before it is written: the whole site, loaded once, validated and computed twice.

Once as it is on disk, once with the edited file substituted (read from the temporary file that will
replace it, so what is checked is byte for byte what gets written). An edit is refused when the
second run has a diagnostic the first does not; positions move with inserted lines, so diagnostics
are compared without them.
"""

from __future__ import annotations

import dataclasses
import os
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from okrsite.build import Build, check_site
from okrsite.diagnostics import ERROR, Diagnostic, Diagnostics, sort_key
from okrsite.load import load_page
from okrsite.load.config import load_config
from okrsite.load.csvdata import read_csv_measurements
from okrsite.load.sources import display_path, find_content
from okrsite.model import Kpi, Page, Site, SourceFile

_LINE_RE = re.compile(r"\bline \d+")


@dataclass(slots=True)
class Loaded:
    """The site as on disk, each load diagnostic kept with the file it came from."""

    root: Path
    display_root: str
    today: date | None
    files: list[SourceFile]
    pages: dict[str, Page | None]  # by content-relative path
    page_diags: dict[str, list[Diagnostic]]
    other_diags: list[Diagnostic]  # from finding the content files
    build: Build = field(init=False)

    @property
    def site(self) -> Site:
        return self.build.site

    def display(self, rel: str) -> str:
        return display_path(self.display_root, f"content/{rel}")


def load(root: Path, display_root: str, today: date | None) -> Loaded:
    found = Diagnostics()
    files = find_content(root, display_root, found)
    pages: dict[str, Page | None] = {}
    page_diags: dict[str, list[Diagnostic]] = {}
    for sf in files:
        d = Diagnostics()
        pages[sf.rel] = load_page(sf, d)
        page_diags[sf.rel] = list(d)
    loaded = Loaded(root, display_root, today, files, pages, page_diags, list(found))
    loaded.build = _check(loaded, {})
    return loaded


def _check(loaded: Loaded, swap: dict[str, tuple[Page | None, list[Diagnostic]]]) -> Build:
    """Validate and compute the loaded site with the pages in `swap` (by rel) put in or replaced."""
    diags = Diagnostics()
    config = load_config(loaded.root, loaded.display_root, diags, loaded.today)
    diags.extend(loaded.other_diags)
    site = Site(loaded.root, loaded.display_root, config)
    rels = sorted({sf.rel for sf in loaded.files} | set(swap))
    for rel in rels:
        if rel in swap:
            page, page_diags = swap[rel]
        else:
            page, page_diags = loaded.pages[rel], loaded.page_diags[rel]
        diags.extend(page_diags)
        site.add(rel, page)
    return check_site(site, diags)


@dataclass(slots=True)
class Verdict:
    build: Build  # the edited site, validated and computed
    new: list[Diagnostic]  # what the edit adds, sorted

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.new if d.severity == ERROR]


def _key(d: Diagnostic) -> tuple[str, str, str, str]:
    return (d.file, d.severity, d.code, _LINE_RE.sub("line N", d.message))


def _new(before: list[Diagnostic], after: list[Diagnostic]) -> list[Diagnostic]:
    seen = Counter(_key(d) for d in before)
    out = []
    for d in sorted(after, key=sort_key):
        k = _key(d)
        if seen[k]:
            seen[k] -= 1
        else:
            out.append(d)
    return out


def _verdict(loaded: Loaded, rel: str, page: Page | None, diags: list[Diagnostic]) -> Verdict:
    build = _check(loaded, {rel: (page, diags)})
    return Verdict(build, _new(list(loaded.build.diagnostics), list(build.diagnostics)))


def with_page(loaded: Loaded, rel: str, temp: Path) -> Verdict:
    """The site with the page `rel` (new or existing) read from `temp`."""
    sf = SourceFile(temp, loaded.display(rel), rel)  # shown as the page, read from what will replace it
    d = Diagnostics()
    page = load_page(sf, d)
    return _verdict(loaded, rel, page, list(d))


def with_csv(loaded: Loaded, rel: str, temp: Path) -> Verdict:
    """The site with the KPI page `rel` reading its CSV data file's rows from `temp` instead."""
    sf = next(f for f in loaded.files if f.rel == rel)
    d = Diagnostics()
    page = load_page(sf, d)
    if not isinstance(page, Kpi) or page.data_source is None:
        return _verdict(loaded, rel, page, list(d))
    csv_display = page.data_source.display
    kept = [x for x in d if x.file != csv_display]
    read = Diagnostics()
    source, rows = read_csv_measurements(page.loc, ("data",), os.path.relpath(temp, sf.path.parent), read)
    temp_display = source.display if source else ""
    kept += [dataclasses.replace(x, file=csv_display) if x.file == temp_display else x for x in read]
    page.measurements = [m for m in page.measurements if m.prefix] + rows
    return _verdict(loaded, rel, page, kept)
