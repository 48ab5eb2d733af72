"""The offline full-text search index: a small manifest, term shards, document and text fragments.

Every file is a script that calls `okrsiteSearch(kind, number, data)`, not JSON:
`fetch()` of a local file fails from `file://`, a `<script src>` loads anywhere. Like
Pagefind, a query loads only what it needs: the manifest (shard bounds), the term
shards whose sorted range holds its words, then the document fragments and text
parts of the results it shows. Everything is built in Python from the model, in
sorted order, so the files are byte-identical between builds.

A result is a page or a cycle; an objective's key results are part of it (their
titles rank below its title, above its body, and the result links to the key result
that matched), as Pagefind shows sub-results of a page.

A posting is one integer, `doc << 8 | tf << 2 | field`: the doc's number, how often
the term occurs in it (capped) and the best field it is in (title 2, key-result
title 1, body 0); a term's list is written as its first posting, then deltas. Where
the term first occurs past the first part of a long body, that part is noted too,
so the snippet loads only the part with the match.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass

from okrsite import urls
from okrsite.model import FreePage, Kpi, Objective, OrgUnit
from okrsite.render.filters import LABELS, datefmt, script_json, status_icon, tone, unit_kind, url_path
from okrsite.render.refs import Refs
from okrsite.render.search_text import split_parts, squash, terms

INDEX_DIR = f"{urls.ASSETS}/search"
MANIFEST_URL = f"{INDEX_DIR}/manifest.js"
VERSION = 2
TITLE, KR_TITLE, BODY = 2, 1, 0  # field codes: a higher one ranks first
TF_CAP = 63
DOCS_PER_FILE = 32  # document fragments (title, type, URL, status, text locations, key results): ~10 KB a file
TEXT_FILE_CHARS = 8_000  # text parts are packed into files of about this size
TERM_SHARD_BYTES = 96_000  # a term shard is closed once it reaches this size (one huge term stays whole)


@dataclass(slots=True)
class Doc:
    """One search result: a page or a cycle."""

    title: str
    kind: str  # shown beside the title: objective, KPI, unit, page, cycle
    url: str  # from the site root
    status: str  # a status key of filters.LABELS, or ""
    context: str  # one line under the title: owner · unit · cycle, a unit's kind and lead …
    text: str = ""  # the body as plain text: indexed, and cut into parts for snippets
    extra: str = ""  # indexed like the body, not shown (owner, lead, check-in notes)
    krs: list[list[str]] | None = None  # an objective's key results: [title, anchor on its page, status]


def _text(page: object) -> str:
    return squash(getattr(getattr(page, "doc", None), "text", "") or "")


def _join(*items: str | None) -> str:
    return " · ".join(x for x in items if x)


def search_docs(refs: Refs) -> list[Doc]:
    """Every cycle and page that has a page, in a stable order (cycles, then pages in path order)."""
    docs: list[Doc] = []
    for c in refs.cfg.cycles:
        ref = refs.cycle(c.id)
        if ref:
            docs.append(Doc(c.title, "cycle", ref["url"], ref["state"],
                            f"{datefmt(ref['start'])} – {datefmt(ref['end'])}"))
    cycle_titles = {c.id: c.title for c in refs.cfg.cycles}
    results = refs.results
    for p in refs.graph.pages.values():
        if isinstance(p, Objective):
            r = results.objectives.get(p.id)
            if r is None:
                continue  # no page either
            # straight from the model and results: `refs.objective`/`refs.kr` build more than a result shows
            url = refs.url(p.id)
            unit = refs.unit_page(p.org_unit)
            krs = [[kr.title, urls.kr_anchor(kr.id), refs.kr_status(p, kres)]
                   for kr, kres in zip(p.key_results, r.key_results, strict=False)]
            notes = [c.note for kr in p.key_results for c in kr.checkins if c.note]
            docs.append(Doc(p.title, "objective", url, r.grade or r.status,
                            _join(p.owner, unit.title if unit else "", cycle_titles.get(p.cycle or "", p.cycle)),
                            _text(p), " ".join([p.owner, *notes]) if notes else p.owner, krs))
        elif isinstance(p, Kpi):
            k = results.kpis.get(p.id)
            if k is None:
                continue
            docs.append(Doc(p.title, "KPI", refs.url(p.id), k.health, p.owner, _text(p), p.owner))
        elif isinstance(p, OrgUnit):
            docs.append(Doc(p.title, "unit", refs.url(p.id), "", _join(unit_kind(p.kind), p.lead), _text(p), p.lead))
        elif isinstance(p, FreePage):
            docs.append(Doc(p.title, "page", refs.url(p.id), "", "", _text(p)))
    return docs


def _script(kind: str, number: int, body: str) -> bytes:
    return f'okrsiteSearch("{kind}",{number},{body});\n'.encode()


class Postings:
    """term → [doc << 8 | tf << 2 | field …] (doc numbers ascending), and the rare parts beyond the first.

    One integer per posting keeps building and writing the index fast: its delta
    from the previous one is always positive, and small where docs are close.
    """

    def __init__(self) -> None:
        self.lists: dict[str, list[int]] = {}
        self.parts: dict[str, list[int]] = {}  # term → [index in its list, body part …] where the part is not 0

    def add(self, docs: list[Doc]) -> list[list[str]]:
        """Index `docs`, numbered from 0 in order; returns each one's body parts."""
        post = self.lists
        get = post.get
        all_parts: list[list[str]] = []
        tf_code = [min(c, TF_CAP) << 2 for c in range(TF_CAP + 1)]
        for n, d in enumerate(docs):
            parts = split_parts(d.text) if d.text else []
            all_parts.append(parts)
            title = terms(d.title)
            kr_words = terms(" ".join([kr[0] for kr in d.krs])) if d.krs else []
            words = title + kr_words
            if d.extra:
                words += terms(d.extra)
            first: dict[str, int] = {}
            if len(parts) == 1:
                words += terms(parts[0])
            elif parts:
                body = terms(parts[0])
                seen = set(body)
                for i, part in enumerate(parts[1:], 1):
                    more = terms(part)
                    body += more
                    for t in more:
                        if t not in seen:
                            seen.add(t)
                            first[t] = i
                words += body
            counts = Counter(words)
            in_title = set(title)
            in_kr = set(kr_words)
            base = n << 8
            for t, c in counts.items():
                v = base | (tf_code[c] if c < TF_CAP else tf_code[TF_CAP]) | (
                    TITLE if t in in_title else KR_TITLE if t in in_kr else BODY)
                lst = get(t)
                if lst is None:
                    lst = post[t] = [v]
                else:
                    lst.append(v)
                if first and t in first:
                    self.parts.setdefault(t, []).extend((len(lst) - 1, first[t]))
        return all_parts


def _utf16(term: str) -> bytes:
    return term.encode("utf-16-be")


def _term_shards(post: Postings) -> tuple[list[str], list[bytes]]:
    """Term shards over the sorted term list: the first term of each, and each file's bytes.

    Sorted by UTF-16 code units, the order of JavaScript's `<`, so the browser finds a
    term's shard by comparing it with the bounds. An entry is `[first, delta …]`, or
    `[[first, delta …], [index, part …]]` when some of its docs have it only past their
    first body part.
    """
    names = list(post.lists)
    if all(t.isascii() for t in names):
        names.sort()
    else:
        names.sort(key=_utf16)
    bounds: list[str] = []
    files: list[bytes] = []
    entries: list[str] = []
    size = 0

    def close() -> None:
        files.append(_script("t", len(files), "{" + ",".join(entries) + "}"))

    for t in names:
        lst = post.lists[t]
        values = ",".join(map(str, [lst[0], *[b - a for a, b in zip(lst, lst[1:], strict=False)]]))
        extra = post.parts.get(t)
        # terms are letters and digits: nothing to escape
        entry = f'"{t}":[[{values}],[{",".join(map(str, extra))}]]' if extra else f'"{t}":[{values}]'
        n = (len(entry) if t.isascii() else len(entry.encode())) + 1  # and its comma
        if entries and size + n > TERM_SHARD_BYTES:
            close()
            entries, size = [], 0
        if not entries:
            bounds.append(t)
        entries.append(entry)
        size += n
    if entries:
        close()
    return bounds, files


def _text_files(all_parts: list[list[str]]) -> tuple[list[list[int]], list[bytes]]:
    """Body parts packed in order into files of about TEXT_FILE_CHARS; per doc, runs [file, first, count …]."""
    files: list[bytes] = []
    locs: list[list[int]] = []
    current: list[str] = []
    size = 0
    for parts in all_parts:
        runs: list[int] = []
        for part in parts:
            if current and size + len(part) > TEXT_FILE_CHARS:
                files.append(_script("x", len(files), script_json(current)))
                current, size = [], 0
            f, i = len(files), len(current)
            if runs and runs[-3] == f:
                runs[-1] += 1
            else:
                runs += (f, i, 1)
            current.append(part)
            size += len(part)
        locs.append(runs)
    if current:
        files.append(_script("x", len(files), script_json(current)))
    return locs, files


def search_index(refs: Refs) -> dict[str, bytes]:
    """Every file of the index by output URL: the manifest, term shards, document fragments, text parts.

    Under `serve`, an edit that changes nothing the index holds (a date, a number) reuses the last index.
    """
    docs = search_docs(refs)
    return refs.remembered("search-index", docs, lambda: build_index(docs))


def build_index(docs: list[Doc]) -> dict[str, bytes]:
    """The index files of `docs` (numbered in order), the manifest last: its key hashes all the others."""
    post = Postings()
    all_parts = post.add(docs)
    bounds, term_files = _term_shards(post)
    locs, text_files = _text_files(all_parts)
    out: dict[str, bytes] = {}
    for i, data in enumerate(term_files):
        out[f"{INDEX_DIR}/t/{i}.js"] = data
    for start in range(0, len(docs), DOCS_PER_FILE):
        group = [[d.title, d.kind, url_path(d.url), d.status, d.context, loc,
                  [[k[0], url_path(f"{d.url}#{k[1]}").rpartition("#")[2], k[2]] for k in d.krs] if d.krs else []]
                 for d, loc in zip(docs[start:start + DOCS_PER_FILE], locs[start:start + DOCS_PER_FILE], strict=True)]
        out[f"{INDEX_DIR}/d/{start // DOCS_PER_FILE}.js"] = _script("d", start // DOCS_PER_FILE, script_json(group))
    for i, data in enumerate(text_files):
        out[f"{INDEX_DIR}/x/{i}.js"] = data
    h = hashlib.blake2b(digest_size=6)
    for url in out:
        h.update(url.encode() + b"\0" + out[url])
    statuses = {k: [label, tone(k), status_icon(k)] for k, label in sorted(LABELS.items())}
    manifest = {"v": VERSION, "key": h.hexdigest(), "docs": len(docs), "docsPerFile": DOCS_PER_FILE,
                "bounds": bounds, "sizes": [len(f) for f in term_files], "statuses": statuses}
    out[MANIFEST_URL] = _script("m", 0, script_json(manifest))
    return out
