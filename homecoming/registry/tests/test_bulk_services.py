"""The bulk services store exactly what the one-by-one services store (derived fields, names, search
keys, audit content), and refuse what they refuse, naming the item and writing nothing."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from homecoming.audit.models import AuditEntry
from homecoming.audit.services import audit_append_many
from homecoming.registry import services
from homecoming.registry.choices import BirthDatePrecision, IdentifierType, NameKind
from homecoming.registry.error_codes import RegistryErrorCode, error_code_of
from homecoming.registry.models import CustodyRecord, Identifier, NameKey, Person, PersonName
from homecoming.registry.services import BulkItemError, CustodyInput, IdentifierInput, NameInput, PersonInput
from homecoming.registry.tests.factories import FacilityFactory

pytestmark = pytest.mark.django_db

PERSONS = [
    PersonInput(
        name=NameInput(
            full_name="  Зарина   Рахимова ",
            given_name="Зарина",
            family_name="Рахимова",
            kind=NameKind.FOREIGN_LIST,
            source="Список №4",
        ),
        sex="F",
        birth_date=dt.date(2015, 3, 1),
        other_names=[NameInput("Zarina Rakhimova", kind=NameKind.FOREIGN_LIST), "Зарина Рахимова"],
    ),
    PersonInput(
        name=NameInput("فاطمة الحسن", given_name="فاطمة", family_name="الحسن"),
        sex="F",
        birth_date=dt.date(2012, 1, 1),
        birth_date_precision=BirthDatePrecision.YEAR,
        birth_place=" الموصل ",
        birth_country="irq",
    ),
    PersonInput(
        name="Amir Nazarov",
        sex="M",
        birth_date_precision=BirthDatePrecision.ESTIMATED,
        birth_date_min=dt.date(2016, 1, 1),
        birth_date_max=dt.date(2017, 12, 31),
        other_names=["Амир Назаров"],
    ),
    PersonInput(name="Somon"),
]

PERSON_COLUMNS = [
    "display_name",
    "sex",
    "birth_date",
    "birth_date_precision",
    "birth_date_min",
    "birth_date_max",
    "birth_place",
    "birth_country",
    "owner_agency_id",
    "created_by_id",
]
NAME_COLUMNS = [
    "full_name",
    "given_name",
    "family_name",
    "kind",
    "is_primary",
    "source",
    "script",
    "romanised",
    "keys_version",
    "created_by_id",
]


def stored(person: Person) -> dict[str, Any]:
    """All a person's record holds, without ids and times."""
    person.refresh_from_db()
    return {
        "person": {column: getattr(person, column) for column in PERSON_COLUMNS},
        "names": sorted(
            (
                tuple(getattr(n, c) for c in NAME_COLUMNS),
                tuple(sorted(NameKey.objects.filter(name=n).values_list("key", flat=True))),
            )
            for n in PersonName.objects.filter(person=person)
        ),
        "keys": sorted(NameKey.objects.filter(person=person).values_list("key", flat=True)),
        "audit": [
            audit_of(e)
            for e in AuditEntry.objects.filter(object_type="registry.person", object_id=str(person.pk)).order_by("id")
        ],
    }


def audit_of(entry: AuditEntry) -> tuple[Any, ...]:
    detail = {k: v for k, v in entry.detail.items() if k not in {"identifier", "custody"}}  # ids differ
    return (entry.action, entry.actor_id, entry.agency_codes, list(entry.changed_fields), detail, entry.object_ids)


def one_by_one(item: PersonInput, *, by: Any, agency: Any) -> Person:
    return services.person_create(
        by=by,
        owner_agency=agency,
        name=item.name,
        sex=item.sex,
        birth_date=item.birth_date,
        birth_date_precision=item.birth_date_precision,
        birth_date_min=item.birth_date_min,
        birth_date_max=item.birth_date_max,
        birth_place=item.birth_place,
        birth_country=item.birth_country,
        other_names=item.other_names,
    )


def test_persons_in_bulk_are_stored_as_one_by_one(worker, agency):
    singles = [one_by_one(item, by=worker, agency=agency) for item in PERSONS]
    persons, events = services.persons_bulk_create(by=worker, owner_agency=agency, persons=PERSONS)
    audit_append_many(events)
    assert [p.pk for p in persons] == sorted(p.pk for p in persons)
    assert len(events) == len(PERSONS)
    for single, bulk in zip(singles, persons, strict=True):
        assert stored(bulk) == stored(single)
    # What the single service derives, the bulk one derives too.
    zarina, fatima, amir, _somon = (stored(p) for p in persons)
    assert zarina["person"]["display_name"] == "Зарина Рахимова"
    assert len(zarina["names"]) == 2  # the repeated spelling once
    assert len({n[0][6] for n in zarina["names"]}) == 2  # two scripts
    assert fatima["person"]["birth_date_min"] == dt.date(2012, 1, 1)
    assert fatima["person"]["birth_date_max"] == dt.date(2012, 12, 31)
    assert fatima["person"]["birth_country"] == "IRQ"
    assert fatima["person"]["birth_place"] == "الموصل"
    assert amir["person"]["birth_date"] is not None
    assert dt.date(2016, 1, 1) <= amir["person"]["birth_date"] <= dt.date(2017, 12, 31)
    assert all(p["keys"] for p in (zarina, fatima, amir))


def test_a_refused_person_names_its_item_and_nothing_is_written(worker, agency):
    items = [
        PERSONS[0],
        PersonInput(
            name="Madina",
            birth_date_precision=BirthDatePrecision.ESTIMATED,
            birth_date_min=dt.date(2018, 1, 1),
            birth_date_max=dt.date(2016, 1, 1),
        ),
    ]
    with pytest.raises(BulkItemError) as caught:
        services.persons_bulk_create(by=worker, owner_agency=agency, persons=items)
    assert caught.value.index == 1
    with pytest.raises(ValidationError) as single:
        one_by_one(items[1], by=worker, agency=agency)
    assert caught.value.message_dict == single.value.message_dict
    with pytest.raises(BulkItemError) as caught:
        services.persons_bulk_create(by=worker, owner_agency=agency, persons=[PersonInput(name="  42 ")])
    assert caught.value.index == 0
    assert error_code_of(caught.value) == RegistryErrorCode.NAME_REQUIRED
    assert not Person.objects.exists()
    assert not PersonName.objects.exists()


def test_persons_in_bulk_need_an_agency_the_user_works_in(ngo_worker, agency):
    with pytest.raises(ValidationError) as caught:
        services.persons_bulk_create(by=ngo_worker, owner_agency=agency, persons=PERSONS[:1])
    assert error_code_of(caught.value) == RegistryErrorCode.AGENCY_NOT_ALLOWED
    assert not Person.objects.exists()


def test_identifiers_in_bulk_are_stored_and_audited_as_one_by_one(worker, agency):
    a, b, c = (one_by_one(item, by=worker, agency=agency) for item in PERSONS[:3])
    services.identifier_add(
        person=a, by=worker, identifier_type=IdentifierType.PASSPORT, value=" 4001-23 45 ", issuing_authority="MoI"
    )
    records, events = services.identifiers_bulk_add(
        by=worker,
        identifiers=[
            IdentifierInput(
                person=b, identifier_type=IdentifierType.PASSPORT, value=" 4001-23 46 ", issuing_authority="MoI"
            ),
            IdentifierInput(
                person=c, identifier_type=IdentifierType.DETAINEE_NUMBER, value="k/17", issuing_authority="Camp"
            ),
        ],
    )
    audit_append_many(events)
    single = Identifier.objects.get(person=a)
    bulk = Identifier.objects.get(person=b)
    fields = ["identifier_type", "issuer_country", "issuing_authority", "created_by_id"]
    assert [getattr(bulk, f) for f in fields] == [getattr(single, f) for f in fields]
    assert (bulk.value, bulk.value_key) == ("4001-23 46", "40012346")
    assert Identifier.objects.get(person=c).value_key == "K17"
    assert audit_of(AuditEntry.objects.filter(object_id=str(b.pk)).latest("id")) == audit_of(
        AuditEntry.objects.filter(object_id=str(a.pk)).latest("id")
    )
    assert [e.detail["identifier"] for e in events] == [r.pk for r in records]


def test_an_identifier_taken_in_the_registry_or_given_twice_is_refused(worker, agency):
    a, b = (one_by_one(item, by=worker, agency=agency) for item in PERSONS[:2])
    services.identifier_add(person=a, by=worker, identifier_type=IdentifierType.PASSPORT, value="P-1")
    taken = [
        IdentifierInput(person=b, identifier_type=IdentifierType.PASSPORT, value="P-2"),
        IdentifierInput(person=b, identifier_type=IdentifierType.PASSPORT, value="p 1"),
    ]
    with pytest.raises(BulkItemError) as caught:
        services.identifiers_bulk_add(by=worker, identifiers=taken)
    assert caught.value.index == 1
    assert error_code_of(caught.value) == RegistryErrorCode.IDENTIFIER_TAKEN
    twice = [
        IdentifierInput(person=b, identifier_type=IdentifierType.PASSPORT, value="P-3"),
        IdentifierInput(person=a, identifier_type=IdentifierType.PASSPORT, value="P3"),
    ]
    with pytest.raises(BulkItemError) as caught:
        services.identifiers_bulk_add(by=worker, identifiers=twice)
    assert caught.value.index == 1
    assert Identifier.objects.count() == 1


def test_custody_in_bulk_is_stored_and_audited_as_one_by_one(worker, agency):
    facility = FacilityFactory()
    a, b, c = (one_by_one(item, by=worker, agency=agency) for item in PERSONS[:3])
    since = dt.date(2024, 5, 1)
    services.custody_create(person=a, by=worker, facility=facility, since=since)
    records, events = services.custody_bulk_create(
        by=worker, records=[CustodyInput(person=b, facility=facility, since=since)]
    )
    audit_append_many(events)
    fields = ["facility_id", "since", "until", "end_reason", "created_by_id"]
    single, bulk = CustodyRecord.objects.get(person=a), CustodyRecord.objects.get(person=b)
    assert [getattr(bulk, f) for f in fields] == [getattr(single, f) for f in fields]
    assert audit_of(AuditEntry.objects.filter(object_id=str(b.pk)).latest("id")) == audit_of(
        AuditEntry.objects.filter(object_id=str(a.pk)).latest("id")
    )
    assert events[0].detail["custody"] == records[0].pk
    # A person with a stay already, or given twice, is refused (an overlap); nothing written.
    for items, index in (
        (
            [
                CustodyInput(person=c, facility=facility, since=since),
                CustodyInput(person=a, facility=facility, since=since),
            ],
            1,
        ),
        (
            [
                CustodyInput(person=c, facility=facility, since=since),
                CustodyInput(person=c, facility=facility, since=since),
            ],
            1,
        ),
        ([CustodyInput(person=c, facility=facility, since=dt.date(2999, 1, 1))], 0),
    ):
        with pytest.raises(BulkItemError) as caught:
            services.custody_bulk_create(by=worker, records=items)
        assert caught.value.index == index
    assert not CustodyRecord.objects.filter(person=c).exists()
