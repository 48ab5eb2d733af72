"""Shared fixtures: the example handbook built once per session, and one headless Chromium.

Browser tests use Debian's /usr/bin/chromium (never a downloaded browser). They
skip only when it is missing outside CI; with CI=true a missing browser fails.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.site_support import REPO, SPEC_SITE, build_site, static_server

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic"]
NEEDS_CHROMIUM = pytest.mark.skipif(not os.path.exists(CHROMIUM) and os.environ.get("CI") != "true",
                                    reason="needs /usr/bin/chromium (apt-get install chromium)")


@pytest.fixture(scope="session", autouse=True)
def private_cache_home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """okrsite's caches (compiled templates, parsed front matter) go to a folder of this test session, never ~/.cache."""
    home = tmp_path_factory.mktemp("cache-home")
    old = os.environ.get("XDG_CACHE_HOME")
    os.environ["XDG_CACHE_HOME"] = str(home)
    yield home
    if old is None:
        os.environ.pop("XDG_CACHE_HOME", None)
    else:
        os.environ["XDG_CACHE_HOME"] = old


@pytest.fixture(scope="session")
def example_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example handbook of this repository, built once."""
    return build_site(REPO, tmp_path_factory.mktemp("example") / "site")


@pytest.fixture(scope="session")
def spec_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The handbook written from the format spec's snippets (base_path /okr/), built once."""
    return build_site(SPEC_SITE, tmp_path_factory.mktemp("spec") / "site")


@pytest.fixture(scope="session")
def example_url(example_site: Path) -> Iterator[str]:
    """The built example served by a plain static server on 127.0.0.1, like internal static hosting."""
    with static_server(example_site) as url:
        yield url


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    """One headless Chromium per test module.

    Module, not session: Playwright's sync API allows one running instance per thread, and
    other test modules start their own; this one is closed before the next module begins.
    """
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture(scope="module")
def browser_context(chromium: Any) -> Iterator[Any]:
    """A shared light-mode context (its cache keeps plotly.js loaded once per module)."""
    context = chromium.new_context(viewport={"width": 1280, "height": 900}, color_scheme="light")
    try:
        yield context
    finally:
        context.close()
