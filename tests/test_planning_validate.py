"""Validation of plans, dependencies and owners: each diagnostic with its exact file, line and column."""

from __future__ import annotations

from pathlib import Path

import pytest

from okrsite.build import check
from tests.handbook import BASE, CONFIG, write_site

Q4 = CONFIG + "  - {id: 2025-Q4, title: Q4 2025, start: 2025-10-01, end: 2025-12-31}\n"


def objective(body: str, head: str = "") -> str:
    """An objective of 2025-Q3 in acme; `head` adds top-level fields (line 5 on), `body` key results."""
    return f"---\ntitle: Planned\ncycle: 2025-Q3\norg_unit: acme\n{head}key_results:\n{body}---\n"


def diagnostics(tmp_path: Path, files: dict[str, str | None]) -> list[str]:
    """Sorted diagnostics, without the advice on how many key results an objective has."""
    root = write_site(tmp_path / "site", {"okrsite.yaml": Q4, **files})
    return sorted(d.text() for d in check(root, "hb").diagnostics if d.code != "kr-count")


P = "hb/content/objectives/planned.md"
PLAN_KR = "  - id: a\n    title: A\n    start: 0\n    target: 10\n    plan:\n"  # plan points from line 11


CASES: list[tuple[str, str, list[str]]] = [
    (
        "plan-on-milestone",
        "  - {id: m, title: M, kind: milestone, due: 2025-09-01, plan: [{date: 2025-08-01, value: 1}]}\n"
        "  - {id: t, title: T, kind: threshold, range: [1, null],\n     plan: [{date: 2025-08-01, value: 1}]}\n",
        [f"{P}:6:63: error: key result 'm': 'plan' is for increase and decrease key results, not milestone",
         f"{P}:8:12: error: key result 't': 'plan' is for increase and decrease key results, not threshold"],
    ),
    (
        "plan-first-and-last-day",
        PLAN_KR + "      - {date: 2025-07-01, value: 1}\n      - {date: 2025-09-30, value: 9}\n",
        [f"{P}:11:16: error: plan date 2025-07-01 is the first day of cycle 2025-Q3 (2025-07-01 – 2025-09-30), "
         "where the planned path starts at 'start'; plan dates lie strictly inside the cycle",
         f"{P}:12:16: error: plan date 2025-09-30 is the last day of cycle 2025-Q3 (2025-07-01 – 2025-09-30), "
         "where the planned path reaches 'target'; plan dates lie strictly inside the cycle"],
    ),
    (
        "plan-outside-cycle",
        PLAN_KR + "      - {date: 2025-06-15, value: 1}\n      - date: 2025-10-02\n        value: 9\n",
        [f"{P}:11:16: error: plan date 2025-06-15 is outside cycle 2025-Q3 (2025-07-01 – 2025-09-30)",
         f"{P}:12:15: error: plan date 2025-10-02 is outside cycle 2025-Q3 (2025-07-01 – 2025-09-30)"],
    ),
    (
        "plan-order",
        PLAN_KR + "      - {date: 2025-08-01, value: 4}\n      - {date: 2025-08-01, value: 5}\n"
        "      - {date: 2025-07-20, value: 3}\n      - {date: 2025-08-20, value: 6}\n",
        [f"{P}:12:16: error: plan date 2025-08-01 is repeated; give each date once",
         f"{P}:13:16: error: plan date 2025-07-20 comes before the previous point's 2025-08-01; "
         "list plan points oldest first"],
    ),
    (
        "plan-not-numbers",
        PLAN_KR + "      - {date: 2025-08-01, value: '4%'}\n      - {date: 2025-08-02, value: yes}\n"
        "      - {date: 2025-08-03}\n      - 7\n",
        [f"{P}:11:35: error: 'value' should be a number, not '4%' (write 4 and put the unit in 'unit')",
         f"{P}:12:35: error: expected a number for 'value', not a boolean "
         "(true; YAML reads yes, no, on and off as true and false)",
         f"{P}:13:9: error: a plan point needs 'value'",
         f"{P}:14:9: error: each entry of 'plan' should be a plan point mapping, not a number (7)"],
    ),
]


@pytest.mark.parametrize(("name", "body", "expected"), CASES, ids=[c[0] for c in CASES])
def test_plan_rules(tmp_path: Path, name: str, body: str, expected: list[str]) -> None:
    assert diagnostics(tmp_path, {"content/objectives/planned.md": objective(body)}) == expected


def test_a_valid_plan_is_clean(tmp_path: Path) -> None:
    body = PLAN_KR + "      - {date: 2025-07-02, value: 1}\n      - {date: 2025-09-29, value: 9}\n"
    assert diagnostics(tmp_path, {"content/objectives/planned.md": objective(body)}) == []


KRS = "  - {id: a, title: A, start: 0, target: 10}\n"


def test_unknown_dependencies_with_did_you_mean(tmp_path: Path) -> None:
    head = "depends_on: [grow, grwo, grow/nps-6, nps, child/a]\n"
    assert diagnostics(tmp_path, {"content/objectives/planned.md": objective(KRS, head)}) == [
        f"{P}:5:20: error: unknown objective 'grwo' (did you mean 'grow'?)",
        f"{P}:5:26: error: unknown key result 'nps-6' in objective 'grow' (did you mean 'nps-60'?)",
        f"{P}:5:38: error: 'nps' is a kpi, not an objective (hb/content/kpis/nps.md)",
    ]


def test_entries_after_a_non_id_keep_their_own_position(tmp_path: Path) -> None:
    head = "depends_on: [null, grow, growth]\n"
    assert diagnostics(tmp_path, {"content/objectives/planned.md": objective(KRS, head)}) == [
        f"{P}:5:14: error: 'depends_on' should list ids, not nothing (null)",
        f"{P}:5:26: error: unknown objective 'growth' (did you mean 'grow'?)",
    ]


def test_self_dependency(tmp_path: Path) -> None:
    head = "depends_on:\n  - planned/a\n  - planned\n"
    assert diagnostics(tmp_path, {"content/objectives/planned.md": objective(KRS, head)}) == [
        f"{P}:6:5: error: objective 'planned' cannot depend on its own key result 'a'",
        f"{P}:7:5: error: objective 'planned' cannot depend on itself",
    ]


def test_dependency_loop_of_two(tmp_path: Path) -> None:
    files = {
        "content/objectives/planned.md": objective(KRS, "depends_on: child/a\n"),
        "content/objectives/child.md": BASE["content/objectives/child.md"].replace(
            "parent: grow/nps-60\n", "parent: grow/nps-60\ndepends_on: [grow, planned]\n"),
    }
    assert diagnostics(tmp_path, files) == [
        "hb/content/objectives/child.md:6:20: error: dependency loop: child → planned → child",
    ]


def test_dependency_loop_of_three_through_key_results(tmp_path: Path) -> None:
    files = {
        "content/objectives/planned.md": objective(KRS, "depends_on: [child/a]\n"),
        "content/objectives/child.md": BASE["content/objectives/child.md"].replace(
            "parent: grow/nps-60\n", "parent: grow/nps-60\ndepends_on: grow/ship\n"),
        "content/objectives/grow.md": BASE["content/objectives/grow.md"].replace(
            "kpis: [nps]\n", "kpis: [nps]\ndepends_on: [planned]\n"),
    }
    assert diagnostics(tmp_path, files) == [
        "hb/content/objectives/child.md:6:13: error: dependency loop: child → grow → planned → child",
    ]


def test_a_dependency_ending_after_the_dependent_is_a_warning(tmp_path: Path) -> None:
    later = BASE["content/objectives/child.md"].replace("cycle: 2025-Q3", "cycle: 2025-Q4").replace(
        "parent: grow/nps-60\n", "").replace("2025-08-01", "2025-11-01")
    earlier = BASE["content/objectives/child.md"].replace("cycle: 2025-Q3", "cycle: 2025-Q2").replace(
        "parent: grow/nps-60\n", "").replace("2025-08-01", "2025-05-01")
    files = {
        "content/objectives/planned.md": objective(KRS, "depends_on: [later/a, earlier, grow]\n"),
        "content/objectives/later.md": later,
        "content/objectives/earlier.md": earlier,
    }
    assert diagnostics(tmp_path, files) == [
        f"{P}:5:14: warning: depends on 'later/a' in cycle 2025-Q4, which ends 2025-12-31, after 2025-Q3 ends "
        "(2025-09-30): it comes too late",
    ]


def test_owner_names_differing_only_in_case_warn_at_the_later_one(tmp_path: Path) -> None:
    files = {
        "content/org/acme.md": "---\ntitle: Acme\nkind: portfolio\nlead: '  Lee   Wong '\n---\nVision.\n",
        "content/objectives/planned.md": objective(
            "  - {id: a, title: A, start: 0, target: 10, owner: lee wong}\n"
            "  - {id: b, title: B, start: 0, target: 10, owner: Lee Wong}\n", "owner: LEE  wong\n"),
        "content/kpis/nps.md": BASE["content/kpis/nps.md"].replace("target: 60", "target: 60\nowner: Lee Wong"),
    }
    # path order: kpis/nps.md ("Lee Wong", the first spelling), objectives/planned.md, org/acme.md
    first = "(hb/content/kpis/nps.md) (did you mean 'Lee Wong'?)"
    assert diagnostics(tmp_path, files) == [
        f"{P}:5:8: warning: owner 'LEE wong' differs only in letter case from 'Lee Wong' {first}",
        f"{P}:7:52: warning: owner 'lee wong' differs only in letter case from 'Lee Wong' {first}",
    ]


def test_a_free_page_where_a_person_page_goes_is_an_error(tmp_path: Path) -> None:
    files = {
        "content/objectives/planned.md": objective(KRS, "owner: Lee Wong\n"),
        "content/people/lee-wong.md": "---\ntitle: About Lee\n---\n",
    }
    assert diagnostics(tmp_path, files) == [
        "hb/content/people/lee-wong.md:2:1: error: page would be written to people/lee-wong.html, "
        "which the page of person 'Lee Wong' already writes; move it",
    ]


def test_an_empty_type_uses_the_folders_default(tmp_path: Path) -> None:
    files = {"content/org/team.md": "---\ntitle: Team\ntype:\nkind: team\nparent: acme\n---\n",
             "content/kpis/churn.md": "---\ntitle: Churn\ntype: ''\norg_unit: team\n---\n",
             "content/objectives/planned.md": objective(KRS, "kpis: [churn]\n")}
    assert diagnostics(tmp_path, files) == []
    build = check(tmp_path / "site", "hb")
    types = {p.id: p.type for p in build.site.pages}
    assert (types["team"], types["churn"]) == ("org_unit", "kpi")


def test_current_yes_is_an_error_not_true(tmp_path: Path) -> None:
    body = "  - id: a\n    title: A\n    kind: baseline\n    current: yes\n"
    files = {"content/objectives/planned.md": objective(body)}
    assert diagnostics(tmp_path, files) == [
        f"{P}:9:14: error: expected a number for 'current', not a boolean "
        "(true; YAML reads yes, no, on and off as true and false)",
    ]
