"""Appending to the audit trail. The only code that writes AuditEntry rows.

Appends are serialised so that the hash chain never forks: on PostgreSQL with a
transaction-scoped advisory lock, on SQLite by its single writer (IMMEDIATE
transactions). Call these inside the transaction of the change they record: if the
audit write fails, the change (or the read) fails with it.
"""

from __future__ import annotations

import hashlib
import ipaddress
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, models, transaction
from django.utils import timezone
from django.utils.ipv6 import clean_ipv6_address
from django.utils.translation import gettext_lazy as _

from homecoming.audit import context
from homecoming.audit.models import AuditAction, AuditEntry

GENESIS_HASH = "0" * 64
# Arbitrary constant key of the PostgreSQL advisory lock guarding appends.
ADVISORY_LOCK_KEY = 0x484F4D45  # "HOME"


@dataclass(frozen=True)
class AuditEvent:
    """What happened, before it is chained. ``actor`` is a user or None (the system)."""

    action: str
    actor: Any = None
    object_type: str = ""
    object_id: str = ""
    object_ids: Sequence[Any] = ()
    changed_fields: Sequence[str] = ()
    purpose: str = ""
    detail: dict[str, Any] = field(default_factory=dict)


def object_label(obj: models.Model | None) -> tuple[str, str]:
    if obj is None:
        return "", ""
    return f"{obj._meta.app_label}.{obj._meta.model_name}", str(obj.pk)


def entry_payload(entry: AuditEntry) -> dict[str, Any]:
    """The fields the hash covers, in a canonical form."""
    return {
        "occurred_at": entry.occurred_at.isoformat(),
        "actor_id": entry.actor_id,
        "actor_username": entry.actor_username,
        "agency_codes": entry.agency_codes,
        "ip_address": entry.ip_address,
        "action": entry.action,
        "object_type": entry.object_type,
        "object_id": entry.object_id,
        "object_ids": [str(i) for i in entry.object_ids],
        "changed_fields": list(entry.changed_fields),
        "purpose": entry.purpose,
        "detail": entry.detail,
        "prev_hash": entry.prev_hash,
    }


def compute_hash(entry: AuditEntry) -> str:
    canonical = json.dumps(entry_payload(entry), sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _lock_chain() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [ADVISORY_LOCK_KEY])


def _last_entry() -> tuple[int, str]:
    """The id and hash of the chain's last entry (0 and the genesis hash for an empty chain)."""
    last = AuditEntry.objects.order_by("-id").values_list("id", "entry_hash").first()
    return last if last is not None else (0, GENESIS_HASH)


#: From this many entries in one append, PostgreSQL gets them with ``COPY`` (an import writes hundreds of
#: thousands: several times faster than ``INSERT``s of 500 rows).
COPY_FROM = 2000
_COPY_COLUMNS = (
    "occurred_at", "actor_id", "actor_username", "agency_codes", "ip_address", "action", "object_type",
    "object_id", "object_ids", "changed_fields", "purpose", "detail", "prev_hash", "entry_hash",
)  # fmt: skip
_JSON_COLUMNS = frozenset({"object_ids", "changed_fields", "detail"})


def _copy_entries(entries: list[AuditEntry], after_id: int) -> None:
    """Write ``entries`` with ``COPY`` and give them their ids (the chain is locked: the rows after
    ``after_id`` are these, in order)."""
    table = AuditEntry._meta.db_table
    with connection.cursor() as cursor:
        with cursor.cursor.copy(f"COPY {table} ({', '.join(_COPY_COLUMNS)}) FROM STDIN") as copy:
            for entry in entries:
                copy.write_row(
                    [
                        json.dumps(getattr(entry, name)) if name in _JSON_COLUMNS else getattr(entry, name)
                        for name in _COPY_COLUMNS
                    ]
                )
        cursor.execute(f"SELECT id FROM {table} WHERE id > %s ORDER BY id", [after_id])  # noqa: S608 - model's table
        ids = [row[0] for row in cursor.fetchall()]
    if len(ids) != len(entries):  # never: appends are serialised by the lock
        raise RuntimeError("The audit trail changed during a locked append.")
    for entry, pk in zip(entries, ids, strict=True):
        entry.pk = pk
        entry._state.adding = False


def normalise_ip(value: Any) -> str | None:
    """The address as the database gives it back, so that the hash still verifies after a round trip.

    IPv6 in the compressed, lower-case form that ``GenericIPAddressField`` stores and PostgreSQL's
    ``inet`` returns (``2001:DB8:0::1`` -> ``2001:db8::1``, ``::ffff:0102:0304`` -> ``::ffff:1.2.3.4``,
    a zone ``%eth0`` dropped); IPv4 in dotted-quad form. Anything else is not an address: None.
    """
    if value is None:
        return None
    text = str(value).strip()
    if not text:
        return None
    if ":" in text:
        try:
            return clean_ipv6_address(text, unpack_ipv4=False)
        except ValidationError:
            return None
    try:
        return str(ipaddress.IPv4Address(text))
    except ValueError:
        return None


def _build(event: AuditEvent, now: datetime) -> AuditEntry:
    ctx = context.current()
    actor = event.actor if getattr(event.actor, "is_authenticated", False) else None
    agency_codes = ""
    if actor is not None:
        from homecoming.core.access import user_agency_codes

        agency_codes = ",".join(sorted(user_agency_codes(actor)))
    return AuditEntry(
        occurred_at=now,
        actor=actor,
        actor_username=getattr(actor, "username", "") or event.detail.get("username", ""),
        agency_codes=agency_codes[:300],
        ip_address=normalise_ip(ctx.ip_address),
        action=event.action,
        object_type=event.object_type,
        object_id=event.object_id,
        object_ids=[str(i) for i in event.object_ids],
        changed_fields=list(event.changed_fields),
        purpose=(event.purpose or ctx.purpose)[:300],
        detail=event.detail,
    )


def audit_append_many(events: Iterable[AuditEvent]) -> list[AuditEntry]:
    """Append events to the chain, in order, in one locked write."""
    events = list(events)
    if not events:
        return []
    now = timezone.now()
    with transaction.atomic():
        _lock_chain()
        last_id, prev = _last_entry()
        entries = []
        for event in events:
            entry = _build(event, now)
            entry.prev_hash = prev
            entry.entry_hash = compute_hash(entry)
            prev = entry.entry_hash
            entries.append(entry)
        if connection.vendor == "postgresql" and len(entries) >= COPY_FROM:
            _copy_entries(entries, last_id)
            return entries
        return AuditEntry.objects.bulk_create(entries, batch_size=500)


def audit_record(
    *,
    actor: Any,
    action: AuditAction | str,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str = "",
    object_ids: Sequence[Any] = (),
    changed_fields: Sequence[str] = (),
    purpose: str = "",
    detail: dict[str, Any] | None = None,
) -> AuditEntry:
    """Append one entry. ``obj`` names the object; or give object_type/object_id."""
    if obj is not None:
        object_type, object_id = object_label(obj)
    event = AuditEvent(
        action=str(action),
        actor=actor,
        object_type=object_type,
        object_id=str(object_id),
        object_ids=list(object_ids),
        changed_fields=list(changed_fields),
        purpose=purpose,
        detail=detail or {},
    )
    return audit_append_many([event])[0]


@dataclass(frozen=True)
class ChainReport:
    """The outcome of a walk along the chain: how many entries held, and the first that did not."""

    checked: int
    first_broken_id: int | None
    reason: Any = ""  # a (lazily translated) sentence saying why the entry breaks the chain

    @property
    def intact(self) -> bool:
        return self.first_broken_id is None


REASON_LINK = _(
    "its link to the previous entry is broken: an entry before it was removed, or rewritten with a new hash"
)
REASON_CONTENT = _("its content does not match its hash: the entry was changed after it was written")


def audit_verify_chain(*, chunk_size: int = 5000) -> ChainReport:
    """Walk the whole chain; report the first entry whose hash or link does not hold."""
    prev = GENESIS_HASH
    checked = 0
    for entry in AuditEntry.objects.order_by("id").iterator(chunk_size=chunk_size):
        if entry.prev_hash != prev:
            return ChainReport(checked, entry.pk, REASON_LINK)
        if compute_hash(entry) != entry.entry_hash:
            return ChainReport(checked, entry.pk, REASON_CONTENT)
        prev = entry.entry_hash
        checked += 1
    return ChainReport(checked, None)


def audit_trail_read(*, actor: Any, entries: Sequence[AuditEntry], filters: dict[str, Any]) -> AuditEntry:
    """Reading the audit trail is audited too: one entry per page or API call, with the ids shown
    and the search that produced them."""
    return audit_record(
        actor=actor,
        action=AuditAction.LIST,
        object_type="audit.auditentry",
        object_ids=[entry.pk for entry in entries],
        detail={"filters": {key: value for key, value in filters.items() if value not in ("", [], None)}},
    )
