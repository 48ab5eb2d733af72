"""`okrsite new`: a page skeleton that checks clean, in its type's default folder; and an objective
carried into the next cycle (`--from OLD`).

Skeletons carry commented hints for the optional fields; placeholder key results are there to be
rewritten. A carried objective keeps its title, org unit, owner, parent, KPIs and body; each key
result keeps its fields, an increase or decrease one restarting from its last current value, without
check-ins, plan or explicit `current`; key results already achieved stay behind.
"""

from __future__ import annotations

import copy
from typing import Any

from okrsite.diagnostics import did_you_mean
from okrsite.edit import scalars
from okrsite.edit.apply import Change
from okrsite.edit.document import decode, read_bytes
from okrsite.edit.errors import BadArgument, EditError
from okrsite.edit.values import front
from okrsite.edit.verify import Loaded
from okrsite.load.fields import ID_RE
from okrsite.model import Config, Cycle, KeyResult, Objective, OrgUnit, Site

KINDS = ("objective", "kpi", "unit", "org_unit", "page")
CARRIED = ("type", "title", "description", "cycle", "org_unit", "owner", "parent", "kpis", "key_results")
DROPPED_KR_KEYS = ("checkins", "current", "plan")


def plan_new(loaded: Loaded, kind: str, page_id: str, title: str | None, cycle: str | None, unit: str | None,
             source: str | None) -> Change:
    site = loaded.site
    if kind not in KINDS:
        raise BadArgument(f"unknown page kind '{kind}'{did_you_mean(kind, KINDS)}; use objective, kpi, unit or page")
    if not ID_RE.match(page_id):
        raise BadArgument(f"ID '{page_id}' must be lower-case ASCII letters, digits and hyphens")
    if source is not None and kind != "objective":
        raise BadArgument("--from carries an objective into a next cycle; use it with 'okrsite new objective'")
    notes: list[str] = []
    if source is not None:
        rel, text = _carried(loaded, page_id, title, cycle, unit, source, notes)
        summary = f"objective '{page_id}' (carried from '{source}')"
    else:
        rel, text, summary = _skeleton(site, kind, page_id, title, cycle, unit)
    if front(text) is None:  # a bug, never the user's: the skeleton must read back
        raise EditError(f"the skeleton for '{page_id}' does not read back; please report this")
    target = loaded.root / "content" / rel
    if target.exists() or target.is_symlink():
        raise BadArgument(f"{loaded.display(rel)} exists; not overwritten")
    taken = site.by_id().get(page_id)
    if taken is not None:
        raise EditError(f"id '{page_id}' is already used by {taken.file.display} (ids are unique across the site)")
    if page_id in site.failed.values():
        raise EditError(f"id '{page_id}' is already used by a page that does not load; run okrsite check")
    return Change(target, None, text.encode("utf-8"), rel, summary, 1, notes=notes)


def _skeleton(site: Site, kind: str, page_id: str, title: str | None, cycle: str | None,
              unit: str | None) -> tuple[str, str, str]:
    """(content-relative path, text, summary) of a new page of `kind`."""
    title = title if title is not None else page_id.replace("-", " ").capitalize()
    if kind == "objective":
        the_cycle = _cycle(site.config, cycle)
        text = _objective(title, the_cycle, _unit(site, unit, "an objective"))
        return _objective_rel(site, page_id, the_cycle), text, f"objective '{page_id}'"
    if kind == "kpi":
        return f"kpis/{page_id}.md", _kpi(title, _unit(site, unit, "a KPI")), f"KPI '{page_id}'"
    if kind in ("unit", "org_unit"):
        parent = _unit(site, unit, "") if unit else None
        return f"org/{page_id}.md", _org_unit(title, parent), f"org unit '{page_id}'"
    return f"pages/{page_id}.md", _page(title), f"page '{page_id}'"


def _cycle(config: Config, wanted: str | None) -> Cycle:
    if not config.cycles:
        raise BadArgument("okrsite.yaml lists no cycles; add one (cycles: [{id, start, end}]) first")
    cid = wanted if wanted is not None else config.current_cycle
    found = config.cycle(cid)
    if found is None:
        hint = did_you_mean(str(cid), [c.id for c in config.cycles])
        raise BadArgument(f"unknown cycle '{cid}'{hint}")
    return found


def _unit(site: Site, wanted: str | None, what: str) -> str:
    units = site.org_units
    if wanted is None:
        roots = [u for u in units if u.parent is None]
        if len(roots) == 1:
            return roots[0].id
        choices = ", ".join(sorted(u.id for u in units)[:8]) or "none yet: okrsite new unit ID"
        raise BadArgument(f"{what} needs --unit ORG_UNIT (org units: {choices})")
    page = site.by_id().get(wanted)
    if not isinstance(page, OrgUnit):
        hint = did_you_mean(wanted, sorted(u.id for u in units))
        raise EditError(f"unknown org unit '{wanted}'{hint}")
    return wanted


def _objective_rel(site: Site, page_id: str, cycle: Cycle) -> str:
    """`objectives/<cycle>/ID.md` where objectives are filed by cycle, else `objectives/ID.md`."""
    folder = cycle.id.lower()
    by_cycle = (site.root / "content" / "objectives" / folder).is_dir() or any(
        o.file.rel.split("/")[1:2] == [str(o.cycle).lower()] for o in site.objectives)
    return f"objectives/{folder}/{page_id}.md" if by_cycle else f"objectives/{page_id}.md"


def _objective(title: str, cycle: Cycle, unit: str) -> str:
    return f"""\
---
title: {scalars.plain_or_quoted(title)}
cycle: {scalars.plain_or_quoted(cycle.id)}
org_unit: {unit}
# owner: Name Surname
# parent: an-objective-id            # or OBJECTIVE-ID/KR-ID: what this contributes to
# kpis: [a-kpi-id]
key_results:
  - id: first-result
    title: Say what moves, from what to what
    kind: increase                   # increase | decrease | threshold | milestone | baseline
    start: 0
    target: 100
    unit: "%"
  - id: first-milestone
    title: Say what will be delivered
    kind: milestone
    due: {cycle.end.isoformat()}
    done: false
---
Why this objective matters now, and what we will not do.
"""


def _kpi(title: str, unit: str) -> str:
    return f"""\
---
title: {scalars.plain_or_quoted(title)}
org_unit: {unit}
# owner: Name Surname
# unit: "%"
better: higher                       # higher | lower
# target: 60                         # healthy at or beyond the target …
# alert: 45                          # … at risk between alert and target
measurements: []                     # okrsite measure ID VALUE adds one; or data: FILE.csv
---
What is counted, from which source, how often.
"""


def _org_unit(title: str, parent: str | None) -> str:
    parent_line = f"parent: {parent}\n" if parent else "# parent: a-unit-id\n"
    return f"""\
---
title: {scalars.plain_or_quoted(title)}
kind: team                           # portfolio, value_stream, art, team, department …
{parent_line}# lead: Name Surname
---
What this unit is for, in two or three sentences.
"""


def _page(title: str) -> str:
    return f"""\
---
title: {scalars.plain_or_quoted(title)}
---
# {title}
"""


# -- carrying an objective into the next cycle ------------------------------------------------------


def _next_cycle(config: Config, after: Cycle) -> Cycle:
    later = [c for c in config.cycles if c.start > after.end]
    if not later:
        raise BadArgument(f"okrsite.yaml has no cycle after {after.id}; add one, or name it with --cycle")
    return min(later, key=lambda c: (c.start, c.index))


def _carried(loaded: Loaded, page_id: str, title: str | None, cycle: str | None, unit: str | None,
             source: str, notes: list[str]) -> tuple[str, str]:
    site = loaded.site
    old = site.by_id().get(source)
    if not isinstance(old, Objective):
        hint = did_you_mean(source, sorted(o.id for o in site.objectives))
        raise EditError(f"unknown objective '{source}'{hint}")
    if any(d.file == old.file.display and d.severity == "error" for d in loaded.build.diagnostics):
        raise EditError(f"{old.file.display} has errors; run okrsite check and fix them first")
    old_cycle = site.config.cycle(old.cycle)
    if old_cycle is None:
        raise EditError(f"objective '{source}' has no known cycle; run okrsite check")
    new_cycle = _cycle(site.config, cycle) if cycle is not None else _next_cycle(site.config, old_cycle)
    doc = decode(old.file.path, read_bytes(old.file.path))
    parsed = front(doc.text)
    if parsed is None or not isinstance(parsed[0], dict):
        raise EditError(f"{old.file.display} does not load; run okrsite check")
    fields, body = parsed
    data: dict[str, Any] = {k: copy.deepcopy(fields[k]) for k in CARRIED if k in fields}
    data = {k: data[k] for k in fields if k in data}  # the old key order
    data["cycle"] = new_cycle.id
    if title is not None:
        data["title"] = title
    if unit is not None:
        data["org_unit"] = _unit(site, unit, "")
    results = loaded.build.results.objectives.get(old.id) if loaded.build.results else None
    krs = []
    for i, (kr, raw) in enumerate(zip(old.key_results, fields.get("key_results") or [], strict=False)):
        current = results.key_results[i].current if results and i < len(results.key_results) else None
        carried = _carried_kr(kr, dict(raw), current, new_cycle, notes)
        if carried is not None:
            krs.append(carried)
    if not krs:
        raise EditError(f"every key result of '{source}' is achieved; nothing to carry into {new_cycle.id}")
    data["key_results"] = krs
    text = "---\n" + _dump(data) + "---\n" + body
    if front(text) != (data, body):  # a bug, never the user's: what is written must read back as meant
        raise EditError(f"'{source}' could not be carried over as it is; copy it by hand")
    eol = doc.eol(0)
    if eol != "\n":
        text = text.replace("\n", eol)
    old_rel = old.file.rel
    parts = old_rel.split("/")
    if len(parts) >= 3 and parts[-2] == old_cycle.id.lower():  # filed by cycle: file it under the new one
        parts[-2] = new_cycle.id.lower()
    parts[-1] = f"{page_id}.md"
    return "/".join(parts), text


def _carried_kr(kr: KeyResult, raw: dict[str, Any], current: float | None, cycle: Cycle,
                notes: list[str]) -> dict | None:
    for key in DROPPED_KR_KEYS:
        raw.pop(key, None)
    if kr.kind in ("increase", "decrease") and current is not None and kr.target is not None:
        reached = current >= kr.target if kr.kind == "increase" else current <= kr.target
        if reached:
            notes.append(f"key result '{kr.id}' reached its target ({scalars.number_of(current)}); not carried")
            return None
        if "start" in raw:
            raw["start"] = current
    if kr.kind == "milestone":
        if kr.done:
            notes.append(f"milestone '{kr.id}' is done; not carried")
            return None
        if kr.due is not None and kr.due < cycle.start:
            raw["due"] = cycle.end
            notes.append(f"milestone '{kr.id}' now due {cycle.end} (the end of {cycle.id})")
    return raw


def _dump(data: dict[str, Any]) -> str:
    lines = []
    for key, value in data.items():
        if key == "key_results" and isinstance(value, list):
            lines.append("key_results:")
            for kr in value:
                for j, (k, v) in enumerate(kr.items()):
                    lead = "  - " if j == 0 else "    "
                    lines.append(f"{lead}{scalars.plain_or_quoted(str(k))}: {scalars.flow(v)}")
        else:
            lines.append(f"{key}: {scalars.flow(value)}")
    return "\n".join(lines) + "\n"

