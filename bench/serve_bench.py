"""Benchmark `okrsite serve`: edit → updated page latency, and rebuild times, on two handbooks.

    .venv/bin/python bench/serve_bench.py [--objectives 1000] [--edits 10]

For the example handbook and a generated one (bench/generate.py) this measures
  * in-process: a full build (check + render, cold), serve's first build, and one
    incremental rebuild after a one-file edit (with the number of pages re-rendered);
  * end to end, against a real `okrsite serve` subprocess: the time from writing an
    objective file to (a) the live-reload event on an open event stream, (b) the
    served objective page changing, (c) the served data.json changing. The edit
    changes a key result's check-in value and a sentence of the body.
Targets (issue 4): under 300 ms on the example, under 1 s on 1,000 objectives.
"""

from __future__ import annotations

import argparse
import http.client
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
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

from generate import generate  # noqa: E402

from okrsite.build import check, render  # noqa: E402
from okrsite.serve.state import SiteState  # noqa: E402

PYTHON = str(REPO / ".venv/bin/python") if (REPO / ".venv/bin/python").exists() else sys.executable
TARGETS = {"example": 300.0, "generated": 1000.0}
CHECKIN = re.compile(r"(- \{date: [0-9-]+, value: )([0-9.]+)")


class Server:
    """`okrsite serve SITE --port 0` in a subprocess, with an open event stream."""

    def __init__(self, site: Path) -> None:
        env = dict(os.environ, PYTHONPATH=str(REPO), PYTHONUNBUFFERED="1")
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


def wait_change(fetch, before: bytes, timeout: float = 10.0) -> float:  # noqa: ANN001
    deadline = time.perf_counter() + timeout
    while time.perf_counter() < deadline:
        if fetch() != before:
            return time.perf_counter()
        time.sleep(0.002)  # poll like a patient client, not a busy loop competing with the rebuild
    raise TimeoutError("the served file did not change")


def in_process(site: Path, obj: Path) -> dict[str, float]:
    t0 = time.perf_counter()
    build = check(site, str(site))
    render(build)
    full = (time.perf_counter() - t0) * 1000
    state = SiteState(site, str(site))
    first = state.rebuild().ms
    runs = []
    for n in range(5):
        edit(obj, 900 + n)
        runs.append(state.rebuild())
    return {"full": full, "first": first, "incremental": statistics.median(r.ms for r in runs),
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


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--objectives", type=int, default=1000)
    p.add_argument("--edits", type=int, default=10)
    args = p.parse_args(argv)
    rows = []
    with tempfile.TemporaryDirectory(prefix="okrsite-bench-") as tmp:
        example = Path(tmp) / "example"
        example.mkdir()
        shutil.copytree(REPO / "content", example / "content")
        shutil.copy2(REPO / "okrsite.yaml", example / "okrsite.yaml")
        generated = generate(Path(tmp) / "generated", args.objectives)
        cases = [
            ("example", example, example / "content/objectives/2025-q3/track-every-bag.md",
             "/objectives/track-every-bag.html"),
            ("generated", generated, generated / "content/objectives/2025-q3/obj-501.md", "/objectives/obj-501.html"),
        ]
        for name, site, obj, url in cases:
            ip = in_process(site, obj)
            e2e = end_to_end(site, obj, url, args.edits)
            rows.append((name, ip, e2e))
    print(f"okrsite serve benchmark ({args.edits} edits per handbook; times in ms; median / max)\n")
    head = (f"{'handbook':<22}{'pages':>6}{'full build':>11}{'serve 1st':>10}{'incr.':>7}{'re-rend.':>9}"
            f"{'edit→reload':>16}{'edit→page':>16}{'edit→data.json':>16}{'target':>8}")
    print(head)
    print("-" * len(head))
    ok = True
    for name, ip, e2e in rows:
        label = "example" if name == "example" else f"generated ({args.objectives} obj.)"
        cells = []
        for key in ("reload", "page", "data"):
            vals = [v for v in e2e[key] if v == v]
            cells.append(f"{statistics.median(vals):.0f} / {max(vals):.0f}" if vals else "n/a")
        target = TARGETS[name]
        worst = max(statistics.median([v for v in e2e[k] if v == v]) for k in ("page", "data"))
        ok &= worst < target
        print(f"{label:<22}{ip['pages']:>6.0f}{ip['full']:>11.0f}{ip['first']:>10.0f}{ip['incremental']:>7.0f}"
              f"{ip['rerendered']:>9.0f}{cells[0]:>16}{cells[1]:>16}{cells[2]:>16}{target:>8.0f}")
    print("\nfull build = check + render in-process, cold; serve 1st = serve's first build; incr. = median rebuild")
    print("after a one-file edit (re-rend. = HTML pages it re-rendered); edit→x = write to served change.")
    print("targets met" if ok else "TARGET MISSED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
