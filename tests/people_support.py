"""A small handbook with owners, leads and cross-unit dependencies, for the people, dependency and
calendar tests (the example handbook and the bench generator have no `depends_on`)."""

from __future__ import annotations

from pathlib import Path

CONFIG = """\
title: "Port Ops, Inc."
as_of: 2025-08-15
current_cycle: 2025-Q3
cycles:
  - {id: 2025-Q2, title: Q2 2025, start: 2025-04-01, end: 2025-06-30}
  - {id: 2025-Q3, title: Q3 2025, start: 2025-07-01, end: 2025-09-30}
"""

FILES = {
    "content/org/terminal.md": "---\ntitle: Terminal Stream\nkind: value_stream\nlead: Ana Ölz\n---\n",
    "content/org/cranes.md": "---\ntitle: Crane Team\nkind: team\nparent: terminal\nlead: José Núñez\n---\n",
    "content/org/digital.md": "---\ntitle: Digital Stream\nkind: value_stream\nlead: Lee Wong\n---\n",
    "content/org/platform.md": "---\ntitle: Platform Stream\nkind: value_stream\n---\n",
    # on track: 50 % done at about half the cycle
    "content/objectives/crane-automation.md": """---
title: Automate the cranes
cycle: 2025-Q3
org_unit: cranes
owner: José Núñez
key_results:
  - {id: cycle-time, title: Crane cycle time down, kind: decrease, start: 100, target: 80, current: 89}
---
""",
    # off track: nothing moved, and its milestone (owned by someone else) is not done
    "content/objectives/berth-system.md": """---
title: Berth system, rebuilt
cycle: 2025-Q3
org_unit: platform
owner: Ana Ölz
key_results:
  - {id: api-ready, title: "Berth API ready; tested, documented", kind: milestone, due: 2025-09-01,
     done: false, owner: Kim Park}
  - {id: migrated, title: Berths migrated, kind: increase, start: 0, target: 40, current: 0}
---
""",
    "content/objectives/app-launch.md": """---
title: Launch the port app
cycle: 2025-Q3
org_unit: digital
owner: Lee Wong
depends_on: [berth-system/api-ready, crane-automation]
key_results:
  - {id: users, title: Monthly users, kind: increase, start: 0, target: 1000, current: 450}
---
""",
    "content/objectives/berth-dashboard.md": """---
title: Berth dashboard
cycle: 2025-Q3
org_unit: digital
owner: Lee Wong
depends_on: [berth-system]
key_results:
  - {id: live, title: Dashboard live, kind: milestone, due: 2025-07-20, done: true}
---
""",
    "content/objectives/crane-sensors.md": """---
title: Crane sensors fitted
cycle: 2025-Q3
org_unit: terminal
owner: Kim Park
depends_on: [crane-automation]
key_results:
  - {id: fitted, title: Cranes fitted, kind: increase, start: 0, target: 10, current: 5}
---
""",
    "content/objectives/old-pilot.md": """---
title: Pilot the app
cycle: 2025-Q2
org_unit: digital
owner: Lee Wong
key_results:
  - {id: pilot, title: Pilot with one terminal, kind: milestone, due: 2025-06-30, done: true}
---
""",
    "content/kpis/berth-wait.md": """---
title: Berth waiting time
org_unit: terminal
owner: Kim Park
unit: h
better: lower
target: 4
alert: 8
measurements:
  - {date: 2025-07-31, value: 9}
---
""",
}


def write_port_handbook(root: Path) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "okrsite.yaml").write_text(CONFIG, encoding="utf-8")
    for name, text in FILES.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root
