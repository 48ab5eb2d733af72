"""Generate a valid handbook of any size, for benchmarks (serve latency, build time at 10,000 objectives).

    python bench/generate.py DEST --objectives 1000 [--seed 0]

The shape follows a SAFe-like portfolio: one portfolio, value streams, teams;
KPIs owned by value streams (some cascading, every fifth read from a CSV file);
objectives in two cycles, the first tenth owned by value streams and the rest
aligned to them (to an objective or to one of its key results). Each objective has
three key results (increase with check-ins, decrease measured by a KPI, and a
milestone or threshold), and a body with wiki links. Deterministic for a seed;
the output checks with 0 errors and 0 warnings. With `--rich-bodies` every objective
and KPI body goes on with what handbooks write beyond a sentence (a heading, emphasis,
a bulleted list with a nested item, a numbered list, a table, a quote, Markdown, wiki and
external links): ~930 more bytes a page, past okrsite's shortcut for plain paragraphs (run.py --rich-bodies).
"""

from __future__ import annotations

import argparse
import math
import random
import shutil
import sys
from datetime import date, timedelta
from pathlib import Path

AS_OF = date(2025, 8, 15)
CYCLES = [("2025-Q2", "Q2 2025", date(2025, 4, 1), date(2025, 6, 30)),
          ("2025-Q3", "Q3 2025", date(2025, 7, 1), date(2025, 9, 30))]
WORDS = ["customer", "digital", "booking", "baggage", "crew", "turnaround", "loyalty", "checkout", "app", "web",
         "rebooking", "on-time", "payments", "search", "partner", "offers", "journey", "service", "fleet",
         "schedule", "data"]


def _title(rng: random.Random, verb: str) -> str:
    return f"{verb} {' '.join(rng.sample(WORDS, 3))}".capitalize()


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def rich_body(n: int, kpi: int, up: str) -> str:
    """The rest of a body as handbooks write it (`up`: the way from the page's folder to content/)."""
    word = WORDS[n % len(WORDS)]
    return (f"\n## Why it matters\n\nCustomers told us in the **{word} survey** that changes take too long, and "
            f"*frequent flyers* notice first.\nSee [how we work]({up}handbook/how-we-work.md#cadence) and the "
            f"[policy page](https://intranet.example.com/policy/{n}).\n\n"
            f"- Reduce manual steps in *{word}* and `change-fee` handling\n- Move the fare rule next to [[kpi-{kpi}]]\n"
            "- Publish weekly numbers to the team channel\n  - and to the portfolio board\n\n"
            "### Risks\n\n| Risk | Owner | Mitigation |\n"
            "|---|---|---|\n| Vendor delay | Operations | A second supplier |\n| Data quality | Analytics | Nightly "
            "checks |\n\n1. First we measure where time goes.\n2. Then we change the slowest step.\n\n"
            "> Keep it simple, and show the numbers.\n")


def generate(dest: Path, objectives: int, seed: int = 0, rich: bool = False) -> Path:
    """Write a handbook with `objectives` objectives into `dest` (replaced if it exists); with `rich`, objective
    and KPI bodies carry more than a sentence (`rich_body`)."""
    rng = random.Random(seed)
    if dest.exists():
        shutil.rmtree(dest)
    content = dest / "content"
    streams = max(1, math.ceil(objectives / 40))
    teams = max(1, math.ceil(objectives / 10))
    kpis = max(streams, math.ceil(objectives / 2))
    cycles = "\n".join(f"  - {{id: {c}, title: {t}, start: {s}, end: {e}}}" for c, t, s, e in CYCLES)
    _write(dest / "okrsite.yaml", f"title: Generated handbook ({objectives} objectives)\n"
                                  f"as_of: {AS_OF}\ncurrent_cycle: 2025-Q3\ncycles:\n{cycles}\n")

    _write(content / "org/portfolio.md", "---\ntitle: Portfolio\nkind: portfolio\nlead: Ada Admin\n---\n"
                                         "The whole portfolio.\n")
    for s in range(streams):
        _write(content / f"org/stream-{s}.md", f"---\ntitle: Value stream {s}\nkind: value_stream\n"
                                               f"parent: portfolio\n---\nValue stream {s}'s purpose.\n")
    for t in range(teams):
        _write(content / f"org/team-{t}.md", f"---\ntitle: Team {t}\nkind: team\nparent: stream-{t % streams}\n"
                                             f"lead: Lead {t}\n---\nWhat team {t} does.\n")

    for k in range(kpis):
        stream = k % streams
        parent = f"parent: kpi-{stream}\n" if k >= streams else ""  # the stream's first KPI is its root
        head = (f"---\ntitle: KPI {k} {rng.choice(WORDS)}\norg_unit: stream-{stream}\nunit: pts\n"
                f"better: higher\ntarget: 80\nalert: 60\n{parent}indicator: lagging\n")
        months = [date(2023 + (m + 8) // 12, (m + 8) % 12 + 1, 28) for m in range(24)]  # 2023-09 … 2025-08
        points = list(zip(months, [round(50 + 30 * rng.random(), 1) for _ in months], strict=True))
        if k % 5 == 4:
            rows = "".join(f"{d},{v}\n" for d, v in points)
            _write(content / f"kpis/kpi-{k}.csv", "date,value\n" + rows)
            head += f"data: kpi-{k}.csv\n"
        else:
            head += "measurements:\n" + "".join(f"  - {{date: {d}, value: {v}}}\n" for d, v in points)
        _write(content / f"kpis/kpi-{k}.md", head + f"---\nHow KPI {k} is measured.\n"
                                                    + (rich_body(k, stream, "../") if rich else ""))

    tops = max(1, objectives // 10)
    for i in range(objectives):
        cid, _, start, end = CYCLES[1] if i % 5 else CYCLES[0]
        top = i < tops
        owner_unit = f"stream-{i % streams}" if top else f"team-{i % teams}"
        kpi = i % kpis
        lines = [f"title: {_title(rng, 'Improve')} {i}", f"cycle: {cid}", f"org_unit: {owner_unit}",
                 f"owner: Owner {i % 37}", f"kpis: [kpi-{kpi}]"]
        parent = None
        if not top:
            same = [j for j in range(tops) if (j % 5 == 0) == (i % 5 == 0)]  # a top objective in the same cycle
            if same:
                j = same[i % len(same)]
                parent = f"obj-{j}/grow" if i % 3 == 0 else f"obj-{j}"
                lines.append(f"parent: {parent}")
        lines.append(f"business_value: {{planned: {rng.randint(5, 10)}, actual: {rng.randint(3, 10)}}}")
        days = (min(end, AS_OF) - start).days
        checkins = "".join(
            f"      - {{date: {start + timedelta(days=days * (n + 1) // 4)}, value: {20 + 10 * n + rng.randint(0, 9)},"
            f" confidence: 0.{rng.randint(5, 9)}}}\n" for n in range(3))
        lines.append(
            "key_results:\n"
            f"  - id: grow\n    title: Grow {rng.choice(WORDS)} from 20 to 60\n    kind: increase\n"
            f"    start: 20\n    target: 60\n    unit: '%'\n    checkins:\n{checkins}"
            f"  - id: measured\n    title: KPI {kpi} to 80\n    kind: increase\n    start: 50\n    target: 80\n"
            f"    kpi: kpi-{kpi}\n"
            + (f"  - id: ship\n    title: Ship the {rng.choice(WORDS)} release\n    kind: milestone\n"
               f"    due: {end - timedelta(days=14)}\n    done: {'true' if i % 4 == 0 else 'false'}\n"
               if i % 2 else
               f"  - id: hold\n    title: Keep errors below 2 %\n    kind: threshold\n    range: [null, 2]\n"
               f"    checkins:\n      - {{date: {start + timedelta(days=days // 2)}, value: 1.{rng.randint(0, 9)}}}\n")
            + f"  - id: cut\n    title: Cut {rng.choice(WORDS)} wait from 40 to 10 minutes\n    kind: decrease\n"
            f"    start: 40\n    target: 10\n    unit: min\n    weight: 2\n"
            f"    checkins:\n      - {{date: {start + timedelta(days=days // 3)}, value: {38 - rng.randint(0, 9)}}}\n"
        )
        body = (f"Why objective {i} matters for {' and '.join(rng.sample(WORDS, 2))}. "
                f"Measured with [[kpi-{kpi}]]" + (f", contributing to [[{parent}]]" if parent else "") + ".\n"
                + (rich_body(i, kpi, "../../") if rich else ""))
        _write(content / f"objectives/{cid.lower()}/obj-{i}.md", "---\n" + "\n".join(lines) + "\n---\n" + body)

    _write(content / "handbook/how-we-work.md", "---\ntitle: How we work\norder: 1\n---\n"
                                                "# Cadence\n\nQuarterly cycles; see [[obj-0]].\n")
    return dest


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("dest", type=Path)
    p.add_argument("--objectives", type=int, default=1000)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--rich-bodies", action="store_true", help="objective and KPI bodies with lists, a table, links")
    args = p.parse_args(argv)
    generate(args.dest, args.objectives, args.seed, args.rich_bodies)
    print(f"wrote a handbook with {args.objectives} objectives to {args.dest}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
