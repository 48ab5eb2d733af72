"""Phased plans: the planned path of a key result and its planned value on a date.

The path runs straight from (cycle start, `start`) through each plan point to (cycle end, `target`).
Points that break the plan's rules (reported by validation) are left out, so a handbook in error
still computes.
"""

from __future__ import annotations

import bisect
from datetime import date

from okrsite.model import Cycle, KeyResult

PLANNED_KINDS = ("increase", "decrease")


PlannedPath = tuple[tuple[date, float], ...]


def planned_path(kr: KeyResult, cycle: Cycle | None) -> PlannedPath:
    """The path's corners, oldest first; empty without a usable plan."""
    if (not kr.plan or kr.kind not in PLANNED_KINDS or cycle is None or kr.start is None or kr.target is None
            or kr.start == kr.target):
        return ()
    path = [(cycle.start, kr.start)]
    for point in kr.plan:
        if point.date is None or point.value is None:
            continue
        if cycle.start < point.date < cycle.end and point.date > path[-1][0]:
            path.append((point.date, point.value))
    if len(path) == 1:
        return ()
    path.append((cycle.end, kr.target))
    return tuple(path)


def planned_value(path: PlannedPath, when: date) -> float:
    """The path's value on `when`: linear between the two neighbouring corners, flat beyond its ends."""
    if when <= path[0][0]:
        return path[0][1]
    if when >= path[-1][0]:
        return path[-1][1]
    i = bisect.bisect_right([d for d, _ in path], when)  # path[i-1].date <= when < path[i].date
    (d0, v0), (d1, v1) = path[i - 1], path[i]
    return v0 + (v1 - v0) * (when - d0).days / (d1 - d0).days
