"""Bodies in the common run of Markdown, read and written without markdown-it, exactly as it would.

Past a sentence, handbook bodies are mostly the same few constructs: headings, paragraphs, short
bulleted and numbered lists (a list under an item too), a pipe table, a one-paragraph quote;
inside them emphasis, code, links and wikilinks. markdown-it-py spends about 0.4 ms on a 1 KB
body of these (half of it trying every block rule on every line), a second of a
10,000-objective build per 2,500 bodies. This module reads such a body in one pass and gives
what loading keeps of it (markdown.Body: anchors, headings, links with their source positions,
plain text, the HTML with each link's place open). It accepts only what it is sure of and says
None to anything else (a tab, HTML, an escape, an entity, a loose list, an indented line other
than a list's under an item, an emphasis it cannot pair at a glance …), which then goes to
markdown-it; a property test holds both ways equal. A body is read piece by piece
(bodycuts.py), so only the pieces this module refuses go to markdown-it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from markdown_it.common.utils import escapeHtml
from markdown_it.token import Token

from okrsite.plainbody import WIKI_RE

# Anywhere in the body, any of these sends it to markdown-it: an escape, HTML or an autolink, a
# strike-through, an image, what may be an entity (`&` alone is text), a tab, a CR, another space, a
# control character.
_REJECT_RE = re.compile(r"[\\<~]|!\[|&#?[A-Za-z0-9]+;|[^\S \n]|[\x00-\x09\x0b-\x1f\x7f]")
_LONE_UNDERSCORE_RE = re.compile(r"(?<![^\W_])_|_(?![^\W_])")  # an underscore not between letters/digits
_HEADING_RE = re.compile(r"(#{1,6}) ([^#\s](?:[^#]*[^#\s])?)")
_BULLET_RE = re.compile(r"([-*+]) (\S.*)")
_ORDERED_RE = re.compile(r"(\d{1,9})([.)]) (\S.*)")
_LIST_START_RE = re.compile(r"(?:[-*+]|\d{1,9}[.)])(?: |$)")  # a list item, however it goes on
_RULE_LIKE_RE = re.compile(r"[-=*_ ]+")  # a thematic break or a setext underline, or close to one
_DELIMITER_CELL_RE = re.compile(r" *(:?)-+(:?) *")
_BLOCK_START = frozenset("#>-+|=")  # a line or item text starting with one of these may open a block

_URL = r"(?:[A-Za-z0-9/._~:#?=&+@-]|%[0-9A-Fa-f]{2})+"
_TEXT = r"[^\[\]*`\n]"  # inside a link's text or an emphasis: no markup of its own
_INLINE_RE = re.compile(
    WIKI_RE.pattern
    + rf"|\[({_TEXT}+)\]\(({_URL})\)"  # [text](url)
    + r"|(?<!`)`([^`\n ](?:[^`\n]*[^`\n ])?)`(?!`)"  # `code`: single backticks, no space at either end
    + r"|(?:(?<=[ \n])|^)(\*\*?)([^\s*\[\]`](?:[^*\[\]`\n]*[^\s*\[\]`])?)\6(?=[ \n.,;:!?)]|$)"  # *em*, **strong**
)
_SPECIAL_RE = re.compile(r"[\[\]*`]")  # left over outside a match: markup this module does not read


class _Inline:
    """One inline run (a paragraph, heading, list item, table cell or quote): its HTML pieces and links."""

    __slots__ = ("map", "html", "text", "links")

    def __init__(self, map_: list[int]) -> None:
        self.map = map_
        self.html: list[str | tuple[Token, str]] = []  # markup, or (link token, written) for a link's place
        self.text: list[str] = []
        self.links: list[Token] = []  # wikilink and link_open tokens, as markdown.py's _collect_links reads them


def _inline(content: str, map_: list[int], html: bool = True) -> _Inline | None:
    """The run of `content`, its HTML pieces too with `html`; None when it holds markup not read here."""
    run = _Inline(map_)
    at = 0
    for m in _INLINE_RE.finditer(content):
        if not _plain_text(content[at:m.start()], run, html):
            return None
        if m.group(1) is not None:  # [[target|label]]
            target, label = m.group(1).strip(), (m.group(2) or "").strip()
            tok = Token("wikilink", "a", 0, content=m.group(0), meta={"target": target, "label": label})
            run.links.append(tok)
            if html:
                run.html.append((tok, label))
            run.text.append(label or target)
        elif m.group(3) is not None:  # [text](url)
            tok = Token("link_open", "a", 1, attrs={"href": m.group(4)})
            run.links.append(tok)
            if html:
                run.html += ["<a", (tok, m.group(4)), ">" + escapeHtml(m.group(3)) + "</a>"]
            run.text.append(m.group(3))
        elif m.group(5) is not None:  # `code`
            if html:
                run.html.append("<code>" + escapeHtml(m.group(5)) + "</code>")
            run.text.append(m.group(5))
        else:  # *em* or **strong**: after a space, before a space or punctuation
            if not m.group(7)[-1].isalnum() and content[m.end():m.end() + 1] not in ("", " ", "\n"):
                return None  # `**x:**.`: a closing run between two punctuation marks could open too
            if html:
                tag = "em" if m.group(6) == "*" else "strong"
                run.html.append(f"<{tag}>{escapeHtml(m.group(7))}</{tag}>")
            run.text.append(m.group(7))
        at = m.end()
    return run if _plain_text(content[at:], run, html) else None


def _plain_text(text: str, run: _Inline, html: bool) -> bool:
    if not text:
        return True
    if _SPECIAL_RE.search(text):
        return False
    if html:
        run.html.append(escapeHtml(text))
    run.text.append(text.replace("\n", " "))
    return True


@dataclass(slots=True)
class Block:
    """A paragraph ("p"), heading ("h"), list ("ul", "ol"), quote or table, with its inline runs in order."""

    kind: str
    runs: list[_Inline]  # a table's: the header's cells, then each row's
    level: int = 0  # a heading's
    start: int = 1  # an ordered list's first number
    aligns: list[str | None] = field(default_factory=list)  # a table's columns: "left", "right", "center", None
    nested: list[Block | None] = field(default_factory=list)  # a list's: the list under each item, if any


def read_blocks(body: str, html: bool = True) -> list[Block] | None:
    """The blocks of a body in the common run of Markdown, or None when it holds anything else; without
    `html` (`okrsite check`), their runs have no HTML pieces."""
    if _REJECT_RE.search(body) or ("_" in body and _LONE_UNDERSCORE_RE.search(body)):
        return None
    lines = body.split("\n")
    blocks: list[Block] = []
    n, total = 0, len(lines)
    while n < total:
        line = lines[n]
        if not line:
            n += 1
            continue
        if line[0] == " " or line[-1] == " " or line.startswith("```") or _RULE_LIKE_RE.fullmatch(line):
            return None
        end = n + 1
        if line[0] == "#":
            m = _HEADING_RE.fullmatch(line)
            run = _inline(m.group(2), [n, n + 1], html) if m else None
            if run is None:
                return None
            blocks.append(Block("h", [run], level=len(m.group(1))))  # type: ignore[union-attr]
        elif _BULLET_RE.fullmatch(line) or _ORDERED_RE.fullmatch(line):
            end, block = _list(lines, n, 0, html)
            if block is None:
                return None
            blocks.append(block)
        elif line[0] == "|":
            end, block = _table(lines, n, html)
            if block is None:
                return None
            blocks.append(block)
        elif line[0] == ">":
            while end < total and lines[end][:1] == ">":
                end += 1
            texts = [row[2:] for row in lines[n:end]]
            if not all(row.startswith("> ") for row in lines[n:end]) or not _paragraph_lines(texts):
                return None
            run = _inline("\n".join(texts), [n, end], html)
            if run is None:
                return None
            blocks.append(Block("quote", [run]))
        else:
            while end < total and lines[end] and lines[end][0] != "#":
                end += 1
            if not _paragraph_lines(lines[n:end]):
                return None
            run = _inline("\n".join(lines[n:end]), [n, end], html)
            if run is None:
                return None
            blocks.append(Block("p", [run]))
        if end < total and lines[end] and blocks[-1].kind not in ("p", "h"):
            return None  # a list, table or quote goes on with a line of another kind: laziness, not read here
        n = end
    return blocks


def _paragraph_lines(lines: list[str]) -> bool:
    """Lines of one paragraph: none may open a block, end in a space (a hard break) or start indented."""
    for line in lines:
        first = line[:1]
        if not first or first == " " or line[-1] == " " or _RULE_LIKE_RE.fullmatch(line):
            return False
        if first in _BLOCK_START or line.startswith("```") or _LIST_START_RE.match(line):
            return False
    return True


def _list(lines: list[str], n: int, indent: int, html: bool) -> tuple[int, Block | None]:
    """A tight list of one-line items from line `n`, its markers `indent` spaces in: each item's text is
    inline content, and an item may hold one such list right under it, its markers where the item's
    text starts (a nested ordered list only from 1: it interrupts the item's text)."""
    m0 = _BULLET_RE.fullmatch(lines[n], indent)
    ordered = m0 is None
    pattern = _ORDERED_RE if ordered else _BULLET_RE
    m0 = m0 or _ORDERED_RE.fullmatch(lines[n], indent)
    if m0 is None or (indent and ordered and m0.group(1) != "1"):
        return n, None
    marker = m0.group(2) if ordered else m0.group(1)
    block = Block("ol", [], start=int(m0.group(1))) if ordered else Block("ul", [])
    width = 0  # where the last item's text starts, past its marker
    end = n
    while end < len(lines) and lines[end]:
        line = lines[end]
        lead = len(line) - len(line.lstrip(" "))
        if lead < indent:
            break  # the item this list is in goes on
        if lead > indent:  # a list under the last item
            if not block.runs or block.nested[-1] is not None or lead != indent + width:
                return end, None
            end, block.nested[-1] = _list(lines, end, lead, html)
            if block.nested[-1] is None:
                return end, None
            continue
        m = pattern.fullmatch(line, indent)
        if m is None or (m.group(2) if ordered else m.group(1)) != marker:
            return end, None
        text = m.group(3) if ordered else m.group(2)
        if not _paragraph_lines([text]):
            return end, None
        run = _inline(text, [end, end + 1], html)
        if run is None:
            return end, None
        block.runs.append(run)
        block.nested.append(None)
        width = m.start(3 if ordered else 2) - indent
        end += 1
    if indent:
        return end, block
    after = end
    while after < len(lines) and not lines[after]:
        after += 1
    if after < len(lines) and (_BULLET_RE.fullmatch(lines[after]) or _ORDERED_RE.fullmatch(lines[after])):
        return end, None  # a list item after a blank line: maybe a loose list; markdown-it decides
    return end, block


def _table(lines: list[str], n: int, html: bool) -> tuple[int, Block | None]:
    """A pipe table from line `n`: every row between outer pipes, the same number of cells in each."""
    end = n
    while end < len(lines) and lines[end][:1] == "|":
        end += 1
    rows = lines[n:end]
    if len(rows) < 3 or any(row[-1] != "|" or "`" in row or len(row) < 2 for row in rows):
        return end, None
    cells = [row[1:-1].split("|") for row in rows]
    width = len(cells[0])
    if any(len(c) != width for c in cells):
        return end, None
    aligns = []
    for cell in cells[1]:
        m = _DELIMITER_CELL_RE.fullmatch(cell)
        if m is None:
            return end, None
        aligns.append({(True, False): "left", (False, True): "right", (True, True): "center"}.get(
            (bool(m.group(1)), bool(m.group(2)))))
    runs = [_inline(cell.strip(" "), [n + i, n + i + 1], html) for i, row in enumerate(cells) if i != 1 for cell in row]
    if any(r is None for r in runs):
        return end, None
    return end, Block("table", runs, aligns=aligns)  # type: ignore[arg-type]


def runs_of(blocks: list[Block]) -> list[tuple[_Inline, int]]:
    """Every inline run in document order, with its heading level (0: not a heading)."""
    out: list[tuple[_Inline, int]] = []
    for b in blocks:
        if b.nested:
            for run, under in zip(b.runs, b.nested, strict=True):
                out.append((run, 0))
                if under is not None:
                    out += runs_of([under])
        else:
            out += [(run, b.level) for run in b.runs]
    return out


def html_pieces(blocks: list[Block], ids: list[str]) -> list[str | tuple[Token, str]]:
    """The body's HTML as markdown-it writes it, each link's place as (its token, written)."""
    out: list[str | tuple[Token, str]] = []
    heading_ids = iter(ids)
    for b in blocks:
        if b.kind == "p":
            out += ["<p>", *b.runs[0].html, "</p>\n"]
        elif b.kind == "h":
            out += [f'<h{b.level} id="{escapeHtml(next(heading_ids))}">', *b.runs[0].html, f"</h{b.level}>\n"]
        elif b.kind == "quote":
            out += ["<blockquote>\n<p>", *b.runs[0].html, "</p>\n</blockquote>\n"]
        elif b.kind in ("ul", "ol"):
            out.append(f'<ol start="{b.start}">\n' if b.kind == "ol" and b.start != 1 else f"<{b.kind}>\n")
            for r, under in zip(b.runs, b.nested, strict=True):
                out += ["<li>", *r.html]
                if under is not None:
                    out.append("\n")
                    out += html_pieces([under], [])
                out.append("</li>\n")
            out.append(f"</{b.kind}>\n")
        else:
            width = len(b.aligns)
            out.append("<table>\n<thead>\n<tr>\n")
            out += _cells("th", b.runs[:width], b.aligns)
            out.append("</tr>\n</thead>\n<tbody>\n")
            for at in range(width, len(b.runs), width):
                out.append("<tr>\n")
                out += _cells("td", b.runs[at:at + width], b.aligns)
                out.append("</tr>\n")
            out.append("</tbody>\n</table>\n")
    return out


def _cells(tag: str, runs: list[_Inline], aligns: list[str | None]) -> list[str | tuple[Token, str]]:
    out: list[str | tuple[Token, str]] = []
    for run, align in zip(runs, aligns, strict=True):
        out.append(f'<{tag} style="text-align:{align}">' if align else f"<{tag}>")
        out += run.html
        out.append(f"</{tag}>\n")
    return out
