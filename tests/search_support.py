"""Helpers for the search tests: a handbook with a long body, and the built index read back in Python."""

from __future__ import annotations

import json
import random
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.handbook import write_site

LAST_WORD = "quetzalcoatlite"  # only at the very end of LONG_OBJECTIVE's body
LONG_OBJECTIVE = "Modernise the fleet"
HOSTILE_TITLE = '<img src=x onerror="window.__pwned=1"> hostileword'
WORDS = ("aircraft", "maintenance", "schedule", "crew", "rotation", "gate", "turnaround", "cargo", "fuel",
         "delay", "weather", "catering", "boarding", "network", "planning", "safety", "audit", "training")


def long_body(paragraphs: int = 120, seed: int = 7) -> str:
    """A body of many plain paragraphs (~30,000 characters) whose very last word is LAST_WORD."""
    rng = random.Random(seed)
    paras = [" ".join(rng.choice(WORDS) for _ in range(40)).capitalize() + "." for _ in range(paragraphs)]
    return "\n\n".join(paras) + f"\n\nThe last word is {LAST_WORD}\n"


def objective(title: str, body: str, krs: str = "  - {id: done, title: Ship it, kind: milestone, due: 2025-09-01}\n",
              unit: str = "team") -> str:
    return f"---\ntitle: {title}\ncycle: 2025-Q3\norg_unit: {unit}\nkey_results:\n{krs}---\n{body}"


def search_handbook(root: Path) -> Path:
    """tests/handbook.py's handbook plus: a long body, a title hit and a body-only hit for 'harbour', a KR title."""
    return write_site(root, {
        "content/objectives/fleet.md": objective(LONG_OBJECTIVE, long_body()),
        "content/objectives/harbour.md": objective("Harbour expansion", "A short body about quays.\n"),
        # a body-only hit that says 'harbour' more often than the title hit does: titles still come first
        "content/objectives/docks.md": objective("Dock works", "Harbour harbour harbour: the harbour works.\n"),
        "content/objectives/lounge.md": objective(
            "Better lounges", "Why lounges matter.\n",
            "  - {id: zeppelin, title: Open the Zeppelin lounge, kind: milestone, due: 2025-09-01}\n"),
        "content/guide/cafe.md": "---\ntitle: Café crème\n---\nAccents fold: naïve façade.\n",
        # user content is only ever text in the results, never markup
        "content/guide/evil.md": f"---\ntitle: '{HOSTILE_TITLE}'\n---\n<b onmouseover=\"window.__pwned=2\">x</b> "
                                 "`<img src=y onerror=window.__pwned=3>` hostileword\n",
    })


_SCRIPT = re.compile(r'^okrsiteSearch\("(\w)",(\d+),(.*)\);\n$', re.S)


def read_script(data: bytes) -> tuple[str, int, Any]:
    m = _SCRIPT.match(data.decode("utf-8"))
    assert m, data[:80]
    return m.group(1), int(m.group(2)), json.loads(m.group(3))


@dataclass
class Posting:
    doc: int
    tf: int
    field: int  # 2 title, 1 key-result title, 0 body
    part: int  # body part of the first occurrence (0 when in the first part, or not in the body)


@dataclass
class Index:
    """A built index read back the way search.js reads it."""

    files: dict[str, bytes]
    manifest: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.manifest = read_script(self.files["assets/search/manifest.js"])[2]

    def data(self, kind: str, n: int) -> Any:
        k, number, data = read_script(self.files[f"assets/search/{kind}/{n}.js"])
        assert (k, number) == (kind, n)
        return data

    def shard_of(self, term: str) -> int:
        """The last shard whose first term is <= term, comparing UTF-16 code units as JavaScript does."""
        key = term.encode("utf-16-be")
        found = 0
        for i, b in enumerate(self.manifest["bounds"]):
            if b.encode("utf-16-be") <= key:
                found = i
        return found

    def postings(self, term: str) -> list[Posting]:
        entry = self.data("t", self.shard_of(term)).get(term)
        if entry is None:
            return []
        values, parts = (entry[0], entry[1]) if entry and isinstance(entry[0], list) else (entry, [])
        part_of = dict(zip(parts[0::2], parts[1::2], strict=True))
        out, v = [], 0
        for i, delta in enumerate(values):
            v += delta
            out.append(Posting(v >> 8, (v >> 2) & 63, v & 3, part_of.get(i, 0)))
        return out

    def meta(self, doc: int) -> list[Any]:
        per = self.manifest["docsPerFile"]
        return self.data("d", doc // per)[doc % per]

    def doc_number(self, title: str) -> int:
        for n in range(self.manifest["docs"]):
            if self.meta(n)[0] == title:
                return n
        raise KeyError(title)

    def text_part(self, doc: int, part: int) -> tuple[int, str]:
        """(text file number, text) of a doc's body part."""
        runs = self.meta(doc)[5]
        for i in range(0, len(runs), 3):
            f, first, count = runs[i:i + 3]
            if part < count:
                return f, self.data("x", f)[first + part]
            part -= count
        raise IndexError(part)


def index_of(site_dir: Path) -> Index:
    """The index of a built site folder."""
    files = {p.relative_to(site_dir).as_posix(): p.read_bytes() for p in (site_dir / "assets/search").rglob("*.js")}
    return Index(files)
