"""The built example in real headless Chromium: no console error or failed request, charts draw, search works."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import NEEDS_CHROMIUM
from tests.site_support import html_pages, parse

pytestmark = [pytest.mark.browser, NEEDS_CHROMIUM]


@dataclass
class Watch:
    """Everything that went wrong while a page loaded."""

    problems: list[str] = field(default_factory=list)

    def attach(self, page: Any) -> None:
        page.on("console", lambda m: self.problems.append(f"console.{m.type}: {m.text}")
                if m.type in ("error", "assert") else None)
        page.on("pageerror", lambda e: self.problems.append(f"pageerror: {e}"))
        page.on("requestfailed", self._failed)
        page.on("response", lambda r: self.problems.append(f"HTTP {r.status}: {r.url}") if r.status >= 400 else None)


    def _failed(self, request: Any) -> None:
        # ERR_ABORTED is a request cut short by the next navigation (often the favicon); a missing
        # file shows up as an HTTP status >= 400 or ERR_FILE_NOT_FOUND instead.
        if "ERR_ABORTED" not in (request.failure or ""):
            self.problems.append(f"failed: {request.url} {request.failure}")


@pytest.fixture(scope="module")
def page(browser_context: Any) -> Iterator[tuple[Any, Watch]]:
    pg = browser_context.new_page()
    watch = Watch()
    watch.attach(pg)
    try:
        yield pg, watch
    finally:
        pg.close()


def wait_for_charts(pg: Any) -> int:
    """Wait until every visible chart has drawn its SVG; return how many."""
    expected = pg.evaluate("""() => [...document.querySelectorAll('.chart-plot')]
        .filter(el => el.offsetWidth || el.offsetHeight).length""")
    if expected:
        pg.wait_for_function(f"""() => [...document.querySelectorAll('.chart-plot')]
            .filter(el => el.querySelector('svg.main-svg')).length >= {expected}""", timeout=20_000)
    return expected


def test_every_page_opens_cleanly_with_charts_drawn(example_site: Path, example_url: str,
                                                    page: tuple[Any, Watch]) -> None:
    pg, watch = page
    pages = html_pages(example_site)
    assert len(pages) > 50
    drawn = 0
    for rel in pages:
        watch.problems.clear()
        pg.goto(example_url + rel, wait_until="load")
        has_chart = "chart-plot" in parse(example_site, rel).classes
        n = wait_for_charts(pg)
        assert (n > 0) == has_chart, rel
        drawn += n
        assert watch.problems == [], rel  # `load` has waited for every resource the page asked for
    assert drawn >= 35


def test_the_favicon_loads(example_url: str, page: tuple[Any, Watch]) -> None:
    pg, _ = page
    with pg.expect_response("**/assets/favicon.svg") as response:
        pg.goto(example_url + "kpis/nps.html")
    assert response.value.status == 200


def test_search_finds_an_objective_by_a_word_of_its_title(example_url: str, page: tuple[Any, Watch]) -> None:
    pg, watch = page
    watch.problems.clear()
    pg.goto(example_url + "search.html?q=rebooking")
    first = pg.locator("#search-results a").first
    first.wait_for()
    hrefs = pg.locator("#search-results a").evaluate_all("els => els.map(e => e.getAttribute('href'))")
    assert "objectives/launch-app-self-service-rebooking.html" in hrefs
    assert "objectives/proactive-rebooking-offers.html" in hrefs
    # the header box, from a page two folders deep, with the keyboard
    pg.goto(example_url + "objectives/track-every-bag.html")
    pg.keyboard.press("/")
    assert pg.evaluate("document.activeElement.id") == "search-q"
    pg.keyboard.type("turnaround")
    pg.locator("#search-pop .hit").first.wait_for()
    hits = pg.locator("#search-pop .hit").evaluate_all("els => els.map(e => e.getAttribute('href'))")
    assert "../objectives/digital-turnaround-coordination.html" in hits
    pg.keyboard.press("ArrowDown")
    with pg.expect_navigation():
        pg.keyboard.press("Enter")
    assert pg.url.endswith(hits[0].split("/", 1)[1])
    assert watch.problems == []


def test_map_filters_by_cycle(example_url: str, page: tuple[Any, Watch]) -> None:
    pg, watch = page
    watch.problems.clear()
    pg.goto(example_url + "map.html")
    pg.wait_for_selector("#chart-map-2025-Q3 svg.main-svg")
    assert not pg.is_visible("#chart-map-2025-Q2")
    assert pg.is_visible("#cycle-2025-Q3") and not pg.is_visible("#cycle-2025-Q2")
    pg.select_option("#map-cycle", "2025-Q2")
    pg.wait_for_selector("#chart-map-2025-Q2 svg.main-svg")
    assert pg.is_visible("#cycle-2025-Q2") and not pg.is_visible("#cycle-2025-Q3")
    assert watch.problems == []


def test_outline_works_without_javascript(chromium: Any, example_url: str) -> None:
    context = chromium.new_context(java_script_enabled=False)
    try:
        pg = context.new_page()
        pg.goto(example_url + "map.html")
        assert pg.locator(".outline li.node-objective").count() >= 17
        assert pg.is_visible("#cycle-2025-Q2") and pg.is_visible("#cycle-2025-Q3")  # all cycles, no filter
        assert pg.is_visible("text=Launch self-service rebooking in the app")
        assert not pg.is_visible("#map-cycle")
        pg.goto(example_url + "objectives/track-every-bag.html")
        assert pg.is_visible(".chart-caption")  # the chart's text alternative
        assert not pg.is_visible(".chart-plot")
    finally:
        context.close()


def test_charts_follow_dark_mode(chromium: Any, example_url: str) -> None:
    context = chromium.new_context(color_scheme="dark")
    try:
        pg = context.new_page()
        watch = Watch()
        watch.attach(pg)
        pg.goto(example_url + "kpis/nps.html")
        pg.wait_for_selector(".chart-plot svg.main-svg")
        fg = pg.evaluate("getComputedStyle(document.documentElement).getPropertyValue('--fg').trim()")
        tick = pg.evaluate("getComputedStyle(document.querySelector('.chart-plot .xtick text')).fill")
        assert fg == "#e5e8ef"
        assert tick == "rgb(164, 173, 189)"  # --fg-muted of the dark scheme
        # switching back to light redraws in light colours
        pg.click(".scheme-toggle")
        pg.wait_for_function("getComputedStyle(document.querySelector('.chart-plot .xtick text')).fill"
                             " === 'rgb(86, 96, 114)'")
        assert watch.problems == []
    finally:
        context.close()


def test_print_shows_content_without_chrome(example_url: str, page: tuple[Any, Watch]) -> None:
    pg, _ = page
    pg.goto(example_url + "map.html")
    pg.emulate_media(media="print")
    try:
        assert not pg.is_visible("header.top") and not pg.is_visible(".sidebar")
        assert pg.is_visible("#cycle-2025-Q2") and pg.is_visible("#cycle-2025-Q3")  # every cycle's outline
    finally:
        pg.emulate_media(media="screen")


def test_keyboard_skip_link_and_focus(example_url: str, page: tuple[Any, Watch]) -> None:
    pg, _ = page
    pg.goto(example_url + "index.html")
    pg.keyboard.press("Tab")
    assert pg.evaluate("document.activeElement.className") == "skip"
    assert pg.evaluate("getComputedStyle(document.activeElement).top") != "-48px"
    pg.keyboard.press("Enter")
    assert pg.evaluate("location.hash") == "#main"


def test_phone_width_has_no_horizontal_scroll(chromium: Any, example_url: str) -> None:
    context = chromium.new_context(viewport={"width": 375, "height": 740}, is_mobile=True)
    try:
        pg = context.new_page()
        for rel in ("index.html", "objectives/enhance-digital-customer-satisfaction.html", "kpis/nps.html",
                    "map.html", "cycles/2025-Q2.html"):
            pg.goto(example_url + rel)
            width = pg.evaluate("document.documentElement.scrollWidth")
            assert width <= 376, (rel, width)
    finally:
        context.close()


def test_a_page_works_from_file_url(chromium: Any, example_site: Path) -> None:
    context = chromium.new_context()
    try:
        pg = context.new_page()
        watch = Watch()
        watch.attach(pg)
        pg.goto((example_site / "objectives/make-app-the-trip-companion.html").as_uri())
        assert wait_for_charts(pg) == 1
        pg.click("text=Mobile Engagement >> nth=0")
        pg.wait_for_url("**/org/mobile-engagement.html")
        wait_for_charts(pg)
        pg.goto((example_site / "search.html").as_uri() + "?q=baggage")
        pg.locator("#search-results a").first.wait_for()
        assert watch.problems == []
    finally:
        context.close()
