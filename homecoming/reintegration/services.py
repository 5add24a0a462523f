"""Every write of the reintegration app: services (screenings and vaccination doses among them),
reintegration plans and follow-up visits, the vaccination schedule and follow-up templates.

Each service validates, calls ``full_clean()``, saves, and writes its audit entry in the same
transaction. Audit entries name the fields changed, never the contents of notes. Access is the
caller's business (views call ``core.access`` and the selectors first).
"""

from __future__ import annotations

import calendar
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from homecoming.accounts.choices import Role
from homecoming.accounts.models import Agency, Membership, User
from homecoming.audit.models import AuditAction
from homecoming.audit.services import audit_record
from homecoming.cases.choices import CaseStage
from homecoming.cases.models import Case
from homecoming.core.access import ROLE_PERMISSIONS, Perm
from homecoming.registry.models import PersonShare
from homecoming.reintegration import growth
from homecoming.reintegration.choices import (
    DoseSource,
    ServiceKind,
    ServiceStatus,
    VisitOutcome,
    VisitStatus,
    ZNotComputed,
)
from homecoming.reintegration.error_codes import ReintegrationErrorCode as Code
from homecoming.reintegration.models import (
    FollowUpTemplate,
    FollowUpVisit,
    ReintegrationPlan,
    Screening,
    Service,
    VaccinationDose,
    Vaccine,
    VaccineScheduleItem,
)
from homecoming.reintegration.rules import SERVICE_STAGES, age_of

__all__ = [
    "add_months",
    "plan_create",
    "schedule_item_save",
    "screening_measure",
    "screening_record",
    "service_record",
    "service_update",
    "template_save",
    "vaccination_dose_record",
    "visit_add",
    "visit_assign",
    "visit_cancel",
    "visit_record",
]

SERVICE_FIELDS = (
    "notes",
    "health_notes",
    "psychosocial_notes",
    "legal_notes",
    "school_name",
    "grade",
    "placement_type",
    "caregiver_name",
    "caregiver_relationship",
    "caregiver_phone",
    "address",
    "district",
    "caregiver_assessment",
    "document_kind",
)


def _invalid(field: str, message: Any, code: Code, **params: Any) -> ValidationError:
    return ValidationError({field: ValidationError(message, code=code, params=params or None)})


def _check_case(case: Case) -> None:
    if case.stage not in SERVICE_STAGES:
        raise _invalid(
            NON_FIELD_ERRORS,
            _("Services and follow-up are recorded for persons who have come home; this case is at stage “%(stage)s”."),
            Code.CASE_NOT_RETURNED,
            stage=str(case.get_stage_display()),
        )


def _not_in_future(value: date | None, field: str) -> None:
    if value is not None and value > timezone.localdate():
        raise _invalid(field, _("The date cannot be in the future."), Code.DATE_IN_FUTURE)


def _check_provider(provider: User | None, agency: Agency | None) -> None:
    if provider is None or agency is None:
        return
    if not Membership.objects.filter(user=provider, agency=agency, agency__is_active=True).exists():
        raise _invalid(
            "provider",
            _("%(user)s does not work for %(agency)s; choose a worker of the provider agency."),
            Code.PROVIDER_NOT_MEMBER,
            user=str(provider),
            agency=str(agency),
        )


def add_months(value: date, months: int) -> date:
    """The same day ``months`` calendar months later (the month's last day when it is shorter)."""
    month_index = value.month - 1 + months
    year, month = value.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(value.day, calendar.monthrange(year, month)[1]))


# --- services ----------------------------------------------------------------------------------


@transaction.atomic
def service_record(
    *,
    case: Case,
    by: User,
    kind: ServiceKind | str,
    date: date,
    status: ServiceStatus | str = ServiceStatus.PLANNED,
    provider_agency: Agency | None = None,
    provider: User | None = None,
    **fields: Any,
) -> Service:
    """Plan or record a service for the person of ``case``.

    ``fields`` are the notes and the kind's own details (``SERVICE_FIELDS``). A delivered
    service cannot be dated in the future. Screenings and doses given here have their own
    services (``screening_record``, ``vaccination_dose_record``), which call this one.
    """
    unknown = set(fields) - set(SERVICE_FIELDS)
    if unknown:
        raise TypeError(f"Unknown service fields: {sorted(unknown)}")
    _check_case(case)
    if status != ServiceStatus.PLANNED:
        _not_in_future(date, "date")
    _check_provider(provider, provider_agency)
    values = {name: (value.strip() if isinstance(value, str) else value) for name, value in fields.items()}
    service = Service(
        case=case,
        kind=kind,
        status=status,
        date=date,
        provider_agency=provider_agency,
        provider=provider,
        recorded_by=by,
        **values,
    )
    service.full_clean()
    service.save()
    audit_record(
        actor=by,
        action=AuditAction.CREATE,
        obj=service,
        changed_fields=sorted({"kind", "status", "date", *(n for n, v in values.items() if v not in ("", None))}),
        detail={"case": case.pk, "kind": str(kind), "status": str(status)},
    )
    return service


@transaction.atomic
def service_update(*, service: Service, by: User, **changes: Any) -> Service:
    """Change a service: its status (delivered, missed, cancelled), date, provider or details.

    A service that was delivered, missed or cancelled is a record of what happened: its status
    no longer changes (record a new service instead); its notes may still be completed.
    """
    allowed = {"status", "date", "provider_agency", "provider", *SERVICE_FIELDS}
    unknown = set(changes) - allowed
    if unknown:
        raise TypeError(f"Unknown service fields: {sorted(unknown)}")
    locked = Service.objects.select_for_update().select_related("case").get(pk=service.pk)
    _check_case(locked.case)
    new_status = changes.get("status", locked.status)
    if locked.status != ServiceStatus.PLANNED and new_status != locked.status:
        raise _invalid(
            "status",
            _("This service is already %(status)s; record a new service instead of changing it."),
            Code.SERVICE_CLOSED,
            status=str(locked.get_status_display()),
        )
    changed = []
    for name, value in changes.items():
        value = value.strip() if isinstance(value, str) else value
        if getattr(locked, name) != value:
            setattr(locked, name, value)
            changed.append(name)
    if not changed:
        return locked
    if locked.status != ServiceStatus.PLANNED:
        _not_in_future(locked.date, "date")
    _check_provider(locked.provider, locked.provider_agency)
    locked.full_clean()
    locked.save(update_fields=[*changed, "updated_at"])
    detail: dict[str, Any] = {"case": locked.case_id}
    if "status" in changed:
        detail["status"] = locked.status
    audit_record(actor=by, action=AuditAction.CHANGE, obj=locked, changed_fields=sorted(changed), detail=detail)
    for name in (*changed, "updated_at"):
        setattr(service, name, getattr(locked, name))
    return locked


# --- screenings ----------------------------------------------------------------------------------


def screening_measure(*, person: Any, on: date, weight_kg: Decimal | None, oedema: bool) -> dict[str, Any]:
    """The computed fields of a screening: age in days, weight-for-age z-score and class, or why not."""
    age = age_of(person)
    result: dict[str, Any] = {
        "age_days": None,
        "age_estimated": age.estimated,
        "weight_for_age_z": None,
        "underweight": "",
        "z_not_computed": "",
        "z_implausible": False,
    }
    if age.best is not None and on >= age.best:
        result["age_days"] = (on - age.best).days
    if weight_kg is None:
        result["z_not_computed"] = ZNotComputed.NO_WEIGHT
    elif oedema:
        result["z_not_computed"] = ZNotComputed.OEDEMA
    elif age.best is None:
        result["z_not_computed"] = ZNotComputed.NO_BIRTH_DATE
    elif person.sex not in ("M", "F"):
        result["z_not_computed"] = ZNotComputed.SEX_UNKNOWN
    else:
        try:
            wfa = growth.weight_for_age(weight_kg=weight_kg, sex=person.sex, age_days=(on - age.best).days)
        except growth.GrowthError as error:
            result["z_not_computed"] = (
                ZNotComputed.AGE_NEGATIVE if error.code == "age_negative" else ZNotComputed.AGE_OUT_OF_RANGE
            )
        else:
            result["weight_for_age_z"] = Decimal(str(wfa.z)).quantize(Decimal("0.01"))
            result["underweight"] = str(wfa.category)
            result["z_implausible"] = wfa.implausible
    return result


@transaction.atomic
def screening_record(
    *,
    case: Case,
    by: User,
    date: date,
    weight_kg: Decimal | None = None,
    height_cm: Decimal | None = None,
    muac_mm: int | None = None,
    oedema: bool = False,
    findings: str = "",
    referrals: str = "",
    notes: str = "",
    health_notes: str = "",
    provider_agency: Agency | None = None,
    provider: User | None = None,
    planned: Service | None = None,
) -> Screening:
    """Record an arrival screening: a delivered service with its measurements, and the
    weight-for-age z-score computed and classified (WHO). ``planned`` is a planned screening of
    the same case that this one delivers."""
    _not_in_future(date, "date")
    age = age_of(case.person)
    if age.birth is not None and date < age.birth.earliest:
        raise _invalid("date", _("The screening date is before the child's date of birth."), Code.DATE_BEFORE_BIRTH)
    if planned is not None:
        if planned.case_id != case.pk or planned.kind != ServiceKind.SCREENING:
            raise _invalid("planned", _("Choose a planned screening of this case."), Code.INVALID)
        service = service_update(
            service=planned,
            by=by,
            status=ServiceStatus.DELIVERED,
            date=date,
            provider_agency=provider_agency,
            provider=provider,
            notes=notes or planned.notes,
            health_notes=health_notes or planned.health_notes,
        )
    else:
        service = service_record(
            case=case,
            by=by,
            kind=ServiceKind.SCREENING,
            status=ServiceStatus.DELIVERED,
            date=date,
            provider_agency=provider_agency,
            provider=provider,
            notes=notes,
            health_notes=health_notes,
        )
    screening = Screening(
        service=service,
        weight_kg=weight_kg,
        height_cm=height_cm,
        muac_mm=muac_mm,
        oedema=oedema,
        findings=findings.strip(),
        referrals=referrals.strip(),
        **screening_measure(person=case.person, on=date, weight_kg=weight_kg, oedema=oedema),
    )
    screening.full_clean()
    screening.save()
    audit_record(
        actor=by,
        action=AuditAction.CREATE,
        obj=screening,
        changed_fields=["weight_kg", "height_cm", "muac_mm", "oedema", "findings", "referrals", "weight_for_age_z"],
        detail={"case": case.pk, "service": service.pk, "underweight": screening.underweight},
    )
    return screening


# --- vaccination ---------------------------------------------------------------------------------


@transaction.atomic
def vaccination_dose_record(
    *,
    case: Case,
    by: User,
    vaccine: Vaccine,
    dose_number: int,
    given_on: date,
    source: DoseSource | str,
    batch_number: str = "",
    notes: str = "",
    provider_agency: Agency | None = None,
    provider: User | None = None,
) -> VaccinationDose:
    """Record a dose the child has had: from a card or the caregiver's account, or given here
    (then a delivered vaccination service is recorded with it)."""
    _check_case(case)
    _not_in_future(given_on, "given_on")
    age = age_of(case.person)
    if age.birth is not None and given_on < age.birth.earliest:
        raise _invalid("given_on", _("The date is before the child's date of birth."), Code.DATE_BEFORE_BIRTH)
    if not VaccineScheduleItem.objects.filter(vaccine=vaccine, dose_number=dose_number).exists():
        raise _invalid(
            "dose_number",
            _("Dose %(dose)s of %(vaccine)s is not on the schedule."),
            Code.DOSE_NOT_ON_SCHEDULE,
            dose=dose_number,
            vaccine=str(vaccine),
        )
    if VaccinationDose.objects.filter(
        case__person_id=case.person_id, vaccine=vaccine, dose_number=dose_number
    ).exists():
        raise _invalid(
            "dose_number",
            _("Dose %(dose)s of %(vaccine)s is already recorded for this child."),
            Code.DOSE_ALREADY_RECORDED,
            dose=dose_number,
            vaccine=str(vaccine),
        )
    service = None
    if source == DoseSource.GIVEN_HERE:
        service = service_record(
            case=case,
            by=by,
            kind=ServiceKind.VACCINATION,
            status=ServiceStatus.DELIVERED,
            date=given_on,
            provider_agency=provider_agency,
            provider=provider,
            notes=_("%(vaccine)s, dose %(dose)s") % {"vaccine": vaccine, "dose": dose_number},
        )
    dose = VaccinationDose(
        case=case,
        vaccine=vaccine,
        dose_number=dose_number,
        given_on=given_on,
        source=source,
        service=service,
        batch_number=batch_number.strip(),
        notes=notes.strip(),
        recorded_by=by,
    )
    dose.full_clean()
    dose.save()
    audit_record(
        actor=by,
        action=AuditAction.CREATE,
        obj=dose,
        changed_fields=["vaccine", "dose_number", "given_on", "source"],
        detail={"case": case.pk, "vaccine": vaccine.code, "dose": dose_number, "source": str(source)},
    )
    return dose


# --- follow-up -----------------------------------------------------------------------------------


def _check_assignee(assigned_to: User | None, case: Case) -> None:
    """A visit goes to someone who records visits in the owner agency or an agency the person is
    shared with (a local focal point's committee, for example)."""
    if assigned_to is None:
        return
    agency_ids = {case.owner_agency_id} | set(
        PersonShare.objects.filter(person_id=case.person_id, is_active=True).values_list("agency_id", flat=True)
    )
    roles = Membership.objects.filter(
        user=assigned_to, agency_id__in=agency_ids, agency__is_active=True, user__is_active=True
    ).values_list("role", flat=True)
    if not any(Perm.FOLLOWUP_RECORD in ROLE_PERMISSIONS[Role(role)] for role in roles):
        raise _invalid(
            "assigned_to",
            _(
                "%(user)s does not make follow-up visits for an agency working on this case; choose a case worker "
                "or a local focal point of such an agency."
            ),
            Code.ASSIGNEE_NOT_ALLOWED,
            user=str(assigned_to),
        )


def arrival_date_of(case: Case) -> date | None:
    """When the person arrived home (``arrivals.arrivals``)."""
    from homecoming.reintegration.arrivals import arrivals

    return arrivals([case.pk])[case.pk].date


@transaction.atomic
def plan_create(
    *,
    case: Case,
    by: User,
    arrival_date: date,
    template: FollowUpTemplate,
    assigned_to: User | None = None,
) -> ReintegrationPlan:
    """Start the reintegration plan of a returned person: one visit for each month of the template,
    counted from the arrival date, assigned to ``assigned_to`` (by default the case's worker).

    A case still at "returned" moves on to "reintegrating" (``case_transition``)."""
    from homecoming.cases.services import case_transition

    _check_case(case)
    _not_in_future(arrival_date, "arrival_date")
    if ReintegrationPlan.objects.filter(case=case).exists():
        raise _invalid("case", _("This case already has a reintegration plan."), Code.PLAN_EXISTS)
    if not template.is_active:
        raise _invalid("template", _("This template is no longer in use."), Code.INVALID)
    if assigned_to is None and case.assigned_to is not None:
        try:
            _check_assignee(case.assigned_to, case)
        except ValidationError:
            pass
        else:
            assigned_to = case.assigned_to
    _check_assignee(assigned_to, case)
    plan = ReintegrationPlan(case=case, arrival_date=arrival_date, template=template, created_by=by)
    plan.full_clean()
    try:
        with transaction.atomic():
            plan.save()
    except IntegrityError:
        raise _invalid("case", _("This case already has a reintegration plan."), Code.PLAN_EXISTS) from None
    visits = [
        FollowUpVisit(
            plan=plan,
            case=case,
            months_after_arrival=months,
            due_date=add_months(arrival_date, months),
            assigned_to=assigned_to,
            purpose=ngettext(
                "Follow-up visit, %(n)s month after arrival", "Follow-up visit, %(n)s months after arrival", months
            )
            % {"n": months},
        )
        for months in template.months_after_arrival
    ]
    for visit in visits:
        visit.full_clean(exclude=["plan"])
    FollowUpVisit.objects.bulk_create(visits)
    audit_record(
        actor=by,
        action=AuditAction.CREATE,
        obj=plan,
        changed_fields=["arrival_date", "template", "visits"],
        detail={
            "case": case.pk,
            "template": template.pk,
            "visits": len(visits),
            "assigned_to": assigned_to.pk if assigned_to else None,
        },
    )
    if case.stage == CaseStage.RETURNED:
        case_transition(
            case=case,
            to_stage=CaseStage.REINTEGRATING,
            by=by,
            reason=str(_("Reintegration plan started.")),
        )
    return plan


@transaction.atomic
def visit_add(
    *, plan: ReintegrationPlan, by: User, due_date: date, assigned_to: User | None = None, purpose: str = ""
) -> FollowUpVisit:
    """Add a visit to a plan (an extra visit, or one after a missed visit)."""
    case = plan.case
    _check_case(case)
    _check_assignee(assigned_to, case)
    visit = FollowUpVisit(plan=plan, case=case, due_date=due_date, assigned_to=assigned_to, purpose=purpose.strip())
    visit.full_clean()
    visit.save()
    audit_record(
        actor=by,
        action=AuditAction.CREATE,
        obj=visit,
        changed_fields=["due_date", "assigned_to", "purpose"],
        detail={"case": case.pk, "assigned_to": assigned_to.pk if assigned_to else None},
    )
    return visit


def _check_open_visit(visit: FollowUpVisit) -> None:
    if visit.status != VisitStatus.SCHEDULED:
        raise _invalid(
            NON_FIELD_ERRORS,
            _("This visit is already %(status)s; it cannot change any more."),
            Code.VISIT_CLOSED,
            status=str(visit.get_status_display()),
        )


@transaction.atomic
def visit_assign(*, visit: FollowUpVisit, by: User, assigned_to: User | None, due_date: date) -> FollowUpVisit:
    """Give a scheduled visit to another worker or focal point, or move its due date."""
    locked = FollowUpVisit.objects.select_for_update().select_related("case").get(pk=visit.pk)
    _check_open_visit(locked)
    _check_assignee(assigned_to, locked.case)
    changed = [
        name for name, value in (("assigned_to", assigned_to), ("due_date", due_date)) if getattr(locked, name) != value
    ]
    if not changed:
        return locked
    locked.assigned_to = assigned_to
    locked.due_date = due_date
    locked.full_clean()
    locked.save(update_fields=[*changed, "updated_at"])
    audit_record(
        actor=by,
        action=AuditAction.CHANGE,
        obj=locked,
        changed_fields=changed,
        detail={"case": locked.case_id, "assigned_to": assigned_to.pk if assigned_to else None},
    )
    return locked


@transaction.atomic
def visit_record(
    *,
    visit: FollowUpVisit,
    by: User,
    status: VisitStatus | str,
    completed_on: date,
    outcome: VisitOutcome | str = "",
    outcome_notes: str = "",
    next_steps: str = "",
    next_visit_on: date | None = None,
) -> FollowUpVisit:
    """Record a visit as done (with what it found) or missed; ``next_visit_on`` schedules another
    visit, assigned to the same person."""
    if status not in (VisitStatus.DONE, VisitStatus.MISSED):
        raise _invalid("status", _("Record the visit as done or missed."), Code.INVALID)
    locked = FollowUpVisit.objects.select_for_update().select_related("case", "plan").get(pk=visit.pk)
    _check_open_visit(locked)
    _not_in_future(completed_on, "completed_on")
    if status == VisitStatus.MISSED and not next_steps.strip() and next_visit_on is None:
        raise _invalid(
            "next_steps", _("Say what happens next: when the visit will be tried again, or who is told."), Code.INVALID
        )
    if next_visit_on is not None and next_visit_on <= completed_on:
        raise _invalid("next_visit_on", _("The next visit must be after this one."), Code.INVALID)
    locked.status = status
    locked.completed_on = completed_on
    locked.outcome = outcome if status == VisitStatus.DONE else ""
    locked.outcome_notes = outcome_notes.strip()
    locked.next_steps = next_steps.strip()
    locked.recorded_by = by
    locked.full_clean()
    fields = ["status", "completed_on", "outcome", "outcome_notes", "next_steps", "recorded_by"]
    locked.save(update_fields=[*fields, "updated_at"])
    audit_record(
        actor=by,
        action=AuditAction.CHANGE,
        obj=locked,
        changed_fields=fields,
        detail={"case": locked.case_id, "status": str(status), "outcome": locked.outcome},
    )
    if next_visit_on is not None:
        visit_add(
            plan=locked.plan,
            by=by,
            due_date=next_visit_on,
            assigned_to=locked.assigned_to,
            purpose=str(_("Follow-up after the visit of %(date)s") % {"date": completed_on.isoformat()}),
        )
    for name in (*fields, "updated_at"):
        setattr(visit, name, getattr(locked, name))
    return locked


@transaction.atomic
def visit_cancel(*, visit: FollowUpVisit, by: User, reason: str) -> FollowUpVisit:
    locked = FollowUpVisit.objects.select_for_update().get(pk=visit.pk)
    _check_open_visit(locked)
    reason = reason.strip()
    if not reason:
        raise _invalid("reason", _("Say why the visit is cancelled."), Code.INVALID)
    locked.status = VisitStatus.CANCELLED
    locked.next_steps = reason
    locked.recorded_by = by
    locked.full_clean()
    locked.save(update_fields=["status", "next_steps", "recorded_by", "updated_at"])
    audit_record(actor=by, action=AuditAction.CHANGE, obj=locked, changed_fields=["status", "next_steps"])
    return locked


# --- configuration: the schedule and the templates -----------------------------------------------


@transaction.atomic
def schedule_item_save(
    *,
    by: User,
    item: VaccineScheduleItem | None = None,
    vaccine: Vaccine,
    dose_number: int,
    recommended_age_days: int,
    minimum_age_days: int,
    minimum_interval_days: int | None,
    maximum_age_days: int | None,
    is_active: bool = True,
    notes: str = "",
) -> VaccineScheduleItem:
    """Add or change a dose of the national schedule. Saving confirms it: it is no longer an example."""
    creating = item is None
    target = item if item is not None else VaccineScheduleItem()
    values = {
        "vaccine": vaccine,
        "dose_number": dose_number,
        "recommended_age_days": recommended_age_days,
        "minimum_age_days": minimum_age_days,
        "minimum_interval_days": minimum_interval_days,
        "maximum_age_days": maximum_age_days,
        "is_active": is_active,
        "notes": notes.strip(),
        "is_example": False,
        "updated_by": by,
    }
    changed = [name for name, value in values.items() if creating or getattr(target, name) != value]
    for name, value in values.items():
        setattr(target, name, value)
    target.full_clean()
    target.save()
    audit_record(
        actor=by,
        action=AuditAction.CREATE if creating else AuditAction.CHANGE,
        obj=target,
        changed_fields=[n for n in changed if n != "updated_by"],
        detail={"vaccine": vaccine.code, "dose": dose_number},
    )
    return target


@transaction.atomic
def template_save(
    *,
    by: User,
    template: FollowUpTemplate | None = None,
    name: str,
    months_after_arrival: list[int],
    is_default: bool,
    is_active: bool = True,
) -> FollowUpTemplate:
    """Add or change a follow-up template; making one the default takes it from the others."""
    creating = template is None
    target = template if template is not None else FollowUpTemplate()
    if is_default and not is_active:
        raise _invalid("is_default", _("The default template must be in use."), Code.INVALID)
    if is_default:
        FollowUpTemplate.objects.filter(is_default=True).exclude(pk=target.pk).update(is_default=False)
    target.name = name.strip()
    target.months_after_arrival = list(months_after_arrival)
    target.is_default = is_default
    target.is_active = is_active
    target.full_clean()
    target.save()
    audit_record(
        actor=by,
        action=AuditAction.CREATE if creating else AuditAction.CHANGE,
        obj=target,
        changed_fields=["name", "months_after_arrival", "is_default", "is_active"],
    )
    return target
