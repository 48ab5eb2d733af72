"""One fingerprint of everything a build's output is made from, so a build with nothing changed makes nothing.

Like make or ninja, but by content: the bytes of okrsite.yaml, of every file under
content/ (pages, linked files, CSV data) and of data files a KPI reads from elsewhere,
of every theme file and of okrsite's own code, plus the date progress is judged at, the
history read from git and the options that change what is written. When the previous
output's manifest carries the same fingerprint, its files are linked into the new tree
as they are: no page is made, rendered or compared.
"""

from __future__ import annotations

import functools
import hashlib
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from okrsite.model import Kpi, Site
from okrsite.render.stream import value_bytes

PACKAGE = Path(__file__).resolve().parents[1]


def caches_enabled() -> bool:
    """`OKRSITE_NO_CACHE=1` turns off every reuse across runs: this shortcut, the template and front-matter caches."""
    return not os.environ.get("OKRSITE_NO_CACHE")


def cache_dir(*parts: str) -> Path | None:
    """`$XDG_CACHE_HOME/okrsite/PARTS` (else `~/.cache/okrsite/PARTS`), made when missing, as Hugo keeps its
    cache dir; None when caches are off or it cannot be made."""
    if not caches_enabled():
        return None
    where = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache", "okrsite", *parts)
    try:
        where.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    return where


def _files(top: Path) -> Iterable[Path]:
    """Every file below `top`, in a fixed order, skipping hidden names (as load does) and Python's
    `__pycache__` (made from the sources beside it, and written whenever Python likes: counting it
    made two builds of the same inputs differ)."""
    if not top.is_dir():
        return
    for folder, dirs, files in os.walk(top):
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d != "__pycache__")
        for name in sorted(files):
            if not name.startswith("."):
                yield Path(folder) / name


def _add_tree(h: Any, label: str, top: Path) -> None:
    for path in _files(top):
        _add_file(h, f"{label}/{path.relative_to(top).as_posix()}", path)


def _add_file(h: Any, label: str, path: Path) -> None:
    try:
        data = path.read_bytes()
    except OSError:
        data = b"\0unreadable"
    h.update(f"{label}\0{len(data)}\0".encode())
    h.update(data)


@functools.cache
def code_key() -> str:
    """okrsite's own source: a new version of the program may write other bytes from the same handbook."""
    h = hashlib.blake2b(digest_size=16)
    _add_tree(h, "okrsite", PACKAGE)
    return h.hexdigest()


def tree_key(root: Path, theme_dirs: list[Path]) -> str:
    """The bytes of okrsite.yaml, of every file under content/ and of every theme file: reading them
    is most of what a fingerprint costs (0.7 s at 10,000 objectives), so a build has it made in a
    forked child while it validates (build.py)."""
    h = hashlib.blake2b(digest_size=20)
    _add_file(h, "okrsite.yaml", root / "okrsite.yaml")
    _add_tree(h, "content", (root / "content").resolve())
    for n, d in enumerate(theme_dirs):
        _add_tree(h, f"theme{n}", d)
    return h.hexdigest()


def input_key(site: Site, theme_dirs: list[Path], history: Any, options: dict[str, Any],
              tree: str | None = None) -> str:
    """The fingerprint of a build's inputs; `tree` is `tree_key` of the same files when already made."""
    h = hashlib.blake2b(digest_size=20)
    h.update(f"code\0{code_key()}\0as_of\0{site.config.as_of}\0{sorted(options.items())}\n".encode())
    h.update(f"files\0{tree or tree_key(site.root, theme_dirs)}\n".encode())
    content = (site.root / "content").resolve()
    for page in site.pages:  # a KPI's data file may live outside content/
        if isinstance(page, Kpi) and page.data_file:
            path = (page.file.path.parent / page.data_file).resolve()
            if not path.is_relative_to(content):
                _add_file(h, f"data/{path}", path)
    h.update(b"history\0")
    h.update(value_bytes(history))
    return h.hexdigest()
