"""Page bodies to safe HTML: links rewritten to output URLs, then sanitised.

Raw HTML in Markdown is allowed (authors use it for small layout touches) but every
body goes through nh3 (Rust's ammonia): scripts, event handlers, `javascript:` URLs
and unknown tags are removed, so no handbook author can run script in a reader's
browser.
"""

from __future__ import annotations

import nh3
from markdown_it.common.utils import escapeHtml

from okrsite import urls
from okrsite.markdown import Body, html_parts, link_href, tokens_to_render
from okrsite.plainbody import plain_html, wikilink_html

_ATTRS: dict[str, set[str]] = {k: set(v) for k, v in nh3.ALLOWED_ATTRIBUTES.items()}
for _tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
    _ATTRS.setdefault(_tag, set()).add("id")
_ATTRS["a"] = _ATTRS.get("a", set()) | {"title", "class", "id"}
_ATTRS["img"] = _ATTRS.get("img", set()) | {"title"}
_ATTRS["span"] = _ATTRS.get("span", set()) | {"class"}
for _tag in ("th", "td"):
    _ATTRS[_tag] = _ATTRS.get(_tag, set()) | {"style"}
_TAGS = set(nh3.ALLOWED_TAGS) | {"input"} - {"area", "map"}
_ATTRS["input"] = {"type", "checked", "disabled"}
SCHEMES = {"http", "https", "mailto", "tel"}


# one cleaner for the process: `nh3.clean` builds its rules anew on every call, six times the cleaning itself
_CLEANER = nh3.Cleaner(
    tags=_TAGS,
    attributes=_ATTRS,
    url_schemes=SCHEMES,
    filter_style_properties={"text-align"},
    link_rel=None,
)


def sanitise(html: str) -> str:
    return _CLEANER.clean(html)


KEEP_RENDERED = [True]  # `serve` keeps each body's HTML for its next rebuild; a one-shot build does not


def render_body(doc: Body | None, page_url: str) -> str:
    """HTML for a body, its links made relative to the page at `page_url`."""
    if doc is None or not doc.source.strip():
        return ""
    # `serve` keeps unchanged pages between rebuilds: their body renders once while its links resolve alike
    key = (page_url, tuple((link.resolved, link.label) for link in doc.links))
    if doc.html is not None and doc.html[0] == key:
        return doc.html[1]
    made = _plain(doc, page_url)
    html = sanitise(made if made is not None else _rendered(doc, page_url))
    if KEEP_RENDERED[0]:
        doc.html = (key, html)
    return html


def _plain(doc: Body, page_url: str) -> str | None:
    """A plain body's HTML, made without parsing it again (plainbody.plain_html); None for any other."""
    links = [(urls.relative(page_url, link.resolved) if link.resolved is not None else None, link.label)
             for link in doc.links]
    return plain_html(doc.source, doc.anchors, links)


def _rendered(doc: Body, page_url: str) -> str:
    """Any other body's HTML: the HTML loading made (`Body.parts`), its links filled in for this page.
    A body loaded without it (its tokens kept) has it made here, once."""
    if doc.parts is None:
        doc.parts = html_parts(*tokens_to_render(doc))
    return fill_parts(doc, page_url)


def fill_parts(doc: Body, page_url: str) -> str:
    """`doc.parts` with each link as markdown-it's renderer writes it (markdown.py's render rules): to its
    target's output URL for this page when validation resolved it, else as written unless unsafe (then
    without its href/src); a wikilink as wikilink_html, labelled as written, else by its target's title."""
    assert doc.parts is not None
    out: list[str] = []
    for part in doc.parts:
        if type(part) is str:
            out.append(part)
            continue
        i, written = part  # type: ignore[misc]
        link = doc.links[i]
        new = urls.relative(page_url, link.resolved) if link.resolved is not None else None
        if link.kind == "wiki":
            out.append(wikilink_html(written or link.label or link.target, new))
            continue
        new = link_href(new, written)
        if new is None:
            new = written
        if new:
            out.append(f' {link.attr}="{escapeHtml(new)}"')
    return "".join(out)
