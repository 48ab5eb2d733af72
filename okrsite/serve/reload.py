"""Live reload: the published state, its Server-Sent Events stream and the injected client.

The state every open page needs is small: which good build is served and, when the
last rebuild failed, its diagnostics. One `Hub` holds it; HTTP handlers read it for
every response (so a page and the events it hears agree on the build), and each
SSE client is sent the newest state whenever it changes. Pages compare the build
id they were served with and reload when it differs; otherwise they show or hide
the overlay.
"""

from __future__ import annotations

import html
import json
import re
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from okrsite.write.output import Output

PREFIX = "/__okrsite/"
EVENTS = PREFIX + "events"
STATUS = PREFIX + "status"
CLIENT = PREFIX + "live.js"
CLIENT_JS = (Path(__file__).parent / "live.js").read_bytes()
HEARTBEAT_S = 15.0
_BODY_END = re.compile(rb"</body\s*>", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Snapshot:
    """What is served right now; replaced whole, never mutated, so readers need no lock."""

    outputs: Mapping[str, Output] | None  # the last good build; None until one succeeds
    build_id: str  # "<server token>-<good build number>": a restarted server reloads every page
    errors: tuple[str, ...] = ()  # diagnostics of the last rebuild when it failed
    status: Mapping[str, Any] = field(default_factory=dict)  # for /__okrsite/status


class Hub:
    """The current snapshot, and a condition SSE clients wait on for the next one."""

    def __init__(self, snapshot: Snapshot) -> None:
        self._cond = threading.Condition()
        self._snapshot = snapshot
        self._seq = 0
        self._closed = False

    @property
    def current(self) -> Snapshot:
        return self._snapshot

    def state(self) -> tuple[int, Snapshot]:
        with self._cond:
            return self._seq, self._snapshot

    def publish(self, snapshot: Snapshot) -> None:
        with self._cond:
            self._snapshot = snapshot
            self._seq += 1
            self._cond.notify_all()

    def close(self) -> None:
        """Wake every stream so it ends: open EventSource connections never block shutdown."""
        with self._cond:
            self._closed = True
            self._cond.notify_all()

    @property
    def closed(self) -> bool:
        return self._closed

    def next(self, seen: int, timeout: float) -> tuple[int, Snapshot] | None:
        """The snapshot after sequence `seen` (or the same one on timeout); None once closed."""
        with self._cond:
            self._cond.wait_for(lambda: self._closed or self._seq != seen, timeout)
            return None if self._closed else (self._seq, self._snapshot)


def state_json(snap: Snapshot) -> str:
    return json.dumps({"build": snap.build_id, "errors": list(snap.errors)}, ensure_ascii=False)


def stream(out: BinaryIO, hub: Hub, heartbeat: float = HEARTBEAT_S) -> None:
    """Write events until the hub closes or the client goes away (the write then raises)."""
    seq, snap = hub.state()
    sent: tuple[str, tuple[str, ...]] | None = None
    name = "hello"
    out.write(b"retry: 1000\n\n")
    while True:
        key = (snap.build_id, snap.errors)
        if key != sent:
            if sent is not None:
                name = "reload" if snap.build_id != sent[0] else "diagnostics"
            out.write(f"event: {name}\ndata: {state_json(snap)}\n\n".encode())
            sent = key
        else:
            out.write(b": ping\n\n")
        out.flush()
        got = hub.next(seq, heartbeat)
        if got is None:
            return
        seq, snap = got


def inject(page: bytes, build_id: str) -> bytes:
    """Add the client script before the last </body> (or at the end): served pages only."""
    tag = f'<script src="{CLIENT}" data-build="{html.escape(build_id)}"></script>'.encode()
    ends = list(_BODY_END.finditer(page))
    if not ends:
        return page + tag
    at = ends[-1].start()
    return page[:at] + tag + page[at:]


def error_page(errors: tuple[str, ...], build_id: str) -> bytes:
    """What every page shows before the first good build: the diagnostics, and the live client."""
    items = "\n".join(f"<li>{html.escape(line)}</li>" for line in errors)
    page = (
        '<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        "<title>okrsite: the handbook has errors</title>\n</head>\n<body>\n"
        "<main>\n<h1>The handbook has errors</h1>\n"
        "<p>okrsite serve shows the site once these are fixed; this page reloads by itself.</p>\n"
        f"<ol>\n{items}\n</ol>\n</main>\n</body>\n</html>\n"
    )
    return inject(page.encode("utf-8"), build_id)
