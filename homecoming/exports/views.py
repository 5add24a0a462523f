"""The export pages: ask for an export (stating purpose and recipient), follow it, download it."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods

from homecoming.core.access import Perm, has_perm, require_perm
from homecoming.core.selectors import job_default_agency
from homecoming.exports import selectors, services
from homecoming.exports.choices import ExportKind, ExportStatus
from homecoming.exports.forms import FiguresExportForm, PersonalExportForm
from homecoming.intake.forms import add_service_errors

PER_PAGE = 25


@login_required
@require_GET
def export_list(request: HttpRequest) -> HttpResponse:
    """The user's own exports (any signed-in user; most have none)."""
    page = Paginator(selectors.exports_of(request.user), PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "exports": page.object_list,
        "may_export_personal": has_perm(request.user, Perm.EXPORT_PERSONAL),
        "may_export_figures": has_perm(request.user, Perm.FIGURES_PUBLIC),
    }
    return render(request, "exports/export_list.html", context)


def _submit(
    request: HttpRequest,
    form: Any,
    *,
    kind: str,
    params: dict[str, Any],
    perm: Perm,
    password: str | None = None,
) -> HttpResponse | None:
    try:
        export = services.export_request(
            user=request.user,
            kind=kind,
            file_format=form.cleaned_data["file_format"],
            purpose=form.cleaned_data["purpose"],
            recipient=form.cleaned_data["recipient"],
            params=params,
            agency=job_default_agency(request.user, perm),
            password=password,
        )
    except ValidationError as exc:
        add_service_errors(form, exc)
        return None
    messages.success(request, _("The export is being prepared; this page follows it."))
    return redirect(export)


@sensitive_post_parameters("password", "password_again")
@login_required
@require_http_methods(["GET", "POST"])
def export_create(request: HttpRequest) -> HttpResponse:
    """Lists of persons or cases, or one case file; optionally inside a password-encrypted ZIP."""
    require_perm(request.user, Perm.EXPORT_PERSONAL)
    initial = {key: request.GET.get(key) for key in ("kind", "case", "batch", "stage") if request.GET.get(key)}
    form = PersonalExportForm(request.POST or None, initial=initial or {"kind": ExportKind.PERSONS})
    if request.method == "POST" and form.is_valid():
        response = _submit(
            request,
            form,
            kind=form.cleaned_data["kind"],
            params=form.params(),
            perm=Perm.EXPORT_PERSONAL,
            password=form.chosen_password(),
        )
        if response is not None:
            return response
    status = 400 if request.method == "POST" else 200
    return render(request, "exports/export_form.html", {"form": form, "personal": True}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def figures_create(request: HttpRequest) -> HttpResponse:
    """Aggregate figures, HXL-tagged: exact for managers, with small counts suppressed for others."""
    require_perm(request.user, Perm.FIGURES_PUBLIC)
    form = FiguresExportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        response = _submit(request, form, kind=ExportKind.STAGE_FIGURES, params={}, perm=Perm.FIGURES_PUBLIC)
        if response is not None:
            return response
    context = {"form": form, "personal": False, "exact": has_perm(request.user, Perm.FIGURES_EXACT)}
    return render(request, "exports/export_form.html", context, status=400 if request.method == "POST" else 200)


@login_required
@require_GET
def export_detail(request: HttpRequest, pk: int) -> HttpResponse:
    export = selectors.export_get(user=request.user, pk=pk)
    return render(request, "exports/export_detail.html", {"export": export})


@never_cache
@login_required
@require_GET
def export_progress(request: HttpRequest, pk: int) -> HttpResponse:
    export = selectors.export_get(user=request.user, pk=pk)
    if export.status != ExportStatus.QUEUED and request.headers.get("HX-Request"):
        response = HttpResponse(status=204)
        response["HX-Refresh"] = "true"
        return response
    return render(request, "exports/_export_status.html", {"export": export})


@never_cache
@login_required
@require_GET
def export_download(request: HttpRequest, pk: int) -> HttpResponse:
    export = selectors.export_get(user=request.user, pk=pk)
    try:
        export = services.export_download(export=export, user=request.user)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect(export)
    except PermissionDenied:
        raise
    response = HttpResponse(bytes(export.content or b""), content_type=export.content_type)
    response["Content-Disposition"] = f'attachment; filename="{export.file_name}"'
    response["Cache-Control"] = "no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
