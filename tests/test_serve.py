"""`okrsite serve` as a user runs it: a real server in a subprocess, edits written to disk."""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.serve_support import PYTHON, Served, copy_example, edit, env, wait_for

OBJ = "content/objectives/2025-q3/track-every-bag.md"
OBJ_URL = "objectives/track-every-bag.html"
UNRELATED_URL = "objectives/stabilise-crew-rostering.html"  # Q2, another org unit, no link either way
CHECKIN = "{date: 2025-08-14, value: 7.6, confidence: 0.6}"


@pytest.fixture
def site(tmp_path: Path) -> Path:
    return copy_example(tmp_path / "site")


@pytest.fixture
def served(site: Path) -> Iterator[Served]:
    s = Served(site)
    try:
        yield s
    finally:
        s.stop()


def read_until(sock: socket.socket, marker: bytes) -> bytes:
    got = b""
    while marker not in got:
        chunk = sock.recv(4096)
        assert chunk, got
        got += chunk
    return got


def kr(data: dict, obj_id: str, kr_id: str) -> dict:
    obj = next(o for o in data["objectives"] if o["id"] == obj_id)
    return next(k for k in obj["key_results"] if k["id"] == kr_id)


def build_tree(site: Path, out: Path) -> dict[str, bytes]:
    subprocess.run([PYTHON, "-m", "okrsite", "build", str(site), "--out", str(out)], check=True, env=env(),
                   capture_output=True)
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*")
            if p.is_file() and not p.name.startswith(".okrsite-")}


def strip_script(body: bytes) -> bytes:
    start = body.find(b'<script src="/__okrsite/')
    return body if start < 0 else body[:start] + body[body.index(b"</script>", start) + 9:]


def test_serves_the_tree_build_writes_from_memory(site: Path, served: Served, tmp_path: Path) -> None:
    built = build_tree(site, tmp_path / "out")
    assert "data.json" in built and "index.html" in built
    for rel, data in built.items():
        status, headers, body = served.request("/" + rel)
        assert status == 200, rel
        if rel.endswith(".html"):
            assert headers["content-type"].startswith("text/html")
            assert b"/__okrsite/live.js" in body, rel
            assert strip_script(body) == data, rel
        else:
            assert body == data, rel
    assert served.get("/") == served.get("/index.html")
    assert json.loads(served.get("/data.json")) == json.loads(built["data.json"])
    assert not (site / "_site").exists(), "serve must never write the output folder"


def test_head_404_and_methods(served: Served, tmp_path: Path, site: Path) -> None:
    status, headers, body = served.request("/index.html", "HEAD")
    assert status == 200 and body == b"" and int(headers["content-length"]) > 0
    status, _, body = served.request("/no/such/page.html")
    assert status == 404
    built = build_tree(site, tmp_path / "out")
    if "404.html" in built:  # the site's own 404 page, with the live client
        assert strip_script(body) == built["404.html"]
    for method in ("POST", "PUT", "DELETE"):
        status, headers, _ = served.request("/index.html", method, {"Content-Length": "0"})
        assert status == 405 and headers["allow"] == "GET, HEAD"
    assert served.request("/index.html", headers={"Host": "evil.example:80"})[0] == 403


def test_edit_to_a_key_result_shows_in_data_json(site: Path, served: Served) -> None:
    assert kr(served.data(), "track-every-bag", "hub-mishandled")["current"] == 7.6
    edit(site / OBJ, (CHECKIN, "{date: 2025-08-14, value: 7.1, confidence: 0.6}"))
    wait_for(lambda: kr(served.data(), "track-every-bag", "hub-mishandled")["current"] == 7.1,
             what="data.json to show the new check-in")
    assert not (site / "_site").exists()


def test_edit_re_renders_only_what_can_change(site: Path, served: Served) -> None:
    before = served.status()
    assert UNRELATED_URL in before["rendered"] and OBJ_URL in before["rendered"]  # the first build: all
    pages = len(before["rendered"])
    edit(site / OBJ, (CHECKIN, "{date: 2025-08-14, value: 7.2, confidence: 0.6}"))  # a key result's check-in
    after = served.wait_attempt(before["attempt"], reread="site/" + OBJ)
    assert after["ok"] and after["build"] == before["build"] + 1
    assert after["reread"] == ["site/" + OBJ]
    assert OBJ_URL in after["rendered"], after["rendered"]
    assert UNRELATED_URL not in after["rendered"], after["rendered"]
    assert len(after["rendered"]) < pages / 2, after["rendered"]
    assert "data.json" in after["changed"]


def test_save_storm_is_one_rebuild(site: Path, served: Served) -> None:
    before = served.status()["attempt"]
    path = site / OBJ
    text = path.read_text(encoding="utf-8")
    for i in range(8):  # an editor writing, truncating, renaming, in a few milliseconds
        tmp = path.with_name(f".{path.name}.swp")
        tmp.write_text(text.replace("Track every bag", f"Track every bag {i}"), encoding="utf-8")
        tmp.replace(path)
    after = served.wait_attempt(before)
    time.sleep(0.4)  # anything still coming would have arrived by now (step 50 ms)
    assert served.status()["attempt"] == after["attempt"] == before + 1
    assert b"Track every bag 7" in served.get("/" + OBJ_URL)


def test_broken_edit_keeps_the_last_good_site(site: Path, served: Served) -> None:
    page = served.get("/" + OBJ_URL)
    before = served.status()
    path = site / OBJ
    good = path.read_text(encoding="utf-8")
    path.write_text(good.replace("kpis: [baggage-mishandling]", "kpis: [bagage-mishandling]"), encoding="utf-8")
    failed = served.wait_attempt(before["attempt"], reread="site/" + OBJ)
    assert not failed["ok"]
    line = "site/content/objectives/2025-q3/track-every-bag.md:7:8: error: unknown kpi 'bagage-mishandling'"
    assert any(e.startswith(line) for e in failed["errors"]), failed["errors"]
    assert failed["build_id"] == before["build_id"]
    assert strip_script(served.get("/" + OBJ_URL)) == strip_script(page)  # still the last good page
    wait_for(lambda: line in served.output and "rebuilt with errors in" in served.output, what="terminal lines")
    path.write_text(good.replace("Track every bag end to end", "Track every bag, fixed"), encoding="utf-8")
    fixed = served.wait_attempt(failed["attempt"], reread="site/" + OBJ)
    assert fixed["ok"] and fixed["errors"] == [] and fixed["build"] == before["build"] + 1
    assert b"Track every bag, fixed" in served.get("/" + OBJ_URL)


def test_first_build_broken_then_fixed(site: Path) -> None:
    cfg = site / "okrsite.yaml"
    good = cfg.read_text(encoding="utf-8")
    cfg.write_text(good.replace("current_cycle: 2025-Q3", "current_cycle: [oops"), encoding="utf-8")
    s = Served(site)
    try:
        status, _, body = s.request("/")
        assert status == 503 and b"okrsite.yaml" in body and b"/__okrsite/live.js" in body
        cfg.write_text(good, encoding="utf-8")
        wait_for(lambda: s.request("/")[0] == 200, what="the fixed site")
    finally:
        s.stop()


RAW_ATTACKS = [
    "/../okrsite.yaml", "/%2e%2e/okrsite.yaml", "/%2E%2E/okrsite.yaml", "/..%2fokrsite.yaml", "/..%2Fokrsite.yaml",
    "//etc/passwd", "/content/objectives/2025-q3/track-every-bag.md", "/okrsite.yaml", "/..\\okrsite.yaml",
    "/%5c..%5cokrsite.yaml", "/objectives/..%2f..%2fokrsite.yaml", "/objectives/%2e%2e/%2e%2e/okrsite.yaml",
    "/index.html%00.md", "/.//okrsite.yaml", "/./okrsite.yaml", "/../../../../etc/passwd", "/%2fetc%2fpasswd",
    "http://127.0.0.1/../okrsite.yaml", "/secret.txt", "/../secret.txt", "/%2e%2e/%2e%2e/secret.txt",
    "/__okrsite/../okrsite.yaml", "/__okrsite/%2e%2e/okrsite.yaml", "/%c0%ae%c0%ae/okrsite.yaml",
]


def test_nothing_outside_the_site_is_served(site: Path, served: Served, tmp_path: Path) -> None:
    (tmp_path / "secret.txt").write_text("TOP-SECRET", encoding="utf-8")
    secrets = [(site / "okrsite.yaml").read_bytes()[:40], b"TOP-SECRET", b"root:x:0:0",
               b"Customers want to know where their bag is"[:30].replace(b"know", b"know")]
    for path in RAW_ATTACKS:
        status, _, body = served.request(path)
        assert status in (400, 404), (path, status)
        for secret in secrets[:3]:
            assert secret not in body, path
    # the raw Markdown is never served; its rendered page is
    assert served.request("/content/objectives/2025-q3/track-every-bag.md")[0] == 404
    with socket.create_connection((served.host, served.port), timeout=5) as sock:  # no client at all
        sock.sendall(b"GET /../okrsite.yaml HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        reply = b"".join(iter(lambda: sock.recv(65536), b""))
    assert reply.startswith(b"HTTP/1.1 400") and secrets[0] not in reply


def test_many_concurrent_clients(served: Served) -> None:
    streams = [socket.create_connection((served.host, served.port), timeout=10) for _ in range(20)]
    try:
        for s in streams:
            s.sendall(b"GET /__okrsite/events HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        for s in streams:
            assert b"event: hello" in read_until(s, b"event: hello")
        with ThreadPoolExecutor(32) as pool:
            results = list(pool.map(lambda _: served.request("/data.json")[0], range(200)))
        assert results == [200] * 200
    finally:
        for s in streams:
            s.close()


def test_port_in_use_takes_the_next_free_port(site: Path) -> None:
    blocker = socket.socket()
    blocker.bind(("127.0.0.1", 0))
    blocker.listen()
    taken = blocker.getsockname()[1]
    try:
        s = Served(site, port=taken)
        try:
            assert s.port != taken
            assert f"port {taken} in use; serving on http://127.0.0.1:{s.port}/" in s.output
            assert s.request("/")[0] == 200
        finally:
            s.stop()
    finally:
        blocker.close()


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "sigterm"])
def test_stops_cleanly(site: Path, sig: int) -> None:
    s = Served(site)
    stream = socket.create_connection((s.host, s.port), timeout=10)  # an open page must not block shutdown
    try:
        stream.sendall(b"GET /__okrsite/events HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        read_until(stream, b"event: hello")
        t0 = time.monotonic()
        code = s.stop(sig)
        assert code == 0, s.output
        assert time.monotonic() - t0 < 5
    finally:
        stream.close()
        s.stop()
    assert s.lines[-1] == "okrsite: stopped", s.output
    assert "Traceback" not in s.output


def test_build_output_has_no_live_reload(site: Path, tmp_path: Path) -> None:
    built = build_tree(site, tmp_path / "out")
    assert built
    for rel, data in built.items():
        assert b"__okrsite" not in data and b"EventSource" not in data, rel
