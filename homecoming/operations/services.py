"""Every write of the operations app. Each service validates, calls ``full_clean()``, saves and
writes its audit entry in the same transaction; the case moves an operation causes (approved ->
scheduled -> returned, or handed over, or back to approved) go through
``homecoming.cases.services.case_transition``.

Access is the caller's business (views call ``core.access`` first).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from homecoming.accounts.models import Agency, User
from homecoming.audit.models import AuditAction
from homecoming.audit.services import audit_record
from homecoming.cases.choices import CLOSED_STAGES, CaseStage
from homecoming.cases.models import Case
from homecoming.cases.services import case_transition
from homecoming.operations.choices import (
    ACTIVE_MANIFEST_STATUSES,
    MANIFEST_MOVES,
    OPERATION_MOVES,
    REASON_MANIFEST_STATUSES,
    FeeKind,
    FollowUpStatus,
    ManifestStatus,
    OperationStatus,
    TransportMode,
)
from homecoming.operations.currencies import is_currency_code
from homecoming.operations.error_codes import OperationErrorCode as Code
from homecoming.operations.models import (
    FeeEntry,
    Handover,
    ManifestEntry,
    Negotiation,
    NegotiationAction,
    Operation,
    TransportLeg,
)
from homecoming.registry.choices import CustodyEndReason
from homecoming.registry.countries import country_name, is_country_code
from homecoming.registry.models import CustodyRecord, Facility, FamilyGroup, Person
from homecoming.registry.services import custody_update

__all__ = [
    "ActionInput",
    "ArrivalResult",
    "fee_record",
    "fee_record_per_person",
    "handover_record",
    "leg_add",
    "leg_remove",
    "manifest_entry_set_status",
    "manifest_group_set_status",
    "negotiation_action_add",
    "negotiation_action_set_status",
    "negotiation_create",
    "negotiation_update",
    "operation_create",
    "operation_manifest_add",
    "operation_manifest_add_family",
    "operation_record_arrival",
    "operation_set_status",
    "operation_update",
]


def _invalid(field_name: str, message: Any, code: Code, **params: Any) -> ValidationError:
    return ValidationError({field_name: ValidationError(message, code=code, params=params or None)})


def _required_text(value: str, field_name: str, message: Any) -> str:
    value = (value or "").strip()
    if not value:
        raise _invalid(field_name, message, Code.REASON_REQUIRED)
    return value


def _check_country(value: str, field_name: str) -> str:
    value = (value or "").strip().upper()
    if not is_country_code(value):
        raise _invalid(
            field_name,
            _("“%(value)s” is not a country code; use the three-letter ISO 3166 code, for example TJK or IRQ."),
            Code.COUNTRY_UNKNOWN,
            value=value,
        )
    return value


def _not_in_future(value: datetime.date | None, field_name: str) -> None:
    if value is not None and value > timezone.localdate():
        raise _invalid(field_name, _("The date cannot be in the future."), Code.DATE_IN_FUTURE)


def _lock(operation: Operation) -> Operation:
    return Operation.objects.select_for_update().get(pk=operation.pk)


def _check_open(operation: Operation, allowed: Iterable[OperationStatus] | None = None) -> None:
    statuses = set(allowed) if allowed is not None else {OperationStatus.PLANNING, OperationStatus.APPROVED}
    if operation.status not in statuses:
        raise _invalid(
            NON_FIELD_ERRORS,
            _("The operation is %(status)s; this cannot be changed any more."),
            Code.OPERATION_CLOSED,
            status=str(operation.get_status_display()),
        )


def _name(case: Case) -> str:
    return case.person.display_name


def _move_case(case: Case, to: CaseStage, by: User, reason: str) -> None:
    """Move the case with ``case_transition``; a refusal names the person."""
    try:
        case_transition(case=case, to_stage=to, by=by, reason=reason)
    except ValidationError as error:
        detail = " ".join(str(m) for m in error.messages)
        raise _invalid(
            NON_FIELD_ERRORS,
            _("%(person)s: %(detail)s"),
            Code.CASE_MOVE_REFUSED,
            person=_name(case),
            detail=detail,
        ) from error


# --- operations -------------------------------------------------------------------------------

_OPERATION_FIELDS = (
    "name",
    "origin_country",
    "origin_place",
    "released_by",
    "destination_country",
    "destination_place",
    "planned_start",
    "planned_end",
    "other_partners",
    "escorts",
    "notes",
)


def _operation_values(values: dict[str, Any]) -> dict[str, Any]:
    cleaned = dict(values)
    cleaned["origin_country"] = _check_country(values["origin_country"], "origin_country")
    cleaned["destination_country"] = _check_country(values["destination_country"], "destination_country")
    if cleaned["origin_country"] == cleaned["destination_country"]:
        raise _invalid(
            "destination_country",
            _("An operation brings people from one country to another: choose a destination other than the origin."),
            Code.INVALID,
        )
    for name in ("name", "origin_place", "released_by", "destination_place", "other_partners", "escorts", "notes"):
        cleaned[name] = (values.get(name) or "").strip()
    return cleaned


def _check_facilities(facilities: Sequence[Facility], origin_country: str) -> None:
    for facility in facilities:
        if facility.country != origin_country:
            raise _invalid(
                "origin_facilities",
                _("%(facility)s is in %(country)s, not in the origin country."),
                Code.INVALID,
                facility=facility.name,
                country=country_name(facility.country),
            )


def _check_partners(partners: Sequence[Agency], owner: Agency) -> None:
    for agency in partners:
        if agency.pk == owner.pk:
            raise _invalid(
                "partner_agencies",
                _("The owner agency takes part anyway; do not list it among the partners."),
                Code.INVALID,
            )


@transaction.atomic
def operation_create(
    *,
    by: User,
    owner_agency: Agency,
    name: str,
    origin_country: str,
    destination_country: str,
    origin_place: str = "",
    destination_place: str = "",
    released_by: str = "",
    planned_start: datetime.date | None = None,
    planned_end: datetime.date | None = None,
    origin_facilities: Sequence[Facility] = (),
    partner_agencies: Sequence[Agency] = (),
    other_partners: str = "",
    escorts: str = "",
    notes: str = "",
) -> Operation:
    """Plan a new operation (status "planning")."""
    if not owner_agency.is_active:
        raise _invalid("owner_agency", _("This agency is no longer active."), Code.AGENCY_NOT_ALLOWED)
    values = _operation_values(
        {
            "name": name,
            "origin_country": origin_country,
            "origin_place": origin_place,
            "released_by": released_by,
            "destination_country": destination_country,
            "destination_place": destination_place,
            "planned_start": planned_start,
            "planned_end": planned_end,
            "other_partners": other_partners,
            "escorts": escorts,
            "notes": notes,
        }
    )
    _check_facilities(origin_facilities, values["origin_country"])
    _check_partners(partner_agencies, owner_agency)
    operation = Operation(owner_agency=owner_agency, created_by=by, status=OperationStatus.PLANNING, **values)
    operation.full_clean()
    operation.save()
    operation.origin_facilities.set(origin_facilities)
    operation.partner_agencies.set(partner_agencies)
    audit_record(
        actor=by,
        action=AuditAction.CREATE,
        obj=operation,
        changed_fields=[*_OPERATION_FIELDS, "origin_facilities", "partner_agencies"],
        detail={
            "owner_agency": owner_agency.code,
            "origin": values["origin_country"],
            "destination": values["destination_country"],
        },
    )
    return operation


@transaction.atomic
def operation_update(
    *,
    operation: Operation,
    by: User,
    name: str,
    origin_country: str,
    destination_country: str,
    origin_place: str = "",
    destination_place: str = "",
    released_by: str = "",
    planned_start: datetime.date | None = None,
    planned_end: datetime.date | None = None,
    origin_facilities: Sequence[Facility] = (),
    partner_agencies: Sequence[Agency] = (),
    other_partners: str = "",
    escorts: str = "",
    notes: str = "",
) -> Operation:
    """Change what is known of an operation that is not finished."""
    locked = _lock(operation)
    _check_open(locked, {OperationStatus.PLANNING, OperationStatus.APPROVED, OperationStatus.UNDER_WAY})
    values = _operation_values(
        {
            "name": name,
            "origin_country": origin_country,
            "origin_place": origin_place,
            "released_by": released_by,
            "destination_country": destination_country,
            "destination_place": destination_place,
            "planned_start": planned_start,
            "planned_end": planned_end,
            "other_partners": other_partners,
            "escorts": escorts,
            "notes": notes,
        }
    )
    if locked.manifest.exists() and (
        values["origin_country"] != locked.origin_country or values["destination_country"] != locked.destination_country
    ):
        raise _invalid(
            "origin_country",
            _("People are on the manifest already: the countries of the operation can no longer change."),
            Code.INVALID,
        )
    _check_facilities(origin_facilities, values["origin_country"])
    _check_partners(partner_agencies, locked.owner_agency)
    changed = [name for name, value in values.items() if getattr(locked, name) != value]
    for name in changed:
        setattr(locked, name, values[name])
    locked.full_clean()
    locked.save(update_fields=[*changed, "updated_at"])
    facility_ids = {f.pk for f in origin_facilities}
    if set(locked.origin_facilities.values_list("pk", flat=True)) != facility_ids:
        locked.origin_facilities.set(origin_facilities)
        changed.append("origin_facilities")
    partner_ids = {a.pk for a in partner_agencies}
    if set(locked.partner_agencies.values_list("pk", flat=True)) != partner_ids:
        locked.partner_agencies.set(partner_agencies)
        changed.append("partner_agencies")
    if changed:
        audit_record(actor=by, action=AuditAction.CHANGE, obj=locked, changed_fields=changed)
    return locked


@transaction.atomic
def operation_set_status(
    *,
    operation: Operation,
    to_status: OperationStatus | str,
    by: User,
    reason: str = "",
    on: datetime.date | None = None,
) -> Operation:
    """Move an operation along ``OPERATION_MOVES``. Starting it ("under way") needs everyone on the
    manifest cleared (or withdrawn) and records the departure date; cancelling it needs a reason and
    takes everyone off the manifest, their cases back to "approved". Completing is done by
    ``operation_record_arrival``."""
    locked = _lock(operation)
    try:
        to = OperationStatus(to_status)
    except ValueError:
        raise _invalid("to_status", _("Choose a status from the list."), Code.STATUS_NOT_ALLOWED) from None
    current = OperationStatus(locked.status)
    if to not in OPERATION_MOVES[current]:
        raise _invalid(
            "to_status",
            _("An operation that is %(from)s cannot become %(to)s."),
            Code.STATUS_NOT_ALLOWED,
            **{"from": str(current.label), "to": str(to.label)},
        )
    reason = (reason or "").strip()
    changed = ["status", "status_reason"]
    if to in (OperationStatus.CANCELLED, OperationStatus.PLANNING):
        reason = _required_text(reason, "reason", _("Say why."))
    if to == OperationStatus.UNDER_WAY:
        active = list(locked.manifest.filter(status__in=ACTIVE_MANIFEST_STATUSES).select_related("case__person"))
        if not active:
            raise _invalid(
                NON_FIELD_ERRORS, _("Nobody is on the manifest: add people before the operation starts."), Code.INVALID
            )
        waiting = [e for e in active if e.status == ManifestStatus.PLANNED]
        if waiting:
            raise _invalid(
                NON_FIELD_ERRORS,
                _("Not cleared to travel yet: %(persons)s. Clear them or take them off the manifest first."),
                Code.MANIFEST_STATUS_NOT_ALLOWED,
                persons=", ".join(_name(e.case) for e in waiting),
            )
        departure = on or timezone.localdate()
        _not_in_future(departure, "on")
        locked.actual_start = departure
        changed.append("actual_start")
    withdrawn: list[int] = []
    if to == OperationStatus.CANCELLED:
        for entry in locked.manifest.filter(status__in=ACTIVE_MANIFEST_STATUSES).select_related("case__person"):
            _set_entry_status(
                entry,
                ManifestStatus.WITHDRAWN,
                by,
                _("Operation cancelled: %(reason)s") % {"reason": reason},
            )
            withdrawn.append(entry.pk)
    locked.status = to
    locked.status_reason = reason
    locked.full_clean()
    locked.save(update_fields=[*changed, "updated_at"])
    audit_record(
        actor=by,
        action=AuditAction.TRANSITION,
        obj=locked,
        changed_fields=changed,
        detail={"from": str(current), "to": str(to), "withdrawn_entries": withdrawn},
    )
    return locked


# --- transport legs -----------------------------------------------------------------------------


@transaction.atomic
def leg_add(
    *,
    operation: Operation,
    by: User,
    mode: TransportMode | str,
    from_place: str,
    from_country: str,
    to_place: str,
    to_country: str,
    carrier: str = "",
    number: str = "",
    departure_at: datetime.datetime | None = None,
    arrival_at: datetime.datetime | None = None,
    notes: str = "",
) -> TransportLeg:
    """Add a flight or convoy to an operation that has not left yet."""
    locked = _lock(operation)
    _check_open(locked)
    leg = TransportLeg(
        operation=locked,
        sequence=locked.legs.count() + 1,
        mode=mode,
        carrier=carrier.strip(),
        number=number.strip(),
        from_place=from_place.strip(),
        from_country=_check_country(from_country, "from_country"),
        to_place=to_place.strip(),
        to_country=_check_country(to_country, "to_country"),
        departure_at=departure_at,
        arrival_at=arrival_at,
        notes=notes.strip(),
    )
    leg.full_clean()
    leg.save()
    audit_record(
        actor=by,
        action=AuditAction.CREATE,
        obj=leg,
        changed_fields=["mode", "carrier", "number", "from_place", "to_place", "departure_at", "arrival_at"],
        detail={"operation": locked.pk},
    )
    return leg


@transaction.atomic
def leg_remove(*, leg: TransportLeg, by: User) -> None:
    """Remove a leg of an operation that has not left yet."""
    locked = _lock(leg.operation)
    _check_open(locked)
    pk = leg.pk
    leg.delete()
    for sequence, other in enumerate(locked.legs.order_by("sequence", "id"), start=1):
        if other.sequence != sequence:
            other.sequence = sequence
            other.save(update_fields=["sequence"])
    audit_record(
        actor=by,
        action=AuditAction.DELETE,
        object_type="operations.transportleg",
        object_id=str(pk),
        detail={"operation": locked.pk},
    )


# --- the manifest -------------------------------------------------------------------------------


def _active_elsewhere(case: Case, operation: Operation) -> ManifestEntry | None:
    return (
        ManifestEntry.objects.filter(case=case, status__in=ACTIVE_MANIFEST_STATUSES)
        .exclude(operation=operation)
        .select_related("operation")
        .first()
    )


@transaction.atomic
def operation_manifest_add(
    *,
    operation: Operation,
    cases: Iterable[Case],
    by: User,
    group_label: str = "",
    family_group: FamilyGroup | None = None,
) -> list[ManifestEntry]:
    """Put the cases of one family group on the manifest, each case moved to "scheduled".

    All or nothing: a case that is not approved, or is on another operation's manifest, refuses
    the whole group with a message naming the person.
    """
    locked = _lock(operation)
    _check_open(locked)
    label = (group_label or "").strip() or (family_group.name if family_group is not None else "")
    if not label:
        raise _invalid("group_label", _("Name the family group, for example after the mother."), Code.INVALID)
    cases = list(Case.objects.select_for_update().filter(pk__in=[c.pk for c in cases]).select_related("person"))
    if not cases:
        raise _invalid("cases", _("Choose at least one person."), Code.INVALID)
    existing = {e.case_id: e for e in ManifestEntry.objects.filter(operation=locked, case__in=cases)}
    for case in sorted(cases, key=lambda c: c.pk):
        entry = existing.get(case.pk)
        if entry is not None and entry.status in ACTIVE_MANIFEST_STATUSES:
            raise _invalid(
                "cases",
                _("%(person)s is already on this manifest."),
                Code.CASE_ALREADY_ON_MANIFEST,
                person=_name(case),
            )
        other = _active_elsewhere(case, locked)
        if other is not None:
            raise _invalid(
                "cases",
                _("%(person)s is already on the manifest of “%(operation)s”; take them off it first."),
                Code.CASE_ON_OTHER_MANIFEST,
                person=_name(case),
                operation=other.operation.name,
            )
        if case.stage != CaseStage.APPROVED:
            raise _invalid(
                "cases",
                _(
                    "%(person)s cannot travel yet: the case is at stage “%(stage)s”; only approved cases "
                    "go on a manifest."
                ),
                Code.CASE_NOT_APPROVED,
                person=_name(case),
                stage=str(case.get_stage_display()),
            )
    now = timezone.now()
    entries = []
    for case in sorted(cases, key=lambda c: c.pk):
        entry = existing.get(case.pk)
        if entry is None:
            entry = ManifestEntry(operation=locked, case=case, added_by=by, added_at=now)
        entry.status = ManifestStatus.PLANNED
        entry.status_reason = ""
        entry.group_label = label
        entry.family_group = family_group
        entry.status_changed_by = by if entry.pk else None
        entry.status_changed_at = now if entry.pk else None
        entry.full_clean(validate_unique=False)
        entry.save()
        _move_case(case, CaseStage.SCHEDULED, by, _("On the manifest of “%(operation)s”.") % {"operation": locked.name})
        entries.append(entry)
    audit_record(
        actor=by,
        action=AuditAction.CREATE,
        obj=locked,
        object_ids=[c.pk for c in cases],
        changed_fields=["manifest"],
        detail={"group": label, "cases": [c.pk for c in cases], "entries": [e.pk for e in entries]},
    )
    return entries


@transaction.atomic
def operation_manifest_add_family(
    *,
    operation: Operation,
    family_group: FamilyGroup,
    by: User,
    group_label: str = "",
) -> list[ManifestEntry]:
    """Put every member of a registry family group whose open case is approved on the manifest,
    labelled with the group's name (or ``group_label``). Members whose case is not approved stay
    behind (a mother serving a sentence, a child not yet assessed); when no member's case is
    approved the group is refused with a message naming them."""
    members = list(family_group.members.all().order_by("pk"))
    open_cases = list(
        Case.objects.filter(person__in=members).exclude(stage__in=CLOSED_STAGES).select_related("person").order_by("pk")
    )
    approved = [c for c in open_cases if c.stage == CaseStage.APPROVED]
    if not approved:
        raise _invalid(
            "cases",
            _("Nobody of the family group “%(group)s” has an approved case: %(persons)s."),
            Code.CASE_NOT_APPROVED,
            group=family_group.name,
            persons=", ".join(f"{c.person.display_name} ({c.get_stage_display()})" for c in open_cases) or "—",
        )
    return operation_manifest_add(
        operation=operation, cases=approved, by=by, group_label=group_label, family_group=family_group
    )


def _set_entry_status(entry: ManifestEntry, to: ManifestStatus, by: User, reason: str) -> None:
    """Record the new status; a case taken off (withdrawn, no-show) goes back to "approved"."""
    entry.status = to
    entry.status_reason = reason
    entry.status_changed_by = by
    entry.status_changed_at = timezone.now()
    entry.full_clean(validate_unique=False)
    entry.save(update_fields=["status", "status_reason", "status_changed_by", "status_changed_at"])
    if to in REASON_MANIFEST_STATUSES and entry.case.stage == CaseStage.SCHEDULED:
        _move_case(
            entry.case,
            CaseStage.APPROVED,
            by,
            _("Taken off the manifest of “%(operation)s”: %(reason)s")
            % {"operation": entry.operation.name, "reason": reason},
        )


def _check_entry_move(entry: ManifestEntry, operation: Operation, to: ManifestStatus) -> None:
    current = ManifestStatus(entry.status)
    if to not in MANIFEST_MOVES[current]:
        raise _invalid(
            "to_status",
            _("%(person)s is “%(from)s” on the manifest and cannot become “%(to)s”."),
            Code.MANIFEST_STATUS_NOT_ALLOWED,
            person=_name(entry.case),
            **{"from": str(current.label), "to": str(to.label)},
        )
    if to == ManifestStatus.BOARDED and operation.status not in (OperationStatus.APPROVED, OperationStatus.UNDER_WAY):
        raise _invalid(
            "to_status",
            _("Boarding is recorded once the operation is approved or under way."),
            Code.MANIFEST_STATUS_NOT_ALLOWED,
        )


def _entry_statuses(
    operation: Operation, entries: list[ManifestEntry], to_status: ManifestStatus | str, by: User, reason: str
) -> list[ManifestEntry]:
    _check_open(operation, {OperationStatus.PLANNING, OperationStatus.APPROVED, OperationStatus.UNDER_WAY})
    try:
        to = ManifestStatus(to_status)
    except ValueError:
        raise _invalid("to_status", _("Choose a status from the list."), Code.MANIFEST_STATUS_NOT_ALLOWED) from None
    if to == ManifestStatus.ARRIVED:
        raise _invalid(
            "to_status",
            _("Arrivals are recorded for the whole operation at once, on its arrival page."),
            Code.MANIFEST_STATUS_NOT_ALLOWED,
        )
    reason = (reason or "").strip()
    if to in REASON_MANIFEST_STATUSES and not reason:
        raise _invalid("reason", _("Say why the person is withdrawn or did not travel."), Code.REASON_REQUIRED)
    for entry in entries:
        _check_entry_move(entry, operation, to)
    for entry in entries:
        _set_entry_status(entry, to, by, reason if to in REASON_MANIFEST_STATUSES else "")
    audit_record(
        actor=by,
        action=AuditAction.CHANGE,
        obj=operation,
        object_ids=[e.case_id for e in entries],
        changed_fields=["manifest.status"],
        detail={"entries": [e.pk for e in entries], "status": str(to), "reason": reason},
    )
    return entries


@transaction.atomic
def manifest_entry_set_status(
    *, entry: ManifestEntry, to_status: ManifestStatus | str, by: User, reason: str = ""
) -> ManifestEntry:
    """Clear, board, withdraw (with a reason) or mark as not travelling one person on the manifest."""
    operation = _lock(entry.operation)
    locked = ManifestEntry.objects.select_for_update().select_related("case__person", "operation").get(pk=entry.pk)
    _entry_statuses(operation, [locked], to_status, by, reason)
    for name in ("status", "status_reason", "status_changed_by", "status_changed_at"):
        setattr(entry, name, getattr(locked, name))
    return locked


@transaction.atomic
def manifest_group_set_status(
    *, operation: Operation, group_label: str, to_status: ManifestStatus | str, by: User, reason: str = ""
) -> list[ManifestEntry]:
    """The same status move for every active member of a family group on the manifest."""
    locked = _lock(operation)
    entries = list(
        ManifestEntry.objects.select_for_update()
        .filter(operation=locked, group_label=group_label, status__in=ACTIVE_MANIFEST_STATUSES)
        .select_related("case__person", "operation")
        .order_by("id")
    )
    if not entries:
        raise _invalid("group_label", _("Nobody of this family group is on the manifest."), Code.INVALID)
    return _entry_statuses(locked, entries, to_status, by, reason)


# --- arrival --------------------------------------------------------------------------------------


@dataclass
class ArrivalResult:
    """What the arrival changed: who came home, who was handed over on the way, who did not come."""

    arrived: list[ManifestEntry] = field(default_factory=list)
    handed_over: list[ManifestEntry] = field(default_factory=list)
    not_arrived: list[ManifestEntry] = field(default_factory=list)


@transaction.atomic
def operation_record_arrival(
    *,
    operation: Operation,
    by: User,
    arrived_on: datetime.date,
    arrived: Iterable[ManifestEntry],
    reasons: Mapping[int, str] | None = None,
) -> ArrivalResult:
    """Reconcile the manifest with who actually arrived, and complete the operation.

    ``arrived`` are the manifest entries of the people who arrived (cleared or boarded); each of
    their cases moves "scheduled" -> "returned". Everyone else still on the manifest did not
    arrive and needs a reason in ``reasons`` (by entry id); their cases go back to "approved".
    People handed over to another state during the operation (``handover_record``) are neither:
    their entries are closed as arrived if listed, or withdrawn, and their cases stay handed over.
    """
    locked = _lock(operation)
    _check_open(locked, {OperationStatus.UNDER_WAY})
    _not_in_future(arrived_on, "arrived_on")
    if locked.actual_start is not None and arrived_on < locked.actual_start:
        raise _invalid("arrived_on", _("The arrival cannot be before the departure."), Code.INVALID)
    reasons = {int(k): (v or "").strip() for k, v in (reasons or {}).items()}
    active = list(
        ManifestEntry.objects.select_for_update()
        .filter(operation=locked, status__in=ACTIVE_MANIFEST_STATUSES)
        .select_related("case__person", "operation")
        .order_by("group_label", "id")
    )
    arrived_ids = {e.pk for e in arrived}
    unknown = arrived_ids - {e.pk for e in active}
    if unknown:
        raise _invalid(
            "arrived",
            _("Only people still on this operation's manifest can arrive with it."),
            Code.INVALID,
        )
    handed = set(Handover.objects.filter(operation=locked).values_list("case_id", flat=True))
    not_cleared = [e for e in active if e.pk in arrived_ids and e.status == ManifestStatus.PLANNED]
    if not_cleared:
        raise _invalid(
            "arrived",
            _("%(persons)s were never cleared to travel; check the manifest."),
            Code.ARRIVAL_NOT_CLEARED,
            persons=", ".join(_name(e.case) for e in not_cleared),
        )
    missing = [e for e in active if e.pk not in arrived_ids and e.case_id not in handed and not reasons.get(e.pk)]
    if missing:
        raise _invalid(
            "reasons",
            _("Say why these people did not arrive: %(persons)s."),
            Code.ARRIVAL_REASON_MISSING,
            persons=", ".join(_name(e.case) for e in missing),
        )
    result = ArrivalResult()
    now = timezone.now()
    for entry in active:
        if entry.pk in arrived_ids:
            entry.status = ManifestStatus.ARRIVED
            entry.status_reason = ""
            entry.status_changed_by = by
            entry.status_changed_at = now
            entry.save(update_fields=["status", "status_reason", "status_changed_by", "status_changed_at"])
            if entry.case_id in handed:
                result.handed_over.append(entry)
            else:
                _move_case(
                    entry.case,
                    CaseStage.RETURNED,
                    by,
                    _("Arrived home with “%(operation)s” on %(date)s.")
                    % {"operation": locked.name, "date": arrived_on.isoformat()},
                )
                _end_custody_abroad(entry.case.person, on=arrived_on, reason=CustodyEndReason.REPATRIATED, by=by)
                result.arrived.append(entry)
        elif entry.case_id in handed:
            _set_entry_status(entry, ManifestStatus.WITHDRAWN, by, str(_("Handed over to another state.")))
            result.handed_over.append(entry)
        else:
            to = ManifestStatus.NO_SHOW if entry.status != ManifestStatus.PLANNED else ManifestStatus.WITHDRAWN
            _set_entry_status(entry, to, by, reasons[entry.pk])
            result.not_arrived.append(entry)
    locked.status = OperationStatus.COMPLETED
    locked.actual_end = arrived_on
    if locked.actual_start is None:
        locked.actual_start = arrived_on
    locked.full_clean()
    locked.save(update_fields=["status", "actual_end", "actual_start", "updated_at"])
    audit_record(
        actor=by,
        action=AuditAction.TRANSITION,
        obj=locked,
        object_ids=[e.case_id for e in active],
        changed_fields=["status", "actual_end", "manifest.status"],
        detail={
            "from": str(OperationStatus.UNDER_WAY),
            "to": str(OperationStatus.COMPLETED),
            "arrived": [e.case_id for e in result.arrived],
            "handed_over": [e.case_id for e in result.handed_over],
            "not_arrived": [e.case_id for e in result.not_arrived],
        },
    )
    return result


def _end_custody_abroad(person: Person, *, on: datetime.date, reason: str, by: User) -> None:
    """The person left the facility abroad where they were held: their current stay there ends (the
    registry's service writes the change and its audit entry). A stay that already ended is left alone."""
    current = CustodyRecord.objects.filter(person=person, until__isnull=True).select_related("facility").first()
    if current is None or not current.facility.is_abroad or current.since > on:
        return
    custody_update(record=current, by=by, changes={"until": on, "end_reason": reason})


# --- fees -----------------------------------------------------------------------------------------


def _on_operation(operation: Operation, person: Person) -> bool:
    return (
        ManifestEntry.objects.filter(operation=operation, case__person=person).exists()
        or Handover.objects.filter(operation=operation, case__person=person).exists()
    )


def _fee(
    *,
    operation: Operation,
    by: User,
    kind: FeeKind | str,
    amount: Decimal,
    currency: str,
    payer: str,
    payee: str,
    paid_on: datetime.date,
    person: Person | None,
    reference: str,
    note: str,
) -> FeeEntry:
    currency = (currency or "").strip().upper()
    if not is_currency_code(currency):
        raise _invalid(
            "currency",
            _("“%(value)s” is not a currency code; use the three-letter ISO 4217 code, for example USD."),
            Code.CURRENCY_UNKNOWN,
            value=currency,
        )
    _not_in_future(paid_on, "paid_on")
    if person is not None and not _on_operation(operation, person):
        raise _invalid(
            "person",
            _("%(person)s is not on this operation's manifest."),
            Code.PERSON_NOT_ON_OPERATION,
            person=person.display_name,
        )
    fee = FeeEntry(
        operation=operation,
        person=person,
        kind=kind,
        amount=amount,
        currency=currency,
        payer=(payer or "").strip(),
        payee=(payee or "").strip(),
        paid_on=paid_on,
        reference=(reference or "").strip(),
        note=(note or "").strip(),
        recorded_by=by,
    )
    fee.full_clean()
    fee.save()
    return fee


@transaction.atomic
def fee_record(
    *,
    operation: Operation,
    by: User,
    kind: FeeKind | str,
    amount: Decimal,
    currency: str,
    payer: str,
    payee: str,
    paid_on: datetime.date,
    person: Person | None = None,
    reference: str = "",
    note: str = "",
) -> FeeEntry:
    """Record a sum paid for the operation, for one person on it or for the whole operation.
    Fees are recorded whatever the operation's status: money paid for a cancelled operation was paid."""
    locked = _lock(operation)
    fee = _fee(
        operation=locked,
        by=by,
        kind=kind,
        amount=amount,
        currency=currency,
        payer=payer,
        payee=payee,
        paid_on=paid_on,
        person=person,
        reference=reference,
        note=note,
    )
    audit_record(
        actor=by,
        action=AuditAction.CREATE,
        obj=fee,
        changed_fields=["kind", "amount", "currency", "payer", "payee", "paid_on", "person"],
        detail={"operation": locked.pk, "amount": str(fee.amount), "currency": fee.currency},
    )
    return fee


@transaction.atomic
def fee_record_per_person(
    *,
    operation: Operation,
    by: User,
    persons: Sequence[Person],
    kind: FeeKind | str,
    amount_each: Decimal,
    currency: str,
    payer: str,
    payee: str,
    paid_on: datetime.date,
    reference: str = "",
    note: str = "",
) -> list[FeeEntry]:
    """The same fee for each of several persons on the operation ("USD 400 per child")."""
    locked = _lock(operation)
    if not persons:
        raise _invalid("persons", _("Choose at least one person."), Code.INVALID)
    fees = [
        _fee(
            operation=locked,
            by=by,
            kind=kind,
            amount=amount_each,
            currency=currency,
            payer=payer,
            payee=payee,
            paid_on=paid_on,
            person=person,
            reference=reference,
            note=note,
        )
        for person in persons
    ]
    audit_record(
        actor=by,
        action=AuditAction.CREATE,
        obj=locked,
        object_ids=[p.pk for p in persons],
        changed_fields=["fees"],
        detail={
            "fees": [f.pk for f in fees],
            "amount_each": str(fees[0].amount),
            "currency": fees[0].currency,
            "kind": str(kind),
        },
    )
    return fees


# --- handovers ------------------------------------------------------------------------------------


@transaction.atomic
def handover_record(
    *,
    operation: Operation,
    case: Case,
    by: User,
    receiving_country: str,
    receiving_authority: str,
    place: str,
    handed_over_at: datetime.datetime,
    our_officials: str,
    their_officials: str,
    note: str = "",
) -> Handover:
    """Record that a person was handed over to another state's authorities during the operation;
    the case moves to "handed over"."""
    locked = _lock(operation)
    _check_open(locked, {OperationStatus.APPROVED, OperationStatus.UNDER_WAY})
    country = _check_country(receiving_country, "receiving_country")
    if country == locked.destination_country:
        raise _invalid(
            "receiving_country",
            _(
                "People who come home with the operation are recorded at its arrival; a handover is to "
                "another state's authorities."
            ),
            Code.HANDOVER_TO_DESTINATION,
        )
    if handed_over_at > timezone.now():
        raise _invalid("handed_over_at", _("The time cannot be in the future."), Code.DATE_IN_FUTURE)
    case = Case.objects.select_for_update().select_related("person").get(pk=case.pk)
    if not ManifestEntry.objects.filter(operation=locked, case=case, status__in=ACTIVE_MANIFEST_STATUSES).exists():
        raise _invalid(
            "case",
            _("%(person)s is not on this operation's manifest: only people travelling with the group are handed over."),
            Code.PERSON_NOT_ON_OPERATION,
            person=_name(case),
        )
    handover = Handover(
        operation=locked,
        case=case,
        receiving_country=country,
        receiving_authority=(receiving_authority or "").strip(),
        place=(place or "").strip(),
        handed_over_at=handed_over_at,
        our_officials=(our_officials or "").strip(),
        their_officials=(their_officials or "").strip(),
        note=(note or "").strip(),
        recorded_by=by,
    )
    handover.full_clean()
    _move_case(
        case,
        CaseStage.HANDED_OVER,
        by,
        _("Handed over to %(authority)s (%(country)s) at %(place)s during “%(operation)s”.")
        % {
            "authority": handover.receiving_authority,
            "country": country_name(country),
            "place": handover.place,
            "operation": locked.name,
        },
    )
    handover.save()
    _end_custody_abroad(
        case.person, on=timezone.localtime(handed_over_at).date(), reason=CustodyEndReason.HANDED_OVER, by=by
    )
    audit_record(
        actor=by,
        action=AuditAction.CREATE,
        obj=handover,
        changed_fields=["receiving_country", "receiving_authority", "place", "handed_over_at"],
        detail={"operation": locked.pk, "case": case.pk, "receiving_country": country},
    )
    return handover


# --- negotiations ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ActionInput:
    """A follow-up action to add with a negotiation."""

    description: str
    due_on: datetime.date | None = None
    responsible: str = ""


def _negotiation_values(
    *,
    held_on: datetime.date,
    place: str,
    counterpart_country: str,
    their_authority: str,
    our_participants: str,
    their_participants: str,
    subject: str,
    outcome: str,
) -> dict[str, Any]:
    _not_in_future(held_on, "held_on")
    return {
        "held_on": held_on,
        "place": (place or "").strip(),
        "counterpart_country": _check_country(counterpart_country, "counterpart_country"),
        "their_authority": (their_authority or "").strip(),
        "our_participants": (our_participants or "").strip(),
        "their_participants": (their_participants or "").strip(),
        "subject": (subject or "").strip(),
        "outcome": (outcome or "").strip(),
    }


@transaction.atomic
def negotiation_create(
    *,
    by: User,
    owner_agency: Agency,
    held_on: datetime.date,
    place: str,
    counterpart_country: str,
    their_authority: str,
    our_participants: str,
    their_participants: str,
    subject: str,
    outcome: str = "",
    operations: Sequence[Operation] = (),
    persons: Sequence[Person] = (),
    facilities: Sequence[Facility] = (),
    actions: Sequence[ActionInput] = (),
) -> Negotiation:
    """Record a meeting with a foreign counterpart, what it concerned and what was agreed."""
    values = _negotiation_values(
        held_on=held_on,
        place=place,
        counterpart_country=counterpart_country,
        their_authority=their_authority,
        our_participants=our_participants,
        their_participants=their_participants,
        subject=subject,
        outcome=outcome,
    )
    negotiation = Negotiation(owner_agency=owner_agency, created_by=by, **values)
    negotiation.full_clean()
    negotiation.save()
    negotiation.operations.set(operations)
    negotiation.persons.set(persons)
    negotiation.facilities.set(facilities)
    for action in actions:
        _action_add(negotiation, action)
    audit_record(
        actor=by,
        action=AuditAction.CREATE,
        obj=negotiation,
        object_ids=[p.pk for p in persons],
        changed_fields=[*values, "operations", "persons", "facilities", "actions"],
        detail={"owner_agency": owner_agency.code, "counterpart_country": values["counterpart_country"]},
    )
    return negotiation


@transaction.atomic
def negotiation_update(
    *,
    negotiation: Negotiation,
    by: User,
    held_on: datetime.date,
    place: str,
    counterpart_country: str,
    their_authority: str,
    our_participants: str,
    their_participants: str,
    subject: str,
    outcome: str = "",
    operations: Sequence[Operation] = (),
    persons: Sequence[Person] = (),
    facilities: Sequence[Facility] = (),
) -> Negotiation:
    """Change the record of a meeting (its outcome is often written up later)."""
    locked = Negotiation.objects.select_for_update().get(pk=negotiation.pk)
    values = _negotiation_values(
        held_on=held_on,
        place=place,
        counterpart_country=counterpart_country,
        their_authority=their_authority,
        our_participants=our_participants,
        their_participants=their_participants,
        subject=subject,
        outcome=outcome,
    )
    changed = [name for name, value in values.items() if getattr(locked, name) != value]
    for name in changed:
        setattr(locked, name, values[name])
    locked.full_clean()
    locked.save(update_fields=[*changed, "updated_at"])
    for name, items in (("operations", operations), ("persons", persons), ("facilities", facilities)):
        related = getattr(locked, name)
        if set(related.values_list("pk", flat=True)) != {i.pk for i in items}:
            related.set(items)
            changed.append(name)
    if changed:
        audit_record(
            actor=by,
            action=AuditAction.CHANGE,
            obj=locked,
            object_ids=[p.pk for p in persons],
            changed_fields=changed,
        )
    return locked


def _action_add(negotiation: Negotiation, action: ActionInput) -> NegotiationAction:
    item = NegotiationAction(
        negotiation=negotiation,
        description=(action.description or "").strip(),
        due_on=action.due_on,
        responsible=(action.responsible or "").strip(),
    )
    item.full_clean()
    item.save()
    return item


@transaction.atomic
def negotiation_action_add(
    *,
    negotiation: Negotiation,
    by: User,
    description: str,
    due_on: datetime.date | None = None,
    responsible: str = "",
) -> NegotiationAction:
    """Add a follow-up action agreed in a negotiation."""
    item = _action_add(negotiation, ActionInput(description=description, due_on=due_on, responsible=responsible))
    audit_record(
        actor=by,
        action=AuditAction.CREATE,
        obj=item,
        changed_fields=["description", "due_on", "responsible"],
        detail={"negotiation": negotiation.pk},
    )
    return item


@transaction.atomic
def negotiation_action_set_status(
    *,
    action: NegotiationAction,
    by: User,
    status: FollowUpStatus | str,
    done_on: datetime.date | None = None,
    note: str = "",
) -> NegotiationAction:
    """Mark a follow-up action done (with its date), dropped (with a note) or open again."""
    locked = NegotiationAction.objects.select_for_update().get(pk=action.pk)
    try:
        new = FollowUpStatus(status)
    except ValueError:
        raise _invalid("status", _("Choose a status from the list."), Code.INVALID) from None
    note = (note or "").strip()
    if new == FollowUpStatus.DONE:
        done_on = done_on or timezone.localdate()
        _not_in_future(done_on, "done_on")
    else:
        done_on = None
    if new == FollowUpStatus.DROPPED and not note:
        raise _invalid("note", _("Say why the action is dropped."), Code.REASON_REQUIRED)
    locked.status = new
    locked.done_on = done_on
    locked.note = note
    locked.full_clean()
    locked.save(update_fields=["status", "done_on", "note"])
    audit_record(
        actor=by,
        action=AuditAction.CHANGE,
        obj=locked,
        changed_fields=["status", "done_on", "note"],
        detail={"negotiation": locked.negotiation_id, "status": str(new)},
    )
    for name in ("status", "done_on", "note"):
        setattr(action, name, getattr(locked, name))
    return locked
