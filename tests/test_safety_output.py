"""The output folder can never eat the input, and a build is all-or-nothing.

Every case runs the real CLI in a subprocess and compares a snapshot of the whole
temporary tree (bytes, symlink targets) before and after.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from okrsite.write.output import MARKER
from tests.handbook import BASE, write_site

REPO = Path(__file__).resolve().parent.parent
TIMEOUT = 30
BASE_OBJECTIVE = BASE["content/objectives/grow.md"]


def run(args: list[str], cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    full_env = {**os.environ, "PYTHONPATH": str(REPO), **(env or {})}
    return subprocess.run([sys.executable, "-m", "okrsite", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=TIMEOUT, env=full_env)


def snapshot(root: Path) -> dict[str, tuple[str, bytes | str]]:
    """Every path below `root`: file bytes, symlink target, or 'dir' (symlinks not followed)."""
    state: dict[str, tuple[str, bytes | str]] = {}
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        for name in dirnames + filenames:
            p = Path(dirpath) / name
            rel = p.relative_to(root).as_posix()
            if p.is_symlink():
                state[rel] = ("link", os.readlink(p))
            elif p.is_dir():
                state[rel] = ("dir", "")
            else:
                state[rel] = ("file", p.read_bytes())
    return state


def make_site(tmp_path: Path) -> Path:
    """The test handbook, with a themes/ folder and a nested content folder to aim at."""
    site = write_site(tmp_path / "site")
    (site / "themes" / "custom" / "static").mkdir(parents=True)
    (site / "themes" / "custom" / "static" / "x.css").write_text("body{}")
    (site / "content" / "guide" / "deeper").mkdir()
    (site / "content" / "guide" / "deeper" / "notes.txt").write_text("keep me")
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere" / "precious.txt").write_text("keep me too")
    return site


# (cwd relative to tmp_path, --out) pairs that must be refused; symlinks are made by make_links
REFUSED = [
    ("site", "."),
    ("site", ".."),
    ("site", "../site"),
    ("site", "./"),
    ("site", "content"),
    ("site", "content/"),
    ("site", "content/../content"),
    ("site", "content/guide"),
    ("site", "content/guide/deeper"),
    ("site", "content/new-folder"),
    ("site", "content/org/../kpis"),
    ("site", "themes"),
    ("site", "themes/custom"),
    ("site", "themes/custom/static"),
    ("site", "themes/new"),
    ("site", "_site/../content"),
    ("", "site"),
    ("", "."),
    ("", "site/content"),
    ("", "site/themes"),
    ("", "link-to-site"),
    ("", "link-to-content"),
    ("", "link-to-content/guide"),
    ("", "link-to-themes"),
    ("", "link-to-tmp"),
    ("", "link-to-site/content/../themes"),
    ("site/content/guide", ".."),
    ("site/content/guide", "../../.."),
]


def make_links(tmp_path: Path) -> None:
    site = tmp_path / "site"
    (tmp_path / "link-to-site").symlink_to(site, target_is_directory=True)
    (tmp_path / "link-to-content").symlink_to(site / "content", target_is_directory=True)
    (tmp_path / "link-to-themes").symlink_to("site/themes", target_is_directory=True)
    (tmp_path / "link-to-tmp").symlink_to(tmp_path, target_is_directory=True)


@pytest.mark.parametrize("force", [False, True], ids=["plain", "force"])
@pytest.mark.parametrize(("cwd", "out"), REFUSED)
def test_out_that_would_eat_the_input_is_refused(tmp_path: Path, cwd: str, out: str, force: bool) -> None:
    site = make_site(tmp_path)
    make_links(tmp_path)
    site_arg = os.path.relpath(site, tmp_path / cwd)
    before = snapshot(tmp_path)
    result = run(["build", site_arg, "--out", out] + (["--force"] if force else []), tmp_path / cwd)
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert result.stderr.startswith("okrsite: error: output folder"), result.stderr
    assert result.stdout == ""  # refused before checking anything
    assert snapshot(tmp_path) == before


def test_refusal_when_content_is_a_symlink_elsewhere(tmp_path: Path) -> None:
    """content/ itself may be a link to a shared folder: that folder is guarded too."""
    site = make_site(tmp_path)
    real = tmp_path / "shared-content"
    (site / "content").rename(real)
    (site / "content").symlink_to(real, target_is_directory=True)
    before = snapshot(tmp_path)
    for out in ("shared-content", "shared-content/guide", "."):
        result = run(["build", "site", "--out", out, "--force"], tmp_path)
        assert result.returncode == 2, (out, result.stderr)
    assert snapshot(tmp_path) == before


def test_out_is_an_existing_file(tmp_path: Path) -> None:
    make_site(tmp_path)
    (tmp_path / "out").write_text("a file")
    before = snapshot(tmp_path)
    for extra in ([], ["--force"]):
        result = run(["build", "site", "--out", "out", *extra], tmp_path)
        assert result.returncode == 2 and "not a folder" in result.stderr
    assert snapshot(tmp_path) == before


def test_out_containing_the_current_folder_or_home_is_refused(tmp_path: Path) -> None:
    make_site(tmp_path)
    work = tmp_path / "work" / "here"
    work.mkdir(parents=True)
    before = snapshot(tmp_path)
    result = run(["build", "../../site", "--out", "..", "--force"], work)
    assert result.returncode == 2 and "current folder" in result.stderr
    result = run(["build", "site", "--out", "work", "--force"], tmp_path, env={"HOME": str(work)})
    assert result.returncode == 2 and "home folder" in result.stderr
    assert snapshot(tmp_path) == before


def test_foreign_folder_refused_without_force_replaced_with_it(tmp_path: Path) -> None:
    make_site(tmp_path)
    foreign = tmp_path / "elsewhere"
    before = snapshot(tmp_path)
    result = run(["build", "site", "--out", "elsewhere"], tmp_path)
    assert result.returncode == 2
    assert "not empty and was not written by okrsite; use --force" in result.stderr
    assert snapshot(tmp_path) == before
    result = run(["build", "site", "--out", "elsewhere", "--force"], tmp_path)
    assert result.returncode == 0, result.stderr
    assert not (foreign / "precious.txt").exists()
    assert (foreign / MARKER).is_file() and (foreign / "index.html").is_file()


def test_hidden_file_makes_a_folder_foreign(tmp_path: Path) -> None:
    make_site(tmp_path)
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / ".git").mkdir()
    result = run(["build", "site", "--out", "out"], tmp_path)
    assert result.returncode == 2
    assert (tmp_path / "out" / ".git").is_dir()


def test_empty_folder_and_own_output_are_replaced_without_force(tmp_path: Path) -> None:
    make_site(tmp_path)
    (tmp_path / "out").mkdir()
    assert run(["build", "site", "--out", "out"], tmp_path).returncode == 0
    (tmp_path / "out" / "leftover.html").write_text("from an older build")
    result = run(["build", "site", "--out", "out"], tmp_path)
    assert result.returncode == 0, result.stderr
    assert not (tmp_path / "out" / "leftover.html").exists()
    assert (tmp_path / "out" / MARKER).is_file()


def test_default_out_is_site_underscore_site(tmp_path: Path) -> None:
    site = make_site(tmp_path)
    assert run(["build"], site).returncode == 0
    assert (site / "_site" / MARKER).is_file()
    assert (site / "content" / "guide" / "deeper" / "notes.txt").read_text() == "keep me"


def test_out_symlink_replaces_its_target_and_keeps_the_link(tmp_path: Path) -> None:
    make_site(tmp_path)
    assert run(["build", "site", "--out", "real"], tmp_path).returncode == 0
    (tmp_path / "link").symlink_to("real", target_is_directory=True)
    (tmp_path / "real" / "old.html").write_text("old")
    result = run(["build", "site", "--out", "link"], tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "link").is_symlink() and os.readlink(tmp_path / "link") == "real"
    assert not (tmp_path / "real" / "old.html").exists()
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []


# -- atomic output ---------------------------------------------------------------------------------

# Runs the CLI with Path.write_bytes patched: at the `after`-th file a process writes (unchanged files
# are linked, not written) it prints READY and then
# sleeps (to be killed) or raises (a crash such as a full disk).
PATCHED_BUILD = """
import pathlib, sys, time
from okrsite import cli
mode, after = sys.argv[1], int(sys.argv[2])
real = pathlib.Path.write_bytes
count = [0]
def slow(self, data):
    count[0] += 1
    if count[0] == after:
        print("READY", flush=True)
        if mode == "sleep":
            time.sleep(60)
        raise OSError(28, "No space left on device")
    return real(self, data)
pathlib.Path.write_bytes = slow
sys.exit(cli.main(sys.argv[3:]))
"""


def start_patched(tmp_path: Path, mode: str, after: int, out: str = "out") -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.Popen([sys.executable, "-c", PATCHED_BUILD, mode, str(after), "build", "site", "--out", out],
                            cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)


def wait_ready(proc: subprocess.Popen[str]) -> None:
    assert proc.stdout is not None
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if line.strip() == "READY":
            return
        if not line and proc.poll() is not None:
            raise AssertionError(f"build ended before READY: {proc.stderr.read() if proc.stderr else ''}")
    raise AssertionError("no READY")


def strays(tmp_path: Path) -> list[str]:
    return sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".out."))


def built(tmp_path: Path) -> dict[str, tuple[str, bytes | str]]:
    make_site(tmp_path)
    result = run(["build", "site", "--out", "out"], tmp_path)
    assert result.returncode == 0, result.stderr
    # change the handbook so that a finished second build would differ
    intro = tmp_path / "site" / "content" / "guide" / "intro.md"
    intro.write_text(intro.read_text().replace("title: Intro", "title: Intro changed"))
    return snapshot(tmp_path / "out")


def test_sigkill_mid_write_leaves_previous_output_and_next_build_cleans_up(tmp_path: Path) -> None:
    before = built(tmp_path)
    proc = start_patched(tmp_path, "sleep", 1)
    wait_ready(proc)
    proc.kill()
    proc.wait(TIMEOUT)
    assert snapshot(tmp_path / "out") == before
    assert len(strays(tmp_path)) == 1 and strays(tmp_path)[0].startswith(".out.new-")
    result = run(["build", "site", "--out", "out"], tmp_path)
    assert result.returncode == 0, result.stderr
    assert strays(tmp_path) == []
    assert b"Intro changed" in (tmp_path / "out" / "guide" / "intro.html").read_bytes()


def test_ctrl_c_mid_write_leaves_previous_output_and_no_temp(tmp_path: Path) -> None:
    before = built(tmp_path)
    proc = start_patched(tmp_path, "sleep", 1)
    wait_ready(proc)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=TIMEOUT)
    assert proc.returncode == 130, err
    assert "okrsite: interrupted" in err and "Traceback" not in err
    assert snapshot(tmp_path / "out") == before
    assert strays(tmp_path) == []


def test_write_error_mid_build_leaves_previous_output_and_no_temp(tmp_path: Path) -> None:
    before = built(tmp_path)
    proc = start_patched(tmp_path, "raise", 1)
    _, err = proc.communicate(timeout=TIMEOUT)
    assert proc.returncode != 0, err
    assert "Traceback" not in err
    assert snapshot(tmp_path / "out") == before
    assert strays(tmp_path) == []


def test_first_build_killed_leaves_no_output(tmp_path: Path) -> None:
    make_site(tmp_path)
    proc = start_patched(tmp_path, "sleep", 2)
    wait_ready(proc)
    proc.kill()
    proc.wait(TIMEOUT)
    assert not (tmp_path / "out").exists()
    assert run(["build", "site", "--out", "out"], tmp_path).returncode == 0
    assert strays(tmp_path) == []


def test_stale_temp_folders_of_dead_builds_are_removed_live_ones_kept(tmp_path: Path) -> None:
    make_site(tmp_path)
    dead = 2**22 + 12345  # above the default pid_max: no such process
    for name in (f".out.new-{dead}-abc_12", f".out.old-{dead}-x9"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "index.html").write_text("stale")
    live = f".out.new-{os.getpid()}-live"
    (tmp_path / live).mkdir()
    unrelated = [".out.new-notapid", ".other.new-1-a", "out.new-1-a"]
    for name in unrelated:
        (tmp_path / name).mkdir()
    (tmp_path / f".out.new-{dead}-link").symlink_to("elsewhere", target_is_directory=True)
    assert run(["build", "site", "--out", "out"], tmp_path).returncode == 0
    assert strays(tmp_path) == sorted([live, ".out.new-notapid", f".out.new-{dead}-link"])
    assert all((tmp_path / n).is_dir() for n in unrelated)
    assert (tmp_path / "elsewhere" / "precious.txt").exists()


def test_failed_build_leaves_previous_output_untouched(tmp_path: Path) -> None:
    before = built(tmp_path)
    (tmp_path / "site" / "content" / "org" / "team.md").write_text("---\ntitle: [unclosed\n---\n")
    result = run(["build", "site", "--out", "out"], tmp_path)
    assert result.returncode == 1
    assert "build refused" in result.stderr
    assert snapshot(tmp_path / "out") == before
    assert strays(tmp_path) == []


def test_strict_warning_build_leaves_previous_output_untouched(tmp_path: Path) -> None:
    before = built(tmp_path)
    (tmp_path / "site" / "content" / "org" / "team.md").write_text(
        "---\ntitle: Team\nkind: team\nparent: acme\nunknown_field: 1\n---\n")
    result = run(["build", "site", "--out", "out", "--strict"], tmp_path)
    assert result.returncode == 1
    assert snapshot(tmp_path / "out") == before


# -- two outputs to one path -----------------------------------------------------------------------


def collisions(tmp_path: Path, files: dict[str, str]) -> list[str]:
    site = write_site(tmp_path / "site", files)
    result = run(["build", "site", "--out", "out"], tmp_path)
    assert result.returncode == 1, result.stdout
    assert not (tmp_path / "out").exists()
    del site
    return [line for line in result.stdout.splitlines() if "output-collision" in line or "would be written" in line]


def test_free_pages_differing_only_in_case_collide(tmp_path: Path) -> None:
    got = collisions(tmp_path, {
        "content/guide/Setup.md": "---\ntitle: Upper\nid: setup-upper\n---\n",
        "content/guide/setup.md": "---\ntitle: Lower\n---\n",
    })
    assert got == ["site/content/guide/setup.md:2:1: error: page would be written to guide/setup.html, "
                   "which site/content/guide/Setup.md already writes"]


def test_free_page_colliding_with_an_objective_id(tmp_path: Path) -> None:
    """An objective whose `id:` differs from its file name lands where a free page lands."""
    got = collisions(tmp_path, {
        "content/objectives/q3/file-name.md": BASE_OBJECTIVE.replace("title: Grow", "title: G\nid: grow2"),
        "content/objectives/grow2.md": "---\ntitle: Free page\ntype: page\nid: free-page\n---\n",
    })
    assert got == ["site/content/objectives/q3/file-name.md:2:1: error: page would be written to "
                   "objectives/grow2.html, which site/content/objectives/grow2.md already writes"]


@pytest.mark.parametrize(("rel", "what"), [
    ("index.md", None),  # the home page's introduction (docs/format.md, page)
    ("search.md", "the search page"),
    ("data.md", None),  # data.html is not data.json
    ("404.md", "the 404 page"),
    ("cycles/2025-Q3.md", "the page of cycle '2025-Q3'"),
    ("cycles/2025-q3.md", "the page of cycle '2025-Q3'"),
    ("org/index.md", "the org unit index"),
    ("Objectives/Index.md", "the objective index"),
])
def test_free_page_colliding_with_a_generated_page(tmp_path: Path, rel: str, what: str | None) -> None:
    site = write_site(tmp_path / "site", {f"content/{rel}": "---\ntitle: P\ntype: page\nid: p-x\n---\n"})
    result = run(["build", "site", "--out", "out"], tmp_path)
    if what is None:
        assert result.returncode == 0, result.stdout
        return
    assert result.returncode == 1, result.stdout
    html = rel[:-3] + ".html"
    assert f"site/content/{rel}:2:1: error: page would be written to {html}, which {what} already writes" \
        in result.stdout
    assert site.is_dir() and not (tmp_path / "out").exists()
