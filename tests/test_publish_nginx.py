"""The nginx recipe of docs/publishing.md, for real: Debian's nginx on a loopback port serves the
built site under /okr/ with `gzip_static on`, and answers every page; plotly.js goes out as the
precompressed file to a client that accepts gzip.

Skipped only when /usr/sbin/nginx is missing outside CI (`make nginx` installs it, as CI does).
"""

from __future__ import annotations

import contextlib
import grp
import gzip
import io
import os
import pwd
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.site_support import SPEC_SITE

NGINX = "/usr/sbin/nginx"
pytestmark = pytest.mark.skipif(not os.path.exists(NGINX) and os.environ.get("CI") != "true",
                                reason="needs Debian's nginx at /usr/sbin/nginx (make nginx)")

# The location block is the one docs/publishing.md gives; the rest makes nginx run in tmp as whoever runs
# the tests (`user` matters only under root, where workers would otherwise drop to a user who cannot read
# pytest's private temporary folders; nginx ignores it, with a warning, for anyone else).
CONFIG = """\
user {user} {group};
worker_processes 1;
events {{ worker_connections 64; }}
http {{
    types {{
        text/html html; text/css css; application/javascript js; application/json json;
        image/svg+xml svg; application/xml xml; text/plain txt;
    }}
    default_type application/octet-stream;
    access_log off;
    client_body_temp_path {tmp}/body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
    server {{
        listen 127.0.0.1:{port};
        location /okr/ {{
            alias {site}/;
            gzip_static on;
            error_page 404 /okr/404.html;
        }}
    }}
}}
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_until_listening(proc: subprocess.Popen[bytes], port: int, log: Path) -> None:
    """Poll until nginx accepts (a readiness wait, not a timing assertion); fail with its log if it exits."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"nginx exited with {proc.returncode}: {log.read_text() if log.exists() else ''}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    pytest.fail(f"nginx did not listen on {port}: {log.read_text() if log.exists() else ''}")


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """The spec handbook (base_path /okr/) built with --precompress, behind nginx; yields (base URL, site)."""
    from okrsite.cli import main

    site = tmp_path_factory.mktemp("nginx-site") / "site"
    with contextlib.redirect_stdout(io.StringIO()) as so, contextlib.redirect_stderr(io.StringIO()) as se:
        code = main(["build", str(SPEC_SITE), "--out", str(site), "--precompress"])
    assert code == 0, so.getvalue() + se.getvalue()
    tmp = tmp_path_factory.mktemp("nginx")
    port = free_port()
    conf = tmp / "nginx.conf"
    conf.write_text(CONFIG.format(tmp=tmp, port=port, site=site, user=pwd.getpwuid(os.getuid()).pw_name,
                                  group=grp.getgrgid(os.getgid()).gr_name), encoding="utf-8")
    log = tmp / "error.log"
    proc = subprocess.Popen([NGINX, "-p", str(tmp), "-c", str(conf), "-e", str(log),
                             "-g", f"daemon off; pid {tmp}/nginx.pid; error_log {log};"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        _wait_until_listening(proc, port, log)
        yield f"http://127.0.0.1:{port}/okr/", site
    finally:
        proc.terminate()  # SIGTERM: the master stops its worker and exits; no orphan left behind
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def get(url: str, **headers: str) -> tuple[int, dict[str, str], bytes]:
    req = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, {k.lower(): v for k, v in r.headers.items()}, r.read()
    except urllib.error.HTTPError as e:
        return e.code, {k.lower(): v for k, v in e.headers.items()}, e.read()


def test_every_page_answers_200_under_the_sub_path(served: tuple[str, Path]) -> None:
    base, site = served
    pages = sorted(p.relative_to(site).as_posix() for p in site.rglob("*.html"))
    assert len(pages) > 20
    for rel in pages:
        status, headers, body = get(base + rel)
        assert status == 200, rel
        assert headers["content-type"].startswith("text/html"), rel
        assert body == (site / rel).read_bytes(), rel
    status, _, body = get(base)
    assert status == 200 and body == (site / "index.html").read_bytes()


def test_plotly_comes_precompressed_to_a_client_that_accepts_gzip(served: tuple[str, Path]) -> None:
    base, site = served
    plotly = (site / "assets/plotly.min.js").read_bytes()
    status, headers, body = get(base + "assets/plotly.min.js", **{"Accept-Encoding": "gzip"})
    assert status == 200
    assert headers.get("content-encoding") == "gzip"
    assert body == (site / "assets/plotly.min.js.gz").read_bytes()
    assert gzip.decompress(body) == plotly
    status, headers, body = get(base + "assets/plotly.min.js")  # no Accept-Encoding: the plain file
    assert status == 200 and "content-encoding" not in headers and body == plotly


def test_a_missing_page_gets_the_sites_404_page(served: tuple[str, Path]) -> None:
    base, site = served
    status, _, body = get(base + "objectives/no-such-objective.html")
    assert status == 404
    assert body == (site / "404.html").read_bytes()
