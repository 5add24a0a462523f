"""Reads of accounts: which users an administrator manages, and a user's sign-in security.

An administrator (a role with ``Perm.USERS_MANAGE``) manages the users who hold a role in an
agency where the administrator holds that permission; any other user is 404 to them. Changes to
the account as a whole (name, password, two factors, disabling) are allowed only when *every*
role of the user is in such an agency, so that one agency's administrator cannot take over an
account that also works for another agency.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.http import Http404
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.authtoken.models import Token

from homecoming.accounts.filters import UserFilterSet
from homecoming.accounts.models import Agency, Membership, User
from homecoming.core.access import Perm, Scope, agencies_with

__all__ = [
    "SecurityStatus",
    "agencies_managed_by",
    "managed_agency_ids",
    "two_factor_throttled_seconds",
    "user_filterset",
    "user_fully_managed",
    "user_get_managed",
    "user_security_status",
    "users_managed_by",
]


def managed_agency_ids(user: Any) -> set[int]:
    ids: set[int] = set()
    for scope in Scope:
        ids |= agencies_with(user, Perm.USERS_MANAGE, scope)
    return ids


def agencies_managed_by(user: Any) -> QuerySet[Agency]:
    return Agency.objects.filter(pk__in=managed_agency_ids(user), is_active=True).order_by("name")


def users_managed_by(user: Any) -> QuerySet[User]:
    """Users with a role in one of the agencies ``user`` administers, each with those roles
    prefetched as ``managed_memberships``."""
    ids = managed_agency_ids(user)
    if not ids:
        return User.objects.none()
    roles = Membership.objects.filter(agency_id__in=ids).select_related("agency").order_by("agency__name", "role")
    return (
        User.objects.filter(pk__in=Membership.objects.filter(agency_id__in=ids).values("user_id"))
        .prefetch_related(Prefetch("memberships", queryset=roles, to_attr="managed_memberships"))
        .order_by("username")
    )


def user_filterset(*, user: Any, data: Any = None) -> UserFilterSet:
    return UserFilterSet(data, queryset=users_managed_by(user), agencies=agencies_managed_by(user))


def user_get_managed(*, by: Any, pk: Any) -> User:
    """The user ``pk`` if ``by`` administers them; Http404 otherwise (existence is not revealed)."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Http404 from None
    user = users_managed_by(by).filter(pk=pk).first()
    if user is None:
        raise Http404
    return user


def user_fully_managed(*, by: Any, user: User) -> bool:
    """Whether every role of ``user`` is in an agency that ``by`` administers."""
    return not Membership.objects.filter(user=user).exclude(agency_id__in=managed_agency_ids(by)).exists()


@dataclass(frozen=True)
class SecurityStatus:
    two_factor: bool
    two_factor_since: datetime | None
    recovery_codes_left: int
    api_token_created: datetime | None

    @property
    def api_token(self) -> bool:
        return self.api_token_created is not None


def user_security_status(*, user: User) -> SecurityStatus:
    device = TOTPDevice.objects.filter(user=user, confirmed=True).order_by("-pk").first()
    token = Token.objects.filter(user=user).values_list("created", flat=True).first()
    return SecurityStatus(
        two_factor=device is not None,
        two_factor_since=device.created_at if device is not None else None,
        recovery_codes_left=StaticToken.objects.filter(device__user=user, device__confirmed=True).count(),
        api_token_created=token,
    )


def two_factor_throttled_seconds(*, user: User) -> int:
    """Seconds until the next code may be tried after failures (0: now)."""
    wait = 0
    now = timezone.now()
    devices = [*TOTPDevice.objects.filter(user=user, confirmed=True), *StaticDevice.objects.filter(user=user)]
    for device in devices:
        allowed, info = device.verify_is_allowed()
        if not allowed and info and info.get("locked_until"):
            wait = max(wait, int((info["locked_until"] - now).total_seconds()) + 1)
    return wait
