from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class ExportKind(models.TextChoices):
    PERSONS = "persons", _("List of persons")
    CASES = "cases", _("List of cases")
    CASE_FILE = "case_file", _("One case file")
    STAGE_FIGURES = "stage_figures", _("Figures: persons by case stage, sex and age")


PERSONAL_KINDS = frozenset({ExportKind.PERSONS, ExportKind.CASES, ExportKind.CASE_FILE})
FIGURE_KINDS = frozenset({ExportKind.STAGE_FIGURES})


class ExportFormat(models.TextChoices):
    CSV = "csv", _("CSV (UTF-8)")
    XLSX = "xlsx", _("Excel workbook (.xlsx)")
    HXL = "hxl", _("HXL-tagged CSV (humanitarian data exchange)")
    PDF = "pdf", _("PDF summary (printable)")


FORMATS_FOR_KIND: dict[str, tuple[str, ...]] = {
    ExportKind.PERSONS: (ExportFormat.CSV, ExportFormat.XLSX),
    ExportKind.CASES: (ExportFormat.CSV, ExportFormat.XLSX),
    ExportKind.CASE_FILE: (ExportFormat.XLSX, ExportFormat.CSV, ExportFormat.PDF),
    ExportKind.STAGE_FIGURES: (ExportFormat.HXL, ExportFormat.XLSX),
}


class ExportStatus(models.TextChoices):
    QUEUED = "queued", _("being prepared")
    READY = "ready", _("ready")
    FAILED = "failed", _("failed")
    EXPIRED = "expired", _("expired")
