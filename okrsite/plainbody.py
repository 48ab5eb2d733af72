"""Bodies that are plain paragraphs and headings: their tokens made directly, as markdown-it makes them.

Most objective and KPI bodies are a few sentences under a heading or two: words, punctuation and
`[[wikilinks]]`. markdown-it still runs every block and inline rule over them (some 0.7 µs a
character: a 400-character body costs 300 µs, seconds of a 10,000-objective build). A body is
plain when nothing in it can start another construct: each line is blank, an ATX heading (`## Title`,
no `#` in its text), or text that starts no block (not a list item, quote, rule or underline) and
ends in a non-space; and no character outside a wikilink can begin inline markup. Anything else
goes to markdown-it, so both ways give equal tokens (a property test holds them to that).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from html import escape

from markdown_it.common.utils import escapeHtml
from markdown_it.token import Token

# Outside a wikilink, any of these may start inline markup (escape, code, emphasis, strike-through,
# link, image (`![`), autolink, HTML, entity, table cell) or change line breaks (tab, CR, other spaces,
# control characters); a body holding one is left to markdown-it.
_SPECIAL_RE = re.compile(r"[\\`*_\[\]<>&|~]|!\[|[^\S \n]|[\x00-\x09\x0b-\x1f\x7f]")
WIKI_RE = re.compile(r"\[\[([^\[\]\n|]+)(?:\|([^\[\]\n]+))?\]\]")  # `[[target]]`, `[[target|label]]`
_HEADING_RE = re.compile(r"(#{1,6}) ([^#\s](?:[^#]*[^#\s])?)")  # an ATX heading without a closing sequence or inner '#'
_LIST_NUMBER_RE = re.compile(r"\d+[.)]")
_NOT_FIRST = frozenset(" #>-+=[")  # may start a block, or a setext underline (or break a wikilink)


def _plain_line(line: str) -> bool:
    """A blank line, an ATX heading, or paragraph text that starts no block (a list, a quote, a rule …)."""
    if not line:
        return True
    first = line[0]
    if first == "#":
        return _HEADING_RE.fullmatch(line) is not None
    if first in _NOT_FIRST and not (first == "[" and WIKI_RE.match(line)):
        return False
    if first.isdigit() and _LIST_NUMBER_RE.match(line):
        return False
    return not line[-1].isspace()


def plain_lines(body: str) -> list[str] | None:
    """The lines of `body` when it is plain paragraphs and headings, else None."""
    if "![" in body or _SPECIAL_RE.search(WIKI_RE.sub("w", body)) is not None:
        return None
    lines = body.split("\n")
    return lines if all(_plain_line(line) for line in lines) else None


def is_plain(body: str) -> bool:
    """True when nothing in `body` could start markup other than paragraphs, headings and wikilinks."""
    return plain_lines(body) is not None


def plain_tokens(body: str) -> list[Token] | None:
    """The tokens of `body` when it is plain paragraphs and headings, else None."""
    lines = plain_lines(body)
    if lines is None:
        return None
    tokens: list[Token] = []
    for heading, start, end in blocks(lines):
        if heading is None:
            _block(tokens, "paragraph", "p", "", lines[start:end], start, end)
        else:
            level = len(heading.group(1))
            _block(tokens, "heading", f"h{level}", heading.group(1), [heading.group(2)], start, end)
    return tokens


def blocks(lines: list[str]) -> Iterator[tuple[re.Match[str] | None, int, int]]:
    """A plain body's blocks in order: (None, first line, end) for a paragraph, (its match, line, line + 1)
    for a heading. A blank line or a heading ends a paragraph."""
    start = None
    for n, line in enumerate([*lines, ""]):
        heading = _HEADING_RE.fullmatch(line) if line[:1] == "#" else None
        if start is not None and (not line or heading):
            yield None, start, n
            start = None
        if heading:
            yield heading, n, n + 1
        elif line and start is None:
            start = n


def _block(tokens: list[Token], kind: str, tag: str, markup: str, lines: list[str], start: int, end: int) -> None:
    content = "\n".join(lines)
    children: list[Token] = []
    offset = 0
    for n, line in enumerate(lines):
        if n:
            children.append(Token("softbreak", "br", 0))
            offset += 1
        at = 0
        for m in WIKI_RE.finditer(line):
            if m.start() > at:
                children.append(Token("text", "", 0, content=line[at:m.start()]))
            children.append(Token("wikilink", "a", 0, content=m.group(0), meta={
                "target": m.group(1).strip(), "label": (m.group(2) or "").strip(), "offset": offset + m.start()}))
            at = m.end()
        if at < len(line):
            children.append(Token("text", "", 0, content=line[at:]))
        offset += len(line)
    tokens.append(Token(f"{kind}_open", tag, 1, map=[start, end], markup=markup, block=True))
    tokens.append(Token("inline", "", 0, map=[start, end], level=1, content=content, children=children, block=True))
    tokens.append(Token(f"{kind}_close", tag, -1, markup=markup, block=True))


def plain_html(body: str, ids: list[str], links: list[tuple[str | None, str | None]]) -> str | None:
    """The HTML okrsite's markdown-it renderer writes for a plain body, made directly; None when the body
    is not plain, or when `ids` (its heading ids, in order) or `links` (per wikilink, in order: its
    href or None when broken, and the title validation found) do not match it.

    Rendering a page parsed its body again only to render those tokens (80 µs for one sentence
    with a link, most of a 10,000-objective build's body time); a test holds both ways equal.
    """
    lines = plain_lines(body)
    if lines is None:
        return None
    out: list[str] = []
    heading_ids = iter(ids)
    wiki = iter(links)
    try:
        for heading, start, end in blocks(lines):
            if heading is None:
                # a list, not a generator: a StopIteration (too few links) must reach the except below
                out.append("<p>" + "\n".join([_inline_html(line, wiki) for line in lines[start:end]]) + "</p>\n")
            else:
                tag, slug = f"h{len(heading.group(1))}", escapeHtml(next(heading_ids))
                out.append(f'<{tag} id="{slug}">{_inline_html(heading.group(2), wiki)}</{tag}>\n')
    except StopIteration:  # fewer ids or links than the body has
        return None
    if next(heading_ids, None) is not None or next(wiki, None) is not None:
        return None
    return "".join(out)


def _inline_html(line: str, wiki: Iterator[tuple[str | None, str | None]]) -> str:
    """One line's text escaped as markdown-it does, its wikilinks as markdown.py's `_render_wikilink` writes them."""
    parts = []
    at = 0
    for m in WIKI_RE.finditer(line):
        if m.start() > at:
            parts.append(escapeHtml(line[at:m.start()]))
        href, title = next(wiki)
        label = (m.group(2) or "").strip() or title or m.group(1).strip()
        parts.append(wikilink_html(label, href))
        at = m.end()
    if at < len(line):
        parts.append(escapeHtml(line[at:]))
    return "".join(parts)


def wikilink_html(label: str, href: str | None) -> str:
    """A wikilink as HTML: a link, or the label marked as broken when it has no target."""
    if href is None:
        return f'<span class="broken-link">{escape(label)}</span>'
    return f'<a href="{escape(href, quote=True)}" class="wikilink">{escape(label)}</a>'
