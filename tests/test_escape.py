"""The templates' fast `escape` gives markupsafe's answer, as a `Markup`, for every kind of value."""

from __future__ import annotations

from datetime import date

from hypothesis import given
from hypothesis import strategies as st
from markupsafe import Markup
from markupsafe import escape as reference

from okrsite.render.escape import escape
from okrsite.render.theme import make_env, theme_dirs


class Html:
    def __init__(self, text: str) -> None:
        self.text = text

    def __html__(self) -> str:
        return self.text


class Str(str):
    pass


values = st.one_of(
    st.text(), st.text().map(Markup), st.text().map(Html), st.text().map(Str), st.integers(), st.floats(),
    st.booleans(), st.none(), st.dates(), st.lists(st.text(max_size=3), max_size=3),
)


@given(values)
def test_escape_equals_markupsafe(value: object) -> None:
    got = escape(value)
    assert type(got) is Markup
    assert str(got) == str(reference(value))


def test_theme_templates_use_it(tmp_path) -> None:
    env = make_env(theme_dirs(tmp_path, "default"))
    t = env.from_string("{{ a }}|{{ b }}|{{ c }}|{{ d }}")
    assert t.root_render_func.__globals__["escape"] is escape
    assert t.render(a="<b>&", b=Markup("<i>"), c=3, d=date(2026, 1, 2)) == "&lt;b&gt;&amp;|<i>|3|2026-01-02"
