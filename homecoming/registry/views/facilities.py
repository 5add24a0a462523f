"""Facilities (reference data: ``Perm.FACILITY_VIEW`` to see, ``Perm.FACILITY_CHANGE`` to edit) and
custody records on a person's record (the legal field group needs ``Perm.LEGAL_VIEW``)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext_lazy as _
from django.views import View

from homecoming.core.access import Perm, audit_list, can_see_field_group, has_perm, require_perm
from homecoming.core.forms import add_service_errors
from homecoming.registry import selectors, services
from homecoming.registry.filters import facility_countries
from homecoming.registry.forms import CustodyForm, FacilityForm
from homecoming.registry.models import CustodyRecord, Facility, Person
from homecoming.registry.views._common import PersonFormView

FACILITY_PAGE_SIZE = 50


class FacilityListView(LoginRequiredMixin, View):
    def get(self, request: HttpRequest) -> HttpResponse:
        require_perm(request.user, Perm.FACILITY_VIEW)
        filterset = selectors.facility_filterset(data=request.GET or None)
        page = Paginator(filterset.qs, FACILITY_PAGE_SIZE).get_page(request.GET.get("page"))
        return render(
            request,
            "registry/facility_list.html",
            {
                "filter": filterset,
                "page": page,
                "facilities": list(page.object_list),
                "filtered": any(v for k, v in request.GET.items() if k != "page"),
                "countries": facility_countries(),
                "can_change": has_perm(request.user, Perm.FACILITY_CHANGE),
            },
        )


class FacilityDetailView(LoginRequiredMixin, View):
    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        require_perm(request.user, Perm.FACILITY_VIEW)
        facility = selectors.facility_get(pk=pk)
        persons = selectors.facility_current_persons(user=request.user, facility=facility)
        audit_list(request.user, persons, object_type="registry.person", purpose="persons at a facility")
        return render(
            request,
            "registry/facility_detail.html",
            {
                "facility": facility,
                "persons": persons,
                "sees_persons": has_perm(request.user, Perm.PERSON_VIEW),
                "can_change": has_perm(request.user, Perm.FACILITY_CHANGE),
            },
        )


class _FacilityFormView(LoginRequiredMixin, View):
    def _render(
        self, request: HttpRequest, form: FacilityForm, facility: Facility | None, status: int = 200
    ) -> HttpResponse:
        return render(request, "registry/facility_form.html", {"form": form, "facility": facility}, status=status)


class FacilityCreateView(_FacilityFormView):
    def get(self, request: HttpRequest) -> HttpResponse:
        require_perm(request.user, Perm.FACILITY_CHANGE)
        return self._render(request, FacilityForm(), None)

    def post(self, request: HttpRequest) -> HttpResponse:
        require_perm(request.user, Perm.FACILITY_CHANGE)
        form = FacilityForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                facility = services.facility_create(
                    by=request.user,  # type: ignore[arg-type]
                    name=data["name"],
                    kind=data["kind"],
                    country=data["country"],
                    locality=data.get("locality") or "",
                    custodian_authority=data.get("custodian_authority") or "",
                    notes=data.get("notes") or "",
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("The facility “%(name)s” is registered.") % {"name": facility.name})
                return redirect(facility)
        return self._render(request, form, None, status=400)


class FacilityEditView(_FacilityFormView):
    def _facility(self, request: HttpRequest, pk: int) -> Facility:
        require_perm(request.user, Perm.FACILITY_CHANGE)
        return selectors.facility_get(pk=pk)

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        facility = self._facility(request, pk)
        initial = {field: getattr(facility, field) for field in services.FACILITY_FIELDS}
        return self._render(request, FacilityForm(initial=initial), facility)

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        facility = self._facility(request, pk)
        form = FacilityForm(request.POST)
        if form.is_valid():
            try:
                services.facility_update(
                    facility=facility,
                    by=request.user,  # type: ignore[arg-type]
                    changes=form.cleaned_data,
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("The facility “%(name)s” is saved.") % {"name": facility.name})
                return redirect(facility)
        return self._render(request, form, facility, status=400)


# --- custody on a person's record ---------------------------------------------------------------


class CustodyCreateView(PersonFormView):
    template_name = "registry/record_form.html"
    tab = "custody"
    title = _("Record custody or a placement")

    def make_form(self, request: HttpRequest, person: Person, data: Any = None, files: Any = None) -> Any:
        initial = {"facility": request.GET.get("facility")} if request.GET.get("facility") else None
        return CustodyForm(data, initial=initial, legal=can_see_field_group(request.user, "legal"))

    def save(self, request: HttpRequest, person: Person, form: Any) -> CustodyRecord:
        values = form.values()
        return services.custody_create(
            person=person,
            by=request.user,  # type: ignore[arg-type]
            facility=form.cleaned_data["facility"],
            end_current=form.cleaned_data.get("end_current", False),
            **values,
        )

    def success_message(self, person: Person, result: Any) -> str:
        return str(_("The stay at %(facility)s is recorded.") % {"facility": result.facility.name})


class CustodyEditView(PersonFormView):
    template_name = "registry/record_form.html"
    tab = "custody"
    title = _("Correct custody, or record its end")

    def record(self, person: Person) -> CustodyRecord:
        return get_object_or_404(
            CustodyRecord.objects.select_related("facility"), pk=self.kwargs_extra["custody_pk"], person=person
        )

    def make_form(self, request: HttpRequest, person: Person, data: Any = None, files: Any = None) -> Any:
        record = self.record(person)
        legal = can_see_field_group(request.user, "legal")
        fields = ["facility", "since", "until", "end_reason", *(CustodyForm.LEGAL if legal else ())]
        initial = {name: getattr(record, name) for name in fields}
        return CustodyForm(data, initial=initial, legal=legal, editing=True)

    def save(self, request: HttpRequest, person: Person, form: Any) -> CustodyRecord:
        record = self.record(person)
        services.custody_update(
            record=record,
            by=request.user,  # type: ignore[arg-type]
            changes={"facility": form.cleaned_data["facility"], **form.values()},
        )
        return record

    def success_message(self, person: Person, result: Any) -> str:
        return str(_("The stay at %(facility)s is saved.") % {"facility": result.facility.name})
