"""What each page's context was made from, so that `serve` rebuilds only the pages an edit can change.

While a page's context is built, every read of the graph and of the computed
results through `Refs` is recorded as a key: `("g.pages", id)`, `("r.objectives", id)`,
`("g.unit_children", id)`, or `(name, ALL)` when a whole mapping is iterated. After the
next edit, `changed_keys` compares the old and new graph and results and lists the
keys whose value differs; a page whose recorded keys miss that list shows exactly
what it showed before, so its context is not even built. Git history is tracked the
same way (`("h.files", path)`); anything else changing (configuration, theme, linked
files) makes every page rebuild.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from typing import Any

ALL = "*"  # the key recorded when a whole mapping (or a value that is no mapping) is read
Key = tuple[str, Any]


class Reads:
    """The keys read since the last `take()`; inactive (records nothing) until `start()`."""

    __slots__ = ("keys",)

    def __init__(self) -> None:
        self.keys: set[Key] | None = None

    def start(self) -> None:
        self.keys = set()

    def take(self) -> frozenset[Key]:
        keys, self.keys = self.keys, None
        return frozenset(keys or ())

    def add(self, key: Key) -> None:
        if self.keys is not None:
            self.keys.add(key)

    def update(self, keys: frozenset[Key]) -> None:
        if self.keys is not None:
            self.keys.update(keys)


class TrackedMap:
    """A read-only view of a dict that records which keys are read (iterating records ALL)."""

    __slots__ = ("_d", "_name", "_reads")

    def __init__(self, d: dict, name: str, reads: Reads) -> None:
        self._d, self._name, self._reads = d, name, reads

    def __getitem__(self, key: Any) -> Any:
        self._reads.add((self._name, key))
        return self._d[key]

    def get(self, key: Any, default: Any = None) -> Any:
        self._reads.add((self._name, key))
        return self._d.get(key, default)

    def __contains__(self, key: Any) -> bool:
        self._reads.add((self._name, key))
        return key in self._d

    def _all(self) -> dict:
        self._reads.add((self._name, ALL))
        return self._d

    def __iter__(self) -> Iterator[Any]:
        return iter(self._all())

    def __len__(self) -> int:
        return len(self._all())

    def __bool__(self) -> bool:
        return bool(self._all())

    def keys(self) -> Any:
        return self._all().keys()

    def values(self) -> Any:
        return self._all().values()

    def items(self) -> Any:
        return self._all().items()


# Methods of the graph that look a page up by id: recorded as a read of ("pages", id).
_LOOKUPS = frozenset({"get", "objective", "unit", "kpi", "explained"})


class Tracked:
    """The graph or the results, as `Refs` hands them to page code: every read is recorded.

    Neither changes while a render reads them, so each attribute's view is made once and
    kept (a page reads a few hundred thousand of them at 10,000 objectives)."""

    __slots__ = ("_obj", "_reads", "_prefix", "_views")

    def __init__(self, obj: Any, reads: Reads, prefix: str) -> None:
        object.__setattr__(self, "_obj", obj)
        object.__setattr__(self, "_reads", reads)
        object.__setattr__(self, "_prefix", prefix)
        object.__setattr__(self, "_views", {})

    def __getattr__(self, name: str) -> Any:
        try:
            whole, view = self._views[name]
        except KeyError:
            whole, view = self._views[name] = self._view(name)
        if whole is not None:  # another method, or a value that is no mapping: read whole
            self._reads.add(whole)
        return view

    def _view(self, name: str) -> tuple[Key | None, Any]:
        value = getattr(self._obj, name)
        key = self._prefix + name
        if isinstance(value, dict):
            return None, TrackedMap(value, key, self._reads)
        if name in _LOOKUPS and callable(value):
            reads, pages = self._reads, self._prefix + "pages"

            def lookup(page_id: Any = None, *args: Any, **kw: Any) -> Any:
                reads.add((pages, page_id))
                return value(page_id, *args, **kw)
            return None, lookup
        return (key, ALL), value

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("pages read the model; they never change it")


def _same(a: Any, b: Any) -> bool:
    """Values of the graph and results: by identity first (serve keeps an unchanged file's page
    object), then by equality (a re-read page that says the same is equal: its lazy position
    loader and its rendering cache do not compare)."""
    if a is b:
        return True
    if type(a) is not type(b):
        return False
    try:
        return bool(a == b)
    except Exception:  # noqa: BLE001 - an odd value compares as changed
        return False


def changed_keys(old: Any, new: Any, prefix: str) -> set[Key]:
    """Keys (as `Tracked` records them) whose value differs between two graphs or two results."""
    out: set[Key] = set()
    for f in dataclasses.fields(new):
        a, b = getattr(old, f.name, None), getattr(new, f.name)
        name = prefix + f.name
        if isinstance(b, dict) and isinstance(a, dict):
            diff = _diff(a, b)
            out.update((name, k) for k in diff)
            if diff or list(a) != list(b):
                out.add((name, ALL))
        elif not _same(a, b):
            out.add((name, ALL))
    return out


def _diff(a: dict, b: dict) -> list[Any]:
    """Keys whose value differs; identity is checked inline, as serve keeps most values from the last
    rebuild and this runs over every page of the handbook."""
    get_a, get_b = a.get, b.get
    keys = a if a.keys() == b.keys() else a.keys() | b.keys()
    return [k for k in keys if (x := get_a(k)) is not (y := get_b(k)) and not _same(x, y)]


def link_signature(page: Any) -> tuple[Any, ...]:
    """How a page's body links resolved (target URL, label): validation may change them in place
    when another page changes, so `serve` compares them itself."""
    links = getattr(getattr(page, "doc", None), "links", None)
    if not links:
        return ()
    return tuple((link.resolved, link.label) for link in links)
