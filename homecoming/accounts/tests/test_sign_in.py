"""Signing in: audited, locked out after five failures, sessions end when idle or too old, and a
disabled account's sessions stop working."""

from __future__ import annotations

import contextlib
from unittest import mock

import pytest
from django.conf import settings
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from homecoming.accounts.services import user_disable
from homecoming.audit.models import AuditAction, AuditEntry
from homecoming.core.testing.factories import TEST_PASSWORD

pytestmark = pytest.mark.django_db

LOGIN = reverse("accounts:login")
ADDRESS = "203.0.113.7"


def sign_in(client, username: str, password: str, address: str = ADDRESS):
    # django-axes needs the request (and its address): sign in through the page, not client.login().
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=address)


def test_signing_in_is_audited_with_the_address(client, worker) -> None:
    response = sign_in(client, "malika", TEST_PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == reverse("core:home")
    login = AuditEntry.objects.get(action=AuditAction.LOGIN)
    assert (login.actor, login.ip_address, login.object_id) == (worker, ADDRESS, str(worker.pk))
    assert client.get("/").status_code == 200


def test_a_wrong_password_is_refused_and_audited(client, worker) -> None:
    response = sign_in(client, "malika", "not-the-password")
    assert response.status_code == 200
    assert "Please enter a correct username and password." in response.content.decode()
    failed = AuditEntry.objects.get(action=AuditAction.LOGIN_FAILED)
    assert failed.actor is None
    assert failed.actor_username == "malika"
    assert failed.ip_address == ADDRESS


def test_the_sixth_attempt_is_locked_out_even_with_the_right_password(client, worker) -> None:
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert sign_in(client, "malika", "wrong-password").status_code == 200
    assert sign_in(client, "malika", "wrong-password").status_code == 429  # the fifth failure locks
    response = sign_in(client, "malika", TEST_PASSWORD)
    assert response.status_code == 429
    assert "Too many failed sign-in attempts" in response.content.decode()
    assert client.get("/").status_code == 302  # not signed in
    failures = AuditEntry.objects.filter(action=AuditAction.LOGIN_FAILED, actor_username="malika")
    assert failures.count() == settings.AXES_FAILURE_LIMIT + 1  # every attempt, the refused sixth included
    locked = AuditEntry.objects.filter(action=AuditAction.SECURITY, detail__event="locked_out")
    assert locked.count() == 2  # the lock, and the attempt made while locked
    assert locked.latest("id").detail["username"] == "malika"
    # The lock is for this account from this address: from elsewhere the right password works.
    assert sign_in(APIClient(), "malika", TEST_PASSWORD, address="198.51.100.1").status_code == 302


@contextlib.contextmanager
def frozen_clock(start: float = 1_000_000.0):
    """One mocked ``time.time`` for the session clocks (set at sign-in, checked on each request)."""
    clock = mock.Mock()
    clock.time.return_value = start
    with (
        mock.patch("homecoming.accounts.middleware.time", clock),
        mock.patch("homecoming.accounts.signals.time", clock),
    ):
        yield clock


def test_after_the_idle_timeout_the_user_is_signed_out(client, worker) -> None:
    with frozen_clock() as clock:
        client.force_login(worker)
        assert client.get("/").status_code == 200
        clock.time.return_value += settings.SESSION_IDLE_TIMEOUT - 30  # active again just in time
        assert client.get("/").status_code == 200
        clock.time.return_value += settings.SESSION_IDLE_TIMEOUT - 30
        assert client.get("/").status_code == 200
        clock.time.return_value += settings.SESSION_IDLE_TIMEOUT + 1
        response = client.get("/cases/?stage=assessed")
    assert response.status_code == 302
    assert response["Location"] == f"{LOGIN}?next=/cases/%3Fstage%3Dassessed"
    assert client.get("/").status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "You were signed out after a period of inactivity." in page
    logout = AuditEntry.objects.filter(action=AuditAction.LOGOUT, actor=worker).get()
    assert logout.detail == {"reason": "idle"}


def test_an_idle_api_session_answers_401(client, worker) -> None:
    with frozen_clock() as clock:
        client.force_login(worker)
        assert client.get("/api/v1/jobs/").status_code == 200
        clock.time.return_value += settings.SESSION_IDLE_TIMEOUT + 1
        assert client.get("/api/v1/jobs/").status_code == 401


def test_a_session_ends_at_its_absolute_lifetime_however_active(client, worker) -> None:
    assert settings.SESSION_COOKIE_AGE == 10 * 60 * 60
    with frozen_clock() as clock:
        client.force_login(worker)
        step = settings.SESSION_IDLE_TIMEOUT - 60
        while clock.time.return_value + step < 1_000_000.0 + settings.SESSION_COOKIE_AGE:
            clock.time.return_value += step
            assert client.get("/").status_code == 200
        clock.time.return_value = 1_000_000.0 + settings.SESSION_COOKIE_AGE + 1
        response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)
    assert "maximum length" in client.get(response["Location"]).content.decode()


def test_disabling_an_account_ends_its_sessions_and_token(client, worker, admin) -> None:
    assert sign_in(client, "malika", TEST_PASSWORD).status_code == 302
    assert client.get("/").status_code == 200
    token = Token.objects.create(user=worker)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    assert api.get("/api/v1/jobs/").status_code == 200

    user_disable(user=worker, by=admin)

    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)
    assert not Token.objects.filter(user=worker).exists()
    assert api.get("/api/v1/jobs/").status_code == 401
    assert sign_in(client, "malika", TEST_PASSWORD).status_code == 200  # cannot sign in again
