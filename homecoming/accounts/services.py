"""Writes to users, memberships and sign-in devices."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django_otp import devices_for_user

from homecoming.accounts.choices import Role
from homecoming.accounts.models import Agency, Membership, User
from homecoming.audit.models import AuditAction
from homecoming.audit.services import audit_record


def user_has_confirmed_device(user: Any) -> bool:
    return any(True for _ in devices_for_user(user, confirmed=True))


@transaction.atomic
def user_create(
    *,
    username: str,
    password: str | None,
    agency: Agency,
    role: Role,
    first_name: str = "",
    last_name: str = "",
    email: str = "",
    created_by: Any = None,
) -> User:
    user = User(username=username, first_name=first_name, last_name=last_name, email=email)
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.full_clean()
    user.save()
    Membership.objects.create(user=user, agency=agency, role=role)
    audit_record(
        actor=created_by,
        action=AuditAction.CREATE,
        obj=user,
        changed_fields=["username", "memberships"],
        detail={"agency": agency.code, "role": str(role)},
    )
    return user
