"""Reads of the reports app: the figures document (exact or public), the tables published
through disclosure control, and the register of reported figures beside the records' own.

Nothing here returns a person: only counts and sums.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from homecoming.operations.choices import FeeKind, ManifestStatus, OperationStatus
from homecoming.operations.models import FeeEntry, Handover, ManifestEntry, Operation
from homecoming.registry.countries import country_name
from homecoming.registry.models import Person
from homecoming.reports import figures
from homecoming.reports.choices import FigureMeasure
from homecoming.reports.disclosure import DEFAULT_THRESHOLD, ProtectedTable, protect_table
from homecoming.reports.figures import PeopleCount
from homecoming.reports.models import ReportedFigure

__all__ = [
    "Column",
    "Comparison",
    "PublishedTable",
    "RecordFigure",
    "figures_document",
    "published_fees",
    "published_tables",
    "record_figure_for",
    "reported_figure_comparisons",
]


def _number(value: Decimal) -> int | float:
    """A JSON number: whole amounts as integers."""
    return int(value) if value == value.to_integral_value() else float(value)


def _other(people: PeopleCount) -> int:
    return people.adults_sex_unknown + people.age_unknown


# --- the tables that may be published ---------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    key: str
    label: Any
    hxl: str


@dataclass
class PublishedTable:
    """A table of counts and how it may be published (``protected``: small counts hidden)."""

    key: str
    title: Any
    description: Any
    row_header: Any
    row_labels: list[str]
    row_fields: list[dict[str, str]]  # per row: the descriptive columns of the CSV (name -> value)
    row_field_columns: list[Column]
    columns: list[Column]
    cells: list[list[int]]
    protected: ProtectedTable

    @property
    def rows(self) -> list[dict[str, Any]]:
        """Rows for a template: label, published cells (None when hidden), total, suppression marks."""
        result = []
        for i, label in enumerate(self.row_labels):
            result.append(
                {
                    "label": label,
                    "cells": [
                        {
                            "value": self.protected.cells[i][j],
                            "exact": self.cells[i][j],
                            "why": self.protected.suppression(i, j),
                        }
                        for j in range(len(self.columns))
                    ],
                    "total": {
                        "value": self.protected.row_totals[i],
                        "exact": sum(self.cells[i]),
                        "why": self.protected.suppression(i, len(self.columns)),
                    },
                }
            )
        return result

    @property
    def totals(self) -> dict[str, Any]:
        height = len(self.row_labels)
        exact = [sum(row[j] for row in self.cells) for j in range(len(self.columns))]
        return {
            "cells": [
                {
                    "value": self.protected.column_totals[j],
                    "exact": exact[j],
                    "why": self.protected.suppression(height, j),
                }
                for j in range(len(self.columns))
            ],
            "total": {
                "value": self.protected.grand_total,
                "exact": sum(exact),
                "why": self.protected.suppression(height, len(self.columns)),
            },
        }


_PEOPLE_COLUMNS = (
    ("women", _("women"), "+f+adults"),
    ("children", _("children"), "+children"),
    ("men", _("men"), "+m+adults"),
    ("other", _("other or age unknown"), "+unknown"),
)


def _people_columns(hxl_base: str) -> list[Column]:
    return [Column(key, label, f"{hxl_base}{suffix}") for key, label, suffix in _PEOPLE_COLUMNS]


def _people_cells(people: PeopleCount) -> list[int]:
    return [people.women, people.children, people.men, _other(people)]


def published_tables(*, threshold: int = DEFAULT_THRESHOLD) -> list[PublishedTable]:
    """The tables of the public figures, each through disclosure control on its own. Each counts
    a different population, so no two tables share a margin (see ``disclosure``)."""
    operations = figures.figure_returned_per_operation()
    tables = []

    cells = [_people_cells(op.returned) for op in operations]
    tables.append(
        PublishedTable(
            key="returned",
            title=_("Returned, per operation"),
            description=_(
                "People who arrived home with each completed operation (handovers to other states excluded)."
            ),
            row_header=_("Operation"),
            row_labels=[f"{op.date.isoformat()} · {op.name}" for op in operations],
            row_fields=[
                {
                    "date": op.date.isoformat(),
                    "operation": op.name,
                    "origin_country": op.origin_country,
                    "destination_country": op.destination_country,
                }
                for op in operations
            ],
            row_field_columns=[
                Column("date", _("date"), "#date+arrival"),
                Column("operation", _("operation"), "#activity+name"),
                Column("origin_country", _("from"), "#country+code+origin"),
                Column("destination_country", _("to"), "#country+code+dest"),
            ],
            columns=_people_columns("#affected+returnees"),
            cells=cells,
            protected=protect_table(cells, threshold=threshold),
        )
    )

    handovers = [(op, country, people) for op in operations for country, people in op.handed_over.items()]
    cells = [_people_cells(people) for _op, _country, people in handovers]
    tables.append(
        PublishedTable(
            key="handed_over",
            title=_("Handed over to other states"),
            description=_("People handed over to another state's authorities during an operation."),
            row_header=_("Operation and receiving state"),
            row_labels=[
                f"{op.date.isoformat()} · {op.name} → {country_name(country)}" for op, country, _p in handovers
            ],
            row_fields=[
                {"date": op.date.isoformat(), "operation": op.name, "receiving_country": country}
                for op, country, _p in handovers
            ],
            row_field_columns=[
                Column("date", _("date"), "#date"),
                Column("operation", _("operation"), "#activity+name"),
                Column("receiving_country", _("receiving state"), "#country+code+dest"),
            ],
            columns=_people_columns("#affected+handed_over"),
            cells=cells,
            protected=protect_table(cells, threshold=threshold),
        )
    )

    remaining = figures.by_country(figures.figure_remaining())
    cells = [_people_cells(people) for people in remaining.values()]
    tables.append(
        PublishedTable(
            key="remaining",
            title=_("Still held abroad"),
            description=_("Nationals of the home state held in prisons, camps and centres abroad today, by country."),
            row_header=_("Country of detention"),
            row_labels=[country_name(code) for code in remaining],
            row_fields=[{"country": code} for code in remaining],
            row_field_columns=[Column("country", _("country"), "#country+code")],
            columns=_people_columns("#affected+detained"),
            cells=cells,
            protected=protect_table(cells, threshold=threshold),
        )
    )

    months = figures.figure_assessments_by_month()
    cells = [[m.eligible_children, m.assessed_children - m.eligible_children] for m in months]
    tables.append(
        PublishedTable(
            key="assessments",
            title=_("Children assessed, per month"),
            description=_("Children assessed in each month, by the outcome of their last assessment of the month."),
            row_header=_("Month"),
            row_labels=[m.month for m in months],
            row_fields=[{"month": m.month} for m in months],
            row_field_columns=[Column("month", _("month"), "#date+month")],
            columns=[
                Column("eligible", _("found eligible"), "#affected+assessed+eligible+children"),
                Column("not_eligible", _("not (yet) eligible"), "#affected+assessed+not_eligible+children"),
            ],
            cells=cells,
            protected=protect_table(cells, threshold=threshold),
        )
    )
    return tables


@dataclass
class PublishedFee:
    date: str
    operation: str
    currency: str
    total: Decimal | None  # None: hidden (paid for 1 to threshold-1 persons)
    persons: int | None


def published_fees(*, threshold: int = DEFAULT_THRESHOLD, public: bool = True) -> list[PublishedFee]:
    """Fees paid to the detaining authority, per completed operation and currency. In public, a
    sum paid for 1 to ``threshold - 1`` persons is hidden: with the fee per person it would tell
    how many they were."""
    rows: dict[tuple[int, str], dict[str, Any]] = {}
    for op_id, currency, amount, person_id in FeeEntry.objects.filter(
        kind=FeeKind.DETAINING_AUTHORITY, operation__status=OperationStatus.COMPLETED
    ).values_list("operation_id", "currency", "amount", "person_id"):
        row = rows.setdefault((op_id, currency), {"total": Decimal(0), "persons": set()})
        row["total"] += amount
        if person_id is not None:
            row["persons"].add(person_id)
    operations = {op.pk: op for op in Operation.objects.filter(pk__in={k[0] for k in rows})}
    result = []
    for (op_id, currency), row in sorted(rows.items(), key=lambda item: (operations[item[0][0]].actual_end, item[0])):
        op = operations[op_id]
        persons = len(row["persons"])
        hidden = public and 0 < persons < threshold
        result.append(
            PublishedFee(
                date=op.actual_end.isoformat() if op.actual_end else "",
                operation=op.name,
                currency=currency,
                total=None if hidden else row["total"],
                persons=None if hidden else persons,
            )
        )
    return result


# --- the figures document (manage.py figures --json, /api/v1/figures/) ------------------------------


def figures_document(*, public: bool, threshold: int = DEFAULT_THRESHOLD) -> dict[str, Any]:
    """Every figure, as plain JSON data. ``public=True`` takes each number from the tables
    published through disclosure control (hidden numbers are ``null``)."""
    operations = figures.figure_returned_per_operation()
    remaining = figures.by_country(figures.figure_remaining())
    months = figures.figure_assessments_by_month()
    fees_by_op: dict[str, list[dict[str, Any]]] = {}
    for fee in published_fees(threshold=threshold, public=public):
        fees_by_op.setdefault(f"{fee.date}|{fee.operation}", []).append(
            {"currency": fee.currency, "total": None if fee.total is None else _number(fee.total)}
        )
    if public:
        tables = {t.key: t for t in published_tables(threshold=threshold)}
        returned, handed, held, assessed = (
            tables["returned"].protected,
            tables["handed_over"].protected,
            tables["remaining"].protected,
            tables["assessments"].protected,
        )
    handover_row = 0
    doc_operations = []
    for i, op in enumerate(operations):
        handed_over = []
        for country, people in op.handed_over.items():
            if public:
                women, children = handed.cells[handover_row][0], handed.cells[handover_row][1]
                handover_row += 1
            else:
                women, children = people.women, people.children
            handed_over.append({"country": country, "women": women, "children": children})
        if public:
            women, children, men = returned.cells[i][0], returned.cells[i][1], returned.cells[i][2]
            total = returned.row_totals[i]
        else:
            women, children, men, total = op.returned.women, op.returned.children, op.returned.men, op.returned.total
        doc_operations.append(
            {
                "name": op.name,
                "date": op.date.isoformat(),
                "origin_country": op.origin_country,
                "destination_country": op.destination_country,
                "owner_agency": op.owner_agency,
                "returned_children": children,
                "returned_women": women,
                "returned_men": men,
                "returned_total": total,
                "handed_over": handed_over,
                "fees": fees_by_op.get(f"{op.date.isoformat()}|{op.name}", []),
            }
        )
    doc_remaining = []
    for i, (country, people) in enumerate(remaining.items()):
        if public:
            doc_remaining.append({"country": country, "children": held.cells[i][1], "women": held.cells[i][0]})
        else:
            doc_remaining.append({"country": country, "children": people.children, "women": people.women})
    doc_assessments = []
    for i, month in enumerate(months):
        if public:
            eligible, total = assessed.cells[i][0], assessed.row_totals[i]
        else:
            eligible, total = month.eligible_children, month.assessed_children
        doc_assessments.append({"date": month.month, "assessed_children": total, "eligible_children": eligible})
    return {
        "home_country": figures.home_country(),
        "public": public,
        "threshold": threshold if public else None,
        "operations": doc_operations,
        "remaining": doc_remaining,
        "assessments": doc_assessments,
    }


# --- reported figures beside the records ------------------------------------------------------------


@dataclass
class RecordFigure:
    """The records' own figure for what a report counts; ``value`` None: not in the records."""

    value: Decimal | None
    currency: str = ""
    basis: Any = ""


def _people(measure: str) -> Callable[[PeopleCount], int]:
    part = measure.rsplit("_", 1)[1]
    return {
        "total": lambda p: p.total,
        "women": lambda p: p.women,
        "children": lambda p: p.children,
        "men": lambda p: p.men,
    }[part]


def _known_nationals(country: str) -> bool:
    return Person.objects.filter(figures.nationals_of(country)).exists()


def _merge(parts: Any) -> PeopleCount:
    total = PeopleCount()
    for part in parts:
        for name in ("women", "men", "girls", "boys", "children_sex_unknown", "adults_sex_unknown", "age_unknown"):
            setattr(total, name, getattr(total, name) + getattr(part, name))
    return total


def _matching_operations(report: ReportedFigure) -> QuerySet[Operation]:
    qs = Operation.objects.filter(status=OperationStatus.COMPLETED, origin_country__in=report.origin_list)
    if report.operation_id is not None:
        return qs.filter(pk=report.operation_id)
    return qs.filter(
        destination_country=report.home_country,
        actual_end__gte=report.period_start,
        actual_end__lte=report.period_end,
    )


def record_figure_for(report: ReportedFigure) -> RecordFigure:
    """What the records say about the thing ``report`` counts (same countries, same days)."""
    measure = FigureMeasure(report.measure)
    origins = report.origin_list
    if measure in (
        FigureMeasure.RETURNED_TOTAL,
        FigureMeasure.RETURNED_WOMEN,
        FigureMeasure.RETURNED_CHILDREN,
        FigureMeasure.RETURNED_MEN,
    ):
        people = figures.figure_returned(
            home=report.home_country,
            origins=origins,
            start=report.period_start,
            end=report.period_end,
            operation_id=report.operation_id,
        )
        if people is None:
            return RecordFigure(None, basis=_("No completed operation in the records for these countries and days."))
        return RecordFigure(Decimal(_people(measure)(people)), basis=_("Arrived with the operations of these days."))
    if measure in (FigureMeasure.HELD_WOMEN, FigureMeasure.HELD_CHILDREN):
        if not _known_nationals(report.home_country):
            return RecordFigure(None, basis=_("No nationals of this country in the records."))
        held = _merge(
            r.people for r in figures.figure_held(country=report.home_country, on=report.period_start, origins=origins)
        )
        return RecordFigure(Decimal(_people(measure)(held)), basis=_("Held abroad on the first day counted."))
    if measure in (FigureMeasure.REMAINING_WOMEN, FigureMeasure.REMAINING_CHILDREN):
        if not _known_nationals(report.home_country):
            return RecordFigure(None, basis=_("No nationals of this country in the records."))
        rows = figures.figure_remaining(country=report.home_country, on=report.period_end, origins=origins)
        return RecordFigure(
            Decimal(_people(measure)(_merge(r.people for r in rows))), basis=_("Still held after the last day counted.")
        )
    if measure == FigureMeasure.ELIGIBLE_CHILDREN:
        if not _known_nationals(report.home_country):
            return RecordFigure(None, basis=_("No nationals of this country in the records."))
        count = figures.eligible_children_on(on=report.period_end, origins=origins, country=report.home_country)
        return RecordFigure(Decimal(count), basis=_("Children whose last assessment by then found them eligible."))
    operations = list(_matching_operations(report).values_list("pk", flat=True))
    if not operations:
        return RecordFigure(None, basis=_("No completed operation in the records for these countries and days."))
    if measure == FigureMeasure.RELEASED_TOTAL:
        released = set(
            ManifestEntry.objects.filter(operation_id__in=operations, status=ManifestStatus.ARRIVED).values_list(
                "case_id", flat=True
            )
        ) | set(Handover.objects.filter(operation_id__in=operations).values_list("case_id", flat=True))
        return RecordFigure(Decimal(len(released)), basis=_("Everyone the operations brought out."))
    if measure == FigureMeasure.HANDED_OVER_TOTAL:
        return RecordFigure(
            Decimal(Handover.objects.filter(operation_id__in=operations).count()),
            basis=_("Handed over to other states during these operations."),
        )
    fees = FeeEntry.objects.filter(
        operation_id__in=operations, kind=FeeKind.DETAINING_AUTHORITY, currency=report.currency, person__isnull=False
    ).values_list("person_id", "amount")
    paid: dict[int, Decimal] = {}
    for person_id, amount in fees:
        paid[person_id] = paid.get(person_id, Decimal(0)) + amount
    if not paid:
        return RecordFigure(
            None, currency=report.currency, basis=_("No fee per person in this currency in the records.")
        )
    average = (sum(paid.values(), Decimal(0)) / len(paid)).quantize(Decimal("0.01"))
    return RecordFigure(
        average, currency=report.currency, basis=_("Paid to the detaining authority, per person paid for.")
    )


@dataclass
class Comparison:
    report: ReportedFigure
    record: RecordFigure
    shown: Decimal | None  # the records' figure as this user may see it (None: hidden or absent)
    hidden: bool = False
    difference: Decimal | None = None
    agrees: bool | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def reported_figure_comparisons(
    *, exact: bool, threshold: int = DEFAULT_THRESHOLD, reports: Sequence[ReportedFigure] | None = None
) -> list[Comparison]:
    """Each reported figure beside the records' figure for the same thing. Without ``exact``
    access a records' count from 1 to ``threshold - 1`` is hidden."""
    if reports is None:
        reports = list(
            ReportedFigure.objects.select_related("operation").order_by("reported_on", "home_country", "measure", "id")
        )
    result = []
    cache: dict[tuple[Any, ...], RecordFigure] = {}
    for report in reports:
        key = (
            report.measure,
            report.home_country,
            report.origin_countries,
            report.period_start,
            report.period_end,
            report.operation_id,
            report.currency,
        )
        record = cache.get(key)
        if record is None:
            record = cache[key] = record_figure_for(report)
        shown = record.value
        hidden = False
        if shown is not None and not exact and not report.is_money and 0 < shown < threshold:
            shown, hidden = None, True
        comparison = Comparison(report=report, record=record, shown=shown, hidden=hidden)
        if shown is not None:
            comparison.difference = shown - report.value
            comparison.agrees = comparison.difference == 0
        result.append(comparison)
    return result
