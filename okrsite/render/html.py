"""HTML pages from the theme's Jinja2 templates (minimal until the full theme lands)."""

from __future__ import annotations

from okrsite import urls
from okrsite.render import RenderInput
from okrsite.render.body import render_body
from okrsite.render.theme import make_env, theme_dirs
from okrsite.write.output import Output


def render_pages(inp: RenderInput) -> dict[str, Output]:
    env = make_env(theme_dirs(inp.site.root, inp.site.config.theme))
    template = env.get_template("page.html")
    out: dict[str, Output] = {}
    for page in inp.graph.pages.values():
        url = inp.graph.url_of[page.id]
        html = template.render(
            site={"title": inp.site.config.title},
            page={"id": page.id, "type": page.type, "title": page.title},
            body=render_body(page.doc, url),
            root=urls.root_prefix(url),
        )
        out[url] = html.encode("utf-8")
    home = template.render(site={"title": inp.site.config.title},
                           page={"id": "home", "type": "home", "title": inp.site.config.title}, body="", root="")
    out[urls.HOME] = home.encode("utf-8")
    return out
