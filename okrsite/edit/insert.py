"""Adding one entry to a list in front matter, written the way the list around it is written.

A block list gets a new `- …` line at its siblings' indentation and dash spacing, as a flow mapping
(`- {date: …, value: …}`) or a block mapping, whichever its neighbour is; a flow list gets the entry
before its closing bracket (on its own line when the list has one entry per line); an absent list
becomes a new key after the mapping's last one. Only insertions are produced, except that an explicit
`null` (`checkins: null`, `~`) is replaced by the list.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from okrsite.edit.errors import EditError
from okrsite.edit.locate import MappingNode, Node, SequenceNode, Tree

Item = Sequence[tuple[str, str]]  # (key, YAML scalar text) pairs of the entry, in order


@dataclass(frozen=True, slots=True)
class Insertion:
    at: int  # offset in the document's text
    text: str
    replace: int = 0  # characters at `at` that `text` replaces (only an explicit null)


@dataclass(frozen=True, slots=True)
class ListStyle:
    """How to write a list that does not exist yet, learnt from a sibling list when there is one."""

    flow: bool = False  # `key: [ … ]` rather than block lines
    dash_offset: int = 2  # columns from the key to the dash
    gap: str = " "  # between the dash and the entry
    flow_items: bool = True  # `- {date: …}` rather than `- date: …` block mappings
    padded: bool = False  # `{ date: … }`


def apply(text: str, edits: Sequence[Insertion]) -> str:
    for e in sorted(edits, key=lambda e: e.at, reverse=True):
        text = text[: e.at] + e.text + text[e.at + e.replace:]
    return text


def flow_mapping(item: Item, padded: bool = False) -> str:
    inner = ", ".join(f"{k}: {v}" for k, v in item)
    return f"{{ {inner} }}" if padded else f"{{{inner}}}"


def style_of(tree: Tree, knode: Node, seq: Node) -> ListStyle:
    """The style of the existing list `seq` (the value of the key `knode`), to write another like it."""
    if not isinstance(seq, SequenceNode) or not seq.value:
        return ListStyle(flow=isinstance(seq, SequenceNode))
    item = seq.value[-1]
    if seq.flow_style:
        return ListStyle(flow=True, padded=_padded(tree, item))
    offset = tree.doc.column(tree.start(seq)) - tree.doc.column(tree.start(knode))
    return ListStyle(False, offset, _gap(tree, tree.start(seq), item), _is_flow_mapping(item), _padded(tree, item))


def _is_flow_mapping(node: Node | None) -> bool:
    return not isinstance(node, MappingNode) or bool(node.flow_style)


def _padded(tree: Tree, node: Node | None) -> bool:
    if not isinstance(node, MappingNode) or not node.flow_style:
        return False
    i = tree.start(node) + 1
    return i < len(tree.doc.text) and tree.doc.text[i] == " "


def _gap(tree: Tree, seq_start: int, item: Node) -> str:
    """The spacing between an item's dash and its content (`-   x` keeps three spaces)."""
    text = tree.doc.text
    start = tree.start(item)
    dash = tree.doc.line_start(start) + tree.doc.column(seq_start)
    gap = text[dash + 1:start] if dash < start and text[dash:dash + 1] == "-" else " "
    return gap if gap and not gap.strip(" ") else " "


def block_entry(item: Item, dash_col: int, style: ListStyle, eol: str) -> str:
    lead = " " * dash_col + "-" + style.gap
    if style.flow_items:
        return lead + flow_mapping(item, style.padded) + eol
    inner = " " * len(lead)
    lines = [f"{k}: {v}" for k, v in item]
    return lead + lines[0] + eol + "".join(inner + line + eol for line in lines[1:])


def add_to_list(tree: Tree, seq: Node, index: int, item: Item) -> list[Insertion]:
    """Insert `item` into the existing list `seq` before its entry `index` (len: at the end)."""
    if not isinstance(seq, SequenceNode):
        raise EditError("expected a list here")
    if seq.flow_style:
        padded = _padded(tree, seq.value[-1]) if seq.value else False
        return _flow_insert(tree, seq, index, flow_mapping(item, padded))
    doc = tree.doc
    items = seq.value
    ref = items[index - 1] if index > 0 else items[0]
    style = ListStyle(False, 0, _gap(tree, tree.start(seq), ref), _is_flow_mapping(ref), _padded(tree, ref))
    dash_col = doc.column(tree.start(seq))
    spans = tree.entries(seq)
    # before the first entry: at its dash's line; else after the previous entry's line (and its comment)
    at = doc.line_start(tree.start(seq)) if index == 0 else _after_line(tree, spans[index - 1].end)
    return [Insertion(at, block_entry(item, dash_col, style, doc.eol_before(at)))]


def add_key(tree: Tree, mapping: Node, key: str, item: Item, style: ListStyle) -> list[Insertion]:
    """Give `mapping` a list `key` holding `item`: a new key, or the list in place of an empty value."""
    if not isinstance(mapping, MappingNode):
        raise EditError("expected a mapping here")
    doc = tree.doc
    found = tree.get(mapping, key)
    if found is not None:
        knode, vnode = found
        if isinstance(vnode, SequenceNode):
            return add_to_list(tree, vnode, len(vnode.value), item)
        if not tree.is_null(vnode):
            raise EditError(f"'{key}' should be a list; run okrsite check")
        if vnode.value == "" and not mapping.flow_style:  # `checkins:` with nothing after it
            at = _after_line(tree, tree.value_end(knode, vnode))
            dash_col = doc.column(tree.start(knode)) + style.dash_offset
            block = ListStyle(False, style.dash_offset, style.gap, style.flow_items, style.padded)
            return [Insertion(at, block_entry(item, dash_col, block, doc.eol_before(at)))]
        flow = "[" + flow_mapping(item, style.padded) + "]"
        if vnode.value == "":
            return [Insertion(tree.value_end(knode, vnode), " " + flow)]
        return [Insertion(tree.start(vnode), flow, tree.end(vnode) - tree.start(vnode))]
    if mapping.flow_style:
        return _flow_insert(tree, mapping, len(mapping.value), f"{key}: [{flow_mapping(item, style.padded)}]")
    key_col = doc.column(tree.start(mapping.value[0][0]))
    at = _after_line(tree, tree.content_end(mapping))
    eol = doc.eol_before(at)
    if style.flow:
        return [Insertion(at, " " * key_col + f"{key}: [{flow_mapping(item, style.padded)}]" + eol)]
    lines = " " * key_col + f"{key}:" + eol + block_entry(item, key_col + style.dash_offset, style, eol)
    return [Insertion(at, lines)]


def _after_line(tree: Tree, end: int) -> int:
    """Where a new line after the text ending at `end` goes: past the end of its line (and its comment)."""
    doc = tree.doc
    if doc.ends_with_break(end):  # a block scalar's end mark already sits at the next line
        return end
    return doc.next_line(end)


def _flow_insert(tree: Tree, node: Node, index: int, entry: str) -> list[Insertion]:
    """Insert the text `entry` into a `[...]` or `{...}` collection before its entry `index`."""
    doc = tree.doc
    text = doc.text
    open_at, close_at = tree.start(node), tree.end(node) - 1
    if text[open_at:open_at + 1] not in "[{" or text[close_at:close_at + 1] not in "]}":
        raise EditError("could not find the brackets of a flow list; edit it by hand")
    spans = tree.entries(node)
    if not spans:
        return [Insertion(open_at + 1, entry)]
    if index < len(spans):
        s = spans[index].start
        ls = doc.line_start(s)
        before = spans[index - 1].end if index > 0 else open_at + 1
        if not text[ls:s].strip() and doc.line_of(before) < doc.line_of(s):  # one entry per line
            return [Insertion(ls, text[ls:s] + entry + "," + doc.eol(s))]
        return [Insertion(s, entry + ", ")]
    last = spans[-1]
    comma = _comma_after(text, last.end, close_at)
    if doc.line_of(close_at) == doc.line_of(last.end):  # `…, {b}]`: stay on the line
        if comma is None:
            return [Insertion(last.end, ", " + entry)]
        return [Insertion(comma + 1, " " + entry + ",")]
    ls = doc.line_start(last.start)
    indent = text[ls:last.start] if not text[ls:last.start].strip() else _indent(text[ls:last.start]) + "  "
    eol = doc.eol(last.end)
    if comma is not None:
        return [Insertion(doc.next_line(comma), indent + entry + "," + eol)]
    return [Insertion(last.end, ","), Insertion(doc.next_line(last.end), indent + entry + eol)]


def _indent(line: str) -> str:
    return line[: len(line) - len(line.lstrip(" "))]


def _comma_after(text: str, start: int, stop: int) -> int | None:
    """The offset of a trailing `,` between an entry and the closing bracket (comments skipped)."""
    i = start
    while i < stop:
        ch = text[i]
        if ch == ",":
            return i
        if ch == "#":
            while i < stop and text[i] not in "\r\n":
                i += 1
            continue
        if ch not in " \t\r\n":
            return None
        i += 1
    return None
