"""Rendering a share of the planned pages straight into the output tree: build, render, write, drop.

Nothing is held once written, so memory stays flat with the handbook's size; a
page whose fingerprint matches the previous build's is linked, not rendered.
"""

from __future__ import annotations

import hashlib
import io
import pickle
from collections.abc import Sequence

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


def render_share(plan: Sequence[PlannedPage], theme: object, theme_key: str, writer: TreeWriter) -> int:
    """Render and write every page of `plan`; returns how many were actually rendered."""
    rendered = 0
    render = theme.render  # type: ignore[attr-defined]
    for planned in plan:
        job = planned.make()
        fp = page_fingerprint(job, theme_key)
        if writer.reuse(planned.url, fp):
            continue
        writer.put(planned.url, render(job), fp)
        rendered += 1
    return rendered
