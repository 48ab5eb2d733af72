"""Bodies in the common run of Markdown are read without markdown-it (okrsite/commonbody.py): whatever it
accepts, it must find exactly what markdown-it's parse finds (anchors, headings, links and their source
positions, text) and write exactly its HTML; whatever it is unsure of, it must leave to markdown-it."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from okrsite.commonbody import read_blocks
from okrsite.markdown import _read_pieces, parse_body, read_body, without_tokens
from tests.site_support import REPO

WORD = st.one_of(st.sampled_from(["Grow", "the", "share", "ça", "Ünits", "10", "2025", "R", "D", "x1"]),
                 st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), min_size=1, max_size=4))
MARKUP = st.sampled_from([
    "*em*", "**strong**", "*two words*", "**a b.**", "*", "**", "***x***", "*x*y", "x*y*", "(*x*)", "* x*", "*x *",
    "**Note:**", "**x:**.", "*(x)*", "*x!*", "**a, b**", "*€*", "**ça**", "*_x_*", "**x**:", "*x*)",
    "`code`", "`a b`", "` x`", "`x `", "``", "``x``", "`a*b`", "`[x](y)`",
    "[t](u.md)", "[two words](../../h.md#c)", "[t](https://Ex.com/a?b=1&c=2#X)", "[t](x%2)", "[t](x%20y)",
    "[t](a b)", "[t](<a>)", "[t](u \"T\")", "[*t*](u)", "[t]", "[t][r]", "[", "]", "![i](u.png)", "!", "[]( u)",
    "[[kpi-1]]", "[[obj-2|our goal]]", "[[a|]]", "[[x", "a_b", "_x_", "x_", "__y__", "&", " & ", "&amp;", "&#1;",
    "<b>", "<https://a.b>", "\\*", "~~s~~", "~", "|", "a|b", "(", ")", "!", "?", ".", ",", ":", "'", '"', "-",
])
SPACE = st.sampled_from([" ", " ", " ", "  ", "\n", "\t", "\u00a0"])
INLINE = st.lists(st.one_of(WORD, WORD, MARKUP, SPACE), min_size=1, max_size=8).map("".join)
START = st.sampled_from(["", "", "", "# ", "## ", "### ", "####### ", "#x ", "- ", "* ", "+ ", "1. ", "2) ", "3. ",
                         "1234567890. ", "> ", ">", "    ", " ", "```", "---", "***", "===", "- - -", "-", "=",
                         "|", "| ", "#", "## x #"])
LINE = st.builds(lambda start, text: start + text, START, INLINE)
CELL = st.one_of(INLINE.map(lambda t: t.replace("|", " ").replace("\n", " ")), st.just(""))


@st.composite
def tables(draw: st.DrawFn) -> str:
    cols = draw(st.integers(1, 4))
    aligns = draw(st.lists(st.sampled_from(["---", ":---", "---:", ":---:", " --- ", "-", ":-:", "--x"]),
                           min_size=cols, max_size=cols + draw(st.sampled_from([0, 0, 0, 1]))))
    rows = [draw(st.lists(CELL, min_size=max(1, cols + d), max_size=max(1, cols + d)))
            for d in draw(st.lists(st.sampled_from([0, 0, 0, 1, -1]), min_size=1, max_size=4))]
    lines = ["| " + " | ".join(r) + " |" for r in [rows[0]]] + ["|" + "|".join(aligns) + "|"]
    lines += ["| " + " | ".join(r) + " |" for r in rows[1:]]
    return "\n".join(lines)


@st.composite
def lists(draw: st.DrawFn) -> str:
    marker = draw(st.sampled_from(["- ", "* ", "+ ", "1. ", "3) "]))
    items = draw(st.lists(INLINE.map(lambda t: t.replace("\n", " ")), min_size=1, max_size=4))
    sep = draw(st.sampled_from(["\n", "\n", "\n\n"]))
    if marker[0].isdigit():
        return sep.join(f"{n + int(marker[0])}{marker[1:]}{item}" for n, item in enumerate(items))
    return sep.join(marker + item for item in items)


@st.composite
def nested_lists(draw: st.DrawFn, depth: int = 0) -> str:
    """A list whose items may hold lists, indented by as much as their text or not quite."""
    marker = draw(st.sampled_from(["- ", "* ", "+ ", "1. ", "3) ", "10. "]))
    lines = []
    for n in range(draw(st.integers(1, 3))):
        mark = f"{int(marker[:-2]) + n}{marker[-2:]}" if marker[0].isdigit() else marker
        lines.append(mark + draw(INLINE.map(lambda t: t.replace("\n", " "))))
        if depth < 2 and draw(st.booleans()):
            pad = " " * (len(mark) + draw(st.sampled_from([0, 0, 0, -1, 1, 2])))
            lines += [pad + line if line else line for line in draw(nested_lists(depth + 1)).split("\n")]
    return draw(st.sampled_from(["\n", "\n", "\n\n"])).join(lines)


BLOCK = st.one_of(LINE, LINE, tables(), lists(), nested_lists(), st.lists(INLINE, min_size=1, max_size=3).map(
    lambda ls: "\n".join("> " + line for line in ls)))
BODY = st.lists(st.one_of(BLOCK, st.just(""), st.just("\n")), min_size=1, max_size=7).map("\n".join)


def _found(doc: object) -> tuple:
    return (doc.anchors, doc.headings, [(link.kind, link.target, link.anchor, link.pos, link.attr) for link in doc.links],
            doc.text, doc.source, doc.parts)


def _alike(body: str, line: int) -> bool:
    """True when the body is read without markdown-it (and then alike), False when it is left to it."""
    if read_blocks(body) is None:
        return False
    fast = _read_pieces(body, line, True, [(0, body)])  # one piece, read by commonbody.py
    assert _found(fast) == _found(without_tokens(parse_body(body, line), html=True)), body
    return True


@settings(max_examples=4000, deadline=None)
@given(BODY, st.integers(1, 40))
def test_a_body_read_without_markdown_it_is_read_as_markdown_it_reads_it(body: str, line: int) -> None:
    _alike(body, line)


RICH = ("Why it matters for [[kpi-1]].\n\n## Why it *matters*\n\nCustomers told us in the **Q2 survey** that "
        "changes take too long, and *frequent flyers* notice first.\nSee [how we work](../h.md#cadence) and the "
        "[policy page](https://intranet.example.com/policy/1).\n\n- Reduce steps in *rebooking* and `change-fee`\n"
        "- Move the fare rule next to [[kpi-2|the KPI]]\n\n### Risks\n\n| Risk | Owner | Mitigation |\n"
        "|---|:---:|--:|\n| Vendor delay | [[obj-1]] | A second supplier |\n| Data quality | Analytics | |\n\n"
        "3. First we measure.\n4. Then we change.\n\n> Keep it simple,\n> and show the numbers.\n")


def test_the_common_constructs_are_read_without_markdown_it() -> None:
    assert _alike(RICH, 7)
    doc = read_body(RICH, 7, html=True)
    assert [h[1] for h in doc.headings] == ["Why it matters", "Risks"]
    assert [(link.kind, link.target, link.pos.line) for link in doc.links] == [
        ("wiki", "kpi-1", 7), ("md", "../h.md", 12), ("external", "https://intranet.example.com/policy/1", 12),
        ("wiki", "kpi-2", 15), ("wiki", "obj-1", 21)]


def test_what_it_is_unsure_of_goes_to_markdown_it() -> None:
    for body in ["a\n- b", "- a\n\n- b", "- a\nb", "| a |\n|---|\n| b |\nc", "> a\nb", "*a*b", "a *b", "x_", "a\\*",
                 "<b>x</b>", "    code", "```\nx\n```", "---", "a\n===", "![i](u)", "[x]\n\n[x]: u", "&amp;",
                 "a  \nb", "- # h", "1. - x", "[t](u \"T\")", "~~x~~", "# H #", "a\tb", "- a\n   - b",
                 "- a\n  2. b", "- a\n  b", "- a\n\n  - b", "1. a\n  - b"]:
        assert read_blocks(body) is None, body


def test_every_body_of_the_example_and_the_fixtures_reads_alike() -> None:
    seen = 0
    for path in sorted([*(REPO / "content").rglob("*.md"), *(REPO / "tests").rglob("*.md")]):
        text = path.read_text(encoding="utf-8", errors="replace")
        body = text.split("\n---\n", 1)[1] if text.startswith("---\n") and "\n---\n" in text else text
        seen += _alike(body, 3)
    assert seen > 5


SAFE_WORD = st.sampled_from(["Grow", "the", "share", "ça", "Ünits", "10", "2025", "R&D", "Q&A", "change_fee", "a.b",
                             "(x)", "it's", '"q"', "50%", "-", "!", "?", "x:", "x,", "x;", "#1", "a/b", "=", "+"])
SAFE_MARKUP = st.sampled_from(["*em*", "**strong**", "*two words*", "**a b**", "`code`", "`a b`", "`x*y`",
                               "[t](u.md)", "[two words](../../h.md#c)", "[t](https://Ex.com/a?b=1&c=2#X)",
                               "[t](x%20y)", "[[kpi-1]]", "[[obj-2|our goal]]", "[[a|]]", "*x*.", "**x**,",
                               "**Note:**", "*(see)*", "**a, b!**"])
SAFE_INLINE = st.lists(st.one_of(SAFE_WORD, SAFE_WORD, SAFE_MARKUP), min_size=1, max_size=7).map(" ".join)
SAFE_BLOCK = st.one_of(
    st.lists(SAFE_INLINE, min_size=1, max_size=3).map("\n".join),
    st.builds(lambda level, text: "#" * level + " " + text, st.integers(1, 6), SAFE_INLINE.filter(lambda t: "#" not in t)),
    st.builds(lambda m, items: "\n".join(m + i for i in items), st.sampled_from(["- ", "* ", "+ "]),
              st.lists(SAFE_INLINE, min_size=1, max_size=4)),
    st.builds(lambda n, d, items: "\n".join(f"{n + k}{d} {i}" for k, i in enumerate(items)), st.integers(0, 12),
              st.sampled_from([".", ")"]), st.lists(SAFE_INLINE, min_size=1, max_size=4)),
    st.lists(SAFE_INLINE, min_size=1, max_size=3).map(lambda ls: "\n".join("> " + line for line in ls)),
    st.builds(lambda cols, aligns, rows: "\n".join(
        ["| " + " | ".join(rows[0][:cols]) + " |", "|" + "|".join(aligns[:cols]) + "|"]
        + ["| " + " | ".join(r[:cols]) + " |" for r in rows[1:]]),
        st.integers(1, 3), st.lists(st.sampled_from(["---", ":---", "---:", ":---:"]), min_size=3, max_size=3),
        st.lists(st.lists(SAFE_INLINE, min_size=3, max_size=3), min_size=2, max_size=4)),
)


@st.composite
def safe_nested_lists(draw: st.DrawFn, depth: int = 0) -> str:
    marker = draw(st.sampled_from(["- ", "* ", "+ ", "1. ", "1) ", "9. "] if depth == 0 else ["- ", "* ", "1. "]))
    lines = []
    for n in range(draw(st.integers(1, 3))):
        mark = f"{int(marker[:-2]) + n}{marker[-2:]}" if marker[0].isdigit() else marker
        lines.append(mark + draw(SAFE_INLINE))
        if depth < 2 and draw(st.booleans()):
            lines += [" " * len(mark) + line for line in draw(safe_nested_lists(depth + 1)).split("\n")]
    return "\n".join(lines)


SAFE_BODY = st.lists(st.one_of(SAFE_BLOCK, safe_nested_lists()), min_size=1, max_size=6).map("\n\n".join)


@settings(max_examples=3000, deadline=None)
@given(SAFE_BODY, st.integers(1, 40))
def test_bodies_of_the_common_constructs_are_read_as_markdown_it_reads_them(body: str, line: int) -> None:
    _alike(body, line)


def test_bodies_as_handbooks_write_them_are_read_without_markdown_it() -> None:
    for body in [RICH, "R&D and Q&A, 50% (of it) is *done*.\n", "## Plan\n\n1. Ship `v2`\n2. Measure [[kpi-1]]\n",
                 "| Team | Lead |\n|:--|--:|\n| Ops | Ada |\n", "> **Note:** see [the guide](../guide.md).\n",
                 "Line one\nline two with change_fee.\n# Next\nText.\n", "- a\n- b\n\nThen *this*.\n",
                 "- Publish weekly\n  - and to [[kpi-1]]\n  - and *more*\n- Last\n",
                 "1. First\n   1. one\n      - deep\n2. Second\n"]:
        assert _alike(body, 1), body
