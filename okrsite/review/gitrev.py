"""A revision's handbook files, read with git plumbing into a folder the loader can read.

The loader reads files from disk (paths, symlinks, CSV files beside pages), so a
revision is materialised in a temporary folder: `git ls-tree` names the blobs and one
`git cat-file --batch` streams them. No checkout, no work tree, no `git archive`
(whose export-ignore/export-subst attributes would alter what is read).
"""

from __future__ import annotations

import os
import subprocess
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import IO


class GitError(Exception):
    """A usage problem with git (no git, not a repository, unknown revision): one line for the user."""


# Plumbing output must not depend on the user's locale, pager or replacement refs.
_ENV = {"LC_ALL": "C", "GIT_PAGER": "cat", "GIT_NO_REPLACE_OBJECTS": "1", "GIT_TERMINAL_PROMPT": "0"}


def _git(args: list[str], cwd: Path) -> subprocess.CompletedProcess[bytes]:
    try:
        return subprocess.run(["git", *args], cwd=cwd, capture_output=True, env={**os.environ, **_ENV})
    except FileNotFoundError as e:
        raise GitError("git is not installed (okrsite diff reads revisions with git)") from e


def _first_line(data: bytes) -> str:
    lines = data.decode("utf-8", "replace").strip().splitlines()
    return lines[0].removeprefix("fatal: ") if lines else "git failed"


@dataclass(frozen=True, slots=True)
class Repo:
    top: Path  # the work tree's top folder
    prefix: str  # the site folder relative to `top`, with forward slashes; "" at the top


def locate(site_dir: Path) -> Repo:
    """The repository holding `site_dir`, and where the site sits in it."""
    r = _git(["rev-parse", "--show-toplevel", "--show-prefix"], site_dir)
    if r.returncode != 0:
        why = _first_line(r.stderr)
        raise GitError(f"'{site_dir}' is not inside a git repository" if "not a git repository" in why
                       else f"cannot read the git repository of '{site_dir}': {why}")
    lines = r.stdout.decode("utf-8", "surrogateescape").split("\n")
    return Repo(Path(lines[0]), lines[1].strip("/") if len(lines) > 1 else "")


def resolve(repo: Repo, rev: str) -> str:
    """The full commit hash `rev` names."""
    if not rev or rev.startswith("-"):
        raise GitError(f"unknown revision '{rev}'")
    r = _git(["rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}"], repo.top)
    if r.returncode != 0:
        raise GitError(f"unknown revision '{rev}' (not a commit in {repo.top})")
    return r.stdout.decode().strip()


@dataclass(frozen=True, slots=True)
class _Entry:
    mode: str
    sha: str
    path: str


def _safe(path: str) -> bool:
    parts = path.split("/")
    return bool(path) and not path.startswith("/") and not any(p in ("", ".", "..", ".git") for p in parts)


def _entries(repo: Repo, commit: str) -> list[_Entry] | None:
    """Blobs and symlinks below the site folder at `commit`; None when the folder is not there."""
    tree = f"{commit}:{repo.prefix}" if repo.prefix else f"{commit}^{{tree}}"
    kind = _git(["cat-file", "-t", tree], repo.top)
    if kind.returncode != 0 or kind.stdout.strip() != b"tree":
        return None
    r = _git(["ls-tree", "-r", "-z", "--full-tree", tree], repo.top)
    if r.returncode != 0:
        raise GitError(f"cannot list {tree}: {_first_line(r.stderr)}")
    found = []
    for record in r.stdout.split(b"\0"):
        if not record:
            continue
        meta, _, name = record.partition(b"\t")
        mode, typ, sha = meta.decode().split()
        path = name.decode("utf-8", "surrogateescape")
        if typ == "blob" and _safe(path):  # submodules ("commit") have nothing to read
            found.append(_Entry(mode, sha, path))
    return found


def _feed(stdin: IO[bytes], shas: Iterable[str]) -> None:
    """Runs in a thread, so that git's output is read while its input is still being written."""
    try:
        for sha in shas:
            stdin.write(sha.encode() + b"\n")
        stdin.close()
    except OSError:  # git stopped reading (the reader gave up first): nothing left to do
        pass


def extract(repo: Repo, commit: str, dest: Path) -> bool:
    """Write the site folder as it is at `commit` into `dest`; False when it does not exist there.

    Regular files are written first and symlinks last, so that no link (whatever it points
    at) can redirect a later write out of `dest`.
    """
    entries = _entries(repo, commit)
    if entries is None:
        return False
    proc = subprocess.Popen(["git", "cat-file", "--batch"], cwd=repo.top, stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env={**os.environ, **_ENV})
    assert proc.stdin is not None and proc.stdout is not None
    feeder = threading.Thread(target=_feed, args=(proc.stdin, [e.sha for e in entries]), daemon=True)
    feeder.start()
    links: list[tuple[Path, str]] = []
    try:
        for e in entries:
            header = proc.stdout.readline().split()
            if len(header) != 3 or header[1] != b"blob":
                raise GitError(f"cannot read {e.path} at {commit[:12]} (git cat-file said {b' '.join(header)!r})")
            data = proc.stdout.read(int(header[2]))
            proc.stdout.read(1)  # the newline after each object
            target = dest / e.path
            if e.mode == "120000":
                links.append((target, data.decode("utf-8", "surrogateescape")))
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
    finally:
        proc.stdout.close()
        proc.wait()
        feeder.join()
    for target, pointee in links:
        target.parent.mkdir(parents=True, exist_ok=True)
        if not target.parent.resolve().is_relative_to(dest.resolve()):
            continue
        os.symlink(pointee, target)
    return True
