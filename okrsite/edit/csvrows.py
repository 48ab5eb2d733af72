"""Adding a row to a KPI's CSV file: its column order, line ends and quoting kept.

Rows go in date order when the file is in date order (each record on one line), else at the end.
"""

from __future__ import annotations

import csv
import io
from datetime import date

from okrsite.edit.document import BREAK_RE, Document
from okrsite.edit.errors import BadArgument, EditError
from okrsite.edit.insert import Insertion
from okrsite.load.fields import iso_date


def _records(text: str) -> list[tuple[int, int, list[str]]]:
    """(start, end past the line break, cells) of every physical line that holds cells."""
    out = []
    pos = 0
    while pos < len(text):
        m = BREAK_RE.search(text, pos)
        end = m.end() if m else len(text)
        line = text[pos:m.start() if m else len(text)]
        if line.strip():
            out.append((pos, end, next(csv.reader([line]), [])))
        pos = end
    return out


def add_row(doc: Document, when: date, cells: dict[str, str]) -> tuple[Insertion, int]:
    """The insertion of a row (`cells` by lower-case column name) and the 1-based line it lands on."""
    text = doc.text
    records = _records(text)
    if not records:
        raise EditError(f"{doc.path.name} has no header row (date,value); run okrsite check")
    header = [c.strip().lower() for c in records[0][2]]
    if "date" not in header or "value" not in header:
        raise EditError(f"the header of {doc.path.name} does not name the columns date,value; run okrsite check")
    for name in cells:
        if name not in header:
            raise BadArgument(f"{doc.path.name} has no '{name}' column (its columns: {', '.join(header)})")
    eol = doc.eol(0)
    out = io.StringIO()
    csv.writer(out, lineterminator=eol).writerow([cells.get(name, "") for name in header])
    row = out.getvalue()
    at = len(text)
    rows = records[1:]
    one_per_line = '"' not in text  # no quoted cell that could span lines
    dates = [_date(r[2], header.index("date")) for r in rows]
    if one_per_line and rows and all(d is not None for d in dates) and dates == sorted(dates):  # type: ignore[type-var]
        later = [r for r, d in zip(rows, dates, strict=True) if d > when]  # type: ignore[operator]
        if later:
            at = later[0][0]
    prefix = "" if at < len(text) or doc.ends_with_break(len(text)) else eol  # a last line without its break
    return Insertion(at, prefix + row), doc.line_of(at) + 1 + (1 if prefix else 0)


def _date(cells: list[str], index: int) -> date | None:
    try:
        return iso_date(cells[index].strip())
    except (IndexError, ValueError):
        return None
