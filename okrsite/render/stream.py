"""Rendering a share of the planned pages straight into the output tree: build, render, write, drop.

Nothing is held once written, so memory stays flat with the handbook's size; a
page whose fingerprint matches the previous build's is linked, not rendered.
"""

from __future__ import annotations

import gc
import hashlib
import io
import pickle
from collections.abc import Sequence

from okrsite.load.gcpause import paused_collector
from okrsite.render import PageJob, PlannedPage
from okrsite.write.tree import TreeWriter


def page_fingerprint(job: PageJob, theme_key: str) -> str:
    """Everything a page's bytes depend on: the theme and renderer (`theme_key`), template, context.

    Contexts are plain data (trees: no cycles), so their pickle without a memo is the
    same for equal values in any process (and differs whenever a value does); pickling
    is several times faster than a sorted JSON dump.
    """
    h = hashlib.blake2b(digest_size=16)
    h.update(f"{theme_key}\0{job.template}\0".encode())
    h.update(value_bytes(job.context))
    return h.hexdigest()


def value_bytes(value: object) -> bytes:
    """A pickle without a memo: a value shared within `value` is written again, so the bytes depend
    on values only, never on which objects are shared (equal in any process for equal plain data)."""
    buf = io.BytesIO()
    pickler = pickle.Pickler(buf, protocol=5)
    pickler.fast = True
    pickler.dump(value)
    return buf.getvalue()


COLLECT_EVERY = 32  # pages between two collections of the young generation


def render_share(plan: Sequence[PlannedPage], theme: object, theme_key: str, writer: TreeWriter) -> int:
    """Render and write every page of `plan`; returns how many were actually rendered.

    A page's context and markup are thousands of short-lived containers, so the automatic
    collector would run dozens of times a page (a seventh of a worker's time at 10,000
    objectives) while reference counting frees nearly all of them anyway. It is paused
    here instead, and the young generation collected every `COLLECT_EVERY` pages, which
    frees the few cycles a template leaves (a macro imported with context refers back
    to it) as surely, and memory stays as flat.
    """
    rendered = 0
    render = theme.render  # type: ignore[attr-defined]
    with paused_collector():
        n = 0
        for n, planned in enumerate(plan, 1):
            job = planned.make()
            fp = page_fingerprint(job, theme_key)
            if not writer.reuse(planned.url, fp):
                writer.put(planned.url, render(job), fp)
                rendered += 1
            if n % COLLECT_EVERY == 0:
                gc.collect(0)
        if n % COLLECT_EVERY:
            gc.collect(0)
    return rendered
