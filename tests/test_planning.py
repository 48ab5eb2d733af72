"""Phased plans, forecasts and confidence: hand-worked values through the real loader and pipeline.

Cycle 2025-Q3 runs 2025-07-01 … 2025-09-30: 91 days from start to end. Dates as days since the
start (x): 07-16 → 15, 07-31 → 30, 08-15 → 45, 08-31 → 61, 09-15 → 76.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from okrsite.build import check
from okrsite.compute.results import KrResult, ObjectiveResult

CONFIG = """\
as_of: {as_of}
cycles:
  - {{id: 2025-Q3, title: Q3 2025, start: 2025-07-01, end: 2025-09-30}}
"""
UNIT = "---\ntitle: Acme\n---\n"


def computed(tmp_path: Path, key_results: str, as_of: str = "2025-08-15", extra: str = "",
             kpi: str | None = None) -> ObjectiveResult:
    """Write a handbook with one objective holding `key_results` (YAML list items); check it clean."""
    root = tmp_path / f"site-{as_of}"
    files = {
        "okrsite.yaml": CONFIG.format(as_of=as_of),
        "content/org/acme.md": UNIT,
        "content/objectives/o.md": "---\ntitle: O\ncycle: 2025-Q3\norg_unit: acme\n" + extra
        + "key_results:\n" + textwrap.indent(textwrap.dedent(key_results), "  ") + "---\n",
    }
    if kpi is not None:
        files["content/kpis/m.md"] = "---\ntitle: M\norg_unit: acme\n" + textwrap.dedent(kpi) + "---\n"
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    build = check(root, "site")
    errors = [d.text() for d in build.diagnostics if d.severity == "error"]
    assert errors == []
    assert build.results is not None
    return build.results.objectives["o"]


def one_kr(tmp_path: Path, key_result: str, **kw: str) -> KrResult:
    return computed(tmp_path, key_result, **kw).key_results[0]


# -- plans -------------------------------------------------------------------------------------------

PLAN_UP = """\
- id: a
  title: A
  start: 40
  target: 60
  plan:
    - {date: 2025-07-31, value: 46}
    - {date: 2025-08-31, value: 53}
"""


@pytest.mark.parametrize(
    ("as_of", "expected"),
    [
        ("2025-07-31", (46 - 40) / 20),  # on a plan date: that point's value
        ("2025-08-15", (46 + 7 * 15 / 31 - 40) / 20),  # 15 of the 31 days from 46 to 53
        ("2025-07-16", (40 + 6 * 15 / 30 - 40) / 20),  # before the first point: from (start, 40)
        ("2025-09-15", (53 + 7 * 15 / 30 - 40) / 20),  # after the last point: towards (end, 60)
        ("2025-07-01", 0.0),
        ("2025-09-30", 1.0),
        ("2025-06-15", 0.0),  # before the cycle
        ("2025-10-05", 1.0),  # after it
    ],
)
def test_expected_progress_follows_the_planned_path(tmp_path: Path, as_of: str, expected: float) -> None:
    r = one_kr(tmp_path, PLAN_UP, as_of=as_of)
    assert r.expected == pytest.approx(expected)
    assert r.plan_path[0] == (r.plan_path[0][0], 40) and r.plan_path[-1][1] == 60


def test_plan_of_a_decrease(tmp_path: Path) -> None:
    r = one_kr(tmp_path, """\
        - id: a
          title: A
          kind: decrease
          start: 47
          target: 35
          plan: [{date: 2025-07-31, value: 45}, {date: 2025-08-31, value: 40}]
        """)
    planned = 45 + (40 - 45) * 15 / 31  # 2025-08-15: 15 of 31 days from 45 to 40
    assert r.expected == pytest.approx((planned - 47) / (35 - 47))  # = 137/372


def test_planned_value_beyond_the_target_is_clamped(tmp_path: Path) -> None:
    r = one_kr(tmp_path, "- {id: a, title: A, start: 0, target: 10, plan: [{date: 2025-07-11, value: 20}]}\n",
               as_of="2025-07-11")
    assert r.expected == 1.0


def test_without_a_plan_expected_is_the_cycle_pace(tmp_path: Path) -> None:
    o = computed(tmp_path, "- {id: a, title: A, start: 0, target: 10}\n- {id: b, title: B, kind: baseline}\n")
    assert [k.expected for k in o.key_results] == [45 / 91, 45 / 91]
    assert o.expected == 45 / 91  # exactly the cycle's pace, as before plans existed


def test_objective_expected_is_the_weighted_mean_and_drives_status(tmp_path: Path) -> None:
    # a front-loaded plan: 90 of 100 by 07-31, so at 08-15 (x=45) the plan expects 90 + 10·15/61
    o = computed(tmp_path, """\
        - id: a
          title: A
          start: 0
          target: 100
          weight: 3
          plan: [{date: 2025-07-31, value: 90}]
          checkins: [{date: 2025-08-14, value: 45}]
        - {id: b, title: B, start: 0, target: 10, checkins: [{date: 2025-08-14, value: 5}]}
        """)
    a, b = o.key_results
    assert a.expected == pytest.approx((90 + 10 * 15 / 61) / 100)
    assert b.expected == pytest.approx(45 / 91)
    assert o.expected == pytest.approx((3 * a.expected + b.expected) / 4)
    assert o.progress == pytest.approx(0.45 * 3 / 4 + 0.5 / 4)
    # 0.4625 against the cycle's 0.4945 would be on track; against the plan's 0.804 it is off track
    assert o.status == "off_track"


# -- forecasts ---------------------------------------------------------------------------------------


def test_forecast_from_one_dated_value_is_the_line_through_start_and_it(tmp_path: Path) -> None:
    r = one_kr(tmp_path, "- {id: a, title: A, start: 40, target: 60, checkins: [{date: 2025-07-31, value: 46}]}\n")
    # through (0, 40) and (30, 46): slope 0.2, at x = 91: 58.2
    assert r.forecast == pytest.approx(58.2)
    assert r.forecast_progress == pytest.approx(0.91)
    assert r.forecast_line == pytest.approx((40, 58.2))


def test_forecast_from_several_values_is_least_squares_with_start_as_a_point(tmp_path: Path) -> None:
    r = one_kr(tmp_path, """\
        - id: a
          title: A
          start: 40
          target: 60
          checkins:
            - {date: 2025-07-16, value: 43}
            - {date: 2025-07-31, value: 49}
            - {date: 2025-08-15, value: 50}
            - {date: 2025-08-20, value: 99}
        """)
    # (0,40) (15,43) (30,49) (45,50); 08-20 is after as_of. Means 22.5, 45.5; Sxx 1125, Sxy 270:
    # slope 0.24, intercept 45.5 − 0.24·22.5 = 40.1 (not 40: start is a point, not a constraint)
    assert r.forecast == pytest.approx(40.1 + 0.24 * 91)  # 61.94
    assert r.forecast_progress == 1.0  # (61.94 − 40) / 20 = 1.097, clamped
    assert r.forecast_line is not None and r.forecast_line[0] == pytest.approx(40.1)


def test_on_a_date_with_both_only_the_checkins_are_points(tmp_path: Path) -> None:
    r = one_kr(tmp_path, "- {id: a, title: A, start: 40, target: 60, kpi: m, checkins: [{date: 2025-07-31, value: 46}]}\n",
               kpi="""\
        measurements:
          - {date: 2025-06-30, value: 10}
          - {date: 2025-07-16, value: 43}
          - {date: 2025-07-31, value: 100}
        """)
    # points (0,40) (15,43) (30,46): on one line of slope 0.2; 06-30 is before the cycle, 07-31's 100 loses
    assert r.forecast == pytest.approx(58.2)
    assert r.current == 46


def test_forecast_of_a_decrease(tmp_path: Path) -> None:
    r = one_kr(tmp_path, "- {id: a, title: A, kind: decrease, start: 47, target: 35, "
                         "checkins: [{date: 2025-07-31, value: 44}]}\n")
    assert r.forecast == pytest.approx(47 - 0.1 * 91)  # 37.9
    assert r.forecast_progress == pytest.approx((37.9 - 47) / (35 - 47))


def test_an_explicit_current_is_not_a_point(tmp_path: Path) -> None:
    dated = one_kr(tmp_path, "- {id: a, title: A, start: 40, target: 60, current: 59, "
                             "checkins: [{date: 2025-07-31, value: 46}]}\n")
    assert dated.current == 59 and dated.forecast == pytest.approx(58.2)
    alone = one_kr(tmp_path / "b", "- {id: a, title: A, start: 40, target: 60, current: 59}\n")
    assert (alone.forecast, alone.forecast_progress) == (None, None)


@pytest.mark.parametrize("as_of", ["2025-10-15", "2025-06-20"])
def test_no_forecast_outside_a_running_cycle(tmp_path: Path, as_of: str) -> None:
    r = one_kr(tmp_path, "- {id: a, title: A, start: 40, target: 60, checkins: [{date: 2025-07-31, value: 46}]}\n",
               as_of=as_of)
    assert (r.forecast, r.forecast_progress, r.forecast_line) == (None, None, None)


def test_no_forecast_without_a_dated_value_or_a_slope(tmp_path: Path) -> None:
    none = one_kr(tmp_path, "- {id: a, title: A, start: 40, target: 60}\n")
    first_day = one_kr(tmp_path / "b", "- {id: a, title: A, start: 40, target: 60, "
                                        "checkins: [{date: 2025-07-01, value: 45}]}\n")  # every x is 0
    assert none.forecast is None and first_day.forecast is None


def test_objective_forecast_counts_progress_where_a_kr_has_none(tmp_path: Path) -> None:
    o = computed(tmp_path, """\
        - {id: a, title: A, start: 40, target: 60, weight: 3, checkins: [{date: 2025-07-31, value: 46}]}
        - {id: b, title: B, start: 0, target: 10, current: 2}
        - {id: c, title: C, kind: milestone, due: 2025-09-01, done: true}
        """)
    assert o.forecast == pytest.approx((3 * 0.91 + 0.2 + 1.0) / 5)  # 0.786: not forecast to miss
    assert not o.forecast_to_miss
    low = computed(tmp_path / "b", "- {id: a, title: A, start: 40, target: 60, checkins: [{date: 2025-07-31, value: 46}]}\n"
                                   "- {id: b, title: B, kind: milestone, due: 2025-09-01}\n")
    assert low.forecast == pytest.approx(0.455) and low.forecast_to_miss
    none = computed(tmp_path / "c", "- {id: b, title: B, kind: milestone, due: 2025-09-01}\n")
    assert (none.forecast, none.forecast_to_miss) == (None, False)


# -- confidence --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("before", "after", "falling"),
    [
        (0.7, 0.5, True),  # exactly 0.2 (0.7 − 0.5 is 0.19999999999999996 in floating point)
        (0.8, 0.6, True),
        (0.7, 0.51, False),  # just under 0.2
        (0.5, 0.9, False),
    ],
)
def test_confidence_falling(tmp_path: Path, before: float, after: float, falling: bool) -> None:
    r = one_kr(tmp_path, f"""\
        - id: a
          title: A
          start: 0
          target: 10
          checkins:
            - {{date: 2025-07-10, value: 1, confidence: {before}}}
            - {{date: 2025-07-20, value: 2}}
            - {{date: 2025-08-01, value: 3, confidence: {after}}}
            - {{date: 2025-08-30, value: 4, confidence: 0.1}}
        """)
    # 07-20 gives none, so 08-01 is compared with 07-10; 08-30 is after as_of
    assert r.confidence == after
    assert r.confidence_falling is falling


def test_confidence_without_any_or_with_one(tmp_path: Path) -> None:
    none = one_kr(tmp_path, "- {id: a, title: A, start: 0, target: 10, checkins: [{date: 2025-07-10, value: 1}]}\n")
    single = one_kr(tmp_path / "b", "- {id: a, title: A, start: 0, target: 10, "
                                    "checkins: [{date: 2025-07-10, value: 1, confidence: 0.1}]}\n")
    assert (none.confidence, none.confidence_falling) == (None, False)
    assert (single.confidence, single.confidence_falling) == (0.1, False)


def test_confidence_follows_dates_not_the_written_order(tmp_path: Path) -> None:
    r = one_kr(tmp_path, """\
        - id: a
          title: A
          start: 0
          target: 10
          checkins:
            - {date: 2025-08-01, value: 3, confidence: 0.9}
            - {date: 2025-07-10, value: 1, confidence: 0.2}
            - {date: 2025-08-01, value: 4, confidence: 0.6}
            - {date: 2025-07-20, value: 2, confidence: 0.8}
        """)
    # by date: 07-10 0.2, 07-20 0.8, 08-01 0.9, 08-01 0.6 (of one date, the later written is newer)
    assert (r.confidence, r.confidence_falling) == (0.6, True)
