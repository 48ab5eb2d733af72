"""Rules of the format beyond references: key-result kinds, KPI bounds, and good practice."""

from __future__ import annotations

from okrsite.diagnostics import Diagnostics
from okrsite.model import Config, KeyResult, Kpi, Objective, Site
from okrsite.validate.graph import Graph

MIN_KRS, MAX_KRS = 2, 5


def check_key_result(obj: Objective, kr: KeyResult, diags: Diagnostics) -> None:
    loc, p = obj.loc, kr.prefix
    where = f"key result '{kr.id}'" if kr.id else "a key result"
    if kr_fields(obj, kr).get("kind", kr.kind) != kr.kind:
        return  # an unknown kind is reported where it is read; its rules would only add noise
    if kr.kind in ("increase", "decrease"):
        missing = [k for k in ("start", "target") if getattr(kr, k) is None and k not in kr_fields(obj, kr)]
        for key in missing:
            diags.error(loc, p, "missing-field", f"{kr.kind} {where} needs '{key}'")
        if kr.start is None or kr.target is None:
            return
        if kr.target == kr.start:
            diags.error(loc, p + ("target",), "kr-kind",
                        f"{where}: target equals start ({kr.target:g}), so progress cannot be measured")
        elif kr.kind == "increase" and kr.target < kr.start:
            hint = " (did you mean 'kind: decrease'?)"
            diags.error(loc, p + ("target",), "kr-kind",
                        f"{where}: increase target {kr.target:g} is below its start {kr.start:g}{hint}")
        elif kr.kind == "decrease" and kr.target > kr.start:
            hint = " (did you mean 'kind: increase'?)"
            diags.error(loc, p + ("target",), "kr-kind",
                        f"{where}: decrease target {kr.target:g} is above its start {kr.start:g}{hint}")
        elif kr.stretch is not None and (kr.stretch - kr.target) * (kr.target - kr.start) < 0:
            diags.warning(loc, p + ("stretch",), "kr-kind",
                          f"{where}: stretch {kr.stretch:g} is not beyond target {kr.target:g}")
    elif kr.kind == "threshold":
        if kr.range is None and "range" not in kr_fields(obj, kr):
            diags.error(loc, p, "missing-field", f"threshold {where} needs 'range: [low, high]'")
    elif kr.kind == "milestone" and kr.due is None and "due" not in kr_fields(obj, kr):
        diags.error(loc, p, "missing-field", f"milestone {where} needs 'due' (a date)")


def kr_fields(obj: Objective, kr: KeyResult) -> dict:
    items = obj.fields.get("key_results")
    if isinstance(items, list) and kr.prefix and kr.prefix[-1] < len(items) and isinstance(items[kr.prefix[-1]], dict):
        return items[kr.prefix[-1]]
    return {}


def check_kpi(kpi: Kpi, diags: Diagnostics) -> None:
    loc = kpi.loc
    if kpi.range is not None and (kpi.target is not None or kpi.alert is not None):
        diags.error(loc, ("range",), "kpi-bounds", "use either 'target'/'alert' or 'range', not both")
        return
    if kpi.alert is not None and kpi.target is None:
        diags.error(loc, ("alert",), "kpi-bounds", "'alert' needs a 'target' to be at risk against")
        return
    if kpi.alert is not None and kpi.target is not None:
        if kpi.better == "higher" and kpi.alert > kpi.target:
            diags.error(loc, ("alert",), "kpi-bounds",
                        f"alert {kpi.alert:g} is above target {kpi.target:g}, but higher is better")
        elif kpi.better == "lower" and kpi.alert < kpi.target:
            diags.error(loc, ("alert",), "kpi-bounds",
                        f"alert {kpi.alert:g} is below target {kpi.target:g}, but lower is better "
                        f"(for 'better: lower' the alert sits above the target)")


def check_practice(site: Site, g: Graph, diags: Diagnostics) -> None:
    """Warnings from the OKR literature; they never stop a build."""
    cfg: Config = site.config
    for page in g.pages.values():
        if isinstance(page, Objective):
            _objective_practice(page, g, cfg, diags)
        elif isinstance(page, Kpi) and not g.failed and not _used(page.id, g, set()):
            # (with a page that did not load, who uses what is unknown: no guessing)
            diags.warning(page.loc, ("title",), "unused-kpi",
                          f"KPI '{page.id}' is used by no objective ('kpis') and no key result ('kpi')")


def _used(kpi_id: str, g: Graph, seen: set[str]) -> bool:
    """Used directly, or through a KPI that feeds it (a cascade parent is as used as its children)."""
    if kpi_id in seen:
        return False
    seen.add(kpi_id)
    if g.kpi_objectives.get(kpi_id) or g.kpi_key_results.get(kpi_id):
        return True
    return any(_used(child, g, seen) for child in g.kpi_children.get(kpi_id, []))


def _objective_practice(obj: Objective, g: Graph, cfg: Config, diags: Diagnostics) -> None:
    raw = obj.fields.get("key_results")
    n = len(raw) if isinstance(raw, list) else len(obj.key_results)  # as written, entries in error included
    if n and (n < MIN_KRS or n > MAX_KRS):
        diags.warning(obj.loc, ("key_results",), "kr-count",
                      f"objective has {n} key result{'s' if n != 1 else ''}; {MIN_KRS} to {MAX_KRS} keep it focused")
    cycle = cfg.cycle(obj.cycle)
    if cycle is None:
        return
    for i, (pid, kr_id) in enumerate(g.parents.get(obj.id, [])):
        parent = g.objective(pid)
        pcycle = cfg.cycle(parent.cycle) if parent else None
        if pcycle is not None and pcycle.start > cycle.end:
            raw = obj.fields.get("parent")
            ref = f"{pid}/{kr_id}" if kr_id else pid
            path = ("parent", _index_of(raw, ref, i)) if isinstance(raw, list) else ("parent",)
            diags.warning(obj.loc, path, "later-parent",
                          f"aligned to '{ref}' in cycle {pcycle.id}, which starts after {cycle.id} ends")
    for kr in obj.key_results:
        for ci in kr.checkins:
            if ci.date is not None and not cycle.start <= ci.date <= cycle.end:
                diags.warning(obj.loc, ci.prefix + ("date",), "checkin-outside-cycle",
                              f"check-in dated {ci.date} is outside cycle {cycle.id} "
                              f"({cycle.start} – {cycle.end}) and is not counted")


def _index_of(raw: list, ref: str, default: int) -> int:
    for i, item in enumerate(raw):
        if str(item) == ref:
            return i
    return default
