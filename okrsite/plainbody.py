"""Bodies that are plain paragraphs: their tokens made directly, as markdown-it would make them.

Most objective and KPI bodies are a sentence or two: words, punctuation and `[[wikilinks]]`.
markdown-it still runs every block and inline rule over them (about 60 µs a body, a second of a
10,000-objective check). A body is plain when nothing in it can start a construct: each line is
blank or starts with a letter and ends in a non-space, and no character outside a wikilink can
begin inline markup. Anything else goes to markdown-it, so both ways give equal tokens (a
property test holds them to that).
"""

from __future__ import annotations

import re

from markdown_it.token import Token

# Outside a wikilink, any of these may start inline markup (escape, code, emphasis, strike-through,
# link, image (`![`), autolink, HTML, entity, table cell) or change line breaks (tab, CR, other spaces,
# control characters); a body holding one is left to markdown-it.
_SPECIAL_RE = re.compile(r"[\\`*_\[\]<>&|~]|!\[|[^\S \n]|[\x00-\x09\x0b-\x1f\x7f]")
WIKI_RE = re.compile(r"\[\[([^\[\]\n|]+)(?:\|([^\[\]\n]+))?\]\]")  # `[[target]]`, `[[target|label]]`


def is_plain(body: str) -> bool:
    """True when `body` is plain paragraphs: nothing in it could start other markup."""
    if "![" in body or _SPECIAL_RE.search(WIKI_RE.sub("w", body)) is not None:
        return False
    return all(not line or (line[0].isalpha() and not line[-1].isspace()) for line in body.split("\n"))


def plain_tokens(body: str) -> list[Token] | None:
    """The tokens of `body` when it is plain paragraphs, else None."""
    if not is_plain(body):
        return None
    lines = body.split("\n")
    tokens: list[Token] = []
    start = None
    for n, line in enumerate([*lines, ""]):
        if line and start is None:
            start = n
        elif not line and start is not None:
            _paragraph(tokens, lines[start:n], start, n)
            start = None
    return tokens


def _paragraph(tokens: list[Token], lines: list[str], start: int, end: int) -> None:
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
    tokens.append(Token("paragraph_open", "p", 1, map=[start, end], block=True))
    tokens.append(Token("inline", "", 0, map=[start, end], level=1, content=content, children=children, block=True))
    tokens.append(Token("paragraph_close", "p", -1, block=True))
