"""Background jobs: a Job row (status, progress, log) around a django-tasks task.

How an app runs long work (see docs/jobs.md)::

    # homecoming/<app>/tasks.py
    from django_tasks import task
    from homecoming.core.jobs import JobRun, job_kind_register, job_task

    @task()
    @job_task
    def match_run_job(run: JobRun, *, match_run_id: int) -> dict[str, Any]:
        for done, total in ...:
            run.step(done, total, _("Comparing candidates"))   # cheap; raises JobCancelledError on request
        run.log(_("%(count)s candidates found.") % {"count": n})
        return {"candidates": n}                              # stored as Job.result

    job_kind_register(kind="matching.run", label=_("Match run"))

    # homecoming/<app>/services.py (inside the service's transaction)
    job = job_submit(kind="matching.run", task=match_run_job, created_by=user,
                     owner_agency=agency, match_run_id=run.pk)

``job_submit`` creates the Job and enqueues the task only when the transaction commits. The
task receives the job id first, then the keyword ids; re-delivering it for a job that is no
longer queued does nothing. Raise :class:`JobError` for a failure the user should read; any
other exception marks the job failed with a generic message, keeps the traceback on the row
(never shown to users) and is re-raised so that the queue records the failure too.
"""

from __future__ import annotations

import datetime
import functools
import json
import logging
import time
import traceback
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import F, Q, TextField, Value
from django.db.models.functions import Concat
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from homecoming.audit import context as audit_context
from homecoming.audit.models import AuditAction
from homecoming.audit.services import audit_record
from homecoming.core.access import Perm, has_perm
from homecoming.core.choices import JobStatus
from homecoming.core.models import Job

logger = logging.getLogger(__name__)

# Lines kept in Job.log; further lines are dropped (with one note) so a runaway job cannot fill the table.
MAX_LOG_LINES = 5000
MAX_LINE_LENGTH = 1000
INTERNAL_ERROR_MESSAGE = _(
    "The job stopped because of an internal error. The administrators can see the details; "
    "please tell them the job number."
)


class JobError(Exception):
    """A failure the user should read as is (a translated message), e.g. 'the file has no header row'."""

    def __init__(self, message: str | Promise, *, result: Mapping[str, Any] | None = None) -> None:
        super().__init__(str(message))
        self.message = message
        self.result = dict(result or {})


class JobCancelledError(Exception):
    """Raised inside a running job when a user asked to cancel it."""


# --- kinds of job ------------------------------------------------------------------------


@dataclass(frozen=True)
class JobKind:
    kind: str
    label: str | Promise
    description: str | Promise = ""
    # A task taking only the job id, for jobs that users start from the jobs page.
    task: Any = None
    start_perm: Perm | None = None
    # A template showing Job.result (the job is in its context); without one the final message is shown.
    result_template: str = ""

    @property
    def startable(self) -> bool:
        return self.task is not None and self.start_perm is not None


_KINDS: dict[str, JobKind] = {}


def job_kind_register(
    *,
    kind: str,
    label: str | Promise,
    description: str | Promise = "",
    task: Any = None,
    start_perm: Perm | None = None,
    result_template: str = "",
) -> JobKind:
    """Name a kind of job for the pages. With ``task`` and ``start_perm`` users may start it from the jobs page."""
    job_kind = JobKind(
        kind=kind,
        label=label,
        description=description,
        task=task,
        start_perm=start_perm,
        result_template=result_template,
    )
    _KINDS[kind] = job_kind
    return job_kind


def job_kind_get(kind: str) -> JobKind | None:
    return _KINDS.get(kind)


def job_kind_label(kind: str) -> str:
    job_kind = _KINDS.get(kind)
    return str(job_kind.label) if job_kind else kind


def job_kinds_startable_by(user: Any) -> list[JobKind]:
    kinds = [k for k in _KINDS.values() if k.startable and k.start_perm and has_perm(user, k.start_perm)]
    return sorted(kinds, key=lambda k: str(k.label))


# --- services ----------------------------------------------------------------------------


def _json_safe(value: Mapping[str, Any] | None) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(json.dumps(dict(value or {}), cls=DjangoJSONEncoder))
    return loaded


@transaction.atomic
def job_create(
    *,
    kind: str,
    created_by: Any,
    owner_agency: Any = None,
    params: Mapping[str, Any] | None = None,
) -> Job:
    """A queued job. ``owner_agency`` lets colleagues with the jobs permission in that agency follow it."""
    job = Job(
        kind=kind,
        created_by=created_by if getattr(created_by, "is_authenticated", False) else None,
        owner_agency=owner_agency,
        params=_json_safe(params),
        language=(translation.get_language() or settings.LANGUAGE_CODE)[:8],
    )
    job.full_clean()
    job.save()
    audit_record(actor=created_by, action=AuditAction.CREATE, obj=job, detail={"kind": kind})
    return job


def job_enqueue(*, job: Job, task: Any, **task_kwargs: Any) -> None:
    """Enqueue ``task(job.pk, **task_kwargs)`` when the current transaction commits (at once outside one)."""
    job_id = job.pk

    def enqueue() -> None:
        result = task.enqueue(job_id, **task_kwargs)
        Job.objects.filter(pk=job_id).update(task_result_id=str(result.id)[:64])

    transaction.on_commit(enqueue)


def job_submit(
    *,
    kind: str,
    task: Any,
    created_by: Any,
    owner_agency: Any = None,
    params: Mapping[str, Any] | None = None,
    **task_kwargs: Any,
) -> Job:
    """``job_create`` + ``job_enqueue``: the usual way to start background work from a service."""
    job = job_create(
        kind=kind,
        created_by=created_by,
        owner_agency=owner_agency,
        params={**task_kwargs, **(params or {})},
    )
    job_enqueue(job=job, task=task, **task_kwargs)
    return job


def job_start(*, job_id: int) -> bool:
    """queued → running. False when the job is not queued (already run, running or cancelled): do nothing then."""
    started = Job.objects.filter(pk=job_id, status=JobStatus.QUEUED).update(
        status=JobStatus.RUNNING, started_at=timezone.now(), heartbeat_at=timezone.now(), progress=0, message=""
    )
    return started == 1


def job_progress(*, job_id: int, percent: float, message: str | Promise = "") -> None:
    """Record progress (one UPDATE). Raises JobCancelledError when a user asked to cancel the job."""
    value = max(0, min(100, int(percent)))
    updated = Job.objects.filter(pk=job_id, status=JobStatus.RUNNING, cancel_requested=False).update(
        progress=value, message=str(message)[:300], heartbeat_at=timezone.now()
    )
    if updated == 0 and Job.objects.filter(pk=job_id, cancel_requested=True).exists():
        raise JobCancelledError


def job_log(*, job_id: int, line: str | Promise) -> None:
    """Append one line, stamped with the time (UTC), to the job's log (one UPDATE)."""
    stamp = timezone.now().strftime("%Y-%m-%d %H:%M:%S")
    text = " ".join(str(line).split())[:MAX_LINE_LENGTH]
    Job.objects.filter(pk=job_id).update(
        log=Concat(F("log"), Value(f"{stamp}  {text}\n"), output_field=TextField()), heartbeat_at=timezone.now()
    )


def job_succeed(*, job_id: int, result: Mapping[str, Any] | None = None, message: str | Promise = "") -> bool:
    """running → succeeded, with the result. False if the job was not running."""
    done = Job.objects.filter(pk=job_id, status=JobStatus.RUNNING).update(
        status=JobStatus.SUCCEEDED,
        progress=100,
        message=str(message)[:300],
        result=_json_safe(result),
        finished_at=timezone.now(),
    )
    return done == 1


def job_fail(
    *,
    job_id: int,
    error_message: str | Promise,
    error: str = "",
    result: Mapping[str, Any] | None = None,
) -> bool:
    """queued/running → failed. ``error_message`` is shown to users; ``error`` (a traceback) is not."""
    done = Job.objects.filter(pk=job_id, status__in=[JobStatus.QUEUED, JobStatus.RUNNING]).update(
        status=JobStatus.FAILED,
        error_message=str(error_message)[:500],
        error=error,
        result=_json_safe(result),
        finished_at=timezone.now(),
    )
    return done == 1


INTERRUPTED_MESSAGE = _(
    "The job stopped without finishing: the background worker was stopped or restarted while it ran. "
    "Nothing it was doing was half-saved; start it again."
)


def job_reap_stale(*, silent_for: datetime.timedelta, now: datetime.datetime | None = None) -> list[int]:
    """Mark failed the running jobs with no sign of life for ``silent_for`` (their worker died).

    A job writes its progress at least every few seconds while it works, so a long silence means the
    process running it is gone; the job would otherwise show "running" for ever. ``scripts/run``
    calls this with no grace (``silent_for=0``) before it starts its only worker. Returns the ids."""
    limit = (now or timezone.now()) - silent_for
    stale = Job.objects.filter(status=JobStatus.RUNNING).filter(
        Q(heartbeat_at__lt=limit) | Q(heartbeat_at__isnull=True, started_at__lt=limit)
    )
    ids = list(stale.values_list("pk", flat=True))
    for job_id in ids:
        if job_fail(job_id=job_id, error_message=INTERRUPTED_MESSAGE):
            logger.warning("Job %s had no sign of life since %s; marked failed.", job_id, limit.isoformat())
    return ids


def _job_mark_cancelled(*, job_id: int) -> None:
    Job.objects.filter(pk=job_id, status__in=[JobStatus.QUEUED, JobStatus.RUNNING]).update(
        status=JobStatus.CANCELLED, finished_at=timezone.now(), message=""
    )


@transaction.atomic
def job_cancel(*, job: Job, actor: Any) -> Job:
    """Cancel a queued job at once; ask a running one to stop at its next progress report."""
    job = Job.objects.select_for_update().get(pk=job.pk)
    if job.is_finished:
        raise ValidationError({"status": _("This job has already finished; there is nothing to cancel.")})
    if job.status == JobStatus.QUEUED:
        job.status = JobStatus.CANCELLED
        job.finished_at = timezone.now()
        job.save(update_fields=["status", "finished_at"])
    else:
        job.cancel_requested = True
        job.save(update_fields=["cancel_requested"])
    audit_record(
        actor=actor, action=AuditAction.CHANGE, obj=job, changed_fields=["status"], detail={"cancel": job.status}
    )
    return job


# --- running a job inside a task ------------------------------------------------------------


@dataclass
class JobRun:
    """What a job function gets: progress and log for its Job row."""

    job: Job
    # Progress is written when the whole percent changes, or the message changes after a second.
    min_interval: float = 1.0
    _last_percent: int = -1
    _last_message: str = ""
    _last_write: float = 0.0
    _lines: int = 0
    final_message: str | Promise = field(default="")

    @property
    def job_id(self) -> int:
        return self.job.pk

    def progress(self, percent: float, message: str | Promise = "") -> None:
        value = max(0, min(100, int(percent)))
        text = str(message)
        now = time.monotonic()
        if value == self._last_percent and (text == self._last_message or now - self._last_write < self.min_interval):
            return
        job_progress(job_id=self.job.pk, percent=value, message=text)
        self._last_percent, self._last_message, self._last_write = value, text, now

    def step(self, done: int, total: int, message: str | Promise = "") -> None:
        """Progress as ``done`` of ``total`` items."""
        self.progress(100 * done / total if total else 100, message)

    def log(self, line: str | Promise) -> None:
        self._lines += 1
        if self._lines == MAX_LOG_LINES + 1:
            job_log(job_id=self.job.pk, line=_("The log is too long; further lines are not kept."))
        if self._lines > MAX_LOG_LINES:
            return
        job_log(job_id=self.job.pk, line=line)

    def check_cancelled(self) -> None:
        if Job.objects.filter(pk=self.job.pk, cancel_requested=True).exists():
            raise JobCancelledError


JobFunction = Callable[..., Mapping[str, Any] | None]


def job_run(job_id: int, func: JobFunction, /, **kwargs: Any) -> None:
    """Run ``func(run, **kwargs)`` for the queued job ``job_id``, recording its outcome on the Job row."""
    if not job_start(job_id=job_id):
        logger.info("Job %s is not queued; not running it again.", job_id)
        return
    job = Job.objects.select_related("created_by").get(pk=job_id)
    run = JobRun(job=job)
    token = audit_context.set_current(audit_context.AuditContext(purpose=f"job #{job_id} ({job.kind})"))
    try:
        with translation.override(job.language or settings.LANGUAGE_CODE):
            try:
                result = func(run, **kwargs)
            except JobCancelledError:
                _job_mark_cancelled(job_id=job_id)
                return
            except JobError as exc:
                job_fail(job_id=job_id, error_message=exc.message, result=exc.result)
                return
            except Exception:
                logger.exception("Job %s (%s) failed.", job_id, job.kind)
                job_fail(job_id=job_id, error_message=INTERNAL_ERROR_MESSAGE, error=traceback.format_exc())
                raise
            job_succeed(job_id=job_id, result=result, message=run.final_message or _("Finished."))
    finally:
        audit_context.reset(token)


def job_task(func: JobFunction) -> Callable[..., None]:
    """Turn ``func(run, **ids)`` into a task function ``(job_id, **ids)``; put ``@task()`` above it."""

    @functools.wraps(func)
    def run_as_job(job_id: int, **kwargs: Any) -> None:
        job_run(job_id, func, **kwargs)

    return run_as_job
