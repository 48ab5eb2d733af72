"""Key-result and objective progress, expected pace, status and grade (the spec's rules)."""

from __future__ import annotations

from datetime import date

from okrsite.compute.confidence import confidence_of
from okrsite.compute.forecast import forecast_line
from okrsite.compute.plan import PlannedPath, planned_path, planned_value
from okrsite.compute.results import DatedValue, KrResult, ObjectiveResult
from okrsite.model import Config, Cycle, KeyResult, Kpi, Objective

EPS = 1e-9  # so that 0.4 - 0.1 still counts as 0.3


def clamp(x: float) -> float:
    return 0.0 if x < 0 else 1.0 if x > 1 else x


def in_cycle_values(kr: KeyResult, kpi: Kpi | None, cycle: Cycle | None, as_of: date) -> list[DatedValue]:
    """Dated values that count: inside the cycle and not after as_of, oldest first.

    On the same date a check-in sorts after (so wins over) a measurement.
    """
    values: list[tuple[date, int, int, DatedValue]] = []
    first, last = (None, as_of) if cycle is None else (cycle.start, min(as_of, cycle.end))
    if kpi is not None:
        for i, m in enumerate(kpi.measurements):
            d = m.date
            if m.value is not None and d is not None and d <= last and (first is None or first <= d):
                values.append((d, 0, i, DatedValue(d, m.value, "measurement")))
    for i, c in enumerate(kr.checkins):
        d = c.date
        if c.value is not None and d is not None and d <= last and (first is None or first <= d):
            values.append((d, 1, i, DatedValue(d, c.value, "checkin")))
    values.sort()  # (date, source, index) is unique: the DatedValue is never compared
    return [v[3] for v in values]


def kr_progress(kr: KeyResult, current: float | None) -> float:
    """Raw (unclamped) progress of one key result."""
    if kr.kind in ("increase", "decrease"):
        if current is None or kr.start is None or kr.target is None or kr.target == kr.start:
            return 0.0
        return (current - kr.start) / (kr.target - kr.start)
    if kr.kind == "threshold":
        if current is None or kr.range is None:
            return 0.0
        low, high = kr.range
        inside = (low is None or current >= low) and (high is None or current <= high)
        return 1.0 if inside else 0.0
    if kr.kind == "milestone":
        return 1.0 if kr.done else 0.0
    if kr.kind == "baseline":
        return 1.0 if current is not None else 0.0
    return 0.0


def compute_kr(kr: KeyResult, kpi: Kpi | None, cycle: Cycle | None, cfg: Config, pace: float | None = None) -> KrResult:
    """`pace`: the cycle's expected progress at as_of, when the caller has it already."""
    history = in_cycle_values(kr, kpi, cycle, cfg.as_of)
    current: float | None = None
    current_date: date | None = None
    source: str | None = None
    if kr.has_current and kr.current is not None:
        current, source = kr.current, "explicit"
    elif history:
        newest = history[-1]
        current, current_date, source = newest.value, newest.date, newest.source
    if kr.kind == "milestone":
        current, current_date, source = None, None, None
    raw = kr_progress(kr, current)
    running = cycle is not None and cycle.start <= cfg.as_of <= cycle.end
    stale = bool(
        running
        and kr.kind != "milestone"
        and cfg.stale_after_days is not None
        and current_date is not None
        and source != "explicit"
        and (cfg.as_of - current_date).days > cfg.stale_after_days
    )
    confidence, falling = confidence_of(kr, cfg.as_of) if kr.checkins else (None, False)
    path = planned_path(kr, cycle) if kr.plan else ()
    line = forecast_line(kr, history, cycle, cfg.as_of) if history else None
    return KrResult(
        id=kr.id,
        kind=kr.kind,
        current=current,
        current_date=current_date,
        current_source=source,
        progress=clamp(raw),
        progress_raw=raw,
        no_data=kr.kind != "milestone" and current is None,
        stale=stale,
        confidence=confidence,
        history=history,
        expected=kr_expected(kr, path, cycle, cfg.as_of) if path or pace is None else pace,
        plan_path=path,
        forecast=line[1] if line else None,
        forecast_progress=clamp(kr_progress(kr, line[1])) if line else None,
        forecast_line=line,
        confidence_falling=falling,
    )


def kr_expected(kr: KeyResult, path: PlannedPath, cycle: Cycle | None, as_of: date) -> float:
    """Progress of the planned value at as_of (0 before the cycle, 1 after); the cycle's pace without a plan."""
    if not path or cycle is None:
        return expected_progress(cycle, as_of)
    if as_of < cycle.start:
        return 0.0
    if as_of > cycle.end:
        return 1.0
    return clamp(kr_progress(kr, planned_value(path, as_of)))


def expected_progress(cycle: Cycle | None, as_of: date) -> float:
    if cycle is None:
        return 0.0
    span = (cycle.end - cycle.start).days
    if span <= 0:
        return 1.0 if as_of >= cycle.start else 0.0
    return clamp((as_of - cycle.start).days / span)


def status_of(progress: float, expected: float, cycle: Cycle | None, as_of: date) -> tuple[str, str | None]:
    if cycle is not None and as_of < cycle.start:
        return "planned", None
    if cycle is not None and as_of > cycle.end:
        return "ended", grade_of(progress)
    if progress >= expected - 0.1 - EPS:
        return "on_track", None
    if progress >= expected - 0.3 - EPS:
        return "at_risk", None
    return "off_track", None


def grade_of(score: float) -> str:
    if score >= 0.7 - EPS:
        return "green"
    if score >= 0.4 - EPS:
        return "yellow"
    return "red"


def compute_objective(obj: Objective, kpis: dict[str, Kpi], cfg: Config) -> ObjectiveResult:
    cycle = cfg.cycle(obj.cycle)
    pace = expected_progress(cycle, cfg.as_of)
    krs = [compute_kr(kr, kpis.get(kr.kpi) if kr.kpi else None, cycle, cfg, pace) for kr in obj.key_results]
    total = sum(kr.weight for kr in obj.key_results)
    progress = (
        sum(kr.weight * r.progress for kr, r in zip(obj.key_results, krs, strict=True)) / total if total > 0 else 0.0
    )
    expected = pace
    if total > 0 and any(r.plan_path for r in krs):  # without plans the mean is the cycle's pace: keep it exact
        expected = sum(kr.weight * r.expected for kr, r in zip(obj.key_results, krs, strict=True)) / total
    status, grade = status_of(progress, expected, cycle, cfg.as_of)
    bv = obj.business_value
    predictability = None
    if bv is not None and bv.planned and bv.actual is not None:
        predictability = bv.actual / bv.planned
    result = ObjectiveResult(obj.id, progress, expected, status, grade, predictability, krs)
    result.forecast = objective_forecast(obj, krs, total)
    result.forecast_to_miss = result.forecast is not None and result.forecast < 0.7 - EPS
    return result


def objective_forecast(obj: Objective, krs: list[KrResult], total: float) -> float | None:
    """Weighted mean of the key results' forecast progress, a key result without one counting with its
    progress; None when none has a forecast. `total`: the sum of the weights."""
    weighted = 0.0
    forecast = False
    for kr, r in zip(obj.key_results, krs, strict=True):
        if r.forecast_progress is None:
            weighted += kr.weight * r.progress
        else:
            weighted += kr.weight * r.forecast_progress
            forecast = True
    if not forecast:
        return None
    return weighted / total if total > 0 else 0.0
