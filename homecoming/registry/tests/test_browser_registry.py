"""Registering a family in a real browser: a case worker registers a mother with a Cyrillic name and
her child with an age told at a date, links them, records the mother's custody, and finds the child
again by a Latin spelling. In English and in Arabic (right to left)."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest
from django.conf import settings
from playwright.sync_api import Page, expect

from homecoming.accounts.choices import AgencyKind, Role
from homecoming.core.testing.factories import TEST_PASSWORD, AgencyFactory, user_with_role
from homecoming.registry.models import CustodyRecord, FamilyLink, Person
from homecoming.registry.tests.factories import FacilityFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

#: Where the screenshots go: HOMECOMING_SCREENSHOTS, or var/screenshots.
SCREENSHOTS = Path(os.environ.get("HOMECOMING_SCREENSHOTS") or Path(settings.BASE_DIR) / "var" / "screenshots")


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
def team():
    cpa = AgencyFactory(code="cpa", name="Child Protection Agency", kind=AgencyKind.CHILD_PROTECTION)
    worker = user_with_role(Role.CASE_WORKER, cpa, "caseworker")
    worker.first_name, worker.last_name = "Malika", "Caseworker"
    worker.save()
    prison = FacilityFactory(
        name="Rusafa women's prison", kind="prison", country="IRQ", custodian_authority="Government of Iraq"
    )
    return {"cpa": cpa, "worker": worker, "prison": prison}


def test_a_case_worker_registers_a_mother_and_child_and_finds_the_child_again(page: Page, live_server, team) -> None:
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in(page, live_server, "caseworker")

    # The mother, with her name in Cyrillic and a Latin spelling; first without a name.
    page.goto(f"{live_server.url}/persons/new/")
    page.get_by_test_id("save-person").click()
    expect(page.locator("[data-error-for=full_name]")).to_be_visible()
    expect(page.get_by_test_id("form-errors")).to_contain_text("Name as written")
    shot(page, "registry-form-error-en")
    page.fill("#id_full_name", "Зарина Раҳимова")
    page.fill("#id_other_names", "Zarina Rahimova")
    page.fill("#id_other_names_source", "Iraqi Ministry of Justice list, 2019")
    page.locator("input[name=sex][value=F]").check()
    page.select_option("#id_birth_date_precision", "exact")
    page.fill("#id_birth_date", "1990-03-12")
    page.get_by_test_id("save-person").click()
    expect(page.get_by_test_id("person-name")).to_have_text("Зарина Раҳимова")
    mother = Person.objects.get(display_name="Зарина Раҳимова")

    # Her child: about 4 years old in March 2019.
    page.goto(f"{live_server.url}/persons/new/")
    page.fill("#id_full_name", "Мухриддин Раҳимов")
    page.locator("input[name=sex][value=M]").check()
    page.select_option("#id_birth_date_precision", "estimated")
    page.fill("#id_age_years", "4")
    page.fill("#id_age_on", "2019-03-15")
    page.get_by_label("The age itself is approximate").check()
    shot(page, "registry-register-child-en")
    page.get_by_test_id("save-person").click()
    expect(page.get_by_test_id("person-name")).to_have_text("Мухриддин Раҳимов")
    expect(page.get_by_test_id("person-summary")).to_contain_text("about")
    child = Person.objects.get(display_name="Мухриддин Раҳимов")
    assert (child.birth_date_min, child.birth_date_max) == (dt.date(2013, 3, 16), dt.date(2016, 3, 15))

    # Link the mother, found by a Latin spelling of her name.
    page.goto(f"{live_server.url}/persons/{child.pk}/family/new/")
    page.get_by_test_id("find-relative").fill("Zarina")
    expect(page.locator(f"#relative-{mother.pk}")).to_be_visible()
    page.locator(f"#relative-{mother.pk}").check()
    page.select_option("#id_relation", "mother")
    page.fill("#id_source", "The mother's statement to the consul")
    page.get_by_test_id("save").click()
    expect(page.get_by_test_id("tab-family")).to_have_class("nav-link active")
    expect(page.locator("#person-tab-panel")).to_contain_text("Зарина Раҳимова")
    shot(page, "registry-child-family-en")
    link = FamilyLink.objects.get()
    assert (link.person, link.relative, link.relation) == (mother, child, "mother")

    # The mother's custody: a life sentence in an Iraqi prison.
    page.goto(f"{live_server.url}/persons/{mother.pk}/custody/new/")
    page.select_option("#id_facility", str(team["prison"].pk))
    page.fill("#id_since", "2018-01-10")
    page.get_by_label("Life sentence").check()
    page.fill("#id_court", "Central Criminal Court of Iraq")
    page.get_by_test_id("save").click()
    expect(page.get_by_test_id("custody")).to_contain_text("Rusafa women's prison")
    expect(page.get_by_test_id("legal-fields")).to_contain_text("life sentence")
    shot(page, "registry-mother-custody-en")
    assert CustodyRecord.objects.get(person=mother).life_sentence

    # Found again in the list by a third spelling, typed into the search.
    page.goto(f"{live_server.url}/persons/")
    page.get_by_test_id("person-search").fill("Muhriddin")
    table = page.get_by_test_id("person-table")
    expect(table).to_contain_text("Мухриддин Раҳимов")
    expect(table).not_to_contain_text("Зарина Раҳимова")
    expect(page.get_by_test_id("result-count")).to_have_text("1 person")
    assert "q=Muhriddin" in page.url
    shot(page, "registry-list-search-en")

    # The mother's page, in Arabic: right to left, names as written.
    page.context.add_cookies([{"name": "django_language", "value": "ar", "url": live_server.url}])
    page.goto(f"{live_server.url}/persons/{mother.pk}/?tab=family")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.get_by_test_id("person-name")).to_have_text("Зарина Раҳимова")
    expect(page.locator("#person-tab-panel")).to_contain_text("Мухриддин Раҳимов")
    shot(page, "registry-mother-family-ar")
    page.goto(f"{live_server.url}/persons/?q=Мухриддин")
    expect(page.get_by_test_id("person-table")).to_contain_text("Мухриддин Раҳимов")
    shot(page, "registry-list-ar")


def test_registering_a_child_already_listed_in_arabic_script_shows_the_warning(page: Page, live_server, team) -> None:
    from homecoming.registry import services

    listed = services.person_create(
        by=None,
        owner_agency=team["cpa"],
        name="مخرالدين سعيدوف",
        sex="M",
        birth_date_precision="estimated",
        birth_date_min=dt.date(2014, 3, 1),
        birth_date_max=dt.date(2015, 3, 1),
        other_names=[],
    )
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in(page, live_server, "caseworker")
    page.goto(f"{live_server.url}/persons/new/")
    page.fill("#id_full_name", "Мухриддин Саидов")
    page.locator("input[name=sex][value=M]").check()
    warning = page.get_by_test_id("similar-persons")
    expect(warning).to_contain_text("مخرالدين سعيدوف")
    expect(warning).to_contain_text("%")
    expect(warning).to_contain_text("Family name")
    shot(page, "registry-duplicate-warning-en")
    page.locator("input[name=sex][value=F]").check()  # a girl of that name is not the boy registered
    expect(page.get_by_test_id("similar-persons")).to_have_count(0)
    assert Person.objects.filter(pk=listed.pk).exists()
