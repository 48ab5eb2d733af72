"""Navigation stays bounded and local: a page's context holds only its neighbourhood.

A generated handbook with one objective that 60 others contribute to: the big page
lists a capped number of them, and editing one contributor re-renders only the
pages that show it, never an unrelated objective, unit or KPI.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from okrsite.build import check, render
from okrsite.render import RenderCache
from okrsite.render.html import plan_pages
from okrsite.render.nav import LIST_CAP, NAV_CAP

N = 60
TEAMS = 30
KPIS = 5


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def contributor(i: int, title: str | None = None) -> str:
    return (f"---\ntitle: {title or f'Contributor {i}'}\ncycle: Q3\norg_unit: team-{i % TEAMS}\nparent: top/kr\n"
            f"key_results:\n  - {{id: kr, title: Move {i}, start: 0, target: 10, kpi: k{i % KPIS},"
            f" checkins: [{{date: 2025-08-01, value: {i % 10}}}]}}\n---\nBody {i}.\n")


@pytest.fixture
def big(tmp_path: Path) -> Path:
    site = tmp_path / "big"
    write(site / "okrsite.yaml", "title: Big\nas_of: 2025-08-15\ncycles:\n"
                                 "  - {id: Q3, title: Q3, start: 2025-07-01, end: 2025-09-30}\n")
    write(site / "content/org/org.md", "---\ntitle: Org\n---\nVision.\n")
    for t in range(TEAMS):
        write(site / f"content/org/team-{t}.md", f"---\ntitle: Team {t}\nparent: org\n---\n")
    for k in range(KPIS):
        write(site / f"content/kpis/k{k}.md", f"---\ntitle: KPI {k}\norg_unit: org\ntarget: 10\n"
                                              f"measurements: [{{date: 2025-07-31, value: {k}}}]\n---\n")
    write(site / "content/objectives/top.md", "---\ntitle: Top\ncycle: Q3\norg_unit: org\n"
                                              "key_results:\n  - {id: kr, title: Top KR, start: 0, target: 1}\n---\n")
    for i in range(N):
        write(site / f"content/objectives/c{i}.md", contributor(i))
    return site


def test_big_lists_are_capped(big: Path) -> None:
    build = check(big, "big")
    assert not build.failed(), [d.text() for d in build.diagnostics]
    assert build.resolved is not None and build.results is not None
    from okrsite.render import RenderInput

    jobs = {p.url: p.make() for p in plan_pages(RenderInput(build.site, build.resolved.graph, build.results))}
    top = jobs["objectives/top.html"].context
    assert len(top["contributors"]) == LIST_CAP and top["contributors_more"] == N - LIST_CAP
    for job in jobs.values():
        for group in job.context["sidebar"]:
            assert len(group["items"]) <= NAV_CAP + 10, (job.url, group["title"])
        assert len(job.context["sections"]) <= 8
    org = jobs["org/org.html"].context
    assert len(org["children"]) <= LIST_CAP
    assert org["sidebar"][0]["more"] is not None  # "N more…" to the index that has them all
    # a leaf's context does not grow with the handbook
    leaf = json.dumps(jobs["objectives/c1.html"].context)
    assert "Contributor 2" not in leaf and len(leaf) < 20_000


def test_editing_one_objective_rerenders_only_its_neighbourhood(big: Path) -> None:
    cache = RenderCache()
    render(check(big, "big"), cache)
    write(big / "content/objectives/c7.md", contributor(7, "Renamed contributor"))
    render(check(big, "big"), cache)
    rendered = set(cache.rendered)
    for url in ("objectives/c7.html", "objectives/top.html", "org/team-7.html", "kpis/k2.html"):
        assert url in rendered, url
    for url in ("objectives/c8.html", "objectives/c17.html", "org/team-8.html", "kpis/k3.html", "org/org.html"):
        assert url not in rendered, url
