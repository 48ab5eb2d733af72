"""`make bench`: build time, per-stage timings, peak memory and output size at several sizes, then serve.

Each size is a handbook from `generate.py`, checked and built by the real CLI in a
subprocess (peak RSS from the kernel's accounting of that child), twice: cold, and
again over its own output. Then `serve_bench.py` measures edit → updated page.
Figures go to stdout and, as JSON, to `bench/results.json` (not committed), so two
runs can be compared.

    .venv/bin/python bench/run.py [--sizes 100,1000,10000] [--no-serve]
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

from generate import generate  # noqa: E402

STAGES = re.compile(r"(load|validate|compute|render|write) (\d+) ms")


def folder_size(path: Path) -> tuple[int, int]:
    files = [p for p in path.rglob("*") if p.is_file()]
    return len(files), sum(p.stat().st_size for p in files)


def bench_size(n: int, work: Path) -> dict[str, object]:
    site = work / f"hb-{n}"
    if not site.exists():
        generate(site, n, 1)
    out = work / f"out-{n}"
    shutil.rmtree(out, ignore_errors=True)
    # each measurement in its own process so ru_maxrss is that command's own peak
    row: dict[str, object] = {"objectives": n}
    row["check"] = measure(["check", str(site)])
    row["build"] = measure(["build", str(site), "--out", str(out)])
    row["rebuild"] = measure(["build", str(site), "--out", str(out)])
    files, size = folder_size(out)
    row["output_files"], row["output_mib"] = files, round(size / 2**20, 1)
    pages = [p for p in out.rglob("*.html")]
    row["largest_page_kib"] = round(max((p.stat().st_size for p in pages), default=0) / 1024, 1)
    return row


def measure(args: list[str]) -> dict[str, object]:
    """Run in a throwaway grandchild so the peak RSS is this command's alone."""
    code = ("import json, resource, subprocess, sys, time; t=time.perf_counter(); "
            "p=subprocess.run(sys.argv[1:], capture_output=True, text=True); w=time.perf_counter()-t; "
            "print(json.dumps({'seconds': round(w, 3), 'exit': p.returncode, "
            "'peak_mib': round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, 1), "
            "'out': p.stdout + p.stderr}))")
    proc = subprocess.run([sys.executable, "-c", code, sys.executable, "-m", "okrsite", *args],
                          capture_output=True, text=True, check=True)
    res = json.loads(proc.stdout)
    out = res.pop("out")
    res["stages_ms"] = {k: int(v) for k, v in STAGES.findall(out)}
    res["last_line"] = out.strip().splitlines()[-1] if out.strip() else ""
    return res


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="100,1000,10000", help="objective counts, comma-separated")
    ap.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "okrsite-bench")
    ap.add_argument("--no-serve", action="store_true", help="skip the serve benchmark")
    args = ap.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    rows = []
    print(f"okrsite benchmark on {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}\n")
    head = (f"{'objectives':>10} {'pages':>6} {'check s':>8} {'build s':>8} {'again s':>8} {'peak MiB':>9} "
            f"{'out MiB':>8} {'max page KiB':>12}  stages of the cold build (ms)")
    print(head)
    print("-" * len(head))
    for n in (int(x) for x in args.sizes.split(",") if x.strip()):
        row = bench_size(n, args.work)
        rows.append(row)
        b, c, r = row["build"], row["check"], row["rebuild"]
        pages = re.search(r"in (\d+) pages", c["last_line"])  # type: ignore[index, arg-type]
        stages = " ".join(f"{k} {v}" for k, v in b["stages_ms"].items())  # type: ignore[union-attr]
        print(f"{n:>10} {pages.group(1) if pages else '?':>6} {c['seconds']:>8.2f} {b['seconds']:>8.2f} "
              f"{r['seconds']:>8.2f} {b['peak_mib']:>9.0f} {row['output_mib']:>8.1f} "
              f"{row['largest_page_kib']:>12.0f}  {stages}")
        for what in ("check", "build", "rebuild"):
            if row[what]["exit"] != 0:  # type: ignore[index]
                print(f"  {what} exited {row[what]['exit']}: {row[what]['last_line']}")  # type: ignore[index]
    (HERE / "results.json").write_text(json.dumps(rows, indent=1) + "\n", encoding="utf-8")
    print("\ncheck/build/again = wall seconds of the CLI in a fresh process (again = a second build over its "
          "own output); peak = max RSS of the build")
    if args.no_serve:
        return 0
    print()
    return subprocess.run([sys.executable, str(HERE / "serve_bench.py")], check=False).returncode


if __name__ == "__main__":
    sys.exit(main())
