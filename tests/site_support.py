"""Helpers for the site tests: build a handbook into a folder, and read the HTML it wrote."""

from __future__ import annotations

import contextlib
import functools
import io
import json
import re
import shutil
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

REPO = Path(__file__).resolve().parent.parent
SPEC_SITE = REPO / "tests" / "fixtures" / "spec-handbook"


def build_site(site: Path, out: Path) -> Path:
    """`okrsite build SITE --out OUT` in-process; fails the test on a non-zero exit."""
    from okrsite.cli import main

    with contextlib.redirect_stdout(io.StringIO()) as so, contextlib.redirect_stderr(io.StringIO()) as se:
        code = main(["build", str(site), "--out", str(out), "--force"])
    assert code == 0, so.getvalue() + se.getvalue()
    return out


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


@contextlib.contextmanager
def static_server(directory: Path) -> Iterator[str]:
    """A plain static server for a built folder on 127.0.0.1, like internal static hosting; yields its URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_QuietHandler, directory=str(directory)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


def copy_example(dest: Path) -> Path:
    dest.mkdir(parents=True, exist_ok=True)
    shutil.copytree(REPO / "content", dest / "content")
    shutil.copy2(REPO / "okrsite.yaml", dest / "okrsite.yaml")
    return dest


@dataclass
class Html:
    """What a page links to and what it defines, from one pass of html.parser."""

    path: str
    text: str
    links: list[tuple[str, str, str]] = field(default_factory=list)  # (tag, attr, url)
    ids: set[str] = field(default_factory=set)
    scripts: list[tuple[dict[str, str], str]] = field(default_factory=list)  # (attrs, inline text)
    classes: list[str] = field(default_factory=list)

    def hrefs(self) -> list[str]:
        return [u for t, a, u in self.links if t == "a" and a == "href"]

    def resources(self) -> list[tuple[str, str, str]]:
        """URLs the browser loads by itself (not navigation)."""
        return [(t, a, u) for t, a, u in self.links if not (t == "a" and a == "href") and t != "form"]

    def json_scripts(self) -> dict[str, object]:
        return {a.get("id", ""): json.loads(body) for a, body in self.scripts if a.get("type") == "application/json"}


class _Parser(HTMLParser):
    def __init__(self, page: Html) -> None:
        super().__init__(convert_charrefs=True)
        self.page = page
        self._script: dict[str, str] | None = None
        self._buf: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if "id" in a:
            self.page.ids.add(a["id"])
        if "class" in a:
            self.page.classes += a["class"].split()
        for attr in ("href", "src", "action", "poster", "data"):
            if attr in a and not (tag == "object" and attr != "data"):
                self.page.links.append((tag, attr, a[attr]))
        if tag == "script":
            self._script, self._buf = a, []

    def handle_data(self, data: str) -> None:
        if self._script is not None:
            self._buf.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "script" and self._script is not None:
            self.page.scripts.append((self._script, "".join(self._buf)))
            self._script = None


def parse(root: Path, rel: str) -> Html:
    text = (root / rel).read_text(encoding="utf-8")
    page = Html(rel, text)
    _Parser(page).feed(text)
    return page


def html_pages(root: Path) -> list[str]:
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*.html"))


def resolve(from_rel: str, url: str) -> tuple[str, str] | None:
    """(output-relative path, fragment) of a relative URL; None for an external or absolute one."""
    parts = urlsplit(url)
    if parts.scheme or parts.netloc or url.startswith("/"):
        return None
    base = from_rel.rsplit("/", 1)[0] if "/" in from_rel else ""
    path = unquote(parts.path)
    if not path:
        return from_rel, unquote(parts.fragment)
    joined = (base + "/" + path) if base else path
    out: list[str] = []
    for seg in joined.split("/"):
        if seg == "..":
            assert out, f"{from_rel}: {url} climbs above the output root"
            out.pop()
        elif seg not in (".", ""):
            out.append(seg)
    return "/".join(out), unquote(parts.fragment)


def visible_text(html: str) -> str:
    """Rough page text: tags and scripts removed, whitespace squashed, entities kept as written."""
    html = re.sub(r"<script\b.*?</script>", " ", html, flags=re.S | re.I)
    html = re.sub(r"<[^>]+>", " ", html)
    import html as _h

    return " ".join(_h.unescape(html).split())
