"""Reads of the operations app: lists, the manifest by family group, fees and their totals, the
arrival reconciliation, and the approved cases that may go on a manifest.

Persons are shown only when ``core.access`` lets the user see their case; the others are
counted, never named.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet

from homecoming.cases.choices import CaseStage
from homecoming.cases.models import Case
from homecoming.core.access import (
    Perm,
    cases_visible_to,
    negotiations_visible_to,
    operations_visible_to,
    persons_visible_to,
)
from homecoming.operations.choices import (
    ACTIVE_MANIFEST_STATUSES,
    FeeKind,
    FollowUpStatus,
    ManifestStatus,
    OperationStatus,
)
from homecoming.operations.models import (
    FeeEntry,
    Handover,
    ManifestEntry,
    Negotiation,
    NegotiationAction,
    Operation,
)
from homecoming.registry.choices import NameScript
from homecoming.registry.models import CustodyRecord, FamilyGroupMember, PersonName

__all__ = [
    "FeeTotals",
    "ManifestGroup",
    "ManifestRow",
    "Reconciliation",
    "manifest_candidates",
    "names_of",
    "negotiation_list",
    "operation_fees",
    "operation_list",
    "operation_manifest",
    "operation_reconciliation",
]


def operation_list(*, user: Any, status: str = "", q: str = "") -> QuerySet[Operation]:
    """Operations the user may see, newest first, with the counts of their manifest."""
    qs = operations_visible_to(user).select_related("owner_agency")
    if status:
        qs = qs.filter(status=status)
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(origin_place__icontains=q) | Q(destination_place__icontains=q))
    return qs.annotate(
        on_manifest=Count("manifest", filter=~Q(manifest__status=ManifestStatus.WITHDRAWN), distinct=True),
        arrived=Count("manifest", filter=Q(manifest__status=ManifestStatus.ARRIVED), distinct=True),
    ).order_by("-planned_start", "-id")


def negotiation_list(*, user: Any, q: str = "") -> QuerySet[Negotiation]:
    qs = negotiations_visible_to(user).select_related("owner_agency")
    if q:
        qs = qs.filter(
            Q(subject__icontains=q) | Q(their_authority__icontains=q) | Q(place__icontains=q) | Q(outcome__icontains=q)
        )
    return qs.annotate(
        open_actions=Count("actions", filter=Q(actions__status=FollowUpStatus.OPEN), distinct=True)
    ).order_by("-held_on", "-id")


# --- names in every script -------------------------------------------------------------------------------


@dataclass
class PersonNames:
    original: str
    romanised: str
    others: list[str] = field(default_factory=list)


def _readable(romanised: str) -> str:
    """The registry keeps romanisations lower-case (they are search keys); a manifest shows them
    capitalised, as a name is written."""
    return romanised.title() if romanised.islower() else romanised


def names_of(person_ids: list[int]) -> dict[int, PersonNames]:
    """For each person: the primary name as written, a Latin-script form (the romanisation of the
    primary name, or a Latin alias), and the other spellings."""
    result: dict[int, PersonNames] = {}
    latin: dict[int, str] = {}
    for person_id, full_name, script, romanised, is_primary in (
        PersonName.objects.filter(person_id__in=person_ids)
        .values_list("person_id", "full_name", "script", "romanised", "is_primary")
        .order_by("-is_primary", "id")
    ):
        if is_primary:
            result[person_id] = PersonNames(
                full_name, full_name if script == NameScript.LATIN else _readable(romanised)
            )
        else:
            entry = result.setdefault(person_id, PersonNames(full_name, _readable(romanised)))
            entry.others.append(full_name)
            if script == NameScript.LATIN and person_id not in latin:
                latin[person_id] = full_name
    for person_id, entry in result.items():
        if person_id in latin and entry.romanised != entry.original:
            entry.romanised = latin[person_id]
    return result


# --- the manifest ------------------------------------------------------------------------------------------


@dataclass
class ManifestRow:
    entry: ManifestEntry
    visible: bool
    names: PersonNames | None = None
    age: int | None = None
    handed_over: Handover | None = None


@dataclass
class ManifestGroup:
    label: str
    rows: list[ManifestRow]

    @property
    def active(self) -> int:
        return sum(1 for r in self.rows if r.entry.status in ACTIVE_MANIFEST_STATUSES)

    @property
    def statuses(self) -> set[str]:
        return {r.entry.status for r in self.rows}


def _age(birth: dt.date | None, on: dt.date) -> int | None:
    if birth is None:
        return None
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


def operation_manifest(*, operation: Operation, user: Any) -> list[ManifestGroup]:
    """The manifest by family group. Rows of cases the user may not see are kept, unnamed."""
    entries = list(
        ManifestEntry.objects.filter(operation=operation)
        .select_related("case__person", "case__owner_agency", "family_group")
        .order_by("group_label", "id")
    )
    visible = set(cases_visible_to(user).filter(pk__in=[e.case_id for e in entries]).values_list("pk", flat=True))
    names = names_of([e.case.person_id for e in entries if e.case_id in visible])
    handovers = {h.case_id: h for h in Handover.objects.filter(operation=operation)}
    on = operation.date or dt.date.today()  # noqa: DTZ011  (a calendar day)
    groups: dict[str, list[ManifestRow]] = defaultdict(list)
    for entry in entries:
        shown = entry.case_id in visible
        groups[entry.group_label].append(
            ManifestRow(
                entry=entry,
                visible=shown,
                names=names.get(entry.case.person_id) if shown else None,
                age=_age(entry.case.person.birth_date, on) if shown else None,
                handed_over=handovers.get(entry.case_id),
            )
        )
    return [ManifestGroup(label, rows) for label, rows in groups.items()]


def manifest_counts(*, operation: Operation) -> dict[str, int]:
    counts = dict.fromkeys(ManifestStatus.values, 0)
    for status, n in (
        ManifestEntry.objects.filter(operation=operation).values_list("status").annotate(n=Count("id")).order_by()
    ):
        counts[status] = n
    counts["active"] = sum(counts[s] for s in ACTIVE_MANIFEST_STATUSES)
    return counts


@dataclass
class Candidate:
    case: Case
    names: PersonNames | None
    group: str
    held_in_origin: bool


def manifest_candidates(*, operation: Operation, user: Any) -> list[Candidate]:
    """Approved cases the user may move, not on any active manifest, those held in the
    operation's origin country first, grouped by their family group."""
    active = ManifestEntry.objects.filter(status__in=ACTIVE_MANIFEST_STATUSES).values("case_id")
    cases = list(
        cases_visible_to(user, Perm.CASE_TRANSITION)
        .filter(stage=CaseStage.APPROVED)
        .exclude(pk__in=active)
        .select_related("person")
        .order_by("person__display_name", "pk")[:500]
    )
    person_ids = [c.person_id for c in cases]
    in_origin = set(
        CustodyRecord.objects.filter(
            person_id__in=person_ids, until__isnull=True, facility__country=operation.origin_country
        ).values_list("person_id", flat=True)
    )
    groups = dict(FamilyGroupMember.objects.filter(person_id__in=person_ids).values_list("person_id", "group__name"))
    names = names_of(person_ids)
    result = [
        Candidate(
            case=c,
            names=names.get(c.person_id),
            group=groups.get(c.person_id, ""),
            held_in_origin=c.person_id in in_origin,
        )
        for c in cases
    ]
    return sorted(result, key=lambda c: (not c.held_in_origin, c.group == "", c.group, c.case.person.display_name))


# --- fees --------------------------------------------------------------------------------------------------


@dataclass
class FeeTotals:
    entries: list[FeeEntry]
    per_currency: dict[str, Decimal]
    per_kind: dict[tuple[str, str], Decimal]  # (kind label, currency) -> total
    per_person: list[tuple[str, str, Decimal, int]]  # (name or "", currency, total, entries)
    hidden_persons: int


def operation_fees(*, operation: Operation, user: Any) -> FeeTotals:
    """Fees of an operation with totals per currency, per kind and per person. Sums are never
    added across currencies; a person the user may not see is counted, not named."""
    entries = list(FeeEntry.objects.filter(operation=operation).select_related("person").order_by("paid_on", "id"))
    visible = set(
        persons_visible_to(user)
        .filter(pk__in=[e.person_id for e in entries if e.person_id])
        .values_list("pk", flat=True)
    )
    per_currency: dict[str, Decimal] = defaultdict(Decimal)
    per_kind: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    per_person: dict[tuple[int, str], list[Any]] = {}
    for fee in entries:
        per_currency[fee.currency] += fee.amount
        per_kind[(str(FeeKind(fee.kind).label), fee.currency)] += fee.amount
        if fee.person_id is not None:
            row = per_person.setdefault((fee.person_id, fee.currency), [Decimal(0), 0])
            row[0] += fee.amount
            row[1] += 1
    people = []
    hidden = set()
    for (person_id, currency), (total, count) in per_person.items():
        if person_id in visible:
            name = next(e.person.display_name for e in entries if e.person_id == person_id and e.person)
            people.append((name, currency, total, count))
        else:
            hidden.add(person_id)
    return FeeTotals(
        entries=entries,
        per_currency=dict(sorted(per_currency.items())),
        per_kind=dict(sorted(per_kind.items())),
        per_person=sorted(people),
        hidden_persons=len(hidden),
    )


def detaining_fee_persons(*, operation: Operation) -> set[int]:
    return set(
        FeeEntry.objects.filter(
            operation=operation, kind=FeeKind.DETAINING_AUTHORITY, person__isnull=False
        ).values_list("person_id", flat=True)
    )


# --- arrival ------------------------------------------------------------------------------------------------


@dataclass
class Reconciliation:
    """The manifest against the arrival: expected, arrived, handed over, did not arrive, withdrawn."""

    expected: int
    arrived: int
    handed_over: int
    not_arrived: int
    withdrawn: int
    planned_not_cleared: int
    complete: bool

    @property
    def difference(self) -> int:
        return self.expected - self.arrived - self.handed_over


def operation_reconciliation(*, operation: Operation) -> Reconciliation:
    """The manifest against the arrival. A person handed over to another state counts as handed
    over (not as arrived, not as withdrawn), whatever their manifest entry says."""
    counts = manifest_counts(operation=operation)
    handed = Handover.objects.filter(operation=operation).count()
    handed_entries = dict(
        ManifestEntry.objects.filter(operation=operation, case__handovers__operation=operation)
        .values_list("status")
        .annotate(n=Count("id"))
        .order_by()
    )
    arrived = counts[ManifestStatus.ARRIVED] - handed_entries.get(ManifestStatus.ARRIVED, 0)
    withdrawn = counts[ManifestStatus.WITHDRAWN] - handed_entries.get(ManifestStatus.WITHDRAWN, 0)
    expected = (
        counts["active"]
        + counts[ManifestStatus.ARRIVED]
        + counts[ManifestStatus.NO_SHOW]
        + handed_entries.get(ManifestStatus.WITHDRAWN, 0)
    )
    return Reconciliation(
        expected=expected,
        arrived=arrived,
        handed_over=handed,
        not_arrived=counts[ManifestStatus.NO_SHOW],
        withdrawn=withdrawn,
        planned_not_cleared=counts[ManifestStatus.PLANNED],
        complete=operation.status == OperationStatus.COMPLETED,
    )


def overdue_actions(*, user: Any) -> QuerySet[NegotiationAction]:
    return NegotiationAction.objects.filter(
        negotiation__in=negotiations_visible_to(user),
        status=FollowUpStatus.OPEN,
        due_on__lt=dt.date.today(),  # noqa: DTZ011
    ).select_related("negotiation")
