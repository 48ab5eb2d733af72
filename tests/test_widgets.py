"""The Python widgets (okrsite/render/widgets.py) draw exactly the markup the Jinja macros drew.

The reference macros are the theme's own, as they were before the move, kept in
tests/fixtures/reference_theme; Hypothesis feeds both the same statuses, numbers,
labels (with markup to escape), sidebars and charts.
"""

from __future__ import annotations

import math
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from okrsite.render import widgets
from okrsite.render.filters import LABELS, fmt, quoted_path, url_path
from okrsite.render.nav import SECTIONS
from okrsite.render.theme import make_env

REFERENCE = Path(__file__).parent / "fixtures" / "reference_theme"
ROOT = "../"
env = make_env([REFERENCE])
ref = env.get_template("macros.html").make_module({"root": ROOT})

statuses = st.sampled_from([None, "", "unknown_state", *LABELS])
texts = st.one_of(st.none(), st.text(max_size=12), st.sampled_from(["<b>x</b> & \"y\"", "45% · On track"]))
numbers = st.one_of(st.none(), st.integers(-5, 2000), st.floats(-2, 3, allow_nan=False, allow_infinity=False))
fractions = st.floats(0, 1.5, allow_nan=False)
urls = st.sampled_from(["objectives/obj-1.html", "org/a b.html", "kpis/k#1.html", "files/50 %.md", "#kr-1", ""])


def same(a: object, b: object) -> None:
    assert str(a) == str(b)


@settings(max_examples=150, deadline=None)
@given(statuses, texts, texts)
def test_chip(status: str | None, label: str | None, title: str | None) -> None:
    same(ref.chip(status, label, title), widgets.chip(status, label, title))


@settings(max_examples=150, deadline=None)
@given(numbers.filter(lambda x: x is not None), numbers, statuses, st.text(max_size=8))
def test_meter(value: float, expected: float | None, status: str | None, label: str) -> None:
    same(ref.meter(value, expected, status, label), widgets.meter(value, expected, status, label))


objectives = st.fixed_dictionaries({"status": statuses, "grade": st.sampled_from([None, "green", "yellow", "red"]),
                                    "progress": fractions, "expected": st.one_of(st.none(), fractions),
                                    "running": st.booleans()})


@settings(max_examples=150, deadline=None)
@given(objectives)
def test_objective_cells(o: dict) -> None:
    same(ref.objective_chip(o), widgets.objective_chip(o))
    same(ref.progress_cell(o), widgets.progress_cell(o))
    same(ref.rollup_cell(o), widgets.rollup_cell(o))


@settings(max_examples=100, deadline=None)
@given(st.lists(st.fixed_dictionaries({"status": statuses, "count": numbers}), max_size=5))
def test_mix(items: list[dict]) -> None:
    same(ref.mix(items), widgets.mix(items))


sparks = st.one_of(st.none(), st.fixed_dictionaries({
    "w": st.integers(10, 200) | st.floats(10, 200), "h": st.integers(5, 40), "label": st.text(max_size=10),
    "target_y": st.one_of(st.none(), st.floats(0, 40)), "path": st.text(max_size=10),
    "last": st.tuples(st.floats(0, 200), st.floats(0, 40))}))


@settings(max_examples=100, deadline=None)
@given(sparks, statuses)
def test_spark(s: dict | None, status: str | None) -> None:
    same(ref.spark(s, status), widgets.spark(s, status))


@settings(max_examples=100, deadline=None)
@given(st.one_of(st.none(), st.fixed_dictionaries({"value": numbers, "date": st.sampled_from(
    [None, "2025-03-01", "2025-13-40", ""])})), st.sampled_from([None, "", "%", "ms", "<u>"]))
def test_kpi_value(latest: dict | None, unit: str | None) -> None:
    k = {"latest": latest, "unit": unit}
    same(ref.kpi_value(k), widgets.kpi_value(k))


items = st.fixed_dictionaries({"title": st.text(max_size=10), "url": urls, "current": st.booleans(),
                               "status": statuses, "depth": st.integers(0, 9)})
groups = st.fixed_dictionaries({"title": st.text(max_size=10), "url": st.one_of(st.none(), urls),
                                "items": st.lists(items, max_size=4),
                                "more": st.one_of(st.none(), st.fixed_dictionaries({"url": urls,
                                                                                    "label": st.text(max_size=6)}))})


@settings(max_examples=100, deadline=None)
@given(st.lists(groups, min_size=1, max_size=3))
def test_sidebar(gs: list[dict]) -> None:
    same(ref.sidebar(gs), widgets.sidebar(gs, ROOT))


@settings(max_examples=60, deadline=None)
@given(st.sampled_from([s["key"] for s in SECTIONS] + ["none"]), st.sampled_from([s["url"] for s in SECTIONS] + ["x.html"]))
def test_tabs(section: str, url: str) -> None:
    same(ref.tabs(SECTIONS, section, url), widgets.tabs(SECTIONS, section, url, ROOT))


charts = st.fixed_dictionaries({
    "id": st.text(max_size=6), "label": st.text(max_size=10), "summary": st.text(max_size=10),
    "height": st.integers(100, 500), "figure": st.dictionaries(st.text(max_size=4), st.text(max_size=6), max_size=3),
    "table": st.one_of(st.none(), st.fixed_dictionaries({
        "head": st.lists(st.text(max_size=5), max_size=3),
        "rows": st.lists(st.lists(st.one_of(st.text(max_size=5), st.integers()), max_size=3), max_size=3)}))})


@settings(max_examples=100, deadline=None)
@given(charts)
def test_chart(c: dict) -> None:
    same(ref.chart(c), widgets.chart(c))


@settings(max_examples=100, deadline=None)
@given(st.lists(st.fixed_dictionaries({"date": st.sampled_from(["2025-01-31", "bad"]), "value": numbers,
                                       "confidence": st.one_of(st.none(), fractions),
                                       "note": st.one_of(st.none(), st.text(max_size=8))}), max_size=4),
       st.sampled_from([None, "%", "pts"]))
def test_checkin_rows(checkins: list[dict], unit: str | None) -> None:
    same(ref.checkin_rows(checkins, unit), widgets.checkin_rows(checkins, unit))


leaf = st.fixed_dictionaries({"kind": st.sampled_from(["key_result", "kpi"]), "url": urls, "title": st.text(max_size=8),
                              "status": statuses, "progress": st.one_of(st.none(), fractions), "children": st.just([])})
tree_nodes = st.recursive(leaf, lambda kids: st.fixed_dictionaries({
    "kind": st.just("objective"), "key": st.text(max_size=4), "url": urls, "title": st.text(max_size=8),
    "status": statuses, "progress": fractions, "owner": st.one_of(st.none(), st.text(max_size=6)),
    "aligned": st.lists(st.fixed_dictionaries({"url": urls, "title": st.text(max_size=6)}), max_size=2),
    "children": st.lists(kids, max_size=3)}), max_leaves=8)


@settings(max_examples=80, deadline=None)
@given(st.lists(tree_nodes, max_size=3))
def test_outline(nodes: list[dict]) -> None:
    same(ref.outline(nodes), widgets.outline(nodes, ROOT))


# --- the key result cards of objective pages (okrsite/render/kr_card.py) ------------------------------

def _kr_contexts() -> list[dict]:
    """Every key result context of the objective pages of the example, the spec's handbooks and a
    generated one: all kinds, bars, bands, milestones, plans, forecasts and sparklines they hold."""
    import sys
    import tempfile

    from okrsite.build import check
    from okrsite.render import RenderInput
    from okrsite.render.html import plan_pages
    from okrsite.render.refs import Refs

    repo = Path(__file__).parent.parent
    sys.path.insert(0, str(repo / "bench"))
    from generate import generate

    found: list[dict] = []
    with tempfile.TemporaryDirectory() as tmp:
        roots = [repo, repo / "tests" / "fixtures" / "spec-handbook", repo / "tests" / "fixtures" / "audit-handbook",
                 generate(Path(tmp) / "generated", 120)]
        for root in roots:
            b = check(root, ".")
            inp = RenderInput(b.site, b.resolved.graph, b.results, b.resolved.files, history=None)
            refs = Refs(inp, remember=False)
            for planned in plan_pages(inp, refs):
                if planned.url.startswith("objectives/") and not planned.url.endswith("index.html"):
                    job = planned.make()
                    if job.template == "objective.html":
                        found += job.context["key_results"]
    return found


KRS = _kr_contexts()
cards = env.get_template("kr_card.html")


def _reference_cards(krs: list[dict], root: str) -> str:
    return cards.render(key_results=krs, root=root)


def test_key_result_cards_cover_every_kind() -> None:
    kinds = {(k["kind"], bool(k["bar"]), k["no_data"]) for k in KRS}
    assert {kind for kind, _, _ in kinds} >= {"increase", "decrease", "threshold", "milestone", "baseline"}
    assert any(k["confidence_spark"] for k in KRS) and any(k["checkins"] for k in KRS)


def test_key_result_cards_are_the_template_byte_for_byte() -> None:
    for start in range(0, len(KRS), 5):  # in pages of one to five cards, as objectives have them
        page = KRS[start:start + 1 + start % 5]
        assert "".join(widgets.Widgets.key_result(k, len(page), ROOT) for k in page) == _reference_cards(page, ROOT)


@settings(max_examples=120, deadline=None)
@given(st.sampled_from(KRS), texts.filter(bool), st.sampled_from(["", "%", "h", "<u>"]), st.booleans(), st.booleans(),
       st.booleans(), st.booleans(), st.integers(1, 6), st.sampled_from(["", "../", "../../"]))
def test_key_result_card_escapes_and_flags(k: dict, title: str, unit: str, no_data: bool, stale: bool,
                                           falling: bool, no_bar: bool, count: int, root: str) -> None:
    k = {**k, "title": title, "unit": unit, "no_data": no_data, "stale": stale, "stale_days": 12 if stale else None,
         "confidence_falling": falling, "bar": None if no_bar else k["bar"],
         "contributors": [{**c, "title": title} for c in k["contributors"]]}
    page = [k] * count
    assert "".join(widgets.Widgets.key_result(x, count, root) for x in page) == _reference_cards(page, root)


url_texts = st.one_of(
    st.text(max_size=30),
    st.text(alphabet="abcXYZ019/._~-#% ?&", max_size=30),
    st.builds(lambda a, b: f"{a}#{b}", st.text("ab/.-", max_size=8), st.text("ab.-", max_size=8)),
    st.sampled_from(["objectives/obj-1.html", "a#b.html", "kpis/k.html#kr-1", "files/50 %.md", "x#y#z"]),
)


@settings(max_examples=400, deadline=None)
@given(url_texts)
def test_the_plain_url_shortcut_quotes_as_the_long_way(url: str) -> None:
    assert url_path(url) == quoted_path(url)


def _num_long_way(x: float | None, digits: int = 6) -> float | int | None:
    if x is None or not math.isfinite(x):
        return None
    x = round(float(x), digits)
    return int(x) if x.is_integer() and abs(x) < 2**53 else x


def _fmt_long_way(x: object) -> str:
    if x is None or isinstance(x, bool):
        return "—"
    if not isinstance(x, (int, float)):
        return str(x)
    return f"{int(x):,}" if float(x).is_integer() else f"{x:,.3f}".rstrip("0").rstrip(".")


numbers = st.one_of(st.none(), st.booleans(), st.integers(-(2**60), 2**60), st.floats(allow_nan=True),
                    st.sampled_from([2**53, -(2**53), 2**53 - 1, 2.0**53, -0.0, 0.0005, 1e300]))


@settings(max_examples=1500, deadline=None)
@given(numbers, st.integers(0, 6))
def test_the_number_shortcuts_give_what_the_long_way_gives(x: float | None, digits: int) -> None:
    from okrsite.render import data_json, refs

    for fast, slow in ((refs.num(x, digits), _num_long_way(x, digits)), (data_json.num(x), _data_num_long_way(x))):
        assert type(fast) is type(slow) and (fast == slow or fast != fast and slow != slow), (x, fast, slow)
    assert fmt(x) == _fmt_long_way(x)


def _data_num_long_way(x: float | None) -> float | int | None:
    if x is None or not math.isfinite(x):
        return None
    return int(x) if float(x).is_integer() and abs(x) < 2**53 else float(x)
