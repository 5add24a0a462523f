"""Building the file of an export: which rows, which columns, in which format.

Rows come only from the access policy (``persons_visible_to`` / ``cases_visible_to`` of the user
who asked); columns in a field group (health, psychosocial, legal) are dropped unless that user may
see the group. Aggregate figures are HXL-tagged; for users without exact figures, small counts are
suppressed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db.models import Count, Q, QuerySet
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_stubs_ext import StrOrPromise

from homecoming.cases.choices import CaseStage
from homecoming.cases.models import Case
from homecoming.core.access import Perm, can_see_field_group, cases_visible_to, has_perm, persons_visible_to
from homecoming.exports.choices import ExportFormat, ExportKind
from homecoming.exports.spreadsheets import csv_bytes, xlsx_bytes
from homecoming.registry.models import Person

CSV_TYPE = "text/csv; charset=utf-8"
PDF_TYPE = "application/pdf"
CASE_SUMMARY_TEMPLATE = "exports/case_summary_pdf.html"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FIELD_GROUPS = ("health", "psychosocial", "legal")
ADULT_AGE = 18


def small_count_threshold() -> int:
    return int(getattr(settings, "HOMECOMING_EXPORT_SMALL_COUNT", 5))


@dataclass(frozen=True)
class Column:
    key: str
    label: StrOrPromise
    get: Callable[[Any, dict[str, Any]], Any]
    group: str = ""  # "", or a field group: "health", "psychosocial", "legal"


def columns_for(columns: Sequence[Column], can_see: Callable[[str], bool]) -> list[Column]:
    """The columns a user may export: those outside any field group, and those of groups they may see."""
    return [c for c in columns if not c.group or can_see(c.group)]


def _user_can_see(user: Any) -> Callable[[str], bool]:
    return lambda group: can_see_field_group(user, group)


def _date(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    return str(value.isoformat())


def _detention_place(person: Any, ctx: dict[str, Any]) -> str:
    return str(ctx.get("detention", {}).get(person.pk, ""))


PERSON_COLUMNS: tuple[Column, ...] = (
    Column("person_id", gettext_lazy("Person number"), lambda p, ctx: p.pk),
    Column("name", gettext_lazy("Name"), lambda p, ctx: p.display_name),
    Column("sex", gettext_lazy("Sex"), lambda p, ctx: p.sex),
    Column("birth_date", gettext_lazy("Date of birth"), lambda p, ctx: _date(p.birth_date)),
    Column("owner_agency", gettext_lazy("Agency"), lambda p, ctx: p.owner_agency.code),
    Column("registered", gettext_lazy("Registered"), lambda p, ctx: _date(p.created_at)),
    Column("detention_place", gettext_lazy("Place of detention (latest list)"), _detention_place, group="legal"),
)


def _case_person(attr: str) -> Callable[[Any, dict[str, Any]], Any]:
    return lambda c, ctx: getattr(c.person, attr)


CASE_COLUMNS: tuple[Column, ...] = (
    Column("case_id", gettext_lazy("Case"), lambda c, ctx: c.reference),
    Column("person_id", gettext_lazy("Person number"), lambda c, ctx: c.person_id),
    Column("name", gettext_lazy("Name"), _case_person("display_name")),
    Column("sex", gettext_lazy("Sex"), _case_person("sex")),
    Column("birth_date", gettext_lazy("Date of birth"), lambda c, ctx: _date(c.person.birth_date)),
    Column("stage", gettext_lazy("Stage"), lambda c, ctx: c.stage),
    Column("priority", gettext_lazy("Priority"), lambda c, ctx: c.priority),
    Column("owner_agency", gettext_lazy("Agency"), lambda c, ctx: c.owner_agency.code),
    Column("assigned_to", gettext_lazy("Assigned to"), lambda c, ctx: c.assigned_to.username if c.assigned_to else ""),
    Column("opened", gettext_lazy("Opened"), lambda c, ctx: _date(c.opened_at)),
    Column("closed", gettext_lazy("Closed"), lambda c, ctx: _date(c.closed_at)),
    Column(
        "detention_place",
        gettext_lazy("Place of detention (latest list)"),
        lambda c, ctx: _detention_place(c.person, ctx),
        group="legal",
    ),
)


@dataclass
class Built:
    data: bytes
    content_type: str
    extension: str
    row_count: int
    object_type: str = ""
    object_ids: list[int] = field(default_factory=list)
    columns: list[str] = field(default_factory=list)


def _detention_places(person_ids: Iterable[int]) -> dict[int, str]:
    """The facility each person was listed at in the latest list imported for them (legal details)."""
    from homecoming.intake.selectors import latest_listed_facility

    return latest_listed_facility(person_ids=list(person_ids))


def _table(rows: Sequence[Any], columns: Sequence[Column], ctx: dict[str, Any]) -> list[list[Any]]:
    return [[str(c.label) for c in columns], *([c.get(row, ctx) for c in columns] for row in rows)]


def _write(table: list[list[Any]], file_format: str, title: str) -> tuple[bytes, str, str]:
    if file_format == ExportFormat.XLSX:
        return xlsx_bytes({title: table}), XLSX_TYPE, "xlsx"
    return csv_bytes(table), CSV_TYPE, "csv"


def persons_queryset(user: Any, params: dict[str, Any]) -> QuerySet[Person]:
    persons = persons_visible_to(user).select_related("owner_agency").order_by("pk")
    if params.get("batch"):
        from homecoming.intake.selectors import person_ids_of_batch

        persons = persons.filter(pk__in=person_ids_of_batch(batch_id=int(params["batch"])))
    if params.get("agency"):
        persons = persons.filter(owner_agency_id=int(params["agency"]))
    return persons


def cases_queryset(user: Any, params: dict[str, Any]) -> QuerySet[Case]:
    cases = cases_visible_to(user).select_related("person", "owner_agency", "assigned_to").order_by("pk")
    if params.get("stage"):
        cases = cases.filter(stage=params["stage"])
    if params.get("agency"):
        cases = cases.filter(owner_agency_id=int(params["agency"]))
    return cases


def build_persons(user: Any, params: dict[str, Any], file_format: str) -> Built:
    persons = list(persons_queryset(user, params))
    columns = columns_for(PERSON_COLUMNS, _user_can_see(user))
    ctx: dict[str, Any] = {}
    if any(c.key == "detention_place" for c in columns):
        ctx["detention"] = _detention_places(p.pk for p in persons)
    data, content_type, extension = _write(_table(persons, columns, ctx), file_format, _("Persons"))
    return Built(
        data,
        content_type,
        extension,
        len(persons),
        "registry.person",
        [p.pk for p in persons],
        [c.key for c in columns],
    )


def build_cases(user: Any, params: dict[str, Any], file_format: str) -> Built:
    cases = list(cases_queryset(user, params))
    columns = columns_for(CASE_COLUMNS, _user_can_see(user))
    ctx: dict[str, Any] = {}
    if any(c.key == "detention_place" for c in columns):
        ctx["detention"] = _detention_places(c.person_id for c in cases)
    data, content_type, extension = _write(_table(cases, columns, ctx), file_format, _("Cases"))
    return Built(
        data, content_type, extension, len(cases), "cases.case", [c.pk for c in cases], [c.key for c in columns]
    )


def build_case_file(user: Any, params: dict[str, Any], file_format: str) -> Built:
    """One case: its summary, stage history, assessments and consents (each a sheet, or a section of the CSV)."""
    case = cases_visible_to(user).select_related("person", "owner_agency", "assigned_to").get(pk=int(params["case"]))
    columns = columns_for(CASE_COLUMNS, _user_can_see(user))
    ctx: dict[str, Any] = {}
    if any(c.key == "detention_place" for c in columns):
        ctx["detention"] = _detention_places([case.person_id])
    summary = [
        [_("Field"), _("Value")],
        *([str(c.label), c.get(case, ctx)] for c in columns),
        [_("Summary"), case.summary],
    ]
    history = [[_("From"), _("To"), _("When"), _("By"), _("Reason")]] + [
        [t.from_stage, t.to_stage, _date(t.at), t.by.username, t.reason]
        for t in case.transitions.select_related("by").order_by("at", "pk")
    ]
    assessments = [[_("Kind"), _("Date"), _("Outcome"), _("Assessor"), _("Reasons"), _("Recommendations")]] + [
        [a.kind, _date(a.assessed_on), a.outcome, a.assessor_name, a.reasons, a.recommendations]
        for a in case.assessments.order_by("assessed_on", "pk")
    ]
    consents = [[_("Given by"), _("Name"), _("Date"), _("Scope"), _("Withdrawn on")]] + [
        [
            c.given_by_relation,
            c.given_by_name,
            _date(c.given_on),
            ", ".join(e.scope for e in c.scope_entries.all()),
            _date(c.withdrawn_on),
        ]
        for c in case.consents.prefetch_related("scope_entries").order_by("given_on", "pk")
    ]
    sheets = {_("Case"): summary, _("Stages"): history, _("Assessments"): assessments, _("Consent"): consents}
    if file_format == ExportFormat.PDF:
        data = case_summary_pdf(case=case, sheets=sheets, user=user)
        return Built(data, PDF_TYPE, "pdf", 1, "cases.case", [case.pk], [c.key for c in columns])
    if file_format == ExportFormat.XLSX:
        data, content_type, extension = xlsx_bytes(sheets), XLSX_TYPE, "xlsx"
    else:
        rows: list[list[Any]] = []
        for title, table in sheets.items():
            rows.append([f"## {title}"])
            rows.extend(table)
            rows.append([])
        data, content_type, extension = csv_bytes(rows), CSV_TYPE, "csv"
    return Built(data, content_type, extension, 1, "cases.case", [case.pk], [c.key for c in columns])


def case_summary_pdf(*, case: Case, sheets: dict[str, list[list[Any]]], user: Any) -> bytes:
    """The case file as a printable summary (WeasyPrint), in the language the job runs in (the
    requester's), every name of the person in its original script. The same tables as the workbook,
    so the same field groups are left out."""
    from weasyprint import HTML  # imported here: WeasyPrint loads Pango, slow to import

    names = list(case.person.names.order_by("-is_primary", "pk").values_list("full_name", "script"))
    html = render_to_string(
        CASE_SUMMARY_TEMPLATE,
        {
            "case": case,
            "names": names,
            "sections": [(title, table[0], table[1:]) for title, table in sheets.items()],
            "made_at": timezone.localtime(),
            "made_by": user,
            "rtl": translation.get_language_bidi(),
            "language": translation.get_language(),
        },
    )
    pdf = HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf()
    if pdf is None:  # only when a target file is given
        raise RuntimeError("WeasyPrint returned no PDF")
    return bytes(pdf)


# --- figures -----------------------------------------------------------------------------------------

STAGE_FIGURE_HEADERS: tuple[tuple[StrOrPromise, str], ...] = (
    (gettext_lazy("Stage (code)"), "#status+code"),
    (gettext_lazy("Stage"), "#status+name"),
    (gettext_lazy("Girls"), "#population+f+children"),
    (gettext_lazy("Boys"), "#population+m+children"),
    (gettext_lazy("Women"), "#population+f+adults"),
    (gettext_lazy("Men"), "#population+m+adults"),
    # "+unknown" is the one attribute outside HXL's core vocabulary (it has none for "not known").
    (gettext_lazy("Sex or age not known"), "#population+unknown"),
    (gettext_lazy("Total"), "#population"),
    (gettext_lazy("Note"), "#description"),
)


def _suppress(counts: list[int], threshold: int) -> tuple[list[Any], bool]:
    """Counts from 1 to threshold-1 blanked; if only one cell of the row was, the total is blanked too."""
    shown: list[Any] = []
    suppressed = 0
    for count in counts[:-1]:
        if 0 < count < threshold:
            shown.append("")
            suppressed += 1
        else:
            shown.append(count)
    total = counts[-1]
    total_shown: Any = "" if (0 < total < threshold or suppressed == 1) else total
    return [*shown, total_shown], bool(suppressed) or total_shown == ""


def build_stage_figures(user: Any, params: dict[str, Any], file_format: str) -> Built:
    """Persons with a case, by stage, sex and age group (children under 18 today). HXL-tagged.

    With exact figures (``Perm.FIGURES_EXACT``): the cases the user may see, exactly. Otherwise
    (``Perm.FIGURES_PUBLIC``): every case, with small counts suppressed so no child can be singled out.
    """
    exact = has_perm(user, Perm.FIGURES_EXACT)
    cases = cases_visible_to(user) if exact else Case.objects.all()
    adult_born_before = _years_ago(ADULT_AGE)
    child = Q(person__birth_date__gt=adult_born_before)
    adult = Q(person__birth_date__lte=adult_born_before)
    counts = {
        row["stage"]: row
        for row in cases.values("stage").annotate(
            f_children=Count("pk", filter=child & Q(person__sex="F")),
            m_children=Count("pk", filter=child & Q(person__sex="M")),
            f_adults=Count("pk", filter=adult & Q(person__sex="F")),
            m_adults=Count("pk", filter=adult & Q(person__sex="M")),
            total=Count("pk"),
        )
    }
    threshold = small_count_threshold()
    table: list[list[Any]] = [
        [str(label) for label, _tag in STAGE_FIGURE_HEADERS],
        [tag for _label, tag in STAGE_FIGURE_HEADERS],
    ]
    note = _("Counts from 1 to %(limit)s are not shown.") % {"limit": threshold - 1}
    for stage in CaseStage:
        row = counts.get(stage.value, {})
        known = [row.get(k, 0) for k in ("f_children", "m_children", "f_adults", "m_adults")]
        total = row.get("total", 0)
        values = [*known, total - sum(known), total]
        cells: list[Any]
        if exact:
            cells, flagged = values, False
        else:
            cells, flagged = _suppress(values, threshold)
        table.append([stage.value, str(stage.label), *cells, note if flagged else ""])
    if file_format == ExportFormat.XLSX:
        data, content_type, extension = xlsx_bytes({_("Figures"): table}, header_rows=2), XLSX_TYPE, "xlsx"
    else:
        data, content_type, extension = csv_bytes(table), CSV_TYPE, "csv"
    return Built(data, content_type, extension, len(CaseStage), "", [], [tag for _l, tag in STAGE_FIGURE_HEADERS])


def _years_ago(years: int) -> dt.date:
    today = timezone.localdate()
    try:
        return today.replace(year=today.year - years)
    except ValueError:
        return today.replace(year=today.year - years, day=28)


BUILDERS: dict[str, Callable[[Any, dict[str, Any], str], Built]] = {
    ExportKind.PERSONS: build_persons,
    ExportKind.CASES: build_cases,
    ExportKind.CASE_FILE: build_case_file,
    ExportKind.STAGE_FIGURES: build_stage_figures,
}
