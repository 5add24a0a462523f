"""The bulk services for registered persons (an import adding to them) store and audit exactly what the
one-by-one services store and audit, and refuse what they refuse, naming the item and writing nothing.

Each test makes twins (two persons alike), changes one through the single-record service and the other
through the bulk service, and compares all their records hold."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from homecoming.audit.models import AuditEntry
from homecoming.audit.services import audit_append_many
from homecoming.core.testing.factories import PersonFactory
from homecoming.registry import services
from homecoming.registry.choices import FacilityKind, NameKind, NationalityBasis, Relation
from homecoming.registry.error_codes import RegistryErrorCode, error_code_of
from homecoming.registry.models import CustodyRecord, FamilyLink, Identifier, NationalityClaim, Person, PersonName
from homecoming.registry.services import (
    BulkItemError,
    CustodyInput,
    FamilyLinkInput,
    NameInput,
    NationalityInput,
)
from homecoming.registry.tests.factories import FacilityFactory
from homecoming.registry.tests.test_bulk_services import stored

pytestmark = pytest.mark.django_db

IDS = {"name", "claim", "link", "custody", "identifier"}  # ids of records, which differ between twins


def audit_trail(person: Person) -> list[tuple[Any, ...]]:
    """The audit entries of a person, without the ids of the records they name."""
    return [
        (
            e.action,
            e.actor_id,
            e.agency_codes,
            list(e.changed_fields),
            {k: (v is not None if k == "ended" else v) for k, v in e.detail.items() if k not in IDS},
            list(e.object_ids),
        )
        for e in AuditEntry.objects.filter(object_type="registry.person", object_id=str(person.pk)).order_by("id")
    ]


def everything(person: Person) -> dict[str, Any]:
    """What the person's record holds (names, keys, identifiers, claims, stays, links, audit), without ids and times."""
    held = stored(person)
    held["audit"] = audit_trail(person)
    held["identifiers"] = sorted(
        Identifier.objects.filter(person=person).values_list(
            "identifier_type", "issuer_country", "issuing_authority", "value", "value_key", "created_by_id"
        )
    )
    held["claims"] = list(
        NationalityClaim.objects.filter(person=person).values_list(
            "country", "basis", "status", "statement", "dna_result", "dna_reference", "created_by_id"
        )
    )
    held["custody"] = list(
        CustodyRecord.objects.filter(person=person)
        .order_by("since")
        .values_list("facility_id", "since", "until", "end_reason", "created_by_id")
    )
    held["links"] = sorted(
        (link.relation, link.person_id == person.pk, link.source, link.confidence, link.created_by_id)
        for link in FamilyLink.objects.filter(person=person) | FamilyLink.objects.filter(relative=person)
    )
    return held


def twins(agency: Any, count: int = 1, **fields: Any) -> list[tuple[Person, Person]]:
    fields.setdefault("display_name", "Zarina Rahimova")
    fields.setdefault("sex", "F")
    return [
        (PersonFactory(owner_agency=agency, **fields), PersonFactory(owner_agency=agency, **fields))
        for _ in range(count)
    ]


def test_identity_in_bulk_is_changed_and_audited_as_one_by_one(worker, agency):
    changes: list[dict[str, Any]] = [
        {"sex": "F"},
        {"birth_date": dt.date(2015, 6, 1), "birth_date_precision": "year"},
        {
            "birth_date": dt.date(2016, 6, 1),
            "birth_date_precision": "estimated",
            "birth_date_min": dt.date(2016, 1, 1),
            "birth_date_max": dt.date(2017, 12, 31),
        },
        {"sex": "U"},  # what it is already: nothing changes, nothing audited
    ]
    pairs = twins(agency, len(changes), sex="U")
    singles = [
        services.person_update(person=a, by=worker, changes=c) for (a, _b), c in zip(pairs, changes, strict=True)
    ]
    bulk = [Person.objects.get(pk=b.pk) for _a, b in pairs]
    results, events = services.persons_bulk_update(by=worker, changes=list(zip(bulk, changes, strict=True)))
    audit_append_many(events)
    assert results == singles
    assert results[1] == ["birth_date", "birth_date_precision", "birth_date_min", "birth_date_max"]
    assert len(events) == 3
    for a, b in pairs:
        assert everything(b) == everything(a)
    year = Person.objects.get(pk=pairs[1][1].pk)
    assert (year.birth_date_min, year.birth_date_max) == (dt.date(2015, 1, 1), dt.date(2015, 12, 31))


def test_a_refused_identity_names_its_item_and_nothing_is_written(worker, agency):
    (a, b), (c, _d) = twins(agency, 2, sex="U")
    reversed_range = {
        "birth_date_precision": "estimated",
        "birth_date_min": dt.date(2018, 1, 1),
        "birth_date_max": dt.date(2016, 1, 1),
    }
    with pytest.raises(ValidationError) as single:
        services.person_update(person=a, by=worker, changes=reversed_range)
    with pytest.raises(BulkItemError) as caught:
        services.persons_bulk_update(by=worker, changes=[(c, {"sex": "M"}), (b, reversed_range)])
    assert caught.value.index == 1
    assert caught.value.message_dict == single.value.message_dict
    assert error_code_of(caught.value) == RegistryErrorCode.BIRTH_DATE_INVALID
    assert Person.objects.get(pk=c.pk).sex == "U"
    with pytest.raises(ValueError, match="primary name"):
        services.persons_bulk_update(by=worker, changes=[(c, {"name": NameInput("Zarina")})])


def test_spellings_in_bulk_are_stored_and_audited_as_one_by_one(worker, agency):
    (a, b), (c, d) = twins(agency, 2)
    spellings: list[NameInput | str] = [
        NameInput("Зарина  Рахимова", given_name="Зарина", kind=NameKind.FOREIGN_LIST, source="List 4"),
        NameInput("زرينة رحيموفا", kind=NameKind.PRIMARY),  # not primary when added: an alias
        " Zareena Rakhimova ",
    ]
    for name in spellings:
        services.person_name_add(person=a, by=worker, name=name)
    services.person_name_add(person=c, by=worker, name="Zarina R.")
    records, events = services.person_names_bulk_add(
        by=worker, names=[*((b, name) for name in spellings), (d, "Zarina R.")]
    )
    audit_append_many(events)
    assert [e.detail["name"] for e in events] == [r.pk for r in records]
    assert everything(b) == everything(a)
    assert everything(d) == everything(c)
    assert len(everything(b)["names"]) == 4


def test_a_spelling_the_person_has_or_given_twice_is_refused(worker, agency):
    ((a, b),) = twins(agency)
    with pytest.raises(ValidationError) as single:
        services.person_name_add(person=a, by=worker, name=" Zarina  Rahimova")
    for names, index in (
        ([(b, "Zarina Rahimova R."), (b, "Zarina  Rahimova ")], 1),  # registered already
        ([(b, "Zarina R."), (a, "Zarina R."), (b, "Zarina R.")], 2),  # twice for b
        ([(b, "  42 ")], 0),  # no letter
    ):
        with pytest.raises(BulkItemError) as caught:
            services.person_names_bulk_add(by=worker, names=names)
        assert caught.value.index == index
    with pytest.raises(BulkItemError) as caught:
        services.person_names_bulk_add(by=worker, names=[(b, "Zarina Rahimova")])
    assert caught.value.message_dict == {
        "full_name": [m.replace(a.display_name, b.display_name) for m in single.value.message_dict["full_name"]]
    }
    assert error_code_of(caught.value) == RegistryErrorCode.NAME_DUPLICATE
    assert PersonName.objects.filter(person=b).count() == 1


def test_nationality_claims_in_bulk_are_stored_and_audited_as_one_by_one(worker, agency):
    ((a, b),) = twins(agency)
    services.nationality_claim_add(
        person=a, by=worker, country="tjk", basis=NationalityBasis.OTHER, statement=" Given by a list. "
    )
    records, events = services.nationality_claims_bulk_add(
        by=worker,
        claims=[
            NationalityInput(person=b, country="tjk", basis=NationalityBasis.OTHER, statement=" Given by a list. ")
        ],
    )
    audit_append_many(events)
    assert events[0].detail["claim"] == records[0].pk
    assert everything(b) == everything(a)
    for claims, index, code in (
        ([NationalityInput(person=b, country="TJK", basis=NationalityBasis.OTHER)], 0, "NATIONALITY_DUPLICATE"),
        (
            [
                NationalityInput(person=b, country="IRQ", basis=NationalityBasis.OTHER),
                NationalityInput(person=b, country="irq", basis=NationalityBasis.OTHER),
            ],
            1,
            "NATIONALITY_DUPLICATE",
        ),
        ([NationalityInput(person=b, country="XXX", basis=NationalityBasis.OTHER)], 0, "COUNTRY_UNKNOWN"),
        ([NationalityInput(person=b, country="IRQ", basis="hearsay")], 0, "INVALID"),
    ):
        with pytest.raises(BulkItemError) as caught:
            services.nationality_claims_bulk_add(by=worker, claims=claims)
        assert caught.value.index == index
        assert error_code_of(caught.value) == RegistryErrorCode[code]
    assert NationalityClaim.objects.filter(person=b).count() == 1


def test_custody_transfers_in_bulk_are_stored_and_audited_as_one_by_one(worker, agency):
    camp = FacilityFactory(name="Al-Hol camp", kind=FacilityKind.CAMP, country="SYR")
    roj = FacilityFactory(name="Roj camp", kind=FacilityKind.CAMP, country="SYR")
    home = FacilityFactory(name="Dushanbe shelter", kind=FacilityKind.INSTITUTION, country="TJK")
    since = dt.date(2024, 5, 1)
    held_at_camp, held_at_home, never_held, twice = twins(agency, 4)
    for person in (*held_at_camp, *twice):
        services.custody_create(person=person, by=worker, facility=camp, since=dt.date(2023, 1, 1))
    for person in held_at_home:
        services.custody_create(person=person, by=worker, facility=home, since=dt.date(2023, 1, 1))
    singles = [
        (held_at_camp[0], roj),
        (held_at_home[0], camp),
        (never_held[0], camp),
        (twice[0], roj),
        (twice[0], home),
    ]
    for person, facility in singles:
        services.custody_create(person=person, by=worker, facility=facility, since=since, end_current=True)
    records, events = services.custody_bulk_transfer(
        by=worker,
        records=[
            CustodyInput(person=Person.objects.get(pk=_twin_of(person, held_at_camp, held_at_home, never_held, twice).pk),
                         facility=facility, since=since)
            for person, facility in singles
        ],
    )  # fmt: skip
    audit_append_many(events)
    assert [e.detail["custody"] for e in events] == [r.pk for r in records]
    for a, b in (held_at_camp, held_at_home, never_held, twice):
        assert everything(b) == everything(a)
    assert [stay[3] for stay in everything(held_at_camp[1])["custody"]] == ["transferred", ""]
    assert [stay[3] for stay in everything(held_at_home[1])["custody"]] == ["released", ""]
    assert len(everything(twice[1])["custody"]) == 3


def _twin_of(person: Person, *pairs: tuple[Person, Person]) -> Person:
    return next(b for a, b in pairs if a.pk == person.pk)


def test_a_stay_that_overlaps_is_refused_as_one_by_one(worker, agency):
    camp = FacilityFactory(name="Al-Hol camp", kind=FacilityKind.CAMP, country="SYR")
    roj = FacilityFactory(name="Roj camp", kind=FacilityKind.CAMP, country="SYR")
    ((a, b), (c, _d)) = twins(agency, 2)
    for person in (a, b):
        services.custody_create(person=person, by=worker, facility=camp, since=dt.date(2024, 6, 1))
    with pytest.raises(ValidationError) as single:
        services.custody_create(person=a, by=worker, facility=roj, since=dt.date(2024, 5, 1), end_current=True)
    with pytest.raises(BulkItemError) as caught:
        services.custody_bulk_transfer(
            by=worker,
            records=[
                CustodyInput(person=c, facility=roj, since=dt.date(2024, 5, 1)),
                CustodyInput(person=b, facility=roj, since=dt.date(2024, 5, 1)),
            ],
        )
    assert caught.value.index == 1
    assert caught.value.message_dict == single.value.message_dict
    assert error_code_of(caught.value) == RegistryErrorCode.CUSTODY_OVERLAP
    assert not CustodyRecord.objects.filter(person=c).exists()
    assert CustodyRecord.objects.get(person=b).until is None


def test_family_links_in_bulk_are_stored_and_audited_as_one_by_one(worker, agency):
    mothers = twins(agency, 1, display_name="Zarina Rahimova", sex="F", birth_date=dt.date(1990, 3, 12))
    children = twins(agency, 2, display_name="Amir Nazarov", sex="M", birth_date=dt.date(2016, 1, 1))
    for child in (children[0][0], children[1][0]):
        services.family_link_add(
            person=child, relative=mothers[0][0], relation=Relation.MOTHER, by=worker, source=" List 4 "
        )
    links, events = services.family_links_bulk_add(
        by=worker,
        links=[
            FamilyLinkInput(person=child, relative=mothers[0][1], relation=Relation.MOTHER, source=" List 4 ")
            for child in (children[0][1], children[1][1])
        ],
    )
    audit_append_many(events)
    assert [e.detail["link"] for e in events] == [link.pk for link in links for _person in (1, 2)]
    for a, b in (*mothers, *children):
        assert everything(b) == everything(a)


def test_a_family_link_refused_one_by_one_is_refused_in_bulk(worker, agency):
    (father_a, father_b), (linked_a, linked_b) = twins(agency, 2, display_name="Farhod Rahimov", sex="M")
    (child_a, child_b), (other, _o) = twins(agency, 2, display_name="Amir Nazarov", sex="M")
    for father, linked in ((father_a, linked_a), (father_b, linked_b)):
        services.family_link_add(person=linked, relative=father, relation=Relation.SIBLING, by=worker)
    for (single_person, single_relative), (person, relative), code in (
        ((child_a, father_a), (child_b, father_b), "FAMILY_LINK_INVALID"),  # a man as mother
        ((linked_a, father_a), (linked_b, father_b), "FAMILY_LINK_EXISTS"),
    ):
        with pytest.raises(ValidationError) as single:
            services.family_link_add(
                person=single_person, relative=single_relative, relation=Relation.MOTHER, by=worker
            )
        with pytest.raises(BulkItemError) as caught:
            services.family_links_bulk_add(
                by=worker,
                links=[
                    FamilyLinkInput(person=other, relative=child_b, relation=Relation.SIBLING),
                    FamilyLinkInput(person=person, relative=relative, relation=Relation.MOTHER),
                ],
            )
        assert caught.value.index == 1
        assert error_code_of(caught.value) == RegistryErrorCode[code]
        assert list(caught.value.message_dict) == list(single.value.message_dict)
    with pytest.raises(BulkItemError) as caught:
        services.family_links_bulk_add(
            by=worker,
            links=[
                FamilyLinkInput(person=other, relative=child_b, relation=Relation.SIBLING),
                FamilyLinkInput(person=child_b, relative=other, relation=Relation.SIBLING),
            ],
        )
    assert caught.value.index == 1
    assert error_code_of(caught.value) == RegistryErrorCode.FAMILY_LINK_EXISTS
    assert not FamilyLink.objects.filter(person=other).exists()
    assert not FamilyLink.objects.filter(relative=other).exists()
