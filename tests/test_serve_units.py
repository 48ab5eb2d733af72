"""The serve pieces in-process: path mapping, injection, incremental state, events, watching."""

from __future__ import annotations

import io
import os
import threading
import time
from pathlib import Path

import pytest
import watchfiles
from hypothesis import given
from hypothesis import strategies as st

from okrsite.serve import reload
from okrsite.serve.app import Preview
from okrsite.serve.http import content_type, host_name, loopback, output_key
from okrsite.serve.reload import Hub, Snapshot, inject, stream
from okrsite.serve.state import SiteState
from okrsite.serve.watch import Watcher, data_dirs
from tests.serve_support import copy_example, edit, wait_for

OBJ = "content/objectives/2025-q3/track-every-bag.md"


@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return copy_example(tmp_path_factory.mktemp("example") / "site")


@pytest.fixture
def site(tmp_path: Path) -> Path:
    return copy_example(tmp_path / "site")


@pytest.mark.parametrize(("raw", "key"), [
    ("/", "index.html"),
    ("/index.html", "index.html"),
    ("/objectives/", "objectives/index.html"),
    ("/objectives/x.html?y=1#z", "objectives/x.html"),
    ("/a%20b.html", "a b.html"),
    ("/data.json", "data.json"),
    ("/../okrsite.yaml", None),
    ("/%2e%2e/okrsite.yaml", None),
    ("/%2E%2e/x", None),
    ("/..%2fokrsite.yaml", None),
    ("/a%2Fb", None),
    ("/a%5cb", None),
    ("/a\\b", None),
    ("//etc/passwd", None),
    ("/a//b", None),
    ("/./x", None),
    ("/x%00.html", None),
    ("/x\x00.html", None),
    ("/%ff.html", None),
    ("etc/passwd", None),
    ("http://host/x", None),
    ("", None),
])
def test_output_key(raw: str, key: str | None) -> None:
    assert output_key(raw) == key


@given(st.text())
def test_output_key_never_escapes(raw: str) -> None:
    key = output_key(raw)
    if key is not None:
        parts = key.split("/")
        assert all(p not in ("", ".", "..") for p in parts)
        assert "\\" not in key and "\0" not in key and not key.startswith("/")


def test_hosts_and_types() -> None:
    assert loopback("127.0.0.1") and loopback("::1") and loopback("[::1]") and loopback("localhost")
    assert loopback("preview.localhost")
    assert not loopback("0.0.0.0") and not loopback("evil.example") and not loopback("192.168.1.2")
    assert host_name("127.0.0.1:8000") == "127.0.0.1" and host_name("[::1]:80") == "[::1]"
    assert content_type("x/index.html").startswith("text/html") and content_type("data.json") == "application/json"


def test_inject_only_before_the_last_body_end() -> None:
    page = b"<html><body><pre>&lt;/body&gt; </body></pre></BODY >\n</html>"
    out = inject(page, "t-1")
    tag = b'<script src="/__okrsite/live.js" data-build="t-1"></script>'
    assert out == page.replace(b"</BODY >", tag + b"</BODY >")
    assert inject(b"<p>no body end", "t-1") == b"<p>no body end" + tag
    assert b'data-build="a&quot;b"' in inject(b"", 'a"b')


def test_error_page_escapes() -> None:
    body = reload.error_page(("x.md:1:1: error: <img src=x onerror=alert(1)>",), "t-0")
    assert b"<img" not in body and b"&lt;img src=x" in body


def test_client_never_uses_inner_html() -> None:
    js = reload.CLIENT_JS.decode()
    assert "innerHTML" not in js and "insertAdjacentHTML" not in js and "textContent" in js


def test_incremental_state(site: Path) -> None:
    state = SiteState(site, "site")
    first = state.rebuild()
    assert first.ok and len(first.reread) == first.pages and state.builds == 1
    assert "objectives/track-every-bag.html" in first.rendered
    again = state.rebuild()
    assert again.ok and again.reread == [] and again.rendered == [] and again.changed == []
    assert state.builds == 1, "an unchanged rebuild must not reload open pages"
    edit(site / OBJ, ("{date: 2025-08-14, value: 7.6", "{date: 2025-08-14, value: 7.3"),
         ("so do we.", "so do we. More soon."))
    one = state.rebuild()
    assert one.reread == ["site/" + OBJ]
    assert "objectives/track-every-bag.html" in one.rendered
    assert "objectives/stabilise-crew-rostering.html" not in one.rendered
    assert "data.json" in one.changed and state.builds == 2


def test_same_stat_edit_is_seen_when_the_watcher_names_it(site: Path) -> None:
    state = SiteState(site, "site")
    state.rebuild()
    path = site / OBJ
    st = path.stat()
    edit(path, ("value: 7.6", "value: 7.9"))  # same size
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
    out = state.rebuild({path})
    assert out.reread == ["site/" + OBJ]


def test_csv_edit_rereads_its_kpi(site: Path) -> None:
    state = SiteState(site, "site")
    state.rebuild()
    csv = site / "content/kpis/nps.csv"
    assert csv.resolve() in {p.resolve() for p in state.data_files()}
    csv.write_text(csv.read_text(encoding="utf-8") + "2025-08-10,58\n", encoding="utf-8")
    out = state.rebuild()
    assert out.reread == ["site/content/kpis/nps.md"] and "data.json" in out.changed


def test_kpi_measurement_redraws_the_chart_of_an_unchanged_objective(site: Path) -> None:
    """The objective's file is untouched (its page object is kept); its remembered chart must still follow."""
    state = SiteState(site, "site")
    state.rebuild()
    page = "objectives/enhance-digital-customer-satisfaction.html"
    before = state.outputs[page]
    assert b"72.22" not in before
    csv = site / "content/kpis/nps.csv"
    csv.write_text(csv.read_text(encoding="utf-8") + "2025-08-14,55\n", encoding="utf-8")
    out = state.rebuild()
    assert out.reread == ["site/content/kpis/nps.md"] and page in out.rendered
    assert b"72.22" in state.outputs[page]  # NPS 42 → 60, now 55: (55 - 42) / 18 in the progress chart


def test_failed_rebuild_keeps_outputs_and_recovery_reloads(site: Path) -> None:
    state = SiteState(site, "site")
    state.rebuild()
    good = state.outputs
    path = site / OBJ
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("cycle: 2025-Q3", "cycle: 2025-Q9"), encoding="utf-8")
    bad = state.rebuild()
    assert not bad.ok and state.outputs is good and bad.rendered == []
    assert any(d.file == "site/" + OBJ and d.line == 3 for d in bad.errors)
    path.write_text(text, encoding="utf-8")
    fixed = state.rebuild()
    assert fixed.ok and fixed.changed == [] and state.builds == 2  # unchanged, but the overlay must go


def test_preview_survives_an_exception(site: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out, err = io.StringIO(), io.StringIO()
    preview = Preview(site, "site", out=out, err=err)
    assert preview.rebuild() is not None
    good = preview.hub.current
    assert good.outputs is not None and good.errors == ()

    def boom(*_: object) -> None:
        raise RuntimeError("kaput")

    monkeypatch.setattr(preview.state, "rebuild", boom)
    assert preview.rebuild() is None
    snap = preview.hub.current
    assert snap.outputs is good.outputs and snap.build_id == good.build_id
    assert snap.errors and "RuntimeError: kaput" in snap.errors[0]
    assert err.getvalue().count("\n") == 2 and "Traceback" not in err.getvalue()
    monkeypatch.undo()
    assert preview.rebuild() is not None and preview.hub.current.errors == ()
    assert preview.hub.current.build_id != good.build_id  # the fix reloads open pages


def test_terminal_lines(site: Path) -> None:
    out, err = io.StringIO(), io.StringIO()
    preview = Preview(site, "site", out=out, err=err)
    preview.rebuild()
    path = site / OBJ
    edit(path, ("kpis: [baggage-mishandling]", "kpis: [bagage]"))
    preview.rebuild()
    assert out.getvalue().startswith(f"site/{OBJ}:7:8: error: unknown kpi 'bagage'")
    lines = err.getvalue().splitlines()
    assert lines[0].startswith("okrsite: built in ") and " ms: 0 errors" in lines[0]
    assert lines[1].startswith("okrsite: rebuilt with errors in ")
    assert lines[1].endswith("1 error, 0 warnings in 41 pages; still serving the last good build")


class _Sink(io.RawIOBase):
    def __init__(self) -> None:
        self.data = b""
        self.event = threading.Event()

    def writable(self) -> bool:
        return True

    def write(self, b: bytes) -> int:  # type: ignore[override]
        self.data += bytes(b)
        self.event.set()
        return len(b)


def test_event_stream() -> None:
    hub = Hub(Snapshot({}, "t-1"))
    sink = _Sink()
    t = threading.Thread(target=stream, args=(sink, hub, 0.05), daemon=True)
    t.start()
    wait_for(lambda: b"event: hello" in sink.data, 5, "hello")
    hub.publish(Snapshot({}, "t-1", ("a.md:1:2: error: <b>",)))
    wait_for(lambda: b"event: diagnostics" in sink.data, 5, "diagnostics")
    hub.publish(Snapshot({}, "t-2"))
    wait_for(lambda: b"event: reload" in sink.data, 5, "reload")
    wait_for(lambda: b": ping" in sink.data, 5, "a heartbeat")
    hub.close()
    t.join(2)
    assert not t.is_alive()
    assert b'data: {"build": "t-1", "errors": ["a.md:1:2: error: <b>"]}' in sink.data


def test_watch_filter_and_data_dirs(tmp_path: Path) -> None:
    w = Watcher(tmp_path, lambda _: None)
    keep = lambda rel: w.keep(watchfiles.Change.modified, str(tmp_path / rel))  # noqa: E731
    assert keep("content/a.md") and keep("okrsite.yaml") and keep("themes/x/templates/page.html")
    assert keep("data/nps.csv")
    for rel in ("_site/index.html", ".git/index", "content/.a.md.swp", "content/a.md~", "content/#a.md#",
                "content/.#a.md", "content/4913", "content/a.md.tmp", "content/a.swx", "node_modules/x.js"):
        assert not keep(rel), rel
    (tmp_path / "data").mkdir()
    files = [tmp_path / "data/nps.csv", tmp_path / "data/more/x.csv", tmp_path / "y.csv", Path("/elsewhere/z.csv")]
    assert data_dirs(tmp_path, files) == {tmp_path / "data"}


def test_watcher_coalesces_a_burst(tmp_path: Path) -> None:
    (tmp_path / "content").mkdir()
    calls: list[set[Path]] = []
    w = Watcher(tmp_path, calls.append, step_ms=50)
    w.start()
    try:
        for i in range(10):
            (tmp_path / "content" / f"p{i}.md").write_text("x", encoding="utf-8")
            (tmp_path / "content" / f".p{i}.md.swp").write_text("x", encoding="utf-8")
        wait_for(lambda: calls, 5, "a change")
        time.sleep(0.3)
        assert len(calls) == 1 and len(calls[0]) == 10
        (tmp_path / "okrsite.yaml").write_text("title: x\n", encoding="utf-8")
        wait_for(lambda: len(calls) == 2, 5, "okrsite.yaml")
        assert calls[1] == {tmp_path / "okrsite.yaml"}
    finally:
        w.stop()
