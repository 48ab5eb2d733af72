"""People pages, the dependency matrix and the phone drawer in real headless Chromium, light and dark."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import NEEDS_CHROMIUM
from tests.people_support import write_port_handbook
from tests.site_support import build_site, static_server
from tests.test_browser_site import Watch, wait_for_charts

pytestmark = [pytest.mark.browser, NEEDS_CHROMIUM]
SHOTS = Path(tempfile.gettempdir()) / "okrsite-screens-people"  # to look at; never compared


@pytest.fixture(scope="module")
def port_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    root = write_port_handbook(tmp_path_factory.mktemp("port") / "site")
    with static_server(build_site(root, root.parent / "out")) as url:
        yield url


def opened(chromium: Any, scheme: str, **kw: Any) -> tuple[Any, Any, Watch]:
    context = chromium.new_context(color_scheme=scheme, **kw)
    pg = context.new_page()
    watch = Watch()
    watch.attach(pg)
    return context, pg, watch


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_dependency_matrix_draws_in_the_scheme_colours(chromium: Any, port_url: str, scheme: str) -> None:
    context, pg, watch = opened(chromium, scheme, viewport={"width": 1280, "height": 900})
    try:
        pg.goto(port_url + "dependencies.html", wait_until="load")
        assert wait_for_charts(pg) == 1
        # the troubled cell is drawn in the page's --tone-bad, resolved from the CSS of this scheme
        bad = pg.evaluate("getComputedStyle(document.documentElement).getPropertyValue('--tone-bad').trim()")
        fills = pg.evaluate("""() => [...document.querySelectorAll('#chart-dependencies .point')]
            .map(p => getComputedStyle(p).fill)""")
        probe = pg.evaluate("""c => { const d = document.createElement('div'); d.style.color = c;
            document.body.appendChild(d); const v = getComputedStyle(d).color; d.remove(); return v; }""", bad)
        assert probe in fills and len(fills) == 3
        legend = pg.evaluate("[...document.querySelectorAll('#chart-dependencies .legendtext')].map(t => t.textContent)")
        assert sorted(legend) == ["None in trouble", "Some in trouble"]
        SHOTS.mkdir(parents=True, exist_ok=True)
        pg.screenshot(path=str(SHOTS / f"dependencies-{scheme}.png"), full_page=True)
        for rel in ("people/index.html", "people/kim-park.html"):
            pg.goto(port_url + rel, wait_until="load")
            pg.screenshot(path=str(SHOTS / f"{rel.replace('/', '-')[:-5]}-{scheme}.png"), full_page=True)
        assert watch.problems == []
    finally:
        context.close()


def test_phone_sidebar_is_a_drawer(chromium: Any, port_url: str) -> None:
    context, pg, watch = opened(chromium, "light", viewport={"width": 390, "height": 800}, has_touch=True,
                                is_mobile=True)
    try:
        pg.goto(port_url + "people/kim-park.html", wait_until="load")
        side = pg.locator(".sidebar")
        toggle = pg.locator(".drawer-toggle")
        assert toggle.is_visible() and toggle.get_attribute("aria-expanded") == "false"
        assert not side.is_visible()  # off screen, not below the content
        toggle.click()
        pg.wait_for_function("document.querySelector('.sidebar').getBoundingClientRect().left >= 0")
        assert side.is_visible() and toggle.get_attribute("aria-expanded") == "true"
        box = side.bounding_box()
        assert box is not None and box["y"] <= 1 and box["height"] >= 790  # a full-height drawer at the left
        assert pg.evaluate("document.activeElement.closest('.sidebar') !== null")  # focus moved into it
        pg.wait_for_timeout(300)  # let the slide-in finish before the picture (not an assertion)
        SHOTS.mkdir(parents=True, exist_ok=True)
        pg.screenshot(path=str(SHOTS / "drawer-open.png"))
        pg.keyboard.press("Escape")
        pg.wait_for_function("!document.querySelector('.sidebar').classList.contains('open')")
        pg.wait_for_selector(".sidebar", state="hidden")
        assert pg.evaluate("document.activeElement.classList.contains('drawer-toggle')")
        toggle.click()
        pg.wait_for_selector(".sidebar", state="visible")
        pg.locator(".drawer-backdrop").click(position={"x": 370, "y": 400})
        pg.wait_for_selector(".sidebar", state="hidden")
        assert watch.problems == []
    finally:
        context.close()


def test_without_javascript_the_phone_sidebar_stays_in_the_page(chromium: Any, port_url: str) -> None:
    context = chromium.new_context(viewport={"width": 390, "height": 800}, java_script_enabled=False)
    try:
        pg = context.new_page()
        pg.goto(port_url + "people/kim-park.html", wait_until="load")
        assert pg.locator(".sidebar").is_visible()
        assert pg.locator(".drawer-toggle").count() == 0
        main = pg.locator("main").bounding_box()
        side = pg.locator(".sidebar").bounding_box()
        assert main is not None and side is not None and side["y"] > main["y"]
    finally:
        context.close()


def test_wide_screen_has_no_drawer_button(chromium: Any, port_url: str) -> None:
    context, pg, watch = opened(chromium, "light", viewport={"width": 1280, "height": 900})
    try:
        pg.goto(port_url + "people/kim-park.html", wait_until="load")
        assert not pg.locator(".drawer-toggle").is_visible()
        assert pg.locator(".sidebar").is_visible()
        assert watch.problems == []
    finally:
        context.close()
