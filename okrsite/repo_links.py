"""Links into the handbook's repository: "Edit this page" and commits, built as MkDocs builds them.

MkDocs joins `repo_url` and `edit_uri` with `urljoin` and appends the page's path
inside the docs folder; okrsite does the same with the path inside `content/`. Without
an `edit_uri`, known hosts get one (okrsite's defaults name the `main` branch and the
site's own `content/` folder, where MkDocs assumes `master` and `docs/`).
"""

from __future__ import annotations

import re
from urllib.parse import quote, urljoin, urlsplit

_UNSAFE_RE = re.compile(r'[\s"<>\\^`{|}\x00-\x1f\x7f]')


def bad_url(url: str, *, absolute: bool) -> str | None:
    """Why `url` cannot be a link out of the site, or None when it can."""
    if not url:
        return "is empty" if absolute else None
    if _UNSAFE_RE.search(url):
        return "should be a URL without spaces, quotes or angle brackets"
    try:
        parts = urlsplit(url)
    except ValueError:
        return "is not a URL"
    if parts.scheme:
        if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
            return "should be an http:// or https:// URL"
    elif absolute:
        return "should be an http:// or https:// URL"
    return None


def normalise_repo_url(url: str) -> str:
    """Without the trailing `/` and `.git` a clone URL often carries."""
    url = url.rstrip("/")
    return url[:-4] if url.endswith(".git") else url


def _host(repo_url: str) -> str:
    return urlsplit(repo_url).netloc.lower().rsplit("@", 1)[-1].split(":", 1)[0]


def _forge(repo_url: str) -> str:
    host = _host(repo_url)
    if host == "bitbucket.org":
        return "bitbucket"
    if host == "gitlab.com" or host.startswith("gitlab."):
        return "gitlab"
    return "github"  # GitHub, and what Gitea, Forgejo and cgit-style hosts also answer


def default_edit_uri(repo_url: str, prefix: str = "") -> str | None:
    """The edit path for a known host: github.com, gitlab.com, bitbucket.org; None elsewhere (as MkDocs)."""
    host = _host(repo_url)
    folder = f"{prefix}content/"
    if host == "github.com":
        return f"edit/main/{folder}"
    if host == "gitlab.com":
        return f"-/edit/main/{folder}"
    if host == "bitbucket.org":
        return f"src/main/{folder}"
    return None


def edit_url(repo_url: str | None, edit_uri: str | None, rel: str, prefix: str = "") -> str | None:
    """Where to edit the content file `rel`; `edit_uri` None derives it from the host, "" turns it off."""
    uri = default_edit_uri(repo_url, prefix) if edit_uri is None and repo_url else edit_uri
    if not uri:
        return None
    if not uri.startswith(("?", "#")) and not uri.endswith("/"):
        uri += "/"
    target = uri + quote(rel, safe="/-._~!$&'()*+,;=:@")
    if repo_url:
        base = repo_url if target.startswith(("?", "#")) or repo_url.endswith("/") else repo_url + "/"
        url = urljoin(base, target)
    else:
        url = target
    return url if bad_url(url, absolute=True) is None else None


def commit_url(repo_url: str | None, sha: str) -> str | None:
    if not repo_url:
        return None
    forge = _forge(repo_url)
    path = {"gitlab": "/-/commit/", "bitbucket": "/commits/"}.get(forge, "/commit/")
    return repo_url + path + sha
