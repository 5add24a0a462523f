"""Accounts in a real browser: two-step sign-in from the first sign-in on, user management, in
English and in Arabic (right to left)."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Page, expect

from homecoming.accounts.choices import AgencyKind, Role
from homecoming.accounts.tests.factories import totp_code
from homecoming.core.testing.factories import TEST_PASSWORD, AgencyFactory, user_with_role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = Path(settings.BASE_DIR) / "var" / "screenshots"


def shot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def sign_in(page: Page, live_server, username: str) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", TEST_PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state("networkidle")


def arabic(page: Page, live_server) -> None:
    page.context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": "ar", "url": live_server.url}])


@pytest.fixture
def cpa():
    return AgencyFactory(code="cpa", name="Child Protection Agency", kind=AgencyKind.CHILD_PROTECTION)


@pytest.fixture
def worker(cpa):
    user = user_with_role(Role.CASE_WORKER, cpa, "malika")
    user.first_name, user.last_name = "Malika", "Karimova"
    user.save()
    return user


def test_first_sign_in_sets_up_two_steps_then_asks_for_a_code(page: Page, live_server, worker, settings) -> None:
    settings.HOMECOMING_REQUIRE_2FA = True
    sign_in(page, live_server, "malika")
    expect(page.locator("h1")).to_have_text("Set up two-step sign-in")
    expect(page.get_by_test_id("qr-code").locator("svg")).to_be_visible()
    page.locator("summary").click()
    expect(page.get_by_test_id("totp-secret")).to_be_visible()
    shot(page, "accounts-two-factor-setup")

    page.fill("#id_token", "000000" if totp_code(TOTPDevice.objects.get(user=worker)) != "000000" else "111111")
    page.get_by_role("button", name="Confirm and turn on").click()
    expect(page.locator("[data-error-for=token]")).to_contain_text("This code is not right")
    shot(page, "accounts-two-factor-setup-error")

    page.fill("#id_token", totp_code(TOTPDevice.objects.get(user=worker)))
    page.get_by_role("button", name="Confirm and turn on").click()
    expect(page.locator("h1")).to_have_text("Your recovery codes")
    expect(page.get_by_test_id("recovery-codes").locator("li")).to_have_count(10)
    shot(page, "accounts-recovery-codes")
    page.get_by_role("link", name="I have kept them: continue").click()
    expect(page.locator("h1")).to_have_text("Welcome, Malika")  # where the sign-in was going
    page.get_by_test_id("whoami").click()
    page.get_by_test_id("security-link").click()
    expect(page.locator("h1")).to_have_text("Your sign-in security")
    expect(page.get_by_test_id("two-factor-status")).to_contain_text("On")
    shot(page, "accounts-security")

    page.get_by_test_id("whoami").click()
    page.get_by_role("button", name="Sign out").click()
    sign_in(page, live_server, "malika")
    expect(page.locator("h1")).to_have_text("Two-step sign-in")
    shot(page, "accounts-two-factor-verify")
    page.fill("#id_token", totp_code(TOTPDevice.objects.get(user=worker), steps_ahead=1))
    page.get_by_role("button", name="Verify").click()
    expect(page.locator("h1")).to_have_text("Welcome, Malika")


def test_the_two_step_pages_in_arabic(page: Page, live_server, worker, settings) -> None:
    settings.HOMECOMING_REQUIRE_2FA = True
    arabic(page, live_server)
    sign_in(page, live_server, "malika")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.get_by_test_id("qr-code").locator("svg")).to_be_visible()
    shot(page, "accounts-two-factor-setup-ar")


def test_an_administrator_manages_the_users_of_their_agency(page: Page, live_server, cpa, worker) -> None:
    admin = user_with_role(Role.ADMINISTRATOR, cpa, "ada")
    admin.first_name, admin.last_name = "Ada", "Admin"
    admin.save()
    ngo = AgencyFactory(code="ngo", name="Family Support NGO", kind=AgencyKind.NGO)
    user_with_role(Role.CASE_WORKER, ngo, "rustam")
    sign_in(page, live_server, "ada")
    page.goto(f"{live_server.url}/accounts/users/")
    expect(page.get_by_test_id("user-table")).to_contain_text("Malika Karimova")
    expect(page.get_by_test_id("user-table")).not_to_contain_text("rustam")
    shot(page, "accounts-user-list")

    page.get_by_role("link", name="New user").click()
    page.fill("#id_username", "zarina")
    page.fill("#id_first_name", "Zarina")
    page.fill("#id_last_name", "Rahimova")
    page.select_option("#id_role", Role.PSYCHOLOGIST.value)
    page.fill("#id_password1", "zarina")
    page.fill("#id_password2", "zarina")
    page.get_by_role("button", name="Create user").click()
    expect(page.get_by_test_id("form-errors")).to_contain_text("This password is too short.")
    shot(page, "accounts-user-create-errors")
    page.fill("#id_password1", "violet-harbour-lantern-42")
    page.fill("#id_password2", "violet-harbour-lantern-42")
    page.get_by_role("button", name="Create user").click()
    expect(page.get_by_test_id("roles")).to_contain_text("Psychologist — Child Protection Agency")
    shot(page, "accounts-user-detail")
    page.get_by_role("button", name="Disable account").click()
    expect(page.get_by_test_id("disabled-badge")).to_be_visible()

    arabic(page, live_server)
    page.goto(f"{live_server.url}/accounts/users/")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    shot(page, "accounts-user-list-ar")
    page.get_by_test_id("user-table").get_by_role("link", name="Zarina Rahimova").click()
    shot(page, "accounts-user-detail-ar")
