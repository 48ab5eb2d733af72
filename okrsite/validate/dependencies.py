"""`depends_on`: what an objective needs from others, resolved both ways, without loops.

A dependency on a key result is a dependency on its objective for loops, cycles and trouble:
the key result's objective is what gets delivered (or not) in a cycle.
"""

from __future__ import annotations

from okrsite.diagnostics import Diagnostics, did_you_mean
from okrsite.model import Config, Cycle, Objective, PathKey
from okrsite.validate.graph import Graph
from okrsite.validate.loops import _find_loops
from okrsite.validate.references import resolve


def _entry_paths(obj: Objective) -> list[PathKey]:
    """Where each entry read into `obj.depends_on` is written (entries that are not ids were skipped)."""
    raw = obj.fields.get("depends_on")
    if not isinstance(raw, list):
        return [("depends_on",)] * len(obj.depends_on)
    return [("depends_on", n) for n, item in enumerate(raw)
            if isinstance(item, (str, int)) and not isinstance(item, bool)]


def check_dependencies(g: Graph, cfg: Config, diags: Diagnostics) -> None:
    objectives = [p for p in g.pages.values() if isinstance(p, Objective)]
    cycles: dict[str, Cycle] = {}
    for cycle in cfg.cycles:
        cycles.setdefault(cycle.id, cycle)  # as Config.cycle: the first of a repeated id
    for obj in objectives:
        if obj.depends_on:
            for i, ref in enumerate(obj.depends_on):
                _resolve_entry(obj, i, ref, g, cycles, diags)
    _check_loops(objectives, g, diags)


def _resolve_entry(obj: Objective, i: int, ref: str, g: Graph, cycles: dict[str, Cycle], diags: Diagnostics) -> None:
    target, _, kr_id = ref.partition("/")
    if target == obj.id:
        what = f"its own key result '{kr_id}'" if kr_id else "itself"
        diags.error(obj.loc, _entry_paths(obj)[i], "self-dependency", f"objective '{obj.id}' cannot depend on {what}")
        return
    other = g.objective(target)
    if other is None:
        resolve(g, obj.loc, _entry_paths(obj)[i], target, Objective, diags)  # says why, with "did you mean"
        return
    if kr_id and not any(kr.id == kr_id for kr in other.key_results):
        hint = did_you_mean(kr_id, [kr.id for kr in other.key_results])
        diags.error(obj.loc, _entry_paths(obj)[i], "unknown-ref",
                    f"unknown key result '{kr_id}' in objective '{target}'{hint}")
        return
    g.dependencies[obj.id].append((ref, target, kr_id))
    g.dependents[target].append(obj.id)
    mine, theirs = cycles.get(obj.cycle or ""), cycles.get(other.cycle or "")
    if mine is not None and theirs is not None and theirs.end > mine.end:
        diags.warning(obj.loc, _entry_paths(obj)[i], "late-dependency",
                      f"depends on '{ref}' in cycle {theirs.id}, which ends {theirs.end}, after {mine.id} "
                      f"ends ({mine.end}): it comes too late")


def _check_loops(objectives: list[Objective], g: Graph, diags: Diagnostics) -> None:
    def needs(oid: str) -> list[str]:
        deps = g.dependencies.get(oid, ())
        if len(deps) == 1:
            return [deps[0][1]]
        return sorted({target for _, target, _ in deps})

    nodes = sorted(o.id for o in objectives if g.dependencies.get(o.id))
    for loop in _find_loops(nodes, needs):
        first = g.objective(loop[0])
        assert first is not None
        onward = {ref for ref, target, _ in g.dependencies[first.id] if target == loop[1]}
        path = next(p for ref, p in zip(first.depends_on, _entry_paths(first), strict=True) if ref in onward)
        chain = " → ".join(loop)
        diags.error(first.loc, path, "dependency-loop", f"dependency loop: {chain}")
