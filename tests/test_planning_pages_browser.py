"""The planning charts in real headless Chromium, light and dark: no console error, every trace drawn,
the planned path dotted and the forecasts dashed in resolved colours, the confidence sparkline shown."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import NEEDS_CHROMIUM
from tests.planning_handbook import build_planning_site
from tests.site_support import static_server
from tests.test_browser_site import Watch, wait_for_charts

pytestmark = [pytest.mark.browser, NEEDS_CHROMIUM]

# per trace of the progress chart: its meta, its line's dash as drawn, its stroke colour, drawn points
TRACES = """el => el._fullData.map((t, i) => {
    const g = el.querySelectorAll('.scatterlayer .trace')[i];
    const line = g && g.querySelector('path.js-line');
    return {name: t.name, meta: t.meta || null, dash: line ? line.style.strokeDasharray : null,
            stroke: line ? line.style.stroke : null, d: line ? line.getAttribute('d') : null};
})"""


@pytest.fixture(scope="module")
def planning_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with static_server(build_planning_site(tmp_path_factory.mktemp("planning-browser"))) as url:
        yield url


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_planning_charts_draw_cleanly(chromium: Any, planning_url: str, scheme: str, tmp_path: Path) -> None:
    context = chromium.new_context(viewport={"width": 1280, "height": 900}, color_scheme=scheme)
    try:
        pg = context.new_page()
        watch = Watch()
        watch.attach(pg)
        pg.goto(planning_url + "objectives/grow.html", wait_until="load")
        assert wait_for_charts(pg) == 1
        drawn = pg.eval_on_selector("#chart-progress-grow", TRACES)
        by_meta: dict[str | None, list[dict]] = {}
        for t in drawn:
            by_meta.setdefault(t["meta"], []).append(t)
        assert len(by_meta["forecast"]) == 2 and len(by_meta["plan"]) == 1 and len(by_meta["planned"]) == 1
        for t in by_meta["forecast"] + by_meta["plan"] + by_meta["planned"]:
            assert t["d"] and t["d"].startswith("M"), t  # the line has a path
            assert t["dash"] not in ("", "none", None), t  # dashed or dotted, not solid
            assert t["stroke"].startswith("rgb"), t  # var(--…) resolved from the page's CSS
        # the two forecast lines: dashes longer than the plan's dots
        dash = [float(v.rstrip("px")) for v in by_meta["forecast"][0]["dash"].replace(",", " ").split()]
        dot = [float(v.rstrip("px")) for v in by_meta["plan"][0]["dash"].replace(",", " ").split()]
        assert dash[0] > dot[0]
        # colours follow the scheme: the axis text is the scheme's muted text colour
        muted = pg.evaluate("getComputedStyle(document.documentElement).getPropertyValue('--fg-muted').trim()")
        tick = pg.evaluate("getComputedStyle(document.querySelector('#chart-progress-grow .xtick text')).fill")
        assert tick == pg.evaluate(f"""(() => {{ const s = document.createElement('span');
            s.style.color = '{muted}'; document.body.append(s); const c = getComputedStyle(s).color;
            s.remove(); return c; }})()""")
        # the confidence sparkline draws, its fall in the warning tone
        spark = pg.locator(".conf-spark.falling").first
        assert spark.is_visible()
        fall = pg.eval_on_selector(".conf-spark .conf-fall", "el => getComputedStyle(el).stroke")
        warn = pg.evaluate("""(() => { const s = document.createElement('span');
            s.style.color = 'var(--tone-warn)'; document.body.append(s); const c = getComputedStyle(s).color;
            s.remove(); return c; })()""")
        assert fall == warn
        pg.locator("figure.chart").first.screenshot(path=str(tmp_path / f"chart-{scheme}.png"))
        assert (tmp_path / f"chart-{scheme}.png").stat().st_size > 0
        assert watch.problems == []

        pg.goto(planning_url + "index.html", wait_until="load")
        wait_for_charts(pg)
        for sid in ("forecast-to-miss", "confidence-falling", "dependencies-in-trouble"):
            assert pg.locator(f"#{sid}").is_visible()
        assert pg.locator(".watch-grid .chip").count() >= 5
        assert watch.problems == []
    finally:
        context.close()
