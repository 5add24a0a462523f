"""An operation in a real browser: a consular officer plans it, adds an approved family to the
manifest by its family group, clears and boards them, starts the operation, records the arrival
and sees the reconciliation; the manifest is also looked at in Arabic (right to left)."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings
from playwright.sync_api import Page, expect

from homecoming.accounts.choices import AgencyKind, Role
from homecoming.cases.choices import CaseStage
from homecoming.cases.models import Case
from homecoming.core.testing.factories import TEST_PASSWORD, AgencyFactory, user_with_role
from homecoming.operations.choices import ManifestStatus, OperationStatus
from homecoming.operations.models import ManifestEntry, Operation
from homecoming.operations.tests.factories import ARABIC_CHILD, CYRILLIC_MOTHER, a_family

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = Path(settings.BASE_DIR) / "var" / "screenshots"


def shot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def sign_in(page: Page, live_server, username: str) -> None:
    page.set_default_timeout(60_000)  # the machine is shared: the first page can be slow
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", TEST_PASSWORD)
    page.locator("form button[type=submit]").last.click()
    expect(page.get_by_test_id("whoami")).to_be_visible()


def group_status(page: Page, status: str) -> None:
    page.locator("select[name=to_status]").first.select_option(status)
    with page.expect_navigation():
        page.get_by_test_id("group-status-submit").first.click()


def operation_move(page: Page, move: str, *, on: str = "") -> None:
    page.get_by_test_id(f"move-{move}").click()
    expect(page.get_by_test_id("status-form")).to_be_visible()
    if on:
        page.fill("#id_on", on)
    with page.expect_navigation():
        page.get_by_test_id("status-submit").click()


@pytest.fixture
def team():
    mfa = AgencyFactory(code="mfa", name="Ministry of Foreign Affairs", kind=AgencyKind.FOREIGN_MINISTRY)
    officer = user_with_role(Role.CONSULAR_OFFICER, mfa, "consul")
    officer.first_name, officer.last_name = "Anvar", "Consul"
    officer.save()
    group, cases = a_family(mfa, children=(ARABIC_CHILD, "Амир Каримов"))
    return {"mfa": mfa, "officer": officer, "group": group, "cases": cases}


def test_consular_officer_runs_an_operation(page: Page, live_server, team) -> None:
    sign_in(page, live_server, "consul")
    page.goto(f"{live_server.url}/operations/")
    expect(page.get_by_test_id("empty-state")).to_be_visible()
    page.get_by_test_id("operation-create").click()

    # Plan it; a mistake is shown next to its field first.
    page.fill("#id_name", "Baghdad - Dushanbe, April 2019")
    page.select_option("#id_origin_country", "TJK")
    page.select_option("#id_destination_country", "TJK")
    page.get_by_test_id("operation-submit").click()
    expect(page.locator("[data-error-for=destination_country]")).to_contain_text("choose a destination other")
    page.select_option("#id_origin_country", "IRQ")
    page.fill("#id_origin_place", "Baghdad")
    page.fill("#id_released_by", "Government of Iraq")
    page.fill("#id_destination_place", "Dushanbe")
    page.fill("#id_planned_start", "2019-04-30")
    page.fill("#id_planned_end", "2019-04-30")
    page.fill("#id_escorts", "Consul A. Consul\nDoctor N. Doctor")
    shot(page, "operations-form-en")
    page.get_by_test_id("operation-submit").click()
    expect(page.get_by_test_id("operation-status")).to_have_text("Planning")
    operation = Operation.objects.get()

    # Add the approved family by its family group.
    page.locator("a[data-tab=manifest]").click()
    expect(page.get_by_test_id("manifest-empty")).to_be_visible()
    page.get_by_test_id("manifest-add").click()
    page.locator("[data-hc-label=Karimova]").click()
    expect(page.locator("input[name=cases]:checked")).to_have_count(3)
    expect(page.locator("#id_group_label")).to_have_value("Karimova")
    shot(page, "operations-manifest-add-en")
    page.get_by_test_id("manifest-add-submit").click()
    expect(page.get_by_test_id("manifest-row")).to_have_count(3)
    expect(page.get_by_test_id("manifest-group")).to_contain_text(CYRILLIC_MOTHER)
    expect(page.get_by_test_id("manifest-group")).to_contain_text(ARABIC_CHILD)
    assert {c.stage for c in Case.objects.all()} == {CaseStage.SCHEDULED}

    # Clear the group, approve the operation, board the group, start.
    group_status(page, "cleared")
    expect(page.get_by_text("Family group “Karimova”: 3 people cleared to travel.")).to_be_visible()
    operation_move(page, "approved")
    expect(page.get_by_test_id("operation-status")).to_have_text("Approved")
    page.locator("a[data-tab=manifest]").click()
    group_status(page, "boarded")
    expect(page.get_by_text("Family group “Karimova”: 3 people boarded.")).to_be_visible()
    shot(page, "operations-manifest-boarded-en")
    pdf = page.request.get(f"{live_server.url}/operations/{operation.pk}/manifest/print/")
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.body().startswith(b"%PDF-")
    operation_move(page, "under_way", on="2019-04-30")
    expect(page.get_by_test_id("operation-status")).to_have_text("Under way")

    # The arrival: everyone boarded arrived; the reconciliation shows it.
    page.get_by_test_id("record-arrival").click()
    expect(page.get_by_test_id("arrival-row")).to_have_count(3)
    page.fill("#id_arrived_on", "2019-04-30")
    shot(page, "operations-arrival-form-en")
    page.get_by_test_id("arrival-submit").click()
    expect(page.get_by_text("Arrival recorded: 3 arrived home, 0 did not arrive, 0 handed over.")).to_be_visible()
    expect(page.get_by_test_id("operation-status")).to_have_text("Completed")
    expect(page.get_by_test_id("rec-arrived")).to_have_text("3")
    expect(page.get_by_test_id("rec-missing")).to_have_text("0")
    shot(page, "operations-arrival-reconciled-en")
    operation.refresh_from_db()
    assert operation.status == OperationStatus.COMPLETED
    assert {e.status for e in ManifestEntry.objects.all()} == {ManifestStatus.ARRIVED}
    assert {c.stage for c in Case.objects.all()} == {CaseStage.RETURNED}

    # The manifest in Arabic, right to left.
    page.context.add_cookies([{"name": "django_language", "value": "ar", "url": live_server.url}])
    page.goto(f"{live_server.url}/operations/{operation.pk}/?tab=manifest")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.get_by_test_id("manifest-row")).to_have_count(3)
    shot(page, "operations-manifest-ar")


def test_negotiation_with_a_follow_up_action(page: Page, live_server, team) -> None:
    sign_in(page, live_server, "consul")
    page.goto(f"{live_server.url}/operations/negotiations/")
    page.get_by_test_id("negotiation-create").click()
    page.fill("#id_held_on", "2019-03-12")
    page.fill("#id_place", "Baghdad")
    page.select_option("#id_counterpart_country", "IRQ")
    page.fill("#id_their_authority", "Ministry of Foreign Affairs of Iraq")
    page.fill("#id_our_participants", "The ambassador")
    page.fill("#id_their_participants", "The deputy foreign minister")
    page.get_by_test_id("negotiation-submit").click()
    expect(page.locator("[data-error-for=subject]")).to_have_text("This field is required.")
    page.fill("#id_subject", "Return of the children held with their mothers")
    page.fill("#id_outcome", "Agreed in principle; lists to be exchanged.")
    page.get_by_test_id("negotiation-submit").click()
    expect(page.locator("h1")).to_have_text("Return of the children held with their mothers")
    form = page.get_by_test_id("action-form")
    form.locator("#id_description").fill("Send the list of children")
    form.locator("#id_responsible").fill("Consul")
    form.locator("#id_due_on").fill("2019-03-20")
    with page.expect_navigation():
        form.get_by_role("button").click()
    action = page.get_by_test_id("action")
    expect(action).to_contain_text("overdue")
    shot(page, "operations-negotiation-en")
    action.locator("select[name=status]").select_option("done")
    action.locator("input[name=done_on]").fill("2019-03-19")
    with page.expect_navigation():
        action.get_by_role("button").click()
    expect(page.get_by_test_id("action")).to_contain_text("Done")
    expect(page.get_by_test_id("action")).not_to_contain_text("overdue")
