"""`okrsite init DIR`: a small handbook that checks clean, dated around today."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path


def _quarter(d: date) -> tuple[str, date, date]:
    q = (d.month - 1) // 3
    start = date(d.year, 3 * q + 1, 1)
    nxt = date(d.year + (q == 3), (3 * q + 3) % 12 + 1, 1)
    return f"{d.year}-Q{q + 1}", start, nxt - timedelta(days=1)


def files(today: date) -> dict[str, str]:
    cid, start, end = _quarter(today)
    nid, nstart, nend = _quarter(end + timedelta(days=1))
    mid = start + (today - start) // 2
    return {
        "okrsite.yaml": f"""\
title: Our OKR Handbook
# as_of: {today.isoformat()}      # pin the date progress is judged at (default: today)
stale_after_days: 21
cycles:
  - {{id: {cid}, title: {cid.replace('-', ' ')}, start: {start}, end: {end}}}
  - {{id: {nid}, title: {nid.replace('-', ' ')}, start: {nstart}, end: {nend}}}
""",
        "content/org/company.md": """\
---
title: Our Company
kind: company
lead: Alex Example
---
Our vision: the one sentence that everything below contributes to.
""",
        "content/org/product-team.md": """\
---
title: Product Team
kind: team
parent: company
lead: Sam Example
---
What this team is for, in two or three sentences.
""",
        "content/kpis/active-users.md": f"""\
---
title: Weekly active users
org_unit: company
unit: k
better: higher
target: 50
alert: 40
indicator: lagging
measurements:
  - {{date: {start}, value: 38}}
  - {{date: {mid}, value: 42}}
---
Distinct signed-in users per week, from the product analytics dashboard.
""",
        f"content/objectives/{cid.lower()}/grow-usage.md": f"""\
---
title: Make the product part of every customer's week
cycle: {cid}
org_unit: company
owner: Alex Example
kpis: [active-users]
key_results:
  - id: weekly-users
    title: 50k weekly active users
    kind: increase
    start: 38
    target: 50
    unit: k
    kpi: active-users
  - id: onboarding-live
    title: New onboarding flow live
    kind: milestone
    due: {end}
    done: false
---
Why this matters now, and what we will not do.
""",
        f"content/objectives/{cid.lower()}/faster-onboarding.md": f"""\
---
title: Onboard new customers in one sitting
cycle: {cid}
org_unit: product-team
parent: grow-usage/onboarding-live
key_results:
  - id: time-to-value
    title: Median time to first value under 10 minutes
    kind: decrease
    start: 25
    target: 10
    unit: min
    checkins:
      - {{date: {mid}, value: 21, confidence: 0.6, note: first usability round}}
  - id: activation-baseline
    title: Establish an activation-rate baseline
    kind: baseline
---
""",
        "content/handbook/how-we-write-okrs.md": """\
---
title: How we write OKRs
order: 1
---
# How we write OKRs

An objective says where we are going; two to five key results say how we will know.
See [[grow-usage]] for an example, and the [format reference](#key-result-kinds).

## Key result kinds

| kind | use it for |
|------|------------|
| increase / decrease | moving a number from a start to a target |
| threshold | holding a number inside a range |
| milestone | a dated deliverable |
| baseline | measuring something for the first time |
""",
    }


def init(target: Path, today: date | None = None) -> str | None:
    """Write the starter into `target`; the reason it cannot, or None."""
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        return f"'{target}' exists and is not empty; choose a new folder"
    for rel, text in files(today or date.today()).items():
        path = target / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return None
