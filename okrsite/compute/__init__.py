"""Compute stage: progress, expected pace, status, forecasts, dependencies, people and KPI health."""

from __future__ import annotations

from okrsite.compute.dependencies import resolve_dependencies
from okrsite.compute.health import compute_kpi
from okrsite.compute.people import compute_people
from okrsite.compute.progress import compute_objective
from okrsite.compute.results import Results
from okrsite.model import Kpi, Objective, Site
from okrsite.validate.graph import Graph


def compute(site: Site, graph: Graph) -> Results:
    results = Results(site.config.as_of)
    kpis = {p.id: p for p in graph.pages.values() if isinstance(p, Kpi)}
    for kpi in kpis.values():
        results.kpis[kpi.id] = compute_kpi(kpi, site.config.as_of)
    for page in graph.pages.values():
        if isinstance(page, Objective):
            results.objectives[page.id] = compute_objective(page, kpis, site.config)
    resolve_dependencies(results, graph, site.config)
    compute_people(results, graph)
    return results
