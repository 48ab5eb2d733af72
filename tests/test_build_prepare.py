"""What a build prepares in a forked child while it validates: the inputs' fingerprint and the compiled theme.

The child's results must be exactly what this process would have made itself; a child
that fails is one line, and one that is no longer needed is killed and reaped.
"""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import pytest

from okrsite.build import check, prepare
from okrsite.cli import main
from okrsite.parallel import Background, WorkerFailed
from okrsite.render.html import Theme
from okrsite.render.theme import compiled_theme, make_env, theme_dirs
from okrsite.write.inputs import input_key, tree_key
from tests.site_support import REPO
from tests.test_build_parallel import _children


def _boom(_: object) -> None:
    raise ValueError("no such thing")


def _started(task: object, arg: object = None) -> Background:
    child = Background(task, "the sum")  # type: ignore[arg-type]
    child.go(arg)
    return child


def test_background_runs_its_task_on_what_go_hands_it_and_reports_a_failure_in_one_line() -> None:
    assert _started(lambda n: {"n": n * 2}, 21).result() == {"n": 42}
    with pytest.raises(WorkerFailed, match=r"^the sum failed: ValueError: no such thing$"):
        _started(_boom).result()
    with pytest.raises(WorkerFailed, match=r"^the sum exited with status 7 before finishing$"):
        _started(lambda _: os._exit(7)).result()


def test_background_waits_for_go_and_a_stopped_child_is_killed_and_reaped(tmp_path: Path) -> None:
    before = set(_children(os.getpid()))
    mark = tmp_path / "ran"
    child = Background(lambda _: mark.write_text("x"), "the nap")
    assert set(_children(os.getpid())) - before
    time.sleep(0.2)
    assert not mark.exists()  # forked, waiting to be told to go
    child.stop()
    assert set(_children(os.getpid())) == before  # gone, and no zombie
    child.stop()  # a second stop is harmless
    with pytest.raises(WorkerFailed, match="the nap was stopped"):
        child.result()
    busy = Background(lambda _: time.sleep(60), "the nap")
    busy.go(None)
    busy.stop()
    assert set(_children(os.getpid())) == before


def test_handed_templates_are_used_as_compiled_elsewhere(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OKRSITE_NO_CACHE", "1")  # every template compiled here, none read from the folder cache
    dirs = theme_dirs(REPO, "default")
    handed = compiled_theme(dirs)
    names = make_env(dirs).list_templates(extensions=["html"])
    assert len(handed) == len(names) > 10

    env, own = make_env(dirs, handed), make_env(dirs)

    def no_compile(*_: object, **__: object) -> None:
        raise AssertionError("compiled again although handed over")

    env.compile = no_compile  # type: ignore[method-assign]
    for name in names:
        assert env.get_template(name).root_render_func.__code__.co_code == \
            own.get_template(name).root_render_func.__code__.co_code  # type: ignore[attr-defined]


def test_a_handed_template_whose_source_changed_is_compiled_again(tmp_path: Path) -> None:
    theme = tmp_path / "hb/themes/mine/templates"
    theme.mkdir(parents=True)
    (theme / "hello.html").write_text("Hello {{ name }}\n", encoding="utf-8")
    dirs = theme_dirs(tmp_path / "hb", "mine")
    handed = compiled_theme(dirs)
    (theme / "hello.html").write_text("Goodbye {{ name }}\n", encoding="utf-8")
    assert make_env(dirs, handed).get_template("hello.html").render(name="Ann") == "Goodbye Ann\n"


def test_the_prepared_fingerprint_and_theme_are_the_ones_made_here(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OKRSITE_NO_CACHE", "1")  # no folder cache: the child compiles every template
    build = check(REPO, ".", jobs=2, meanwhile=prepare)
    assert build.prepared is not None
    ready = build.prepared.result()
    theme = Theme.for_site(build.site)
    assert ready.theme_dirs == theme.dirs
    assert ready.tree == tree_key(REPO, theme.dirs)
    options = {"precompress": False}
    assert input_key(build.site, theme.dirs, None, options, ready.tree) == input_key(build.site, theme.dirs, None,
                                                                                     options)
    assert len(ready.compiled) == len(theme.env.list_templates(extensions=["html"]))
    handed = Theme.for_site(build.site, compiled=ready.compiled)
    handed.compile_all()
    assert handed.env.bytecode_cache.handed == {}  # type: ignore[union-attr]  # every one was used


def test_a_refused_build_leaves_no_preparing_child(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import gc

    site = tmp_path / "hb"
    shutil.copytree(REPO / "content", site / "content")
    shutil.copy(REPO / "okrsite.yaml", site / "okrsite.yaml")
    page = next((site / "content").rglob("*.md"))
    page.write_text("---\ntitle: [unclosed\n---\n", encoding="utf-8")
    before = set(_children(os.getpid()))
    threshold = gc.get_threshold()
    monkeypatch.setenv("OKRSITE_NO_CACHE", "1")  # the template compile happens in the child, every time
    try:
        assert main(["build", str(site), "--out", str(tmp_path / "out"), "--jobs", "2"]) == 1
    finally:
        gc.set_threshold(*threshold)
    assert set(_children(os.getpid())) == before
    assert not (tmp_path / "out").exists()
