"""A small valid handbook written to disk, for tests that plant one fault at a time."""

from __future__ import annotations

import textwrap
from pathlib import Path

CONFIG = """\
title: Test Handbook
as_of: 2025-08-16
cycles:
  - {id: 2025-Q2, title: Q2 2025, start: 2025-04-01, end: 2025-06-30}
  - {id: 2025-Q3, title: Q3 2025, start: 2025-07-01, end: 2025-09-30}
"""

_RAW: dict[str, str] = {
    "okrsite.yaml": CONFIG,
    "content/org/acme.md": """\
        ---
        title: Acme
        kind: portfolio
        ---
        Vision.
        """,
    "content/org/team.md": """\
        ---
        title: Team
        kind: team
        parent: acme
        ---
        """,
    "content/kpis/nps.md": """\
        ---
        title: Net Promoter Score
        org_unit: acme
        target: 60
        alert: 45
        measurements:
          - {date: 2025-07-31, value: 50}
        ---
        # Definition

        How it is measured.
        """,
    "content/objectives/grow.md": """\
        ---
        title: Grow
        cycle: 2025-Q3
        org_unit: acme
        kpis: [nps]
        key_results:
          - id: nps-60
            title: NPS 60
            start: 40
            target: 60
            kpi: nps
          - id: ship
            title: Ship it
            kind: milestone
            due: 2025-09-01
        ---
        Why.
        """,
    "content/objectives/child.md": """\
        ---
        title: Child
        cycle: 2025-Q3
        org_unit: team
        parent: grow/nps-60
        key_results:
          - {id: a, title: A, start: 0, target: 10, checkins: [{date: 2025-08-01, value: 5}]}
          - {id: b, title: B, kind: baseline}
        ---
        """,
    "content/guide/intro.md": """\
        ---
        title: Intro
        ---
        # Intro

        ## Section One

        See [[grow]] and [the KPI](../kpis/nps.md#definition).
        """,
}


BASE: dict[str, str] = {name: textwrap.dedent(text) for name, text in _RAW.items()}


def write_site(root: Path, overrides: dict[str, str | None] | None = None) -> Path:
    """Write BASE with `overrides` applied (None deletes a file); returns the site folder."""
    files = dict(BASE)
    for name, text in (overrides or {}).items():
        if text is None:
            files.pop(name, None)
        else:
            files[name] = text
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root
