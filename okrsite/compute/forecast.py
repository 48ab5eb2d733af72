"""Forecasts: the least-squares line through (0, `start`) and the key result's dated values.

x is days since the cycle start. (0, `start`) is one ordinary point of the fit, not a constraint:
with one dated value the line runs through both. When every point has the same x (values dated
on the cycle's first day only), there is no slope to fit and no forecast.
"""

from __future__ import annotations

from datetime import date

from okrsite.compute.plan import PLANNED_KINDS
from okrsite.compute.results import DatedValue
from okrsite.model import Cycle, KeyResult


def least_squares(history: list[DatedValue], day0: int, base: float) -> tuple[float, float] | None:
    """(intercept, slope) of the least-squares line through (0, 0) and each value's (days since `day0`,
    value − `base`); None when all x are equal. On a date with a check-in, the check-ins alone count.

    One pass over `history`, newest first: on one date check-ins sort after measurements (see
    `in_cycle_values`), so they are met first and the measurements behind them are skipped. Plain sums
    are exact enough for changes since `base` over at most a few hundred days.
    """
    n, sx, sy, sxx, sxy = 1, 0.0, 0.0, 0.0, 0.0
    checkin_day = None
    for v in reversed(history):
        if v.source == "checkin":
            checkin_day = v.date
        elif v.date == checkin_day:
            continue
        x, y = v.date.toordinal() - day0, v.value - base
        n += 1
        sx += x
        sy += y
        sxx += x * x
        sxy += x * y
    spread = n * sxx - sx * sx
    if spread == 0:
        return None
    slope = (n * sxy - sx * sy) / spread
    return (sy - slope * sx) / n, slope


def forecast_line(kr: KeyResult, history: list[DatedValue], cycle: Cycle | None,
                  as_of: date) -> tuple[float, float] | None:
    """The fitted line's values at the cycle's start and end, while the cycle runs; else None.

    `history`: the key result's in-cycle values up to as_of, as `in_cycle_values` orders them.
    """
    if (not history or kr.start is None or kr.kind not in PLANNED_KINDS or cycle is None
            or not cycle.start <= as_of <= cycle.end):
        return None
    fit = least_squares(history, cycle.start.toordinal(), kr.start)  # fitted as the change since start
    if fit is None:
        return None
    intercept, slope = fit
    return kr.start + intercept, kr.start + intercept + slope * (cycle.end - cycle.start).days
