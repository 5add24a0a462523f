"""The duplicate review in a real browser: a reviewer compares two records of one girl (Latin and Arabic
script), merges them keeping the Arabic record's estimated date, then undoes the merge. English and Arabic."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.conf import settings
from playwright.sync_api import Page, expect

from homecoming.accounts.choices import AgencyKind, Role
from homecoming.core.testing.factories import TEST_PASSWORD, AgencyFactory, PersonFactory, user_with_role
from homecoming.matching.models import DuplicateCandidate, DuplicateStatus, PersonMerge
from homecoming.registry.choices import BirthDatePrecision
from homecoming.registry.models import Person

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = Path(settings.BASE_DIR) / "var" / "screenshots"


def shot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def sign_in(page: Page, live_server, username: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", TEST_PASSWORD)
    page.locator("form button[type=submit]").last.click()
    expect(page.get_by_test_id("whoami")).to_be_visible()


@pytest.fixture
def pair():
    cpa = AgencyFactory(code="cpa", name="Child Protection Agency", kind=AgencyKind.CHILD_PROTECTION)
    user_with_role(Role.CASE_WORKER, cpa, "reviewer")
    latin = PersonFactory(
        owner_agency=cpa, display_name="Madina Karimova", sex="F", birth_date=dt.date(2015, 3, 2),
        names=["Мадина Каримова"],
    )  # fmt: skip
    arabic = PersonFactory(owner_agency=cpa, display_name="مدينة كريموفا", sex="F")
    Person.objects.filter(pk=arabic.pk).update(
        birth_date=dt.date(2015, 7, 1), birth_date_min=dt.date(2014, 7, 1), birth_date_max=dt.date(2016, 7, 1),
        birth_date_precision=BirthDatePrecision.ESTIMATED, birth_place="Raqqa",
    )  # fmt: skip
    return DuplicateCandidate.objects.create(person_a=latin, person_b=arabic, probability=0.94)


def test_reviewer_merges_two_records_and_undoes_it(page: Page, live_server, pair) -> None:
    sign_in(page, live_server, "reviewer")
    page.goto(f"{live_server.url}/matching/duplicates/")
    expect(page.get_by_test_id("candidate-table")).to_contain_text("Madina Karimova")
    shot(page, "matching-queue-en")
    page.get_by_role("link", name="Compare").click()
    expect(page.get_by_test_id("evidence")).to_contain_text("Date of birth")
    expect(page.get_by_test_id("right-record")).to_contain_text("مدينة كريموفا")
    shot(page, "matching-compare-en")

    # Keep the left record, with the right record's place of birth.
    page.locator("#birth_place-b").check()
    page.get_by_role("button", name="Merge into one record").click()
    expect(page.get_by_role("button", name="Undo this merge")).to_be_visible()
    shot(page, "matching-merged-en")
    merge = PersonMerge.objects.get()
    assert Person.objects.get(pk=pair.person_a_id).birth_place == "Raqqa"
    assert not Person.objects.filter(pk=pair.person_b_id).exists()
    assert merge.choices["birth_place"] == "merged"

    page.get_by_role("button", name="Undo this merge").click()
    expect(page.get_by_test_id("undone")).to_be_visible()
    assert Person.objects.filter(pk=pair.person_b_id).exists()
    assert DuplicateCandidate.objects.get(pk=pair.pk).status == DuplicateStatus.PENDING

    # The same comparison in Arabic, right to left.
    page.context.add_cookies([{"name": "django_language", "value": "ar", "url": live_server.url}])
    page.goto(f"{live_server.url}/matching/duplicates/{pair.pk}/")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.get_by_test_id("merge-form")).to_be_visible()
    shot(page, "matching-compare-ar")
