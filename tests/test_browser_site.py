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


def test_map_switches_cycles_by_link(example_url: str, page: tuple[Any, Watch]) -> None:
    pg, watch = page
    watch.problems.clear()
    pg.goto(example_url + "map.html")
    pg.wait_for_selector("#chart-map-2025-Q3 svg.main-svg")
    pg.click(".pill-tabs a:has-text('Q2 2025')")
    pg.wait_for_url("**/map/2025-Q2.html")
    pg.wait_for_selector("#chart-map-2025-Q2 svg.main-svg")
    assert pg.locator(".pill.active").inner_text().startswith("Q2 2025")
    assert watch.problems == []


def test_outline_works_without_javascript(chromium: Any, example_url: str) -> None:
    context = chromium.new_context(java_script_enabled=False)
    try:
        pg = context.new_page()
        pg.goto(example_url + "map/2025-Q3/mobile-engagement.html")
        assert pg.locator(".outline li.node-objective").count() == 2
        assert pg.is_visible("text=Launch self-service rebooking in the app")
        assert pg.locator(".outline li.node-kr").count() >= 6
        assert not pg.is_visible(".chart-plot") and not pg.is_visible(".map-pick")
        pg.click("table.units-table a:has-text('Rebooking Squad')")  # drill down without a script
        pg.wait_for_url("**/map/2025-Q3/rebooking-squad.html")
        assert pg.is_visible("text=Offer rebooking before the customer has to ask")
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
    pg.goto(example_url + "map/2025-Q3/mobile-engagement.html")
    pg.emulate_media(media="print")
    try:
        assert not pg.is_visible("header.top") and not pg.is_visible(".sidebar") and not pg.is_visible(".pill-tabs")
        assert pg.is_visible(".outline li.node-objective") and pg.is_visible("table.units-table")
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
                    "map.html", "map/2025-Q3/customer-experience.html", "cycles/2025-Q2.html"):
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


# one page of every kind: home, map, indexes, cycles (running, ended), every unit kind, objectives with every
# key-result kind, KPIs (band, target and alert, cascade), a free page, search and 404
PAGE_KINDS = ("index.html", "map.html", "map/2025-Q2.html", "map/2025-Q3/digital-airline.html",
              "map/2025-Q3/mobile-engagement.html", "cycles/index.html", "cycles/2025-Q3.html", "cycles/2025-Q2.html",
              "org/index.html", "org/digital-airline.html", "org/customer-experience.html",
              "org/flight-ops-solution-train.html", "org/mobile-engagement.html", "org/rebooking-squad.html",
              "objectives/index.html", "objectives/track-every-bag.html",
              "objectives/make-app-the-trip-companion.html", "objectives/build-voice-of-customer.html",
              "objectives/enhance-digital-customer-satisfaction.html", "kpis/index.html",
              "kpis/crew-schedule-adherence.html", "kpis/nps.html", "kpis/customer-satisfaction.html",
              "handbook/glossary.html", "pages/index.html", "search.html?q=rebooking", "404.html")

# WCAG relative luminance and contrast, with a translucent colour laid over the one beneath it
CONTRAST_JS = """
(els) => {
  const parse = c => { const m = c.match(/[\\d.]+/g).map(Number); return [m[0], m[1], m[2], m.length > 3 ? m[3] : 1]; };
  const over = (top, under) => [0, 1, 2].map(i => top[i] * top[3] + under[i] * (1 - top[3])).concat([1]);
  const lum = c => { const f = v => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
                     return 0.2126 * f(c[0]) + 0.7152 * f(c[1]) + 0.0722 * f(c[2]); };
  const backdrop = el => {  // the first opaque background behind el, with the translucent ones on top of it
    const layers = [];
    for (let e = el; e; e = e.parentElement) {
      const bg = parse(getComputedStyle(e).backgroundColor);
      if (bg[3] > 0) { layers.push(bg); if (bg[3] >= 1) break; }
    }
    let c = [255, 255, 255, 1];
    for (let i = layers.length - 1; i >= 0; i--) c = over(layers[i], c);
    return c;
  };
  return els.filter(el => el.offsetWidth).map(el => {
    const fg = parse(getComputedStyle(el).color), bg = backdrop(el);
    const a = lum(over(fg, bg)), b = lum(bg);
    return [el.className + ': ' + el.textContent.trim(), (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05)];
  });
}
"""


def test_phone_width_has_no_horizontal_scroll_on_any_page_kind(chromium: Any, example_url: str) -> None:
    context = chromium.new_context(viewport={"width": 375, "height": 740}, is_mobile=True)
    try:
        pg = context.new_page()
        for rel in PAGE_KINDS:
            pg.goto(example_url + rel)
            wait_for_charts(pg)
            width = pg.evaluate("document.documentElement.scrollWidth")
            assert width <= 375, (rel, width)
            # the objectives tables turn into stacked rows: status and progress stay on screen
            for box in pg.locator(".table.objectives .col-status .chip").evaluate_all(
                    "els => els.map(e => e.getBoundingClientRect().right)"):
                assert box <= 375, rel
    finally:
        context.close()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_status_text_meets_wcag_aa_contrast(chromium: Any, example_url: str, scheme: str) -> None:
    context = chromium.new_context(viewport={"width": 1280, "height": 900}, color_scheme=scheme)
    try:
        pg = context.new_page()
        checked = 0
        for rel in ("map.html", "map/2025-Q3/mobile-engagement.html", "objectives/track-every-bag.html", "kpis/nps.html",
                    "cycles/2025-Q2.html",
                    "index.html"):
            pg.goto(example_url + rel)
            ratios = pg.locator(".chip, .nav-status, .st, .muted, .crumbs a, .tabs a, .hit-type").evaluate_all(
                CONTRAST_JS)
            for what, ratio in ratios:
                assert ratio >= 4.5, (rel, scheme, what, round(ratio, 2))
            checked += len(ratios)
        assert checked > 100
    finally:
        context.close()


def test_sidebar_status_is_shown_in_words(example_url: str, page: tuple[Any, Watch]) -> None:
    pg, _ = page
    labels = {"On track", "At risk", "Off track", "Healthy", "No data", "No target", "Running", "Ended",
              "Planned", "Green", "Yellow", "Red"}
    for rel in ("objectives/make-app-the-trip-companion.html", "kpis/nps.html", "cycles/index.html"):
        pg.goto(example_url + rel)
        shown = pg.locator(".sidebar .nav-status").evaluate_all("""els => els.map(e => [
            e.querySelector('.nav-status-icon').textContent,
            [...e.childNodes].filter(n => n.nodeType === 3).map(n => n.textContent).join('').trim(),
            e.offsetWidth > 0])""")
        assert shown, rel
        for icon, word, visible in shown:  # a shape, then the word: never a coloured dot alone
            assert visible and word in labels and icon in "✓!✕○■–", (rel, icon, word)


def test_charts_use_the_status_colours_and_words_of_the_chips(chromium: Any, example_url: str) -> None:
    for scheme in ("light", "dark"):
        context = chromium.new_context(viewport={"width": 1280, "height": 900}, color_scheme=scheme)
        try:
            pg = context.new_page()
            pg.goto(example_url + "org/digital-airline.html")
            wait_for_charts(pg)
            tones = pg.evaluate("""() => { const s = getComputedStyle(document.documentElement);
                const rgb = v => { const d = document.createElement('i'); d.style.color = v; document.body.append(d);
                                   const c = getComputedStyle(d).color; d.remove(); return c; };
                return ['good', 'warn', 'bad'].map(t => rgb(s.getPropertyValue('--tone-' + t).trim())); }""")
            fills = pg.locator(".chart-plot .bars .point path").evaluate_all(
                "els => els.map(e => getComputedStyle(e).fill)")
            assert fills and set(fills) <= set(tones), (scheme, fills, tones)
            texts = pg.locator(".chart-plot .bars .point text").evaluate_all("els => els.map(e => e.textContent)")
            assert any("At risk" in t for t in texts) and any("Off track" in t for t in texts), texts
            bg = pg.evaluate("getComputedStyle(document.querySelector('.chart-plot .main-svg')).backgroundColor")
            assert bg in ("rgba(0, 0, 0, 0)", "transparent"), bg  # charts sit on the card: dark in dark mode
        finally:
            context.close()


def test_threshold_marker_sits_near_a_close_bound(example_url: str, page: tuple[Any, Watch]) -> None:
    pg, _ = page
    pg.goto(example_url + "objectives/track-every-bag.html")
    band = pg.locator("#kr-rfid-read-rate .band")
    bar = band.bounding_box()
    ok = band.locator(".band-ok").bounding_box()
    marker = band.locator(".band-marker").bounding_box()
    assert bar and ok and marker
    gap = ok["x"] - (marker["x"] + marker["width"] / 2)  # 98.6 % against "at least 99 %"
    assert 0 < gap < 0.12 * bar["width"], (gap, bar["width"])
    assert pg.locator("#kr-rfid-read-rate .band-tick").first.inner_text() == "99%"
    assert "at least 99%" in pg.locator("#kr-rfid-read-rate .kr-scale").inner_text()


def test_every_tab_stop_shows_focus(example_url: str, page: tuple[Any, Watch]) -> None:
    pg, _ = page
    pg.goto(example_url + "objectives/track-every-bag.html")
    seen = 0
    for _ in range(30):
        pg.keyboard.press("Tab")
        style = pg.evaluate("""() => { const e = document.activeElement, s = getComputedStyle(e);
            return [e.tagName + '.' + e.className, s.outlineStyle, parseFloat(s.outlineWidth), s.boxShadow]; }""")
        what, outline, width, shadow = style
        assert (outline != "none" and width >= 2) or shadow != "none", style
        seen += 1
    assert seen == 30
