"""Render stage: the resolved, computed handbook → output files (path → bytes or file to copy)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from okrsite.compute.results import Results
from okrsite.model import Site
from okrsite.validate.graph import Graph
from okrsite.write.output import Output


@dataclass(slots=True)
class RenderInput:
    site: Site
    graph: Graph
    results: Results
    files: set[str] = field(default_factory=set)  # content-relative non-Markdown files linked from bodies


def render_site(inp: RenderInput) -> dict[str, Output]:
    from okrsite.render.data_json import render_data
    from okrsite.render.html import render_pages

    outputs: dict[str, Output] = {}
    outputs.update(render_pages(inp))
    for rel in sorted(inp.files):
        outputs.setdefault(rel, Path(inp.site.root / "content" / rel))
    outputs["data.json"] = render_data(inp.site, inp.graph, inp.results)
    return outputs
