"""How search sees text: folding, words, and the parts a long body is cut into.

themes/default/static/search.js folds and splits a query the same way (NFKD, lower
case, NFKD, combining marks dropped, runs of letters and digits), so a term the browser
computes is a key the index has. Change both together.
"""

from __future__ import annotations

import re
import unicodedata

PART_CHARS = 2_000  # a body is stored for snippets in parts of at most this many characters

_WORD = re.compile(r"[^\W_]+")  # \w without '_' is letters and digits (JS: [\p{L}\p{N}]+)
_marks: dict[str, bool] = {}


def _is_mark(ch: str) -> bool:
    hit = _marks.get(ch)
    if hit is None:
        hit = _marks[ch] = unicodedata.category(ch)[0] == "M"
    return hit


def fold(text: str) -> str:
    """Lower case without accents: "Café" and "CAFE" both give "cafe".

    Decomposed before lower-casing too: compatibility forms such as "𝑨" only become "A" then.
    """
    if text.isascii():
        return text.lower()
    text = unicodedata.normalize("NFKD", unicodedata.normalize("NFKD", text).lower())
    return "".join(ch for ch in text if not _is_mark(ch))


# ASCII letters and digits in lower case, every other byte a space: ASCII text (most of it) needs no regex
_ASCII_WORDS = bytes(ord(chr(i).lower()) if chr(i).isascii() and chr(i).isalnum() else 32 for i in range(256))


def terms(text: str) -> list[str]:
    """The index terms of `text`, in order, repeats kept (for term frequency)."""
    if text.isascii():
        return text.encode("ascii").translate(_ASCII_WORDS).decode("ascii").split()
    return _WORD.findall(fold(text))


def squash(text: str) -> str:
    """Whitespace runs as one space: what snippets show and what parts are cut from."""
    return " ".join(text.split())


def split_parts(text: str, size: int = PART_CHARS) -> list[str]:
    """`text` (squashed) in parts of at most `size` characters, cut at spaces where there is one.

    Snippets load only the part holding the match, so a word at the end of a long body
    costs one small file, not the whole body.
    """
    if not text:
        return []
    parts = []
    i, n = 0, len(text)
    while i < n:
        if n - i <= size:
            parts.append(text[i:])
            break
        j = text.rfind(" ", i + 1, i + size + 1)
        if j <= i:
            j = i + size  # one word longer than a part: cut it
            parts.append(text[i:j])
            i = j
        else:
            parts.append(text[i:j])
            i = j + 1
    return parts
