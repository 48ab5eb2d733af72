"""Talking to git in bulk: a handful of processes per build, whatever the number of files.

One `git log` walks every commit that touched `content/` with its raw diff (blob ids,
renames), one `git diff-tree --stdin` diffs the merges against each parent, one
`git status` finds uncommitted edits, and one `git cat-file --batch` reads every old
version needed. Output is read with `-z`, so no path is ever quoted or split.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from okrsite.history.model import Commit

# Settings that would change the output's shape or run something are pinned here, whatever
# the user's or the repository's configuration says.
_CONFIG = ("core.quotepath=off", "core.fsmonitor=false", "i18n.logOutputEncoding=UTF-8", "log.showSignature=false",
           "diff.renames=true", "status.relativePaths=false")
_ENV = {"GIT_OPTIONAL_LOCKS": "0", "GIT_TERMINAL_PROMPT": "0", "GIT_NO_LAZY_FETCH": "1", "GIT_PAGER": "cat",
        "LC_ALL": "C"}
_FORMAT = "%x01%H%x02%P%x02%at%x02%aI%x02%aN%x02%s"
ZERO = "0" * 40


class GitUnavailable(Exception):
    """No git binary, or git refused (not a repository, dubious ownership …): history is off."""

    def __init__(self, message: str, missing: bool = False) -> None:
        super().__init__(message)
        self.missing = missing  # git could not be started at all


@dataclass(slots=True)
class Repo:
    root: Path  # the site folder, where git runs
    prefix: str  # the site folder inside the repository: "" or "handbook/"
    shallow: bool
    shallow_file: Path | None
    head: str | None


@dataclass(slots=True)
class Change:
    """One entry of a raw diff, paths relative to the repository's top."""

    status: str  # A, D, M, R, T (C is read as A)
    old_blob: str
    new_blob: str
    old_path: str
    new_path: str


@dataclass(slots=True)
class LogEntry:
    commit: Commit
    parents: list[str]
    changes: list[Change] = field(default_factory=list)  # against the only parent; empty for merges


def run(root: Path, args: list[str], stdin: bytes | None = None) -> bytes:
    cmd = ["git"]
    for c in _CONFIG:
        cmd += ["-c", c]
    try:
        proc = subprocess.run(cmd + args, cwd=root, input=stdin, capture_output=True,
                              env={**os.environ, **_ENV}, check=False)
    except OSError as e:  # no git binary (FileNotFoundError), or it cannot run
        raise GitUnavailable(f"cannot run git: {e.strerror or e}", missing=True) from e
    if proc.returncode != 0:
        message = proc.stderr.decode("utf-8", "replace").strip().splitlines()
        raise GitUnavailable(message[-1] if message else f"git {args[0]} failed ({proc.returncode})")
    return proc.stdout


def open_repo(root: Path) -> Repo | None:
    """The repository around `root`, or None when `root` is not inside a git work tree."""
    try:
        out = run(root, ["rev-parse", "--is-inside-work-tree", "--show-prefix", "--is-shallow-repository",
                         "--git-path", "shallow"]).decode("utf-8", "replace").split("\n")
    except GitUnavailable as e:
        if "not a git repository" in str(e).lower():
            return None
        raise
    if len(out) < 4 or out[0] != "true":
        return None
    try:
        head: str | None = run(root, ["rev-parse", "-q", "--verify", "HEAD^{commit}"]).decode().strip()
    except GitUnavailable:
        head = None  # a repository without commits
    shallow_file = (root / out[3]) if out[3] else None
    return Repo(root, out[1], out[2] == "true", shallow_file, head)


def shallow_roots(repo: Repo) -> set[str]:
    """Commits whose parents a shallow clone does not have (their diffs look like additions)."""
    if not repo.shallow or repo.shallow_file is None:
        return set()
    try:
        return set(repo.shallow_file.read_text("ascii").split())
    except OSError:
        return set()


def log(repo: Repo, pathspec: str) -> list[LogEntry]:
    """Every commit that changed `pathspec`, children before parents, with its raw diff.

    Merges come without a diff (see `merge_diffs`); with history simplification, the
    parents listed are those of the simplified graph, so the walk sees only commits
    that changed content and a side branch that changed nothing is not followed.
    """
    if repo.head is None:
        return []
    raw = run(repo.root, ["log", "-z", "--topo-order", "--parents", "--raw", "-M", "--no-abbrev", "--root",
                          "--no-color", "--no-ext-diff", f"--format={_FORMAT}", "HEAD", "--", pathspec])
    entries: list[LogEntry] = []
    tokens = raw.split(b"\0")
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        i += 1
        if tok.startswith(b"\x01"):
            h, parents, stamp, when, author, subject = tok[1:].decode("utf-8", "replace").split("\x02", 5)
            commit = Commit(h, when[:10], when, int(stamp or 0), author, subject, len(entries))
            entries.append(LogEntry(commit, parents.split()))
        elif tok.lstrip(b"\n").startswith(b":") and entries:
            change, i = _change(tok.lstrip(b"\n"), tokens, i)
            if change is not None:
                entries[-1].changes.append(change)
    return entries


def _change(meta: bytes, tokens: list[bytes], i: int) -> tuple[Change | None, int]:
    """`:mode mode old new STATUS` and its one or two paths."""
    parts = meta[1:].decode("ascii", "replace").split()
    if len(parts) < 5:
        return None, i
    status = parts[4][:1]
    first = tokens[i].decode("utf-8", "surrogateescape") if i < len(tokens) else ""
    i += 1
    second = first
    if status in ("R", "C"):
        second = tokens[i].decode("utf-8", "surrogateescape") if i < len(tokens) else ""
        i += 1
    if status == "C":  # a copy adds a file; the original stays
        return Change("A", ZERO, parts[3], second, second), i
    return Change(status, parts[2], parts[3], first, second), i


def merge_diffs(repo: Repo, pairs: list[tuple[str, str]], pathspec: str) -> list[list[Change]]:
    """The raw diff of each (merge, parent) pair, in order, from one `git diff-tree --stdin`."""
    if not pairs:
        return []
    stdin = "".join(f"{m} {p}\n" for m, p in pairs).encode()
    raw = run(repo.root, ["diff-tree", "--stdin", "-z", "-r", "-M", "--raw", "--no-abbrev", "--always",
                          "--no-color", "--no-ext-diff", "--", pathspec], stdin)
    out: list[list[Change]] = []
    tokens = raw.split(b"\0")
    i = 0
    while i < len(tokens):
        tok = tokens[i].lstrip(b"\n")
        i += 1
        if tok.startswith(b":") and out:
            change, i = _change(tok, tokens, i)
            if change is not None:
                out[-1].append(change)
        elif len(tok) >= 40 and not tok.startswith(b":"):
            out.append([])
    return out + [[] for _ in range(len(pairs) - len(out))]


@dataclass(slots=True)
class Status:
    """The working tree against HEAD, paths relative to the repository's top."""

    modified: dict[str, tuple[str, str]] = field(default_factory=dict)  # path -> (HEAD path, HEAD blob)
    new: set[str] = field(default_factory=set)  # not in HEAD: untracked, or added to the index only
    deleted: set[str] = field(default_factory=set)  # HEAD paths gone from the working tree


def status(repo: Repo, pathspec: str) -> Status:
    raw = run(repo.root, ["status", "--porcelain=v2", "-z", "--untracked-files=all", "--ignored=no", "--renames",
                          "--", pathspec])
    st = Status()
    tokens = raw.split(b"\0")
    i = 0
    while i < len(tokens):
        tok = tokens[i].decode("utf-8", "surrogateescape")
        i += 1
        if tok.startswith("1 "):
            f = tok.split(" ", 8)
            xy, head_blob, path = f[1], f[6], f[8]
            if "D" in xy:
                st.deleted.add(path)
            elif xy[0] == "A":
                st.new.add(path)
            else:
                st.modified[path] = (path, head_blob)
        elif tok.startswith("2 "):
            f = tok.split(" ", 9)
            head_blob, path = f[6], f[9]
            orig = tokens[i].decode("utf-8", "surrogateescape") if i < len(tokens) else path
            i += 1
            st.deleted.add(orig)
            if f[1][1] != "D":
                st.modified[path] = (orig, head_blob)
        elif tok.startswith("? "):
            st.new.add(tok[2:])
        elif tok.startswith("u "):  # unmerged: compare with HEAD's version like a modification
            f = tok.split(" ", 10)
            st.modified[f[10]] = (f[10], ZERO)
    return st


def read_blobs(repo: Repo, blobs: Iterable[str]) -> dict[str, bytes | None]:
    """Each blob's bytes (None when the object is missing) from one `git cat-file --batch`."""
    wanted = sorted({b for b in blobs if b and b != ZERO})
    if not wanted:
        return {}
    raw = run(repo.root, ["cat-file", "--batch"], ("\n".join(wanted) + "\n").encode())
    out: dict[str, bytes | None] = {}
    pos = 0
    for sha in wanted:
        nl = raw.find(b"\n", pos)
        if nl < 0:
            break
        head = raw[pos:nl].split()
        pos = nl + 1
        if len(head) == 3 and head[1] == b"blob":
            size = int(head[2])
            out[sha] = raw[pos:pos + size]
            pos += size + 1
        elif len(head) == 3:  # another object type: skip its bytes
            pos += int(head[2]) + 1
            out[sha] = None
        else:  # "<sha> missing"
            out[sha] = None
    return out
