"""What the CI recipes of docs/review.md rely on: `okrsite check --format gitlab` (GitLab's code
quality report) and the comment marker a job updates. The real CLI in a subprocess."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.handbook import BASE, write_site

REPO = Path(__file__).resolve().parent.parent


def okrsite(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "okrsite", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=120, env={**os.environ, "PYTHONPATH": str(REPO)})


def test_gitlab_code_quality_report(tmp_path: Path) -> None:
    site = write_site(tmp_path / "hb", {
        "content/objectives/grow.md": BASE["content/objectives/grow.md"].replace("kpi: nps", "kpi: npss"),
        "content/kpis/churn.md": "---\ntitle: Churn\norg_unit: acme\n---\n",
    })
    r = okrsite("check", "hb", "--format", "gitlab", cwd=site.parent)
    assert r.returncode == 1
    report = json.loads(r.stdout)  # only the report on stdout: no summary line
    assert [(i["severity"], i["check_name"], i["location"]) for i in report] == [
        ("minor", "unused-kpi", {"path": "hb/content/kpis/churn.md", "lines": {"begin": 2}}),
        ("major", "unknown-ref", {"path": "hb/content/objectives/grow.md", "lines": {"begin": 11}}),
    ]
    assert report[1]["description"] == "unknown kpi 'npss' (did you mean 'nps'?)"
    fingerprints = [i["fingerprint"] for i in report]
    assert len(set(fingerprints)) == 2
    again = json.loads(okrsite("check", "hb", "--format", "gitlab", cwd=site.parent).stdout)
    assert [i["fingerprint"] for i in again] == fingerprints


def test_gitlab_report_of_a_clean_handbook_is_an_empty_list(tmp_path: Path) -> None:
    site = write_site(tmp_path / "hb")
    r = okrsite("check", "--format", "gitlab", cwd=site)
    assert (r.returncode, json.loads(r.stdout)) == (0, [])
