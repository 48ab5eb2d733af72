"""Site qualities: every relative link resolves, nothing loads from another host, output is byte-stable."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.site_support import build_site, copy_example, html_pages, parse, resolve

EXTERNAL = re.compile(r"^\s*(?:[a-z][a-z0-9+.-]*:)?//", re.I)


@pytest.fixture(scope="module", params=["example", "spec"])
def built(request: pytest.FixtureRequest) -> Path:
    return request.getfixturevalue(f"{request.param}_site")


def broken_links(built: Path) -> list[str]:
    """Every href/src of every page that does not name an existing output file (or whose #anchor is missing)."""
    ids: dict[str, set[str]] = {}
    problems = []
    for rel in html_pages(built):
        if rel == "404.html":
            continue  # links from base_path; checked in test_site_pages
        page = parse(built, rel)
        ids[rel] = page.ids
        for tag, attr, url in page.links:
            if url.startswith(("mailto:", "tel:")) or (tag == "a" and EXTERNAL.match(url)):
                continue
            target = resolve(rel, url)
            if target is None:
                problems.append(f"{rel}: <{tag} {attr}={url!r}> is not relative")
                continue
            path, frag = target
            if not (built / path).is_file():
                problems.append(f"{rel}: {url} → {path} does not exist")
            elif path.endswith(".html") and frag:
                if path not in ids:
                    ids[path] = parse(built, path).ids
                if frag not in ids[path]:
                    problems.append(f"{rel}: {url} → no id {frag!r} in {path}")
    return problems


def test_every_relative_link_resolves(built: Path) -> None:
    assert broken_links(built) == []


def test_links_to_a_file_name_with_spaces(tmp_path: Path) -> None:
    site = copy_example(tmp_path / "site")
    (site / "content/handbook/Our Page.md").write_text("---\ntitle: Ours\nid: ours\n---\nSee [[glossary]].\n",
                                                     encoding="utf-8")
    out = build_site(site, tmp_path / "out")
    assert 'href="../handbook/Our%20Page.html"' in (out / "handbook/glossary.html").read_text("utf-8")
    assert broken_links(out) == []


def test_links_name_html_files_not_folders(built: Path) -> None:
    for rel in html_pages(built):
        for href in parse(built, rel).hrefs():
            path = href.split("#", 1)[0]
            assert not path.endswith("/"), (rel, href)


def test_nothing_loads_from_another_host(built: Path) -> None:
    for rel in html_pages(built):
        page = parse(built, rel)
        for tag, attr, url in page.resources():
            assert not EXTERNAL.match(url), (rel, tag, attr, url)
        assert "@import" not in page.text
        for a, _ in page.scripts:
            assert not EXTERNAL.match(a.get("src", "")), rel
    css = (built / "assets/okrsite.css").read_text(encoding="utf-8")
    assert not re.search(r"url\(|@import|https?:", css)
    for script in ("okrsite.js", "search.js"):
        js = (built / "assets" / script).read_text(encoding="utf-8")
        assert not re.search(r"https?://|fetch\(|XMLHttpRequest", js), script


def test_every_page_has_a_favicon_and_one_stylesheet(built: Path) -> None:
    for rel in html_pages(built):
        page = parse(built, rel)
        icons = [u for t, a, u in page.links if t == "link" and "favicon" in u]
        assert len(icons) == 1, rel


def test_plotly_only_where_a_chart_is(example_site: Path) -> None:
    for rel in html_pages(example_site):
        page = parse(example_site, rel)
        loads = any(a.get("src", "").endswith("assets/plotly.min.js") for a, _ in page.scripts)
        assert loads == ("chart-plot" in page.classes), rel


def test_no_live_reload_in_build_output(built: Path) -> None:
    for path in built.rglob("*"):
        if path.suffix in (".html", ".js", ".css", ".json", ".xml") and path.name != "plotly.min.js":
            text = path.read_text(encoding="utf-8")
            assert "__okrsite" not in text and "EventSource" not in text, path


def test_chart_ids_come_from_page_ids(example_site: Path) -> None:
    page = parse(example_site, "objectives/track-every-bag.html")
    assert "chart-progress-track-every-bag" in page.ids
    assert "chart-kpi-nps" in parse(example_site, "kpis/nps.html").ids


def test_two_builds_are_byte_identical(tmp_path: Path) -> None:
    from tests.site_support import REPO

    a = build_site(REPO, tmp_path / "a")
    b = build_site(REPO, tmp_path / "b")
    files_a = sorted(p.relative_to(a) for p in a.rglob("*") if p.is_file())
    files_b = sorted(p.relative_to(b) for p in b.rglob("*") if p.is_file())
    assert files_a == files_b
    different = [str(f) for f in files_a if (a / f).read_bytes() != (b / f).read_bytes()]
    assert different == []


def test_titles_cannot_break_out_of_chart_json(tmp_path: Path) -> None:
    site = copy_example(tmp_path / "site")
    obj = site / "content/objectives/2025-q3/track-every-bag.md"
    text = obj.read_text(encoding="utf-8")
    hostile = "Bags </script><!-- <script>window.x=1</script> & more"
    obj.write_text(text.replace("title: Track every bag end to end", f"title: '{hostile}'", 1)
                   .replace("title: Live bag status shown in the app", f"title: '{hostile} KR'", 1),
                   encoding="utf-8")
    out = build_site(site, tmp_path / "out")
    page = parse(out, "objectives/track-every-bag.html")
    for attrs, body in page.scripts:
        assert "</script" not in body.lower() and "<!--" not in body, attrs
    figures = page.json_scripts()  # strict JSON parse
    names = [t["name"] for t in figures["chart-progress-track-every-bag-data"]["data"]]
    assert any("&lt;/script&gt;" in n for n in names)  # plotly labels get entities, never markup
    assert "<script>window.x=1" not in page.text
    assert "Bags &lt;/script&gt;&lt;!-- &lt;script&gt;window.x=1&lt;/script&gt; &amp; more" in page.text


def test_theme_override_of_one_template_and_one_static_file(tmp_path: Path) -> None:
    site = copy_example(tmp_path / "site")
    templates = site / "themes/default/templates"
    templates.mkdir(parents=True)
    (templates / "kpi.html").write_text(
        '{% extends "base.html" %}{% block content %}<p id="custom-kpi">{{ kpi.title }}</p>{% endblock %}\n',
        encoding="utf-8")
    static = site / "themes/default/static"
    static.mkdir(parents=True)
    (static / "okrsite.css").write_text("body { color: teal; }\n", encoding="utf-8")
    out = build_site(site, tmp_path / "out")
    assert '<p id="custom-kpi">Net Promoter Score (digital)</p>' in (out / "kpis/nps.html").read_text("utf-8")
    assert "custom-kpi" not in (out / "objectives/track-every-bag.html").read_text("utf-8")
    assert (out / "assets/okrsite.css").read_text("utf-8") == "body { color: teal; }\n"
    assert (out / "assets/okrsite.js").is_file()  # the rest still comes from the bundled theme


def test_theme_setting_selects_a_theme_over_default(tmp_path: Path) -> None:
    site = copy_example(tmp_path / "site")
    cfg = site / "okrsite.yaml"
    cfg.write_text(cfg.read_text(encoding="utf-8") + "theme: plain\n", encoding="utf-8")
    (site / "themes/plain/templates").mkdir(parents=True)
    (site / "themes/plain/templates/page.html").write_text(
        '{% extends "base.html" %}{% block content %}<article id="plain">{{ body|safe }}</article>{% endblock %}\n',
        encoding="utf-8")
    out = build_site(site, tmp_path / "out")
    assert 'id="plain"' in (out / "handbook/glossary.html").read_text("utf-8")
    assert 'id="plain"' not in (out / "index.html").read_text("utf-8")  # falls back to default
