"""One test per validation rule, each asserting the exact file, line and column."""

from __future__ import annotations

from pathlib import Path

import pytest

from okrsite.build import check
from tests.handbook import BASE, write_site


def diagnostics(tmp_path: Path, overrides: dict[str, str | None]) -> list[str]:
    root = write_site(tmp_path / "site", overrides)
    build = check(root, "site-dir")
    return [d.text() for d in build.diagnostics]


def edit(name: str, old: str, new: str) -> dict[str, str | None]:
    text = BASE[name]
    assert old in text, f"{old!r} not in {name}"
    return {name: text.replace(old, new, 1)}


def test_base_handbook_is_clean(tmp_path: Path) -> None:
    assert diagnostics(tmp_path, {}) == []


CASES: list[tuple[str, dict[str, str | None], list[str]]] = [
    (
        "malformed-yaml",
        {"content/org/team.md": "---\ntitle: Team\nkind: [team\n---\n"},
        # at the unclosed '[' (the parser only notices at the closing '---'); child.md's
        # `org_unit: team` is not reported as unknown: team.md exists, its error says what is wrong
        ["site-dir/content/org/team.md:3:7: error: invalid YAML: this '[' is not closed "
         "(did not find expected ',' or ']')"],
    ),
    (
        "no-front-matter",
        {"content/guide/intro.md": "# Just a heading\n"},
        ["site-dir/content/guide/intro.md:1:1: error: a page starts with front matter: "
         "a '---' line, YAML fields, then '---'"],
    ),
    (
        "unclosed-front-matter",
        {"content/guide/intro.md": "---\ntitle: Intro\n"},
        ["site-dir/content/guide/intro.md:1:1: error: front matter is not closed: add a '---' line after the fields"],
    ),
    (
        "duplicate-key",
        {"content/org/team.md": "---\ntitle: Team\nkind: team\ntitle: Again\nparent: acme\n---\n"},
        ["site-dir/content/org/team.md:4:1: error: duplicate key 'title' (first at line 2)"],
    ),
    (
        "missing-title",
        {"content/org/team.md": "---\nkind: team\nparent: acme\n---\n"},
        ["site-dir/content/org/team.md:2:1: error: every page needs 'title'"],
    ),
    (
        "missing-cycle",
        edit("content/objectives/child.md", "cycle: 2025-Q3\n", ""),
        ["site-dir/content/objectives/child.md:2:1: error: an objective needs 'cycle'"],
    ),
    (
        "missing-org-unit-on-kpi",
        edit("content/kpis/nps.md", "org_unit: acme\n", ""),
        ["site-dir/content/kpis/nps.md:2:1: error: a KPI needs 'org_unit'"],
    ),
    (
        "missing-key-result-title",
        edit("content/objectives/grow.md", "    title: NPS 60\n", ""),
        ["site-dir/content/objectives/grow.md:7:5: error: a key result needs 'title'"],
    ),
    (
        "not-a-number",
        edit("content/objectives/child.md", "target: 10", "target: ten"),
        ["site-dir/content/objectives/child.md:7:41: error: 'target' should be a number, not 'ten'"],
    ),
    (
        "number-with-percent",
        edit("content/objectives/child.md", "target: 10", "target: 10%"),
        ["site-dir/content/objectives/child.md:7:41: error: 'target' should be a number, not '10%' "
         "(write 10 and put the unit in 'unit')"],
    ),
    (
        "not-finite",
        edit("content/objectives/child.md", "target: 10", "target: .nan"),
        ["site-dir/content/objectives/child.md:7:41: error: 'target' should be a finite number, not nan"],
    ),
    (
        "bad-date",
        edit("content/kpis/nps.md", "2025-07-31", "2025-02-30"),
        ["site-dir/content/kpis/nps.md:7:12: error: 'date' is not a valid date: 2025-02-30 "
         "(day is out of range for month)"],
    ),
    (
        "wrong-type-list",
        edit("content/objectives/grow.md", "kpis: [nps]", "kpis: {a: 1}"),
        ["site-dir/content/objectives/grow.md:5:7: error: 'kpis' should list ids, not a mapping"],
    ),
    (
        "unknown-kpi-did-you-mean",
        edit("content/objectives/grow.md", "kpi: nps", "kpi: npss"),
        ["site-dir/content/objectives/grow.md:11:10: error: unknown kpi 'npss' (did you mean 'nps'?)"],
    ),
    (
        "unknown-kpi-in-list",
        edit("content/objectives/grow.md", "kpis: [nps]", "kpis: [nps, nsp]"),
        ["site-dir/content/objectives/grow.md:5:13: error: unknown kpi 'nsp' (did you mean 'nps'?)"],
    ),
    (
        "unknown-org-unit",
        edit("content/kpis/nps.md", "org_unit: acme", "org_unit: acmee"),
        ["site-dir/content/kpis/nps.md:3:11: error: unknown org unit 'acmee' (did you mean 'acme'?)"],
    ),
    (
        "unknown-parent-objective",
        edit("content/objectives/child.md", "parent: grow/nps-60", "parent: grwo/nps-60"),
        ["site-dir/content/objectives/child.md:5:9: error: unknown objective 'grwo' (did you mean 'grow'?)"],
    ),
    (
        "unknown-parent-key-result",
        edit("content/objectives/child.md", "parent: grow/nps-60", "parent: grow/nps-06"),
        ["site-dir/content/objectives/child.md:5:9: error: unknown key result 'nps-06' in objective 'grow' "
         "(did you mean 'nps-60'?)"],
    ),
    (
        "unknown-kpi-parent",
        edit("content/kpis/nps.md", "org_unit: acme\n", "org_unit: acme\nparent: csat\n"),
        ["site-dir/content/kpis/nps.md:4:9: error: unknown kpi 'csat'"],
    ),
    (
        "wrong-type-reference",
        edit("content/objectives/grow.md", "org_unit: acme", "org_unit: nps"),
        ["site-dir/content/objectives/grow.md:4:11: error: 'nps' is a kpi, not an org unit "
         "(site-dir/content/kpis/nps.md)"],
    ),
    (
        "duplicate-id",
        {"content/guide/team.md": "---\ntitle: Another team\n---\n"},
        # one error: child.md's `org_unit: team` is not also blamed, one of the two 'team' pages is an org unit
        ["site-dir/content/org/team.md:2:1: error: duplicate id 'team' (also used by site-dir/content/guide/team.md)"],
    ),
    (
        "bad-id",
        {"content/guide/Bad Name.md": "---\ntitle: B\n---\n"},
        ["site-dir/content/guide/Bad Name.md:2:1: error: id 'Bad Name' must be lower-case ASCII letters, "
         "digits and hyphens (try 'bad-name')"],
    ),
    (
        "org-parent-loop",
        edit("content/org/acme.md", "kind: portfolio\n", "kind: portfolio\nparent: team\n"),
        ["site-dir/content/org/acme.md:4:9: error: org unit parent loop: acme → team → acme"],
    ),
    (
        "objective-parent-loop",
        edit("content/objectives/grow.md", "kpis: [nps]\n", "kpis: [nps]\nparent: [child]\n"),
        ["site-dir/content/objectives/child.md:5:9: error: objective parent loop: child → grow → child"],
    ),
    (
        "kpi-self-loop",
        edit("content/kpis/nps.md", "org_unit: acme\n", "org_unit: acme\nparent: nps\n"),
        ["site-dir/content/kpis/nps.md:4:9: error: kpi parent loop: nps → nps"],
    ),
    (
        "unknown-cycle",
        edit("content/objectives/grow.md", "cycle: 2025-Q3", "cycle: 2025-Q4"),
        ["site-dir/content/objectives/grow.md:3:8: error: unknown cycle '2025-Q4' (did you mean '2025-Q3'?)"],
    ),
    (
        "increase-target-below-start",
        edit("content/objectives/grow.md", "target: 60", "target: 30"),
        ["site-dir/content/objectives/grow.md:10:13: error: key result 'nps-60': increase target 30 is below "
         "its start 40 (did you mean 'kind: decrease'?)"],
    ),
    (
        "decrease-target-above-start",
        edit("content/objectives/grow.md", "    start: 40\n", "    kind: decrease\n    start: 40\n"),
        ["site-dir/content/objectives/grow.md:11:13: error: key result 'nps-60': decrease target 60 is above "
         "its start 40 (did you mean 'kind: increase'?)"],
    ),
    (
        "target-equals-start",
        edit("content/objectives/grow.md", "target: 60", "target: 40"),
        ["site-dir/content/objectives/grow.md:10:13: error: key result 'nps-60': target equals start (40), "
         "so progress cannot be measured"],
    ),
    (
        "increase-without-target",
        edit("content/objectives/grow.md", "    target: 60\n", ""),
        ["site-dir/content/objectives/grow.md:7:5: error: increase key result 'nps-60' needs 'target'"],
    ),
    (
        "threshold-without-range",
        edit("content/objectives/child.md", "kind: baseline", "kind: threshold"),
        ["site-dir/content/objectives/child.md:8:5: error: threshold key result 'b' needs 'range: [low, high]'"],
    ),
    (
        "milestone-without-due",
        edit("content/objectives/grow.md", "    due: 2025-09-01\n", ""),
        ["site-dir/content/objectives/grow.md:12:5: error: milestone key result 'ship' needs 'due' (a date)"],
    ),
    (
        "unknown-kind",
        edit("content/objectives/child.md", "kind: baseline", "kind: baselin"),
        ["site-dir/content/objectives/child.md:8:29: error: 'kind' must be one of increase, decrease, threshold, "
         "milestone, baseline, not 'baselin' (did you mean 'baseline'?)"],
    ),
    (
        "duplicate-key-result-id",
        edit("content/objectives/grow.md", "  - id: ship", "  - id: nps-60"),
        ["site-dir/content/objectives/grow.md:12:9: error: duplicate key result id 'nps-60' in objective 'grow'"],
    ),
    (
        "kpi-alert-wrong-side",
        edit("content/kpis/nps.md", "alert: 45", "alert: 65"),
        ["site-dir/content/kpis/nps.md:5:8: error: alert 65 is above target 60, but higher is better"],
    ),
    (
        "kpi-range-and-target",
        edit("content/kpis/nps.md", "alert: 45\n", "alert: 45\nrange: [1, 2]\n"),
        ["site-dir/content/kpis/nps.md:6:8: error: use either 'target'/'alert' or 'range', not both"],
    ),
    (
        "broken-md-link",
        edit("content/guide/intro.md", "nps.md#definition", "npx.md#definition"),
        ["site-dir/content/guide/intro.md:8:28: error: broken link: '../kpis/npx.md' not found "
         "(did you mean '../kpis/nps.md'?)"],
    ),
    (
        "broken-anchor",
        edit("content/guide/intro.md", "#definition", "#defintion"),
        ["site-dir/content/guide/intro.md:8:28: error: broken anchor '#defintion' in '../kpis/nps.md' "
         "(did you mean 'definition'?)"],
    ),
    (
        "broken-local-anchor",
        edit("content/guide/intro.md", "See [[grow]]", "See [above](#section-two) and [[grow]]"),
        ["site-dir/content/guide/intro.md:8:13: error: broken anchor '#section-two' (did you mean 'section-one'?)"],
    ),
    (
        "broken-wiki-link",
        edit("content/guide/intro.md", "[[grow]]", "[[grwo]]"),
        ["site-dir/content/guide/intro.md:8:7: error: broken wiki link: no page with id 'grwo' (did you mean 'grow'?)"],
    ),
    (
        "broken-wiki-key-result",
        edit("content/guide/intro.md", "[[grow]]", "[[grow/nps-6|the NPS result]]"),
        ["site-dir/content/guide/intro.md:8:7: error: broken wiki link: objective 'grow' has no key result "
         "'nps-6' (did you mean 'nps-60'?)"],
    ),
    (
        "unknown-key-warning",
        edit("content/objectives/grow.md", "cycle: 2025-Q3\n", "cycle: 2025-Q3\nowners: Jo\n"),
        ["site-dir/content/objectives/grow.md:4:1: warning: unknown objective field 'owners' (did you mean 'owner'?)"],
    ),
    (
        "key_result-suggests-key_results",
        edit("content/objectives/grow.md", "key_results:", "key_result:"),
        ["site-dir/content/objectives/grow.md:2:1: error: an objective needs 'key_results'",
         "site-dir/content/objectives/grow.md:6:1: warning: unknown objective field 'key_result' "
         "(did you mean 'key_results'?)",
         "site-dir/content/objectives/child.md:5:9: error: unknown key result 'nps-60' in objective 'grow'"],
    ),
    (
        "too-few-key-results",
        edit("content/objectives/child.md", "  - {id: b, title: B, kind: baseline}\n", ""),
        ["site-dir/content/objectives/child.md:7:3: warning: objective has 1 key result; 2 to 5 keep it focused"],
    ),
    (
        "too-many-key-results",
        edit("content/objectives/child.md", "  - {id: b, title: B, kind: baseline}\n",
             "".join(f"  - {{id: b{i}, title: B, kind: baseline}}\n" for i in range(5))),
        ["site-dir/content/objectives/child.md:7:3: warning: objective has 6 key results; 2 to 5 keep it focused"],
    ),
    (
        "parent-in-later-cycle",
        edit("content/objectives/child.md", "cycle: 2025-Q3", "cycle: 2025-Q2")
        | {"content/objectives/child.md": BASE["content/objectives/child.md"]
           .replace("cycle: 2025-Q3", "cycle: 2025-Q2").replace("2025-08-01", "2025-06-01")},
        ["site-dir/content/objectives/child.md:5:9: warning: aligned to 'grow/nps-60' in cycle 2025-Q3, "
         "which starts after 2025-Q2 ends"],
    ),
    (
        "parent-in-later-cycle-in-a-list",
        {"content/objectives/child.md": BASE["content/objectives/child.md"]
         .replace("cycle: 2025-Q3", "cycle: 2025-Q2").replace("2025-08-01", "2025-06-01")
         .replace("parent: grow/nps-60", "parent: [grow/ship, grow]")},
        ["site-dir/content/objectives/child.md:5:10: warning: aligned to 'grow/ship' in cycle 2025-Q3, "
         "which starts after 2025-Q2 ends",
         "site-dir/content/objectives/child.md:5:21: warning: aligned to 'grow' in cycle 2025-Q3, "
         "which starts after 2025-Q2 ends"],
    ),
    (
        "key-result-count-includes-entries-in-error",
        edit("content/objectives/child.md", "  - {id: b, title: B, kind: baseline}\n", "  - just text\n"),
        ["site-dir/content/objectives/child.md:8:5: error: each entry of 'key_results' should be a key result "
         "mapping, not 'just text'"],
    ),
    (
        "unused-kpi",
        {"content/kpis/churn.md": "---\ntitle: Churn\norg_unit: acme\n---\n"},
        ["site-dir/content/kpis/churn.md:2:8: warning: KPI 'churn' is used by no objective ('kpis') "
         "and no key result ('kpi')"],
    ),
    (
        "checkin-outside-cycle",
        edit("content/objectives/child.md", "2025-08-01", "2025-06-01"),
        ["site-dir/content/objectives/child.md:7:63: warning: check-in dated 2025-06-01 is outside cycle 2025-Q3 "
         "(2025-07-01 – 2025-09-30) and is not counted"],
    ),
    (
        "config-errors",
        {"okrsite.yaml": "title: T\ncurrent_cycle: 2025-Q9\ncycless: []\ncycles:\n"
                         "  - {id: 2025-Q3, title: Q, start: 2025-07-01, end: 2025-09-30}\n"},
        ["site-dir/okrsite.yaml:3:1: warning: unknown okrsite.yaml field 'cycless' (did you mean 'cycles'?)",
         "site-dir/okrsite.yaml:2:16: error: unknown cycle '2025-Q9' (did you mean '2025-Q3'?)"],
    ),
    (
        "cycle-ends-before-start",
        {"okrsite.yaml": "cycles:\n  - {id: 2025-Q3, title: Q, start: 2025-07-01, end: 2025-06-01}\n"
                         "  - {id: 2025-Q2, title: Q, start: 2025-04-01, end: 2025-06-30}\n"},
        # the objectives in 2025-Q3 are not also told the cycle is unknown: okrsite.yaml's error explains it
        ["site-dir/okrsite.yaml:2:53: error: cycle '2025-Q3' ends (2025-06-01) before it starts (2025-07-01)"],
    ),
    (
        "csv-bad-row",
        {"content/kpis/nps.md": BASE["content/kpis/nps.md"].replace(
            "measurements:\n  - {date: 2025-07-31, value: 50}\n", "data: nps.csv\n"),
         "content/kpis/nps.csv": "date,value\n2025-06-30,48\n2025-07-31,fifty\n"},
        ["site-dir/content/kpis/nps.csv:3:12: error: 'fifty' is not a finite number"],
    ),
    (
        "csv-missing",
        {"content/kpis/nps.md": BASE["content/kpis/nps.md"].replace(
            "measurements:\n  - {date: 2025-07-31, value: 50}\n", "data: nps.csv\n")},
        ["site-dir/content/kpis/nps.md:6:7: error: data file 'nps.csv' not found "
         "(looked for site-dir/content/kpis/nps.csv)"],
    ),
    # -- one mistake, one error: what follows from a reported problem is not reported again --
    (
        "unclosed-quote-points-at-the-quote",
        edit("content/org/team.md", "kind: team", "kind: 'team"),
        ["site-dir/content/org/team.md:3:7: error: invalid YAML: this quote (') is not closed "
         "(found unexpected end of stream)"],
    ),
    (
        "unloadable-page-is-not-unknown-to-links-and-references",
        # grow.md does not load; child.md's `parent: grow/nps-60`, intro.md's [[grow]] and a
        # relative link to grow.md name a page that exists: only grow.md's own error is shown
        {"content/objectives/grow.md": "---\ntitle: Grow\nkpis: [nps\n---\n",
         "content/guide/intro.md": "---\ntitle: Intro\n---\nSee [[grow]] and [grow](../objectives/grow.md).\n"},
        # (nor is KPI nps reported unused: grow.md may well use it)
        ["site-dir/content/objectives/grow.md:3:7: error: invalid YAML: this '[' is not closed "
         "(did not find expected ',' or ']')"],
    ),
    (
        "malformed-okrsite-yaml-hides-no-cycles",
        {"okrsite.yaml": "title: [T\ncycles:\n  - {id: 2025-Q3, start: 2025-07-01, end: 2025-09-30}\n"},
        ["site-dir/okrsite.yaml:1:8: error: invalid YAML: this '[' is not closed (did not find expected ',' or ']')"],
    ),
    (
        "cycle-with-bad-date-is-not-unknown",
        edit("okrsite.yaml", "start: 2025-07-01", "start: 2025-07-32"),
        ["site-dir/okrsite.yaml:5:42: error: 'start' is not a valid date: 2025-07-32 "
         "(day is out of range for month)"],
    ),
    (
        "duplicate-id-reported-at-the-explicit-id",
        # intro.md comes first, but its `id: grow` is the clash; grow.md and links to it stay valid
        {"content/guide/intro.md": "---\ntitle: Intro\nid: grow\n---\nSee [the objective](../objectives/grow.md).\n"},
        ["site-dir/content/guide/intro.md:3:5: error: duplicate id 'grow' "
         "(also used by site-dir/content/objectives/grow.md)"],
    ),
    (
        "empty-id",
        {"content/guide/intro.md": "---\ntitle: Intro\nid: ''\n---\n"},
        ["site-dir/content/guide/intro.md:3:5: error: 'id' is empty; remove it to use the file name ('intro')"],
    ),
    (
        "title-of-wrong-type-is-one-error",
        edit("content/org/team.md", "title: Team", "title: [a, b]"),
        ["site-dir/content/org/team.md:2:8: error: 'title' should be text, not a list"],
    ),
    (
        "business-value-bounds-message",
        edit("content/objectives/grow.md", "kpis: [nps]", "kpis: [nps]\nbusiness_value: {planned: 11, actual: 0}"),
        ["site-dir/content/objectives/grow.md:6:27: error: business value 'planned' should be between 0 and 10, "
         "not 11"],
    ),
    (
        "compact-date-is-not-yyyy-mm-dd",
        edit("content/objectives/child.md", "date: 2025-08-01", 'date: "20250801"'),
        ["site-dir/content/objectives/child.md:7:63: error: 'date' is not a valid date: 20250801 (use YYYY-MM-DD)"],
    ),
    (
        "csv-week-date-and-underscore-number",
        {"content/kpis/nps.md": BASE["content/kpis/nps.md"].replace(
            "measurements:\n  - {date: 2025-07-31, value: 50}\n", "data: nps.csv\n"),
         "content/kpis/nps.csv": "date,value\n2025-W27-1,48\n2025-07-31,1_000\n"},
        ["site-dir/content/kpis/nps.csv:2:1: error: '2025-W27-1' is not a valid date (use YYYY-MM-DD)",
         "site-dir/content/kpis/nps.csv:3:12: error: '1_000' is not a finite number"],
    ),
]


@pytest.mark.parametrize(("overrides", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_rule_reports_exact_position(tmp_path: Path, overrides: dict, expected: list[str]) -> None:
    assert sorted(diagnostics(tmp_path, overrides)) == sorted(expected)


def test_every_problem_is_collected_not_just_the_first(tmp_path: Path) -> None:
    overrides = {
        **edit("content/objectives/grow.md", "kpi: nps", "kpi: npss"),
        **edit("content/kpis/nps.md", "org_unit: acme", "org_unit: acmee"),
        **edit("content/guide/intro.md", "[[grow]]", "[[grwo]]"),
    }
    lines = diagnostics(tmp_path, overrides)
    assert len(lines) == 3
    assert {line.split(":")[0] for line in lines} == {
        "site-dir/content/objectives/grow.md", "site-dir/content/kpis/nps.md", "site-dir/content/guide/intro.md"}
