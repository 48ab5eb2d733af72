"""Where a body can be cut into top-level pieces that markdown-it reads alike apart and together.

commonbody.py reads a body without markdown-it only when all of it is in the common run of
Markdown, so one nested list or fenced code block sent a whole 1 KB body to markdown-it (0.4 ms
more a body). Cut at a blank line followed by a line that can only start a new block, each piece
is read on its own: the common ones by commonbody.py, only the others by markdown-it.

A cut is made only where no block can go on past it: after a blank line, before a line that is
not indented and does not start with a list marker (`-`, `+`, `*` or a digit), so that no list,
indented code or fence goes on there; before such a line too when no line since the last cut
could belong to a list (a blank line does not end a list: its next item may follow); and never
inside a fenced code block. A fence is followed only when it opens where a cut could be
made (it surely opens there, and runs to its closing line); after any other line that looks like
a fence (a table's row? a fence in a list item, ended with the item?) nothing more is cut.
Bodies where something reaches across blank lines are not cut at all: a link reference
definition (it names a link anywhere in the body), an HTML block that runs to an end marker
(`<pre`, `<script`, `<style`, `<textarea`, `<!--`, `<?`, `<!X`), a CR or a NUL (markdown-it
rewrites them before reading). A property test holds the pieces' reading equal to the whole
body's.
"""

from __future__ import annotations

import re

_LONG_HTML_RE = re.compile(r"<(?:script|pre|style|textarea|[!?])", re.IGNORECASE)
_FENCE_RE = re.compile(r" {0,3}(`{3,}|~{3,})(.*)")
_NO_CUT_BEFORE = frozenset(" \t-+*0123456789")


def cut_body(body: str) -> list[tuple[int, str]] | None:
    """The body's pieces as (index of its first line, its text), in order; their texts joined are the
    body. None when it cannot be cut (see above) or has a single piece."""
    if "]:" in body or "\r" in body or "\0" in body or ("<" in body and _LONG_HTML_RE.search(body)):
        return None
    starts = _cuts(body)
    if not starts:
        return None
    pieces, at, line = [], 0, 0
    for start in [*starts, len(body)]:
        pieces.append((line, body[at:start]))
        line += body.count("\n", at, start)
        at = start
    return pieces


def _cuts(body: str) -> list[int]:
    """Where the pieces start (offsets; the first piece's start left out)."""
    cuts: list[int] = []
    fence: str | None = None  # the open fence's marker run
    first, blank = True, False
    listy = False  # a line since the last cut may belong to a list, which may go on after a blank line
    at = 0
    for line in body.split("\n"):
        start, at = at, at + len(line) + 1
        if fence is not None:
            if _closes(line, fence):
                fence = None
            continue
        if not line.strip(" \t"):
            blank = True
            continue
        may_go_on = line[0] in _NO_CUT_BEFORE  # an item of a list, or more of one, or indented code
        top = first or (blank and not (may_go_on and listy))  # surely a new block, outside any other
        listy = may_go_on or (listy and not top)
        if top and not first:
            cuts.append(start)
        first = blank = False
        m = _FENCE_RE.fullmatch(line) if line[0] in " `~" else None
        if m and not (m.group(1)[0] == "`" and "`" in m.group(2)):  # a backtick fence's info has no backtick
            if not top:  # maybe a table's row, or a fence in a list item that a later line ends: stop here
                break
            fence = m.group(1)
    return cuts


def _closes(line: str, fence: str) -> bool:
    """A closing fence: up to 3 spaces, at least as many of the same marker, nothing after but blanks."""
    m = _FENCE_RE.fullmatch(line)
    return bool(m) and m.group(1)[0] == fence[0] and len(m.group(1)) >= len(fence) and not m.group(2).strip(" \t")
