"""Reads of the reintegration app. Every queryset of person data starts from ``core.access``:
``cases_visible_to`` for services and doses, ``visits_visible_to`` for follow-up visits."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from homecoming.accounts.choices import Role
from homecoming.accounts.models import Agency, User
from homecoming.audit.models import AuditAction
from homecoming.audit.services import audit_record
from homecoming.cases.models import Case
from homecoming.core.access import (
    ROLE_PERMISSIONS,
    Perm,
    Scope,
    access_case,
    agencies_with,
    cases_visible_to,
    has_perm,
    require_perm,
    visits_visible_to,
)
from homecoming.registry.models import PersonShare
from homecoming.reintegration.choices import ServiceKind, ServiceStatus, Underweight, VisitStatus
from homecoming.reintegration.models import (
    FollowUpTemplate,
    FollowUpVisit,
    ReintegrationPlan,
    Screening,
    Service,
    VaccinationDose,
    VaccineScheduleItem,
)
from homecoming.reintegration.rules import SERVICE_STAGES, age_of
from homecoming.reintegration.vaccination import CatchUpPlan, GivenDose, ScheduleEntry, catch_up_plan

__all__ = [
    "assignable_visitors",
    "case_for_services",
    "case_screenings",
    "case_services",
    "case_visits",
    "doses_of",
    "followups_overdue",
    "latest_screening",
    "plan_for_case",
    "plan_of",
    "planned_screenings",
    "provider_agencies",
    "provider_workers",
    "schedule_entries",
    "schedule_items",
    "service_get",
    "service_list",
    "templates_in_use",
    "underweight_case_ids",
    "visit_list",
]


# --- cases and services --------------------------------------------------------------------------


def case_for_services(user: Any, pk: Any, *, perm: Perm = Perm.SERVICE_VIEW, audit: bool = True) -> Case:
    """The case ``pk`` for the reintegration pages: 404 out of scope, 403 without ``perm`` for it.

    A GET writes the read entry of the audit trail (``audit``)."""
    case = access_case(user, pk, audit=audit)
    require_perm(user, perm)
    if not cases_visible_to(user, perm).filter(pk=case.pk).exists():
        raise PermissionDenied
    return case


def _services(qs: QuerySet[Service]) -> QuerySet[Service]:
    return qs.select_related(
        "case", "case__person", "provider", "provider_agency", "recorded_by", "screening", "vaccination_dose__vaccine"
    )


def service_get(user: Any, pk: Any, *, perm: Perm = Perm.SERVICE_VIEW, audit: bool = True) -> Service:
    """The service ``pk``: 404 if its case is out of ``user``'s scope, 403 without ``perm``."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Http404 from None
    service = _services(Service.objects.filter(pk=pk, case__in=cases_visible_to(user).values("pk"))).first()
    if service is None:
        raise Http404
    require_perm(user, perm)
    if not cases_visible_to(user, perm).filter(pk=service.case_id).exists():
        raise PermissionDenied
    if audit:
        with transaction.atomic():
            audit_record(actor=user, action=AuditAction.VIEW, obj=service, detail={"case": service.case_id})
    return service


def case_services(*, case: Case) -> QuerySet[Service]:
    return _services(Service.objects.filter(case=case)).order_by("-date", "-id")


def service_list(*, user: Any, kind: str = "", status: str = "", flagged: bool = False) -> QuerySet[Service]:
    """Services on cases ``user`` may see with ``Perm.SERVICE_VIEW``."""
    qs = _services(Service.objects.filter(case__in=cases_visible_to(user, Perm.SERVICE_VIEW).values("pk")))
    if kind:
        qs = qs.filter(kind=kind)
    if status:
        qs = qs.filter(status=status)
    if flagged:
        qs = qs.filter(screening__underweight__in=[Underweight.MODERATE, Underweight.SEVERE])
    return qs.order_by("-date", "-id")


def case_screenings(*, case: Case) -> QuerySet[Screening]:
    return (
        Screening.objects.filter(service__case=case)
        .select_related("service", "service__provider", "service__provider_agency")
        .order_by("-service__date", "-id")
    )


def latest_screening(*, case: Case) -> Screening | None:
    return case_screenings(case=case).first()


def planned_screenings(*, case: Case) -> QuerySet[Service]:
    return Service.objects.filter(case=case, kind=ServiceKind.SCREENING, status=ServiceStatus.PLANNED).order_by("date")


def underweight_case_ids(case_ids: Any) -> dict[int, str]:
    """Case id -> "moderate"/"severe" for cases whose latest screening found the child underweight."""
    latest: dict[int, tuple[date, int, str]] = {}
    rows = Screening.objects.filter(service__case_id__in=case_ids, service__status=ServiceStatus.DELIVERED).values_list(
        "service__case_id", "service__date", "id", "underweight"
    )
    for case_id, when, pk, category in rows:
        if case_id not in latest or (when, pk) > latest[case_id][:2]:
            latest[case_id] = (when, pk, category)
    return {
        case_id: category
        for case_id, (_, _, category) in latest.items()
        if category in (Underweight.MODERATE, Underweight.SEVERE)
    }


def provider_agencies(user: Any, *, keep: int | None = None) -> QuerySet[Agency]:
    """The agencies in which ``user`` records services (the choices of "provider agency"), and the
    agency ``keep`` already chosen on the service."""
    mine = Q(pk__in=agencies_with(user, Perm.SERVICE_RECORD, Scope.AGENCY), is_active=True)
    return Agency.objects.filter(mine | Q(pk__in=[keep] if keep else [])).order_by("name")


def provider_workers(agencies: QuerySet[Agency], *, keep: int | None = None) -> QuerySet[User]:
    """Active workers of ``agencies`` (the choices of "worker"), and the worker ``keep`` already chosen."""
    return (
        User.objects.filter(Q(memberships__agency__in=agencies, is_active=True) | Q(pk__in=[keep] if keep else []))
        .distinct()
        .order_by("last_name", "first_name", "username")
    )


# --- vaccination ---------------------------------------------------------------------------------


def schedule_items(*, active_only: bool = False) -> QuerySet[VaccineScheduleItem]:
    qs = VaccineScheduleItem.objects.select_related("vaccine", "updated_by")
    if active_only:
        qs = qs.filter(is_active=True, vaccine__is_active=True)
    return qs.order_by("vaccine__sort_order", "vaccine__name", "dose_number")


def schedule_entries() -> list[ScheduleEntry]:
    """The schedule in use, for ``vaccination.catch_up_plan``."""
    return [
        ScheduleEntry(
            vaccine=item.vaccine.code,
            vaccine_name=item.vaccine.name,
            dose_number=item.dose_number,
            recommended_age_days=item.recommended_age_days,
            minimum_age_days=item.minimum_age_days,
            minimum_interval_days=item.minimum_interval_days,
            maximum_age_days=item.maximum_age_days,
            pk=item.pk,
        )
        for item in schedule_items(active_only=True)
    ]


def doses_of(*, case: Case) -> QuerySet[VaccinationDose]:
    """Every dose recorded for the person of ``case``, in any of their cases."""
    return (
        VaccinationDose.objects.filter(case__person_id=case.person_id)
        .select_related("vaccine", "recorded_by", "service")
        .order_by("given_on", "id")
    )


def _given(doses: Any) -> list[GivenDose]:
    return [GivenDose(d.vaccine.code, d.dose_number, d.given_on, d.source, d.pk) for d in doses]


def plan_for_case(
    *, case: Case, today: date | None = None, schedule: list[ScheduleEntry] | None = None
) -> CatchUpPlan | None:
    """The catch-up plan of the person of ``case``; None without a date of birth or estimate."""
    age = age_of(case.person)
    if age.birth is None:
        return None
    today = today or timezone.localdate()
    if age.birth.earliest > today:
        return None
    return catch_up_plan(
        birth=age.birth,
        schedule=schedule if schedule is not None else schedule_entries(),
        given=_given(doses_of(case=case)),
        today=today,
    )


# --- follow-up -----------------------------------------------------------------------------------


def plan_of(*, case: Case) -> ReintegrationPlan | None:
    return ReintegrationPlan.objects.filter(case=case).select_related("template", "created_by").first()


def _visits(qs: QuerySet[FollowUpVisit]) -> QuerySet[FollowUpVisit]:
    return qs.select_related("case", "case__person", "case__owner_agency", "assigned_to", "recorded_by")


def case_visits(*, user: Any, case: Case) -> QuerySet[FollowUpVisit]:
    """The visits of ``case`` that ``user`` may see."""
    return _visits(visits_visible_to(user).filter(case=case)).order_by("due_date", "id")


def visit_list(*, user: Any, status: str = "", mine: bool = False, overdue: bool = False) -> QuerySet[FollowUpVisit]:
    qs = _visits(visits_visible_to(user))
    today = timezone.localdate()
    if status:
        qs = qs.filter(status=status)
    if mine:
        qs = qs.filter(assigned_to=user)
    if overdue:
        qs = qs.filter(status=VisitStatus.SCHEDULED, due_date__lt=today)
    return qs.order_by("due_date", "id")


def manager_agency_ids(user: Any) -> set[int]:
    """Agencies in which ``user`` manages casework (approves moves): where overdue visits escalate."""
    return agencies_with(user, Perm.CASE_APPROVE, Scope.AGENCY)


def followups_overdue(*, user: Any, today: date | None = None) -> QuerySet[FollowUpVisit]:
    """Escalations: scheduled visits past their due date on cases owned by an agency ``user``
    manages. Computed on every read; nothing is stored or sent."""
    agency_ids = manager_agency_ids(user)
    if not agency_ids:
        return FollowUpVisit.objects.none()
    today = today or timezone.localdate()
    return _visits(
        visits_visible_to(user).filter(
            status=VisitStatus.SCHEDULED, due_date__lt=today, case__owner_agency_id__in=agency_ids
        )
    ).order_by("due_date", "id")


def assignable_visitors(*, case: Case) -> QuerySet[User]:
    """Who can be given a visit of ``case``: workers recording visits in the owner agency or in an
    agency the person is shared with (local focal points among them)."""
    roles = [role for role in Role if Perm.FOLLOWUP_RECORD in ROLE_PERMISSIONS[role]]
    agency_ids = {case.owner_agency_id} | set(
        PersonShare.objects.filter(person_id=case.person_id, is_active=True).values_list("agency_id", flat=True)
    )
    return (
        User.objects.filter(
            is_active=True,
            memberships__agency_id__in=agency_ids,
            memberships__agency__is_active=True,
            memberships__role__in=roles,
        )
        .distinct()
        .order_by("last_name", "first_name", "username")
    )


def templates_in_use() -> QuerySet[FollowUpTemplate]:
    return FollowUpTemplate.objects.filter(is_active=True).order_by("-is_default", "name")


# --- the case page's summary -------------------------------------------------------------------


@dataclass(frozen=True)
class CaseSummary:
    """What the reintegration part of a case page shows in one glance."""

    services: int
    underweight: str  # "", "moderate" or "severe"
    doses_due: int | None  # None: no plan (no date of birth, or no health permission)
    plan: bool
    visits_overdue: int
    placement: Service | None


def case_summary(*, user: Any, case: Case) -> CaseSummary:
    placement = (
        Service.objects.filter(case=case, kind=ServiceKind.PLACEMENT, status=ServiceStatus.DELIVERED)
        .order_by("-date", "-id")
        .first()
    )
    doses_due = None
    if has_perm(user, Perm.HEALTH_VIEW):
        plan = plan_for_case(case=case)
        doses_due = len(plan.due_now) if plan is not None else None
    return CaseSummary(
        services=Service.objects.filter(case=case).count(),
        underweight=underweight_case_ids([case.pk]).get(case.pk, ""),
        doses_due=doses_due,
        plan=ReintegrationPlan.objects.filter(case=case).exists(),
        visits_overdue=visits_visible_to(user)
        .filter(case=case, status=VisitStatus.SCHEDULED, due_date__lt=timezone.localdate())
        .count(),
        placement=placement,
    )


def returned_cases(user: Any, perm: Perm = Perm.SERVICE_VIEW) -> QuerySet[Case]:
    """Open cases of returned persons that ``user`` may see with ``perm``."""
    return cases_visible_to(user, perm).filter(stage__in=SERVICE_STAGES).select_related("person", "owner_agency")


def without_delivered(qs: QuerySet[Case], kind: ServiceKind) -> QuerySet[Case]:
    delivered = Service.objects.filter(case=OuterRef("pk"), kind=kind, status=ServiceStatus.DELIVERED)
    return qs.filter(~Exists(delivered))


def prefetch_visits(qs: QuerySet[ReintegrationPlan]) -> QuerySet[ReintegrationPlan]:
    return qs.prefetch_related(Prefetch("visits", queryset=FollowUpVisit.objects.order_by("due_date")))


def visits_due_for(user: Any, *, today: date) -> QuerySet[FollowUpVisit]:
    """Scheduled visits assigned to ``user``, due today or before."""
    return _visits(
        visits_visible_to(user).filter(assigned_to=user, status=VisitStatus.SCHEDULED, due_date__lte=today)
    ).order_by("due_date", "id")


def services_due_for(user: Any, *, today: date) -> QuerySet[Service]:
    """Planned services of ``user`` (as the worker), dated today or before."""
    return _services(
        Service.objects.filter(
            case__in=cases_visible_to(user, Perm.SERVICE_VIEW).values("pk"),
            provider=user,
            status=ServiceStatus.PLANNED,
            date__lte=today,
        )
    ).order_by("date", "id")


def q_school_age(today: date, low: int, high: int) -> Q:
    """Persons aged ``low`` to ``high`` completed years on ``today`` by their date of birth."""
    from homecoming.reintegration.services import add_months

    born_after = add_months(today, -12 * (high + 1))  # exclusive: one more year would be too old
    born_by = add_months(today, -12 * low)
    return Q(person__birth_date__gt=born_after, person__birth_date__lte=born_by)
