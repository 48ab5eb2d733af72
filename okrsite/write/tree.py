"""Writing one file of the new output tree, reusing the previous tree's file when it is the same.

A file whose bytes did not change is hard-linked from the previous output instead
of written, so its mtime stays (rsync and HTTP caches see no change) while the new
tree is still built whole beside the old one and swapped in atomically. Rendered
pages also carry a fingerprint of everything they were made from (the manifest):
when it matches, the page is linked without being rendered at all.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path

MANIFEST = ".okrsite-manifest.json"
_CHUNK = 1 << 20


@dataclass(slots=True)
class Previous:
    """The output folder being replaced, and what its manifest says each page was made from."""

    root: Path | None
    fingerprints: dict[str, str] = field(default_factory=dict)
    inputs: str | None = None  # the fingerprint of all the build's inputs (okrsite.write.inputs)
    files: list[str] | None = None  # every other file that build wrote (assets, data.json …)

    @classmethod
    def of(cls, out: Path, marker: str) -> Previous:
        """The previous build in `out`, or an empty one when `out` holds none we wrote."""
        if not (out / marker).is_file():
            return cls(None)
        try:
            data = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            data = {}
        data = data if isinstance(data, dict) else {}
        prints = data.get("pages", {}) if isinstance(data.get("pages"), dict) else {}
        inputs = data.get("inputs") if isinstance(data.get("inputs"), str) else None
        files = data.get("files")
        files = [f for f in files if isinstance(f, str)] if isinstance(files, list) else None
        return cls(out, {k: v for k, v in prints.items() if isinstance(k, str) and isinstance(v, str)}, inputs,
                   files)

    def file(self, rel: str) -> Path | None:
        if self.root is None:
            return None
        path = self.root / rel
        return path if path.is_file() and not path.is_symlink() else None


@dataclass(slots=True)
class TreeWriter:
    """Puts files into the new tree `root`; counts what it wrote and what it kept."""

    root: Path
    previous: Previous
    written: int = 0
    kept: int = 0
    fingerprints: dict[str, str] = field(default_factory=dict)  # of the pages put, for the next manifest
    others: list[str] = field(default_factory=list)  # files put without a fingerprint, for the next manifest
    _dirs: set[str] = field(default_factory=set)

    def _target(self, rel: str) -> Path:
        folder = rel.rpartition("/")[0]
        if folder not in self._dirs:
            (self.root / folder).mkdir(parents=True, exist_ok=True)
            self._dirs.add(folder)
        return self.root / rel

    def reuse(self, rel: str, fingerprint: str) -> bool:
        """Link the previous file when it was made from the same inputs; False when it must be rendered."""
        if self.previous.fingerprints.get(rel) != fingerprint:
            return False
        old = self.previous.file(rel)
        if old is None or not self._link(old, self._target(rel)):
            return False
        self.fingerprints[rel] = fingerprint
        self.kept += 1
        return True

    def put(self, rel: str, data: bytes | Path, fingerprint: str | None = None) -> None:
        """Write `data` (bytes, or a file to copy) at `rel`, or link the previous file if identical."""
        target = self._target(rel)
        if fingerprint is not None:
            self.fingerprints[rel] = fingerprint
        elif rel != MANIFEST:
            self.others.append(rel)
        old = self.previous.file(rel)
        if old is not None and _same(old, data) and self._link(old, target):
            self.kept += 1
            return
        if isinstance(data, Path):
            shutil.copyfile(data, target)
        else:
            target.write_bytes(data)
        self.written += 1

    @staticmethod
    def _link(old: Path, target: Path) -> bool:
        try:
            os.link(old, target)
            return True
        except OSError:  # a file system without hard links: a copy that keeps the mtime
            with contextlib.suppress(OSError):
                shutil.copy2(old, target)
                return True
        return False


def _same(old: Path, data: bytes | Path) -> bool:
    try:
        size = old.stat().st_size
        if isinstance(data, bytes):
            return size == len(data) and old.read_bytes() == data
        if size != data.stat().st_size:
            return False
        with open(old, "rb") as a, open(data, "rb") as b:
            while True:
                x, y = a.read(_CHUNK), b.read(_CHUNK)
                if x != y:
                    return False
                if not x:
                    return True
    except OSError:
        return False


def manifest_bytes(fingerprints: dict[str, str], inputs: str | None = None,
                   files: list[str] | None = None) -> bytes:
    data: dict[str, object] = {"v": 1, "pages": dict(sorted(fingerprints.items()))}
    if inputs and files is not None:
        data["inputs"] = inputs
        data["files"] = sorted(files)
    return (json.dumps(data, separators=(",", ":")) + "\n").encode()


def link_previous(writer: TreeWriter, siblings: tuple[str, ...] = ()) -> bool:
    """Link every file the previous build wrote (its pages and `files`, and their `siblings`
    such as `.gz`) into the new tree, as they are; False, having linked nothing, when one is missing."""
    prev = writer.previous
    if prev.root is None or prev.files is None:
        return False
    wanted = [*prev.fingerprints, *prev.files]
    olds = [prev.file(rel) for rel in wanted]
    if any(old is None for old in olds):
        return False  # someone removed a file from the output: build it properly
    for rel, old in zip(wanted, olds, strict=True):
        if not writer._link(old, writer._target(rel)):  # type: ignore[arg-type]
            return False
        writer.kept += 1
        for suffix in siblings:
            extra = prev.file(rel + suffix)
            if extra is not None and writer._link(extra, writer._target(rel + suffix)):
                writer.kept += 1
    writer.fingerprints.update(prev.fingerprints)
    writer.others.extend(prev.files)
    return True
