"""What history from git costs a build: a generated handbook in a git repository with many commits.

    python bench/history_bench.py [--objectives 1000] [--commits 500] [--runs 3] [--keep DIR]

Makes bench/generate.py's handbook, commits it, then makes `--commits` more commits that each revise
one key result's target (every 25th is a branch of two such commits merged with --no-ff, so the merge
path is measured too). Then it builds alternately with and without `--no-history` and reports the
fastest wall time of each (the least disturbed by other work on the machine), the `history` stage's
own time, and the overhead (target: at most 20 %).
"""

from __future__ import annotations

import argparse
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.generate import generate  # noqa: E402

TARGET_RE = re.compile(r"^    target: (\d+)$", re.M)


def git(repo: Path, *args: str, when: int = 0) -> None:
    env = {**os.environ, "GIT_AUTHOR_NAME": "Bench Author", "GIT_AUTHOR_EMAIL": "bench@example.org",
           "GIT_COMMITTER_NAME": "Bench Author", "GIT_COMMITTER_EMAIL": "bench@example.org"}
    if when:
        env["GIT_AUTHOR_DATE"] = env["GIT_COMMITTER_DATE"] = f"{when} +0000"
    subprocess.run(["git", "-c", "gc.auto=0", *args], cwd=repo, env=env, check=True, capture_output=True)


def revise(rng: random.Random, files: list[Path]) -> None:
    """Raise the first target of a random objective by one."""
    path = rng.choice(files)
    text = path.read_text("utf-8")
    path.write_text(TARGET_RE.sub(lambda m: f"    target: {int(m.group(1)) + 1}", text, count=1), "utf-8")


def make_repo(dest: Path, objectives: int, commits: int, seed: int = 0) -> Path:
    generate(dest, objectives, seed)
    rng = random.Random(seed)
    files = sorted((dest / "content" / "objectives").rglob("*.md"))
    t = 1_751_328_000  # 2025-07-01, one commit an hour from there
    git(dest, "init", "-q", "-b", "main")
    git(dest, "add", "-A")
    git(dest, "commit", "-q", "-m", "Generated handbook", when=t)
    made = 0
    while made < commits:
        t += 3600
        if made % 25 == 24 and commits - made >= 3:
            git(dest, "checkout", "-q", "-b", f"topic-{made}")
            for _ in range(2):
                revise(rng, files)
                git(dest, "commit", "-q", "-am", "Revise a target on a branch", when=t)
                t += 60
            git(dest, "checkout", "-q", "main")
            git(dest, "merge", "-q", "--no-ff", "-m", f"Merge topic-{made}", f"topic-{made}", when=t)
            made += 3
            continue
        revise(rng, files)
        git(dest, "commit", "-q", "-am", f"Revise a target ({made})", when=t)
        made += 1
    git(dest, "repack", "-adq")  # packed, as a clone is
    return dest


LAST_STAGES: dict[bool, str] = {}


def build(site: Path, out: Path, history: bool) -> tuple[float, float]:
    """Wall seconds of one `okrsite build` and its history stage's milliseconds (0 without)."""
    args = [sys.executable, "-m", "okrsite", "build", str(site), "--out", str(out), "--force"]
    if not history:
        args.append("--no-history")
    t0 = time.perf_counter()
    proc = subprocess.run(args, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    if proc.returncode != 0:
        raise SystemExit(proc.stderr)
    m = re.search(r"history (\d+) ms", proc.stderr)
    stages = re.search(r"\((load [^)]*)\)", proc.stderr)
    LAST_STAGES[history] = stages.group(1) if stages else ""
    return wall, float(m.group(1)) if m else 0.0


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--objectives", type=int, default=1000)
    p.add_argument("--commits", type=int, default=500)
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--verbose", action="store_true", help="print each run's stage times")
    p.add_argument("--keep", type=Path, help="make the repository here and keep it (default: a temporary folder)")
    args = p.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        site = args.keep or Path(tmp) / "handbook"
        if not (site / ".git").is_dir():
            t0 = time.perf_counter()
            make_repo(site, args.objectives, args.commits)
            print(f"repository: {args.objectives} objectives, {args.commits} commits "
                  f"({time.perf_counter() - t0:.1f} s to make)")
        build(site, Path(tmp) / "warm", True)  # warm the page cache once
        on, off, stage = [], [], []
        for i in range(args.runs):  # alternating, so both see the same machine; cold builds into new folders
            wall, ms = build(site, Path(tmp) / f"on-{i}", True)
            on.append(wall)
            stage.append(ms)
            off.append(build(site, Path(tmp) / f"off-{i}", False)[0])
            if args.verbose:
                print(f"  run {i + 1}: with {on[-1]:.2f} s ({LAST_STAGES[True]})\n"
                      f"         without {off[-1]:.2f} s ({LAST_STAGES[False]})")
        # the fastest run of each is the least disturbed by other work on the machine
        with_h, without = min(on), min(off)
        overhead = (with_h - without) / without
        share = statistics.median(stage) / 1000 / without
        runs = f"fastest of {args.runs}; median"
        print(f"build with history:      {with_h:.2f} s ({runs} {statistics.median(on):.2f} s)")
        print(f"build with --no-history: {without:.2f} s ({runs} {statistics.median(off):.2f} s)")
        print(f"history stage:           {statistics.median(stage):.0f} ms ({share * 100:.1f} % of the build)")
        print(f"overhead:                {overhead * 100:+.1f} % (target: at most +20 %) "
              f"{'✓' if overhead <= 0.20 else '✗'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
