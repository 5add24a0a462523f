"""The reintegration pages. Each view: one access check (``core.access`` through the selectors),
one service or selector, render.

Out of scope answers 404, a missing permission 403. Pages that show a case, a service or a visit
write the read entry of the audit trail; lists write one entry for the records shown. Notes are
shown by field group (health, psychosocial, legal) only to those who may see the group.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views import View

from homecoming.accounts.models import User
from homecoming.audit.models import AuditAction
from homecoming.audit.services import audit_record
from homecoming.cases.models import Case
from homecoming.core.access import (
    Perm,
    access_visit,
    audit_list,
    cases_visible_to,
    has_perm,
    require_perm,
)
from homecoming.core.forms import add_service_errors
from homecoming.reintegration import coverage as coverage_module
from homecoming.reintegration import selectors, services
from homecoming.reintegration.choices import (
    PlanStatus,
    ServiceKind,
    ServiceStatus,
    VisitStatus,
)
from homecoming.reintegration.forms import (
    DoseForm,
    PlanForm,
    ScheduleItemForm,
    ScreeningForm,
    ServiceForm,
    TemplateForm,
    VisitAddForm,
    VisitAssignForm,
    VisitCancelForm,
    VisitRecordForm,
)
from homecoming.reintegration.models import FollowUpTemplate, FollowUpVisit, Service, VaccineScheduleItem
from homecoming.reintegration.rules import (
    age_of,
    kinds_plannable_by,
    kinds_recordable_by,
    visible_note_groups,
)
from homecoming.reintegration.worklist import worklist_audit, worklist_for

PAGE_SIZE = 25
AUDIT_CASE = "cases.case"


def _case_page_url(case_id: int) -> str:
    """The cases app's page of the case, when it exists."""
    try:
        return reverse("cases:case_detail", kwargs={"pk": case_id})
    except NoReverseMatch:
        return ""


def _me(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)  # noqa: S101 - LoginRequiredMixin ran first
    return user


def _case_context(request: HttpRequest, case: Case) -> dict[str, Any]:
    return {
        "case": case,
        "case_page_url": _case_page_url(case.pk),
        "age": age_of(case.person),
        "today": timezone.localdate(),
    }


def _workers(case: Case) -> Any:
    return selectors.assignable_visitors(case=case)


# --- work list -----------------------------------------------------------------------------------


class WorklistView(LoginRequiredMixin, View):
    def get(self, request: HttpRequest) -> HttpResponse:
        sections = worklist_for(request.user)
        worklist_audit(request.user, sections)
        user = request.user
        can = {
            "services": has_perm(user, Perm.SERVICE_VIEW),
            "visits": has_perm(user, Perm.FOLLOWUP_VIEW),
            "coverage": has_perm(user, Perm.FIGURES_EXACT),
            "schedule": has_perm(user, Perm.SCHEDULE_MANAGE),
        }
        return render(request, "reintegration/worklist.html", {"sections": sections, "can": can})


# --- a case's services ---------------------------------------------------------------------------


class CaseServicesView(LoginRequiredMixin, View):
    """Everything done for a returned person: services, screenings, vaccination, plan and visits."""

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        case = selectors.case_for_services(request.user, pk)
        user = request.user
        context = _case_context(request, case)
        health = has_perm(user, Perm.HEALTH_VIEW)
        plan = selectors.plan_of(case=case)
        context.update(
            {
                "services": list(selectors.case_services(case=case)),
                "summary": selectors.case_summary(user=user, case=case),
                "note_groups": visible_note_groups(user),
                "health": health,
                "screenings": list(selectors.case_screenings(case=case)) if health else [],
                "vaccination": selectors.plan_for_case(case=case) if health else None,
                "plan": plan,
                "visits": list(selectors.case_visits(user=user, case=case))
                if has_perm(user, Perm.FOLLOWUP_VIEW)
                else [],
                "can_record": bool(kinds_plannable_by(user))
                and cases_visible_to(user, Perm.SERVICE_RECORD).filter(pk=case.pk).exists(),
                "can_screen": ServiceKind.SCREENING in kinds_recordable_by(user),
                "can_plan": has_perm(user, Perm.FOLLOWUP_PLAN)
                and cases_visible_to(user, Perm.FOLLOWUP_PLAN).filter(pk=case.pk).exists(),
            }
        )
        return render(request, "reintegration/case_services.html", context)


def _statuses_for(user: Any, kind: str) -> list[str]:
    """The statuses ``user`` may give a service of ``kind``: what happened only for their own kinds
    (screenings and doses are delivered through their own pages); otherwise plan or cancel."""
    if kind in kinds_recordable_by(user) and kind not in (ServiceKind.SCREENING, ServiceKind.VACCINATION):
        return [ServiceStatus.PLANNED, ServiceStatus.DELIVERED, ServiceStatus.MISSED, ServiceStatus.CANCELLED]
    return [ServiceStatus.PLANNED, ServiceStatus.CANCELLED]


class ServiceCreateView(LoginRequiredMixin, View):
    """Plan or record a service of one kind (``?kind=``); without a kind, choose one."""

    def _kind(self, request: HttpRequest) -> str:
        kind = request.GET.get("kind") or request.POST.get("kind") or ""
        if kind and kind not in ServiceKind.values:
            raise Http404
        if kind and kind not in kinds_plannable_by(request.user):
            raise PermissionDenied
        return kind

    def _form(self, request: HttpRequest, case: Case, kind: str, data: Any = None) -> ServiceForm:
        agencies = selectors.provider_agencies(request.user)
        return ServiceForm(
            data,
            kind=kind,
            statuses=_statuses_for(request.user, kind),
            note_groups=visible_note_groups(request.user),
            agencies=agencies,
            workers=User.objects.filter(memberships__agency__in=agencies, is_active=True)
            .distinct()
            .order_by("username"),
            initial={
                "date": timezone.localdate(),
                "provider": request.user.pk,
                "provider_agency": agencies.first(),
            },
        )

    def _render(self, request: HttpRequest, case: Case, kind: str, form: Any, status: int = 200) -> HttpResponse:
        context = _case_context(request, case)
        context.update(
            {
                "kind": kind,
                "kind_label": ServiceKind(kind).label if kind else "",
                "form": form,
                "kinds": [
                    (k, ServiceKind(k).label) for k in ServiceKind.values if k in kinds_plannable_by(request.user)
                ],
                "can_screen": ServiceKind.SCREENING in kinds_recordable_by(request.user),
            }
        )
        return render(request, "reintegration/service_form.html", context, status=status)

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        case = selectors.case_for_services(request.user, pk, perm=Perm.SERVICE_RECORD)
        kind = self._kind(request)
        return self._render(request, case, kind, self._form(request, case, kind) if kind else None)

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        case = selectors.case_for_services(request.user, pk, perm=Perm.SERVICE_RECORD, audit=False)
        kind = self._kind(request)
        if not kind:
            return self._render(request, case, kind, None, status=400)
        form = self._form(request, case, kind, request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                service = services.service_record(
                    case=case,
                    by=_me(request),
                    kind=kind,
                    status=data["status"],
                    date=data["date"],
                    provider_agency=data["provider_agency"],
                    provider=data["provider"],
                    **form.service_values(),
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("%(kind)s recorded.") % {"kind": service.get_kind_display().capitalize()})
                return redirect("reintegration:case_services", pk=case.pk)
        return self._render(request, case, kind, form, status=400)


class ServiceDetailView(LoginRequiredMixin, View):
    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        service = selectors.service_get(request.user, pk)
        context = _case_context(request, service.case)
        editable = (
            service.kind in kinds_recordable_by(request.user)
            if service.status != ServiceStatus.PLANNED
            else bool(kinds_plannable_by(request.user))
        )
        context.update(
            {
                "service": service,
                "note_groups": visible_note_groups(request.user),
                "health": has_perm(request.user, Perm.HEALTH_VIEW),
                "can_edit": editable
                and cases_visible_to(request.user, Perm.SERVICE_RECORD).filter(pk=service.case_id).exists(),
            }
        )
        return render(request, "reintegration/service_detail.html", context)


class ServiceEditView(LoginRequiredMixin, View):
    """Mark a planned service delivered, missed or cancelled, or complete its details."""

    def _service(self, request: HttpRequest, pk: int) -> Service:
        service = selectors.service_get(request.user, pk, perm=Perm.SERVICE_RECORD, audit=request.method == "GET")
        if service.status != ServiceStatus.PLANNED and service.kind not in kinds_recordable_by(request.user):
            raise PermissionDenied  # what happened is completed only by those who deliver this kind
        return service

    def _form(self, request: HttpRequest, service: Service, data: Any = None) -> ServiceForm:
        statuses = _statuses_for(request.user, service.kind)
        if service.status != ServiceStatus.PLANNED:
            statuses = [service.status]
        agencies = selectors.provider_agencies(request.user, keep=service.provider_agency_id)
        initial = {
            name: getattr(service, name)
            for name in ("status", "date", "notes", "health_notes", "psychosocial_notes", "legal_notes")
        }
        initial.update({f: getattr(service, f) for f in ServiceForm.base_fields if hasattr(service, f)})
        initial["provider_agency"] = service.provider_agency_id
        initial["provider"] = service.provider_id
        return ServiceForm(
            data,
            kind=service.kind,
            statuses=statuses,
            note_groups=visible_note_groups(request.user),
            agencies=agencies,
            workers=selectors.provider_workers(agencies, keep=service.provider_id),
            initial=initial,
            editing=True,
        )

    def _render(self, request: HttpRequest, service: Service, form: Any, status: int = 200) -> HttpResponse:
        context = _case_context(request, service.case)
        context.update(
            {"service": service, "form": form, "kind": service.kind, "kind_label": service.get_kind_display()}
        )
        return render(request, "reintegration/service_edit.html", context, status=status)

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        service = self._service(request, pk)
        return self._render(request, service, self._form(request, service))

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        service = self._service(request, pk)
        form = self._form(request, service, request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.service_update(
                    service=service,
                    by=_me(request),
                    status=data["status"],
                    date=data["date"],
                    provider_agency=data["provider_agency"],
                    provider=data["provider"],
                    **form.service_values(),
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Service saved."))
                return redirect("reintegration:service_detail", pk=service.pk)
        return self._render(request, service, form, status=400)


class ServiceListView(LoginRequiredMixin, View):
    """Services of the returned persons the user cares for: by kind and status, or the children
    flagged underweight at their last screening."""

    def get(self, request: HttpRequest) -> HttpResponse:
        require_perm(request.user, Perm.SERVICE_VIEW)
        kind = request.GET.get("kind", "")
        kind = kind if kind in ServiceKind.values else ""
        status = request.GET.get("status", "")
        status = status if status in ServiceStatus.values else ""
        flagged = request.GET.get("flagged") == "1" and has_perm(request.user, Perm.HEALTH_VIEW)
        qs = selectors.service_list(user=request.user, kind=kind, status=status)
        flags: dict[int, str] = {}
        if flagged:
            flags = selectors.underweight_case_ids(cases_visible_to(request.user, Perm.SERVICE_VIEW).values("pk"))
            qs = qs.filter(kind=ServiceKind.SCREENING, case_id__in=list(flags), status=ServiceStatus.DELIVERED)
        page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
        rows = list(page.object_list)
        if has_perm(request.user, Perm.HEALTH_VIEW) and not flagged:
            flags = selectors.underweight_case_ids({s.case_id for s in rows})
        audit_list(request.user, rows, object_type="reintegration.service")
        return render(
            request,
            "reintegration/service_list.html",
            {
                "page": page,
                "services": rows,
                "flags": flags,
                "kind": kind,
                "status": status,
                "flagged": flagged,
                "kinds": ServiceKind.choices,
                "statuses": ServiceStatus.choices,
                "health": has_perm(request.user, Perm.HEALTH_VIEW),
            },
        )


# --- screening and vaccination -------------------------------------------------------------------


def _require_kind(user: Any, kind: ServiceKind) -> None:
    if kind not in kinds_recordable_by(user):
        raise PermissionDenied


class ScreeningCreateView(LoginRequiredMixin, View):
    def _form(self, request: HttpRequest, case: Case, data: Any = None) -> ScreeningForm:
        agencies = selectors.provider_agencies(request.user)
        return ScreeningForm(
            data,
            planned=selectors.planned_screenings(case=case),
            agencies=agencies,
            initial={"date": timezone.localdate(), "provider_agency": agencies.first()},
        )

    def _render(self, request: HttpRequest, case: Case, form: ScreeningForm, status: int = 200) -> HttpResponse:
        context = _case_context(request, case)
        context["form"] = form
        return render(request, "reintegration/screening_form.html", context, status=status)

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        case = selectors.case_for_services(request.user, pk, perm=Perm.SERVICE_RECORD)
        _require_kind(request.user, ServiceKind.SCREENING)
        return self._render(request, case, self._form(request, case))

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        case = selectors.case_for_services(request.user, pk, perm=Perm.SERVICE_RECORD, audit=False)
        _require_kind(request.user, ServiceKind.SCREENING)
        form = self._form(request, case, request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                screening = services.screening_record(
                    case=case,
                    by=_me(request),
                    date=data["date"],
                    weight_kg=data["weight_kg"],
                    height_cm=data["height_cm"],
                    muac_mm=data["muac_mm"],
                    oedema=data["oedema"],
                    findings=data["findings"],
                    referrals=data["referrals"],
                    notes=data["notes"],
                    provider_agency=data["provider_agency"],
                    provider=_me(request),
                    planned=data.get("planned"),
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                if screening.is_underweight:
                    messages.warning(
                        request,
                        _("Screening recorded: %(class)s (weight-for-age z-score %(z)s).")
                        % {"class": screening.get_underweight_display(), "z": screening.weight_for_age_z},
                    )
                else:
                    messages.success(request, _("Screening recorded."))
                return redirect("reintegration:service_detail", pk=screening.service_id)
        return self._render(request, case, form, status=400)


class VaccinationPlanView(LoginRequiredMixin, View):
    """The child's doses and catch-up plan (health information)."""

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        case = selectors.case_for_services(request.user, pk)
        require_perm(request.user, Perm.HEALTH_VIEW)
        context = _case_context(request, case)
        context.update(
            {
                "plan": selectors.plan_for_case(case=case),
                "doses": list(selectors.doses_of(case=case)),
                "can_record": ServiceKind.VACCINATION in kinds_recordable_by(request.user)
                and cases_visible_to(request.user, Perm.SERVICE_RECORD).filter(pk=case.pk).exists(),
                "statuses": PlanStatus,
                "schedule_is_example": VaccineScheduleItem.objects.filter(is_active=True, is_example=True).exists(),
            }
        )
        return render(request, "reintegration/vaccination_plan.html", context)


class DoseCreateView(LoginRequiredMixin, View):
    def _form(self, request: HttpRequest, data: Any = None) -> DoseForm:
        return DoseForm(
            data,
            items=selectors.schedule_items(active_only=True),
            initial={"given_on": timezone.localdate(), "source": "given_here", "item": request.GET.get("item")},
        )

    def _render(self, request: HttpRequest, case: Case, form: DoseForm, status: int = 200) -> HttpResponse:
        context = _case_context(request, case)
        context["form"] = form
        return render(request, "reintegration/dose_form.html", context, status=status)

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        case = selectors.case_for_services(request.user, pk, perm=Perm.SERVICE_RECORD)
        _require_kind(request.user, ServiceKind.VACCINATION)
        return self._render(request, case, self._form(request))

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        case = selectors.case_for_services(request.user, pk, perm=Perm.SERVICE_RECORD, audit=False)
        _require_kind(request.user, ServiceKind.VACCINATION)
        form = self._form(request, request.POST)
        if form.is_valid():
            data = form.cleaned_data
            item = data["item"]
            agencies = selectors.provider_agencies(request.user)
            try:
                services.vaccination_dose_record(
                    case=case,
                    by=_me(request),
                    vaccine=item.vaccine,
                    dose_number=item.dose_number,
                    given_on=data["given_on"],
                    source=data["source"],
                    batch_number=data["batch_number"],
                    notes=data["notes"],
                    provider_agency=agencies.first(),
                    provider=_me(request),
                )
            except ValidationError as error:
                if hasattr(error, "error_dict") and "dose_number" in error.error_dict:
                    error = ValidationError({"item": error.error_dict["dose_number"]})
                add_service_errors(form, error)
            else:
                messages.success(
                    request,
                    _("%(vaccine)s, dose %(dose)s recorded.")
                    % {"vaccine": item.vaccine.name, "dose": item.dose_number},
                )
                if request.POST.get("another"):
                    return redirect("reintegration:dose_create", pk=case.pk)
                return redirect("reintegration:vaccination_plan", pk=case.pk)
        return self._render(request, case, form, status=400)


# --- follow-up -----------------------------------------------------------------------------------


class PlanCreateView(LoginRequiredMixin, View):
    def _form(self, case: Case, data: Any = None) -> PlanForm:
        templates = selectors.templates_in_use()
        return PlanForm(
            data,
            templates=templates,
            visitors=_workers(case),
            initial={"arrival_date": services.arrival_date_of(case), "template": templates.first()},
        )

    def _render(self, request: HttpRequest, case: Case, form: PlanForm, status: int = 200) -> HttpResponse:
        context = _case_context(request, case)
        context.update({"form": form, "existing": selectors.plan_of(case=case)})
        return render(request, "reintegration/plan_form.html", context, status=status)

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        case = selectors.case_for_services(request.user, pk, perm=Perm.FOLLOWUP_PLAN)
        return self._render(request, case, self._form(case))

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        case = selectors.case_for_services(request.user, pk, perm=Perm.FOLLOWUP_PLAN, audit=False)
        form = self._form(case, request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                plan = services.plan_create(
                    case=case,
                    by=_me(request),
                    arrival_date=data["arrival_date"],
                    template=data["template"],
                    assigned_to=data["assigned_to"],
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(
                    request, _("Reintegration plan started: %(n)s visits scheduled.") % {"n": plan.visits.count()}
                )
                return redirect("reintegration:case_services", pk=case.pk)
        return self._render(request, case, form, status=400)


class VisitCreateView(LoginRequiredMixin, View):
    def _plan(self, request: HttpRequest, case: Case) -> Any:
        plan = selectors.plan_of(case=case)
        if plan is None:
            raise Http404
        return plan

    def _render(self, request: HttpRequest, case: Case, form: VisitAddForm, status: int = 200) -> HttpResponse:
        context = _case_context(request, case)
        context["form"] = form
        return render(request, "reintegration/visit_form.html", context, status=status)

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        case = selectors.case_for_services(request.user, pk, perm=Perm.FOLLOWUP_PLAN)
        self._plan(request, case)
        return self._render(request, case, VisitAddForm(visitors=_workers(case)))

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        case = selectors.case_for_services(request.user, pk, perm=Perm.FOLLOWUP_PLAN, audit=False)
        plan = self._plan(request, case)
        form = VisitAddForm(request.POST, visitors=_workers(case))
        if form.is_valid():
            try:
                services.visit_add(
                    plan=plan,
                    by=_me(request),
                    due_date=form.cleaned_data["due_date"],
                    assigned_to=form.cleaned_data["assigned_to"],
                    purpose=form.cleaned_data["purpose"],
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Visit scheduled."))
                return redirect("reintegration:case_services", pk=case.pk)
        return self._render(request, case, form, status=400)


class VisitListView(LoginRequiredMixin, View):
    def get(self, request: HttpRequest) -> HttpResponse:
        require_perm(request.user, Perm.FOLLOWUP_VIEW)
        status = request.GET.get("status", "")
        status = status if status in VisitStatus.values else ""
        mine = request.GET.get("mine") == "1"
        overdue = request.GET.get("overdue") == "1"
        qs = selectors.visit_list(user=request.user, status=status, mine=mine, overdue=overdue)
        page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
        rows = list(page.object_list)
        audit_list(request.user, rows, object_type="reintegration.followupvisit")
        return render(
            request,
            "reintegration/visit_list.html",
            {
                "page": page,
                "visits": rows,
                "status": status,
                "mine": mine,
                "overdue": overdue,
                "statuses": VisitStatus.choices,
                "today": timezone.localdate(),
            },
        )


def _child_card(visit: FollowUpVisit) -> dict[str, Any]:
    """The minimum a visitor needs about the child: name, age, where and with whom they live."""
    case = visit.case
    placement = (
        Service.objects.filter(case=case, kind=ServiceKind.PLACEMENT, status=ServiceStatus.DELIVERED)
        .order_by("-date", "-id")
        .first()
    )
    return {"person": case.person, "age": age_of(case.person), "placement": placement}


class VisitDetailView(LoginRequiredMixin, View):
    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        visit = access_visit(request.user, pk)
        user = request.user
        can_see_case = (
            has_perm(user, Perm.SERVICE_VIEW)
            and cases_visible_to(user, Perm.SERVICE_VIEW).filter(pk=visit.case_id).exists()
        )
        context = {
            "visit": visit,
            "child": _child_card(visit),
            "today": timezone.localdate(),
            "can_record": visit.status == VisitStatus.SCHEDULED and has_perm(user, Perm.FOLLOWUP_RECORD),
            "can_plan": visit.status == VisitStatus.SCHEDULED and has_perm(user, Perm.FOLLOWUP_PLAN),
            "case_url": reverse("reintegration:case_services", kwargs={"pk": visit.case_id}) if can_see_case else "",
        }
        return render(request, "reintegration/visit_detail.html", context)


class VisitRecordView(LoginRequiredMixin, View):
    def _visit(self, request: HttpRequest, pk: int) -> FollowUpVisit:
        visit = access_visit(request.user, pk, action="record", audit=False)
        if request.method == "GET":
            with transaction.atomic():
                audit_record(actor=request.user, action=AuditAction.VIEW, obj=visit, detail={"case": visit.case_id})
        return visit

    def _render(
        self, request: HttpRequest, visit: FollowUpVisit, form: VisitRecordForm, status: int = 200
    ) -> HttpResponse:
        return render(
            request,
            "reintegration/visit_record.html",
            {"visit": visit, "child": _child_card(visit), "form": form, "today": timezone.localdate()},
            status=status,
        )

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        visit = self._visit(request, pk)
        return self._render(request, visit, VisitRecordForm(initial={"completed_on": timezone.localdate()}))

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        visit = self._visit(request, pk)
        form = VisitRecordForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.visit_record(
                    visit=visit,
                    by=_me(request),
                    status=data["status"],
                    completed_on=data["completed_on"],
                    outcome=data["outcome"],
                    outcome_notes=data["outcome_notes"],
                    next_steps=data["next_steps"],
                    next_visit_on=data["next_visit_on"],
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Visit recorded."))
                return redirect("reintegration:visit_detail", pk=visit.pk)
        return self._render(request, visit, form, status=400)


class VisitAssignView(LoginRequiredMixin, View):
    """Give a visit to someone else, move its date, or cancel it."""

    def _visit(self, request: HttpRequest, pk: int) -> FollowUpVisit:
        return access_visit(request.user, pk, action="plan", audit=request.method == "GET")

    def _render(
        self, request: HttpRequest, visit: FollowUpVisit, form: Any, cancel_form: Any, status: int = 200
    ) -> HttpResponse:
        return render(
            request,
            "reintegration/visit_assign.html",
            {"visit": visit, "form": form, "cancel_form": cancel_form, "child": _child_card(visit)},
            status=status,
        )

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        visit = self._visit(request, pk)
        form = VisitAssignForm(
            visitors=_workers(visit.case), initial={"assigned_to": visit.assigned_to_id, "due_date": visit.due_date}
        )
        return self._render(request, visit, form, VisitCancelForm())

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        visit = self._visit(request, pk)
        form: Any = VisitAssignForm(visitors=_workers(visit.case))
        cancel_form: Any = VisitCancelForm()
        try:
            if request.POST.get("action") == "cancel":
                cancel_form = VisitCancelForm(request.POST)
                if cancel_form.is_valid():
                    services.visit_cancel(visit=visit, by=_me(request), reason=cancel_form.cleaned_data["reason"])
                    messages.info(request, _("Visit cancelled."))
                    return redirect("reintegration:visit_detail", pk=visit.pk)
            else:
                form = VisitAssignForm(request.POST, visitors=_workers(visit.case))
                if form.is_valid():
                    services.visit_assign(
                        visit=visit,
                        by=_me(request),
                        assigned_to=form.cleaned_data["assigned_to"],
                        due_date=form.cleaned_data["due_date"],
                    )
                    messages.success(request, _("Visit saved."))
                    return redirect("reintegration:visit_detail", pk=visit.pk)
        except ValidationError as error:
            add_service_errors(cancel_form if request.POST.get("action") == "cancel" else form, error)
        return self._render(request, visit, form, cancel_form, status=400)


# --- coverage ------------------------------------------------------------------------------------


class CoverageView(LoginRequiredMixin, View):
    def get(self, request: HttpRequest) -> HttpResponse:
        require_perm(request.user, Perm.FIGURES_EXACT)
        by = request.GET.get("by", "district")
        table = coverage_module.coverage(user=request.user, by=by)
        return render(
            request,
            "reintegration/coverage.html",
            {
                "table": table,
                "indicators": coverage_module.INDICATORS,
                "can_drill": has_perm(request.user, Perm.SERVICE_VIEW),
            },
        )


class CoverageChildrenView(LoginRequiredMixin, View):
    """The children behind one figure of the dashboard."""

    def get(self, request: HttpRequest) -> HttpResponse:
        require_perm(request.user, Perm.SERVICE_VIEW)
        indicator = request.GET.get("indicator", "")
        indicators = {i.key: i for i in coverage_module.INDICATORS}
        if indicator not in indicators:
            raise Http404
        met_param = request.GET.get("met", "")
        met = {"1": True, "0": False}.get(met_param)
        by = request.GET.get("by", "")
        group = request.GET.get("group") if "group" in request.GET else None
        children = coverage_module.coverage_drill(user=request.user, indicator=indicator, met=met, by=by, group=group)
        page = Paginator(children, PAGE_SIZE).get_page(request.GET.get("page"))
        rows = list(page.object_list)
        audit_list(request.user, [c.case.pk for c in rows], object_type=AUDIT_CASE, purpose="coverage")
        return render(
            request,
            "reintegration/coverage_children.html",
            {
                "indicator": indicators[indicator],
                "met": met,
                "by": by,
                "group": group,
                "page": page,
                "children": rows,
            },
        )


# --- configuration -------------------------------------------------------------------------------


class ScheduleListView(LoginRequiredMixin, View):
    def get(self, request: HttpRequest) -> HttpResponse:
        require_perm(request.user, Perm.SCHEDULE_MANAGE)
        items = list(selectors.schedule_items())
        return render(
            request,
            "reintegration/schedule_list.html",
            {
                "items": items,
                "examples": sum(1 for i in items if i.is_example and i.is_active),
                "templates": list(FollowUpTemplate.objects.order_by("-is_default", "name")),
            },
        )


class ScheduleItemEditView(LoginRequiredMixin, View):
    def _item(self, pk: int | None) -> VaccineScheduleItem | None:
        if pk is None:
            return None
        item = VaccineScheduleItem.objects.select_related("vaccine").filter(pk=pk).first()
        if item is None:
            raise Http404
        return item

    def _render(self, request: HttpRequest, item: Any, form: ScheduleItemForm, status: int = 200) -> HttpResponse:
        return render(request, "reintegration/schedule_form.html", {"item": item, "form": form}, status=status)

    def get(self, request: HttpRequest, pk: int | None = None) -> HttpResponse:
        require_perm(request.user, Perm.SCHEDULE_MANAGE)
        item = self._item(pk)
        initial: dict[str, Any] = {"is_active": True}
        if item is not None:
            initial = {
                "vaccine": item.vaccine_id,
                "dose_number": item.dose_number,
                "recommended_age_days": item.recommended_age_days,
                "minimum_age_days": item.minimum_age_days,
                "minimum_interval_days": item.minimum_interval_days,
                "maximum_age_days": item.maximum_age_days,
                "is_active": item.is_active,
                "notes": item.notes,
            }
        return self._render(request, item, ScheduleItemForm(initial=initial))

    def post(self, request: HttpRequest, pk: int | None = None) -> HttpResponse:
        require_perm(request.user, Perm.SCHEDULE_MANAGE)
        item = self._item(pk)
        form = ScheduleItemForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.schedule_item_save(
                    by=_me(request),
                    item=item,
                    vaccine=data["vaccine"],
                    dose_number=data["dose_number"],
                    recommended_age_days=data["recommended_age_days"],
                    minimum_age_days=data["minimum_age_days"],
                    minimum_interval_days=data["minimum_interval_days"],
                    maximum_age_days=data["maximum_age_days"],
                    is_active=data["is_active"],
                    notes=data["notes"],
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Schedule saved."))
                return redirect("reintegration:schedule_list")
        return self._render(request, item, form, status=400)


class TemplateEditView(LoginRequiredMixin, View):
    def _template(self, pk: int | None) -> FollowUpTemplate | None:
        if pk is None:
            return None
        template = FollowUpTemplate.objects.filter(pk=pk).first()
        if template is None:
            raise Http404
        return template

    def _render(self, request: HttpRequest, template: Any, form: TemplateForm, status: int = 200) -> HttpResponse:
        return render(request, "reintegration/template_form.html", {"template": template, "form": form}, status=status)

    def get(self, request: HttpRequest, pk: int | None = None) -> HttpResponse:
        require_perm(request.user, Perm.SCHEDULE_MANAGE)
        template = self._template(pk)
        initial: dict[str, Any] = {"is_active": True}
        if template is not None:
            initial = {
                "name": template.name,
                "months_after_arrival": ", ".join(str(m) for m in template.months_after_arrival),
                "is_default": template.is_default,
                "is_active": template.is_active,
            }
        return self._render(request, template, TemplateForm(initial=initial))

    def post(self, request: HttpRequest, pk: int | None = None) -> HttpResponse:
        require_perm(request.user, Perm.SCHEDULE_MANAGE)
        template = self._template(pk)
        form = TemplateForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.template_save(
                    by=_me(request),
                    template=template,
                    name=data["name"],
                    months_after_arrival=data["months_after_arrival"],
                    is_default=data["is_default"],
                    is_active=data["is_active"],
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Follow-up template saved."))
                return redirect("reintegration:schedule_list")
        return self._render(request, template, form, status=400)
