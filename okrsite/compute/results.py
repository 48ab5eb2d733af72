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
    expected: float = 0.0  # expected progress at as_of: from the plan, else the cycle's pace
    plan_path: tuple[tuple[date, float], ...] = ()  # the planned path's corners, oldest first; () without a plan
    forecast: float | None = None  # the fitted line's value at the cycle's end (running cycles only)
    forecast_progress: float | None = None  # progress of `forecast`, clamped
    forecast_line: tuple[float, float] | None = None  # the fitted line at the cycle's start and end
    confidence_falling: bool = False  # at least 0.2 below the check-in before that gives one


@dataclass(slots=True)
class ObjectiveResult:
    id: str
    progress: float
    expected: float
    status: str  # one of OBJECTIVE_STATUSES
    grade: str | None  # once ended
    predictability: float | None  # business_value actual / planned
    key_results: list[KrResult] = field(default_factory=list)
    forecast: float | None = None  # weighted mean of the key results' forecast (or progress); None without any
    forecast_to_miss: bool = False  # forecast below 0.7
    needed_by: list[str] = field(default_factory=list)  # ids of objectives depending on it or its key results
    dependencies_in_trouble: list[str] = field(default_factory=list)  # `depends_on` entries, while the cycle runs


@dataclass(slots=True)
class KpiResult:
    id: str
    latest: DatedValue | None
    health: str  # one of HEALTHS
    series: list[DatedValue] = field(default_factory=list)  # measurements up to as_of, oldest first


@dataclass(slots=True)
class Person:
    """Someone named as an owner or lead, with the ids of what they own and lead (sorted)."""

    name: str
    url: str
    objectives: list[str] = field(default_factory=list)
    key_results: list[str] = field(default_factory=list)  # OBJECTIVE-ID/KR-ID
    kpis: list[str] = field(default_factory=list)
    org_units: list[str] = field(default_factory=list)


@dataclass(slots=True)
class Results:
    as_of: date
    objectives: dict[str, ObjectiveResult] = field(default_factory=dict)
    kpis: dict[str, KpiResult] = field(default_factory=dict)
    people: list[Person] = field(default_factory=list)  # sorted by name
    # okrsite.validate.people.person_key(a written name) -> that person's page URL
    person_urls: dict[str, str] = field(default_factory=dict)
