"""A body cut into pieces (okrsite/bodycuts.py), each read on its own (commonbody.py or markdown-it), must
read exactly as markdown-it reads the whole body: anchors, headings, links and their source positions,
text and HTML; and a body with one construct outside the common run must cost markdown-it only that piece."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from okrsite.bodycuts import cut_body
from okrsite.markdown import _read_pieces, parse_body, read_body, without_tokens
from tests.site_support import REPO
from tests.test_commonbody import BLOCK, INLINE, SAFE_BLOCK

ITEM = INLINE.map(lambda t: t.replace("\n", " "))
AWKWARD = st.one_of(
    st.builds(lambda a, b, c: f"- {a}\n  - {b}\n- {c}", ITEM, ITEM, ITEM),  # nested
    st.builds(lambda a, b: f"- {a}\n\n- {b}", ITEM, ITEM),  # loose
    st.builds(lambda a, b: f"1. {a}\n\n   {b}", ITEM, ITEM),  # an item's second paragraph
    st.builds(lambda a, b: f"- {a}\n{b}", ITEM, ITEM),  # lazy
    st.builds(lambda info, code: f"```{info}\n{code}\n\n{code}\n```", st.sampled_from(["", "py", "a`b", " x"]),
              ITEM),
    st.builds(lambda code: f"~~~\n{code}\n\n```\n~~~~", ITEM),
    st.builds(lambda code: f"```\n{code}\n", ITEM),  # never closed
    st.builds(lambda code: f"    {code}\n\n    {code}", ITEM),  # indented code
    st.builds(lambda a: f"| a |\n|---|\n```\n\n{a}", ITEM),  # a table's row that looks like a fence
    st.builds(lambda a: f"- x\n  ```\n\n{a}\n\n```", ITEM),  # a fence in an item, ended by it
    st.builds(lambda a: f"<div>\n{a}\n\n</div>", ITEM),
    st.builds(lambda a: f"<!--\n{a}\n\n-->", ITEM),
    st.builds(lambda a: f"<pre>\n{a}\n\n</pre>", ITEM),
    st.builds(lambda a: f"[{a}]\n\n[{a}]: /u", st.sampled_from(["x", "ref", "A b"])),
    st.builds(lambda a: f"{a}\n---", ITEM),  # setext
    st.builds(lambda a: f"> {a}\n\n> {a}", ITEM),
    st.builds(lambda a: f"![i](u.png) {a}", ITEM),
    st.builds(lambda a: f"a\\*{a}\\", ITEM),
    st.sampled_from(["---", "***", "   ```", "\t```", "  - x", "2025 was good", "3) x", "\u00a0x", " \t", "#",
                     "x\r\ny", "x\0y", "  ~~~\n  a\n  ~~~", "   \n"]),
)
ANY_BLOCK = st.one_of(BLOCK, SAFE_BLOCK, SAFE_BLOCK, AWKWARD, AWKWARD)
SEP = st.sampled_from(["\n\n", "\n\n", "\n", "\n\n\n", "\n \n", "\n\t\n"])


@st.composite
def bodies(draw: st.DrawFn) -> str:
    blocks = draw(st.lists(ANY_BLOCK, min_size=1, max_size=7))
    out = blocks[0]
    for b in blocks[1:]:
        out += draw(SEP) + b
    return out + draw(st.sampled_from(["\n", "", "\n\n"]))


def _found(doc: object) -> tuple:
    return (doc.anchors, doc.headings, [(link.kind, link.target, link.anchor, link.pos, link.attr) for link in doc.links],
            doc.text, doc.source, doc.parts)


def _alike(body: str, line: int) -> list[tuple[int, str]] | None:
    pieces = cut_body(body)
    if pieces is not None:
        assert "".join(text for _, text in pieces) == body
        assert [start for start, _ in pieces] == sorted({start for start, _ in pieces})
    whole = without_tokens(parse_body(body, line), html=True)
    assert _found(_read_pieces(body, line, True, pieces or [(0, body)])) == _found(whole), body
    assert _found(_read_pieces(body, line, False, pieces or [(0, body)]))[:-1] == _found(whole)[:-1], body
    return pieces


@settings(max_examples=4000, deadline=None)
@given(bodies(), st.integers(1, 40))
def test_a_body_read_in_pieces_reads_as_the_whole_body(body: str, line: int) -> None:
    _alike(body, line)


def test_where_bodies_are_cut() -> None:
    def starts(body: str) -> list[int] | None:
        pieces = cut_body(body)
        return None if pieces is None else [start for start, _ in pieces]

    assert starts("# A\n\ntext\n\n- a\n  - b\n\nmore\n") == [0, 2, 4, 7]
    assert starts("- a\n\n- b\n\nc\n") == [0, 4]  # the list goes on past its blank line
    assert starts("x\n\n```\na\n\nb\n```\n\nc\n") == [0, 2, 8]  # not inside the fence
    assert starts("| a |\n|---|\n```\n\nb\n\nc\n") is None  # a row that looks like a fence: no more cuts
    assert starts("[a]\n\nb\n\n[a]: /u\n") is None  # a definition reaches the whole body
    assert starts("<!--\n\n-->\n\nb\n") is None
    assert starts("one paragraph\n") is None


def test_one_construct_outside_the_common_run_leaves_the_rest_to_commonbody(monkeypatch) -> None:  # noqa: ANN001
    import okrsite.markdown as md

    body = ("## Why\n\nSee [how we work](../h.md#x) and [[kpi-1]].\n\n- a\n\n- loose\n\n"
            "| A | B |\n|---|---|\n| [[obj-1]] | x |\n\n```py\nprint(1)\n```\n\nThe end.\n")
    parsed: list[str] = []
    real = md._md.parse
    monkeypatch.setattr(md._md, "parse", lambda text, env=None: parsed.append(text) or real(text, env))
    doc = read_body(body, 5, html=True)
    assert parsed == ["- a\n\n- loose\n\n", "```py\nprint(1)\n```\n\n"]
    monkeypatch.undo()
    assert _found(doc) == _found(without_tokens(parse_body(body, 5), html=True))
    assert [(link.target, link.pos.line, link.pos.col) for link in doc.links] == [
        ("../h.md", 7, 19), ("kpi-1", 7, 36), ("obj-1", 15, 5)]


def test_every_body_of_the_example_and_the_fixtures_reads_alike_in_pieces() -> None:
    cut = 0
    for path in sorted([*(REPO / "content").rglob("*.md"), *(REPO / "tests").rglob("*.md")]):
        text = path.read_text(encoding="utf-8", errors="replace")
        body = text.split("\n---\n", 1)[1] if text.startswith("---\n") and "\n---\n" in text else text
        cut += _alike(body, 3) is not None
    assert cut > 5
