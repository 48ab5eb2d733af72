"""A body is parsed once: loading keeps its HTML with each link's place open (`Body.parts`), and rendering fills
in the links for the page. The result must be exactly what rendering the tokens with the links rewritten gives
(the way every body was rendered before, parsing it a second time)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from okrsite import urls
from okrsite.build import check
from okrsite.markdown import parse_body, read_body, render_tokens, without_tokens
from okrsite.render.body import fill_parts
from tests.site_support import REPO, SPEC_SITE


def _reference(source: str, resolved: list[tuple[str | None, str | None]], page_url: str) -> str:
    """The HTML the second parse made: tokens rendered with each link's resolved URL and wikilink label."""
    doc = parse_body(source, 1)
    rewrites: dict[int, str] = {}
    for link, (target, label) in zip(doc.links, resolved, strict=True):
        assert link.token is not None
        if label is not None:
            link.token.meta["resolved_label"] = label
        if target is not None:
            rewrites[id(link.token)] = urls.relative(page_url, target)
    return render_tokens(doc.tokens or [], rewrites)


def _filled(source: str, resolved: list[tuple[str | None, str | None]], page_url: str) -> str:
    doc = read_body(source, 1, html=True)
    assert doc.tokens is None
    for link, (target, label) in zip(doc.links, resolved, strict=True):
        link.resolved, link.label = target, label
    return fill_parts(doc, page_url) if doc.parts is not None else ""


LINK = st.sampled_from([
    "[[kpi-1]]", "[[obj-2|our goal]]", "[[obj-3/grow]]", "[[a|]]", "[x](other.md)", "[y](other.md#part)",
    "[z](#here)", "[w](https://example.com/a?b=1&c=2 \"T<>\")", "[bad](javascript:alert(1))",
    "[bad2](JaVa\tscript:x)", "![img <b>](pics/a.png \"t\")", "![](data:image/png;base64,xx)", "<https://auto.example>",
    "<mailto:a@b.c>", "[ref][r]", "[**bold [[kpi-1]]**](x.md)", "[`code`](q.md)",
])
TEXT = st.sampled_from(["Grow", "the *share*", "**now**", " `a<b`", "&amp;", " & ", "ça", '"q"', "<span>x</span>",
                        "\x00", "~~gone~~", "\\[", "_x_"])
BLOCK_START = st.sampled_from(["", "# ", "## ", "- ", "1. ", "> ", "    ", "| a | b |\n|---|---|\n| "])
LINE = st.builds(lambda start, pieces: start + " ".join(pieces), BLOCK_START, st.lists(st.one_of(LINK, TEXT), max_size=6))
BODY = st.lists(st.one_of(LINE, st.just(""), st.just("[r]: https://ref.example/x \"R\"")), min_size=1, max_size=8).map(
    "\n".join)
TARGET = st.one_of(st.none(), st.sampled_from(["kpis/kpi-1.html", "objectives/obj-2.html#kr-grow", "a b.html",
                                               "objectives/page.html", 'q"<&>.html']))
LABEL = st.one_of(st.none(), st.sampled_from(["Net <promoter> & \"score\"", "Ça", ""]))


@settings(max_examples=600, deadline=None)
@given(BODY, st.data(), st.sampled_from(["objectives/page.html", "index.html", "a/b/c.html"]))
def test_filled_parts_are_the_tokens_rendered_with_the_links_rewritten(body: str, data: st.DataObject,
                                                                         page_url: str) -> None:
    count = len(parse_body(body, 1).links)
    resolved = [(data.draw(TARGET), data.draw(LABEL)) for _ in range(count)]
    if read_body(body, 1, html=True).parts is None:  # a plain body: plainbody.py renders it (test_plainbody.py)
        return
    assert _filled(body, resolved, page_url) == _reference(body, resolved, page_url)


def test_a_body_keeps_its_html_only_when_a_page_will_be_rendered() -> None:
    body = "- [[kpi-1]] and [x](other.md)\n"
    assert read_body(body, 1).parts is None
    assert without_tokens(parse_body(body, 1)).parts is None
    parts = read_body(body, 1, html=True).parts
    assert parts is not None and [p for p in parts if not isinstance(p, str)] == [(0, ""), (1, "other.md")]


def test_check_keeps_no_html_and_a_build_keeps_it_for_every_body_that_is_not_plain() -> None:
    for root in (REPO, SPEC_SITE):
        assert all(p.doc is None or p.doc.parts is None for p in check(root, results=False).site.pages)
        docs = [p.doc for p in check(root).site.pages if p.doc is not None and p.doc.source.strip()]
        kept = [d for d in docs if d.parts is not None]
        assert kept and all(d.tokens is None for d in docs)
