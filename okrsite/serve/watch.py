"""Watching the site with watchfiles, and turning bursts of changes into single rebuilds.

Like Zola, we do not watch the whole site folder recursively (it may hold `.git`,
`.venv` or `node_modules`, each costing inotify watches): the site root is watched
non-recursively (okrsite.yaml, new folders), and `content/`, `themes/` and any
folder holding a CSV a KPI reads are watched recursively. watchfiles' `step` waits
for a quiet moment, so an editor's save-storm (temp file, rename, chmod) arrives as
one batch; changes that arrive while a rebuild runs pile up and make one more.
"""

from __future__ import annotations

import re
import sys
import threading
from collections.abc import Callable, Collection
from pathlib import Path

import watchfiles
from watchfiles._rust_notify import RustNotify

IGNORED_DIRS = frozenset({"_site", "__pycache__", "node_modules"})
_TEMP = re.compile(r"(~|\.sw.|\.tmp|\.part|\.crdownload|___jb_\w+___)$|^#.*#$|^4913$", re.IGNORECASE)


class _Either:
    """The `stop_event` watchfiles polls: set when we stop, or when the folders to watch change."""

    def __init__(self, *events: threading.Event) -> None:
        self.events = events

    def is_set(self) -> bool:
        return any(e.is_set() for e in self.events)


class Watcher:
    """Calls `on_change(paths)` on its own thread, one call per burst of changes."""

    def __init__(self, root: Path, on_change: Callable[[set[Path]], None], *,
                 step_ms: int = 50, debounce_ms: int = 1600) -> None:
        self.root = root.absolute()
        self.on_change = on_change
        self.step_ms, self.debounce_ms = step_ms, debounce_ms
        self._dirs: tuple[Path, ...] = ()
        self._pending: set[Path] = set()
        self._cond = threading.Condition()
        self._stop = threading.Event()
        self._restart = threading.Event()
        self._ready = (threading.Event(), threading.Event())
        self._threads = [
            threading.Thread(target=self._watch, args=(False, self._ready[0]), name="okrsite-watch-root",
                             daemon=True),
            threading.Thread(target=self._watch, args=(True, self._ready[1]), name="okrsite-watch-tree",
                             daemon=True),
            threading.Thread(target=self._dispatch, name="okrsite-rebuild", daemon=True),
        ]
        self.set_dirs(())

    def set_dirs(self, extra: Collection[Path]) -> None:
        """Folders to watch recursively besides content/ and themes/ (those of CSV data files)."""
        wanted = [self.root / "content", self.root / "themes", *extra]
        found = {d for d in wanted if d.is_dir() and d != self.root}
        dirs = tuple(sorted(d for d in found if not any(a in found for a in d.parents)))  # no nesting
        if dirs != self._dirs:
            self._dirs = dirs
            self._restart.set()

    def start(self, timeout: float = 10.0) -> None:
        """Start watching; returns once the watches are in place, so no edit after it is missed."""
        for t in self._threads:
            t.start()
        for ready in self._ready:
            ready.wait(timeout)

    def stop(self, timeout: float = 5.0) -> None:
        """Stop watching; waits for a running rebuild to finish (it is never cut in half)."""
        self._stop.set()
        with self._cond:
            self._cond.notify_all()
        for t in self._threads:
            if t.is_alive():
                t.join(timeout)

    def keep(self, change: watchfiles.Change, path: str) -> bool:
        """Ignore hidden files and folders, editor temp files and the default output folder."""
        try:
            parts = Path(path).relative_to(self.root).parts
        except ValueError:
            return True
        if not parts:
            return False
        if any(p.startswith(".") or p in IGNORED_DIRS for p in parts):
            return False
        return not _TEMP.search(parts[-1])

    def _watch(self, recursive: bool, ready: threading.Event) -> None:
        """One watch loop. RustNotify directly (watchfiles' documented Rust backend) rather than
        `watchfiles.watch`, so `start()` can wait until the watches are in place."""
        first = True
        while not self._stop.is_set():
            if recursive:
                self._restart.clear()
            paths = list(self._dirs) if recursive else [self.root]
            if not paths:
                ready.set()
                self._stop.wait(0.5)
                continue
            stop = _Either(self._stop, self._restart) if recursive else self._stop
            try:
                with RustNotify([str(p) for p in paths], False, False, 300, recursive, True) as notify:
                    ready.set()
                    if not first:  # a change may have slipped by between two watchers: look again
                        self._push({self.root})
                    first = False
                    while True:
                        raw = notify.watch(self.debounce_ms, self.step_ms, 1000, stop)
                        if raw == "stop":
                            break
                        if isinstance(raw, str):  # "timeout" (or "signal", never on this thread)
                            continue
                        changed = {Path(p) for c, p in raw if self.keep(watchfiles.Change(c), p)}
                        if changed:
                            self._push(changed)
            except Exception as e:  # a vanished folder, say: report, wait, watch again
                ready.set()
                print(f"okrsite: watching failed: {type(e).__name__}: {e}; retrying", file=sys.stderr, flush=True)
                self._stop.wait(1.0)

    def _push(self, paths: set[Path]) -> None:
        with self._cond:
            self._pending |= paths
            self._cond.notify_all()

    def _dispatch(self) -> None:
        while True:
            with self._cond:
                self._cond.wait_for(lambda: self._stop.is_set() or bool(self._pending))
                if self._stop.is_set():
                    return
                batch, self._pending = self._pending, set()
            try:
                self.on_change(batch)
            except Exception as e:  # never let one bad rebuild end the watching
                print(f"okrsite: rebuild failed: {type(e).__name__}: {e}", file=sys.stderr, flush=True)


def data_dirs(root: Path, files: Collection[Path]) -> set[Path]:
    """Folders to watch for data files read from outside content/: the nearest existing one below root."""
    root = root.absolute()
    found: set[Path] = set()
    for f in files:
        d = f.parent
        while d != root and root in d.parents and not d.is_dir():
            d = d.parent
        if d != root and root in d.parents:
            found.add(d)
    return found
