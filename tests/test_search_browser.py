"""Search in real headless Chromium, from file:// and from `okrsite serve`: found, ranked, marked, nothing failing."""

from __future__ import annotations

import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from okrsite.render.search_text import terms
from tests.conftest import NEEDS_CHROMIUM
from tests.search_support import HOSTILE_TITLE, LAST_WORD, LONG_OBJECTIVE, Index, index_of, search_handbook
from tests.serve_support import Served
from tests.site_support import build_site

pytestmark = [pytest.mark.browser, NEEDS_CHROMIUM]


class Watch:
    """Console errors, page errors, failed requests and every request made, while a page is open."""

    def __init__(self, page: Any) -> None:
        self.problems: list[str] = []
        self.requests: list[str] = []
        page.on("console", lambda m: self.problems.append(f"console.{m.type}: {m.text}")
                if m.type in ("error", "assert", "warning") else None)
        page.on("pageerror", lambda e: self.problems.append(f"pageerror: {e}"))
        page.on("requestfailed", lambda r: self.problems.append(f"failed: {r.url} {r.failure}"))
        page.on("request", lambda r: self.requests.append(r.url))

    def index_files(self) -> list[str]:
        """The index files requested, as 'kind/number' (the manifest as 'manifest')."""
        out = []
        for url in self.requests:
            if "/assets/search/" in url:
                out.append(url.split("/assets/search/", 1)[1].split("?", 1)[0].removesuffix(".js"))
        return out


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("search")
    return build_site(search_handbook(root / "site"), root / "out")


@pytest.fixture
def page(chromium: Any) -> Iterator[tuple[Any, Watch]]:
    context = chromium.new_context(viewport={"width": 1280, "height": 900})
    try:
        pg = context.new_page()
        yield pg, Watch(pg)
    finally:
        context.close()


def hits(pg: Any, where: str = "#search-results") -> list[dict[str, Any]]:
    return pg.locator(f"{where} .hit").evaluate_all("""els => els.map(a => ({
        title: a.querySelector('.hit-title') ? a.querySelector('.hit-title').textContent : a.textContent,
        href: a.getAttribute('href'),
        marks: [...a.querySelectorAll('mark')].map(m => m.textContent),
        text: a.querySelector('.hit-text') ? a.querySelector('.hit-text').textContent : '',
        kr: a.querySelector('.hit-kr') ? a.querySelector('.hit-kr').textContent : '',
        chip: a.querySelector('.chip') ? a.querySelector('.chip').textContent : ''}))""")


def type_query(pg: Any, selector: str, query: str) -> None:
    box = pg.locator(selector)
    box.fill("")
    box.press_sequentially(query)
    pg.wait_for_function("""q => { const s = document.getElementById('search-status');
        return s && s.textContent.includes('“' + q + '”'); }""", arg=query)


def test_search_from_file_url_finds_the_last_word_of_a_long_body(built: Path, page: tuple[Any, Watch]) -> None:
    pg, watch = page
    pg.goto((built / "search.html").as_uri())
    type_query(pg, "#search-page-q", LAST_WORD)
    found = hits(pg)
    assert [h["title"] for h in found] == [LONG_OBJECTIVE]
    assert found[0]["href"] == "objectives/fleet.html"
    assert LAST_WORD in found[0]["marks"]
    assert found[0]["text"].startswith("…") and LAST_WORD in found[0]["text"]  # a window at the end, not the start
    assert found[0]["chip"]  # the objective's status, in words
    # only what the query needs: the manifest, one term shard, one fragment, and the one text file with the match
    index = index_of(built)
    doc = index.doc_number(LONG_OBJECTIVE)
    (posting,) = index.postings(LAST_WORD)
    text_file, _ = index.text_part(doc, posting.part)
    assert posting.part > 0 and text_file > 0
    loaded = watch.index_files()
    assert sorted(set(loaded)) == sorted({"manifest", f"t/{index.shard_of(LAST_WORD)}",
                                          f"d/{doc // index.manifest['docsPerFile']}", f"x/{text_file}"})
    assert watch.problems == []


def test_a_title_hit_ranks_above_body_only_hits(built: Path, page: tuple[Any, Watch]) -> None:
    pg, watch = page
    pg.goto((built / "search.html").as_uri() + "?q=harbour")
    pg.locator("#search-results .hit").first.wait_for()
    found = hits(pg)
    assert [h["title"] for h in found] == ["Harbour expansion", "Dock works"]
    assert found[0]["marks"] == ["Harbour"]
    assert found[1]["marks"][:2] == ["Harbour", "harbour"]  # the body-only hit says it four times
    # as you type: the last word is also the start of a longer one; accents and case do not matter
    type_query(pg, "#search-page-q", "HARB")
    assert [h["title"] for h in hits(pg)] == ["Harbour expansion", "Dock works"]
    type_query(pg, "#search-page-q", "cafe creme")
    assert [h["title"] for h in hits(pg)] == ["Café crème"]
    type_query(pg, "#search-page-q", "harbour nosuchword")
    assert hits(pg) == [] and "Nothing found" in pg.inner_text("#search-status")
    assert watch.problems == []


def test_a_key_result_title_hit_links_to_the_key_result(built: Path, page: tuple[Any, Watch]) -> None:
    pg, watch = page
    pg.goto((built / "objectives/fleet.html").as_uri())  # the header box, one folder deep
    pg.keyboard.press("/")
    pg.keyboard.type("zeppel")
    pg.locator("#search-pop .hit").first.wait_for()
    (hit,) = hits(pg, "#search-pop")
    assert hit["title"] == "Better lounges"
    assert hit["href"] == "../objectives/lounge.html#kr-zeppelin"
    assert "Open the Zeppelin lounge" in hit["kr"] and hit["marks"] == ["Zeppelin"]
    pg.keyboard.press("ArrowDown")
    with pg.expect_navigation():
        pg.keyboard.press("Enter")
    assert pg.url.endswith("objectives/lounge.html#kr-zeppelin")
    assert watch.problems == []


def test_page_text_is_shown_as_text_never_as_markup(built: Path, page: tuple[Any, Watch]) -> None:
    pg, watch = page
    pg.goto((built / "search.html").as_uri() + "?q=hostileword")
    pg.locator("#search-results .hit").first.wait_for()
    (hit,) = hits(pg)
    assert hit["title"] == HOSTILE_TITLE and hit["marks"][-1] == "hostileword"
    assert "<img src=y onerror=window.__pwned=3>" in hit["text"]  # inline code, as text
    assert pg.locator("#search-results img, #search-results b").count() == 0
    pg.hover("#search-results .hit")
    assert pg.evaluate("window.__pwned") is None
    assert watch.problems == []


def test_browser_and_python_fold_words_alike(built: Path, page: tuple[Any, Watch]) -> None:
    pg, watch = page
    pg.goto((built / "search.html").as_uri())
    samples = ["Café CRÈME naïve", "ﬁnal ½ x²", "snake_case and-dash O'Brien", "ΟΔΟΣ Σίσυφος", "İstanbul ß Ǆ",
               "日本語のテキスト", "Ångström Øre Łódź", "emoji 🎯 goal", "عربي ١٢٣", "e\u0301 n\u0303", "ＦＵＬＬ１２", "𝑨𝒃𝒄 ℌ Ⅻ"]
    # and random text from long-assigned blocks: Latin, Greek, Cyrillic, Arabic, Devanagari, CJK, full width,
    # letter-like and math symbols, punctuation (new characters may fold differently in an older Python)
    rng = random.Random(5)
    blocks = [(0x20, 0x24F), (0x370, 0x3FF), (0x400, 0x4FF), (0x600, 0x6FF), (0x900, 0x97F), (0x2000, 0x218F),
              (0x3000, 0x30FF), (0x4E00, 0x4EFF), (0xFF00, 0xFFEF), (0x1D400, 0x1D7FF)]
    samples += ["".join(chr(rng.randint(*rng.choice(blocks))) for _ in range(rng.randint(1, 30))) for _ in range(300)]
    browser = pg.evaluate("s => s.map(x => window.okrsiteSearch.terms(x))", samples)
    assert browser == [terms(s) for s in samples]
    assert watch.problems == []


def test_without_javascript_the_page_points_to_the_indexes(chromium: Any, built: Path) -> None:
    context = chromium.new_context(java_script_enabled=False)
    try:
        pg = context.new_page()
        pg.goto((built / "search.html").as_uri())
        assert "Search runs in your browser and needs JavaScript" in pg.inner_text("main")
        assert not pg.is_visible("#search-page-q") and not pg.is_visible("#search-status")
        links = pg.locator("noscript p a").evaluate_all("els => els.map(e => e.getAttribute('href'))")
        assert {"objectives/index.html", "kpis/index.html", "org/index.html", "pages/index.html"} <= set(links)
    finally:
        context.close()


def test_search_works_on_okrsite_serve(tmp_path: Path, page: tuple[Any, Watch]) -> None:
    served = Served(search_handbook(tmp_path / "site"))
    try:
        pg, watch = page
        pg.goto(served.base + "/search.html?q=" + LAST_WORD)
        pg.locator("#search-results .hit").first.wait_for()
        assert [h["title"] for h in hits(pg)] == [LONG_OBJECTIVE]
        assert LAST_WORD in hits(pg)[0]["marks"]
        assert watch.problems == []
    finally:
        served.stop()


def test_index_reads_back_as_the_browser_reads_it(built: Path) -> None:
    """The Python reader the tests above rely on agrees with what the site wrote."""
    index: Index = index_of(built)
    assert index.manifest["docs"] == sum(len(index.data("d", n)) for n in range(
        -(-index.manifest["docs"] // index.manifest["docsPerFile"])))
