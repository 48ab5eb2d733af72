"""Typed reads of front-matter fields; a wrong type is a diagnostic at the value."""

from __future__ import annotations

import math
import re
from datetime import date, datetime
from typing import Any

from okrsite.diagnostics import Diagnostics, did_you_mean
from okrsite.load.yamlnodes import BadScalar
from okrsite.model import Located, PathKey

ID_RE = re.compile(r"[a-z0-9][a-z0-9-]*\Z")
ISO_DATE_RE = re.compile(r"\d{4}-\d\d-\d\d\Z")


def iso_date(text: str) -> date:
    """`YYYY-MM-DD` only (date.fromisoformat also takes 20250812 and 2025-W33-1); ValueError otherwise."""
    if not ISO_DATE_RE.match(text):
        raise ValueError("use YYYY-MM-DD")
    return date.fromisoformat(text)
_MISSING = object()


def describe(value: Any) -> str:
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return f"a boolean ({str(value).lower()})"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, (int, float)):
        return f"a number ({value})"
    if isinstance(value, (date, datetime)):
        return f"a date ({value})"
    text = str(value)
    return f"'{text[:40]}{'…' if len(text) > 40 else ''}'"


class Fields:
    """One mapping of front matter (or a nested one), read with positions."""

    def __init__(self, data: dict, loc: Located, diags: Diagnostics, prefix: PathKey = ()) -> None:
        self.data = data
        self.loc = loc
        self.diags = diags
        self.prefix = prefix

    def path(self, key: Any) -> PathKey:
        return self.prefix + (key,)

    def error(self, key: Any, code: str, message: str, *, key_pos: bool = False) -> None:
        self.diags.error(self.loc, self.path(key) if key is not None else self.prefix, code, message, key=key_pos)

    def has(self, key: str) -> bool:
        return key in self.data and self.data[key] is not None

    def raw(self, key: str, default: Any = None) -> Any:
        return self.data.get(key, default)

    def require(self, key: str, what: str) -> bool:
        if self.has(key):
            return True
        self.diags.error(self.loc, self.prefix, "missing-field", f"{what} needs '{key}'")
        return False

    def unknown_keys(self, allowed: set[str] | frozenset[str], where: str) -> None:
        for key in self.data:
            if key not in allowed:
                hint = did_you_mean(str(key), sorted(allowed))
                self.diags.warning(self.loc, self.path(key), "unknown-key",
                                   f"unknown {where} field '{key}'{hint}", key=True)

    # -- scalars ---------------------------------------------------------------

    def text(self, key: str, default: str = "") -> str:
        value = self.data.get(key, _MISSING)
        if value is _MISSING or value is None:
            return default
        if isinstance(value, (dict, list)):
            self.error(key, "type", f"'{key}' should be text, not {describe(value)}")
            return default
        if isinstance(value, bool):
            return str(value).lower()
        if isinstance(value, float) and value.is_integer():
            return str(int(value))
        return str(value)

    def number(self, key: str, *, required_for: str | None = None) -> float | None:
        value = self.data.get(key, _MISSING)
        if value is _MISSING or value is None:
            if required_for:
                self.diags.error(self.loc, self.prefix, "missing-field", f"{required_for} needs '{key}'")
            return None
        return self.as_number(value, self.path(key), key)

    def as_number(self, value: Any, path: PathKey, label: str) -> float | None:
        if isinstance(value, bool):  # YAML 1.1: `yes`, `on`, `true` … are booleans, never 1 or 0
            self.diags.error(self.loc, path, "type", f"expected a number for '{label}', not a boolean "
                             f"({str(value).lower()}; YAML reads yes, no, on and off as true and false)")
            return None
        if not isinstance(value, (int, float)):
            hint = ""
            if isinstance(value, BadScalar):
                hint = f" ({value.reason})"
            elif isinstance(value, str):
                stripped = value.strip().rstrip("%").replace(",", "")
                try:
                    number = float(stripped)
                except ValueError:
                    number = None
                if number is not None and not math.isfinite(number):
                    hint = " (out of range)" if "e" in stripped.lower() else ""
                elif number is not None and "e" in stripped.lower():
                    # YAML 1.1 reads 1e3 as text; only 1.0e+3 (dot and signed exponent) is a number
                    hint = f" (YAML reads {stripped} as text; write {number:g}, or a dot and a signed exponent: 1.0e+3)"
                elif number is not None:
                    hint = f" (write {stripped} and put the unit in 'unit')"
            self.diags.error(self.loc, path, "type", f"'{label}' should be a number, not {describe(value)}{hint}")
            return None
        if isinstance(value, float) and not math.isfinite(value):
            self.diags.error(self.loc, path, "type", f"'{label}' should be a finite number, not {value}")
            return None
        try:
            return float(value)
        except OverflowError:  # an int of 309+ digits
            self.diags.error(self.loc, path, "type", f"'{label}' is too large a number ({len(str(abs(value)))} digits)")
            return None

    def date(self, key: str, *, required_for: str | None = None) -> date | None:
        value = self.data.get(key, _MISSING)
        if value is _MISSING or value is None:
            if required_for:
                self.diags.error(self.loc, self.prefix, "missing-field", f"{required_for} needs '{key}'")
            return None
        return self.as_date(value, self.path(key), key)

    def as_date(self, value: Any, path: PathKey, label: str) -> date | None:
        if isinstance(value, datetime):
            return value.date()
        if isinstance(value, date):
            return value
        if isinstance(value, BadScalar):
            self.diags.error(self.loc, path, "bad-date",
                             f"'{label}' is not a valid date: {value.text} ({value.reason})")
            return None
        if isinstance(value, str):
            try:
                return iso_date(value.strip())
            except ValueError as e:
                reason = str(e)
                self.diags.error(self.loc, path, "bad-date", f"'{label}' is not a valid date: {value} ({reason})")
                return None
        self.diags.error(self.loc, path, "bad-date", f"'{label}' should be a date (YYYY-MM-DD), not {describe(value)}")
        return None

    def boolean(self, key: str, default: bool = False) -> bool:
        value = self.data.get(key, _MISSING)
        if value is _MISSING or value is None:
            return default
        if not isinstance(value, bool):
            self.error(key, "type", f"'{key}' should be true or false, not {describe(value)}")
            return default
        return value

    def choice(self, key: str, options: tuple[str, ...], default: str | None) -> str | None:
        value = self.data.get(key, _MISSING)
        if value is _MISSING or value is None:
            return default
        if not isinstance(value, str) or value not in options:
            hint = did_you_mean(str(value), options)
            self.error(key, "bad-value", f"'{key}' must be one of {', '.join(options)}, not {describe(value)}{hint}")
            return default
        return value

    def ident(self, key: str) -> str | None:
        """A reference to another page by id (checked against the site later)."""
        value = self.data.get(key, _MISSING)
        if value is _MISSING or value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, (str, int)):
            self.error(key, "type", f"'{key}' should be an id, not {describe(value)}")
            return None
        return str(value)

    def ident_list(self, key: str) -> list[str]:
        value = self.data.get(key, _MISSING)
        if value is _MISSING or value is None:
            return []
        items = value if isinstance(value, list) else [value]
        out = []
        for i, item in enumerate(items):
            path = self.path(key) + ((i,) if isinstance(value, list) else ())
            if isinstance(item, bool) or not isinstance(item, (str, int)):
                self.diags.error(self.loc, path, "type", f"'{key}' should list ids, not {describe(item)}")
                continue
            out.append(str(item))
        return out

    def band(self, key: str) -> tuple[float | None, float | None] | None:
        """`[low, high]`, either end may be null."""
        value = self.data.get(key, _MISSING)
        if value is _MISSING or value is None:
            return None
        if not isinstance(value, list) or len(value) != 2:
            what = f"a list of {len(value)}" if isinstance(value, list) else describe(value)
            self.error(key, "type", f"'{key}' should be [low, high] (either may be null), not {what}")
            return None
        low, high = (None if v is None else self.as_number(v, self.path(key) + (i,), key) for i, v in enumerate(value))
        if (low is None and value[0] is not None) or (high is None and value[1] is not None):
            return None
        if low is None and high is None:
            self.error(key, "bad-value", f"'{key}' needs at least one bound")
            return None
        if low is not None and high is not None and low > high:
            self.error(key, "bad-value", f"'{key}' low end {low:g} is above its high end {high:g}")
            return None
        return (low, high)

    def mapping(self, key: str) -> Fields | None:
        value = self.data.get(key, _MISSING)
        if value is _MISSING or value is None:
            return None
        if not isinstance(value, dict):
            self.error(key, "type", f"'{key}' should be a mapping, not {describe(value)}")
            return None
        return Fields(value, self.loc, self.diags, self.path(key))

    def items(self, key: str, what: str) -> list[Fields]:
        """A list of mappings (key results, check-ins, measurements)."""
        value = self.data.get(key, _MISSING)
        if value is _MISSING or value is None:
            return []
        if not isinstance(value, list):
            self.error(key, "type", f"'{key}' should be a list of {what}s, not {describe(value)}")
            return []
        out = []
        for i, item in enumerate(value):
            if not isinstance(item, dict):
                self.diags.error(self.loc, self.path(key) + (i,), "type",
                                 f"each entry of '{key}' should be a {what} mapping, not {describe(item)}")
                continue
            out.append(Fields(item, self.loc, self.diags, self.path(key) + (i,)))
        return out
