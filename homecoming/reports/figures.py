"""Every published figure, computed from the records: one selector per figure (``figure_*``).

Definitions (``docs/figures.md`` explains them for readers):

* A **child** is a person under 18 on the day that matters (the operation's arrival, the
  assessment, the day counted); **women** and **men** are adults by sex. A person whose date of
  birth is unknown is counted as "age unknown", never guessed into a column.
* **Returned** by an operation: the people on its manifest who arrived with it, not counting
  those handed over to another state on the way (they are in **handed over**, by receiving
  state). An operation counts once it is completed, on its arrival date.
* **Held** / **remaining**: nationals of the home state (a nationality claim that is not
  rejected) in custody at a prison, camp or centre abroad on the day counted — held *on* a day
  includes those who leave that day, remaining *after* a day does not. Sentenced mothers are
  held like everyone else.
* **Assessed** / **eligible** in a month: children with an assessment made that month, and of
  them those whose last assessment of the month found them eligible.
* **Fees** are added up per currency, never converted; the figure of fees paid "to the
  detaining authority" counts only that kind of fee.

These selectors read every agency's records: a figure is national. Who may see them, exact or
through disclosure control, is decided by the views (``Perm.FIGURES_EXACT`` /
``Perm.FIGURES_PUBLIC``); no selector here returns a person.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from homecoming.cases.choices import AssessmentOutcome, CaseStage, ConsentScope
from homecoming.cases.models import Assessment, Case, CaseTransition, Consent
from homecoming.operations.choices import FeeKind, ManifestStatus, OperationStatus
from homecoming.operations.models import FeeEntry, Handover, ManifestEntry, Operation
from homecoming.registry.birth import completed_years
from homecoming.registry.choices import ABROAD_KINDS, AgeBand, NationalityStatus, Sex
from homecoming.registry.models import CustodyRecord, NationalityClaim

__all__ = [
    "CHILD_AGE",
    "AssessmentMonth",
    "OperationFigures",
    "PeopleCount",
    "PipelineRow",
    "RemainingRow",
    "age_band",
    "by_country",
    "eligible_children_on",
    "figure_assessments_by_month",
    "figure_fees",
    "figure_handed_over",
    "figure_held",
    "figure_pipeline",
    "figure_remaining",
    "figure_returned",
    "figure_returned_by_sex_and_age",
    "figure_returned_per_operation",
    "home_country",
    "nationals_of",
]

CHILD_AGE = 18


def home_country() -> str:
    """The state whose nationals the system brings home (ISO 3166 alpha-3)."""
    return str(getattr(settings, "HOMECOMING_HOME_COUNTRY", "TJK"))


def _age(birth: dt.date | None, on: dt.date) -> int | None:
    if birth is None or birth > on:
        return None
    return completed_years(birth, on)


def age_band(birth: dt.date | None, on: dt.date) -> str:
    """The age band (``registry.choices.AgeBand``) of someone born on ``birth``, on day ``on``."""
    age = _age(birth, on)
    if age is None:
        return AgeBand.UNKNOWN
    if age < 5:
        return AgeBand.UNDER_5
    if age < 12:
        return AgeBand.FROM_5
    if age < CHILD_AGE:
        return AgeBand.FROM_12
    return AgeBand.ADULT


@dataclass
class PeopleCount:
    """People counted by sex and whether they are children on the day that matters."""

    women: int = 0
    men: int = 0
    girls: int = 0
    boys: int = 0
    children_sex_unknown: int = 0
    adults_sex_unknown: int = 0
    age_unknown: int = 0

    def add(self, sex: str, birth: dt.date | None, on: dt.date) -> None:
        age = _age(birth, on)
        if age is None:
            self.age_unknown += 1
        elif age < CHILD_AGE:
            if sex == Sex.FEMALE:
                self.girls += 1
            elif sex == Sex.MALE:
                self.boys += 1
            else:
                self.children_sex_unknown += 1
        elif sex == Sex.FEMALE:
            self.women += 1
        elif sex == Sex.MALE:
            self.men += 1
        else:
            self.adults_sex_unknown += 1

    @property
    def children(self) -> int:
        return self.girls + self.boys + self.children_sex_unknown

    @property
    def adults(self) -> int:
        return self.women + self.men + self.adults_sex_unknown

    @property
    def total(self) -> int:
        return self.children + self.adults + self.age_unknown

    def as_dict(self) -> dict[str, int]:
        return {
            "women": self.women,
            "men": self.men,
            "girls": self.girls,
            "boys": self.boys,
            "children": self.children,
            "age_unknown": self.age_unknown,
            "total": self.total,
        }


def _count(rows: Iterable[tuple[str, dt.date | None]], on: dt.date) -> PeopleCount:
    count = PeopleCount()
    for sex, birth in rows:
        count.add(sex, birth, on)
    return count


# --- operations ---------------------------------------------------------------------------------


@dataclass
class OperationFigures:
    """The figures of one completed operation."""

    id: int
    name: str
    date: dt.date
    origin_country: str
    destination_country: str
    owner_agency: str
    on_manifest: int
    returned: PeopleCount
    not_arrived: int
    handed_over: dict[str, PeopleCount] = field(default_factory=dict)
    fees_to_detaining_authority: dict[str, Decimal] = field(default_factory=dict)
    fees_all: dict[str, Decimal] = field(default_factory=dict)


def _completed_operations(
    *, start: dt.date | None = None, end: dt.date | None = None, operation_ids: Iterable[int] | None = None
) -> list[Operation]:
    qs = Operation.objects.filter(status=OperationStatus.COMPLETED).select_related("owner_agency")
    if operation_ids is not None:
        qs = qs.filter(pk__in=list(operation_ids))
    if start is not None:
        qs = qs.filter(actual_end__gte=start)
    if end is not None:
        qs = qs.filter(actual_end__lte=end)
    return list(qs.order_by("actual_end", "id"))


def figure_returned_per_operation(
    *, start: dt.date | None = None, end: dt.date | None = None, operation_ids: Iterable[int] | None = None
) -> list[OperationFigures]:
    """Returned, handed over and fees of each completed operation, in order of arrival."""
    operations = _completed_operations(start=start, end=end, operation_ids=operation_ids)
    ids = [o.pk for o in operations]
    handed: dict[int, dict[int, tuple[str, str, dt.date | None]]] = defaultdict(dict)
    for op_id, case_id, country, sex, birth in Handover.objects.filter(operation_id__in=ids).values_list(
        "operation_id", "case_id", "receiving_country", "case__person__sex", "case__person__birth_date"
    ):
        handed[op_id][case_id] = (country, sex, birth)
    entries: dict[int, list[tuple[int, str, str, dt.date | None]]] = defaultdict(list)
    for op_id, case_id, status, sex, birth in ManifestEntry.objects.filter(operation_id__in=ids).values_list(
        "operation_id", "case_id", "status", "case__person__sex", "case__person__birth_date"
    ):
        entries[op_id].append((case_id, status, sex, birth))
    fees: dict[int, list[tuple[str, str, Decimal]]] = defaultdict(list)
    for op_id, kind, currency, amount in FeeEntry.objects.filter(operation_id__in=ids).values_list(
        "operation_id", "kind", "currency", "amount"
    ):
        fees[op_id].append((kind, currency, amount))
    result = []
    for op in operations:
        day = op.actual_end or op.actual_start or op.created_at.date()  # completed: actual_end is set
        rows = entries[op.pk]
        returned = _count(
            (
                (sex, birth)
                for case_id, status, sex, birth in rows
                if status == ManifestStatus.ARRIVED and case_id not in handed[op.pk]
            ),
            day,
        )
        by_country: dict[str, PeopleCount] = defaultdict(PeopleCount)
        for country, sex, birth in handed[op.pk].values():
            by_country[country].add(sex, birth, day)
        detaining: dict[str, Decimal] = defaultdict(Decimal)
        every: dict[str, Decimal] = defaultdict(Decimal)
        for kind, currency, amount in fees[op.pk]:
            every[currency] += amount
            if kind == FeeKind.DETAINING_AUTHORITY:
                detaining[currency] += amount
        result.append(
            OperationFigures(
                id=op.pk,
                name=op.name,
                date=day,
                origin_country=op.origin_country,
                destination_country=op.destination_country,
                owner_agency=op.owner_agency.code,
                on_manifest=sum(1 for r in rows if r[1] != ManifestStatus.WITHDRAWN),
                returned=returned,
                not_arrived=sum(1 for r in rows if r[1] == ManifestStatus.NO_SHOW),
                handed_over=dict(sorted(by_country.items())),
                fees_to_detaining_authority=dict(sorted(detaining.items())),
                fees_all=dict(sorted(every.items())),
            )
        )
    return result


def figure_returned(
    *,
    home: str,
    origins: Iterable[str],
    start: dt.date,
    end: dt.date,
    operation_id: int | None = None,
) -> PeopleCount | None:
    """People who came home to ``home`` from ``origins`` between two days: those who arrived with
    an operation bound for ``home`` and those handed over to ``home``'s authorities by another
    state's operation. None when no completed operation in the records is concerned."""
    origins = set(origins)
    qs = Operation.objects.filter(status=OperationStatus.COMPLETED, origin_country__in=origins)
    if operation_id is not None:
        qs = qs.filter(pk=operation_id)
    else:
        qs = qs.filter(actual_end__gte=start, actual_end__lte=end)
    concerned = [
        op
        for op in figure_returned_per_operation(operation_ids=qs.values_list("pk", flat=True))
        if op.destination_country == home or home in op.handed_over
    ]
    if not concerned:
        return None
    total = PeopleCount()
    for op in concerned:
        parts = [op.handed_over.get(home, PeopleCount())]
        if op.destination_country == home:
            parts.append(op.returned)
        for part in parts:
            for name in ("women", "men", "girls", "boys", "children_sex_unknown", "adults_sex_unknown", "age_unknown"):
                setattr(total, name, getattr(total, name) + getattr(part, name))
    return total


def figure_returned_by_sex_and_age(
    *, start: dt.date | None = None, end: dt.date | None = None
) -> dict[str, dict[str, int]]:
    """People returned by completed operations, by age band (on arrival) and sex: {band: {sex: n}}."""
    operations = {op.pk: op.actual_end or op.created_at.date() for op in _completed_operations(start=start, end=end)}
    handed = set(Handover.objects.filter(operation_id__in=operations).values_list("operation_id", "case_id"))
    table: dict[str, dict[str, int]] = {band: dict.fromkeys(Sex.values, 0) for band in AgeBand.values}
    for op_id, case_id, sex, birth in ManifestEntry.objects.filter(
        operation_id__in=operations, status=ManifestStatus.ARRIVED
    ).values_list("operation_id", "case_id", "case__person__sex", "case__person__birth_date"):
        if (op_id, case_id) in handed:
            continue
        day = operations[op_id]
        table[age_band(birth, day)][sex] += 1
    return table


def figure_handed_over() -> dict[str, PeopleCount]:
    """Everyone handed over to another state, by receiving state (counted on the day of handover)."""
    result: dict[str, PeopleCount] = defaultdict(PeopleCount)
    for country, at, sex, birth in Handover.objects.values_list(
        "receiving_country", "handed_over_at", "case__person__sex", "case__person__birth_date"
    ):
        result[country].add(sex, birth, at.date())
    return dict(sorted(result.items()))


def figure_fees(*, kind: FeeKind | str | None = None) -> dict[str, dict[str, Any]]:
    """Fees paid, per currency: {"USD": {"total": Decimal, "entries": n, "persons": n}}."""
    qs = FeeEntry.objects.all()
    if kind is not None:
        qs = qs.filter(kind=kind)
    result: dict[str, dict[str, Any]] = {}
    persons: dict[str, set[int]] = defaultdict(set)
    for currency, amount, person_id in qs.values_list("currency", "amount", "person_id"):
        entry = result.setdefault(currency, {"total": Decimal(0), "entries": 0, "persons": 0})
        entry["total"] += amount
        entry["entries"] += 1
        if person_id is not None:
            persons[currency].add(person_id)
    for currency, entry in result.items():
        entry["persons"] = len(persons[currency])
    return dict(sorted(result.items()))


# --- people held abroad -----------------------------------------------------------------------------


def nationals_of(country: str) -> Q:
    """A filter on persons: a nationality claim of ``country`` that is not rejected."""
    claims = NationalityClaim.objects.filter(country=country).exclude(status=NationalityStatus.REJECTED)
    return Q(pk__in=claims.values("person_id"))


@dataclass
class RemainingRow:
    country: str
    facility_id: int
    facility: str
    people: PeopleCount


def _held(*, country: str, on: dt.date, leaving_counts: bool, origins: Iterable[str] | None = None) -> Any:
    from homecoming.registry.models import Person

    custody = CustodyRecord.objects.filter(facility__kind__in=list(ABROAD_KINDS), since__lte=on).filter(
        Q(until__isnull=True) | (Q(until__gte=on) if leaving_counts else Q(until__gt=on))
    )
    if origins is not None:
        custody = custody.filter(facility__country__in=list(origins))
    nationals = Person.objects.filter(nationals_of(country)).values("pk")
    return custody.filter(person_id__in=nationals)


def figure_remaining(
    *, country: str | None = None, on: dt.date | None = None, origins: Iterable[str] | None = None
) -> list[RemainingRow]:
    """Nationals of ``country`` (the home state by default) still held abroad after day ``on``
    (today by default), by country and facility of detention."""
    country = country or home_country()
    on = on or timezone.localdate()
    return _held_rows(country=country, on=on, leaving_counts=False, origins=origins)


def figure_held(*, country: str | None = None, on: dt.date, origins: Iterable[str] | None = None) -> list[RemainingRow]:
    """Nationals of ``country`` held abroad on day ``on`` (including those who leave that day)."""
    return _held_rows(country=country or home_country(), on=on, leaving_counts=True, origins=origins)


def _held_rows(*, country: str, on: dt.date, leaving_counts: bool, origins: Iterable[str] | None) -> list[RemainingRow]:
    rows: dict[int, RemainingRow] = {}
    for facility_id, facility, facility_country, sex, birth in (
        _held(country=country, on=on, leaving_counts=leaving_counts, origins=origins)
        .values_list("facility_id", "facility__name", "facility__country", "person__sex", "person__birth_date")
        .order_by("facility__country", "facility__name")
    ):
        row = rows.get(facility_id)
        if row is None:
            row = rows[facility_id] = RemainingRow(facility_country, facility_id, facility, PeopleCount())
        row.people.add(sex, birth, on)
    return sorted(rows.values(), key=lambda r: (r.country, r.facility))


def by_country(rows: Iterable[RemainingRow]) -> dict[str, PeopleCount]:
    """Facility rows added up per country."""
    result: dict[str, PeopleCount] = defaultdict(PeopleCount)
    for row in rows:
        total = result[row.country]
        for name in ("women", "men", "girls", "boys", "children_sex_unknown", "adults_sex_unknown", "age_unknown"):
            setattr(total, name, getattr(total, name) + getattr(row.people, name))
    return dict(sorted(result.items()))


# --- assessments ------------------------------------------------------------------------------------


@dataclass
class AssessmentMonth:
    month: str  # YYYY-MM
    assessed_children: int
    eligible_children: int


def figure_assessments_by_month(*, start: dt.date | None = None, end: dt.date | None = None) -> list[AssessmentMonth]:
    """Children assessed in each month, and of them those found eligible (last assessment of the month)."""
    qs = Assessment.objects.all()
    if start is not None:
        qs = qs.filter(assessed_on__gte=start)
    if end is not None:
        qs = qs.filter(assessed_on__lte=end)
    last: dict[tuple[str, int], tuple[dt.date, int, str]] = {}
    for pk, case_id, on, outcome, birth in qs.values_list(
        "pk", "case_id", "assessed_on", "outcome", "case__person__birth_date"
    ):
        age = _age(birth, on)
        if age is None or age >= CHILD_AGE:
            continue
        key = (f"{on:%Y-%m}", case_id)
        if key not in last or (on, pk) > last[key][:2]:
            last[key] = (on, pk, outcome)
    months: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for (month, _case), (_on, _pk, outcome) in last.items():
        months[month][0] += 1
        if outcome == AssessmentOutcome.ELIGIBLE:
            months[month][1] += 1
    return [AssessmentMonth(month, counts[0], counts[1]) for month, counts in sorted(months.items())]


def eligible_children_on(*, on: dt.date, origins: Iterable[str] | None = None, country: str | None = None) -> int:
    """Children (on day ``on``) whose last assessment up to that day found them eligible."""
    qs = Assessment.objects.filter(assessed_on__lte=on)
    country = country or home_country()
    from homecoming.registry.models import Person

    qs = qs.filter(case__person__in=Person.objects.filter(nationals_of(country)))
    if origins is not None:
        held_ever = CustodyRecord.objects.filter(facility__country__in=list(origins)).values("person_id")
        qs = qs.filter(case__person_id__in=held_ever)
    last: dict[int, tuple[dt.date, int, str, dt.date | None]] = {}
    for pk, case_id, day, outcome, birth in qs.values_list(
        "pk", "case_id", "assessed_on", "outcome", "case__person__birth_date"
    ):
        if case_id not in last or (day, pk) > last[case_id][:2]:
            last[case_id] = (day, pk, outcome, birth)
    return sum(
        1
        for _day, _pk, outcome, birth in last.values()
        if outcome == AssessmentOutcome.ELIGIBLE and (age := _age(birth, on)) is not None and age < CHILD_AGE
    )


# --- the pipeline -------------------------------------------------------------------------------------


@dataclass
class PipelineRow:
    """Cases of persons detained in one country (their latest custody abroad), by how far they got."""

    country: str
    identified: int = 0
    assessed: int = 0
    eligible: int = 0
    consented: int = 0
    approved: int = 0
    returned: int = 0
    handed_over: int = 0
    not_eligible: int = 0
    remaining: int = 0


_APPROVED_OR_LATER = {CaseStage.APPROVED, CaseStage.SCHEDULED, CaseStage.RETURNED, CaseStage.REINTEGRATING}


def figure_pipeline() -> list[PipelineRow]:
    """Every case, by the country where the person was (last) held abroad: how many were
    identified, assessed, found eligible, consented, approved, returned, handed over, and how many
    are still held. A case counts in every step it has passed."""
    latest_country: dict[int, str] = {}
    held_now: set[int] = set()
    for person_id, country, until in (
        CustodyRecord.objects.filter(facility__kind__in=list(ABROAD_KINDS))
        .order_by("since", "id")
        .values_list("person_id", "facility__country", "until")
    ):
        latest_country[person_id] = country
        if until is None:
            held_now.add(person_id)
    assessed: dict[int, str] = {}
    for case_id, outcome in Assessment.objects.order_by("assessed_on", "id").values_list("case_id", "outcome"):
        assessed[case_id] = outcome
    consented = set(Consent.objects.valid().covering(ConsentScope.REPATRIATION).values_list("case_id", flat=True))
    approved = set(CaseTransition.objects.filter(to_stage=CaseStage.APPROVED).values_list("case_id", flat=True))
    returned = set(
        ManifestEntry.objects.filter(status=ManifestStatus.ARRIVED)
        .exclude(case__handovers__isnull=False)
        .values_list("case_id", flat=True)
    )
    handed = set(Handover.objects.values_list("case_id", flat=True))
    rows: dict[str, PipelineRow] = {}
    for case_id, person_id, stage in Case.objects.values_list("pk", "person_id", "stage"):
        country = latest_country.get(person_id, "")
        row = rows.setdefault(country, PipelineRow(country=country))
        row.identified += 1
        if case_id in assessed:
            row.assessed += 1
            if assessed[case_id] == AssessmentOutcome.ELIGIBLE:
                row.eligible += 1
        if case_id in consented:
            row.consented += 1
        if case_id in approved or stage in _APPROVED_OR_LATER:
            row.approved += 1
        if case_id in returned:
            row.returned += 1
        if case_id in handed:
            row.handed_over += 1
        if stage == CaseStage.NOT_ELIGIBLE:
            row.not_eligible += 1
        if person_id in held_now:
            row.remaining += 1
    return sorted(rows.values(), key=lambda r: (r.country == "", r.country))
