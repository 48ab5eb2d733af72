"""A small handbook exercising phased plans, forecasts, confidence and dependencies, for the page tests.

Cycle 2025-Q3 runs 2025-07-01 … 2025-09-30, judged on 2025-08-15. "grow" has a planned key result whose
confidence fell 0.8 → 0.6 and whose slow check-ins forecast a miss; it depends on "crane" (off track:
in trouble) and on the key result "berth/api-ready" (on track); "portal" depends on "grow/nps".
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.site_support import REPO

FILES = {
    "okrsite.yaml": """\
title: Planning Handbook
as_of: 2025-08-15
current_cycle: 2025-Q3
stale_after_days: 60
cycles:
  - {id: 2025-Q3, title: Q3 2025, start: 2025-07-01, end: 2025-09-30}
""",
    "content/org/acme.md": "---\ntitle: Acme Port\n---\nMove containers faster.\n",
    "content/org/ops.md": "---\ntitle: Terminal Ops\nparent: acme\n---\n",
    "content/objectives/grow.md": """\
---
title: Grow customer satisfaction
cycle: 2025-Q3
org_unit: acme
owner: Priya Raman
depends_on: [crane, berth/api-ready]
key_results:
  - id: nps
    title: NPS of 60 or more
    kind: increase
    start: 40
    target: 60
    unit: pts
    owner: Lee Wong
    plan:
      - {date: 2025-07-31, value: 46}
      - {date: 2025-08-31, value: 53}
    checkins:
      - {date: 2025-07-16, value: 41, confidence: 0.8}
      - {date: 2025-08-01, value: 43, confidence: 0.8}
      - {date: 2025-08-12, value: 44, confidence: 0.6, note: "survey wave 2"}
  - id: cost
    title: Cost per move below 80
    kind: decrease
    start: 100
    target: 80
    unit: USD
    checkins:
      - {date: 2025-07-20, value: 97, confidence: 0.7}
      - {date: 2025-08-10, value: 92, confidence: 0.75}
  - id: launch
    title: Self-service portal live
    kind: milestone
    due: 2025-09-15
---
Why this matters.
""",
    "content/objectives/crane.md": """\
---
title: Automate the cranes
cycle: 2025-Q3
org_unit: ops
key_results:
  - id: cranes
    title: Ten cranes automated
    kind: increase
    start: 0
    target: 10
    checkins:
      - {date: 2025-08-10, value: 1, confidence: 0.5}
---
""",
    "content/objectives/berth.md": """\
---
title: Berth system ready
cycle: 2025-Q3
org_unit: ops
key_results:
  - id: api-ready
    title: Berth API ready
    kind: milestone
    due: 2025-08-01
    done: true
---
""",
    "content/objectives/portal.md": """\
---
title: Customer portal adoption
cycle: 2025-Q3
org_unit: acme
depends_on: [grow/nps]
key_results:
  - id: users
    title: 1,000 portal users
    kind: increase
    start: 0
    target: 1000
    checkins:
      - {date: 2025-08-14, value: 600}
---
""",
}


def write_planning_handbook(root: Path) -> Path:
    for name, text in FILES.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def build_planning_site(tmp: Path) -> Path:
    """Write the handbook under `tmp` and build it with the real CLI in a subprocess; returns the output folder."""
    site = write_planning_handbook(tmp / "handbook")
    out = tmp / "out"
    proc = subprocess.run([sys.executable, "-m", "okrsite", "build", str(site), "--out", str(out)],
                          cwd=REPO, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return out
