"""Finding content files and reading their bytes into text, whatever the bytes are."""

from __future__ import annotations

import os
import re
import stat
from dataclasses import dataclass
from pathlib import Path

from okrsite.diagnostics import ERROR, WARNING, Diagnostics
from okrsite.model import Pos, SourceFile

MAX_FILE_BYTES = 5 * 1024 * 1024
# Characters a content path may not hold: they would change what the page's URL means in an
# href (`:` makes `javascript:x.html` a scheme, `#`/`?` cut the path, `%` escapes) or are
# not portable file names. Spaces and any non-ASCII letters stay allowed.
_URL_UNSAFE_RE = re.compile(r'[:#?%\\"<>|*\x00-\x1f\x7f]')


@dataclass(slots=True)
class Text:
    file: SourceFile
    text: str  # newline-normalised, without BOM


def display_path(display_root: str, rel: str) -> str:
    return os.path.normpath(os.path.join(display_root, rel))


def find_content(root: Path, display_root: str, diags: Diagnostics) -> list[SourceFile]:
    """Every `*.md` below `content/`, sorted by path; hidden files and folders are skipped."""
    found: list[SourceFile] = []
    real_root = root.resolve()
    # (folder, its path below content/ ("" for content/ itself), its display path), in os.walk's
    # top-down order; the directory entries' own file types spare a system call per file
    todo = [(root / "content", "", display_path(display_root, "content"))]
    while todo:
        todo.extend(reversed(_find_in(*todo.pop(), real_root, diags, found)))
    found.sort(key=lambda f: f.rel)
    return found


def _find_in(folder: Path, rel: str, display: str, real_root: Path, diags: Diagnostics,
             found: list[SourceFile]) -> list[tuple[Path, str, str]]:
    """The files of one folder into `found`; its subfolders to visit, in order."""
    try:
        with os.scandir(folder) as it:
            entries = sorted(it, key=lambda e: e.name)
    except OSError:
        return []
    folders: list[os.DirEntry[str]] = []
    files: list[os.DirEntry[str]] = []
    for entry in entries:
        try:
            is_dir = entry.is_dir()
        except OSError:
            is_dir = False
        (folders if is_dir else files).append(entry)
    prefix = f"{rel}/" if rel else ""
    kept = []
    for entry in folders:
        if entry.name.startswith("."):
            continue
        if entry.is_symlink():
            diags.add(f"{display}/{entry.name}", Pos(1, 1), WARNING, "symlink-folder",
                      "symlinked folder not followed (link the files, or move the folder into content/)")
            continue
        kept.append(entry)
    for entry in files:
        name = entry.name
        if name.startswith(".") or not name.endswith(".md"):
            continue
        full = folder / name
        rel_content = prefix + name
        sf = SourceFile(full, f"{display}/{name}", rel_content)
        bad = _URL_UNSAFE_RE.search(rel_content)
        if bad:
            diags.add(sf, Pos(1, 1), ERROR, "bad-file-name",
                      f"file name has {bad.group()!r}, which cannot appear in a page URL; rename the file")
            continue
        if entry.is_symlink():
            try:
                target = full.resolve(strict=True)
            except (OSError, RuntimeError):
                diags.add(sf, Pos(1, 1), ERROR, "symlink", "symlink is broken or loops")
                continue
            if not target.is_relative_to(real_root):
                diags.add(sf, Pos(1, 1), ERROR, "symlink", "symlink points outside the site; not read")
                continue
        found.append(sf)
    return [(folder / e.name, prefix + e.name, f"{display}/{e.name}") for e in kept]


def read_text(sf: SourceFile, diags: Diagnostics) -> Text | None:
    """Decode UTF-8 (a BOM is dropped, CRLF becomes LF); report what cannot be read."""
    try:
        path = os.fspath(sf.path)
        st = os.stat(path)
        if not stat.S_ISREG(st.st_mode):  # a FIFO or device would block or never end
            diags.add(sf, Pos(1, 1), ERROR, "unreadable", "not a regular file; not read")
            return None
        size = st.st_size
        if size > MAX_FILE_BYTES:
            diags.add(sf, Pos(1, 1), ERROR, "file-too-large",
                      f"file is {size / 1048576:.1f} MB; okrsite reads files up to {MAX_FILE_BYTES // 1048576} MB")
            return None
        data = _read_all(path, size)
    except OSError as e:
        diags.add(sf, Pos(1, 1), ERROR, "unreadable", f"cannot read file: {e.strerror or e}")
        return None
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    utf = _utf16_or_32(data)
    if utf:
        diags.add(sf, Pos(1, 1), ERROR, "encoding", f"file is {utf}, not UTF-8; save it as UTF-8")
        return None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        pos = _pos_of(data, e.start)
        diags.add(sf, pos, ERROR, "encoding",
                  f"file is not UTF-8 (byte 0x{data[e.start]:02x}); save it as UTF-8")
        return None
    nul = text.find("\0")
    if nul >= 0:
        pos = _pos_of(data, len(text[:nul].encode("utf-8")))
        diags.add(sf, pos, ERROR, "encoding", "file holds a NUL byte: a binary file, or text not saved as UTF-8")
        return None
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return Text(sf, text)


def _read_all(path: str, size: int) -> bytes:
    """The file's bytes to its end (`size`: as stat saw it) with plain system calls: no buffered
    file object, which costs more than the read itself for a small file."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_CLOEXEC", 0))
    try:
        chunks = [os.read(fd, size + 1)]
        while chunks[-1]:
            chunks.append(os.read(fd, 1 << 20))
        return chunks[0] if len(chunks) == 2 else b"".join(chunks)
    finally:
        os.close(fd)


def _utf16_or_32(data: bytes) -> str | None:
    """Name a UTF-16/32 encoding recognisable by its byte order mark or its NUL pattern."""
    if data.startswith((b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")):
        return "UTF-32"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "UTF-16"
    head = data[: min(len(data), 64) // 2 * 2]
    if len(head) >= 4:
        even, odd = head[0::2], head[1::2]
        if not any(odd) and all(even):
            return "UTF-16 (little-endian, no byte order mark)"
        if not any(even) and all(odd):
            return "UTF-16 (big-endian, no byte order mark)"
    return None


def _pos_of(data: bytes, offset: int) -> Pos:
    """Line and (character) column of byte `offset`; the bytes before it decode as UTF-8."""
    before = data[:offset]
    start = before.rfind(b"\n") + 1
    col = len(before[start:].decode("utf-8", errors="replace")) + 1
    return Pos(before.count(b"\n") + 1, col)


# A line closing front matter: `---` or `...`, then only whitespace (as str.rstrip() sees it) up to its "\n"
_CLOSING_RE = re.compile(r"^(?:---|\.\.\.)[^\S\n]*$", re.MULTILINE)


@dataclass(slots=True)
class Split:
    yaml: str | None  # None when the file has no front matter
    yaml_line0: int  # lines before the YAML (the opening `---`)
    body: str
    body_line: int  # 1-based line of the body's first line


def split_front_matter(text: str) -> Split | str:
    """Front matter between `---` lines, or the reason there is none."""
    if not text.strip():
        return "file is empty: a page needs front matter ('---', at least 'title: …', '---')"
    first = text.find("\n")
    if (text if first < 0 else text[:first]).rstrip() != "---":
        return "a page starts with front matter: a '---' line, YAML fields, then '---'"
    close = _CLOSING_RE.search(text, first + 1) if first >= 0 else None
    if close is None:
        return "front matter is not closed: add a '---' line after the fields"
    start, end = close.span()
    lines = text.count("\n", 0, start)  # before the closing line
    return Split(text[first + 1:max(first + 1, start - 1)], 1, text[end + 1:], lines + 2)
