"""The append service: hash chain, addresses normalised so the chain verifies after a round trip,
and the table refusing changes."""

from __future__ import annotations

import itertools

import pytest
from django.db import DatabaseError, connection, transaction

from homecoming.accounts.choices import Role
from homecoming.audit.models import AuditAction, AuditEntry
from homecoming.audit.services import (
    GENESIS_HASH,
    AuditEvent,
    audit_append_many,
    audit_trail_read,
    audit_verify_chain,
    compute_hash,
    normalise_ip,
)
from homecoming.audit.tests.factories import entry
from homecoming.core.testing.factories import AgencyFactory, user_with_role

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("given", "stored"),
    [
        ("10.0.0.1", "10.0.0.1"),
        (" 192.168.1.20 ", "192.168.1.20"),
        ("2001:DB8:0:0:0:0:0:1", "2001:db8::1"),
        ("2001:0db8:0000:0000:0001:0000:0000:0001", "2001:db8::1:0:0:1"),
        ("::FFFF:0102:0304", "::ffff:1.2.3.4"),
        ("::ffff:10.0.0.1", "::ffff:10.0.0.1"),
        ("fe80::1%eth0", "fe80::1"),
        ("::1", "::1"),
        ("", None),
        (None, None),
        ("not-an-address", None),
        ("010.000.000.001", None),  # leading zeros are ambiguous (octal?): not stored as an address
        ("2001:db8::g", None),
    ],
)
def test_addresses_are_stored_in_the_form_the_database_gives_back(given, stored) -> None:
    assert normalise_ip(given) == stored


@pytest.mark.parametrize(
    "address", ["2001:DB8:0:0:0:0:0:1", "::FFFF:0102:0304", "fe80::1%eth0", "2001:db8:0:1::", "10.1.2.3", "nonsense"]
)
def test_the_chain_verifies_after_a_round_trip_whatever_the_address_form(address) -> None:
    made = entry(ip=address, detail={"note": "Ҷамшед Қодирова — جمشيد", "n": 3, "nested": {"b": [1, 2], "a": None}})
    stored = AuditEntry.objects.get(pk=made.pk)
    assert stored.ip_address == normalise_ip(address)
    assert compute_hash(stored) == stored.entry_hash
    assert audit_verify_chain().intact


def test_entries_are_chained_from_the_genesis_hash() -> None:
    user = user_with_role(Role.CASE_WORKER, AgencyFactory(code="cpa"))
    first = entry(actor=user, object_id=1)
    second = entry(actor=user, object_id=2)
    assert first.prev_hash == GENESIS_HASH
    assert second.prev_hash == first.entry_hash
    assert second.actor_username == user.username
    assert second.agency_codes == "cpa"
    report = audit_verify_chain()
    assert report.intact
    assert report.checked == 2


def test_many_events_are_appended_in_order_in_one_chain() -> None:
    entries = audit_append_many([AuditEvent(action=AuditAction.CREATE, object_id=str(i)) for i in range(5)])
    assert [e.object_id for e in entries] == ["0", "1", "2", "3", "4"]
    stored = list(AuditEntry.objects.order_by("id"))
    for before, after in itertools.pairwise(stored):
        assert after.prev_hash == before.entry_hash
    assert audit_verify_chain().checked == 5


def test_a_large_append_is_stored_as_given_and_the_chain_holds(monkeypatch: pytest.MonkeyPatch) -> None:
    """On PostgreSQL a large append goes in with COPY, without model instances: what is stored is what was
    given, each entry's hash verifies, and the chain goes on from the entry before to the entry after."""
    from homecoming.audit import services

    monkeypatch.setattr(services, "COPY_FROM", 3)
    user = user_with_role(Role.CASE_WORKER, AgencyFactory(code="cpa"))
    first = audit_append_many([AuditEvent(action=AuditAction.VIEW, actor=user, object_id="0")])
    details = [{"name": "Ҷамшед Қодирова — جمشيد", "n": i, "nested": {"b": [1, 2], "a": None}} for i in range(1, 8)]
    audit_append_many(
        AuditEvent(
            action=AuditAction.CHANGE,
            actor=user,
            object_type="registry.person",
            object_id=str(i),
            object_ids=[i, str(i + 1)],
            changed_fields=["names"],
            detail=details[i - 1],
        )
        for i in range(1, 8)
    )
    stored = list(AuditEntry.objects.filter(pk__gt=first[0].pk).order_by("id"))
    assert [(e.object_id, e.object_ids, e.detail) for e in stored] == [
        (str(i), [str(i), str(i + 1)], details[i - 1]) for i in range(1, 8)
    ]
    assert {(e.actor_id, e.actor_username, e.agency_codes) for e in stored} == {(user.pk, user.username, "cpa")}
    assert all(e.entry_hash == compute_hash(e) for e in stored)
    assert stored[0].prev_hash == first[0].entry_hash
    after = audit_append_many([AuditEvent(action=AuditAction.VIEW, actor=user, object_id="9")])
    assert after[0].prev_hash == stored[-1].entry_hash
    report = audit_verify_chain()
    assert report.intact
    assert report.checked == 9


def test_the_table_refuses_updates() -> None:
    made = entry(object_id=7)
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEntry.objects.filter(pk=made.pk).update(object_id="8")
    assert AuditEntry.objects.get(pk=made.pk).object_id == "7"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite refuses updates only; verify finds deletions")
def test_postgresql_also_refuses_deletes() -> None:
    made = entry(object_id=7)
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEntry.objects.filter(pk=made.pk).delete()
    assert AuditEntry.objects.filter(pk=made.pk).exists()


def test_reading_the_trail_is_recorded_with_the_ids_shown_and_the_search() -> None:
    auditor = user_with_role(Role.AUDITOR, AgencyFactory(code="oversight"))
    shown = [entry(object_id=i) for i in range(3)]
    read = audit_trail_read(actor=auditor, entries=shown, filters={"user": "ada", "q": "", "action": ["view"]})
    assert read.action == AuditAction.LIST
    assert read.object_type == "audit.auditentry"
    assert read.object_ids == [str(e.pk) for e in shown]
    assert read.detail == {"filters": {"user": "ada", "action": ["view"]}}
    assert read.actor == auditor
