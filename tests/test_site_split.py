"""The split pages stay light at any size and still list everything: a link walk over built handbooks.

Two generated handbooks (bench/generate.py, 250 and 500 objectives) and one with a very wide
unit (a root with 350 teams and 90 objectives of its own) are built for real; the tests walk
the links a reader would follow (cycle tabs, pagers, drill-down rows) and count where each
objective is listed.
"""

from __future__ import annotations

import json
import re
import sys
import xml.etree.ElementTree as ET
from collections import Counter, deque
from pathlib import Path

import pytest

from okrsite.render.pages.alignment import LANDING_ROWS, OBJECTIVES_PER_PAGE, SEGMENTS, UNITS_PER_PAGE
from okrsite.render.pages.indexes import KPIS_PER_PAGE
from okrsite.render.pages.indexes import OBJECTIVES_PER_PAGE as INDEX_ROWS
from tests.site_support import REPO, build_site, html_pages, parse, resolve

sys.path.insert(0, str(REPO / "bench"))
from generate import generate  # noqa: E402

KIB = 1024
PAGE_LIMIT = 200 * KIB  # a few hundred objectives; 1 MiB at 10,000 is five times this with room to spare
NODE_LINK = re.compile(r'<a class="node-link" href="([^"]+)"')
INDEX_PAGE = re.compile(r"objectives/(index|[^/]+/(index|page-\d+))\.html\Z")
MAP_PAGE = re.compile(r"map(\.html|/[^/]+\.html|/[^/]+/[^/]+\.html|/[^/]+/[^/]+/page-\d+\.html)\Z")


@pytest.fixture(scope="module")
def sites(tmp_path_factory: pytest.TempPathFactory) -> dict[int, Path]:
    """Generated handbooks of 250 and 500 objectives, built."""
    out = {}
    for n in (250, 500):
        root = tmp_path_factory.mktemp(f"gen{n}")
        out[n] = build_site(generate(root / "site", n), root / "out")
    return out


@pytest.fixture(scope="module")
def site(sites: dict[int, Path]) -> Path:
    return sites[500]


@pytest.fixture(scope="module")
def wide(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A root unit with 350 teams (one objective each) and 90 objectives of its own, in one cycle."""
    root = tmp_path_factory.mktemp("wide") / "site"
    files = {"okrsite.yaml": "title: Wide\nas_of: 2025-08-15\ncycles:\n"
                             "  - {id: Q3, title: Q3, start: 2025-07-01, end: 2025-09-30}\n",
             "content/org/org.md": "---\ntitle: Org\nkind: company\n---\n"}
    for t in range(350):
        files[f"content/org/t{t}.md"] = f"---\ntitle: Team {t:03d}\nkind: team\nparent: org\n---\n"
        files[f"content/objectives/o{t}.md"] = (
            f"---\ntitle: Team objective {t:03d}\ncycle: Q3\norg_unit: t{t}\nkey_results:\n"
            f"  - {{id: a, title: A, start: 0, target: 10, checkins: [{{date: 2025-08-01, value: {t % 10}}}]}}\n"
            "  - {id: b, title: B, kind: baseline}\n---\n")
    for i in range(90):
        files[f"content/objectives/own-{i}.md"] = (
            f"---\ntitle: Own objective {i:02d}\ncycle: Q3\norg_unit: org\nkey_results:\n"
            "  - {id: a, title: A, start: 0, target: 10}\n  - {id: b, title: B, start: 0, target: 10}\n---\n")
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    return build_site(root, root.parent / "out")


def data_of(site: Path) -> dict:
    return json.loads((site / "data.json").read_text(encoding="utf-8"))


def walk(site: Path, start: str, keep: re.Pattern[str]) -> list[str]:
    """Every page reachable from `start` through links to pages matching `keep`, as a reader clicks."""
    seen = {start}
    queue = deque([start])
    while queue:
        rel = queue.popleft()
        for href in parse(site, rel).hrefs():
            target = resolve(rel, href)
            if target and keep.match(target[0]) and target[0] not in seen:
                assert (site / target[0]).is_file(), f"{rel} links to missing {target[0]}"
                seen.add(target[0])
                queue.append(target[0])
    return sorted(seen)


def links_to(site: Path, rel: str, objective_urls: set[str]) -> list[str]:
    out = []
    for href in parse(site, rel).hrefs():
        target = resolve(rel, href)
        if target and not target[1] and target[0] in objective_urls:
            out.append(target[0])
    return out


@pytest.mark.parametrize("name", ["site", "wide"])
def test_split_objectives_index_lists_every_objective_exactly_once(name: str, request: pytest.FixtureRequest) -> None:
    built: Path = request.getfixturevalue(name)
    objectives = data_of(built)["objectives"]
    urls = {o["url"] for o in objectives}
    pages = walk(built, "objectives/index.html", INDEX_PAGE)
    assert len(pages) > 2  # tabs and pagers were followed
    listed: Counter[str] = Counter()
    for rel in pages:
        links = links_to(built, rel, urls)
        assert len(links) <= INDEX_ROWS, rel
        listed.update(links)
    assert set(listed) == urls
    assert [u for u, n in listed.items() if n != 1] == []
    # every index page on disk is reachable from the tab
    on_disk = {p for p in html_pages(built) if INDEX_PAGE.match(p)}
    assert on_disk == set(pages)


@pytest.mark.parametrize("name", ["site", "wide"])
def test_map_pages_list_every_objective_exactly_once_per_cycle(name: str, request: pytest.FixtureRequest) -> None:
    built: Path = request.getfixturevalue(name)
    data = data_of(built)
    pages = walk(built, "map.html", MAP_PAGE)
    on_disk = {p for p in html_pages(built) if p.startswith("map")}
    assert on_disk == set(pages)  # every unit's map page is reached by drilling down from the landing
    by_cycle: dict[str, Counter[str]] = {c["id"]: Counter() for c in data["cycles"]}
    for rel in pages:
        parts = rel.split("/")
        text = (built / rel).read_text(encoding="utf-8")
        links = [resolve(rel, h) for h in NODE_LINK.findall(text)]
        if len(parts) < 3:  # a cycle's landing lists units, not objectives
            assert links == [], rel
            continue
        assert len(links) <= OBJECTIVES_PER_PAGE, rel
        by_cycle[parts[1]].update(t[0] for t in links if t)
    for c in data["cycles"]:
        expected = {o["url"] for o in data["objectives"] if o["cycle"] == c["id"]}
        assert set(by_cycle[c["id"]]) == expected, c["id"]
        assert [u for u, n in by_cycle[c["id"]].items() if n != 1] == [], c["id"]


def test_kpi_index_pages_list_every_kpi_once_worst_first(site: Path) -> None:
    kpis = data_of(site)["kpis"]
    urls = {k["url"] for k in kpis}
    pages = walk(site, "kpis/index.html", re.compile(r"kpis/(index|all/page-\d+)\.html\Z"))
    assert len(pages) == -(-len(kpis) // KPIS_PER_PAGE) > 1
    listed: Counter[str] = Counter()
    order: list[str] = []
    for rel in sorted(pages, key=lambda p: int(re.sub(r"\D", "", p) or 1)):
        links = links_to(site, rel, urls)
        listed.update(links)
        order += links
    assert set(listed) == urls and max(listed.values()) == 1
    rank = {"off_track": 0, "at_risk": 1, "healthy": 2, "no_data": 3, "no_target": 4}
    health = {k["url"]: rank[k["health"]] for k in kpis}
    assert [health[u] for u in order] == sorted(health[u] for u in order)
    # the health tiles jump to where each health starts, on whichever page that is
    home = parse(site, "index.html")
    for k in {k["health"] for k in kpis}:
        target = [resolve("index.html", h) for h in home.hrefs() if h.endswith(f"#health-{k}")]
        assert target and all(t and f"health-{k}" in parse(site, t[0]).ids for t in target), k


def test_no_page_is_heavy_and_fixed_pages_do_not_grow(sites: dict[int, Path]) -> None:
    small, big = sites[250], sites[500]
    sizes = {rel: (big / rel).stat().st_size for rel in html_pages(big)}
    heavy = {rel: s for rel, s in sizes.items() if s > PAGE_LIMIT}
    assert heavy == {}
    # pages whose content does not depend on how many objectives or units there are: twice the
    # handbook, (almost) the same bytes; the objectives and KPI index pages are full at both sizes
    fixed = ["index.html", "objectives/index.html", "objectives/2025-Q3/page-2.html", "kpis/index.html",
             "map/2025-Q3/team-3.html", "org/team-3.html", "search.html", "cycles/index.html"]
    for rel in fixed:
        a, b = (small / rel).stat().st_size, sizes[rel]
        assert b <= a * 1.05 + 2 * KIB, (rel, a, b)


def test_wide_unit_is_paginated_and_its_sunburst_bounded(wide: Path) -> None:
    first = "map/Q3/org.html"
    pages = [first] + [f"map/Q3/org/page-{n}.html" for n in (2, 3)]
    assert all((wide / p).is_file() for p in pages) and not (wide / "map/Q3/org/page-4.html").exists()
    for rel in pages:
        page = parse(wide, rel)
        assert "page-nav" in page.classes, rel
        fig = page.json_scripts()["chart-map-Q3-org-data"]["data"][0]
        assert len(fig["ids"]) <= SEGMENTS, rel
        assert len(NODE_LINK.findall(page.text)) <= OBJECTIVES_PER_PAGE
        rows = re.findall(r'<th scope="row"><a href="[^"]*?t\d+\.html"', page.text)
        assert len(rows) <= UNITS_PER_PAGE
    # the landing shows a bounded top level and says where the rest is
    landing = parse(wide, "map.html")
    rows = [h for h in landing.hrefs() if re.fullmatch(r"map/Q3/t\d+\.html", h)]
    assert len(rows) == LANDING_ROWS - 1  # the root's row, then its first teams
    assert "more units" in landing.text
    # the landing's sunburst: too many teams for one ring, so the biggest and one segment for the rest
    ring = landing.json_scripts()["chart-map-Q3-data"]["data"][0]
    assert len(ring["ids"]) == SEGMENTS and ring["ids"][-1] == "more:(more)"
    assert ring["customdata"][-1] == ["", "map/Q3/org.html"]


def test_sitemap_lists_every_page(site: Path) -> None:
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    locs = {e.text for e in ET.parse(site / "sitemap.xml").getroot().findall("s:url/s:loc", ns)}
    pages = {"/" + p for p in html_pages(site) if p != "404.html"}
    assert locs == pages
    assert {"/map/2025-Q3/portfolio.html", "/objectives/2025-Q3/page-2.html", "/kpis/all/page-2.html"} <= locs


def test_units_index_is_titled_like_its_tab(site: Path) -> None:
    page = parse(site, "org/index.html")
    assert "<h1>Units</h1>" in page.text and "<title>Units ·" in page.text
    assert '<a href="../org/index.html" class="active" aria-current="page">Units</a>' in page.text


@pytest.mark.parametrize("rel", ["content/map/2025-Q3/team.md", "content/map/2025-Q2.md",
                                 "content/objectives/2025-Q3/page-2.md", "content/kpis/all/page-2.md"])
def test_a_free_page_among_the_split_pages_is_an_error(tmp_path: Path, rel: str) -> None:
    from okrsite.build import check
    from tests.handbook import write_site

    site = write_site(tmp_path / "site", {rel: "---\ntitle: Mine\ntype: page\n---\nText.\n"})
    diags = [d.text() for d in check(site, "site").diagnostics]
    assert [d for d in diags if "among the pages of" in d and rel.removeprefix("content/")[:-3] in d], diags


def test_serve_rebuilds_the_split_pages_up_the_edited_objectives_unit_chain(tmp_path: Path) -> None:
    """An edit rebuilds the map pages of its unit and the units above, the index page listing it; not the rest."""
    from okrsite.serve.state import SiteState

    site = generate(tmp_path / "hb", 250)
    state = SiteState(site, str(site))
    assert state.rebuild().ok
    pages = [u for u in state.outputs if u.endswith(".html")]
    path = site / "content/objectives/2025-q3/obj-57.md"  # team-7, under stream-0, under the portfolio
    text = path.read_text(encoding="utf-8")
    path.write_text(re.sub(r"value: \d+, confidence", "value: 59, confidence", text), encoding="utf-8")  # the newest too
    assert state.rebuild([path]).ok
    rendered = set(state.cache.rendered)
    listing = [u for u in pages if INDEX_PAGE.match(u) and b"obj-57.html" in state.outputs[u]]
    assert {"map/2025-Q3/team-7.html", "map/2025-Q3/stream-0.html", "map/2025-Q3/portfolio.html", "map.html",
            "objectives/obj-57.html", *listing} <= rendered
    assert [u for u in rendered if u.startswith("map/2025-Q3/team-") and u != "map/2025-Q3/team-7.html"] == []
    assert [u for u in rendered if u.startswith("map/2025-Q2")] == []
    assert state.cache.rebuilt < len(pages) / 10, (state.cache.rebuilt, len(pages))
    fresh = SiteState(site, str(site))
    assert fresh.rebuild().ok
    assert [u for u in pages if state.outputs[u] != fresh.outputs[u]] == []
