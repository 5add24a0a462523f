"""Pages of operations and negotiations. Each view: one access check, one service or selector,
render. Out of scope answers 404, a missing permission 403 (``core.access``); persons are
named only where ``core.access`` lets the user see them, and every list of persons shown writes
one audit entry.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views import View

from homecoming.accounts.models import Agency
from homecoming.audit.models import AuditAction
from homecoming.audit.services import audit_record
from homecoming.cases.models import Case
from homecoming.core.access import (
    Perm,
    access_negotiation,
    access_operation,
    audit_list,
    cases_visible_to,
    has_perm,
    negotiations_visible_to,
    operation_change_agency_ids,
    operations_visible_to,
    persons_visible_to,
    require_perm,
)
from homecoming.core.forms import add_service_errors
from homecoming.operations import selectors, services
from homecoming.operations.choices import (
    ACTIVE_MANIFEST_STATUSES,
    MANIFEST_MOVES,
    OPERATION_MOVES,
    ManifestStatus,
    OperationStatus,
)
from homecoming.operations.forms import (
    ActionForm,
    ActionStatusForm,
    ArrivalForm,
    FeeForm,
    HandoverForm,
    LegForm,
    ManifestAddForm,
    ManifestStatusForm,
    NegotiationForm,
    OperationForm,
    OperationStatusForm,
)
from homecoming.operations.models import ManifestEntry, Negotiation, NegotiationAction, Operation, TransportLeg
from homecoming.operations.pdf import MANIFEST_TEMPLATE, html_to_pdf, manifest_html
from homecoming.registry.choices import ABROAD_KINDS
from homecoming.registry.models import CustodyRecord, FamilyGroupMember

PAGE_SIZE = 25

OPERATION_TABS: tuple[tuple[str, Any], ...] = (
    ("overview", _("Overview")),
    ("legs", _("Transport")),
    ("manifest", _("Manifest")),
    ("fees", _("Fees")),
    ("handovers", _("Handovers")),
    ("arrival", _("Arrival")),
)


def _by(request: HttpRequest) -> Any:
    return request.user


def _change_agencies(request: HttpRequest) -> Any:
    return Agency.objects.filter(pk__in=operation_change_agency_ids(request.user), is_active=True).order_by("name")


def _audit_persons(request: HttpRequest, case_ids: list[int], purpose: str) -> None:
    audit_list(request.user, case_ids, object_type="cases.case", purpose=purpose)


# --- operations: list, create, detail, edit ------------------------------------------------------------


class OperationListView(LoginRequiredMixin, View):
    def get(self, request: HttpRequest) -> HttpResponse:
        require_perm(request.user, Perm.OPERATION_VIEW)
        status = request.GET.get("status", "")
        if status not in OperationStatus.values:
            status = ""
        q = request.GET.get("q", "").strip()[:200]
        page = Paginator(selectors.operation_list(user=request.user, status=status, q=q), PAGE_SIZE).get_page(
            request.GET.get("page")
        )
        return render(
            request,
            "operations/operation_list.html",
            {
                "page": page,
                "operations": list(page.object_list),
                "status": status,
                "q": q,
                "statuses": OperationStatus.choices,
                "filtered": bool(status or q),
                "can_create": has_perm(request.user, Perm.OPERATION_CHANGE)
                and bool(operation_change_agency_ids(request.user)),
            },
        )


def _operation_form_values(form: OperationForm) -> dict[str, Any]:
    data = form.cleaned_data
    return {
        "name": data["name"],
        "origin_country": data["origin_country"],
        "origin_place": data["origin_place"],
        "released_by": data["released_by"],
        "destination_country": data["destination_country"],
        "destination_place": data["destination_place"],
        "planned_start": data["planned_start"],
        "planned_end": data["planned_end"],
        "origin_facilities": list(data["origin_facilities"]),
        "partner_agencies": list(data["partner_agencies"]),
        "other_partners": data["other_partners"],
        "escorts": data["escorts"],
        "notes": data["notes"],
    }


class OperationCreateView(LoginRequiredMixin, View):
    def _render(self, request: HttpRequest, form: OperationForm, status: int = 200) -> HttpResponse:
        return render(request, "operations/operation_form.html", {"form": form, "operation": None}, status=status)

    def get(self, request: HttpRequest) -> HttpResponse:
        require_perm(request.user, Perm.OPERATION_CHANGE)
        agencies = _change_agencies(request)
        return self._render(
            request,
            OperationForm(agencies=agencies, initial={"owner_agency": agencies.first(), "destination_country": "TJK"}),
        )

    def post(self, request: HttpRequest) -> HttpResponse:
        require_perm(request.user, Perm.OPERATION_CHANGE)
        form = OperationForm(request.POST, agencies=_change_agencies(request))
        if form.is_valid():
            try:
                operation = services.operation_create(
                    by=_by(request), owner_agency=form.cleaned_data["owner_agency"], **_operation_form_values(form)
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Operation “%(name)s” planned.") % {"name": operation.name})
                return redirect(operation)
        return self._render(request, form, status=400)


class OperationDetailView(LoginRequiredMixin, View):
    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        operation = access_operation(request.user, pk)  # audited read
        tab = request.GET.get("tab", "overview")
        if tab not in dict(OPERATION_TABS):
            tab = "overview"
        can_change = operations_visible_to(request.user, Perm.OPERATION_CHANGE).filter(pk=operation.pk).exists()
        context: dict[str, Any] = {
            "operation": operation,
            "tab": tab,
            "tabs": OPERATION_TABS,
            "can_change": can_change,
            "counts": selectors.manifest_counts(operation=operation),
            "reconciliation": selectors.operation_reconciliation(operation=operation),
            "moves": [s for s in OPERATION_MOVES[OperationStatus(operation.status)] if s != OperationStatus.COMPLETED],
            "is_open": operation.status in (OperationStatus.PLANNING, OperationStatus.APPROVED),
        }
        if tab == "overview":
            context["legs"] = list(operation.legs.all())
            context["facilities"] = list(operation.origin_facilities.all())
            context["partners"] = list(operation.partner_agencies.all())
            context["negotiations"] = list(operation.negotiations.filter(pk__in=negotiations_visible_to(request.user)))
        elif tab == "legs":
            context["legs"] = list(operation.legs.all())
            context["leg_form"] = LegForm(
                initial={
                    "from_country": operation.origin_country,
                    "to_country": operation.destination_country,
                    "from_place": operation.origin_place,
                    "to_place": operation.destination_place,
                }
            )
        elif tab == "manifest":
            groups = selectors.operation_manifest(operation=operation, user=request.user)
            context["groups"] = groups
            context["hidden_rows"] = sum(1 for g in groups for r in g.rows if not r.visible)
            context["status_choices"] = [(s.value, s.label) for s in ManifestStatus if s != ManifestStatus.ARRIVED]
            context["entry_moves"] = {k.value: sorted(v) for k, v in MANIFEST_MOVES.items()}
            _audit_persons(
                request,
                [r.entry.case_id for g in groups for r in g.rows if r.visible],
                "operation manifest",
            )
        elif tab == "fees":
            context["fees"] = selectors.operation_fees(operation=operation, user=request.user)
            audit_list(
                request.user,
                sorted({f.person_id for f in context["fees"].entries if f.person_id}),
                object_type="registry.person",
                purpose="operation fees",
            )
        elif tab == "handovers":
            handovers = list(operation.handovers.select_related("case__person"))
            visible = set(
                cases_visible_to(request.user)
                .filter(pk__in=[h.case_id for h in handovers])
                .values_list("pk", flat=True)
            )
            context["handovers"] = [(h, h.case_id in visible) for h in handovers]
            _audit_persons(request, sorted(visible), "operation handovers")
        elif tab == "arrival":
            groups = selectors.operation_manifest(operation=operation, user=request.user)
            context["groups"] = groups
            _audit_persons(
                request,
                [r.entry.case_id for g in groups for r in g.rows if r.visible],
                "operation arrival",
            )
        return render(request, "operations/operation_detail.html", context)


class OperationEditView(LoginRequiredMixin, View):
    def _form(self, request: HttpRequest, operation: Operation, data: Any = None) -> OperationForm:
        initial = {
            "name": operation.name,
            "owner_agency": operation.owner_agency_id,
            "origin_country": operation.origin_country,
            "origin_place": operation.origin_place,
            "origin_facilities": list(operation.origin_facilities.values_list("pk", flat=True)),
            "released_by": operation.released_by,
            "destination_country": operation.destination_country,
            "destination_place": operation.destination_place,
            "planned_start": operation.planned_start,
            "planned_end": operation.planned_end,
            "partner_agencies": list(operation.partner_agencies.values_list("pk", flat=True)),
            "other_partners": operation.other_partners,
            "escorts": operation.escorts,
            "notes": operation.notes,
        }
        form = OperationForm(data, initial=initial, agencies=Agency.objects.filter(pk=operation.owner_agency_id))
        form.fields["owner_agency"].disabled = True
        return form

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        operation = access_operation(request.user, pk, action="change")
        return render(
            request, "operations/operation_form.html", {"form": self._form(request, operation), "operation": operation}
        )

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        operation = access_operation(request.user, pk, action="change")
        form = self._form(request, operation, request.POST)
        if form.is_valid():
            try:
                services.operation_update(operation=operation, by=_by(request), **_operation_form_values(form))
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Operation saved."))
                return redirect(operation)
        return render(request, "operations/operation_form.html", {"form": form, "operation": operation}, status=400)


class OperationStatusView(LoginRequiredMixin, View):
    def _render(
        self, request: HttpRequest, operation: Operation, form: OperationStatusForm, status: int = 200
    ) -> HttpResponse:
        return render(
            request, "operations/operation_status.html", {"operation": operation, "form": form}, status=status
        )

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        operation = access_operation(request.user, pk, action="change")
        return self._render(request, operation, OperationStatusForm(initial={"to_status": request.GET.get("to", "")}))

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        operation = access_operation(request.user, pk, action="change")
        form = OperationStatusForm(request.POST)
        if form.is_valid():
            try:
                updated = services.operation_set_status(
                    operation=operation,
                    to_status=form.cleaned_data["to_status"],
                    by=_by(request),
                    reason=form.cleaned_data["reason"],
                    on=form.cleaned_data["on"],
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(
                    request, _("The operation is now %(status)s.") % {"status": updated.get_status_display()}
                )
                return redirect(operation)
        return self._render(request, operation, form, status=400)


# --- transport legs -------------------------------------------------------------------------------------


class LegCreateView(LoginRequiredMixin, View):
    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        operation = access_operation(request.user, pk, action="change")
        return redirect(reverse("operations:operation_detail", kwargs={"pk": operation.pk}) + "?tab=legs")

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        operation = access_operation(request.user, pk, action="change")
        form = LegForm(request.POST)
        if form.is_valid():
            try:
                services.leg_add(operation=operation, by=_by(request), **form.cleaned_data)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Transport leg added."))
                return redirect(reverse("operations:operation_detail", kwargs={"pk": operation.pk}) + "?tab=legs")
        return render(
            request,
            "operations/operation_detail.html",
            {
                "operation": operation,
                "tab": "legs",
                "tabs": OPERATION_TABS,
                "can_change": True,
                "legs": list(operation.legs.all()),
                "leg_form": form,
                "counts": selectors.manifest_counts(operation=operation),
                "reconciliation": selectors.operation_reconciliation(operation=operation),
                "is_open": operation.status in (OperationStatus.PLANNING, OperationStatus.APPROVED),
            },
            status=400,
        )


class LegDeleteView(LoginRequiredMixin, View):
    def post(self, request: HttpRequest, pk: int, leg_pk: int) -> HttpResponse:
        operation = access_operation(request.user, pk, action="change")
        leg = TransportLeg.objects.filter(operation=operation, pk=leg_pk).first()
        if leg is None:
            raise Http404
        try:
            services.leg_remove(leg=leg, by=_by(request))
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Transport leg removed."))
        return redirect(reverse("operations:operation_detail", kwargs={"pk": operation.pk}) + "?tab=legs")


# --- the manifest ----------------------------------------------------------------------------------------


def _candidate_label(candidate: selectors.Candidate) -> str:
    person = candidate.case.person
    name = candidate.names.original if candidate.names else person.display_name
    latin = candidate.names.romanised if candidate.names and candidate.names.romanised != name else ""
    # The name is isolated (FSI ... PDI) so that an Arabic name does not turn the line around.
    parts = ["\u2068" + name + "\u2069" + (f" ({latin})" if latin else "")]
    if person.birth_date:
        parts.append(str(person.birth_date.year))
    if candidate.group:
        parts.append(str(_("family group: %(group)s") % {"group": candidate.group}))
    if not candidate.held_in_origin:
        parts.append(str(_("not held in the origin country")))
    return " · ".join(parts)


class ManifestAddView(LoginRequiredMixin, View):
    def _context(
        self, request: HttpRequest, operation: Operation, form: ManifestAddForm | None = None
    ) -> dict[str, Any]:
        candidates = selectors.manifest_candidates(operation=operation, user=request.user)
        choices = [(str(c.case.pk), _candidate_label(c)) for c in candidates]
        groups: dict[str, list[str]] = {}
        for c in candidates:
            if c.group:
                groups.setdefault(c.group, []).append(str(c.case.pk))
        return {
            "operation": operation,
            "form": form or ManifestAddForm(candidates=choices),
            "candidates": candidates,
            "choices": choices,
            "groups": groups,
            "candidate_ids": [c.case.pk for c in candidates],
        }

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        operation = access_operation(request.user, pk, action="change")
        context = self._context(request, operation)
        _audit_persons(request, context["candidate_ids"], "manifest candidates")
        return render(request, "operations/manifest_add.html", context)

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        operation = access_operation(request.user, pk, action="change")
        candidates = selectors.manifest_candidates(operation=operation, user=request.user)
        by_pk = {str(c.case.pk): c for c in candidates}
        # Cases the user may move but that cannot go on a manifest are offered too, so that the
        # service can say why (for example a case that is not approved yet).
        requested = request.POST.getlist("cases")
        extra = {
            str(c.pk): c
            for c in cases_visible_to(request.user, Perm.CASE_TRANSITION)
            .filter(pk__in=[v for v in requested if v.isdigit() and v not in by_pk])
            .select_related("person")
        }
        choices = [(k, _candidate_label(c)) for k, c in by_pk.items()] + [
            (k, c.person.display_name) for k, c in extra.items()
        ]
        form = ManifestAddForm(request.POST, candidates=choices)
        if form.is_valid():
            chosen: list[Case] = [by_pk[v].case if v in by_pk else extra[v] for v in form.cleaned_data["cases"]]
            label = form.cleaned_data["group_label"]
            group = None
            if not label:
                groups = FamilyGroupMember.objects.filter(person_id__in=[c.person_id for c in chosen]).select_related(
                    "group"
                )
                names = {m.group for m in groups}
                if len(names) == 1:
                    group = names.pop()
            try:
                entries = services.operation_manifest_add(
                    operation=operation, cases=chosen, by=_by(request), group_label=label, family_group=group
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(
                    request,
                    _("%(count)s people added to the manifest, family group “%(group)s”.")
                    % {"count": len(entries), "group": entries[0].group_label},
                )
                return redirect(reverse("operations:operation_detail", kwargs={"pk": operation.pk}) + "?tab=manifest")
        context = self._context(request, operation, form)
        return render(request, "operations/manifest_add.html", context, status=400)


def _manifest_url(operation: Operation) -> str:
    return reverse("operations:operation_detail", kwargs={"pk": operation.pk}) + "?tab=manifest"


class ManifestEntryStatusView(LoginRequiredMixin, View):
    def post(self, request: HttpRequest, pk: int, entry_pk: int) -> HttpResponse:
        operation = access_operation(request.user, pk, action="change")
        entry = (
            ManifestEntry.objects.filter(operation=operation, pk=entry_pk, case__in=cases_visible_to(request.user))
            .select_related("case__person")
            .first()
        )
        if entry is None:
            raise Http404
        form = ManifestStatusForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Choose a status (and give a reason to withdraw someone)."))
            return redirect(_manifest_url(operation))
        try:
            services.manifest_entry_set_status(
                entry=entry,
                to_status=form.cleaned_data["to_status"],
                by=_by(request),
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request,
                _("%(person)s: %(status)s.")
                % {"person": entry.case.person.display_name, "status": ManifestStatus(entry.status).label},
            )
        return redirect(_manifest_url(operation))


class ManifestGroupStatusView(LoginRequiredMixin, View):
    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        operation = access_operation(request.user, pk, action="change")
        form = ManifestStatusForm(request.POST)
        label = request.POST.get("group_label", "")
        if not form.is_valid() or not label:
            messages.error(request, _("Choose a status (and give a reason to withdraw someone)."))
            return redirect(_manifest_url(operation))
        try:
            entries = services.manifest_group_set_status(
                operation=operation,
                group_label=label,
                to_status=form.cleaned_data["to_status"],
                by=_by(request),
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request,
                _("Family group “%(group)s”: %(count)s people %(status)s.")
                % {
                    "group": label,
                    "count": len(entries),
                    "status": ManifestStatus(form.cleaned_data["to_status"]).label,
                },
            )
        return redirect(_manifest_url(operation))


class ManifestPrintView(LoginRequiredMixin, View):
    """The manifest as a PDF (WeasyPrint) for the crew and border officials: names as written and
    in Latin script, by family group, in the user's language. ``?format=html`` shows the same
    page in the browser. Either way the export is audited with the cases shown."""

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        operation = access_operation(request.user, pk, audit=False)
        as_html = request.GET.get("format") == "html"
        groups = selectors.operation_manifest(operation=operation, user=request.user)
        shown = [r.entry.case_id for g in groups for r in g.rows if r.visible]
        with transaction.atomic():
            audit_record(
                actor=request.user,
                action=AuditAction.EXPORT,
                obj=operation,
                object_ids=shown,
                purpose="printed manifest",
                detail={"cases": shown, "format": "html" if as_html else "pdf"},
            )
        context = {
            "operation": operation,
            "groups": [g for g in groups if any(r.entry.status != ManifestStatus.WITHDRAWN for r in g.rows)],
            "legs": list(operation.legs.all()),
            "printed_at": timezone.now(),
            "hidden_rows": sum(1 for g in groups for r in g.rows if not r.visible),
        }
        if as_html:
            return render(request, MANIFEST_TEMPLATE, context)
        pdf = html_to_pdf(manifest_html(request=request, context=context), base_url=request.build_absolute_uri("/"))
        response = HttpResponse(pdf, content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="manifest-{operation.reference}.pdf"'
        response["Cache-Control"] = "no-store"
        return response


# --- arrival ---------------------------------------------------------------------------------------------


class ArrivalView(LoginRequiredMixin, View):
    def _entries(self, request: HttpRequest, operation: Operation) -> list[ManifestEntry]:
        return list(
            ManifestEntry.objects.filter(
                operation=operation,
                status__in=ACTIVE_MANIFEST_STATUSES,
                case__in=cases_visible_to(request.user),
            )
            .select_related("case__person")
            .order_by("group_label", "id")
        )

    def _render(self, request: HttpRequest, operation: Operation, form: ArrivalForm, status: int = 200) -> HttpResponse:
        hidden = ManifestEntry.objects.filter(operation=operation, status__in=ACTIVE_MANIFEST_STATUSES).count() - len(
            form.entries
        )
        handed = set(operation.handovers.values_list("case_id", flat=True))
        rows = [
            {
                "entry": e,
                "arrived": form[f"arrived_{e.pk}"],
                "reason": form[f"reason_{e.pk}"],
                "handed_over": e.case_id in handed,
            }
            for e in form.entries
        ]
        return render(
            request,
            "operations/arrival_form.html",
            {"operation": operation, "form": form, "rows": rows, "hidden": hidden},
            status=status,
        )

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        operation = access_operation(request.user, pk, action="change")
        entries = self._entries(request, operation)
        _audit_persons(request, [e.case_id for e in entries], "arrival")
        form = ArrivalForm(entries=entries, initial={"arrived_on": operation.planned_end or timezone.localdate()})
        return self._render(request, operation, form)

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        operation = access_operation(request.user, pk, action="change")
        entries = self._entries(request, operation)
        form = ArrivalForm(request.POST, entries=entries)
        if form.is_valid():
            arrived = [e for e in entries if e.pk in form.arrived_ids()]
            try:
                result = services.operation_record_arrival(
                    operation=operation,
                    by=_by(request),
                    arrived_on=form.cleaned_data["arrived_on"],
                    arrived=arrived,
                    reasons=form.reasons(),
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(
                    request,
                    _("Arrival recorded: %(arrived)s arrived home, %(missing)s did not arrive, %(handed)s handed over.")
                    % {
                        "arrived": len(result.arrived),
                        "missing": len(result.not_arrived),
                        "handed": len(result.handed_over),
                    },
                )
                return redirect(reverse("operations:operation_detail", kwargs={"pk": operation.pk}) + "?tab=arrival")
        return self._render(request, operation, form, status=400)


# --- fees ------------------------------------------------------------------------------------------------


def _operation_persons(request: HttpRequest, operation: Operation) -> list[tuple[str, str]]:
    visible_cases = cases_visible_to(request.user)
    persons = (
        ManifestEntry.objects.filter(operation=operation, case__in=visible_cases)
        .exclude(status=ManifestStatus.WITHDRAWN)
        .select_related("case__person")
        .order_by("group_label", "id")
    )
    return [(str(e.case.person_id), f"{e.case.person.display_name} · {e.group_label}") for e in persons]


class FeeCreateView(LoginRequiredMixin, View):
    def _render(self, request: HttpRequest, operation: Operation, form: FeeForm, status: int = 200) -> HttpResponse:
        return render(request, "operations/fee_form.html", {"operation": operation, "form": form}, status=status)

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        operation = access_operation(request.user, pk, action="change")
        persons = _operation_persons(request, operation)
        audit_list(request.user, [int(p) for p, _n in persons], object_type="registry.person", purpose="fee form")
        form = FeeForm(
            persons=persons,
            initial={
                "paid_on": timezone.localdate(),
                "payee": operation.released_by,
                "payer": operation.owner_agency.name,
            },
        )
        return self._render(request, operation, form)

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        operation = access_operation(request.user, pk, action="change")
        persons_choices = _operation_persons(request, operation)
        form = FeeForm(request.POST, persons=persons_choices)
        if form.is_valid():
            data = form.cleaned_data
            chosen = list(persons_visible_to(request.user).filter(pk__in=[int(p) for p in data["persons"]]))
            common = {
                "operation": operation,
                "by": _by(request),
                "kind": data["kind"],
                "currency": data["currency"],
                "payer": data["payer"],
                "payee": data["payee"],
                "paid_on": data["paid_on"],
                "reference": data["reference"],
                "note": data["note"],
            }
            try:
                if chosen:
                    fees = services.fee_record_per_person(persons=chosen, amount_each=data["amount"], **common)
                else:
                    fees = [services.fee_record(amount=data["amount"], **common)]
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(
                    request,
                    _("%(count)s fee entries recorded, %(currency)s %(total)s in all.")
                    % {"count": len(fees), "currency": fees[0].currency, "total": sum(f.amount for f in fees)},
                )
                return redirect(reverse("operations:operation_detail", kwargs={"pk": operation.pk}) + "?tab=fees")
        return self._render(request, operation, form, status=400)


# --- handovers ---------------------------------------------------------------------------------------------


class HandoverCreateView(LoginRequiredMixin, View):
    def _cases(self, request: HttpRequest, operation: Operation) -> dict[str, Case]:
        entries = (
            ManifestEntry.objects.filter(
                operation=operation,
                status__in=ACTIVE_MANIFEST_STATUSES,
                case__in=cases_visible_to(request.user, Perm.CASE_TRANSITION),
            )
            .exclude(case__handovers__isnull=False)
            .select_related("case__person")
            .order_by("group_label", "id")
        )
        return {str(e.case_id): e.case for e in entries}

    def _form(self, cases: dict[str, Case], data: Any = None, initial: Any = None) -> HandoverForm:
        return HandoverForm(data, initial=initial, cases=[(k, c.person.display_name) for k, c in cases.items()])

    def _render(
        self, request: HttpRequest, operation: Operation, form: HandoverForm, status: int = 200
    ) -> HttpResponse:
        return render(request, "operations/handover_form.html", {"operation": operation, "form": form}, status=status)

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        operation = access_operation(request.user, pk, action="change")
        cases = self._cases(request, operation)
        _audit_persons(request, [c.pk for c in cases.values()], "handover form")
        return self._render(request, operation, self._form(cases, initial={"handed_over_at": timezone.now()}))

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        operation = access_operation(request.user, pk, action="change")
        cases = self._cases(request, operation)
        form = self._form(cases, request.POST)
        if form.is_valid():
            data = form.cleaned_data
            case = cases[data["case"]]
            try:
                services.handover_record(
                    operation=operation,
                    case=case,
                    by=_by(request),
                    receiving_country=data["receiving_country"],
                    receiving_authority=data["receiving_authority"],
                    place=data["place"],
                    handed_over_at=data["handed_over_at"],
                    our_officials=data["our_officials"],
                    their_officials=data["their_officials"],
                    note=data["note"],
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("%(person)s handed over.") % {"person": case.person.display_name})
                return redirect(reverse("operations:operation_detail", kwargs={"pk": operation.pk}) + "?tab=handovers")
        return self._render(request, operation, form, status=400)


# --- negotiations -------------------------------------------------------------------------------------------


class NegotiationListView(LoginRequiredMixin, View):
    def get(self, request: HttpRequest) -> HttpResponse:
        require_perm(request.user, Perm.OPERATION_VIEW)
        q = request.GET.get("q", "").strip()[:200]
        page = Paginator(selectors.negotiation_list(user=request.user, q=q), PAGE_SIZE).get_page(
            request.GET.get("page")
        )
        return render(
            request,
            "operations/negotiation_list.html",
            {
                "page": page,
                "negotiations": list(page.object_list),
                "q": q,
                "overdue": list(selectors.overdue_actions(user=request.user)[:20]),
                "can_create": has_perm(request.user, Perm.OPERATION_CHANGE)
                and bool(operation_change_agency_ids(request.user)),
            },
        )


def _negotiation_persons(request: HttpRequest, extra_ids: list[int] | None = None) -> list[tuple[str, str]]:
    held = CustodyRecord.objects.filter(until__isnull=True, facility__kind__in=list(ABROAD_KINDS)).values("person_id")
    qs = persons_visible_to(request.user).filter(pk__in=held)
    if extra_ids:
        qs = persons_visible_to(request.user).filter(pk__in=held) | persons_visible_to(request.user).filter(
            pk__in=extra_ids
        )
    return [(str(p.pk), p.display_name) for p in qs.order_by("display_name")[:500]]


def _negotiation_form(
    request: HttpRequest, data: Any = None, initial: Any = None, negotiation: Negotiation | None = None
) -> NegotiationForm:
    agencies = (
        Agency.objects.filter(pk=negotiation.owner_agency_id) if negotiation is not None else _change_agencies(request)
    )
    extra = list(negotiation.persons.values_list("pk", flat=True)) if negotiation is not None else None
    form = NegotiationForm(
        data,
        initial=initial,
        agencies=agencies,
        operations=operations_visible_to(request.user).order_by("-planned_start"),
        persons=_negotiation_persons(request, extra),
    )
    if negotiation is not None:
        form.fields["owner_agency"].disabled = True
    return form


def _negotiation_values(request: HttpRequest, form: NegotiationForm) -> dict[str, Any]:
    data = form.cleaned_data
    return {
        "held_on": data["held_on"],
        "place": data["place"],
        "counterpart_country": data["counterpart_country"],
        "their_authority": data["their_authority"],
        "our_participants": data["our_participants"],
        "their_participants": data["their_participants"],
        "subject": data["subject"],
        "outcome": data["outcome"],
        "operations": list(data["operations"]),
        "facilities": list(data["facilities"]),
        "persons": list(persons_visible_to(request.user).filter(pk__in=[int(p) for p in data["persons"]])),
    }


class NegotiationCreateView(LoginRequiredMixin, View):
    def get(self, request: HttpRequest) -> HttpResponse:
        require_perm(request.user, Perm.OPERATION_CHANGE)
        agencies = _change_agencies(request)
        form = _negotiation_form(request, initial={"owner_agency": agencies.first()})
        return render(request, "operations/negotiation_form.html", {"form": form, "negotiation": None})

    def post(self, request: HttpRequest) -> HttpResponse:
        require_perm(request.user, Perm.OPERATION_CHANGE)
        form = _negotiation_form(request, request.POST)
        if form.is_valid():
            try:
                negotiation = services.negotiation_create(
                    by=_by(request),
                    owner_agency=form.cleaned_data["owner_agency"],
                    **_negotiation_values(request, form),
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Negotiation recorded."))
                return redirect(negotiation)
        return render(request, "operations/negotiation_form.html", {"form": form, "negotiation": None}, status=400)


class NegotiationDetailView(LoginRequiredMixin, View):
    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        negotiation = access_negotiation(request.user, pk)
        persons = list(negotiation.persons.all())
        visible = set(
            persons_visible_to(request.user).filter(pk__in=[p.pk for p in persons]).values_list("pk", flat=True)
        )
        audit_list(request.user, sorted(visible), object_type="registry.person", purpose="negotiation")
        can_change = has_perm(
            request.user, Perm.OPERATION_CHANGE
        ) and negotiation.owner_agency_id in operation_change_agency_ids(request.user)
        return render(
            request,
            "operations/negotiation_detail.html",
            {
                "negotiation": negotiation,
                "persons": [p for p in persons if p.pk in visible],
                "hidden_persons": len(persons) - len(visible),
                "operations": list(negotiation.operations.filter(pk__in=operations_visible_to(request.user))),
                "facilities": list(negotiation.facilities.all()),
                "actions": list(negotiation.actions.all()),
                "can_change": can_change,
                "action_form": ActionForm(),
                "status_choices": ActionStatusForm.base_fields["status"].choices,  # type: ignore[attr-defined]
                "today": timezone.localdate(),
            },
        )


class NegotiationEditView(LoginRequiredMixin, View):
    def _initial(self, negotiation: Negotiation) -> dict[str, Any]:
        return {
            "owner_agency": negotiation.owner_agency_id,
            "held_on": negotiation.held_on,
            "place": negotiation.place,
            "counterpart_country": negotiation.counterpart_country,
            "their_authority": negotiation.their_authority,
            "our_participants": negotiation.our_participants,
            "their_participants": negotiation.their_participants,
            "subject": negotiation.subject,
            "outcome": negotiation.outcome,
            "operations": list(negotiation.operations.values_list("pk", flat=True)),
            "facilities": list(negotiation.facilities.values_list("pk", flat=True)),
            "persons": [str(pk) for pk in negotiation.persons.values_list("pk", flat=True)],
        }

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        negotiation = access_negotiation(request.user, pk, action="change")
        form = _negotiation_form(request, initial=self._initial(negotiation), negotiation=negotiation)
        return render(request, "operations/negotiation_form.html", {"form": form, "negotiation": negotiation})

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        negotiation = access_negotiation(request.user, pk, action="change")
        form = _negotiation_form(request, request.POST, initial=self._initial(negotiation), negotiation=negotiation)
        if form.is_valid():
            values = _negotiation_values(request, form)
            # Persons the user cannot see stay linked: they are not offered, so not removed.
            hidden = negotiation.persons.exclude(pk__in=persons_visible_to(request.user))
            values["persons"] = [*values["persons"], *hidden]
            try:
                services.negotiation_update(negotiation=negotiation, by=_by(request), **values)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Negotiation saved."))
                return redirect(negotiation)
        return render(
            request, "operations/negotiation_form.html", {"form": form, "negotiation": negotiation}, status=400
        )


class ActionCreateView(LoginRequiredMixin, View):
    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        negotiation = access_negotiation(request.user, pk, action="change")
        form = ActionForm(request.POST)
        if form.is_valid():
            try:
                services.negotiation_action_add(negotiation=negotiation, by=_by(request), **form.cleaned_data)
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
            else:
                messages.success(request, _("Follow-up action added."))
        else:
            messages.error(request, _("Describe the follow-up action."))
        return redirect(negotiation)


class ActionStatusView(LoginRequiredMixin, View):
    def post(self, request: HttpRequest, pk: int, action_pk: int) -> HttpResponse:
        negotiation = access_negotiation(request.user, pk, action="change")
        action = NegotiationAction.objects.filter(negotiation=negotiation, pk=action_pk).first()
        if action is None:
            raise Http404
        form = ActionStatusForm(request.POST)
        if form.is_valid():
            try:
                services.negotiation_action_set_status(action=action, by=_by(request), **form.cleaned_data)
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
            else:
                messages.success(request, _("Follow-up action updated."))
        else:
            messages.error(request, _("Choose a status."))
        return redirect(negotiation)
