"""How heavy each kind of page is, and how long it takes to open in Chromium, on a small and a big site.

    .venv/bin/python bench/page_weight.py SMALL_OUT BIG_OUT [--rounds 7]

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


def main(argv: list[str] | None = None) -> int:
    from playwright.sync_api import sync_playwright

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("small", type=Path)
    ap.add_argument("big", type=Path)
    ap.add_argument("--rounds", type=int, default=7)
    args = ap.parse_args(argv)
    heaviest = max((p.stat().st_size, p) for p in args.big.rglob("*.html"))
    print(f"heaviest page of {args.big}: {heaviest[1].relative_to(args.big)}, {heaviest[0] / 1024:.0f} KiB")
    missed = heaviest[0] > MIB
    (s1, small), (s2, big) = serve(args.small), serve(args.big)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
        for base in (small, big):  # warm the cache: plotly.js is loaded once per site, as a reader would
            page.goto(base + "map.html")
            page.evaluate(DRAWN)

        def once(url: str) -> float:
            page.goto("about:blank")
            page.goto(url, wait_until="commit")
            return float(page.evaluate(DRAWN))

        print(f"{'kind':26} {'small KiB':>9} {'big KiB':>8} {'small ms':>8} {'big ms':>7} {'ratio':>5}")
        for kind, a, b in KINDS:
            ta, tb = [], []
            for _ in range(args.rounds):
                ta.append(once(small + a))
                tb.append(once(big + b))
            ma, mb = statistics.median(ta), statistics.median(tb)
            ka = (args.small / a.split("?")[0]).stat().st_size / 1024
            kb = (args.big / b.split("?")[0]).stat().st_size / 1024
            ok = mb <= 1.5 * ma or mb < 1000
            missed = missed or not ok
            print(f"{kind:26} {ka:9.0f} {kb:8.0f} {ma:8.0f} {mb:7.0f} {mb / ma:5.2f}{'' if ok else '  MISSED'}",
                  flush=True)
        browser.close()
    s1.shutdown()
    s2.shutdown()
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
