"""YAML to plain values with a source position for every value and key.

libyaml (`CSafeLoader`) composes the node graph; we build the values ourselves so
that marks survive, duplicate keys are caught (PyYAML keeps the last silently),
and alias bombs and runaway nesting end as a diagnostic instead of a hang.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import yaml

from okrsite.model import PathKey, Pos

_Base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_STR = "tag:yaml.org,2002:str"
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


MAX_NODES = 200_000  # values built, aliases counted each time they are used
MAX_DEPTH = 64  # nesting of collections
_constructor = yaml.constructor.SafeConstructor()


@dataclass(slots=True)
class YamlProblem:
    pos: Pos
    code: str
    message: str


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
    pass


def _pos(mark: Any, line0: int) -> Pos:
    return Pos(mark.line + 1 + line0, mark.column + 1)


def _nesting_depth(text: str) -> int:
    """Cheap upper bound on nesting, checked before libyaml's composer recurses."""
    bound = 0
    if text.count("[") + text.count("{") > MAX_DEPTH:
        depth = 0
        for ch in text:
            if ch in "[{":
                depth += 1
                bound = max(bound, depth)
            elif ch in "]}":
                depth = max(0, depth - 1)
    if text.count("\n") > MAX_DEPTH:
        indents = {len(line) - len(line.lstrip(" -")) for line in text.splitlines() if line.strip()}
        bound = max(bound, len(indents))
    return bound


def parse(text: str, line0: int = 0, marks: bool = True) -> Parsed:
    """Parse one YAML document; `line0` lines precede it in its file.

    With `marks=False` no positions are recorded (the fast path: positions are
    only needed for diagnostics, and problems found re-run with marks).
    """
    out = Parsed()
    if _nesting_depth(text) > MAX_DEPTH:
        out.problems.append(
            YamlProblem(Pos(line0 + 1, 1), "yaml-too-deep", f"YAML nested more than {MAX_DEPTH} levels deep")
        )
        return out
    try:
        node = yaml.compose(text, Loader=Loader)
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        pos = _pos(mark, line0) if mark else Pos(line0 + 1, 1)
        problem = (e.problem or "invalid YAML").strip()
        lines = text.splitlines()
        if mark and mark.line < len(lines) and "\t" in lines[mark.line][: mark.column + 1]:
            problem += " (YAML does not allow tabs for indentation)"
        context = f" {e.context.strip()}" if e.context and not e.problem else ""
        out.problems.append(YamlProblem(pos, "yaml-syntax", f"invalid YAML: {problem}{context}"))
        return out
    except yaml.YAMLError as e:
        out.problems.append(YamlProblem(Pos(line0 + 1, 1), "yaml-syntax", f"invalid YAML: {e}"))
        return out
    except RecursionError:
        out.problems.append(YamlProblem(Pos(line0 + 1, 1), "yaml-too-deep", "YAML nested too deeply"))
        return out
    if node is None:
        return out
    budget = [MAX_NODES]
    try:
        out.value = _build(node, (), out, line0, budget, 0, marks)
        if out.problems and not marks:
            return parse(text, line0, marks=True)
    except _TooBig:
        out.value = None
        out.values.clear()
        out.keys.clear()
        out.problems.append(
            YamlProblem(
                _pos(node.start_mark, line0),
                "yaml-too-large",
                f"YAML expands to more than {MAX_NODES} values (aliases used as a bomb?)",
            )
        )
    return out


def _build(node: yaml.Node, path: PathKey, out: Parsed, line0: int, budget: list[int], depth: int,
           marks: bool) -> Any:
    budget[0] -= 1
    if budget[0] < 0 or depth > MAX_DEPTH:
        raise _TooBig
    if marks:
        out.values.setdefault(path, _pos(node.start_mark, line0))
    if isinstance(node, yaml.ScalarNode):
        return node.value if node.tag == _STR else _scalar(node)
    if isinstance(node, yaml.MappingNode):
        result: dict[Any, Any] = {}
        for knode, vnode in node.value:
            if knode.tag == "tag:yaml.org,2002:merge":
                # `<<: *base` merges; keys already present win, as YAML says
                merged = _build(vnode, path, out, line0, budget, depth + 1, marks)
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
            key = knode.value if knode.tag == _STR else _scalar(knode)
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
            result[key] = _build(vnode, kpath, out, line0, budget, depth + 1, marks)
        return result
    if isinstance(node, yaml.SequenceNode):
        return [_build(v, path + (i,), out, line0, budget, depth + 1, marks) for i, v in enumerate(node.value)]
    return None


def _scalar(node: yaml.Node) -> Any:
    make = _constructor.yaml_constructors.get(node.tag)
    try:
        if make is None:
            raise yaml.constructor.ConstructorError(None, None, f"unknown tag {node.tag}", node.start_mark)
        value = make(_constructor, node)
    except (ValueError, OverflowError, TypeError, yaml.YAMLError) as e:
        return BadScalar(str(node.value), str(e) or type(e).__name__)
    if isinstance(value, bytes):
        return BadScalar("!!binary", "binary values are not supported")
    if isinstance(value, set):
        return sorted(map(str, value))
    if isinstance(value, float) and not math.isfinite(value):
        return value  # kept; typed readers report non-finite numbers where numbers are expected
    return value
