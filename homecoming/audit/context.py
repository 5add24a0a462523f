"""The request context that audit entries carry (address, stated purpose), set by middleware."""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass


@dataclass(frozen=True)
class AuditContext:
    ip_address: str | None = None
    purpose: str = ""


_current: ContextVar[AuditContext] = ContextVar("homecoming_audit_context", default=AuditContext())  # noqa: B039  (frozen)


def current() -> AuditContext:
    return _current.get()


def set_current(ctx: AuditContext) -> object:
    return _current.set(ctx)


def reset(token: object) -> None:
    _current.reset(token)  # type: ignore[arg-type]
