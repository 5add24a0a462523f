"""Registered persons a list adds to are updated in bulk: the same records and audit content as row by row
(side by side on twins), a few audit writes per chunk rather than several per row, a refused row named
and nothing imported, and the persons locked while the import runs."""

from __future__ import annotations

import datetime as dt
import threading
from types import SimpleNamespace
from typing import Any

import pytest
from django.conf import settings
from django.db import DatabaseError, connection, transaction

from homecoming.audit import services as audit_services
from homecoming.audit.models import AuditEntry
from homecoming.core.choices import JobStatus
from homecoming.core.testing.factories import PersonFactory
from homecoming.intake import registry_bridge, services
from homecoming.intake.choices import BatchStatus, Resolution, SourceKind
from homecoming.intake.tests.test_commit import ready_batch, run_import
from homecoming.registry import services as registry
from homecoming.registry.choices import FacilityKind, IdentifierType
from homecoming.registry.models import CustodyRecord, Facility, FamilyLink, Identifier, Person, PersonName
from homecoming.registry.tests.test_bulk_updates import everything

pytestmark = pytest.mark.django_db

BATCH = SimpleNamespace(pk=7, source="Iraqi Ministry of Justice", list_date=dt.date(2024, 5, 1), is_foreign_list=True)

ZARINA = {"display_name": "Зарина Рахимова", "sex": "U", "birth_date": None}
FARHOD = {"display_name": "Фарход Рахимов", "sex": "U", "birth_date": None}
MADINA = {"display_name": "Мадина Рахимова", "sex": "F", "birth_date": dt.date(2019, 5, 5)}
SOMON = {"display_name": "Farhod Rahimov", "sex": "M", "birth_date": dt.date(2016, 1, 1)}

# (the person the row adds to, what the row holds, whether the same source corrects itself)
ROWS: list[tuple[dict[str, Any], dict[str, Any], bool]] = [
    (
        ZARINA,
        {
            "full_name": "Zarina Rahimova",
            "given_name": "Zarina",
            "family_name": "Rahimova",
            "other_names": ["Zarina Rakhimova", "Зарина Рахимова"],
            "sex": "F",
            "birth_date": "1990-03-12",
            "birth_date_precision": "day",
            "identifier": "IQ-001",
            "nationality": "TJK",
        },
        False,
    ),
    (
        FARHOD,
        {
            "full_name": "Farhod Rahimov",
            "sex": "M",
            "birth_date": "2016-12-01",
            "birth_date_precision": "estimated",
            "birth_date_earliest": "2016-06-01",
            "birth_date_latest": "2017-06-01",
            "identifier": "P 1234",
            "identifier_type": "passport",
        },
        False,
    ),
    # Sex and date of birth known already: kept.
    (
        MADINA,
        {"full_name": "Madina Rahimova", "sex": "M", "birth_date": "2018-01-01", "birth_date_precision": "year"},
        False,
    ),
    # Zarina again: a new spelling; her identifier and nationality recorded by the first row already.
    (
        ZARINA,
        {
            "full_name": "Zareena Rahimova",
            "other_names": ["Zarina Rahimova"],
            "identifier": "IQ 001",
            "nationality": "TJK",
            "sex": "F",
        },
        False,
    ),
    # A re-import correcting the source's own spelling, sex and date of birth.
    (SOMON, {"full_name": "Farkhod Rahimov", "sex": "M", "birth_date": "2016-02-02"}, True),
]


class _UndoError(Exception):
    pass


def row_by_row_then_undone(persons: list[Person], officer: Any) -> tuple[list[list[str]], list[dict[str, Any]]]:
    """What the single-record path returns and leaves in the persons' records, then rolled back (an
    identifier is recorded once in the registry, so the two paths run on the same persons in turn)."""
    try:
        with transaction.atomic():
            changed = [
                registry_bridge.person_update_from_list(
                    person=registry_bridge.person_for_update(person.pk),
                    cleaned=cleaned,
                    user=officer,
                    batch=BATCH,
                    overwrite=over,
                )
                for person, (_fields, cleaned, over) in zip(persons, ROWS, strict=True)
            ]
            held = [everything(person) for person in persons]
            raise _UndoError
    except _UndoError:
        pass
    return changed, held


def test_registered_persons_are_updated_in_bulk_as_row_by_row(officer, agency):
    made: dict[str, Person] = {}
    for fields, _cleaned, _over in ROWS:
        made.setdefault(fields["display_name"], PersonFactory(owner_agency=agency, **fields))
    persons = [made[fields["display_name"]] for fields, _cleaned, _over in ROWS]
    single, single_held = row_by_row_then_undone(persons, officer)
    assert not Identifier.objects.exists()
    locked = registry_bridge.persons_for_update(person.pk for person in persons)
    bulk = registry_bridge.persons_update_from_list(
        persons=[locked[person.pk] for person in persons],
        cleaned_rows=[cleaned for _fields, cleaned, _over in ROWS],
        user=officer,
        batch=BATCH,
        overwrite=[over for _fields, _cleaned, over in ROWS],
    )
    assert bulk == single
    assert bulk[0] == ["sex", "birth_date", "names", "identifiers", "nationality"]
    assert bulk[2] == ["names"]
    assert bulk[3] == ["names"]
    assert [everything(person) for person in persons] == single_held
    zarina = Person.objects.get(pk=persons[0].pk)
    assert (zarina.sex, zarina.birth_date) == ("F", dt.date(1990, 3, 12))
    assert set(zarina.names.values_list("full_name", flat=True)) == {
        "Зарина Рахимова",
        "Zarina Rahimova",
        "Zarina Rakhimova",
        "Zareena Rahimova",
    }
    assert zarina.identifiers.get().value == "IQ-001"
    assert Person.objects.get(pk=persons[2].pk).birth_date == dt.date(2019, 5, 5)
    corrected = Person.objects.get(pk=persons[4].pk)
    assert (corrected.display_name, corrected.birth_date) == ("Farkhod Rahimov", dt.date(2016, 2, 2))


def test_mothers_and_custody_in_bulk_as_row_by_row(officer, agency):
    camp = Facility.objects.get(name="Al-Hol camp")
    roj = Facility.objects.get(name="Roj camp")
    mother, child, brother, held_here, held_there = (
        tuple(PersonFactory(owner_agency=agency, display_name=name, sex=sex, birth_date=born) for _twin in (1, 2))
        for name, sex, born in (
            ("Zarina Rahimova", "F", dt.date(1990, 1, 1)),
            ("Farhod Rahimov", "M", dt.date(2016, 1, 1)),
            ("Amir Rahimov", "M", dt.date(2018, 1, 1)),
            ("Madina Rahimova", "F", None),
            ("Nilufar Rahimova", "F", None),
        )
    )
    for person in (*held_here, *held_there):
        registry.custody_create(person=person, by=officer, facility=camp, since=dt.date(2023, 1, 1))
    registry.family_link_add(person=brother[0], relative=mother[0], relation="mother", by=officer)
    registry.family_link_add(person=brother[1], relative=mother[1], relation="mother", by=officer)
    pairs = [(mother, child), (mother, brother), (mother, child)]  # already linked, then linked by the first pair
    single = [registry_bridge.family_link_mother(mother=m[0], child=c[0], user=officer, batch=BATCH) for m, c in pairs]
    bulk = registry_bridge.family_links_mother(pairs=[(m[1], c[1]) for m, c in pairs], user=officer, batch=BATCH)
    assert bulk == single == [True, False, False]
    stays = [(held_here, camp), (held_there, roj), (child, camp), (child, roj), (mother, camp)]
    single = [
        registry_bridge.custody_record(person=p[0], facility_id=f.pk, since=BATCH.list_date, user=officer, batch=BATCH)
        for p, f in stays
    ]
    bulk = registry_bridge.custody_record_many(
        persons=[p[1] for p, _f in stays], facility_ids=[f.pk for _p, f in stays], since=BATCH.list_date, user=officer
    )
    assert bulk == single == [False, True, True, True, True]
    for a, b in (mother, child, brother, held_here, held_there):
        assert everything(b) == everything(a)
    assert CustodyRecord.objects.get(person=held_there[1], until__isnull=True).facility == roj
    assert FamilyLink.objects.get(relative=child[1]).person == mother[1]


def registered_family(agency):
    return [
        PersonFactory(owner_agency=agency, display_name=name, sex="U", birth_date=None)
        for name in ("Зарина Рахимова", "Фарход Рахимов", "Мадина Рахимова")
    ]


def decided(batch, officer, persons):
    for number, person in zip((2, 3, 4), persons, strict=True):
        services.batch_resolve(
            batch=batch, user=officer, number=number, resolution=Resolution.EXISTING, person_id=person.pk
        )
    return batch


def test_an_import_updates_registered_persons_with_a_few_audit_writes(officer, agency, good_csv, monkeypatch):
    persons = registered_family(agency)
    batch = decided(ready_batch(officer, agency, good_csv), officer, persons)
    writes: list[int] = []
    real = audit_services.audit_append_many

    def counting(events):
        events = list(events)
        if events:
            writes.append(len(events))
        return real(events)

    monkeypatch.setattr(registry_bridge, "audit_append_many", counting)
    batch, job = run_import(batch, officer)
    assert job.status == JobStatus.SUCCEEDED
    assert (job.result["created"], job.result["updated"], job.result["cases"]) == (0, 3, 0)
    assert (job.result["links"], job.result["custody"]) == (2, 3)
    # One write per kind: identities, spellings, identifiers, family links, custody — not one per row.
    assert writes == [3, 3, 3, 4, 3]
    zarina, farhod, madina = (Person.objects.get(pk=p.pk) for p in persons)
    assert (zarina.sex, str(zarina.birth_date)) == ("F", "1990-03-12")
    assert zarina.display_name == "Зарина Рахимова"  # the registry's spelling stays the primary name
    assert set(farhod.names.values_list("full_name", flat=True)) == {"Фарход Рахимов", "Farhod Rahimov"}
    assert madina.identifiers.get().value == "IQ-003"
    assert zarina.family_links_out.filter(relative__in=[farhod, madina], relation="mother").count() == 2
    assert farhod.custody_records.get().facility.name == "Al-Hol camp"
    rows = AuditEntry.objects.filter(object_type="intake.intakerow").order_by("id")
    assert [e.detail["person_fields"] for e in rows] == [["sex", "birth_date", "names", "identifiers"]] * 3
    assert [e.object_ids for e in rows] == [[str(p.pk)] for p in persons]


def test_a_refused_update_names_its_row_and_imports_nothing(officer, agency, good_csv):
    persons = registered_family(agency)
    someone = PersonFactory(owner_agency=agency, display_name="Somon Saidov")
    registry.identifier_add(
        person=someone,
        by=officer,
        identifier_type=IdentifierType.DETAINEE_NUMBER,
        value="IQ-002",
        issuing_authority="Iraqi Ministry of Justice",
    )
    batch = decided(ready_batch(officer, agency, good_csv), officer, persons)
    audit_before = AuditEntry.objects.filter(object_type="registry.person").count()
    batch, job = run_import(batch, officer)
    assert job.status == JobStatus.FAILED
    assert "Row 3 could not be imported" in batch.failure
    assert "already recorded in the registry for someone else" in batch.failure
    assert batch.status == BatchStatus.FAILED
    assert PersonName.objects.filter(person__in=persons).count() == 3  # no spelling added
    assert not Person.objects.filter(pk__in=[p.pk for p in persons]).exclude(sex="U").exists()
    assert Identifier.objects.count() == 1
    assert AuditEntry.objects.filter(object_type="registry.person").count() == audit_before


@pytest.mark.skipif("postgresql" not in settings.DATABASES["default"]["ENGINE"], reason="row locks need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_persons_being_updated_are_locked_until_the_import_ends(officer, agency):
    person = PersonFactory(owner_agency=agency, display_name="Зарина Рахимова", sex="U")
    other = PersonFactory(owner_agency=agency, display_name="Мадина Рахимова", sex="U")
    tried: dict[int, Any] = {}

    def edit_meanwhile(pk: int) -> None:
        try:
            with transaction.atomic():
                tried[pk] = Person.objects.select_for_update(nowait=True).get(pk=pk).pk
        except DatabaseError as error:
            tried[pk] = error
        finally:
            connection.close()

    with transaction.atomic():
        locked = registry_bridge.persons_for_update([person.pk])
        registry_bridge.persons_update_from_list(
            persons=[locked[person.pk]],
            cleaned_rows=[{"full_name": "Zarina Rahimova", "sex": "F"}],
            user=officer,
            batch=BATCH,
            overwrite=[False],
        )
        for pk in (person.pk, other.pk):
            thread = threading.Thread(target=edit_meanwhile, args=(pk,))
            thread.start()
            thread.join()
    assert isinstance(tried[person.pk], DatabaseError)  # a page's edit would wait for the import
    assert tried[other.pk] == other.pk  # others are free
    assert Person.objects.get(pk=person.pk).sex == "F"
    with pytest.raises(Person.DoesNotExist), transaction.atomic():
        registry_bridge.persons_for_update([person.pk, 10**9])


def test_a_list_of_a_registered_agency_updates_without_cases(officer, agency, good_csv):
    persons = registered_family(agency)
    batch = decided(
        ready_batch(officer, agency, good_csv, source_kind=SourceKind.OWN_AGENCY, name="own.csv"), officer, persons
    )
    held = Facility.objects.create(name="Dushanbe children's home", kind=FacilityKind.INSTITUTION, country="TJK")
    registry.custody_create(person=persons[1], by=officer, facility=held, since=dt.date(2020, 1, 1))
    batch, job = run_import(batch, officer)
    assert job.status == JobStatus.SUCCEEDED
    assert job.result["updated"] == 3
    ended = CustodyRecord.objects.get(person=persons[1], facility=held)
    assert (ended.until, ended.end_reason) == (batch.list_date, "released")
