"""An officer exports the persons of an imported list in a real browser, and downloads the file."""

from __future__ import annotations

import io
from pathlib import Path

import openpyxl
import pytest
import pyzipper  # type: ignore[import-untyped]
from django.conf import settings
from django.core.management import call_command
from playwright.sync_api import Page, expect

from homecoming.accounts.choices import AgencyKind, Role
from homecoming.core.testing.factories import TEST_PASSWORD, AgencyFactory, PersonFactory, user_with_role
from homecoming.intake import services as intake_services
from homecoming.intake.commit import batch_commit_now
from homecoming.intake.tests.files import csv_bytes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = Path(settings.BASE_DIR) / "var" / "screenshots"


def shot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"exports-{name}.png"), full_page=True)


def test_an_officer_exports_the_persons_of_a_list(page: Page, live_server):
    mfa = AgencyFactory(code="mfa", name="Ministry of Foreign Affairs", kind=AgencyKind.FOREIGN_MINISTRY)
    officer = user_with_role(Role.CONSULAR_OFFICER, mfa, "consul")
    data = csv_bytes(
        [["Full name", "Sex", "Date of birth"], ["Zarina Rahimova", "F", "12.03.1990"], ["=1+2", "M", "2015"]]
    )
    batch = intake_services.batch_upload(user=officer, agency=mfa, file_name="l.csv", data=data, source="Iraq")
    batch = intake_services.batch_map(
        batch=batch, user=officer, mapping={"full_name": "A", "sex": "B", "birth_date": "C"}
    )
    assert batch.error_count == 1  # "=1+2" is not a name: fix it
    data = csv_bytes(
        [["Full name", "Sex", "Date of birth"], ["Zarina Rahimova", "F", "12.03.1990"], ["Farhod Rahimov", "M", "2015"]]
    )
    batch = intake_services.batch_upload(user=officer, agency=mfa, file_name="l2.csv", data=data, source="Iraq")
    batch = intake_services.batch_map(batch=batch, user=officer, mapping=batch.mapping)
    batch_commit_now(batch_id=batch.pk, user=officer)

    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", "consul")
    page.fill("#id_password", TEST_PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.goto(f"{live_server.url}{batch.get_absolute_url()}")
    page.get_by_test_id("export-persons").click()
    expect(page.locator("#id_batch")).to_have_value(str(batch.pk))
    page.locator("[data-testid=export-form] button[type=submit]").click()
    expect(page.get_by_test_id("form-errors")).to_contain_text("Purpose")
    page.fill("#id_purpose", "Checking the list with the Iraqi Ministry of Justice")
    page.fill("#id_recipient", "Consular section, Baghdad")
    shot(page, "form")
    page.locator("[data-testid=export-form] button[type=submit]").click()
    expect(page.get_by_test_id("export-status")).to_contain_text("being prepared")
    call_command("db_worker", batch=True, startup_delay=False, queue_name="*", reload=False)
    expect(page.get_by_test_id("download-export")).to_be_visible(timeout=15_000)
    shot(page, "ready")
    with page.expect_download() as info:
        page.get_by_test_id("download-export").click()
    sheet = openpyxl.load_workbook(io.BytesIO(Path(info.value.path()).read_bytes())).active
    assert sorted(row[1] for row in sheet.iter_rows(min_row=2, values_only=True)) == [
        "Farhod Rahimov",
        "Zarina Rahimova",
    ]
    page.goto(f"{live_server.url}/exports/")
    expect(page.get_by_test_id("export-table")).to_contain_text("Consular section, Baghdad")
    page.get_by_test_id("language-select").select_option("ar")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    shot(page, "list-ar")


def test_an_officer_exports_persons_in_an_encrypted_zip(page: Page, live_server):
    mfa = AgencyFactory(code="mfa", name="Ministry of Foreign Affairs", kind=AgencyKind.FOREIGN_MINISTRY)
    user_with_role(Role.CONSULAR_OFFICER, mfa, "consul")
    PersonFactory(owner_agency=mfa, display_name="Zarina Rahimova")
    password = "Tamarind-kettle-49-lantern"

    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", "consul")
    page.fill("#id_password", TEST_PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.goto(f"{live_server.url}/exports/new/")
    page.get_by_label("CSV (UTF-8)").check()
    page.fill("#id_purpose", "Checking the list with the Iraqi Ministry of Justice")
    page.fill("#id_recipient", "Consular section, Baghdad")
    page.get_by_label("Encrypt with a password").check()
    page.fill("#id_password", password)
    page.fill("#id_password_again", password + "!")
    page.locator("[data-testid=export-form] button[type=submit]").click()
    expect(page.locator("[data-error-for=password_again]")).to_be_visible()
    expect(page.locator("#id_password")).to_have_value("")  # never sent back to the browser
    page.fill("#id_password", password)
    page.fill("#id_password_again", password)
    shot(page, "encrypted-form")
    page.locator("[data-testid=export-form] button[type=submit]").click()
    expect(page.get_by_test_id("export-status")).to_contain_text("being prepared")
    call_command("db_worker", batch=True, startup_delay=False, queue_name="*", reload=False)
    expect(page.get_by_test_id("download-export")).to_be_visible(timeout=15_000)
    expect(page.get_by_test_id("export-encrypted")).to_be_visible()
    shot(page, "encrypted-ready")
    with page.expect_download() as info:
        page.get_by_test_id("download-export").click()
    assert info.value.suggested_filename.endswith(".zip")
    archive = pyzipper.AESZipFile(io.BytesIO(Path(info.value.path()).read_bytes()))
    archive.setpassword(password.encode())
    [name] = archive.namelist()
    assert "Zarina Rahimova" in archive.read(name).decode("utf-8-sig")
    page.goto(f"{live_server.url}/exports/new/")
    page.get_by_test_id("language-select").select_option("ar")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    shot(page, "encrypted-form-ar")
