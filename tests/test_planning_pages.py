"""Plans, forecasts, confidence and dependencies on the built objective and home pages (real CLI, real files).

Expected figures are worked out here from the handbook in tests/planning_handbook.py and the spec's rules
(cycle 2025-07-01 … 2025-09-30: 91 days; as_of 2025-08-15: day 45), not read back from the program.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.planning_handbook import build_planning_site, write_planning_handbook
from tests.site_support import REPO, parse, visible_text

DAYS = 91
AS_OF = 45


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_planning_site(tmp_path_factory.mktemp("planning"))


def figure(site: Path, rel: str, chart_id: str) -> dict:
    return parse(site, rel).json_scripts()[chart_id + "-data"]  # type: ignore[return-value]


def traces(fig: dict, meta: str) -> list[dict]:
    return [t for t in fig["data"] if t.get("meta") == meta]


def fit_end(points: list[tuple[int, float]]) -> float:
    """Least-squares line through the points (x = days since the start), at x = DAYS."""
    n = len(points)
    sx = sum(x for x, _ in points)
    sy = sum(y for _, y in points)
    sxx = sum(x * x for x, _ in points)
    sxy = sum(x * y for x, y in points)
    slope = (n * sxy - sx * sy) / (n * sxx - sx * sx)
    return (sy - slope * sx) / n + slope * DAYS


def chips(html: str) -> list[tuple[str, str]]:
    """(tone, words) of every status chip on a page."""
    return [(t, re.sub(r"\s+", " ", w).strip()) for t, w in
            re.findall(r'<span class="chip tone-(\w+)"[^>]*><span class="chip-icon"[^>]*>.</span>([^<]*)</span>', html)]


def test_progress_chart_draws_the_planned_path(site: Path) -> None:
    fig = figure(site, "objectives/grow.html", "chart-progress-grow")
    (plan,) = traces(fig, "plan")  # only "NPS of 60 or more" has a plan
    assert plan["name"] == "Plan: NPS of 60 or more"
    assert plan["line"]["dash"] == "dot"
    # corners (cycle start, start) → plan points → (cycle end, target), as progress of 40 → 60
    assert plan["x"] == ["2025-07-01", "2025-07-31", "2025-08-31", "2025-09-30"]
    assert plan["y"] == [0, pytest.approx((46 - 40) / 20 * 100), pytest.approx((53 - 40) / 20 * 100), 100]
    # the objective's planned path: weighted mean of that plan and the cycle's pace for the other two
    (overall,) = traces(fig, "planned")
    assert overall["name"] == "Planned path"
    assert overall["x"] == plan["x"]
    day = {"2025-07-01": 0, "2025-07-31": 30, "2025-08-31": 61, "2025-09-30": 91}
    for x, y, p in zip(overall["x"], overall["y"], plan["y"], strict=True):
        assert y == pytest.approx((p + 2 * day[x] / DAYS * 100) / 3, abs=0.01)


def test_progress_chart_draws_each_forecast_dashed_to_the_cycle_end(site: Path) -> None:
    fig = figure(site, "objectives/grow.html", "chart-progress-grow")
    ahead = {t["name"]: t for t in traces(fig, "forecast")}
    # increase and decrease key results forecast; the milestone does not
    assert sorted(ahead) == ["Forecast: Cost per move below 80", "Forecast: NPS of 60 or more"]
    nps = ahead["Forecast: NPS of 60 or more"]
    assert nps["line"]["dash"] == "dash"
    assert nps["x"][0] == "2025-08-15" and nps["x"][-1] == "2025-09-30"
    end = fit_end([(0, 40), (15, 41), (31, 43), (42, 44)])
    assert nps["y"][-1] == pytest.approx((end - 40) / 20 * 100, abs=0.01)
    cost = ahead["Forecast: Cost per move below 80"]
    cost_end = fit_end([(0, 100), (19, 97), (40, 92)])
    assert cost["y"][-1] == pytest.approx((100 - cost_end) / 20 * 100, abs=0.01)
    # each forecast shares its key result's colour and legend group
    for t in (nps, cost):
        (own,) = [k for k in fig["data"] if k.get("legendgroup") == t["legendgroup"] and "meta" not in k]
        assert own["line"]["color"] == t["line"]["color"]
        assert t["line"]["color"].startswith("var(--series-")


def test_a_forecast_reaching_the_target_flattens_at_100_percent(site: Path) -> None:
    fig = figure(site, "objectives/portal.html", "chart-progress-portal")
    (t,) = traces(fig, "forecast")
    assert max(t["y"]) == 100 and t["y"][-1] == 100  # 600 of 1,000 by day 44: past the target before the end
    assert len(t["x"]) == 3  # as_of, where it meets the target, the end


def test_objective_page_shows_forecast_confidence_and_dependencies(site: Path) -> None:
    html = (site / "objectives/grow.html").read_text(encoding="utf-8")
    got = chips(html)
    assert ("warn", "Forecast to miss · 45%") in got  # head chip: the objective's forecast below 0.7
    assert ("warn", "Confidence falling") in got  # NPS: 0.8 → 0.6
    assert ("bad", "1 dependency in trouble") in got
    text = visible_text(html)
    assert "forecast at the end, 30 Sep 2025" in text
    assert "Planned by now 49.4 pts (47%)" in text  # 46 + 7 × 15/31 on 15 Aug
    # the confidence sparkline, with the fall marked, and a text alternative
    assert 'class="conf-spark falling"' in html
    assert "Confidence 80% on 16 Jul 2025 to 60% on 12 Aug 2025, 3 check-ins; falling" in html
    # Depends on: the one in trouble first, with its status chip; Needed by: portal (needs the NPS key result)
    deps = text[text.index("Depends on"):text.index("Needed by")]
    assert deps.index("Automate the cranes") < deps.index("Berth API ready")
    assert re.search(r"Automate the cranes ✕ Off track ✕ In trouble", deps)
    assert "Berth API ready key result of Berth system ready ✓ On track" in deps
    needed = text[text.index("Needed by"):]
    assert re.search(r"Customer portal adoption ✓ On track Acme Port · 60% · needs “NPS of 60 or more”", needed)
    # the chart's no-JS table carries the plan and forecast figures
    assert "Forecast at the end" in html and "Expected now" in html


def test_home_lists_forecast_to_miss_confidence_falling_and_dependencies_in_trouble(site: Path) -> None:
    page = parse(site, "index.html")
    assert {"forecast-to-miss", "confidence-falling", "dependencies-in-trouble"} <= page.ids
    text = visible_text(page.text)
    miss = text[text.index("Forecast to miss"):text.index("Confidence falling")]
    assert miss.index("Automate the cranes") < miss.index("Grow customer satisfaction")  # lowest forecast first
    assert "Customer portal adoption" not in miss and "Berth" not in miss
    falling = text[text.index("Confidence falling"):text.index("Dependencies in trouble")]
    assert "NPS of 60 or more ! Confidence 80% → 60% in Grow customer satisfaction" in falling
    trouble = text[text.index("Dependencies in trouble"):]
    assert "Grow customer satisfaction ✕ 1 in trouble needs Automate the cranes ✕ Off track" in trouble
    assert "Customer portal adoption ✕ 1 in trouble needs NPS of 60 or more ! At risk" in trouble
    assert ("bad", "1 in trouble") in chips(page.text)
    assert page.hrefs().count("objectives/grow.html#kr-nps") >= 1


def test_home_lists_are_capped_with_a_more_link(tmp_path: Path) -> None:
    site = write_planning_handbook(tmp_path / "handbook")
    for i in range(12):  # twelve more objectives forecast to miss: one value of 1 in 10 by mid-cycle
        (site / f"content/objectives/slow-{i:02}.md").write_text(
            f"---\ntitle: Slow {i:02}\ncycle: 2025-Q3\norg_unit: ops\nkey_results:\n"
            "  - {id: a, title: A, start: 0, target: 10, checkins: [{date: 2025-08-10, value: 1}]}\n"
            "  - {id: b, title: B, start: 0, target: 10, checkins: [{date: 2025-08-10, value: 1}]}\n---\n",
            encoding="utf-8")
    out = tmp_path / "out"
    proc = subprocess.run([sys.executable, "-m", "okrsite", "build", str(site), "--out", str(out)],
                          cwd=REPO, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    text = visible_text((out / "index.html").read_text(encoding="utf-8"))
    miss = text[text.index("Forecast to miss"):text.index("Confidence falling")]
    assert miss.count("Forecast 2") + miss.count("Forecast 4") == 10  # 10 rows shown (23% and 45% forecasts)
    assert "4 more objectives forecast to miss →" in miss  # 14 in all


def test_pages_are_the_same_with_one_worker(site: Path, tmp_path: Path) -> None:
    hb = write_planning_handbook(tmp_path / "handbook")
    out = tmp_path / "out"
    proc = subprocess.run([sys.executable, "-m", "okrsite", "build", str(hb), "--out", str(out), "--jobs", "1"],
                          cwd=REPO, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    for rel in ("index.html", "objectives/grow.html", "objectives/portal.html"):
        assert (out / rel).read_bytes() == (site / rel).read_bytes(), rel
