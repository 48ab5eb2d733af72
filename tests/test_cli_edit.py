"""`okrsite checkin`, `measure` and `new` through the real CLI in a subprocess, on handbooks on disk:
exit codes, messages, files byte-identical but for the lines added, refused edits leaving files alone."""

from __future__ import annotations

import difflib
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from okrsite.edit.values import front
from tests.handbook import write_site

REPO = Path(__file__).resolve().parent.parent
CHILD = "content/objectives/child.md"
GROW = "content/objectives/grow.md"


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.run([sys.executable, "-m", "okrsite", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=60, env=env)


def added_lines(before: bytes, after: bytes) -> list[str]:
    """The lines `after` adds to `before`; fails if it changes or removes any."""
    a, b = before.decode().splitlines(keepends=True), after.decode().splitlines(keepends=True)
    ops = difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes()
    assert all(tag in ("equal", "insert") for tag, *_ in ops), "".join(difflib.unified_diff(a, b))
    return [line for tag, _, _, j1, j2 in ops if tag == "insert" for line in b[j1:j2]]


@pytest.fixture
def site(tmp_path: Path) -> Path:
    return write_site(tmp_path / "hb")


def test_checkin_appends_one_line_to_a_block_list_and_checks_clean(site: Path) -> None:
    path = site / GROW
    text = path.read_text().replace("    kpi: nps\n", "    kpi: nps\n    checkins:   # monthly\n"
                                    "      - {date: 2025-07-15, value: 44, note: 'wave 1'}  # keep me\n")
    path.write_text(text)
    before = path.read_bytes()
    r = run("checkin", "grow/nps-60", "51", "--date", "2025-08-12", "--confidence", "0.7", "--note",
            'wave 2: "better", {really}', "--site", "hb", cwd=site.parent)
    assert r.returncode == 0, r.stderr
    assert r.stderr == "okrsite: added check-in 2025-08-12, value 51, confidence 0.7 for grow/nps-60 at " \
                       "hb/content/objectives/grow.md:14\n"
    assert added_lines(before, path.read_bytes()) == [
        '      - {date: 2025-08-12, value: 51, confidence: 0.7, note: "wave 2: \\"better\\", {really}"}\n']
    check = run("check", "hb", cwd=site.parent)
    assert check.returncode == 0 and check.stdout == "0 errors, 0 warnings in 6 pages\n", check.stdout


def test_checkin_into_a_flow_list_keeps_crlf_and_everything_else(site: Path) -> None:
    path = site / CHILD
    crlf = path.read_bytes().replace(b"\n", b"\r\n")
    path.write_bytes(crlf)
    r = run("checkin", "child/a", "7.50", "--date", "2025-08-20", cwd=site)
    assert r.returncode == 0, r.stderr
    after = path.read_bytes()
    assert after == crlf.replace(b"value: 5}]}", b"value: 5}, {date: 2025-08-20, value: 7.50}]}")
    assert after.count(b"\n") == after.count(b"\r\n")


def test_checkin_creates_the_list_when_absent_at_the_key_results_indentation(site: Path) -> None:
    path = site / GROW
    before = path.read_bytes()
    r = run("checkin", "grow/nps-60", "48", "--date", "2025-08-01", cwd=site)
    assert r.returncode == 0, r.stderr
    assert added_lines(before, path.read_bytes()) == ["    checkins:\n", "      - {date: 2025-08-01, value: 48}\n"]


def test_a_checkin_that_would_not_check_clean_is_refused_and_the_file_untouched(site: Path) -> None:
    path = site / CHILD
    before = path.read_bytes()
    mtime = path.stat().st_mtime_ns
    r = run("checkin", "child/a", "6", "--date", "2025-08-20", "--confidence", "1.5", cwd=site)
    assert r.returncode == 1
    assert r.stdout == ("content/objectives/child.md:7:127: error: 'confidence' should be between 0 and 1, "
                        "not 1.5\n")
    assert "refused; content/objectives/child.md left as it was" in r.stderr
    assert path.read_bytes() == before and path.stat().st_mtime_ns == mtime
    assert not [p.name for p in path.parent.iterdir() if p.name.startswith(".")]  # no temporary file left


def test_unknown_objective_or_key_result_exits_1_with_did_you_mean(site: Path) -> None:
    r = run("checkin", "grwo/nps-60", "5", cwd=site)
    assert (r.returncode, r.stderr) == (1, "okrsite: error: unknown objective 'grwo' (did you mean 'grow'?)\n")
    r = run("checkin", "grow/nps-6", "5", cwd=site)
    assert (r.returncode, r.stderr) == (1, "okrsite: error: unknown key result 'grow/nps-6' "
                                           "(did you mean 'grow/nps-60'?)\n")
    r = run("checkin", "nps/x", "5", cwd=site)
    assert r.returncode == 1 and "'nps' is a kpi, not an objective" in r.stderr
    r = run("checkin", "grow", "5", cwd=site)
    assert r.returncode == 2 and "(grow/nps-60, grow/ship)" in r.stderr
    r = run("checkin", "grow/nps-60", "50%", cwd=site)
    assert (r.returncode, r.stderr) == (2, "okrsite: error: VALUE '50%' is not a number "
                                           "(write 50 and keep the unit in 'unit')\n")
    r = run("checkin", "grow/nps-60", "5", "--date", "12/08/2025", cwd=site)
    assert r.returncode == 2 and "--date '12/08/2025' is not a date" in r.stderr


def test_checkin_date_defaults_to_today_and_a_warning_does_not_stop_it(site: Path) -> None:
    from datetime import date

    path = site / CHILD
    r = run("checkin", "child/a", "6", cwd=site)
    assert r.returncode == 0, r.stderr
    assert f"{{date: {date.today().isoformat()}, value: 6}}" in path.read_text()
    if not date(2025, 7, 1) <= date.today() <= date(2025, 9, 30):  # outside the fixture's cycle: said, not refused
        assert "warning: check-in dated" in r.stdout


def test_strict_refuses_a_new_warning(site: Path) -> None:
    before = (site / CHILD).read_bytes()
    r = run("checkin", "child/a", "6", "--date", "2025-10-02", "--strict", cwd=site)
    assert r.returncode == 1
    assert "warning: check-in dated 2025-10-02 is outside cycle 2025-Q3" in r.stdout
    assert (site / CHILD).read_bytes() == before


def test_dry_run_prints_the_diff_and_writes_nothing(site: Path) -> None:
    before = (site / GROW).read_bytes()
    r = run("checkin", "grow/nps-60", "52", "--date", "2025-08-02", "--dry-run", cwd=site)
    assert r.returncode == 0, r.stderr
    assert "+    checkins:\n+      - {date: 2025-08-02, value: 52}\n" in r.stdout
    assert r.stdout.startswith("--- a/content/objectives/grow.md\n+++ b/content/objectives/grow.md\n")
    assert (site / GROW).read_bytes() == before


def test_the_file_mode_is_kept(site: Path) -> None:
    path = site / GROW
    path.chmod(0o640)
    assert run("checkin", "grow/nps-60", "52", "--date", "2025-08-02", cwd=site).returncode == 0
    assert stat.S_IMODE(path.stat().st_mode) == 0o640


def test_measure_inline_and_in_a_crlf_csv_file(site: Path) -> None:
    kpi = site / "content/kpis/nps.md"
    before = kpi.read_bytes()
    r = run("measure", "nps", "53", "--date", "2025-08-31", cwd=site)
    assert r.returncode == 0, r.stderr
    assert added_lines(before, kpi.read_bytes()) == ["  - {date: 2025-08-31, value: 53}\n"]

    kpi.write_text(before.decode().replace("measurements:\n  - {date: 2025-07-31, value: 50}\n", "data: nps.csv\n"))
    csv = site / "content/kpis/nps.csv"
    csv.write_bytes(b"Value,Date,Note\r\n48,2025-06-30,june\r\n50,2025-08-31,\"august, late\"\r\n")
    r = run("measure", "nps", "51", "--date", "2025-07-31", "--note", "july", cwd=site)
    assert r.returncode == 0, r.stderr
    assert csv.read_bytes() == (b"Value,Date,Note\r\n48,2025-06-30,june\r\n50,2025-08-31,\"august, late\"\r\n"
                                b"51,2025-07-31,july\r\n")  # a quoted cell: appended, not sorted in
    assert "at content/kpis/nps.csv:4" in r.stderr
    assert run("check", cwd=site).returncode == 0


def test_measure_sorts_into_a_dated_csv_and_adds_a_missing_last_line_end(site: Path) -> None:
    kpi = site / "content/kpis/nps.md"
    kpi.write_text(kpi.read_text().replace("measurements:\n  - {date: 2025-07-31, value: 50}\n", "data: nps.csv\n"))
    csv = site / "content/kpis/nps.csv"
    csv.write_bytes(b"date,value\n2025-06-30,41\n2025-08-31,52")
    assert run("measure", "nps", "47", "--date", "2025-07-31", cwd=site).returncode == 0
    assert csv.read_bytes() == b"date,value\n2025-06-30,41\n2025-07-31,47\n2025-08-31,52"
    assert run("measure", "nps", "55", "--date", "2025-09-30", cwd=site).returncode == 0
    assert csv.read_bytes() == b"date,value\n2025-06-30,41\n2025-07-31,47\n2025-08-31,52\n2025-09-30,55\n"
    r = run("measure", "nps", "55", "--note", "x", cwd=site)
    assert r.returncode == 2 and "nps.csv has no 'note' column" in r.stderr
    r = run("measure", "npx", "55", cwd=site)
    assert (r.returncode, r.stderr) == (1, "okrsite: error: unknown KPI 'npx' (did you mean 'nps'?)\n")


def test_new_skeletons_check_clean_and_are_never_overwritten(site: Path) -> None:
    for args in (["objective", "faster-boarding", "--unit", "team", "--title", "Board: faster"],
                 ["kpi", "boarding-time", "--unit", "team"], ["unit", "gate-crew", "--unit", "team"],
                 ["page", "faq"]):
        r = run("new", *args, cwd=site)
        assert r.returncode == 0, r.stderr
    assert (site / "content/objectives/faster-boarding.md").read_text().startswith(
        '---\ntitle: "Board: faster"\ncycle: 2025-Q3\norg_unit: team\n')
    check = run("check", cwd=site)
    assert check.returncode == 0, check.stdout
    assert check.stdout == ("content/kpis/boarding-time.md:2:8: warning: KPI 'boarding-time' is used by no "
                            "objective ('kpis') and no key result ('kpi')\n0 errors, 1 warning in 10 pages\n")

    page = site / "content/pages/faq.md"
    page.write_text("---\ntitle: Mine\n---\n")
    page.rename(site / "content/pages/other.md")
    (site / "content/pages/faq.md").write_text("not a page of okrsite's")
    r = run("new", "page", "faq", cwd=site)
    assert (r.returncode, r.stderr) == (2, "okrsite: error: content/pages/faq.md exists; not overwritten\n")
    assert (site / "content/pages/faq.md").read_text() == "not a page of okrsite's"
    r = run("new", "objective", "grow", "--unit", "team", cwd=site)
    assert (r.returncode, r.stderr) == (2, "okrsite: error: content/objectives/grow.md exists; not overwritten\n")
    r = run("new", "objective", "nps", "--unit", "team", cwd=site)
    assert (r.returncode, r.stderr) == (1, "okrsite: error: id 'nps' is already used by content/kpis/nps.md "
                                           "(ids are unique across the site)\n")
    assert not (site / "content/objectives/nps.md").exists()
    r = run("new", "objective", "x", "--unit", "teem", cwd=site)
    assert (r.returncode, r.stderr) == (1, "okrsite: error: unknown org unit 'teem' (did you mean 'team'?)\n")


def test_new_objective_from_old_carries_it_into_the_next_cycle(site: Path) -> None:
    config = site / "okrsite.yaml"
    config.write_text(config.read_text() + "  - {id: 2025-Q4, title: Q4 2025, start: 2025-10-01, end: 2025-12-31}\n")
    grow = site / GROW
    grow.write_text(grow.read_text().replace("    kpi: nps\n", "    kpi: nps\n    unit: pts\n    checkins:\n"
                                             "      - {date: 2025-08-10, value: 52, confidence: 0.6}\n"))
    r = run("new", "objective", "grow-q4", "--from", "grow", "--today", "2025-09-30", cwd=site)
    assert r.returncode == 0, r.stderr
    carried = site / "content/objectives/grow-q4.md"
    fields, body = front(carried.read_text())  # type: ignore[misc]
    assert fields == {
        "title": "Grow", "cycle": "2025-Q4", "org_unit": "acme", "kpis": ["nps"],
        "key_results": [
            {"id": "nps-60", "title": "NPS 60", "start": 52, "target": 60, "kpi": "nps", "unit": "pts"},
            {"id": "ship", "title": "Ship it", "kind": "milestone", "due": __import__("datetime").date(2025, 12, 31)},
        ]}
    assert body == "Why.\n"
    assert "milestone 'ship' now due 2025-12-31" in r.stderr
    assert run("check", cwd=site).returncode == 0
    r = run("new", "objective", "grow-q4b", "--from", "grow", "--cycle", "2025-Q9", cwd=site)
    assert r.returncode == 2 and "unknown cycle '2025-Q9'" in r.stderr
