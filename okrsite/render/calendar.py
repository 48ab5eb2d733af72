"""`calendar.ics`: the cycles and the milestone due dates, for a team to subscribe to (RFC 5545).

Written by hand, not with a library: it is a handful of fixed properties, and the bytes must
not change between builds of the same handbook. So UIDs come from ids, and DTSTAMP from `as_of`
(never the build time); events are sorted. All-day events: DTEND is the day after the last day.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, timedelta

from okrsite.model import Objective
from okrsite.render.refs import Refs

PRODID = "-//okrsite//okrsite calendar//EN"
_NOT_SLUG = re.compile(r"[^a-z0-9]+")


def site_slug(title: str) -> str:
    """The domain part of every UID: the site title in ASCII letters, digits and hyphens."""
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode("ascii")
    return _NOT_SLUG.sub("-", ascii_title.lower()).strip("-") or "okrsite"


def escape(text: str) -> str:
    """A TEXT value (RFC 5545 3.3.11): backslash, semicolon and comma escaped, line breaks as \\n."""
    text = text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    return text.replace("\r\n", "\\n").replace("\r", "\\n").replace("\n", "\\n")


def fold(line: str) -> bytes:
    """One content line, folded so no physical line exceeds 75 octets, never inside a UTF-8 character."""
    raw = line.encode("utf-8")
    if len(raw) <= 75:
        return raw + b"\r\n"
    out: list[bytes] = []
    chunk = b""
    limit = 75
    for ch in line:
        b = ch.encode("utf-8")
        if len(chunk) + len(b) > limit:
            out.append(chunk)
            chunk = b" "
            limit = 75  # the leading space counts towards the 75
        chunk += b
    out.append(chunk)
    return b"\r\n".join(out) + b"\r\n"


def _day(d: date) -> str:
    return d.strftime("%Y%m%d")


def _event(uid: str, stamp: str, start: date, end: date, summary: str, description: str) -> list[str]:
    """An all-day event from `start` to `end` inclusive."""
    return ["BEGIN:VEVENT", f"UID:{uid}", f"DTSTAMP:{stamp}", f"DTSTART;VALUE=DATE:{_day(start)}",
            f"DTEND;VALUE=DATE:{_day(end + timedelta(days=1))}", f"SUMMARY:{escape(summary)}",
            f"DESCRIPTION:{escape(description)}", "TRANSP:TRANSPARENT", "END:VEVENT"]


def calendar(refs: Refs) -> bytes:
    cfg = refs.cfg
    slug = site_slug(cfg.title)
    stamp = _day(cfg.as_of) + "T000000Z"
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", f"PRODID:{PRODID}", "CALSCALE:GREGORIAN", "METHOD:PUBLISH",
             f"X-WR-CALNAME:{escape(cfg.title)}"]
    cycle_objectives = refs.graph.cycle_objectives
    for c in cfg.cycles:
        n = len(cycle_objectives.get(c.id, []))
        lines += _event(f"cycle-{c.id}@{slug}", stamp, c.start, max(c.start, c.end), c.title,
                        f"OKR cycle {c.title}: {n} objective{'s' if n != 1 else ''}.")
    milestones = []
    for page in refs.graph.pages.values():
        if isinstance(page, Objective) and page.id in refs.results.objectives:
            for kr in page.key_results:
                if kr.kind == "milestone" and kr.due is not None:
                    milestones.append((kr.due, page.id, kr.id, page, kr))
    for due, oid, kr_id, page, kr in sorted(milestones, key=lambda m: m[:3]):
        owner = kr.owner or page.owner
        text = f"Key result of {page.title}" + (f", owned by {owner}" if owner else "") + \
            (". Done." if kr.done else ". Not done yet.")
        lines += _event(f"kr-{oid}/{kr_id}@{slug}", stamp, due, due, ("✓ " if kr.done else "") + f"Due: {kr.title}",
                        text)
    lines.append("END:VCALENDAR")
    return b"".join(fold(line) for line in lines)
