"""Confidence: the newest check-in's (up to as_of), and whether it fell by 0.2 or more since the one before."""

from __future__ import annotations

from datetime import date

from okrsite.model import Checkin, KeyResult

FALL = 0.2
EPS = 1e-9  # 0.7 → 0.5 is a fall of 0.2 even though 0.7 - 0.5 < 0.2 in floating point


def confidence_of(kr: KeyResult, as_of: date) -> tuple[float | None, bool]:
    """(confidence, falling). Of check-ins on one date, the one written later is the newer."""
    newest: Checkin | None = None
    before: Checkin | None = None  # the newest but one
    for c in kr.checkins:  # one pass keeping the two newest, instead of sorting
        if c.confidence is None or c.date is None or c.date > as_of:
            continue
        if newest is None or c.date >= newest.date:  # type: ignore[operator]
            newest, before = c, newest
        elif before is None or c.date >= before.date:  # type: ignore[operator]
            before = c
    if newest is None:
        return None, False
    falling = before is not None and before.confidence - newest.confidence >= FALL - EPS  # type: ignore[operator]
    return newest.confidence, falling
