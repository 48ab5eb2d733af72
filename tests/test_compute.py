"""Progress, expected pace, status, grade and KPI health: the spec's arithmetic, edge cases included."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from okrsite.compute.health import compute_kpi, health_of
from okrsite.compute.progress import compute_kr, compute_objective, expected_progress, grade_of, status_of
from okrsite.model import (
    BusinessValue,
    Checkin,
    Config,
    Cycle,
    KeyResult,
    Kpi,
    Located,
    Measurement,
    Objective,
    SourceFile,
)

D = date.fromisoformat
Q3 = Cycle("2025-Q3", "Q3", D("2025-07-01"), D("2025-09-30"), 0)
LOC = Located(SourceFile(None, "x.md", "x.md"))  # type: ignore[arg-type]


def cfg(as_of: str = "2025-08-15", stale: int | None = 21) -> Config:
    return Config(as_of=D(as_of), cycles=[Q3], current_cycle="2025-Q3", stale_after_days=stale)


def kr(**kw: object) -> KeyResult:
    base: dict = {"id": "k", "title": "K"}
    base.update(kw)
    if "current" in kw:
        base["has_current"] = True
    return KeyResult(**base)


def ci(day: str, value: float | None, confidence: float | None = None) -> Checkin:
    return Checkin(D(day), value, confidence)


def kpi(**kw: object) -> Kpi:
    base: dict = {"id": "m", "type": "kpi", "title": "M", "loc": LOC}
    base.update(kw)
    return Kpi(**base)


def meas(*pairs: tuple[str, float]) -> list[Measurement]:
    return [Measurement(D(d), v) for d, v in pairs]


# -- key results ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "start", "target", "current", "raw", "clamped"),
    [
        ("increase", 42, 60, 51, 0.5, 0.5),
        ("increase", 42, 60, 42, 0.0, 0.0),
        ("increase", 42, 60, 69, 1.5, 1.0),  # overachieved: raw kept, shown clamped
        ("increase", 42, 60, 30, -12 / 18, 0.0),  # went backwards
        ("decrease", 47, 35, 41, 0.5, 0.5),
        ("decrease", 47, 35, 30, 17 / 12, 1.0),
        ("decrease", 47, 35, 50, -0.25, 0.0),
    ],
)
def test_increase_and_decrease(kind: str, start: float, target: float, current: float, raw: float,
                               clamped: float) -> None:
    r = compute_kr(kr(kind=kind, start=start, target=target, current=current), None, Q3, cfg())
    assert r.progress_raw == pytest.approx(raw)
    assert r.progress == pytest.approx(clamped)
    assert r.current == current and r.current_source == "explicit" and not r.no_data


def test_no_data_gives_zero_progress() -> None:
    r = compute_kr(kr(start=0, target=10), None, Q3, cfg())
    assert (r.current, r.progress, r.progress_raw, r.no_data) == (None, 0.0, 0.0, True)


def test_target_equal_to_start_does_not_divide_by_zero() -> None:
    r = compute_kr(kr(start=5, target=5, current=7), None, Q3, cfg())
    assert r.progress == 0.0


@pytest.mark.parametrize(
    ("band", "current", "progress"),
    [((4.5, None), 4.6, 1.0), ((4.5, None), 4.5, 1.0), ((4.5, None), 4.4, 0.0), ((None, 2.0), 2.0, 1.0),
     ((None, 2.0), 2.1, 0.0), ((95, 99), 97, 1.0), ((95, 99), 99.5, 0.0), ((95, 99), None, 0.0)],
)
def test_threshold(band: tuple, current: float | None, progress: float) -> None:
    extra = {"current": current} if current is not None else {}
    r = compute_kr(kr(kind="threshold", range=band, **extra), None, Q3, cfg())
    assert r.progress == progress


def test_milestone_done_and_not_done() -> None:
    done = compute_kr(kr(kind="milestone", due=D("2025-09-01"), done=True), None, Q3, cfg())
    todo = compute_kr(kr(kind="milestone", due=D("2025-09-01")), None, Q3, cfg())
    assert (done.progress, todo.progress) == (1.0, 0.0)
    assert done.current is None and not done.no_data


def test_baseline_is_done_once_a_value_exists() -> None:
    assert compute_kr(kr(kind="baseline"), None, Q3, cfg()).progress == 0.0
    assert compute_kr(kr(kind="baseline", checkins=[ci("2025-07-10", 18)]), None, Q3, cfg()).progress == 1.0


def test_current_is_newest_checkin_inside_cycle_and_not_after_as_of() -> None:
    checkins = [ci("2025-06-30", 99), ci("2025-07-15", 45, 0.7), ci("2025-08-12", 51), ci("2025-08-20", 58)]
    r = compute_kr(kr(start=42, target=60, checkins=checkins), None, Q3, cfg("2025-08-15"))
    assert (r.current, r.current_date, r.current_source) == (51, D("2025-08-12"), "checkin")
    assert r.confidence == 0.7
    assert [h.value for h in r.history] == [45, 51]


def test_current_falls_back_to_kpi_measurements_inside_cycle() -> None:
    m = kpi(measurements=meas(("2025-06-30", 41), ("2025-07-31", 47), ("2025-08-31", 55)))
    r = compute_kr(kr(start=42, target=60, kpi="m"), m, Q3, cfg())
    assert (r.current, r.current_source) == (47, "measurement")


def test_checkin_wins_over_measurement_on_the_same_date() -> None:
    m = kpi(measurements=meas(("2025-07-31", 47)))
    r = compute_kr(kr(start=42, target=60, kpi="m", checkins=[ci("2025-07-31", 50)]), m, Q3, cfg())
    assert (r.current, r.current_source) == (50, "checkin")


def test_newer_measurement_beats_older_checkin() -> None:
    m = kpi(measurements=meas(("2025-08-01", 47)))
    r = compute_kr(kr(start=42, target=60, kpi="m", checkins=[ci("2025-07-31", 50)]), m, Q3, cfg())
    assert (r.current, r.current_source) == (47, "measurement")


def test_explicit_current_wins_over_history() -> None:
    r = compute_kr(kr(start=0, target=10, current=3, checkins=[ci("2025-08-01", 9)]), None, Q3, cfg())
    assert (r.current, r.current_source) == (3, "explicit")


def test_stale_when_newest_value_is_older_than_stale_after_days() -> None:
    old = compute_kr(kr(start=0, target=10, checkins=[ci("2025-07-24", 3)]), None, Q3, cfg("2025-08-15"))
    fresh = compute_kr(kr(start=0, target=10, checkins=[ci("2025-07-25", 3)]), None, Q3, cfg("2025-08-15"))
    off = compute_kr(kr(start=0, target=10, checkins=[ci("2025-07-01", 3)]), None, Q3, cfg("2025-08-15", None))
    assert (old.stale, fresh.stale, off.stale) == (True, False, False)


# -- objectives ------------------------------------------------------------------------------------


def objective(krs: list[KeyResult], **kw: object) -> Objective:
    return Objective(id="o", type="objective", title="O", loc=LOC, cycle="2025-Q3", key_results=krs, **kw)


def test_objective_progress_is_weighted_mean_of_clamped_progress() -> None:
    krs = [kr(id="a", start=0, target=10, current=20, weight=1),  # 1.0 (raw 2.0)
           kr(id="b", start=0, target=10, current=2, weight=3)]  # 0.2
    r = compute_objective(objective(krs), {}, cfg())
    assert r.progress == pytest.approx((1.0 + 3 * 0.2) / 4)
    assert r.key_results[0].progress_raw == pytest.approx(2.0)


def test_zero_total_weight_gives_zero_progress() -> None:
    r = compute_objective(objective([kr(start=0, target=1, current=1, weight=0)]), {}, cfg())
    assert r.progress == 0.0


@pytest.mark.parametrize(
    ("as_of", "expected"),
    [("2025-06-01", 0.0), ("2025-07-01", 0.0), ("2025-08-15", 45 / 91), ("2025-09-30", 1.0), ("2025-12-01", 1.0)],
)
def test_expected_progress(as_of: str, expected: float) -> None:
    assert expected_progress(Q3, D(as_of)) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("progress", "expected", "status"),
    [(0.5, 0.5, "on_track"), (0.4, 0.5, "on_track"), (0.39, 0.5, "at_risk"), (0.2, 0.5, "at_risk"),
     (0.19, 0.5, "off_track"), (0.3, 0.4, "on_track"), (0.1, 0.4, "at_risk"), (1.0, 0.2, "on_track")],
)
def test_status_while_running(progress: float, expected: float, status: str) -> None:
    assert status_of(progress, expected, Q3, D("2025-08-15")) == (status, None)


def test_status_before_and_after_the_cycle() -> None:
    assert status_of(0.0, 0.0, Q3, D("2025-06-30")) == ("planned", None)
    assert status_of(0.75, 1.0, Q3, D("2025-10-01")) == ("ended", "green")


@pytest.mark.parametrize(("score", "grade"), [(0.7, "green"), (0.69, "yellow"), (0.4, "yellow"), (0.39, "red"),
                                              (0.0, "red"), (1.0, "green")])
def test_grades(score: float, grade: str) -> None:
    assert grade_of(score) == grade


def test_predictability_is_actual_over_planned() -> None:
    r = compute_objective(objective([kr(kind="baseline")], business_value=BusinessValue(8, 6)), {}, cfg())
    assert r.predictability == pytest.approx(0.75)


# -- KPI health ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kw", "value", "health"),
    [
        ({"target": 60, "alert": 45}, 60, "healthy"),
        ({"target": 60, "alert": 45}, 59, "at_risk"),
        ({"target": 60, "alert": 45}, 45, "at_risk"),
        ({"target": 60, "alert": 45}, 44.9, "off_track"),
        ({"target": 60}, 59, "off_track"),
        ({"better": "lower", "target": 35, "alert": 45}, 35, "healthy"),
        ({"better": "lower", "target": 35, "alert": 45}, 45, "at_risk"),
        ({"better": "lower", "target": 35, "alert": 45}, 46, "off_track"),
        ({"range": (70, 80)}, 70, "healthy"),
        ({"range": (70, 80)}, 80.5, "off_track"),
        ({"range": (None, 2.0)}, 1.0, "healthy"),
        ({}, 10, "no_target"),
        ({"target": 60}, None, "no_data"),
        ({}, None, "no_data"),
    ],
)
def test_kpi_health(kw: dict, value: float | None, health: str) -> None:
    assert health_of(kpi(**kw), value) == health


def test_kpi_latest_is_newest_measurement_on_or_before_as_of() -> None:
    m = kpi(target=60, measurements=meas(("2025-08-31", 70), ("2025-06-30", 41), ("2025-08-15", 61)))
    r = compute_kpi(m, D("2025-08-15"))
    assert r.latest is not None and (r.latest.date, r.latest.value) == (D("2025-08-15"), 61)
    assert r.health == "healthy"
    assert [v.value for v in r.series] == [41, 61]


_days = st.integers(0, 40).map(lambda n: date.fromordinal(date(2025, 7, 1).toordinal() + n))
_points = st.lists(st.tuples(_days, st.floats(0, 1)), max_size=6)


@settings(max_examples=500, deadline=None)
@given(st.lists(st.tuples(st.floats(0, 5), _points), max_size=4), st.lists(_days, max_size=8))
def test_the_overall_progress_line_sums_each_key_results_latest_point(krs: list, days: list) -> None:
    """charts._weighted_steps against its definition, for points in date order and not."""
    from okrsite.render.charts import _weighted_steps

    dates = sorted(set(days))
    weights, steps = [w for w, _ in krs], [pts for _, pts in krs]
    expected = []
    for d in dates:
        acc = 0.0
        for w, pts in zip(weights, steps, strict=True):
            known = [p for day, p in pts if day <= d]
            acc += w * (known[-1] if known else 0.0)
        expected.append(acc)
    assert _weighted_steps(dates, weights, steps) == expected
