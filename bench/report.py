"""What bench/run.py writes from its raw records: the machine, medians, the targets, results.md and results.html.

    .venv/bin/python bench/report.py [bench/results.json]   # rewrite results.md and results.html from the JSON
"""

from __future__ import annotations

import argparse
import importlib.metadata
import json
import os
import platform
import statistics
import subprocess
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

import competitors

REPO = Path(__file__).resolve().parent.parent
TARGET_SIZE = 10_000  # the size the issue states its build, memory, check and serve targets at
SERVE_TARGETS_MS = {1000: 500.0}  # plus 2,000 ms at TARGET_SIZE
TOOLS = {"okrsite": "okrsite", "hugo": "Hugo", "mkdocs": "MkDocs"}
COLOURS = {"okrsite": "#3949ab", "hugo": "#d81b60", "mkdocs": "#00897b"}

Results = dict[str, Any]


def _git(*args: str) -> str:
    done = subprocess.run(["git", "-C", str(REPO), *args], capture_output=True, text=True, check=False)
    return done.stdout.strip()


def _proc_field(path: str, key: str) -> str:
    try:
        for line in Path(path).read_text(encoding="utf-8").splitlines():
            if line.startswith(key):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "?"


def machine() -> dict[str, object]:
    mem = _proc_field("/proc/meminfo", "MemTotal")
    return {
        "cpu": _proc_field("/proc/cpuinfo", "model name"),
        "cores": len(os.sched_getaffinity(0)),
        "memory_gib": round(int(mem.split()[0]) / 2**20, 1) if mem != "?" else None,
        "kernel": platform.release(),
        "python": platform.python_version(),
        "okrsite": importlib.metadata.version("okrsite"),
        "commit": _git("rev-parse", "--short", "HEAD") + (" (with uncommitted changes)" if _git("status", "--porcelain")
                                                           else ""),
        "hugo": competitors.hugo_version(),
        "mkdocs": competitors.mkdocs_version(),
        "plotly": importlib.metadata.version("plotly"),
        "date": datetime.now().astimezone().isoformat(timespec="minutes"),
        "load_average": round(os.getloadavg()[0], 2),
    }


MEMORY = "memory"  # the task of the one sampled cold build per tool and size (bench/run.py memory_round)
RICH = " rich"  # added to the task of each run on the handbook with rich bodies (bench/run.py rich_round)


def rows_of(results: Results, n: int, tool: str, task: str = "build") -> list[dict[str, Any]]:
    return [r for r in results["records"] if r["objectives"] == n and r["tool"] == tool and r["task"] == task]


def spread(rows: list[dict[str, Any]], key: str) -> tuple[float, float, float] | None:
    """Median, min, max of `key` over the successful runs; None when there is none."""
    values = [r[key] for r in rows if r["exit"] == 0 and r.get(key) is not None]
    return (statistics.median(values), min(values), max(values)) if values else None


def median(results: Results, n: int, tool: str, key: str, task: str = "build") -> float | None:
    s = spread(rows_of(results, n, tool, task), key)
    return s[0] if s else None


def _serve_row(results: Results, n: int) -> dict[str, Any] | None:
    rows = (results.get("serve") or {}).get("rows", [])
    return next((r for r in rows if r["objectives"] == n), None)


def _serve_ms(row: dict[str, Any]) -> float:
    return statistics.median(float("inf") if v is None else v for v in row["page_ms"])


def _target(text: str, n: int, measured: str | None, met: bool | None) -> dict[str, object]:
    return {"target": text, "objectives": n, "measured": measured or "not measured", "met": met}


def targets(results: Results) -> list[dict[str, object]]:
    """Each target of the issue, measured or not, with ✓/✗ (met None when it could not be measured)."""
    big = results["target_size"]
    out = _build_targets(results, big)
    okr = median(results, big, "okrsite", "wall_s")
    again = median(results, big, "okrsite", "wall_s", "rebuild")
    out.append(_target("no-change rebuild under half a cold build", big,
                       f"{again / okr:.2f} of it ({again:.2f} s)" if again and okr else None,
                       again < okr / 2 if again and okr else None))
    for n in results["sizes"]:
        rebuilt = [r for r in rows_of(results, n, "okrsite", "rebuild") if r["exit"] == 0]
        same = sum(r["same_bytes_rewritten"] for r in rebuilt)
        out.append(_target("no-change rebuild rewrites no file whose bytes are the same (mtimes stay)", n,
                           f"{same} rewritten; {min(r['mtime_kept'] for r in rebuilt):,} of "
                           f"{rebuilt[0]['files']:,} kept their mtime" if rebuilt else None,
                           same == 0 if rebuilt else None))
    for n, limit in sorted({**SERVE_TARGETS_MS, big: 2000.0}.items()):
        row = _serve_row(results, n)
        ms = _serve_ms(row) if row else None
        out.append(_target(f"`okrsite serve` edit → updated page under {limit / 1000:g} s", n,
                           f"{ms:,.0f} ms (median of {len(row['page_ms'])} edits)" if row else None,
                           ms < limit if row else None))
    if results.get("rich_size"):
        out += _build_targets(results, results["rich_size"], RICH, " (bodies with lists, a table, links)")
    out += _page_targets(results.get("pages"))
    for c in results["checks"]:
        same = c.get("jobs_identical")
        out.append(_target("output byte-identical whatever the number of worker processes (`--jobs 1` vs default)",
                           c["objectives"], c.get("jobs_note") or (
                               "identical" if same else f"differs: {', '.join(c['jobs_differing'][:5])}"), same))
    return out


def _build_targets(results: Results, n: int, rich: str = "", what: str = "") -> list[dict[str, object]]:
    """The build, memory, MkDocs and check targets at `n` objectives; with `rich` (RICH), on the handbook
    whose bodies are more than a sentence, each target named with `what`."""
    okr, hugo, mk = (median(results, n, t, "wall_s", "build" + rich) for t in ("okrsite", "hugo", "mkdocs"))
    okr_mem, hugo_mem = (median(results, n, t, "peak_pss_mib", MEMORY + rich) for t in ("okrsite", "hugo"))
    check = median(results, n, "okrsite", "wall_s", "check" + rich)
    cached = median(results, n, "okrsite", "wall_s", "check cached" + rich)
    ratio, faster = (okr / hugo if okr and hugo else None), (mk / okr if okr and mk else None)
    return [
        _target("cold `okrsite build` at most 2× Hugo's wall time" + what, n,
                f"{ratio:.2f}× ({okr:.2f} s vs {hugo:.2f} s)" if ratio else None, ratio <= 2 if ratio else None),
        _target("okrsite's peak memory (PSS of all its processes) below Hugo's" + what, n,
                f"{okr_mem:,.0f} MiB vs {hugo_mem:,.0f} MiB" if okr_mem and hugo_mem else None,
                okr_mem < hugo_mem if okr_mem and hugo_mem else None),
        _target("cold `okrsite build` at least 3× faster than MkDocs" + what, n,
                f"{faster:.1f}× ({mk:.2f} s vs {okr:.2f} s)" if faster else None, faster >= 3 if faster else None),
        _target("`okrsite check` under 5 s (no cache)" + what, n,
                f"{check:.2f} s" + (f"; {cached:.2f} s with the cache of the run before" if cached else "")
                if check else None, check < 5 if check else None),
    ]


def _page_targets(pages: dict[str, Any] | None) -> list[dict[str, object]]:
    """The issue's "every page stays light": none over 1 MiB, every kind opening about as fast as the example's."""
    if not pages:
        return []
    n, top = pages["objectives"], pages["heaviest"]
    timed = [r for r in pages["rows"] if not r.get("missing")]
    slow = [r for r in timed if not r["met"]]
    out = [_target("no HTML page over 1 MiB", n, f"heaviest {top['bytes'] / 1024:,.0f} KiB (`{top['page']}`)",
                   top["met"])]
    if timed:
        ratio = max(timed, key=lambda r: r["ratio"])
        late = max(timed, key=lambda r: r["big_ms"])
        measured = (f"{len(timed) - len(slow)} of {len(timed)} kinds; most {ratio['ratio']:.2f}× the example's "
                    f"({ratio['kind']}), slowest {late['big_ms']:,.0f} ms ({late['kind']})")
    else:
        measured = None
    out.append(_target("every kind of page opens in Chromium within 1.5× the example's time (or under 1 s)", n,
                       measured, not slow if timed else None))
    return out


def _num(x: float | None, digits: int = 2) -> str:
    return "—" if x is None else f"{x:,.{digits}f}"


def _spread(s: tuple[float, float, float] | None, digits: int = 2) -> str:
    if s is None:
        return "—"
    med, lo, hi = s
    return f"{med:,.{digits}f} ({lo:,.{digits}f}–{hi:,.{digits}f})" if lo != hi else f"{med:,.{digits}f}"


def _verdict(met: bool | None) -> str:
    return "—" if met is None else "✓" if met else "✗"


def _yes(x: bool | None) -> str:
    return "—" if x is None else "yes" if x else "no"


def markdown(results: Results) -> str:
    m, sizes, runs = results["machine"], results["sizes"], results["runs"]
    lines = ["# Build benchmark: okrsite, Hugo and MkDocs on the same handbook", ""]
    if sizes != [1000, 10000] or runs < 3 or results["target_size"] != TARGET_SIZE:
        lines += [f"**Trial run** (sizes {', '.join(f'{n:,}' for n in sizes)}; {runs} run(s); targets judged at "
                  f"{results['target_size']:,} objectives), not the full `make bench`.", ""]
    lines += [
        f"`make bench` (`bench/run.py --sizes {','.join(map(str, sizes))} --runs {runs}`), {m['date']}, "
        f"okrsite {m['okrsite']} at {m['commit']}. Medians of {runs} alternating run(s) (okrsite, Hugo, MkDocs, "
        "okrsite, …), min–max in brackets. How it is measured: [README.md](README.md#build-runpy-make-bench).", "",
        "| CPU | cores | memory | kernel | Python | Hugo | MkDocs | load average at start |",
        "|---|---:|---:|---|---|---|---|---:|",
        f"| {m['cpu']} | {m['cores']} | {_num(m['memory_gib'], 1)} GiB | {m['kernel']} | {m['python']} | "
        f"{m['hugo'] or 'not installed'} | {m['mkdocs'] or 'not installed'} | {m['load_average']} |", "",
        "## Targets", "", "| target | objectives | measured | |", "|---|---:|---|:-:|",
    ]
    lines += [f"| {t['target']} | {t['objectives']:,} | {t['measured']} | {_verdict(t['met'])} |"
              for t in results["targets"]]
    lines += _build_lines(results) + _ratio_lines(results) + _okrsite_lines(results) + _stage_lines(results)
    lines += _rich_lines(results)
    lines += _serve_lines(results)
    lines += _page_lines(results)
    return "\n".join(lines) + "\n"


def _build_lines(results: Results) -> list[str]:
    lines = ["", "## Cold build, same content files", "",
             "Wall and CPU time are the timed rounds', which run with nothing watching them. Peak memory, max RSS and "
             "processes are from one more cold build per tool, watched by the sampler: the summed PSS of every "
             "process of the tool every 50 ms; max RSS is its largest single process. Pages/s counts the HTML files "
             "each tool wrote.", "",
             "| objectives | content pages | tool | HTML files | wall s | CPU s | peak memory MiB | max RSS MiB "
             "| pages/s | processes |", "|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|"]
    for n in results["sizes"]:
        pages = median(results, n, "okrsite", "content_pages", "check")
        for tool, name in TOOLS.items():
            rows = rows_of(results, n, tool)
            if not rows:
                continue
            failed = sum(1 for r in rows if r["exit"] != 0)
            missing = max((r.get("missing_pages") or 0 for r in rows), default=0)
            note = (f" ({failed} failed)" if failed else "") + (f" ({missing:,} pages missing)" if missing else "")
            cells = [f"{n:,}", _num(pages, 0), name + note, _num(median(results, n, tool, "html_files"), 0),
                     _spread(spread(rows, "wall_s")), _spread(spread(rows, "cpu_s")),
                     _spread(spread(rows_of(results, n, tool, MEMORY), "peak_pss_mib"), 0),
                     _spread(spread(rows_of(results, n, tool, MEMORY), "max_rss_mib"), 0),
                     _spread(spread(rows, "pages_per_s"), 0),
                     _num(median(results, n, tool, "most_processes", MEMORY), 0)]
            lines.append("| " + " | ".join(cells) + " |")
    return lines


def _ratio_lines(results: Results) -> list[str]:
    lines = ["", "Ratios of the medians (the sampler's own CPU is what walking /proc cost in the watched builds, "
             "the same sampler for every tool):",
             "", "| objectives | okrsite / Hugo wall | MkDocs / okrsite wall | okrsite / Hugo peak memory "
             "| sampler's CPU, most % of a run's wall |", "|---:|---:|---:|---:|---:|"]
    for n in results["sizes"]:
        w = {t: median(results, n, t, "wall_s") for t in TOOLS}
        mem = {t: median(results, n, t, "peak_pss_mib", MEMORY) for t in TOOLS}
        cost = [r["sampler_cpu_s"] / r["wall_s"] for r in results["records"]
                if r["objectives"] == n and r["wall_s"] and r["task"] == MEMORY]
        lines.append(f"| {n:,} | {_ratio(w['okrsite'], w['hugo'])} | {_ratio(w['mkdocs'], w['okrsite'])} "
                     f"| {_ratio(mem['okrsite'], mem['hugo'])} | {_num(100 * max(cost), 0) if cost else '—'} |")
    return lines


def _okrsite_lines(results: Results) -> list[str]:
    lines = ["", "## okrsite", "",
             "| objectives | cold build s | workers | no-change rebuild s | files kept their mtime "
             "| same bytes rewritten | check s | check, cached s | `--jobs 1` s | `--jobs 1` = default "
             "| same bytes every run |",
             "|---:|---:|---:|---:|---:|---:|---:|---:|---:|:-:|:-:|"]
    for n in results["sizes"]:
        again = [r for r in rows_of(results, n, "okrsite", "rebuild") if r["exit"] == 0]
        check = next(c for c in results["checks"] if c["objectives"] == n)
        cells = [f"{n:,}", _spread(spread(rows_of(results, n, "okrsite"), "wall_s")),
                 _num(median(results, n, "okrsite", "workers"), 0), _spread(spread(again, "wall_s")),
                 f"{min(r['mtime_kept'] for r in again):,} of {again[0]['files']:,}" if again else "—",
                 f"{sum(r['same_bytes_rewritten'] for r in again):,}",
                 _spread(spread(rows_of(results, n, "okrsite", "check"), "wall_s")),
                 _spread(spread(rows_of(results, n, "okrsite", "check cached"), "wall_s")),
                 _num(median(results, n, "okrsite", "wall_s", "build --jobs 1")), _yes(check["jobs_identical"]),
                 _yes(check["reproducible_across_runs"])]
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def _stage_lines(results: Results) -> list[str]:
    builds = [r for r in results["records"] if r["tool"] == "okrsite" and r["task"] == "build" and r["exit"] == 0]
    names = list(dict.fromkeys(k for r in builds for k in r.get("stages_ms", {})))
    if not names:
        return []
    lines = ["", "Per-stage times of the cold build, median ms (okrsite's own `wrote N files … (load N ms, …)` line):",
             "", "| objectives | " + " | ".join(names) + " |", "|---:|" + "---:|" * len(names)]
    for n in results["sizes"]:
        rows = [r for r in builds if r["objectives"] == n]
        cells = [_num(statistics.median(r["stages_ms"].get(k, 0) for r in rows), 0) if rows else "—" for k in names]
        lines.append(f"| {n:,} | " + " | ".join(cells) + " |")
    return lines


def _rich_lines(results: Results) -> list[str]:
    n = results.get("rich_size")
    if not n or not rows_of(results, n, "okrsite", "build" + RICH):
        return []
    lines = ["", "## Bodies that are more than a sentence", "",
             f"The same comparison on a handbook of {n:,} objectives whose objective and KPI bodies go on "
             "with a heading, emphasis, a bulleted list with a nested item, a numbered list, a table, a quote and "
             "Markdown, wiki and external links (`generate.py --rich-bodies`, ~930 bytes more a body): every tool "
             "parses that Markdown. okrsite's shortcut for plain paragraphs does not apply; these constructs are all "
             "in the common run that okrsite reads without markdown-it (okrsite/commonbody.py). A body with anything "
             "else is cut into its top-level blocks (okrsite/bodycuts.py) and only those outside that run go to "
             "markdown-it-py; one all of whose blocks are outside it (HTML, indented code, loose lists) costs "
             "markdown-it-py's parse of all of it, about 0.57 ms for such a body against 0.16 ms.", "",
             "| tool | wall s | CPU s | peak memory MiB | okrsite / tool wall |", "|---|---:|---:|---:|---:|"]
    okr = median(results, n, "okrsite", "wall_s", "build" + RICH)
    for tool, name in TOOLS.items():
        rows = rows_of(results, n, tool, "build" + RICH)
        if rows:
            lines.append(f"| {name} | {_spread(spread(rows, 'wall_s'))} | {_spread(spread(rows, 'cpu_s'))} | "
                         f"{_spread(spread(rows_of(results, n, tool, MEMORY + RICH), 'peak_pss_mib'), 0)} | "
                         f"{_ratio(okr, median(results, n, tool, 'wall_s', 'build' + RICH))} |")
    check = spread(rows_of(results, n, "okrsite", "check" + RICH), "wall_s")
    stages = [r["stages_ms"] for r in rows_of(results, n, "okrsite", "build" + RICH) if r["exit"] == 0]
    lines += ["", f"`okrsite check`: {_spread(check)} s. Stages of okrsite's cold build, median ms: " + ", ".join(
        f"{k} {statistics.median(s.get(k, 0) for s in stages):,.0f}" for k in stages[0]) + "." if stages else ""]
    return lines


def _ratio(a: float | None, b: float | None) -> str:
    return f"{a / b:.2f}×" if a and b else "—"


def _page_lines(results: Results) -> list[str]:
    pages = results.get("pages")
    if not pages:
        return ["", "## Every kind of page in Chromium", "", "Not run (`--no-pages`, or a build or Chromium failed)."]
    lines = ["", "## Every kind of page in Chromium", "",
             f"`bench/page_weight.py`: one page of every kind, on the example handbook and on the generated one of "
             f"{pages['objectives']:,} objectives, each opened {pages['rounds']} times in headless Chromium "
             "(the two sites interleaved), from navigation to the page loaded with its charts drawn; median ms. "
             f"The heaviest HTML page of the generated site: `{pages['heaviest']['page']}`, "
             f"{pages['heaviest']['bytes'] / 1024:,.0f} KiB.", "",
             "| kind | example page | KiB | ms | generated page | KiB | ms | ratio | within 1.5× or 1 s |",
             "|---|---|---:|---:|---|---:|---:|---:|:-:|"]
    for r in pages["rows"]:
        if r.get("missing"):
            lines.append(f"| {r['kind']} | `{r['small_page']}` | — | — | `{r['big_page']}` | — | — | — | missing |")
            continue
        lines.append(f"| {r['kind']} | `{r['small_page']}` | {r['small_kib']:,.0f} | {r['small_ms']:,.0f} | "
                     f"`{r['big_page']}` | {r['big_kib']:,.0f} | {r['big_ms']:,.0f} | {r['ratio']:.2f} | "
                     f"{_verdict(r['met'])} |")
    return lines


def _serve_lines(results: Results) -> list[str]:
    serve = results.get("serve")
    if not serve:
        return ["", "## `okrsite serve`", "", "Not run (`--no-serve`)."]
    lines = ["", "## `okrsite serve`: edit → updated page", "",
             f"`bench/serve_bench.py`, {serve['edits']} edits of one objective file per handbook (a check-in value "
             "and a sentence), against a real `okrsite serve` subprocess; ms, median / max.", "",
             "The in-process columns run serve's rebuild as the preview does (`lazy`): the edited page is made "
             "before the rebuild returns, then the other pages the edit may change are planned, to be made when "
             "first asked for (*+ settled*).", "",
             "| handbook | pages | rebuild after an edit (in-process) | + settled | pages re-rendered "
             "| edit → reload event | edit → page | edit → data.json | target |",
             "|---|---:|---:|---:|---:|---:|---:|---:|:-:|"]
    for r in serve["rows"]:
        cells = []
        for key in ("reload_ms", "page_ms", "data_ms"):
            seen = [v for v in r[key] if v is not None]
            med = statistics.median(float("inf") if v is None else v for v in r[key])
            cells.append(f"{med:,.0f} / {max(seen):,.0f}" if seen else "missed")
        target = "—" if r["target_ms"] is None else f"{r['target_ms']:,.0f} {_verdict(r['met'])}"
        settled = f"{r['settled']:,.0f}" if r.get("settled") is not None else "—"
        lines.append(f"| {r['handbook']} | {r['pages']:,} | {r['incremental']:,.0f} | {settled} | {r['rerendered']} | "
                     + " | ".join(cells) + f" | {target} |")
    return lines


def chart(results: Results, path: Path) -> None:
    """Wall time and peak memory against size, one line per tool; plotly.js inlined, so it opens offline."""
    from plotly.subplots import make_subplots

    sizes = results["sizes"]
    fig = make_subplots(rows=1, cols=2, horizontal_spacing=0.1,
                        subplot_titles=("Wall time, s", "Peak memory, MiB (summed PSS of the tool's processes)"))
    lines = [(t, "build", f"{name} build", "solid", 1) for t, name in TOOLS.items()]
    lines += [("okrsite", "rebuild", "okrsite no-change rebuild", "dash", 1), ("okrsite", "check", "okrsite check",
                                                                               "dot", 1)]
    lines += [(t, MEMORY, f"{name} build", "solid", 2) for t, name in TOOLS.items()]
    for tool, task, name, dash, col in lines:
        key = "wall_s" if col == 1 else "peak_pss_mib"
        points = [(n, spread(rows_of(results, n, tool, task), key)) for n in sizes]
        points = [(n, s) for n, s in points if s]
        if not points:
            continue
        fig.add_scatter(
            x=[n for n, _ in points], y=[s[0] for _, s in points], name=name, legendgroup=name, showlegend=col == 1
            or task not in ("build", MEMORY), mode="lines+markers", line={"color": COLOURS[tool], "dash": dash},
            error_y={"type": "data", "symmetric": False, "array": [s[2] - s[0] for _, s in points],
                     "arrayminus": [s[0] - s[1] for _, s in points]},
            hovertemplate=f"{name}<br>%{{x:,}} objectives: %{{y:,.2f}}<extra></extra>", row=1, col=col)
    log = len(sizes) > 1 and max(sizes) / min(sizes) >= 10
    for col in (1, 2):
        fig.update_xaxes(title_text="objectives", type="log" if log else "linear", tickvals=sizes,
                         ticktext=[f"{n:,}" for n in sizes], row=1, col=col)
        fig.update_yaxes(rangemode="tozero", row=1, col=col)
    m = results["machine"]
    fig.update_layout(title=f"okrsite, Hugo {m['hugo']} and MkDocs {m['mkdocs']} on the same handbook: median of "
                            f"{results['runs']} run(s), {m['cpu']}, {m['cores']} cores, {m['date'][:10]}",
                      template="plotly_white", height=520, legend={"orientation": "h", "y": -0.2})
    fig.write_html(path, include_plotlyjs=True, full_html=True, config={"displaylogo": False})


def main(argv: list[str] | None = None) -> int:
    """Write results.md and results.html again from a results.json, without measuring anything."""
    ap = argparse.ArgumentParser(description=main.__doc__)
    ap.add_argument("results", type=Path, nargs="?", default=Path(__file__).resolve().parent / "results.json")
    args = ap.parse_args(argv)
    results = json.loads(args.results.read_text(encoding="utf-8"))
    results["targets"] = targets(results)
    (args.results.parent / "results.md").write_text(markdown(results), encoding="utf-8")
    chart(results, args.results.parent / "results.html")
    return 0


if __name__ == "__main__":
    sys.exit(main())
