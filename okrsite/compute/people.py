"""People as plain data: for each person, the ids of what they own and lead."""

from __future__ import annotations

from okrsite.compute.results import Person, Results
from okrsite.validate.graph import Graph
from okrsite.validate.people import PersonGroup, person_key


def compute_people(results: Results, graph: Graph) -> None:
    """From the people validation gathered on the graph (okrsite.validate.people.check_people)."""
    group: PersonGroup
    for group in graph.people:
        owned: dict[str, set[str]] = {"objective": set(), "key_result": set(), "kpi": set(), "org_unit": set()}
        for use in group.uses:
            owned[use.role].add(use.ref)
        results.people.append(Person(group.name, group.url, sorted(owned["objective"]), sorted(owned["key_result"]),
                                     sorted(owned["kpi"]), sorted(owned["org_unit"])))
        results.person_urls[person_key(group.name)] = group.url
