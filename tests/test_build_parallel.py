"""The parallel, streaming build: same bytes for any worker count, unchanged files kept, failures contained.

Every test runs the real CLI in a subprocess on a generated handbook of a few
hundred objectives, so forking, signals and the output swap are the real ones.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.site_support import REPO

sys.path.insert(0, str(REPO / "bench"))
from generate import generate  # noqa: E402

OBJECTIVES = 300


@pytest.fixture(scope="module")
def handbook(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return generate(tmp_path_factory.mktemp("parallel") / "hb", OBJECTIVES, seed=3)


def okrsite(*args: str, **kw: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "okrsite", *args], capture_output=True, text=True, cwd=REPO,
                          timeout=300, **kw)  # type: ignore[call-overload]


def tree(root: Path) -> dict[str, tuple[bytes, int, int]]:
    """rel path → (bytes, mtime_ns, inode) of every file."""
    out = {}
    for p in sorted(root.rglob("*")):
        if p.is_file():
            st = p.stat()
            out[p.relative_to(root).as_posix()] = (p.read_bytes(), st.st_mtime_ns, st.st_ino)
    return out


def test_same_bytes_for_one_and_two_workers(handbook: Path, tmp_path: Path) -> None:
    _same_bytes_for_one_and_two_workers(handbook, tmp_path)


def test_same_bytes_for_one_and_two_workers_with_rich_bodies(tmp_path: Path) -> None:
    """Bodies beyond plain paragraphs keep the HTML of their one parse, made by whichever process loaded them."""
    rich = generate(tmp_path / "rich", OBJECTIVES, seed=3, rich=True)
    _same_bytes_for_one_and_two_workers(rich, tmp_path)
    page = (tmp_path / "two" / "objectives" / "obj-7.html").read_text(encoding="utf-8")
    assert '<a href="../handbook/how-we-work.html#cadence">how we work</a>' in page and "<table>" in page


def _same_bytes_for_one_and_two_workers(handbook: Path, tmp_path: Path) -> None:
    one, two = tmp_path / "one", tmp_path / "two"
    r1 = okrsite("build", str(handbook), "--out", str(one), "--jobs", "1")
    r2 = okrsite("build", str(handbook), "--out", str(two), "--jobs", "2")
    assert r1.returncode == 0 and r2.returncode == 0, r1.stderr + r2.stderr
    assert "by 1 worker " in r1.stderr and "by 2 workers" in r2.stderr
    a, b = tree(one), tree(two)
    assert len(a) > OBJECTIVES
    assert sorted(a) == sorted(b)
    assert [k for k in a if a[k][0] != b[k][0]] == []


def test_unchanged_build_rewrites_nothing_and_renders_nothing(handbook: Path, tmp_path: Path) -> None:
    out = tmp_path / "site"
    assert okrsite("build", str(handbook), "--out", str(out)).returncode == 0
    before = tree(out)
    again = okrsite("build", str(handbook), "--out", str(out))
    assert again.returncode == 0, again.stderr
    after = tree(out)
    assert sorted(after) == sorted(before)
    moved = [k for k in before if before[k][1:] != after[k][1:]]
    assert moved == []  # same mtime and the same inode: linked from the previous tree, not written
    assert " 0 written," in again.stderr and " 0 pages rendered" in again.stderr


def test_one_edit_renders_few_pages_and_keeps_the_other_files(handbook: Path, tmp_path: Path) -> None:
    site = tmp_path / "hb"
    subprocess.run(["cp", "-a", str(handbook), str(site)], check=True)
    out = tmp_path / "site"
    assert okrsite("build", str(site), "--out", str(out)).returncode == 0
    before = tree(out)
    page = next((site / "content/objectives/2025-q3").glob("obj-17.md"))
    page.write_text(page.read_text(encoding="utf-8").replace("Why objective 17 matters", "Why it matters now"),
                    encoding="utf-8")
    again = okrsite("build", str(site), "--out", str(out))
    assert again.returncode == 0, again.stderr
    after = tree(out)
    changed = sorted(k for k in after if k not in before or after[k][0] != before[k][0])
    assert "objectives/obj-17.html" in changed
    kept = [k for k in after if k in before and after[k][0] == before[k][0]]
    assert len(kept) > len(after) * 0.9
    assert all(after[k][1:] == before[k][1:] for k in kept)  # identical bytes keep their mtime


def _children(pid: int) -> list[int]:
    """Live child processes of `pid`, from every /proc/N/stat (no kernel option needed)."""
    kids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except (OSError, IndexError):
                continue
            if int(fields[1]) == pid and fields[0] != "Z":
                kids.append(int(entry.name))
    return sorted(kids)


def _start_and_wait_for_workers(handbook: Path, out: Path, count: int = 1) -> tuple[subprocess.Popen[str], list[int]]:
    """The build started, once it has `count` child processes (the first is the one that prepares the
    fingerprint and the theme, forked before loading; workers come after it)."""
    # the inputs are those of the build already in `out`: without OKRSITE_NO_CACHE nothing would be rendered
    proc = subprocess.Popen([sys.executable, "-m", "okrsite", "build", str(handbook), "--out", str(out),
                             "--jobs", "2"], cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True, env={**os.environ, "OKRSITE_NO_CACHE": "1"})
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and proc.poll() is None:
        kids = _children(proc.pid)
        if len(kids) >= count:
            return proc, kids
        time.sleep(0.005)
    proc.kill()
    pytest.fail("the build never started a worker")


def _assert_previous_output_whole(out: Path, before: dict[str, tuple[bytes, int, int]]) -> None:
    assert tree(out) == before
    leftovers = [p.name for p in out.parent.iterdir() if p.name.startswith(f".{out.name}.")]
    assert leftovers == []


def _assert_gone(pids: list[int]) -> None:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        alive = [p for p in pids if Path(f"/proc/{p}").exists() and "Z" not in _state(p)]
        if not alive:
            return
        time.sleep(0.05)
    pytest.fail(f"orphan worker processes left: {alive}")


def _state(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return "Z"


@pytest.mark.parametrize(("which", "name"), [(-1, "build worker 1"), (0, "the build's preparation")])
def test_a_crashed_worker_fails_the_build_cleanly(handbook: Path, tmp_path: Path, which: int, name: str) -> None:
    out = tmp_path / "site"
    assert okrsite("build", str(handbook), "--out", str(out)).returncode == 0
    (handbook / "content/handbook/how-we-work.md").touch()  # nothing changes; the output must stay byte-equal
    before = tree(out)
    proc, kids = _start_and_wait_for_workers(handbook, out, count=2)
    os.kill(kids[which], signal.SIGKILL)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 3, err
    lines = [line for line in err.splitlines() if line.startswith("okrsite:")]
    assert lines == [f"okrsite: error: {name} was killed by SIGKILL; {out} left as it was"], err
    assert "Traceback" not in err
    _assert_previous_output_whole(out, before)
    _assert_gone(kids)


def test_ctrl_c_mid_build_leaves_the_previous_output_whole(handbook: Path, tmp_path: Path) -> None:
    out = tmp_path / "site"
    assert okrsite("build", str(handbook), "--out", str(out)).returncode == 0
    before = tree(out)
    proc, kids = _start_and_wait_for_workers(handbook, out)
    os.killpg(proc.pid, signal.SIGINT)  # what a terminal sends to the whole foreground group
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, err
    assert "Traceback" not in err and "okrsite: interrupted" in err
    _assert_previous_output_whole(out, before)
    _assert_gone(kids)


def test_jobs_must_be_a_positive_number(handbook: Path, tmp_path: Path) -> None:
    r = okrsite("build", str(handbook), "--out", str(tmp_path / "x"), "--jobs", "0")
    assert r.returncode == 2 and "'0' is not a number of workers" in r.stderr


def test_check_reports_the_same_with_parallel_loading(handbook: Path, tmp_path: Path) -> None:
    site = tmp_path / "hb"
    subprocess.run(["cp", "-a", str(handbook), str(site)], check=True)
    objectives = site / "content/objectives/2025-q3"
    (objectives / "obj-21.md").write_text("---\ntitle: [unclosed\ncycle: 2025-Q3\n---\n", encoding="utf-8")
    bad_ref = objectives / "obj-22.md"
    bad_ref.write_text(bad_ref.read_text(encoding="utf-8").replace("kpis: [kpi-", "kpis: [kpx-"), encoding="utf-8")
    (objectives / "obj-23.md").write_bytes(b"---\ntitle: \xff\n---\n")
    (site / "content/handbook/empty.md").write_text("", encoding="utf-8")
    one = okrsite("check", str(site), "--jobs", "1", "--format", "json")
    two = okrsite("check", str(site), "--jobs", "2", "--format", "json")
    assert one.returncode == two.returncode == 1
    assert one.stdout == two.stdout
    found = {(d["file"].rsplit("/", 1)[-1], d["code"]) for d in __import__("json").loads(two.stdout)}
    assert {("obj-21.md", "yaml-syntax"), ("obj-23.md", "encoding"), ("empty.md", "front-matter")} <= found
    assert any(f == "obj-22.md" for f, _ in found)


def test_nothing_changed_links_the_whole_tree_and_any_change_builds_again(handbook: Path, tmp_path: Path) -> None:
    site = tmp_path / "hb"
    subprocess.run(["cp", "-a", str(handbook), str(site)], check=True)
    out = tmp_path / "site"
    assert okrsite("build", str(site), "--out", str(out)).returncode == 0
    before = tree(out)
    (site / "content/handbook/how-we-work.md").touch()  # a new mtime, the same bytes: still nothing changed
    again = okrsite("build", str(site), "--out", str(out))
    assert again.returncode == 0, again.stderr
    assert f"{len(before) - 2} unchanged; 0 pages rendered" in again.stderr  # all but the marker and manifest
    assert tree(out) == before
    # each input the output is made from, changed alone, makes the next build render again
    theme = site / "themes/default/templates"
    theme.mkdir(parents=True)
    (theme / "404.html").write_text("{% extends \"base.html\" %}{% block content %}<h1>Lost</h1>{% endblock %}\n")
    themed = okrsite("build", str(site), "--out", str(out))
    assert themed.returncode == 0 and " 0 pages rendered" not in themed.stderr, themed.stderr
    assert "<h1>Lost</h1>" in (out / "404.html").read_text(encoding="utf-8")
    config = site / "okrsite.yaml"
    config.write_text(config.read_text(encoding="utf-8").replace("as_of: 2025-08-15", "as_of: 2025-09-01"))
    dated = okrsite("build", str(site), "--out", str(out))
    assert dated.returncode == 0 and " 0 pages rendered" not in dated.stderr, dated.stderr
    compressed = okrsite("build", str(site), "--out", str(out), "--precompress")
    assert compressed.returncode == 0 and (out / "index.html.gz").is_file(), compressed.stderr
    uncompressed = okrsite("build", str(site), "--out", str(out))
    assert uncompressed.returncode == 0 and not (out / "index.html.gz").exists(), uncompressed.stderr


def test_inputs_fingerprint_skips_pythons_bytecode_cache(tmp_path: Path) -> None:
    """Python writes `__pycache__` when it likes: counting it made two builds of the same inputs differ."""
    from okrsite.write.inputs import _files

    (tmp_path / "pkg" / "__pycache__").mkdir(parents=True)
    (tmp_path / "pkg" / "m.py").write_text("x = 1\n", encoding="utf-8")
    (tmp_path / "pkg" / "__pycache__" / "m.cpython-311.pyc").write_bytes(b"\0")
    (tmp_path / "pkg" / ".hidden").write_text("", encoding="utf-8")
    assert [p.relative_to(tmp_path).as_posix() for p in _files(tmp_path)] == ["pkg/m.py"]
