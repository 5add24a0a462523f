"""Two-step sign-in: set up with a QR code, confirm, recovery codes; verify after the password."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from homecoming.accounts.services import RECOVERY_CODE_COUNT, user_has_confirmed_device
from homecoming.accounts.tests.factories import totp_code, with_two_factor
from homecoming.audit.models import AuditAction, AuditEntry

pytestmark = pytest.mark.django_db

SETUP = reverse("accounts:two_factor_setup")
VERIFY = reverse("accounts:two_factor_verify")
SECURITY = reverse("accounts:security")


def security_events(user) -> list[str]:
    return [
        e.detail.get("event")
        for e in AuditEntry.objects.filter(action=AuditAction.SECURITY, object_id=str(user.pk)).order_by("id")
    ]


def test_setup_shows_a_qr_code_and_the_key_then_confirms_with_a_code(client, worker) -> None:
    client.force_login(worker)
    response = client.get(SETUP)
    assert response.status_code == 200
    text = response.content.decode()
    assert '<svg role="img"' in text
    assert "<path" in text
    device = TOTPDevice.objects.get(user=worker, confirmed=False)
    assert response.context["secret"].replace(" ", "") in device.config_url
    assert response["Cache-Control"].startswith("max-age=0")  # never cached: it holds the secret
    assert client.get(SETUP).context["secret"] == response.context["secret"]  # the same secret until confirmed

    response = client.post(SETUP, {"token": totp_code(device)})
    assert response.status_code == 200
    codes = response.context["codes"]
    assert len(codes) == RECOVERY_CODE_COUNT
    assert len(set(codes)) == RECOVERY_CODE_COUNT
    assert all(c in response.content.decode() for c in codes)
    assert "shown only now" in response.content.decode()
    device.refresh_from_db()
    assert device.confirmed
    assert StaticToken.objects.filter(device__user=worker).count() == RECOVERY_CODE_COUNT
    assert security_events(worker) == ["two_factor_enabled"]
    # The session counts as verified: the user goes on without a second prompt.
    assert client.get("/").status_code == 200


@pytest.mark.parametrize(
    ("token", "message"),
    [
        ("", "This field is required."),
        ("12ab56", "Enter the 6-digit code your authenticator app shows."),
        ("000000", "This code is not right."),
    ],
)
def test_a_wrong_confirmation_code_is_refused_on_its_field(client, worker, token, message) -> None:
    client.force_login(worker)
    client.get(SETUP)
    device = TOTPDevice.objects.get(user=worker)
    if token == "000000" and totp_code(device) == "000000":
        token = "111111"
    response = client.post(SETUP, {"token": token})
    assert response.status_code == 400
    text = response.content.decode()
    assert 'data-error-for="token"' in text
    assert message in text
    assert not user_has_confirmed_device(worker)


def test_after_the_password_a_user_with_an_authenticator_must_enter_a_code(client, worker) -> None:
    device, _codes = with_two_factor(worker)
    client.force_login(worker)
    response = client.get("/cases/")
    assert response.status_code == 302
    assert response["Location"] == f"{VERIFY}?next=/cases/"
    assert client.get("/api/v1/jobs/").status_code == 403
    response = client.post(VERIFY, {"token": totp_code(device, steps_ahead=1), "next": "/cases/"})
    assert response.status_code == 302
    assert response["Location"] == "/cases/"
    assert client.get("/").status_code == 200
    assert client.get("/api/v1/jobs/").status_code == 200


def test_a_user_with_an_unverified_authenticator_cannot_replace_it(client, worker) -> None:
    """A stolen password is not enough to put the thief's phone on the account."""
    with_two_factor(worker)
    client.force_login(worker)
    response = client.get(SETUP)
    assert response.status_code == 302
    assert response["Location"].startswith(VERIFY)
    assert client.post(SETUP, {"token": "123456"}).status_code == 302
    assert TOTPDevice.objects.filter(user=worker).count() == 1
    # nor reach their security settings or API token
    assert client.get(SECURITY)["Location"].startswith(VERIFY)
    assert client.get(reverse("accounts:api_token"))["Location"].startswith(VERIFY)


def test_a_recovery_code_works_once(client, worker) -> None:
    _device, codes = with_two_factor(worker)
    client.force_login(worker)
    shown = codes[0]
    typed = f" {shown[:4].upper()}-{shown[4:]} "  # as read off paper
    assert client.post(VERIFY, {"token": typed}).status_code == 302
    assert client.get("/").status_code == 200
    assert "recovery_code_used" in security_events(worker)
    assert StaticToken.objects.filter(device__user=worker).count() == RECOVERY_CODE_COUNT - 1
    client.logout()
    client.force_login(worker)
    response = client.post(VERIFY, {"token": shown})
    assert response.status_code == 400
    assert "This code is not right" in response.content.decode()


def test_wrong_codes_are_audited_and_slow_the_next_try(client, worker) -> None:
    device, _codes = with_two_factor(worker)
    client.force_login(worker)
    response = client.post(VERIFY, {"token": "999999" if totp_code(device) != "999999" else "888888"})
    assert response.status_code == 400
    failed = AuditEntry.objects.filter(action=AuditAction.LOGIN_FAILED, object_id=str(worker.pk)).get()
    assert failed.detail == {"factor": "totp"}
    # Right away, even the right code waits: django-otp doubles the wait after each failure.
    response = client.post(VERIFY, {"token": totp_code(device, steps_ahead=1)})
    assert response.status_code == 400
    assert "Too many wrong codes" in response.content.decode()


def test_recovery_codes_can_be_made_anew_and_the_old_ones_stop_working(client, worker) -> None:
    device, old = with_two_factor(worker)
    client.force_login(worker)
    client.post(VERIFY, {"token": totp_code(device, steps_ahead=1)})
    response = client.post(reverse("accounts:recovery_codes"))
    assert response.status_code == 200
    new = [c.replace("-", "") for c in response.context["codes"]]
    assert len(new) == RECOVERY_CODE_COUNT
    assert set(StaticToken.objects.filter(device__user=worker).values_list("token", flat=True)) == set(new)
    assert not set(old) & set(new)
    assert security_events(worker)[-1] == "recovery_codes_regenerated"


def test_the_security_page_shows_the_state(client, worker) -> None:
    client.force_login(worker)
    text = client.get(SECURITY).content.decode()
    assert "Set up two-step sign-in" in text
    device, _codes = with_two_factor(worker)
    client.post(VERIFY, {"token": totp_code(device, steps_ahead=1)})
    text = client.get(SECURITY).content.decode()
    assert "10 unused recovery codes left." in text
    assert "Turn two-step sign-in off" in text  # not required in these settings


def test_a_user_may_turn_it_off_only_where_it_is_not_required(client, worker, settings) -> None:
    device, _codes = with_two_factor(worker)
    client.force_login(worker)
    client.post(VERIFY, {"token": totp_code(device, steps_ahead=1)})
    settings.HOMECOMING_REQUIRE_2FA = True
    assert "Turn two-step sign-in off" not in client.get(SECURITY).content.decode()
    response = client.post(reverse("accounts:two_factor_remove"), follow=True)
    assert "Two-step sign-in is required here" in response.content.decode()
    assert user_has_confirmed_device(worker)
    settings.HOMECOMING_REQUIRE_2FA = False
    response = client.post(reverse("accounts:two_factor_remove"), follow=True)
    assert "Two-step sign-in is off for your account." in response.content.decode()
    assert not user_has_confirmed_device(worker)
    assert not StaticToken.objects.filter(device__user=worker).exists()
    assert security_events(worker)[-1] == "two_factor_removed"


def test_replacing_the_authenticator_after_verifying(client, worker) -> None:
    old_device, _codes = with_two_factor(worker)
    client.force_login(worker)
    client.post(VERIFY, {"token": totp_code(old_device, steps_ahead=1)})
    response = client.get(SETUP)
    assert response.status_code == 200
    assert "Replace your authenticator app" in response.content.decode()
    new_device = TOTPDevice.objects.get(user=worker, confirmed=False)
    assert client.post(SETUP, {"token": totp_code(new_device)}).status_code == 200
    assert list(TOTPDevice.objects.filter(user=worker).values_list("pk", flat=True)) == [new_device.pk]


class TestWhereTwoFactorsAreRequired:
    @pytest.fixture(autouse=True)
    def _required(self, settings):
        settings.HOMECOMING_REQUIRE_2FA = True

    def test_a_user_without_an_authenticator_is_sent_to_set_one_up(self, client, worker) -> None:
        client.force_login(worker)
        response = client.get("/")
        assert response.status_code == 302
        assert response["Location"] == f"{SETUP}?next=/"
        response = client.get("/api/v1/jobs/")
        assert response.status_code == 403
        assert response.json() == {"detail": "Two-factor verification required."}
        assert client.get(SECURITY)["Location"].startswith(SETUP)
        assert client.get(SETUP).status_code == 200
        device = TOTPDevice.objects.get(user=worker)
        assert client.post(SETUP, {"token": totp_code(device), "next": "/"}).status_code == 200
        assert client.get("/").status_code == 200
        assert client.get("/api/v1/jobs/").status_code == 200

    def test_user_management_is_not_reachable_with_the_password_alone(self, client, admin) -> None:
        client.force_login(admin)
        assert client.get(reverse("accounts:user_list"))["Location"].startswith(SETUP)
        assert client.get(reverse("accounts:api_token"))["Location"].startswith(SETUP)

    def test_sign_in_and_out_stay_reachable(self, client, worker) -> None:
        client.force_login(worker)
        assert client.get(reverse("accounts:login")).status_code == 302  # already signed in: onwards
        assert client.post(reverse("accounts:logout")).status_code == 302
        assert client.get("/").status_code == 302
