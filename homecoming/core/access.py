"""The one access policy of Homecoming.

Every read of a person or case goes through the functions here:

* **Permissions by role** — ``ROLE_PERMISSIONS`` says what each role may do at all.
* **Record scope** — a record has an owner agency; a user sees records owned by an agency
  they work in, or shared/referred to it. Roles with ``Scope.ASSIGNED`` see only the
  records they are assigned to; ``Scope.NONE`` roles never see a person.
* **Field groups** — health, psychosocial and legal details need their own permission.

Out of scope answers 404 (``Http404``), never 403, so that existence is not revealed;
a missing permission for an action on an in-scope record answers 403. The read entry
of the audit trail is written here, in the same transaction as the read.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, cast

from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.db.models import Exists, OuterRef, Q
from django.http import Http404

from homecoming.accounts.choices import Role
from homecoming.audit.models import AuditAction
from homecoming.audit.services import audit_record

if TYPE_CHECKING:
    from homecoming.cases.models import Case
    from homecoming.operations.models import Negotiation, Operation
    from homecoming.registry.models import Person
    from homecoming.reintegration.models import FollowUpVisit
    from homecoming.tracing.models import TracingRequest


class Perm(enum.StrEnum):
    PERSON_VIEW = "person.view"
    PERSON_CHANGE = "person.change"
    PERSON_SHARE = "person.share"
    CASE_VIEW = "case.view"
    CASE_CHANGE = "case.change"
    CASE_TRANSITION = "case.transition"
    CASE_APPROVE = "case.approve"
    ASSESSMENT_RECORD = "assessment.record"
    CONSENT_RECORD = "consent.record"
    FACILITY_VIEW = "facility.view"
    FACILITY_CHANGE = "facility.change"
    HEALTH_VIEW = "field.health"
    PSYCHOSOCIAL_VIEW = "field.psychosocial"
    LEGAL_VIEW = "field.legal"
    AUDIT_VIEW = "audit.view"
    FIGURES_EXACT = "figures.exact"
    FIGURES_PUBLIC = "figures.public"
    USERS_MANAGE = "users.manage"
    JOBS_VIEW = "jobs.view"
    INTAKE_RUN = "intake.run"
    EXPORT_PERSONAL = "export.personal"
    # reintegration: services, follow-up visits, the vaccination schedule
    SERVICE_VIEW = "service.view"
    SERVICE_RECORD = "service.record"
    FOLLOWUP_VIEW = "followup.view"
    FOLLOWUP_RECORD = "followup.record"
    FOLLOWUP_PLAN = "followup.plan"
    SCHEDULE_MANAGE = "schedule.manage"
    # operations: negotiations, operations, manifests, fees, handovers; the reported-figures register
    OPERATION_VIEW = "operation.view"
    OPERATION_CHANGE = "operation.change"
    REPORTED_FIGURE_CHANGE = "figures.reported.change"
    # matching: the review of possible duplicates (decide "different people" or merge)
    MATCH_REVIEW = "match.review"
    # tracing requests of relatives at home
    TRACING_VIEW = "tracing.view"
    TRACING_RECORD = "tracing.record"


class Scope(enum.StrEnum):
    AGENCY = "agency"  # every record of the agency and those shared with it
    ASSIGNED = "assigned"  # only records assigned to the user
    NONE = "none"  # never a person's record


P = Perm
_CASEWORK = {P.PERSON_VIEW, P.PERSON_CHANGE, P.CASE_VIEW, P.CASE_CHANGE, P.CASE_TRANSITION, P.FACILITY_VIEW}

ROLE_PERMISSIONS: dict[Role, frozenset[Perm]] = {
    Role.CONSULAR_OFFICER: frozenset(
        _CASEWORK | {P.PERSON_SHARE, P.FACILITY_CHANGE, P.LEGAL_VIEW, P.JOBS_VIEW, P.INTAKE_RUN, P.EXPORT_PERSONAL}
    ),
    Role.CASE_WORKER: frozenset(
        _CASEWORK
        | {
            P.PERSON_SHARE,
            P.ASSESSMENT_RECORD,
            P.CONSENT_RECORD,
            P.LEGAL_VIEW,
            P.JOBS_VIEW,
            P.INTAKE_RUN,
            P.EXPORT_PERSONAL,
        }
    ),
    Role.HEALTH_WORKER: frozenset({P.PERSON_VIEW, P.CASE_VIEW, P.FACILITY_VIEW, P.HEALTH_VIEW}),
    Role.PSYCHOLOGIST: frozenset({P.PERSON_VIEW, P.CASE_VIEW, P.FACILITY_VIEW, P.PSYCHOSOCIAL_VIEW}),
    Role.TEACHER: frozenset({P.PERSON_VIEW, P.CASE_VIEW, P.FACILITY_VIEW}),
    Role.FOCAL_POINT: frozenset({P.PERSON_VIEW, P.CASE_VIEW}),
    Role.MANAGER: frozenset(
        _CASEWORK
        | {
            P.PERSON_SHARE,
            P.CASE_APPROVE,
            P.ASSESSMENT_RECORD,
            P.CONSENT_RECORD,
            P.LEGAL_VIEW,
            P.FIGURES_EXACT,
            P.FIGURES_PUBLIC,
            P.JOBS_VIEW,
            P.INTAKE_RUN,
            P.EXPORT_PERSONAL,
        }
    ),
    Role.AUDITOR: frozenset({P.AUDIT_VIEW}),
    Role.STATISTICIAN: frozenset({P.FIGURES_PUBLIC}),
    Role.ADMINISTRATOR: frozenset({P.USERS_MANAGE, P.FACILITY_VIEW, P.FACILITY_CHANGE, P.JOBS_VIEW}),
}

# Reintegration: who sees and records services (by kind, see reintegration/rules.py), who plans,
# sees and records follow-up visits, who edits the vaccination schedule and follow-up templates.
_REINTEGRATION_PERMISSIONS: dict[Role, set[Perm]] = {
    Role.CASE_WORKER: {P.SERVICE_VIEW, P.SERVICE_RECORD, P.FOLLOWUP_VIEW, P.FOLLOWUP_RECORD, P.FOLLOWUP_PLAN},
    Role.HEALTH_WORKER: {P.SERVICE_VIEW, P.SERVICE_RECORD},
    Role.PSYCHOLOGIST: {P.SERVICE_VIEW, P.SERVICE_RECORD},
    Role.TEACHER: {P.SERVICE_VIEW, P.SERVICE_RECORD},
    Role.FOCAL_POINT: {P.FOLLOWUP_VIEW, P.FOLLOWUP_RECORD},
    Role.MANAGER: {P.SERVICE_VIEW, P.FOLLOWUP_VIEW, P.FOLLOWUP_PLAN},
    Role.ADMINISTRATOR: {P.SCHEDULE_MANAGE},
}
for _role, _perms in _REINTEGRATION_PERMISSIONS.items():
    ROLE_PERMISSIONS[_role] = ROLE_PERMISSIONS[_role] | _perms

# Operations (scoped by the operation's owner and partner agencies, see operations_visible_to below);
# the register of figures quoted by the press is kept by public information and managers.
_OPERATIONS_PERMISSIONS: dict[Role, set[Perm]] = {
    Role.CONSULAR_OFFICER: {P.OPERATION_VIEW, P.OPERATION_CHANGE},
    Role.MANAGER: {P.OPERATION_VIEW, P.OPERATION_CHANGE, P.REPORTED_FIGURE_CHANGE},
    Role.STATISTICIAN: {P.REPORTED_FIGURE_CHANGE},
}
for _role, _perms in _OPERATIONS_PERMISSIONS.items():
    ROLE_PERMISSIONS[_role] = ROLE_PERMISSIONS[_role] | _perms

# Matching: case workers and managers review possible duplicates (merging also needs person.change on both).
for _role in (Role.CASE_WORKER, Role.MANAGER):
    ROLE_PERMISSIONS[_role] = ROLE_PERMISSIONS[_role] | {P.MATCH_REVIEW}

# Tracing: case workers and consular officers take requests from relatives; managers follow them.
_TRACING_PERMISSIONS: dict[Role, set[Perm]] = {
    Role.CASE_WORKER: {P.TRACING_VIEW, P.TRACING_RECORD},
    Role.CONSULAR_OFFICER: {P.TRACING_VIEW, P.TRACING_RECORD},
    Role.MANAGER: {P.TRACING_VIEW},
}
for _role, _perms in _TRACING_PERMISSIONS.items():
    ROLE_PERMISSIONS[_role] = ROLE_PERMISSIONS[_role] | _perms

ROLE_SCOPE: dict[Role, Scope] = {
    Role.CONSULAR_OFFICER: Scope.AGENCY,
    Role.CASE_WORKER: Scope.AGENCY,
    Role.HEALTH_WORKER: Scope.AGENCY,
    Role.PSYCHOLOGIST: Scope.AGENCY,
    Role.TEACHER: Scope.AGENCY,
    Role.FOCAL_POINT: Scope.ASSIGNED,
    Role.MANAGER: Scope.AGENCY,
    Role.AUDITOR: Scope.NONE,
    Role.STATISTICIAN: Scope.NONE,
    Role.ADMINISTRATOR: Scope.NONE,
}


# --- who the user is -------------------------------------------------------------


def _memberships(user: Any) -> list[tuple[int, str, Role]]:
    """(agency id, agency code, role) for an active, signed-in user; cached on the user object."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    cached = getattr(user, "_hc_memberships", None)
    if cached is None:
        cached = [
            (agency_id, code, Role(role))
            for agency_id, code, role in user.memberships.filter(agency__is_active=True).values_list(
                "agency_id", "agency__code", "role"
            )
        ]
        user._hc_memberships = cached
    return cached


def forget_cached_memberships(user: Any) -> None:
    if hasattr(user, "_hc_memberships"):
        del user._hc_memberships


def user_roles(user: Any) -> set[Role]:
    return {role for _, _, role in _memberships(user)}


def user_agency_codes(user: Any) -> set[str]:
    return {code for _, code, _ in _memberships(user)}


def user_agency_ids(user: Any) -> set[int]:
    return {agency_id for agency_id, _, _ in _memberships(user)}


def has_perm(user: Any, perm: Perm) -> bool:
    return any(perm in ROLE_PERMISSIONS[role] for role in user_roles(user))


def require_perm(user: Any, perm: Perm) -> None:
    """403 when the user's roles do not allow ``perm`` at all."""
    if not has_perm(user, perm):
        raise PermissionDenied


def agencies_with(user: Any, perm: Perm, scope: Scope = Scope.AGENCY) -> set[int]:
    """Agencies in which the user holds a role that grants ``perm`` with ``scope``."""
    return {
        agency_id
        for agency_id, _, role in _memberships(user)
        if perm in ROLE_PERMISSIONS[role] and ROLE_SCOPE[role] == scope
    }


def can_see_field_group(user: Any, group: str) -> bool:
    """Field groups: 'health', 'psychosocial', 'legal'."""
    return has_perm(user, Perm(f"field.{group}"))


# --- record scope ----------------------------------------------------------------


def _person_scope_q(user: Any, perm: Perm, prefix: str = "") -> Q:
    """A filter on Person (or, with ``prefix``, a model pointing at Person) for ``perm``."""
    from homecoming.cases.models import Case
    from homecoming.registry.models import PersonShare

    q = Q(pk__in=[])
    agency_ids = agencies_with(user, perm, Scope.AGENCY)
    if agency_ids:
        shared = PersonShare.objects.filter(
            person_id=OuterRef(f"{prefix}pk" if prefix else "pk"), agency_id__in=agency_ids, is_active=True
        )
        q |= Q(**{f"{prefix}owner_agency_id__in": agency_ids}) | Q(Exists(shared))
    assigned_agencies = agencies_with(user, perm, Scope.ASSIGNED)
    if assigned_agencies:
        assigned = Case.objects.filter(person_id=OuterRef(f"{prefix}pk" if prefix else "pk"), assigned_to=user)
        q |= Q(Exists(assigned))
    return q


def persons_visible_to(user: Any, perm: Perm = Perm.PERSON_VIEW) -> models.QuerySet[Person]:
    from homecoming.registry.models import Person

    if not has_perm(user, perm):
        return Person.objects.none()
    return Person.objects.filter(_person_scope_q(user, perm))


def cases_visible_to(user: Any, perm: Perm = Perm.CASE_VIEW) -> models.QuerySet[Case]:
    from homecoming.cases.models import Case
    from homecoming.registry.models import PersonShare

    if not has_perm(user, perm):
        return Case.objects.none()
    q = Q(pk__in=[])
    agency_ids = agencies_with(user, perm, Scope.AGENCY)
    if agency_ids:
        shared = PersonShare.objects.filter(person_id=OuterRef("person_id"), agency_id__in=agency_ids, is_active=True)
        q |= Q(owner_agency_id__in=agency_ids) | Q(Exists(shared))
    if agencies_with(user, perm, Scope.ASSIGNED):
        q |= Q(assigned_to=user)
    return Case.objects.filter(q)


# --- single records: 404 out of scope, 403 without permission, audited ------------------

_ACTION_PERMS: dict[str, tuple[Perm, Perm]] = {
    # action: (person permission, case permission)
    "view": (Perm.PERSON_VIEW, Perm.CASE_VIEW),
    "change": (Perm.PERSON_CHANGE, Perm.CASE_CHANGE),
    "transition": (Perm.PERSON_VIEW, Perm.CASE_TRANSITION),
    "approve": (Perm.PERSON_VIEW, Perm.CASE_APPROVE),
    "share": (Perm.PERSON_SHARE, Perm.CASE_CHANGE),
    "assess": (Perm.PERSON_VIEW, Perm.ASSESSMENT_RECORD),
    "consent": (Perm.PERSON_VIEW, Perm.CONSENT_RECORD),
}


def _access(
    user: Any,
    pk: Any,
    *,
    visible_to: Callable[[Any, Perm], models.QuerySet[Any]],
    view_perm: Perm,
    perm: Perm,
    audit: bool,
    related: Sequence[str] = (),
    detail: Callable[[Any], dict[str, Any]] | None = None,
) -> Any:
    """The one way a single record is opened: the record ``pk`` among those ``visible_to(user, view_perm)``,
    if ``user`` may act on it with ``perm``.

    404 when the record is out of the user's scope (its existence is not revealed), 403 when it is in
    scope but no role of the user grants ``perm`` there; ``audit``: write the read entry of the audit
    trail (changes are audited by the service that makes them)."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Http404 from None
    record = visible_to(user, view_perm).select_related(*related).filter(pk=pk).first()
    if record is None:
        raise Http404
    require_perm(user, perm)
    if perm != view_perm and not visible_to(user, perm).filter(pk=pk).exists():
        raise PermissionDenied
    if audit:
        with transaction.atomic():
            audit_record(actor=user, action=AuditAction.VIEW, obj=record, detail=detail(record) if detail else None)
    return record


def access_person(user: Any, pk: Any, *, action: str = "view", audit: bool = True) -> Person:
    """The person ``pk`` if ``user`` may ``action`` it; Http404 if out of scope.

    A ``view`` writes the read entry of the audit trail (changes are audited by the service
    that makes them).
    """
    return cast(
        "Person",
        _access(
            user,
            pk,
            visible_to=persons_visible_to,
            view_perm=Perm.PERSON_VIEW,
            perm=_ACTION_PERMS[action][0],
            audit=audit and action == "view",
        ),
    )


def access_case(user: Any, pk: Any, *, action: str = "view", audit: bool = True) -> Case:
    """The case ``pk`` if ``user`` may ``action`` it; Http404 if out of scope."""
    return cast(
        "Case",
        _access(
            user,
            pk,
            visible_to=cases_visible_to,
            view_perm=Perm.CASE_VIEW,
            perm=_ACTION_PERMS[action][1],
            audit=audit and action == "view",
            related=("person",),
        ),
    )


def audit_list(user: Any, objects: Any, *, object_type: str, purpose: str = "") -> None:
    """One audit entry for a list page or list API call, recording the ids shown."""
    ids = [getattr(o, "pk", o) for o in objects]
    if not ids:
        return
    with transaction.atomic():
        audit_record(actor=user, action=AuditAction.LIST, object_type=object_type, object_ids=ids, purpose=purpose)


# --- follow-up visits: assigned on their own ---------------------------------------------------


def visits_visible_to(user: Any, perm: Perm = Perm.FOLLOWUP_VIEW) -> models.QuerySet[FollowUpVisit]:
    """Follow-up visits ``user`` may see with ``perm``.

    Agency-scoped roles see the visits of the cases their agencies own or were shared. Roles with
    ``Scope.ASSIGNED`` (local focal points) see only the visits assigned to them — not the other
    visits of the child, and not the case itself unless the case is assigned to them too.
    """
    from homecoming.registry.models import PersonShare
    from homecoming.reintegration.models import FollowUpVisit

    if not has_perm(user, perm):
        return FollowUpVisit.objects.none()
    q = Q(pk__in=[])
    agency_ids = agencies_with(user, perm, Scope.AGENCY)
    if agency_ids:
        shared = PersonShare.objects.filter(
            person_id=OuterRef("case__person_id"), agency_id__in=agency_ids, is_active=True
        )
        q |= Q(case__owner_agency_id__in=agency_ids) | Q(Exists(shared))
    if agencies_with(user, perm, Scope.ASSIGNED):
        q |= Q(assigned_to=user)
    return FollowUpVisit.objects.filter(q)


_VISIT_ACTION_PERMS: dict[str, Perm] = {
    "view": Perm.FOLLOWUP_VIEW,
    "record": Perm.FOLLOWUP_RECORD,
    "plan": Perm.FOLLOWUP_PLAN,
}


def access_visit(user: Any, pk: Any, *, action: str = "view", audit: bool = True) -> FollowUpVisit:
    """The follow-up visit ``pk`` if ``user`` may ``action`` it; Http404 if out of scope."""
    return cast(
        "FollowUpVisit",
        _access(
            user,
            pk,
            visible_to=visits_visible_to,
            view_perm=Perm.FOLLOWUP_VIEW,
            perm=_VISIT_ACTION_PERMS[action],
            audit=audit and action == "view",
            related=("case", "case__person"),
            detail=lambda visit: {"case": visit.case_id, "person": visit.case.person_id},
        ),
    )


# --- tracing requests: kept by the agency that took them -----------------------------------------


def tracing_requests_visible_to(user: Any, perm: Perm = Perm.TRACING_VIEW) -> models.QuerySet[TracingRequest]:
    """Tracing requests of the agencies where ``user`` holds a role granting ``perm``."""
    from homecoming.tracing.models import TracingRequest

    if not has_perm(user, perm):
        return TracingRequest.objects.none()
    return TracingRequest.objects.filter(owner_agency_id__in=agencies_with(user, perm, Scope.AGENCY))


def access_tracing_request(user: Any, pk: Any, *, action: str = "view", audit: bool = True) -> TracingRequest:
    """The request ``pk`` if ``user`` may ``action`` ("view" or "record") it; 404 out of scope, 403
    without the permission. A view writes the read entry of the audit trail."""
    return cast(
        "TracingRequest",
        _access(
            user,
            pk,
            visible_to=tracing_requests_visible_to,
            view_perm=Perm.TRACING_VIEW,
            perm=Perm.TRACING_RECORD if action == "record" else Perm.TRACING_VIEW,
            audit=audit and action == "view",
            related=("owner_agency",),
        ),
    )


# --- operations and negotiations ----------------------------------------------------------------
# An operation is seen (OPERATION_VIEW) by the users of its owner agency and of its partner agencies,
# and changed (OPERATION_CHANGE) only from its owner agency; a negotiation is seen and changed from its
# owner agency. The persons on a manifest stay person data: pages show them only through
# persons_visible_to / cases_visible_to.

_OPERATION_ACTION_PERMS: dict[str, Perm] = {"view": Perm.OPERATION_VIEW, "change": Perm.OPERATION_CHANGE}


def operations_visible_to(user: Any, perm: Perm = Perm.OPERATION_VIEW) -> models.QuerySet[Operation]:
    """Operations ``user`` may see (``OPERATION_VIEW``) or change (``OPERATION_CHANGE``)."""
    from homecoming.operations.models import Operation

    if not has_perm(user, perm):
        return Operation.objects.none()
    agency_ids = agencies_with(user, perm, Scope.AGENCY)
    if perm == Perm.OPERATION_CHANGE:
        return Operation.objects.filter(owner_agency_id__in=agency_ids)
    partner_ops = Operation.partner_agencies.through.objects.filter(agency_id__in=agency_ids).values("operation_id")
    return Operation.objects.filter(Q(owner_agency_id__in=agency_ids) | Q(pk__in=partner_ops))


def negotiations_visible_to(user: Any, perm: Perm = Perm.OPERATION_VIEW) -> models.QuerySet[Negotiation]:
    from homecoming.operations.models import Negotiation

    if not has_perm(user, perm):
        return Negotiation.objects.none()
    return Negotiation.objects.filter(owner_agency_id__in=agencies_with(user, perm, Scope.AGENCY))


def access_operation(user: Any, pk: Any, *, action: str = "view", audit: bool = True) -> Operation:
    """The operation ``pk`` if ``user`` may ``action`` ("view", "change") it; 404 out of scope."""
    return cast(
        "Operation",
        _access(
            user,
            pk,
            visible_to=operations_visible_to,
            view_perm=Perm.OPERATION_VIEW,
            perm=_OPERATION_ACTION_PERMS[action],
            audit=audit and action == "view",
            related=("owner_agency",),
        ),
    )


def access_negotiation(user: Any, pk: Any, *, action: str = "view", audit: bool = True) -> Negotiation:
    """The negotiation ``pk`` if ``user`` may ``action`` it; 404 out of scope."""
    return cast(
        "Negotiation",
        _access(
            user,
            pk,
            visible_to=negotiations_visible_to,
            view_perm=Perm.OPERATION_VIEW,
            perm=_OPERATION_ACTION_PERMS[action],
            audit=audit and action == "view",
            related=("owner_agency",),
        ),
    )


def operation_change_agency_ids(user: Any) -> set[int]:
    """Agencies in which ``user`` may own (create) operations and negotiations."""
    return agencies_with(user, Perm.OPERATION_CHANGE, Scope.AGENCY)
