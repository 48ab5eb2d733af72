"""The preview's lazy rebuilds: the edited page before the reload, every other output when first asked for.

In-process, on the example handbook: what is made before `settle`, what waits for it,
what a later edit does to pages nobody asked for, and a real HTTP request for a
deferred page that fails.
"""

from __future__ import annotations

import http.client
import io
import threading
from pathlib import Path

import pytest

from okrsite.render import Deferred
from okrsite.serve.app import Preview
from okrsite.serve.http import bind
from okrsite.serve.outputs import Outputs
from okrsite.serve.state import SiteState
from tests.serve_support import copy_example, edit

OBJ = "content/objectives/2025-q3/track-every-bag.md"
OBJ_URL = "objectives/track-every-bag.html"
LISTING = "objectives/index.html"  # lists every objective by title
CHECKIN = "{date: 2025-08-14, value: 7.6, confidence: 0.6}"


@pytest.fixture
def site(tmp_path: Path) -> Path:
    return copy_example(tmp_path / "site")


def value(outputs: Outputs, key: str) -> bytes:
    v = outputs[key]
    return v() if isinstance(v, Deferred) else v  # type: ignore[return-value]


def fresh(site: Path) -> dict:
    state = SiteState(site, "site")
    assert state.rebuild().ok
    return state.outputs  # type: ignore[return-value]


def started(site: Path) -> SiteState:
    state = SiteState(site, "site", lazy=True)
    assert state.rebuild().ok
    state.settle()
    return state


def test_the_edited_page_is_made_before_settle_and_the_rest_waits_for_it(site: Path) -> None:
    state = started(site)
    edit(site / OBJ, ("title: Track every bag end to end", "title: Every bag, tracked"))
    out = state.rebuild([site / OBJ])
    assert out.ok and out.rendered == [OBJ_URL] and out.pending == []
    outputs = state.outputs
    assert isinstance(outputs, Outputs) and not outputs.settled
    assert b"Every bag, tracked" in value(outputs, OBJ_URL)  # no waiting: it is the page that reloads
    assert "assets/okrsite.css" in outputs.known and "data.json" in outputs.known
    got: list[bytes] = []
    asker = threading.Thread(target=lambda: got.append(value(outputs, LISTING)), daemon=True)
    asker.start()
    asker.join(0.3)
    assert asker.is_alive() and not got, "a page the edit may change must wait for settle"
    done = state.settle()
    asker.join(10)
    assert got and b"Every bag, tracked" in got[0]
    assert done is not None and LISTING in done.pending and "data.json" in done.changed
    assert got[0] == fresh(site)[LISTING]


def test_pages_nobody_asked_for_are_made_from_the_newest_edit(site: Path) -> None:
    state = started(site)
    path = site / OBJ
    for title in ("First title", "Second title"):
        text = path.read_text(encoding="utf-8")
        path.write_text(text.replace(text.split("title: ", 1)[1].split("\n", 1)[0], title, 1), encoding="utf-8")
        assert state.rebuild([path]).ok
        state.settle()
    outputs = state.outputs
    assert isinstance(outputs, Outputs) and isinstance(outputs[LISTING], Deferred)  # still not asked for
    listing = value(outputs, LISTING)
    assert b"Second title" in listing and b"First title" not in listing
    assert listing == fresh(site)[LISTING]
    assert state.cache.pages[LISTING].gen == state.cache.gen and not state.cache.pages[LISTING].pending


def test_a_deferred_page_of_an_older_build_is_served_but_never_cached(site: Path) -> None:
    state = started(site)
    edit(site / OBJ, (CHECKIN, "{date: 2025-08-14, value: 7.2, confidence: 0.6}"))
    assert state.rebuild([site / OBJ]).ok
    state.settle()
    old = state.outputs
    assert isinstance(old, Outputs)
    later = old[LISTING]
    assert isinstance(later, Deferred)
    edit(site / OBJ, ("title: Track every bag end to end", "title: Bags, newer"))
    assert state.rebuild([site / OBJ]).ok
    state.settle()
    assert b"Bags, newer" not in later()  # the build it belongs to: the page a request on it expects
    assert state.cache.pages[LISTING].pending  # the newest build still makes its own
    assert b"Bags, newer" in value(state.outputs, LISTING)  # type: ignore[arg-type]


def test_saving_without_a_change_reloads_nothing_even_with_pages_pending(site: Path) -> None:
    state = started(site)
    edit(site / OBJ, (CHECKIN, "{date: 2025-08-14, value: 7.3, confidence: 0.6}"))
    assert state.rebuild([site / OBJ]).ok
    state.settle()
    builds = state.builds
    (site / OBJ).touch()
    again = state.rebuild([site / OBJ])
    assert again.ok and again.rendered == [] and again.changed == []
    done = state.settle()
    assert done is not None and done.changed == [] and LISTING in done.pending
    assert state.builds == builds


def test_only_named_files_are_read_and_new_ones_are_found(site: Path) -> None:
    state = started(site)
    other = site / "content/objectives/2025-q2/stabilise-crew-rostering.md"
    edit(other, ("title: Stabilise crew rostering", "title: Unnamed edit"))
    edit(site / OBJ, (CHECKIN, "{date: 2025-08-14, value: 7.4, confidence: 0.6}"))
    out = state.rebuild([site / OBJ])  # the watcher named one file: the other is not looked at
    assert out.reread == ["site/" + OBJ]
    state.settle()
    new = site / "content/objectives/2025-q3/brand-new.md"
    new.write_text((site / OBJ).read_text(encoding="utf-8").replace("Track every bag end to end", "Brand new"),
                   encoding="utf-8")
    out = state.rebuild([new])  # an unknown file: content/ is walked, and stat shows the unnamed edit too
    assert sorted(out.reread) == ["site/content/objectives/2025-q2/stabilise-crew-rostering.md",
                                  "site/content/objectives/2025-q3/brand-new.md"]
    assert "objectives/brand-new.html" in out.rendered
    state.settle()
    assert b"Unnamed edit" in value(state.outputs, "objectives/stabilise-crew-rostering.html")  # type: ignore[arg-type]


def test_a_deferred_page_that_fails_answers_500_with_one_line(site: Path, monkeypatch: pytest.MonkeyPatch,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    preview = Preview(site, "site", out=io.StringIO(), err=io.StringIO())
    assert preview.rebuild() is not None
    server = bind("127.0.0.1", 0, preview.hub)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        import okrsite.render.pages.indexes as indexes

        def boom(*_: object) -> None:
            raise RuntimeError("kaput")

        monkeypatch.setattr(indexes, "objectives_index", boom)
        edit(site / OBJ, ("title: Track every bag end to end", "title: Bags"))
        outcome = preview.rebuild([site / OBJ])
        assert outcome is not None and outcome.ok and LISTING in outcome.pending
        conn = http.client.HTTPConnection("127.0.0.1", server.server_address[1], timeout=10)
        conn.request("GET", "/" + OBJ_URL)
        page = conn.getresponse()
        assert page.status == 200 and b"Bags" in page.read()
        conn.request("GET", "/" + LISTING)
        broken = conn.getresponse()
        body = broken.read()
        assert broken.status == 500 and b"RuntimeError: kaput" in body and b"/__okrsite/live.js" in body
        conn.close()
        err = capsys.readouterr().err
        assert f"okrsite: internal error while making {LISTING}: RuntimeError: kaput" in err
        assert "Traceback" not in err
    finally:
        server.shutdown()
        server.server_close()
        preview.hub.close()


def test_an_unknown_path_does_not_make_the_search_index(site: Path) -> None:
    state = started(site)
    edit(site / OBJ, (CHECKIN, "{date: 2025-08-14, value: 7.5, confidence: 0.6}"))
    assert state.rebuild([site / OBJ]).ok
    state.settle()
    outputs = state.outputs
    assert isinstance(outputs, Outputs) and outputs.group is not None
    assert outputs.get("favicon.ico") is None and "no/such/page.html" not in outputs
    assert outputs.group.peek() is None  # type: ignore[attr-defined]
    assert b"okrsiteSearch" in value(outputs, "assets/search/manifest.js")
    assert value(outputs, "sitemap.xml") == fresh(site)["sitemap.xml"]


def test_a_named_csv_rereads_the_kpi_that_reads_it(site: Path) -> None:
    state = started(site)
    csv = site / "content/kpis/nps.csv"
    csv.write_text(csv.read_text(encoding="utf-8") + "2025-08-14,55\n", encoding="utf-8")
    out = state.rebuild([csv])
    assert out.reread == ["site/content/kpis/nps.md"] and "kpis/nps.html" in out.rendered
    state.settle()
    page = "objectives/enhance-digital-customer-satisfaction.html"  # its chart follows the KPI
    assert page in state.cache.pending and b"72.22" in value(state.outputs, page)  # type: ignore[arg-type]
