"""Writes of the reports app: the register of figures quoted in public reports."""

from __future__ import annotations

import calendar
import csv
import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from homecoming.accounts.models import User
from homecoming.audit.models import AuditAction
from homecoming.audit.services import audit_record
from homecoming.operations.currencies import is_currency_code
from homecoming.operations.models import Operation
from homecoming.registry.countries import is_country_code
from homecoming.reports.choices import FigureMeasure
from homecoming.reports.models import ReportedFigure

__all__ = [
    "DEFAULT_REGISTER",
    "LoadResult",
    "parse_period",
    "reported_figure_create",
    "reported_figure_update",
    "reported_figures_load",
    "reported_figures_read",
]

DEFAULT_REGISTER = Path(__file__).resolve().parent / "data" / "reported_figures.csv"

_FIELDS = (
    "reported_on",
    "period_label",
    "period_start",
    "period_end",
    "home_country",
    "origin_countries",
    "measure",
    "value",
    "currency",
    "source_name",
    "source_url",
    "operation",
    "operation_label",
    "detail",
    "disagreement_note",
)

# How the people columns of a register row are read, by its "counts" column.
_PEOPLE_MEASURES: dict[str, dict[str, FigureMeasure]] = {
    "returned": {
        "total": FigureMeasure.RETURNED_TOTAL,
        "women": FigureMeasure.RETURNED_WOMEN,
        "children": FigureMeasure.RETURNED_CHILDREN,
        "men": FigureMeasure.RETURNED_MEN,
    },
    "held": {"women": FigureMeasure.HELD_WOMEN, "children": FigureMeasure.HELD_CHILDREN},
    "remaining": {"women": FigureMeasure.REMAINING_WOMEN, "children": FigureMeasure.REMAINING_CHILDREN},
    "eligible": {"children": FigureMeasure.ELIGIBLE_CHILDREN},
    "released": {"total": FigureMeasure.RELEASED_TOTAL},
    "handed_over": {"total": FigureMeasure.HANDED_OVER_TOTAL},
}


def _month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def _bounds(text: str) -> tuple[dt.date, dt.date]:
    text = text.strip()
    if len(text) == 7:  # YYYY-MM
        year, month = int(text[:4]), int(text[5:7])
        return dt.date(year, month, 1), _month_end(year, month)
    day = dt.date.fromisoformat(text)
    return day, day


def parse_period(text: str) -> tuple[dt.date, dt.date]:
    """ "2019-04-30", "2023-02" (the month) or "2019-01 to 2019-06" -> (first day, last day)."""
    parts = [p for p in text.split(" to ") if p.strip()]
    if not parts or len(parts) > 2:
        raise ValueError(text)
    start = _bounds(parts[0])[0]
    end = _bounds(parts[-1])[1]
    if end < start:
        raise ValueError(text)
    return start, end


@dataclass
class LoadResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[str] = field(default_factory=list)


def _value(text: str) -> Decimal | None:
    text = (text or "").strip().replace(",", "")
    if not text:
        return None
    try:
        return Decimal(text)
    except InvalidOperation:
        raise ValueError(text) from None


def reported_figures_read(rows: Iterable[Mapping[str, str]]) -> list[dict[str, Any]]:
    """The figures of register rows (the columns of ``data/reported_figures.csv``), one dict per
    figure quoted. Raises ValueError naming the row for anything it cannot read."""
    figures: list[dict[str, Any]] = []
    for number, row in enumerate(rows, start=2):
        try:
            figures.extend(_read_row(row))
        except (ValueError, KeyError) as error:
            raise ValueError(f"row {number}: cannot read {error}") from None
    return figures


def _read_row(row: Mapping[str, str]) -> list[dict[str, Any]]:
    label = row["event_date"].strip()
    reported_on = parse_period(label)[0]
    if (row.get("period_start") or "").strip():
        start = dt.date.fromisoformat(row["period_start"].strip())
        end = dt.date.fromisoformat((row.get("period_end") or row["period_start"]).strip())
    else:
        start, end = parse_period(label)
    counts = (row.get("counts") or "returned").strip()
    url = row.get("source_url", "").strip()
    common = {
        "reported_on": reported_on,
        "period_label": label,
        "period_start": start,
        "period_end": end,
        "home_country": row["home_country"].strip(),
        "origin_countries": row["from_country"].strip(),
        "source_name": (row.get("source_name") or "").strip() or (url.split("/")[2] if url else ""),
        "source_url": url,
        "operation_label": (row.get("operation") or "").strip(),
        "detail": (row.get("detail") or "").strip(),
        "disagreement_note": (row.get("reliability_note") or "").strip(),
    }
    if not common["source_name"]:
        raise ValueError("source_name")
    if counts.startswith("fee_per_child:"):
        amount = _value(row["total"])
        if amount is None:
            raise ValueError("total")
        return [
            {**common, "measure": FigureMeasure.FEE_PER_CHILD, "value": amount, "currency": counts.split(":", 1)[1]}
        ]
    if counts not in _PEOPLE_MEASURES:
        raise ValueError(f"counts={counts}")
    figures = []
    for column in ("total", "women", "children", "men"):
        value = _value(row.get(column, ""))
        if value is None:
            continue
        measure = _PEOPLE_MEASURES[counts].get(column)
        if measure is None:
            raise ValueError(f"{column} with counts={counts}")
        figures.append({**common, "measure": measure, "value": value, "currency": ""})
    return figures


def _clean_figure(figure: ReportedFigure) -> None:
    errors: dict[str, Any] = {}
    if not is_country_code(figure.home_country):
        errors["home_country"] = _("Use the three-letter ISO 3166 code, for example TJK.")
    if not all(is_country_code(code) for code in figure.origin_countries.split("+")):
        errors["origin_countries"] = _("Use three-letter ISO 3166 codes, joined by “+”: SYR+IRQ.")
    if figure.currency and not is_currency_code(figure.currency):
        errors["currency"] = _("Use the three-letter ISO 4217 code, for example USD.")
    if errors:
        raise ValidationError(errors)
    figure.full_clean()


@transaction.atomic
def reported_figures_load(*, rows: Iterable[Mapping[str, str]], by: User | None = None) -> LoadResult:
    """Load register rows; a figure already recorded (same period, countries, measure and
    source) is updated in place, so loading twice duplicates nothing."""
    result = LoadResult()
    touched: list[int] = []
    for values in reported_figures_read(rows):
        key = {
            name: values[name]
            for name in ("period_label", "home_country", "origin_countries", "measure", "source_name")
        }
        figure = ReportedFigure.objects.filter(**key).first()
        if figure is None:
            figure = ReportedFigure(created_by=by, **values)
            _clean_figure(figure)
            figure.save()
            result.created += 1
        else:
            changed = [name for name, value in values.items() if getattr(figure, name) != value]
            if not changed:
                result.unchanged += 1
                continue
            for name in changed:
                setattr(figure, name, values[name])
            _clean_figure(figure)
            figure.save(update_fields=[*changed, "updated_at"])
            result.updated += 1
        touched.append(figure.pk)
    if touched:
        audit_record(
            actor=by,
            action=AuditAction.CREATE,
            object_type="reports.reportedfigure",
            object_ids=touched,
            changed_fields=list(_FIELDS),
            detail={"created": result.created, "updated": result.updated, "source": "register file"},
        )
    return result


def reported_figures_load_file(*, path: Path = DEFAULT_REGISTER, by: User | None = None) -> LoadResult:
    with path.open(newline="", encoding="utf-8-sig") as handle:
        return reported_figures_load(rows=list(csv.DictReader(handle)), by=by)


def _figure_values(values: Mapping[str, Any]) -> dict[str, Any]:
    cleaned = dict(values)
    for name in ("period_label", "home_country", "origin_countries", "currency", "source_name", "source_url"):
        cleaned[name] = str(values.get(name) or "").strip()
    for name in ("home_country", "origin_countries", "currency"):
        cleaned[name] = cleaned[name].upper()
    for name in ("operation_label", "detail", "disagreement_note"):
        cleaned[name] = str(values.get(name) or "").strip()
    if not cleaned.get("period_label") and cleaned.get("period_start"):
        start, end = cleaned["period_start"], cleaned.get("period_end") or cleaned["period_start"]
        cleaned["period_label"] = start.isoformat() if start == end else f"{start.isoformat()} to {end.isoformat()}"
    if cleaned.get("period_end") is None:
        cleaned["period_end"] = cleaned.get("period_start")
    if cleaned.get("reported_on") is None:
        cleaned["reported_on"] = cleaned.get("period_start")
    return cleaned


@transaction.atomic
def reported_figure_create(
    *,
    by: User,
    period_start: dt.date,
    period_end: dt.date | None,
    home_country: str,
    origin_countries: str,
    measure: FigureMeasure | str,
    value: Decimal,
    source_name: str,
    source_url: str = "",
    currency: str = "",
    reported_on: dt.date | None = None,
    period_label: str = "",
    operation: Operation | None = None,
    operation_label: str = "",
    detail: str = "",
    disagreement_note: str = "",
) -> ReportedFigure:
    """Add a figure quoted by a source (a press report, a ministry's statement)."""
    values = _figure_values(
        {
            "period_start": period_start,
            "period_end": period_end,
            "home_country": home_country,
            "origin_countries": origin_countries,
            "measure": measure,
            "value": value,
            "source_name": source_name,
            "source_url": source_url,
            "currency": currency,
            "reported_on": reported_on,
            "period_label": period_label,
            "operation": operation,
            "operation_label": operation_label,
            "detail": detail,
            "disagreement_note": disagreement_note,
        }
    )
    figure = ReportedFigure(created_by=by, **values)
    _clean_figure(figure)
    figure.save()
    audit_record(actor=by, action=AuditAction.CREATE, obj=figure, changed_fields=list(_FIELDS))
    return figure


@transaction.atomic
def reported_figure_update(*, figure: ReportedFigure, by: User, changes: Mapping[str, Any]) -> list[str]:
    """Correct a reported figure; returns the names of the fields changed."""
    locked = ReportedFigure.objects.select_for_update().get(pk=figure.pk)
    current = {name: getattr(locked, name) for name in _FIELDS}
    values = _figure_values({**current, **changes})
    changed = [name for name in _FIELDS if values[name] != current[name]]
    if not changed:
        return []
    for name in changed:
        setattr(locked, name, values[name])
    _clean_figure(locked)
    locked.save(update_fields=[*changed, "updated_at"])
    audit_record(actor=by, action=AuditAction.CHANGE, obj=locked, changed_fields=changed)
    return changed
