"""Phased plans: only on increase/decrease key results, dated strictly inside the cycle, oldest first.

The planned path already runs from (cycle start, `start`) to (cycle end, `target`), so a point on
either end day would fight those anchors; a point outside the cycle could never be reached.
"""

from __future__ import annotations

from datetime import date

from okrsite.diagnostics import Diagnostics
from okrsite.model import Config, Cycle, KeyResult, Objective
from okrsite.validate.rules import kr_fields

PLANNED_KINDS = ("increase", "decrease")


def check_plans(obj: Objective, cfg: Config, diags: Diagnostics) -> None:
    for kr in obj.key_results:
        if not kr.plan:
            continue  # none, empty, or no point that could be read (reported where it is read)
        written = kr_fields(obj, kr)
        if written.get("kind", kr.kind) != kr.kind:
            continue  # an unknown kind is reported where it is read
        if kr.kind not in PLANNED_KINDS:
            diags.error(obj.loc, kr.prefix + ("plan",), "bad-plan",
                        f"{_name(kr)}: 'plan' is for increase and decrease key results, not {kr.kind}")
            continue
        _check_points(obj, kr, cfg.cycle(obj.cycle), diags)


def _name(kr: KeyResult) -> str:
    return f"key result '{kr.id}'" if kr.id else "a key result"


def _check_points(obj: Objective, kr: KeyResult, cycle: Cycle | None, diags: Diagnostics) -> None:
    latest: date | None = None
    for point in kr.plan:
        when = point.date
        if when is None:
            continue  # a missing or bad date is reported where it is read
        problem = _outside(when, cycle) if cycle is not None else ""
        if not problem and latest is not None and when == latest:
            problem = f"plan date {when} is repeated; give each date once"
        elif not problem and latest is not None and when < latest:
            problem = f"plan date {when} comes before the previous point's {latest}; list plan points oldest first"
        if problem:
            diags.error(obj.loc, point.prefix + ("date",), "bad-plan", problem)
        if latest is None or when > latest:
            latest = when


def _outside(when: date, cycle: Cycle) -> str:
    if cycle.start < when < cycle.end:
        return ""
    span = f"cycle {cycle.id} ({cycle.start} – {cycle.end})"
    if when == cycle.start:
        return (f"plan date {when} is the first day of {span}, where the planned path starts at 'start'; "
                f"plan dates lie strictly inside the cycle")
    if when == cycle.end:
        return (f"plan date {when} is the last day of {span}, where the planned path reaches 'target'; "
                f"plan dates lie strictly inside the cycle")
    return f"plan date {when} is outside {span}"
