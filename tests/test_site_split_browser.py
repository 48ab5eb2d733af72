"""The split map in real headless Chromium: sunbursts draw cleanly and a click drills down a level."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from typing import Any

import pytest

from tests.conftest import NEEDS_CHROMIUM
from tests.site_support import REPO, build_site, static_server
from tests.test_browser_site import Watch, wait_for_charts

sys.path.insert(0, str(REPO / "bench"))
from generate import generate  # noqa: E402

pytestmark = [pytest.mark.browser, NEEDS_CHROMIUM]

# A point inside the sunburst segment of `id` (plotly draws no element per id we could click, and a
# ring segment's bounding box centre is often outside it): scan its box for a point that hits it.
POINT_IN_SEGMENT = """
(id) => {
  const path = [...document.querySelectorAll('.chart-plot g.slice path.surface')]
    .find(p => p.parentNode.__data__ && p.parentNode.__data__.data.data.id === id);
  if (!path) return null;
  const box = path.getBoundingClientRect();
  for (let fy = 0.5; fy < 1; fy += 0.05) for (const s of [1, -1]) for (let fx = 0.5; fx < 1; fx += 0.05) {
    const x = box.left + box.width * (s > 0 ? fx : 1 - fx), y = box.top + box.height * (s > 0 ? fy : 1 - fy);
    const hit = document.elementFromPoint(x, y);
    if (hit === path || (hit && path.parentNode.contains(hit))) return [x, y];
  }
  return null;
}
"""


@pytest.fixture(scope="module")
def site_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    root = tmp_path_factory.mktemp("split-browser")
    out = build_site(generate(root / "site", 200), root / "out")
    with static_server(out) as url:
        yield url


@pytest.fixture
def page(browser_context: Any) -> Iterator[tuple[Any, Watch]]:
    pg = browser_context.new_page()
    watch = Watch()
    watch.attach(pg)
    try:
        yield pg, watch
    finally:
        pg.close()


def segments(pg: Any) -> list[list[str]]:
    """(id, drill-down URL) of every segment of the page's sunburst."""
    return pg.evaluate("""() => { const f = JSON.parse(document.querySelector('script[id^="chart-map-"]').textContent);
        const t = f.data[0]; return t.ids.map((id, i) => [id, t.customdata[i][1]]); }""")


def click_segment(pg: Any, seg_id: str) -> None:
    point = pg.evaluate(POINT_IN_SEGMENT, seg_id)
    assert point, seg_id
    pg.mouse.click(*point)


def test_sunburst_drills_down_from_the_landing_to_a_team(site_url: str, page: tuple[Any, Watch]) -> None:
    pg, watch = page
    pg.goto(site_url + "map.html")
    assert wait_for_charts(pg) == 1
    stream = next(s for s in segments(pg) if s[0] == "unit:stream-1")
    assert stream[1] == "map/2025-Q3/stream-1.html"
    with pg.expect_navigation():
        click_segment(pg, "unit:stream-1")
    assert pg.url == site_url + "map/2025-Q3/stream-1.html"
    assert wait_for_charts(pg) == 1
    team = next(s for s in segments(pg) if s[0].startswith("unit:team-"))
    with pg.expect_navigation():
        click_segment(pg, team[0])
    assert pg.url == site_url + team[1]
    assert wait_for_charts(pg) == 1
    # a team's map: its objectives, their key results and the KPIs measuring them
    kinds = {s[0].split(":")[0] for s in segments(pg)}
    assert {"objective", "kr", "kpi"} <= kinds
    # the centre goes back up a level
    with pg.expect_navigation():
        click_segment(pg, team[0])
    assert pg.url == site_url + "map/2025-Q3/stream-1.html"
    assert watch.problems == []


def test_objective_segment_zooms_and_offers_its_page(site_url: str, page: tuple[Any, Watch]) -> None:
    pg, watch = page
    pg.goto(site_url + "map/2025-Q3/team-3.html")
    wait_for_charts(pg)
    objective = next(s for s in segments(pg) if s[0].startswith("objective:"))
    click_segment(pg, objective[0])
    link = pg.locator(".map-pick a")
    link.wait_for()
    assert link.get_attribute("href") == "../../objectives/" + objective[0].split(":", 1)[1] + ".html"
    assert pg.url == site_url + "map/2025-Q3/team-3.html"  # no navigation: plotly zoomed in
    assert watch.problems == []


def test_drill_down_works_without_javascript(chromium: Any, site_url: str) -> None:
    context = chromium.new_context(java_script_enabled=False)
    try:
        pg = context.new_page()
        pg.goto(site_url + "map.html")
        assert not pg.is_visible(".chart-plot")
        pg.click("table.units-table a[href='map/2025-Q3/stream-2.html']")
        pg.wait_for_url("**/map/2025-Q3/stream-2.html")
        assert pg.locator(".outline li.node-objective").count() >= 1
        assert pg.locator(".outline li.node-kr").count() >= 4
        pg.locator("table.units-table th a").first.click()
        pg.wait_for_url("**/map/2025-Q3/team-*.html")
        assert pg.locator(".outline li.node-objective").count() >= 1
    finally:
        context.close()


def test_split_pages_open_cleanly(site_url: str, page: tuple[Any, Watch]) -> None:
    pg, watch = page
    for rel in ("map/2025-Q2.html", "map/2025-Q3/portfolio.html", "objectives/index.html",
                "objectives/2025-Q3/page-2.html", "objectives/2025-Q2/index.html", "kpis/index.html",
                "cycles/2025-Q3.html", "cycles/2025-Q2.html", "org/index.html", "org/portfolio.html"):
        watch.problems.clear()
        pg.goto(site_url + rel, wait_until="load")
        wait_for_charts(pg)
        assert watch.problems == [], rel
    # the pager walks forward and back
    pg.goto(site_url + "objectives/index.html")
    pg.click(".page-nav a[rel=next] >> nth=0")
    pg.wait_for_url("**/objectives/2025-Q3/page-2.html")
    pg.click(".page-nav a[rel=prev] >> nth=0")
    pg.wait_for_url("**/objectives/index.html")
