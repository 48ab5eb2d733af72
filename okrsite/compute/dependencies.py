"""Dependencies both ways: who needs an objective, and which of an objective's needs are in trouble."""

from __future__ import annotations

from okrsite.compute.results import Results
from okrsite.model import Config, Objective
from okrsite.validate.graph import Graph

TROUBLE = ("at_risk", "off_track")


def resolve_dependencies(results: Results, graph: Graph, cfg: Config) -> None:
    """Fill `needed_by` and `dependencies_in_trouble`; needs every objective's status first."""
    for oid, dependents in graph.dependents.items():
        results.objectives[oid].needed_by = sorted(set(dependents))
    for oid, needs in graph.dependencies.items():
        obj = graph.pages[oid]
        assert isinstance(obj, Objective)
        cycle = cfg.cycle(obj.cycle)
        if not needs or cycle is None or not cycle.start <= cfg.as_of <= cycle.end:
            continue
        res = results.objectives[oid]
        res.dependencies_in_trouble = [ref for ref, target, _ in needs
                                       if results.objectives[target].status in TROUBLE]
