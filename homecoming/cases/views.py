"""The case pages. Each view: one access check (``core.access``), one service or selector, render.

Out of scope answers 404, a missing permission 403 (``access_case`` decides both). Pages that
show a case write the read entry of the audit trail; lists write one entry for the ids shown.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _
from django.views import View
from django_htmx.http import HttpResponseClientRedirect

from homecoming.accounts.models import Agency
from homecoming.audit.models import AuditAction
from homecoming.audit.services import audit_record
from homecoming.cases import selectors, services
from homecoming.cases.choices import CONSENT_STAGES, MAIN_PATH, ApprovalStatus, CaseStage, needs_approval
from homecoming.cases.forms import (
    ApprovalDecisionForm,
    AssessmentForm,
    CaseCreateForm,
    CaseEditForm,
    ConsentForm,
    ConsentWithdrawForm,
    TransitionForm,
)
from homecoming.cases.models import ApprovalRequest, Case, Consent
from homecoming.cases.rules import has_valid_repatriation_consent
from homecoming.core.access import (
    Perm,
    Scope,
    access_case,
    access_person,
    agencies_with,
    audit_list,
    cases_visible_to,
    require_perm,
)
from homecoming.core.forms import add_service_errors

CASE_TABS: tuple[tuple[str, Any], ...] = (
    ("case", _("Case")),
    ("assessments", _("Assessments")),
    ("consent", _("Consent")),
    ("history", _("History")),
    ("approvals", _("Approvals")),
)
PAGE_SIZE = 25


def _is_htmx(request: HttpRequest) -> bool:
    return bool(getattr(request, "htmx", False))


def _audit_case_view(user: Any, case: Case) -> None:
    with transaction.atomic():
        audit_record(actor=user, action=AuditAction.VIEW, obj=case)


def _case_for(request: HttpRequest, pk: int, action: str) -> Case:
    """The case if the user may ``action`` it (404/403 otherwise); a GET also writes the read entry."""
    case = access_case(request.user, pk, action=action, audit=False)
    if request.method == "GET":
        _audit_case_view(request.user, case)
    return case


def _done(request: HttpRequest, url: str) -> HttpResponse:
    """After a successful write: a client redirect for HTMX, an ordinary one otherwise."""
    if _is_htmx(request):
        return HttpResponseClientRedirect(url)
    return HttpResponseRedirect(url)


def _person_url(person_id: int) -> str:
    try:
        return reverse("registry:person_detail", kwargs={"pk": person_id})
    except NoReverseMatch:
        return ""


# --- list --------------------------------------------------------------------------------------


class CaseListView(LoginRequiredMixin, View):
    def get(self, request: HttpRequest) -> HttpResponse:
        require_perm(request.user, Perm.CASE_VIEW)
        filterset = selectors.case_filterset(user=request.user, data=request.GET or None)
        page = Paginator(filterset.qs, PAGE_SIZE).get_page(request.GET.get("page"))
        rows = list(page.object_list)
        audit_list(request.user, rows, object_type="cases.case")
        return render(
            request,
            "cases/case_list.html",
            {
                "filter": filterset,
                "page": page,
                "cases": rows,
                "filtered": any(v for k, v in request.GET.items() if k != "page"),
                "pending_approvals": (
                    selectors.approval_list(user=request.user).count()
                    if agencies_with(request.user, Perm.CASE_APPROVE, Scope.AGENCY)
                    else 0
                ),
            },
        )


# --- one case ---------------------------------------------------------------------------------


class CaseDetailView(LoginRequiredMixin, View):
    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        case = access_case(request.user, pk)  # audited read
        tab = request.GET.get("tab", "case")
        if tab not in dict(CASE_TABS):
            tab = "case"
        context = self.tab_context(request, case, tab)
        if _is_htmx(request) and request.headers.get("HX-Target") == "case-tab-panel":
            return render(request, f"cases/_tab_{tab}.html", context)
        context.update(self.page_context(request, case))
        return render(request, "cases/case_detail.html", context)

    def page_context(self, request: HttpRequest, case: Case) -> dict[str, Any]:
        moves = selectors.case_next_moves(case=case)
        consent_missing = case.stage in CONSENT_STAGES and not has_valid_repatriation_consent(case)
        anchor = case.stage if case.stage in MAIN_PATH else case.held_from_stage
        index = MAIN_PATH.index(CaseStage(anchor)) if anchor else None
        return {
            "moves": moves,
            "pending": selectors.pending_approval(case=case),
            "consent_missing": consent_missing,
            "main_path": [
                {
                    "stage": stage,
                    "state": "todo" if index is None or i > index else ("current" if i == index else "done"),
                }
                for i, stage in enumerate(MAIN_PATH)
            ],
            "counts": selectors.case_tab_counts(case=case),
        }

    def tab_context(self, request: HttpRequest, case: Case, tab: str) -> dict[str, Any]:
        context: dict[str, Any] = {
            "case": case,
            "tab": tab,
            "tabs": CASE_TABS,
            "can": selectors.case_abilities(user=request.user, case=case),
            "person_url": _person_url(case.person_id),
        }
        if tab == "assessments":
            context["assessments"] = list(selectors.case_assessments(case=case))
        elif tab == "consent":
            context["consents"] = list(selectors.case_consents(case=case))
        elif tab == "history":
            context["transitions"] = list(selectors.case_history(case=case))
        elif tab == "approvals":
            context["approvals"] = list(selectors.case_approvals(case=case))
        return context


class CaseCreateView(LoginRequiredMixin, View):
    """Open a case for a person (``?person=<id>``)."""

    def _person(self, request: HttpRequest) -> Any:
        require_perm(request.user, Perm.CASE_CHANGE)
        person_id = request.GET.get("person") or request.POST.get("person")
        if not person_id:
            raise Http404
        return access_person(request.user, person_id, audit=request.method == "GET")

    def _form(self, request: HttpRequest, person: Any, data: Any = None) -> CaseCreateForm:
        agency_ids = agencies_with(request.user, Perm.CASE_CHANGE, Scope.AGENCY)
        agencies = Agency.objects.filter(pk__in=agency_ids, is_active=True).order_by("name")
        initial_agency = person.owner_agency_id if person.owner_agency_id in agency_ids else None
        return CaseCreateForm(
            data,
            initial={"person": person.pk, "owner_agency": initial_agency},
            agencies=agencies,
            assignable=selectors.assignable_users(agency_ids=agency_ids),
        )

    def _render(self, request: HttpRequest, person: Any, form: CaseCreateForm, status: int = 200) -> HttpResponse:
        open_case = cases_visible_to(request.user).filter(person=person).exclude(stage=CaseStage.CLOSED).first()
        return render(
            request,
            "cases/case_form.html",
            {"person": person, "form": form, "open_case": open_case, "person_url": _person_url(person.pk)},
            status=status,
        )

    def get(self, request: HttpRequest) -> HttpResponse:
        person = self._person(request)
        return self._render(request, person, self._form(request, person))

    def post(self, request: HttpRequest) -> HttpResponse:
        person = self._person(request)
        form = self._form(request, person, request.POST)
        if form.is_valid():
            try:
                case = services.case_open(
                    person=person,
                    owner_agency=form.cleaned_data["owner_agency"],
                    assigned_to=form.cleaned_data["assigned_to"],
                    priority=form.cleaned_data["priority"],
                    summary=form.cleaned_data["summary"],
                    by=request.user,  # type: ignore[arg-type]
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Case %(ref)s opened.") % {"ref": case.reference})
                return redirect(case)
        return self._render(request, person, form, status=400)


class CaseEditView(LoginRequiredMixin, View):
    def _form(self, case: Case, data: Any = None) -> CaseEditForm:
        return CaseEditForm(
            data,
            initial={"assigned_to": case.assigned_to_id, "priority": case.priority, "summary": case.summary},
            assignable=selectors.assignable_users(agency_ids={case.owner_agency_id}),
        )

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        case = _case_for(request, pk, "change")
        return render(request, "cases/case_edit.html", {"case": case, "form": self._form(case)})

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        case = _case_for(request, pk, "change")
        form = self._form(case, request.POST)
        if form.is_valid():
            try:
                services.case_update(
                    case=case,
                    by=request.user,  # type: ignore[arg-type]
                    assigned_to=form.cleaned_data["assigned_to"],
                    priority=form.cleaned_data["priority"],
                    summary=form.cleaned_data["summary"],
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Case %(ref)s saved.") % {"ref": case.reference})
                return redirect(case)
        return render(request, "cases/case_edit.html", {"case": case, "form": form}, status=400)


# --- stage moves -----------------------------------------------------------------------------


class CaseTransitionView(LoginRequiredMixin, View):
    """Ask for the reason of a move, then make it, or request approval when it needs one."""

    def _render(self, request: HttpRequest, case: Case, form: TransitionForm, status: int = 200) -> HttpResponse:
        to_stage = form["to_stage"].value()
        context = {
            "case": case,
            "form": form,
            "to_stage": CaseStage(to_stage) if to_stage in CaseStage.values else None,
            "approval_needed": bool(to_stage in CaseStage.values and needs_approval(case.stage, to_stage)),
            "modal": _is_htmx(request),
        }
        if _is_htmx(request):
            # HTMX swaps only successful answers: a form with errors comes back as 200.
            return render(request, "cases/_transition_form.html", context)
        return render(request, "cases/case_transition.html", context, status=status)

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        case = _case_for(request, pk, "transition")
        moves = selectors.case_next_moves(case=case)
        form = TransitionForm(initial={"to_stage": request.GET.get("to", "")}, moves=moves)
        return self._render(request, case, form)

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        case = _case_for(request, pk, "transition")
        form = TransitionForm(request.POST, moves=selectors.case_next_moves(case=case))
        if form.is_valid():
            to_stage = form.cleaned_data["to_stage"]
            reason = form.cleaned_data["reason"]
            try:
                if needs_approval(case.stage, to_stage):
                    services.approval_request(case=case, to_stage=to_stage, by=request.user, reason=reason)  # type: ignore[arg-type]
                    messages.success(
                        request,
                        _(
                            "Approval requested: a manager other than you must approve the move to “%(stage)s”. "
                            "The case stays where it is until then."
                        )
                        % {"stage": CaseStage(to_stage).label},
                    )
                else:
                    services.case_transition(case=case, to_stage=to_stage, by=request.user, reason=reason)  # type: ignore[arg-type]
                    messages.success(
                        request, _("The case moved to “%(stage)s”.") % {"stage": CaseStage(to_stage).label}
                    )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                return _done(request, case.get_absolute_url())
        return self._render(request, case, form, status=400)


# --- assessments and consent ---------------------------------------------------------------------


class AssessmentCreateView(LoginRequiredMixin, View):
    def _form(self, request: HttpRequest, case: Case, data: Any = None) -> AssessmentForm:
        return AssessmentForm(
            data,
            initial={"assessor": request.user.pk},
            assessors=selectors.assignable_users(agency_ids={case.owner_agency_id}),
        )

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        case = _case_for(request, pk, "assess")
        return render(request, "cases/assessment_form.html", {"case": case, "form": self._form(request, case)})

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        case = _case_for(request, pk, "assess")
        form = self._form(request, case, request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.assessment_record(
                    case=case,
                    by=request.user,  # type: ignore[arg-type]
                    kind=data["kind"],
                    assessed_on=data["assessed_on"],
                    outcome=data["outcome"],
                    reasons=data["reasons"],
                    assessor=data["assessor"],
                    assessor_name=data["assessor_name"],
                    assessor_role=data["assessor_role"],
                    recommendations=data["recommendations"],
                    round_label=data["round_label"],
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Assessment recorded."))
                return redirect(f"{case.get_absolute_url()}?tab=assessments")
        return render(request, "cases/assessment_form.html", {"case": case, "form": form}, status=400)


class ConsentCreateView(LoginRequiredMixin, View):
    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        case = _case_for(request, pk, "consent")
        return render(request, "cases/consent_form.html", {"case": case, "form": ConsentForm(user=request.user)})

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        case = _case_for(request, pk, "consent")
        form = ConsentForm(request.POST, request.FILES, user=request.user)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.consent_record(
                    case=case,
                    by=request.user,  # type: ignore[arg-type]
                    given_by_relation=data["given_by_relation"],
                    given_by_name=data["given_by_name"],
                    given_by_person=data["given_by_person"],
                    scopes=data["scopes"],
                    given_on=data["given_on"],
                    witness_name=data["witness_name"],
                    interpreter_name=data["interpreter_name"],
                    language=data["language"],
                    document=data["document"] or None,
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Consent recorded."))
                return redirect(f"{case.get_absolute_url()}?tab=consent")
        return render(request, "cases/consent_form.html", {"case": case, "form": form}, status=400)


def _consent_of(case: Case, pk: int) -> Consent:
    consent = Consent.objects.filter(case=case, pk=pk).first()
    if consent is None:
        raise Http404
    return consent


class ConsentWithdrawView(LoginRequiredMixin, View):
    def _render(self, request: HttpRequest, case: Case, consent: Consent, form: Any, status: int = 200) -> HttpResponse:
        return render(
            request, "cases/consent_withdraw.html", {"case": case, "consent": consent, "form": form}, status=status
        )

    def get(self, request: HttpRequest, case_pk: int, pk: int) -> HttpResponse:
        case = _case_for(request, case_pk, "consent")
        return self._render(request, case, _consent_of(case, pk), ConsentWithdrawForm())

    def post(self, request: HttpRequest, case_pk: int, pk: int) -> HttpResponse:
        case = _case_for(request, case_pk, "consent")
        consent = _consent_of(case, pk)
        form = ConsentWithdrawForm(request.POST)
        if form.is_valid():
            try:
                services.consent_withdraw(
                    consent=consent,
                    by=request.user,  # type: ignore[arg-type]
                    withdrawn_on=form.cleaned_data["withdrawn_on"],
                    reason=form.cleaned_data["reason"],
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.warning(request, _("The consent is recorded as withdrawn; it no longer counts."))
                return redirect(f"{case.get_absolute_url()}?tab=consent")
        return self._render(request, case, consent, form, status=400)


class ConsentDocumentView(LoginRequiredMixin, View):
    """The signed consent, served only here: access-checked and audited, never cached."""

    def get(self, request: HttpRequest, case_pk: int, pk: int) -> FileResponse:
        case = access_case(request.user, case_pk, audit=False)
        consent = _consent_of(case, pk)
        if not consent.document:
            raise Http404
        with transaction.atomic():
            audit_record(
                actor=request.user,
                action=AuditAction.VIEW,
                obj=consent,
                changed_fields=["document"],
                detail={"case": case.pk, "document_sha256": consent.document_sha256},
            )
        try:
            handle = consent.document.open("rb")
        except FileNotFoundError:
            raise Http404 from None
        extension = consent.document.name.rsplit(".", 1)[-1]
        response = FileResponse(
            handle,
            content_type=consent.document_content_type or "application/octet-stream",
            as_attachment=request.GET.get("download") == "1",
            filename=f"consent-{case.reference}-{consent.pk}.{extension}",
        )
        response["Cache-Control"] = "private, no-store"
        response["X-Content-Type-Options"] = "nosniff"
        return response


# --- approvals -----------------------------------------------------------------------------------


class ApprovalListView(LoginRequiredMixin, View):
    def get(self, request: HttpRequest) -> HttpResponse:
        require_perm(request.user, Perm.CASE_APPROVE)
        pending = list(selectors.approval_list(user=request.user))
        decided = list(
            selectors.approval_list(user=request.user, status="").exclude(status=ApprovalStatus.PENDING)[:20]
        )
        audit_list(request.user, {a.case_id for a in pending + decided}, object_type="cases.case")
        return render(
            request,
            "cases/approval_list.html",
            {"pending": pending, "decided": decided, "form": ApprovalDecisionForm()},
        )


class ApprovalDecideView(LoginRequiredMixin, View):
    def _request(self, request: HttpRequest, pk: int) -> ApprovalRequest:
        approval = (
            ApprovalRequest.objects.filter(pk=pk, case__in=cases_visible_to(request.user).values("pk"))
            .select_related("case", "case__person", "requested_by", "decided_by")
            .first()
        )
        if approval is None:
            raise Http404
        access_case(request.user, approval.case_id, action="approve", audit=False)
        if request.method == "GET":
            _audit_case_view(request.user, approval.case)
        return approval

    def _render(self, request: HttpRequest, approval: ApprovalRequest, form: Any, status: int = 200) -> HttpResponse:
        return render(
            request,
            "cases/approval_decide.html",
            {
                "approval": approval,
                "case": approval.case,
                "form": form,
                "own_request": approval.requested_by_id == request.user.pk,
            },
            status=status,
        )

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        approval = self._request(request, pk)
        return self._render(request, approval, ApprovalDecisionForm())

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        approval = self._request(request, pk)
        form = ApprovalDecisionForm(request.POST)
        if form.is_valid():
            try:
                services.approval_decide(
                    request=approval,
                    by=request.user,  # type: ignore[arg-type]
                    approve=form.approve,
                    note=form.cleaned_data["note"],
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                if form.approve:
                    messages.success(
                        request,
                        _("Approved: case %(ref)s moved to “%(stage)s”.")
                        % {"ref": approval.case.reference, "stage": approval.get_to_stage_display()},
                    )
                else:
                    messages.info(request, _("Request for case %(ref)s rejected.") % {"ref": approval.case.reference})
                next_url = request.POST.get("next", "")
                if next_url == "case":
                    return redirect(approval.case)
                return redirect("cases:approval_list")
        return self._render(request, approval, form, status=400)
