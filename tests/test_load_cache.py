"""The front-matter cache: a second run parses only what changed, and nothing it loads differs from a fresh parse."""

from __future__ import annotations

import json
import os
import pickle
import subprocess
import sys
from pathlib import Path

import pytest

import okrsite.load as load
from okrsite.diagnostics import Diagnostics
from okrsite.load import cache as cache_mod
from tests.site_support import REPO

sys.path.insert(0, str(REPO / "bench"))
from generate import generate  # noqa: E402

OBJECTIVES = 260  # with its KPIs and units, over CACHE_FROM files


@pytest.fixture(scope="module")
def handbook(tmp_path_factory: pytest.TempPathFactory) -> Path:
    site = generate(tmp_path_factory.mktemp("cache") / "hb", OBJECTIVES, seed=5)
    assert len(list((site / "content").rglob("*.md"))) >= cache_mod.CACHE_FROM
    return site


@pytest.fixture
def cache_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "cache-home"
    monkeypatch.setenv("XDG_CACHE_HOME", str(home))
    monkeypatch.delenv("OKRSITE_NO_CACHE", raising=False)
    return home


class Parses:
    """Counts front-matter parses in this process."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.count = 0
        real = load.parse

        def counting(*args: object, **kw: object) -> object:
            self.count += 1
            return real(*args, **kw)  # type: ignore[arg-type]

        monkeypatch.setattr(load, "parse", counting)


def _load(site: Path, jobs: int = 1) -> tuple[dict[str, object], list[str]]:
    diags = Diagnostics()
    model = load.load_site(site, str(site), diags, jobs=jobs)
    cache_mod.wait_for_writers()  # the cache file is written by a child while loading goes on
    return {p.file.rel: p.fields for p in model.pages}, [d.text() for d in diags]


def _cache_files(home: Path) -> list[Path]:
    return sorted((home / "okrsite" / "front-matter").glob("*.pickle"))


def test_a_second_load_parses_nothing_and_gets_equal_values(handbook: Path, cache_home: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OKRSITE_NO_CACHE", "1")
    fresh = _load(handbook)
    monkeypatch.delenv("OKRSITE_NO_CACHE")
    assert _load(handbook) == fresh  # first run: parses, saves
    assert len(_cache_files(cache_home)) == 1
    parses = Parses(monkeypatch)
    assert _load(handbook) == fresh
    assert parses.count == 0
    assert _load(handbook, jobs=2) == fresh  # workers find the values in the cache too


def test_an_edited_file_is_parsed_again_and_its_old_entry_dropped(tmp_path: Path, handbook: Path,
                                                                  cache_home: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    import shutil

    site = shutil.copytree(handbook, tmp_path / "hb")
    _load(site)
    target = sorted((site / "content" / "objectives").rglob("*.md"))[0]
    target.write_text(target.read_text().replace("title: ", "title: Renamed ", 1))
    parses = Parses(monkeypatch)
    fields, _ = _load(site)
    assert parses.count == 1
    assert str(fields[target.relative_to(site / "content").as_posix()]["title"]).startswith("Renamed ")
    with open(_cache_files(cache_home)[0], "rb") as f:
        _, _, entries = pickle.load(f)
    assert len(entries) == len(set(entries)) == len({cache_mod.FrontCache.key(v) for v in _yaml_texts(site)})


def _yaml_texts(site: Path) -> list[str]:
    from okrsite.load.sources import split_front_matter

    out = []
    for path in (site / "content").rglob("*.md"):
        split = split_front_matter(path.read_text(encoding="utf-8"))
        assert not isinstance(split, str)
        out.append(split.yaml or "")
    return out


def test_files_with_the_same_front_matter_get_values_of_their_own(tmp_path: Path, handbook: Path,
                                                                  cache_home: Path) -> None:
    import shutil

    site = shutil.copytree(handbook, tmp_path / "hb")
    units = sorted((site / "content" / "org").glob("*.md"))
    twin = units[0].with_name("twin-of-first.md")
    twin.write_text(units[0].read_text().replace("---\n", "---\nid: twin-of-first\n", 1))
    copy = twin.with_name("copy-of-twin.md")
    copy.write_text(twin.read_text().replace("id: twin-of-first", "id: twin-of-first", 1))
    _load(site)
    diags = Diagnostics()
    model = load.load_site(site, str(site), diags)
    a, b = (next(p for p in model.pages if p.file.path == path) for path in (twin, copy))
    assert a.fields == b.fields and a.fields is not b.fields


def test_problems_are_never_cached_and_keep_their_positions(tmp_path: Path, handbook: Path,
                                                            cache_home: Path) -> None:
    import shutil

    site = shutil.copytree(handbook, tmp_path / "hb")
    broken = sorted((site / "content" / "kpis").glob("*.md"))[0]
    broken.write_text(broken.read_text().replace("title:", "title: [unclosed\nx:", 1))
    _, first = _load(site)
    _, second = _load(site)
    assert first == second
    assert any(broken.name in line and "error" in line for line in second)


def test_a_damaged_or_foreign_cache_file_is_ignored_and_replaced(handbook: Path, cache_home: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    fresh = _load(handbook)
    (path,) = _cache_files(cache_home)
    for damaged in (b"not a pickle", path.read_bytes()[:1000],
                    pickle.dumps((cache_mod.FORMAT, "another version", {b"k": 1}))):
        path.write_bytes(damaged)
        parses = Parses(monkeypatch)
        assert _load(handbook) == fresh
        assert parses.count > 0
        monkeypatch.undo()
        monkeypatch.setenv("XDG_CACHE_HOME", str(cache_home))
        with open(path, "rb") as f:
            assert pickle.load(f)[1] == cache_mod._stamp()


def test_the_cache_file_is_written_by_a_child_that_is_always_waited_for(handbook: Path, cache_home: Path) -> None:
    diags = Diagnostics()
    load.load_site(handbook, str(handbook), diags)
    assert len(cache_mod._writers) == 1
    cache_mod.wait_for_writers()
    assert cache_mod._writers == [] and len(_cache_files(cache_home)) == 1
    assert not list((cache_home / "okrsite" / "front-matter").glob(".*.tmp"))


def test_small_handbooks_and_no_cache_write_nothing(cache_home: Path, monkeypatch: pytest.MonkeyPatch,
                                                    handbook: Path) -> None:
    _load(REPO)
    assert _cache_files(cache_home) == []
    monkeypatch.setenv("OKRSITE_NO_CACHE", "1")
    _load(handbook)
    assert _cache_files(cache_home) == []


def test_cli_check_and_build_are_the_same_with_a_warm_cache(handbook: Path, tmp_path: Path) -> None:
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache-home")}
    env.pop("OKRSITE_NO_CACHE", None)

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "okrsite", *args], capture_output=True, text=True, cwd=REPO,
                              env=env, timeout=300)

    cold = run("check", str(handbook), "--format", "json")
    warm = run("check", str(handbook), "--format", "json")
    assert cold.returncode == warm.returncode
    assert json.loads(cold.stdout) == json.loads(warm.stdout)
    assert run("build", str(handbook), "--out", str(tmp_path / "a")).returncode == 0
    assert run("build", str(handbook), "--out", str(tmp_path / "b"), "--jobs", "1").returncode == 0
    a, b = tmp_path / "a", tmp_path / "b"
    files = sorted(p.relative_to(a) for p in a.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(b) for p in b.rglob("*") if p.is_file())
    assert [f for f in files if (a / f).read_bytes() != (b / f).read_bytes() and f.name != ".okrsite-manifest.json"] == []
