"""Helpers shared by the registry's services."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from homecoming.audit.models import AuditAction
from homecoming.audit.services import AuditEvent, audit_append_many, audit_record
from homecoming.registry.countries import is_country_code
from homecoming.registry.error_codes import RegistryErrorCode
from homecoming.registry.models import Person


def invalid(field: str, message: Any, code: RegistryErrorCode, **params: Any) -> ValidationError:
    """A ValidationError keyed by ``field`` carrying a stable code."""
    return ValidationError({field: ValidationError(message, code=code.value, params=params or None)})


def check_country(value: str, field: str) -> str:
    value = (value or "").strip().upper()
    if value and not is_country_code(value):
        raise invalid(
            field,
            _("“%(value)s” is not a country code; use the three-letter ISO code, e.g. TJK or IRQ."),
            RegistryErrorCode.COUNTRY_UNKNOWN,
            value=value,
        )
    return value


def not_in_future(value: Any, field: str) -> None:
    if value is not None and value > timezone.localdate():
        raise invalid(field, _("The date cannot be in the future."), RegistryErrorCode.DATE_IN_FUTURE)


def audit_person(
    *,
    by: Any,
    person: Person,
    action: AuditAction = AuditAction.CHANGE,
    changed_fields: Sequence[str] = (),
    detail: dict[str, Any] | None = None,
) -> None:
    """The audit entry of a change to a person's record (names, family, documents, custody…)."""
    audit_record(actor=by, action=action, obj=person, changed_fields=list(changed_fields), detail=detail or {})


def audit_persons(*, by: Any, persons: Sequence[Person], changed_fields: Sequence[str], detail: dict[str, Any]) -> None:
    """One entry per person, appended in one write (a change that touches several records)."""
    audit_append_many(
        AuditEvent(
            action=str(AuditAction.CHANGE),
            actor=by,
            object_type="registry.person",
            object_id=str(person.pk),
            changed_fields=list(changed_fields),
            detail=detail,
        )
        for person in persons
    )


class BulkItemError(ValidationError):
    """A bulk service's refusal of one of its items: the same errors, and which item (``index``)."""

    def __init__(self, index: int, error: ValidationError) -> None:
        super().__init__(error)
        self.index = index


def bulk_check(index: int, check: Any, *args: Any, **kwargs: Any) -> Any:
    """Run one item's check; its ValidationError becomes a BulkItemError naming the item."""
    try:
        return check(*args, **kwargs)
    except ValidationError as error:
        raise BulkItemError(index, error) from None


def person_event(
    *,
    by: Any,
    person: Person,
    action: AuditAction = AuditAction.CHANGE,
    changed_fields: Sequence[str] = (),
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    """What ``audit_person`` would append, as an event (for a bulk service to append in one write)."""
    return AuditEvent(
        action=str(action),
        actor=by,
        object_type="registry.person",
        object_id=str(person.pk),
        changed_fields=list(changed_fields),
        detail=detail or {},
    )
