"""Finding content files and reading their bytes into text, whatever the bytes are."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from okrsite.diagnostics import ERROR, WARNING, Diagnostics
from okrsite.model import Pos, SourceFile

MAX_FILE_BYTES = 5 * 1024 * 1024


@dataclass(slots=True)
class Text:
    file: SourceFile
    text: str  # newline-normalised, without BOM


def display_path(display_root: str, rel: str) -> str:
    return os.path.normpath(os.path.join(display_root, rel))


def find_content(root: Path, display_root: str, diags: Diagnostics) -> list[SourceFile]:
    """Every `*.md` below `content/`, sorted by path; hidden files and folders are skipped."""
    content = root / "content"
    found: list[SourceFile] = []
    real_root = root.resolve()
    for dirpath, dirnames, filenames in os.walk(content, followlinks=False):
        here = Path(dirpath)
        kept = []
        for d in sorted(dirnames):
            if d.startswith("."):
                continue
            full = here / d
            if full.is_symlink():
                rel = full.relative_to(root).as_posix()
                diags.add(display_path(display_root, rel), Pos(1, 1), WARNING, "symlink-folder",
                          "symlinked folder not followed (link the files, or move the folder into content/)")
                continue
            kept.append(d)
        dirnames[:] = kept
        for name in sorted(filenames):
            if name.startswith(".") or not name.endswith(".md"):
                continue
            full = here / name
            rel_site = full.relative_to(root).as_posix()
            rel_content = full.relative_to(content).as_posix()
            sf = SourceFile(full, display_path(display_root, rel_site), rel_content)
            if full.is_symlink():
                try:
                    target = full.resolve(strict=True)
                except (OSError, RuntimeError):
                    diags.add(sf, Pos(1, 1), ERROR, "symlink", "symlink is broken or loops")
                    continue
                if not target.is_relative_to(real_root):
                    diags.add(sf, Pos(1, 1), ERROR, "symlink", "symlink points outside the site; not read")
                    continue
            found.append(sf)
    found.sort(key=lambda f: f.rel)
    return found


def read_text(sf: SourceFile, diags: Diagnostics) -> Text | None:
    """Decode UTF-8 (a BOM is dropped, CRLF becomes LF); report what cannot be read."""
    try:
        size = sf.path.stat().st_size
        if size > MAX_FILE_BYTES:
            diags.add(sf, Pos(1, 1), ERROR, "file-too-large",
                      f"file is {size / 1048576:.1f} MB; okrsite reads files up to {MAX_FILE_BYTES // 1048576} MB")
            return None
        data = sf.path.read_bytes()
    except OSError as e:
        diags.add(sf, Pos(1, 1), ERROR, "unreadable", f"cannot read file: {e.strerror or e}")
        return None
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        before = data[: e.start]
        line = before.count(b"\n") + 1
        col = len(before) - (before.rfind(b"\n") + 1) + 1
        diags.add(sf, Pos(line, col), ERROR, "encoding",
                  f"file is not UTF-8 (byte 0x{data[e.start]:02x}); save it as UTF-8")
        return None
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return Text(sf, text)


@dataclass(slots=True)
class Split:
    yaml: str | None  # None when the file has no front matter
    yaml_line0: int  # lines before the YAML (the opening `---`)
    body: str
    body_line: int  # 1-based line of the body's first line


def split_front_matter(text: str) -> Split | str:
    """Front matter between `---` lines, or the reason there is none."""
    lines = text.split("\n")
    if not lines or lines[0].rstrip() != "---":
        return "a page starts with front matter: a '---' line, YAML fields, then '---'"
    for i in range(1, len(lines)):
        if lines[i].rstrip() in ("---", "..."):
            return Split("\n".join(lines[1:i]), 1, "\n".join(lines[i + 1 :]), i + 2)
    return "front matter is not closed: add a '---' line after the fields"
