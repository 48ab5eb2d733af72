"""HTML pages: which pages exist (one `PageJob` each), the theme that draws them, and the assets they load."""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import jinja2

from okrsite import urls
from okrsite.model import FreePage, Kpi, Objective, OrgUnit, Page, Site
from okrsite.render import PageJob, PlannedPage, RenderInput
from okrsite.render.refs import Refs
from okrsite.render.theme import compile_templates, make_env, static_files, theme_dirs
from okrsite.write.output import Output

PLOTLY_URL = f"{urls.ASSETS}/plotly.min.js"


@dataclass(slots=True)
class Theme:
    env: jinja2.Environment
    dirs: list[Path]
    key: str  # hash of every template and static file's path, size and mtime

    @classmethod
    def for_site(cls, site: Site, reuse: Theme | None = None, compiled: dict[str, bytes] | None = None) -> Theme:
        """The site's theme; `reuse` (the last one) is kept while no theme file changed, saving the
        template compiles (~150 ms) on every `serve` rebuild. `compiled`: templates compiled
        elsewhere (`compiled_theme`), used where they match the sources."""
        dirs = theme_dirs(site.root, site.config.theme)
        h = hashlib.blake2b(digest_size=16)
        for d in dirs:
            for p in sorted(d.rglob("*")):
                if p.is_file():
                    st = p.stat()
                    h.update(f"{p}\0{st.st_size}\0{st.st_mtime_ns}\n".encode())
        key = h.hexdigest()
        if reuse is not None and reuse.key == key and reuse.dirs == dirs:
            return reuse
        return cls(make_env(dirs, compiled), dirs, key)

    def content_key(self) -> str:
        """A hash of what page bytes depend on besides their context: the templates' and the
        renderer's own source. Unlike `key` (mtimes) it survives a fresh checkout, so a build's
        manifest can tell unchanged pages across runs."""
        h = hashlib.blake2b(digest_size=16)
        code = Path(__file__).parent
        for p in [*sorted(code.rglob("*.py")), *(t for d in self.dirs for t in sorted((d / "templates").rglob("*")))]:
            if p.is_file():
                h.update(f"{p.relative_to(p.parents[1])}\0".encode())
                h.update(p.read_bytes())
        return h.hexdigest()

    def compile_all(self) -> None:
        """Compile every template now, so forked workers inherit them instead of each compiling its own."""
        compile_templates(self.env)

    def render(self, job: PageJob) -> bytes:
        """`Template.render`, then the page's context emptied: a template's macros and the context
        refer to each other, a cycle that would hold the whole page until the collector's next pass
        (see `okrsite.render.stream`, which renders without one)."""
        template = self.env.get_template(job.template)
        ctx = template.new_context(job.context)
        try:
            return self.env.concat(template.root_render_func(ctx)).encode("utf-8")  # type: ignore[attr-defined]
        except Exception:
            self.env.handle_exception()
            raise  # not reached: handle_exception raises the template's error
        finally:
            ctx.vars.clear()
            ctx.exported_vars.clear()


def plotly_js() -> Path:
    """plotly.js as shipped inside the plotly package: copied, never fetched from a CDN."""
    import plotly

    return Path(plotly.__file__).parent / "package_data" / "plotly.min.js"


def static_assets(theme: Theme) -> dict[str, Output]:
    """plotly.js (once, as a file to copy) and the theme's static files: what pages load, cheap to list."""
    out: dict[str, Output] = {PLOTLY_URL: plotly_js()}
    out.update(static_files(theme.dirs))  # a theme may ship its own plotly.min.js
    return out


def theme_assets(inp: RenderInput, theme: Theme, refs: Refs,
                 plan: list[PlannedPage] | None = None) -> dict[str, Output]:
    """Theme static files, plotly.js, the search index and the sitemap (of `plan`, planned again if not given)."""
    from okrsite.render.calendar import calendar
    from okrsite.render.feed import FEED_URL, feed
    from okrsite.render.search import search_index
    from okrsite.render.sitemap import sitemap

    out = static_assets(theme)
    out.update(search_index(refs))  # assets/search/: manifest, term shards, fragments
    pages = plan if plan is not None else plan_pages(inp, refs)
    out[urls.SITEMAP] = sitemap([p.url for p in pages], inp.site.config.base_path)
    out[FEED_URL] = feed(refs)  # Atom: the newest check-ins and revisions
    out[urls.CALENDAR] = calendar(refs)  # cycles and milestone due dates (iCalendar)
    return out


def plan_pages(inp: RenderInput, refs: Refs | None = None) -> list[PlannedPage]:
    """Every HTML page by URL, with how to build its context; contexts only hold what each page shows."""
    from okrsite.render.pages.alignment import map_pages
    from okrsite.render.pages.cycle import cycle_pages
    from okrsite.render.pages.dependencies import dependencies_job
    from okrsite.render.pages.home import home_job
    from okrsite.render.pages.indexes import index_pages
    from okrsite.render.pages.people import people_pages
    from okrsite.render.pages.special import not_found_job, search_job

    refs = refs or Refs(inp)
    eager = [search_job(refs), not_found_job(refs)]
    jobs = [PlannedPage(urls.HOME, partial(home_job, refs)), *(PlannedPage(j.url, partial(_ready, j)) for j in eager)]
    jobs += [*map_pages(refs), *index_pages(refs), *cycle_pages(refs)]  # split pages: URLs from the groupings
    jobs += [*people_pages(refs), PlannedPage(urls.DEPENDENCIES, partial(dependencies_job, refs))]
    position = free_positions(refs)
    for page in inp.graph.pages.values():
        planned = plan_source(inp, refs, page, position)
        if planned is not None:
            jobs.append(planned)
    return jobs


def free_positions(refs: Refs) -> dict[str, tuple[list, int]]:
    """Each free page's folder (its pages) and its place in it, for the folder's navigation."""
    from okrsite.render.pages.indexes import page_folders

    return {p.id: (pages, i) for pages in page_folders(refs).values() for i, p in enumerate(pages)}


def plan_source(inp: RenderInput, refs: Refs, page: Page, position: dict[str, tuple[list, int]] | None = None,
                ) -> PlannedPage | None:
    """The page showing the content page `page` (as `plan_pages` plans it), or None: `serve` plans an
    edited file's page alone, to make it first. `position`: `free_positions`, found here if not given."""
    objective_job, kpi_job, unit_job, free_page_job = _source_jobs()
    url_of = inp.graph.url_of
    if isinstance(page, Objective) and page.id in inp.results.objectives:
        return PlannedPage(url_of[page.id], partial(objective_job, refs, page), page.id)
    elif isinstance(page, Kpi) and page.id in inp.results.kpis:
        return PlannedPage(url_of[page.id], partial(kpi_job, refs, page), page.id)
    elif isinstance(page, OrgUnit):
        return PlannedPage(url_of[page.id], partial(unit_job, refs, page), page.id)
    elif isinstance(page, FreePage) and not urls.is_home_source(page):
        where = (position if position is not None else free_positions(refs))[page.id]
        return PlannedPage(url_of[page.id], partial(free_page_job, refs, page, *where), page.id)
    return None


@functools.cache
def _source_jobs() -> tuple[Callable[..., PageJob], ...]:
    from okrsite.render.pages.free import free_page_job
    from okrsite.render.pages.kpi import kpi_job
    from okrsite.render.pages.objective import objective_job
    from okrsite.render.pages.unit import unit_job

    return objective_job, kpi_job, unit_job, free_page_job


def _ready(job: PageJob) -> PageJob:
    return job
