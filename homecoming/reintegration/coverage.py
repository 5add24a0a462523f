"""The coverage dashboard: how many returned children have had what they need.

Computed from records on every read, over the children ``user`` may see (``cases_visible_to``
with ``Perm.SERVICE_VIEW``): the persons under 18 on arrival whose case is open at stage
"returned" or "reintegrating". Each indicator has its own denominator:

========================  ==========================================  ===================================
indicator                 counts a child when                         among
========================  ==========================================  ===================================
screened in 7 days        a screening was delivered 0-7 days after    children whose arrival date is known
                          arrival
fully vaccinated for age  the catch-up plan has nothing due or        children with a date of birth
                          overdue
in school                 a school enrolment was delivered            children of school age today
placed                    a placement was delivered                   all children
followed up (90 days)     a follow-up visit was done in the last      children who arrived 90 days ago or
                          90 days                                     more
========================  ==========================================  ===================================

Arrival date and operation: ``arrivals.arrivals`` (the plan's date, else the operation's arrival,
else the day the case moved to "returned").
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from homecoming.cases.models import Case
from homecoming.reintegration import selectors
from homecoming.reintegration.arrivals import arrivals, operations_installed
from homecoming.reintegration.choices import ServiceKind, ServiceStatus, VisitStatus
from homecoming.reintegration.conf import setting
from homecoming.reintegration.models import FollowUpVisit, Service, VaccinationDose
from homecoming.reintegration.rules import age_of, completed_years
from homecoming.reintegration.vaccination import GivenDose, catch_up_plan

NOT_PLACED = ""
UNKNOWN_OPERATION = ""


@dataclass(frozen=True)
class Indicator:
    key: str
    label: str | Promise
    denominator: str | Promise


INDICATORS: tuple[Indicator, ...] = (
    Indicator("screened", _("Screened within 7 days of arrival"), _("children whose arrival date is known")),
    Indicator("vaccinated", _("Fully vaccinated for age"), _("children with a date of birth")),
    Indicator("in_school", _("In school"), _("children of school age")),
    Indicator("placed", _("Placed"), _("all children")),
    Indicator("followed_up", _("Follow-up visit in the last 90 days"), _("children home for 90 days or more")),
)
INDICATOR_KEYS = tuple(i.key for i in INDICATORS)
GROUPINGS = ("district", "operation")


@dataclass
class ChildCoverage:
    case: Case
    arrival: date | None
    district: str
    operation: str
    values: dict[str, bool | None] = field(default_factory=dict)  # None: not in the denominator

    def group(self, by: str) -> str:
        return self.operation if by == "operation" else self.district


@dataclass
class Cell:
    met: int = 0
    total: int = 0

    @property
    def percent(self) -> int | None:
        return round(100 * self.met / self.total) if self.total else None

    @property
    def missing(self) -> int:
        return self.total - self.met


@dataclass
class CoverageRow:
    key: str
    children: int
    cells: dict[str, Cell]


@dataclass
class Coverage:
    by: str
    rows: list[CoverageRow]
    total: CoverageRow
    age_unknown: int
    operations_available: bool


def operations_available() -> bool:
    return operations_installed()


def coverage_children(*, user: Any, today: date | None = None) -> tuple[list[ChildCoverage], int]:
    """Each returned child ``user`` may see, with the indicators; and how many persons were left out
    because their age is unknown."""
    today = today or timezone.localdate()
    cases = list(selectors.returned_cases(user).order_by("pk"))
    arrived = arrivals([c.pk for c in cases])
    child_age = setting("CHILD_AGE")
    children: list[Case] = []
    age_unknown = 0
    for case in cases:
        age = age_of(case.person)
        if age.best is None:
            age_unknown += 1
            continue
        on = arrived[case.pk].date or today
        if completed_years(age.best, on) < child_age:
            children.append(case)
    ids = [c.pk for c in children]

    delivered = Service.objects.filter(case_id__in=ids, status=ServiceStatus.DELIVERED)
    screened_on: dict[int, list[date]] = defaultdict(list)
    for case_id, when in delivered.filter(kind=ServiceKind.SCREENING).values_list("case_id", "date"):
        screened_on[case_id].append(when)
    in_school = set(delivered.filter(kind=ServiceKind.SCHOOL).values_list("case_id", flat=True))
    districts: dict[int, str] = {}
    for case_id, district in (
        delivered.filter(kind=ServiceKind.PLACEMENT).order_by("date", "id").values_list("case_id", "district")
    ):
        districts[case_id] = district  # the latest placement wins
    recent = today - timedelta(days=setting("FOLLOWUP_RECENT_DAYS"))
    followed = set(
        FollowUpVisit.objects.filter(case_id__in=ids, status=VisitStatus.DONE, completed_on__gte=recent).values_list(
            "case_id", flat=True
        )
    )
    schedule = selectors.schedule_entries()
    person_of = {c.pk: c.person_id for c in children}
    doses: dict[int, list[GivenDose]] = defaultdict(list)
    for person_id, code, number, given_on in VaccinationDose.objects.filter(
        case__person_id__in=set(person_of.values())
    ).values_list("case__person_id", "vaccine__code", "dose_number", "given_on"):
        doses[person_id].append(GivenDose(code, number, given_on))
    within = timedelta(days=setting("SCREENING_WITHIN_DAYS"))
    school_from, school_to = setting("SCHOOL_AGE_FROM"), setting("SCHOOL_AGE_TO")

    result = []
    for case in children:
        age = age_of(case.person)
        arrival = arrived[case.pk].date
        values: dict[str, bool | None] = {}
        values["screened"] = (
            None if arrival is None else any(arrival <= d <= arrival + within for d in screened_on.get(case.pk, []))
        )
        if age.birth is not None and age.birth.earliest <= today:
            plan = catch_up_plan(birth=age.birth, schedule=schedule, given=doses.get(case.person_id, []), today=today)
            values["vaccinated"] = plan.up_to_date
        else:
            values["vaccinated"] = None
        years = age.years_on(today)
        values["in_school"] = (
            (case.pk in in_school) if years is not None and school_from <= years <= school_to else None
        )
        values["placed"] = case.pk in districts
        values["followed_up"] = (
            (case.pk in followed) if arrival is not None and arrival <= today - timedelta(days=90) else None
        )
        result.append(
            ChildCoverage(
                case=case,
                arrival=arrival,
                district=districts.get(case.pk, NOT_PLACED),
                operation=arrived[case.pk].operation or UNKNOWN_OPERATION,
                values=values,
            )
        )
    return result, age_unknown


def _row(key: str, children: Iterable[ChildCoverage]) -> CoverageRow:
    cells = {k: Cell() for k in INDICATOR_KEYS}
    count = 0
    for child in children:
        count += 1
        for k, value in child.values.items():
            if value is None:
                continue
            cells[k].total += 1
            cells[k].met += int(value)
    return CoverageRow(key=key, children=count, cells=cells)


def coverage(*, user: Any, by: str = "district", today: date | None = None) -> Coverage:
    """The dashboard's table: one row per district (or operation), and the total."""
    if by not in GROUPINGS:
        by = "district"
    children, age_unknown = coverage_children(user=user, today=today)
    groups: dict[str, list[ChildCoverage]] = defaultdict(list)
    for child in children:
        groups[child.group(by)].append(child)
    rows = [_row(key, members) for key, members in sorted(groups.items(), key=lambda kv: (kv[0] == "", kv[0]))]
    return Coverage(
        by=by,
        rows=rows,
        total=_row("", children),
        age_unknown=age_unknown,
        operations_available=operations_available(),
    )


def coverage_drill(
    *, user: Any, indicator: str, met: bool | None, by: str = "", group: str | None = None, today: date | None = None
) -> list[ChildCoverage]:
    """The children behind one cell of the dashboard (``met`` None: the whole denominator)."""
    children, _ = coverage_children(user=user, today=today)
    out = []
    for child in children:
        value = child.values.get(indicator)
        if value is None:
            continue
        if met is not None and value != met:
            continue
        if by in GROUPINGS and group is not None and child.group(by) != group:
            continue
        out.append(child)
    return out
