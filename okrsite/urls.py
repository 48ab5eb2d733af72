"""Where each page lands in the output, and how one page links to another.

URLs are file paths relative to the output root and always name the `.html`
file, so the site works from any sub-path of a host and from `file://`.
"""

from __future__ import annotations

import functools
import posixpath

from okrsite.model import Cycle, FreePage, Kpi, Objective, OrgUnit, Page

HOME = "index.html"
MAP = "map.html"
SEARCH = "search.html"
NOT_FOUND = "404.html"
DATA = "data.json"
SITEMAP = "sitemap.xml"
ASSETS = "assets"
INDEXES = {
    "org_unit": "org/index.html",
    "objective": "objectives/index.html",
    "kpi": "kpis/index.html",
    "cycle": "cycles/index.html",
    "page": "pages/index.html",
}


HOME_SOURCE = "index.md"  # a free page at the content root with this name is the home page's introduction


def is_home_source(page: Page) -> bool:
    return isinstance(page, FreePage) and page.file.rel == HOME_SOURCE


def page_url(page: Page) -> str:
    if isinstance(page, OrgUnit):
        return f"org/{page.id}.html"
    if isinstance(page, Objective):
        return f"objectives/{page.id}.html"
    if isinstance(page, Kpi):
        return f"kpis/{page.id}.html"
    if isinstance(page, FreePage):
        rel = page.file.rel
        if rel == HOME_SOURCE:
            return HOME
        return (rel[:-3] if rel.endswith(".md") else rel) + ".html"
    raise TypeError(type(page).__name__)


def cycle_url(cycle: Cycle | str) -> str:
    cid = cycle if isinstance(cycle, str) else cycle.id
    return f"cycles/{cid}.html"


# Split pages. They live in folders named after a cycle (or `all`), never beside content pages:
# `objectives/ID.html` and `kpis/ID.html` are flat, so `objectives/CYCLE/…` cannot collide with one.

def map_landing_url(cycle_id: str | None, current_id: str | None) -> str:
    """The map of a cycle's top level: `map.html` for the current cycle, `map/CYCLE.html` for the others."""
    return MAP if cycle_id is None or cycle_id == current_id else f"map/{cycle_id}.html"


def map_unit_url(cycle_id: str, unit_id: str, page: int = 1) -> str:
    """One unit's subtree in one cycle; long ones continue on `map/CYCLE/UNIT/page-N.html`."""
    return f"map/{cycle_id}/{unit_id}.html" if page <= 1 else f"map/{cycle_id}/{unit_id}/page-{page}.html"


def objectives_index_url(cycle_id: str, page: int = 1, current_id: str | None = None) -> str:
    """A page of one cycle's objectives: the current cycle's first page is the Objectives tab itself."""
    if page <= 1:
        return INDEXES["objective"] if cycle_id == current_id else f"objectives/{cycle_id}/index.html"
    return f"objectives/{cycle_id}/page-{page}.html"


def kpis_index_url(page: int = 1) -> str:
    return INDEXES["kpi"] if page <= 1 else f"kpis/all/page-{page}.html"


def split_pages_at(url: str, cycle_ids: list[str]) -> str | None:
    """Which split pages own the place `url` would be written to (compared in lower case), if any:
    a free page there would overwrite one of them, or be overwritten."""
    key = url.lower()
    for cid in cycle_ids:
        c = cid.lower()
        if key == f"map/{c}.html" or key.startswith(f"map/{c}/"):
            return f"the alignment map of cycle '{cid}'"
        if key.startswith(f"objectives/{c}/"):
            return f"the objectives index of cycle '{cid}'"
    if key.startswith("people/all/"):
        return "the people index"
    return "the KPI index" if key.startswith("kpis/all/") else None


def person_url(slug: str) -> str:
    """The page of one owner or lead; `slug` from okrsite.validate.people.person_slug, made unique there."""
    return f"people/{slug}.html"


PEOPLE = "people/index.html"  # the People tab; person slugs never take "index" (okrsite.validate.people)
DEPENDENCIES = "dependencies.html"  # who needs whom between top-level units in the current cycle
CALENDAR = "calendar.ics"  # cycles and milestone due dates, to subscribe to


def people_index_url(page: int = 1) -> str:
    """A page of the people index; later pages sit in `people/all/`, which no person slug can reach."""
    return PEOPLE if page <= 1 else f"people/all/page-{page}.html"


def kr_anchor(kr_id: str) -> str:
    return f"kr-{kr_id}"


def relative(from_url: str, to_url: str) -> str:
    """A link from the page at `from_url` to `to_url` (both relative to the output root)."""
    anchor = ""
    if "#" in to_url:
        to_url, frag = to_url.split("#", 1)
        anchor = "#" + frag
    if not to_url:
        return anchor or "#"
    return _relative_from(posixpath.dirname(from_url), to_url) + anchor


@functools.lru_cache(maxsize=1 << 16)
def _relative_from(folder: str, to_url: str) -> str:
    """Pages of one folder link the same targets over and over: each pair is worked out once."""
    return _relpath(to_url, folder)


def _relpath(path: str, start: str) -> str:
    """`posixpath.relpath` for output paths, without its two `os.getcwd()` calls per link."""
    p = [x for x in posixpath.normpath(path).split("/") if x not in ("", ".")]
    s = [x for x in posixpath.normpath(start or ".").split("/") if x not in ("", ".")]
    if ".." in p or ".." in s or path.startswith("/") or start.startswith("/"):
        return posixpath.relpath(path, start or ".")
    n = 0
    while n < len(p) and n < len(s) and p[n] == s[n]:
        n += 1
    return "/".join([".."] * (len(s) - n) + p[n:]) or "."


def root_prefix(from_url: str) -> str:
    """`../` repeated to reach the output root from `from_url` ('' at the root)."""
    depth = from_url.count("/")
    return "../" * depth
