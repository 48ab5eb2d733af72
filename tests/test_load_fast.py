"""The fast ways of loading read exactly what the careful ways read.

Front matter is built from libyaml's events unless a document is unusual (then the composer
builds it, with positions); plain key results, check-ins and measurements are read without the
Fields machinery; workers stream parsed files back. Each test compares the fast way with the
careful one on generated input, through the public functions and real files.
"""

from __future__ import annotations

import dataclasses
import gc
import math
import os
import random
import signal
import time
from datetime import date
from pathlib import Path

import pytest

from okrsite.build import check
from okrsite.diagnostics import Diagnostics
from okrsite.load import PARALLEL_FROM, load_site
from okrsite.load.stream import stream_chunks
from okrsite.load.yamlnodes import BadScalar, parse
from okrsite.parallel import WorkerFailed
from tests.handbook import write_site

# -- YAML: events and composer agree ------------------------------------------------------------

SEEDS = [
    "title: Grow\ncycle: 2025-Q3\nkey_results:\n  - id: a\n    title: A\n    start: 20\n    target: 60\n"
    "    checkins:\n      - {date: 2025-07-23, value: 27, confidence: 0.5}\n",
    "measurements:\n  - {date: 2023-09-28, value: 65.7}\n  - {date: 2023-10-28, value: 72.5}\n",
    "a: 1\nb: yes\nc: ~\nd:\ne: 2025-02-30\nf: 1.0e+400\ng: .nan\nh: .inf\ni: 0x1f\nj: 0o17\nk: 1_000\n",
    "a: 2025-01-01 10:00:00\nb: 2025-01-01T10:00:00Z\nc: 'q'\nd: \"x\\ty\"\ne: |\n  x\n  y\nf: >\n  x\n",
    "a: &x {b: 1}\nc: *x\n<<: {d: 2}\n", "a: 1\na: 2\n", "1: a\nyes: b\nnull: c\n'': d\n\"\": e\n",
    "a: !custom x\nb: ! x\nc: !!binary aGk=\nd: !!set {x, y}\ne: =\nf: !!int\n", "? [a]\n: b\n", "- 1\n- [2, [3]]\n",
    "a: [1, 2\n", "a: 'x\n", "\ta: 1\n", "a: \u2028b\nc: x\x85y\n", "a: &x [*x]\n", "a: *nope\n", "---\na: 1\n---\nb: 2\n",
    "range: [null, 2]\ndone: false\ndue: 2025-09-16\nunit: '%'\nweight: 2\n", "", "# only a comment\n",
]
PIECES = [":", " ", "\n", "- ", "[", "]", "{", "}", ",", "&a ", "*a", "!!str ", "!x ", "<<: ", "'", '"', "yes", "~",
          "1", "0.5", "2025-02-30", "2025-01-01", "#", "\t", "\u2028", "? ", "|", ">", "a", "  ", "null", ".inf", "1e3"]


def _mutants(count: int) -> list[str]:
    rng = random.Random(20251201)
    out = list(SEEDS)
    while len(out) < count:
        chars = list(rng.choice(SEEDS))
        for _ in range(rng.randint(1, 4)):
            i = rng.randint(0, len(chars))
            if chars and rng.random() < 0.3:
                del chars[min(i, len(chars) - 1)]
            else:
                chars.insert(i, rng.choice(PIECES))
        out.append("".join(chars))
    return out


def _same(a: object, b: object) -> bool:
    """Equal values of equal types all the way down (1, 1.0 and True are three different readings)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return list(map(repr, a)) == list(map(repr, b)) and all(_same(a[k], b[k]) for k in a)  # type: ignore[index]
    if isinstance(a, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))  # type: ignore[arg-type]
    if isinstance(a, float) and math.isnan(a):
        return math.isnan(b)  # type: ignore[arg-type]
    if isinstance(a, BadScalar):
        return (a.text, a.reason) == (b.text, b.reason)  # type: ignore[attr-defined]
    return a == b


def test_front_matter_reads_the_same_with_and_without_positions() -> None:
    """Without positions a plain document is built from events; with them, always by the composer."""
    for text in _mutants(3000):
        fast, careful = parse(text, 3, marks=False), parse(text, 3, marks=True)
        assert _same(fast.value, careful.value), repr(text)
        assert [(p.pos, p.code, p.message) for p in fast.problems] == \
            [(p.pos, p.code, p.message) for p in careful.problems], repr(text)


def test_a_tag_without_a_value_is_a_diagnostic(tmp_path: Path) -> None:
    site = write_site(tmp_path / "site", {"content/guide/tag.md": "---\ntitle: Tag\norder: !!int\n---\n"})
    diags = [d.text() for d in check(site, "site").diagnostics]
    assert "site/content/guide/tag.md:3:8: error: 'order' should be a number, not '' (no value)" in diags


# -- key results, check-ins, measurements: plain entries and Fields agree ----------------------------

NUMBER = ["5", "0", "-1", "1.5", ".inf", "'5'", "yes", "null", "[1]", "1e3", "1.0e+400", "2025-01-01", "0.3"]
TEXT = ["abc", "''", "'  '", "5", "true", "null", "[a]", "2025-01-01", "Owner 1"]
DATE = ["2025-07-10", "2025-08-01", "2025-02-30", "'2025-07-01'", "2025-07-01 10:00:00", "null", "x", "2025-10-01"]
CHOICES = {
    "id": ["a", "Bad_id", "''", "5"], "title": TEXT, "kind": ["increase", "decrease", "threshold", "milestone",
                                                               "baseline", "bogus", "null"],
    "start": NUMBER, "target": NUMBER, "unit": TEXT, "kpi": ["nps", "5", "null"], "weight": NUMBER, "stretch": NUMBER,
    "range": ["[null, 2]", "[1, 2]", "[2, 1]", "[null, null]", "[1]", "x", "[1, .inf]"], "due": DATE,
    "done": ["true", "false", "yes", "'true'", "null"], "current": NUMBER, "owner": TEXT, "description": TEXT,
}


def _entry(rng: random.Random, fields: dict[str, list[str]]) -> list[str]:
    return [f"{k}: {pool[0] if rng.random() < 0.6 else rng.choice(pool)}" for k, pool in fields.items()
            if rng.random() < 0.7]


def _flow_list(rng: random.Random, fields: dict[str, list[str]], extra: str = "") -> str:
    """A one-line list of mappings; `extra` (a `, key: value`) goes at the end of the last one."""
    entries = [", ".join(_entry(rng, fields)) for _ in range(rng.randint(0, 3))]
    if entries and extra:
        entries[-1] = (entries[-1] + extra) if entries[-1] else extra.lstrip(", ")
    return "[" + ", ".join("{" + e + "}" for e in entries) + "]"


def _key_result(rng: random.Random) -> str:
    parts = _entry(rng, CHOICES)
    if rng.random() < 0.7:
        parts.append("checkins: " + _flow_list(rng, {"date": DATE, "value": NUMBER, "note": TEXT,
                                                     "confidence": ["0.5", "1.5", "-0.1", "null", "x"]}))
    if rng.random() < 0.3:
        parts.append("plan: " + _flow_list(rng, {"date": DATE, "value": NUMBER}))
    return ", ".join(parts)


def test_plain_entries_read_as_through_fields(tmp_path: Path) -> None:
    """Each objective and KPI is written twice; the twin's extra unknown key (at the end of a one-line
    mapping, so no position moves) sends it through Fields. Both must read the same, with the same
    diagnostics but the twin's unknown-key warning."""
    rng = random.Random(7)
    files = {}
    for n in range(150):
        krs = [_key_result(rng) for _ in range(rng.randint(1, 3))]
        state = rng.getstate()
        for twin, extra in (("a", ""), ("b", ", zz: 1")):
            files[f"content/objectives/o{n}{twin}.md"] = (
                "---\ntitle: O\ncycle: 2025-Q3\norg_unit: acme\nkey_results:\n"
                + "".join(f"  - {{{kr}{extra}}}\n" for kr in krs) + "---\n")
            rng.setstate(state)  # the same measurements for both twins
            files[f"content/kpis/k{n}{twin}.md"] = (
                "---\ntitle: K\norg_unit: acme\nmeasurements: "
                + _flow_list(rng, {"date": DATE, "value": NUMBER}, extra) + "\n---\n")
    build = check(write_site(tmp_path / "site", files), "site")
    pages = {p.id: p for p in build.site.pages}
    for n in range(150):
        for stem, what in ((f"o{n}", "key_results"), (f"k{n}", "measurements")):
            a, b = pages.get(stem + "a"), pages.get(stem + "b")
            assert (a is None) == (b is None), stem
            if a is not None:
                assert repr(getattr(a, what)) == repr(getattr(b, what)), stem
    said = {}
    for d in build.diagnostics:
        name = d.file.rsplit("/", 1)[-1]
        stem, twin = name[:-4], name[-4]
        if twin in "ab" and not (d.code == "unknown-key" and "'zz'" in d.message):
            message = d.message.replace(f"'{stem}{twin}'", f"'{stem}'")
            said.setdefault(stem, {"a": [], "b": []})[twin].append((d.line, d.column, d.code, message))
    assert said, "the generated entries should produce diagnostics"
    for stem, by_twin in said.items():
        assert by_twin["a"] == by_twin["b"], stem


def test_a_data_file_symlink_loop_is_a_diagnostic(tmp_path: Path) -> None:
    site = write_site(tmp_path / "site", {"content/kpis/loop.md": "---\ntitle: L\norg_unit: acme\ndata: loop.csv\n---\n"})
    (site / "content/kpis/loop.csv").symlink_to("loop.csv")
    diags = [d.text() for d in check(site, "site").diagnostics]
    assert ("site/content/kpis/loop.md:4:7: error: data file 'loop.csv' not found "
            "(looked for site/content/kpis/loop.csv)") in diags


# -- workers ----------------------------------------------------------------------------------------


def _fingerprint(site: Path, jobs: int) -> tuple[list[str], list[str]]:
    diags = Diagnostics()
    loaded = load_site(site, "site", diags, date(2025, 8, 16), jobs)
    pages = [f"{p.file.rel} {type(p).__name__} {p.id} {p.fields!r} {p.body_line} {p.doc.anchors} "
             f"{[(link.kind, link.target, link.pos) for link in p.doc.links]}" for p in loaded.pages]
    return [d.text() for d in diags], pages + sorted(loaded.failed.items().__repr__())


def test_loading_is_the_same_with_any_number_of_workers(tmp_path: Path) -> None:
    files = {f"content/objectives/o{n}.md": "---\ntitle: O\ncycle: 2025-Q3\norg_unit: acme\nkey_results:\n"
             f"  - {{{_key_result(random.Random(n))}}}\n---\n# Why {n}\n[[nps]] and [x](#why-{n % 3})\n"
             for n in range(PARALLEL_FROM + 50)}
    files["content/objectives/broken.md"] = "---\ntitle: [unclosed\n---\n"
    files["content/guide/empty.md"] = ""
    site = write_site(tmp_path / "site", files)
    (site / "content/guide/latin1.md").write_bytes(b"---\ntitle: caf\xe9\n---\n")
    one = _fingerprint(site, 1)
    assert any("yaml-syntax" not in d and "error" in d for d in one[0])
    assert _fingerprint(site, 2) == one
    assert _fingerprint(site, 3) == one


@pytest.mark.parametrize("jobs", [1, 2, 3])
def test_every_chunk_is_done_once(jobs: int) -> None:
    seen: list[int] = []

    def here(chunk: range) -> None:
        seen.extend(chunk)

    stream_chunks(1000, jobs, 7, lambda chunk: list(chunk), seen.extend, here)
    assert sorted(seen) == list(range(1000))


def _slowly(chunk: range) -> None:
    time.sleep(0.01)  # leaves the worker chunks to take


def test_a_failing_worker_fails_the_whole_load() -> None:
    def work(chunk: range) -> list[int]:
        raise ValueError("bad chunk")

    with pytest.raises(WorkerFailed, match="build worker 1 failed: ValueError: bad chunk"):
        stream_chunks(1000, 2, 10, work, lambda result: None, _slowly)


def test_a_killed_worker_fails_the_whole_load() -> None:
    def work(chunk: range) -> list[int]:
        os.kill(os.getpid(), signal.SIGKILL)
        return []

    with pytest.raises(WorkerFailed, match="killed by SIGKILL"):
        stream_chunks(1000, 2, 10, work, lambda result: None, _slowly)


def test_check_leaves_the_collector_as_it_found_it(tmp_path: Path) -> None:
    site = write_site(tmp_path / "site")
    for enabled in (True, False):
        (gc.enable if enabled else gc.disable)()
        try:
            build = check(site, "site")
        finally:
            gc.enable()
        assert gc.isenabled()
        assert build.results is not None and dataclasses.is_dataclass(build.results)
