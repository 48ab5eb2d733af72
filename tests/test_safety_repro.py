"""Reproducible builds and Unicode.

The same input gives byte-identical output whatever the folder it sits in, the order its
files were created in, the hash seed, the time zone or the clock (as_of is pinned).
Titles and bodies in any script survive into every output; ids stay ASCII slugs.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.handbook import write_site
from tests.test_safety_xss import HtmlCheck, check_html

REPO = Path(__file__).resolve().parent.parent
HOSTILE = Path(__file__).resolve().parent / "hostile"
TIMEOUT = 60

# A build whose clock says 2031 (date.today, datetime.now, time.time): output must not change.
FUTURE_CLOCK = """
import datetime, sys, time
class FutureDate(datetime.date):
    @classmethod
    def today(cls):
        return cls(2031, 1, 2)
class FutureDateTime(datetime.datetime):
    @classmethod
    def now(cls, tz=None):
        return cls(2031, 1, 2, 3, 4, 5, tzinfo=tz)
    @classmethod
    def utcnow(cls):
        return cls(2031, 1, 2, 3, 4, 5)
datetime.date, datetime.datetime = FutureDate, FutureDateTime
time.time = lambda: 1925000000.0
time.time_ns = lambda: 1925000000 * 10**9
from okrsite import cli
sys.exit(cli.main(sys.argv[1:]))
"""


def build(site: Path, out: Path, env: dict[str, str] | None = None, clock: bool = False) -> None:
    full_env = {**os.environ, "PYTHONPATH": str(REPO), **(env or {})}
    args = ["-c", FUTURE_CLOCK] if clock else ["-m", "okrsite"]
    result = subprocess.run([sys.executable, *args, "build", str(site), "--out", str(out)], capture_output=True,
                            text=True, timeout=TIMEOUT, env=full_env)
    assert result.returncode == 0, result.stdout + result.stderr


def tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def assert_same(a: Path, b: Path) -> None:
    ta, tb = tree(a), tree(b)
    assert sorted(ta) == sorted(tb)
    differing = [name for name in ta if ta[name] != tb[name]]
    assert differing == []


def copy_site(src: Path, dest: Path, reverse: bool) -> Path:
    """Copy only the handbook (okrsite.yaml, content/, themes/), creating files in the given order."""
    files = [p for p in src.rglob("*") if p.is_file() and not p.is_symlink()
             and p.relative_to(src).parts[0] in ("okrsite.yaml", "content", "themes")]
    for i, p in enumerate(sorted(files, reverse=reverse)):
        target = dest / p.relative_to(src)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(p, target)
        stamp = time.time() - (i * 3600 if reverse else -i)
        os.utime(target, (stamp, stamp))
    return dest


@pytest.mark.parametrize("handbook", ["example", "hostile"])
def test_two_builds_are_byte_identical(tmp_path: Path, handbook: str) -> None:
    src = REPO if handbook == "example" else HOSTILE
    build(src, tmp_path / "one", env={"PYTHONHASHSEED": "1", "TZ": "UTC"})
    build(src, tmp_path / "two", env={"PYTHONHASHSEED": "2", "TZ": "Pacific/Kiritimati"})
    assert_same(tmp_path / "one", tmp_path / "two")


@pytest.mark.parametrize("handbook", ["example", "hostile"])
def test_output_does_not_depend_on_location_file_order_or_clock(tmp_path: Path, handbook: str) -> None:
    src = REPO if handbook == "example" else HOSTILE
    forward = copy_site(src, tmp_path / "a" / "site", reverse=False)
    backward = copy_site(src, tmp_path / "b" / "another name", reverse=True)
    build(forward, tmp_path / "out-a")
    build(backward, tmp_path / "out-b", clock=True)
    assert_same(tmp_path / "out-a", tmp_path / "out-b")
    for name, data in tree(tmp_path / "out-a").items():
        assert str(tmp_path).encode() not in data, name  # no absolute paths leak into outputs


def test_output_does_not_depend_on_directory_listing_order(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """In process: os.walk / os.scandir / iterdir returning reversed listings change nothing."""
    from okrsite.build import check, render

    def outputs() -> dict[str, bytes]:
        b = render(check(REPO, "."))
        assert not b.failed()
        return {k: v if isinstance(v, bytes) else v.read_bytes() for k, v in b.outputs.items()}

    first = outputs()
    real_scandir, real_listdir = os.scandir, os.listdir

    class Reversed:
        """os.scandir's iterator, yielding entries in reverse order."""

        def __init__(self, path: object = ".") -> None:
            with real_scandir(path) as it:  # type: ignore[arg-type]
                self.entries = iter(list(it)[::-1])

        def __iter__(self):  # noqa: ANN204
            return self

        def __next__(self) -> os.DirEntry:
            return next(self.entries)

        def __enter__(self):  # noqa: ANN204
            return self

        def __exit__(self, *exc: object) -> None:
            pass

        def close(self) -> None:
            pass

    monkeypatch.setattr(os, "scandir", Reversed)
    monkeypatch.setattr(os, "listdir", lambda path=".": list(reversed(real_listdir(path))))
    second = outputs()
    assert sorted(first) == sorted(second)
    assert [k for k in first if first[k] != second[k]] == []


# -- Unicode --------------------------------------------------------------------------------------

TITLES = {
    "cjk": "UNI-1 顧客満足度を高める 提高客户满意度 고객 만족",
    "rtl": "UNI-2 تحسين رضا العملاء שיפור שביעות רצון",
    "emoji": "UNI-3 🚀 Launch 👩‍👩‍👧‍👦 family 🇯🇵 flag",
    "combining": "UNI-4 Cafe\u0301 n\u0303 Z\u0351\u0362a\u0337l\u0335g\u0328o",  # decomposed, kept as written
    "mixed": "UNI-5 \u202eRLO\u202c and zero\u200bwidth and ｆｕｌｌｗｉｄｔｈ",
}
BODY = ("## 見出し 日本語\n\nعربي **نص** and עברית, emoji 🎉, e\u0301.\n\n"
        "[same page](#見出し-日本語) · [[unicode-page]] · [the file](日本.md)\n")


def unicode_site(root: Path) -> Path:
    files = {
        "okrsite.yaml": "title: 'UNI-0 ハンドブック · دليل · 📘'\nas_of: 2025-08-16\ncycles:\n"
                        "  - {id: 2025-Q3, title: 'UNI-6 第3四半期 🗓', start: 2025-07-01, end: 2025-09-30}\n",
        "content/org/acme.md": f"---\ntitle: '{TITLES['cjk']}'\nkind: 部門\nlead: 山田 太郎\n---\n{BODY}",
        "content/org/team.md": f"---\ntitle: '{TITLES['rtl']}'\nparent: acme\nlead: محمد\n---\n",
        "content/kpis/nps.md": f"---\ntitle: '{TITLES['emoji']}'\norg_unit: acme\nunit: '⭐'\ntarget: 60\n"
                               "measurements: [{date: 2025-07-31, value: 50}]\n---\n",
        "content/objectives/grow.md": f"---\ntitle: '{TITLES['combining']}'\ncycle: 2025-Q3\norg_unit: acme\n"
                                      "owner: Zoë Ñandú\nkpis: [nps]\nkey_results:\n"
                                      f"  - {{id: nps-60, title: '{TITLES['mixed']}', start: 40, target: 60, "
                                      "unit: '％', kpi: nps}\n---\n",
        "content/guide/日本.md": "---\ntitle: 'UNI-7 日本のページ'\nid: unicode-page\n---\n[back](../org/acme.md)\n",
    }
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    (root / "content" / "org" / "日本.md").write_text("---\ntitle: 'UNI-8 file'\nid: org-file\n---\n",
                                                      encoding="utf-8")
    return root


def all_titles() -> list[str]:
    return [*TITLES.values(), "UNI-0 ハンドブック · دليل · 📘", "UNI-6 第3四半期 🗓", "UNI-7 日本のページ"]


def strings_in(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in strings_in(k) + strings_in(v)]
    if isinstance(value, list):
        return [s for v in value for s in strings_in(v)]
    return []


def test_unicode_survives_into_every_output(tmp_path: Path) -> None:
    site = unicode_site(tmp_path / "site")
    out = tmp_path / "out"
    build(site, out)
    data = json.loads((out / "data.json").read_text(encoding="utf-8"))
    found = set(strings_in(data))
    for title in all_titles():
        if title.startswith(("UNI-7",)):
            continue  # free pages are not in data.json
        assert title in found, title
    shown: set[str] = set()
    for path in sorted(out.rglob("*")):
        if not path.is_file():
            continue
        text = path.read_text(encoding="utf-8") if path.suffix in (".html", ".json", ".js", ".xml") else ""
        if path.suffix == ".html":
            parser = HtmlCheck(path.name)
            parser.feed(text)
            parser.close()
            # visible text and the strings of JSON scripts (chart data)
            text = "".join(parser.text) + "\n".join(s for j in parser.json_scripts for s in strings_in(json.loads(j)))
        elif path.suffix == ".json":
            text = "\n".join(strings_in(json.loads(text)))
        elif path.suffix == ".js" and "{" in text:  # e.g. `window.INDEX = {...};`: its JSON, decoded
            with contextlib.suppress(ValueError):
                text = "\n".join(strings_in(json.loads(text[text.index("{"):text.rindex("}") + 1])))
        # wherever a title's tag shows up, the whole title follows, unmangled (not truncated
        # mid-grapheme, not normalised, not escaped twice)
        for title in all_titles():
            tag = title.split(" ", 1)[0] + " "
            if tag in text:
                assert title in text, (path.name, title)
                shown.add(title)
    assert shown == set(all_titles())
    acme = (out / "org" / "acme.html").read_text(encoding="utf-8")
    _, text = check_html("acme", acme)
    for words in ("見出し 日本語", "عربي", "نص", "עברית", "🎉", "e\u0301"):
        assert words in text, words
    assert 'id="見出し-日本語"' in acme
    assert 'href="#見出し-日本語"' in acme
    assert 'href="../guide/日本.html"' in acme
    assert (out / "guide" / "日本.html").is_file()


def test_unicode_build_is_reproducible(tmp_path: Path) -> None:
    site = unicode_site(tmp_path / "site")
    build(site, tmp_path / "one", env={"PYTHONHASHSEED": "3"})
    build(site, tmp_path / "two", env={"PYTHONHASHSEED": "4"}, clock=True)
    assert_same(tmp_path / "one", tmp_path / "two")


@pytest.mark.parametrize(("files", "expected"), [
    ({"content/guide/日本.md": "---\ntitle: J\n---\n"},
     "site/content/guide/日本.md:2:1: error: id '日本' must be lower-case ASCII letters, digits and hyphens "
     "(the id comes from the file name; rename the file or set 'id:')"),
    ({"content/guide/x.md": "---\ntitle: X\nid: café\n---\n"},
     "site/content/guide/x.md:3:5: error: id 'café' must be lower-case ASCII letters, digits and hyphens (try 'cafe')"),
    ({"content/guide/x.md": "---\ntitle: X\nid: ｆｕｌｌ\n---\n"},
     "site/content/guide/x.md:3:5: error: id 'ｆｕｌｌ' must be lower-case ASCII letters, digits and hyphens "
     "(try 'full')"),
    ({"content/guide/x.md": "---\ntitle: X\nid: 🚀\n---\n"},
     "site/content/guide/x.md:3:5: error: id '🚀' must be lower-case ASCII letters, digits and hyphens"),
    ({"content/objectives/grow.md": "---\ntitle: G\ncycle: 2025-Q3\norg_unit: acme\n"
                                    "key_results:\n  - {id: ключ, title: K}\n---\n"},
     "site/content/objectives/grow.md:6:10: error: key result id 'ключ' must be lower-case ASCII letters"),
])
def test_non_ascii_ids_are_clear_errors(tmp_path: Path, files: dict[str, str], expected: str) -> None:
    write_site(tmp_path / "site", files)
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    result = subprocess.run([sys.executable, "-m", "okrsite", "check", "site"], cwd=tmp_path, capture_output=True,
                            text=True, timeout=TIMEOUT, env=env)
    assert result.returncode == 1
    assert any(line.startswith(expected) for line in result.stdout.splitlines()), result.stdout
