"""A real Chromium page on `okrsite serve`: it reloads by itself and shows the diagnostics overlay."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.serve_support import Served, copy_example, edit

CHROMIUM = "/usr/bin/chromium"
OBJ = "content/objectives/2025-q3/track-every-bag.md"
URL = "/objectives/track-every-bag.html"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not os.path.exists(CHROMIUM) and os.environ.get("CI") != "true",
                       reason="needs /usr/bin/chromium"),
]


@pytest.fixture
def served(tmp_path: Path) -> Iterator[Served]:
    s = Served(copy_example(tmp_path / "site"))
    try:
        yield s
    finally:
        s.stop()


@pytest.fixture
def page(chromium: Any, served: Served) -> Iterator[Any]:
    """A fresh context on the session's Chromium (conftest.py): one Playwright per process."""
    context = chromium.new_context()
    try:
        pg = context.new_page()
        pg.goto(served.base + URL)
        yield pg
    finally:
        context.close()


def connected(pg: Any) -> None:
    """Wait until the page's EventSource is open, so the next edit is heard."""
    pg.wait_for_function("() => window.__okrsiteEvents && window.__okrsiteEvents.readyState === 1",
                         timeout=10_000)


def test_page_reloads_itself_after_an_edit(page: Any, served: Served, tmp_path: Path) -> None:
    connected(page)
    page.evaluate("window.__marker = 1")
    edit(tmp_path / "site" / OBJ, ("title: Track every bag end to end", "title: Every bag, tracked live"))
    page.wait_for_function("() => window.__marker === undefined", timeout=10_000)
    page.get_by_role("heading", name="Every bag, tracked live").wait_for(timeout=10_000)


def test_overlay_on_a_broken_edit_and_gone_after_the_fix(page: Any, served: Served, tmp_path: Path) -> None:
    connected(page)
    path = tmp_path / "site" / OBJ
    good = path.read_text(encoding="utf-8")
    page.evaluate("window.__marker = 1")
    # a broken edit that also quotes markup: the overlay must show it as text
    path.write_text(good.replace("kpis: [baggage-mishandling]", "kpis: ['<img src=x onerror=alert(1)>']"),
                    encoding="utf-8")
    overlay = page.locator("#okrsite-overlay li")
    overlay.first.wait_for(timeout=10_000)
    text = overlay.first.text_content()
    assert text.startswith(f"site/{OBJ}:7:8: error: unknown kpi '<img src=x onerror=alert(1)>'"), text
    assert page.locator("#okrsite-overlay img").count() == 0
    assert page.locator("#okrsite-overlay section[role=alert]").is_visible()
    assert page.evaluate("window.__marker") == 1, "a broken edit must not reload the page"
    assert page.get_by_role("heading", name="Track every bag end to end").is_visible()
    status, _, body = served.request(URL)  # the last good build is still what is served
    assert status == 200 and b"Track every bag end to end" in body

    path.write_text(good.replace("title: Track every bag end to end", "title: Bags, fixed"), encoding="utf-8")
    page.wait_for_function("() => window.__marker === undefined", timeout=10_000)
    page.get_by_role("heading", name="Bags, fixed").wait_for(timeout=10_000)
    connected(page)
    assert page.locator("#okrsite-overlay").count() == 0


def test_pages_made_after_the_reload_show_the_edit(page: Any, served: Served, tmp_path: Path) -> None:
    """Only the edited page is made before the reload; the listing it is on is made when asked for."""
    connected(page)
    page.evaluate("window.__marker = 1")
    edit(tmp_path / "site" / OBJ, ("title: Track every bag end to end", "title: Bags on the listing"))
    page.wait_for_function("() => window.__marker === undefined", timeout=10_000)
    page.get_by_role("heading", name="Bags on the listing").wait_for(timeout=10_000)
    assert "objectives/index.html" in served.status()["pending"]
    page.goto(served.base + "/objectives/")
    page.get_by_role("link", name="Bags on the listing").first.wait_for(timeout=10_000)
    assert page.get_by_text("Track every bag end to end").count() == 0
