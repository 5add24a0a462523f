from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from homecoming.core import jobs, selectors
from homecoming.core.access import Perm, has_perm
from homecoming.core.choices import JobStatus
from homecoming.core.models import Job
from homecoming.core.navigation import home_cards

JOBS_PER_PAGE = 50


@login_required
def home(request: HttpRequest) -> HttpResponse:
    context: dict[str, Any] = {
        "cards": home_cards(request.user),
        "recent_jobs": selectors.jobs_recent_for(request.user),
        "memberships": selectors.memberships_of(request.user),
    }
    return render(request, "core/home.html", context)


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness and database status, for load balancers and monitoring. Holds no data."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        db = "ok"
    except DatabaseError:
        db = "unavailable"
    status = 200 if db == "ok" else 503
    return JsonResponse(
        {"status": "ok" if status == 200 else "error", "database": db, "vendor": connection.vendor}, status=status
    )


# --- jobs ------------------------------------------------------------------------------------


@login_required
@require_GET
def job_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    if status not in JobStatus.values:
        status = ""
    page = Paginator(selectors.job_list(user=request.user, status=status), JOBS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    context = {
        "page": page,
        "jobs": page.object_list,
        "status": status,
        "statuses": JobStatus.choices,
        "startable": jobs.job_kinds_startable_by(request.user),
        "can_see_agency_jobs": has_perm(request.user, Perm.JOBS_VIEW),
    }
    return render(request, "core/jobs/job_list.html", context)


LIVE_LOG_LINES = 200


def _job_context(user: Any, job: Job) -> dict[str, Any]:
    """What the job page and its polled part show. While the job runs only the log's tail is sent."""
    lines = job.log_lines
    hidden = 0
    if not job.is_finished and len(lines) > LIVE_LOG_LINES:
        hidden = len(lines) - LIVE_LOG_LINES
        lines = lines[hidden:]
    kind = jobs.job_kind_get(job.kind)
    return {
        "job": job,
        "log_lines": lines,
        "log_hidden": hidden,
        "result_template": kind.result_template if kind else "",
        "kind_description": kind.description if kind else "",
        "can_cancel": _can_cancel(user, job),
    }


@login_required
@require_GET
def job_detail(request: HttpRequest, pk: int) -> HttpResponse:
    job = selectors.job_get(user=request.user, pk=pk)
    return render(request, "core/jobs/job_detail.html", _job_context(request.user, job))


@never_cache
@login_required
@require_GET
def job_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """The live part of the job page; HTMX polls it every second until the job has finished."""
    job = selectors.job_get(user=request.user, pk=pk)
    return render(request, "core/jobs/_job_progress.html", _job_context(request.user, job))


@login_required
@require_POST
def job_start(request: HttpRequest) -> HttpResponse:
    """Start a kind of job offered on the jobs page (a job that takes no input)."""
    kind = jobs.job_kind_get(request.POST.get("kind", ""))
    if kind is None or not kind.startable or kind.start_perm is None:
        raise PermissionDenied
    if not has_perm(request.user, kind.start_perm):
        raise PermissionDenied
    job = jobs.job_submit(
        kind=kind.kind,
        task=kind.task,
        created_by=request.user,
        owner_agency=selectors.job_default_agency(request.user, kind.start_perm),
    )
    messages.success(request, _("The job has been queued; this page follows its progress."))
    return redirect("core:job_detail", pk=job.pk)


@login_required
@require_POST
def job_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    job = selectors.job_get(user=request.user, pk=pk)
    if not _may_cancel(request.user, job):
        raise PermissionDenied
    try:
        job = jobs.job_cancel(job=job, actor=request.user)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        if job.status == JobStatus.CANCELLED:
            messages.success(request, _("The job has been cancelled."))
        else:
            messages.info(request, _("The job will stop at its next step."))
    return redirect("core:job_detail", pk=job.pk)


def _may_cancel(user: Any, job: Job) -> bool:
    """Who started the job, or anyone who follows the agency's jobs, may stop it."""
    return bool(job.created_by_id == user.pk or has_perm(user, Perm.JOBS_VIEW))


def _can_cancel(user: Any, job: Job) -> bool:
    """Whether to offer the cancel button now."""
    return not job.is_finished and not job.cancel_requested and _may_cancel(user, job)
