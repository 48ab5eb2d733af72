"""KPI measurements from a CSV file (`data: nps.csv`, columns date,value)."""

from __future__ import annotations

import csv
import math
import os
from datetime import date
from pathlib import Path

from okrsite.diagnostics import ERROR, Diagnostics
from okrsite.load.fields import iso_date
from okrsite.load.sources import display_path, read_text
from okrsite.model import Located, Measurement, PathKey, Pos, SourceFile


def csv_source(md: SourceFile, name: str) -> tuple[SourceFile, Path]:
    path = (md.path.parent / name)
    display = display_path(os.path.dirname(md.display), name)
    rel = os.path.normpath(os.path.join(os.path.dirname(md.rel), name)).replace(os.sep, "/")
    return SourceFile(path, display, rel), path


def read_csv_measurements(
    loc: Located, where: PathKey, name: str, diags: Diagnostics
) -> tuple[SourceFile | None, list[Measurement]]:
    md = loc.file
    source, path = csv_source(md, name)
    site_root = md.path.parents[len(Path(md.rel).parts)].resolve()  # content/ is one level below the site
    try:
        real = path.resolve(strict=True)
    except (OSError, RuntimeError):
        try:
            outside = not path.resolve().is_relative_to(site_root)  # say so before "not found"
        except (OSError, RuntimeError):  # a symlink loop
            outside = False
        if outside:
            diags.error(loc, where, "bad-path", f"data file '{name}' must be a file inside the site")
            return None, []
        diags.error(loc, where, "missing-file", f"data file '{name}' not found (looked for {source.display})")
        return None, []
    if not real.is_relative_to(site_root) or not real.is_file():
        diags.error(loc, where, "bad-path", f"data file '{name}' must be a file inside the site")
        return None, []
    text = read_text(source, diags)
    if text is None:
        return source, []
    rows: list[Measurement] = []
    header: list[str] | None = None
    di = vi = 0
    for lineno, row in enumerate(csv.reader(text.text.split("\n")), start=1):
        if not row or not "".join(row).strip():  # blank, or only blank cells
            continue
        if header is None:
            header = [c.strip().lower() for c in row]
            if "date" not in header or "value" not in header:
                diags.add(source, Pos(lineno, 1), ERROR, "csv-header",
                          f"CSV header should name the columns date,value (found {','.join(row)[:60]})")
                return source, []
            di, vi = header.index("date"), header.index("value")
            continue
        if len(row) <= max(di, vi):
            diags.add(source, Pos(lineno, 1), ERROR, "csv-row", f"row has {len(row)} columns, expected date,value")
            continue
        raw_date, raw_value = row[di].strip(), row[vi].strip()
        try:
            when: date | None = iso_date(raw_date)
        except ValueError:
            diags.add(source, Pos(lineno, _col(row, di)), ERROR, "bad-date",
                      f"'{raw_date}' is not a valid date (use YYYY-MM-DD)")
            continue
        try:
            value = float(raw_value)
            if not math.isfinite(value) or "_" in raw_value:  # float() reads 1_000 as 1000
                raise ValueError
        except ValueError:
            diags.add(source, Pos(lineno, _col(row, vi)), ERROR, "type", f"'{raw_value}' is not a finite number")
            continue
        rows.append(Measurement(when, value, (), lineno))
    if header is None:
        diags.add(source, Pos(1, 1), ERROR, "csv-header", "CSV file is empty; expected a date,value header")
    return source, rows


def _col(row: list[str], index: int) -> int:
    """1-based column where cell `index` starts (exact for unquoted cells)."""
    return sum(len(c) + 1 for c in row[:index]) + 1
