"""Deciding possible duplicates: "different people" is remembered; a merge moves everything and can be undone."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from homecoming.accounts.choices import Role
from homecoming.audit.models import AuditAction, AuditEntry
from homecoming.cases.models import Case
from homecoming.core.testing.factories import AgencyFactory, CaseFactory, PersonFactory, user_with_role
from homecoming.matching.models import DuplicateCandidate, DuplicateStatus, PersonMerge
from homecoming.matching.services import candidate_mark_not_same, person_merge, person_merge_undo
from homecoming.registry.choices import BirthDatePrecision, NameKind
from homecoming.registry.models import (
    CustodyRecord,
    FamilyLink,
    NameKey,
    Person,
    PersonDocument,
    PersonName,
    PersonShare,
)
from homecoming.registry.tests.factories import CustodyRecordFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def agency():
    return AgencyFactory(code="own")


@pytest.fixture
def reviewer(agency):
    return user_with_role(Role.CASE_WORKER, agency, username="reviewer")


def _pair(a: Person, b: Person, probability: float = 0.93) -> DuplicateCandidate:
    low, high = sorted((a, b), key=lambda p: p.pk)
    return DuplicateCandidate.objects.create(
        person_a=low, person_b=high, probability=probability, evidence={"name": {"level": "x", "weight": 1.0}}
    )


@pytest.fixture
def records(agency):
    """Two records of one girl (Latin and Arabic script), a mother linked to both, custody, a case, a document."""
    survivor = PersonFactory(
        owner_agency=agency, display_name="Madina Karimova", sex="F", birth_date=dt.date(2015, 3, 2),
        names=["Мадина Каримова"],
    )  # fmt: skip
    other_agency = AgencyFactory(code="ngo")
    merged = PersonFactory(
        owner_agency=other_agency, display_name="مدينة كريموفا", sex="F", birth_date=dt.date(2015, 7, 1),
        birth_date_min=dt.date(2014, 7, 1), birth_date_max=dt.date(2016, 7, 1), names=["Мадина Каримова"],
    )  # fmt: skip
    Person.objects.filter(pk=merged.pk).update(birth_date_precision=BirthDatePrecision.ESTIMATED, birth_place="Raqqa")
    merged.refresh_from_db()
    mother = PersonFactory(owner_agency=agency, display_name="Zarina Karimova", sex="F")
    FamilyLink.objects.create(person=mother, relative=survivor, relation="mother")
    FamilyLink.objects.create(person=mother, relative=merged, relation="mother")  # the same link twice
    sister = PersonFactory(owner_agency=agency, display_name="Aisha Karimova", sex="F")
    FamilyLink.objects.create(person=sister, relative=merged, relation="sibling")
    custody = CustodyRecordFactory(person=merged)
    case = CaseFactory(person=merged)
    document = PersonDocument.objects.create(
        person=merged, kind="other", file="registry/documents/x.pdf", original_name="x.pdf",
        content_type="application/pdf", size=1, sha256="0" * 64,
    )  # fmt: skip
    PersonShare.objects.create(person=merged, agency=agency)
    return {
        "survivor": survivor, "merged": merged, "mother": mother, "sister": sister, "custody": custody,
        "case": case, "document": document, "other_agency": other_agency,
    }  # fmt: skip


def test_not_same_is_remembered_and_audited(records, reviewer):
    candidate = _pair(records["survivor"], records["merged"])
    candidate_mark_not_same(candidate=candidate, by=reviewer)
    candidate.refresh_from_db()
    assert candidate.status == DuplicateStatus.NOT_SAME
    assert candidate.decided_by == reviewer
    assert AuditEntry.objects.filter(object_type="matching.duplicatecandidate", object_id=str(candidate.pk)).exists()
    with pytest.raises(ValidationError):
        candidate_mark_not_same(candidate=candidate, by=reviewer)


def test_deciding_needs_change_rights_on_both_records(records, agency):
    stranger = user_with_role(Role.CASE_WORKER, AgencyFactory(code="far"), username="stranger")
    candidate = _pair(records["survivor"], records["merged"])
    with pytest.raises(ValidationError):
        candidate_mark_not_same(candidate=candidate, by=stranger)
    with pytest.raises(ValidationError):
        person_merge(candidate=candidate, survivor=records["survivor"], by=stranger)


def test_merge_moves_everything_and_keeps_every_name(records, reviewer):
    survivor, merged = records["survivor"], records["merged"]
    merged_id = merged.pk
    names_before = set(PersonName.objects.filter(person__in=[survivor, merged]).values_list("full_name", flat=True))
    candidate = _pair(survivor, merged)
    merge = person_merge(
        candidate=candidate, survivor=survivor, by=reviewer, choices={"birth_date": "merged", "birth_place": "merged"}
    )

    assert not Person.objects.filter(pk=merged_id).exists()
    survivor.refresh_from_db()
    # Values chosen field by field: the estimated date and the place from the merged record, the name kept.
    assert survivor.display_name == "Madina Karimova"
    assert survivor.birth_date_precision == BirthDatePrecision.ESTIMATED
    assert (survivor.birth_date_min, survivor.birth_date_max) == (dt.date(2014, 7, 1), dt.date(2016, 7, 1))
    assert survivor.birth_place == "Raqqa"
    # Every spelling kept, once; one primary name; search keys follow the names.
    names = list(survivor.names.all())
    assert {n.full_name for n in names} == names_before
    assert [n.full_name for n in names if n.is_primary] == ["Madina Karimova"]
    assert all(n.kind != NameKind.PRIMARY for n in names if not n.is_primary)
    assert (
        NameKey.objects.filter(name__full_name="مدينة كريموفا").values("person").distinct().get()["person"]
        == survivor.pk
    )
    # Links, custody, cases, documents, shares moved; the doubled mother link went.
    assert FamilyLink.objects.filter(person=records["mother"]).count() == 1
    assert FamilyLink.objects.filter(person=records["sister"], relative=survivor).exists()
    assert CustodyRecord.objects.get(pk=records["custody"].pk).person_id == survivor.pk
    assert Case.objects.get(pk=records["case"].pk).person_id == survivor.pk
    assert PersonDocument.objects.get(pk=records["document"].pk).person_id == survivor.pk
    # The merged record's agency keeps access.
    assert PersonShare.objects.filter(person=survivor, agency=records["other_agency"]).exists()
    # Audited on both records.
    assert AuditEntry.objects.filter(object_type="registry.person", object_id=str(survivor.pk), action=AuditAction.CHANGE).exists()  # fmt: skip
    assert AuditEntry.objects.filter(object_type="registry.person", object_id=str(merged_id), action=AuditAction.DELETE).exists()  # fmt: skip
    assert merge.choices["birth_date"] == "merged"
    assert merge.choices["sex"] == "survivor"


def test_merge_can_keep_the_merged_records_name(records, reviewer):
    survivor, merged = records["survivor"], records["merged"]
    person_merge(candidate=_pair(survivor, merged), survivor=survivor, by=reviewer, choices={"name": "merged"})
    survivor.refresh_from_db()
    assert survivor.display_name == "مدينة كريموفا"
    assert survivor.names.get(is_primary=True).full_name == "مدينة كريموفا"
    assert survivor.names.get(full_name="Madina Karimova").kind == NameKind.ALIAS


def test_undo_puts_both_records_back(records, reviewer):
    survivor, merged = records["survivor"], records["merged"]
    before: dict[str, Any] = {
        "survivor": Person.objects.filter(pk=survivor.pk).values().get(),
        "merged": Person.objects.filter(pk=merged.pk).values().get(),
        "names": set(PersonName.objects.values_list("pk", "person_id", "full_name", "is_primary", "kind")),
        "keys": NameKey.objects.count(),
        "links": set(FamilyLink.objects.values_list("pk", "person_id", "relative_id")),
        "shares": set(PersonShare.objects.values_list("person_id", "agency_id")),
    }
    candidate = _pair(survivor, merged)
    merge = person_merge(candidate=candidate, survivor=survivor, by=reviewer, choices={"name": "merged", "sex": "merged", "birth_date": "merged"})  # fmt: skip
    restored = person_merge_undo(merge=merge, by=reviewer)

    assert restored.pk == merged.pk
    after_survivor = Person.objects.filter(pk=survivor.pk).values().get()
    after_merged = Person.objects.filter(pk=merged.pk).values().get()
    for key in ("display_name", "sex", "birth_date", "birth_date_min", "birth_date_max", "birth_date_precision"):
        assert after_survivor[key] == before["survivor"][key]
        assert after_merged[key] == before["merged"][key]
    assert set(PersonName.objects.values_list("pk", "person_id", "full_name", "is_primary", "kind")) == before["names"]
    assert NameKey.objects.count() == before["keys"]
    assert set(FamilyLink.objects.values_list("pk", "person_id", "relative_id")) == before["links"]
    assert set(PersonShare.objects.values_list("person_id", "agency_id")) == before["shares"]
    assert Case.objects.get(pk=records["case"].pk).person_id == merged.pk
    assert CustodyRecord.objects.get(pk=records["custody"].pk).person_id == merged.pk
    assert PersonDocument.objects.get(pk=records["document"].pk).person_id == merged.pk
    # The pair is back on the review list; the merge is marked undone and cannot be undone twice.
    assert DuplicateCandidate.objects.get(person_a=min(survivor.pk, merged.pk)).status == DuplicateStatus.PENDING
    merge.refresh_from_db()
    assert merge.is_undone
    with pytest.raises(ValidationError):
        person_merge_undo(merge=merge, by=reviewer)
    assert AuditEntry.objects.filter(object_type="registry.person", object_id=str(merged.pk), action=AuditAction.CREATE).exists()  # fmt: skip


def test_a_not_same_decision_with_the_merged_record_carries_over(records, reviewer, agency):
    survivor, merged = records["survivor"], records["merged"]
    third = PersonFactory(owner_agency=agency, display_name="Madina Karimzoda", sex="F")
    other_pair = _pair(merged, third, probability=0.7)
    candidate_mark_not_same(candidate=other_pair, by=reviewer)
    person_merge(candidate=_pair(survivor, merged), survivor=survivor, by=reviewer)
    low, high = sorted((survivor.pk, third.pk))
    assert DuplicateCandidate.objects.get(person_a_id=low, person_b_id=high).status == DuplicateStatus.NOT_SAME


def test_merge_stops_when_both_records_have_an_open_case(records, reviewer):
    survivor, merged = records["survivor"], records["merged"]
    CaseFactory(person=survivor)
    with pytest.raises(ValidationError, match="cannot be joined"):
        person_merge(candidate=_pair(survivor, merged), survivor=survivor, by=reviewer)
    assert Person.objects.filter(pk=merged.pk).exists()
    assert Case.objects.filter(person=merged).exists()


def test_merge_checks_its_arguments(records, reviewer, agency):
    survivor, merged = records["survivor"], records["merged"]
    candidate = _pair(survivor, merged)
    with pytest.raises(ValidationError):
        person_merge(candidate=candidate, survivor=PersonFactory(owner_agency=agency), by=reviewer)
    with pytest.raises(ValidationError):
        person_merge(candidate=candidate, survivor=survivor, by=reviewer, choices={"sex": "both"})
    with pytest.raises(ValidationError):
        person_merge(candidate=candidate, survivor=survivor, by=reviewer, choices={"religion": "merged"})
    assert not PersonMerge.objects.exists()
