"""Front matter parsed before, found again by the hash of its text: a second build or check of a
big handbook reads every file but parses only the front matter that changed.

Parsing YAML is most of loading (libyaml makes a Python object per event: two million events
at 10,000 objectives); unpickling the same values costs a sixth of that. One file per handbook
folder, in `$XDG_CACHE_HOME/okrsite/front-matter` (else `~/.cache/…`), as Hugo keeps its cache
dir; it carries a key of okrsite's own code, so no other version reads its values. Only front
matter parsed the plain way is kept (no problems, so no positions are needed); its values are
plain data, equal to a fresh parse. `OKRSITE_NO_CACHE=1` turns it off.
"""

from __future__ import annotations

import atexit
import contextlib
import copy
import hashlib
import os
import pickle
import signal
import sys
import time
from pathlib import Path
from typing import Any

import yaml

CACHE_FROM = 400  # files: below this, parsing takes milliseconds and a cache file is not worth keeping
KEEP_DAYS = 30  # a handbook's cache file not rewritten for this long is removed by the next save
FORMAT = 1


class FrontCache:
    """Values by key of their YAML text: the ones the last run saved (`old`), the ones this run used (`new`)."""

    def __init__(self, path: Path | None = None, stamp: str = "", old: dict[bytes, Any] | None = None) -> None:
        self.path = path
        self.stamp = stamp
        self.old = old or {}
        self.new: dict[bytes, Any] = {}

    @staticmethod
    def key(yaml_text: str) -> bytes:
        return hashlib.blake2b(yaml_text.encode("utf-8", "surrogatepass"), digest_size=16).digest()

    def has(self, key: bytes) -> bool:
        return key in self.old

    def take(self, key: bytes) -> Any:
        """The saved value; a copy when another file of this run has the same front matter (each page owns its own)."""
        value = self.old[key]
        if key in self.new:
            return copy.deepcopy(value)
        self.new[key] = value
        return value

    def keep(self, key: bytes, value: Any) -> None:
        self.new.setdefault(key, value)

    def save(self) -> None:
        """Write what this run used, when it differs from what was read; never fails a build.

        A forked child writes it while this process goes on to validate (which takes longer than
        pickling: a quarter of a second at 10,000 objectives); it ignores Ctrl-C, so it always
        finishes its file, and is waited for before this process exits or opens a cache again.
        """
        if self.path is None or self.new.keys() == self.old.keys():
            return
        try:
            pid = os.fork()
        except OSError:
            self._write()
            return
        if pid == 0:
            try:
                signal.signal(signal.SIGINT, signal.SIG_IGN)
                self._write()
            finally:
                os._exit(0)
        _writers.append(pid)

    def _write(self) -> None:
        assert self.path is not None
        tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
        try:
            with open(tmp, "wb") as f:
                pickle.dump((FORMAT, self.stamp, self.new), f, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, self.path)
        except (OSError, pickle.PicklingError, RecursionError):
            tmp.unlink(missing_ok=True)
            return
        _prune(self.path.parent, keep=self.path)


_writers: list[int] = []  # forked children writing a cache file


@atexit.register
def wait_for_writers() -> None:
    while _writers:
        with contextlib.suppress(ChildProcessError):
            os.waitpid(_writers.pop(), 0)


def open_cache(root: Path, files: int) -> FrontCache:
    """The cache of the handbook at `root` (empty when there is none, it is stale, or caches are off)."""
    from okrsite.write.inputs import cache_dir

    wait_for_writers()
    base = cache_dir("front-matter") if files >= CACHE_FROM else None
    if base is None:
        return FrontCache()
    name = hashlib.blake2b(os.fsencode(root.resolve()), digest_size=12).hexdigest()
    path = base / f"{name}.pickle"
    stamp = _stamp()
    try:
        with open(path, "rb") as f:
            fmt, saved_stamp, old = pickle.load(f)
        if fmt != FORMAT or saved_stamp != stamp or not isinstance(old, dict):
            old = {}
    except Exception:  # noqa: BLE001 - missing, truncated or foreign: parse as if there were no cache
        old = {}
    return FrontCache(path, stamp, old)


def _stamp() -> str:
    """What parsed values depend on: okrsite's code, PyYAML and Python."""
    from okrsite.write.inputs import code_key

    return f"{code_key()}\0{yaml.__version__}\0{sys.version_info[:2]}"


def _prune(folder: Path, keep: Path) -> None:
    cutoff = time.time() - KEEP_DAYS * 86400
    try:
        with os.scandir(folder) as it:
            for entry in it:
                if entry.name.endswith(".pickle") and entry.path != str(keep) and entry.stat().st_mtime < cutoff:
                    os.unlink(entry.path)
    except OSError:
        pass
