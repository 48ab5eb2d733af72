"""History as plain data: what git says about each content file, ready for the render stage.

Everything here is JSON-able or made of JSON-able parts, so page contexts can embed
it and forked render workers read it without touching git again.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# What a revision tracks (the contract in the format spec): per key result, and on the page itself.
KR_FIELDS = ("title", "start", "target", "range", "due", "weight", "kind", "plan")
PAGE_FIELDS = ("title", "target", "alert", "range")
ADDED, REMOVED = "added", "removed"


@dataclass(frozen=True, slots=True)
class Commit:
    hash: str  # full hash
    date: str  # author date, YYYY-MM-DD in the author's time zone
    when: str  # author date and time, strict ISO 8601 with offset (the feed's `updated`)
    stamp: int  # author time, seconds since the epoch: orders commits newest first
    author: str  # author name (after .mailmap)
    subject: str  # first line of the message
    order: int  # position in git's topological walk, newest first: breaks ties between equal stamps


@dataclass(slots=True)
class Revision:
    """One changed value: of a key result (`key_result` its id) or of the page itself (None)."""

    commit: Commit | None  # None: in the working tree, not committed yet
    key_result: str | None
    field: str  # a tracked field, or "added" / "removed" for a whole key result
    old: Any  # as YAML loads it, JSON-able (dates as YYYY-MM-DD); None where absent
    new: Any
    kr_title: str = ""  # the key result's title in the newer version (the older one when removed)


@dataclass(slots=True)
class FileHistory:
    """One content file, followed back through renames."""

    rel: str  # content-relative path in the working tree
    revisions: list[Revision] = field(default_factory=list)  # committed, newest first
    pending: list[Revision] = field(default_factory=list)  # working tree against HEAD
    created: Commit | None = None  # the commit that added it; None before a shallow clone's start or never committed
    updated: Commit | None = None  # the newest commit that touched it
    committed: bool = True  # False: not in HEAD (new, untracked or only staged)
    dirty: bool = False  # the working tree differs from HEAD


@dataclass(slots=True)
class History:
    files: dict[str, FileHistory] = field(default_factory=dict)  # by content-relative path
    prefix: str = ""  # the site folder inside the repository, "" or e.g. "handbook/"
    head: str | None = None  # HEAD's full hash; None in a repository without commits
    shallow: bool = False  # a shallow clone: history before `oldest` is not here
    oldest: Commit | None = None  # the oldest commit that touched content/
    commits: int = 0  # commits read that touched content/
    notes: list[str] = field(default_factory=list)  # one-line remarks for the terminal (shallow clone …)

    def of(self, rel: str) -> FileHistory | None:
        return self.files.get(rel)
