"""Recording a value over time: a key result's check-in or a KPI's measurement.

Both end as one entry added to a dated list (`checkins`, `measurements`) or a CSV row, in date order
when the list is in date order, else at its end. The edited front matter is read back with the
loader's own parser and must equal the old one with exactly that entry added.
"""

from __future__ import annotations

import copy
from collections import Counter
from dataclasses import dataclass
from datetime import date
from typing import Any

from okrsite.diagnostics import did_you_mean
from okrsite.edit import scalars
from okrsite.edit.apply import Change
from okrsite.edit.csvrows import add_row
from okrsite.edit.document import BREAK_RE, Document, decode, read_bytes, read_page
from okrsite.edit.errors import BadArgument, EditError
from okrsite.edit.insert import Insertion, ListStyle, add_key, add_to_list, apply, style_of
from okrsite.edit.locate import MappingNode, SequenceNode, Tree
from okrsite.edit.verify import Loaded
from okrsite.load.csvdata import csv_source
from okrsite.load.fields import iso_date
from okrsite.load.sources import split_front_matter
from okrsite.load.yamlnodes import parse
from okrsite.model import Kpi, Objective, Page, Site


@dataclass(slots=True)
class Entry:
    """What to record, each field as YAML text and as the value it must read back as."""

    when: date
    fields: list[tuple[str, str, Any]]  # (key, YAML text, value)

    @property
    def yaml(self) -> list[tuple[str, str]]:
        return [(k, text) for k, text, _ in self.fields]

    @property
    def value(self) -> dict[str, Any]:
        return {k: v for k, _, v in self.fields}


def entry(when: date, value: str | None, confidence: str | None = None, note: str | None = None) -> Entry:
    fields: list[tuple[str, str, Any]] = [("date", scalars.date_text(when), when)]
    if value is not None:
        fields.append(("value", *scalars.number(value)))
    if confidence is not None:
        fields.append(("confidence", *scalars.number(confidence, "--confidence")))
    if note is not None:
        fields.append(("note", scalars.text(note), note))
    return Entry(when, fields)


def front(text: str) -> tuple[Any, str] | None:
    """(front matter value, body) as the loader reads `text`, or None when it does not."""
    split = split_front_matter(text.replace("\r\n", "\n").replace("\r", "\n").removeprefix("\ufeff"))
    if isinstance(split, str):
        return None
    parsed = parse(split.yaml or "", split.yaml_line0, marks=False)
    return None if parsed.problems else (parsed.value, split.body)


def _position(existing: Any, when: date) -> int:
    """Where a new dated entry goes: after the last one dated on or before it, when in date order."""
    if not isinstance(existing, list):
        return 0
    dates = []
    for item in existing:
        raw = item.get("date") if isinstance(item, dict) else None
        try:
            dates.append(raw if isinstance(raw, date) else iso_date(str(raw)))
        except ValueError:
            return len(existing)
    if dates != sorted(dates):
        return len(existing)
    return sum(1 for d in dates if d <= when)


def _lookup(site: Site, page_id: str, cls: type, what: str) -> Page:
    pages = {p.id: p for p in site.pages}
    page = pages.get(page_id)
    if isinstance(page, cls):
        return page
    if page is not None:
        hint = {"objective": " (for a KPI: okrsite measure ID VALUE)",
                "KPI": " (for a key result: okrsite checkin OBJECTIVE/KR VALUE)"}[what]
        raise EditError(f"'{page_id}' is a {page.type.replace('_', ' ')}, not {_a(what)} {what}{hint}")
    if page_id in site.failed.values():
        raise EditError(f"the page '{page_id}' does not load; run okrsite check and fix it first")
    hint = did_you_mean(page_id, sorted(p.id for p in pages.values() if isinstance(p, cls)))
    raise EditError(f"unknown {what} '{page_id}'{hint}")


def _a(word: str) -> str:
    return "an" if word[:1].lower() in "aeiou" else "a"


def _finish(doc: Document, tree_edits: list[Insertion], expected: Any, what: str) -> tuple[bytes, int]:
    new_text = apply(doc.text, tree_edits)
    old = front(doc.text)
    new = front(new_text)
    if old is None:
        raise EditError(f"{doc.path.name} does not load; run okrsite check")
    if new is None or new[0] != expected or new[1] != old[1]:
        raise EditError(f"could not add the {what} without changing other values here; add it by hand")
    main = max(tree_edits, key=lambda e: len(e.text))  # the entry itself, not a comma put before it
    lead = main.text[: len(main.text) - len(main.text.lstrip(" ,\r\n"))]
    return doc.encode(new_text), doc.line_of(main.at) + 1 + len(BREAK_RE.findall(lead))


def plan_checkin(loaded: Loaded, ref: str, item: Entry) -> Change:
    site = loaded.site
    if "/" not in ref:
        obj = site.by_id().get(ref)
        names = ", ".join(f"{ref}/{kr.id}" for kr in obj.key_results) if isinstance(obj, Objective) else ""
        raise BadArgument(f"name a key result as OBJECTIVE/KR{f' ({names})' if names else ''}, not '{ref}'")
    obj_id, kr_id = ref.split("/", 1)
    obj = _lookup(site, obj_id, Objective, "objective")
    assert isinstance(obj, Objective)
    matches = [kr for kr in obj.key_results if kr.id == kr_id]
    if not matches:
        hint = did_you_mean(ref, [f"{obj_id}/{kr.id}" for kr in obj.key_results])
        raise EditError(f"unknown key result '{ref}'{hint}")
    kr = matches[0]
    if item.value.get("value") is None and kr.kind != "milestone":
        raise BadArgument(f"a check-in of {kr.kind} key result '{ref}' needs a VALUE")
    doc = read_page(obj.file.path)
    tree = Tree(doc)
    old = front(doc.text)
    if old is None or not isinstance(old[0], dict) or not isinstance(tree.root, MappingNode):
        raise EditError(f"{obj.file.display} does not load; run okrsite check")
    found = tree.get(tree.root, "key_results")
    index = kr.prefix[-1]
    if (found is None or not isinstance(found[1], SequenceNode) or index >= len(found[1].value)
            or not isinstance(found[1].value[index], MappingNode)):
        raise EditError(f"could not find key result '{ref}' in {obj.file.display}; add the check-in by hand")
    kr_node = found[1].value[index]
    expected = copy.deepcopy(old[0])
    raw_kr = expected["key_results"][index]
    existing = raw_kr.get("checkins")
    at = _position(existing, item.when)
    cin = tree.get(kr_node, "checkins")
    if cin is not None and isinstance(cin[1], SequenceNode):
        edits = add_to_list(tree, cin[1], at, item.yaml)
    else:
        edits = add_key(tree, kr_node, "checkins", item.yaml, _sibling_style(tree, found[1], index))
    if isinstance(existing, list):
        existing.insert(at, item.value)
    else:
        raw_kr["checkins"] = [item.value]
    after, line = _finish(doc, edits, expected, "check-in")
    summary = f"check-in {_describe(item)} for {ref}"
    return Change(obj.file.path, doc.raw, after, obj.file.rel, summary, line)


def _sibling_style(tree: Tree, krs: SequenceNode, index: int) -> ListStyle:
    """The style of the nearest other key result's check-in list (the one before it first)."""
    order = list(range(index - 1, -1, -1)) + list(range(index + 1, len(krs.value)))
    for i in order:
        node = krs.value[i]
        if isinstance(node, MappingNode):
            found = tree.get(node, "checkins")
            if found is not None and isinstance(found[1], SequenceNode) and found[1].value:
                return style_of(tree, *found)
    return ListStyle()


def _describe(item: Entry) -> str:
    v = item.value
    parts = [str(item.when)]
    if "value" in v:
        parts.append(f"value {dict(item.yaml)['value']}")
    if "confidence" in v:
        parts.append(f"confidence {dict(item.yaml)['confidence']}")
    return ", ".join(parts)


def plan_measurement(loaded: Loaded, kpi_id: str, item: Entry) -> Change:
    kpi = _lookup(loaded.site, kpi_id, Kpi, "KPI")
    assert isinstance(kpi, Kpi)
    if item.value.get("value") is None:
        raise BadArgument("a measurement needs a VALUE")
    if kpi.data_file and "measurements" in kpi.fields:
        raise EditError(f"KPI '{kpi_id}' has both 'measurements' and 'data'; run okrsite check")
    if kpi.data_file:
        return _csv_measurement(kpi, item)
    doc = read_page(kpi.file.path)
    tree = Tree(doc)
    old = front(doc.text)
    if old is None or not isinstance(old[0], dict) or not isinstance(tree.root, MappingNode):
        raise EditError(f"{kpi.file.display} does not load; run okrsite check")
    expected = copy.deepcopy(old[0])
    existing = expected.get("measurements")
    at = _position(existing, item.when)
    found = tree.get(tree.root, "measurements")
    if found is not None and isinstance(found[1], SequenceNode):
        edits = add_to_list(tree, found[1], at, item.yaml)
    else:
        edits = add_key(tree, tree.root, "measurements", item.yaml, ListStyle())
    if isinstance(existing, list):
        existing.insert(at, item.value)
    else:
        expected["measurements"] = [item.value]
    after, line = _finish(doc, edits, expected, "measurement")
    summary = f"measurement {_describe(item)} for KPI {kpi_id}"
    return Change(kpi.file.path, doc.raw, after, kpi.file.rel, summary, line)


def _csv_measurement(kpi: Kpi, item: Entry) -> Change:
    source, path = csv_source(kpi.file, kpi.data_file or "")
    if not path.is_file():
        raise EditError(f"data file {source.display} not found; run okrsite check")
    doc = decode(path, read_bytes(path))
    yaml_text = dict(item.yaml)
    cells = {"date": item.when.isoformat(), "value": yaml_text["value"]}
    if "note" in item.value:
        cells["note"] = item.value["note"]
    edit, line = add_row(doc, item.when, cells)
    after = doc.encode(apply(doc.text, [edit]))
    wanted = (item.when, float(item.value["value"]))

    def check(site: Site) -> str | None:
        before = Counter((m.date, m.value) for m in kpi.measurements)
        now = next((p for p in site.kpis if p.id == kpi.id), None)
        got = Counter((m.date, m.value) for m in now.measurements) if now else Counter()
        if got - before != Counter([wanted]) or before - got:
            return f"{source.display} would not read back with the new row; add it by hand"
        return None

    summary = f"measurement {_describe(item)} for KPI {kpi.id}"
    return Change(path, doc.raw, after, kpi.file.rel, summary, line, csv=True, check=check)
