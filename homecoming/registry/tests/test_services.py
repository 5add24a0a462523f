"""The registry's services: names in every script and their keys, dates of birth, nationality,
identifiers, family, facilities, custody and documents; each change audited."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from homecoming.audit.models import AuditAction, AuditEntry
from homecoming.registry import selectors, services
from homecoming.registry.birth import birth_range_from_age
from homecoming.registry.choices import BirthDatePrecision, CustodyEndReason, NameKind, Relation
from homecoming.registry.error_codes import RegistryErrorCode, error_code_of
from homecoming.registry.models import (
    CustodyRecord,
    FamilyGroup,
    FamilyLink,
    NameKey,
    NationalityClaim,
    Person,
    PersonDocument,
    PersonName,
)
from homecoming.registry.names import keys_of_name, romanised
from homecoming.registry.services import NameInput
from homecoming.registry.tests.factories import JPEG_BYTES, PDF_BYTES, PNG_BYTES, FacilityFactory

pytestmark = pytest.mark.django_db


# --- helpers ------------------------------------------------------------------------------------------


def person_entries(person: Person) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(object_type="registry.person", object_id=str(person.pk)).order_by("id"))


def stored_keys(name: PersonName) -> set[str]:
    return set(NameKey.objects.filter(name=name).values_list("key", flat=True))


def person_keys(person: Person) -> set[str]:
    return set(NameKey.objects.filter(person=person).values_list("key", flat=True))


def refused(call: Any, **kwargs: Any) -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        call(**kwargs)
    return caught.value


def field_messages(error: ValidationError) -> dict[str, list[str]]:
    return dict(error.message_dict)


@pytest.fixture
def register(agency, worker):
    def _register(name: Any = "Zarina Rahimova", **kwargs: Any) -> Person:
        return services.person_create(by=worker, owner_agency=agency, name=name, **kwargs)

    return _register


# --- names in every script ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "script", "roman"),
    [
        ("Mukhriddin Nazarov", "latn", "mukhriddin nazarov"),
        ("Ғуломҷон Қодиров", "cyrl", "ghulomjon qodirov"),
        ("Ӯғилой Ҳикматова", "cyrl", "ughiloy hikmatova"),
        ("Зарина Ҷӯраева", "cyrl", "zarina juraeva"),
        ("زرينة رحيموفا", "arab", "zrina rhimufa"),
    ],
)
def test_person_create_detects_the_script_and_stores_the_keys(register, written, script, roman) -> None:
    person = register(written)

    name = person.names.get()
    assert name.is_primary
    assert name.kind == NameKind.PRIMARY
    assert name.full_name == written
    assert name.script == script
    assert name.romanised == roman == romanised(written)
    keys = stored_keys(name)
    assert keys == keys_of_name(written)
    assert keys, "every name has search keys"
    assert all(key.isascii() for key in keys)
    assert person.display_name == written


def test_person_create_with_other_spellings_keeps_each_with_its_script_and_keys(register) -> None:
    person = register(
        NameInput("Зарина Раҳимова", given_name="Зарина", family_name="Раҳимова"),
        other_names=["Zarina Rahimova", "زرينة رحيموفا", "Zarina Rahimova"],
    )

    names = {n.full_name: n for n in person.names.all()}
    assert set(names) == {"Зарина Раҳимова", "Zarina Rahimova", "زرينة رحيموفا"}, "the repeated spelling is kept once"
    assert [names[n].script for n in ("Зарина Раҳимова", "Zarina Rahimova", "زرينة رحيموفا")] == [
        "cyrl",
        "latn",
        "arab",
    ]
    assert names["Zarina Rahimova"].kind == NameKind.ALIAS
    assert not names["Zarina Rahimova"].is_primary
    for name in names.values():
        assert stored_keys(name) == keys_of_name(name.full_name, name.given_name, name.family_name)
    # The three spellings meet on shared phonetic keys.
    shared = set.intersection(*(stored_keys(n) for n in names.values()))
    assert shared


def test_person_create_cleans_invisible_characters_and_refuses_a_name_without_letters(register) -> None:
    person = register("  Zarina\u200b  \u202eRahimova\n")
    assert person.display_name == "Zarina Rahimova"

    error = refused(register, name="  123 -- ")
    assert error_code_of(error) == RegistryErrorCode.NAME_REQUIRED
    assert "full_name" in field_messages(error)
    assert not Person.objects.exclude(pk=person.pk).exists()


def test_person_create_refuses_an_agency_the_user_does_not_work_in(other_agency, worker) -> None:
    error = refused(services.person_create, by=worker, owner_agency=other_agency, name="Amir Saidov")
    assert error_code_of(error) == RegistryErrorCode.AGENCY_NOT_ALLOWED
    assert "owner_agency" in field_messages(error)
    assert not Person.objects.exists()


def test_adding_changing_and_removing_a_name_keeps_the_keys_in_step(register, worker) -> None:
    person = register("Mukhriddin Nazarov")
    primary = person.names.get()

    alias = services.person_name_add(person=person, by=worker, name=NameInput("Мухриддин Назаров", source="list"))
    assert alias.script == "cyrl"
    assert stored_keys(alias) == keys_of_name("Мухриддин Назаров")

    services.person_name_update(name=alias, by=worker, data=NameInput("Фарҳод Назаров", kind=NameKind.FOREIGN_LIST))
    alias.refresh_from_db()
    assert alias.kind == NameKind.FOREIGN_LIST
    assert alias.romanised == "farhod nazarov"
    assert stored_keys(alias) == keys_of_name("Фарҳод Назаров")
    assert "mukhriddin" not in stored_keys(alias), "the old spelling's keys are gone"
    assert "farhod" in person_keys(person)

    services.person_name_remove(name=alias, by=worker)
    assert not PersonName.objects.filter(pk=alias.pk).exists()
    assert person_keys(person) == stored_keys(primary) == keys_of_name("Mukhriddin Nazarov")
    assert "farhod" not in person_keys(person)

    whats = [e.detail.get("what") for e in person_entries(person)]
    assert whats == [None, "name_added", "name_changed", "name_removed"]
    assert all(e.actor_id == worker.pk for e in person_entries(person))


def test_the_primary_name_cannot_be_removed_but_another_can_take_its_place(register, worker) -> None:
    person = register("Zarina Rahimova")
    primary = person.names.get()
    error = refused(services.person_name_remove, name=primary, by=worker)
    assert error_code_of(error) == RegistryErrorCode.PRIMARY_NAME_REQUIRED

    cyrillic = services.person_name_add(person=person, by=worker, name="Зарина Раҳимова")
    services.person_name_set_primary(name=cyrillic, by=worker)

    person.refresh_from_db()
    primary.refresh_from_db()
    assert person.display_name == "Зарина Раҳимова"
    assert not primary.is_primary
    assert primary.kind == NameKind.ALIAS
    assert PersonName.objects.filter(person=person, is_primary=True).get() == cyrillic
    assert person_entries(person)[-1].detail["what"] == "primary_name_changed"


def test_a_name_the_person_already_has_is_refused(register, worker) -> None:
    person = register("Zarina Rahimova")
    error = refused(services.person_name_add, person=person, by=worker, name=" Zarina  Rahimova ")
    assert error_code_of(error) == RegistryErrorCode.NAME_DUPLICATE
    assert person.names.count() == 1


def test_person_update_changes_the_primary_name_and_its_keys(register, worker) -> None:
    person = register(NameInput("Muhriddin Nazarov", source="Iraqi list"))
    changed = services.person_update(
        person=person, by=worker, changes={"name": NameInput("مخرالدين نظروف"), "birth_place": "Mosul"}
    )

    assert set(changed) == {"names", "birth_place"}
    person.refresh_from_db()
    primary = person.names.get(is_primary=True)
    assert person.display_name == primary.full_name == "مخرالدين نظروف"
    assert primary.script == "arab"
    assert primary.source == "Iraqi list", "an unchanged source stays"
    assert person_keys(person) == keys_of_name("مخرالدين نظروف")
    entry = person_entries(person)[-1]
    assert entry.action == AuditAction.CHANGE
    assert set(entry.changed_fields) == {"names", "birth_place"}

    # Nothing changed: nothing written, no audit entry.
    count = len(person_entries(person))
    assert services.person_update(person=person, by=worker, changes={"birth_place": "Mosul"}) == []
    assert len(person_entries(person)) == count


# --- dates of birth -----------------------------------------------------------------------------------


def test_about_four_years_old_in_march_2019_is_stored_as_a_range(register) -> None:
    told = birth_range_from_age(age=4, on=dt.date(2019, 3, 1), on_latest=dt.date(2019, 3, 31), margin=1)
    child = register(
        "Амир Раҳимов",
        birth_date_precision=BirthDatePrecision.ESTIMATED,
        birth_date_min=told.earliest,
        birth_date_max=told.latest,
    )

    child.refresh_from_db()
    # 3 to 5 years old at some day of March 2019.
    assert child.birth_date_min == dt.date(2013, 3, 2)
    assert child.birth_date_max == dt.date(2016, 3, 31)
    assert child.birth_date == told.best
    assert child.birth_date_min <= child.birth_date <= child.birth_date_max
    assert child.birth_is_estimated


def test_exact_exactness_and_partial_dates_derive_their_range(register) -> None:
    exact = register("A Exact", birth_date=dt.date(1990, 3, 12))
    assert (exact.birth_date_min, exact.birth_date_max) == (dt.date(1990, 3, 12), dt.date(1990, 3, 12))
    month = register("B Month", birth_date=dt.date(1990, 2, 14), birth_date_precision=BirthDatePrecision.MONTH)
    assert (month.birth_date_min, month.birth_date_max) == (dt.date(1990, 2, 1), dt.date(1990, 2, 28))
    year = register("C Year", birth_date=dt.date(1988, 6, 1), birth_date_precision=BirthDatePrecision.YEAR)
    assert (year.birth_date_min, year.birth_date_max) == (dt.date(1988, 1, 1), dt.date(1988, 12, 31))


def test_estimates_without_a_range_reversed_ranges_and_future_dates_are_refused(register) -> None:
    no_range = refused(register, name="No Range", birth_date_precision=BirthDatePrecision.ESTIMATED)
    assert {"birth_date_min", "birth_date_max"} <= set(field_messages(no_range))
    assert error_code_of(no_range) == RegistryErrorCode.BIRTH_DATE_INVALID

    reversed_range = refused(
        register,
        name="Reversed",
        birth_date_precision=BirthDatePrecision.ESTIMATED,
        birth_date_min=dt.date(2016, 1, 1),
        birth_date_max=dt.date(2014, 1, 1),
    )
    assert "birth_date_max" in field_messages(reversed_range)

    future = refused(register, name="Future", birth_date=timezone.localdate() + dt.timedelta(days=3))
    assert "birth_date" in field_messages(future)
    assert not Person.objects.exists()


# --- nationality claims ------------------------------------------------------------------------------


def test_a_nationality_claim_with_evidence_is_verified_with_reasons(register, worker) -> None:
    mother = register("Зарина Раҳимова", sex="F", birth_date=dt.date(1990, 3, 12))
    child = register("Амир Раҳимов", sex="M", birth_date=dt.date(2015, 5, 1))
    certificate = services.document_add(
        person=child, by=worker, kind="birth_certificate", file=SimpleUploadedFile("cert.pdf", PDF_BYTES)
    )

    claim = services.nationality_claim_add(
        person=child,
        by=worker,
        country="tjk",
        basis="descent",
        statement="The mother says the father is from Vahdat.",
        documents=[certificate],
        dna_result="pending",
        dna_relative=mother,
    )
    assert claim.country == "TJK"
    assert claim.status == "claimed"
    assert claim.decided_at is None
    assert list(claim.evidence_documents.all()) == [certificate]

    no_reason = refused(services.nationality_claim_decide, claim=claim, by=worker, status="verified", note="  ")
    assert "decision_note" in field_messages(no_reason)

    services.nationality_claim_decide(
        claim=claim, by=worker, status="verified", note="DNA confirms the grandmother.", dna_result="confirmed"
    )
    decided = NationalityClaim.objects.get(pk=claim.pk)
    assert decided.status == "verified"
    assert decided.decided_by == worker
    assert decided.decided_at is not None
    assert decided.dna_result == "confirmed"
    assert decided.dna_relative == mother

    whats = [e.detail.get("what") for e in person_entries(child)]
    assert whats[-2:] == ["nationality_claimed", "nationality_decided"]
    assert person_entries(child)[-1].detail["to"] == "verified"


def test_nationality_claims_refuse_duplicates_unknown_countries_others_documents_and_self_dna(register, worker) -> None:
    person = register("Amir Saidov")
    other = register("Other Person")
    services.nationality_claim_add(person=person, by=worker, country="TJK", basis="descent")

    duplicate = refused(services.nationality_claim_add, person=person, by=worker, country="TJK", basis="statement")
    assert error_code_of(duplicate) == RegistryErrorCode.NATIONALITY_DUPLICATE
    unknown = refused(services.nationality_claim_add, person=person, by=worker, country="XXX", basis="descent")
    assert error_code_of(unknown) == RegistryErrorCode.COUNTRY_UNKNOWN
    foreign_doc = services.document_add(
        person=other, by=worker, kind="passport", file=SimpleUploadedFile("p.pdf", PDF_BYTES)
    )
    not_theirs = refused(
        services.nationality_claim_add,
        person=person,
        by=worker,
        country="IRQ",
        basis="document",
        documents=[foreign_doc],
    )
    assert "evidence_documents" in field_messages(not_theirs)
    self_dna = refused(
        services.nationality_claim_add,
        person=person,
        by=worker,
        country="IRQ",
        basis="descent",
        dna_result="confirmed",
        dna_relative=person,
    )
    assert "dna_relative" in field_messages(self_dna)
    no_relative = refused(
        services.nationality_claim_add, person=person, by=worker, country="IRQ", basis="descent", dna_result="confirmed"
    )
    assert "dna_relative" in field_messages(no_relative)
    assert person.nationality_claims.count() == 1


# --- identifiers ----------------------------------------------------------------------------------


def test_identifiers_are_unique_per_issuer_whatever_the_punctuation(register, worker) -> None:
    person = register("Amir Saidov")
    other = register("Other Person")
    identifier = services.identifier_add(
        person=person, by=worker, identifier_type="passport", value="ab 123-456", issuer_country="TJK"
    )
    assert identifier.value == "ab 123-456"
    assert identifier.value_key == "AB123456"

    same_for_someone_else = refused(
        services.identifier_add,
        person=other,
        by=worker,
        identifier_type="passport",
        value="AB.123.456",
        issuer_country="tjk",
    )
    assert error_code_of(same_for_someone_else) == RegistryErrorCode.IDENTIFIER_TAKEN
    assert "someone else" in field_messages(same_for_someone_else)["value"][0]
    same_again = refused(
        services.identifier_add,
        person=person,
        by=worker,
        identifier_type="passport",
        value="AB123456",
        issuer_country="TJK",
    )
    assert "already has this number" in field_messages(same_again)["value"][0]

    # Another issuer may give the same number.
    services.identifier_add(person=other, by=worker, identifier_type="passport", value="AB123456", issuer_country="IRQ")

    expires_first = refused(
        services.identifier_add,
        person=person,
        by=worker,
        identifier_type="national_id",
        value="77",
        issued_on=dt.date(2020, 1, 1),
        valid_until=dt.date(2019, 1, 1),
    )
    assert "valid_until" in field_messages(expires_first)

    services.identifier_remove(identifier=identifier, by=worker)
    assert not person.identifiers.exists()
    assert [e.detail.get("what") for e in person_entries(person)][-2:] == ["identifier_added", "identifier_removed"]


# --- family -------------------------------------------------------------------------------------------


@pytest.fixture
def family(register):
    mother = register("Зарина Раҳимова", sex="F", birth_date=dt.date(1990, 3, 12))
    child = register(
        "Амир Раҳимов",
        sex="M",
        birth_date_precision=BirthDatePrecision.ESTIMATED,
        birth_date_min=dt.date(2014, 3, 2),
        birth_date_max=dt.date(2016, 3, 31),
    )
    return mother, child


def test_a_mother_link_reads_both_ways(family, worker) -> None:
    mother, child = family
    link = services.family_link_add(person=child, relative=mother, relation="mother", by=worker, source="her statement")

    assert (link.person, link.relative, link.relation) == (mother, child, Relation.MOTHER)
    from_child = selectors.person_family(user=worker, person=child).members
    from_mother = selectors.person_family(user=worker, person=mother).members
    assert [(m.relation, m.other) for m in from_child] == [(Relation.MOTHER, mother)]
    assert [(m.relation, m.other) for m in from_mother] == [(Relation.CHILD, child)]
    for person in (mother, child):
        entry = person_entries(person)[-1]
        assert entry.detail == {"what": "family_link_added", "link": link.pk, "relation": "mother"}


def test_a_child_link_is_stored_from_the_parents_side(family, worker) -> None:
    mother, child = family
    link = services.family_link_add(person=mother, relative=child, relation="child", by=worker)
    assert (link.person, link.relative, link.relation) == (mother, child, Relation.MOTHER)


@pytest.mark.parametrize(
    ("subject", "relation", "of", "message"),
    [
        ("child", "mother", "child", "cannot be their own relative"),
        ("mother", "father", "child", "cannot be a father"),
        ("child", "grandparent", "mother", "was not born before"),
    ],
)
def test_impossible_links_are_refused(family, worker, subject, relation, of, message) -> None:
    mother, child = family
    people = {"mother": mother, "child": child}
    error = refused(services.family_link_add, person=people[of], relative=people[subject], relation=relation, by=worker)
    assert error_code_of(error) == RegistryErrorCode.FAMILY_LINK_INVALID
    assert message in " ".join(error.messages)
    assert not FamilyLink.objects.exists()


def test_a_pair_is_linked_once_whichever_side_it_is_entered_from(family, worker) -> None:
    mother, child = family
    services.family_link_add(person=child, relative=mother, relation="mother", by=worker)
    again = refused(services.family_link_add, person=mother, relative=child, relation="child", by=worker)
    assert error_code_of(again) == RegistryErrorCode.FAMILY_LINK_EXISTS
    assert "already linked" in field_messages(again)["relative"][0]
    other_way = refused(services.family_link_add, person=mother, relative=child, relation="sibling", by=worker)
    assert error_code_of(other_way) == RegistryErrorCode.FAMILY_LINK_EXISTS
    assert FamilyLink.objects.count() == 1


def test_removing_a_link_is_audited_on_both_persons(family, worker) -> None:
    mother, child = family
    link = services.family_link_add(person=child, relative=mother, relation="mother", by=worker)
    services.family_link_remove(link=link, by=worker)
    assert not FamilyLink.objects.exists()
    for person in (mother, child):
        assert person_entries(person)[-1].detail["what"] == "family_link_removed"


def test_family_groups_hold_each_person_once_and_dissolve_below_two(family, register, agency, worker) -> None:
    mother, child = family
    sister = register("Малика Раҳимова", sex="F", birth_date=dt.date(2012, 1, 1))

    too_small = refused(
        services.family_group_create, by=worker, name="Alone", owner_agency=agency, members=[mother, mother]
    )
    assert "members" in field_messages(too_small)

    group = services.family_group_create(
        by=worker, name=" Rahimova family ", owner_agency=agency, members=[mother, child]
    )
    assert group.name == "Rahimova family"
    assert set(group.members.all()) == {mother, child}

    taken = refused(
        services.family_group_create, by=worker, name="Another", owner_agency=agency, members=[sister, child]
    )
    assert error_code_of(taken) == RegistryErrorCode.FAMILY_GROUP_INVALID
    assert "Rahimova family" in " ".join(taken.messages)

    group_pk = group.pk
    services.family_group_member_add(group=group, person=sister, by=worker)
    assert services.family_group_member_remove(group=group, person=sister, by=worker) is True
    assert services.family_group_member_remove(group=group, person=child, by=worker) is False
    assert not FamilyGroup.objects.exists()
    for person in (mother, child):
        assert person_entries(person)[-1].detail == {
            "what": "family_group_left",
            "family_group": group_pk,
            "dissolved": True,
        }


# --- facilities --------------------------------------------------------------------------------------


def test_facilities_are_created_audited_and_unique_per_country(worker) -> None:
    facility = services.facility_create(
        by=worker, name="Rusafa prison", kind="prison", country="irq", custodian_authority="Government of Iraq"
    )
    assert facility.country == "IRQ"
    assert facility.is_abroad
    entry = AuditEntry.objects.get(object_type="registry.facility", object_id=str(facility.pk))
    assert entry.action == AuditAction.CREATE

    duplicate = refused(services.facility_create, by=worker, name="RUSAFA PRISON", kind="prison", country="IRQ")
    assert error_code_of(duplicate) == RegistryErrorCode.FACILITY_DUPLICATE
    services.facility_create(by=worker, name="Rusafa prison", kind="prison", country="SYR")
    bad_country = refused(services.facility_create, by=worker, name="Somewhere", kind="camp", country="ZZZ")
    assert "country" in field_messages(bad_country)
    no_name = refused(services.facility_create, by=worker, name="  ", kind="camp", country="SYR")
    assert "name" in field_messages(no_name)

    assert services.facility_update(facility=facility, by=worker, changes={"locality": "Baghdad"}) == ["locality"]
    assert services.facility_update(facility=facility, by=worker, changes={"locality": "Baghdad"}) == []


# --- custody -------------------------------------------------------------------------------------------


@pytest.fixture
def places():
    return (
        FacilityFactory(name="Rusafa prison", kind="prison", country="IRQ"),
        FacilityFactory(name="Roj camp", kind="camp", country="SYR"),
        FacilityFactory(name="Vahdat foster family", kind="foster", country="TJK"),
    )


def test_a_custody_record_with_a_life_sentence(register, worker, places) -> None:
    mother = register("Зарина Раҳимова", sex="F")
    record = services.custody_create(
        person=mother,
        by=worker,
        facility=places[0],
        since=dt.date(2018, 1, 10),
        life_sentence=True,
        charge="Membership of an armed group",
        court="Central Criminal Court of Iraq",
    )
    assert record.is_current
    assert record.life_sentence
    assert record.sentence_months is None
    entry = person_entries(mother)[-1]
    assert entry.detail["what"] == "custody_added"
    assert {"custody", "life_sentence", "charge", "court"} <= set(entry.changed_fields)

    with_months = refused(
        services.custody_update, record=record, by=worker, changes={"life_sentence": True, "sentence_months": 240}
    )
    assert "sentence_months" in field_messages(with_months)


def test_a_transfer_ends_the_current_stay(register, worker, places) -> None:
    mother = register("Zarina Rahimova", sex="F")
    first = services.custody_create(person=mother, by=worker, facility=places[0], since=dt.date(2018, 1, 10))

    overlap = refused(services.custody_create, person=mother, by=worker, facility=places[1], since=dt.date(2019, 5, 1))
    assert error_code_of(overlap) == RegistryErrorCode.CUSTODY_OVERLAP
    assert "Rusafa prison" in field_messages(overlap)["since"][0]

    second = services.custody_create(
        person=mother, by=worker, facility=places[1], since=dt.date(2019, 5, 1), end_current=True
    )
    first.refresh_from_db()
    assert first.until == dt.date(2019, 5, 1)
    assert first.end_reason == CustodyEndReason.TRANSFERRED, "prison to camp abroad is a transfer"
    assert second.is_current
    assert person_entries(mother)[-1].detail["ended"] == first.pk

    # Home from the camp: the end is a release.
    services.custody_create(person=mother, by=worker, facility=places[2], since=dt.date(2020, 2, 1), end_current=True)
    second.refresh_from_db()
    assert second.end_reason == CustodyEndReason.RELEASED
    assert CustodyRecord.objects.filter(person=mother, until__isnull=True).count() == 1


def test_custody_dates_are_checked(register, worker, places) -> None:
    person = register("Amir Saidov")
    before = refused(
        services.custody_create,
        person=person,
        by=worker,
        facility=places[0],
        since=dt.date(2019, 1, 1),
        until=dt.date(2018, 1, 1),
        end_reason="released",
    )
    assert "until" in field_messages(before)
    no_reason = refused(
        services.custody_create,
        person=person,
        by=worker,
        facility=places[0],
        since=dt.date(2018, 1, 1),
        until=dt.date(2019, 1, 1),
    )
    assert "end_reason" in field_messages(no_reason)
    future = refused(
        services.custody_create,
        person=person,
        by=worker,
        facility=places[0],
        since=timezone.localdate() + dt.timedelta(days=1),
    )
    assert error_code_of(future) == RegistryErrorCode.DATE_IN_FUTURE

    past = services.custody_create(
        person=person,
        by=worker,
        facility=places[0],
        since=dt.date(2017, 1, 1),
        until=dt.date(2018, 1, 1),
        end_reason="released",
    )
    overlapping_past = refused(
        services.custody_create,
        person=person,
        by=worker,
        facility=places[1],
        since=dt.date(2017, 6, 1),
        until=dt.date(2017, 9, 1),
        end_reason="released",
    )
    assert "2017-01-01" in field_messages(overlapping_past)["since"][0]
    # Touching ends do not overlap.
    services.custody_create(person=person, by=worker, facility=places[1], since=dt.date(2018, 1, 1))
    assert services.custody_update(record=past, by=worker, changes={"sentence_months": 12, "sentence": "one year"}) == [
        "sentence",
        "sentence_months",
    ]
    assert CustodyRecord.objects.filter(person=person).count() == 2


# --- documents ---------------------------------------------------------------------------------------


def test_a_pdf_is_stored_under_a_random_name_outside_the_web_root(register, worker, media_root) -> None:
    person = register("Zarina Rahimova")
    document = services.document_add(
        person=person, by=worker, kind="passport", file=SimpleUploadedFile("../../etc/passport scan.pdf", PDF_BYTES)
    )

    assert document.content_type == "application/pdf"
    assert document.size == len(PDF_BYTES)
    assert document.original_name == "passport scan.pdf"
    path = Path(document.file.path).resolve()
    assert path.is_relative_to(Path(media_root).resolve())
    assert not path.is_relative_to(Path(settings.STATIC_ROOT).resolve())
    for static_dir in getattr(settings, "STATICFILES_DIRS", []):
        assert not path.is_relative_to(Path(static_dir).resolve())
    assert path.name != "passport scan.pdf"
    assert path.suffix == ".pdf"
    assert path.read_bytes() == PDF_BYTES
    assert person_entries(person)[-1].detail["what"] == "document_added"


def test_pictures_are_accepted_as_photos(register, worker) -> None:
    person = register("Zarina Rahimova")
    png = services.document_add(person=person, by=worker, kind="photo", file=SimpleUploadedFile("a.png", PNG_BYTES))
    jpeg = services.document_add(person=person, by=worker, kind="photo", file=SimpleUploadedFile("b.jpg", JPEG_BYTES))
    assert (png.content_type, jpeg.content_type) == ("image/png", "image/jpeg")
    assert png.file.name.endswith(".png")
    assert jpeg.file.name.endswith(".jpg")


@pytest.mark.parametrize(
    ("kind", "upload", "code", "words"),
    [
        (
            "passport",
            SimpleUploadedFile("passport.pdf", b"MZ\x90\x00" + b"\x00" * 200),
            "file_type_refused",
            "PDF, JPEG or PNG",
        ),
        ("photo", SimpleUploadedFile("photo.jpg", PDF_BYTES), "file_type_refused", "this file is a PDF"),
        ("passport", SimpleUploadedFile("empty.pdf", b""), "file_invalid", "empty"),
    ],
)
def test_documents_of_a_refused_type_are_refused_with_a_clear_message(
    register, worker, kind, upload, code, words
) -> None:
    person = register("Zarina Rahimova")
    error = refused(services.document_add, person=person, by=worker, kind=kind, file=upload)
    assert error_code_of(error) == code
    assert words in field_messages(error)["file"][0]
    assert not PersonDocument.objects.exists()


def test_an_oversized_document_is_refused_and_nothing_is_kept(register, worker, settings, media_root) -> None:
    settings.HOMECOMING_DOCUMENT_MAX_BYTES = 1024
    person = register("Zarina Rahimova")
    error = refused(
        services.document_add,
        person=person,
        by=worker,
        kind="passport",
        file=SimpleUploadedFile("big.pdf", PDF_BYTES + b"0" * 2048),
    )
    assert error_code_of(error) == RegistryErrorCode.FILE_TOO_LARGE
    message = field_messages(error)["file"][0]
    assert "1.0\xa0KB" in message
    assert "accepted" in message
    assert not PersonDocument.objects.exists()
    assert not any(Path(media_root).rglob("*.pdf"))


# --- the audit trail ------------------------------------------------------------------------------


def test_person_create_writes_one_create_entry(register, worker) -> None:
    person = register("Zarina Rahimova", other_names=["Зарина Раҳимова"], birth_place="Vahdat")
    [entry] = person_entries(person)
    assert entry.action == AuditAction.CREATE
    assert entry.actor_id == worker.pk
    assert set(entry.changed_fields) >= {"names", "birth_place"}
    assert entry.detail["names"] == 2


def test_sharing_a_person_with_another_agency_gives_it_access_and_is_audited(
    agency: Any, other_agency: Any, ngo_worker: Any
) -> None:
    from homecoming.core.access import persons_visible_to

    person = services.person_create(by=None, owner_agency=agency, name="Amir Saidov")
    assert not persons_visible_to(ngo_worker).filter(pk=person.pk).exists()
    services.person_share(person=person, agency=other_agency, by=None, reason="Psychosocial support.")
    assert persons_visible_to(ngo_worker).filter(pk=person.pk).exists()
    assert AuditEntry.objects.filter(object_id=str(person.pk)).latest("id").changed_fields == ["shares"]
    with pytest.raises(ValidationError):
        services.person_share(person=person, agency=agency, by=None)
