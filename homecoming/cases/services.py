"""Every write of the cases app: opening and changing cases, stage moves and approvals,
assessments and consent. Each service validates, calls ``full_clean()``, saves, and writes its
audit entry in the same transaction.

Access is the caller's business (views call ``core.access`` first), with one exception the
contract demands: ``approval_decide`` itself checks that the decider may approve the case.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from homecoming.accounts.choices import Role
from homecoming.accounts.models import Agency, Membership, User
from homecoming.audit.models import AuditAction
from homecoming.audit.services import AuditEvent, audit_record
from homecoming.cases.choices import (
    ApprovalStatus,
    AssessmentKind,
    AssessmentOutcome,
    CasePriority,
    CaseStage,
    ConsentGiver,
    ConsentScope,
    needs_approval,
)
from homecoming.cases.documents import document_check
from homecoming.cases.error_codes import CaseErrorCode
from homecoming.cases.models import (
    ApprovalRequest,
    Assessment,
    Case,
    CaseTransition,
    Consent,
    ConsentScopeEntry,
)
from homecoming.cases.rules import move_refusal, to_stage_or_error
from homecoming.core.access import ROLE_PERMISSIONS, Perm, cases_visible_to
from homecoming.core.bulk import bulk_copy
from homecoming.registry.models import Person

__all__ = [
    "approval_decide",
    "approval_request",
    "assessment_record",
    "case_open",
    "case_transition",
    "case_update",
    "cases_bulk_open",
    "consent_record",
    "consent_withdraw",
]


def _invalid(field: str, message: Any, code: CaseErrorCode, **params: Any) -> ValidationError:
    return ValidationError({field: ValidationError(message, code=code, params=params or None)})


def _reason_or_error(reason: str, field: str = "reason") -> str:
    reason = (reason or "").strip()
    if not reason:
        raise _invalid(field, _("Give the reason for this move."), CaseErrorCode.REASON_REQUIRED)
    return reason


def _not_in_future(value: date, field: str) -> None:
    if value > timezone.localdate():
        raise _invalid(field, _("The date cannot be in the future."), CaseErrorCode.DATE_IN_FUTURE)


def _check_open(case: Case) -> None:
    if case.stage == CaseStage.CLOSED:
        raise _invalid(
            NON_FIELD_ERRORS, _("This case is closed; nothing more can be recorded on it."), CaseErrorCode.INVALID
        )


def _check_assignee(assigned_to: User | None, owner_agency: Agency) -> None:
    """The assigned worker must hold a case-working role in the owner agency."""
    if assigned_to is None:
        return
    roles = Membership.objects.filter(
        user=assigned_to, agency=owner_agency, agency__is_active=True, user__is_active=True
    ).values_list("role", flat=True)
    if not any(Perm.CASE_VIEW in ROLE_PERMISSIONS[Role(role)] for role in roles):
        raise _invalid(
            "assigned_to",
            _("%(user)s does not work on cases in %(agency)s; choose someone from the owner agency."),
            CaseErrorCode.ASSIGNEE_NOT_MEMBER,
            user=str(assigned_to),
            agency=str(owner_agency),
        )


# --- cases -------------------------------------------------------------------------


@transaction.atomic
def case_open(
    *,
    person: Person,
    owner_agency: Agency,
    by: User,
    assigned_to: User | None = None,
    priority: CasePriority | str = CasePriority.NORMAL,
    summary: str = "",
) -> Case:
    """Open a case (stage "identified") for a person who has no open case."""
    if not owner_agency.is_active:
        raise _invalid("owner_agency", _("This agency is no longer active."), CaseErrorCode.AGENCY_NOT_ALLOWED)
    if Case.objects.filter(person=person).exclude(stage=CaseStage.CLOSED).exists():
        raise _invalid(
            "person",
            _("%(person)s already has an open case; work on that one or close it first."),
            CaseErrorCode.OPEN_CASE_EXISTS,
            person=person.display_name,
        )
    _check_assignee(assigned_to, owner_agency)
    case = Case(
        person=person,
        owner_agency=owner_agency,
        assigned_to=assigned_to,
        priority=priority,
        summary=summary.strip(),
        stage=CaseStage.IDENTIFIED,
        opened_by=by,
    )
    case.full_clean()
    case.save()
    audit_record(
        actor=by,
        action=AuditAction.CREATE,
        obj=case,
        changed_fields=["person", "owner_agency", "assigned_to", "priority", "summary", "stage"],
        detail={"person": person.pk, "owner_agency": owner_agency.code},
    )
    return case


def cases_bulk_open(
    *,
    persons: Sequence[Person],
    owner_agency: Agency,
    by: User,
    priority: CasePriority | str = CasePriority.NORMAL,
    summary: str = "",
) -> tuple[list[Case], list[AuditEvent]]:
    """Open a case (stage "identified", no assigned worker) for each of many persons at once, with the
    checks and records of ``case_open``: whether any of them has an open case is asked once per chunk
    of persons (a person given twice is refused the same way); each case is validated in memory and
    written with ``core.bulk.bulk_copy``. Returns the cases and their audit events (what ``case_open``
    records), for the caller to append with ``audit_append_many`` in its transaction."""
    if not owner_agency.is_active:
        raise _invalid("owner_agency", _("This agency is no longer active."), CaseErrorCode.AGENCY_NOT_ALLOWED)
    if not persons:
        return [], []
    ids = sorted({person.pk for person in persons})
    taken: set[int] = set()
    for start in range(0, len(ids), 900):
        taken.update(
            Case.objects.filter(person_id__in=ids[start : start + 900])
            .exclude(stage=CaseStage.CLOSED)
            .values_list("person_id", flat=True)
        )
    cases = []
    for person in persons:
        if person.pk in taken:
            raise _invalid(
                "person",
                _("%(person)s already has an open case; work on that one or close it first."),
                CaseErrorCode.OPEN_CASE_EXISTS,
                person=person.display_name,
            )
        taken.add(person.pk)
        case = Case(
            person=person,
            owner_agency=owner_agency,
            priority=priority,
            summary=summary.strip(),
            stage=CaseStage.IDENTIFIED,
            opened_by=by,
        )
        case.full_clean(
            exclude=["person", "owner_agency", "assigned_to", "opened_by"],
            validate_unique=False,
            validate_constraints=False,
        )
        cases.append(case)
    with transaction.atomic():
        bulk_copy(Case, cases)
    events = [
        AuditEvent(
            action=str(AuditAction.CREATE),
            actor=by,
            object_type="cases.case",
            object_id=str(case.pk),
            changed_fields=["person", "owner_agency", "assigned_to", "priority", "summary", "stage"],
            detail={"person": case.person_id, "owner_agency": owner_agency.code},
        )
        for case in cases
    ]
    return cases, events


@transaction.atomic
def case_update(
    *,
    case: Case,
    by: User,
    assigned_to: User | None,
    priority: CasePriority | str,
    summary: str,
) -> Case:
    """Change a case's assigned worker, priority and summary."""
    case = Case.objects.select_for_update().get(pk=case.pk)
    _check_open(case)
    _check_assignee(assigned_to, case.owner_agency)
    new = {"assigned_to": assigned_to, "priority": str(priority), "summary": summary.strip()}
    changed = [name for name, value in new.items() if getattr(case, name) != value]
    if not changed:
        return case
    for name in changed:
        setattr(case, name, new[name])
    case.full_clean()
    case.save(update_fields=[*changed, "updated_at"])
    detail: dict[str, Any] = {}
    if "assigned_to" in changed:
        detail["assigned_to"] = assigned_to.pk if assigned_to else None
    audit_record(actor=by, action=AuditAction.CHANGE, obj=case, changed_fields=changed, detail=detail)
    return case


def _check_approval(case: Case, to_stage: CaseStage, approval: ApprovalRequest) -> None:
    valid = (
        approval.case_id == case.pk
        and approval.to_stage == to_stage
        and approval.from_stage == case.stage
        and approval.status == ApprovalStatus.APPROVED
        and approval.decided_by_id is not None
        and approval.decided_by_id != approval.requested_by_id
        and not CaseTransition.objects.filter(approval=approval).exists()
    )
    if not valid:
        raise _invalid(
            "to_stage",
            _("The approval given does not cover this move; request a new approval."),
            CaseErrorCode.APPROVAL_INVALID,
        )


@transaction.atomic
def case_transition(
    *,
    case: Case,
    to_stage: CaseStage | str,
    by: User,
    reason: str,
    approval: ApprovalRequest | None = None,
) -> CaseTransition:
    """Move ``case`` to ``to_stage`` if ``ALLOWED_TRANSITIONS`` and the stage rules allow it.

    Raises ValidationError keyed "to_stage" (move not allowed, approval needed, assessment or
    consent missing) or "reason" (no reason given). Writes the history row and the audit entry.
    Moves that need approval are made by ``approval_decide``, which passes the approved request.
    """
    to = to_stage_or_error(to_stage)
    reason = _reason_or_error(reason)
    locked = Case.objects.select_for_update().get(pk=case.pk)
    from_stage = CaseStage(locked.stage)
    refusal = move_refusal(locked, to)
    if refusal is not None:
        raise refusal
    if approval is not None:
        _check_approval(locked, to, approval)
    elif needs_approval(from_stage, to):
        raise _invalid(
            "to_stage",
            _("Moving a case to “%(to)s” needs a manager's approval: request it, and a manager makes the move."),
            CaseErrorCode.APPROVAL_REQUIRED,
            to=str(to.label),
        )
    now = timezone.now()
    transition = CaseTransition(
        case=locked, from_stage=from_stage, to_stage=to, by=by, at=now, reason=reason, approval=approval
    )
    transition.full_clean()
    transition.save()
    changed = ["stage"]
    locked.stage = to
    if to == CaseStage.ON_HOLD:
        locked.held_from_stage = from_stage
        changed.append("held_from_stage")
    elif from_stage == CaseStage.ON_HOLD:
        locked.held_from_stage = ""
        changed.append("held_from_stage")
    if to == CaseStage.CLOSED:
        locked.closed_at = now
        changed.append("closed_at")
    locked.full_clean()
    locked.save(update_fields=[*changed, "updated_at"])
    superseded = list(
        ApprovalRequest.objects.filter(case=locked, status=ApprovalStatus.PENDING).values_list("pk", flat=True)
    )
    if superseded:
        ApprovalRequest.objects.filter(pk__in=superseded).update(status=ApprovalStatus.SUPERSEDED, decided_at=now)
    audit_record(
        actor=by,
        action=AuditAction.TRANSITION,
        obj=locked,
        changed_fields=changed,
        detail={
            "from": str(from_stage),
            "to": str(to),
            "transition": transition.pk,
            "approval": approval.pk if approval else None,
            "superseded_requests": superseded,
        },
    )
    # The caller's instance follows the move.
    for name in (*changed, "updated_at"):
        setattr(case, name, getattr(locked, name))
    return transition


# --- approvals ----------------------------------------------------------------------------


@transaction.atomic
def approval_request(*, case: Case, to_stage: CaseStage | str, by: User, reason: str) -> ApprovalRequest:
    """Ask a manager to approve moving ``case`` to ``to_stage`` (approved, closed)."""
    to = to_stage_or_error(to_stage)
    reason = _reason_or_error(reason)
    locked = Case.objects.select_for_update().get(pk=case.pk)
    refusal = move_refusal(locked, to)
    if refusal is not None:
        raise refusal
    if not needs_approval(locked.stage, to):
        raise _invalid(
            "to_stage",
            _("Moving to “%(to)s” from here needs no approval; make the move directly."),
            CaseErrorCode.APPROVAL_NOT_NEEDED,
            to=str(to.label),
        )
    if ApprovalRequest.objects.filter(case=locked, status=ApprovalStatus.PENDING).exists():
        raise _invalid(
            "to_stage",
            _("This case already has a request waiting for a manager's decision."),
            CaseErrorCode.APPROVAL_PENDING,
        )
    request = ApprovalRequest(case=locked, from_stage=locked.stage, to_stage=to, reason=reason, requested_by=by)
    request.full_clean()
    request.save()
    audit_record(
        actor=by,
        action=AuditAction.CREATE,
        obj=request,
        changed_fields=["status"],
        detail={"case": locked.pk, "from": locked.stage, "to": str(to)},
    )
    return request


@transaction.atomic
def approval_decide(*, request: ApprovalRequest, by: User, approve: bool, note: str) -> ApprovalRequest:
    """Approve (and so make the move) or reject a pending request. ``by`` must hold
    ``Perm.CASE_APPROVE`` on the case and must not be the user who made the request."""
    locked = ApprovalRequest.objects.select_for_update().get(pk=request.pk)
    if not cases_visible_to(by, Perm.CASE_APPROVE).filter(pk=locked.case_id).exists():
        raise PermissionDenied(_("You may not approve moves of this case."))
    if locked.status != ApprovalStatus.PENDING:
        raise _invalid(
            NON_FIELD_ERRORS,
            _("This request was already %(status)s."),
            CaseErrorCode.APPROVAL_DECIDED,
            status=str(locked.get_status_display()),
        )
    if locked.requested_by_id == by.pk:
        raise _invalid(
            NON_FIELD_ERRORS,
            _("You made this request; another manager must decide it."),
            CaseErrorCode.APPROVAL_SAME_USER,
        )
    note = (note or "").strip()
    case = Case.objects.select_for_update().get(pk=locked.case_id)
    if approve and case.stage != locked.from_stage:
        raise _invalid(
            NON_FIELD_ERRORS,
            _("The case has moved to “%(stage)s” since this request was made; reject it and ask for a new one."),
            CaseErrorCode.APPROVAL_STALE,
            stage=str(case.get_stage_display()),
        )
    if not approve and not note:
        raise _invalid("note", _("Say why the request is rejected."), CaseErrorCode.REASON_REQUIRED)
    locked.status = ApprovalStatus.APPROVED if approve else ApprovalStatus.REJECTED
    locked.decided_by = by
    locked.decided_at = timezone.now()
    locked.decision_note = note
    locked.full_clean()
    locked.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    audit_record(
        actor=by,
        action=AuditAction.APPROVE,
        obj=locked,
        changed_fields=["status", "decided_by", "decided_at", "decision_note"],
        detail={"case": case.pk, "decision": str(locked.status), "to": locked.to_stage},
    )
    if approve:
        case_transition(case=case, to_stage=locked.to_stage, by=by, reason=locked.reason, approval=locked)
    for name in ("status", "decided_by", "decided_at", "decision_note"):
        setattr(request, name, getattr(locked, name))
    return locked


# --- assessments -----------------------------------------------------------------------------


@transaction.atomic
def assessment_record(
    *,
    case: Case,
    by: User,
    kind: AssessmentKind | str,
    assessed_on: date,
    outcome: AssessmentOutcome | str,
    reasons: str,
    assessor: User | None = None,
    assessor_name: str = "",
    assessor_role: str = "",
    recommendations: str = "",
    round_label: str = "",
) -> Assessment:
    """Record an eligibility or best-interests assessment of the case's person."""
    _check_open(case)
    _not_in_future(assessed_on, "assessed_on")
    assessor_name = assessor_name.strip() or (str(assessor) if assessor is not None else "")
    if not assessor_name:
        raise _invalid("assessor_name", _("Name who made the assessment."), CaseErrorCode.INVALID)
    assessment = Assessment(
        case=case,
        kind=kind,
        assessed_on=assessed_on,
        outcome=outcome,
        reasons=reasons.strip(),
        recommendations=recommendations.strip(),
        round_label=round_label.strip(),
        assessor=assessor,
        assessor_name=assessor_name,
        assessor_role=assessor_role.strip(),
        recorded_by=by,
    )
    assessment.full_clean()
    assessment.save()
    audit_record(
        actor=by,
        action=AuditAction.CREATE,
        obj=assessment,
        changed_fields=["kind", "assessed_on", "outcome", "reasons", "recommendations"],
        detail={"case": case.pk, "kind": str(kind), "outcome": str(outcome)},
    )
    return assessment


# --- consent ----------------------------------------------------------------------------------


def _safe_name(name: str) -> str:
    base = os.path.basename(name or "").replace("\x00", "").strip()
    return base[-200:] or "document"


@transaction.atomic
def consent_record(
    *,
    case: Case,
    by: User,
    given_by_relation: ConsentGiver | str,
    scopes: Iterable[ConsentScope | str],
    given_on: date,
    given_by_name: str = "",
    given_by_person: Person | None = None,
    witness_name: str = "",
    interpreter_name: str = "",
    language: str = "",
    document: UploadedFile | None = None,
) -> Consent:
    """Record a consent given on behalf of the case's person, with its signed document."""
    _check_open(case)
    scope_values = sorted({str(s) for s in scopes})
    if not scope_values:
        raise _invalid("scopes", _("Tick at least one thing the consent covers."), CaseErrorCode.INVALID)
    unknown = [s for s in scope_values if s not in ConsentScope.values]
    if unknown:
        raise _invalid("scopes", _("Unknown scope: %(scope)s."), CaseErrorCode.INVALID, scope=", ".join(unknown))
    _not_in_future(given_on, "given_on")
    if given_by_relation == ConsentGiver.SELF:
        if given_by_person is not None and given_by_person.pk != case.person_id:
            raise _invalid(
                "given_by_person",
                _("When the person consents themself, leave the registry person empty or choose them."),
                CaseErrorCode.INVALID,
            )
        given_by_name = given_by_name.strip() or case.person.display_name
    else:
        if given_by_person is not None and given_by_person.pk == case.person_id:
            raise _invalid(
                "given_by_person",
                _("The case's own person cannot consent as their parent or guardian."),
                CaseErrorCode.INVALID,
            )
        given_by_name = given_by_name.strip() or (given_by_person.display_name if given_by_person else "")
    if not given_by_name:
        raise _invalid("given_by_name", _("Name who gave the consent."), CaseErrorCode.INVALID)
    consent = Consent(
        case=case,
        given_by_relation=given_by_relation,
        given_by_name=given_by_name,
        given_by_person=given_by_person,
        given_on=given_on,
        witness_name=witness_name.strip(),
        interpreter_name=interpreter_name.strip(),
        language=language.strip(),
        recorded_by=by,
    )
    checked = document_check(document) if document is not None else None
    consent.full_clean(exclude=["document"])
    stored = False
    try:
        if document is not None and checked is not None:
            consent.document_name = _safe_name(document.name or "")
            consent.document_content_type = checked.content_type
            consent.document_size = checked.size
            consent.document_sha256 = checked.sha256
            consent.document.save(f"{uuid.uuid4().hex}.{checked.extension}", document, save=False)
            stored = True
        consent.save()
        ConsentScopeEntry.objects.bulk_create([ConsentScopeEntry(consent=consent, scope=s) for s in scope_values])
        audit_record(
            actor=by,
            action=AuditAction.CREATE,
            obj=consent,
            changed_fields=["given_by_relation", "given_on", "scopes", *(["document"] if stored else [])],
            detail={"case": case.pk, "scopes": scope_values, "document_sha256": consent.document_sha256},
        )
    except BaseException:
        if stored:
            consent.document.delete(save=False)
        raise
    return consent


@transaction.atomic
def consent_withdraw(*, consent: Consent, by: User, withdrawn_on: date, reason: str) -> Consent:
    """Record that a consent was withdrawn; it no longer counts from then on."""
    locked = Consent.objects.select_for_update().get(pk=consent.pk)
    if locked.withdrawn_on is not None:
        raise _invalid(NON_FIELD_ERRORS, _("This consent was already withdrawn."), CaseErrorCode.CONSENT_WITHDRAWN)
    reason = (reason or "").strip()
    if not reason:
        raise _invalid("reason", _("Say why the consent was withdrawn."), CaseErrorCode.REASON_REQUIRED)
    _not_in_future(withdrawn_on, "withdrawn_on")
    if withdrawn_on < locked.given_on:
        raise _invalid(
            "withdrawn_on", _("A consent cannot be withdrawn before the date it was given."), CaseErrorCode.INVALID
        )
    locked.withdrawn_on = withdrawn_on
    locked.withdrawal_reason = reason
    locked.withdrawn_by = by
    locked.withdrawn_at = timezone.now()
    locked.full_clean()
    fields = ["withdrawn_on", "withdrawal_reason", "withdrawn_by", "withdrawn_at"]
    locked.save(update_fields=fields)
    audit_record(
        actor=by, action=AuditAction.CHANGE, obj=locked, changed_fields=fields, detail={"case": locked.case_id}
    )
    for name in fields:
        setattr(consent, name, getattr(locked, name))
    return locked
