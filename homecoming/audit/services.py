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


# The fields the hash covers (every column but the id and the hash itself).
_HASHED = (
    "occurred_at", "actor_id", "actor_username", "agency_codes", "ip_address", "action", "object_type",
    "object_id", "object_ids", "changed_fields", "purpose", "detail", "prev_hash",
)  # fmt: skip


def _canonical(values: dict[str, Any]) -> dict[str, Any]:
    """The hashed fields of an entry (given as its column values) in a canonical form."""
    payload = {name: values[name] for name in _HASHED}
    payload["occurred_at"] = values["occurred_at"].isoformat()
    payload["object_ids"] = [str(i) for i in values["object_ids"]]
    payload["changed_fields"] = list(values["changed_fields"])
    return payload


def _hash_of(values: dict[str, Any]) -> str:
    canonical = json.dumps(_canonical(values), sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def entry_payload(entry: AuditEntry) -> dict[str, Any]:
    """The fields the hash covers, in a canonical form."""
    return _canonical({name: getattr(entry, name) for name in _HASHED})


def compute_hash(entry: AuditEntry) -> str:
    return _hash_of({name: getattr(entry, name) for name in _HASHED})


def _lock_chain() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [ADVISORY_LOCK_KEY])


def _last_entry() -> str:
    """The hash of the chain's last entry (the genesis hash for an empty chain)."""
    last = AuditEntry.objects.order_by("-id").values_list("entry_hash", flat=True).first()
    return last if last is not None else GENESIS_HASH


#: From this many entries in one append, PostgreSQL gets them with ``COPY`` (an import writes hundreds of
#: thousands: several times faster than ``INSERT``s of 500 rows).
COPY_FROM = 2000
_COPY_COLUMNS = (*_HASHED, "entry_hash")
_JSON_COLUMNS = frozenset({"object_ids", "changed_fields", "detail"})


def _copy_entries(rows: list[dict[str, Any]]) -> None:
    """Write entries, given as their column values, with ``COPY`` (no model instances: an import appends
    hundreds of thousands)."""
    table = AuditEntry._meta.db_table
    statement = f"COPY {table} ({', '.join(_COPY_COLUMNS)}) FROM STDIN"
    with connection.cursor() as cursor, cursor.cursor.copy(statement) as copy:
        for row in rows:
            copy.write_row([json.dumps(row[name]) if name in _JSON_COLUMNS else row[name] for name in _COPY_COLUMNS])


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


def _actor_fields(actor: Any) -> tuple[int | None, str, str]:
    """The actor's id, user name and agencies as an entry records them (the system: None and blanks)."""
    if not getattr(actor, "is_authenticated", False):
        return None, "", ""
    from homecoming.core.access import user_agency_codes

    return actor.pk, getattr(actor, "username", "") or "", ",".join(sorted(user_agency_codes(actor)))[:300]


def _build(
    event: AuditEvent, now: datetime, actor: tuple[int | None, str, str], ctx: context.AuditContext, ip: str | None
) -> dict[str, Any]:
    """An entry's column values (without the hashes)."""
    actor_id, username, agency_codes = actor
    return {
        "occurred_at": now,
        "actor_id": actor_id,
        "actor_username": username or event.detail.get("username", ""),
        "agency_codes": agency_codes,
        "ip_address": ip,
        "action": event.action,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "object_ids": [str(i) for i in event.object_ids],
        "changed_fields": list(event.changed_fields),
        "purpose": (event.purpose or ctx.purpose)[:300],
        "detail": event.detail,
    }


def audit_append_many(events: Iterable[AuditEvent]) -> list[AuditEntry]:
    """Append events to the chain, in order, in one locked write. Returns the entries written (none when
    they are many: written with ``COPY`` on PostgreSQL, without model instances; read them back if needed)."""
    events = list(events)
    if not events:
        return []
    now = timezone.now()
    ctx = context.current()
    ip = normalise_ip(ctx.ip_address)
    actors: dict[int, tuple[int | None, str, str]] = {}  # by id() of the actor object: looked up once each
    with transaction.atomic():
        _lock_chain()
        prev = _last_entry()
        rows = []
        for event in events:
            key = id(event.actor)
            if key not in actors:
                actors[key] = _actor_fields(event.actor)
            row = _build(event, now, actors[key], ctx, ip)
            row["prev_hash"] = prev
            row["entry_hash"] = prev = _hash_of(row)
            rows.append(row)
        if connection.vendor == "postgresql" and len(rows) >= COPY_FROM:
            _copy_entries(rows)
            return []
        return AuditEntry.objects.bulk_create([AuditEntry(**row) for row in rows], batch_size=500)


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
