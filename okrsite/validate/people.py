"""People: every name given as an owner or a lead, gathered into one person per name.

Names are compared after trimming and collapsing inner spaces, as the spec says: "Lee  Wong "
and "Lee Wong" are one person. Names that then differ only in letter case are still two people
(each with a page), but the later spelling (files in path order) gets a warning naming the
earlier one: "lee wong" beside "Lee Wong" is most likely a typo.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import NamedTuple

from okrsite import urls
from okrsite.diagnostics import Diagnostics
from okrsite.model import Kpi, Objective, OrgUnit, Page, PathKey
from okrsite.validate.graph import Graph

_NOT_SLUG = re.compile(r"[^a-z0-9]+")


def normal_name(text: str) -> str:
    """Trimmed, inner runs of white space collapsed to one space."""
    return " ".join(text.split())


def person_key(text: str) -> str:
    """What makes two written names one person."""
    return normal_name(text)


class NameUse(NamedTuple):  # a tuple: tens of thousands are made per check
    """One place a name is given: who (`name`, normalised), where, and for what."""

    name: str
    page: Page
    path: PathKey  # of the `owner` / `lead` value
    field: str  # "owner" | "lead"
    role: str  # "objective" | "key_result" | "kpi" | "org_unit"
    ref: str  # the page id, or OBJECTIVE-ID/KR-ID


@dataclass(slots=True)
class PersonGroup:
    name: str  # the first spelling seen
    url: str = ""
    uses: list[NameUse] = field(default_factory=list)


def name_uses(g: Graph) -> Iterator[NameUse]:
    """Every owner and lead, files in path order; within an objective its own owner first."""
    for page in g.pages.values():
        if isinstance(page, Objective):
            if page.owner.strip():
                yield NameUse(normal_name(page.owner), page, ("owner",), "owner", "objective", page.id)
            for kr in page.key_results:
                if kr.owner.strip():
                    yield NameUse(normal_name(kr.owner), page, kr.prefix + ("owner",), "owner", "key_result",
                                  f"{page.id}/{kr.id}")
        elif isinstance(page, Kpi) and page.owner.strip():
            yield NameUse(normal_name(page.owner), page, ("owner",), "owner", "kpi", page.id)
        elif isinstance(page, OrgUnit) and page.lead.strip():
            yield NameUse(normal_name(page.lead), page, ("lead",), "lead", "org_unit", page.id)


def gather_people(g: Graph) -> list[PersonGroup]:
    """One group per person, sorted by name, each with its page's URL."""
    by_key: dict[str, PersonGroup] = {}
    for use in name_uses(g):
        group = by_key.get(use.name)
        if group is None:
            group = by_key[use.name] = PersonGroup(use.name)
        group.uses.append(use)
    people = sorted(by_key.values(), key=lambda p: p.name)
    taken: set[str] = {"index"}  # people/index.html is the people index (okrsite.urls.PEOPLE)
    for person in people:
        base = person_slug(person.name)
        slug, n = base, 2
        while slug in taken:
            slug, n = f"{base}-{n}", n + 1
        taken.add(slug)
        person.url = urls.person_url(slug)
    return people


def person_slug(name: str) -> str:
    """ASCII letters and digits joined by hyphens (José Núñez → jose-nunez); "person" when none is left."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    return _NOT_SLUG.sub("-", ascii_name.lower()).strip("-") or "person"


def check_people(g: Graph, diags: Diagnostics) -> None:
    """Warn at names differing only in case, and keep the people on the graph for compute."""
    people = g.people = gather_people(g)
    first_of: dict[str, NameUse] = {}  # by the name in any case: where its first spelling was given
    for use in name_uses(g):
        first = first_of.setdefault(use.name.casefold(), use)
        if use.name != first.name:
            diags.warning(use.page.loc, use.path, "person-case",
                          f"{use.field} '{use.name}' differs only in letter case from '{first.name}' "
                          f"({first.page.file.display}) (did you mean '{first.name}'?)")
    person_at = {person.url: person for person in people}
    folder = urls.person_url("").rsplit("/", 1)[0] + "/"
    for pid, url in g.url_of.items():
        person = person_at.get(url.lower()) if url[:len(folder)].lower() == folder else None
        if person is not None:
            diags.error(g.pages[pid].loc, (), "output-collision",
                        f"page would be written to {url}, which the page of person '{person.name}' already writes; "
                        f"move it")
