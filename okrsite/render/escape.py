"""HTML escaping for compiled templates: markupsafe's `escape`, made without its Python-level `Markup.__new__`.

Autoescaping calls `escape` for every `{{ … }}`: several hundred times a page, a
tenth of a site's render time at 10,000 objectives. The C part that replaces the
five characters is markupsafe's own (`_escape_inner`); only the wrapping into a
`Markup` skips a Python call. The result is the same `Markup`, equal in value to
`markupsafe.escape`'s for every input (tests/test_escape.py checks it).
"""

from __future__ import annotations

from typing import Any

import jinja2
from markupsafe import Markup, _escape_inner  # type: ignore[attr-defined]

_new = str.__new__


def escape(s: Any, /) -> Markup:
    kind = type(s)
    if kind is str:
        return _new(Markup, _escape_inner(s))
    if kind is Markup:  # already safe: markupsafe returns an equal copy
        return s
    if kind is int:  # digits and a sign: nothing to replace
        return _new(Markup, str(s))
    if hasattr(s, "__html__"):
        return Markup(s.__html__())
    return _new(Markup, _escape_inner(str(s)))


class FastEscapeTemplate(jinja2.Template):
    """A template whose compiled code calls `escape` above: the code looks the name up in its module's
    namespace at each call, so replacing it there, once per loaded template, is enough."""

    @classmethod
    def _from_namespace(cls, environment: jinja2.Environment, namespace: Any, globals: Any) -> jinja2.Template:
        if "escape" in namespace:
            namespace["escape"] = escape
        return super()._from_namespace(environment, namespace, globals)


def safe(markup: str) -> Markup:
    """`Markup(markup)` for a plain `str` the caller has built from escaped parts, without the Python call."""
    return _new(Markup, markup)
