"""`serve` rebuilds only the pages an edit can change, and the result is exactly a full build's.

Each edit below is applied to a generated handbook in turn; after each, the
incremental rebuild's outputs must equal those of a fresh state built from
scratch, byte for byte, while a one-value edit rebuilds only a few contexts.
"""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pytest

from okrsite.render import Deferred
from okrsite.render.deps import ALL, Reads, Tracked, TrackedMap, changed_keys
from okrsite.serve.outputs import Outputs
from okrsite.serve.state import SiteState
from tests.site_support import REPO

sys.path.insert(0, str(REPO / "bench"))
from generate import generate  # noqa: E402

Edit = Callable[[Path], list[Path]]


def _sub(path: Path, pattern: str, repl: str, count: int = 1) -> list[Path]:
    text = path.read_text(encoding="utf-8")
    new, n = re.subn(pattern, repl, text, count=count)
    assert n, f"{pattern!r} not in {path}"
    path.write_text(new, encoding="utf-8")
    return [path]


def obj(site: Path, i: int) -> Path:
    return next((site / "content/objectives").rglob(f"obj-{i}.md"))


EDITS: list[tuple[str, Edit]] = [
    ("a check-in value", lambda s: _sub(obj(s, 17), r"value: (\d+), confidence", r"value: 59, confidence")),
    ("a body sentence", lambda s: _sub(obj(s, 17), r"Why objective 17 matters", "Why it matters now")),
    ("an objective's title", lambda s: _sub(obj(s, 3), r"title: (.*) 3\n", r"title: Renamed top objective 3\n")),
    ("a KPI measurement", lambda s: _sub(s / "content/kpis/kpi-3.md", r"value: [\d.]+\}", "value: 99.5}")),
    ("an objective's unit", lambda s: _sub(obj(s, 21), r"org_unit: team-\d+", "org_unit: team-2")),
    ("a unit's title", lambda s: _sub(s / "content/org/team-2.md", r"title: Team 2", "title: Team Two")),
    ("a parent link", lambda s: _sub(obj(s, 22), r"parent: obj-\d+(/grow)?", "parent: obj-1")),
    ("a new objective", lambda s: _new(s)),
    ("a deleted objective", lambda s: _delete(obj(s, 44))),
    ("okrsite.yaml", lambda s: _sub(s / "okrsite.yaml", r"as_of: 2025-08-15", "as_of: 2025-08-20")),
]


def _new(site: Path) -> list[Path]:
    path = site / "content/objectives/2025-q3/obj-new.md"
    path.write_text("---\ntitle: Brand new\ncycle: 2025-Q3\norg_unit: team-2\nparent: obj-1\nkey_results:\n"
                    "  - {id: one, title: One, start: 0, target: 10, checkins: [{date: 2025-08-01, value: 4}]}\n"
                    "---\nSee [[obj-1]].\n", encoding="utf-8")
    return [path]


def _delete(path: Path) -> list[Path]:
    path.unlink()
    return [path]


@pytest.fixture(params=["plain", "git"])
def site(tmp_path: Path, request: pytest.FixtureRequest) -> Path:
    """A generated handbook; in a git repository too, where every edit is also an uncommitted change."""
    root = generate(tmp_path / "hb", 60, seed=5)
    if request.param == "git":
        git = ["git", "-c", "user.name=T", "-c", "user.email=t@example.org", "-C", str(root)]
        subprocess.run([*git, "init", "-q"], check=True)
        subprocess.run([*git, "add", "-A"], check=True)
        subprocess.run([*git, "commit", "-qm", "start"], check=True)
        _sub(obj(root, 3), r"target: 60", "target: 65")
        subprocess.run([*git, "commit", "-qam", "Raise the target"], check=True)
    return root


def html(outputs: dict) -> dict[str, bytes]:
    return {k: v for k, v in outputs.items() if k.endswith(".html")}


def test_each_edit_rebuilds_like_a_full_build(site: Path) -> None:
    state = SiteState(site, str(site))
    assert state.rebuild().ok
    total = len(html(state.outputs))
    for what, edit in EDITS:
        changed = edit(site)
        outcome = state.rebuild(changed)
        assert outcome.ok, (what, outcome.errors)
        fresh = SiteState(site, str(site))
        assert fresh.rebuild().ok
        ours, full = html(state.outputs), html(fresh.outputs)
        assert sorted(ours) == sorted(full), what
        stale = [k for k in full if ours[k] != full[k]]
        assert stale == [], f"after {what}: stale pages {stale[:5]}"
        if what == "a body sentence":
            assert state.cache.rebuilt < total / 4, (what, state.cache.rebuilt, total)


def made(outputs: Mapping[str, Any]) -> dict[str, Any]:
    """Every output with deferred ones made (iterating also makes the search index, sitemap, feed, calendar)."""
    return {k: v() if isinstance(v, Deferred) else v for k, v in ((k, outputs[k]) for k in list(outputs))}


def test_each_edit_rebuilds_lazily_like_a_full_build(site: Path) -> None:
    """The preview's way: the edited page first, the rest when asked for. Every output (data.json, the
    search index … too) must be what a fresh build makes; half the time nothing is asked for in between,
    so pages left pending by one edit must come right after the next."""
    state = SiteState(site, str(site), lazy=True)
    assert state.rebuild().ok
    state.settle()
    for i, (what, edit) in enumerate(EDITS):
        changed = edit(site)
        outcome = state.rebuild(changed)
        assert outcome.ok, (what, outcome.errors)
        assert isinstance(state.outputs, Outputs) and not state.outputs.settled
        state.settle()
        if i % 2 and what != EDITS[-1][0]:
            continue
        fresh = SiteState(site, str(site))
        assert fresh.rebuild().ok
        ours, full = made(state.outputs), made(fresh.outputs)
        assert sorted(ours) == sorted(full), what
        stale = [k for k in full if ours[k] != full[k]]
        assert stale == [], f"after {what}: stale outputs {stale[:5]}"


def test_an_unchanged_rebuild_builds_only_the_pages_without_recorded_reads(site: Path) -> None:
    state = SiteState(site, str(site))
    assert state.rebuild().ok
    total = len(html(state.outputs))
    path = obj(site, 5)
    path.touch()
    assert state.rebuild([path]).ok
    assert state.cache.rendered == []
    assert state.cache.rebuilt < total / 4


def test_tracked_views_record_what_is_read() -> None:
    reads = Reads()
    d = {"a": 1, "b": 2}
    m = TrackedMap(d, "g.x", reads)
    m["a"]
    assert reads.keys is None  # inactive: nothing recorded
    reads.start()
    assert m["a"] == 1 and m.get("z") is None and "b" in m
    assert reads.take() == {("g.x", "a"), ("g.x", "z"), ("g.x", "b")}
    reads.start()
    assert sorted(m) == ["a", "b"]
    assert reads.take() == {("g.x", ALL)}


def test_changed_keys_names_each_changed_entry() -> None:
    from dataclasses import dataclass, field

    @dataclass
    class G:
        kids: dict = field(default_factory=dict)
        people: list = field(default_factory=list)

    old = G({"u1": ["a"], "u2": ["b"]}, ["x"])
    new = G({"u1": ["a"], "u2": ["b", "c"], "u3": []}, ["x"])
    assert changed_keys(old, new, "g.") == {("g.kids", "u2"), ("g.kids", "u3"), ("g.kids", ALL)}
    assert changed_keys(old, G(dict(old.kids), ["y"]), "g.") == {("g.people", ALL)}
    reads = Reads()
    reads.start()
    assert Tracked(new, reads, "g.").people == ["x"]
    assert reads.take() == {("g.people", ALL)}
