"""Writing the site: refuse dangerous output folders, then swap a finished tree in atomically.

Unlike MkDocs' clean-then-write, the previous output stays whole until the new one
is complete: we write a sibling temporary folder and exchange the two.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import os
import re
import shutil
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path

from okrsite.write.tree import Previous, TreeWriter

MARKER = ".okrsite-output"
MARKER_TEXT = "This folder is written by okrsite build; it is replaced on every build.\n"

Output = bytes | Path  # bytes to write, or a file to copy


def _inside(child: Path, parent: Path) -> bool:
    return child == parent or parent in child.parents


def refuse_reason(site: Path, out: Path, force: bool) -> str | None:
    """Why `out` may not be written, or None. Nothing is touched.

    Paths are compared after resolving symlinks and `..`, so no spelling of the site,
    its content/ or themes/ (which may themselves be symlinks elsewhere) gets through.
    """
    site_r = site.resolve()
    out_r = out.resolve()
    if _inside(site_r, out_r):
        return f"output folder {out} is the site or contains it; choose another --out"
    for name in ("content", "themes"):
        guarded = (site_r / name).resolve()
        if _inside(out_r, guarded) or _inside(guarded, out_r):
            return f"output folder {out} would overwrite {name}/ of the site; choose another --out"
    home = Path(os.path.expanduser("~")).resolve()
    for what, guarded in (("the current folder", Path.cwd().resolve()), ("your home folder", home)):
        if _inside(guarded, out_r) and (out_r != guarded or what == "your home folder"):
            return f"output folder {out} is or contains {what}; choose another --out"
    if out_r.exists() and not out_r.is_dir():
        return f"output path {out} exists and is not a folder"
    if out_r.is_dir() and not force and any(out_r.iterdir()) and not (out_r / MARKER).is_file():
        return f"output folder {out} is not empty and was not written by okrsite; use --force to replace it"
    return None


def _exchange(a: Path, b: Path) -> bool:
    """Atomically swap two paths (Linux renameat2 RENAME_EXCHANGE); False where unsupported."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    rc = renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange)
    return rc == 0


def _temp_prefix(out: Path, kind: str) -> str:
    """`.NAME.new-PID-` / `.NAME.old-PID-`: the PID tells a live build's folder from a stale one."""
    return f".{out.name}.{kind}-{os.getpid()}-"


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # exists, owned by someone else
        return True
    return True


def remove_stale(out: Path) -> list[Path]:
    """Delete `.NAME.new-*` / `.NAME.old-*` siblings left by a build that was killed (SIGKILL,
    power loss) before it could clean up; those of a build still running are kept."""
    pattern = re.compile(rf"\.{re.escape(out.name)}\.(?:new|old)-(\d+)-[A-Za-z0-9_]+\Z")
    removed = []
    try:
        siblings = list(out.parent.iterdir())
    except OSError:
        return removed
    for p in siblings:
        m = pattern.match(p.name)
        if m and not p.is_symlink() and p.is_dir() and not _alive(int(m.group(1))):
            shutil.rmtree(p, ignore_errors=True)
            removed.append(p)
    return removed


def safe_rel(rel: str) -> bool:
    parts = rel.split("/")
    return bool(rel) and not rel.startswith("/") and "\\" not in rel and not any(p in ("", ".", "..") for p in parts)


@contextlib.contextmanager
def staged_tree(out: Path) -> Iterator[tuple[Path, Previous]]:
    """A fresh sibling folder to fill, and the previous build in `out`; on a clean exit the new
    folder is put in place of `out`, on any exception (Ctrl-C included) it is removed and `out`
    is left as it was.

    `out` is resolved first: when it is a symlink, the folder it points at is replaced
    and the link stays.
    """
    out = out.resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    remove_stale(out)
    tmp = Path(tempfile.mkdtemp(prefix=_temp_prefix(out, "new"), dir=out.parent))
    try:
        previous = Previous.of(out, MARKER)
        yield tmp, previous
        TreeWriter(tmp, previous).put(MARKER, MARKER_TEXT.encode())
        os.chmod(tmp, 0o755)
        if out.is_dir() and _exchange(tmp, out):
            shutil.rmtree(tmp, ignore_errors=True)  # tmp now holds the previous output
            return
        if out.exists():
            old = Path(tempfile.mkdtemp(prefix=_temp_prefix(out, "old"), dir=out.parent))
            os.rmdir(old)
            os.rename(out, old)
            os.rename(tmp, out)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.rename(tmp, out)
    except BaseException:
        with contextlib.suppress(BaseException):  # a second Ctrl-C must not leave tmp behind either
            shutil.rmtree(tmp, ignore_errors=True)
        raise


def check_paths(rels: Iterable[str]) -> None:
    """A bug upstream, never a user error: nothing may be written outside the output folder."""
    for rel in rels:
        if not safe_rel(rel):
            raise ValueError(f"output path {rel!r} is not a plain relative path")
