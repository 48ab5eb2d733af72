"""A handbook file as its exact text: where the front matter lies in it, lines and line ends.

The loader normalises line ends before parsing; an editor must not, so offsets here index the text
as it is on disk (decoded, without the BOM).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from okrsite.edit.errors import EditError
from okrsite.load.sources import MAX_FILE_BYTES

BOM = b"\xef\xbb\xbf"
BREAK_RE = re.compile(r"\r\n|\r|\n")


@dataclass(slots=True)
class Document:
    path: Path
    raw: bytes  # the file's bytes as read
    text: str  # decoded, line ends as in the file, without the BOM
    bom: bool
    yaml_start: int = 0  # offset of the front matter's first character (after the opening `---` line)
    yaml_end: int = 0  # offset of the line that closes the front matter

    def encode(self, text: str) -> bytes:
        return (BOM if self.bom else b"") + text.encode("utf-8")

    @property
    def front_matter(self) -> str:
        return self.text[self.yaml_start:self.yaml_end]

    def line_start(self, i: int) -> int:
        """Offset of the first character of the line holding offset `i`."""
        return max(self.text.rfind("\n", 0, i), self.text.rfind("\r", 0, i)) + 1

    def next_line(self, i: int) -> int:
        """Offset just past the line break that ends the line holding `i` (the text's end without one)."""
        m = BREAK_RE.search(self.text, i)
        return m.end() if m else len(self.text)

    def line_of(self, i: int) -> int:
        """0-based line number of offset `i` (a CRLF is one break)."""
        return len(BREAK_RE.findall(self.text, 0, i))

    def column(self, i: int) -> int:
        return i - self.line_start(i)

    def eol(self, i: int | None = None) -> str:
        """The line end of the line holding `i`; else the file's first; else LF."""
        m = BREAK_RE.search(self.text, self.line_start(i)) if i is not None else None
        if m is None:
            m = BREAK_RE.search(self.text)
        return m.group() if m else "\n"

    def eol_before(self, i: int) -> str:
        """The line end just before offset `i` (a new line inserted at `i` ends like the one above it)."""
        if self.text[max(i - 2, 0):i] == "\r\n":
            return "\r\n"
        if i > 0 and self.text[i - 1] in "\r\n":
            return self.text[i - 1]
        return self.eol(i)

    def ends_with_break(self, i: int) -> bool:
        """Whether offset `i` starts a line (the character before it is a line break)."""
        return i == 0 or self.text[i - 1] in "\r\n"


def decode(path: Path, raw: bytes) -> Document:
    bom = raw.startswith(BOM)
    try:
        text = raw[len(BOM) if bom else 0:].decode("utf-8")
    except UnicodeDecodeError as e:
        raise EditError(f"{path.name} is not UTF-8 (byte 0x{raw[e.start]:02x}); run okrsite check") from e
    return Document(path, raw, text, bom)


def read_bytes(path: Path) -> bytes:
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            raise EditError(f"{path.name} is larger than okrsite reads ({MAX_FILE_BYTES // 1048576} MB)")
        return path.read_bytes()
    except OSError as e:
        raise EditError(f"cannot read {path.name}: {e.strerror or e}") from e


def read_page(path: Path) -> Document:
    """A Markdown page with its front matter located, as `split_front_matter` finds it."""
    doc = decode(path, read_bytes(path))
    first = BREAK_RE.search(doc.text)
    if first is None or doc.text[: first.start()].rstrip() != "---":
        raise EditError(f"{path.name} does not start with front matter ('---'); run okrsite check")
    doc.yaml_start = pos = first.end()
    while pos < len(doc.text):
        m = BREAK_RE.search(doc.text, pos)
        end = m.start() if m else len(doc.text)
        if doc.text[pos:end].rstrip() in ("---", "..."):
            doc.yaml_end = pos
            return doc
        pos = m.end() if m else len(doc.text)
    raise EditError(f"the front matter of {path.name} is not closed; run okrsite check")
