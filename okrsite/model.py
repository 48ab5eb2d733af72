"""The handbook as plain data: what the loader produces and every later stage reads.

Positions travel with the data so that any stage can point a diagnostic at the
exact source value. Nothing here computes; computed values live in
`okrsite.compute.results`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

PathKey = tuple[Any, ...]  # a path into the front matter, e.g. ("key_results", 0, "target")


@dataclass(frozen=True, slots=True)
class Pos:
    """A 1-based line and column in a source file."""

    line: int
    col: int


@dataclass(slots=True)
class SourceFile:
    path: Path  # absolute
    display: str  # as reached from the current directory, for diagnostics
    rel: str  # relative to the content folder, with forward slashes ("" for okrsite.yaml)


@dataclass(slots=True)
class Located:
    """Positions of every value (and every mapping key) of one YAML document."""

    file: SourceFile
    values: dict[PathKey, Pos] = field(default_factory=dict)
    keys: dict[PathKey, Pos] = field(default_factory=dict)
    # Positions cost time and memory and are needed only for diagnostics: when set, this
    # computes (values, keys) on the first lookup, then is dropped.
    lazy: Callable[[], tuple[dict[PathKey, Pos], dict[PathKey, Pos]]] | None = field(default=None, compare=False)

    def _ensure(self) -> None:
        if self.lazy is not None:
            values, keys = self.lazy()
            self.lazy = None
            self.values.update(values)
            self.keys.update(keys)

    def at(self, *path: Any) -> Pos:
        """Position of the value at `path`, else of its nearest located ancestor."""
        self._ensure()
        p = tuple(path)
        while p:
            if p in self.values:
                return self.values[p]
            p = p[:-1]
        return self.values.get((), Pos(1, 1))

    def key_at(self, *path: Any) -> Pos:
        self._ensure()
        p = tuple(path)
        return self.keys.get(p) or self.at(*p)


@dataclass(slots=True)
class Cycle:
    id: str
    title: str
    start: date
    end: date
    index: int  # order in okrsite.yaml
    prefix: PathKey = ()  # where it sits in okrsite.yaml, for positions


@dataclass(slots=True)
class Config:
    title: str = "OKR Handbook"
    base_path: str = "/"
    as_of: date = field(default_factory=date.today)
    as_of_given: bool = False
    current_cycle: str | None = None  # resolved id (explicit or derived); None when no cycles
    current_cycle_given: bool = False
    stale_after_days: int | None = 21
    theme: str = "default"
    description: str = ""
    repo_url: str | None = None  # the handbook's repository, for "Edit this page" and commit links
    edit_uri: str | None = None  # MkDocs-style, from repo_url to content/; None: derived from the host; "": off
    cycles: list[Cycle] = field(default_factory=list)
    loc: Located | None = None  # None when okrsite.yaml is absent
    # Cycles written in okrsite.yaml but rejected with an error there (bad date, missing
    # field …), and whether okrsite.yaml could not be read at all: an objective naming
    # such a cycle gets no second, misleading "unknown cycle" error.
    broken_cycles: set[str] = field(default_factory=set)
    cycles_unreadable: bool = False

    def cycle(self, cycle_id: str | None) -> Cycle | None:
        for c in self.cycles:
            if c.id == cycle_id:
                return c
        return None


@dataclass(slots=True)
class Checkin:
    date: date | None
    value: float | None
    confidence: float | None = None
    note: str = ""
    prefix: PathKey = ()


@dataclass(slots=True)
class Measurement:
    date: date | None
    value: float | None
    prefix: PathKey = ()  # front-matter path; empty for CSV rows
    csv_line: int = 0  # 1-based line in the CSV file when read from `data:`


@dataclass(slots=True)
class PlanPoint:
    """A planned value on a date strictly inside the cycle (a key result's phased plan)."""

    date: date | None
    value: float | None
    prefix: PathKey = ()  # ("key_results", i, "plan", j)


@dataclass(slots=True)
class KeyResult:
    id: str
    title: str
    kind: str = "increase"
    start: float | None = None
    target: float | None = None
    unit: str = ""
    kpi: str | None = None
    weight: float = 1.0
    stretch: float | None = None
    range: tuple[float | None, float | None] | None = None
    due: date | None = None
    done: bool = False
    current: float | None = None
    has_current: bool = False
    checkins: list[Checkin] = field(default_factory=list)
    owner: str = ""
    plan: list[PlanPoint] = field(default_factory=list)  # as read; validated against the cycle later
    prefix: PathKey = ()  # ("key_results", i)


@dataclass(slots=True)
class BusinessValue:
    planned: float | None
    actual: float | None


@dataclass(slots=True)
class Page:
    """Common to every content page; `type` says which subclass."""

    id: str
    type: str
    title: str
    loc: Located
    body: str = ""
    body_line: int = 1  # 1-based line of the body's first line in the file
    fields: dict[str, Any] = field(default_factory=dict)  # the raw front matter
    order: float | None = None
    doc: Any = None  # okrsite.markdown.Body: tokens, heading anchors, links

    @property
    def file(self) -> SourceFile:
        return self.loc.file


@dataclass(slots=True)
class OrgUnit(Page):
    kind: str = ""
    parent: str | None = None
    lead: str = ""


@dataclass(slots=True)
class Objective(Page):
    cycle: str | None = None
    org_unit: str | None = None
    owner: str = ""
    parent_raw: Any = None  # as written: str, list of str, or None
    parents: list[str] = field(default_factory=list)  # "obj" or "obj/kr"
    kpis: list[str] = field(default_factory=list)
    business_value: BusinessValue | None = None
    key_results: list[KeyResult] = field(default_factory=list)
    depends_on: list[str] = field(default_factory=list)  # "obj" or "obj/kr", as read


@dataclass(slots=True)
class Kpi(Page):
    org_unit: str | None = None
    owner: str = ""
    unit: str = ""
    better: str = "higher"
    target: float | None = None
    alert: float | None = None
    range: tuple[float | None, float | None] | None = None
    parent: str | None = None
    indicator: str | None = None
    data_file: str | None = None
    data_source: SourceFile | None = None
    measurements: list[Measurement] = field(default_factory=list)


@dataclass(slots=True)
class FreePage(Page):
    pass


@dataclass(slots=True)
class Site:
    root: Path
    display_root: str  # the SITE argument as given, for display paths
    config: Config
    pages: list[Page] = field(default_factory=list)  # in stable (path) order
    # content-relative path -> id (from the file name) of each Markdown file that could not
    # be loaded (unreadable, bad front matter …): it exists, so references to it and links
    # to it are not reported again as unknown — the file's own error says what is wrong.
    failed: dict[str, str] = field(default_factory=dict)

    def add(self, rel: str, page: Page | None) -> None:
        """Record what loading the content file `rel` gave: its page, or None when it failed."""
        if page is not None:
            self.pages.append(page)
        else:
            self.failed[rel] = rel.rsplit("/", 1)[-1][:-3]

    def by_id(self) -> dict[str, Page]:
        return {p.id: p for p in self.pages}

    def of_type(self, cls: type) -> list:
        return [p for p in self.pages if isinstance(p, cls)]

    @property
    def org_units(self) -> list[OrgUnit]:
        return self.of_type(OrgUnit)

    @property
    def objectives(self) -> list[Objective]:
        return self.of_type(Objective)

    @property
    def kpis(self) -> list[Kpi]:
        return self.of_type(Kpi)

    @property
    def free_pages(self) -> list[FreePage]:
        return self.of_type(FreePage)
