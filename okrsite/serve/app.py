"""One rebuild, end to end: state → terminal lines → the snapshot pages and SSE clients see.

Whatever happens inside a rebuild, the server keeps serving: a failed build keeps
the last good outputs and publishes its diagnostics; an exception is one terminal
line (and an overlay line), and the caches are dropped so the next edit rebuilds
from scratch.
"""

from __future__ import annotations

import gc
import secrets
import sys
import threading
import time
from collections.abc import Collection
from datetime import date
from pathlib import Path
from typing import TextIO

from okrsite.diagnostics import plural, summary
from okrsite.serve.reload import Hub, Snapshot
from okrsite.serve.state import Outcome, SiteState


class Preview:
    def __init__(self, root: Path, display_root: str, today: date | None = None,
                 out: TextIO | None = None, err: TextIO | None = None) -> None:
        self.state = SiteState(root, display_root, today, lazy=True)
        self.token = secrets.token_hex(4)  # a restarted server has new build ids: open pages reload
        self.hub = Hub(Snapshot(None, self._build_id()))
        self.attempts = 0
        self.out, self.err = out or sys.stdout, err or sys.stderr
        self._lock = threading.Lock()  # one rebuild at a time

    def _build_id(self) -> str:
        return f"{self.token}-{self.state.builds}"

    def rebuild(self, changed: Collection[Path] = ()) -> Outcome | None:
        """Rebuild, report and publish; None when the rebuild raised (reported, not re-raised)."""
        with self._lock:
            self.attempts += 1
            first = self.attempts == 1
            t0 = time.perf_counter()
            collecting = gc.isenabled()
            gc.disable()  # a rebuild allocates a lot, freed by refcounting; cyclic GC passes would add ~15 %
            try:
                outcome = self.state.rebuild(changed)
                if outcome.ok:  # the reload goes out with the edited pages; the rest is planned after it
                    self._publish((), self._status(outcome))
                    outcome = self.state.settle() or outcome
            except Exception as e:  # a bug in a stage must not take the preview down
                self.state.reset()
                self.state.failing = True  # the fix reloads open pages
                ms = (time.perf_counter() - t0) * 1000
                line = f"internal error during rebuild: {type(e).__name__}: {e} (please report this)"
                self._say(f"okrsite: {line}; {self._kept()} ({ms:.0f} ms)")
                self._publish((line,), {"ok": False, "ms": round(ms, 1)})
                return None
            finally:
                if collecting:
                    gc.enable()
            self._report(outcome, first)
            errors = tuple(d.text() for d in outcome.diagnostics) if not outcome.ok else ()
            self._publish(errors, self._status(outcome))
            return outcome

    @staticmethod
    def _status(o: Outcome) -> dict[str, object]:
        return {"ok": o.ok, "ms": round(o.ms, 1), "pages": o.pages, "reread": o.reread, "rendered": o.rendered,
                "changed": o.changed, "pending": o.pending,
                "timings_ms": {k: round(v * 1000, 1) for k, v in o.timings.items()}}

    def _publish(self, errors: tuple[str, ...], status: dict[str, object]) -> None:
        status = {"build": self.state.builds, "attempt": self.attempts, **status}
        self.hub.publish(Snapshot(self.state.outputs, self._build_id(), errors, status))

    def _report(self, o: Outcome, first: bool) -> None:
        """Compiler lines, then one summary line with the time."""
        for d in o.diagnostics:
            print(d.text(), file=self.out, flush=True)
        verb = "built" if first else "rebuilt"
        counts = summary(o.diagnostics, o.pages)
        if not o.ok:
            self._say(f"okrsite: {verb} with errors in {o.ms:.0f} ms: {counts}; {self._kept()}")
        elif first:
            self._say(f"okrsite: {verb} in {o.ms:.0f} ms: {counts}")
        elif not o.changed:
            self._say(f"okrsite: {verb} in {o.ms:.0f} ms: {counts}; no output changed")
        else:
            pages = sum(1 for u in o.rendered if u.endswith(".html"))
            later = f", {len(o.pending)} more when first asked for" if o.pending else ""
            self._say(f"okrsite: {verb} in {o.ms:.0f} ms: {counts}; "
                      f"{plural(len(o.reread), 'file')} read, {plural(pages, 'page')} re-rendered{later}")

    def _kept(self) -> str:
        return "nothing to serve yet" if self.state.outputs is None else "still serving the last good build"

    def _say(self, line: str) -> None:
        print(line, file=self.err, flush=True)
