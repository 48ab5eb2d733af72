"""Theme lookup: the site's `themes/NAME/` first, then the bundled theme, then `default`.

Like MkDocs' `custom_dir` and Pelican's ChoiceLoader: a site overrides any single
template or static file by placing a file of the same name in its own theme folder.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Any

import jinja2

import okrsite
from okrsite.render.escape import FastEscapeTemplate

PACKAGE_DIR = Path(okrsite.__file__).parent


def bundled_themes_dir() -> Path:
    """`okrsite/themes` inside an installed wheel, else `themes/` beside the package source."""
    inside = PACKAGE_DIR / "themes"
    return inside if inside.is_dir() else PACKAGE_DIR.parent / "themes"


def theme_dirs(site_root: Path, name: str) -> list[Path]:
    """Theme folders, most specific first; only those that exist."""
    candidates = [site_root / "themes" / name, bundled_themes_dir() / name]
    if name != "default":
        candidates += [site_root / "themes" / "default", bundled_themes_dir() / "default"]
    seen: list[Path] = []
    for c in candidates:
        if c.is_dir() and c not in seen:
            seen.append(c)
    return seen


def known_theme(site_root: Path, name: str) -> bool:
    return (site_root / "themes" / name).is_dir() or (bundled_themes_dir() / name).is_dir()


_DICT_ATTRS = frozenset(dir(dict))


class ThemeEnvironment(jinja2.Environment):
    """Jinja with a fast path for `{{ o.title }}` on the plain-dict contexts pages are made of.

    Jinja tries `getattr(o, "title")` first, and on a dict that raises and catches an
    AttributeError for every key read: a fifth of a page's render time. A dict has no
    attributes but its methods, so reading the key straight away gives the same answer.
    """

    def getattr(self, obj: Any, attribute: str) -> Any:
        if type(obj) is dict and attribute not in _DICT_ATTRS:
            try:
                return obj[attribute]
            except KeyError:
                return self.undefined(obj=obj, name=attribute)
        return super().getattr(obj, attribute)


ThemeEnvironment.template_class = FastEscapeTemplate


ENV_OPTIONS = {"autoescape": True, "trim_blocks": True, "lstrip_blocks": True, "keep_trailing_newline": True}


def bytecode_cache() -> jinja2.BytecodeCache | None:
    """Compiled templates kept between runs (`$XDG_CACHE_HOME/okrsite/templates`, else `~/.cache/…`),
    as Hugo keeps its cache dir: compiling the theme costs a build a few hundred ms. Entries are
    checked against each template's source, so a stale one is never used. `OKRSITE_NO_CACHE=1`,
    or a cache dir that cannot be made, turns it off."""
    from okrsite.write.inputs import cache_dir

    # compiled code depends on Jinja and on the options below, not only on the source: one folder each
    tag = hashlib.blake2b(f"{jinja2.__version__}\0{sorted(ENV_OPTIONS.items())}".encode(), digest_size=6).hexdigest()
    where = cache_dir("templates", tag)
    if where is None or not os.access(where, os.W_OK | os.X_OK):
        return None
    return jinja2.FileSystemBytecodeCache(str(where))


class HandedBytecodeCache(jinja2.BytecodeCache):
    """Compiled templates handed over by another process first (`handed`: a build compiles its theme in
    a forked child while it validates, see build.py), then the folder cache (`inner`), if any.

    Entries carry their template's source checksum, as Jinja's own do: one that does
    not match is ignored and the template compiled here. With `record`, the templates
    compiled here are kept in `made`, to be handed over.
    """

    def __init__(self, inner: jinja2.BytecodeCache | None, handed: dict[str, bytes] | None = None,
                 record: bool = False) -> None:
        self.inner = inner
        self.handed = dict(handed or {})
        self.made: dict[str, bytes] | None = {} if record else None

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        data = self.handed.pop(bucket.key, None)
        if data is not None:
            bucket.bytecode_from_string(data)
            if bucket.code is not None:
                return
        if self.inner is not None:
            self.inner.load_bytecode(bucket)

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        if self.made is not None:
            self.made[bucket.key] = bucket.bytecode_to_string()
        if self.inner is not None:
            self.inner.dump_bytecode(bucket)


def compile_templates(env: jinja2.Environment) -> None:
    """Load, and so compile, every page template of `env` now."""
    for name in env.list_templates(extensions=["html"]):
        env.get_template(name)


def compiled_theme(dirs: list[Path]) -> dict[str, bytes]:
    """Every template of the theme in `dirs` compiled, as bytecode for `make_env(dirs, handed=…)`
    elsewhere (those the folder cache already had are not compiled, nor handed)."""
    env = make_env(dirs, record=True)
    compile_templates(env)
    cache = env.bytecode_cache
    assert isinstance(cache, HandedBytecodeCache) and cache.made is not None
    return cache.made


def make_env(dirs: list[Path], handed: dict[str, bytes] | None = None, record: bool = False) -> jinja2.Environment:
    loader = jinja2.ChoiceLoader([jinja2.FileSystemLoader(str(d / "templates")) for d in dirs])
    env = ThemeEnvironment(
        loader=loader,
        bytecode_cache=HandedBytecodeCache(bytecode_cache(), handed, record),
        auto_reload=False,  # a Theme is remade whenever a theme file changes (its `key`)
        undefined=jinja2.StrictUndefined,
        **ENV_OPTIONS,
    )
    from okrsite.render.filters import install
    from okrsite.render.widgets import Widgets

    install(env)
    env.globals["ui"] = Widgets()
    return env


def static_files(dirs: list[Path]) -> dict[str, Path]:
    """Static files by output-relative path under `assets/`, the most specific theme winning."""
    found: dict[str, Path] = {}
    for d in reversed(dirs):
        static = d / "static"
        if not static.is_dir():
            continue
        for path in sorted(static.rglob("*")):
            if path.is_file() and not any(part.startswith(".") for part in path.relative_to(static).parts):
                found["assets/" + path.relative_to(static).as_posix()] = path
    return found
