"""Audit entries for tests. They are appended through the service, so the chain is real."""

from __future__ import annotations

from typing import Any

from django.db import connection

from homecoming.audit import context
from homecoming.audit.models import AuditAction, AuditEntry
from homecoming.audit.services import audit_record


def entry(
    *,
    actor: Any = None,
    action: str = AuditAction.VIEW,
    object_type: str = "registry.person",
    object_id: Any = "",
    ip: str | None = None,
    **kwargs: Any,
) -> AuditEntry:
    """Append one entry (as if made from ``ip``) and return it as stored."""
    token = context.set_current(context.AuditContext(ip_address=ip))
    try:
        made = audit_record(actor=actor, action=action, object_type=object_type, object_id=str(object_id), **kwargs)
    finally:
        context.reset(token)
    return AuditEntry.objects.get(pk=made.pk)


def tamper(sql: str, params: list[Any] | None = None) -> None:
    """Run ``sql`` against the audit table past its append-only triggers (inside the test's
    transaction, so the triggers come back when it rolls back)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Foreign keys are checked at commit (deferred); ALTER TABLE needs no check pending.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("ALTER TABLE audit_auditentry DISABLE TRIGGER USER")
        else:
            cursor.execute("DROP TRIGGER IF EXISTS audit_auditentry_no_update")
        cursor.execute(sql, params or [])
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE audit_auditentry ENABLE TRIGGER USER")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
