"""Tracing pages: the requests of the worker's agency, recording one, its proposals, decisions.

Each view: one access check (``core.access``), one service or selector, render. Out of scope is 404,
a missing permission 403. Reading a request writes the read entry of the audit trail; lists write one
entry for the requests shown.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from homecoming.accounts.models import Agency
from homecoming.core.access import (
    Perm,
    Scope,
    access_tracing_request,
    agencies_with,
    audit_list,
    has_perm,
    require_perm,
)
from homecoming.core.forms import add_service_errors
from homecoming.tracing import selectors, services
from homecoming.tracing.forms import CloseForm, ConsentWithdrawForm, DecisionForm, TracingRequestForm
from homecoming.tracing.models import MatchStatus, TracingMatch, TracingStatus

PAGE_SIZE = 25


@login_required
def request_list(request: HttpRequest) -> HttpResponse:
    require_perm(request.user, Perm.TRACING_VIEW)
    text, status = request.GET.get("q", ""), request.GET.get("status", "")
    page = Paginator(selectors.request_list(user=request.user, text=text, status=status), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    rows = list(page.object_list)
    audit_list(request.user, rows, object_type="tracing.tracingrequest")
    return render(
        request,
        "tracing/request_list.html",
        {
            "page": page,
            "requests": rows,
            "q": text,
            "status": status,
            "statuses": TracingStatus.choices,
            "can_record": has_perm(request.user, Perm.TRACING_RECORD),
        },
    )


def _agencies(request: HttpRequest) -> Any:
    return Agency.objects.filter(
        pk__in=agencies_with(request.user, Perm.TRACING_RECORD, Scope.AGENCY), is_active=True
    ).order_by("name")


@login_required
def request_create(request: HttpRequest) -> HttpResponse:
    require_perm(request.user, Perm.TRACING_RECORD)
    agencies = _agencies(request)
    form = TracingRequestForm(request.POST or None, agencies=agencies, initial={"owner_agency": agencies.first()})
    if request.method == "POST" and form.is_valid():
        try:
            created = services.tracing_request_create(
                by=request.user,  # type: ignore[arg-type]
                owner_agency=form.cleaned_data["owner_agency"],
                values=form.values(),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            found = created.matches.count()
            messages.success(
                request,
                _("Request %(ref)s is recorded; the search found %(count)s possible matches.")
                % {"ref": created.reference, "count": found},
            )
            return redirect(created.get_absolute_url())
    status = 400 if request.method == "POST" else 200
    return render(request, "tracing/request_form.html", {"form": form, "creating": True}, status=status)


@login_required
def request_edit(request: HttpRequest, pk: int) -> HttpResponse:
    tracing = access_tracing_request(request.user, pk, action="record", audit=request.method == "GET")
    initial = {field: getattr(tracing, field) for field in services.REQUEST_FIELDS}
    form = TracingRequestForm(request.POST or None, initial=initial, editing=True)
    if request.method == "POST" and form.is_valid():
        try:
            services.tracing_request_update(request=tracing, by=request.user, values=form.values())  # type: ignore[arg-type]
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The request is updated and searched again."))
            return redirect(tracing.get_absolute_url())
    status = 400 if request.method == "POST" else 200
    return render(request, "tracing/request_form.html", {"form": form, "tracing": tracing}, status=status)


@login_required
def request_detail(request: HttpRequest, pk: int) -> HttpResponse:
    tracing = access_tracing_request(request.user, pk)
    proposals = selectors.request_proposals(user=request.user, request=tracing)
    can_record = has_perm(request.user, Perm.TRACING_RECORD) and tracing.owner_agency_id in agencies_with(
        request.user, Perm.TRACING_RECORD, Scope.AGENCY
    )
    return render(
        request,
        "tracing/request_detail.html",
        {
            "tracing": tracing,
            "proposals": proposals,
            "can_record": can_record,
            "decision_form": DecisionForm(),
            "withdraw_form": ConsentWithdrawForm(),
            "close_form": CloseForm(),
            "statuses": MatchStatus,
        },
    )


@login_required
@require_POST
def request_search(request: HttpRequest, pk: int) -> HttpResponse:
    tracing = access_tracing_request(request.user, pk, action="record", audit=False)
    if not tracing.is_searching:
        messages.error(request, _("This request is closed or its consent was withdrawn: it is not searched any more."))
        return redirect(tracing.get_absolute_url())
    outcome = services.tracing_search(request=tracing, by=request.user)  # type: ignore[arg-type]
    messages.success(
        request,
        _("Searched again: %(found)s possible matches, %(new)s new.") % {"found": outcome.found, "new": outcome.new},
    )
    return redirect(tracing.get_absolute_url())


@login_required
@require_POST
def match_decide(request: HttpRequest, pk: int, match_pk: int) -> HttpResponse:
    tracing = access_tracing_request(request.user, pk, action="record", audit=False)
    match = get_object_or_404(TracingMatch.objects.select_related("request"), pk=match_pk, request=tracing)
    form = DecisionForm(request.POST)
    if form.is_valid():
        try:
            services.tracing_match_decide(
                match=match,
                by=request.user,  # type: ignore[arg-type]
                status=form.cleaned_data["status"],
                note=form.cleaned_data["note"],
            )
        except PermissionDenied:
            messages.error(request, _("This record is kept by another agency; ask them to check it."))
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("The decision is recorded."))
    else:
        messages.error(request, _("Choose whether this is the person sought."))
    return redirect(tracing.get_absolute_url() + f"#match-{match.pk}")


@login_required
@require_POST
def consent_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    tracing = access_tracing_request(request.user, pk, action="record", audit=False)
    form = ConsentWithdrawForm(request.POST)
    if form.is_valid():
        try:
            services.tracing_consent_withdraw(
                request=tracing,
                by=request.user,  # type: ignore[arg-type]
                on=form.cleaned_data["consent_withdrawn_on"],
            )
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("Consent withdrawn: the request is closed and no longer searched."))
    else:
        messages.error(request, _("Give the date the consent was withdrawn."))
    return redirect(tracing.get_absolute_url())


@login_required
@require_POST
def request_close(request: HttpRequest, pk: int) -> HttpResponse:
    tracing = access_tracing_request(request.user, pk, action="record", audit=False)
    form = CloseForm(request.POST)
    if form.is_valid():
        services.tracing_request_close(request=tracing, by=request.user, reason=form.cleaned_data["closed_reason"])  # type: ignore[arg-type]
        messages.success(request, _("The request is closed."))
    else:
        messages.error(request, _("Say why the request is closed."))
    return redirect(tracing.get_absolute_url())
