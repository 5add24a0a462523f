"""Access matrix of every page of the matching app (the duplicate review)."""

from __future__ import annotations

from typing import Any

from homecoming.accounts.choices import Role
from homecoming.core.access import Perm
from homecoming.core.testing.factories import CaseFactory, PersonFactory, user_with_role
from homecoming.core.testing.matrix import AccessMatrix, Endpoint, World
from homecoming.matching.models import DuplicateCandidate
from homecoming.matching.services import person_merge


def _two_persons(agency, assignee) -> tuple[Any, Any]:
    first = PersonFactory(owner_agency=agency, display_name="Madina Karimova", sex="F")
    second = PersonFactory(owner_agency=agency, display_name="Мадина Каримова", sex="F")
    if assignee is not None:
        CaseFactory(person=first, assigned_to=assignee)
        CaseFactory(person=second, assigned_to=assignee)
    return first, second


def a_pair(world: World, agency, assignee) -> dict[str, Any]:
    first, second = _two_persons(agency, assignee)
    candidate = DuplicateCandidate.objects.create(person_a=first, person_b=second, probability=0.91)
    return {"pk": candidate.pk}


def a_merge(world: World, agency, assignee) -> dict[str, Any]:
    first = PersonFactory(owner_agency=agency, display_name="Madina Karimova", sex="F")
    second = PersonFactory(owner_agency=agency, display_name="Мадина Каримова", sex="F")
    if assignee is not None:
        CaseFactory(person=first, assigned_to=assignee)
    candidate = DuplicateCandidate.objects.create(person_a=first, person_b=second, probability=0.91)
    merger = user_with_role(Role.CASE_WORKER, agency, username=f"merger-{agency.code}")
    return {"pk": person_merge(candidate=candidate, survivor=first, by=merger).pk}


def keep_left(world: World, kwargs: dict[str, Any]) -> dict[str, Any]:
    return {"survivor": "a", "birth_date": "b"}


class TestMatchingAccess(AccessMatrix):
    endpoints = [
        Endpoint("matching:candidate_list", perm=Perm.MATCH_REVIEW),
        Endpoint("matching:candidate_detail", perm=Perm.MATCH_REVIEW, record=a_pair),
        Endpoint("matching:candidate_not_same", method="post", perm=Perm.MATCH_REVIEW, record=a_pair),
        Endpoint("matching:candidate_merge", method="post", perm=Perm.MATCH_REVIEW, record=a_pair, data=keep_left),
        Endpoint("matching:merge_detail", perm=Perm.MATCH_REVIEW, record=a_merge),
        Endpoint("matching:merge_undo", method="post", perm=Perm.MATCH_REVIEW, record=a_merge),
    ]
