"""Values written into front matter: numbers as the user typed them, dates ISO, text double-quoted.

Each scalar is checked to read back (with the loader's YAML rules, 1.1) as the value meant; YAML 1.1
reads `1e3` or `-.5` as text, so those are written in a form it reads as the number.
"""

from __future__ import annotations

import math
import re
from datetime import date
from typing import Any

import yaml

from okrsite.edit.errors import BadArgument

_INT_RE = re.compile(r"[-+]?\d+\Z")
_WIDE = 10**9  # no line folding


def _dump(value: Any, **kw: Any) -> str:
    out = yaml.safe_dump(value, allow_unicode=True, width=_WIDE, sort_keys=False, **kw)
    if out.endswith("\n...\n"):
        out = out[:-5]
    return out.rstrip("\n")


def _reads(text: str) -> Any:
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError:
        return None


def number(typed: str, what: str = "VALUE") -> tuple[str, float]:
    """YAML for a number typed on the command line, and its value: `60` stays `60`, `4.50` stays `4.50`."""
    raw = typed.strip()
    try:
        value = float(raw)
        if not math.isfinite(value) or "_" in raw:
            raise ValueError
    except ValueError:
        hint = ""
        stripped = raw.rstrip("%").replace(",", "")
        if stripped != raw:
            try:
                hint = f" (write {float(stripped):g} and keep the unit in 'unit')"
            except ValueError:
                hint = ""
        raise BadArgument(f"{what} '{typed}' is not a number{hint}") from None
    if _INT_RE.match(raw):
        return str(int(raw)), float(int(raw))
    read = _reads(raw)
    if isinstance(read, float) and not isinstance(read, bool) and read == value:
        return raw, value
    return number_of(value), value


def number_of(value: float | int) -> str:
    """A number as YAML: an integral value without `.0`."""
    if isinstance(value, bool):
        raise TypeError("a boolean is not a number")
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e16:
        return str(int(value))
    return _dump(value)


def text(value: str) -> str:
    """Text as a double-quoted YAML scalar, escapes included: safe in block and flow context alike."""
    return _dump(value, default_style='"')


def date_text(value: date) -> str:
    return value.isoformat()


def flow(value: Any) -> str:
    """Any loaded value (scalar, list, mapping) as one line of flow YAML."""
    if isinstance(value, bool) or value is None or isinstance(value, (list, dict)):
        return _dump(value, default_flow_style=True)
    if isinstance(value, (int, float)):
        return number_of(value)
    if isinstance(value, date):
        return value.isoformat()
    return plain_or_quoted(str(value))


def plain_or_quoted(value: str) -> str:
    """Text plain where YAML reads it back as this very text, else double-quoted."""
    out = _dump(value, default_flow_style=True)
    return out if not out.startswith(("'", '"')) and _reads(out) == value else text(value)
