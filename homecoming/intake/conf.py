"""Limits of the intake, each overridable in settings (documented in docs/intake.md)."""

from __future__ import annotations

from django.conf import settings

DEFAULTS: dict[str, int] = {
    # The uploaded file itself.
    "HOMECOMING_INTAKE_MAX_BYTES": 20 * 1024 * 1024,
    # Data rows (the header row not counted).
    "HOMECOMING_INTAKE_MAX_ROWS": 50_000,
    "HOMECOMING_INTAKE_MAX_COLUMNS": 100,
    # Characters in one cell.
    "HOMECOMING_INTAKE_MAX_CELL_CHARS": 2_000,
    # Consecutive empty rows after which reading stops.
    "HOMECOMING_INTAKE_MAX_BLANK_RUN": 1_000,
    # An XLSX workbook is a ZIP archive: the sum of the uncompressed sizes of its parts,
    # the compression ratio of any large part, and the number of parts are capped.
    "HOMECOMING_INTAKE_XLSX_MAX_UNCOMPRESSED_BYTES": 200 * 1024 * 1024,
    "HOMECOMING_INTAKE_XLSX_MAX_RATIO": 100,
    "HOMECOMING_INTAKE_XLSX_MAX_PARTS": 2_000,
    # Mothers referenced by row number must be at least this old (years).
    "HOMECOMING_INTAKE_MOTHER_MIN_AGE": 18,
}


def limit(name: str) -> int:
    """The value of one limit: the setting if present, else the default."""
    return int(getattr(settings, name, DEFAULTS[name]))
