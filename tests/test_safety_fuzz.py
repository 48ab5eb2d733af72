"""Fuzzing the whole pipeline: whatever front matter, text, bytes or Markdown a page holds,
load → validate → compute → render never raises, every diagnostic points into the file,
data.json stays strict JSON and a rendered body never lets script run.

Examples stay modest (the suite runs in well under a minute); hypothesis keeps failures
in `.hypothesis/` and replays them first. OKRSITE_FUZZ_EXAMPLES raises the count.
"""

from __future__ import annotations

import json
import math
import os
import tempfile
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from okrsite.build import Build, check, render
from okrsite.diagnostics import render as render_diagnostics
from tests.handbook import write_site
from tests.test_safety_xss import check_html

# OKRSITE_FUZZ_EXAMPLES=5000 for a long local run
FUZZ = settings(max_examples=int(os.environ.get("OKRSITE_FUZZ_EXAMPLES", "120")), deadline=None,
                suppress_health_check=[HealthCheck.too_slow])

PAGE_FIELDS = ["type", "id", "title", "order", "description", "kind", "parent", "lead", "cycle", "org_unit", "owner",
               "kpis", "business_value", "key_results", "unit", "better", "target", "alert", "range", "indicator",
               "measurements", "data"]
KR_FIELDS = ["id", "title", "kind", "start", "target", "unit", "kpi", "weight", "stretch", "checkins", "range", "due",
             "done", "current", "description"]
ENTRY_FIELDS = ["date", "value", "confidence", "note"]
WORDS = ["acme", "team", "nps", "grow", "grow/nps-60", "child", "2025-Q3", "2025-Q2", "objective", "kpi", "org_unit",
         "page", "increase", "decrease", "threshold", "milestone", "baseline", "higher", "lower", "lagging",
         "leading", "nps.csv", "../x.csv", "", " ", "-", "Ünïcödé", "日本", "<b>x</b>", "nps-60", "a/b/c"]

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(allow_nan=True, allow_infinity=True),
    st.floats(min_value=-1000, max_value=1000),
    st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 12, 31)),
    st.text(max_size=12),
    st.sampled_from(WORDS),
)


def fields_of(names: list[str], inner: st.SearchStrategy) -> st.SearchStrategy:
    keys = st.one_of(st.sampled_from(names), st.text(max_size=6), st.integers(0, 3))
    return st.dictionaries(keys, inner, max_size=6)


anything = st.recursive(scalars, lambda c: st.lists(c, max_size=3) | fields_of(PAGE_FIELDS, c), max_leaves=12)
entries = st.lists(fields_of(ENTRY_FIELDS, scalars), max_size=3)
key_result = st.fixed_dictionaries(
    {"id": st.one_of(st.sampled_from(["a", "b", "nps-60", "A B", ""]), scalars)},
    optional={"title": scalars, "kind": st.sampled_from(WORDS[11:17]) | scalars, "start": scalars,
              "target": scalars, "range": st.lists(scalars, max_size=3) | scalars, "due": scalars,
              "done": scalars, "current": scalars, "weight": scalars, "stretch": scalars, "kpi": scalars,
              "unit": scalars, "checkins": entries | anything},
)
front_matter = st.fixed_dictionaries(
    {},
    optional={
        "type": st.sampled_from(["org_unit", "objective", "kpi", "page"]) | scalars,
        "id": st.sampled_from(["fuzz", "acme", "nps", "grow", "Fuzz", "fu zz", "café"]) | scalars,
        "title": scalars | anything,
        "order": scalars,
        "kind": scalars,
        "parent": st.lists(st.sampled_from(WORDS), max_size=3) | scalars,
        "lead": scalars,
        "cycle": scalars,
        "org_unit": scalars,
        "owner": scalars,
        "kpis": st.lists(st.sampled_from(WORDS), max_size=3) | scalars,
        "business_value": fields_of(["planned", "actual"], scalars) | scalars,
        "key_results": st.lists(key_result, max_size=4) | anything,
        "unit": scalars,
        "better": scalars,
        "target": scalars,
        "alert": scalars,
        "range": st.lists(scalars, max_size=3),
        "indicator": scalars,
        "measurements": entries | anything,
        "data": st.sampled_from(["nps.csv", "../../okrsite.yaml", "/etc/passwd", "missing.csv", ""]) | scalars,
        "extra": anything,
    },
)
FOLDERS = ["org", "objectives", "kpis", "guide"]


@pytest.fixture(scope="module")
def site() -> Iterator[Path]:
    """One base handbook reused by every example; each example rewrites one file.

    The theme's Jinja environment is kept across examples (templates do not change
    here), so each example pays for rendering, not for compiling every template again.
    """
    import okrsite.render.html as html

    envs: dict[tuple[Path, ...], object] = {}
    real = html.make_env

    def cached_env(dirs: list[Path], handed: dict[str, bytes] | None = None) -> object:
        key = tuple(dirs)
        if key not in envs:
            envs[key] = real(dirs, handed)
        return envs[key]

    with tempfile.TemporaryDirectory() as tmp, pytest.MonkeyPatch.context() as mp:
        mp.setattr(html, "make_env", cached_env)
        root = write_site(Path(tmp) / "site")
        (root / "content" / "kpis" / "nps.csv").write_text("date,value\n2025-07-01,40\n")
        yield root


def run_pipeline(root: Path, rel: str, data: bytes) -> Build:
    """Write `data` to content/`rel`, then load, validate, compute and render in memory."""
    for old in (root / "content").rglob("fuzz*.md"):
        old.unlink()
    path = root / "content" / rel
    path.write_bytes(data)
    build = check(root, "site")
    render(build)
    for fmt in ("text", "json", "github"):
        render_diagnostics(build.diagnostics, fmt, build.pages)
    lines = data.count(b"\n") + data.count(b"\r") + 2
    for d in build.diagnostics:
        assert d.line >= 1 and d.column >= 1, d
        if d.file == f"site/content/{rel}":
            assert d.line <= lines, (d, lines)
        assert "\n" not in d.message and "\r" not in d.message, d
    raw = build.outputs["data.json"]
    assert isinstance(raw, bytes)
    json.loads(raw, parse_constant=_reject)
    return build


def _reject(name: str) -> None:
    raise ValueError(f"{name} in data.json")


def dump(fm: dict) -> str:
    return yaml.safe_dump(fm, allow_unicode=True, sort_keys=False)


@FUZZ
@given(fm=front_matter, folder=st.sampled_from(FOLDERS), body=st.sampled_from(["", "Body.\n", "[[acme]]\n"]))
def test_generated_front_matter_never_raises(site: Path, fm: dict, folder: str, body: str) -> None:
    run_pipeline(site, f"{folder}/fuzz.md", f"---\n{dump(fm)}---\n{body}".encode())


@FUZZ
@given(fm=front_matter, flow=st.booleans())
def test_generated_front_matter_in_flow_style_never_raises(site: Path, fm: dict, flow: bool) -> None:
    text = yaml.safe_dump(fm, allow_unicode=True, default_flow_style=flow, width=60)
    run_pipeline(site, "objectives/fuzz.md", f"---\n{text}---\n".encode())


yamlish = st.lists(st.one_of(
    st.sampled_from(["title: ", "key_results:", "  - ", "id: ", "- ", ": ", "? ", "&a ", "*a ", "<<: ", "!!str ",
                     "!!python/object ", "[", "]", "{", "}", ",", "'", '"', "|", ">", "#", "\t", "\n", "\n  ",
                     "---", "...", "%YAML 1.2\n", "2025-02-30", ".nan", "1e400", "~", "null", "\\", "\x00", "\r",
                     "\ufeff", "日本", "\u202e"]),
    st.text(max_size=5),
), max_size=30).map("".join)


@FUZZ
@given(text=yamlish, folder=st.sampled_from(FOLDERS))
def test_random_yaml_text_never_raises(site: Path, text: str, folder: str) -> None:
    run_pipeline(site, f"{folder}/fuzz.md", f"---\n{text}\n---\n".encode("utf-8", "surrogatepass"))


@FUZZ
@given(data=st.binary(max_size=200) | st.text(max_size=200).map(lambda t: t.encode("utf-8", "surrogatepass")))
def test_random_bytes_never_raise(site: Path, data: bytes) -> None:
    run_pipeline(site, "guide/fuzz.md", data)
    run_pipeline(site, "guide/fuzz.md", b"---\n" + data)


@FUZZ
@given(data=st.binary(max_size=120))
def test_random_okrsite_yaml_never_raises(site: Path, data: bytes) -> None:
    config = site / "okrsite.yaml"
    saved = config.read_bytes()
    try:
        config.write_bytes(data)
        build = check(site, "site")
        render(build)
    finally:
        config.write_bytes(saved)


MD_PIECES = [
    "[a](b.md#c)", "[a](../org/acme.md)", "[a](../kpis/nps.md#definition)", "[a](#x)", "[a](intro.md#section-one)",
    "[[grow]]", "[[grow|label]]", "[[grow/nps-60]]", "[[nope]]", "[[x|y|z]]", "[[", "]]", "[", "]", "(", ")",
    "# ", "## Heading", "\n\n", "\n", "    code\n", "```\n", "`", "``", "*", "_", "|a|b|\n|-|-|\n|c|d|\n",
    "<div>", "</div>", "<b>", "<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "<a href='",
    "javascript:alert(1)", "'>x</a>", "&#106;", "&amp;", "&", "<", ">", "\"", "'", "<!--", "-->", "\\",
    "![i](x.png)", "<https://x.example>", "<javascript:alert(1)>", "[r]: javascript:alert(1)\n", "[r]",
    "日本語", "مرحبا", "שלום", "👩‍👩‍👧", "e\u0301", "\u200b", "\u202e", "\x00", "\t", "\r\n", "~~s~~", "- [ ] ",
]
markdown = st.lists(st.one_of(st.sampled_from(MD_PIECES), st.text(max_size=4)), max_size=40).map("".join)


@FUZZ
@given(body=markdown)
def test_generated_markdown_never_raises_and_never_runs_script(site: Path, body: str) -> None:
    text = "---\ntitle: Fuzz\n---\n" + body
    build = run_pipeline(site, "guide/fuzz.md", text.encode("utf-8", "surrogatepass"))
    page = build.outputs.get("guide/fuzz.html")
    if isinstance(page, bytes):
        problems, _ = check_html("guide/fuzz.html", page.decode("utf-8"))
        assert problems == []


@FUZZ
@given(body=markdown)
def test_markdown_link_positions_point_into_the_body(body: str) -> None:
    from okrsite.markdown import parse_body

    body = body.replace("\x00", "")
    doc = parse_body(body, 5)
    nlines = body.count("\n") + body.count("\r") + 1
    for link in doc.links:
        assert 5 <= link.pos.line <= 5 + nlines and link.pos.col >= 1, link


@settings(max_examples=60, deadline=None)
@given(value=st.floats(allow_nan=False, allow_infinity=False) | st.integers(-(10**400), 10**400))
def test_any_number_in_a_key_result_keeps_data_json_strict(site: Path, value: float) -> None:
    fm = {"title": "N", "cycle": "2025-Q3", "org_unit": "acme",
          "key_results": [{"id": "a", "title": "A", "start": 0, "target": value, "current": value / 3
                           if isinstance(value, float) else 1, "weight": value}]}
    if isinstance(value, float) and not math.isfinite(value / 3):
        return
    run_pipeline(site, "objectives/fuzz.md", f"---\n{dump(fm)}---\n".encode())
