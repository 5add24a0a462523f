"""The figures pages in a real browser: a manager's dashboard (English, then Arabic right to left)
and a statistician's published figures (Russian), with small counts hidden."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from playwright.sync_api import Page, expect

from homecoming.accounts.choices import AgencyKind, Role
from homecoming.core.testing.factories import TEST_PASSWORD, AgencyFactory, user_with_role
from homecoming.reports.tests.factories import returned_operation

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = Path(settings.BASE_DIR) / "var" / "screenshots"


def shot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def sign_in(page: Page, live_server, username: str, language: str = "en") -> None:
    page.context.clear_cookies()
    page.context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", TEST_PASSWORD)
    page.locator("form button[type=submit]").last.click()
    expect(page.get_by_test_id("whoami")).to_be_visible()


def test_dashboard_and_published_figures(page: Page, live_server):
    mfa = AgencyFactory(code="mfa", kind=AgencyKind.FOREIGN_MINISTRY)
    stat = AgencyFactory(code="stat", kind=AgencyKind.STATISTICS)
    consul = user_with_role(Role.CONSULAR_OFFICER, mfa, username="consul")
    user_with_role(Role.MANAGER, mfa, username="manager")
    user_with_role(Role.STATISTICIAN, stat, username="stats")
    returned_operation(agency=mfa, by=consul, name="Baghdad → Dushanbe", children=12, women=6, fee_each=Decimal(400))
    returned_operation(agency=mfa, by=consul, name="Qamishli → Dushanbe", children=3, day=dt.date(2022, 7, 25))

    sign_in(page, live_server, "manager")
    expect(page.get_by_test_id("main-nav").locator("a[href='/reports/']")).to_have_count(1)
    page.goto(f"{live_server.url}/reports/")
    operations = page.get_by_test_id("figures-operations")
    expect(operations.locator("tr[data-date='2022-07-25'] [data-figure=returned_children]")).to_have_text("3")
    expect(operations.locator("tr[data-date='2019-04-30'] [data-figure=fee]")).to_have_text("USD 7200")
    shot(page, "reports-dashboard-en")

    page.context.add_cookies([{"name": "django_language", "value": "ar", "url": live_server.url}])
    page.reload()
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(operations.locator("tr[data-date='2022-07-25'] [data-figure=returned_children]")).to_have_text("3")
    shot(page, "reports-dashboard-ar")

    sign_in(page, live_server, "stats", language="ru")
    page.goto(f"{live_server.url}/reports/published/")
    returned = page.get_by_test_id("published-returned")
    expect(returned.locator("[data-hidden=primary]").first).to_be_visible()
    expect(returned).not_to_contain_text("Qamishli → Dushanbe 3")
    shot(page, "reports-published-ru")
    page.goto(f"{live_server.url}/reports/")
    expect(page.locator("body")).not_to_contain_text("USD 7200")
