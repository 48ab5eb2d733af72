"""Front-matter references: each must name an existing page of the right type."""

from __future__ import annotations

from okrsite.diagnostics import Diagnostics, did_you_mean
from okrsite.model import Config, Kpi, Located, Objective, OrgUnit, PathKey, Site
from okrsite.validate.graph import Graph

TYPE_NAMES = {OrgUnit: "org unit", Objective: "objective", Kpi: "kpi"}


def _type_name(page: object) -> str:
    for cls, name in TYPE_NAMES.items():
        if isinstance(page, cls):
            return name
    return "page"


def _a(noun: str) -> str:
    return ("an " if noun[0] in "aeiou" else "a ") + noun


def resolve(g: Graph, loc: Located, path: PathKey, ref: str, cls: type, diags: Diagnostics) -> bool:
    """True when `ref` names a page of type `cls`; otherwise one diagnostic at the value."""
    page = g.pages.get(ref)
    want = TYPE_NAMES[cls]
    if (page is None or not isinstance(page, cls)) and g.explained(ref, cls):
        return False  # the page's own load error or duplicate-id error already says why
    if page is None:
        pool = [p.id for p in g.pages.values() if isinstance(p, cls)]
        diags.error(loc, path, "unknown-ref", f"unknown {want} '{ref}'{did_you_mean(ref, pool)}")
        return False
    if not isinstance(page, cls):
        diags.error(loc, path, "wrong-type",
                    f"'{ref}' is {_a(_type_name(page))}, not {_a(want)} ({page.file.display})")
        return False
    return True


def _list_path(page_fields: dict, key: str, i: int) -> PathKey:
    return (key, i) if isinstance(page_fields.get(key), list) else (key,)


def check_references(site: Site, g: Graph, diags: Diagnostics) -> None:
    cycles = {c.id: c for c in site.config.cycles}
    for page in g.pages.values():
        loc = page.loc
        if isinstance(page, OrgUnit):
            if page.parent is not None and resolve(g, loc, ("parent",), page.parent, OrgUnit, diags):
                g.unit_children[page.parent].append(page.id)
        elif isinstance(page, Kpi):
            if page.org_unit is not None and resolve(g, loc, ("org_unit",), page.org_unit, OrgUnit, diags):
                g.unit_kpis[page.org_unit].append(page.id)
            if page.parent is not None and resolve(g, loc, ("parent",), page.parent, Kpi, diags):
                g.kpi_children[page.parent].append(page.id)
        elif isinstance(page, Objective):
            _objective_refs(page, g, cycles, site.config, diags)


def _objective_refs(obj: Objective, g: Graph, cycles: dict, cfg: Config, diags: Diagnostics) -> None:
    loc = obj.loc
    if obj.org_unit is not None and resolve(g, loc, ("org_unit",), obj.org_unit, OrgUnit, diags):
        g.unit_objectives[obj.org_unit].append(obj.id)
    if obj.cycle is not None:
        if obj.cycle in cycles:
            g.cycle_objectives[obj.cycle].append(obj.id)
        elif cfg.cycles_unreadable or obj.cycle in cfg.broken_cycles:
            pass  # okrsite.yaml's own error explains it
        else:
            hint = did_you_mean(obj.cycle, cycles)
            known = "" if cycles else " (no cycles are configured in okrsite.yaml)"
            diags.error(loc, ("cycle",), "unknown-cycle", f"unknown cycle '{obj.cycle}'{hint}{known}")
    for i, kpi_id in enumerate(obj.kpis):
        if resolve(g, loc, _list_path(obj.fields, "kpis", i), kpi_id, Kpi, diags):
            g.kpi_objectives[kpi_id].append(obj.id)
    for i, ref in enumerate(obj.parents):
        path = _list_path(obj.fields, "parent", i)
        target, _, kr_id = ref.partition("/")
        if not resolve(g, loc, path, target, Objective, diags):
            continue
        parent = g.objective(target)
        assert parent is not None
        if kr_id:
            kr_ids = [kr.id for kr in parent.key_results]
            if kr_id not in kr_ids:
                diags.error(loc, path, "unknown-ref",
                            f"unknown key result '{kr_id}' in objective '{target}'{did_you_mean(kr_id, kr_ids)}")
                continue
        g.parents[obj.id].append((target, kr_id))
        g.contributors[target].append((obj.id, kr_id))
    seen: set[str] = set()
    for kr in obj.key_results:
        if kr.id in seen:
            diags.error(loc, kr.prefix + ("id",), "duplicate-id",
                        f"duplicate key result id '{kr.id}' in objective '{obj.id}'")
        seen.add(kr.id)
        if kr.kpi is not None and resolve(g, loc, kr.prefix + ("kpi",), kr.kpi, Kpi, diags):
            g.kpi_key_results[kr.kpi].append((obj.id, kr.id))
