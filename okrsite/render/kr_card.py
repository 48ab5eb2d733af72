"""One key result of an objective page, as a card: its status, its bar, band or milestone, its facts and check-ins.

Each objective page shows four or five, and as template code they were two fifths of the
page's render time; this is the same markup, byte for byte, made in Python
(`tests/test_widgets.py` compares it with the template it replaces, kept in
`tests/fixtures/reference_theme/templates/kr_card.html`). Templates call it as
`ui.key_result(k, count, root)`.
"""

from __future__ import annotations

from typing import Any

from markupsafe import Markup

from okrsite.render.escape import escape, safe
from okrsite.render.filters import KIND_LABELS, band, datefmt, fmt, pct, rel_to, status_label, tone, width, with_unit
from okrsite.render.widgets import checkin_rows, chip


def _visual(k: dict[str, Any], unit: Any) -> str:
    """The bar (increase, decrease), band (threshold), milestone box or baseline of the key result."""
    kind, bar, no_data = k["kind"], k["bar"], k["no_data"]
    current = escape(with_unit(k["current"], unit))
    if kind in ("increase", "decrease") and bar:
        start, target, stretch = escape(with_unit(k["start"], unit)), escape(with_unit(k["target"], unit)), k["stretch"]
        now = '<span class="muted">no data</span>' if no_data else f"<strong>{current}</strong>"
        more = "" if stretch is None else f' <span class="muted">· stretch</span> {escape(with_unit(stretch, unit))}'
        colour, fill, at = escape(tone(k["status"])), escape(width(bar["fill"])), escape(width(bar["target_at"]))
        return (f'<div class="kr-track" role="img" aria-label="From {start} to target {target}; current '
                f'{"no data" if no_data else current}, {escape(pct(k["progress"]))} of the way">\n'
                f'  <div class="meter meter-lg">\n'
                f'    <span class="meter-fill tone-{colour}" style="width:{fill}"></span>\n'
                f'    <span class="meter-target" style="left:{at}" title="Target"></span>\n'
                f'  </div>\n  <div class="kr-scale">\n'
                f'    <span class="kr-from"><span class="muted">from</span> {start}</span>\n'
                f'    <span class="kr-now">{now}</span>\n'
                f'    <span class="kr-to"><span class="muted">target</span> {target}{more}</span>\n'
                f'  </div>\n</div>\n')
    if kind == "threshold" and bar:
        where, keep = bar["where"], escape(band(k["range"], unit))
        marker = bar["marker"]
        colour = escape(tone(k["status"]))
        marker_html = "" if marker is None else (f'<span class="band-marker tone-{colour}" style="left:'
                                                 f'{escape(width(marker))}" title="Current {current}"></span>')
        ends = ("" if not bar["open_low"] else " open-low") + ("" if not bar["open_high"] else " open-high")
        ticks = "".join(f'<span class="band-tick {escape(t["align"])}" style="left:{escape(width(t["at"]))}">'
                        f'{escape(with_unit(t["value"], unit))}</span>' for t in bar["ticks"])
        now = ('<span class="muted">no data</span>' if no_data else
               f'<strong>{current}</strong> <span class="muted">· {escape(where)} the range</span>')
        return (f'<div class="kr-band" role="img" aria-label="Keep {keep}; current {"no data" if no_data else current}'
                f'{f", {escape(where)} the range" if where else ""}">\n'
                f'  <div class="band">\n'
                f'    <span class="band-ok{ends}"'
                f' style="left:{escape(width(bar["band_left"]))};width:{escape(width(bar["band_width"]))}"></span>\n'
                f'{marker_html}  </div>\n'
                f'  <div class="band-ticks" aria-hidden="true">{ticks}</div>\n'
                f'  <div class="kr-scale">\n'
                f'    <span class="kr-from"><span class="muted">keep</span> {keep}</span>\n'
                f'    <span class="kr-to">{now}</span>\n'
                f'  </div>\n</div>\n')
    if kind == "milestone":
        done, due = k["done"], k["due"]
        when = f'Due <time datetime="{escape(due)}">{escape(datefmt(due))}</time>' if due else "No due date"
        state = chip("done") if done else chip("overdue") if k["overdue"] else chip("not_done")
        return (f'<div class="kr-milestone">\n'
                f'  <span class="milestone-box {"done" if done else "open"}" aria-hidden="true">{"✓" if done else ""}'
                f'</span>\n  <span>{when}</span>\n{state}</div>\n')
    if kind == "baseline":
        if no_data:
            return ('<div class="kr-baseline">\n<span class="muted">Baseline not established yet: no value measured.'
                    '</span>\n</div>\n')
        day = k["current_date"]
        measured = (f' <span class="muted">measured <time datetime="{escape(day)}">{escape(datefmt(day))}</time></span>'
                    if day else "")
        return (f'<div class="kr-baseline">\n<span class="muted">Baseline</span> <strong>{current}</strong>{measured} '
                f'{chip("done", "Established")}</div>\n')
    now = '<span class="muted">no data</span>' if no_data else f"Current <strong>{current}</strong>"
    return f'<div class="kr-plain">{now}</div>\n'


def _confidence(k: dict[str, Any]) -> str:
    conf = k["confidence"]
    out = [f'<span class="conf-now">{escape(pct(conf))}</span>' if conf is not None else "—"]
    s = k["confidence_spark"]
    if s:
        w, h, label, mid = escape(int(s["w"])), escape(int(s["h"])), escape(s["label"]), escape(s["mid_y"])
        out.append(f' <svg class="conf-spark{" falling" if s["falling"] else ""}" viewBox="0 0 {w} {h}" width="{w}" '
                   f'height="{h}" role="img" aria-label="{label}"><title>{label}</title><line class="conf-mid" x1="0" '
                   f'x2="{w}" y1="{mid}" y2="{mid}"/><path d="{escape(s["path"])}"/>')
        fall = s["fall"]
        if fall:
            out.append(f'<line class="conf-fall" x1="{escape(fall[0])}" y1="{escape(fall[1])}" x2="{escape(fall[2])}" '
                       f'y2="{escape(fall[3])}"/>')
        points = s["points"]
        last = len(points) - 1
        out.extend(f'<circle cx="{escape(p[0])}" cy="{escape(p[1])}" r="{"2.6" if i == last else "1.6"}"/>'
                   for i, p in enumerate(points))
        out.append("</svg>")
    return "".join(out)


def _facts(k: dict[str, Any], unit: Any, root: str) -> str:
    out = [f'      <dl class="kr-facts small">\n        <div><dt>Weight</dt><dd>{escape(fmt(k["weight"]))}</dd></div>\n'
           f'<div><dt>Confidence</dt><dd class="confidence">{_confidence(k)}</dd></div>\n']
    planned, forecast = k["planned"], k["forecast"]
    if planned:
        out.append(f'<div><dt>Planned by now</dt><dd>{escape(with_unit(planned["value"], unit))} <span class="muted">'
                   f'({escape(pct(planned["progress"]))})</span></dd></div>')
    if forecast:
        miss = f' {chip("forecast_to_miss")}' if forecast["miss"] else ""
        out.append(f'<div><dt>Forecast at the end</dt><dd>{escape(with_unit(forecast["value"], unit))} '
                   f'<span class="muted">({escape(pct(forecast["progress"]))})</span>{miss}</dd></div>')
    if k["stretch"] is not None and k["kind"] not in ("increase", "decrease"):
        out.append(f'<div><dt>Stretch</dt><dd>{escape(with_unit(k["stretch"], unit))}</dd></div>')
    day = k["current_date"]
    if day:
        source = "KPI measurement" if k["current_source"] == "measurement" else "check-in"
        out.append(f'<div><dt>Latest value</dt><dd><time datetime="{escape(day)}">{escape(datefmt(day))}</time> '
                   f'<span class="muted">({source})</span></dd></div>')
    elif k["current_source"] == "explicit":
        out.append("<div><dt>Latest value</dt><dd>set in the page</dd></div>")
    raw = k["progress_raw"]
    if raw is not None and raw > 1:
        out.append(f"<div><dt>Raw progress</dt><dd>{escape(pct(raw))}</dd></div>")
    kpi = k["kpi"]
    if kpi:
        out.append(f'<div><dt>Measured by</dt><dd><a href="{escape(rel_to(kpi["url"], root))}">{escape(kpi["title"])}'
                   f'</a> {chip(kpi["health"])}</dd></div>')
    out.append("      </dl>\n")
    return "".join(out)


def key_result(k: dict[str, Any], count: int, root: str) -> Markup:
    """The card of key result `k` (objective.kr_context) on a page at `root` showing `count` of them."""
    anchor, unit = escape(k["anchor"]), k["unit"]
    label = f'{pct(k["progress"])} · {status_label(k["status"])}'
    status = [chip("no_data") if k["no_data"] else chip(k["status"], label)]
    if k["stale"]:
        status.append(f' {chip("stale", "Stale · " + str(k["stale_days"]) + " days")}')
    if k["confidence_falling"]:
        status.append(f' {chip("confidence_falling")}')
    out = [f'    <li class="card kr" id="{anchor}">\n      <div class="kr-head">\n'
           f'        <span class="kr-kind">{escape(KIND_LABELS.get(k["kind"], k["kind"]))}</span>\n'
           f'        <h3 class="kr-title">{escape(k["title"])} <a class="anchor" href="#{anchor}" '
           f'aria-label="Link to this key result">#</a></h3>\n'
           f'        <div class="kr-status">{"".join(status)}</div>\n      </div>\n',
           _visual(k, unit), _facts(k, unit, root)]
    contributors = k["contributors"]
    if contributors:
        links = ", ".join(f'<a href="{escape(rel_to(c["url"], root))}">{escape(c["title"])}</a>' for c in contributors)
        out.append(f'      <p class="small kr-contrib"><span class="muted">Contributing:</span> {links}</p>\n')
    checkins = k["checkins"]
    if checkins:
        is_open = " open" if count <= 3 and len(checkins) <= 4 else ""
        out.append(f'      <details class="checkins"{is_open}>\n'
                   f'        <summary>Check-ins <span class="count-badge">{len(checkins)}</span></summary>\n'
                   f'        <div class="table-wrap"><table class="table compact">\n'
                   f'          <thead><tr><th scope="col">Date</th><th scope="col">Value</th><th scope="col">Confidence'
                   f'</th><th scope="col">Note</th></tr></thead>\n          <tbody>\n'
                   f'{checkin_rows(checkins, unit)}          </tbody>\n        </table></div>\n      </details>\n')
    out.append("    </li>\n")
    return safe("".join(out))
