"""The resolved handbook: every page by id, and who points at whom.

Built once after loading; validation fills it while it checks references, and
compute and render read it instead of searching the page list again.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from okrsite import urls
from okrsite.diagnostics import ERROR, Diagnostics
from okrsite.model import FreePage, Kpi, Objective, OrgUnit, Page, Site


@dataclass(slots=True)
class Graph:
    pages: dict[str, Page] = field(default_factory=dict)
    url_of: dict[str, str] = field(default_factory=dict)  # page id -> output URL
    by_rel: dict[str, Page] = field(default_factory=dict)  # content-relative path -> page
    # resolved relations (only references that name an existing page of the right type)
    unit_children: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    unit_objectives: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    unit_kpis: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    cycle_objectives: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    # objective id -> objectives aligned to it or to one of its key results: (child id, kr id or "")
    contributors: dict[str, list[tuple[str, str]]] = field(default_factory=lambda: defaultdict(list))
    # objective id -> resolved parents: (objective id, kr id or "")
    parents: dict[str, list[tuple[str, str]]] = field(default_factory=lambda: defaultdict(list))
    kpi_children: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    # kpi id -> objectives naming it in `kpis`, and key results measured by it (objective id, kr id)
    kpi_objectives: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    kpi_key_results: dict[str, list[tuple[str, str]]] = field(default_factory=lambda: defaultdict(list))
    # objective id -> its resolved `depends_on` entries: (entry as written, objective id, kr id or ""),
    # and objective id -> the objectives depending on it or on one of its key results (in page order)
    dependencies: dict[str, list[tuple[str, str, str]]] = field(default_factory=lambda: defaultdict(list))
    dependents: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    people: list[Any] = field(default_factory=list)  # okrsite.validate.people.PersonGroup, sorted by name
    # ids that exist but could not be loaded, and pages dropped as duplicates of an id
    # already taken: references and links to them are already explained by that error
    failed: dict[str, str] = field(default_factory=dict)  # content-relative path -> id from the file name
    duplicates: dict[str, list[Page]] = field(default_factory=lambda: defaultdict(list))

    def explained(self, page_id: str, cls: type | None = None) -> bool:
        """True when a reference to `page_id` fails only because of an error reported elsewhere:
        the page's file did not load, or the id is duplicated and one of its pages has type `cls`."""
        if page_id in self.failed.values() and page_id not in self.pages:
            return True
        return any(cls is None or isinstance(p, cls) for p in self.duplicates.get(page_id, ()))

    def get(self, page_id: str | None, cls: type | None = None) -> Page | None:
        page = self.pages.get(page_id) if page_id is not None else None
        if page is not None and cls is not None and not isinstance(page, cls):
            return None
        return page

    def unit(self, page_id: str | None) -> OrgUnit | None:
        return self.get(page_id, OrgUnit)  # type: ignore[return-value]

    def objective(self, page_id: str | None) -> Objective | None:
        return self.get(page_id, Objective)  # type: ignore[return-value]

    def kpi(self, page_id: str | None) -> Kpi | None:
        return self.get(page_id, Kpi)  # type: ignore[return-value]


def generated_urls(site: Site) -> dict[str, str]:
    """Outputs okrsite writes besides content pages, with what writes them."""
    fixed = {
        urls.HOME: "the home page",
        urls.MAP: "the alignment map",
        urls.SEARCH: "the search page",
        urls.NOT_FOUND: "the 404 page",
        urls.DATA: "data.json",
        urls.SITEMAP: "sitemap.xml",
        urls.PEOPLE: "the people index",
        urls.DEPENDENCIES: "the dependency view",
        urls.CALENDAR: "calendar.ics",
    }
    for kind, url in urls.INDEXES.items():
        fixed[url] = f"the {kind.replace('_', ' ')} index"
    for cycle in site.config.cycles:
        fixed[urls.cycle_url(cycle)] = f"the page of cycle '{cycle.id}'"
    return fixed


def build_graph(site: Site, diags: Diagnostics) -> Graph:
    g = Graph()
    g.failed = dict(site.failed)
    claimed: dict[str, str] = {u.lower(): what for u, what in generated_urls(site).items()}
    cycle_ids = [c.id for c in site.config.cycles]
    # Which page keeps an id that several pages claim: the first whose id comes from its file
    # name, else the first; the others get the error — at their `id:` when they set one.
    keeper: dict[str, Page] = {}
    for page in site.pages:
        kept = keeper.get(page.id)
        if kept is None or ("id" in kept.fields and "id" not in page.fields):
            keeper[page.id] = page
    for page in site.pages:
        g.by_rel[page.file.rel] = page
        other = keeper[page.id]
        if other is not page:
            diags.error(page.loc, ("id",) if "id" in page.fields else (), "duplicate-id",
                        f"duplicate id '{page.id}' (also used by {other.file.display})")
            g.duplicates[page.id].append(page)
            continue
        g.pages[page.id] = page
        url = urls.page_url(page)
        g.url_of[page.id] = url
        key = url.lower()
        if urls.is_home_source(page):
            continue  # content/index.md is not a page of its own: the home page shows it
        if key.startswith(urls.ASSETS + "/") and isinstance(page, FreePage):
            diags.add(page.file, page.loc.at(), ERROR, "output-collision",
                      f"page would be written to {url}, inside the theme's {urls.ASSETS}/ folder; move it")
        elif key in claimed:
            diags.add(page.file, page.loc.at(), ERROR, "output-collision",
                      f"page would be written to {url}, which {claimed[key]} already writes")
        elif split := urls.split_pages_at(url, cycle_ids):
            diags.add(page.file, page.loc.at(), ERROR, "output-collision",
                      f"page would be written to {url}, among the pages of {split}; move it")
        else:
            claimed[key] = page.file.display
    return g
