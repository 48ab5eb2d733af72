"""`okrsite checkin`, `okrsite measure`, `okrsite new`: plan the change, check it, write it, say what happened.

What the user reads: the diagnostics the change would add (compiler lines, on standard output), and
lines on standard error saying what was written or why nothing was. Exit 0 when written (or, with
--dry-run, when it would be), 1 when refused.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from okrsite.diagnostics import ERROR
from okrsite.edit.apply import Change, apply_change
from okrsite.edit.verify import Loaded, load

EXIT_OK, EXIT_REFUSED = 0, 1


@dataclass(slots=True)
class Report:
    code: int
    out: str = ""  # standard output: diagnostics, and the diff under --dry-run
    err: str = ""  # standard error: what happened


@dataclass(slots=True)
class Options:
    root: Path
    display_root: str
    today: date | None = None  # judge progress at this date when okrsite.yaml sets no as_of
    dry_run: bool = False
    strict: bool = False  # a new warning refuses the change too


def run(opts: Options, plan: Callable[[Loaded], Change]) -> Report:
    loaded = load(opts.root, opts.display_root, opts.today)
    change = plan(loaded)
    display = _display(opts, change.target)
    outcome = apply_change(loaded, change, display, dry_run=opts.dry_run, strict=opts.strict)
    out = "".join(d.text() + "\n" for d in outcome.new)
    notes = "".join(f"okrsite: note: {n}\n" for n in change.notes)
    if outcome.problem:
        return Report(EXIT_REFUSED, out, f"okrsite: error: {outcome.problem}\n")
    if any(d.severity == ERROR or opts.strict for d in outcome.new):
        kept = "left as it was" if change.before is not None else "not written"
        return Report(EXIT_REFUSED, out, f"okrsite: {change.summary} refused; {display} {kept}\n")
    where = f"{display}:{change.line}"
    if opts.dry_run:
        return Report(EXIT_OK, outcome.diff + out,
                      notes + f"okrsite: would write {change.summary} at {where} (--dry-run: nothing written)\n")
    verb = "wrote" if change.before is None else "added"
    return Report(EXIT_OK, out, notes + f"okrsite: {verb} {change.summary} at {where}\n")


def _display(opts: Options, path: Path) -> str:
    """`path` as reached from the current directory, like diagnostics show files."""
    try:
        rel = path.resolve().relative_to(opts.root.resolve())
    except ValueError:
        return str(path)
    return os.path.normpath(os.path.join(opts.display_root, rel.as_posix()))


def checkin(opts: Options, ref: str, value: str | None, when: date, confidence: str | None = None,
            note: str | None = None) -> Report:
    from okrsite.edit.values import entry, plan_checkin

    item = entry(when, value, confidence, note)
    return run(opts, lambda loaded: plan_checkin(loaded, ref, item))


def measure(opts: Options, kpi: str, value: str, when: date, note: str | None = None) -> Report:
    from okrsite.edit.values import entry, plan_measurement

    item = entry(when, value, None, note)
    return run(opts, lambda loaded: plan_measurement(loaded, kpi, item))


def new(opts: Options, kind: str, page_id: str, title: str | None = None, cycle: str | None = None,
        unit: str | None = None, source: str | None = None) -> Report:
    from okrsite.edit.skeleton import plan_new

    return run(opts, lambda loaded: plan_new(loaded, kind, page_id, title, cycle, unit, source))
