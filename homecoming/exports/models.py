"""Controlled exports: a file of personal data or figures, made for a stated purpose and recipient,
kept for a limited time, downloadable only by who asked for it.

Written only through ``homecoming.exports.services``. The file lives in the database (never in a
web-served folder) and is deleted when the export expires.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from homecoming.accounts.models import Agency
from homecoming.exports.choices import ExportFormat, ExportKind, ExportStatus


class Export(models.Model):
    kind = models.CharField(_("what"), max_length=30, choices=ExportKind.choices)
    file_format = models.CharField(_("format"), max_length=10, choices=ExportFormat.choices)
    status = models.CharField(
        _("status"), max_length=20, choices=ExportStatus.choices, default=ExportStatus.QUEUED, db_index=True
    )
    purpose = models.CharField(_("purpose"), max_length=300, help_text=_("Why the data leaves the system."))
    recipient = models.CharField(_("recipient"), max_length=200, help_text=_("Who will receive the file."))
    # What was asked for: {"stage": "...", "case": 12, "batch": 3, "agency": 2}
    params = models.JSONField(_("selection"), default=dict, blank=True)
    # The columns included (field groups the requester may not see are never among them).
    columns = models.JSONField(_("columns"), default=list, blank=True)
    owner_agency = models.ForeignKey(
        Agency, null=True, blank=True, on_delete=models.PROTECT, related_name="exports", verbose_name=_("agency")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="exports", verbose_name=_("requested by")
    )
    created_at = models.DateTimeField(_("requested"), auto_now_add=True, db_index=True)
    job = models.ForeignKey(
        "core.Job", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("job")
    )
    expires_at = models.DateTimeField(_("expires"), db_index=True)
    file_name = models.CharField(_("file name"), max_length=200, blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    content = models.BinaryField(null=True, blank=True, editable=False)
    size = models.PositiveIntegerField(_("size (bytes)"), default=0)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    row_count = models.PositiveIntegerField(_("rows"), default=0)
    download_count = models.PositiveIntegerField(_("downloads"), default=0)
    last_downloaded_at = models.DateTimeField(_("last downloaded"), null=True, blank=True)
    failure = models.CharField(_("why it failed"), max_length=500, blank=True)
    # The file is inside an AES-256 encrypted ZIP, opened with the password the requester chose.
    encrypted = models.BooleanField(_("encrypted"), default=False)
    # That password, sealed (AES-256-GCM, see homecoming/exports/encryption.py) for the job that
    # makes the file, and wiped as soon as the file is made or the job fails. Never in clear.
    sealed_password = models.BinaryField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("export")
        verbose_name_plural = _("exports")
        constraints = [
            models.CheckConstraint(
                condition=~Q(purpose=""),
                name="%(app_label)s_%(class)s_purpose_stated",
                violation_error_message=_("State the purpose of the export."),
            ),
            models.CheckConstraint(
                condition=~Q(recipient=""),
                name="%(app_label)s_%(class)s_recipient_stated",
                violation_error_message=_("Name the recipient of the export."),
            ),
            models.CheckConstraint(condition=Q(kind__in=ExportKind.values), name="%(app_label)s_%(class)s_kind_valid"),
            models.CheckConstraint(
                condition=Q(file_format__in=ExportFormat.values), name="%(app_label)s_%(class)s_format_valid"
            ),
            models.CheckConstraint(
                condition=Q(status__in=ExportStatus.values), name="%(app_label)s_%(class)s_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(sealed_password__isnull=True) | Q(encrypted=True, status=ExportStatus.QUEUED),
                name="%(app_label)s_%(class)s_password_sealed_only_while_queued",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.get_kind_display()} → {self.recipient}"

    def get_absolute_url(self) -> str:
        return reverse("exports:export_detail", kwargs={"pk": self.pk})

    @property
    def is_expired(self) -> bool:
        return self.status == ExportStatus.EXPIRED or self.expires_at <= timezone.now()

    @property
    def is_downloadable(self) -> bool:
        return self.status == ExportStatus.READY and not self.is_expired
