"""okrsite.edit on real handbooks on disk, in-process: the cases that must refuse, KPI lists created at
the top level, milestones, carrying objectives on, and the write that finds the file changed under it."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from okrsite.cli import main
from okrsite.edit.apply import Change, apply_change
from okrsite.edit.errors import EditError
from okrsite.edit.values import front
from okrsite.edit.verify import load
from tests.handbook import write_site

CHILD = "content/objectives/child.md"


def cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.fixture
def site(tmp_path: Path) -> Path:
    return write_site(tmp_path / "hb")


def objective(site: Path, key_results: str) -> Path:
    path = site / CHILD
    path.write_text("---\ntitle: Child\ncycle: 2025-Q3\norg_unit: team\nparent: grow/nps-60\n"
                    f"key_results:\n{key_results}---\nBody.\n")
    return path


def test_an_aliased_checkin_list_is_refused_untouched(site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = objective(site, "  - id: a\n    title: A\n    start: 0\n    target: 10\n"
                           "    checkins: &shared\n      - {date: 2025-08-01, value: 5}\n"
                           "  - id: b\n    title: B\n    start: 0\n    target: 10\n    checkins: *shared\n")
    before = path.read_bytes()
    code, _, err = cli(capsys, "checkin", "child/b", "6", "--date", "2025-08-10", "--site", str(site))
    assert (code, err) == (1, "okrsite: error: this part of the front matter is a YAML alias (*name); "
                              "edit it by hand\n")
    assert path.read_bytes() == before


def test_checkins_merged_from_an_anchor_are_not_shadowed(site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = objective(site, "  - &base {id: a, title: A, start: 0, target: 10, checkins: [{date: 2025-08-01, value: 5}]}\n"
                           "  - id: b\n    title: B\n    <<: *base\n")
    before = path.read_bytes()
    code, _, err = cli(capsys, "checkin", "child/b", "6", "--date", "2025-08-10", "--site", str(site))
    assert (code, err) == (1, "okrsite: error: this part of the front matter is a YAML alias (*name); "
                              "edit it by hand\n")
    assert path.read_bytes() == before


def test_a_milestone_checkin_needs_no_value_other_kinds_do(site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    grow = site / "content/objectives/grow.md"
    code, _, err = cli(capsys, "checkin", "grow/ship", "--date", "2025-08-10", "--note", "design signed off",
                       "--site", str(site))
    assert code == 0, err
    fields, _ = front(grow.read_text())  # type: ignore[misc]
    assert fields["key_results"][1]["checkins"] == [{"date": date(2025, 8, 10), "note": "design signed off"}]
    code, _, err = cli(capsys, "checkin", "grow/nps-60", "--site", str(site))
    assert (code, err) == (2, "okrsite: error: a check-in of increase key result 'grow/nps-60' needs a VALUE\n")


def test_a_page_that_does_not_load_is_not_edited(site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = site / CHILD
    path.write_text("---\ntitle: Child\nkey_results: [\n---\n")
    code, _, err = cli(capsys, "checkin", "child/a", "6", "--site", str(site))
    assert (code, err) == (1, "okrsite: error: the page 'child' does not load; run okrsite check and fix it first\n")


def test_measurements_key_is_added_after_the_last_top_level_key(site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    kpi = site / "content/kpis/nps.md"
    kpi.write_text("---\ntitle: Net Promoter Score\norg_unit: acme   # owner\ntarget: 60\nalert: 45\n"
                   "# measurements come from the survey\n---\n# Definition\n")
    code, _, err = cli(capsys, "measure", "nps", "41", "--date", "2025-07-31", "--site", str(site))
    assert code == 0, err
    assert kpi.read_text() == ("---\ntitle: Net Promoter Score\norg_unit: acme   # owner\ntarget: 60\nalert: 45\n"
                               "measurements:\n  - {date: 2025-07-31, value: 41}\n"
                               "# measurements come from the survey\n---\n# Definition\n")


def test_measurements_in_a_padded_flow_list(site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    kpi = site / "content/kpis/nps.md"
    kpi.write_text("---\ntitle: NPS\norg_unit: acme\ntarget: 60\nmeasurements: [ { date: 2025-07-31, value: 50 } ]\n"
                   "---\n")
    code, _, err = cli(capsys, "measure", "nps", "0.5", "--date", "2025-08-31", "--site", str(site))
    assert code == 0, err
    assert "measurements: [ { date: 2025-07-31, value: 50 }, { date: 2025-08-31, value: 0.5 } ]\n" in kpi.read_text()


def test_carrying_on_leaves_achieved_key_results_behind(site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (site / "okrsite.yaml").write_text((site / "okrsite.yaml").read_text()
                                       + "  - {id: 2025-Q4, title: Q4 2025, start: 2025-10-01, end: 2025-12-31}\n")
    objective(site, "  - {id: a, title: A, start: 0, target: 10, checkins: [{date: 2025-08-01, value: 12}]}\n"
                    "  - {id: b, title: B, kind: decrease, start: 10, target: 2, current: 4}\n"
                    "  - {id: c, title: C, kind: milestone, due: 2025-09-01, done: true}\n")
    code, _, err = cli(capsys, "new", "objective", "child-q4", "--from", "child", "--site", str(site))
    assert code == 0, err
    assert "okrsite: note: key result 'a' reached its target (12); not carried\n" in err
    assert "okrsite: note: milestone 'c' is done; not carried\n" in err
    fields, body = front((site / "content/objectives/child-q4.md").read_text())  # type: ignore[misc]
    assert fields["cycle"] == "2025-Q4" and fields["parent"] == "grow/nps-60" and body == "Body.\n"
    assert fields["key_results"] == [{"id": "b", "title": "B", "kind": "decrease", "start": 4, "target": 2}]

    objective(site, "  - {id: a, title: A, start: 0, target: 10, current: 10}\n")
    code, _, err = cli(capsys, "new", "objective", "child-q4b", "--from", "child", "--site", str(site))
    assert (code, err) == (1, "okrsite: error: every key result of 'child' is achieved; nothing to carry into "
                              "2025-Q4\n")
    code, _, err = cli(capsys, "new", "kpi", "k", "--from", "child", "--site", str(site))
    assert code == 2 and "use it with 'okrsite new objective'" in err


def test_a_file_changed_while_editing_is_not_overwritten(site: Path) -> None:
    path = site / CHILD
    before = path.read_bytes()
    after = before.replace(b"value: 5}]", b"value: 5}, {date: 2025-08-02, value: 6}]")
    loaded = load(site, str(site), None)
    path.write_bytes(before + b"\nAn edit made meanwhile.\n")
    change = Change(path, before, after, "objectives/child.md", "check-in", 7)
    with pytest.raises(EditError, match="changed while okrsite was editing it"):
        apply_change(loaded, change, CHILD)
    assert path.read_bytes() == before + b"\nAn edit made meanwhile.\n"
    assert [p.name for p in path.parent.iterdir()] == ["child.md", "grow.md"]  # no temporary file left
