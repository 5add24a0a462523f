"""Facilities (reference data) and custody records (person data, with a legal field group)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from homecoming.accounts.models import User
from homecoming.audit.models import AuditAction
from homecoming.audit.services import AuditEvent, audit_record
from homecoming.core.bulk import bulk_copy, bulk_update_fields
from homecoming.registry.choices import CustodyEndReason, FacilityKind
from homecoming.registry.error_codes import RegistryErrorCode
from homecoming.registry.models import LEGAL_FIELDS, CustodyRecord, Facility, Person
from homecoming.registry.names import as_written
from homecoming.registry.services._common import (
    BulkItemError,
    audit_person,
    bulk_check,
    check_country,
    invalid,
    not_in_future,
    person_event,
)

__all__ = [
    "CUSTODY_FIELDS",
    "FACILITY_FIELDS",
    "CustodyInput",
    "custody_bulk_create",
    "custody_bulk_transfer",
    "custody_create",
    "custody_update",
    "facility_create",
    "facility_update",
]

FACILITY_FIELDS = ("name", "kind", "country", "locality", "custodian_authority", "notes", "is_active")
CUSTODY_FIELDS = ("facility", "since", "until", "end_reason", *LEGAL_FIELDS)


# --- facilities ----------------------------------------------------------------------------------


def _facility_values(values: Mapping[str, Any]) -> dict[str, Any]:
    out = {key: values[key] for key in FACILITY_FIELDS if key in values}
    for key in ("name", "locality", "custodian_authority"):
        if key in out:
            out[key] = as_written(out[key] or "")[:200]
    if "notes" in out:
        out["notes"] = (out["notes"] or "").strip()
    if "country" in out:
        out["country"] = check_country(out["country"] or "", "country")
        if not out["country"]:
            raise invalid("country", _("Choose the country of the facility."), RegistryErrorCode.INVALID)
    if "kind" in out and out["kind"] not in FacilityKind.values:
        raise invalid("kind", _("Choose the kind of facility."), RegistryErrorCode.INVALID)
    if "name" in out and not out["name"]:
        raise invalid("name", _("Give the facility's name."), RegistryErrorCode.INVALID)
    return out


def _check_unique_facility(facility: Facility) -> None:
    clash = Facility.objects.filter(name__iexact=facility.name, country=facility.country)
    if facility.pk:
        clash = clash.exclude(pk=facility.pk)
    if clash.exists():
        raise invalid(
            "name",
            _("A facility named “%(name)s” is already registered in this country."),
            RegistryErrorCode.FACILITY_DUPLICATE,
            name=facility.name,
        )


@transaction.atomic
def facility_create(
    *,
    by: User | None,
    name: str,
    kind: str,
    country: str,
    locality: str = "",
    custodian_authority: str = "",
    notes: str = "",
) -> Facility:
    values = _facility_values(
        {
            "name": name,
            "kind": kind,
            "country": country,
            "locality": locality,
            "custodian_authority": custodian_authority,
            "notes": notes,
        }
    )
    facility = Facility(**values)
    _check_unique_facility(facility)
    facility.full_clean()
    facility.save()
    audit_record(
        actor=by,
        action=AuditAction.CREATE,
        obj=facility,
        changed_fields=list(values),
        detail={"kind": facility.kind, "country": facility.country},
    )
    return facility


@transaction.atomic
def facility_update(*, facility: Facility, by: User | None, changes: Mapping[str, Any]) -> list[str]:
    values = _facility_values(changes)
    before = {field: getattr(facility, field) for field in FACILITY_FIELDS}
    for field, value in values.items():
        setattr(facility, field, value)
    changed = [field for field in FACILITY_FIELDS if getattr(facility, field) != before[field]]
    if not changed:
        return []
    _check_unique_facility(facility)
    facility.full_clean()
    facility.save(update_fields=[*changed, "updated_at"])
    audit_record(actor=by, action=AuditAction.CHANGE, obj=facility, changed_fields=changed)
    return changed


# --- custody --------------------------------------------------------------------------------------


def _custody_values(values: Mapping[str, Any]) -> dict[str, Any]:
    out = {key: values[key] for key in CUSTODY_FIELDS if key in values}
    for key in ("charge", "notes"):
        if key in out:
            out[key] = (out[key] or "").strip()
    for key in ("sentence", "court"):
        if key in out:
            out[key] = as_written(out[key] or "")[: 300 if key == "sentence" else 200]
    if "life_sentence" in out:
        out["life_sentence"] = bool(out["life_sentence"])
    if "end_reason" in out:
        out["end_reason"] = out["end_reason"] or ""
        if out["end_reason"] not in CustodyEndReason.values:
            raise invalid("end_reason", _("Choose how the stay ended."), RegistryErrorCode.INVALID)
    return out


def _check_custody(record: CustodyRecord) -> None:
    if record.since is None:
        raise invalid("since", _("Give the day the stay began (or the earliest day known)."), RegistryErrorCode.INVALID)
    not_in_future(record.since, "since")
    not_in_future(record.until, "until")
    not_in_future(record.sentenced_on, "sentenced_on")
    if record.until is not None and record.until < record.since:
        raise invalid("until", _("The end date cannot be before the start date."), RegistryErrorCode.CUSTODY_INVALID)
    if record.life_sentence and record.sentence_months is not None:
        raise invalid(
            "sentence_months",
            _("A life sentence has no length; leave the months empty or untick “life sentence”."),
            RegistryErrorCode.CUSTODY_INVALID,
        )
    if record.sentence_months is not None and record.sentence_months <= 0:
        raise invalid(
            "sentence_months", _("Give the length in months (at least 1)."), RegistryErrorCode.CUSTODY_INVALID
        )
    if record.until is None and record.end_reason:
        raise invalid(
            "until",
            _("Give the date the stay ended, or leave “how it ended” empty."),
            RegistryErrorCode.CUSTODY_INVALID,
        )
    if record.until is not None and not record.end_reason:
        raise invalid(
            "end_reason",
            _("Say how the stay ended (released, transferred, repatriated…)."),
            RegistryErrorCode.CUSTODY_INVALID,
        )


def _overlapping(record: CustodyRecord) -> CustodyRecord | None:
    """Another stay of the same person whose period overlaps this one (touching ends do not)."""
    others = CustodyRecord.objects.filter(person_id=record.person_id).exclude(pk=record.pk).select_related("facility")
    if record.until is not None:
        others = others.filter(since__lt=record.until)
    others = others.filter(Q(until__isnull=True) | Q(until__gt=record.since))
    return others.order_by("since").first()


def _overlap_error(other: CustodyRecord) -> ValidationError:
    if other.until is None:
        return invalid(
            "since",
            _(
                "This person is recorded at %(facility)s since %(since)s; tick “ends the current stay” to "
                "record a transfer, or correct the dates."
            ),
            RegistryErrorCode.CUSTODY_OVERLAP,
            facility=other.facility.name,
            since=other.since.isoformat(),
        )
    return invalid(
        "since",
        _("This period overlaps the stay at %(facility)s from %(since)s to %(until)s; correct the dates."),
        RegistryErrorCode.CUSTODY_OVERLAP,
        facility=other.facility.name,
        since=other.since.isoformat(),
        until=other.until.isoformat(),
    )


@transaction.atomic
def custody_create(
    *,
    person: Person,
    by: User | None,
    facility: Facility,
    since: dt.date,
    until: dt.date | None = None,
    end_reason: str = "",
    end_current: bool = False,
    **legal: Any,
) -> CustodyRecord:
    """Record where a person is (or was) held or placed. ``legal``: any of ``LEGAL_FIELDS``.

    ``end_current``: the new stay follows the current one (a transfer, a release into a
    placement): the current one ends the day the new one begins."""
    unknown = set(legal) - set(LEGAL_FIELDS)
    if unknown:
        raise TypeError(f"unknown custody fields: {sorted(unknown)}")
    values = _custody_values({"since": since, "until": until, "end_reason": end_reason, **legal})
    record = CustodyRecord(person=person, facility=facility, created_by=by, **values)
    _check_custody(record)
    ended: CustodyRecord | None = None
    current = CustodyRecord.objects.filter(person=person, until__isnull=True).select_related("facility").first()
    if end_current and current is not None and current.since <= record.since:
        current.until = record.since
        current.end_reason = (
            CustodyEndReason.TRANSFERRED
            if facility.is_abroad and current.facility.is_abroad
            else CustodyEndReason.RELEASED
        )
        current.full_clean()
        current.save(update_fields=["until", "end_reason", "updated_at"])
        ended = current
    other = _overlapping(record)
    if other is not None:
        raise _overlap_error(other)
    record.full_clean()
    record.save()
    audit_person(
        by=by,
        person=person,
        changed_fields=["custody", *[f for f in LEGAL_FIELDS if values.get(f) not in (None, "", False)]],
        detail={
            "what": "custody_added",
            "custody": record.pk,
            "facility": facility.pk,
            "ended": ended.pk if ended else None,
        },
    )
    return record


@transaction.atomic
def custody_update(*, record: CustodyRecord, by: User | None, changes: Mapping[str, Any]) -> list[str]:
    """Correct a stay or record its end (``until`` and ``end_reason``)."""
    values = _custody_values(changes)
    before = {field: getattr(record, field) for field in CUSTODY_FIELDS}
    for field, value in values.items():
        setattr(record, field, value)
    changed = [field for field in CUSTODY_FIELDS if getattr(record, field) != before[field]]
    if not changed:
        return []
    _check_custody(record)
    other = _overlapping(record)
    if other is not None:
        raise _overlap_error(other)
    record.full_clean()
    record.save(update_fields=[*changed, "updated_at"])
    audit_person(
        by=by,
        person=record.person,
        changed_fields=["custody", *[f for f in changed if f in LEGAL_FIELDS]],
        detail={"what": "custody_changed", "custody": record.pk, "fields": changed},
    )
    return changed


# --- in bulk (a large import) ----------------------------------------------------------------------


@dataclass(frozen=True)
class CustodyInput:
    """A current stay (from ``since``, not ended) of a person with no stay recorded yet."""

    person: Person
    facility: Facility
    since: dt.date


def _prepare_custody(item: CustodyInput, by: User | None) -> CustodyRecord:
    values = _custody_values({"since": item.since, "until": None, "end_reason": ""})
    record = CustodyRecord(person=item.person, facility=item.facility, created_by=by, **values)
    _check_custody(record)
    record.full_clean(exclude=["person", "facility", "created_by"], validate_unique=False, validate_constraints=False)
    return record


def custody_bulk_create(
    *, by: User | None, records: Sequence[CustodyInput]
) -> tuple[list[CustodyRecord], list[AuditEvent]]:
    """Record the current stay of many persons who have none recorded (newly registered persons):
    the checks and records of ``custody_create`` without a query per stay (whether any of them has a
    stay already is asked once per chunk; such a person, or one given twice, is refused as an overlap).
    Returns the records and their audit events (as ``custody_create`` audits), for the caller to append."""
    prepared = [bulk_check(index, _prepare_custody, item, by) for index, item in enumerate(records)]
    if not prepared:
        return [], []
    person_ids = sorted({record.person_id for record in prepared})
    existing: dict[int, CustodyRecord] = {}
    for start in range(0, len(person_ids), 900):
        for other in CustodyRecord.objects.filter(person_id__in=person_ids[start : start + 900]).select_related(
            "facility"
        ):
            existing.setdefault(other.person_id, other)
    for index, record in enumerate(prepared):
        held = existing.get(record.person_id)
        if held is not None:
            raise BulkItemError(index, _overlap_error(held))
        existing[record.person_id] = record
    with transaction.atomic():
        bulk_copy(CustodyRecord, prepared)
    events = [
        person_event(
            by=by,
            person=record.person,
            changed_fields=["custody"],
            detail={"what": "custody_added", "custody": record.pk, "facility": record.facility_id, "ended": None},
        )
        for record in prepared
    ]
    return prepared, events


def custody_bulk_transfer(
    *, by: User | None, records: Sequence[CustodyInput]
) -> tuple[list[CustodyRecord], list[AuditEvent]]:
    """What ``custody_create(..., end_current=True)`` does for many persons at once (persons already
    registered, who may have stays recorded): the current stay of each, if it began no later than the
    new one, ends the day the new one begins (transferred between two places abroad, released
    otherwise); a stay that still overlaps the new one is refused as the single service refuses it
    (``BulkItemError``) and nothing is written. The stays of the persons are read once per chunk; a
    person given twice sees the first stay. Returns the new records and their audit events (as
    ``custody_create`` audits), for the caller to append."""
    prepared = [bulk_check(index, _prepare_custody, item, by) for index, item in enumerate(records)]
    if not prepared:
        return [], []
    person_ids = sorted({record.person_id for record in prepared})
    stays: dict[int, list[CustodyRecord]] = {}
    for start in range(0, len(person_ids), 900):
        for other in CustodyRecord.objects.filter(person_id__in=person_ids[start : start + 900]).select_related(
            "facility"
        ):
            stays.setdefault(other.person_id, []).append(other)
    ended_of: list[CustodyRecord | None] = []
    ended: dict[int, CustodyRecord] = {}  # stays already stored that end, by id
    now = timezone.now()
    for index, record in enumerate(prepared):
        held = stays.setdefault(record.person_id, [])
        current = next((stay for stay in held if stay.until is None), None)
        ending: CustodyRecord | None = None
        if current is not None and current.since <= record.since:
            current.until = record.since
            current.end_reason = (
                CustodyEndReason.TRANSFERRED
                if record.facility.is_abroad and current.facility.is_abroad
                else CustodyEndReason.RELEASED
            )
            bulk_check(
                index,
                current.full_clean,
                exclude=["person", "facility", "created_by"],
                validate_unique=False,
                validate_constraints=False,
            )
            if current.pk is not None:
                current.updated_at = now
                ended[current.pk] = current
            ending = current
        overlapping = sorted(
            (stay for stay in held if stay.until is None or stay.until > record.since),
            key=lambda stay: (stay.since, stay.pk or 0),
        )
        if overlapping:
            raise BulkItemError(index, _overlap_error(overlapping[0]))
        held.append(record)
        ended_of.append(ending)
    with transaction.atomic():
        if ended:
            bulk_update_fields(CustodyRecord, list(ended.values()), ["until", "end_reason", "updated_at"])
        bulk_copy(CustodyRecord, prepared)
    events = [
        person_event(
            by=by,
            person=record.person,
            changed_fields=["custody"],
            detail={
                "what": "custody_added",
                "custody": record.pk,
                "facility": record.facility_id,
                "ended": ending.pk if ending else None,
            },
        )
        for record, ending in zip(prepared, ended_of, strict=True)
    ]
    return prepared, events
