"""Writing one edited file: validated first, then put in place atomically, or left untouched.

The new bytes go to a hidden temporary file beside the target (hidden, so neither `okrsite serve`
nor a build picks it up as a page); the site is checked reading that very file; then it replaces the
target with `os.replace` (keeping the target's mode), or, for a new file, is linked into place so that
a file created meanwhile is never overwritten.
"""

from __future__ import annotations

import contextlib
import difflib
import os
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from okrsite.diagnostics import WARNING, Diagnostic
from okrsite.edit.errors import EditError
from okrsite.edit.verify import Loaded, with_csv, with_page
from okrsite.model import Site


@dataclass(slots=True)
class Change:
    """One file's new bytes, and what they mean."""

    target: Path
    before: bytes | None  # None: the file is new
    after: bytes
    page_rel: str  # content-relative path of the page the change belongs to
    summary: str  # one line for the user
    line: int  # 1-based line of the first added line
    csv: bool = False  # `target` is the page's CSV data file
    notes: list[str] = field(default_factory=list)  # worth saying besides the summary
    # a problem with the edited site's model (the added value not read back as meant), else None
    check: Callable[[Site], str | None] | None = None


@dataclass(slots=True)
class Outcome:
    written: bool
    new: list[Diagnostic] = field(default_factory=list)  # what the change adds; errors refuse it
    diff: str = ""
    problem: str = ""  # why nothing was written, besides the diagnostics


def diff(change: Change, display: str) -> str:
    before = (change.before or b"").decode("utf-8", "replace").splitlines(keepends=True)
    after = change.after.decode("utf-8", "replace").splitlines(keepends=True)
    lines = difflib.unified_diff(before, after, "/dev/null" if change.before is None else f"a/{display}",
                                 f"b/{display}")
    return "".join(line if line.endswith(("\n", "\r")) else line + "\n" for line in lines)


def apply_change(loaded: Loaded, change: Change, display: str, *, dry_run: bool = False,
                 strict: bool = False) -> Outcome:
    if change.target.is_symlink():  # edit the file the link points at; the link stays
        change.target = change.target.resolve()
    made = _missing_folders(change.target.parent)
    temp = _temp_beside(change.target, change.after)
    written = False
    try:
        check = with_csv if change.csv else with_page
        verdict = check(loaded, change.page_rel, temp)
        out = Outcome(False, verdict.new, diff(change, display) if dry_run else "")
        if verdict.errors or (strict and any(d.severity == WARNING for d in verdict.new)):
            return out
        problem = change.check(verdict.build.site) if change.check else None
        if problem:
            out.problem = problem
            return out
        if dry_run:
            return out
        _put(temp, change)
        out.written = written = True
        return out
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp)
        if not written:  # a refused new page leaves no empty folder behind
            for folder in made:
                with contextlib.suppress(OSError):
                    folder.rmdir()


def _missing_folders(folder: Path) -> list[Path]:
    """`folder` and its ancestors that do not exist yet, deepest first."""
    out = []
    while not folder.exists() and folder != folder.parent:
        out.append(folder)
        folder = folder.parent
    return out


def _temp_beside(target: Path, data: bytes) -> Path:
    mode = 0o666  # the umask applies, as for any new file
    with contextlib.suppress(OSError):
        mode = target.stat().st_mode & 0o7777
    target.parent.mkdir(parents=True, exist_ok=True)
    temp = target.with_name(f".{target.name}.okrsite-{os.getpid()}-{secrets.token_hex(4)}")
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise
    if target.exists():
        with contextlib.suppress(OSError):
            os.chmod(temp, mode)  # os.open's mode is masked by the umask; keep the file's own
    return temp


def _put(temp: Path, change: Change) -> None:
    target = change.target
    if change.before is None:
        try:
            os.link(temp, target)  # fails if the file appeared meanwhile: never overwrite
        except FileExistsError:
            raise EditError(f"{target.name} was created meanwhile; not overwritten") from None
        except OSError:  # a file system without hard links
            if target.exists():
                raise EditError(f"{target.name} was created meanwhile; not overwritten") from None
            os.replace(temp, target)
    else:
        try:
            current = target.read_bytes()
        except OSError as e:
            raise EditError(f"cannot read {target.name} again: {e.strerror or e}") from e
        if current != change.before:
            raise EditError(f"{target.name} changed while okrsite was editing it; nothing written, run it again")
        os.replace(temp, target)
    _sync_dir(target.parent)


def _sync_dir(folder: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
