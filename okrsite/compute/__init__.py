"""Compute stage: progress, expected pace, status and KPI health, from the resolved model."""

from __future__ import annotations

from okrsite.compute.health import compute_kpi
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
    return results
