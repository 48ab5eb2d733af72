"""Sparklines as inline SVG geometry computed here, not plotly charts.

A KPI board or index can show dozens of them; inline SVG costs no script, draws
without JavaScript, prints, and follows dark mode through CSS `currentColor`.
"""

from __future__ import annotations

from typing import Any

from okrsite.compute.results import DatedValue
from okrsite.render.filters import datefmt, with_unit
from okrsite.render.refs import Refs

W, H, PAD = 120.0, 32.0, 3.0
MAX_POINTS = 24


def sparkline(series: list[DatedValue], *, target: float | None = None, unit: str = "",
              title: str = "") -> dict[str, Any] | None:
    """Path data for the last MAX_POINTS values, with an optional target line; None without data."""
    pts = series[-MAX_POINTS:]
    if not pts:
        return None
    values = [p.value for p in pts]
    lo, hi = min(values), max(values)
    if target is not None:
        lo, hi = min(lo, target), max(hi, target)
    span = hi - lo or 1.0
    n = len(pts)

    def xy(i: int, v: float) -> tuple[float, float]:
        x = PAD + (W - 2 * PAD) * (i / (n - 1) if n > 1 else 0.5)
        y = H - PAD - (H - 2 * PAD) * ((v - lo) / span if hi != lo else 0.5)
        return round(x, 1), round(y, 1)

    coords = [xy(i, v) for i, v in enumerate(values)]
    path = "M" + " L".join(f"{x},{y}" for x, y in coords)
    target_y = xy(0, target)[1] if target is not None else None
    first, last = pts[0], pts[-1]
    label = (f"{title}: {with_unit(first.value, unit)} on {datefmt(first.date.isoformat())}"
             f" to {with_unit(last.value, unit)} on {datefmt(last.date.isoformat())}, {n} values")
    return {"w": W, "h": H, "path": path, "last": list(coords[-1]), "target_y": target_y, "label": label}


def kpi_spark(refs: Refs, kid: str) -> dict[str, Any] | None:
    """The sparkline of a KPI's measurements up to as_of, with its target (computed once per render)."""
    def make(kid: str) -> dict[str, Any] | None:
        page = refs.kpi_page(kid)
        if page is None:
            return None
        return sparkline(refs.results.kpis[kid].series, target=page.target, unit=page.unit, title=page.title)
    return refs._cached("spark", kid, make)
