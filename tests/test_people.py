"""People pages, the People tab and the dependency view, from real builds on disk."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from okrsite.render.pages.people import PEOPLE_PER_PAGE
from tests.people_support import write_port_handbook
from tests.site_support import build_site, parse, resolve, visible_text


@pytest.fixture(scope="module")
def port(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = write_port_handbook(tmp_path_factory.mktemp("port") / "site")
    return build_site(root, root.parent / "out")


def text_of(root: Path, rel: str) -> str:
    return visible_text((root / rel).read_text(encoding="utf-8"))


def test_every_person_in_data_json_has_a_page_listing_what_they_own(port: Path) -> None:
    people = json.loads((port / "data.json").read_text(encoding="utf-8"))["people"]
    assert [p["name"] for p in people] == ["Ana Ölz", "José Núñez", "Kim Park", "Lee Wong"]
    for p in people:
        assert (port / p["url"]).is_file()
    lee = text_of(port, "people/lee-wong.html")
    for title in ("Launch the port app", "Berth dashboard", "Pilot the app", "Digital Stream"):
        assert title in lee
    kim = text_of(port, "people/kim-park.html")
    assert "Berth API ready; tested, documented" in kim  # a key result she owns inside Ana's objective
    assert "Berth waiting time" in kim and "Off track" in kim  # her KPI, with its health in words
    ana = parse(port, "people/ana-olz.html")
    assert 'class="chip tone-bad"' in ana.text  # her off-track objective as a chip
    assert "Off track" in visible_text(ana.text)


def test_people_tab_is_in_the_navigation_and_links_resolve(port: Path) -> None:
    for rel in ("index.html", "people/index.html", "people/lee-wong.html", "dependencies.html"):
        page = parse(port, rel)
        assert any(resolve(rel, h) == ("people/index.html", "") for h in page.hrefs()), rel
        for href in page.hrefs():
            target = resolve(rel, href)
            if target is not None:
                assert (port / target[0]).is_file(), (rel, href)
                if target[1]:
                    assert target[1] in parse(port, target[0]).ids, (rel, href)


def test_owners_and_leads_link_to_their_person_page(port: Path) -> None:
    """The Owner and Lead facts of objective, KPI and unit pages lead to the person's page; no name, no link."""
    for rel, fact, person in (("objectives/berth-system.html", "Owner", "people/ana-olz.html"),
                              ("kpis/berth-wait.html", "Owner", "people/kim-park.html"),
                              ("org/digital.html", "Lead", "people/lee-wong.html")):
        html = (port / rel).read_text(encoding="utf-8")
        m = re.search(rf"<dt>{fact}</dt><dd><a href=\"([^\"]+)\">([^<]+)</a></dd>", html)
        assert m, rel
        assert resolve(rel, m.group(1)) == (person, "")
        assert m.group(2) in text_of(port, person)
    lead = re.search(r"<dt>Lead</dt><dd>(.*?)</dd>", (port / "org/platform.html").read_text(encoding="utf-8"))
    assert lead and lead.group(1) == "—"


def test_dependency_view_counts_unit_pairs_and_colours_trouble(port: Path) -> None:
    page = parse(port, "dependencies.html")
    fig = page.json_scripts()["chart-dependencies-data"]
    assert isinstance(fig, dict)
    traces = {t["name"]: t for t in fig["data"]}
    # Digital needs Platform twice (both in trouble: the berth system is off track), Terminal once;
    # Terminal needs itself once (sensors need the cranes, both roll up to the Terminal stream)
    troubled = traces["Some in trouble"]
    assert troubled["marker"]["color"] == "var(--tone-bad)" and troubled["text"] == ["2"]
    fine = traces["None in trouble"]
    assert sorted(fine["text"]) == ["1", "1"] and fine["marker"]["color"] == "var(--tone-good)"
    ticks = fig["layout"]["xaxis"]["ticktext"]
    assert sorted(ticks) == ["Digital Stream", "Platform Stream", "Terminal Stream"]
    text = visible_text(page.text)
    rows = re.findall(r"(Digital Stream|Terminal Stream) (Platform Stream|Terminal Stream) (\d) (?:✕ )?(2 in trouble|none)",
                      text)
    assert rows[0] == ("Digital Stream", "Platform Stream", "2", "2 in trouble")  # troubled first
    assert ("Terminal Stream", "Terminal Stream", "1", "none") in rows
    assert "Launch the port app" in text and "Berth API ready; tested, documented" in text  # the in-trouble list


@pytest.fixture(scope="module")
def crowd(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """250 KPI owners (three index pages) and one person owning 60 objectives (a capped list)."""
    root = tmp_path_factory.mktemp("crowd") / "site"
    (root / "content" / "org").mkdir(parents=True)
    (root / "content" / "objectives").mkdir()
    (root / "content" / "kpis").mkdir()
    (root / "okrsite.yaml").write_text("as_of: 2025-08-15\ncycles:\n  - {id: q3, title: Q3, start: 2025-07-01, "
                                       "end: 2025-09-30}\n", encoding="utf-8")
    (root / "content" / "org" / "u.md").write_text("---\ntitle: U\n---\n", encoding="utf-8")
    for i in range(60):
        (root / "content" / "objectives" / f"o{i:02}.md").write_text(
            f"---\ntitle: Objective {i:02}\ncycle: q3\norg_unit: u\nowner: Big Owner\nkey_results:\n"
            f"  - {{id: a, title: A, kind: increase, start: 0, target: 10, current: {i % 10}}}\n"
            f"  - {{id: b, title: B, kind: increase, start: 0, target: 10, current: 5}}\n---\n", encoding="utf-8")
    for i in range(250):
        (root / "content" / "kpis" / f"k{i:03}.md").write_text(
            f"---\ntitle: KPI {i:03}\norg_unit: u\nowner: Person {i:03}\n---\n", encoding="utf-8")
    return build_site(root, root.parent / "out")


def test_people_index_is_paginated_and_each_person_is_on_one_page(crowd: Path) -> None:
    people = json.loads((crowd / "data.json").read_text(encoding="utf-8"))["people"]
    assert len(people) == 251
    pages = ["people/index.html", "people/all/page-2.html", "people/all/page-3.html"]
    assert not (crowd / "people/all/page-4.html").exists()
    seen: list[str] = []
    for rel in pages:
        page = parse(crowd, rel)
        rows = [resolve(rel, h) for h in page.hrefs()]
        mine = sorted({r[0] for r in rows if r and r[0].startswith("people/") and "/all/" not in r[0]
                       and r[0] != "people/index.html"})
        assert len(mine) <= PEOPLE_PER_PAGE + 25  # its rows, plus nothing unbounded
        seen += [p for p in mine if p not in seen]
    assert sorted(seen) == sorted(p["url"] for p in people)


def test_person_page_lists_are_capped_with_a_count(crowd: Path) -> None:
    text = text_of(crowd, "people/big-owner.html")
    assert len(re.findall(r"Objective \d\d", text)) == 50
    assert "10 more objectives not listed" in text
    # the sidebar shows neighbours only, never all 251 people
    page = parse(crowd, "people/person-100.html")
    people_links = [h for h in page.hrefs() if re.search(r"person-\d{3}\.html", h)]
    assert 0 < len(people_links) <= 2 * 10 + 1 + 2


def test_dependency_matrix_is_bounded_to_forty_units_a_side(tmp_path: Path) -> None:
    root = tmp_path / "site"
    (root / "content" / "org").mkdir(parents=True)
    (root / "content" / "objectives").mkdir()
    (root / "okrsite.yaml").write_text("as_of: 2025-08-15\ncycles:\n  - {id: q3, title: Q3, start: 2025-07-01, "
                                       "end: 2025-09-30}\n", encoding="utf-8")
    n = 45
    for i in range(n):
        (root / "content" / "org" / f"s{i:02}.md").write_text(f"---\ntitle: Stream {i:02}\n---\n", encoding="utf-8")
        needs = sorted({f"o{i + 1:02}", f"o{n - 1:02}"}) if i < n - 1 else []  # a chain, and all need the last
        (root / "content" / "objectives" / f"o{i:02}.md").write_text(
            f"---\ntitle: Objective {i:02}\ncycle: q3\norg_unit: s{i:02}\ndepends_on: [{', '.join(needs)}]\n"
            "key_results:\n  - {id: a, title: A, kind: increase, start: 0, target: 10, current: 5}\n"
            "  - {id: b, title: B, kind: increase, start: 0, target: 10, current: 5}\n---\n", encoding="utf-8")
    out = build_site(root, tmp_path / "out")
    page = parse(out, "dependencies.html")
    fig = page.json_scripts()["chart-dependencies-data"]
    assert isinstance(fig, dict)
    ticks = fig["layout"]["xaxis"]["ticktext"]
    assert len(ticks) == 40 and ticks[-1] == "Other units" and "Stream 44" in ticks  # the busiest is kept
    cells = sum(len(t["x"]) for t in fig["data"])
    assert cells <= 40 * 40
    folded = sum(int(v) for t in fig["data"] for v in t["text"])
    assert folded == (n - 1) + (n - 2)  # every dependency still counted once, some in the "Other units" row or column
