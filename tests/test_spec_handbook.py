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
