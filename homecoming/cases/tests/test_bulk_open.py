"""Opening cases in bulk (a large import) stores and audits what ``case_open`` does, one by one."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from homecoming.audit.models import AuditEntry
from homecoming.audit.services import audit_append_many
from homecoming.cases.choices import CaseStage
from homecoming.cases.error_codes import CaseErrorCode
from homecoming.cases.models import Case
from homecoming.cases.services import case_open, cases_bulk_open
from homecoming.core.testing.factories import PersonFactory

pytestmark = pytest.mark.django_db

COLUMNS = ["owner_agency_id", "assigned_to_id", "stage", "held_from_stage", "priority", "summary", "opened_by_id"]


def audit_of(case: Case) -> tuple[object, ...]:
    entry = AuditEntry.objects.get(object_type="cases.case", object_id=str(case.pk))
    detail = {**entry.detail, "person": "-"}
    return entry.action, entry.actor_id, entry.agency_codes, list(entry.changed_fields), detail, entry.object_ids


def test_cases_in_bulk_are_stored_and_audited_as_one_by_one(worker, agency):
    one, two, three = PersonFactory.create_batch(3, owner_agency=agency)
    single = case_open(person=one, owner_agency=agency, by=worker, summary=" Listed by X. ")
    cases, events = cases_bulk_open(persons=[two, three], owner_agency=agency, by=worker, summary=" Listed by X. ")
    audit_append_many(events)
    assert [c.person_id for c in cases] == [two.pk, three.pk]
    for case in cases:
        case.refresh_from_db()
        assert [getattr(case, c) for c in COLUMNS] == [getattr(single, c) for c in COLUMNS]
        assert case.stage == CaseStage.IDENTIFIED
        assert case.summary == "Listed by X."
        assert audit_of(case) == audit_of(single)
        assert (
            AuditEntry.objects.get(object_type="cases.case", object_id=str(case.pk)).detail["person"] == case.person_id
        )


def test_a_person_with_an_open_case_or_given_twice_is_refused(worker, agency):
    one, two = PersonFactory.create_batch(2, owner_agency=agency)
    case_open(person=one, owner_agency=agency, by=worker)
    for persons in ([two, one], [two, two]):
        with pytest.raises(ValidationError) as caught:
            cases_bulk_open(persons=persons, owner_agency=agency, by=worker)
        assert caught.value.error_dict["person"][0].code == CaseErrorCode.OPEN_CASE_EXISTS
    assert Case.objects.count() == 1
    # Once the case is closed, a new one may be opened.
    Case.objects.update(stage=CaseStage.CLOSED)  # closed (how is not what this test is about)
    cases, _events = cases_bulk_open(persons=[one], owner_agency=agency, by=worker)
    assert len(cases) == 1


def test_an_inactive_agency_cannot_open_cases(worker, agency):
    agency.is_active = False
    agency.save()
    with pytest.raises(ValidationError):
        cases_bulk_open(persons=[PersonFactory(owner_agency=agency)], owner_agency=agency, by=worker)
    assert not Case.objects.exists()
