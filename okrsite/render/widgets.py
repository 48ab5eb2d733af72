"""The small pieces every page repeats (chips, meters, sparklines), written in Python.

A Jinja macro call costs about ten times the markup it returns, and a large page
makes dozens of them; these produce exactly the markup of the macros of the same
name in `macros.html` (which now call them, so a site's own templates keep working).
Templates reach them as `ui.chip(...)`, `ui.meter(...)` and so on.
"""

from __future__ import annotations

from typing import Any

from markupsafe import Markup

from okrsite.render.escape import escape, safe
from okrsite.render.filters import (
    datefmt,
    fmt,
    pct,
    rel_to,
    script_json,
    status_icon,
    status_label,
    tone,
    width,
    with_unit,
)


def _get(o: Any, key: str) -> Any:
    return o[key] if type(o) is dict else getattr(o, key)


def chip(status: str | None, label: Any = None, title: Any = None) -> Markup:
    """A status as a coloured chip with an icon and words: colour is never the only sign."""
    title_attr = f' title="{escape(title)}"' if title else ""
    text = escape(label) if label else escape(status_label(status))
    return safe(f'<span class="chip tone-{escape(tone(status))}"{title_attr}><span class="chip-icon" '
                  f'aria-hidden="true">{escape(status_icon(status))}</span>{text}</span>')


def objective_chip(o: Any) -> Markup:
    grade = _get(o, "grade")
    if grade:
        return chip(grade, f"Score {_get(o, 'progress'):.2f} · {status_label(grade)}")
    return chip(_get(o, "status"))


def meter(value: Any, expected: Any = None, status: str | None = None, label: Any = "Progress") -> Markup:
    aria = f"{escape(label)} {escape(pct(value))}"
    tail = ""
    if expected is not None:
        aria += f", expected {escape(pct(expected))}"
        tail = (f'<span class="meter-expected" style="left:{escape(width(expected))}" '
                f'title="Expected {escape(pct(expected))}"></span>')
    return safe(f'<span class="meter" role="img" aria-label="{aria}">\n  <span class="meter-fill '
                  f'tone-{escape(tone(status))}" style="width:{escape(width(value))}"></span>{tail}</span>')


def progress_cell(o: Any) -> Markup:
    status, grade, progress = _get(o, "status"), _get(o, "grade"), _get(o, "progress")
    bar = meter(progress, _get(o, "expected") if status not in ("ended", "planned") else None,
                grade or status, "Score" if grade else "Progress")
    num = f"{progress:.2f}" if grade else pct(progress)
    return safe(f'<span class="progress-cell">{bar}<span class="num">{escape(num)}</span></span>')


def rollup_cell(r: Any) -> Markup:
    status, progress = _get(r, "status"), _get(r, "progress")
    bar = meter(progress, _get(r, "expected") if _get(r, "running") else None, status, "Mean progress")
    num = f"{progress:.2f}" if status in ("green", "yellow", "red") else pct(progress)
    return safe(f'<span class="progress-cell">{bar}<span class="num">{escape(num)}</span></span>')


def mix(items: Any) -> Markup:
    """A status mix: one chip per status with its count, in words ("12 ✓ On track")."""
    chips = "".join(f"{chip(_get(s, 'status'), fmt(_get(s, 'count')) + ' ' + status_label(_get(s, 'status')))} "
                    for s in items)
    return safe(f'<span class="mix">{chips}</span>')


def spark(s: Any, status: str | None) -> Markup:
    if not s:
        return safe('<span class="spark-none">no data</span>')
    w, h = escape(int(_get(s, "w"))), escape(int(_get(s, "h")))
    label = escape(_get(s, "label"))
    target_y = _get(s, "target_y")
    target = (f'<line class="spark-target" x1="0" x2="{w}" y1="{escape(target_y)}" y2="{escape(target_y)}"/>'
              if target_y is not None else "")
    last = _get(s, "last")
    return safe(f'<svg class="spark tone-{escape(tone(status))}" viewBox="0 0 {w} {h}" width="{w}" height="{h}" '
                  f'role="img" aria-label="{label}"><title>{label}</title>{target}<path d="{escape(_get(s, "path"))}"/>'
                  f'<circle cx="{escape(last[0])}" cy="{escape(last[1])}" r="2.5"/></svg>')


def kpi_value(k: Any) -> Markup:
    latest = _get(k, "latest")
    if not latest:
        return safe('<span class="muted">no measurement yet</span>')
    day = _get(latest, "date")
    return safe(f"<strong>{escape(with_unit(_get(latest, 'value'), _get(k, 'unit')))}</strong> "
                  f'<span class="muted">on <time datetime="{escape(day)}">{escape(datefmt(day))}</time></span>')


def chart(c: Any) -> Markup:
    """A plotly chart: its figure as inline JSON (drawn by okrsite.js), a caption, and its data as a table."""
    cid, label = escape(_get(c, "id")), escape(_get(c, "label"))
    out = [f'<figure class="chart" aria-labelledby="{cid}-cap">\n  <div class="chart-plot" id="{cid}" '
           f'data-figure="{cid}-data" style="min-height:{escape(_get(c, "height"))}px" aria-hidden="true"></div>\n'
           f'  <script type="application/json" id="{cid}-data">{script_json(_get(c, "figure"))}</script>\n'
           f'  <figcaption id="{cid}-cap" class="chart-caption"><span class="vh">{label}. </span>'
           f'{escape(_get(c, "summary"))}</figcaption>\n']
    table = _get(c, "table")
    if table:
        head = "".join(f'<th scope="col">{escape(h)}</th>' for h in _get(table, "head"))
        body = "".join("<tr>" + "".join(f'<th scope="row">{escape(cell)}</th>' if n == 0 else f"<td>{escape(cell)}</td>"
                                        for n, cell in enumerate(row)) + "</tr>" for row in _get(table, "rows"))
        out.append(f'  <details class="chart-data">\n    <summary>Data table</summary>\n    <div class="table-wrap">'
                   f'<table class="table">\n      <caption class="vh">{label}</caption>\n      <thead><tr>{head}</tr>'
                   f'</thead>\n      <tbody>{body}</tbody>\n    </table></div>\n  </details>\n')
    out.append("</figure>")
    return safe("".join(out))


def checkin_rows(checkins: Any, unit: str | None) -> Markup:
    """A key result's check-ins as table rows, the latest first."""
    rows = []
    for c in reversed(checkins):
        conf = _get(c, "confidence")
        day = _get(c, "date")
        rows.append(f'            <tr><th scope="row"><time datetime="{escape(day)}">{escape(datefmt(day))}</time></th>'
                    f"<td>{escape(with_unit(_get(c, 'value'), unit))}</td>"
                    f"<td>{escape(pct(conf) if conf is not None else '—')}</td><td>{escape(_get(c, 'note') or '')}</td>"
                    "</tr>\n")
    return safe("".join(rows))


def _nav_item(i: Any, root: str) -> str:
    current = ' class="current" aria-current="page"' if _get(i, "current") else ""
    status = _get(i, "status")
    badge = (f'<span class="nav-status tone-{escape(tone(status))}"><span class="vh">, </span><span '
             f'class="nav-status-icon" aria-hidden="true">{escape(status_icon(status))}</span>'
             f"{escape(status_label(status))}</span>") if status else ""
    href = escape(rel_to(_get(i, "url"), root))
    return (f'        <li class="depth-{escape(min(_get(i, "depth"), 6))}"><a href="{href}"{current}>'
            f'<span class="nav-text">{escape(_get(i, "title"))}{badge}</span></a></li>\n')


def sidebar(groups: Any, root: str) -> Markup:
    """The page's local navigation: a few bounded groups of links (nav.group)."""
    out = ['  <nav class="sidebar" aria-label="Related pages">\n']
    for g in groups:
        url, title = g.get("url"), escape(g["title"])
        head = f'<a href="{escape(rel_to(url, root))}">{title}</a>' if url else title
        out.append(f'    <div class="nav-group">\n      <h2 class="nav-title">{head}</h2>\n')
        if g["items"]:
            out.append("      <ul>\n")
            out.extend(_nav_item(i, root) for i in g["items"])
            out.append("      </ul>\n")
        more = g.get("more")
        if more:
            out.append(f'<a class="nav-more" href="{escape(rel_to(_get(more, "url"), root))}">'
                       f'{escape(_get(more, "label"))}</a>')
        out.append("    </div>\n")
    out.append("  </nav>\n")
    return safe("".join(out))


_TABS: dict[tuple[str, str, str], Markup] = {}


def tabs(sections: Any, section: str, url: str, root: str) -> Markup:
    """The section bar: the same few links on every page, so made once per place a page can be."""
    here = next((s["url"] for s in sections if s["key"] == section and s["url"] == url), "")
    key = (root, section, here)
    made = _TABS.get(key)
    if made is None or len(_TABS) > 1000:
        out = []
        for s in sections:
            active = (f' class="active" aria-current="{"page" if s["url"] == url else "true"}"'
                      if s["key"] == section else "")
            out.append(f'      <li><a href="{escape(rel_to(s["url"], root))}"{active}>{escape(s["title"])}</a></li>\n')
        made = safe("".join(out))
        if len(_TABS) > 1000:
            _TABS.clear()
        _TABS[key] = made
    return made


def person(name: Any, url: Any, root: str) -> Markup:
    """An owner's or lead's name, linked to their person page when they have one; "—" for no name."""
    if not name:
        return safe("—")
    if not url:
        return escape(name)
    return safe(f'<a href="{escape(rel_to(url, root))}">{escape(name)}</a>')


def more_note(n: Any, url: str, what: Any, root: str) -> Markup:
    """"N more … →" under a capped list, linking to where the rest are."""
    if not n:
        return safe("")
    return safe(f'<p class="more"><a href="{escape(rel_to(url, root))}">{escape(n)} more {escape(what)} →</a></p>')


def kpi_cards(items: Any, root: str) -> Markup:
    """KPIs as cards: health chip, latest value, target, sparkline."""
    out = ['<ul class="kpi-cards">\n']
    for k in items:
        health, target = _get(k, "health"), _get(k, "target")
        target_html = (f'<div class="muted small">target {escape(with_unit(target, _get(k, "unit")))}</div>'
                       if target is not None else "")
        why = k.get("why") if type(k) is dict else getattr(k, "why", None)
        why_html = f'<div class="muted small">{"; ".join(str(escape(w)) for w in why)}</div>' if why else ""
        out.append(f'  <li class="card kpi-card">\n    <div class="kpi-card-head"><a class="card-title" '
                   f'href="{escape(rel_to(_get(k, "url"), root))}">{escape(_get(k, "title"))}</a>{chip(health)}</div>\n'
                   f'    <div class="kpi-card-body">\n      <div class="kpi-card-value">{kpi_value(k)}{target_html}'
                   f'</div>\n      {spark(_get(k, "spark"), health)}\n    </div>\n{why_html}  </li>\n')
    out.append("</ul>")
    return safe("".join(out))


def outline(nodes: Any, root: str) -> Markup:
    """A unit map's tree: objectives with their key results, KPIs and contributors, nested lists."""
    out: list[str] = []

    def walk(level: Any) -> None:
        out.append("<ul>\n")
        for n in level:
            kind, status, progress = _get(n, "kind"), _get(n, "status"), _get(n, "progress")
            link = f'<a href="{escape(rel_to(_get(n, "url"), root))}">'
            if kind == "objective":
                owner, aligned = _get(n, "owner"), _get(n, "aligned")
                out.append(f'<li class="node-objective" id="o-{escape(_get(n, "key"))}">{link[:2]} class="node-link"'
                           f'{link[2:]}{escape(_get(n, "title"))}</a> {chip(status)} {escape(pct(progress))}')
                if owner:
                    out.append(f' <span class="small muted">{escape(owner)}</span>')
                if aligned:
                    links = ", ".join(f'<a href="{escape(rel_to(_get(a, "url"), root))}">{escape(_get(a, "title"))}</a>'
                                      for a in aligned)
                    out.append(f'<br><span class="small muted">contributes to {links}</span>')
            else:
                out.append(f'<li class="node-{escape(kind)}">{link}{escape(_get(n, "title"))}</a> <span class="st '
                           f'tone-{escape(tone(status))}">{escape(status_label(status))}</span>')
                if progress is not None:
                    out.append(f" {escape(pct(progress))}")
            if _get(n, "children"):
                walk(_get(n, "children"))
            out.append("</li>\n")
        out.append("</ul>\n")

    walk(nodes)
    return safe("".join(out))


class Widgets:
    """The `ui` global of the theme's templates."""

    chip = staticmethod(chip)
    objective_chip = staticmethod(objective_chip)
    meter = staticmethod(meter)
    progress_cell = staticmethod(progress_cell)
    rollup_cell = staticmethod(rollup_cell)
    mix = staticmethod(mix)
    spark = staticmethod(spark)
    kpi_value = staticmethod(kpi_value)
    chart = staticmethod(chart)
    outline = staticmethod(outline)
    more_note = staticmethod(more_note)
    person = staticmethod(person)
    kpi_cards = staticmethod(kpi_cards)
    checkin_rows = staticmethod(checkin_rows)
    sidebar = staticmethod(sidebar)
    tabs = staticmethod(tabs)

    @staticmethod
    def key_result(k: Any, count: int, root: str) -> Markup:
        from okrsite.render.kr_card import key_result  # it builds on the widgets above

        return key_result(k, count, root)
