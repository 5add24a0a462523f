"""The services: the stage table move by move, approvals, assessments, consent, audit, history."""

from __future__ import annotations

import datetime
import itertools

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from homecoming.accounts.choices import Role
from homecoming.audit.models import AuditAction, AuditEntry
from homecoming.cases import services
from homecoming.cases.choices import (
    ALLOWED_TRANSITIONS,
    HOLDABLE_STAGES,
    ApprovalStatus,
    AssessmentOutcome,
    CaseStage,
    ConsentGiver,
    ConsentScope,
    needs_approval,
)
from homecoming.cases.error_codes import CaseErrorCode, error_code_of
from homecoming.cases.models import ApprovalRequest, Case, CaseTransition, Consent
from homecoming.cases.tests.factories import (
    JPEG_BYTES,
    PDF_BYTES,
    PNG_BYTES,
    AssessmentFactory,
    ConsentFactory,
    case_ready_for_anything,
)
from homecoming.core.testing.factories import CaseFactory, PersonFactory, user_with_role

pytestmark = pytest.mark.django_db


def _codes(error: ValidationError) -> dict[str, list[str | None]]:
    return {field: [e.code for e in errors] for field, errors in error.error_dict.items()}


def _audit(action, obj) -> list[AuditEntry]:
    return list(
        AuditEntry.objects.filter(
            action=action, object_type=f"{obj._meta.app_label}.{obj._meta.model_name}", object_id=str(obj.pk)
        )
    )


def _move(case, to_stage, *, worker, manager):
    """Make a move as the table intends it: directly, or requested and approved by a manager."""
    if needs_approval(case.stage, to_stage):
        request = services.approval_request(case=case, to_stage=to_stage, by=worker, reason="Ready.")
        services.approval_decide(request=request, by=manager, approve=True, note="")
        return CaseTransition.objects.get(approval=request)
    return services.case_transition(case=case, to_stage=to_stage, by=worker, reason="Ready.")


# --- the table, exhaustively ------------------------------------------------------------------------

ALL_PAIRS = list(itertools.product(CaseStage, CaseStage))


def _allowed(from_stage: CaseStage, to_stage: CaseStage, held_from: str) -> bool:
    if to_stage not in ALLOWED_TRANSITIONS[from_stage]:
        return False
    return not (from_stage == CaseStage.ON_HOLD and to_stage not in (held_from, CaseStage.CLOSED))


@pytest.mark.parametrize(("from_stage", "to_stage"), ALL_PAIRS, ids=[f"{a}->{b}" for a, b in ALL_PAIRS])
def test_every_pair_of_stages(from_stage, to_stage, agency, worker, manager) -> None:
    case = case_ready_for_anything(person=PersonFactory(owner_agency=agency), stage=from_stage)
    if _allowed(from_stage, to_stage, case.held_from_stage):
        if needs_approval(from_stage, to_stage):
            with pytest.raises(ValidationError) as refused:
                services.case_transition(case=case, to_stage=to_stage, by=worker, reason="Ready.")
            assert _codes(refused.value) == {"to_stage": [CaseErrorCode.APPROVAL_REQUIRED]}
            assert "approval" in refused.value.message_dict["to_stage"][0]
        transition = _move(case, to_stage, worker=worker, manager=manager)
        case.refresh_from_db()
        assert case.stage == to_stage
        assert (transition.from_stage, transition.to_stage) == (from_stage, to_stage)
        assert transition.reason == "Ready."
    else:
        for attempt in (services.case_transition, services.approval_request):
            with pytest.raises(ValidationError) as refused:
                attempt(case=case, to_stage=to_stage, by=worker, reason="Ready.")
            codes = _codes(refused.value)
            assert list(codes) == ["to_stage"]
            assert codes["to_stage"][0] in (CaseErrorCode.TRANSITION_NOT_ALLOWED, CaseErrorCode.HOLD_RETURN)
            message = refused.value.message_dict["to_stage"][0]
            assert message
            assert "%(" not in message
        case.refresh_from_db()
        assert case.stage == from_stage
        assert not CaseTransition.objects.filter(case=case).exists()


@pytest.mark.parametrize("stage", sorted(HOLDABLE_STAGES))
def test_on_hold_returns_to_the_stage_it_came_from(stage, agency, worker, manager) -> None:
    case = case_ready_for_anything(person=PersonFactory(owner_agency=agency), stage=stage)
    services.case_transition(case=case, to_stage=CaseStage.ON_HOLD, by=worker, reason="Mother in hospital.")
    assert (case.stage, case.held_from_stage) == (CaseStage.ON_HOLD, stage)
    others = HOLDABLE_STAGES - {stage}
    for other in others:
        with pytest.raises(ValidationError) as refused:
            services.case_transition(case=case, to_stage=other, by=worker, reason="Back.")
        assert _codes(refused.value) == {"to_stage": [CaseErrorCode.HOLD_RETURN]}
    _move(case, stage, worker=worker, manager=manager)
    case.refresh_from_db()
    assert (case.stage, case.held_from_stage) == (stage, "")


def test_a_closed_case_says_it_is_closed(agency, worker) -> None:
    case = case_ready_for_anything(person=PersonFactory(owner_agency=agency), stage=CaseStage.CLOSED)
    with pytest.raises(ValidationError) as refused:
        services.case_transition(case=case, to_stage=CaseStage.IDENTIFIED, by=worker, reason="Again.")
    assert "closed case" in refused.value.message_dict["to_stage"][0]


def test_unknown_stage_is_refused(agency, worker) -> None:
    case = CaseFactory(person=PersonFactory(owner_agency=agency))
    with pytest.raises(ValidationError) as refused:
        services.case_transition(case=case, to_stage="flying", by=worker, reason="Why not.")
    assert _codes(refused.value) == {"to_stage": [CaseErrorCode.UNKNOWN_STAGE]}


@pytest.mark.parametrize("reason", ["", "   ", "\n"])
def test_a_move_needs_a_reason(reason, agency, worker) -> None:
    case = CaseFactory(person=PersonFactory(owner_agency=agency))
    with pytest.raises(ValidationError) as refused:
        services.case_transition(case=case, to_stage=CaseStage.VERIFIED, by=worker, reason=reason)
    assert _codes(refused.value) == {"reason": [CaseErrorCode.REASON_REQUIRED]}
    assert refused.value.message_dict["reason"] == ["Give the reason for this move."]
    case.refresh_from_db()
    assert case.stage == CaseStage.IDENTIFIED


def test_history_row_and_audit_entry_in_the_same_move(agency, worker) -> None:
    case = CaseFactory(person=PersonFactory(owner_agency=agency))
    transition = services.case_transition(
        case=case, to_stage=CaseStage.VERIFIED, by=worker, reason="Identity confirmed by the embassy."
    )
    assert list(case.transitions.values_list("from_stage", "to_stage", "by", "reason")) == [
        ("identified", "verified", worker.pk, "Identity confirmed by the embassy.")
    ]
    assert transition.at <= timezone.now()
    [entry] = _audit(AuditAction.TRANSITION, case)
    assert entry.actor == worker
    assert entry.detail["from"] == "identified"
    assert entry.detail["to"] == "verified"
    assert entry.detail["transition"] == transition.pk
    assert entry.changed_fields == ["stage"]


def test_a_failed_move_writes_neither_history_nor_audit(agency, worker) -> None:
    case = CaseFactory(person=PersonFactory(owner_agency=agency))
    with pytest.raises(ValidationError):
        services.case_transition(case=case, to_stage=CaseStage.RETURNED, by=worker, reason="Skip ahead.")
    assert not case.transitions.exists()
    assert not _audit(AuditAction.TRANSITION, case)


def test_closing_sets_the_closed_date(agency, worker, manager) -> None:
    case = case_ready_for_anything(person=PersonFactory(owner_agency=agency), stage=CaseStage.REINTEGRATING)
    _move(case, CaseStage.CLOSED, worker=worker, manager=manager)
    case.refresh_from_db()
    assert case.closed_at is not None


# --- assessment and consent requirements -----------------------------------------------------------


def test_assessed_needs_an_assessment(agency, worker) -> None:
    case = CaseFactory(person=PersonFactory(owner_agency=agency), stage=CaseStage.VERIFIED)
    with pytest.raises(ValidationError) as refused:
        services.case_transition(case=case, to_stage=CaseStage.ASSESSED, by=worker, reason="Assessed.")
    assert _codes(refused.value) == {"to_stage": [CaseErrorCode.ASSESSMENT_REQUIRED]}
    assert "Record an assessment" in refused.value.message_dict["to_stage"][0]


def test_assessed_needs_the_latest_assessment_to_find_the_person_eligible(agency, worker) -> None:
    case = CaseFactory(person=PersonFactory(owner_agency=agency), stage=CaseStage.VERIFIED)
    AssessmentFactory(case=case, outcome=AssessmentOutcome.ELIGIBLE, assessed_on=datetime.date(2019, 2, 1))
    AssessmentFactory(case=case, outcome=AssessmentOutcome.NEEDS_INFORMATION, assessed_on=datetime.date(2019, 2, 20))
    with pytest.raises(ValidationError) as refused:
        services.case_transition(case=case, to_stage=CaseStage.ASSESSED, by=worker, reason="Assessed.")
    assert "needs more information" in refused.value.message_dict["to_stage"][0]
    AssessmentFactory(case=case, outcome=AssessmentOutcome.ELIGIBLE, assessed_on=datetime.date(2019, 4, 10))
    services.case_transition(case=case, to_stage=CaseStage.ASSESSED, by=worker, reason="Second round.")
    assert case.stage == CaseStage.ASSESSED


def test_consented_needs_a_valid_repatriation_consent(agency, worker) -> None:
    case = CaseFactory(person=PersonFactory(owner_agency=agency), stage=CaseStage.ASSESSED)
    ConsentFactory(case=case, scopes=[ConsentScope.SERVICES, ConsentScope.SHARING])
    with pytest.raises(ValidationError) as refused:
        services.case_transition(case=case, to_stage=CaseStage.CONSENTED, by=worker, reason="Mother agreed.")
    assert _codes(refused.value) == {"to_stage": [CaseErrorCode.CONSENT_REQUIRED]}
    consent = ConsentFactory(case=case, scopes=[ConsentScope.REPATRIATION])
    services.consent_withdraw(
        consent=consent, by=worker, withdrawn_on=datetime.date(2019, 3, 5), reason="Changed mind."
    )
    with pytest.raises(ValidationError):
        services.case_transition(case=case, to_stage=CaseStage.CONSENTED, by=worker, reason="Mother agreed.")
    ConsentFactory(case=case, scopes=[ConsentScope.REPATRIATION])
    services.case_transition(case=case, to_stage=CaseStage.CONSENTED, by=worker, reason="Mother agreed.")
    assert case.stage == CaseStage.CONSENTED


def test_withdrawn_consent_blocks_approval_and_scheduling(agency, worker, manager) -> None:
    case = CaseFactory(person=PersonFactory(owner_agency=agency), stage=CaseStage.CONSENTED)
    consent = ConsentFactory(case=case)
    services.consent_withdraw(consent=consent, by=worker, withdrawn_on=datetime.date(2019, 3, 5), reason="Refused.")
    with pytest.raises(ValidationError) as refused:
        services.approval_request(case=case, to_stage=CaseStage.APPROVED, by=worker, reason="Ready.")
    assert _codes(refused.value) == {"to_stage": [CaseErrorCode.CONSENT_REQUIRED]}


# --- approvals ---------------------------------------------------------------------------------------


def test_approval_by_another_manager_makes_the_move(agency, worker, manager) -> None:
    case = case_ready_for_anything(person=PersonFactory(owner_agency=agency), stage=CaseStage.CONSENTED)
    request = services.approval_request(
        case=case, to_stage=CaseStage.APPROVED, by=worker, reason="Assessed eligible; mother consented."
    )
    case.refresh_from_db()
    assert case.stage == CaseStage.CONSENTED
    assert request.status == ApprovalStatus.PENDING
    assert [e.actor for e in _audit(AuditAction.CREATE, request)] == [worker]

    decided = services.approval_decide(request=request, by=manager, approve=True, note="Agreed.")
    assert decided.status == ApprovalStatus.APPROVED
    assert decided.decided_by == manager
    case.refresh_from_db()
    assert case.stage == CaseStage.APPROVED
    transition = case.transitions.get()
    assert transition.approval == decided
    assert transition.by == manager
    assert transition.reason == "Assessed eligible; mother consented."
    [approve_entry] = _audit(AuditAction.APPROVE, request)
    assert approve_entry.detail["decision"] == "approved"
    assert _audit(AuditAction.TRANSITION, case)


def test_approval_by_the_requester_is_refused(agency, manager) -> None:
    case = case_ready_for_anything(person=PersonFactory(owner_agency=agency), stage=CaseStage.CONSENTED)
    request = services.approval_request(case=case, to_stage=CaseStage.APPROVED, by=manager, reason="Ready.")
    with pytest.raises(ValidationError) as refused:
        services.approval_decide(request=request, by=manager, approve=True, note="")
    assert error_code_of(refused.value) == CaseErrorCode.APPROVAL_SAME_USER
    assert "another manager" in refused.value.messages[0]
    request.refresh_from_db()
    case.refresh_from_db()
    assert (request.status, case.stage) == (ApprovalStatus.PENDING, CaseStage.CONSENTED)


def test_the_database_refuses_a_self_approved_request(agency, manager) -> None:
    case = case_ready_for_anything(person=PersonFactory(owner_agency=agency), stage=CaseStage.CONSENTED)
    request = services.approval_request(case=case, to_stage=CaseStage.APPROVED, by=manager, reason="Ready.")
    with pytest.raises(IntegrityError), transaction.atomic():
        ApprovalRequest.objects.filter(pk=request.pk).update(
            status=ApprovalStatus.APPROVED, decided_by=manager, decided_at=timezone.now()
        )


@pytest.mark.parametrize("role", [Role.CASE_WORKER, Role.CONSULAR_OFFICER, Role.HEALTH_WORKER, Role.AUDITOR])
def test_approval_by_a_non_manager_is_refused(role, agency, worker) -> None:
    case = case_ready_for_anything(person=PersonFactory(owner_agency=agency), stage=CaseStage.CONSENTED)
    request = services.approval_request(case=case, to_stage=CaseStage.APPROVED, by=worker, reason="Ready.")
    other = user_with_role(role, agency, username=f"other-{role}")
    with pytest.raises(PermissionDenied):
        services.approval_decide(request=request, by=other, approve=True, note="")
    case.refresh_from_db()
    assert case.stage == CaseStage.CONSENTED


def test_a_manager_of_another_agency_cannot_approve(agency, other_agency, worker) -> None:
    case = case_ready_for_anything(person=PersonFactory(owner_agency=agency), stage=CaseStage.CONSENTED)
    request = services.approval_request(case=case, to_stage=CaseStage.APPROVED, by=worker, reason="Ready.")
    outsider = user_with_role(Role.MANAGER, other_agency, username="outsider")
    with pytest.raises(PermissionDenied):
        services.approval_decide(request=request, by=outsider, approve=True, note="")


def test_rejection_needs_a_note_and_leaves_the_case(agency, worker, manager) -> None:
    case = case_ready_for_anything(person=PersonFactory(owner_agency=agency), stage=CaseStage.REINTEGRATING)
    request = services.approval_request(case=case, to_stage=CaseStage.CLOSED, by=worker, reason="Settled.")
    with pytest.raises(ValidationError) as refused:
        services.approval_decide(request=request, by=manager, approve=False, note=" ")
    assert _codes(refused.value) == {"note": [CaseErrorCode.REASON_REQUIRED]}
    services.approval_decide(request=request, by=manager, approve=False, note="Follow-up visits not done yet.")
    request.refresh_from_db()
    case.refresh_from_db()
    assert request.status == ApprovalStatus.REJECTED
    assert case.stage == CaseStage.REINTEGRATING
    assert _audit(AuditAction.APPROVE, request)[0].detail["decision"] == "rejected"


def test_a_decided_request_cannot_be_decided_again(agency, worker, manager, manager2) -> None:
    case = case_ready_for_anything(person=PersonFactory(owner_agency=agency), stage=CaseStage.CONSENTED)
    request = services.approval_request(case=case, to_stage=CaseStage.APPROVED, by=worker, reason="Ready.")
    services.approval_decide(request=request, by=manager, approve=True, note="")
    with pytest.raises(ValidationError) as refused:
        services.approval_decide(request=request, by=manager2, approve=True, note="")
    assert error_code_of(refused.value) == CaseErrorCode.APPROVAL_DECIDED


def test_one_pending_request_per_case(agency, worker) -> None:
    case = case_ready_for_anything(person=PersonFactory(owner_agency=agency), stage=CaseStage.CONSENTED)
    services.approval_request(case=case, to_stage=CaseStage.APPROVED, by=worker, reason="Ready.")
    with pytest.raises(ValidationError) as refused:
        services.approval_request(case=case, to_stage=CaseStage.APPROVED, by=worker, reason="Again.")
    assert error_code_of(refused.value) == CaseErrorCode.APPROVAL_PENDING


def test_a_move_needing_no_approval_cannot_be_requested(agency, worker) -> None:
    case = CaseFactory(person=PersonFactory(owner_agency=agency))
    with pytest.raises(ValidationError) as refused:
        services.approval_request(case=case, to_stage=CaseStage.VERIFIED, by=worker, reason="Checked.")
    assert error_code_of(refused.value) == CaseErrorCode.APPROVAL_NOT_NEEDED


def test_another_move_supersedes_a_pending_request_and_approval_is_then_impossible(agency, worker, manager) -> None:
    case = case_ready_for_anything(person=PersonFactory(owner_agency=agency), stage=CaseStage.CONSENTED)
    request = services.approval_request(case=case, to_stage=CaseStage.APPROVED, by=worker, reason="Ready.")
    services.case_transition(case=case, to_stage=CaseStage.ON_HOLD, by=worker, reason="Talks paused.")
    request.refresh_from_db()
    assert request.status == ApprovalStatus.SUPERSEDED
    with pytest.raises(ValidationError) as refused:
        services.approval_decide(request=request, by=manager, approve=True, note="")
    assert error_code_of(refused.value) == CaseErrorCode.APPROVAL_DECIDED


def test_an_approval_cannot_be_reused_or_borrowed(agency, worker, manager) -> None:
    case = case_ready_for_anything(person=PersonFactory(owner_agency=agency), stage=CaseStage.CONSENTED)
    request = services.approval_request(case=case, to_stage=CaseStage.APPROVED, by=worker, reason="Ready.")
    services.approval_decide(request=request, by=manager, approve=True, note="")
    other = case_ready_for_anything(person=PersonFactory(owner_agency=agency), stage=CaseStage.CONSENTED)
    with pytest.raises(ValidationError) as refused:
        services.case_transition(case=other, to_stage=CaseStage.APPROVED, by=worker, reason="Same.", approval=request)
    assert error_code_of(refused.value) == CaseErrorCode.APPROVAL_INVALID


def test_operations_move_scheduled_to_returned_with_their_own_user(agency) -> None:
    consul = user_with_role(Role.CONSULAR_OFFICER, agency, username="consul")
    case = case_ready_for_anything(person=PersonFactory(owner_agency=agency), stage=CaseStage.SCHEDULED)
    transition = services.case_transition(
        case=case, to_stage=CaseStage.RETURNED, by=consul, reason="Arrived in Dushanbe on 2019-04-30."
    )
    assert transition.by == consul
    assert case.stage == CaseStage.RETURNED


# --- cases ----------------------------------------------------------------------------------------


def test_case_open_writes_the_case_and_its_audit_entry(agency, worker, person) -> None:
    case = services.case_open(person=person, owner_agency=agency, by=worker, assigned_to=worker, summary=" Notes ")
    assert (case.stage, case.assigned_to, case.summary, case.opened_by) == (
        CaseStage.IDENTIFIED,
        worker,
        "Notes",
        worker,
    )
    [entry] = _audit(AuditAction.CREATE, case)
    assert entry.detail == {"person": person.pk, "owner_agency": "cpa"}


def test_one_open_case_per_person(agency, worker, manager, person) -> None:
    case = services.case_open(person=person, owner_agency=agency, by=worker)
    with pytest.raises(ValidationError) as refused:
        services.case_open(person=person, owner_agency=agency, by=worker)
    assert _codes(refused.value) == {"person": [CaseErrorCode.OPEN_CASE_EXISTS]}
    with pytest.raises(IntegrityError), transaction.atomic():
        Case.objects.create(person=person, owner_agency=agency)
    Case.objects.filter(pk=case.pk).update(stage=CaseStage.CLOSED, closed_at=timezone.now())
    again = services.case_open(person=person, owner_agency=agency, by=worker)
    assert again.pk != case.pk


def test_the_assigned_worker_must_work_in_the_owner_agency(agency, other_agency, worker, person) -> None:
    outsider = user_with_role(Role.CASE_WORKER, other_agency, username="outsider")
    auditor = user_with_role(Role.AUDITOR, agency, username="auditor-cpa")
    for wrong in (outsider, auditor):
        with pytest.raises(ValidationError) as refused:
            services.case_open(person=person, owner_agency=agency, by=worker, assigned_to=wrong)
        assert _codes(refused.value) == {"assigned_to": [CaseErrorCode.ASSIGNEE_NOT_MEMBER]}
    case = services.case_open(person=person, owner_agency=agency, by=worker)
    with pytest.raises(ValidationError):
        services.case_update(case=case, by=worker, assigned_to=outsider, priority="normal", summary="")


def test_case_update_audits_only_what_changed(agency, worker, manager, person) -> None:
    case = services.case_open(person=person, owner_agency=agency, by=worker)
    services.case_update(case=case, by=manager, assigned_to=worker, priority="urgent", summary="")
    [entry] = _audit(AuditAction.CHANGE, case)
    assert sorted(entry.changed_fields) == ["assigned_to", "priority"]
    services.case_update(case=case, by=manager, assigned_to=worker, priority="urgent", summary="")
    assert len(_audit(AuditAction.CHANGE, case)) == 1


# --- assessments -----------------------------------------------------------------------------------


def test_assessment_record(agency, worker, person) -> None:
    case = services.case_open(person=person, owner_agency=agency, by=worker)
    assessment = services.assessment_record(
        case=case,
        by=worker,
        kind="best_interests",
        assessed_on=datetime.date(2019, 2, 12),
        outcome="eligible",
        reasons="Healthy; grandmother in Vahdat will take her in.",
        assessor=worker,
        round_label="February 2019",
    )
    assert assessment.assessor_name == str(worker)
    [entry] = _audit(AuditAction.CREATE, assessment)
    assert entry.detail["outcome"] == "eligible"


def test_assessment_validation_names_the_field(agency, worker, person) -> None:
    case = services.case_open(person=person, owner_agency=agency, by=worker)
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    with pytest.raises(ValidationError) as refused:
        services.assessment_record(
            case=case,
            by=worker,
            kind="eligibility",
            assessed_on=tomorrow,
            outcome="eligible",
            reasons="x",
            assessor=worker,
        )
    assert _codes(refused.value) == {"assessed_on": [CaseErrorCode.DATE_IN_FUTURE]}
    with pytest.raises(ValidationError) as refused:
        services.assessment_record(
            case=case,
            by=worker,
            kind="eligibility",
            assessed_on=datetime.date(2019, 2, 1),
            outcome="eligible",
            reasons="x",
        )
    assert list(refused.value.message_dict) == ["assessor_name"]
    with pytest.raises(ValidationError) as refused:
        services.assessment_record(
            case=case,
            by=worker,
            kind="eligibility",
            assessed_on=datetime.date(2019, 2, 1),
            outcome="eligible",
            reasons="  ",
            assessor_name="Dr. N.",
        )
    assert list(refused.value.message_dict) == ["reasons"]


# --- consent -----------------------------------------------------------------------------------------


def test_consent_record_with_document(agency, worker, person, media_root) -> None:
    mother = PersonFactory(owner_agency=agency, display_name="Mavluda Rahimova")
    case = services.case_open(person=person, owner_agency=agency, by=worker)
    consent = services.consent_record(
        case=case,
        by=worker,
        given_by_relation=ConsentGiver.MOTHER,
        given_by_person=mother,
        scopes=[ConsentScope.REPATRIATION, ConsentScope.SERVICES],
        given_on=datetime.date(2019, 3, 2),
        witness_name="Consul A.",
        interpreter_name="B. K.",
        language="Tajik",
        document=SimpleUploadedFile("../../etc/scan.pdf", PDF_BYTES, content_type="text/plain"),
    )
    assert consent.given_by_name == "Mavluda Rahimova"
    assert consent.scopes == ["repatriation", "services"]
    assert consent.document_content_type == "application/pdf"
    assert consent.document_name == "scan.pdf"
    assert consent.document.name.startswith(f"consents/{case.pk}/")
    assert consent.document.name.endswith(".pdf")
    assert (media_root / consent.document.name).read_bytes() == PDF_BYTES
    assert len(consent.document_sha256) == 64
    [entry] = _audit(AuditAction.CREATE, consent)
    assert entry.detail["scopes"] == ["repatriation", "services"]


@pytest.mark.parametrize(("content", "ext"), [(PNG_BYTES, "png"), (JPEG_BYTES, "jpg")])
def test_images_are_accepted_by_their_bytes(content, ext, agency, worker, person) -> None:
    case = services.case_open(person=person, owner_agency=agency, by=worker)
    consent = services.consent_record(
        case=case,
        by=worker,
        given_by_relation="self",
        scopes=["repatriation"],
        given_on=datetime.date(2019, 3, 2),
        document=SimpleUploadedFile("photo.pdf", content),
    )
    assert consent.document.name.endswith(f".{ext}")
    assert consent.given_by_name == person.display_name


def test_a_document_that_is_not_pdf_jpeg_png_is_refused(agency, worker, person, media_root) -> None:
    case = services.case_open(person=person, owner_agency=agency, by=worker)
    fake = SimpleUploadedFile("consent.pdf", b"<html><script>alert(1)</script></html>", content_type="application/pdf")
    with pytest.raises(ValidationError) as refused:
        services.consent_record(
            case=case,
            by=worker,
            given_by_relation="self",
            scopes=["repatriation"],
            given_on=datetime.date(2019, 3, 2),
            document=fake,
        )
    assert _codes(refused.value) == {"document": [CaseErrorCode.DOCUMENT_INVALID]}
    assert not Consent.objects.exists()
    assert not list(media_root.rglob("*.*")) if media_root.exists() else True


def test_a_document_over_the_size_limit_is_refused(settings, agency, worker, person) -> None:
    settings.HOMECOMING_DOCUMENT_MAX_BYTES = 50
    case = services.case_open(person=person, owner_agency=agency, by=worker)
    big = SimpleUploadedFile("scan.pdf", PDF_BYTES + b"0" * 100)
    with pytest.raises(ValidationError) as refused:
        services.consent_record(
            case=case,
            by=worker,
            given_by_relation="self",
            scopes=["repatriation"],
            given_on=datetime.date(2019, 3, 2),
            document=big,
        )
    assert _codes(refused.value) == {"document": [CaseErrorCode.DOCUMENT_TOO_LARGE]}
    assert "50" in refused.value.message_dict["document"][0]


def test_consent_validation_names_the_field(agency, worker, person) -> None:
    case = services.case_open(person=person, owner_agency=agency, by=worker)
    base = {"case": case, "by": worker, "given_on": datetime.date(2019, 3, 2)}
    with pytest.raises(ValidationError) as refused:
        services.consent_record(**base, given_by_relation="mother", scopes=[])
    assert list(refused.value.message_dict) == ["scopes"]
    with pytest.raises(ValidationError) as refused:
        services.consent_record(**base, given_by_relation="mother", scopes=["repatriation"])
    assert list(refused.value.message_dict) == ["given_by_name"]
    with pytest.raises(ValidationError) as refused:
        services.consent_record(**base, given_by_relation="mother", given_by_person=person, scopes=["repatriation"])
    assert list(refused.value.message_dict) == ["given_by_person"]


def test_consent_withdrawal(agency, worker, person) -> None:
    case = services.case_open(person=person, owner_agency=agency, by=worker)
    consent = ConsentFactory(case=case, given_on=datetime.date(2019, 3, 1))
    with pytest.raises(ValidationError) as refused:
        services.consent_withdraw(consent=consent, by=worker, withdrawn_on=datetime.date(2019, 4, 1), reason="")
    assert list(refused.value.message_dict) == ["reason"]
    with pytest.raises(ValidationError) as refused:
        services.consent_withdraw(consent=consent, by=worker, withdrawn_on=datetime.date(2019, 2, 1), reason="No.")
    assert list(refused.value.message_dict) == ["withdrawn_on"]
    services.consent_withdraw(
        consent=consent, by=worker, withdrawn_on=datetime.date(2019, 4, 1), reason="Mother refused."
    )
    consent.refresh_from_db()
    assert consent.is_withdrawn
    assert consent.withdrawn_by == worker
    assert not Consent.objects.valid().filter(pk=consent.pk).exists()
    assert _audit(AuditAction.CHANGE, consent)[0].changed_fields == [
        "withdrawn_on",
        "withdrawal_reason",
        "withdrawn_by",
        "withdrawn_at",
    ]
    with pytest.raises(ValidationError) as refused:
        services.consent_withdraw(consent=consent, by=worker, withdrawn_on=datetime.date(2019, 4, 2), reason="Again.")
    assert error_code_of(refused.value) == CaseErrorCode.CONSENT_WITHDRAWN


def test_nothing_is_recorded_on_a_closed_case(agency, worker) -> None:
    case = case_ready_for_anything(person=PersonFactory(owner_agency=agency), stage=CaseStage.CLOSED)
    with pytest.raises(ValidationError):
        services.assessment_record(
            case=case,
            by=worker,
            kind="eligibility",
            assessed_on=datetime.date(2019, 2, 1),
            outcome="eligible",
            reasons="x",
            assessor=worker,
        )


def test_approval_fails_and_stays_pending_when_consent_was_withdrawn_meanwhile(agency, worker, manager) -> None:
    case = case_ready_for_anything(person=PersonFactory(owner_agency=agency), stage=CaseStage.CONSENTED)
    request = services.approval_request(case=case, to_stage=CaseStage.APPROVED, by=worker, reason="Ready.")
    services.consent_withdraw(
        consent=case.consents.get(), by=worker, withdrawn_on=datetime.date(2019, 4, 1), reason="Mother refused."
    )
    with pytest.raises(ValidationError) as refused:
        services.approval_decide(request=request, by=manager, approve=True, note="")
    assert error_code_of(refused.value) == CaseErrorCode.CONSENT_REQUIRED
    request.refresh_from_db()
    case.refresh_from_db()
    assert request.status == ApprovalStatus.PENDING
    assert case.stage == CaseStage.CONSENTED
    assert not _audit(AuditAction.APPROVE, request)
