"""Writes to users, memberships, sign-in devices and API tokens.

Every change is audited in the same transaction: creating a user (``AuditAction.CREATE``), and
every change that affects who may sign in or what they may do (``AuditAction.SECURITY``, with
``detail["event"]`` naming it). Who may call these is the views' business (``accounts.selectors``
says which users an administrator manages); the rules across rows live here.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_otp import devices_for_user
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.authtoken.models import Token

from homecoming.accounts.choices import Role
from homecoming.accounts.models import Agency, Membership, User
from homecoming.audit.models import AuditAction
from homecoming.audit.services import audit_record

__all__ = [
    "RECOVERY_CODE_COUNT",
    "api_token_create",
    "api_token_revoke",
    "membership_add",
    "membership_remove",
    "normalise_recovery_code",
    "recovery_codes_regenerate",
    "two_factor_confirm",
    "two_factor_device_pending",
    "two_factor_remove",
    "two_factor_verify",
    "user_create",
    "user_disable",
    "user_enable",
    "user_has_confirmed_device",
    "user_sessions_end",
    "user_set_password",
    "user_update",
]

RECOVERY_CODE_COUNT = 10
TOTP_DEVICE_NAME = "authenticator"
RECOVERY_DEVICE_NAME = "recovery"


def _security(*, actor: Any, user: User, event: str, **detail: Any) -> None:
    audit_record(actor=actor, action=AuditAction.SECURITY, obj=user, detail={"event": event, **detail})


def _password_errors(password: str, user: User) -> None:
    try:
        validate_password(password, user=user)
    except ValidationError as error:
        raise ValidationError({"password": error.messages}) from None


# --- users -------------------------------------------------------------------------------------


@transaction.atomic
def user_create(
    *,
    username: str,
    password: str | None,
    agency: Agency,
    role: Role | str,
    first_name: str = "",
    last_name: str = "",
    email: str = "",
    created_by: Any = None,
) -> User:
    """A new user with one role in ``agency``. The password is checked by the password validators;
    ``None`` makes an account that cannot sign in with a password (until one is set)."""
    username = username.strip()
    user = User(username=username, first_name=first_name.strip(), last_name=last_name.strip(), email=email.strip())
    user.full_clean(exclude=["password"])
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError({"username": _("A user with this username already exists (letter case aside).")})
    if password:
        _password_errors(password, user)
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.save()
    membership = Membership(user=user, agency=agency, role=Role(role))
    membership.full_clean()
    membership.save()
    audit_record(
        actor=created_by,
        action=AuditAction.CREATE,
        obj=user,
        changed_fields=["username", "first_name", "last_name", "email", "memberships"],
        detail={"agency": agency.code, "role": str(Role(role))},
    )
    return user


@transaction.atomic
def user_update(*, user: User, by: Any, first_name: str, last_name: str, email: str) -> User:
    """Change a user's name and e-mail address."""
    changes = {"first_name": first_name.strip(), "last_name": last_name.strip(), "email": email.strip()}
    changed = [name for name, value in changes.items() if getattr(user, name) != value]
    if not changed:
        return user
    for name in changed:
        setattr(user, name, changes[name])
    user.full_clean(exclude=["password"])
    user.save(update_fields=changed)
    audit_record(actor=by, action=AuditAction.CHANGE, obj=user, changed_fields=changed)
    return user


@transaction.atomic
def user_set_password(*, user: User, password: str, by: Any) -> None:
    """Set a new password (checked by the validators). The user's sessions end."""
    _password_errors(password, user)
    user.set_password(password)
    user.save(update_fields=["password"])
    ended = user_sessions_end(user=user)
    _security(actor=by, user=user, event="password_set", sessions_ended=ended, by_self=by == user)


def user_sessions_end(*, user: User) -> int:
    """Delete every stored session of ``user``; the number deleted.

    A disabled user's remaining sessions would not work anyway (Django does not authenticate an
    inactive user), but nothing of theirs should stay behind.
    """
    store = import_module(settings.SESSION_ENGINE).SessionStore
    if not hasattr(store, "get_model_class"):  # sessions not kept in the database: nothing to scan
        return 0
    model = store.get_model_class()
    ended = []
    for session in model.objects.filter(expire_date__gt=timezone.now()).iterator(chunk_size=500):
        if str(session.get_decoded().get(SESSION_KEY, "")) == str(user.pk):
            ended.append(session.pk)
    if ended:
        model.objects.filter(pk__in=ended).delete()
    return len(ended)


@transaction.atomic
def user_disable(*, user: User, by: Any) -> User:
    """The user can no longer sign in: inactive, API token deleted, every session ended."""
    if by is not None and user.pk == getattr(by, "pk", None):
        raise ValidationError(_("You cannot disable your own account."))
    if not user.is_active:
        return user
    user.is_active = False
    user.save(update_fields=["is_active"])
    tokens, _deleted = Token.objects.filter(user=user).delete()
    ended = user_sessions_end(user=user)
    _security(actor=by, user=user, event="disabled", api_token_deleted=bool(tokens), sessions_ended=ended)
    return user


@transaction.atomic
def user_enable(*, user: User, by: Any) -> User:
    if user.is_active:
        return user
    user.is_active = True
    user.save(update_fields=["is_active"])
    _security(actor=by, user=user, event="enabled")
    return user


# --- roles -------------------------------------------------------------------------------------


@transaction.atomic
def membership_add(*, user: User, agency: Agency, role: Role | str, by: Any) -> Membership:
    role = Role(role)
    if Membership.objects.filter(user=user, agency=agency, role=role).exists():
        raise ValidationError(
            {
                "role": _("%(user)s already holds the role “%(role)s” in %(agency)s.")
                % {"user": user, "role": role.label, "agency": agency.name}
            }
        )
    membership = Membership(user=user, agency=agency, role=role)
    membership.full_clean()
    membership.save()
    _security(actor=by, user=user, event="role_added", agency=agency.code, role=str(role))
    return membership


@transaction.atomic
def membership_remove(*, membership: Membership, by: Any) -> None:
    user = membership.user
    if by is not None and user.pk == getattr(by, "pk", None) and membership.role == Role.ADMINISTRATOR:
        raise ValidationError(
            _("You cannot remove your own administrator role; ask another administrator of your agency.")
        )
    if not Membership.objects.filter(user=user).exclude(pk=membership.pk).exists():
        raise ValidationError(
            _("This is the user's only role. Disable the account instead, so that it is kept with its history.")
        )
    agency_code, role = membership.agency.code, membership.role
    membership.delete()
    _security(actor=by, user=user, event="role_removed", agency=agency_code, role=str(role))


# --- two factors ---------------------------------------------------------------------------------


def user_has_confirmed_device(user: Any) -> bool:
    return any(True for _ in devices_for_user(user, confirmed=True))


@transaction.atomic
def two_factor_device_pending(*, user: User) -> TOTPDevice:
    """The unconfirmed authenticator the user is setting up (a new secret if there is none yet)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()
    if device is None:
        device = TOTPDevice(user=user, name=TOTP_DEVICE_NAME, confirmed=False)
        device.full_clean()
        device.save()
    return device


def _new_recovery_codes(user: User) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=RECOVERY_DEVICE_NAME, confirmed=True)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    return codes


@transaction.atomic
def two_factor_confirm(*, user: User, device: TOTPDevice, token: str) -> list[str]:
    """Confirm the authenticator with a code from it; returns the new recovery codes (shown once).

    Any earlier authenticator of the user is replaced.
    """
    if device.user_id != user.pk or device.confirmed:
        raise ValidationError({"token": _("This set-up has expired. Start again.")})
    token = "".join(str(token).split())
    if not (token.isdigit() and len(token) == device.digits):
        raise ValidationError({"token": _("Enter the 6-digit code your authenticator app shows.")})
    if not device.verify_token(token):
        raise ValidationError(
            {"token": _("This code is not right. Check that the time on your phone is correct, and try the next code.")}
        )
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    codes = _new_recovery_codes(user)
    _security(actor=user, user=user, event="two_factor_enabled", recovery_codes=len(codes))
    return codes


def normalise_recovery_code(text: str) -> str:
    """Recovery codes are shown as ``abcd-efgh``; accept them with or without spaces and hyphens."""
    return "".join(ch for ch in str(text).lower() if ch.isalnum())


@transaction.atomic
def two_factor_verify(*, user: User, token: str) -> Device | None:
    """The device that accepts ``token`` (a code of the authenticator, or an unused recovery code).

    A recovery code works once. Failures count towards django-otp's throttling (each failure
    doubles the wait before the next try) and are audited.
    """
    compact = "".join(str(token).split())
    if compact.isdigit() and len(compact) == 6:
        factor = "totp"
        candidates: list[Device] = list(TOTPDevice.objects.filter(user=user, confirmed=True))
    else:
        factor = "recovery_code"
        compact = normalise_recovery_code(compact)
        candidates = list(StaticDevice.objects.filter(user=user, confirmed=True))
    for device in candidates:
        if device.verify_token(compact):
            if isinstance(device, StaticDevice):
                remaining = device.token_set.count()
                _security(actor=user, user=user, event="recovery_code_used", recovery_codes_left=remaining)
            return device
    audit_record(
        actor=user,
        action=AuditAction.LOGIN_FAILED,
        obj=user,
        detail={"factor": factor},
    )
    return None


@transaction.atomic
def recovery_codes_regenerate(*, user: User) -> list[str]:
    """Ten new recovery codes; the old ones stop working."""
    if not TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        raise ValidationError(_("Set up an authenticator app first."))
    codes = _new_recovery_codes(user)
    _security(actor=user, user=user, event="recovery_codes_regenerated", recovery_codes=len(codes))
    return codes


@transaction.atomic
def two_factor_remove(*, user: User, by: Any) -> None:
    """Remove the user's authenticator and recovery codes.

    A user may remove their own only where two factors are not required; an administrator may
    reset a user's (who lost their phone): the user then sets up a new one at the next sign-in,
    and their sessions end.
    """
    by_self = by is not None and getattr(by, "pk", None) == user.pk
    if by_self and settings.HOMECOMING_REQUIRE_2FA:
        raise ValidationError(
            _("Two-step sign-in is required here; you can replace your authenticator, not remove it.")
        )
    removed = TOTPDevice.objects.filter(user=user).delete()[0] + StaticDevice.objects.filter(user=user).delete()[0]
    ended = 0 if by_self else user_sessions_end(user=user)
    _security(
        actor=by,
        user=user,
        event="two_factor_removed" if by_self else "two_factor_reset",
        devices_removed=removed,
        sessions_ended=ended,
    )


# --- API token -----------------------------------------------------------------------------------


@transaction.atomic
def api_token_create(*, user: User) -> Token:
    """A new API token for ``user``; an existing one stops working. Its key is shown once."""
    Token.objects.filter(user=user).delete()
    token = Token.objects.create(user=user)
    _security(actor=user, user=user, event="api_token_created")
    return token


@transaction.atomic
def api_token_revoke(*, user: User) -> bool:
    deleted, _deleted = Token.objects.filter(user=user).delete()
    if deleted:
        _security(actor=user, user=user, event="api_token_revoked")
    return bool(deleted)
