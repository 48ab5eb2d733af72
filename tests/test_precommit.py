"""The `okrsite-check` pre-commit hook, run by pre-commit itself (`pre-commit try-repo`).

pre-commit installs hooks from a repository's committed tree, so the test commits a copy
of this project (what `pip install .` needs) into a temporary repository, then runs the
hook from inside a temporary handbook repository. Installing the hook's environment needs
the package index, as pre-commit always does.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.handbook import BASE, write_site

REPO = Path(__file__).resolve().parent.parent
PROJECT_FILES = ("pyproject.toml", "README.md", ".pre-commit-hooks.yaml")
PROJECT_DIRS = ("okrsite", "themes")
GIT_ENV = {"GIT_AUTHOR_NAME": "Test", "GIT_AUTHOR_EMAIL": "test@example.org", "GIT_COMMITTER_NAME": "Test",
           "GIT_COMMITTER_EMAIL": "test@example.org", "GIT_CONFIG_NOSYSTEM": "1"}


def git(repo: Path, *args: str) -> None:
    r = subprocess.run(["git", *args], cwd=repo, capture_output=True, text=True, env={**os.environ, **GIT_ENV})
    assert r.returncode == 0, r.stderr


def committed(repo: Path) -> Path:
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "snapshot")
    return repo


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """This project as a committed repository (its work tree may hold uncommitted changes)."""
    dest = tmp_path_factory.mktemp("hook-repo") / "okrsite"
    dest.mkdir()
    for name in PROJECT_FILES:
        shutil.copy2(REPO / name, dest / name)
    for name in PROJECT_DIRS:
        shutil.copytree(REPO / name, dest / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    return committed(dest)


@pytest.fixture(scope="module")
def pre_commit_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("pre-commit-home")


def try_repo(project: Path, handbook: Path, home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, **GIT_ENV, "PRE_COMMIT_HOME": str(home), "PRE_COMMIT_COLOR": "never"}
    env.pop("PYTHONPATH", None)  # the hook must run the okrsite pre-commit installed, not this checkout
    return subprocess.run([sys.executable, "-m", "pre_commit", "try-repo", str(project), "okrsite-check",
                           "--color", "never", *args], cwd=handbook, capture_output=True, text=True,
                          timeout=900, env=env)


def test_manifest_is_valid_for_pre_commit() -> None:
    from pre_commit.clientlib import load_manifest

    (hook,) = load_manifest(str(REPO / ".pre-commit-hooks.yaml"))
    assert (hook["id"], hook["entry"], hook["language"], hook["pass_filenames"]) == (
        "okrsite-check", "okrsite check", "python", False)


def test_hook_passes_a_clean_handbook_and_fails_a_broken_one(project: Path, pre_commit_home: Path,
                                                             tmp_path: Path) -> None:
    handbook = committed(write_site(tmp_path / "handbook"))
    r = try_repo(project, handbook, pre_commit_home, "--all-files")
    assert r.returncode == 0, r.stdout + r.stderr
    assert "okrsite check" in r.stdout and "Passed" in r.stdout

    grow = handbook / "content/objectives/grow.md"
    grow.write_text(BASE["content/objectives/grow.md"].replace("kpi: nps", "kpi: npss"), encoding="utf-8")
    git(handbook, "add", "-A")
    r = try_repo(project, handbook, pre_commit_home, "--all-files")
    assert r.returncode == 1, r.stdout + r.stderr
    assert "Failed" in r.stdout
    assert "content/objectives/grow.md:11:10: error: unknown kpi 'npss' (did you mean 'nps'?)" in r.stdout
    assert "1 error, 0 warnings in 6 pages" in r.stdout


def test_hook_runs_only_when_handbook_files_are_staged(project: Path, pre_commit_home: Path,
                                                       tmp_path: Path) -> None:
    handbook = committed(write_site(tmp_path / "handbook"))
    (handbook / "notes.txt").write_text("Not a handbook file.\n", encoding="utf-8")
    git(handbook, "add", "notes.txt")
    r = try_repo(project, handbook, pre_commit_home)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "Skipped" in r.stdout
    (handbook / "content/kpis/nps.csv").write_text("date,value\n2025-08-31,52\n", encoding="utf-8")
    git(handbook, "add", "-A")
    r = try_repo(project, handbook, pre_commit_home)
    assert r.returncode == 0 and "Passed" in r.stdout, r.stdout + r.stderr
