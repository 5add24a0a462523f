"""Models of the shell: background jobs."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from homecoming.core.choices import FINISHED_JOB_STATUSES, JobStatus


class Job(models.Model):
    """One run of long work (an import, a match run, an export, a verification).

    The row is the user's view of the work: status, progress and a log; the queue's own
    record (``django_tasks_db``) is referenced by ``task_result_id``. Written only through
    ``homecoming.core.jobs``.
    """

    kind = models.CharField(_("kind"), max_length=80, db_index=True)
    status = models.CharField(
        _("status"), max_length=20, choices=JobStatus.choices, default=JobStatus.QUEUED, db_index=True
    )
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    message = models.CharField(_("current step"), max_length=300, blank=True)
    log = models.TextField(_("log"), blank=True)
    error_message = models.CharField(_("error"), max_length=500, blank=True)
    # The traceback of an unexpected failure: for administrators and the server log, never shown to users.
    error = models.TextField(_("technical error details"), blank=True)
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    result = models.JSONField(_("result"), default=dict, blank=True)
    language = models.CharField(_("language"), max_length=8, blank=True)
    cancel_requested = models.BooleanField(_("cancellation requested"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("started by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="jobs",
    )
    owner_agency = models.ForeignKey(
        "accounts.Agency",
        verbose_name=_("agency"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="jobs",
    )
    task_result_id = models.CharField(_("queue task id"), max_length=64, blank=True, db_index=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True, db_index=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    # Last sign of life of a running job (start, progress, log line): a job silent for long
    # while "running" lost its worker (killed, restarted) and is marked failed by job_reap_stale.
    heartbeat_at = models.DateTimeField(_("last sign of life"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("job")
        verbose_name_plural = _("jobs")
        constraints = [
            models.CheckConstraint(condition=Q(progress__lte=100), name="%(app_label)s_%(class)s_progress_max_100"),
            models.CheckConstraint(
                condition=Q(status__in=[s.value for s in JobStatus]), name="%(app_label)s_%(class)s_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(finished_at__isnull=True) | Q(status__in=sorted(FINISHED_JOB_STATUSES)),
                name="%(app_label)s_%(class)s_finished_only_when_done",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.kind} ({self.status})"

    @property
    def is_finished(self) -> bool:
        return self.status in FINISHED_JOB_STATUSES

    @property
    def kind_label(self) -> str:
        from homecoming.core.jobs import job_kind_label

        return job_kind_label(self.kind)

    @property
    def duration_seconds(self) -> int | None:
        if self.started_at is None or self.finished_at is None:
            return None
        return max(0, round((self.finished_at - self.started_at).total_seconds()))

    @property
    def log_lines(self) -> list[str]:
        return self.log.splitlines()
