"""The accounts services, called directly: rules across rows and their audit entries."""

from __future__ import annotations

import pytest
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from homecoming.accounts import services
from homecoming.accounts.choices import Role
from homecoming.accounts.models import User
from homecoming.accounts.tests.factories import totp_code, with_two_factor
from homecoming.audit.models import AuditAction, AuditEntry

pytestmark = pytest.mark.django_db


def test_a_user_without_a_password_cannot_sign_in_with_one(cpa, admin) -> None:
    user = services.user_create(username="  farrukh ", password=None, agency=cpa, role=Role.TEACHER, created_by=admin)
    assert user.username == "farrukh"
    assert not user.has_usable_password()
    assert AuditEntry.objects.filter(action=AuditAction.CREATE, object_id=str(user.pk)).exists()


def test_user_create_validates_the_password_against_the_user(cpa) -> None:
    with pytest.raises(ValidationError) as refused:
        services.user_create(username="farrukh", password="farrukh2024", agency=cpa, role=Role.TEACHER)
    assert "password" in refused.value.message_dict
    assert not User.objects.filter(username="farrukh").exists()


def test_sessions_end_for_that_user_only(worker, ngo_worker) -> None:
    mine, theirs = Client(), Client()
    mine.force_login(worker)
    theirs.force_login(ngo_worker)
    assert Session.objects.count() == 2
    assert services.user_sessions_end(user=worker) == 1
    assert mine.get("/").status_code == 302
    assert theirs.get("/").status_code == 200


def test_disabling_twice_records_one_change(worker, admin) -> None:
    services.user_disable(user=worker, by=admin)
    services.user_disable(user=worker, by=admin)
    events = AuditEntry.objects.filter(action=AuditAction.SECURITY, detail__event="disabled")
    assert events.count() == 1
    assert events.get().detail == {"event": "disabled", "api_token_deleted": False, "sessions_ended": 0}


def test_the_last_role_cannot_be_removed(worker, admin) -> None:
    with pytest.raises(ValidationError, match="only role"):
        services.membership_remove(membership=worker.memberships.get(), by=admin)


def test_a_set_up_cannot_be_confirmed_with_another_users_device(worker, ngo_worker) -> None:
    device = services.two_factor_device_pending(user=ngo_worker)
    with pytest.raises(ValidationError) as refused:
        services.two_factor_confirm(user=worker, device=device, token=totp_code(device))
    assert "token" in refused.value.message_dict
    assert not TOTPDevice.objects.filter(confirmed=True).exists()


def test_a_code_is_not_accepted_twice(worker) -> None:
    device, _codes = with_two_factor(worker)
    code = totp_code(device, steps_ahead=1)
    assert services.two_factor_verify(user=worker, token=code) is not None
    assert services.two_factor_verify(user=worker, token=code) is None


def test_recovery_codes_need_an_authenticator(worker) -> None:
    with pytest.raises(ValidationError, match="authenticator app first"):
        services.recovery_codes_regenerate(user=worker)
