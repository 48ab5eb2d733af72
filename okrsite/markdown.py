"""Markdown bodies: one parser for the whole pipeline.

Loading parses a body once into tokens and pulls out its headings (GitHub-style
anchors) and links with source positions, and, when pages will be rendered, the
tokens' HTML with each link's place left open; validation checks those links;
rendering fills in each link's output URL for its page.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from markdown_it import MarkdownIt
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token

from okrsite.bodycuts import cut_body
from okrsite.commonbody import Block, html_pieces, read_blocks, runs_of
from okrsite.model import Pos
from okrsite.plainbody import WIKI_RE as _WIKI_RE
from okrsite.plainbody import blocks, plain_lines, plain_tokens, wikilink_html

_SCHEME_RE = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")
SAFE_SCHEMES = frozenset({"http", "https", "mailto", "tel"})
_IGNORED_IN_URL_RE = re.compile(r"[\x00-\x20\x7f]+")  # browsers skip these inside a scheme


def unsafe_url(url: str) -> bool:
    """True when `url` names a scheme outside SAFE_SCHEMES (`javascript:`, `data:`, `vbscript:` …)."""
    squashed = _IGNORED_IN_URL_RE.sub("", url)
    m = _SCHEME_RE.match(squashed)
    return bool(m) and m.group()[:-1].lower() not in SAFE_SCHEMES


@dataclass(slots=True)
class Link:
    kind: str  # "md" (relative .md), "file" (other relative file), "anchor" (#x), "wiki", "external"
    target: str  # path (md/file), id or obj/kr (wiki), "" (anchor)
    anchor: str  # fragment without '#', or ""
    pos: Pos
    token: Token | None  # the token whose href/src the renderer rewrites (None once the tokens are dropped)
    attr: str = "href"
    resolved: str | None = None  # set by validation: the target's output URL (from the site root)
    label: str | None = None  # set by validation for a wiki link: the target's title


# A body's HTML in pieces: markup, and in between the place of link `i` of `Body.links` as `(i, written)`:
# a wikilink's own label, or the href/src of a Markdown link or image as the source gave it.
Parts = tuple["str | tuple[int, str]", ...]


@dataclass(slots=True)
class Body:
    """What a body says, for validation and the pages around it. The loader keeps no tokens (read_body):
    they cost some 35 bytes per character of Markdown, held for every page and copied into every render
    worker that touches them; what rendering needs of them is kept as HTML (`parts`), and a plain body is
    written straight from its text (plainbody.py)."""

    tokens: list[Token] | None = field(default_factory=list)
    source: str = ""  # the Markdown
    anchors: list[str] = field(default_factory=list)  # heading ids, in order
    headings: list[tuple[int, str, str]] = field(default_factory=list)  # (level, text, id)
    links: list[Link] = field(default_factory=list)
    text: str = ""  # plain text, for search and summaries
    # its HTML as rendered once, while the tokens were there, with each link's place left open (html_parts)
    parts: Parts | None = field(default=None, compare=False)
    # last rendering, by (page URL, resolved links): a cache, not part of what the body says
    html: tuple[tuple[object, ...], str] | None = field(default=None, compare=False)


def slugify(text: str) -> str:
    """GitHub's heading anchor: lower case, spaces to hyphens, punctuation dropped."""
    text = unicodedata.normalize("NFC", text).strip().lower()
    out = []
    for ch in text:
        if ch == " ":
            out.append("-")
        elif ch in "-_" or ch.isalnum() or unicodedata.category(ch).startswith("M"):
            out.append(ch)
    return "".join(out)


def _unique_slug(title: str, seen: dict[str, int]) -> str:
    """The heading's anchor, `-1`, `-2` … added as GitHub does when an earlier heading of the body has it
    (`seen`: every anchor given so far, with how often its base was asked for)."""
    base = slugify(title)
    n = seen.get(base)
    slug = base if n is None else f"{base}-{n}"
    seen[base] = (n or 0) + 1
    while slug in seen and slug != base and n is not None:
        n += 1
        slug = f"{base}-{n}"
    seen.setdefault(slug, 1)
    return slug


def _wikilink_rule(state: StateInline, silent: bool) -> bool:
    if not state.src.startswith("[[", state.pos):
        return False
    m = _WIKI_RE.match(state.src, state.pos)
    if not m:
        return False
    if not silent:
        token = state.push("wikilink", "a", 0)
        token.meta = {"target": m.group(1).strip(), "label": (m.group(2) or "").strip(), "offset": state.pos}
        token.content = m.group(0)
    state.pos = m.end()
    return True


def make_parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": True}).enable("table").enable("strikethrough")
    md.inline.ruler.before("link", "wikilink", _wikilink_rule)
    # Every link parses as a link, so that validation can warn about a `javascript:` one;
    # rendering then drops any unsafe URL (and nh3 would drop it again).
    md.validateLink = lambda url: True  # type: ignore[method-assign]
    return md


_md = make_parser()


def _inline_text(token: Token) -> str:
    parts = []
    for child in token.children or []:
        if child.type in ("text", "code_inline"):
            parts.append(child.content)
        elif child.type == "wikilink":
            parts.append(child.meta["label"] or child.meta["target"])
        elif child.type in ("softbreak", "hardbreak"):
            parts.append(" ")
    return "".join(parts)


def parse_body(body: str, body_line: int) -> Body:
    """Tokens, heading anchors and links of a body that starts at `body_line` of its file: markdown-it's
    reading of the whole body, which every quicker way of reading one is held to."""
    tokens = plain_tokens(body)
    doc = Body(tokens=_md.parse(body) if tokens is None else tokens, source=body)
    reader = _Reader(doc, body_line, body.split("\n"))
    reader.tokens(doc.tokens, 0)
    reader.done()
    return doc


def read_body(body: str, body_line: int, html: bool = False) -> Body:
    """What `parse_body` finds in a body (anchors, headings, links, text), without its tokens: the
    loader keeps nothing else. A plain body is read straight from its lines (no tokens made only to
    be walked and dropped: half of loading a plain body); any other is cut into pieces where it can
    be (bodycuts.py), and each piece in the common run of Markdown is read by commonbody.py, any other
    by markdown-it; tests hold the ways equal. With `html`, a body that is not plain keeps its HTML
    (`Body.parts`: see without_tokens)."""
    lines = plain_lines(body)
    if lines is None:
        return _read_pieces(body, body_line, html, cut_body(body) or [(0, body)])
    doc = Body(tokens=None, source=body)
    reader = _Reader(doc, body_line, lines)
    for heading, start, end in blocks(lines):
        if heading is None:
            reader.text_parts.append(" ".join([_plain_text(line, doc, body_line + start + n, 0)
                                               for n, line in enumerate(lines[start:end])]))
            continue
        title = _plain_text(heading.group(2), doc, body_line + start, heading.start(2))
        reader.heading(len(heading.group(1)), title)
        reader.text_parts.append(title)
    reader.done()
    return doc


def _read_pieces(body: str, body_line: int, html: bool, pieces: list[tuple[int, str]]) -> Body:
    """Read `body` piece by piece (`pieces`: (first line, text), in order): each piece in the common run
    by commonbody.py, any other by markdown-it. With `html`, the pieces' HTML, each link's place open,
    becomes `Body.parts`."""
    doc = Body(tokens=None, source=body)
    reader = _Reader(doc, body_line, body.split("\n"))
    read: list[tuple[list[Block] | None, list[Token], int]] = []  # (blocks, or tokens; its first anchor)
    for start, text in pieces:
        first = len(doc.anchors)
        found = read_blocks(text, html)
        if found is not None:
            reader.common(found, start)
            read.append((found, [], first))
        else:
            tokens = _md.parse(text)
            reader.tokens(tokens, start)
            read.append((None, tokens, first))
    reader.done()
    if html:
        link_tokens = [link.token for link in doc.links]
        at = {id(tok): i for i, tok in enumerate(link_tokens)}
        parts: list[str | tuple[int, str]] = [""]
        for found, tokens, first in read:
            if found is None:
                out = _marked_pieces(_md.renderer.render(tokens, _md.options, {"marks": at}), link_tokens)
            else:
                out = [p if isinstance(p, str) else (at[id(p[0])], p[1])
                       for p in html_pieces(found, doc.anchors[first:])]
            for piece in out:
                if isinstance(piece, str):
                    parts[-1] += piece  # type: ignore[operator]
                else:
                    parts += [piece, ""]
        doc.parts = tuple(parts)
    for link in doc.links:
        link.token = None
    return doc


class _Reader:
    """Walks a body's reading, piece by piece and in order, into its `Body`: heading anchors (each made
    unique among all the body's), headings, links with their place in the file, and plain text."""

    __slots__ = ("doc", "body_line", "lines", "seen", "text_parts")

    def __init__(self, doc: Body, body_line: int, lines: list[str]) -> None:
        self.doc, self.body_line, self.lines = doc, body_line, lines
        self.seen: dict[str, int] = {}
        self.text_parts: list[str] = []

    def tokens(self, tokens: list[Token], start: int) -> None:
        """markdown-it's tokens of a piece whose first line is line `start` of the body."""
        doc = self.doc
        for i, tok in enumerate(tokens):
            if start and tok.map:
                tok.map = [tok.map[0] + start, tok.map[1] + start]
            if tok.type == "heading_open" and i + 1 < len(tokens):
                tok.attrSet("id", self.heading(int(tok.tag[1]), _inline_text(tokens[i + 1])))
            if tok.type == "inline":
                self.text_parts.append(_inline_text(tok))
                _collect_links(tok, self.lines, self.body_line, doc)

    def common(self, found: list[Block], start: int) -> None:
        """commonbody.py's blocks of a piece whose first line is line `start` of the body."""
        doc = self.doc
        for run, level in runs_of(found):
            text = "".join(run.text)
            if level:
                self.heading(level, text)
            self.text_parts.append(text)
            if run.links:
                where = [run.map[0] + start, run.map[1] + start]
                _collect_links(Token("inline", "", 0, map=where, children=run.links), self.lines, self.body_line, doc)

    def heading(self, level: int, title: str) -> str:
        """Record a heading; its anchor, `-1`, `-2` … added when an earlier heading of the body has it."""
        slug = _unique_slug(title, self.seen)
        self.doc.anchors.append(slug)
        self.doc.headings.append((level, title, slug))
        return slug

    def done(self) -> None:
        self.doc.text = " ".join(p for p in self.text_parts if p)


def _marked_pieces(html: str, link_tokens: list[Token | None]) -> list[str | tuple[int, str]]:
    """HTML rendered with `marks`, cut at each link's mark into markup and (i, written) for link `i`
    (`link_tokens[i]` its token): a wikilink's own label, or the href/src of a Markdown link or image as
    the source gave it."""
    pieces: list[str | tuple[int, str]] = []
    at = 0
    for m in _MARK_RE.finditer(html):
        i = int(m.group(1) or m.group(2))
        tok = link_tokens[i]
        assert tok is not None
        written = tok.meta["label"] if tok.type == "wikilink" else str(tok.attrGet(_attr(tok)) or "")
        pieces += [html[at:m.start()], (i, written)]
        at = m.end()
    pieces.append(html[at:])
    return pieces


def _plain_text(text: str, doc: Body, line: int, col0: int) -> str:
    """The text of a plain line (a wikilink reads as its label, else its target); its wikilinks into
    `doc.links`, placed as `_collect_links` places them (`col0`: where `text` starts in its line)."""
    if "[[" not in text:
        return text
    parts = []
    at = 0
    for m in _WIKI_RE.finditer(text):
        target, label = m.group(1).strip(), (m.group(2) or "").strip()
        parts.append(text[at:m.start()])
        parts.append(label or target)
        doc.links.append(Link("wiki", target, "", Pos(line, col0 + m.start() + 3), None))
        at = m.end()
    parts.append(text[at:])
    return "".join(parts)


def without_tokens(doc: Body, html: bool = False) -> Body:
    """Drop the tokens; with `html` make their HTML first (`html_parts`), so that rendering only fills in
    the links. `without_tokens(parse_body(…), html)` is markdown-it's whole reading of a body: the tests
    hold read_body, which the loader uses, to it."""
    if html and doc.tokens is not None and doc.parts is None:
        doc.parts = html_parts(*tokens_to_render(doc))
    doc.tokens = None
    for link in doc.links:
        link.token = None
    return doc


def tokens_to_render(doc: Body) -> tuple[list[Token], list[Token | None]]:
    """The body's tokens (parsed again when they were dropped) and the token of each of its links, in order."""
    if doc.tokens is not None:
        return doc.tokens, [link.token for link in doc.links]
    fresh = parse_body(doc.source, 1)
    if len(fresh.links) != len(doc.links):  # cannot happen (the same parser, the same text): render unlinked
        return fresh.tokens or [], [None] * len(doc.links)
    return fresh.tokens or [], [link.token for link in fresh.links]


def _collect_links(inline: Token, lines: list[str], body_line: int, doc: Body) -> None:
    start_line = inline.map[0] if inline.map else 0
    end_line = inline.map[1] if inline.map else len(lines)
    block = "\n".join(lines[start_line:end_line])
    cursor = 0

    def locate(needle: str) -> Pos:
        nonlocal cursor
        idx = block.find(needle, cursor) if needle else -1
        if idx < 0:
            idx = block.find(needle) if needle else -1
        if idx < 0:
            return Pos(body_line + start_line, 1)
        cursor = idx + len(needle)
        before = block[:idx]
        line = before.count("\n")
        col = idx - (before.rfind("\n") + 1) + 1
        return Pos(body_line + start_line + line, col)

    for child in inline.children or []:
        if child.type == "wikilink":
            pos = locate(child.content)
            target = child.meta["target"]
            doc.links.append(Link("wiki", target, "", Pos(pos.line, pos.col + 2), child))
        elif child.type in ("link_open", "image"):
            attr = "href" if child.type == "link_open" else "src"
            url = str(child.attrGet(attr) or "")
            if child.markup == "autolink" or child.info == "auto":
                continue
            raw = url
            pos = locate("(" + _raw_hint(raw))
            pos = Pos(pos.line, pos.col + 1)
            doc.links.append(classify(url, pos, child, attr))


def _raw_hint(url: str) -> str:
    """The start of the destination as it likely stands in the source (before escaping)."""
    from urllib.parse import unquote

    return unquote(url)[:20]


def classify(url: str, pos: Pos, token: Token, attr: str) -> Link:
    from urllib.parse import unquote

    if url.startswith("#"):
        return Link("anchor", "", unquote(url[1:]), pos, token, attr)
    if _SCHEME_RE.match(url) or url.startswith("//"):
        return Link("external", url, "", pos, token, attr)
    path, _, anchor = url.partition("#")
    path = unquote(path.split("?", 1)[0])
    if path.endswith(".md"):
        return Link("md", path, unquote(anchor), pos, token, attr)
    return Link("file", path, unquote(anchor), pos, token, attr)


_MARK = "\x00"  # never in markdown-it's output: it reads every NUL of the source as U+FFFD
_MARK_RE = re.compile(' (?:href|src)="\x00(\\d+)\x00"|\x00(\\d+)\x00')


def html_parts(tokens: list[Token], link_tokens: list[Token | None]) -> Parts:
    """The HTML of `tokens` with the place of each link left open: `link_tokens[i]` is the token of link
    `i`. Made once, where the body is parsed (a load worker), so that rendering a page needs no second
    parse: it fills in each link's URL for that page (render.body.fill_parts)."""
    marks = {id(tok): i for i, tok in enumerate(link_tokens) if tok is not None}
    return tuple(_marked_pieces(_md.renderer.render(tokens, _md.options, {"marks": marks}), link_tokens))


def _attr(tok: Token) -> str:
    return "src" if tok.type == "image" else "href"


def link_href(new: str | None, written: str) -> str | None:
    """The href/src a Markdown link or image is written with: `new` (its target's URL from the page) when
    validation resolved it, else None to keep it as `written`, or "" to drop it when that names an unsafe
    scheme (the link keeps its text, loses its target)."""
    return "" if new is None and unsafe_url(written) else new


def render_tokens(tokens: list[Token], rewrites: dict[int, str] | None = None) -> str:
    """HTML of parsed tokens; `rewrites` maps id(token) to the href/src to emit instead. The pages use
    `html_parts` (render.body.fill_parts); tests hold that and plainbody.py to this."""
    return _md.renderer.render(tokens, _md.options, {"rewrites": rewrites or {}})


def _rewriting(attr: str, default):  # noqa: ANN001, ANN202
    def rule(self, tokens, idx, options, env):  # noqa: ANN001, ANN202
        tok = tokens[idx]
        mark = env.get("marks", {}).get(id(tok))
        new = link_href(env.get("rewrites", {}).get(id(tok)), str(tok.attrGet(attr) or "")) if mark is None \
            else f"{_MARK}{mark}{_MARK}"
        if new is None:
            return default(tokens, idx, options, env)
        old = tok.attrGet(attr)
        if new == "":
            del tok.attrs[attr]
            try:
                return default(tokens, idx, options, env)
            finally:
                tok.attrSet(attr, old)
        tok.attrSet(attr, new)
        try:
            return default(tokens, idx, options, env)
        finally:
            tok.attrSet(attr, old)

    return rule


def _render_wikilink(self, tokens, idx, options, env) -> str:  # noqa: ANN001
    tok = tokens[idx]
    mark = env.get("marks", {}).get(id(tok))
    if mark is not None:
        return f"{_MARK}{mark}{_MARK}"
    label = tok.meta.get("label") or tok.meta.get("resolved_label") or tok.meta["target"]
    return wikilink_html(label, env.get("rewrites", {}).get(id(tok)))


_md.add_render_rule("wikilink", _render_wikilink)
_md.add_render_rule("link_open", _rewriting("href", _md.renderer.renderToken))
_md.add_render_rule("image", _rewriting("src", _md.renderer.rules["image"]))
