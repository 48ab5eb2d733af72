"""Where each page lands in the output, and how one page links to another.

URLs are file paths relative to the output root and always name the `.html`
file, so the site works from any sub-path of a host and from `file://`.
"""

from __future__ import annotations

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
    base = posixpath.dirname(from_url)
    rel = posixpath.relpath(to_url, base or ".")
    return rel + anchor


def root_prefix(from_url: str) -> str:
    """`../` repeated to reach the output root from `from_url` ('' at the root)."""
    depth = from_url.count("/")
    return "../" * depth
