"""Helpers of the browser tests (pytest-playwright in Debian's Chromium): screenshots and signing in."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from django.conf import settings
from playwright.sync_api import Page, expect

from homecoming.core.testing.factories import TEST_PASSWORD

#: Where the screenshots go: HOMECOMING_SCREENSHOTS, or var/screenshots.
SCREENSHOTS = Path(os.environ.get("HOMECOMING_SCREENSHOTS") or Path(settings.BASE_DIR) / "var" / "screenshots")


def shot(page: Page, name: str) -> None:
    """A full-page screenshot to look at (var/screenshots/<name>.png)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def sign_in(page: Page, live_server: Any, username: str, password: str = TEST_PASSWORD) -> None:
    """Sign in through the sign-in page (cookies of an earlier user cleared first)."""
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.locator("form button[type=submit]").last.click()
    expect(page.get_by_test_id("whoami")).to_be_visible()
