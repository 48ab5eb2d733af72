"""`okrsite.compute.compute` for serve's rebuilds: the results of pages that did not change are kept.

A KPI's result depends on its page and `as_of` only; an objective's on its page, the
KPIs its key results read and the configuration (cycles, `as_of`, staleness). serve
keeps an unchanged file's page object from one rebuild to the next, so "unchanged" is
identity, and an edit to one objective computes one objective again instead of
10,000. The steps that read every objective (dependencies, people) run as in
`compute`; a kept result they fill (`needed_by`, `dependencies_in_trouble`) is a copy,
as the last results must stay as they were, for comparison.
"""

from __future__ import annotations

import dataclasses

from okrsite.compute.dependencies import resolve_dependencies
from okrsite.compute.health import compute_kpi
from okrsite.compute.people import compute_people
from okrsite.compute.progress import compute_objective
from okrsite.compute.results import KpiResult, ObjectiveResult, Results
from okrsite.model import Config, Kpi, Objective, Site
from okrsite.validate.graph import Graph


@dataclasses.dataclass(slots=True)
class _Last:
    config: Config
    kpis: dict[str, Kpi]
    objectives: dict[str, Objective]
    results: Results


class Recompute:
    """Call it like `compute(site, graph)`; it remembers the last call."""

    def __init__(self) -> None:
        self._last: _Last | None = None
        self.computed = 0  # pages whose results the last call computed (the rest were kept)

    def __call__(self, site: Site, graph: Graph) -> Results:
        cfg = site.config
        last = self._last if self._last is not None and self._last.config == cfg else None
        results = Results(cfg.as_of)
        kpis = {p.id: p for p in graph.pages.values() if isinstance(p, Kpi)}
        objectives: dict[str, Objective] = {}
        computed = 0
        for kpi in kpis.values():
            kept = _kept_kpi(last, kpi)
            if kept is None:
                kept = compute_kpi(kpi, cfg.as_of)
                computed += 1
            results.kpis[kpi.id] = kept
        involved = graph.dependents.keys() | graph.dependencies.keys()  # what resolve_dependencies changes
        for page in graph.pages.values():
            if isinstance(page, Objective):
                objectives[page.id] = page
                res = _kept_objective(last, page, kpis, page.id in involved)
                if res is None:
                    res = compute_objective(page, kpis, cfg)
                    computed += 1
                results.objectives[page.id] = res
        resolve_dependencies(results, graph, cfg)
        compute_people(results, graph)
        self._last = _Last(cfg, kpis, objectives, results)
        self.computed = computed
        return results


def _kept_kpi(last: _Last | None, kpi: Kpi) -> KpiResult | None:
    if last is None or last.kpis.get(kpi.id) is not kpi:
        return None
    return last.results.kpis.get(kpi.id)


def _kept_objective(last: _Last | None, page: Objective, kpis: dict[str, Kpi], involved: bool,
                    ) -> ObjectiveResult | None:
    """The last result when nothing it is made from changed: the same object when the dependency step
    will not touch it, else a copy as compute_objective made it (the two fields that step fills, empty)."""
    if last is None or last.objectives.get(page.id) is not page:
        return None
    for kr in page.key_results:
        if kr.kpi and kpis.get(kr.kpi) is not last.kpis.get(kr.kpi):
            return None
    old = last.results.objectives.get(page.id)
    if old is None:
        return None
    if not involved and not old.needed_by and not old.dependencies_in_trouble:
        return old
    return dataclasses.replace(old, needed_by=[], dependencies_in_trouble=[])
