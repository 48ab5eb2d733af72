"""Following each file back through history: which commit changed which of today's files, and how.

The walk goes from HEAD to the oldest commit (children before parents) carrying, per
commit, a map from a path at that commit to the file it is today ("lineage"); a rename
hands the new path's lineage to the old path, an addition ends it. Maps are shared until
a commit renames or adds something, so a history of edits costs no copying. Merges
are followed into every parent; a merge *touches* a file only when its version differs
from every parent's (a conflict resolved by hand): a change made on a branch and merged
is the branch commit's, and appears once.
"""

from __future__ import annotations

from dataclasses import dataclass

from okrsite.history.git import Change, LogEntry, Status
from okrsite.history.model import Commit

State = dict[str, "str | None"]  # path at a commit -> today's path; None: not a file of today; absent: same path


@dataclass(slots=True)
class Touch:
    """A commit that changed one of today's files."""

    commit: Commit
    old_blob: str | None  # None: this commit added the file
    new_blob: str
    others: tuple[str | None, ...] = ()  # a merge's other parents: the file's blob there (None: absent)
    boundary: bool = False  # added only in appearance: the first commit of a shallow clone


def start_state(st: Status) -> State:
    """HEAD's paths as today's files: working-tree renames followed, deletions and new files cut off."""
    state: State = {p: None for p in st.deleted | st.new}
    for path, (head_path, _) in st.modified.items():
        if head_path != path:
            state[head_path] = path
    return state


def walk(entries: list[LogEntry], merges: dict[str, list[list[Change]]], start: State,
         shallow_roots: set[str]) -> dict[str, list[Touch]]:
    """Touches per today's path (repository-relative), newest first in git's topological order."""
    touches: dict[str, list[Touch]] = {}
    pending: dict[str, State] = {}
    for entry in entries:
        c = entry.commit
        state = pending.pop(c.hash, None)
        if state is None:
            state = start
        if len(entry.parents) <= 1:
            for ch in entry.changes:
                lin = state.get(ch.new_path, ch.new_path)
                if lin is None or ch.status == "D":
                    continue
                if ch.status == "A":
                    touches.setdefault(lin, []).append(Touch(c, None, ch.new_blob, (), c.hash in shallow_roots))
                else:
                    touches.setdefault(lin, []).append(Touch(c, ch.old_blob, ch.new_blob))
            parent_state = _before(state, entry.changes)
            for p in entry.parents:
                pending[p] = _combine(pending.get(p), parent_state)
            continue
        diffs = list(merges.get(c.hash, []))
        diffs += [[] for _ in range(len(entry.parents) - len(diffs))]
        by_parent = [{ch.new_path: ch for ch in d if ch.status != "D"} for d in diffs]
        for path, first in by_parent[0].items():
            if not all(path in d and d[path].old_blob != d[path].new_blob for d in by_parent):
                continue  # the same bytes as some parent's: brought in by the merge, not changed by it
            lin = state.get(path, path)
            if lin is None:
                continue
            old = None if first.status == "A" else first.old_blob
            others = tuple(None if d[path].status == "A" else d[path].old_blob for d in by_parent[1:])
            touches.setdefault(lin, []).append(Touch(c, old, first.new_blob, others))
        for p, d in zip(entry.parents, diffs, strict=False):
            pending[p] = _combine(pending.get(p), _before(state, d))
    return touches


def _before(state: State, changes: list[Change]) -> State:
    """The state at the parent: additions cut off, renames followed back. Shared when nothing moved."""
    cut: State = {}
    moved: State = {}
    for ch in changes:
        if ch.status == "A":
            cut[ch.new_path] = None
        elif ch.status == "R":
            cut[ch.new_path] = None
            moved[ch.old_path] = state.get(ch.new_path, ch.new_path)
    if not cut and not moved:
        return state
    out = dict(state)
    out.update(cut)
    out.update(moved)
    return out


def _combine(seen: State | None, more: State) -> State:
    """A commit reached from two children (a branch point): the first child's view wins on conflict."""
    if seen is None or seen is more:
        return more
    out = dict(more)
    out.update(seen)
    return out
