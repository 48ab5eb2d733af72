"""A handbook written from the format page's own snippets: it checks clean and data.json holds the spec's values.

Every expected number below is worked out by hand from the rules in the spec.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from okrsite.build import check, render
from okrsite.render.data_json import build_data

SITE = Path(__file__).parent / "fixtures" / "spec-handbook"


@pytest.fixture(scope="module")
def data() -> dict:
    build = check(SITE, "spec")
    assert [d.text() for d in build.diagnostics] == []
    render(build)
    assert build.resolved is not None and build.results is not None
    return build_data(build.site, build.resolved.graph, build.results)


def by_id(items: list[dict]) -> dict[str, dict]:
    return {i["id"]: i for i in items}


def test_site_and_cycles(data: dict) -> None:
    assert data["site"]["base_path"] == "/okr/"
    assert data["site"]["current_cycle"] == "2025-Q3"  # first listed cycle containing as_of
    assert [c["id"] for c in data["cycles"]] == ["2025-Q3", "PI-14"]


def test_objective_values(data: dict) -> None:
    csat = by_id(data["objectives"])["csat"]
    nps = by_id(csat["key_results"])["nps-60"]
    # newest check-in (2025-08-12: 51) beats the KPI's older measurement (2025-07-31: 47)
    assert nps["current"] == 51
    assert nps["progress"] == pytest.approx((51 - 42) / (60 - 42))
    assert by_id(csat["key_results"])["b"]["progress"] == 0  # baseline without a value
    assert csat["progress"] == pytest.approx(0.25)
    assert csat["expected"] == pytest.approx(45 / 91)  # 2025-07-01 → 2025-08-15 of 91 days
    assert csat["status"] == "at_risk"  # 0.25 < 0.494 - 0.1, ≥ 0.494 - 0.3
    assert csat["grade"] is None
    assert csat["predictability"] == pytest.approx(7 / 8)
    assert csat["parent"] == "some-objective-id" and csat["kpis"] == ["nps", "app-rating"]
    assert csat["url"] == "objectives/csat.html"
    parent = by_id(data["objectives"])["some-objective-id"]
    assert [k["progress"] for k in parent["key_results"]] == [1, 1]  # milestone done; inside [null, 3]
    assert parent["status"] == "on_track"


def test_kpi_values(data: dict) -> None:
    kpis = by_id(data["kpis"])
    assert kpis["nps"]["latest"] == {"date": "2025-07-31", "value": 47}
    assert kpis["nps"]["health"] == "at_risk"  # between alert 45 and target 60
    assert kpis["customer-satisfaction"]["latest"] == {"date": "2025-07-31", "value": 81}  # from csat.csv
    assert kpis["customer-satisfaction"]["health"] == "off_track"  # outside [70, 80]
    assert kpis["app-rating"]["latest"] is None and kpis["app-rating"]["health"] == "no_data"
    assert kpis["nps"]["parent"] == "customer-satisfaction"


# -- the audit handbook: every rule of the contract, one entity each ---------------------------
#
# as_of 2025-08-15. Cycles: 2025-Q3 (07-01…09-30, running: 45 of 91 days), PI-14 (07-07…09-26,
# running: 39 of 81 days), 2025-Q2 (ended), 2025-Q4 (planned). stale_after_days 21.

AUDIT = Path(__file__).parent / "fixtures" / "audit-handbook"


@pytest.fixture(scope="module")
def audit() -> dict:
    build = check(AUDIT, "audit")
    assert [d.text() for d in build.diagnostics] == [
        "audit/content/objectives/past/ended-green.md:13:16: warning: check-in dated 2025-07-05 is outside "
        "cycle 2025-Q2 (2025-04-01 – 2025-06-30) and is not counted",
        "audit/content/objectives/q3/obj-nodata.md:13:16: warning: check-in dated 2025-06-15 is outside "
        "cycle 2025-Q3 (2025-07-01 – 2025-09-30) and is not counted",
    ]
    assert build.resolved is not None and build.results is not None
    return build_data(build.site, build.resolved.graph, build.results)


def krs(audit: dict, obj_id: str) -> dict[str, dict]:
    return by_id(by_id(audit["objectives"])[obj_id]["key_results"])


def test_audit_cycles_and_org_units(audit: dict) -> None:
    assert audit["site"]["current_cycle"] == "2025-Q3"  # first listed containing as_of (PI-14 does too)
    assert [(c["id"], c["state"]) for c in audit["cycles"]] == [
        ("2025-Q3", "running"), ("PI-14", "running"), ("2025-Q2", "ended"), ("2025-Q4", "planned")]
    units = by_id(audit["org_units"])
    assert units["company"] == {"id": "company", "title": "Company", "url": "org/company.html",
                                "kind": "company", "parent": None, "lead": "Ada Boss"}
    assert units["cx"]["parent"] == "company" and units["team-a"]["parent"] == "cx"
    assert units["guild"]["kind"] is None  # not written: null, like every absent value


@pytest.mark.parametrize(("kr", "current", "source", "progress", "raw"), [
    ("kr-inc", 51, "checkin", 0.5, 0.5),  # 08-12 check-in newer than the KPI's 07-31 measurement
    ("kr-kpi", 47, "measurement", 0.7, 0.7),  # nps 07-31; 06-30 is before the cycle, 08-20 after as_of
    ("kr-dec", 12, "explicit", 0.8, 0.8),  # (12 − 20) / (10 − 20)
    ("kr-over", 15, "explicit", 1, 1.5),  # clamped; stretch 20 is not scored
    ("kr-under", 12, "explicit", 0, -0.4),  # decrease that went up: (12 − 10) / (5 − 10)
])
def test_audit_increase_decrease_and_current(audit: dict, kr: str, current: float, source: str,
                                             progress: float, raw: float) -> None:
    r = krs(audit, "obj-main")[kr]
    assert (r["current"], r["current_source"]) == (current, source)
    assert r["progress"] == pytest.approx(progress) and r["progress_raw"] == pytest.approx(raw)


def test_audit_objective_progress_status_and_predictability(audit: dict) -> None:
    o = by_id(audit["objectives"])
    # weights 1, 1, 1, 2, 1: (0.5 + 0.7 + 0.8 + 2 × 1 + 0) / 6
    assert o["obj-main"]["progress"] == pytest.approx(4 / 6)
    assert o["obj-main"]["expected"] == pytest.approx(45 / 91)
    assert o["obj-main"]["status"] == "on_track" and o["obj-main"]["grade"] is None
    assert o["obj-main"]["predictability"] == pytest.approx(7 / 8)
    assert o["obj-main"]["kpis"] == ["nps", "csv-kpi"] and o["obj-main"]["parent"] is None
    # threshold in / out, milestone done / not done, baseline with a value: 3 of 5
    assert [k["progress"] for k in o["obj-kinds"]["key_results"]] == [1, 0, 1, 0, 1]
    assert o["obj-kinds"]["progress"] == pytest.approx(0.6) and o["obj-kinds"]["status"] == "on_track"
    # no data ×3 (check-in before the cycle, after as_of, baseline without any); threshold at its
    # inclusive bound 10; same-date check-in 40 beats the measurement 30: (0 + 0 + 0 + 1 + 0.4) / 5
    nd = krs(audit, "obj-nodata")
    assert [nd[k]["no_data"] for k in ("kr-a", "kr-b", "kr-c", "kr-d", "kr-e")] == [True, True, True, False, False]
    assert nd["kr-a"]["current"] is None and nd["kr-a"]["progress"] == 0
    assert nd["kr-e"]["current"] == 40 and nd["kr-e"]["current_source"] == "checkin"
    assert o["obj-nodata"]["progress"] == pytest.approx(0.28)
    assert o["obj-nodata"]["status"] == "at_risk"  # 0.28 < 0.494 − 0.1, ≥ 0.494 − 0.3
    assert o["obj-nodata"]["parent"] == ["obj-main/kr-inc", "obj-kinds"]
    assert o["obj-off"]["progress"] == pytest.approx(0.025) and o["obj-off"]["status"] == "off_track"
    assert o["obj-off"]["parent"] == "obj-kinds/kr-base"
    # weights 0.5 and 1.5: (0.5 × 0.5 + 1.5 × 0.4) / 2, decrease from 1.0 to 0.5 at 0.8
    assert o["custom-obj"]["progress"] == pytest.approx(0.425)
    assert o["custom-obj"]["url"] == "objectives/custom-obj.html"  # type: objective outside objectives/
    # PI-14: 3 × 0.25 + 1 (milestone) + 0.55 (CSV measurement 08-05) + 0 (KPI measured only
    # before the PI starts) over weight 6; expected 39 / 81
    pi = o["obj-pi"]
    assert krs(audit, "obj-pi")["kr-3"]["current"] == 55 and krs(audit, "obj-pi")["kr-4"]["no_data"] is True
    assert pi["progress"] == pytest.approx(2.3 / 6) and pi["expected"] == pytest.approx(39 / 81)
    assert pi["status"] == "on_track" and pi["predictability"] == 1
    # Q4 has not started: expected 0, planned, no grade
    assert (o["future"]["progress"], o["future"]["expected"], o["future"]["status"], o["future"]["grade"]) == \
        (0.25, 0, "planned", None)


@pytest.mark.parametrize(("obj", "score", "grade"), [
    ("ended-green", 0.7, "green"), ("ended-yellow", 0.4, "yellow"), ("ended-red", 0.39, "red")])
def test_audit_ended_cycle_grades_at_the_band_edges(audit: dict, obj: str, score: float, grade: str) -> None:
    o = by_id(audit["objectives"])[obj]
    assert (o["status"], o["grade"], o["expected"]) == ("ended", grade, 1)
    assert o["progress"] == pytest.approx(score)


def test_audit_ended_cycle_counts_only_values_inside_it(audit: dict) -> None:
    kr = krs(audit, "ended-green")["kr-1"]  # the 07-05 check-in (10) is after Q2 ended
    assert (kr["current"], kr["current_date"]) == (7, "2025-05-01")
    assert by_id(audit["objectives"])["ended-green"]["predictability"] == pytest.approx(0.5)


def test_audit_stale_key_results(audit: dict) -> None:
    assert krs(audit, "obj-kinds")["kr-base"]["stale"] is True  # 07-20: 26 days before as_of
    assert krs(audit, "obj-off")["kr-1"]["stale"] is True  # 07-24: 22 days
    assert krs(audit, "obj-nodata")["kr-d"]["stale"] is False  # 07-25: exactly 21 days is not older
    assert krs(audit, "custom-obj")["kr-1"]["stale"] is False
    assert krs(audit, "obj-main")["kr-dec"]["stale"] is False  # explicit current has no date
    assert krs(audit, "ended-green")["kr-1"]["stale"] is False  # its cycle has ended


@pytest.mark.parametrize(("kpi", "latest", "health"), [
    ("nps", ("2025-07-31", 47), "at_risk"),  # 08-20 is after as_of
    ("h-at-target", ("2025-08-15", 60), "healthy"),  # at the target, measured on as_of
    ("at-alert", ("2025-08-01", 45), "at_risk"),  # at the alert is still at risk
    ("off-past-alert", ("2025-08-01", 44.5), "off_track"),
    ("no-alert", ("2025-08-01", 59.9), "off_track"),  # short of the target, no alert
    ("lower-healthy", ("2025-08-01", 10), "healthy"),
    ("lower-at-risk", ("2025-08-01", 20), "at_risk"),
    ("lower-off", ("2025-08-01", 21), "off_track"),
    ("lower-noalert", ("2025-08-01", 9), "healthy"),
    ("range-in", ("2025-08-01", 80), "healthy"),  # bounds inclusive
    ("range-out-high", ("2025-08-01", 80.5), "off_track"),
    ("range-out-low", ("2025-08-01", 69), "off_track"),  # [70, null]
    ("range-null-low", ("2025-08-01", 5), "healthy"),  # [null, 5]
    ("no-data", None, "no_data"),
    ("future-only", None, "no_data"),  # its only measurement is after as_of
    ("no-target", ("2025-08-01", 5), "no_target"),
    ("csv-kpi", ("2025-08-05", 55), "at_risk"),  # from data/csv.csv; 08-30 is after as_of
])
def test_audit_kpi_latest_and_health(audit: dict, kpi: str, latest: tuple | None, health: str) -> None:
    k = by_id(audit["kpis"])[kpi]
    assert k["latest"] == ({"date": latest[0], "value": latest[1]} if latest else None)
    assert k["health"] == health


def test_current_cycle_when_every_cycle_is_ahead(tmp_path: Path) -> None:
    """Silent in the contract (nothing contains as_of, nothing has ended): the next cycle to start."""
    from tests.handbook import CONFIG, write_site

    root = write_site(tmp_path / "site", {"okrsite.yaml": CONFIG.replace("as_of: 2025-08-16", "as_of: 2025-01-10")})
    assert check(root, "site").site.config.current_cycle == "2025-Q2"
