"""History from git: who changed which target, when and why — read once per build, in bulk.

`read_history(site)` runs after loading: a few git processes in all (see `git.py`),
then every tracked value of every objective and KPI compared version by version
(`compare.py`), following renames and merges (`walk.py`). The result is plain data
(`model.py`) that the render stage reads. It never fails a build: without git, outside
a repository or when git refuses, there is simply no history, and a shallow clone shows
what it holds and says so.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from okrsite.history.compare import Version, diff, front_matter, same, version
from okrsite.history.git import (
    GitUnavailable,
    Repo,
    log,
    merge_diffs,
    open_repo,
    read_blobs,
    shallow_roots,
    status,
)
from okrsite.history.model import ADDED, REMOVED, FileHistory, History, Revision
from okrsite.history.walk import Touch, start_state, walk
from okrsite.model import Kpi, Objective, Site

PATHSPEC = "content"


@dataclass(slots=True)
class Loaded:
    history: History | None
    notes: list[str] = field(default_factory=list)  # one-line remarks for the terminal


@dataclass(slots=True)
class HistoryCache:
    """What `serve` keeps between rebuilds: the walk while HEAD (and any staged rename) is the same,
    and every old version read (a blob id names its bytes for ever)."""

    key: Any = None
    log: Any = None  # (log entries, touches by path)
    versions: dict[str, Version | None] = field(default_factory=dict)
    chunks: dict[str, Any] = field(default_factory=dict)  # parsed front-matter pieces by their text


def read_history(site: Site, cache: HistoryCache | None = None) -> Loaded:
    """The site's history, or none (with the reason as a note when it is not the obvious one)."""
    try:
        repo = open_repo(site.root)
        if repo is None:
            return Loaded(None)
        history = _read(repo, site, cache or HistoryCache())
    except GitUnavailable as e:
        if e.missing and not any((d / ".git").exists() for d in (site.root.absolute(), *site.root.absolute().parents)):
            return Loaded(None)  # no git, and no repository it would have read: nothing to say
        return Loaded(None, [f"no history from git: {e}"])
    return Loaded(history, list(history.notes))


def _read(repo: Repo, site: Site, cache: HistoryCache) -> History:
    top = repo.prefix + PATHSPEC + "/"  # content/ as git names it (from the repository's top)
    st = status(repo, PATHSPEC)
    start = start_state(st)
    roots = shallow_roots(repo)  # a deepened clone has other roots under the same HEAD
    key = (repo.root, repo.head, sorted(roots), sorted(start.items(), key=lambda kv: (kv[0], kv[1] or "")))
    if cache.key != key:
        entries = log(repo, PATHSPEC)
        merges = [e for e in entries if len(e.parents) > 1]
        pairs = [(e.commit.hash, p) for e in merges for p in e.parents]
        by_merge: dict[str, list] = {}
        for (m, _), d in zip(pairs, merge_diffs(repo, pairs, PATHSPEC), strict=False):
            by_merge.setdefault(m, []).append(d)
        cache.key, cache.log = key, (entries, walk(entries, by_merge, start, roots))
    entries, touches = cache.log

    history = History(prefix=repo.prefix, head=repo.head, shallow=repo.shallow, commits=len(entries))
    if entries:
        history.oldest = min((e.commit for e in entries), key=lambda c: (c.stamp, -c.order))
    tracked = {p.file.rel: p for p in site.pages if isinstance(p, (Objective, Kpi))}
    versions = cache.versions
    wanted: set[str] = set()
    for rel in tracked:
        for t in touches.get(top + rel, []):
            if t.old_blob is not None:  # a file's first version matters only if a later one is compared with it
                wanted.update(b for b in (t.old_blob, t.new_blob, *t.others) if b and b not in versions)
        mod = st.modified.get(top + rel)
        if mod and mod[1] not in versions:
            wanted.add(mod[1])
    for blob, data in read_blobs(repo, wanted).items():
        fm = front_matter(data, cache.chunks) if data is not None else None
        versions[blob] = version(fm) if fm is not None else None

    def version_of(blob: str | None) -> Version | None:
        return versions.get(blob) if blob else None

    for page in site.pages:
        rel = page.file.rel
        path = top + rel
        ts = touches.get(path, [])
        fh = FileHistory(rel)
        fh.committed = bool(ts) and path not in st.new
        fh.dirty = path in st.new or path in st.modified or not ts
        if ts:
            fh.updated = max((t.commit for t in ts), key=lambda c: (c.stamp, -c.order))
            created = [t for t in ts if t.old_blob is None and not t.boundary]
            fh.created = created[-1].commit if created else None
        if rel in tracked:
            fh.revisions = _revisions(ts, version_of)
            mod = st.modified.get(path)
            old = version_of(mod[1]) if mod else None
            if old is not None:
                fh.pending = diff(old, version(page.fields), None)
        history.files[rel] = fh
    if repo.shallow:
        first = history.oldest
        since = f" starts at {first.date} ({first.hash[:8]})" if first else " is cut short"
        history.notes.append(f"shallow clone: history{since}; 'git fetch --unshallow' reads all of it")
    return history


def _revisions(touches: list[Touch], version_of) -> list[Revision]:  # noqa: ANN001
    """Each touch compared with the version before it, newest first; versions that do not load are skipped."""
    out: list[tuple[tuple[int, int, int], Revision]] = []
    for i, t in enumerate(touches):
        if t.old_blob is None:
            continue  # the file's first version: a page created, not revised
        new = version_of(t.new_blob)
        if new is None:
            continue
        old = version_of(t.old_blob)
        if old is None:
            old = _last_good(touches, i, t.old_blob, version_of)
            if old is None:
                continue
        revs = diff(old, new, t.commit)
        if t.others:
            others = [version_of(b) for b in t.others if b is not None]
            revs = [r for r in revs if not any(_as_in(o, r) for o in others if o is not None)]
        for j, r in enumerate(revs):
            out.append(((-t.commit.stamp, t.commit.order, j), r))
    out.sort(key=lambda x: x[0])
    return [r for _, r in out]


def _last_good(touches: list[Touch], i: int, blob: str, version_of) -> Version | None:  # noqa: ANN001
    """The newest loadable version before `blob`, following older touches back."""
    seen = {blob}
    for t in touches[i + 1:]:
        if t.new_blob != blob:
            continue
        if t.old_blob is None or t.old_blob in seen:
            return None
        v = version_of(t.old_blob)
        if v is not None:
            return v
        blob = t.old_blob
        seen.add(blob)
    return None


def _as_in(v: Version, r: Revision) -> bool:
    """Whether version `v` (a merge's other parent) already has the value the revision sets."""
    if r.key_result is None:
        return same(v.own.get(r.field), r.new)
    kr = v.krs.get(r.key_result)
    if r.field == ADDED:
        return kr is not None
    if r.field == REMOVED:
        return kr is None
    return kr is not None and same(kr.get(r.field), r.new)
