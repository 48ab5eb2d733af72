"""History from git, end to end: a real repository in tmp_path, real `git` commands, the real build.

The repository's story (dates fixed, so every value below is known):

1. 2025-06-20 Ann    "Start the handbook"                 objective grow, KPI nps
2. 2025-06-25 Ann    "Name the launch"                    key result ship: title Ship it → Ship the app (before Q3)
3. 2025-07-10 Bob    "Raise the NPS target: survey moved" key result nps-60: target 60 → 70 (mid-cycle)
   branch feature:
4. 2025-07-12 Cleo   "Lower the NPS alert"                KPI nps: alert 45 → 40
5. 2025-07-14 Cleo   "File grow under 2025-q3"            objectives/grow.md → objectives/2025-q3/grow.md
   main:
6. 2025-07-13 Bob    "Track retention too"                key result retention added
7. 2025-07-15 Ann    merge of feature (no change of its own)
8. 2025-07-20 Dev    "WIP: nps (broken)"                  nps.md no longer parses
9. 2025-07-21 Dev    "Fix nps; target 65"                 nps.md parses again, target 60 → 65
then, not committed: grow's nps-60 target 70 → 75, and a new file content/objectives/fresh.md.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.handbook import write_site
from tests.site_support import build_site, parse, visible_text

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="needs git")

REPO_URL = "https://github.com/acme/handbook"
GROW = "content/objectives/grow.md"
GROW_NEW = "content/objectives/2025-q3/grow.md"
NPS = "content/kpis/nps.md"


def git(repo: Path, *args: str, when: str | None = None, who: str = "Ann Example", check: bool = True) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update({"GIT_CONFIG_NOSYSTEM": "1", "HOME": str(repo.parent), "GIT_AUTHOR_NAME": who,
                "GIT_AUTHOR_EMAIL": f"{who.split()[0].lower()}@example.org", "GIT_COMMITTER_NAME": who,
                "GIT_COMMITTER_EMAIL": f"{who.split()[0].lower()}@example.org"})
    if when:
        env["GIT_AUTHOR_DATE"] = env["GIT_COMMITTER_DATE"] = f"{when}T10:00:00+02:00"
    return subprocess.run(["git", *args], cwd=repo, env=env, check=check, capture_output=True, text=True).stdout


def edit(repo: Path, rel: str, old: str, new: str) -> None:
    path = repo / rel
    text = path.read_text("utf-8")
    assert old in text, (rel, old)
    path.write_text(text.replace(old, new, 1), "utf-8")


def commit(repo: Path, message: str, when: str, who: str) -> str:
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", message, when=when, who=who)
    return git(repo, "rev-parse", "HEAD").strip()


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> dict:
    root = tmp_path_factory.mktemp("history") / "handbook"
    root.mkdir()
    write_site(root)
    edit(root, "okrsite.yaml", "title: Test Handbook\n", f"title: Test Handbook\nrepo_url: {REPO_URL}\n")
    git(root, "init", "-q", "-b", "main")
    c: dict[str, str] = {}
    c["start"] = commit(root, "Start the handbook", "2025-06-20", "Ann Example")
    edit(root, GROW, "title: Ship it", "title: Ship the app")
    c["ship"] = commit(root, "Name the launch", "2025-06-25", "Ann Example")
    edit(root, GROW, "target: 60", "target: 70")
    c["target"] = commit(root, "Raise the NPS target: survey moved", "2025-07-10", "Bob Builder")
    git(root, "checkout", "-q", "-b", "feature")
    edit(root, NPS, "alert: 45", "alert: 40")
    c["alert"] = commit(root, "Lower the NPS alert", "2025-07-12", "Cleo Chen")
    (root / GROW_NEW).parent.mkdir(parents=True)
    git(root, "mv", GROW, GROW_NEW)
    c["move"] = commit(root, "File grow under 2025-q3", "2025-07-14", "Cleo Chen")
    git(root, "checkout", "-q", "main")
    edit(root, GROW, "key_results:\n", "key_results:\n  - {id: retention, title: Keep 90% of customers, start: 80, "
                                       "target: 90}\n")
    c["retention"] = commit(root, "Track retention too", "2025-07-13", "Bob Builder")
    git(root, "merge", "-q", "--no-ff", "-m", "Merge branch 'feature'", "feature", when="2025-07-15", who="Ann Example")
    c["merge"] = git(root, "rev-parse", "HEAD").strip()
    edit(root, NPS, "title: Net Promoter Score", "title: 'Net Promoter Score")
    c["broken"] = commit(root, "WIP: nps (broken)", "2025-07-20", "Dev Ops")
    edit(root, NPS, "title: 'Net Promoter Score", "title: Net Promoter Score")
    edit(root, NPS, "target: 60", "target: 65")
    c["fix"] = commit(root, "Fix nps; target 65", "2025-07-21", "Dev Ops")
    edit(root, GROW_NEW, "target: 70", "target: 75")  # not committed
    (root / "content/objectives/fresh.md").write_text(
        "---\ntitle: Fresh\ncycle: 2025-Q3\norg_unit: acme\nkey_results:\n  - {id: a, title: A, start: 0, target: 1}\n"
        "---\n", "utf-8")
    out = build_site(root, root.parent / "out")
    return {"root": root, "out": out, "commits": c,
            "data": json.loads((out / "data.json").read_text("utf-8"))}


def entity(data: dict, kind: str, eid: str) -> dict:
    return next(e for e in data[kind] if e["id"] == eid)


def test_data_json_revisions_follow_the_rename_and_skip_merges_and_uncommitted(repo: dict) -> None:
    c = repo["commits"]
    grow = entity(repo["data"], "objectives", "grow")
    assert grow["url"] == "objectives/grow.html"
    assert grow["revisions"] == [
        {"commit": c["retention"], "date": "2025-07-13", "author": "Bob Builder", "message": "Track retention too",
         "key_result": "retention", "field": "added", "from": None, "to": "Keep 90% of customers"},
        {"commit": c["target"], "date": "2025-07-10", "author": "Bob Builder",
         "message": "Raise the NPS target: survey moved", "key_result": "nps-60", "field": "target", "from": 60,
         "to": 70},
        {"commit": c["ship"], "date": "2025-06-25", "author": "Ann Example", "message": "Name the launch",
         "key_result": "ship", "field": "title", "from": "Ship it", "to": "Ship the app"},
    ]


def test_a_branch_change_appears_once_as_its_own_commit_and_a_broken_version_is_skipped(repo: dict) -> None:
    c = repo["commits"]
    nps = entity(repo["data"], "kpis", "nps")
    assert nps["revisions"] == [
        {"commit": c["fix"], "date": "2025-07-21", "author": "Dev Ops", "message": "Fix nps; target 65",
         "key_result": None, "field": "target", "from": 60, "to": 65},
        {"commit": c["alert"], "date": "2025-07-12", "author": "Cleo Chen", "message": "Lower the NPS alert",
         "key_result": None, "field": "alert", "from": 45, "to": 40},
    ]
    everything = [r["commit"] for kind in ("objectives", "kpis") for e in repo["data"][kind] for r in e["revisions"]]
    assert c["merge"] not in everything and c["broken"] not in everything
    # the new, uncommitted objective is in data.json with no revisions (its edits have no commit yet)
    assert entity(repo["data"], "objectives", "fresh")["revisions"] == []


def test_history_section_shows_each_revision_with_author_date_message_and_commit_link(repo: dict) -> None:
    c = repo["commits"]
    page = parse(repo["out"], "objectives/grow.html")
    text = visible_text(page.text)
    assert 'id="history"' in page.text
    for needle in ("Raise the NPS target: survey moved", "Bob Builder", "10 Jul 2025", "Track retention too",
                   "Key result added", "Name the launch", "Created 20 Jun 2025 by Ann Example"):
        assert needle in text, needle
    assert f'href="{REPO_URL}/commit/{c["target"]}"' in page.text
    target = text[text.index("10 Jul 2025 · Bob Builder"):text.index("25 Jun 2025 · Ann Example")]
    assert "Raise the NPS target" in target and "NPS 60 · Target from 60 → to 70" in target
    # mid-cycle: after 2025-Q3 began (1 Jul); the June rename of "ship" is not
    assert "Mid-cycle change" in target
    assert "Mid-cycle change" not in text[text.index("25 Jun 2025 · Ann Example"):]
    assert "2 mid-cycle changes" in text


def test_uncommitted_edit_is_shown_as_not_committed_yet(repo: dict) -> None:
    page = parse(repo["out"], "objectives/grow.html")
    text = visible_text(page.text)
    pending = text[text.index("Not committed yet"):text.index("Raise the NPS target")]
    assert "Target" in pending and "70" in pending and "75" in pending
    fresh = visible_text(parse(repo["out"], "objectives/fresh.html").text)
    assert "Not committed yet" in fresh and "not in git yet" in fresh


def test_kpi_history_and_last_updated_and_edit_link(repo: dict) -> None:
    page = parse(repo["out"], "kpis/nps.html")
    text = visible_text(page.text)
    assert "Lower the NPS alert" in text and "Cleo Chen" in text and "Fix nps; target 65" in text
    assert "WIP: nps (broken)" not in text
    assert "Last updated 21 Jul 2025 by Dev Ops" in text
    assert f'href="{REPO_URL}/edit/main/content/kpis/nps.md"' in page.text
    grow = parse(repo["out"], "objectives/grow.html")
    assert f'href="{REPO_URL}/edit/main/content/objectives/2025-q3/grow.md"' in grow.text
    assert "Last updated 14 Jul 2025 by Cleo Chen" in visible_text(grow.text)  # the rename
    unit = visible_text(parse(repo["out"], "org/acme.html").text)
    assert "Last updated 20 Jun 2025 by Ann Example" in unit and "Edit this page" in unit


def test_home_lists_the_current_cycles_revisions(repo: dict) -> None:
    text = visible_text(parse(repo["out"], "index.html").text)
    section = text[text.index("Revisions this cycle"):]
    assert section.index("Track retention too") < section.index("Raise the NPS target")
    assert "Keep 90% of customers" in section and "Mid-cycle change" in section


def test_shallow_clone_builds_shows_what_it_has_and_says_so(repo: dict, tmp_path: Path) -> None:
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", "--depth", "2", f"file://{repo['root']}", str(clone)], check=True)
    out = tmp_path / "out"
    proc = subprocess.run([sys.executable, "-m", "okrsite", "build", str(clone), "--out", str(out)],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert "note: shallow clone: history starts at 2025-07-20" in proc.stderr
    data = json.loads((out / "data.json").read_text("utf-8"))
    # two commits deep: the fix would be compared with the last version that loads, which is not in the clone
    assert entity(data, "kpis", "nps")["revisions"] == []
    assert entity(data, "objectives", "grow")["revisions"] == []
    page = visible_text(parse(out, "kpis/nps.html").text)
    assert "Last updated 21 Jul 2025 by Dev Ops" in page
    assert "shallow clone" in page and "20 Jul 2025" in page


def test_no_history_flag_and_no_repository_and_no_git(repo: dict, tmp_path: Path) -> None:
    out = tmp_path / "off"
    proc = subprocess.run([sys.executable, "-m", "okrsite", "build", str(repo["root"]), "--out", str(out),
                           "--no-history"], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    data = json.loads((out / "data.json").read_text("utf-8"))
    assert all("revisions" not in e for e in data["objectives"] + data["kpis"])
    assert 'id="history"' not in (out / "objectives/grow.html").read_text("utf-8")
    assert "Revised:" not in (out / "feed.xml").read_text("utf-8")

    plain = tmp_path / "plain"
    shutil.copytree(repo["root"], plain, ignore=shutil.ignore_patterns(".git"))
    data = json.loads((build_site(plain, tmp_path / "plain-out") / "data.json").read_text("utf-8"))
    assert all("revisions" not in e for e in data["objectives"] + data["kpis"])

    env = {**os.environ, "PATH": str(tmp_path / "empty-bin")}
    proc = subprocess.run([sys.executable, "-m", "okrsite", "build", str(repo["root"]), "--out",
                           str(tmp_path / "nogit")], capture_output=True, text=True, env=env)
    assert proc.returncode == 0, proc.stderr
    assert "note: no history from git: cannot run git" in proc.stderr
    data = json.loads((tmp_path / "nogit" / "data.json").read_text("utf-8"))
    assert all("revisions" not in e for e in data["objectives"] + data["kpis"])


def test_serve_shows_an_edit_as_not_committed_yet_and_a_new_commit_after_it(tmp_path: Path) -> None:
    """`serve`'s rebuild state reads history too, keeping git's answers while HEAD stays the same."""
    from okrsite.serve.state import SiteState

    root = write_site(tmp_path / "site")
    git(root, "init", "-q", "-b", "main")
    commit(root, "Start", "2025-07-02", "Ann Example")
    state = SiteState(root, "site")
    first = state.rebuild()
    assert first.ok and "history" in first.timings
    page = visible_text(state.outputs["objectives/grow.html"].decode("utf-8"))
    assert "No revision since the page was created." in page and "Not committed yet" not in page

    edit(root, "content/objectives/grow.md", "target: 60", "target: 62")
    state.rebuild([root / "content/objectives/grow.md"])
    page = visible_text(state.outputs["objectives/grow.html"].decode("utf-8"))
    assert "Not committed yet" in page and "Target from 60 → to 62" in page

    commit(root, "Aim a little higher", "2025-07-09", "Bob Builder")
    state.rebuild([root / "content/objectives/grow.md"])
    page = visible_text(state.outputs["objectives/grow.html"].decode("utf-8"))
    assert "Not committed yet" not in page
    assert "Aim a little higher" in page and "9 Jul 2025 · Bob Builder" in page
