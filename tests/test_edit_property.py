"""Property tests for `okrsite checkin`: whatever way the objective file is written — block or flow
key results, check-in lists in block, flow, multi-line flow, empty or absent form, comments anywhere,
quoted or plain scalars, CRLF, a BOM — the check-in changes nothing but the bytes it adds, and the file
reads back (with the loader's own parser) as the old front matter with exactly that check-in added.

Each example writes a real handbook to disk and runs the command's code path in-process (the CLI in
a subprocess is covered by test_cli_edit.py). OKRSITE_FUZZ_EXAMPLES raises the count.
"""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from okrsite.edit.commands import Options, checkin
from okrsite.edit.values import front
from tests.handbook import write_site

PROPS = settings(max_examples=int(os.environ.get("OKRSITE_FUZZ_EXAMPLES", "80")), deadline=None,
                 suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
HEAD = ["title: Child", "cycle: 2025-Q3", "org_unit: team", "parent: grow/nps-60"]
STYLES = ["absent", "empty", "tilde", "flow", "flow-lines", "block-flow", "block-block"]
IN_CYCLE = st.dates(min_value=date(2025, 7, 1), max_value=date(2025, 9, 30))
comment = st.sampled_from(["", "  # note", "   #: x, y", " # {not: yaml} [", " # 'quoted"])
title = st.sampled_from(["Plain title", "'Single: quoted'", '"Double \\"quoted\\""', "Ünïcödé ✓", '"a, b: {c}"'])


@st.composite
def entries(draw: st.DrawFn, block_items: bool) -> tuple[list[str], list[dict]]:
    """Existing check-ins (usually in date order) as text fragments, and the values they load as."""
    days = draw(st.lists(IN_CYCLE, min_size=1, max_size=3))
    if draw(st.booleans()):
        days.sort()
    out, values = [], []
    for d in days:
        v = draw(st.integers(0, 99))
        quoted = draw(st.booleans())
        when = f'"{d}"' if quoted else str(d)
        values.append({"date": str(d) if quoted else d, "value": v})
        if block_items:
            out.append(f"date: {when}\nvalue: {v}")
        else:
            out.append(draw(st.sampled_from(["{{date: {}, value: {}}}", "{{ date: {}, value: {} }}"])).format(when, v))
    return out, values


@st.composite
def checkin_list(draw: st.DrawFn, key_col: int) -> tuple[str, list[str], list[dict] | None]:
    """(style, lines of the `checkins` key at column `key_col`, the list it loads as)."""
    style = draw(st.sampled_from(STYLES))
    pad = " " * key_col
    if style == "absent":
        return style, [], None
    if style == "empty":
        return style, [f"{pad}checkins:{draw(comment)}"], None
    if style == "tilde":
        return style, [f"{pad}checkins: ~"], None
    texts, values = draw(entries(style == "block-block"))
    if style == "flow":
        inner = ", ".join(texts)
        return style, [f"{pad}checkins: [{inner}]{draw(comment)}"], values
    if style == "flow-lines":
        trailing = draw(st.booleans())
        body = [f"{pad}  {t}{',' if i < len(texts) - 1 or trailing else ''}{draw(comment)}"
                for i, t in enumerate(texts)]
        return style, [f"{pad}checkins: [", *body, f"{pad}]"], values
    dash = pad + " " * draw(st.sampled_from([0, 2]))
    gap = " " * draw(st.integers(1, 3))
    lines = [f"{pad}checkins:{draw(comment)}"]
    for t in texts:
        first, *rest = t.split("\n")
        lines.append(f"{dash}-{gap}{first}{draw(comment)}")
        lines += [f"{dash} {' ' * len(gap)}{r}" for r in rest]
        if draw(st.booleans()):
            lines.append(f"{pad}# between entries")
    return style, lines, values


@st.composite
def objective_file(draw: st.DrawFn) -> dict[str, Any]:
    """An objective whose key result 'a' gets the check-in; another one, 'b', before or after it, or not."""
    dash = " " * draw(st.sampled_from([0, 2, 4]))
    gap = " " * draw(st.integers(1, 2))
    key = dash + " " + gap
    flow_kr = draw(st.booleans())
    if flow_kr:
        with_list = draw(st.booleans())
        texts, values = draw(entries(False)) if with_list else ([], None)
        listing = f", checkins: [{', '.join(texts)}]" if with_list else ""
        kr = [f"{dash}-{gap}{{id: a, title: {draw(title)}, start: 0, target: 100{listing}}}{draw(comment)}"]
        style = "flow-kr" if with_list else "flow-kr-absent"
    else:
        style, lines, values = draw(checkin_list(len(key)))
        fields = [f"id: a{draw(comment)}", f"title: {draw(title)}", "start: 0", f"target: 100{draw(comment)}"]
        place = draw(st.integers(1, len(fields)))  # check-ins among the other keys, or last
        fields[place:place] = ["\0"]
        kr = []
        for i, f in enumerate(fields):
            if f == "\0":
                kr += lines
            else:
                kr.append(f"{dash}-{gap}{f}" if i == 0 else f"{key}{f}")
        if draw(st.booleans()):
            kr.append("# a comment after the key result")
    other = draw(st.sampled_from([[], [f"{dash}-{gap}{{id: b, title: B, kind: baseline}}"],
                                  [f"{dash}-{gap}id: b", f"{key}title: B", f"{key}kind: baseline"],
                                  [f"{dash}-{gap}id: b", f"{key}kind: baseline", f"{key}checkins:",
                                   f"{key}-   date: 2025-07-02", f"{key}    value: 1"],
                                  [f"{dash}-{gap}id: b", f"{key}kind: baseline",
                                   f"{key}checkins: [{{date: 2025-07-02, value: 1}}]"]]))
    if draw(st.booleans()):  # the other key result first: its list's style is the one to follow
        kr, other = other, kr
    body = draw(st.sampled_from(["Why.\n", "", "# Heading\n\nText with: colons, and [[grow]].\n"]))
    lines = ["---", *HEAD, f"key_results:{draw(comment)}", *kr, *other, "---"]
    return {"text": "\n".join(lines) + "\n" + body, "style": style, "values": values,
            "eol": draw(st.sampled_from(["\n", "\r\n"])), "bom": draw(st.booleans())}


new_checkins = st.fixed_dictionaries({
    "when": IN_CYCLE,
    "value": st.one_of(st.integers(-50, 500).map(str), st.sampled_from(["4.5", "0.25", "12.50", "-3.75", "1e3"])),
    "confidence": st.one_of(st.none(), st.sampled_from(["0", "0.5", "0.75", "1"])),
    "note": st.one_of(st.none(), st.text(st.characters(blacklist_categories=("Cs",)), max_size=24)),
})


def inserted_chunks(old: bytes, new: bytes) -> list[bytes] | None:
    """The chunks that, taken out of `new`, leave `old` (one or two of them), else None."""
    if len(new) <= len(old):
        return None
    p = 0
    while p < len(old) and old[p] == new[p]:
        p += 1
    s = 0
    while s < len(old) - p and old[-1 - s] == new[-1 - s]:
        s += 1
    if p + s == len(old):
        return [new[p:len(new) - s]]
    mid_old, mid_new = old[p:len(old) - s], new[p:len(new) - s]
    i = mid_new.find(mid_old, 1)
    while i > 0:
        if mid_new.endswith(mid_old, 0, i + len(mid_old)):
            return [mid_new[:i], mid_new[i + len(mid_old):]]
        i = mid_new.find(mid_old, i + 1)
    return None


def added_lines(old: bytes, new: bytes, eol: bytes) -> bool:
    """Whether `new` is `old` with whole lines put in at one place (some line start of `old`)."""
    size = len(new) - len(old)
    for q in range(len(old) + 1):
        if q and not old[:q].endswith(eol):
            continue
        if new[:q] == old[:q] and new[q + size:] == old[q:] and new[q:q + size].endswith(eol):
            return True
    return False


def expected_position(values: list[dict], when: date) -> int:
    dates = [v["date"] if isinstance(v["date"], date) else date.fromisoformat(v["date"]) for v in values]
    if dates != sorted(dates):
        return len(values)
    return sum(1 for d in dates if d <= when)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_site(tmp_path_factory.mktemp("prop") / "hb")


@PROPS
@given(objective_file(), new_checkins)
def test_checkin_changes_only_the_bytes_it_adds(site: Path, case: dict[str, Any], new: dict[str, Any]) -> None:
    target = site / "content/objectives/child.md"
    old = (b"\xef\xbb\xbf" if case["bom"] else b"") + case["text"].replace("\n", case["eol"]).encode("utf-8")
    target.write_bytes(old)
    old_front = front(old.decode("utf-8-sig"))
    assert old_front is not None, case["text"]

    report = checkin(Options(site, str(site)), "child/a", new["value"], new["when"], new["confidence"], new["note"])
    got = target.read_bytes()
    assert report.code == 0, (report.out, report.err, case["text"])

    # reads back as the old front matter with exactly this check-in added, body unchanged
    added = {"date": new["when"], "value": float(new["value"])}
    if new["confidence"] is not None:
        added["confidence"] = float(new["confidence"])
    if new["note"] is not None:
        added["note"] = new["note"]
    expected, _ = old_front
    kr = next(k for k in expected["key_results"] if k["id"] == "a")
    listed = kr.get("checkins")
    if isinstance(listed, list):
        listed.insert(expected_position(listed, new["when"]), added)
    else:
        kr["checkins"] = [added]
    new_front = front(got.decode("utf-8-sig"))
    assert new_front is not None
    assert new_front == (expected, old_front[1])

    # every other byte as it was: line ends, BOM, and only insertions (a `~` is the one thing replaced)
    assert got.startswith(b"\xef\xbb\xbf") == case["bom"]
    if case["eol"] == "\r\n":
        assert got.count(b"\n") == got.count(b"\r\n")
    else:
        assert b"\r" not in got
    if case["style"] == "tilde":  # `~` gives way to `[{…}]`; all around it stays
        at = old.index(b"checkins: ~") + len(b"checkins: ")
        assert got[:at] == old[:at] and got.endswith(old[at + 1:])
        assert got[at:len(got) - len(old) + at + 1].startswith(b"[{") and b"\n" not in got[at:len(got) - len(old) + at + 1]
        return
    chunks = inserted_chunks(old, got)
    assert chunks is not None, (old, got)
    if case["style"] in ("absent", "empty", "block-flow", "block-block"):  # whole new lines, nothing else
        assert len(chunks) == 1
        assert added_lines(old, got, case["eol"].encode())


@st.composite
def csv_file(draw: st.DrawFn) -> dict[str, Any]:
    """A KPI's CSV file: any column order and header case, LF or CRLF, rows in date order or not,
    with or without a last line end, blank lines, an extra note column."""
    columns = draw(st.permutations(["date", "value", "note"] if draw(st.booleans()) else ["date", "value"]))
    header = [c.upper() if draw(st.booleans()) else c for c in columns]
    days = draw(st.lists(IN_CYCLE, min_size=0, max_size=4, unique=True))
    if draw(st.booleans()):
        days.sort()
    rows = []
    for d in days:
        cells = {"date": str(d), "value": str(draw(st.integers(0, 99))), "note": draw(st.sampled_from(["", "ok", "x y"]))}
        rows.append(",".join(cells[c] for c in columns))
    if rows and draw(st.booleans()):
        rows.insert(draw(st.integers(0, len(rows))), "")
    eol = draw(st.sampled_from(["\n", "\r\n"]))
    text = eol.join([",".join(header), *rows]) + (eol if draw(st.booleans()) else "")
    return {"text": text, "eol": eol, "columns": columns}


@PROPS
@given(csv_file(), IN_CYCLE, st.integers(-5, 500))
def test_measure_adds_one_row_to_a_csv_file(site: Path, case: dict[str, Any], when: date, value: int) -> None:
    from okrsite.edit.commands import measure

    (site / "content/kpis/nps.md").write_text("---\ntitle: NPS\norg_unit: acme\ntarget: 60\ndata: nps.csv\n---\n")
    csv = site / "content/kpis/nps.csv"
    old = case["text"].encode()
    csv.write_bytes(old)
    report = measure(Options(site, str(site)), "nps", str(value), when)
    assert report.code == 0, (report.out, report.err, case)
    got = csv.read_bytes()
    chunks = inserted_chunks(old, got)
    assert chunks is not None and len(chunks) == 1
    eol = case["eol"].encode() if b"\n" in old else b"\n"  # a lone header line says nothing: LF
    cells = {"date": str(when), "value": str(value), "note": ""}
    row = ",".join(cells[c] for c in case["columns"]).encode() + eol
    if old.endswith(eol):
        assert added_lines(old, got, eol) and row in got
    else:  # the old last line gets its line end, then the row
        assert got == old + eol + row or added_lines(old, got, eol)
    if eol == b"\r\n":
        assert got.count(b"\n") == got.count(b"\r\n")
    from okrsite.build import check

    kpi = next(k for k in check(site, str(site)).site.kpis if k.id == "nps")
    assert sorted((m.date, m.value) for m in kpi.measurements).count((when, float(value))) >= 1
