"""`okrsite diff`: real git repositories in tmp_path, the real CLI in a subprocess.

The handbook is tests/handbook.py's small site; each test commits revisions of it
and checks what the pull-request comment (and the JSON) says changed.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.handbook import BASE, CONFIG, write_site

REPO = Path(__file__).resolve().parent.parent
GIT_ENV = {"GIT_AUTHOR_NAME": "Test", "GIT_AUTHOR_EMAIL": "test@example.org", "GIT_COMMITTER_NAME": "Test",
           "GIT_COMMITTER_EMAIL": "test@example.org", "GIT_CONFIG_NOSYSTEM": "1"}


def git(repo: Path, *args: str) -> str:
    r = subprocess.run(["git", *args], cwd=repo, capture_output=True, text=True, env={**os.environ, **GIT_ENV})
    assert r.returncode == 0, r.stderr
    return r.stdout.strip()


def commit(repo: Path, message: str) -> str:
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "--allow-empty", "-m", message)
    return git(repo, "rev-parse", "HEAD")


def okrsite(*args: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "okrsite", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=120, env={**os.environ, "PYTHONPATH": str(REPO), **(env or {})})


def edit(site: Path, name: str, old: str, new: str) -> None:
    path = site / name
    text = path.read_text(encoding="utf-8")
    assert old in text, (name, old)
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = write_site(tmp_path / "hb")
    git(root, "init", "-q", "-b", "main")
    commit(root, "handbook")
    return root


def table_rows(markdown: str, heading: str) -> list[list[str]]:
    """The body rows of the table under `#### heading (N)`, cells split on unescaped pipes."""
    lines = markdown.splitlines()
    start = next(i for i, line in enumerate(lines) if re.fullmatch(rf"#### {re.escape(heading)} \(\d+\)", line))
    sep = next(i for i in range(start, len(lines)) if lines[i].startswith("| --- |"))
    rows = []
    for line in lines[sep + 1:]:
        if not line.startswith("|"):
            break
        rows.append([c.strip() for c in re.split(r"(?<!\\)\|", line)[1:-1]])
    return rows


def test_a_revised_key_result_target_between_two_revisions(repo: Path) -> None:
    base = git(repo, "rev-parse", "HEAD")
    edit(repo, "content/objectives/grow.md", "target: 60", "target: 70")
    git(repo, "switch", "-q", "-c", "raise-nps")
    commit(repo, "Raise the NPS target")
    r = okrsite("diff", "main", "raise-nps", cwd=repo)
    assert r.returncode == 0, r.stderr
    assert r.stderr == ""
    md = r.stdout
    assert md.startswith("<!-- okrsite-diff -->\n")
    assert f"### OKR changes: `main` (`{base[:10]}`) → `raise-nps`" in md
    assert table_rows(md, "Changed targets, dates and weights") == [["`grow/nps-60` NPS 60", "target", "60", "70"]]
    data = json.loads(okrsite("diff", "main", "raise-nps", "--format", "json", cwd=repo).stdout)
    assert data["changes"] == [{"type": "objective", "id": "grow", "key_result": "nps-60", "title": "NPS 60",
                                "field": "target", "from": 60, "to": 70}]
    assert data["base"]["commit"] == base and data["base"]["clean"] and data["head"]["clean"]


def test_rev2_defaults_to_the_working_tree_uncommitted_edits_included(repo: Path) -> None:
    edit(repo, "content/objectives/grow.md", "due: 2025-09-01", "due: 2025-09-15")
    r = okrsite("diff", "HEAD", cwd=repo)
    assert r.returncode == 0, r.stderr
    assert "→ the working tree" in r.stdout.splitlines()[1]
    assert table_rows(r.stdout, "Changed targets, dates and weights") == [
        ["`grow/ship` Ship it", "due", "2025-09-01", "2025-09-15"]]
    assert okrsite("diff", "HEAD", "HEAD", cwd=repo).stdout.count("No change to objectives, key results or KPIs") == 1


def test_added_removed_and_every_changed_field(repo: Path) -> None:
    (repo / "content/objectives/launch.md").write_text(
        "---\ntitle: Launch\ncycle: 2025-Q3\norg_unit: team\nkey_results:\n"
        "  - {id: live, title: Live, kind: milestone, due: 2025-09-20}\n"
        "  - {id: users, title: Users, start: 0, target: 500, unit: users}\n---\n", encoding="utf-8")
    child = BASE["content/objectives/child.md"]
    (repo / "content/objectives/child.md").write_text(
        child.replace("  - {id: b, title: B, kind: baseline}\n", "")
             .replace("{id: a, title: A, start: 0, target: 10,",
                      "{id: a, title: A, start: 2, target: 10, weight: 2,")
             .replace("title: Child", "title: Child objective"), encoding="utf-8")
    edit(repo, "content/kpis/nps.md", "target: 60", "target: 55")
    edit(repo, "content/objectives/grow.md", "    kind: milestone\n", "    kind: threshold\n    range: [1, null]\n")
    edit(repo, "content/objectives/grow.md", "    due: 2025-09-01\n", "")
    r = okrsite("diff", "HEAD", "--format", "json", cwd=repo)
    assert r.returncode == 0, r.stderr
    d = json.loads(r.stdout)
    changed = [(c["type"], c["id"], c["key_result"], c["field"], c["from"], c["to"]) for c in d["changes"]]
    assert changed == [
        ("objective", "child", None, "title", "Child", "Child objective"),
        ("objective", "child", "a", "start", 0, 2),
        ("objective", "child", "a", "weight", 1, 2),
        ("objective", "grow", "ship", "kind", "milestone", "threshold"),
        ("objective", "grow", "ship", "range", None, [1, None]),
        ("objective", "grow", "ship", "due", "2025-09-01", None),
        ("kpi", "nps", None, "target", 60, 55),
    ]
    assert [o["id"] for o in d["objectives_added"]] == ["launch"]
    assert d["objectives_added"][0]["key_results"] == ["live", "users"]
    assert [(k["objective"], k["id"]) for k in d["key_results_added"]] == [("launch", "live"), ("launch", "users")]
    assert [(k["objective"], k["id"], k["kind"]) for k in d["key_results_removed"]] == [("child", "b", "baseline")]
    assert d["objectives_removed"] == [] and d["kpis_added"] == [] and d["kpis_removed"] == []
    md = okrsite("diff", "HEAD", cwd=repo).stdout
    assert ["`launch/users`", "Users", "Increase", "0 → 500 users"] in table_rows(md, "Key results added")
    assert ["`launch/live`", "Live", "Milestone", "due 2025-09-20"] in table_rows(md, "Key results added")
    assert ["`grow/ship` Ship it", "range", "—", "≥ 1"] in table_rows(md, "Changed targets, dates and weights")
    assert ["KPI `nps` Net Promoter Score", "target", "60", "55"] in table_rows(md, "Changed targets, dates and weights")
    assert "**1 objective added · 2 key results added · 1 key result removed · 7 values changed" in md


def test_progress_and_status_judged_at_the_newer_sides_as_of(repo: Path) -> None:
    # The newer side moves as_of to 2025-09-10: expected = 71/91 days = 0.78. `child` has a = 5/10
    # and b (baseline) without data: 0.25 < 0.78 - 0.3, off track. A check-in of 10 makes a = 1:
    # 0.5 ≥ 0.48, at risk. `grow` changes nothing, so it is not listed, though its own as_of moved.
    (repo / "okrsite.yaml").write_text(CONFIG.replace("as_of: 2025-08-16", "as_of: 2025-09-10"), encoding="utf-8")
    edit(repo, "content/objectives/child.md", "checkins: [{date: 2025-08-01, value: 5}]",
         "checkins: [{date: 2025-08-01, value: 5}, {date: 2025-08-20, value: 10}]")
    d = json.loads(okrsite("diff", "HEAD", "--format", "json", cwd=repo).stdout)
    assert d["as_of"] == "2025-09-10" and d["as_of_source"] == "config"
    assert d["progress"] == [{"id": "child", "title": "Child",
                              "from": {"progress": 0.25, "status": "off_track", "grade": None},
                              "to": {"progress": 0.5, "status": "at_risk", "grade": None}}]
    md = okrsite("diff", "HEAD", cwd=repo).stdout
    assert "judged at **2025-09-10** (`as_of` in okrsite.yaml of the working tree)" in md
    assert table_rows(md, "Progress and status") == [["`child` Child", "25% → 50%", "🔴 Off track → 🟠 At risk"]]


def test_today_option_when_the_newer_side_sets_no_as_of(repo: Path) -> None:
    (repo / "okrsite.yaml").write_text(CONFIG.replace("as_of: 2025-08-16\n", ""), encoding="utf-8")
    # The older side's own as_of (2025-08-16) is overridden too: nothing else changed, so no
    # objective changes status, though at 2025-08-16 the cycle was running and now it has ended.
    d = json.loads(okrsite("diff", "HEAD", "--today", "2025-10-02", "--format", "json", cwd=repo).stdout)
    assert (d["as_of"], d["as_of_source"]) == ("2025-10-02", "option")
    assert d["progress"] == [] and d["changes"] == []
    md = okrsite("diff", "HEAD", "--today", "2025-10-02", cwd=repo).stdout
    assert "judged at **2025-10-02** (`--today`)" in md
    bad = okrsite("diff", "HEAD", "--today", "soon", cwd=repo)
    assert bad.returncode == 2 and bad.stderr == "okrsite: error: --today 'soon' is not a date (YYYY-MM-DD)\n"


def test_kpis_that_become_untargeted(repo: Path) -> None:
    edit(repo, "content/objectives/grow.md", "kpis: [nps]\n", "")
    edit(repo, "content/objectives/grow.md", "    kpi: nps\n", "")
    r = okrsite("diff", "HEAD", cwd=repo)
    assert table_rows(r.stdout, "KPIs no longer targeted") == [["`nps`", "Net Promoter Score", "`acme`"]]
    d = json.loads(okrsite("diff", "HEAD", "--format", "json", cwd=repo).stdout)
    assert d["kpis_untargeted"] == [{"id": "nps", "title": "Net Promoter Score", "org_unit": "acme"}]


def test_a_side_that_does_not_check_clean_is_named_and_still_diffed(repo: Path) -> None:
    edit(repo, "content/objectives/grow.md", "kpi: nps", "kpi: npss")
    edit(repo, "content/objectives/grow.md", "target: 60", "target: 65")
    commit(repo, "typo")
    r = okrsite("diff", "HEAD~1", "HEAD", cwd=repo)
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    warning = next(i for i, line in enumerate(lines) if "does not check clean" in line)
    assert lines[warning].startswith("> **Warning:** `HEAD` (`")
    assert lines[warning].endswith("does not check clean: 1 error (what loaded is compared).")
    quoted = lines[warning + 2:warning + 5]
    assert quoted == ["> ```text",
                      "> HEAD:content/objectives/grow.md:11:10: error: unknown kpi 'npss' (did you mean 'nps'?)",
                      "> ```"]
    assert ["`grow/nps-60` NPS 60", "target", "60", "65"] in table_rows(r.stdout, "Changed targets, dates and weights")
    d = json.loads(okrsite("diff", "HEAD~1", "HEAD", "--format", "json", cwd=repo).stdout)
    assert (d["base"]["clean"], d["head"]["clean"], d["head"]["errors"]) == (True, False, 1)


def test_site_in_a_subfolder_and_absent_from_the_older_revision(tmp_path: Path) -> None:
    top = tmp_path / "strategy"
    top.mkdir()
    (top / "README.md").write_text("Strategy repository.\n", encoding="utf-8")
    git(top, "init", "-q", "-b", "main")
    commit(top, "readme")
    write_site(top / "handbook")
    commit(top, "handbook")
    for cwd, args in ((top, ["--site", "handbook"]), (top / "handbook", [])):
        d = json.loads(okrsite("diff", "HEAD~1", "HEAD", "--format", "json", *args, cwd=cwd).stdout)
        assert d["base"]["exists"] is False and d["head"]["exists"] is True
        assert [o["id"] for o in d["objectives_added"]] == ["child", "grow"]
        assert [k["id"] for k in d["kpis_added"]] == ["nps"]
    md = okrsite("diff", "HEAD~1", "--site", "handbook", cwd=top).stdout
    assert "has no handbook in this folder; everything here counts as added." in md
    assert okrsite("diff", "HEAD", "--site", "handbook", cwd=top).stdout.count("No change to objectives") == 1


def test_usage_errors_exit_2_with_one_line(repo: Path, tmp_path: Path) -> None:
    r = okrsite("diff", "no-such-branch", cwd=repo)
    assert (r.returncode, r.stdout) == (2, "")
    assert r.stderr.startswith("okrsite: error: unknown revision 'no-such-branch'") and r.stderr.count("\n") == 1
    r = okrsite("diff", "--", "--help", cwd=repo)
    assert r.returncode == 2 and "unknown revision '--help'" in r.stderr
    plain = write_site(tmp_path / "not-a-repo")
    r = okrsite("diff", "HEAD", cwd=plain)
    assert (r.returncode, r.stderr) == (2, "okrsite: error: '.' is not inside a git repository\n")
    r = okrsite("diff", "HEAD", cwd=repo, env={"PATH": "/nonexistent"})
    assert (r.returncode, r.stderr) == (2, "okrsite: error: git is not installed (okrsite diff reads revisions "
                                           "with git)\n")
    r = okrsite("diff", "HEAD", "--site", "missing", cwd=repo)
    assert r.returncode == 2 and "'missing' not found" in r.stderr
    assert "Traceback" not in r.stderr


def test_output_is_stable(repo: Path) -> None:
    edit(repo, "content/objectives/grow.md", "target: 60", "target: 61")
    (repo / "content/objectives/child.md").unlink()
    for fmt in ("markdown", "json"):
        runs = [okrsite("diff", "HEAD", "--format", fmt, cwd=repo) for _ in range(2)]
        assert runs[0].returncode == 0 and runs[0].stdout == runs[1].stdout
        assert "child" in runs[0].stdout


def test_handbook_text_cannot_break_out_of_the_comment(repo: Path) -> None:
    evil = "A | B [x](https://evil.example) ![i](https://evil.example/i.png) @team <img src=x> `c` **b**"
    edit(repo, "content/objectives/grow.md", "title: NPS 60", f"title: {json.dumps(evil)}")
    md = okrsite("diff", "HEAD", cwd=repo).stdout
    rows = table_rows(md, "Changed targets, dates and weights")
    assert len(rows) == 1 and len(rows[0]) == 4
    where, field, old, new = rows[0]
    assert field == "title" and old == "NPS 60"
    assert new == r"A \| B \[x\]\(https://evil.example\) \!\[i\]\(https://evil.example/i.png\) \@team \<img src=x\> " \
                  r"\`c\` \*\*b\*\*"
    from markdown_it import MarkdownIt

    html = MarkdownIt("commonmark").enable("table").render(md)
    assert "<img" not in html and "<a " not in html and "<strong>b" not in html


def test_a_revisions_symlink_cannot_reach_outside(repo: Path, tmp_path: Path) -> None:
    secret = tmp_path / "secret.md"
    secret.write_text("---\ntitle: Secret\n---\nOutside the repository.\n", encoding="utf-8")
    os.symlink(secret, repo / "content/guide/secret.md")
    os.symlink("/", repo / "content/root")
    commit(repo, "links")
    (repo / "content/guide/secret.md").unlink()
    (repo / "content/root").unlink()
    d = json.loads(okrsite("diff", "HEAD", "--format", "json", cwd=repo).stdout)
    assert d["base"]["first_errors"] == [
        "HEAD:content/guide/secret.md:1:1: error: symlink points outside the site; not read"]
    assert d["changes"] == [] and d["objectives_removed"] == []


def test_long_tables_are_capped_and_the_json_lists_everything(repo: Path) -> None:
    for i in range(35):
        (repo / f"content/objectives/new-{i:02d}.md").write_text(
            f"---\ntitle: New {i}\ncycle: 2025-Q3\norg_unit: team\nkey_results:\n"
            f"  - {{id: k, title: K, start: 0, target: {i + 1}}}\n---\n", encoding="utf-8")
    md = okrsite("diff", "HEAD", cwd=repo).stdout
    rows = table_rows(md, "Objectives added")
    assert len(rows) == 30 and rows[0][0] == "`new-00` New 0" and rows[-1][0] == "`new-29` New 29"
    assert "… and 5 more (`okrsite diff --format json` lists every one)." in md
    assert "#### Objectives added (35)" in md
    d = json.loads(okrsite("diff", "HEAD", "--format", "json", cwd=repo).stdout)
    assert [o["id"] for o in d["objectives_added"]] == [f"new-{i:02d}" for i in range(35)]
    assert len(d["key_results_added"]) == 35
