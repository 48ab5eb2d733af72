"""Any bytes in, a diagnostic out: every nasty input gives `file:line:col` or a documented
behaviour, never a traceback and never a hang.

Small inputs live in `tests/nasty/` (one parametrised test over the whole corpus);
big or dangerous ones (50 MB, YAML bombs, deep nesting, symlinks, FIFOs) are made in
`tmp_path` at test time. Each runs the real CLI in a subprocess with a timeout.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.handbook import write_site

REPO = Path(__file__).resolve().parent.parent
NASTY = Path(__file__).resolve().parent / "nasty"
TIMEOUT = 30

# corpus file (relative to tests/nasty) -> (exit status, diagnostics for that file as
# "line:col: severity: start of message"); the display path prefix is added by the test.
EXPECTED: dict[str, tuple[int, list[str]]] = {
    "pages/latin1.md": (1, ["2:11: error: file is not UTF-8 (byte 0xe9); save it as UTF-8"]),
    "pages/cp1252-quotes.md": (1, ["4:9: error: file is not UTF-8 (byte 0x93)"]),
    "pages/utf16-bom.md": (1, ["1:1: error: file is UTF-16, not UTF-8; save it as UTF-8"]),
    "pages/utf16be-nobom.md": (1, ["1:1: error: file is UTF-16 (big-endian, no byte order mark), not UTF-8"]),
    "pages/utf32-bom.md": (1, ["1:1: error: file is UTF-32, not UTF-8"]),
    "pages/bom.md": (0, []),
    # line numbers count CRLF, lone CR and mixed line ends alike
    "pages/crlf.md": (1, ["3:8: error: 'order' should be a number, not 'first'"]),
    "pages/lone-cr.md": (1, ["3:8: error: 'order' should be a number, not 'first'"]),
    "pages/mixed-eol.md": (1, ["3:8: error: 'order' should be a number, not 'first'"]),
    # NEL, U+2028 and U+2029 are line breaks to YAML 1.1 but not to okrsite's line count
    "pages/line-separators.md": (1, ["3:8: error: 'order' should be a number, not 'first'"]),
    "pages/nel-in-comment.md": (1, ["2:21: error: invalid YAML: did not find expected key"]),
    "pages/tabs.md": (1, ["4:1: error: invalid YAML: found character that cannot start any token "
                          "(YAML does not allow tabs for indentation)"]),
    "pages/tab-after-colon.md": (0, []),  # a tab after `key:` is a separator YAML allows
    "pages/empty.md": (1, ["1:1: error: file is empty"]),
    "pages/blank-lines.md": (1, ["1:1: error: file is empty"]),
    "pages/only-dashes.md": (1, ["1:1: error: front matter is not closed"]),
    "pages/two-dashes.md": (1, ["1:1: error: front matter is empty"]),
    "pages/front-matter-null.md": (1, ["1:1: error: front matter is empty"]),
    "pages/dots-end.md": (0, []),  # `...` closes front matter like `---`
    "pages/front-matter-list.md": (1, ["2:1: error: front matter should be a mapping of fields (key: value), "
                                       "not a list"]),
    "pages/front-matter-scalar.md": (1, ["2:1: error: front matter should be a mapping of fields (key: value), "
                                         "not 'just some text'"]),
    "pages/nul-byte.md": (1, ["2:9: error: file holds a NUL byte"]),
    "pages/binary.md": (1, ["1:1: error: file is not UTF-8 (byte 0x89)"]),
    "pages/control-char.md": (1, ["2:12: error: invalid YAML: character U+0007 is not allowed"]),
    # control characters from values are shown escaped: one diagnostic stays one line
    "pages/escape-in-value.md": (1, ["3:8: error: 'order' should be a number, not '\\x1b[2J'"]),
    "pages/keys-not-strings.md": (1, ["3:1: warning: unknown page field '1'",
                                      "4:1: error: a mapping key must be a plain value",
                                      "5:3: error: a mapping key must be a plain value"]),
    "pages/duplicate-keys.md": (1, ["3:1: error: duplicate key 'title' (first at line 2)"]),
    "pages/python-tag.md": (1, ["2:8: error: unknown YAML tag '!!python/object/apply:os.system'"]),
    "pages/local-tag.md": (1, ["2:8: error: unknown YAML tag '!secret'"]),
    "pages/binary-tag.md": (1, ["2:8: error: unknown YAML tag '!!binary'"]),
    "pages/recursive-alias.md": (1, ["3:7: error: a YAML alias refers to a collection that contains it"]),
    "pages/undefined-alias.md": (1, ["2:8: error: invalid YAML: found undefined alias"]),
    "pages/unclosed-quote.md": (1, ["2:21: error: invalid YAML: found unexpected end of stream"]),
    "pages/merge-key.md": (0, ["2:1: warning: unknown page field 'base'"]),
    "pages/html-only-body.md": (0, []),  # raw HTML is sanitised at render time, not an error
    "pages/non-ascii-id.md": (1, ["3:5: error: id 'café' must be lower-case ASCII letters, digits and hyphens "
                                  "(try 'cafe')"]),
    "pages/日本.md": (1, ["2:1: error: id '日本' must be lower-case ASCII letters, digits and hyphens "
                        "(the id comes from the file name; rename the file or set 'id:')"]),
    "pages/Upper.md": (1, ["2:1: error: id 'Upper' must be lower-case ASCII letters, digits and hyphens "
                           "(try 'upper')"]),
    "objectives/numbers.md": (1, [
        "6:3: warning: ",  # too many key results (a practice rule)
        "6:34: error: 'start' should be a finite number, not nan",
        "7:45: error: 'target' should be a finite number, not inf",
        "8:38: error: 'start' should be a finite number, not -inf",
        "9:47: error: 'target' should be a number, not '1e400' (out of range)",
        "10:55: error: 'target' should be a number, not '1.0e+400' (number out of range)",
        "11:51: error: 'target' is too large a number (319 digits)",
        "12:50: error: 'target' should be a number, not '1e3' (YAML reads 1e3 as text",
        "13:47: error: 'target' should be a number, not '60%' (write 60 and put the unit in 'unit')",
    ]),
    "objectives/dates.md": (1, [
        "6:54: error: 'due' is not a valid date: 2026-02-30 (day is out of range for month)",
        "7:58: error: 'due' is not a valid date: 2025-13-01 (month must be in 1..12)",
        "8:79: error: 'date' is not a valid date: 2025-02-29 (day is out of range for month)",
        "9:53: error: 'due' is not a valid date: next friday (use YYYY-MM-DD)",
        "10:55: error: 'due' should be a date (YYYY-MM-DD), not a number (20250901)",
    ]),
    "kpis/bad-csv.md": (1, ["2:8: warning: KPI 'bad-csv' is used by no objective"]),
    "kpis/passwd.md": (1, ["2:8: warning: KPI 'passwd' is used by no objective",
                           "4:7: error: data file '../../../../../../../../../../../../../../../../etc/passwd' must be a file inside the site"]),
    "kpis/no-header.md": (1, ["2:8: warning: KPI 'no-header' is used by no objective"]),
}
# diagnostics a corpus file causes in its companion CSV
EXPECTED_CSV: dict[str, list[str]] = {
    "kpis/bad-csv.csv": [
        "3:1: error: '2025-02-30' is not a valid date (use YYYY-MM-DD)",
        "4:1: error: row has 1 columns, expected date,value",
        "5:12: error: 'nan' is not a finite number",
        "6:12: error: '1e400' is not a finite number",
        "7:12: error: '12%' is not a finite number",
    ],
    "kpis/no-header.csv": ["1:1: error: CSV header should name the columns date,value (found 2025-07-01,1)"],
}


def run(args: list[str], cwd: Path, timeout: float = TIMEOUT) -> subprocess.CompletedProcess[str]:
    """The real CLI in a subprocess: a hang is a timeout, a crash is a non-0/1 status."""
    env = {**os.environ, "PYTHONPATH": str(REPO), "PYTHONIOENCODING": "utf-8"}
    return subprocess.run([sys.executable, "-m", "okrsite", *args], cwd=cwd, capture_output=True, text=True,
                          encoding="utf-8", errors="replace", timeout=timeout, env=env)


def assert_clean_failure(result: subprocess.CompletedProcess[str], expected_status: int | None = None) -> None:
    assert "Traceback" not in result.stderr + result.stdout, result.stderr
    assert "internal error" not in result.stderr, result.stderr
    if expected_status is None:
        assert result.returncode in (0, 1), (result.returncode, result.stderr)
    else:
        assert result.returncode == expected_status, (result.stdout, result.stderr)


def lines_for(stdout: str, display: str) -> list[str]:
    """Diagnostics of one file, without the file name: "line:col: severity: message"."""
    prefix = display + ":"
    return [line[len(prefix):] for line in stdout.splitlines() if line.startswith(prefix)]


def matches(actual: list[str], expected: list[str]) -> bool:
    return len(actual) == len(expected) and all(a.startswith(e) for a, e in zip(actual, expected, strict=True))


def corpus() -> list[str]:
    return sorted(p.relative_to(NASTY).as_posix() for p in NASTY.rglob("*.md") if p.parent != NASTY)


def test_every_corpus_file_has_an_expectation() -> None:
    assert sorted(EXPECTED) == corpus()


@pytest.mark.parametrize("name", corpus())
def test_nasty_file(tmp_path: Path, name: str) -> None:
    status, expected = EXPECTED[name]
    site = write_site(tmp_path / "site")
    dest = site / "content" / name
    dest.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(NASTY / name, dest)
    csv = (NASTY / name).with_suffix(".csv")
    if csv.exists():
        shutil.copyfile(csv, dest.with_suffix(".csv"))
    result = run(["check", "site"], tmp_path)
    assert_clean_failure(result, status)
    got = lines_for(result.stdout, f"site/content/{name}")
    assert matches(got, expected), "\n".join(got)
    csv_name = name[:-3] + ".csv"
    if csv_name in EXPECTED_CSV:
        got = lines_for(result.stdout, f"site/content/{csv_name}")
        assert matches(got, EXPECTED_CSV[csv_name]), "\n".join(got)


# -- generated at test time ----------------------------------------------------------------------


def check_one(tmp_path: Path, rel: str, data: bytes | str, timeout: float = TIMEOUT
              ) -> tuple[subprocess.CompletedProcess[str], list[str]]:
    site = write_site(tmp_path / "site")
    path = site / "content" / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    result = run(["check", "site"], tmp_path, timeout)
    assert_clean_failure(result)
    return result, lines_for(result.stdout, f"site/content/{rel}")


def test_fifty_megabyte_file_is_refused_unread(tmp_path: Path) -> None:
    site = write_site(tmp_path / "site")
    big = site / "content" / "big.md"
    with big.open("wb") as f:
        f.write(b"---\ntitle: Big\n---\n")
        f.truncate(50 * 1024 * 1024)  # sparse: 50 MB without writing them
    result = run(["check", "site"], tmp_path, timeout=20)
    assert_clean_failure(result, 1)
    assert lines_for(result.stdout, "site/content/big.md") == [
        "1:1: error: file is 50.0 MB; okrsite reads files up to 5 MB"]


def test_file_just_under_the_limit_is_read(tmp_path: Path) -> None:
    body = "word " * (4 * 1024 * 1024 // 5)
    result, got = check_one(tmp_path, "guide/large.md", "---\ntitle: Large\n---\n" + body)
    assert result.returncode == 0 and got == []


def test_very_long_lines(tmp_path: Path) -> None:
    """A one-megabyte title and a two-megabyte body line are accepted (documented)."""
    text = "---\ntitle: " + "t" * 1_000_000 + "\norder: x\n---\n" + "b" * 2_000_000 + "\n"
    _, got = check_one(tmp_path, "guide/long.md", text)
    assert got == ["3:8: error: 'order' should be a number, not 'x'"]


def billion_laughs(levels: int = 10) -> str:
    lines = ["---", "title: Laughs", 'a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for i in range(1, levels):
        name, prev = chr(ord("a") + i), chr(ord("a") + i - 1)
        lines.append(f"{name}: &{name} [{', '.join(['*' + prev] * 9)}]")
    return "\n".join(lines + ["---", ""])


def test_billion_laughs_is_stopped(tmp_path: Path) -> None:
    _, got = check_one(tmp_path, "guide/laughs.md", billion_laughs(), timeout=15)
    # reported at the top-level key whose expansion crossed the budget
    assert got == ["8:1: error: YAML expands to more than 200000 values (aliases used as a bomb?)"]


def test_quadratic_alias_blowup_in_okrsite_yaml(tmp_path: Path) -> None:
    site = write_site(tmp_path / "site")
    (site / "okrsite.yaml").write_text(billion_laughs(9).replace("---\n", "").replace("title: Laughs", "title: T"))
    result = run(["check", "site"], tmp_path, timeout=15)
    assert_clean_failure(result, 1)
    assert lines_for(result.stdout, "site/okrsite.yaml") == [
        "7:1: error: YAML expands to more than 200000 values (aliases used as a bomb?)"]


@pytest.mark.parametrize("depth", [100, 10_000, 200_000])
def test_deep_flow_nesting(tmp_path: Path, depth: int) -> None:
    """200,000 brackets would crash libyaml's C composer; they are refused before it runs."""
    text = "---\ntitle: Deep\nx: " + "[" * depth + "]" * depth + "\n---\n"
    _, got = check_one(tmp_path, "guide/deep.md", text, timeout=20)
    col = 3 + 64 if depth <= 1000 else 3 + 1001  # the 64th collection (the root mapping is the 1st)
    assert got == [f"3:{col}: error: YAML nested more than 64 levels deep"]


def test_deep_block_nesting(tmp_path: Path) -> None:
    text = "---\ntitle: Deep\n" + "".join(" " * i + "k:\n" for i in range(200)) + " " * 200 + "v: 1\n---\n"
    _, got = check_one(tmp_path, "guide/deep.md", text)
    assert got == ["67:65: error: YAML nested more than 64 levels deep"]


def test_deep_block_sequences_beyond_scan_limit(tmp_path: Path) -> None:
    text = "---\ntitle: Deep\nx:\n" + "".join(" " * i + "-\n" for i in range(1, 1500)) + "---\n"
    _, got = check_one(tmp_path, "guide/deep.md", text, timeout=20)
    assert len(got) == 1 and got[0].endswith("error: YAML nested more than 64 levels deep")


def test_many_keys_and_list_items_are_fine(tmp_path: Path) -> None:
    items = "".join(f"  - {{date: 2025-07-{1 + i % 28:02d}, value: {i}}}\n" for i in range(3000))
    text = "---\ntitle: Many\norg_unit: acme\nmeasurements:\n" + items + "---\n"
    result, got = check_one(tmp_path, "kpis/many.md", text)
    assert all("warning" in line for line in got), got


# -- symlinks and special files --------------------------------------------------------------------


def test_symlinks_outside_and_looping(tmp_path: Path) -> None:
    site = write_site(tmp_path / "site")
    content = site / "content"
    secret = tmp_path / "secret.md"
    secret.write_text("---\ntitle: Secret\n---\n")
    (content / "outside.md").symlink_to(secret)
    (content / "loop.md").symlink_to("loop.md")
    (content / "a.md").symlink_to("b.md")
    (content / "b.md").symlink_to("a.md")
    (content / "dangling.md").symlink_to("nowhere.md")
    (content / "inside.md").symlink_to("guide/intro.md")  # inside the site: read (a second page, same id)
    (content / "dir-outside").symlink_to(tmp_path, target_is_directory=True)
    (content / "guide" / "dir-loop").symlink_to("..", target_is_directory=True)
    result = run(["check", "site"], tmp_path)
    assert_clean_failure(result, 1)
    out = result.stdout
    assert lines_for(out, "site/content/outside.md") == ["1:1: error: symlink points outside the site; not read"]
    for name in ("loop.md", "a.md", "b.md", "dangling.md"):
        assert lines_for(out, f"site/content/{name}") == ["1:1: error: symlink is broken or loops"], name
    for name in ("dir-outside", "guide/dir-loop"):
        assert lines_for(out, f"site/content/{name}") == [
            "1:1: warning: symlinked folder not followed (link the files, or move the folder into content/)"]
    assert "Secret" not in out


def test_linked_file_symlinked_outside_is_not_copied(tmp_path: Path) -> None:
    site = write_site(tmp_path / "site", {"content/guide/intro.md": "---\ntitle: Intro\n---\n[x](leak.txt)\n"})
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP SECRET")
    (site / "content" / "guide" / "leak.txt").symlink_to(secret)
    result = run(["build", "site", "--out", "out"], tmp_path)
    assert_clean_failure(result, 1)
    assert lines_for(result.stdout, "site/content/guide/intro.md") == [
        "4:5: error: linked file 'leak.txt' is a symlink to outside the site"]
    assert not (tmp_path / "out").exists()


def test_csv_symlinked_outside_is_refused(tmp_path: Path) -> None:
    site = write_site(tmp_path / "site")
    (tmp_path / "data.csv").write_text("date,value\n2025-07-01,1\n")
    (site / "content" / "kpis" / "ext.csv").symlink_to(tmp_path / "data.csv")
    (site / "content" / "kpis" / "ext.md").write_text("---\ntitle: Ext\norg_unit: acme\ndata: ext.csv\n---\n")
    result = run(["check", "site"], tmp_path)
    assert_clean_failure(result, 1)
    assert "4:7: error: data file 'ext.csv' must be a file inside the site" in lines_for(
        result.stdout, "site/content/kpis/ext.md")


def test_fifo_named_md_does_not_hang(tmp_path: Path) -> None:
    site = write_site(tmp_path / "site")
    os.mkfifo(site / "content" / "pipe.md")
    result = run(["check", "site"], tmp_path, timeout=15)
    assert_clean_failure(result, 1)
    assert lines_for(result.stdout, "site/content/pipe.md") == ["1:1: error: not a regular file; not read"]


def test_fifo_as_csv_does_not_hang(tmp_path: Path) -> None:
    site = write_site(tmp_path / "site")
    os.mkfifo(site / "content" / "kpis" / "pipe.csv")
    (site / "content" / "kpis" / "pipe.md").write_text("---\ntitle: P\norg_unit: acme\ndata: pipe.csv\n---\n")
    result = run(["check", "site"], tmp_path, timeout=15)
    assert_clean_failure(result, 1)
    assert "4:7: error: data file 'pipe.csv' must be a file inside the site" in lines_for(
        result.stdout, "site/content/kpis/pipe.md")


def test_unreadable_file(tmp_path: Path) -> None:
    if os.geteuid() == 0:
        pytest.skip("root reads any file")
    site = write_site(tmp_path / "site")
    path = site / "content" / "locked.md"
    path.write_text("---\ntitle: L\n---\n")
    path.chmod(0)
    result = run(["check", "site"], tmp_path)
    assert_clean_failure(result, 1)
    assert lines_for(result.stdout, "site/content/locked.md")[0].startswith("1:1: error: cannot read file")


@pytest.mark.parametrize("name", ["javascript:alert(1).md", "a#b.md", "what?.md", "100%.md", "sub:dir/x.md"])
def test_file_names_that_would_break_urls(tmp_path: Path, name: str) -> None:
    """`javascript:alert(1).md` would become an href that runs script; such names are refused."""
    text = "---\ntitle: T\nid: fine\n---\n"
    _, got = check_one(tmp_path, name, text)
    assert len(got) == 1 and got[0].startswith("1:1: error: file name has ")
    assert got[0].endswith("which cannot appear in a page URL; rename the file")


def test_config_nasties(tmp_path: Path) -> None:
    site = write_site(tmp_path / "site")
    cases = {
        b"- a\n- b\n": "1:1: error: okrsite.yaml should be a mapping of settings, not a list",
        b"\xff\xfetitle": "1:1: error: file is UTF-16, not UTF-8",
        b"title: !!python/name:os.system x\n": "1:8: error: unknown YAML tag '!!python/name:os.system'",
        b"as_of: 2025-02-30\n": "1:8: error: 'as_of' is not a valid date: 2025-02-30",
        b"title: [[[[\n": "2:1: error: invalid YAML",
        b"base_path: '\\evil.example/'\n": "1:12: error: 'base_path' should be a URL path such as /okr/",
        b"base_path: '/x\"><script>'\n": "1:12: error: 'base_path' should be a URL path such as /okr/",
    }
    for data, expected in cases.items():
        (site / "okrsite.yaml").write_bytes(data)
        result = run(["check", "site"], tmp_path)
        assert_clean_failure(result, 1)
        got = lines_for(result.stdout, "site/okrsite.yaml")
        assert got and got[0].startswith(expected), (data, got)


def test_many_nasty_files_at_once_exit_1_in_json(tmp_path: Path) -> None:
    """The whole corpus in one site: one run, a JSON list, nothing on stderr but a summary."""
    import json

    site = write_site(tmp_path / "site")
    for name in corpus():
        dest = site / "content" / "all" / name
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(NASTY / name, dest)
    result = run(["check", "site", "--format", "json"], tmp_path)
    assert_clean_failure(result, 1)
    diags = json.loads(result.stdout)
    assert {d["severity"] for d in diags} == {"error", "warning"}
    assert all("\n" not in d["message"] and "\x1b" not in d["message"] for d in diags)
