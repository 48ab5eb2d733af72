"""YAML to plain values with a source position for every value and key.

libyaml (`CSafeLoader`) composes the node graph; we build the values ourselves so
that marks survive, duplicate keys are caught (PyYAML keeps the last silently),
and alias bombs and runaway nesting end as a diagnostic instead of a hang.
"""

from __future__ import annotations

import bisect
import math
from dataclasses import dataclass, field
from datetime import date
from sys import intern
from types import GeneratorType
from typing import Any

import yaml
from yaml.events import (
    DocumentEndEvent,
    DocumentStartEvent,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
    StreamEndEvent,
)

from okrsite.model import PathKey, Pos

try:
    from yaml._yaml import CParser
except ImportError:  # PyYAML without libyaml: every document takes the composer's way
    CParser = None

_Base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_STR = "tag:yaml.org,2002:str"
_MERGE = "tag:yaml.org,2002:merge"
_resolved: dict[tuple[str, tuple[bool, bool]], str] = {}


class Loader(_Base):  # type: ignore[misc, valid-type]
    """libyaml's parser with a memo of implicit tags: keys and small values repeat across files."""

    def resolve(self, kind: type, value: str, implicit: tuple[bool, bool]) -> str:
        if kind is not yaml.ScalarNode or len(value) > 64:
            return super().resolve(kind, value, implicit)
        key = (value, implicit)
        tag = _resolved.get(key)
        if tag is None:
            tag = super().resolve(kind, value, implicit)
            if len(_resolved) < 200_000:
                _resolved[key] = tag
        return tag


_INTERN_UP_TO = 24  # short texts (kinds, units, cycle and unit ids) repeat across files: keep one copy
MAX_NODES = 200_000  # values built, aliases counted each time they are used
MAX_DEPTH = 64  # nesting of collections
# libyaml's composer recurses in C: ~100,000 nested brackets overflow the C stack and kill
# the process, so deeper text is refused before composing; MAX_DEPTH applies while building.
MAX_SCAN_DEPTH = 1000
_constructor = yaml.constructor.SafeConstructor()
_STANDARD_TAGS = frozenset(
    "tag:yaml.org,2002:" + t
    for t in ("null", "bool", "int", "float", "str", "timestamp", "map", "seq", "set", "omap",
              "pairs", "merge", "value")
)


@dataclass(slots=True)
class YamlProblem:
    pos: Pos
    code: str
    message: str
    native: bool = False  # pos already counts lines by "\n" (not taken from a libyaml mark)


@dataclass(slots=True)
class BadScalar:
    """A scalar YAML could not turn into its type (e.g. the date 2026-02-30)."""

    text: str
    reason: str

    def __str__(self) -> str:
        return self.text


@dataclass(slots=True)
class Parsed:
    value: Any = None
    values: dict[PathKey, Pos] = field(default_factory=dict)
    keys: dict[PathKey, Pos] = field(default_factory=dict)
    problems: list[YamlProblem] = field(default_factory=list)


class _TooBig(Exception):
    """Building stops at `node` (under `path`) for the reason `code`/`message`."""

    def __init__(self, path: PathKey, node: yaml.Node, code: str, message: str) -> None:
        super().__init__(message)
        self.path, self.node, self.code, self.message = path, node, code, message


def _pos(mark: Any, line0: int) -> Pos:
    return Pos(mark.line + 1 + line0, mark.column + 1)


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


def _too_deep_at(text: str) -> tuple[int, int] | None:
    """0-based (line, col) where flow brackets nest, or block indentation steps, deeper than
    MAX_SCAN_DEPTH: a cheap scan before libyaml's composer recurses. None when shallower."""
    if text.count("[") + text.count("{") > MAX_SCAN_DEPTH:
        depth = 0
        for i, ch in enumerate(text):
            if ch in "[{":
                depth += 1
                if depth > MAX_SCAN_DEPTH:
                    line = text.count("\n", 0, i)
                    return line, i - (text.rfind("\n", 0, i) + 1)
            elif ch in "]}":
                depth = max(0, depth - 1)
    if text.count("\n") > MAX_SCAN_DEPTH:
        indents: set[int] = set()
        for n, line in enumerate(text.split("\n")):
            if line.strip():
                indents.add(len(line) - len(line.lstrip(" -")))
                if len(indents) > MAX_SCAN_DEPTH:
                    return n, 0
    return None


# libyaml also breaks lines at NEL, LINE SEPARATOR and PARAGRAPH SEPARATOR; okrsite counts "\n" only
_ODD_BREAKS = ("\x85", "\u2028", "\u2029")


def parse(text: str, line0: int = 0, marks: bool = True) -> Parsed:
    """Parse one YAML document; `line0` lines precede it in its file.

    With `marks=False` no positions are recorded (the fast path: positions are
    only needed for diagnostics, and problems found re-run with marks).
    """
    deep = _too_deep_at(text)
    if deep is not None:
        return Parsed(problems=[YamlProblem(Pos(deep[0] + 1 + line0, deep[1] + 1), "yaml-too-deep",
                                            f"YAML nested more than {MAX_DEPTH} levels deep")])
    if not marks:
        value = _plain_document(text)
        if value is not _UNUSUAL:
            return Parsed(value)
    out = _parse(text, line0, marks)
    if any(ch in text for ch in _ODD_BREAKS):
        _remap(out, text, line0)
    return out


def _remap(out: Parsed, text: str, line0: int) -> None:
    """Turn libyaml's line/column (which also break at NEL, U+2028, U+2029) into okrsite's."""
    yaml_starts = [0] + [i + 1 for i, ch in enumerate(text) if ch == "\n" or ch in _ODD_BREAKS]
    nl_starts = [0] + [i + 1 for i, ch in enumerate(text) if ch == "\n"]

    def fix(pos: Pos) -> Pos:
        row = pos.line - 1 - line0
        if not 0 <= row < len(yaml_starts):
            return pos
        index = yaml_starts[row] + pos.col - 1
        line = bisect.bisect_right(nl_starts, index) - 1
        return Pos(line + 1 + line0, index - nl_starts[line] + 1)

    for table in (out.values, out.keys):
        for key, pos in table.items():
            table[key] = fix(pos)
    for problem in out.problems:
        if not problem.native:
            problem.pos = fix(problem.pos)


def _unclosed_opener(e: yaml.MarkedYAMLError, text: str) -> str:
    """`'['`, `'{'` or the quote that an error while parsing a flow collection or quoted
    scalar started at, when the parser only noticed on a later line; else ""."""
    ctx, start, end = e.context or "", e.context_mark, e.problem_mark
    if start is None or end is None or end.line <= start.line:
        return ""
    if not ("flow sequence" in ctx or "flow mapping" in ctx or "quoted scalar" in ctx):
        return ""
    lines = text.splitlines()
    char = lines[start.line][start.column: start.column + 1] if start.line < len(lines) else ""
    return {"[": "'['", "{": "'{'", '"': "quote (\")", "'": "quote (')"}.get(char, "")


def _parse(text: str, line0: int, marks: bool) -> Parsed:
    out = Parsed()
    try:
        node = yaml.compose(text, Loader=Loader)
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        problem = _one_line(e.problem or "invalid YAML")
        opener = _unclosed_opener(e, text)
        if opener:  # an unclosed [ { or quote: the parser notices lines later; point at the opener
            mark = e.context_mark
            problem = f"this {opener} is not closed ({problem})"
        pos = _pos(mark, line0) if mark else Pos(line0 + 1, 1)
        lines = text.splitlines()
        if mark and mark.line < len(lines) and "\t" in lines[mark.line][: mark.column + 1]:
            problem += " (YAML does not allow tabs for indentation)"
        context = f" {_one_line(e.context)}" if e.context and not e.problem else ""
        out.problems.append(YamlProblem(pos, "yaml-syntax", f"invalid YAML: {problem}{context}"))
        return out
    except yaml.reader.ReaderError as e:  # a control character; its str() spans two lines
        before = text[: e.position]
        pos = Pos(before.count("\n") + 1 + line0, e.position - (before.rfind("\n") + 1) + 1)
        code = e.character if isinstance(e.character, int) else ord(str(e.character)[:1] or "\0")
        out.problems.append(YamlProblem(pos, "yaml-syntax",
                                        f"invalid YAML: character U+{code:04X} is not allowed ({e.reason})",
                                        native=True))
        return out
    except yaml.YAMLError as e:
        out.problems.append(YamlProblem(Pos(line0 + 1, 1), "yaml-syntax", f"invalid YAML: {_one_line(str(e))}"))
        return out
    except RecursionError:
        out.problems.append(YamlProblem(Pos(line0 + 1, 1), "yaml-too-deep", "YAML nested too deeply"))
        return out
    if node is None:
        return out
    budget = [MAX_NODES]
    try:
        out.value = _build(node, (), out, line0, budget, set(), marks)
        if out.problems and not marks:
            return _parse(text, line0, marks=True)
    except _TooBig as e:
        if not marks:
            return _parse(text, line0, marks=True)
        # a bomb is reported at the top-level key whose value blew up: the line to edit
        pos = _pos(e.node.start_mark, line0)
        if e.code == "yaml-too-large":
            pos = out.keys.get(e.path[:1], pos)
        out.value = None
        out.values.clear()
        out.keys.clear()
        out.problems.append(YamlProblem(pos, e.code, e.message))
    return out


def _unknown_tag(node: yaml.Node, out: Parsed, line0: int) -> None:
    """`!!python/object`, `!custom`: reported, never constructed."""
    tag = str(node.tag).replace("tag:yaml.org,2002:", "!!")
    out.problems.append(YamlProblem(_pos(node.start_mark, line0), "yaml-tag",
                                    f"unknown YAML tag '{tag}'; remove it (okrsite reads plain YAML only)"))


def _build(node: yaml.Node, path: PathKey, out: Parsed, line0: int, budget: list[int], active: set[int],
           marks: bool) -> Any:
    """The value of `node`; `active` holds the ids of the collections being built around it."""
    budget[0] -= 1
    if budget[0] < 0:
        raise _TooBig(path, node, "yaml-too-large",
                      f"YAML expands to more than {MAX_NODES} values (aliases used as a bomb?)")
    if marks:
        out.values.setdefault(path, _pos(node.start_mark, line0))
    if isinstance(node, yaml.ScalarNode):
        if node.tag == _STR:
            value = node.value
            return intern(value) if len(value) <= _INTERN_UP_TO else value
        if node.tag not in _STANDARD_TAGS:
            _unknown_tag(node, out, line0)
            return str(node.value)
        return _scalar(node)
    if node.tag not in _STANDARD_TAGS:  # reported; the value stands in as text, never constructed
        _unknown_tag(node, out, line0)
        return BadScalar(str(node.tag).replace("tag:yaml.org,2002:", "!!"), "unknown YAML tag")
    if id(node) in active:
        raise _TooBig(path, node, "yaml-alias-loop", "a YAML alias refers to a collection that contains it")
    if len(active) >= MAX_DEPTH:
        raise _TooBig(path, node, "yaml-too-deep", f"YAML nested more than {MAX_DEPTH} levels deep")
    active.add(id(node))
    try:
        return _collection(node, path, out, line0, budget, active, marks)
    finally:
        active.discard(id(node))


def _collection(node: yaml.Node, path: PathKey, out: Parsed, line0: int, budget: list[int], active: set[int],
                marks: bool) -> Any:
    if isinstance(node, yaml.MappingNode):
        result: dict[Any, Any] = {}
        for knode, vnode in node.value:
            if knode.tag == "tag:yaml.org,2002:merge":
                # `<<: *base` merges; keys already present win, as YAML says
                merged = _build(vnode, path, out, line0, budget, active, marks)
                sources = merged if isinstance(merged, list) else [merged]
                for src in sources:
                    if isinstance(src, dict):
                        for k, v in src.items():
                            result.setdefault(k, v)
                continue
            if not isinstance(knode, yaml.ScalarNode):
                out.problems.append(
                    YamlProblem(_pos(knode.start_mark, line0), "yaml-key", "a mapping key must be a plain value")
                )
                continue
            key = intern(knode.value) if knode.tag == _STR else _scalar(knode)  # keys repeat in every file
            if isinstance(key, BadScalar | list | dict):
                key = str(key)
            try:
                hash(key)
            except TypeError:
                key = str(key)
            kpath = path + (key,)
            if key in result:
                first = out.keys.get(kpath)
                where = f" (first at line {first.line})" if first else ""
                out.problems.append(
                    YamlProblem(_pos(knode.start_mark, line0), "duplicate-key", f"duplicate key '{key}'{where}")
                )
                continue
            if marks:
                out.keys[kpath] = _pos(knode.start_mark, line0)
            result[key] = _build(vnode, kpath, out, line0, budget, active, marks)
        return result
    if isinstance(node, yaml.SequenceNode):
        return [_build(v, path + (i,), out, line0, budget, active, marks) for i, v in enumerate(node.value)]
    return None


_TIMESTAMP = "tag:yaml.org,2002:timestamp"
_dates: dict[str, Any] = {}  # a handbook's dates repeat (monthly measurements): one object per date


def _scalar(node: yaml.Node) -> Any:
    if node.tag == _TIMESTAMP:
        hit = _dates.get(node.value)
        if hit is None:
            hit = _construct(node)
            if len(_dates) < 100_000 and not isinstance(hit, BadScalar):
                _dates[node.value] = hit
        return hit
    return _construct(node)


def _construct(node: yaml.Node) -> Any:
    make = _constructor.yaml_constructors.get(node.tag)
    try:
        if make is None:
            raise yaml.constructor.ConstructorError(None, None, f"unknown tag {node.tag}", node.start_mark)
        value = make(_constructor, node)
    except IndexError:  # `!!int` or `!!float` with no value: PyYAML indexes the empty text
        return BadScalar(str(node.value), "no value")
    except (ValueError, OverflowError, TypeError, yaml.YAMLError) as e:
        return BadScalar(str(node.value), str(e) or type(e).__name__)
    if isinstance(value, bytes):
        return BadScalar("!!binary", "binary values are not supported")
    if isinstance(value, GeneratorType):  # `!!set x`, `!!map x`: a collection's constructor given a scalar
        return BadScalar(str(node.value), f"{str(node.tag).replace('tag:yaml.org,2002:', '!!')} needs a collection")
    if isinstance(value, set):
        return sorted(map(str, value))
    if isinstance(value, float) and not math.isfinite(value):
        if str(node.value).lstrip("+-").startswith("."):  # .nan / .inf as written
            return value  # kept; typed readers report non-finite numbers where numbers are expected
        return BadScalar(str(node.value), "number out of range")  # 1.0e+400 overflows to inf
    return value


# -- the fast path: values straight from libyaml's events ---------------------------------------
#
# Composing nodes costs a Python object and a resolver call per node, and building values from them
# another pass. Front matter is almost always plain (no anchors, tags, merge keys, duplicates or
# problems), so its values are built from the parser's events directly; at the first thing that is
# not plain the document goes the way above, which handles (and reports) everything. Both ways give
# equal values.

_UNUSUAL = object()
_FAST_UP_TO = 50_000  # characters: below this a document cannot build MAX_NODES values
_resolver = yaml.resolver.Resolver()  # the implicit tags CSafeLoader resolves with
_RESOLVED_FIRST = frozenset(k for k in _resolver.yaml_implicit_resolvers if k)  # first characters of non-text
_SHORTCUT = None not in _resolver.yaml_implicit_resolvers  # no resolver for any first character
_plain: dict[str, Any] = {}  # plain scalar as written -> its value, for texts and immutable values
_SHARED_TYPES = (str, int, float, bool, type(None), date)


class _Unusual(Exception):
    """Raised by the fast path: leave this document to the composer."""


def _plain_document(text: str) -> Any:
    """The value of a plain document, else _UNUSUAL (also for any syntax error: the slow way reports it)."""
    if len(text) > _FAST_UP_TO or CParser is None:
        return _UNUSUAL
    try:
        get = CParser(text).get_event
        get()  # StreamStartEvent
        event = get()
        if event.__class__ is StreamEndEvent:
            return None  # empty, or comments only
        if event.__class__ is not DocumentStartEvent:
            return _UNUSUAL
        value = _event_value(get, get(), 0)
        if get().__class__ is not DocumentEndEvent or get().__class__ is not StreamEndEvent:
            return _UNUSUAL
        return value
    except (_Unusual, yaml.YAMLError):
        return _UNUSUAL


def _event_value(get: Any, event: Any, depth: int) -> Any:
    """The value that starts with `event`; `depth` collections enclose it. (Scalars inside a
    collection are read in its loop: a call less per value.)"""
    cls = event.__class__
    if event.anchor is not None or event.tag is not None:  # AliasEvent has an anchor
        raise _Unusual
    if cls is ScalarEvent:
        text = event.value
        if event.implicit[0]:
            return _plain_scalar(text)
        return intern(text) if len(text) <= _INTERN_UP_TO else text
    if depth >= MAX_DEPTH:
        raise _Unusual
    if cls is MappingStartEvent:
        result: dict[str, Any] = {}
        while True:
            event = get()
            if event.__class__ is not ScalarEvent:
                if event.__class__ is MappingEndEvent:
                    return result
                raise _Unusual  # a collection or alias as key
            if event.anchor is not None or event.tag is not None:
                raise _Unusual
            text = event.value
            key = _plain_keys.get(text) if event.implicit[0] else intern(text)
            if key is None:
                key = _plain_key(text)
            if key in result:
                raise _Unusual  # a duplicate
            event = get()
            if event.__class__ is ScalarEvent and event.anchor is None and event.tag is None:
                text = event.value
                if event.implicit[0]:
                    value = _plain.get(text, _plain)
                    result[key] = _plain_scalar(text) if value is _plain else value
                else:
                    result[key] = intern(text) if len(text) <= _INTERN_UP_TO else text
            else:
                result[key] = _event_value(get, event, depth + 1)
    if cls is SequenceStartEvent:
        items: list[Any] = []
        while True:
            event = get()
            cls = event.__class__
            if cls is ScalarEvent and event.anchor is None and event.tag is None:
                text = event.value
                if event.implicit[0]:
                    value = _plain.get(text, _plain)
                    items.append(_plain_scalar(text) if value is _plain else value)
                else:
                    items.append(intern(text) if len(text) <= _INTERN_UP_TO else text)
            elif cls is SequenceEndEvent:
                return items
            else:
                items.append(_event_value(get, event, depth + 1))
    raise _Unusual


_plain_keys: dict[str, str] = {}  # plain mapping key as written -> the (interned) text it reads as


def _plain_key(text: str) -> str:
    """A plain key that reads as text, interned (keys repeat in every file); `1:`, `yes:`, `<<:`, `null:` … are
    unusual."""
    resolved = not text or not _SHORTCUT or text[0] in _RESOLVED_FIRST
    if resolved and _plain_scalar(text).__class__ is not str:
        raise _Unusual
    key = intern(text)
    if len(_plain_keys) < 100_000:
        _plain_keys[key] = key
    return key


def _plain_scalar(text: str) -> Any:
    """A plain (unquoted) scalar's value: its implicit tag resolved as CSafeLoader does, then constructed."""
    hit = _plain.get(text, _plain)
    if hit is not _plain:
        return hit
    if text and _SHORTCUT and text[0] not in _RESOLVED_FIRST:
        return intern(text) if len(text) <= _INTERN_UP_TO else text
    tag = _resolver.resolve(yaml.ScalarNode, text, (True, False))
    if tag == _STR:
        value: Any = intern(text) if len(text) <= _INTERN_UP_TO else text
    elif tag not in _STANDARD_TAGS or tag == _MERGE:
        raise _Unusual
    else:
        value = _scalar(yaml.ScalarNode(tag, text))
        if isinstance(value, BadScalar):  # its reason names the place: made from the composed node
            raise _Unusual
    if isinstance(value, _SHARED_TYPES) and len(text) <= 64 and len(_plain) < 200_000:
        _plain[text] = value
    return value
