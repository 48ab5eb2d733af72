"""Resolve and validate stage: references, types, loops and links → diagnostics and a graph."""

from __future__ import annotations

from dataclasses import dataclass, field

from okrsite.diagnostics import Diagnostics
from okrsite.model import Kpi, Objective, Site
from okrsite.validate.dependencies import check_dependencies
from okrsite.validate.graph import Graph, build_graph
from okrsite.validate.links import check_links
from okrsite.validate.loops import check_loops
from okrsite.validate.people import check_people
from okrsite.validate.plans import check_plans
from okrsite.validate.references import check_references
from okrsite.validate.rules import check_key_result, check_kpi, check_practice


@dataclass(slots=True)
class Resolved:
    graph: Graph
    files: set[str] = field(default_factory=set)  # non-Markdown files linked from bodies, to copy


def validate(site: Site, diags: Diagnostics) -> Resolved:
    graph = build_graph(site, diags)
    check_references(site, graph, diags)
    check_loops(graph, diags)
    for page in graph.pages.values():
        if isinstance(page, Objective):
            for kr in page.key_results:
                check_key_result(page, kr, diags)
            check_plans(page, site.config, diags)
        elif isinstance(page, Kpi):
            check_kpi(page, diags)
    check_dependencies(graph, site.config, diags)
    check_people(graph, diags)
    check_practice(site, graph, diags)
    files = check_links(site, graph, diags)
    return Resolved(graph, files)
