"""The real-time warning: likely duplicates of a person being registered, from indexed keys, with reasons."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from homecoming.accounts.choices import Role
from homecoming.core.testing.factories import AgencyFactory, PersonFactory, user_with_role
from homecoming.matching.models import DuplicateCandidate, DuplicateStatus
from homecoming.matching.selectors import likely_duplicates

pytestmark = pytest.mark.django_db

ABOUT_2015: dict[str, Any] = {"birth_date_min": dt.date(2014, 7, 1), "birth_date_max": dt.date(2016, 7, 1)}


@pytest.fixture
def agency():
    return AgencyFactory(code="own")


@pytest.fixture
def user(agency):
    return user_with_role(Role.CASE_WORKER, agency, username="registrar")


@pytest.fixture
def madina(agency):
    return PersonFactory(
        owner_agency=agency, display_name="Madina Karimova", sex="F", birth_date=dt.date(2015, 3, 2),
        names=["Мадина Каримова"],
    )  # fmt: skip


@pytest.fixture
def sister(agency):
    return PersonFactory(owner_agency=agency, display_name="Zarina Karimova", sex="F", birth_date=dt.date(2013, 1, 9))


def test_a_child_listed_in_arabic_script_is_found_with_reasons(user, madina, sister):
    found = likely_duplicates(user=user, given_name="مدينة", family_name="كريموفا", sex="F", **ABOUT_2015)
    assert [item.person.pk for item in found] == [madina.pk]
    hit = found[0]
    assert hit.probability >= 0.9
    reasons = {row.field: row for row in hit.reasons}
    assert set(reasons) == {"given_name", "family_name", "birth_date", "sex"}
    assert reasons["birth_date"].level == "compatible"
    assert reasons["given_name"].direction == "for"


def test_swapped_order_and_reformed_surname_are_found(user, madina):
    assert [i.person for i in likely_duplicates(user=user, given_name="Karimova", family_name="Madina")] == [madina]
    found = likely_duplicates(user=user, given_name="Мадина", family_name="Каримзода", birth_date=dt.date(2015, 3, 2))
    assert [i.person for i in found] == [madina]


def test_other_sex_far_dates_and_other_agencies_are_left_out(user, madina):
    assert likely_duplicates(user=user, given_name="Madina", family_name="Karimova", sex="M") == []
    assert likely_duplicates(user=user, given_name="Madina", family_name="Karimova", birth_date=dt.date(1980, 1, 1)) == []  # fmt: skip
    elsewhere = PersonFactory(owner_agency=AgencyFactory(code="far"), display_name="Madina Karimova", sex="F")
    found = likely_duplicates(user=user, given_name="Madina", family_name="Karimova")
    assert elsewhere.pk not in [item.person.pk for item in found]
    assert likely_duplicates(user=user, given_name="", family_name="") == []


def test_editing_a_record_leaves_out_itself_and_pairs_decided_apart(user, madina, agency):
    twin = PersonFactory(owner_agency=agency, display_name="Madina Karimova", sex="F", birth_date=dt.date(2015, 3, 2))
    kwargs: dict[str, Any] = {
        "user": user,
        "given_name": "Madina",
        "family_name": "Karimova",
        "birth_date": dt.date(2015, 3, 2),
    }
    assert {i.person.pk for i in likely_duplicates(**kwargs, exclude=madina.pk)} == {twin.pk}
    low, high = sorted((madina.pk, twin.pk))
    DuplicateCandidate.objects.create(person_a_id=low, person_b_id=high, probability=0.99, status=DuplicateStatus.NOT_SAME)  # fmt: skip
    assert likely_duplicates(**kwargs, exclude=madina.pk) == []
    assert likely_duplicates(**kwargs, exclude=twin.pk) == []


def test_a_few_queries_whatever_the_number_of_candidates(user, agency, django_assert_max_num_queries):
    for day in range(1, 21):
        PersonFactory(owner_agency=agency, display_name="Madina Karimova", sex="F", birth_date=dt.date(2015, 3, day))
    with django_assert_max_num_queries(5):  # access; ids by key; filtered and ordered; persons; names
        found = likely_duplicates(
            user=user, given_name="Madina", family_name="Karimova", birth_date=dt.date(2015, 3, 5)
        )
    assert len(found) == 5
    assert found[0].person.birth_date == dt.date(2015, 3, 5)


def test_when_a_common_name_gives_more_candidates_than_are_scored_those_born_nearest_come_first(user, agency):
    # Ten namesakes born years from the date given, then the person sought (created last, so an
    # unordered scan would reach it last) — only three candidates are scored.
    for year in range(2008, 2013):
        PersonFactory(owner_agency=agency, display_name="Madina Karimova", sex="F", birth_date=dt.date(year, 3, 2))
    for _ in range(5):
        PersonFactory(owner_agency=agency, display_name="Madina Karimova", sex="F", birth_date=None)
    sought = PersonFactory(owner_agency=agency, display_name="Madina Karimova", sex="F", birth_date=dt.date(2015, 3, 2))
    found = likely_duplicates(
        user=user, given_name="Мадина", family_name="Каримова", sex="F", max_candidates=3, **ABOUT_2015
    )
    assert found[0].person == sought


def test_more_namesakes_than_are_read_as_ids_give_the_same_answer(user, agency, monkeypatch):
    from homecoming.matching import selectors

    for day in range(1, 8):
        PersonFactory(owner_agency=agency, display_name="Madina Karimova", sex="F", birth_date=dt.date(2015, 3, day))
    asked = {"user": user, "given_name": "Мадина", "family_name": "Каримова", "birth_date": dt.date(2015, 3, 5)}
    by_ids = [(item.person.pk, item.probability) for item in likely_duplicates(**asked)]
    monkeypatch.setattr(selectors, "_CANDIDATE_IDS_CAP", 3)  # too many ids: the subquery path
    assert [(item.person.pk, item.probability) for item in likely_duplicates(**asked)] == by_ids
    assert len(by_ids) == 5
