"""Benchmark `okrsite serve`: edit → updated page latency, and rebuild times, on the example and generated handbooks.

    .venv/bin/python bench/serve_bench.py [--objectives 1000,10000] [--edits 10] [--json FILE]

For the example handbook and a generated one per size (bench/generate.py) this measures
  * in-process: a full build (check + render, cold), serve's first build, and the
    rebuild after a one-file edit as the preview runs it (lazy: the edited page first,
    then the rest planned; with the number of pages re-rendered before it returns);
  * end to end, against a real `okrsite serve` subprocess: the time from writing an
    objective file to (a) the live-reload event on an open event stream, (b) the
    served objective page changing, (c) the served data.json changing. The edit
    changes a key result's check-in value and a sentence of the body.
Targets, edit → page and edit → data.json: under 300 ms on the example (issue 4), under
0.5 s on 1,000 objectives and under 2 s on 10,000 (the scale issue). `--json` writes the
figures for bench/run.py.
"""

from __future__ import annotations

import argparse
import http.client
import importlib.util
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if importlib.util.find_spec("okrsite") is None:  # not installed: the checkout this script is in
    sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

from generate import generate  # noqa: E402

from okrsite.build import check, render  # noqa: E402
from okrsite.serve.state import SiteState  # noqa: E402

PYTHON = str(REPO / ".venv/bin/python") if (REPO / ".venv/bin/python").exists() else sys.executable
EXAMPLE_TARGET_MS = 300.0
TARGETS_MS = {1000: 500.0, 10000: 2000.0}  # by generated size; other sizes are measured against none
WAIT_S = 120.0  # for a served change before the edit counts as missed (a slow rebuild is a figure, not a crash)
CHECKIN = re.compile(r"(- \{date: [0-9-]+, value: )([0-9.]+)")


class Server:
    """`okrsite serve SITE --port 0` in a subprocess, with an open event stream."""

    def __init__(self, site: Path) -> None:
        path = os.pathsep.join(p for p in (os.environ.get("PYTHONPATH"), str(REPO)) if p)
        env = dict(os.environ, PYTHONPATH=path, PYTHONUNBUFFERED="1")
        self.proc = subprocess.Popen([PYTHON, "-m", "okrsite", "serve", str(site), "--port", "0"], env=env,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        assert self.proc.stderr is not None
        for line in self.proc.stderr:
            m = re.search(r"serving on http://([\d.]+):(\d+)/", line)
            if m:
                self.host, self.port = m.group(1), int(m.group(2))
                break
        else:
            raise RuntimeError("server did not start")
        threading.Thread(target=lambda: [None for _ in self.proc.stderr], daemon=True).start()  # type: ignore
        self.reloads: list[float] = []
        self.sock = socket.create_connection((self.host, self.port))
        self.sock.sendall(b"GET /__okrsite/events HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        threading.Thread(target=self._listen, daemon=True).start()
        self.conn = http.client.HTTPConnection(self.host, self.port)

    def _listen(self) -> None:
        buf = b""
        while chunk := self.sock.recv(65536):
            buf += chunk
            while b"\n\n" in buf:
                event, buf = buf.split(b"\n\n", 1)
                if event.startswith(b"event: reload"):
                    self.reloads.append(time.perf_counter())

    def get(self, path: str) -> bytes:
        self.conn.request("GET", path)
        return self.conn.getresponse().read()

    def stop(self) -> None:
        self.sock.close()
        self.conn.close()
        self.proc.send_signal(2)
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def edit(path: Path, n: int) -> None:
    text = path.read_text(encoding="utf-8")
    last = list(CHECKIN.finditer(text))[-1]  # the newest check-in of its key result: it sets `current`
    text = f"{text[:last.start(2)]}{40 + n % 20}.{n:03d}{text[last.end(2):]}"
    head, sep, body = text.rpartition("\n---\n")
    path.write_text(f"{head}{sep}Edit number {n}. {body.split('. ', 1)[-1]}", encoding="utf-8")


def wait_change(fetch, before: bytes, timeout: float = WAIT_S) -> float:  # noqa: ANN001
    """When the fetched bytes changed; NaN when they did not within `timeout`."""
    deadline = time.perf_counter() + timeout
    while time.perf_counter() < deadline:
        if fetch() != before:
            return time.perf_counter()
        time.sleep(0.002)  # poll like a patient client, not a busy loop competing with the rebuild
    return float("nan")


def edited_objective(site: Path, objectives: int) -> tuple[Path, str]:
    """A team objective of the current cycle from the middle of a generated handbook (a fifth are in 2025-Q2)."""
    i = objectives // 2 + 1
    i += 1 if i % 5 == 0 else 0
    return site / f"content/objectives/2025-q3/obj-{i}.md", f"/objectives/obj-{i}.html"


def in_process(site: Path, obj: Path) -> dict[str, float]:
    t0 = time.perf_counter()
    build = check(site, str(site))
    render(build)
    full = (time.perf_counter() - t0) * 1000
    state = SiteState(site, str(site), lazy=True)  # as the preview runs it (serve/app.py)
    first = state.rebuild().ms
    state.settle()
    runs, settled = [], []
    for n in range(5):
        edit(obj, 900 + n)
        t0 = time.perf_counter()
        runs.append(state.rebuild([obj]))  # what a reader waits for: the edited page, made first
        state.settle()  # then the rest the edit may change, planned to be made when first asked for
        settled.append((time.perf_counter() - t0) * 1000)
    incremental = statistics.median(r.ms for r in runs)
    return {"full": round(full, 1), "first": round(first, 1), "incremental": round(incremental, 1),
            "settled": round(statistics.median(settled), 1),
            "rerendered": sum(1 for u in runs[-1].rendered if u.endswith(".html")), "pages": runs[-1].pages}


def end_to_end(site: Path, obj: Path, url: str, edits: int) -> dict[str, list[float]]:
    server = Server(site)
    times: dict[str, list[float]] = {"reload": [], "page": [], "data": []}
    try:
        for n in range(edits):
            page, data = server.get(url), server.get("/data.json")
            seen = len(server.reloads)
            t0 = time.perf_counter()
            edit(obj, n)
            t_page = wait_change(lambda: server.get(url), page)
            t_data = wait_change(lambda: server.get("/data.json"), data)
            deadline = time.perf_counter() + 5
            while len(server.reloads) <= seen and time.perf_counter() < deadline:
                time.sleep(0.001)
            times["page"].append((t_page - t0) * 1000)
            times["data"].append((t_data - t0) * 1000)
            times["reload"].append((server.reloads[seen] - t0) * 1000 if len(server.reloads) > seen else float("nan"))
            time.sleep(0.2)  # let the watcher settle: each edit is its own rebuild
    finally:
        server.stop()
    return times


def _median(values: list[float]) -> float:
    """Median with a missed edit (NaN) counted as infinitely slow."""
    return statistics.median(v if v == v else float("inf") for v in values) if values else float("nan")


def _cell(values: list[float]) -> str:
    seen = [v for v in values if v == v]
    missed = len(values) - len(seen)
    text = f"{_median(values):.0f} / {max(seen):.0f}" if seen else "n/a"
    return text + (f" ({missed} missed)" if missed else "")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--objectives", default="1000", help="generated handbook sizes, comma-separated (default: 1000)")
    p.add_argument("--edits", type=int, default=10)
    p.add_argument("--json", type=Path, metavar="FILE", help="also write the figures here as JSON")
    args = p.parse_args(argv)
    sizes = [int(x) for x in args.objectives.split(",") if x.strip()]
    rows = []
    with tempfile.TemporaryDirectory(prefix="okrsite-bench-") as tmp:
        example = Path(tmp) / "example"
        example.mkdir()
        shutil.copytree(REPO / "content", example / "content")
        shutil.copy2(REPO / "okrsite.yaml", example / "okrsite.yaml")
        bag = example / "content/objectives/2025-q3/track-every-bag.md"
        cases = [("example", None, EXAMPLE_TARGET_MS, example, bag, "/objectives/track-every-bag.html")]
        for n in sizes:
            site = generate(Path(tmp) / f"generated-{n}", n)
            cases.append((f"generated ({n:,} obj.)", n, TARGETS_MS.get(n), site, *edited_objective(site, n)))
        for label, n, target, site, obj, url in cases:
            ip = in_process(site, obj)
            e2e = end_to_end(site, obj, url, args.edits)
            rows.append({"handbook": label, "objectives": n, "target_ms": target, **ip,
                         **{f"{k}_ms": [round(v, 1) if v == v else None for v in vals] for k, vals in e2e.items()}})
            shutil.rmtree(site, ignore_errors=True)  # a 10,000-objective handbook is 40,000 files
    print(f"okrsite serve benchmark ({args.edits} edits per handbook; times in ms; median / max)\n")
    head = (f"{'handbook':<26}{'pages':>7}{'full build':>11}{'serve 1st':>10}{'incr.':>7}{'re-rend.':>9}"
            f"{'edit→reload':>16}{'edit→page':>16}{'edit→data.json':>16}{'target':>8}")
    print(head)
    print("-" * len(head))
    ok = True
    for row in rows:
        times = {k: [float("nan") if v is None else v for v in row[f"{k}_ms"]] for k in ("reload", "page", "data")}
        worst = max(_median(times["page"]), _median(times["data"]))
        row["met"] = None if row["target_ms"] is None else bool(worst < row["target_ms"])
        ok &= row["met"] is not False
        target = "—" if row["target_ms"] is None else f"{row['target_ms']:.0f} {'✓' if row['met'] else '✗'}"
        print(f"{row['handbook']:<26}{row['pages']:>7.0f}{row['full']:>11.0f}{row['first']:>10.0f}"
              f"{row['incremental']:>7.0f}{row['rerendered']:>9.0f}{_cell(times['reload']):>16}"
              f"{_cell(times['page']):>16}{_cell(times['data']):>16}{target:>8}")
    print("\nfull build = check + render in-process, cold; serve 1st = serve's first build; incr. = median lazy")
    print("rebuild after a one-file edit, as the preview runs it (re-rend. = HTML pages it re-rendered);")
    print("edit→x = write to served change.")
    print("targets met" if ok else "TARGET MISSED")
    if args.json:
        args.json.write_text(json.dumps({"edits": args.edits, "rows": rows}, indent=1) + "\n", encoding="utf-8")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
