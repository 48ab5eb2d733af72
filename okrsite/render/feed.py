"""`feed.xml`: an Atom 1.0 feed of the newest events — check-ins (dated in the content) and revisions
(from git) — so a reader or a chat bot can follow the handbook.

Every value comes from the input, never the clock: entry ids are name-based UUIDs of what the entry
is about (`urn:uuid:`, stable across builds), `updated` is the event's own date or commit time, and
the feed's `updated` is its newest entry's. Links are relative to the feed, which sits at the root.
"""

from __future__ import annotations

import heapq
import re
import uuid
from dataclasses import dataclass
from datetime import date
from xml.sax.saxutils import escape, quoteattr

from okrsite import urls
from okrsite.history.model import History, Revision
from okrsite.model import Checkin, KeyResult, Kpi, Objective, Page
from okrsite.render.filters import url_path, with_unit
from okrsite.render.history import FIELD_LABELS, shown
from okrsite.render.refs import Refs

FEED_URL = "feed.xml"
FEED_CAP = 50  # entries: the newest events
ATOM = "http://www.w3.org/2005/Atom"
_NOT_XML = re.compile("[^\u0009\u000a\u000d\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


@dataclass(slots=True)
class Event:
    stamp: int  # seconds since the epoch, for ordering
    updated: str  # RFC 3339
    key: str  # what the entry is about; its id derives from it
    title: str
    link: str  # relative to the output root
    author: str
    summary: str


def _text(value: str) -> str:
    """Text safe inside an XML element: characters XML 1.0 forbids dropped, markup escaped."""
    return escape(_NOT_XML.sub("", value))


_EPOCH = date(1970, 1, 1).toordinal()


def _day(d: date) -> tuple[int, str]:
    return (d.toordinal() - _EPOCH) * 86400, f"{d.isoformat()}T00:00:00Z"


def checkin_events(refs: Refs, cap: int = FEED_CAP) -> list[Event]:
    """The newest `cap` check-ins dated up to as_of; only those are turned into entries."""
    found: list[tuple[int, str, str, int, Objective, KeyResult, Checkin]] = []
    as_of = refs.as_of
    for page in refs.graph.pages.values():
        if not isinstance(page, Objective) or page.id not in refs.results.objectives:
            continue
        for kr in page.key_results:
            seen: dict[date, int] = {}
            for c in kr.checkins:
                if c.date is None or c.date > as_of:
                    continue
                n = seen[c.date] = seen.get(c.date, -1) + 1
                found.append((-c.date.toordinal(), page.id, kr.id, n, page, kr, c))
    out = []
    for _, _, _, n, page, kr, c in heapq.nsmallest(cap, found, key=lambda f: f[:4]):
        assert c.date is not None
        value = "done" if c.value is None and kr.kind == "milestone" else with_unit(c.value, kr.unit)
        stamp, updated = _day(c.date)
        details = [f"{page.title}: “{kr.title}” at {value} on {c.date.isoformat()}"]
        if c.confidence is not None:
            details.append(f"confidence {round(c.confidence * 100)}%")
        if c.note:
            details.append(c.note)
        out.append(Event(stamp, updated, f"checkin:{page.id}/{kr.id}@{c.date.isoformat()}#{n}",
                         f"Check-in: {kr.title} — {value}", refs.url(page.id) + "#" + urls.kr_anchor(kr.id),
                         getattr(kr, "owner", "") or page.owner or refs.cfg.title, "; ".join(details) + "."))
    return out


def revision_events(refs: Refs, history: History) -> list[Event]:
    """One entry per commit and page: everything that commit revised there."""
    out = []
    for page in refs.graph.pages.values():
        if not isinstance(page, (Objective, Kpi)):
            continue
        fh = history.of(page.file.rel)
        if fh is None or not fh.revisions:
            continue
        groups: dict[str, list[Revision]] = {}
        for r in fh.revisions:
            if r.commit is not None:
                groups.setdefault(r.commit.hash, []).append(r)
        for revs in groups.values():
            c = revs[0].commit
            assert c is not None
            lines = [_change_text(page, r) for r in revs]
            krs = {r.key_result for r in revs}
            link = refs.url(page.id)
            only = next(iter(krs)) if len(krs) == 1 else None
            if only is not None and isinstance(page, Objective) and any(k.id == only for k in page.key_results):
                link += "#" + urls.kr_anchor(only)
            more = f" (and {len(lines) - 1} more)" if len(lines) > 1 else ""
            out.append(Event(c.stamp, c.when, f"revision:{c.hash}:{page.id}",
                             f"Revised: {page.title} — {lines[0]}{more}", link, c.author,
                             f"{c.subject} ({c.hash[:8]}, {c.date}). " + "; ".join(lines) + "."))
    return out


def _change_text(page: Page, r: Revision) -> str:
    unit = page.unit if isinstance(page, Kpi) else ""
    if isinstance(page, Objective) and r.key_result is not None:
        unit = next((k.unit for k in page.key_results if k.id == r.key_result), "")
    what = f"“{r.kr_title or r.key_result}”" if r.key_result is not None else ""
    if r.field in ("added", "removed"):
        return f"key result {what} {r.field}"
    label = FIELD_LABELS.get(r.field, r.field).lower()
    where = f"{label} of {what}" if what else label
    return f"{where} {shown(r.old, r.field, unit)} → {shown(r.new, r.field, unit)}"


def feed(refs: Refs) -> bytes:
    cfg = refs.cfg
    events = checkin_events(refs)
    history: History | None = refs.inp.history
    if history is not None:
        events += revision_events(refs, history)
    newest = heapq.nsmallest(FEED_CAP, events, key=lambda e: (-e.stamp, e.key))
    space = uuid.uuid5(uuid.NAMESPACE_URL, f"okrsite:{cfg.base_path}:{cfg.title}")
    updated = newest[0].updated if newest else _day(cfg.as_of)[1]
    lines = ['<?xml version="1.0" encoding="utf-8"?>',
             f'<feed xmlns="{ATOM}">',
             f"  <id>urn:uuid:{space}</id>",
             f"  <title>{_text(cfg.title)}: revisions and check-ins</title>"]
    if cfg.description:
        lines.append(f"  <subtitle>{_text(cfg.description)}</subtitle>")
    lines += [f"  <updated>{updated}</updated>",
              f"  <link rel=\"self\" type=\"application/atom+xml\" href=\"{FEED_URL}\"/>",
              f"  <link rel=\"alternate\" type=\"text/html\" href=\"{urls.HOME}\"/>",
              f"  <author><name>{_text(cfg.title)}</name></author>",
              "  <generator>okrsite</generator>"]
    for e in newest:
        lines += ["  <entry>",
                  f"    <id>urn:uuid:{uuid.uuid5(space, e.key)}</id>",
                  f"    <title>{_text(e.title)}</title>",
                  f"    <updated>{e.updated}</updated>",
                  f"    <link rel=\"alternate\" type=\"text/html\" href={quoteattr(url_path(e.link))}/>",
                  f"    <author><name>{_text(e.author or cfg.title)}</name></author>",
                  f"    <summary>{_text(e.summary)}</summary>",
                  "  </entry>"]
    lines.append("</feed>")
    return ("\n".join(lines) + "\n").encode("utf-8")
