"""A consular officer imports an Arabic list in a real browser: the validation with its progress, errors,
the annotated copy, the corrected file, a decision on a possible match, the import with its progress, and the same file
refused the second time. Screenshots in var/screenshots/intake-*.png (English and Arabic)."""

from __future__ import annotations

import io
from pathlib import Path

import openpyxl
import pytest
from django.conf import settings
from django.core.management import call_command
from playwright.sync_api import Page, expect

from homecoming.accounts.choices import AgencyKind, Role
from homecoming.core.testing.factories import TEST_PASSWORD, AgencyFactory, PersonFactory, user_with_role
from homecoming.intake.choices import BatchStatus
from homecoming.intake.models import IntakeBatch
from homecoming.intake.tests.files import csv_bytes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = Path(settings.BASE_DIR) / "var" / "screenshots"
HEADER = ["الاسم الكامل", "الجنس", "تاريخ الميلاد", "صف الأم", "رقم القيد"]
GOOD = [
    ["فاطمة عبد الله", "أنثى", "12/03/1990", "", "HOL-1001"],
    ["محمد الحسن", "ذكر", "حوالي 7", "2", "HOL-1002"],
    ["عائشة يوسف", "أنثى", "2019", "2", "HOL-1003"],
    ["زينب حسين", "أنثى", "01/07/1985", "", "HOL-1004"],
    ["عمر سعيد", "ذكر", "2016", "5", "HOL-1005"],
]


def run_jobs() -> None:
    """The worker's part: run the jobs queued so far (validation, import)."""
    call_command("db_worker", batch=True, startup_delay=False, queue_name="*", reload=False)


def shot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"intake-{name}.png"), full_page=True)


def sign_in(page: Page, live_server, username: str) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", TEST_PASSWORD)
    page.locator("main form button[type=submit]").click()
    expect(page.get_by_test_id("whoami")).to_be_visible()


def upload(page: Page, live_server, path: Path) -> None:
    page.goto(f"{live_server.url}/intake/upload/")
    page.set_input_files("#id_file", str(path))
    page.fill("#id_source", "North-east Syria administration")
    page.locator("[data-testid=upload-form] button[type=submit]").click()


@pytest.fixture
def officer():
    mfa = AgencyFactory(code="mfa", name="Ministry of Foreign Affairs", kind=AgencyKind.FOREIGN_MINISTRY)
    user = user_with_role(Role.CONSULAR_OFFICER, mfa, "consul")
    user.first_name, user.last_name = "Parviz", "Consul"
    user.save()
    # Registered earlier, from a relative's tracing request: the list's row 4 may be her.
    PersonFactory(owner_agency=mfa, display_name="Zaynab Husayn", sex="F", birth_date=None)
    return user


def test_an_officer_imports_an_arabic_list(page: Page, live_server, officer, tmp_path):
    bad_rows = [
        GOOD[0],
        ["محمد الحسن", "ذكر", "31/02/2017", "2", "HOL-1002"],  # no 31 February
        ["عائشة يوسف", "؟؟", "2019", "2", "HOL-1003"],  # sex not understood
        GOOD[3],
        ["<script>alert(1)</script>", "ذكر", "2016", "5", "HOL-1005"],  # markup in a name
    ]
    first = tmp_path / "hol-list.csv"
    first.write_bytes(csv_bytes([HEADER, *bad_rows], encoding="cp1256"))
    sign_in(page, live_server, "consul")
    page.get_by_role("link", name="Intake").first.click()
    expect(page.get_by_test_id("empty-state")).to_be_visible()
    upload(page, live_server, first)

    # The mapping page: read as Windows-1256, columns recognised from the Arabic headers.
    expect(page.get_by_test_id("raw-preview")).to_contain_text("فاطمة عبد الله")
    expect(page.locator("#id_field_full_name")).to_have_value("A")
    expect(page.locator("#id_field_mother_row")).to_have_value("D")
    shot(page, "mapping")
    page.get_by_test_id("validate-button").click()

    # The rows are checked by a job; the page follows its progress, then shows what it found.
    expect(page.get_by_test_id("map-progress")).to_be_visible()
    shot(page, "validating")
    run_jobs()
    # Three rows have errors, each named by row and column.
    expect(page.get_by_test_id("errors-alert")).to_contain_text("3 rows have errors", timeout=15_000)
    issues = page.get_by_test_id("row-table")
    expect(issues).to_contain_text("is not a real date")
    expect(issues).to_contain_text("is not a sex this system understands")
    expect(issues).to_contain_text("A name cannot contain")
    shot(page, "errors")

    with page.expect_download() as info:
        page.get_by_test_id("annotated-link").click()
    sheet = openpyxl.load_workbook(io.BytesIO(Path(info.value.path()).read_bytes())).active
    assert sheet.cell(row=1, column=6).value == "Errors"
    assert "C: " in sheet["F3"].value
    assert "B: " in sheet["F4"].value
    assert sheet["F2"].value is None

    # The corrected file: a new upload (the first one is kept until discarded).
    fixed = tmp_path / "hol-list-corrected.csv"
    fixed.write_bytes(csv_bytes([HEADER, *GOOD], encoding="cp1256"))
    upload(page, live_server, fixed)
    page.get_by_test_id("validate-button").click()
    expect(page.get_by_test_id("map-progress")).to_be_visible()
    run_jobs()
    expect(page.get_by_test_id("pending-decisions")).to_contain_text("1 row may already be in the registry")
    expect(page.get_by_test_id("commit-button")).to_be_disabled()
    shot(page, "decide")
    page.get_by_test_id("choose-existing").first.click()
    expect(page.get_by_test_id("row-decision")).to_contain_text("Zaynab Husayn")
    expect(page.get_by_test_id("commit-button")).to_be_enabled()

    page.get_by_test_id("commit-button").click()
    expect(page.get_by_test_id("import-progress")).to_be_visible()
    shot(page, "importing")
    run_jobs()
    expect(page.get_by_test_id("import-done")).to_be_visible(timeout=15_000)
    expect(page.get_by_test_id("import-done")).to_contain_text("4 new persons, 1 updated")
    batch = IntakeBatch.objects.get(file_name="hol-list-corrected.csv")
    assert batch.status == BatchStatus.COMMITTED
    expect(page.get_by_test_id("person-link").first).to_be_visible()
    shot(page, "imported")

    # The same file again is refused, with a link to the import.
    upload(page, live_server, fixed)
    expect(page.get_by_test_id("duplicate-file")).to_be_visible()
    page.get_by_test_id("duplicate-file").get_by_role("link").click()
    expect(page).to_have_url(f"{live_server.url}{batch.get_absolute_url()}")

    # In Arabic, right to left.
    page.goto(f"{live_server.url}{batch.get_absolute_url()}?show=all")
    page.get_by_test_id("language-select").select_option("ar")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    shot(page, "imported-ar")
