"""Builders of the operations tests. Generated people only (names invented)."""

from __future__ import annotations

import datetime
from typing import Any

from homecoming.accounts.models import Agency, User
from homecoming.cases.choices import CaseStage
from homecoming.cases.models import Case
from homecoming.cases.tests.factories import case_ready_for_anything
from homecoming.core.testing.factories import PersonFactory
from homecoming.operations import services
from homecoming.operations.models import Operation
from homecoming.registry.models import FamilyGroup, Person
from homecoming.registry.services import family_group_create

# A mother written in Cyrillic (as the home state's lists have it) and a child written in Arabic
# (as a foreign authority's list has it).
CYRILLIC_MOTHER = "Зарина Каримова"
ARABIC_CHILD = "عمر كريموف"


def a_case(agency: Agency, *, name: str = "", stage: CaseStage = CaseStage.APPROVED, **person: Any) -> Case:
    """An open case of a new person of ``agency`` at ``stage``, with an eligible assessment and a
    consent (so every move of the table can be made)."""
    person_kwargs: dict[str, Any] = {"owner_agency": agency, **person}
    if name:
        person_kwargs["display_name"] = name
    return case_ready_for_anything(person=PersonFactory(**person_kwargs), stage=stage)


def a_family(
    agency: Agency,
    *,
    name: str = "Karimova",
    mother: str = CYRILLIC_MOTHER,
    children: tuple[str, ...] = (ARABIC_CHILD,),
) -> tuple[FamilyGroup, list[Case]]:
    """A mother and her children in one registry family group, all cases approved."""
    cases = [a_case(agency, name=mother, sex="F", birth_date=datetime.date(1990, 5, 1))]
    cases += [a_case(agency, name=child, birth_date=datetime.date(2015, 3, 1)) for child in children]
    persons: list[Person] = [c.person for c in cases]
    group = family_group_create(by=None, name=name, owner_agency=agency, members=persons)
    return group, cases


def an_operation(agency: Agency, by: User, **kwargs: Any) -> Operation:
    values: dict[str, Any] = {
        "name": "Baghdad - Dushanbe",
        "origin_country": "IRQ",
        "origin_place": "Baghdad",
        "destination_country": "TJK",
        "destination_place": "Dushanbe",
        "released_by": "Government of Iraq",
        "planned_start": datetime.date(2019, 4, 30),
        "planned_end": datetime.date(2019, 4, 30),
        **kwargs,
    }
    return services.operation_create(by=by, owner_agency=agency, **values)
