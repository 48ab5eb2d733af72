"""Snapshots of an output folder, to tell which files a rebuild rewrote and whether two builds are byte-identical."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, slots=True)
class Entry:
    mtime_ns: int
    digest: str


Tree = dict[str, Entry]  # relative path → entry


def snapshot(root: Path) -> Tree:
    """Every file under `root` by relative path, with its mtime and a digest of its bytes."""
    return {p.relative_to(root).as_posix(): Entry(p.stat().st_mtime_ns, hashlib.blake2b(p.read_bytes()).hexdigest())
            for p in sorted(root.rglob("*")) if p.is_file()}


def rewrites(before: Tree, after: Tree) -> dict[str, int]:
    """What a rebuild did to each file: kept its mtime, rewrote the same bytes, changed them, added, removed."""
    both = before.keys() & after.keys()
    return {
        "files": len(after),
        "mtime_kept": sum(1 for k in both if before[k].mtime_ns == after[k].mtime_ns),
        "same_bytes_rewritten": sum(1 for k in both if before[k].digest == after[k].digest
                                    and before[k].mtime_ns != after[k].mtime_ns),
        "bytes_changed": sum(1 for k in both if before[k].digest != after[k].digest),
        "added": len(after.keys() - before.keys()),
        "removed": len(before.keys() - after.keys()),
    }


def differences(a: Tree, b: Tree) -> list[str]:
    """Paths whose bytes differ between two trees, or that only one has (sorted)."""
    return sorted(k for k in a.keys() | b.keys() if k not in a or k not in b or a[k].digest != b[k].digest)


def html_files(root: Path) -> int:
    return sum(1 for _ in root.rglob("*.html"))
