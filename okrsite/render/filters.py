"""Jinja filters and globals of the theme: formatting and the one status vocabulary.

They live on the environment, not in page contexts, so contexts stay plain data
and a site's own templates can use the same helpers.
"""

from __future__ import annotations

import json
import re
from datetime import date
from typing import Any
from urllib.parse import quote

import jinja2
import orjson
from markupsafe import Markup

# One tone (colour) per status, used by chips, bars and charts alike.
TONES = {
    "on_track": "good", "healthy": "good", "green": "good", "done": "good",
    "at_risk": "warn", "yellow": "warn",
    "off_track": "bad", "red": "bad", "overdue": "bad",
    "planned": "plan", "running": "plan",
    "ended": "end",
    "no_data": "none", "no_target": "none", "not_done": "none", "stale": "warn",
    "mid_cycle": "warn", "after_cycle": "end", "uncommitted": "plan",  # revisions from git
    "forecast_to_miss": "warn", "confidence_falling": "warn", "in_trouble": "bad",  # planning signals
}
LABELS = {
    "on_track": "On track", "at_risk": "At risk", "off_track": "Off track", "planned": "Planned",
    "ended": "Ended", "running": "Running", "healthy": "Healthy", "no_data": "No data",
    "no_target": "No target", "green": "Green", "yellow": "Yellow", "red": "Red", "done": "Done",
    "not_done": "Not done", "overdue": "Overdue", "stale": "Stale",
    "mid_cycle": "Mid-cycle change", "after_cycle": "After the cycle", "uncommitted": "Not committed yet",
    "forecast_to_miss": "Forecast to miss", "confidence_falling": "Confidence falling", "in_trouble": "In trouble",
}
# A shape per tone as well as a colour, so status never depends on colour alone.
ICONS = {"good": "✓", "warn": "!", "bad": "✕", "plan": "○", "end": "■", "none": "–"}
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
KIND_LABELS = {
    "increase": "Increase", "decrease": "Decrease", "threshold": "Threshold", "milestone": "Milestone",
    "baseline": "Baseline",
}
# Org-unit kinds are free text; the SAFe ones read better spelled out than as their ids.
UNIT_KINDS = {
    "art": "Agile release train", "value_stream": "Value stream", "solution_train": "Solution train",
    "portfolio": "Portfolio", "team": "Team",
}


def tone(status: str | None) -> str:
    return TONES.get(status or "", "none")


def status_label(status: str | None) -> str:
    if not status:
        return "—"
    return LABELS.get(status, status.replace("_", " ").capitalize())


def status_icon(status: str | None) -> str:
    return ICONS[tone(status)]


def fmt(x: Any) -> str:
    """A number for reading: thousands separators, at most three decimals, no trailing zeros."""
    kind = type(x)  # the usual kinds first (bool, a kind of int, is not one of them)
    if kind is int:
        return f"{x:,}"
    if kind is float:
        return f"{int(x):,}" if x.is_integer() else f"{x:,.3f}".rstrip("0").rstrip(".")
    if x is None or isinstance(x, bool):
        return "—"
    if not isinstance(x, (int, float)):
        return str(x)
    if float(x).is_integer():
        return f"{int(x):,}"
    text = f"{x:,.3f}".rstrip("0").rstrip(".")
    return text


def with_unit(x: Any, unit: str | None = "") -> str:
    text = fmt(x)
    if x is None or not unit:
        return text
    return f"{text}{unit}" if unit in ("%", "‰") else f"{text} {unit}"


def pct(x: Any, digits: int = 0) -> str:
    if x is None or isinstance(x, bool) or not isinstance(x, (int, float)):
        return "—"
    return f"{x * 100:.{digits}f}%"


def datefmt(value: str | None) -> str:
    """ISO date → '12 Aug 2025' (fixed English month names: output must not depend on the locale)."""
    if not value:
        return "—"
    try:
        d = date.fromisoformat(value)
    except ValueError:
        return value
    return f"{d.day} {MONTHS[d.month - 1]} {d.year}"


def compact_json(data: Any) -> str:
    """Sorted, compact JSON, by orjson: four times faster than `json.dumps` on chart figures and the
    same text but for tiny exponents (`1e-7`, not `1e-07`; both parse the same). Data it refuses
    (non-str keys, huge ints) goes the slow way. NaN never gets here: `num()` makes it None."""
    try:
        return orjson.dumps(data, option=orjson.OPT_SORT_KEYS).decode()
    except TypeError:
        return json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"), allow_nan=False)


def script_json(data: Any) -> Markup:
    """JSON safe inside <script>: `<`, `>`, `&` and line separators escaped, so no title can end the script."""
    text = compact_json(data)
    for a, b in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"),
                 ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        text = text.replace(a, b)
    return Markup(text)


URL_SAFE = "/-._~!$&'()*+,;=:@"


_PLAIN_URL = re.compile(r"[A-Za-z0-9/._~-]+(?:#[A-Za-z0-9._~-]+)?")  # what quoting leaves as it is


def url_path(url: str) -> str:
    """An output path as a URL: a file named `a#b.md` or `50 %.md` must not turn into an anchor or an escape."""
    # the usual URL needs no quoting (a map page quotes a few hundred: a tenth of making it)
    if _PLAIN_URL.fullmatch(url) and not ("#" in url and url.endswith(".html")):
        return url
    return quoted_path(url)


def quoted_path(url: str) -> str:
    """`url_path` the long way, for every URL."""
    # pages end in .html and anchors (kr-…, headings) never do: a '#' before the end is part of a file name
    if url.endswith(".html") or "#" not in url:
        return quote(url, safe=URL_SAFE)
    path, _, frag = url.rpartition("#")
    return quote(path, safe=URL_SAFE) + "#" + quote(frag, safe=URL_SAFE + "?")


_QUOTED: dict[str, str] = {}  # url → url_path(url): a page links the same few hundred URLs many times


def _quoted(url: str) -> str:
    q = _QUOTED.get(url)
    if q is None:
        if len(_QUOTED) > 200_000:  # bounded: a long `serve` session must not grow it without end
            _QUOTED.clear()
        q = _QUOTED[url] = url_path(url)
    return q


@jinja2.pass_context
def rel(ctx: jinja2.runtime.Context, url: str | None) -> str:
    """A site-root URL as seen from the page being rendered (its `root` prefix)."""
    return rel_to(url, str(ctx.get("root", "")))


def rel_to(url: str | None, root: str) -> str:
    """A site-root URL as seen from a page at `root` ('../' per folder level); anchors stay as they are."""
    if not url:
        return "#"
    if url.startswith("#"):
        return url
    return root + _quoted(url)


def unit_kind(kind: str | None) -> str:
    """An org unit's kind for reading: `art` → "Agile release train", `value_stream` → "Value stream"."""
    if not kind:
        return "Unit"
    return UNIT_KINDS.get(kind.lower(), kind.replace("_", " ").capitalize())


def band(range_: Any, unit: str | None = "") -> str:
    """A healthy band or threshold in words: "96% – 98%", "at least 96%", "at most 5 min"."""
    low, high = (list(range_) + [None, None])[:2] if range_ else (None, None)
    if low is not None and high is not None:
        return f"{with_unit(low, unit)} – {with_unit(high, unit)}"
    if low is not None:
        return f"at least {with_unit(low, unit)}"
    if high is not None:
        return f"at most {with_unit(high, unit)}"
    return "—"


def width(x: Any) -> str:
    """A 0..1 fraction as a CSS percentage, clamped (for bars)."""
    if x is None or not isinstance(x, (int, float)):
        return "0%"
    return f"{max(0.0, min(1.0, float(x))) * 100:.1f}%"


def install(env: jinja2.Environment) -> None:
    env.filters.update({
        "tone": tone, "status_label": status_label, "status_icon": status_icon, "fmt": fmt,
        "with_unit": with_unit, "pct": pct, "datefmt": datefmt, "script_json": script_json, "rel": rel,
        "width": width, "kind_label": lambda k: KIND_LABELS.get(k, k), "unit_kind": unit_kind, "band": band,
    })
