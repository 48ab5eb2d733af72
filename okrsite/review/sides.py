"""The two sides of a review, each loaded, validated and computed exactly as `okrsite check` does.

Progress and status depend on the date they are judged at, so both sides are computed
at one `as_of`: the newer side's `okrsite.yaml` value when it sets one, else `--today`,
else today. The older side's own `as_of` is overridden, or every objective would seem
to move just because time passed between the two commits.
"""

from __future__ import annotations

import dataclasses
import tempfile
from datetime import date
from pathlib import Path

from okrsite.build import Build, check_site
from okrsite.diagnostics import Diagnostics, sort_key
from okrsite.load import load_site
from okrsite.review.diff import GoalDiff, SideInfo, compare
from okrsite.review.gitrev import Repo, extract, locate, resolve

WORKING_TREE = "working tree"
FIRST_ERRORS = 5  # diagnostic lines quoted for a side that does not check clean


def load_side(root: Path, display_root: str, today: date | None, as_of: date | None = None) -> Build:
    """`okrsite check` of `root`, with `as_of` (when given) forced over the site's own."""
    diags = Diagnostics()
    site = load_site(root, display_root, diags, as_of or today)
    if as_of is not None:
        site.config.as_of = as_of
    return check_site(site, diags)


def side_info(build: Build, label: str, commit: str | None, exists: bool, prefix: str = "") -> SideInfo:
    """How the report names a side; a revision's diagnostics read `REV:path` as in `git show REV:path`."""
    errors = sorted(build.diagnostics.errors, key=sort_key)
    if prefix:
        errors = [dataclasses.replace(d, file=f"{prefix}:{d.file}") for d in errors]
    return SideInfo(label, commit, exists, len(errors), len(build.diagnostics.warnings), build.pages,
                    [d.text() for d in errors[:FIRST_ERRORS]])


def review(site_dir: Path, display_root: str, rev: str, rev2: str | None = None,
           today: date | None = None) -> GoalDiff:
    """Compare the handbook at `rev` with `rev2`, or with the working tree when `rev2` is None.

    Raises GitError (a usage problem) before anything is loaded.
    """
    repo = locate(site_dir)
    old_commit = resolve(repo, rev)
    new_commit = resolve(repo, rev2) if rev2 is not None else None
    with tempfile.TemporaryDirectory(prefix="okrsite-diff-") as tmp:
        if rev2 is None or new_commit is None:  # (both, for the type checker)
            new_build = load_side(site_dir, display_root, today)
            head = side_info(new_build, WORKING_TREE, None, True)
        else:
            new_build, head = _revision(repo, rev2, new_commit, Path(tmp) / "new", display_root, today, None)
        cfg = new_build.site.config
        as_of, source = (cfg.as_of, "config") if cfg.as_of_given else (today, "option") if today else (
            cfg.as_of, "today")
        old_build, base = _revision(repo, rev, old_commit, Path(tmp) / "old", display_root, today, as_of)
        return compare(old_build, new_build, as_of, source, base, head)


def _revision(repo: Repo, label: str, commit: str, dest: Path, display_root: str, today: date | None,
              as_of: date | None) -> tuple[Build, SideInfo]:
    dest.mkdir()
    exists = extract(repo, commit, dest)
    build = load_side(dest, display_root, today, as_of)
    return build, side_info(build, label, commit, exists, label)
