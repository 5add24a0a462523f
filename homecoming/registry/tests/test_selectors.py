"""The registry's reads: search by any spelling, the person list's filters, keyset pages."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from homecoming.cases.choices import CaseStage
from homecoming.core.testing.factories import CaseFactory, PersonFactory
from homecoming.registry import selectors, services
from homecoming.registry.birth import add_years
from homecoming.registry.models import Person
from homecoming.registry.services import NameInput
from homecoming.registry.tests.factories import FacilityFactory

pytestmark = pytest.mark.django_db


def found(user: Any, **filters: Any) -> list[Person]:
    return list(selectors.person_list(user=user, filters=filters))


@pytest.fixture
def people(agency, worker):
    def register(name: Any, **kwargs: Any) -> Person:
        return services.person_create(by=worker, owner_agency=agency, name=name, **kwargs)

    return {
        "mukhriddin": register(NameInput("Мухриддин Назаров"), sex="M", birth_date=dt.date(2012, 5, 1)),
        "zarina": register("Zarina Rahimova", sex="F", birth_date=dt.date(1990, 3, 12), other_names=["زرينة رحيموفا"]),
        "amir": register("Амир Раҳимов", sex="M", birth_date=dt.date(2016, 1, 10)),
        "farida": register("Farida Nazarova", sex="F"),
    }


# --- search by any spelling ------------------------------------------------------------------------


@pytest.mark.parametrize("query", ["Mukhriddin", "Muhriddin", "Мухриддин", "мухриддин", "MUKHRIDDIN", "مخرالدين"])
def test_every_spelling_finds_the_same_person(people, worker, query) -> None:
    assert found(worker, q=query) == [people["mukhriddin"]]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("Nazarov Mukhriddin", ["mukhriddin"]),  # any order of the parts
        ("Muhriddin Назаров", ["mukhriddin"]),  # mixed scripts
        ("Mukhriddin Rahimov", []),  # every part must match
        # Family names share their phonetic key whatever the gender ending: Rahimov and Rahimova.
        ("Rahimova", ["amir", "zarina"]),
        ("رحيموفا", ["amir", "zarina"]),  # Zarina by her Arabic alias
        ("Rakhimova", ["amir", "zarina"]),
        ("Zarina Rahimova", ["zarina"]),
        ("Zari", ["zarina"]),  # the start of a name while typing
        ("Рахимов", ["amir", "zarina"]),  # without the Tajik letter ҳ; the feminine form too
        ("  ", ["farida", "amir", "zarina", "mukhriddin"]),  # blank: everyone, newest first
        ("!!! ???", []),  # nothing to search for: no one
    ],
)
def test_search_by_name_parts(people, worker, query, expected) -> None:
    assert found(worker, q=query) == [people[key] for key in expected]


def test_search_only_finds_persons_the_user_may_see(people, ngo_worker, other_agency) -> None:
    own = services.person_create(by=ngo_worker, owner_agency=other_agency, name="Mukhriddin Saidov")
    assert found(ngo_worker, q="Мухриддин") == [own]
    assert found(ngo_worker) == [own]


def test_a_name_corrected_is_found_by_its_new_spelling_only(people, worker) -> None:
    farida = people["farida"]
    services.person_update(person=farida, by=worker, changes={"name": NameInput("Malika Nazarova")})
    assert found(worker, q="Farida") == []
    assert found(worker, q="Малика") == [farida]


def test_possible_duplicates_and_relatives_to_pick(people, worker) -> None:
    hits = selectors.person_likely_duplicates(user=worker, names=[("Mukhriddin", ""), ("Zarina", "")])
    assert {hit.person for hit in hits} >= {people["zarina"], people["mukhriddin"]}
    assert all(hit.reasons for hit in hits)
    excluded = selectors.person_likely_duplicates(user=worker, names=[("Zarina", "")], exclude=people["zarina"].pk)
    assert people["zarina"] not in [hit.person for hit in excluded]
    assert selectors.persons_pickable(user=worker, text="Rahim", exclude=[people["zarina"].pk]) == [people["amir"]]
    assert selectors.persons_pickable(user=worker, text="R") == [], "one letter is too little to pick from"


# --- filters -----------------------------------------------------------------------------------------


def test_filter_by_case_stage(people, worker, ngo_worker) -> None:
    CaseFactory(person=people["amir"], stage=CaseStage.CONSENTED)
    CaseFactory(person=people["zarina"], stage=CaseStage.IDENTIFIED)
    assert found(worker, stage="consented") == [people["amir"]]
    assert found(worker, stage="identified") == [people["zarina"]]
    assert found(worker, stage="returned") == []
    assert found(worker, stage="consented", q="Zarina") == []


def test_filter_by_current_facility_and_country(people, worker) -> None:
    rusafa = FacilityFactory(name="Rusafa prison", country="IRQ")
    roj = FacilityFactory(name="Roj camp", kind="camp", country="SYR")
    services.custody_create(person=people["zarina"], by=worker, facility=rusafa, since=dt.date(2018, 1, 1))
    services.custody_create(person=people["amir"], by=worker, facility=rusafa, since=dt.date(2018, 1, 1))
    services.custody_create(person=people["amir"], by=worker, facility=roj, since=dt.date(2019, 1, 1), end_current=True)

    assert found(worker, facility=rusafa.pk) == [people["zarina"]], "a past stay does not count"
    assert found(worker, facility=roj.pk) == [people["amir"]]
    assert found(worker, custody_country="IRQ") == [people["zarina"]]
    assert found(worker, custody_country="SYR") == [people["amir"]]
    assert found(worker, custody_country="TJK") == []


def test_filter_by_age_band_sex_and_agency(people, worker, agency, other_agency) -> None:
    today = timezone.localdate()
    toddler = PersonFactory(owner_agency=agency, birth_date=add_years(today, -3))
    just_five = PersonFactory(owner_agency=agency, birth_date=add_years(today, -5))
    almost_five = PersonFactory(owner_agency=agency, birth_date=add_years(today, -5) + dt.timedelta(days=1))

    assert set(found(worker, age_band="0-4")) == {toddler, almost_five}
    assert just_five in found(worker, age_band="5-11")
    assert set(found(worker, age_band="18+")) == {people["zarina"]}
    assert set(found(worker, age_band="unknown")) == {people["farida"]}
    assert set(found(worker, sex="F")) >= {people["zarina"], people["farida"]}
    assert people["amir"] not in found(worker, sex="F")
    assert len(found(worker, agency=agency.code)) == 7
    assert found(worker, agency="ngo") == []


def test_filters_combine(people, worker) -> None:
    assert found(worker, q="Nazarov", sex="M") == [people["mukhriddin"]]
    assert found(worker, q="Nazarova", sex="F") == [people["farida"]]


def test_an_invalid_filter_value_is_ignored_by_the_list(people, worker) -> None:
    filterset = selectors.person_filterset(user=worker, data={"stage": "nonsense"})
    assert not filterset.is_valid()
    assert "stage" in filterset.errors


# --- pages --------------------------------------------------------------------------------------------


def test_keyset_pages_walk_forwards_and_backwards(worker, agency) -> None:
    persons = [PersonFactory(owner_agency=agency) for _ in range(7)]
    newest_first = sorted(persons, key=lambda p: -p.pk)

    _filters, first = selectors.person_list_page(user=worker, data={}, size=3)
    assert first.rows == newest_first[:3]
    assert first.total == 7
    assert first.is_first
    assert not first.has_previous
    assert first.has_next

    _filters, second = selectors.person_list_page(user=worker, data={}, after=first.next_after, size=3)
    assert second.rows == newest_first[3:6]
    assert second.has_previous
    assert second.has_next
    assert not second.is_first

    _filters, last = selectors.person_list_page(user=worker, data={}, after=second.next_after, size=3)
    assert last.rows == newest_first[6:]
    assert not last.has_next

    _filters, back = selectors.person_list_page(user=worker, data={}, before=last.previous_before, size=3)
    assert back.rows == second.rows

    _filters, back_to_start = selectors.person_list_page(user=worker, data={}, before=back.previous_before, size=3)
    assert back_to_start.rows == first.rows
    assert not back_to_start.has_previous


def test_keyset_page_caps_the_count_and_ignores_garbage(worker, agency) -> None:
    for _ in range(4):
        PersonFactory(owner_agency=agency)
    page = selectors.keyset_page(Person.objects.all(), after="nonsense", size=2, count_cap=3)
    assert page.total == 3
    assert page.total_is_capped
    assert len(page.rows) == 2


def test_list_rows_carry_what_the_row_shows(people, worker, django_assert_num_queries) -> None:
    rusafa = FacilityFactory(name="Rusafa prison")
    services.custody_create(person=people["zarina"], by=worker, facility=rusafa, since=dt.date(2018, 1, 1))
    rows = found(worker)
    with django_assert_num_queries(0):
        by_pk: dict[int, Any] = {p.pk: p for p in rows}
        zarina = by_pk[people["zarina"].pk]
        assert [n.full_name for n in zarina.other_names] == ["زرينة رحيموفا"]
        assert zarina.current_custody[0].facility.name == "Rusafa prison"
        assert zarina.owner_agency.code == "cpa"
        assert by_pk[people["amir"].pk].current_custody == []
