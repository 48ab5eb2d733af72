"""A key result's confidence over time as an inline SVG sparkline on a fixed 0–100 % scale.

Inline SVG like the KPI sparklines (no script, prints, follows dark mode through CSS): a page
with twenty key results gets twenty of them for free. The scale is fixed, not fitted, so 0.8 →
0.6 looks like the same fall on every key result; a fall of 0.2 or more (`confidence_falling`)
is drawn as a marked last segment.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from okrsite.model import KeyResult
from okrsite.render.filters import datefmt, pct

W, H, PAD = 96.0, 28.0, 3.0
MAX_POINTS = 24


def confidence_points(kr: KeyResult, as_of: date) -> list[tuple[date, float]]:
    """(date, confidence) of the check-ins giving one up to `as_of`, oldest first (same-date ones in written
    order, as compute reads them), the newest MAX_POINTS."""
    given = sorted(((c.date, c.confidence) for c in kr.checkins
                    if c.date is not None and c.date <= as_of and c.confidence is not None),
                   key=lambda p: p[0])
    return given[-MAX_POINTS:]  # type: ignore[return-value]


def confidence_spark(kr: KeyResult, as_of: date, falling: bool) -> dict[str, Any] | None:
    """Geometry of the sparkline; None with fewer than two confidences (one value is shown as a number)."""
    pts = confidence_points(kr, as_of)
    if len(pts) < 2:
        return None
    n = len(pts)

    def xy(i: int, v: float) -> list[float]:
        x = PAD + (W - 2 * PAD) * i / (n - 1)
        y = H - PAD - (H - 2 * PAD) * max(0.0, min(1.0, v))
        return [round(x, 1), round(y, 1)]

    coords = [xy(i, v) for i, (_, v) in enumerate(pts)]
    path = "M" + " L".join(f"{x},{y}" for x, y in coords)
    (d0, c0), (d1, c1) = pts[0], pts[-1]
    label = (f"Confidence {pct(c0)} on {datefmt(d0.isoformat())} to {pct(c1)} on {datefmt(d1.isoformat())}, "
             f"{n} check-ins" + ("; falling" if falling else ""))
    fall = coords[-2] + coords[-1] if falling else None
    return {"w": W, "h": H, "path": path, "points": coords, "last": coords[-1], "fall": fall, "label": label,
            "mid_y": xy(0, 0.5)[1], "falling": falling}
