"""Sign-in events go to the audit trail; signing in starts the session's clocks."""

from __future__ import annotations

import time
from typing import Any

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from homecoming.accounts.middleware import LAST_SEEN_KEY, STARTED_KEY
from homecoming.audit.models import AuditAction
from homecoming.audit.services import audit_record


@receiver(user_logged_in)
def _logged_in(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    session = getattr(request, "session", None)
    if session is not None:
        now = int(time.time())
        session[STARTED_KEY] = now
        session[LAST_SEEN_KEY] = now
    audit_record(actor=user, action=AuditAction.LOGIN, obj=user)


@receiver(user_logged_out)
def _logged_out(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if user is not None:
        reason = getattr(request, "_hc_signed_out", "")
        audit_record(actor=user, action=AuditAction.LOGOUT, obj=user, detail={"reason": reason} if reason else None)


@receiver(user_login_failed)
def _login_failed(sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any) -> None:
    audit_record(
        actor=None,
        action=AuditAction.LOGIN_FAILED,
        object_type="accounts.user",
        detail={"username": str(credentials.get("username", ""))[:150]},
    )


@receiver(user_locked_out)
def _locked_out(sender: Any, request: Any = None, username: str = "", ip_address: str = "", **kwargs: Any) -> None:
    audit_record(
        actor=None,
        action=AuditAction.SECURITY,
        object_type="accounts.user",
        detail={"event": "locked_out", "username": str(username or "")[:150]},
    )
