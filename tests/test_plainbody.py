"""Plain bodies (paragraphs, headings) take a shortcut past markdown-it: it must give exactly markdown-it's tokens, and only for
bodies where nothing could start other markup."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from okrsite.markdown import _md, parse_body, render_tokens
from okrsite.plainbody import plain_html, plain_tokens

ROOT = Path(__file__).resolve().parents[1]


def _shape(tokens: list) -> list:
    """Everything about tokens that rendering or link finding could read."""
    out = []
    for t in tokens:
        out.append((t.type, t.tag, t.nesting, t.map, t.level, t.content, t.markup, t.info, t.meta, t.attrs,
                    t.block, t.hidden, _shape(t.children) if t.children is not None else None))
    return out


def _same_as_markdown_it(body: str) -> bool:
    """True when the shortcut took `body`; fails when what it made differs from markdown-it's."""
    fast = plain_tokens(body)
    if fast is None:
        return False
    slow = _md.parse(body)
    assert _shape(fast) == _shape(slow), body
    assert render_tokens(fast) == render_tokens(slow)
    return True


WORD = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), min_size=1, max_size=8)
WIKI = st.builds(lambda t, label: f"[[{t}{'|' + label if label else ''}]]",
                 st.text("abcdefgh-/ |", min_size=0, max_size=8), st.text("ab c|[]", max_size=5))
PIECE = st.one_of(WORD, WIKI, st.sampled_from([" ", "\n", "\n\n", ". ", "1. ", "- ", "# ", "  \n", "!", "=", "\t"]))


@settings(max_examples=3000, deadline=None)
@given(st.lists(PIECE, max_size=14).map("".join))
def test_any_text_gets_markdown_its_tokens_or_none(body: str) -> None:
    _same_as_markdown_it(body)


@settings(max_examples=1500, deadline=None)
@given(st.lists(st.one_of(st.sampled_from(["Grow", "the", "share", "ça", "Ünits", "10", "%", ".", ",", "?", "(x)", "!", "Great!",
                                           ":", "'", '"', "-", "#", "$", "{", "}", "@", "^", "+", "="]),
                          WIKI, st.just(" "), st.just("\n"), st.just("\n\n")), max_size=20).map("".join))
def test_prose_with_wikilinks_is_shortcut_exactly(body: str) -> None:
    _same_as_markdown_it(body)


INNER = st.one_of(st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Zs", "Zl", "Zp", "Cc"),
                                         exclude_characters="\\`*_[]<>&|~!"), min_size=1, max_size=6),
                  st.builds(lambda t, label: f"[[{t}{'|' + label if label else ''}]]",
                            st.text("abcdefgh-/ ", min_size=1, max_size=8), st.text("ab c|", max_size=5)),
                  st.sampled_from([" ", "!", " 10. ", " - ", " # ", "#", "=", "1)"]))
FIRST = st.one_of(st.text(st.characters(categories=("L",)), min_size=1, max_size=3),
                  st.sampled_from(["(", '"', "'", "—", "10 ", "2025", "3.5", "€", "%", ":", ".", "[[kpi-0]] ", "[[a|b]]"]))
LINE = st.builds(lambda first, rest: (first + "".join(rest)).rstrip(), FIRST, st.lists(INNER, max_size=8))
HEADING = st.builds(lambda level, line: "#" * level + " " + line, st.integers(1, 7), LINE)
PLAIN = st.lists(st.one_of(LINE, LINE, st.just(""), HEADING), max_size=8).map("\n".join)


def _starts_a_block(body: str) -> bool:
    import re

    return any(re.match(r"\d+[.)]|[-+=>]", line) for line in body.split("\n"))


@settings(max_examples=3000, deadline=None)
@given(PLAIN)
def test_plain_prose_takes_the_shortcut_and_gets_markdown_its_tokens(body: str) -> None:
    assert _same_as_markdown_it(body) or "![" in body or "####### " in body or _starts_a_block(body) or any(
        line.startswith("#") and (line.rstrip("#") != line or "#" in line.lstrip("#")) for line in body.split("\n"))


def test_bodies_of_one_or_more_paragraphs_take_the_shortcut() -> None:
    for body in ["", "\n", "Why objective 0 matters. Measured with [[kpi-0]].\n",
                 "\nFirst line [[a|the A]] and\nsecond line.\n\n\nAnother paragraph, 100% (really).\n",
                 "Ends with a link [[kpi-1]]", "## Definition\n\nShare of sessions.\n## Next\nText [[x|y]]\n",
                 "# A\nB\n\n###### C d e", "Para\n# Heading ends it\nPara"]:
        assert _same_as_markdown_it(body), body


def test_anything_that_could_be_markup_goes_to_markdown_it() -> None:
    for body in ["#hashtag", "####### seven", "## closed ##", "##  two spaces", "## trailing ", "## a # b", "#",
                 "- item", "1. first", "Text\n===", "Text\n---", "Some *emphasis*", "a_b", "`code`",
                 "[link](x.md)", "![img](x.png)", "<b>x</b>", "&amp;", "a | b", "~~gone~~", "back\\slash",
                 "    indented", "trailing  \nbreak", "tab\there", "[[open", "x]]", "Line\r\nwith CR", "![[kpi-0]]",
                 " leading space", "1. a list", "2) a list", "+ item", "> quote", "= underline?", "[x]: /url",
                 "Para\n- item", "Para\n1. item", "Para\n***", "Para\n> q"]:
        assert plain_tokens(body) is None, body


def test_the_example_handbook_bodies_parse_alike_either_way() -> None:
    from okrsite.load.sources import split_front_matter

    for path in sorted((ROOT / "content").rglob("*.md")):
        split = split_front_matter(path.read_text(encoding="utf-8"))
        assert not isinstance(split, str)
        _same_as_markdown_it(split.body)


def test_links_and_text_of_a_plain_body_are_found() -> None:
    doc = parse_body("Measured with [[kpi-0]] and\n[[kpi-1|the other]].\n", 20)
    assert [(link.kind, link.target, link.pos.line, link.pos.col) for link in doc.links] == [
        ("wiki", "kpi-0", 20, 17), ("wiki", "kpi-1", 21, 3)]
    assert doc.text == "Measured with kpi-0 and the other."


def _html_both_ways(body: str, data: st.DataObject) -> bool:
    """plain_html against markdown-it's rendering of the same tokens with the same links resolved; True
    when the body was plain."""
    doc = parse_body(body, 1)
    links = []
    rewrites: dict[int, str] = {}
    for link in doc.links:
        href = data.draw(st.one_of(st.none(), st.sampled_from(["../kpis/kpi-0.html", "a b.html#x", 'q"<&>\'.html'])))
        title = data.draw(st.one_of(st.none(), st.just(""), st.sampled_from(["Grow <share> & \"x\"", "Ça 'va'"])))
        links.append((href, title))
        if title is not None:
            link.token.meta["resolved_label"] = title
        if href is not None:
            rewrites[id(link.token)] = href
    fast = plain_html(body, doc.anchors, links)
    if fast is None:
        return False
    assert fast == render_tokens(doc.tokens, rewrites), body
    assert plain_html(body, doc.anchors, [*links, (None, None)]) is None  # a link too many: not this body
    if links:
        assert plain_html(body, doc.anchors, links[:-1]) is None  # a link too few
    if doc.anchors:
        assert plain_html(body, doc.anchors[:-1], links) is None
    return True


@settings(max_examples=400, deadline=None)  # each example draws its links' resolutions too: ~16 ms apiece
@given(PLAIN, st.data())
def test_plain_html_is_markdown_its_html_with_the_links_resolved(body: str, data: st.DataObject) -> None:
    _html_both_ways(body, data)


@settings(max_examples=800, deadline=None)
@given(st.lists(PIECE, max_size=14).map("".join), st.data())
def test_plain_html_of_any_text_is_markdown_its_or_none(body: str, data: st.DataObject) -> None:
    assert _html_both_ways(body, data) == (plain_tokens(body) is not None)


def _found(doc: object) -> tuple:
    return (doc.anchors, doc.headings, [(link.kind, link.target, link.anchor, link.pos, link.attr) for link in doc.links],
            doc.text, doc.source)


@settings(max_examples=1500, deadline=None)
@given(st.lists(st.one_of(PIECE, st.sampled_from(["## ", "# Title", "\n## Same\n", "\n## Same [[kpi-0|x]]\n", "same-1"])),
                max_size=16).map("".join), st.integers(1, 40))
def test_reading_a_body_finds_what_parsing_it_finds(body: str, line: int) -> None:
    from okrsite.markdown import read_body, without_tokens

    assert _found(read_body(body, line)) == _found(without_tokens(parse_body(body, line))), body
    assert read_body(body, line).tokens is None
