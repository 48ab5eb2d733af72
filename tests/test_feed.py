"""feed.xml: a valid Atom 1.0 feed of the newest check-ins and git revisions, linked from every page, stable."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from datetime import datetime
from pathlib import Path
from xml.etree import ElementTree

import pytest

from tests.handbook import write_site
from tests.site_support import build_site, html_pages, parse, resolve

A = "{http://www.w3.org/2005/Atom}"
RFC3339 = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(Z|[+-]\d\d:\d\d)\Z")
MANY = "content/objectives/many.md"


def git(repo: Path, *args: str, when: str | None = None, who: str = "Ann Example") -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update({"GIT_CONFIG_NOSYSTEM": "1", "HOME": str(repo.parent), "GIT_AUTHOR_NAME": who,
                "GIT_AUTHOR_EMAIL": "a@example.org", "GIT_COMMITTER_NAME": who, "GIT_COMMITTER_EMAIL": "a@example.org"})
    if when:
        env["GIT_AUTHOR_DATE"] = env["GIT_COMMITTER_DATE"] = when
    subprocess.run(["git", *args], cwd=repo, env=env, check=True, capture_output=True)


def many_checkins(n: int) -> str:
    """An objective with two key results of `n` daily check-ins each, from 1 July."""
    rows = "\n".join(f"      - {{date: 2025-{7 + d // 31:02d}-{d % 31 + 1:02d}, value: {d}, note: 'day {d} <&>'}}"
                     for d in range(n))
    krs = "".join(f"  - id: daily-{k}\n    title: Daily value {k}\n    start: 0\n    target: 100\n    unit: pts\n"
                  f"    checkins:\n{rows}\n" for k in (1, 2))
    return f"---\ntitle: Many check-ins\ncycle: 2025-Q3\norg_unit: acme\nkey_results:\n{krs}---\n"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("feed") / "handbook"
    root.mkdir()
    write_site(root, {MANY: many_checkins(50)})
    if shutil.which("git"):
        git(root, "init", "-q", "-b", "main")
        git(root, "add", "-A")
        git(root, "commit", "-q", "-m", "Start", when="2025-06-20T09:00:00+02:00")
        path = root / "content/objectives/grow.md"
        path.write_text(path.read_text("utf-8").replace("target: 60", "target: 65", 1), "utf-8")
        git(root, "commit", "-q", "-am", "Raise the NPS target", when="2025-08-15T18:30:00+02:00", who="Bob Builder")
    return root


@pytest.fixture(scope="module")
def out(site: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_site(site, tmp_path_factory.mktemp("feed-out") / "site")


def entries(feed: ElementTree.Element) -> list[ElementTree.Element]:
    return feed.findall(f"{A}entry")


def when(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def test_feed_is_valid_atom_with_the_required_elements(out: Path) -> None:
    feed = ElementTree.fromstring((out / "feed.xml").read_bytes())
    assert feed.tag == f"{A}feed"
    for name in ("id", "title", "updated", "author"):
        assert feed.find(f"{A}{name}") is not None, name
    assert feed.find(f"{A}id").text.startswith("urn:uuid:")
    assert any(link.get("rel") == "self" and link.get("href") == "feed.xml" for link in feed.findall(f"{A}link"))
    items = entries(feed)
    assert len(items) == 50  # the newest 50 of 95 check-ins up to as_of and the revision
    ids = []
    for e in items:
        for name in ("id", "title", "updated", "summary"):
            assert (e.find(f"{A}{name}").text or "").strip(), name
        assert RFC3339.match(e.find(f"{A}updated").text)
        assert e.find(f"{A}author/{A}name").text
        link = e.find(f"{A}link")
        assert link is not None and link.get("rel") == "alternate"
        target = resolve("feed.xml", link.get("href"))
        assert target is not None and (out / target[0]).is_file()
        ids.append(e.find(f"{A}id").text)
    assert len(set(ids)) == len(ids)
    stamps = [when(e.find(f"{A}updated").text) for e in items]
    assert stamps == sorted(stamps, reverse=True)
    assert when(feed.find(f"{A}updated").text) == stamps[0]  # the newest entry, not the clock


def test_checkins_after_as_of_are_left_out_and_text_is_escaped(out: Path) -> None:
    feed = ElementTree.fromstring((out / "feed.xml").read_bytes())
    dates = {e.find(f"{A}updated").text[:10] for e in entries(feed)}
    assert max(dates) <= "2025-08-16"  # as_of of the test handbook
    summaries = [e.find(f"{A}summary").text for e in entries(feed)]
    assert any("day 46 <&>" in s for s in summaries)  # 16 Aug, parsed back from escaped XML
    assert not any("day 47 <&>" in s for s in summaries)  # 17 Aug: after as_of


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_a_revised_target_is_in_the_feed_with_author_date_and_message(out: Path) -> None:
    feed = ElementTree.fromstring((out / "feed.xml").read_bytes())
    revised = [e for e in entries(feed) if e.find(f"{A}title").text.startswith("Revised:")]
    assert len(revised) == 1
    e = revised[0]
    assert e.find(f"{A}title").text == "Revised: Grow — target of “NPS 60” 60 → 65"
    assert e.find(f"{A}author/{A}name").text == "Bob Builder"
    assert e.find(f"{A}updated").text == "2025-08-15T18:30:00+02:00"
    assert e.find(f"{A}summary").text.startswith("Raise the NPS target (")
    assert e.find(f"{A}link").get("href") == "objectives/grow.html#kr-nps-60"


def test_feed_is_byte_identical_across_builds(site: Path, out: Path, tmp_path: Path) -> None:
    again = build_site(site, tmp_path / "again")
    assert (again / "feed.xml").read_bytes() == (out / "feed.xml").read_bytes()


def test_every_page_links_the_feed(out: Path) -> None:
    pages = html_pages(out)
    assert len(pages) > 10
    for rel in pages:
        page = parse(out, rel)
        alternates = re.findall(r'<link rel="alternate" type="application/atom\+xml"[^>]*href="([^"]+)"', page.text)
        assert len(alternates) == 1, rel
        if rel != "404.html":  # the 404 page links from the site's absolute path
            assert resolve(rel, alternates[0]) == ("feed.xml", ""), rel
