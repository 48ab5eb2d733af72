"""How heavy each kind of page is, and how long it takes to open in Chromium, on a small and a big site.

    .venv/bin/python bench/page_weight.py SMALL_OUT BIG_OUT [--rounds 7] [--json FILE]

SMALL_OUT is the built example handbook (`okrsite build . --out SMALL_OUT`), BIG_OUT a built
generated one (`bench/generate.py`, then `okrsite build`). For one page of every kind (home,
each tab, the map's landing and unit pages, index pages, cycles, an objective, a KPI, a unit,
a search) it prints the bytes of the page on each site and the time from navigation start to
the page loaded with every visible chart drawn, measured in the page (median of the rounds,
the two sites interleaved so that a busy machine slows both alike). The target (issue: every
page stays light): no page over 1 MiB at 10,000 objectives, and every kind within 1.5× of the
small site's time or under 1 s. Exit status 1 when one is missed.
"""

from __future__ import annotations

import argparse
import functools
import json
import statistics
import sys
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

CHROMIUM = "/usr/bin/chromium"
MIB = 1024 * 1024
# (kind, page on the example handbook, page on a generated one)
KINDS = [
    ("home", "index.html", "index.html"),
    ("map tab (current cycle)", "map.html", "map.html"),
    ("map, other cycle", "map/2025-Q2.html", "map/2025-Q2.html"),
    ("map, root unit", "map/2025-Q3/digital-airline.html", "map/2025-Q3/portfolio.html"),
    ("map, value stream", "map/2025-Q3/customer-experience.html", "map/2025-Q3/stream-1.html"),
    ("map, team", "map/2025-Q3/mobile-engagement.html", "map/2025-Q3/team-3.html"),
    ("cycles tab", "cycles/index.html", "cycles/index.html"),
    ("cycle, running", "cycles/2025-Q3.html", "cycles/2025-Q3.html"),
    ("cycle, ended", "cycles/2025-Q2.html", "cycles/2025-Q2.html"),
    ("units tab", "org/index.html", "org/index.html"),
    ("objectives tab", "objectives/index.html", "objectives/index.html"),
    ("objectives, other page", "objectives/2025-Q2/index.html", "objectives/2025-Q3/page-2.html"),
    ("KPIs tab", "kpis/index.html", "kpis/index.html"),
    ("handbook tab", "pages/index.html", "pages/index.html"),
    ("objective", "objectives/track-every-bag.html", "objectives/obj-1.html"),
    ("KPI", "kpis/nps.html", "kpis/kpi-1.html"),
    ("unit, root", "org/digital-airline.html", "org/portfolio.html"),
    ("unit, team", "org/rebooking-squad.html", "org/team-3.html"),
    ("search", "search.html?q=rebooking", "search.html?q=booking"),
]
DRAWN = """() => new Promise(done => { const check = () => {
  const ok = [...document.querySelectorAll('.chart-plot')].filter(e => e.offsetWidth)
      .every(e => e.querySelector('svg.main-svg'))
    && (!location.pathname.endsWith('search.html') || document.querySelector('#search-results a'));
  if (ok && document.readyState === 'complete') done(performance.now()); else requestAnimationFrame(check); };
  check(); })"""


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


def serve(directory: Path) -> tuple[ThreadingHTTPServer, str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(directory)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/"


def measure(small: Path, big: Path, rounds: int = 7, report: bool = True) -> dict[str, object]:
    """The figures as data: the heaviest page of `big`, and per kind both sites' KiB and median ms; a kind
    whose page one of the sites lacks is listed as missing."""
    from playwright.sync_api import sync_playwright

    size, where = max((p.stat().st_size, p) for p in big.rglob("*.html"))
    heaviest = {"page": where.relative_to(big).as_posix(), "bytes": size, "met": size <= MIB}
    if report:
        print(f"heaviest page of {big}: {heaviest['page']}, {size / 1024:.0f} KiB")
    rows: list[dict[str, object]] = []
    (s1, small_url), (s2, big_url) = serve(small), serve(big)
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
            page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
            for base in (small_url, big_url):  # warm the cache: plotly.js is loaded once per site, as a reader would
                page.goto(base + "map.html")
                page.evaluate(DRAWN)

            def once(url: str) -> float:
                page.goto("about:blank")
                page.goto(url, wait_until="commit")
                return float(page.evaluate(DRAWN))

            if report:
                print(f"{'kind':26} {'small KiB':>9} {'big KiB':>8} {'small ms':>8} {'big ms':>7} {'ratio':>5}")
            for kind, a, b in KINDS:
                fa, fb = small / a.split("?")[0], big / b.split("?")[0]
                if not (fa.is_file() and fb.is_file()):
                    rows.append({"kind": kind, "small_page": a, "big_page": b, "missing": True, "met": None})
                    continue
                ta, tb = [], []
                for _ in range(rounds):
                    ta.append(once(small_url + a))
                    tb.append(once(big_url + b))
                ma, mb = statistics.median(ta), statistics.median(tb)
                ka, kb = fa.stat().st_size / 1024, fb.stat().st_size / 1024
                ok = mb <= 1.5 * ma or mb < 1000
                rows.append({"kind": kind, "small_page": a, "big_page": b, "small_kib": ka, "big_kib": kb,
                             "small_ms": ma, "big_ms": mb, "ratio": mb / ma, "met": ok})
                if report:
                    print(f"{kind:26} {ka:9.0f} {kb:8.0f} {ma:8.0f} {mb:7.0f} {mb / ma:5.2f}{'' if ok else '  MISSED'}",
                          flush=True)
            browser.close()
    finally:
        s1.shutdown()
        s2.shutdown()
    return {"rounds": rounds, "heaviest": heaviest, "rows": rows}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("small", type=Path)
    ap.add_argument("big", type=Path)
    ap.add_argument("--rounds", type=int, default=7)
    ap.add_argument("--json", type=Path, help="also write the figures to this file")
    args = ap.parse_args(argv)
    figures = measure(args.small, args.big, args.rounds)
    if args.json:
        args.json.write_text(json.dumps(figures, indent=1) + "\n", encoding="utf-8")
    rows = figures["rows"]
    missed = not figures["heaviest"]["met"] or any(r["met"] is False for r in rows)  # type: ignore[union-attr, index]
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
