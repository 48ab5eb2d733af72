"""YAML nodes of a front matter with their spans in the file's text.

PyYAML's pure-Python composer is used here (not libyaml, which the loader uses for speed) because
its marks are character offsets into the very string it was given, which is what an insertion needs.
A node reached through an alias carries the marks of its anchor, elsewhere in the text: such nodes
are refused rather than edited at the wrong place.
"""

from __future__ import annotations

from dataclasses import dataclass

import yaml

from okrsite.edit.document import Document
from okrsite.edit.errors import EditError

Node = yaml.Node
MappingNode = yaml.MappingNode
SequenceNode = yaml.SequenceNode
ScalarNode = yaml.ScalarNode
_NULL = "tag:yaml.org,2002:null"


@dataclass(slots=True)
class Span:
    """Offsets into the document's text: `start` of a node's first character, `end` past its last."""

    start: int
    end: int


class Tree:
    """The composed front matter of one document, with offsets relative to the whole text."""

    def __init__(self, doc: Document) -> None:
        self.doc = doc
        try:
            self.root = yaml.compose(doc.front_matter, Loader=yaml.SafeLoader)
        except yaml.YAMLError as e:
            raise EditError(f"the front matter of {doc.path.name} is not valid YAML; run okrsite check") from e

    def start(self, node: Node) -> int:
        return self.doc.yaml_start + node.start_mark.index

    def end(self, node: Node) -> int:
        return self.doc.yaml_start + node.end_mark.index

    def get(self, mapping: Node, key: str) -> tuple[Node, Node] | None:
        """The (key, value) nodes of `key` written in `mapping` itself (merged `<<` keys are not)."""
        for knode, vnode in mapping.value:
            if isinstance(knode, ScalarNode) and knode.value == key and knode.tag != "tag:yaml.org,2002:merge":
                self._own(knode, vnode)
                return knode, vnode
        return None

    def _own(self, before: Node, node: Node, *, inclusive: bool = False) -> None:
        """Refuse `node` when its marks lie before `before`'s: an alias pointing back at an anchor."""
        limit = before.start_mark.index if inclusive else before.end_mark.index
        if node.start_mark.index < limit:
            raise EditError("this part of the front matter is a YAML alias (*name); edit it by hand")

    def value_end(self, knode: Node, vnode: Node) -> int:
        """Where a mapping entry's text ends (an empty value ends at its key's colon)."""
        self._own(knode, vnode)
        if isinstance(vnode, ScalarNode) and vnode.tag == _NULL and vnode.value == "":
            return self.end(knode) + self._colon(knode)
        return self.content_end(vnode)

    def content_end(self, node: Node) -> int:
        """Where the node's own text ends: a block collection's end mark would also cover the comments
        and blank lines after it, so descend to its last scalar or flow collection instead."""
        if isinstance(node, (MappingNode, SequenceNode)) and not node.flow_style and node.value:
            if isinstance(node, MappingNode):
                return self.value_end(*node.value[-1])
            last = node.value[-1]
            self._own(node.value[-2] if len(node.value) > 1 else node, last, inclusive=len(node.value) == 1)
            return self.content_end(last)
        return self.end(node)

    def _colon(self, knode: Node) -> int:
        """Characters from a key's end through its `:`."""
        text, i = self.doc.text, self.end(knode)
        j = i
        while j < len(text) and text[j] in " \t":
            j += 1
        return j - i + 1 if j < len(text) and text[j] == ":" else 0

    def entries(self, node: Node) -> list[Span]:
        """Spans of a collection's entries (a mapping's entry runs from its key to its value's end)."""
        if isinstance(node, MappingNode):
            spans = [Span(self.start(k), self.value_end(k, v)) for k, v in node.value]
        else:
            spans = [Span(self.start(item), self.content_end(item)) for item in node.value]
        first = self.start(node)
        for a, b in zip([Span(first, first), *spans], spans, strict=False):
            if b.start < a.end:
                raise EditError("this part of the front matter is a YAML alias (*name); edit it by hand")
        return spans

    def is_null(self, node: Node) -> bool:
        return isinstance(node, ScalarNode) and node.tag == _NULL
