"""HTML pages: which pages exist, what each shows (its context), and the Jinja theme that draws it."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import jinja2

from okrsite import urls
from okrsite.model import Site
from okrsite.render import PageJob, RenderInput
from okrsite.render.body import render_body
from okrsite.render.theme import make_env, static_files, theme_dirs
from okrsite.write.output import Output


@dataclass(slots=True)
class Theme:
    env: jinja2.Environment
    dirs: list[Path]
    key: str  # hash of every template and static file's path, size and mtime

    @classmethod
    def for_site(cls, site: Site) -> Theme:
        dirs = theme_dirs(site.root, site.config.theme)
        h = hashlib.blake2b(digest_size=16)
        for d in dirs:
            for p in sorted(d.rglob("*")):
                if p.is_file():
                    st = p.stat()
                    h.update(f"{p}\0{st.st_size}\0{st.st_mtime_ns}\n".encode())
        return cls(make_env(dirs), dirs, h.hexdigest())

    def render(self, job: PageJob) -> bytes:
        return self.env.get_template(job.template).render(**job.context).encode("utf-8")


def theme_assets(inp: RenderInput, theme: Theme) -> dict[str, Output]:
    return dict(static_files(theme.dirs))


def plan_pages(inp: RenderInput) -> list[PageJob]:
    site_ctx = {"title": inp.site.config.title}
    jobs = []
    for page in inp.graph.pages.values():
        url = inp.graph.url_of[page.id]
        jobs.append(PageJob(url, "page.html", {
            "site": site_ctx,
            "page": {"id": page.id, "type": page.type, "title": page.title},
            "body": render_body(page.doc, url),
            "root": urls.root_prefix(url),
        }))
    jobs.append(PageJob(urls.HOME, "page.html", {
        "site": site_ctx, "page": {"id": "home", "type": "home", "title": inp.site.config.title},
        "body": "", "root": ""}))
    return jobs
