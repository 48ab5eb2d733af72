"""Pages that are not about one entity: search and the 404 page."""

from __future__ import annotations

from urllib.parse import quote

from okrsite import urls
from okrsite.render import PageJob
from okrsite.render.nav import page_context
from okrsite.render.refs import Refs


def search_job(refs: Refs) -> PageJob:
    return PageJob(urls.SEARCH, "search.html", page_context(
        refs, urls.SEARCH, section="search", kind="search", title="Search", page_id="search"))


def site_path(base_path: str) -> str:
    """`base_path` as an absolute path on this host ending in '/'; never another origin."""
    base = base_path or "/"
    if not base.startswith("/") or base.startswith("//") or base.startswith("/\\"):
        base = "/" + base.lstrip("/\\")
    base = quote(base, safe="/-._~%")  # a URL path: anything else percent-encoded
    return base if base.endswith("/") else base + "/"


def not_found_job(refs: Refs) -> PageJob:
    """A host serves 404.html at any missing path, where relative links would resolve wrongly.

    So this one page links from the site's absolute path (`base_path`), as MkDocs does;
    it is the only page that does not work from file:// or an unexpected sub-path.
    """
    ctx = page_context(refs, urls.NOT_FOUND, section="", kind="404", title="Page not found", page_id="404")
    ctx["root"] = site_path(refs.cfg.base_path)
    return PageJob(urls.NOT_FOUND, "404.html", ctx)
