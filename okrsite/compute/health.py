"""KPI latest value and health against target/alert or a healthy band."""

from __future__ import annotations

from datetime import date

from okrsite.compute.results import DatedValue, KpiResult
from okrsite.model import Kpi


def series(kpi: Kpi, as_of: date) -> list[DatedValue]:
    dated = [
        (m.date, i, DatedValue(m.date, m.value, "measurement"))
        for i, m in enumerate(kpi.measurements)
        if m.date is not None and m.value is not None and m.date <= as_of
    ]
    dated.sort()  # (date, index) is unique: the DatedValue is never compared
    return [d[2] for d in dated]


def health_of(kpi: Kpi, value: float | None) -> str:
    """no_data wins over no_target: with nothing measured there is nothing to judge."""
    if value is None:
        return "no_data"
    if kpi.range is not None:
        low, high = kpi.range
        inside = (low is None or value >= low) and (high is None or value <= high)
        return "healthy" if inside else "off_track"
    if kpi.target is None:
        return "no_target"
    sign = 1 if kpi.better != "lower" else -1
    if sign * value >= sign * kpi.target:
        return "healthy"
    if kpi.alert is None:
        return "off_track"
    return "at_risk" if sign * value >= sign * kpi.alert else "off_track"


def compute_kpi(kpi: Kpi, as_of: date) -> KpiResult:
    values = series(kpi, as_of)
    latest = values[-1] if values else None
    return KpiResult(kpi.id, latest, health_of(kpi, latest.value if latest else None), values)
