"""`okrsite.yaml`: optional; every field has a default."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

from okrsite.diagnostics import ERROR, Diagnostics, did_you_mean
from okrsite.load.fields import Fields, describe
from okrsite.load.sources import display_path, read_text
from okrsite.load.yamlnodes import parse
from okrsite.model import Config, Cycle, Located, SourceFile

CONFIG_NAME = "okrsite.yaml"
CONFIG_KEYS = frozenset({"title", "base_path", "as_of", "current_cycle", "stale_after_days", "cycles", "theme",
                         "description", "repo_url", "edit_uri"})
CYCLE_KEYS = frozenset({"id", "title", "start", "end"})
CYCLE_ID_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*\Z")
# RFC 3986 path characters only: no quotes, spaces, `<>`, `?#` or `\` (browsers read `/\host`
# as `//host`, which would send every relative URL of a page with <base> to another host)
BASE_PATH_RE = re.compile(r"[A-Za-z0-9._~!$&'()*+,;=:@%/-]*\Z")


def load_config(root: Path, display_root: str, diags: Diagnostics, today: date | None = None) -> Config:
    cfg = Config(as_of=today or date.today())
    path = root / CONFIG_NAME
    if not path.is_file():
        _derive_current(cfg)
        return cfg
    sf = SourceFile(path, display_path(display_root, CONFIG_NAME), "")
    text = read_text(sf, diags)
    if text is None:
        cfg.cycles_unreadable = True
        _derive_current(cfg)
        return cfg
    parsed = parse(text.text)
    loc = Located(sf, parsed.values, parsed.keys)
    cfg.loc = loc
    for p in parsed.problems:
        diags.add(sf, p.pos, ERROR, p.code, p.message)
    data = parsed.value
    if parsed.problems and data is None:
        cfg.cycles_unreadable = True
    if data is None:
        data = {}
    if not isinstance(data, dict):
        diags.error(loc, (), "type", f"{CONFIG_NAME} should be a mapping of settings, not {describe(data)}")
        data = {}
        cfg.cycles_unreadable = True
    f = Fields(data, loc, diags)
    f.unknown_keys(CONFIG_KEYS, CONFIG_NAME)
    cfg.title = f.text("title", cfg.title) or cfg.title
    cfg.description = f.text("description")
    _repo_links(f, cfg)
    cfg.theme = f.text("theme", "default") or "default"
    base = f.text("base_path", "/") or "/"
    if not BASE_PATH_RE.match(base):
        bad = next(ch for ch in base if not BASE_PATH_RE.match(ch))
        f.error("base_path", "bad-value", f"'base_path' should be a URL path such as /okr/; {bad!r} is not allowed")
        base = "/"
    cfg.base_path = "/" + base.strip("/") + "/" if base.strip("/") else "/"
    if f.has("as_of"):
        as_of = f.date("as_of")
        if as_of is not None:
            cfg.as_of, cfg.as_of_given = as_of, True
    if f.has("stale_after_days"):
        days = f.number("stale_after_days")
        if days is not None and (days < 0 or not float(days).is_integer()):
            f.error("stale_after_days", "bad-value", "'stale_after_days' should be a whole number of days ≥ 0")
        elif days is not None:
            cfg.stale_after_days = int(days)
    elif "stale_after_days" in data:  # written as null: staleness off
        cfg.stale_after_days = None
    seen: dict[str, int] = {}
    raw_cycles = data.get("cycles")
    if raw_cycles is not None and (not isinstance(raw_cycles, list)
                                   or not all(isinstance(c, dict) for c in raw_cycles)):
        cfg.cycles_unreadable = True  # reported by f.items; which ids were meant is unknown
    for i, cf in enumerate(f.items("cycles", "cycle")):
        cf.unknown_keys(CYCLE_KEYS, "cycle")
        cid = cf.text("id")
        ok = True
        if not cf.has("id"):
            cf.require("id", "a cycle")
            ok = False
        elif not CYCLE_ID_RE.match(cid):
            cf.error("id", "bad-id", f"cycle id '{cid}' may hold letters, digits, '.', '_' and '-' only")
            ok = False
        elif cid in seen:
            cf.error("id", "duplicate-id", f"duplicate cycle id '{cid}'")
            ok = False
        start = cf.date("start", required_for="a cycle")
        end = cf.date("end", required_for="a cycle")
        if start and end and end < start:
            cf.error("end", "bad-value", f"cycle '{cid}' ends ({end}) before it starts ({start})")
            ok = False
        if ok and start and end:
            seen[cid] = i
            cfg.cycles.append(Cycle(cid, cf.text("title") or cid, start, end, i, cf.prefix))
        elif cid and cid not in seen:
            cfg.broken_cycles.add(cid)
    if f.has("current_cycle"):
        cur = f.text("current_cycle")
        if cfg.cycle(cur) is None:
            hint = did_you_mean(cur, [c.id for c in cfg.cycles])
            f.error("current_cycle", "unknown-cycle", f"unknown cycle '{cur}'{hint}")
        else:
            cfg.current_cycle, cfg.current_cycle_given = cur, True
    if cfg.current_cycle is None:
        _derive_current(cfg)
    return cfg


def _repo_links(f: Fields, cfg: Config) -> None:
    """`repo_url` and `edit_uri` as in MkDocs; links leave the site, so only http(s) URLs are taken."""
    from okrsite.repo_links import bad_url, normalise_repo_url

    if f.has("repo_url"):
        url = f.text("repo_url").strip()
        problem = bad_url(url, absolute=True)
        if problem:
            f.error("repo_url", "bad-value", f"'repo_url' {problem}, such as https://github.com/org/handbook")
        else:
            cfg.repo_url = normalise_repo_url(url)
    if f.has("edit_uri"):  # null counts as not written: derived from the host, as in MkDocs
        uri = f.text("edit_uri").strip()
        problem = bad_url(uri, absolute=False)
        if problem:
            f.error("edit_uri", "bad-value", f"'edit_uri' {problem}, such as edit/main/content/")
        else:
            cfg.edit_uri = uri


def _derive_current(cfg: Config) -> None:
    """The first listed cycle containing as_of, else the one that ended last before it, else
    (every cycle still ahead, where the contract is silent) the one that starts first after it."""
    for c in cfg.cycles:
        if c.start <= cfg.as_of <= c.end:
            cfg.current_cycle = c.id
            return
    ended = [c for c in cfg.cycles if c.end < cfg.as_of]
    if ended:
        cfg.current_cycle = max(ended, key=lambda c: (c.end, -c.index)).id
    elif cfg.cycles:
        cfg.current_cycle = min(cfg.cycles, key=lambda c: (c.start, c.index)).id
