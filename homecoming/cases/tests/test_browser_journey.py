"""The whole way of one child in a real browser (issue 3, "Done when"): a case worker registers a
child whose mother is detained in an Iraqi prison, names in Cyrillic and Latin and an age told at
a date, links mother and child, records the mother's custody, opens the child's case, records an
assessment and the mother's consent, asks for approval; a manager, a different user, approves;
the child is found again by a third spelling. In English and in Arabic (right to left)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from playwright.sync_api import FilePayload, Page, expect

from homecoming.accounts.choices import AgencyKind, Role
from homecoming.cases.choices import ApprovalStatus, CaseStage
from homecoming.cases.models import ApprovalRequest, Case, CaseTransition
from homecoming.cases.tests.factories import PDF_BYTES
from homecoming.core.testing.browser import shot, sign_in
from homecoming.core.testing.factories import AgencyFactory, user_with_role
from homecoming.registry.models import CustodyRecord, FamilyLink, Person
from homecoming.registry.tests.factories import FacilityFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def move(page: Page, stage: str, reason: str) -> None:
    """Click a move button, give the reason in the dialog, submit, wait for the page to come back."""
    page.get_by_test_id(f"move-{stage}").click()
    dialog = page.locator("#move-modal")
    expect(dialog.get_by_test_id("transition-form")).to_be_visible()
    dialog.locator("#id_reason").fill(reason)
    with page.expect_navigation():
        dialog.get_by_test_id("transition-submit").click()


@pytest.fixture
def team() -> dict[str, Any]:
    cpa = AgencyFactory(code="cpa", name="Child Protection Agency", kind=AgencyKind.CHILD_PROTECTION)
    worker = user_with_role(Role.CASE_WORKER, cpa, "caseworker")
    manager = user_with_role(Role.MANAGER, cpa, "manager")
    for user, first, last in [(worker, "Malika", "Caseworker"), (manager, "Nigora", "Manager")]:
        user.first_name, user.last_name = first, last
        user.save()
    prison = FacilityFactory(
        name="Rusafa women's prison", kind="prison", country="IRQ", custodian_authority="Government of Iraq"
    )
    return {"cpa": cpa, "worker": worker, "manager": manager, "prison": prison}


def test_a_child_whose_mother_is_held_in_iraq_from_registration_to_approval(
    page: Page, live_server: Any, team: dict[str, Any]
) -> None:
    page.set_default_timeout(60_000)  # the machine is shared: a page can be slow
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in(page, live_server, "caseworker")

    # The mother: her name in Cyrillic (with Tajik letters) and a Latin spelling from the Iraqi list.
    page.goto(f"{live_server.url}/persons/new/")
    page.fill("#id_full_name", "Зарина Раҳимова")
    page.fill("#id_other_names", "Zarina Rahimova")
    page.fill("#id_other_names_source", "Iraqi Ministry of Justice list, 2019")
    page.locator("input[name=sex][value=F]").check()
    page.select_option("#id_birth_date_precision", "exact")
    page.fill("#id_birth_date", "1990-03-12")
    page.get_by_test_id("save-person").click()
    expect(page.get_by_test_id("person-name")).to_have_text("Зарина Раҳимова")
    mother = Person.objects.get(display_name="Зарина Раҳимова")

    # The child: Cyrillic and Latin, about 4 years old in March 2019.
    page.goto(f"{live_server.url}/persons/new/")
    page.fill("#id_full_name", "Мухриддин Раҳимов")
    page.fill("#id_other_names", "Mukhriddin Rakhimov")
    page.fill("#id_other_names_source", "Iraqi Ministry of Justice list, 2019")
    page.locator("input[name=sex][value=M]").check()
    page.select_option("#id_birth_date_precision", "estimated")
    page.fill("#id_age_years", "4")
    page.fill("#id_age_on", "2019-03-15")
    page.get_by_label("The age itself is approximate").check()
    shot(page, "journey-register-child-en")
    page.get_by_test_id("save-person").click()
    expect(page.get_by_test_id("person-name")).to_have_text("Мухриддин Раҳимов")
    expect(page.get_by_test_id("person-summary")).to_contain_text("about")
    child = Person.objects.get(display_name="Мухриддин Раҳимов")
    assert (child.birth_date_min, child.birth_date_max) == (dt.date(2013, 3, 16), dt.date(2016, 3, 15))
    assert "Mukhriddin Rakhimov" in {n.full_name for n in child.names.all()}

    # Mother and child linked; the mother is found by the Latin spelling of her name.
    page.goto(f"{live_server.url}/persons/{child.pk}/family/new/")
    page.get_by_test_id("find-relative").fill("Zarina")
    expect(page.locator(f"#relative-{mother.pk}")).to_be_visible()
    page.locator(f"#relative-{mother.pk}").check()
    page.select_option("#id_relation", "mother")
    page.fill("#id_source", "The mother's statement to the consul")
    page.get_by_test_id("save").click()
    expect(page.get_by_test_id("tab-family")).to_have_class("nav-link active")
    expect(page.locator("#person-tab-panel")).to_contain_text("Зарина Раҳимова")
    shot(page, "journey-child-family-en")
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
    shot(page, "journey-mother-custody-en")
    custody = CustodyRecord.objects.get(person=mother)
    assert custody.life_sentence
    assert custody.facility.country == "IRQ"

    # The child's case.
    page.goto(f"{live_server.url}/cases/new/?person={child.pk}")
    expect(page.locator("h1")).to_have_text("Open a case")
    page.select_option("#id_assigned_to", str(team["worker"].pk))
    page.fill("#id_summary", "Named on the list from the Iraqi authorities; mother in Rusafa prison, Baghdad.")
    page.get_by_role("button", name="Open the case").click()
    expect(page.get_by_test_id("case-stage")).to_have_text("Identified")
    expect(page.get_by_test_id("tab-case")).to_contain_text("born about 2014 (between")
    case = Case.objects.get(person=child)
    move(page, "verified", "Identity confirmed by the embassy in Baghdad.")
    expect(page.get_by_test_id("case-stage")).to_have_text("Verified")

    # The assessment.
    page.goto(f"{live_server.url}/cases/{case.pk}/assessments/new/")
    page.select_option("#id_kind", "best_interests")
    page.fill("#id_assessed_on", "2019-02-14")
    page.fill("#id_round_label", "February 2019")
    page.get_by_label("eligible", exact=True).check()
    page.fill("#id_reasons", "In good health; grandmother in Vahdat ready to take him in.")
    page.get_by_test_id("assessment-submit").click()
    expect(page.get_by_test_id("tab-assessments")).to_contain_text("grandmother in Vahdat")
    move(page, "assessed", "Best-interests assessment found return in his interest.")
    expect(page.get_by_test_id("case-stage")).to_have_text("Assessed")

    # The mother's consent, with the signed scan.
    page.goto(f"{live_server.url}/cases/{case.pk}/consents/new/")
    page.select_option("#id_given_by_relation", "mother")
    page.fill("#id_given_by_name", "Зарина Раҳимова")
    page.fill("#id_given_on", "2019-03-01")
    page.fill("#id_witness_name", "Consul A. Rahimov")
    page.fill("#id_language", "Tajik")
    scan: FilePayload = {"name": "consent.pdf", "mimeType": "application/pdf", "buffer": PDF_BYTES}
    page.set_input_files("#id_document", files=[scan])
    shot(page, "journey-consent-form-en")
    page.get_by_test_id("consent-submit").click()
    expect(page.get_by_test_id("tab-consent")).to_contain_text("Зарина Раҳимова")
    move(page, "consented", "The mother signed in the presence of the consul.")
    expect(page.get_by_test_id("case-stage")).to_have_text("Consented")

    # Approval is asked for; the case waits for a manager.
    page.get_by_test_id("move-approved").click()
    dialog = page.locator("#move-modal")
    expect(dialog).to_contain_text("needs a manager's approval")
    dialog.locator("#id_reason").fill("Eligible and consented; ready for the next operation.")
    with page.expect_navigation():
        dialog.get_by_test_id("transition-submit").click()
    expect(page.get_by_test_id("pending-approval")).to_be_visible()
    expect(page.get_by_test_id("case-stage")).to_have_text("Consented")
    shot(page, "journey-case-pending-en")

    # The manager, a different user, approves from the queue.
    sign_in(page, live_server, "manager")
    page.goto(f"{live_server.url}/cases/approvals/")
    request = ApprovalRequest.objects.get(case=case)
    expect(page.get_by_test_id(f"approval-{request.pk}")).to_contain_text("Мухриддин Раҳимов")
    shot(page, "journey-approvals-en")
    page.get_by_test_id(f"approve-{request.pk}").click()
    expect(page.get_by_role("alert").first).to_contain_text("moved to “approved”")
    case.refresh_from_db()
    request.refresh_from_db()
    assert case.stage == CaseStage.APPROVED
    assert request.status == ApprovalStatus.APPROVED
    assert request.requested_by == team["worker"]
    assert request.decided_by == team["manager"] != request.requested_by
    assert [t.to_stage for t in CaseTransition.objects.filter(case=case).order_by("pk")] == [
        CaseStage.VERIFIED,
        CaseStage.ASSESSED,
        CaseStage.CONSENTED,
        CaseStage.APPROVED,
    ]

    # Found again by a third spelling, neither the Cyrillic nor the Latin one registered.
    sign_in(page, live_server, "caseworker")
    page.goto(f"{live_server.url}/persons/")
    page.get_by_test_id("person-search").fill("Muhriddin Rahimov")
    table = page.get_by_test_id("person-table")
    expect(table).to_contain_text("Мухриддин Раҳимов")
    expect(table).not_to_contain_text("Зарина Раҳимова")
    expect(page.get_by_test_id("result-count")).to_have_text("1 person")
    shot(page, "journey-search-third-spelling-en")

    # In Arabic, right to left: the approved case, the mother's family and custody, the search.
    page.context.add_cookies([{"name": "django_language", "value": "ar", "url": live_server.url}])
    page.goto(f"{live_server.url}{case.get_absolute_url()}")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.get_by_test_id("move-scheduled")).to_be_visible()  # approved: the next move is "scheduled"
    shot(page, "journey-case-approved-ar")
    page.goto(f"{live_server.url}/persons/{mother.pk}/?tab=family")
    expect(page.get_by_test_id("person-name")).to_have_text("Зарина Раҳимова")
    expect(page.locator("#person-tab-panel")).to_contain_text("Мухриддин Раҳимов")
    shot(page, "journey-mother-family-ar")
    page.goto(f"{live_server.url}/persons/?q=Muhriddin+Rahimov")
    expect(page.get_by_test_id("person-table")).to_contain_text("Мухриддин Раҳимов")
    shot(page, "journey-search-ar")
