"""The intake pages. Each view: one permission or access check, one service or selector, render.

A batch is reached only through ``selectors.access_batch`` (403 without ``Perm.INTAKE_RUN``,
404 for another agency's batch), which writes the read entry of the audit trail; registered
persons shown as candidates are audited as one list entry per page.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from homecoming.core.access import Perm, audit_list, has_perm, persons_visible_to, require_perm
from homecoming.core.choices import JobStatus
from homecoming.intake import selectors, services
from homecoming.intake.choices import BatchStatus
from homecoming.intake.commit import batch_commit_start
from homecoming.intake.fields import FIELD_BY_KEY, FIELDS
from homecoming.intake.forms import EncodingForm, MappingForm, ResolveForm, UploadForm, add_service_errors
from homecoming.intake.issues import IntakeFileError, Issue
from homecoming.intake.models import IntakeBatch, IntakeRow
from homecoming.intake.reading import ENCODING_LABELS
from homecoming.intake.spreadsheets import annotated_xlsx

ROWS_PER_PAGE = 50
PREVIEW_ROWS = 10
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@login_required
@require_GET
def batch_list(request: HttpRequest) -> HttpResponse:
    require_perm(request.user, Perm.INTAKE_RUN)
    status = request.GET.get("status", "")
    if status not in BatchStatus.values:
        status = ""
    page = Paginator(selectors.batch_list(user=request.user, status=status), ROWS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "intake/batch_list.html",
        {"page": page, "batches": page.object_list, "status": status, "statuses": BatchStatus.choices},
    )


@login_required
@require_http_methods(["GET", "POST"])
def batch_upload(request: HttpRequest) -> HttpResponse:
    require_perm(request.user, Perm.INTAKE_RUN)
    agencies = selectors.intake_agencies(request.user)
    form = UploadForm(request.POST or None, request.FILES or None, agencies=agencies)
    duplicate: IntakeBatch | None = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            batch = services.batch_upload(
                user=request.user,
                agency=form.cleaned_data["agency"],
                file_name=upload.name,
                data=upload.read(),
                source=form.cleaned_data["source"],
                source_kind=form.cleaned_data["source_kind"],
                list_date=form.cleaned_data.get("list_date"),
                encoding=form.cleaned_data.get("encoding", ""),
            )
        except services.DuplicateFileError as exc:
            duplicate = exc.batch
            add_service_errors(form, exc)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The list has been read. Check how its columns are mapped, then validate it."))
            return redirect("intake:batch_mapping", pk=batch.pk)
    status = 400 if request.method == "POST" else 200
    context = {
        "form": form,
        "duplicate": duplicate,
        "known_sources": selectors.template_list(user=request.user).values_list("source", flat=True),
        "fields": FIELDS,
    }
    return render(request, "intake/batch_upload.html", context, status=status)


def _preview(batch: IntakeBatch) -> dict[str, Any]:
    """The first rows of the file as read, for checking the encoding and the mapping."""
    from homecoming.intake.reading import read_table

    try:
        table = read_table(
            bytes(batch.content), filename=batch.file_name, encoding=batch.encoding or None, sheet=batch.sheet or None
        )
    except IntakeFileError:  # e.g. an encoding chosen by hand that does not fit: the page says so
        return {"preview_columns": [], "preview_rows": []}
    return {
        "preview_columns": list(zip(table.columns, table.headers, strict=True)),
        "preview_rows": table.rows[:PREVIEW_ROWS],
    }


@login_required
@require_http_methods(["GET", "POST"])
def batch_mapping(request: HttpRequest, pk: int) -> HttpResponse:
    batch = selectors.access_batch(request.user, pk)
    if not batch.is_open:
        return redirect(batch)
    initial: dict[str, Any] = {f"field_{key}": column for key, column in batch.mapping.items()}
    initial["list_date"] = batch.list_date
    initial["save_template"] = True
    form = MappingForm(request.POST or None, headers=batch.headers, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.batch_map_start(
                batch=batch,
                user=request.user,
                mapping=form.mapping(),
                list_date=form.cleaned_data["list_date"],
                save_template=form.cleaned_data["save_template"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.info(request, _("Every row is being checked and matched; this page follows the progress."))
            return redirect(batch)
    context = {
        "batch": batch,
        "form": form,
        "encoding_form": EncodingForm(initial={"encoding": _base_encoding(batch.encoding)}),
        "encoding_label": ENCODING_LABELS.get(_base_encoding(batch.encoding), batch.encoding),
        **_preview(batch),
    }
    return render(request, "intake/batch_mapping.html", context, status=400 if request.method == "POST" else 200)


def _base_encoding(encoding: str) -> str:
    if encoding.startswith("utf-16") or encoding == "utf-32":
        return "utf-16"
    if encoding == "utf-8-sig":
        return "utf-8"
    return encoding


@login_required
@require_POST
def batch_encoding(request: HttpRequest, pk: int) -> HttpResponse:
    batch = selectors.access_batch(request.user, pk)
    form = EncodingForm(request.POST)
    if form.is_valid():
        try:
            services.batch_reread(batch=batch, user=request.user, encoding=form.cleaned_data["encoding"])
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.info(
                request,
                _("The file has been read again as %(encoding)s.")
                % {"encoding": ENCODING_LABELS.get(form.cleaned_data["encoding"])},
            )
    else:
        messages.error(request, _("Choose one of the encodings offered."))
    return redirect("intake:batch_mapping", pk=batch.pk)


def person_url(person_id: int) -> str:
    """The registry's page of a person (empty while the registry has no such page)."""
    try:
        return reverse("registry:person_detail", kwargs={"pk": person_id})
    except NoReverseMatch:
        return ""


def _candidate_persons(rows: list[IntakeRow], user: Any) -> dict[int, Any]:
    ids = {int(c["person_id"]) for row in rows for c in row.candidates}
    ids |= {row.resolved_person_id for row in rows if row.resolved_person_id}
    if not ids:
        return {}
    persons = {p.pk: p for p in persons_visible_to(user).filter(pk__in=ids)}
    audit_list(user, list(persons.values()), object_type="registry.person", purpose="intake match review")
    return persons


@login_required
@require_GET
def batch_detail(request: HttpRequest, pk: int) -> HttpResponse:
    batch = selectors.access_batch(request.user, pk)
    show = request.GET.get("show", "")
    if show not in selectors.ROW_FILTERS:
        show = (
            "errors" if batch.error_count else ("decide" if batch.ambiguous_count or batch.duplicate_count else "all")
        )
    page = Paginator(selectors.batch_rows(batch=batch, show=show), ROWS_PER_PAGE).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    persons = (
        _candidate_persons(rows, request.user) if batch.status in {BatchStatus.MATCHED, BatchStatus.FAILED} else {}
    )
    for row in rows:
        row.candidate_persons = [
            (persons[int(c["person_id"])], c) for c in row.candidates if int(c["person_id"]) in persons
        ]
        row.person_url = person_url(row.person_id) if row.person_id else ""
    context = {
        "batch": batch,
        "page": page,
        "rows": rows,
        "show": show,
        "filters": [(key, _FILTER_LABELS[key]) for key in selectors.ROW_FILTERS],
        "pending": selectors.batch_pending_decisions(batch=batch) if batch.status == BatchStatus.MATCHED else 0,
        "file_issues": batch.file_issue_list,
        "mapped_fields": [(FIELD_BY_KEY[key], column) for key, column in batch.mapping.items() if key in FIELD_BY_KEY],
        "can_commit": batch.status in {BatchStatus.MATCHED, BatchStatus.FAILED} and batch.error_count == 0,
        "can_decide": batch.status in {BatchStatus.MATCHED, BatchStatus.FAILED},
        "may_export": has_perm(request.user, Perm.EXPORT_PERSONAL),
        "map_stopped": _map_stopped(batch),
    }
    return render(request, "intake/batch_detail.html", context)


def _map_stopped(batch: IntakeBatch) -> Any:
    """The validation job, if it stopped without validating the list (failed, cancelled, or its worker died)."""
    job = batch.map_job
    if batch.status not in {BatchStatus.UPLOADED, BatchStatus.VALIDATING} or job is None or not job.is_finished:
        return None
    return job if job.status != JobStatus.SUCCEEDED else None


_FILTER_LABELS = {
    "all": _("All rows"),
    "errors": _("Errors"),
    "warnings": _("Warnings"),
    "decide": _("To decide"),
    "new": _("New persons"),
    "existing": _("Already registered"),
}


@login_required
@require_GET
def batch_annotated(request: HttpRequest, pk: int) -> HttpResponse:
    """The list as uploaded, with an "Errors" column and its problem cells highlighted."""
    batch = selectors.access_batch(request.user, pk, audit=False)
    if batch.status == BatchStatus.DISCARDED:
        raise Http404
    table = services.batch_table(batch=batch)
    issues: list[Issue] = list(batch.file_issue_list)
    for issues_json in batch.rows.order_by("number").values_list("issues", flat=True):
        issues.extend(Issue.from_json(item) for item in issues_json)
    data = annotated_xlsx(table, issues)
    services.batch_annotated_audit(batch=batch, user=request.user)
    name = slugify(batch.file_name.rsplit(".", 1)[0]) or "list"
    response = HttpResponse(data, content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{name}-errors.xlsx"'
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def batch_resolve(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    batch = selectors.access_batch(request.user, pk, audit=False)
    form = ResolveForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose what this row is."))
    else:
        try:
            services.batch_resolve(
                batch=batch,
                user=request.user,
                number=number,
                resolution=form.cleaned_data["resolution"],
                person_id=form.cleaned_data.get("person"),
            )
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("Row %(row)s: decision recorded.") % {"row": number})
    show = request.POST.get("show", "decide")
    return redirect(
        f"{batch.get_absolute_url()}?show={show if show in selectors.ROW_FILTERS else 'decide'}#row-{number}"
    )


@login_required
@require_POST
def batch_discard(request: HttpRequest, pk: int) -> HttpResponse:
    batch = selectors.access_batch(request.user, pk, audit=False)
    try:
        services.batch_discard(batch=batch, user=request.user)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect(batch)
    messages.success(request, _("The list has been discarded; nothing of it was imported or kept."))
    return redirect("intake:batch_list")


@login_required
@require_POST
def batch_commit(request: HttpRequest, pk: int) -> HttpResponse:
    batch = selectors.access_batch(request.user, pk, audit=False)
    try:
        batch_commit_start(batch=batch, user=request.user)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("The import has started; this page follows its progress."))
    return redirect(batch)


@never_cache
@login_required
@require_GET
def batch_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """The live part of the batch page while it is validated or imported; HTMX polls it until the job has
    finished."""
    batch = selectors.access_batch(request.user, pk, audit=False)
    running = batch.status == BatchStatus.COMMITTING or batch.is_validating
    if not running and request.headers.get("HX-Request"):
        # Finished: reload the whole page, which now shows the rows (validated, matched or imported).
        response = HttpResponse(status=204)
        response["HX-Refresh"] = "true"
        return response
    return render(request, "intake/_batch_progress.html", {"batch": batch})
