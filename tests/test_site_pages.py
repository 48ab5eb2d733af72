"""What each kind of page shows, read from the built example's HTML with data.json as the reference."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from tests.site_support import parse, resolve, visible_text

OBJ = "objectives/enhance-digital-customer-satisfaction.html"


@pytest.fixture(scope="module")
def data(example_site: Path) -> dict:
    return json.loads((example_site / "data.json").read_text(encoding="utf-8"))


def targets(root: Path, rel: str) -> set[str]:
    """Output paths a page links to (fragments dropped)."""
    out = set()
    for href in parse(root, rel).hrefs():
        r = resolve(rel, href)
        if r:
            out.add(r[0])
    return out


def by_id(items: list[dict]) -> dict[str, dict]:
    return {i["id"]: i for i in items}


def test_every_page_kind_is_written(example_site: Path, data: dict) -> None:
    expected = {"index.html", "map.html", "search.html", "404.html", "org/index.html", "objectives/index.html",
                "kpis/index.html", "cycles/index.html", "pages/index.html", "sitemap.xml", "data.json",
                "assets/plotly.min.js", "assets/okrsite.css", "assets/okrsite.js", "assets/favicon.svg",
                "assets/search.js", "assets/search/manifest.js"}
    expected |= {c["url"] for c in data["cycles"]}
    expected |= {e["url"] for kind in ("org_units", "objectives", "kpis") for e in data[kind]}
    expected |= {"handbook/glossary.html", "handbook/how-we-write-okrs.html", "handbook/okrs-and-kpis.html"}
    missing = sorted(u for u in expected if not (example_site / u).is_file())
    assert missing == []


def test_plotly_is_copied_from_the_package_once(example_site: Path) -> None:
    import plotly

    shipped = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
    assert (example_site / "assets/plotly.min.js").read_bytes() == shipped.read_bytes()
    assert [p.name for p in example_site.rglob("plotly*.js")] == ["plotly.min.js"]


def test_objective_page_links_to_unit_parents_and_kpis(example_site: Path, data: dict) -> None:
    objectives = by_id(data["objectives"])
    for o in data["objectives"]:
        linked = targets(example_site, o["url"])
        unit = by_id(data["org_units"])[o["org_unit"]]
        assert unit["url"] in linked, o["id"]
        parents = o["parent"] if isinstance(o["parent"], list) else [o["parent"]] if o["parent"] else []
        for p in parents:
            assert objectives[p.split("/")[0]]["url"] in linked, (o["id"], p)
        kpis = set(o["kpis"]) | {kr["kpi"] for kr in o["key_results"] if kr["kpi"]}
        for k in kpis:
            assert by_id(data["kpis"])[k]["url"] in linked, (o["id"], k)
        cycle = by_id(data["cycles"])[o["cycle"]]
        assert cycle["url"] in linked


def test_objective_page_links_to_its_contributors(example_site: Path, data: dict) -> None:
    objectives = by_id(data["objectives"])
    for o in data["objectives"]:
        parents = o["parent"] if isinstance(o["parent"], list) else [o["parent"]] if o["parent"] else []
        for p in parents:
            assert o["url"] in targets(example_site, objectives[p.split("/")[0]]["url"]), (p, o["id"])


def test_objective_page_shows_every_key_result_by_kind(example_site: Path, data: dict) -> None:
    for o in data["objectives"]:
        page = parse(example_site, o["url"])
        text = visible_text(page.text)
        for kr in o["key_results"]:
            assert f"kr-{kr['id']}" in page.ids, (o["id"], kr["id"])
            assert kr["title"] in text
        kinds = {kr["kind"] for kr in o["key_results"]}
        if kinds & {"increase", "decrease"}:
            assert "kr-track" in page.classes and "from" in text and "target" in text
        if "threshold" in kinds:
            assert "band-ok" in page.classes
        if "milestone" in kinds:
            assert "Due" in text
        if "baseline" in kinds:
            assert "kr-baseline" in page.classes


def test_objective_page_details(example_site: Path) -> None:
    page = parse(example_site, OBJ)
    text = visible_text(page.text)
    assert "At risk" in text and "Priya Raman" in text
    assert "stretch 65 pts" in text  # stretch shown with the target
    assert "Confidence 50%" in text  # newest check-in's confidence
    assert "Pulse survey: disruption handling still the top detractor theme" in text  # check-in note
    assert "Weight 1" in text
    charts = page.json_scripts()
    fig = charts["chart-progress-enhance-digital-customer-satisfaction-data"]
    names = [t["name"] for t in fig["data"]]
    assert "Overall" in names and "Expected pace" in names
    # one line per key result, overall, expected pace; plus a forecast per increase/decrease key result
    assert len([t for t in fig["data"] if t.get("meta") != "forecast"]) == 3 + 2
    assert len([n for n in names if n.startswith("Forecast: ")]) == 2
    # the text alternative: a summary and a data table
    assert "Progress 32% on 15 Aug 2025; expected 49%" in text
    assert "chart-data" in page.classes


def test_stale_and_no_data_states(example_site: Path) -> None:
    text = visible_text(parse(example_site, "objectives/digital-turnaround-coordination.html").text)
    assert re.search(r"Stale · \d+ days", text)


def test_kpi_page(example_site: Path, spec_site: Path, data: dict) -> None:
    objectives = by_id(data["objectives"])
    for k in data["kpis"]:
        linked = targets(example_site, k["url"])
        movers = {o["id"] for o in data["objectives"]
                  if k["id"] in o["kpis"] or any(kr["kpi"] == k["id"] for kr in o["key_results"])}
        for oid in movers:
            assert objectives[oid]["url"] in linked, (k["id"], oid)
        if k["parent"]:
            assert by_id(data["kpis"])[k["parent"]]["url"] in linked
        for child in (c for c in data["kpis"] if c["parent"] == k["id"]):
            assert child["url"] in linked
    page = parse(example_site, "kpis/nps.html")
    text = visible_text(page.text)
    assert "Lagging indicator" in text and "At risk" in text
    fig = page.json_scripts()["chart-kpi-nps-data"]
    names = [t["name"] for t in fig["data"]]
    assert "Target 60 pts" in names and "Alert 45 pts" in names
    assert any(n.startswith("Check-ins: ") for n in names)
    assert "Mid-month pulse survey, 1,200 responses" in text  # dated key-result check-ins
    band = parse(spec_site, "kpis/customer-satisfaction.html")  # range: [70, 80]
    shapes = band.json_scripts()["chart-kpi-customer-satisfaction-data"]["layout"]["shapes"]
    assert shapes and shapes[0]["type"] == "rect"  # the healthy band


def test_unit_page(example_site: Path, data: dict) -> None:
    units = by_id(data["org_units"])
    for u in data["org_units"]:
        linked = targets(example_site, u["url"])
        if u["parent"]:
            assert units[u["parent"]]["url"] in linked
        for child in (c for c in data["org_units"] if c["parent"] == u["id"]):
            assert child["url"] in linked
        for o in (o for o in data["objectives"] if o["org_unit"] == u["id"]):
            assert o["url"] in linked
        for k in (k for k in data["kpis"] if k["org_unit"] == u["id"]):
            assert k["url"] in linked
    text = visible_text(parse(example_site, "org/mobile-engagement.html").text)
    assert "PI predictability" in text
    # 2025-Q3: planned 9 + 8, actual 7 + 6 → 13 / 17 = 76%
    assert "76%" in text
    assert "Progress in Q3 2025" in text and "Mean progress of 2 objectives" in text
    assert "Marco" not in text or "Lead" in text


def below(data: dict, unit_id: str) -> set[str]:
    """A unit and every unit under it."""
    out = {unit_id}
    while True:
        more = {u["id"] for u in data["org_units"] if u["parent"] in out} - out
        if not more:
            return out
        out |= more


def test_cycle_pages(example_site: Path, data: dict) -> None:
    for c in data["cycles"]:
        linked = targets(example_site, c["url"])
        objs = [o for o in data["objectives"] if o["cycle"] == c["id"]]
        # one row per value stream (the units under the root), each opening its part of the map
        for u in (u for u in data["org_units"] if u["parent"] == "digital-airline"):
            if any(o["org_unit"] in below(data, u["id"]) for o in objs):
                assert f"map/{c['id']}/{u['id']}.html" in linked, (c["id"], u["id"])
        # what needs attention is listed; every objective is a click away on the split pages
        for o in objs:
            if (o.get("grade") or o["status"]) in ("off_track", "at_risk", "red"):
                assert o["url"] in linked, o["id"]
        assert {"objectives/index.html" if c["id"] == "2025-Q3" else f"objectives/{c['id']}/index.html",
                "map.html" if c["id"] == "2025-Q3" else f"map/{c['id']}.html"} <= linked
    ended = visible_text(parse(example_site, "cycles/2025-Q2.html").text)
    assert "Scorecard" in ended and "green ≥ 0.7, yellow ≥ 0.4" in ended
    assert "How the 10 key results split" in ended.replace("HOW", "How")
    q2 = [o for o in data["objectives"] if o["cycle"] == "2025-Q2"]
    mean = sum(o["progress"] for o in q2) / len(q2)
    assert f"{mean:.2f}" in ended
    assert "Lowest scores" in ended
    for o in q2:
        assert (f"Score {o['progress']:.2f} · Red" in ended) == (o["grade"] == "red")
    running = visible_text(parse(example_site, "cycles/2025-Q3.html").text)
    assert "At a glance" in running and "Scorecard" not in running and "Needs attention" in running


def test_home_page(example_site: Path, data: dict) -> None:
    page = parse(example_site, "index.html")
    text = visible_text(page.text)
    assert "Every journey, managed in one tap" in text  # the root unit's vision
    q3 = [o for o in data["objectives"] if o["cycle"] == "2025-Q3"]
    assert f"{len(q3)} objectives in Q3 2025" in text
    for status in ("on_track", "at_risk", "off_track"):
        n = sum(o["status"] == status for o in q3)
        assert re.search(rf"{n} [✓!✕] {status.replace('_', ' ').capitalize()}", text), status
    # health board: one tile per health with its count
    for health in ("healthy", "at_risk", "off_track", "no_data", "no_target"):
        n = sum(k["health"] == health for k in data["kpis"])
        assert (f'href="kpis/index.html#health-{health}"' in page.text) == (n > 0)
        assert re.search(rf"{n} [✓!✕–] {health.replace('_', ' ').capitalize()}", text), health
    needs = page.text.split('id="needs"', 1)[1].split("</section>", 1)[0]
    assert "kpis/crew-schedule-adherence.html" in needs  # off track, only a Q2 objective targets it
    assert "kpis/nps.html" not in needs  # at risk but targeted this cycle
    stale = page.text.split('id="stale"', 1)[1].split("</section>", 1)[0]
    assert "objectives/digital-turnaround-coordination.html#kr-stand-coverage" in stale


def test_map_page(example_site: Path, data: dict) -> None:
    page = parse(example_site, "map.html")  # the current cycle's landing: the units under the root
    assert "map/2025-Q2.html" in page.hrefs()  # the other cycle's landing
    trace = page.json_scripts()["chart-map-2025-Q3-data"]["data"][0]
    assert trace["type"] == "sunburst" and trace["branchvalues"] == "total"
    assert len(trace["ids"]) == len(set(trace["ids"])) == len(trace["parents"]) == len(trace["values"])
    assert all(i.startswith("unit:") for i in trace["ids"])
    assert trace["customdata"][0] == ["org/digital-airline.html", "map/2025-Q3/digital-airline.html"]
    assert ["org/mobile-engagement.html", "map/2025-Q3/mobile-engagement.html"] in trace["customdata"]
    for c in data["cycles"]:
        # each unit's map page: a sunburst of its subtree and an outline of its own objectives
        for u in data["org_units"]:
            rel = f"map/{c['id']}/{u['id']}.html"
            own = [o for o in data["objectives"] if o["cycle"] == c["id"] and o["org_unit"] == u["id"]]
            if not any(o["cycle"] == c["id"] and o["org_unit"] in below(data, u["id"]) for o in data["objectives"]):
                assert not (example_site / rel).exists(), rel
                continue
            unit_page = parse(example_site, rel)
            fig = unit_page.json_scripts()[f"chart-map-{c['id']}-{u['id']}-data"]["data"][0]
            assert sum(i.startswith("objective:") for i in fig["ids"]) >= len(own)
            outline = unit_page.text.split('id="objectives"', 1)[1] if own else ""
            for o in own:
                assert f'href="../../{o["url"]}"' in outline
                for kr in o["key_results"]:
                    assert f'href="../../{o["url"]}#kr-{kr["id"]}"' in outline


def test_free_pages_and_index(example_site: Path) -> None:
    page = parse(example_site, "handbook/glossary.html")
    links = targets(example_site, "handbook/glossary.html")
    assert {"handbook/how-we-write-okrs.html", "handbook/okrs-and-kpis.html"} <= links  # sidebar + pager
    assert "pager" in page.classes
    assert "ART (Agile Release Train)" in visible_text(page.text)
    assert {"handbook/glossary.html", "handbook/how-we-write-okrs.html"} <= targets(example_site, "pages/index.html")


def test_index_pages_list_everything(example_site: Path, data: dict) -> None:
    split = targets(example_site, "objectives/index.html") | targets(example_site, "objectives/2025-Q2/index.html")
    assert {o["url"] for o in data["objectives"]} <= split
    assert {k["url"] for k in data["kpis"]} <= targets(example_site, "kpis/index.html")
    assert {u["url"] for u in data["org_units"]} <= targets(example_site, "org/index.html")
    assert {c["url"] for c in data["cycles"]} <= targets(example_site, "cycles/index.html")


def test_every_status_chip_has_words(example_site: Path) -> None:
    chip = re.compile(r'<span class="chip tone-(\w+)"[^>]*><span class="chip-icon" aria-hidden="true">[^<]*</span>'
                      r"([^<]*)</span>")
    seen = set()
    for rel in ("index.html", OBJ, "kpis/index.html", "cycles/2025-Q2.html", "map.html"):
        for tone, words in chip.findall((example_site / rel).read_text(encoding="utf-8")):
            assert words.strip(), (rel, tone)
            seen.add(tone)
    assert {"good", "warn", "bad"} <= seen


def test_search_index_covers_every_page(example_site: Path, data: dict) -> None:
    from tests.search_support import index_of  # the index read back as search.js reads it

    index = index_of(example_site)
    metas = [index.meta(n) for n in range(index.manifest["docs"])]
    docs = {(m[0], m[2]) for m in metas}
    for kind in ("objectives", "kpis", "org_units"):
        for e in data[kind]:
            assert (e["title"], e["url"]) in docs
    assert ("Glossary", "handbook/glossary.html") in docs
    krs = {(k[0], f"{m[2]}#{k[1]}") for m in metas for k in m[6]}  # key results are part of their objective's result
    assert ("15 % fewer mishandled bags", "objectives/improve-operational-efficiency.html#kr-baggage-15") in krs
    assert all(len(b) < 64_000 for b in index.files.values())


def test_sitemap(example_site: Path, spec_site: Path) -> None:
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    locs = [e.text for e in ET.parse(example_site / "sitemap.xml").getroot().findall("s:url/s:loc", ns)]
    assert "/index.html" in locs and "/objectives/track-every-bag.html" in locs and "/404.html" not in locs
    assert all(loc and loc.startswith("/") and (example_site / loc[1:]).is_file() for loc in locs)
    spec = [e.text for e in ET.parse(spec_site / "sitemap.xml").getroot().findall("s:url/s:loc", ns)]
    assert spec and all(loc and loc.startswith("/okr/") for loc in spec)  # base_path prefixes every path


def test_404_links_from_the_base_path(example_site: Path, spec_site: Path) -> None:
    page = parse(spec_site, "404.html")
    links = [h for h in page.hrefs() if not h.startswith("#")]
    assert links and all(h.startswith("/okr/") for h in links)
    assert not [a for a, _ in page.scripts if a.get("src")]  # no script: it is served at any depth
    assert 'href="/assets/okrsite.css"' in (example_site / "404.html").read_text(encoding="utf-8")


def test_content_index_md_is_the_home_pages_introduction(tmp_path: Path) -> None:
    """Like MkDocs' docs/index.md: content/index.md introduces the home page instead of colliding with it."""
    from tests.site_support import build_site, copy_example

    site = copy_example(tmp_path / "site")
    (site / "content/index.md").write_text(
        "---\ntitle: How to read this handbook\n---\n## Start here\n\nBegin with the [NPS](kpis/nps.md) and the "
        "[[glossary]].\n", encoding="utf-8")
    (site / "content/handbook/back-home.md").write_text(
        "---\ntitle: Back home\n---\nSee [the introduction](../index.md#start-here).\n", encoding="utf-8")
    out = build_site(site, tmp_path / "out")
    home = parse(out, "index.html")
    text = visible_text((out / "index.html").read_text(encoding="utf-8"))
    assert "How to read this handbook" in text and "Begin with the" in text
    assert "start-here" in home.ids
    assert {"kpis/nps.html", "handbook/glossary.html"} <= targets(out, "index.html")
    assert not (out / "index.md.html").exists()
    back = [resolve("handbook/back-home.html", h) for h in parse(out, "handbook/back-home.html").hrefs()]
    assert ("index.html", "start-here") in back
    assert "handbook/back-home.html" in targets(out, "pages/index.html")
    sitemap = (out / "sitemap.xml").read_text(encoding="utf-8")
    assert sitemap.count("<loc>/index.html</loc>") == 1
