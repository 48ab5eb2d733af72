"""Computed values, kept apart from the loaded model so data flows one way."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

# One meaning per status across pages and charts; the theme maps these to colours.
OBJECTIVE_STATUSES = ("on_track", "at_risk", "off_track", "planned", "ended")
GRADES = ("green", "yellow", "red")
HEALTHS = ("healthy", "at_risk", "off_track", "no_data", "no_target")


@dataclass(slots=True)
class DatedValue:
    date: date
    value: float
    source: str  # "checkin" | "measurement"


@dataclass(slots=True)
class KrResult:
    id: str
    kind: str
    current: float | None  # the value progress was judged on (None: no data, or milestone)
    current_date: date | None  # when `current` was observed (None when explicit or absent)
    current_source: str | None  # "explicit" | "checkin" | "measurement" | None
    progress: float  # clamped 0..1
    progress_raw: float  # unclamped
    no_data: bool
    stale: bool
    confidence: float | None  # from the newest check-in that carries one
    history: list[DatedValue] = field(default_factory=list)  # in-cycle values up to as_of, oldest first


@dataclass(slots=True)
class ObjectiveResult:
    id: str
    progress: float
    expected: float
    status: str  # one of OBJECTIVE_STATUSES
    grade: str | None  # once ended
    predictability: float | None  # business_value actual / planned
    key_results: list[KrResult] = field(default_factory=list)


@dataclass(slots=True)
class KpiResult:
    id: str
    latest: DatedValue | None
    health: str  # one of HEALTHS
    series: list[DatedValue] = field(default_factory=list)  # measurements up to as_of, oldest first


@dataclass(slots=True)
class Results:
    as_of: date
    objectives: dict[str, ObjectiveResult] = field(default_factory=dict)
    kpis: dict[str, KpiResult] = field(default_factory=dict)
