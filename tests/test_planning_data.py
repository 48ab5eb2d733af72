"""Dependencies both ways, people, and the new data.json fields, on a handbook written to disk.

as_of 2025-08-15: 2025-Q3 (07-01 … 09-30) runs, 45 of 91 days gone; 2025-Q4 (10-01 … 12-31) is planned.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from okrsite.build import check
from okrsite.render.data_json import build_data

REPO = Path(__file__).resolve().parent.parent

FILES = {
    "okrsite.yaml": """\
as_of: 2025-08-15
cycles:
  - {id: 2025-Q3, title: Q3 2025, start: 2025-07-01, end: 2025-09-30}
  - {id: 2025-Q4, title: Q4 2025, start: 2025-10-01, end: 2025-12-31}
""",
    "content/org/acme.md": "---\ntitle: Acme\nlead: Dana Smith\n---\n",
    "content/org/team.md": "---\ntitle: Team\nparent: acme\nlead: ' Lee  Wong'\n---\n",
    "content/kpis/nps.md": """\
---
title: NPS
org_unit: acme
owner: Lee Wong
target: 60
measurements: [{date: 2025-07-31, value: 50}]
---
""",
    # 0.1 of the way at 45/91 of the cycle: off track
    "content/objectives/a-platform.md": """\
---
title: Platform
cycle: 2025-Q3
org_unit: team
owner: Priya Raman
kpis: [nps]
key_results:
  - {id: api, title: API, start: 0, target: 10, owner: lee wong, checkins: [{date: 2025-08-01, value: 1}]}
---
""",
    "content/objectives/b-app.md": """\
---
title: App
cycle: 2025-Q3
org_unit: acme
owner: Dana Smith
depends_on: [a-platform/api, c-ok]
key_results:
  - id: ui
    title: UI
    start: 0
    target: 10
    owner: Priya Raman
    plan: [{date: 2025-07-31, value: 2}]
    checkins:
      - {date: 2025-07-31, value: 2, confidence: 0.8}
      - {date: 2025-08-10, value: 4, confidence: 0.6}
---
""",
    "content/objectives/c-ok.md": """\
---
title: OK
cycle: 2025-Q3
org_unit: acme
depends_on: d-later
key_results:
  - {id: x, title: X, start: 0, target: 10, current: 9}
---
""",
    "content/objectives/d-later.md": """\
---
title: Later
cycle: 2025-Q4
org_unit: acme
depends_on: [a-platform]
key_results:
  - {id: y, title: Y, kind: baseline}
---
""",
}


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("planning") / "hb"
    for name, text in FILES.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def data(site: Path) -> dict:
    build = check(site, "hb")
    assert sorted(d.text() for d in build.diagnostics if d.code != "kr-count") == [
        "hb/content/objectives/a-platform.md:8:56: warning: owner 'lee wong' differs only in letter case from "
        "'Lee Wong' (hb/content/kpis/nps.md) (did you mean 'Lee Wong'?)",
        "hb/content/objectives/c-ok.md:5:13: warning: depends on 'd-later' in cycle 2025-Q4, which ends 2025-12-31, "
        "after 2025-Q3 ends (2025-09-30): it comes too late",
    ]
    assert build.resolved is not None and build.results is not None
    return build_data(build.site, build.resolved.graph, build.results)


def objectives(data: dict) -> dict[str, dict]:
    return {o["id"]: o for o in data["objectives"]}


def test_dependencies_both_ways(data: dict) -> None:
    objs = objectives(data)
    assert objs["b-app"]["depends_on"] == ["a-platform/api", "c-ok"]
    assert objs["c-ok"]["depends_on"] == "d-later"  # as written: one id without brackets
    assert objs["a-platform"]["depends_on"] == []
    assert {i: o["needed_by"] for i, o in objs.items()} == {
        "a-platform": ["b-app", "d-later"], "b-app": [], "c-ok": ["b-app"], "d-later": ["c-ok"]}


def test_dependencies_in_trouble_only_while_the_dependent_runs(data: dict) -> None:
    objs = objectives(data)
    assert objs["a-platform"]["status"] == "off_track" and objs["c-ok"]["status"] == "on_track"
    assert objs["b-app"]["dependencies_in_trouble"] == ["a-platform/api"]
    assert objs["d-later"]["status"] == "planned"
    assert objs["d-later"]["dependencies_in_trouble"] == []  # needs a-platform, but Q4 has not started
    assert objs["c-ok"]["dependencies_in_trouble"] == []  # d-later is planned, not in trouble


def test_key_result_plan_forecast_and_confidence(data: dict) -> None:
    app = objectives(data)["b-app"]
    ui = app["key_results"][0]
    assert ui["owner"] == "Priya Raman"
    assert ui["plan"] == [{"date": "2025-07-31", "value": 2}]
    # planned path (07-01, 0) → (07-31, 2) → (09-30, 10); at 08-15, 15 of 61 days past 07-31
    assert ui["expected"] == pytest.approx((2 + 8 * 15 / 61) / 10)
    assert app["expected"] == pytest.approx(ui["expected"])
    # least squares through (0, 0), (30, 2), (40, 4): slope 6/65, intercept −2/13; at x = 91: 8.246…
    assert ui["forecast"] == pytest.approx(-2 / 13 + 6 / 65 * 91)
    assert ui["forecast_progress"] == pytest.approx((-2 / 13 + 6 / 65 * 91) / 10)
    assert app["forecast"] == pytest.approx(ui["forecast_progress"])
    assert app["forecast_to_miss"] is False
    assert (ui["confidence"], ui["confidence_falling"]) == (0.6, True)  # 0.8 → 0.6: a fall of 0.2


def test_objectives_without_forecasts_have_null(data: dict) -> None:
    objs = objectives(data)
    assert objs["c-ok"]["forecast"] is None  # an explicit current only: no dated value
    assert objs["c-ok"]["key_results"][0]["forecast"] is None
    assert objs["d-later"]["forecast"] is None
    api = objs["a-platform"]["key_results"][0]
    assert api["forecast"] == pytest.approx(91 / 31)  # through (0, 0) and (31, 1)
    assert objs["a-platform"]["forecast"] == pytest.approx(91 / 310) and objs["a-platform"]["forecast_to_miss"]
    assert api["owner"] == "lee wong" and objs["c-ok"]["key_results"][0]["owner"] == ""


def test_people(data: dict) -> None:
    # "lee wong" differs from "Lee Wong" only in case: a second person (and a warning), not a merge
    assert data["people"] == [
        {"name": "Dana Smith", "url": "people/dana-smith.html", "objectives": ["b-app"], "key_results": [],
         "kpis": [], "org_units": ["acme"]},
        {"name": "Lee Wong", "url": "people/lee-wong.html", "objectives": [], "key_results": [],
         "kpis": ["nps"], "org_units": ["team"]},
        {"name": "Priya Raman", "url": "people/priya-raman.html", "objectives": ["a-platform"],
         "key_results": ["b-app/ui"], "kpis": [], "org_units": []},
        {"name": "lee wong", "url": "people/lee-wong-2.html", "objectives": [], "key_results": ["a-platform/api"],
         "kpis": [], "org_units": []},
    ]


def test_the_cli_build_writes_the_same_fields(site: Path, data: dict, tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    r = subprocess.run([sys.executable, "-m", "okrsite", "build", str(site), "--out", str(tmp_path / "out")],
                       capture_output=True, text=True, timeout=120, env=env)
    assert r.returncode == 0, r.stdout + r.stderr
    written = json.loads((tmp_path / "out" / "data.json").read_text("utf-8"))
    assert written["people"] == data["people"]
    assert written["objectives"] == json.loads(json.dumps(data["objectives"]))
