"""No injected script runs: the hostile handbook (tests/hostile/) built and inspected.

Every text field and body of that handbook carries payloads that call `alert(...)` and
set `window.__pwned` to a number. The checks iterate over whatever the build writes
(the theme is free to add pages, JSON and scripts):

1. in the HTML: no event handler or `javascript:`/`vbscript:`/`data:` URL carries a payload,
   no `<iframe>`/`<object>`/`<base>` survives, every inline `<script>` holds payloads only
   inside string literals and never `<!--`, `<script` or `</script`, JSON parses strictly;
2. in Chromium: opening every page opens no dialog and sets no `window.__pwned`.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
import yaml

from okrsite.markdown import parse_body
from okrsite.render.body import render_body, sanitise
from tests.conftest import NEEDS_CHROMIUM
from tests.site_support import static_server

REPO = Path(__file__).resolve().parent.parent
HOSTILE = Path(__file__).resolve().parent / "hostile"

MARKERS = ("alert(", "__pwned", "msgbox(")
URL_ATTRS = frozenset({"href", "src", "action", "formaction", "data", "poster", "xlink:href", "background", "cite",
                       "ping", "srcset", "codebase", "longdesc", "manifest", "icon", "lowsrc", "dynsrc"})
BANNED_TAGS = frozenset({"iframe", "object", "embed", "frame", "frameset", "applet"})
JSON_SCRIPT_TYPES = frozenset({"application/json", "application/ld+json", "importmap"})
_JS_STRING_RE = re.compile(r'"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\'|`(?:[^`\\]|\\.)*`', re.S)


def has_marker(text: str) -> bool:
    low = text.lower()
    return any(m in low for m in MARKERS)


def url_kind(value: str) -> str:
    """The scheme a browser would see: whitespace and control characters anywhere are ignored."""
    squashed = re.sub(r"[\x00-\x20\x7f]+", "", value).lower()
    return squashed.split(":", 1)[0] if ":" in squashed.split("/", 1)[0] else ""


def check_script_text(where: str, text: str, script_type: str) -> list[str]:
    problems = []
    low = text.lower()
    for bad in ("<!--", "<script", "</script"):
        if bad in low:  # the first closes the element early; the others switch the HTML tokenizer's state
            problems.append(f"{where}: inline script contains {bad!r}")
    if script_type in JSON_SCRIPT_TYPES:
        try:
            json.loads(text, parse_constant=_reject_constant)
        except ValueError as e:
            problems.append(f"{where}: JSON script does not parse: {e}")
    elif has_marker(_JS_STRING_RE.sub('""', text)):
        problems.append(f"{where}: payload outside a string literal in a script: {text[:120]!r}")
    return problems


def _reject_constant(name: str) -> None:
    raise ValueError(f"{name} is not JSON")


class HtmlCheck(HTMLParser):
    """Collects what would let a payload run; also the page's visible text."""

    def __init__(self, where: str) -> None:
        super().__init__(convert_charrefs=True)
        self.where = where
        self.problems: list[str] = []
        self.text: list[str] = []
        self.json_scripts: list[str] = []  # texts of <script type="application/json"> elements
        self._script: tuple[str, list[str]] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        at = f"{self.where} <{tag}>"
        if tag in BANNED_TAGS:
            self.problems.append(f"{at}: tag not allowed")
        values = {k: v or "" for k, v in attrs}
        if tag == "meta" and values.get("http-equiv", "").lower() == "refresh":
            self.problems.append(f"{at}: meta refresh")
        if tag == "base":  # a theme may set one from base_path: it must stay a path on this host
            href = re.sub(r"[\x00-\x20\x7f]+", "", values.get("href", ""))
            if not href.startswith("/") or href[1:2] in ("/", "\\"):
                self.problems.append(f"{at}: base href {values.get('href')!r} leaves the host")
        for name, value in values.items():
            if name.startswith("on") and has_marker(value):
                self.problems.append(f"{at}: event handler {name}={value!r}")
            if name in URL_ATTRS:
                scheme = url_kind(value)
                if scheme in ("javascript", "vbscript", "livescript"):
                    self.problems.append(f"{at}: {name}={value!r}")
                if scheme == "data" and not re.sub(r"\s+", "", value).lower().startswith("data:image/"):
                    self.problems.append(f"{at}: {name}={value!r}")
            if name == "srcdoc":
                self.problems.append(f"{at}: srcdoc")
            if name == "style" and re.search(r"javascript:|expression\(|url\(", value, re.I) and has_marker(value):
                self.problems.append(f"{at}: style={value!r}")
        if tag == "script":
            if has_marker(values.get("src", "")):
                self.problems.append(f"{at}: script src {values['src']!r}")
            self._script = (values.get("type", "").lower(), [])

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag == "script":
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag == "script" and self._script is not None:
            script_type, parts = self._script
            self._script = None
            if script_type in JSON_SCRIPT_TYPES:
                self.json_scripts.append("".join(parts))
            self.problems += check_script_text(f"{self.where} <script>", "".join(parts), script_type)

    def handle_data(self, data: str) -> None:
        if self._script is not None:
            self._script[1].append(data)
        else:
            self.text.append(data)

    def handle_comment(self, data: str) -> None:
        if has_marker(data):
            self.problems.append(f"{self.where}: payload inside an HTML comment (an unescaped '<!--'?)")


def check_html(where: str, html: str) -> tuple[list[str], str]:
    """Problems found in one HTML document, and its visible text."""
    parser = HtmlCheck(where)
    parser.feed(html)
    parser.close()
    problems = parser.problems
    for pattern in (r"<script[^>]*>\s*(?:alert|window\.__pwned|parent\.)", r"<img[^>]*\sonerror\s*=",
                    r"<svg[^>]*\sonload\s*=", r"<[a-z][^<>]*\shref\s*=\s*[\"']?\s*javascript:"):
        if re.search(pattern, html, re.I):
            problems.append(f"{where}: raw text matches {pattern}")
    return problems, "".join(parser.text)


def _vendored() -> set[bytes]:
    """Files copied verbatim (theme static files, plotly.min.js): not made from content."""
    import plotly

    files = [p for p in (REPO / "themes").rglob("*") if p.is_file() and "static" in p.parts]
    files.append(Path(plotly.__file__).parent / "package_data" / "plotly.min.js")
    return {hashlib.sha256(p.read_bytes()).digest() for p in files if p.is_file()}


VENDORED = _vendored()


def check_output_file(root: Path, path: Path) -> list[str]:
    rel = path.relative_to(root).as_posix()
    data = path.read_bytes()
    if hashlib.sha256(data).digest() in VENDORED:
        return []
    if path.suffix in (".html", ".htm"):
        return check_html(rel, data.decode("utf-8"))[0]
    if path.suffix == ".json":
        try:
            json.loads(data.decode("utf-8"), parse_constant=_reject_constant)
        except ValueError as e:
            return [f"{rel}: not strict JSON: {e}"]
    elif path.suffix == ".js":
        return _check_js(rel, data.decode("utf-8"))
    elif path.suffix == ".xml":
        try:
            ET.fromstring(data)
        except ET.ParseError as e:
            return [f"{rel}: XML does not parse: {e}"]
    return []


def _check_js(where: str, text: str) -> list[str]:
    """A script file served as JS: payloads may only sit inside string literals."""
    if has_marker(_JS_STRING_RE.sub('""', text)):
        return [f"{where}: payload outside a string literal"]
    return []


# -- the built hostile handbook -------------------------------------------------------------------


@pytest.fixture(scope="module")
def hostile_out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("hostile") / "out"
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    result = subprocess.run([sys.executable, "-m", "okrsite", "build", str(HOSTILE), "--out", str(out)],
                            capture_output=True, text=True, timeout=60, env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    return out


def outputs(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file())


def front_matter(rel: str) -> dict:
    text = (HOSTILE / rel).read_text(encoding="utf-8")
    if rel.endswith(".md"):
        text = text.split("---\n")[1]
    return yaml.safe_load(text)


def test_hostile_handbook_payloads_reach_every_text_field() -> None:
    """Guard the fixture itself: each hostile file still carries payloads in its text fields."""
    cfg = front_matter("okrsite.yaml")
    assert has_marker(cfg["title"]) and has_marker(cfg["description"])
    assert all(has_marker(c["title"]) for c in cfg["cycles"])
    for rel in ("content/org/root.md", "content/objectives/grow.md", "content/kpis/nps.md", "content/guide/evil.md"):
        fm = front_matter(rel)
        assert has_marker(fm["title"]), rel
        body = (HOSTILE / rel).read_text(encoding="utf-8").split("---\n", 2)[2]
        assert has_marker(body), rel


def test_no_output_lets_a_payload_run(hostile_out: Path) -> None:
    files = outputs(hostile_out)
    assert any(p.suffix == ".html" for p in files)
    problems = [problem for p in files for problem in check_output_file(hostile_out, p)]
    assert problems == []


def test_front_matter_values_show_as_text(hostile_out: Path) -> None:
    """Escaped, not dropped: each page's title is in its visible text, exactly as written."""
    data = json.loads((hostile_out / "data.json").read_text(encoding="utf-8"))
    pages = data["org_units"] + data["objectives"] + data["kpis"]
    assert len(pages) == 5
    for entity in pages:
        _, text = check_html(entity["url"], (hostile_out / entity["url"]).read_text(encoding="utf-8"))
        assert entity["title"] in text, entity["url"]
    _, text = check_html("child", (hostile_out / "objectives/child.html").read_text(encoding="utf-8"))
    assert "{{ 7*191 }} ${7*191}" in text and "1337" not in text  # values are data, never templates


def test_data_json_keeps_values_exactly(hostile_out: Path) -> None:
    data = json.loads((hostile_out / "data.json").read_text(encoding="utf-8"))
    cfg = front_matter("okrsite.yaml")
    assert data["site"]["title"] == cfg["title"]
    assert data["site"]["description"] == cfg["description"]
    assert [c["title"] for c in data["cycles"]] == [c["title"] for c in cfg["cycles"]]
    by_id = {e["id"]: e for key in ("org_units", "objectives", "kpis") for e in data[key]}
    root = front_matter("content/org/root.md")
    assert (by_id["root"]["title"], by_id["root"]["kind"], by_id["root"]["lead"]) == (
        root["title"], root["kind"], root["lead"])
    grow = front_matter("content/objectives/grow.md")
    assert (by_id["grow"]["title"], by_id["grow"]["owner"]) == (grow["title"], grow["owner"])
    krs = {kr["id"]: kr for kr in by_id["grow"]["key_results"]}
    assert krs["nps-up"]["title"] == grow["key_results"][0]["title"]
    assert krs["nps-up"]["unit"] == grow["key_results"][0]["unit"]
    child = front_matter("content/objectives/child.md")
    assert by_id["child"]["owner"] == child["owner"]  # U+2028/U+2029 survive
    nps = front_matter("content/kpis/nps.md")
    assert (by_id["nps"]["title"], by_id["nps"]["owner"], by_id["nps"]["unit"]) == (
        nps["title"], nps["owner"], nps["unit"])


# -- the sanitiser alone (no theme involved) ------------------------------------------------------

BODY_PAYLOADS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    '<img src="x" onerror="alert(1)">',
    "<svg onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
    '<iframe src="javascript:alert(1)"></iframe>',
    '<a href="jAvAsCrIpT:alert(1)">x</a>',
    '<a href=" javascript:alert(1)">x</a>',
    '<a href="java&#x09;script:alert(1)">x</a>',
    '<a href="&#106;avascript:alert(1)">x</a>',
    '<a href="&#x6A;&#x61;&#x76;&#x61;&#x73;&#x63;&#x72;&#x69;&#x70;&#x74;:alert(1)">x</a>',
    '<a href="vbscript:msgbox(1)">x</a>',
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>',
    '<a href="#" onclick="alert(1)">x</a>',
    '<form action="javascript:alert(1)"><button formaction="javascript:alert(1)">x</button></form>',
    '<object data="javascript:alert(1)"></object>',
    '<embed src="javascript:alert(1)">',
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    '<base href="javascript:alert(1)//">',
    '<details open ontoggle="alert(1)">x</details>',
    '<input autofocus onfocus="alert(1)">',
    '<td style="background:url(javascript:alert(1))">x</td>',
    '<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>',
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>"></noscript>',
    "<style>@import 'javascript:alert(1)';</style>",
    '<div style="width: expression(alert(1))">x</div>',
    '<a href="https://ok.example/" onmouseover="alert(1)">x</a>',
    '<img src="javascript:alert(1)">',
    '<video poster="javascript:alert(1)"></video>',
    '<svg><a xlink:href="javascript:alert(1)"><text>x</text></a></svg>',
    '<!--<img src=x onerror=alert(1)>-->',
    "<![CDATA[<script>alert(1)</script>]]>",
    "[x](javascript:alert(1))",
    "[x](JAVASCRIPT:alert(1))",
    "[x](&#106;avascript:alert(1))",
    "[x](vbscript:msgbox(1))",
    "[x](data:text/html,<script>alert(1)</script>)",
    "![x](javascript:alert(1))",
    '[x](https://ok.example "t\\" onmouseover=\\"alert(1)")',
    "<javascript:alert(1)>",
    "[x][r]\n\n[r]: javascript:alert(1)",
    "[[javascript:alert(1)]]",
    "[[x|<img src=x onerror=alert(1)>]]",
    "# <img src=x onerror=alert(1)>",
    "```\n</script><script>alert(1)</script>\n```",
]


@pytest.mark.parametrize("payload", BODY_PAYLOADS)
def test_body_payload_is_neutralised(payload: str) -> None:
    html = render_body(parse_body(payload, 1), "guide/page.html")
    problems, _ = check_html("body", html)
    assert problems == [], html
    assert "<script" not in html.lower(), html


def test_sanitiser_drops_unsafe_schemes_keeps_safe_ones() -> None:
    html = sanitise('<a href="https://a.example/">a</a><a href="mailto:x@y.z">m</a><a href="tel:1">t</a>'
                    '<a href="ftp://x/">f</a><a href="file:///etc/passwd">p</a><a href="../x.html#y">r</a>')
    hrefs = re.findall(r'href="([^"]*)"', html)
    assert hrefs == ["https://a.example/", "mailto:x@y.z", "tel:1", "../x.html#y"]


# -- in a real browser ----------------------------------------------------------------------------

DOM_CHECK = """() => {
  const bad = [];
  for (const el of document.querySelectorAll('*')) {
    for (const name of el.getAttributeNames()) {
      const v = el.getAttribute(name) || '';
      const squashed = v.replace(/[\\x00-\\x20\\x7f]+/g, '').toLowerCase();
      if (name.startsWith('on') && /alert\\(|__pwned/.test(v)) bad.push(el.tagName + ' ' + name + '=' + v);
      if (['href', 'src', 'action', 'formaction', 'xlink:href', 'data', 'poster'].includes(name)
          && /^(javascript|vbscript):/.test(squashed)) bad.push(el.tagName + ' ' + name + '=' + v);
      if (name === 'srcdoc') bad.push(el.tagName + ' srcdoc');
    }
  }
  return bad;
}"""


@pytest.fixture(scope="module")
def served(hostile_out: Path) -> Iterator[str]:
    with static_server(hostile_out) as url:
        yield url


@pytest.mark.browser
@NEEDS_CHROMIUM
def test_no_dialog_and_no_global_on_any_page_in_chromium(hostile_out: Path, served: str, chromium: Any) -> None:
    pages = [p.relative_to(hostile_out).as_posix() for p in outputs(hostile_out) if p.suffix == ".html"]
    assert pages
    dialogs: list[str] = []
    findings: list[str] = []
    page = chromium.new_page()
    try:
        page.on("dialog", lambda d: (dialogs.append(f"{page.url}: {d.type} {d.message}"), d.dismiss()))
        # nothing leaves 127.0.0.1: payload images and links to example.invalid fail fast
        page.route("**/*", lambda route: route.continue_() if route.request.url.startswith(served)
                   else route.abort())
        for rel in pages:
            page.goto(served + rel, wait_until="load")
            page.wait_for_timeout(100)  # timers and late onload handlers
            pwned = page.evaluate("() => typeof window.__pwned === 'number' ? window.__pwned : null")
            if pwned is not None:
                findings.append(f"{rel}: window.__pwned = {pwned}")
            findings += [f"{rel}: {b}" for b in page.evaluate(DOM_CHECK)]
            # focus and hover everything focusable: handlers that wait for a user
            page.evaluate("""() => { for (const el of document.querySelectorAll('a, input, button, details, [tabindex]'))
                              { el.focus(); el.dispatchEvent(new MouseEvent('mouseover', {bubbles: true})); } }""")
            page.wait_for_timeout(20)
            if page.evaluate("() => typeof window.__pwned === 'number'"):
                findings.append(f"{rel}: window.__pwned after focus/hover")
    finally:
        page.close()
    assert dialogs == [], dialogs
    assert findings == [], findings
