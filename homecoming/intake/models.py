"""Lists brought into the registry: sources' mapping templates, batches (one uploaded file) and rows.

Written only through ``homecoming.intake.services``. A batch holds the file as received (never
served as is), how it was read (encoding, delimiter, sheet), the mapping of its columns, and one
row per line of data with its raw and cleaned values, its problems and what it matched.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from homecoming.accounts.models import Agency
from homecoming.intake.choices import BatchStatus, MatchStatus, Resolution, SourceKind
from homecoming.intake.issues import Issue


class IntakeTemplate(models.Model):
    """What an agency remembers about one source authority's lists: how their columns map to fields."""

    owner_agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, related_name="intake_templates", verbose_name=_("agency")
    )
    source = models.CharField(_("source authority"), max_length=200)
    source_key = models.CharField(max_length=200, editable=False)
    source_kind = models.CharField(
        _("kind of source"), max_length=30, choices=SourceKind.choices, default=SourceKind.FOREIGN_AUTHORITY
    )
    # {normalised header: field key}
    headers = models.JSONField(_("column names and their fields"), default=dict, blank=True)
    encoding = models.CharField(_("encoding last confirmed"), max_length=20, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("last changed"), auto_now=True)

    class Meta:
        ordering = ["source"]
        verbose_name = _("intake template")
        verbose_name_plural = _("intake templates")
        constraints = [
            models.UniqueConstraint(
                fields=["owner_agency", "source_key"],
                name="%(app_label)s_%(class)s_unique_agency_source",
                violation_error_message=_("Your agency already has a template for this source."),
            )
        ]

    def __str__(self) -> str:
        return self.source


class IntakeBatch(models.Model):
    """One uploaded file, from upload to import."""

    owner_agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, related_name="intake_batches", verbose_name=_("agency")
    )
    template = models.ForeignKey(
        IntakeTemplate,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="batches",
        verbose_name=_("template"),
    )
    source = models.CharField(_("source authority"), max_length=200)
    source_key = models.CharField(max_length=200, editable=False, db_index=True)
    source_kind = models.CharField(_("kind of source"), max_length=30, choices=SourceKind.choices)
    file_name = models.CharField(_("file name"), max_length=255)
    file_kind = models.CharField(_("file type"), max_length=10)
    file_size = models.PositiveIntegerField(_("size (bytes)"))
    content_sha256 = models.CharField(_("SHA-256 of the file"), max_length=64)
    # The file as received: read again when the encoding or mapping changes and for the annotated copy.
    content = models.BinaryField(editable=False)
    encoding = models.CharField(_("encoding"), max_length=20, blank=True)
    encoding_detected = models.CharField(_("encoding detected"), max_length=20, blank=True)
    encoding_confident = models.BooleanField(_("encoding detected with confidence"), default=True)
    delimiter = models.CharField(_("delimiter"), max_length=2, blank=True)
    sheet = models.CharField(_("sheet"), max_length=100, blank=True)
    headers = models.JSONField(_("column names"), default=list, blank=True)
    mapping = models.JSONField(_("mapping of columns to fields"), default=dict, blank=True)
    list_date = models.DateField(_("date of the list"), help_text=_("Ages in the list are counted on this date."))
    status = models.CharField(
        _("status"), max_length=20, choices=BatchStatus.choices, default=BatchStatus.UPLOADED, db_index=True
    )
    # Problems with the file as a whole (or its header), as issue JSON.
    file_issues = models.JSONField(_("problems with the file"), default=list, blank=True)
    row_count = models.PositiveIntegerField(_("rows"), default=0)
    error_count = models.PositiveIntegerField(_("errors"), default=0)
    warning_count = models.PositiveIntegerField(_("warnings"), default=0)
    rows_with_errors = models.PositiveIntegerField(_("rows with errors"), default=0)
    new_count = models.PositiveIntegerField(_("new persons"), default=0)
    existing_count = models.PositiveIntegerField(_("already registered"), default=0)
    ambiguous_count = models.PositiveIntegerField(_("to decide"), default=0)
    duplicate_count = models.PositiveIntegerField(_("repeated rows"), default=0)
    job = models.ForeignKey(
        "core.Job", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("job")
    )
    # The job validating and matching the rows (the last one started).
    map_job = models.ForeignKey(
        "core.Job",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("validation job"),
    )
    failure = models.CharField(_("why it failed"), max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="intake_batches", verbose_name=_("uploaded by")
    )
    created_at = models.DateTimeField(_("uploaded"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("last changed"), auto_now=True)
    committed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("imported by"),
    )
    committed_at = models.DateTimeField(_("imported"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("intake batch")
        verbose_name_plural = _("intake batches")
        constraints = [
            models.UniqueConstraint(
                fields=["owner_agency", "content_sha256"],
                condition=~Q(status=BatchStatus.DISCARDED),
                name="%(app_label)s_%(class)s_unique_file_per_agency",
                violation_error_message=_("This file has already been uploaded."),
            ),
            models.CheckConstraint(
                condition=Q(status__in=BatchStatus.values), name="%(app_label)s_%(class)s_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(committed_at__isnull=True) | Q(status=BatchStatus.COMMITTED),
                name="%(app_label)s_%(class)s_committed_at_only_when_committed",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.source})"

    def get_absolute_url(self) -> str:
        return reverse("intake:batch_detail", kwargs={"pk": self.pk})

    @property
    def is_open(self) -> bool:
        return (
            self.status not in {BatchStatus.COMMITTED, BatchStatus.DISCARDED, BatchStatus.COMMITTING}
            and not self.is_validating
        )

    @property
    def is_validating(self) -> bool:
        """Its rows are being validated and matched by a job that has not finished (a job that died leaves
        the batch open: its mapping may be confirmed again)."""
        return self.status == BatchStatus.VALIDATING and self.map_job is not None and not self.map_job.is_finished

    @property
    def file_issue_list(self) -> list[Issue]:
        return [Issue.from_json(data) for data in self.file_issues]

    @property
    def is_foreign_list(self) -> bool:
        return self.source_kind == SourceKind.FOREIGN_AUTHORITY


class IntakeRow(models.Model):
    """One row of data of a batch: what the file said, what will be stored, its problems and its match."""

    batch = models.ForeignKey(IntakeBatch, on_delete=models.CASCADE, related_name="rows", verbose_name=_("batch"))
    number = models.PositiveIntegerField(_("row"), help_text=_("As the spreadsheet shows it; the header is row 1."))
    raw = models.JSONField(_("values as written"), default=dict, blank=True)
    cleaned = models.JSONField(_("values as they will be stored"), default=dict, blank=True)
    issues = models.JSONField(_("problems"), default=list, blank=True)
    has_errors = models.BooleanField(_("has errors"), default=False, db_index=True)
    match_status = models.CharField(
        _("match"), max_length=20, choices=MatchStatus.choices, default=MatchStatus.PENDING, blank=True, db_index=True
    )
    # [{"person_id": 1, "score": 0.93, "reasons": [...]}], best first
    candidates = models.JSONField(_("candidates"), default=list, blank=True)
    duplicate_of = models.PositiveIntegerField(_("same person as row"), null=True, blank=True)
    resolution = models.CharField(_("decision"), max_length=20, choices=Resolution.choices, default="", blank=True)
    resolved_person = models.ForeignKey(
        "registry.Person",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("registered person chosen"),
    )
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    # After the import: the person the row created or updated.
    person = models.ForeignKey(
        "registry.Person",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="intake_rows",
        verbose_name=_("person"),
    )

    class Meta:
        ordering = ["batch", "number"]
        verbose_name = _("intake row")
        verbose_name_plural = _("intake rows")
        constraints = [
            models.UniqueConstraint(fields=["batch", "number"], name="%(app_label)s_%(class)s_unique_batch_number"),
            models.CheckConstraint(condition=Q(number__gte=2), name="%(app_label)s_%(class)s_number_below_header"),
            models.CheckConstraint(
                condition=Q(match_status__in=MatchStatus.values), name="%(app_label)s_%(class)s_match_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(resolution__in=Resolution.values), name="%(app_label)s_%(class)s_resolution_valid"
            ),
            models.CheckConstraint(
                condition=~Q(resolution=Resolution.EXISTING) | Q(resolved_person__isnull=False),
                name="%(app_label)s_%(class)s_existing_names_person",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.batch_id}:{self.number}"

    @property
    def issue_list(self) -> list[Issue]:
        return [Issue.from_json(data) for data in self.issues]

    @property
    def errors(self) -> list[Issue]:
        return [i for i in self.issue_list if i.is_error]

    @property
    def warnings(self) -> list[Issue]:
        return [i for i in self.issue_list if not i.is_error]

    def value(self, key: str) -> Any:
        return self.cleaned.get(key)

    @property
    def needs_decision(self) -> bool:
        return self.match_status in {MatchStatus.AMBIGUOUS, MatchStatus.DUPLICATE} and not self.resolution

    @property
    def will_create(self) -> bool:
        """The import registers a new person for this row."""
        if self.resolution == Resolution.SKIP:
            return False
        if self.resolution == Resolution.NEW:
            return True
        return self.match_status == MatchStatus.NEW and not self.resolution

    @property
    def target_person_id(self) -> int | None:
        """The registered person this row updates, if any."""
        if self.resolution == Resolution.EXISTING:
            return self.resolved_person_id
        if self.match_status == MatchStatus.EXISTING and not self.resolution and self.candidates:
            return int(self.candidates[0]["person_id"])
        return None
