"""Screenshots of the main pages of a built handbook, in light and dark mode, with Debian's Chromium.

    .venv/bin/python scripts/screenshots.py [SITE] [--out DIR] [--chromium PATH]

Builds SITE (default: the example handbook in this repository), serves the output
on 127.0.0.1 and writes PNGs to DIR (default build/screenshots/); the home and an
objective page are also copied to docs/ for the README.
"""

from __future__ import annotations

import argparse
import functools
import shutil
import subprocess
import sys
import tempfile
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic"]

# (file name, page URL, colour scheme, viewport width, full page)
SHOTS = [
    ("home", "index.html", "light", 1280, True),
    ("objective", "objectives/enhance-digital-customer-satisfaction.html", "light", 1280, True),
    ("kpi", "kpis/nps.html", "light", 1280, True),
    ("map", "map.html", "light", 1280, False),
    ("cycle", "cycles/2025-Q2.html", "light", 1280, True),
    ("unit", "org/mobile-engagement.html", "light", 1280, True),
    ("objective-dark", "objectives/enhance-digital-customer-satisfaction.html", "dark", 1280, False),
    ("home-dark", "index.html", "dark", 1280, False),
    ("map-dark", "map.html", "dark", 1280, False),
    ("objective-phone", "objectives/track-every-bag.html", "light", 390, False),
    ("home-top", "index.html", "light", 1280, False),
    ("objective-top", "objectives/track-every-bag.html", "light", 1280, False),
]
DOCS = {"home-top": "screenshot-home.png", "objective-top": "screenshot-objective.png"}  # first screen only


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


def serve(directory: Path) -> ThreadingHTTPServer:
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(directory)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def build(site: Path, out: Path) -> None:
    subprocess.run([sys.executable, "-m", "okrsite", "build", str(site), "--out", str(out), "--force"],
                   check=True, cwd=REPO)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("site", nargs="?", default=str(REPO))
    ap.add_argument("--out", default=str(REPO / "build" / "screenshots"))
    ap.add_argument("--chromium", default="/usr/bin/chromium")
    ap.add_argument("--no-docs", action="store_true", help="do not update docs/*.png")
    args = ap.parse_args(argv)

    from playwright.sync_api import sync_playwright

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        site_out = Path(tmp) / "site"
        build(Path(args.site), site_out)
        server = serve(site_out)
        base = f"http://127.0.0.1:{server.server_address[1]}/"
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=args.chromium, args=CHROMIUM_ARGS)
                for name, url, scheme, width, full in SHOTS:
                    page = browser.new_page(viewport={"width": width, "height": 900}, color_scheme=scheme,
                                            device_scale_factor=1 if width > 600 else 2)
                    page.goto(base + url, wait_until="load")
                    if page.locator(".chart-plot").count():
                        page.wait_for_selector(".chart-plot .main-svg", timeout=15000)
                    page.wait_for_timeout(300)
                    target = out / f"{name}.png"
                    page.screenshot(path=str(target), full_page=full)
                    page.close()
                    print(target)
                    if name in DOCS and not args.no_docs:
                        shutil.copyfile(target, REPO / "docs" / DOCS[name])
                browser.close()
        finally:
            server.shutdown()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
