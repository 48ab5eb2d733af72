"""Diagnostics are data: every stage appends to one list, the CLI prints them once."""

from __future__ import annotations

import difflib
import hashlib
import json
import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass

from okrsite.model import Located, PathKey, Pos, SourceFile

ERROR = "error"
WARNING = "warning"
# Control characters and bidi overrides from a handbook value must not split a diagnostic
# over lines or drive the reader's terminal; they are shown escaped.
_UNPRINTABLE_RE = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def printable(text: str) -> str:
    return _UNPRINTABLE_RE.sub(lambda m: repr(m.group())[1:-1], text)


@dataclass(frozen=True, slots=True)
class Diagnostic:
    file: str
    line: int
    column: int
    severity: str
    code: str
    message: str

    def text(self) -> str:
        return f"{self.file}:{self.line}:{self.column}: {self.severity}: {self.message}"

    def github(self) -> str:
        level = "error" if self.severity == ERROR else "warning"
        msg = self.message.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
        return f"::{level} file={self.file},line={self.line},col={self.column},title={self.code}::{msg}"


class Diagnostics(list[Diagnostic]):
    """A list of diagnostics with helpers that take positions from the model."""

    def add(self, file: SourceFile | str, pos: Pos, severity: str, code: str, message: str) -> None:
        name = file.display if isinstance(file, SourceFile) else file
        self.append(Diagnostic(printable(name), pos.line, pos.col, severity, code, printable(message)))

    def error(self, loc: Located, path: PathKey, code: str, message: str, *, key: bool = False) -> None:
        pos = loc.key_at(*path) if key else loc.at(*path)
        self.add(loc.file, pos, ERROR, code, message)

    def warning(self, loc: Located, path: PathKey, code: str, message: str, *, key: bool = False) -> None:
        pos = loc.key_at(*path) if key else loc.at(*path)
        self.add(loc.file, pos, WARNING, code, message)

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self if d.severity == ERROR]

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self if d.severity == WARNING]


def sort_key(d: Diagnostic) -> tuple:
    return (d.file, d.line, d.column, d.severity, d.message)


def did_you_mean(name: str, candidates: Iterable[str]) -> str:
    """` (did you mean 'x'?)` for the closest candidate, or an empty string."""
    pool = [c for c in candidates if isinstance(c, str)]
    match = difflib.get_close_matches(str(name), pool, n=1, cutoff=0.6)
    if not match:
        low = {c.lower(): c for c in pool}
        if str(name).lower() in low:
            match = [low[str(name).lower()]]
    return f" (did you mean '{match[0]}'?)" if match else ""


def plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def summary(diags: Iterable[Diagnostic], pages: int) -> str:
    items = list(diags)
    errors = sum(1 for d in items if d.severity == ERROR)
    warnings = len(items) - errors
    return f"{plural(errors, 'error')}, {plural(warnings, 'warning')} in {plural(pages, 'page')}"


def code_quality(items: list[Diagnostic]) -> list[dict]:
    """GitLab's code quality report (a subset of Code Climate's format), shown on the merge request.

    The fingerprint is stable across pipelines, so GitLab can tell new problems from old ones;
    identical lines are numbered to stay distinct.
    """
    seen: dict[str, int] = {}
    report = []
    for d in items:
        key = f"{d.file}\0{d.line}\0{d.column}\0{d.code}\0{d.message}"
        seen[key] = seen.get(key, 0) + 1
        fingerprint = hashlib.sha256(f"{key}\0{seen[key]}".encode()).hexdigest()
        report.append({"description": d.message, "check_name": d.code, "fingerprint": fingerprint,
                       "severity": "major" if d.severity == ERROR else "minor",
                       "location": {"path": d.file, "lines": {"begin": d.line}}})
    return report


def render(diags: Iterable[Diagnostic], fmt: str, pages: int) -> str:
    items = sorted(diags, key=sort_key)
    if fmt == "json":
        return json.dumps([asdict(d) for d in items], indent=2, ensure_ascii=False) + "\n"
    if fmt == "gitlab":
        return json.dumps(code_quality(items), indent=2, ensure_ascii=False) + "\n"
    lines = [d.github() if fmt == "github" else d.text() for d in items]
    lines.append(summary(items, pages))
    return "\n".join(lines) + "\n"
