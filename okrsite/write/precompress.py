"""`build --precompress`: a `.gz` (and a `.br`, when the `brotli` package is installed) beside
every text file over 1 KiB, for servers that send them as they are (nginx `gzip_static`,
Apache `mod_rewrite` recipes, GitLab Pages, most CDNs) instead of compressing on each request.

Byte-stable: the gzip header is written here with mtime 0, no file name and a fixed OS
byte, so the same input gives the same file on every run and every Python version. It
runs on the finished new tree before the swap; a file kept (hard-linked) from the previous
build keeps its previous compressed files too, so an unchanged site is not compressed again.
"""

from __future__ import annotations

import os
import shutil
import struct
import zlib
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from okrsite.write.tree import Previous

MIN_BYTES = 1024  # below this the saving is smaller than a packet, and not worth a file
# Brotli's quality 11 compresses 0.6 MB/s (minutes for a 1,000-objective site); 5 runs at 40 MB/s,
# still 15 % smaller than gzip -9 (plotly.min.js: 1.29 MB against 1.47 MB).
BROTLI_QUALITY = 5
TEXT_SUFFIXES = frozenset({".html", ".htm", ".css", ".js", ".mjs", ".json", ".xml", ".svg", ".txt", ".csv",
                           ".md", ".map", ".webmanifest", ".atom", ".rss"})


def gzip_bytes(data: bytes) -> bytes:
    """RFC 1952 at level 9: header with no name, mtime 0, XFL 2 (best), OS 255 (unknown)."""
    deflate = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS, 9)
    body = deflate.compress(data) + deflate.flush()
    header = b"\x1f\x8b\x08\x00" + b"\x00\x00\x00\x00" + b"\x02\xff"
    return header + body + struct.pack("<II", zlib.crc32(data), len(data) & 0xFFFFFFFF)


def _brotli() -> Callable[[bytes], bytes] | None:
    try:
        import brotli  # type: ignore[import-not-found]
    except ImportError:
        return None
    return lambda data: brotli.compress(data, mode=brotli.MODE_TEXT, quality=BROTLI_QUALITY)


def encoders() -> dict[str, Callable[[bytes], bytes]]:
    """Suffix → compressor, for what is installed."""
    found: dict[str, Callable[[bytes], bytes]] = {".gz": gzip_bytes}
    br = _brotli()
    if br is not None:
        found[".br"] = br
    return found


def compressed(data: bytes, codecs: dict[str, Callable[[bytes], bytes]] | None = None) -> dict[str, bytes]:
    """The compressed forms of one file worth compressing (suffix → bytes); those that save nothing are left out."""
    out = {}
    for suffix, encode in (codecs or encoders()).items():
        packed = encode(data)
        if len(packed) < len(data):
            out[suffix] = packed
    return out


def candidates(root: Path) -> list[str]:
    """Text files over MIN_BYTES below `root`, sorted; hidden files (marker, manifest) are not served."""
    found = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        rel_dir = os.path.relpath(dirpath, root).replace(os.sep, "/")
        for name in filenames:
            if name.startswith(".") or os.path.splitext(name)[1].lower() not in TEXT_SUFFIXES:
                continue
            path = os.path.join(dirpath, name)
            if not os.path.islink(path) and os.path.getsize(path) > MIN_BYTES:
                found.append(name if rel_dir == "." else f"{rel_dir}/{name}")
    return sorted(found)


def _unchanged(root: Path, previous: Previous, rel: str) -> bool:
    """The new tree's file is the previous build's, linked (same inode): its compressed files still hold."""
    old = previous.file(rel)
    if old is None:
        return False
    try:
        return os.stat(root / rel).st_ino == os.stat(old).st_ino
    except OSError:
        return False


def _link(old: Path, target: Path) -> bool:
    try:
        os.link(old, target)
        return True
    except OSError:  # no hard links here: a copy that keeps the mtime
        try:
            shutil.copy2(old, target)
            return True
        except OSError:
            return False


def precompress(root: Path, previous: Previous | None = None, jobs: int = 0) -> int:
    """Write the compressed files beside every candidate in `root`; returns how many there now are.

    Each file is handled by one thread start to end (zlib and brotli release the GIL, so
    they compress in parallel, and nothing big is held in memory at once).
    """
    prev = previous or Previous(None)
    codecs = encoders()

    def one(rel: str) -> int:
        # a file the build itself wrote under that name (an attachment `x.csv.gz`) is never replaced
        mine = {suffix: encode for suffix, encode in codecs.items() if not os.path.lexists(root / (rel + suffix))}
        if not mine:
            return 0
        if _unchanged(root, prev, rel):
            olds = {suffix: prev.file(rel + suffix) for suffix in mine}
            if all(olds.values()):
                linked = [suffix for suffix, old in olds.items() if _link(old, root / (rel + suffix))]  # type: ignore[arg-type]
                if len(linked) == len(olds):
                    return len(linked)
                for suffix in linked:  # start over for this file
                    os.unlink(root / (rel + suffix))
        forms = compressed((root / rel).read_bytes(), mine)
        for suffix, data in forms.items():
            with open(root / (rel + suffix), "xb") as f:  # "x": a new file, never one linked from elsewhere
                f.write(data)
        return len(forms)

    workers = max(1, min(jobs or os.cpu_count() or 1, 8))
    with ThreadPoolExecutor(max_workers=workers) as pool:
        return sum(pool.map(one, candidates(root)))
