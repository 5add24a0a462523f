"""The auditor's pages in a real browser, in English and Arabic."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings
from playwright.sync_api import Page, expect

from homecoming.accounts.choices import AgencyKind, Role
from homecoming.audit.models import AuditAction
from homecoming.audit.tests.factories import entry
from homecoming.core.testing.factories import TEST_PASSWORD, AgencyFactory, user_with_role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = Path(settings.BASE_DIR) / "var" / "screenshots"


def shot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def test_an_auditor_finds_who_opened_a_file(page: Page, live_server) -> None:
    cpa = AgencyFactory(code="cpa", name="Child Protection Agency", kind=AgencyKind.CHILD_PROTECTION)
    oversight = AgencyFactory(code="oversight", name="Oversight Office", kind=AgencyKind.OVERSIGHT)
    worker = user_with_role(Role.CASE_WORKER, cpa, "malika")
    manager = user_with_role(Role.MANAGER, cpa, "nigora")
    user_with_role(Role.AUDITOR, oversight, "aziz")
    entry(actor=worker, object_type="registry.person", object_id=12, ip="10.20.0.14", purpose="Case review")
    entry(actor=manager, action=AuditAction.LIST, object_type="registry.person", object_ids=[3, 12, 40], ip="10.20.0.9")
    entry(actor=manager, action=AuditAction.EXPORT, object_type="registry.person", object_ids=[12], ip="10.20.0.9")
    entry(actor=worker, action=AuditAction.CHANGE, object_type="cases.case", object_id=7, changed_fields=["stage"])
    entry(
        action=AuditAction.LOGIN_FAILED, object_type="accounts.user", detail={"username": "malika"}, ip="203.0.113.50"
    )

    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", "aziz")
    page.fill("#id_password", TEST_PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.goto(f"{live_server.url}/audit/")
    expect(page.get_by_test_id("audit-table")).to_be_visible()
    shot(page, "audit-list")

    page.fill("#id_object_type", "registry.person")
    page.fill("#id_object_id", "12")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_test_id("result-count")).to_have_text("3 entries")
    shot(page, "audit-who-opened")
    page.get_by_test_id("audit-table").locator("tbody tr").first.locator("a").first.click()
    expect(page.get_by_test_id("chain-status")).to_contain_text("This entry holds")
    shot(page, "audit-entry")

    page.context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": "ar", "url": live_server.url}])
    page.goto(f"{live_server.url}/audit/")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    shot(page, "audit-list-ar")
