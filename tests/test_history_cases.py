"""History from git, case by case: values that are lists and dates, removals, a conflict resolved in
the merge, a site in a sub-folder of its repository, and a GitLab repo_url."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.handbook import write_site
from tests.site_support import build_site, parse, visible_text
from tests.test_history import commit, edit, entity, git

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="needs git")

GROW = "content/objectives/grow.md"
NPS = "content/kpis/nps.md"


def data_of(out: Path) -> dict:
    return json.loads((out / "data.json").read_text("utf-8"))


def test_lists_dates_and_a_removed_key_result(tmp_path: Path) -> None:
    root = write_site(tmp_path / "site")
    git(root, "init", "-q", "-b", "main")
    commit(root, "Start", "2025-06-01", "Ann Example")
    edit(root, GROW, "due: 2025-09-01", "due: 2025-09-15")
    edit(root, NPS, "target: 60\nalert: 45", "range: [50, null]")
    edit(root, GROW, "    target: 60\n", "    target: 60\n    plan:\n      - {date: 2025-08-01, value: 50}\n")
    first = commit(root, "Plan NPS, move the launch, band the KPI", "2025-07-05", "Bob Builder")
    edit(root, GROW, "  - id: ship\n    title: Ship it\n    kind: milestone\n    due: 2025-09-15\n", "")
    second = commit(root, "Drop the launch", "2025-07-06", "Bob Builder")
    data = data_of(build_site(root, tmp_path / "out"))
    grow = entity(data, "objectives", "grow")["revisions"]
    assert [(r["commit"], r["key_result"], r["field"], r["from"], r["to"]) for r in grow] == [
        (second, "ship", "removed", "Ship it", None),
        (first, "nps-60", "plan", None, [{"date": "2025-08-01", "value": 50}]),
        (first, "ship", "due", "2025-09-01", "2025-09-15"),
    ]
    nps = entity(data, "kpis", "nps")["revisions"]
    assert [(r["field"], r["from"], r["to"]) for r in nps] == [
        ("target", 60, None), ("alert", 45, None), ("range", None, [50, None])]
    text = visible_text(parse(tmp_path / "out", "objectives/grow.html").text)
    assert "Drop the launch Ship it ■ Key result removed" in text  # shown although the key result is gone
    assert "Plan from none → to 1 Aug 2025: 50" in text
    kpi = visible_text(parse(tmp_path / "out", "kpis/nps.html").text)
    assert "Range from none → to at least 50" in kpi


def test_a_conflict_resolved_in_the_merge_is_the_merges_revision(tmp_path: Path) -> None:
    root = write_site(tmp_path / "site")
    git(root, "init", "-q", "-b", "main")
    commit(root, "Start", "2025-06-01", "Ann Example")
    git(root, "checkout", "-q", "-b", "side")
    edit(root, GROW, "target: 60", "target: 70")
    side = commit(root, "Side: 70", "2025-07-02", "Cleo Chen")
    git(root, "checkout", "-q", "main")
    edit(root, GROW, "target: 60", "target: 80")
    main = commit(root, "Main: 80", "2025-07-03", "Bob Builder")
    git(root, "merge", "-q", "side", "-m", "Merge side", when="2025-07-04", check=False)  # conflicts
    text = (root / GROW).read_text("utf-8")
    start = text.index("<<<<<<<")
    end = text.index(">>>>>>>")
    end = text.index("\n", end) + 1
    (root / GROW).write_text(text[:start] + "    target: 75\n" + text[end:], "utf-8")
    resolved = commit(root, "Merge side: meet at 75", "2025-07-04", "Ann Example")
    data = data_of(build_site(root, tmp_path / "out"))
    revs = entity(data, "objectives", "grow")["revisions"]
    assert [(r["commit"], r["field"], r["from"], r["to"]) for r in revs] == [
        (resolved, "target", 80, 75), (main, "target", 60, 80), (side, "target", 60, 70)]


def test_site_in_a_sub_folder_and_a_gitlab_repo(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    root = write_site(repo / "handbook")
    edit(root, "okrsite.yaml", "title: Test Handbook\n",
         "title: Test Handbook\nrepo_url: https://gitlab.com/acme/strategy.git/\n")
    (repo / "README.md").write_text("not a page\n", "utf-8")
    git(repo, "init", "-q", "-b", "main")
    commit(repo, "Start", "2025-06-01", "Ann Example")
    edit(root, NPS, "target: 60", "target: 62")
    (repo / "README.md").write_text("still not a page\n", "utf-8")
    change = commit(repo, "NPS target 62", "2025-07-08", "Bob Builder")
    out = build_site(root, tmp_path / "out")
    nps = entity(data_of(out), "kpis", "nps")["revisions"]
    assert [(r["commit"], r["field"], r["from"], r["to"]) for r in nps] == [(change, "target", 60, 62)]
    page = parse(out, "kpis/nps.html").text
    assert 'href="https://gitlab.com/acme/strategy/-/edit/main/handbook/content/kpis/nps.md"' in page
    assert f'href="https://gitlab.com/acme/strategy/-/commit/{change}"' in page


def test_bad_repo_url_is_an_error_at_its_position(tmp_path: Path) -> None:
    from okrsite.build import check

    root = write_site(tmp_path / "site")
    edit(root, "okrsite.yaml", "title: Test Handbook\n", "title: Test Handbook\nrepo_url: javascript:alert(1)\n"
                                                        "edit_uri: ftp://x/\n")
    lines = [d.text() for d in check(root, "site").diagnostics]
    assert lines == [
        "site/okrsite.yaml:2:11: error: 'repo_url' should be an http:// or https:// URL, such as "
        "https://github.com/org/handbook",
        "site/okrsite.yaml:3:11: error: 'edit_uri' should be an http:// or https:// URL, such as edit/main/content/",
    ]


def test_revisions_before_during_and_after_the_cycle_are_told_apart(tmp_path: Path) -> None:
    root = write_site(tmp_path / "site")
    git(root, "init", "-q", "-b", "main")
    commit(root, "Start", "2025-06-01", "Ann Example")
    for when, target in (("2025-07-01", 61), ("2025-07-02", 62), ("2025-09-30", 63), ("2025-10-01", 64)):
        edit(root, GROW, f"target: {target - 1}", f"target: {target}")
        commit(root, f"Target {target}", when, "Bob Builder")
    out = build_site(root, tmp_path / "out")
    text = visible_text(parse(out, "objectives/grow.html").text)
    assert "! 2 mid-cycle changes" in text
    phases = {}
    for target in (61, 62, 63, 64):
        block = text[text.index(f"Target {target}") - 60:text.index(f"Target {target}")]
        phases[target] = "Mid-cycle change" in block, "After the cycle" in block
    # the first day is still setting the cycle up; its last day is inside it
    assert phases == {61: (False, False), 62: (True, False), 63: (True, False), 64: (False, True)}
