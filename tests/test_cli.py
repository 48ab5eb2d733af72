"""The real CLI in a subprocess: exit codes, formats, golden data.json, failed builds."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.handbook import BASE, write_site

REPO = Path(__file__).resolve().parent.parent
GOLDEN = Path(__file__).parent / "golden" / "small-data.json"


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.run([sys.executable, "-m", "okrsite", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=60, env=env)


@pytest.fixture
def site(tmp_path: Path) -> Path:
    return write_site(tmp_path / "hb")


def broken(site: Path) -> None:
    text = BASE["content/objectives/grow.md"].replace("kpi: nps", "kpi: npss")
    (site / "content/objectives/grow.md").write_text(text, encoding="utf-8")


def test_check_clean_exits_0_with_summary(site: Path) -> None:
    r = run("check", "hb", cwd=site.parent)
    assert r.returncode == 0, r.stdout + r.stderr
    assert r.stdout == "0 errors, 0 warnings in 6 pages\n"


def test_check_errors_exit_1_with_file_line_col_relative_to_cwd(site: Path) -> None:
    broken(site)
    r = run("check", "hb", cwd=site.parent)
    assert r.returncode == 1
    assert r.stdout.splitlines() == [
        "hb/content/objectives/grow.md:11:10: error: unknown kpi 'npss' (did you mean 'nps'?)",
        "1 error, 0 warnings in 6 pages",
    ]
    r = run("check", cwd=site)  # SITE defaults to the current directory
    assert r.stdout.startswith("content/objectives/grow.md:11:10: error:")


def test_warnings_pass_unless_strict(site: Path) -> None:
    (site / "content/kpis/churn.md").write_text("---\ntitle: Churn\norg_unit: acme\n---\n", encoding="utf-8")
    assert run("check", "hb", cwd=site.parent).returncode == 0
    r = run("check", "hb", "--strict", cwd=site.parent)
    assert r.returncode == 1
    assert "hb/content/kpis/churn.md:2:8: warning: KPI 'churn' is used by no objective" in r.stdout


def test_json_format_prints_only_a_json_list(site: Path) -> None:
    broken(site)
    r = run("check", "hb", "--format", "json", cwd=site.parent)
    assert r.returncode == 1
    assert json.loads(r.stdout) == [{
        "file": "hb/content/objectives/grow.md", "line": 11, "column": 10, "severity": "error",
        "code": "unknown-ref", "message": "unknown kpi 'npss' (did you mean 'nps'?)",
    }]


def test_github_format_emits_annotations(site: Path) -> None:
    broken(site)
    r = run("check", "hb", "--format", "github", cwd=site.parent)
    assert r.stdout.splitlines()[0] == (
        "::error file=hb/content/objectives/grow.md,line=11,col=10,title=unknown-ref::"
        "unknown kpi 'npss' (did you mean 'nps'?)")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["check", "missing"], "site folder 'missing' not found"),
        (["check", "empty"], "'empty' has no content/ folder"),
        (["check", "hb", "--format", "xml"], "invalid choice"),
        (["frobnicate"], "invalid choice"),
    ],
)
def test_bad_command_line_exits_2(site: Path, args: list[str], message: str) -> None:
    (site.parent / "empty").mkdir()
    r = run(*args, cwd=site.parent)
    assert r.returncode == 2
    assert message in r.stderr
    assert "Traceback" not in r.stderr


def test_build_writes_golden_data_json_and_one_page_per_entity(site: Path) -> None:
    r = run("build", "hb", cwd=site.parent)
    assert r.returncode == 0, r.stderr
    out = site / "_site"
    assert json.loads((out / "data.json").read_text("utf-8")) == json.loads(GOLDEN.read_text("utf-8"))
    data = json.loads((out / "data.json").read_text("utf-8"))
    for group in ("org_units", "objectives", "kpis"):
        for entity in data[group]:
            html = (out / entity["url"]).read_text("utf-8")
            assert html.lstrip().lower().startswith("<!doctype html>")
            assert entity["title"] in html


def test_failed_build_leaves_previous_output_untouched(site: Path) -> None:
    assert run("build", "hb", cwd=site.parent).returncode == 0
    out = site / "_site"
    before = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    broken(site)
    r = run("build", "hb", cwd=site.parent)
    assert r.returncode == 1
    assert "error: unknown kpi 'npss'" in r.stdout
    after = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    assert after == before
    assert sorted(p.name for p in site.iterdir() if p.name.startswith(".")) == []


def test_build_out_inside_content_is_refused_before_anything_is_touched(site: Path) -> None:
    r = run("build", "hb", "--out", "hb/content/site", "--force", cwd=site.parent)
    assert r.returncode == 2
    assert not (site / "content/site").exists()


def test_init_writes_a_starter_that_checks_clean(tmp_path: Path) -> None:
    r = run("init", "starter", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    r = run("check", "starter", "--strict", cwd=tmp_path)
    assert r.returncode == 0, r.stdout
    assert run("init", "starter", cwd=tmp_path).returncode == 2  # never overwrites


def test_example_handbook_checks_clean_with_no_warnings() -> None:
    r = run("check", ".", "--strict", cwd=REPO)
    assert r.returncode == 0, r.stdout
    assert r.stdout.startswith("0 errors, 0 warnings in ")
