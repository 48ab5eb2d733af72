"""Two versions of one page's front matter → the revisions between them.

Old versions are read with the loader's own front-matter split and YAML reader, so a
value means in history what it means today. Values are compared as YAML loads them:
`60` and `60.0` are the same target, `true` and `1` are not.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from okrsite.history.model import ADDED, KR_FIELDS, PAGE_FIELDS, REMOVED, Commit, Revision
from okrsite.load.sources import split_front_matter
from okrsite.load.yamlnodes import BadScalar, parse


@dataclass(slots=True)
class Version:
    """What revisions track in one version of a page, as plain JSON-able values."""

    own: dict[str, Any] = field(default_factory=dict)
    krs: dict[str, dict[str, Any]] = field(default_factory=dict)  # by key-result id, in file order


def front_matter(data: bytes, chunks: dict[str, Any] | None = None) -> dict | None:
    """The front matter of a file's bytes, or None when it does not load (that version is skipped).

    With `chunks` (a memo shared by all versions), each top-level field and each key result is
    parsed on its own and remembered by its text: consecutive versions differ in a line or two,
    so most of a version is already known. Anything the split might misread (anchors, tags,
    flow-style documents, a chunk that does not load alone) is parsed whole instead.
    """
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    if "\0" in text:
        return None
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    split = split_front_matter(text)
    if isinstance(split, str):
        return None
    yaml_text = split.yaml or ""
    if chunks is not None:
        fm = _chunked(yaml_text, chunks)
        if fm is not None:
            return fm
    return _whole(yaml_text)


def _whole(yaml_text: str) -> dict | None:
    parsed = parse(yaml_text, 1, marks=False)
    if parsed.problems or not isinstance(parsed.value, dict):
        return None
    return parsed.value


_NODE_PROPERTY_RE = re.compile(r"(?:[:\-\[{,]|^)\s*[&*!]", re.M)  # an anchor, alias or tag where a node starts


def _risky(text: str) -> bool:
    """What a split into top-level fields could misread: node properties, directives, merge keys, tabs,
    a document that is not a block mapping."""
    if "\t" in text or "<<" in text:
        return True
    lines = "\n" + text
    if any(s in lines for s in ("\n-", "\n?", "\n[", "\n{", "\n%")):
        return True
    return ("&" in text or "*" in text or "!" in text) and _NODE_PROPERTY_RE.search(text) is not None
_NONE = object()


def _chunked(yaml_text: str, memo: dict[str, Any]) -> dict | None:
    """Top-level fields parsed one by one (key results item by item), or None: parse it whole."""
    if _risky(yaml_text):
        return None
    out: dict = {}
    lines = yaml_text.split("\n")
    starts = [i for i, line in enumerate(lines) if line[:1] not in ("", " ", "#")]
    if not starts or any(line.strip() and not line.lstrip().startswith("#") for line in lines[:starts[0]]):
        return None
    for n, i in enumerate(starts):
        chunk = lines[i:starts[n + 1] if n + 1 < len(starts) else len(lines)]
        key = chunk[0].split(":", 1)[0]
        value = _kr_items(chunk, memo) if key == "key_results" and chunk[0].rstrip() == "key_results:" else _NONE
        if value is _NONE:
            value = _one(chunk, memo)
        if value is _NONE or not isinstance(value, dict) or len(value) != 1:
            return None
        (k, v), = value.items()
        if k in out or str(k) != key:
            return None
        out[k] = v
    return out


def _one(chunk: list[str], memo: dict[str, Any]) -> Any:
    text = "\n".join(chunk)
    if text not in memo:
        parsed = parse(text, 1, marks=False)
        memo[text] = _NONE if parsed.problems else parsed.value
    return memo[text]


def _kr_items(chunk: list[str], memo: dict[str, Any]) -> Any:
    """`key_results:` followed by a block list: each item parsed on its own."""
    body = [line for line in chunk[1:] if line.strip() and not line.lstrip().startswith("#")]
    if not body or not body[0].lstrip().startswith("- "):
        return _NONE
    indent = len(body[0]) - len(body[0].lstrip())
    items: list = []
    current: list[str] = []
    for line in chunk[1:]:
        if line[indent:indent + 2] == "- " and not line[:indent].strip():
            if current:
                items.append(current)
            current = [line]
        elif current:
            current.append(line)
    if current:
        items.append(current)
    out = []
    for item in items:
        value = _one(item, memo)
        if value is _NONE or not isinstance(value, list) or len(value) != 1:
            return _NONE
        out.append(value[0])
    return {"key_results": out}


def version(fm: dict) -> Version:
    v = Version({k: plain(fm.get(k)) for k in PAGE_FIELDS})
    krs = fm.get("key_results")
    for kr in krs if isinstance(krs, list) else []:
        if not isinstance(kr, dict) or isinstance(kr.get("id"), (dict, list, bool)) or kr.get("id") is None:
            continue
        kid = str(plain(kr["id"]))
        if kid not in v.krs:  # a duplicate id is an error today; history keeps the first
            v.krs[kid] = {k: plain(kr.get(k)) for k in KR_FIELDS}
    return v


def plain(value: Any) -> Any:
    """A YAML value as JSON can hold it: dates as YYYY-MM-DD, non-finite numbers as None."""
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, int):
        return value if abs(value) < 2**63 else str(value)
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, BadScalar):
        return value.text
    if isinstance(value, list):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {str(plain(k)): plain(v) for k, v in value.items()}
    return str(value)


def _key(value: Any) -> Any:
    """Equality as YAML means it: a number equals a number of the same value, never a boolean or text."""
    if isinstance(value, bool):
        return ("b", value)
    if isinstance(value, (int, float)):
        return ("n", float(value))
    if isinstance(value, list):
        return ("l", tuple(_key(v) for v in value))
    if isinstance(value, dict):
        return ("d", tuple(sorted((k, _key(v)) for k, v in value.items())))
    return ("s", value)


def same(a: Any, b: Any) -> bool:
    return _key(a) == _key(b)


def diff(old: Version, new: Version, commit: Commit | None) -> list[Revision]:
    """The page's own fields first, then key results in the new file's order, then those removed."""
    out = [Revision(commit, None, f, old.own.get(f), new.own.get(f)) for f in PAGE_FIELDS
           if not same(old.own.get(f), new.own.get(f))]
    for kid, kr in new.krs.items():
        title = kr.get("title")
        title = title if isinstance(title, str) else "" if title is None else str(title)
        before = old.krs.get(kid)
        if before is None:
            out.append(Revision(commit, kid, ADDED, None, title, title))
            continue
        out += [Revision(commit, kid, f, before.get(f), kr.get(f), title) for f in KR_FIELDS
                if not same(before.get(f), kr.get(f))]
    for kid, kr in old.krs.items():
        if kid not in new.krs:
            title = kr.get("title")
            title = title if isinstance(title, str) else "" if title is None else str(title)
            out.append(Revision(commit, kid, REMOVED, title, None, title))
    return out
