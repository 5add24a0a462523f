"""A case's way to approval in a real browser: a case worker opens the case, moves it, records an
assessment and a consent, asks for approval; a different user, a manager, approves. In English and
in Arabic (right to left)."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings
from playwright.sync_api import FilePayload, Page, expect

from homecoming.accounts.choices import AgencyKind, Role
from homecoming.cases.choices import ApprovalStatus, CaseStage
from homecoming.cases.models import ApprovalRequest, Case, CaseTransition
from homecoming.cases.tests.factories import PDF_BYTES
from homecoming.core.testing.factories import TEST_PASSWORD, AgencyFactory, PersonFactory, user_with_role

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


def in_arabic(page: Page, live_server) -> None:
    page.context.add_cookies([{"name": "django_language", "value": "ar", "url": live_server.url}])


def move(page: Page, stage: str, reason: str) -> None:
    """Click a move button, give the reason in the dialog, submit, wait for the page to come back."""
    page.get_by_test_id(f"move-{stage}").click()
    dialog = page.locator("#move-modal")
    expect(dialog.get_by_test_id("transition-form")).to_be_visible()
    dialog.locator("#id_reason").fill(reason)
    with page.expect_navigation():
        dialog.get_by_test_id("transition-submit").click()


@pytest.fixture
def team():
    cpa = AgencyFactory(code="cpa", name="Child Protection Agency", kind=AgencyKind.CHILD_PROTECTION)
    worker = user_with_role(Role.CASE_WORKER, cpa, "caseworker")
    manager = user_with_role(Role.MANAGER, cpa, "manager")
    for user, first, last in [(worker, "Malika", "Caseworker"), (manager, "Nigora", "Manager")]:
        user.first_name, user.last_name = first, last
        user.save()
    person = PersonFactory(owner_agency=cpa, display_name="Farida Nazarova", sex="F")
    return {"cpa": cpa, "worker": worker, "manager": manager, "person": person}


def test_case_worker_prepares_and_a_manager_approves(page: Page, live_server, team) -> None:
    person = team["person"]
    sign_in(page, live_server, "caseworker")

    # Open the case.
    page.goto(f"{live_server.url}/cases/new/?person={person.pk}")
    expect(page.locator("h1")).to_have_text("Open a case")
    page.select_option("#id_assigned_to", str(team["worker"].pk))
    page.fill("#id_summary", "Named on the list from the Iraqi authorities; mother in prison in Baghdad.")
    page.get_by_role("button", name="Open the case").click()
    expect(page.get_by_test_id("case-stage")).to_have_text("Identified")
    case = Case.objects.get(person=person)

    # A move without a reason is refused in the dialog; with one it is made.
    page.get_by_test_id("move-verified").click()
    dialog = page.locator("#move-modal")
    expect(dialog.get_by_test_id("transition-form")).to_be_visible()
    dialog.get_by_test_id("transition-submit").click()
    expect(dialog.locator("[data-error-for=reason]")).to_have_text("Give the reason for this move.")
    shot(page, "cases-move-dialog-error-en")
    dialog.locator("#id_reason").fill("Identity confirmed by the embassy in Baghdad.")
    with page.expect_navigation():
        dialog.get_by_test_id("transition-submit").click()
    expect(page.get_by_test_id("case-stage")).to_have_text("Verified")

    # "assessed" waits for an assessment: the button says why.
    expect(page.get_by_text("Record an assessment before moving the case to “assessed”.")).to_be_visible()

    # Record an assessment (first with a mistake, shown next to the field).
    page.goto(f"{live_server.url}/cases/{case.pk}/assessments/new/")
    page.select_option("#id_kind", "best_interests")
    page.fill("#id_assessed_on", "2019-02-14")
    page.fill("#id_round_label", "February 2019")
    page.get_by_label("eligible", exact=True).check()
    page.get_by_test_id("assessment-submit").click()
    expect(page.locator("[data-error-for=reasons]")).to_have_text("Give the reasons for the outcome.")
    shot(page, "cases-assessment-form-error-en")
    page.fill("#id_reasons", "In good health; grandmother in Vahdat ready to take her in.")
    page.get_by_test_id("assessment-submit").click()
    expect(page.get_by_test_id("tab-assessments")).to_contain_text("grandmother in Vahdat")
    move(page, "assessed", "Best-interests assessment found return in her interest.")
    expect(page.get_by_test_id("case-stage")).to_have_text("Assessed")

    # Record the mother's consent with the signed scan.
    page.goto(f"{live_server.url}/cases/{case.pk}/consents/new/")
    page.select_option("#id_given_by_relation", "mother")
    page.fill("#id_given_by_name", "Mavluda Nazarova")
    page.fill("#id_given_on", "2019-03-01")
    page.fill("#id_witness_name", "Consul A. Rahimov")
    page.fill("#id_language", "Tajik")
    scan: FilePayload = {"name": "consent.pdf", "mimeType": "application/pdf", "buffer": PDF_BYTES}
    page.set_input_files("#id_document", files=[scan])
    shot(page, "cases-consent-form-en")
    page.get_by_test_id("consent-submit").click()
    expect(page.get_by_test_id("tab-consent")).to_contain_text("Mavluda Nazarova")
    move(page, "consented", "The mother signed in the presence of the consul.")

    # Approval: the move becomes a request.
    page.get_by_test_id("move-approved").click()
    dialog = page.locator("#move-modal")
    expect(dialog).to_contain_text("needs a manager's approval")
    dialog.locator("#id_reason").fill("Eligible and consented; ready for the next operation.")
    shot(page, "cases-request-approval-dialog-en")
    with page.expect_navigation():
        dialog.get_by_test_id("transition-submit").click()
    expect(page.get_by_test_id("pending-approval")).to_be_visible()
    expect(page.get_by_test_id("case-stage")).to_have_text("Consented")
    shot(page, "cases-detail-pending-en")
    page.goto(f"{live_server.url}{case.get_absolute_url()}?tab=history")
    shot(page, "cases-history-en")

    # The manager, a different user, approves from the queue.
    sign_in(page, live_server, "manager")
    page.goto(f"{live_server.url}/cases/approvals/")
    request = ApprovalRequest.objects.get(case=case)
    expect(page.get_by_test_id(f"approval-{request.pk}")).to_contain_text("Farida Nazarova")
    shot(page, "cases-approvals-en")
    page.get_by_test_id(f"approve-{request.pk}").click()
    expect(page.get_by_role("alert").first).to_contain_text("moved to “approved”")
    case.refresh_from_db()
    request.refresh_from_db()
    assert case.stage == CaseStage.APPROVED
    assert request.status == ApprovalStatus.APPROVED
    assert request.decided_by == team["manager"]
    assert CaseTransition.objects.filter(case=case).count() == 4

    # The same pages in Arabic, right to left.
    in_arabic(page, live_server)
    page.goto(f"{live_server.url}{case.get_absolute_url()}")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    shot(page, "cases-detail-ar")
    page.goto(f"{live_server.url}{case.get_absolute_url()}?tab=consent")
    shot(page, "cases-consent-tab-ar")
    page.goto(f"{live_server.url}/cases/")
    expect(page.get_by_test_id("case-table")).to_contain_text("Farida Nazarova")
    shot(page, "cases-list-ar")
    page.goto(f"{live_server.url}/cases/approvals/")
    shot(page, "cases-approvals-ar")


def test_the_case_list_in_english(page: Page, live_server, team) -> None:
    cpa = team["cpa"]
    for name in ("Sino Karimova", "Umed Saidov", "Zarina Rahimova"):
        Case.objects.create(person=PersonFactory(owner_agency=cpa, display_name=name), owner_agency=cpa)
    sign_in(page, live_server, "caseworker")
    page.goto(f"{live_server.url}/cases/")
    expect(page.get_by_test_id("result-count")).to_have_text("3 cases")
    page.fill("#id_q", "karim")
    page.get_by_role("button", name="Filter").click()
    expect(page.get_by_test_id("result-count")).to_have_text("1 case")
    expect(page.get_by_test_id("case-table")).to_contain_text("Sino Karimova")
    shot(page, "cases-list-filtered-en")
