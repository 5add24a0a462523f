"""An operation in a real browser (issue 4, "Done when"): a consular officer plans it, adds approved
families to the manifest by their family group, is refused (with a message saying why) for a case
that is no longer approved, clears and boards them, starts the operation, hands a woman of another
nationality over to her state's authorities, records the arrival and sees the reconciliation,
downloads the manifest PDF (in English, Arabic and Russian); a manager sees the figures dashboard
change. The manifest is also looked at in Arabic (right to left)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.conf import settings
from playwright.sync_api import Page, expect

from homecoming.accounts.choices import AgencyKind, Role
from homecoming.cases.choices import CaseStage
from homecoming.cases.models import Case
from homecoming.cases.services import case_transition
from homecoming.core.testing.factories import TEST_PASSWORD, AgencyFactory, user_with_role
from homecoming.operations.choices import ManifestStatus, OperationStatus
from homecoming.operations.models import ManifestEntry, Operation
from homecoming.operations.tests.factories import ARABIC_CHILD, CYRILLIC_MOTHER, a_case, a_family
from homecoming.registry.choices import NationalityBasis
from homecoming.registry.services import custody_create, nationality_claim_add
from homecoming.registry.tests.factories import FacilityFactory

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


def group_status(page: Page, status: str, group: str = "") -> None:
    """Set the status of a whole family group (the first group on the page unless named)."""
    section = page.get_by_test_id("manifest-group")
    if group:
        section = section.filter(has_text=group)
    section.first.locator("select[name=to_status]").first.select_option(status)
    with page.expect_navigation():
        section.first.get_by_test_id("group-status-submit").click()


def operation_move(page: Page, move: str, *, on: str = "") -> None:
    page.get_by_test_id(f"move-{move}").click()
    expect(page.get_by_test_id("status-form")).to_be_visible()
    if on:
        page.fill("#id_on", on)
    with page.expect_navigation():
        page.get_by_test_id("status-submit").click()


def in_language(page: Page, live_server, language: str) -> None:
    page.context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])


KAZAKH_MOTHER = "Айгерим Нурланова"
KAZAKH_CHILD = "Дана Нурланова"
LATE_CHILD = "Фотима Саидова"


@pytest.fixture
def team():
    mfa = AgencyFactory(code="mfa", name="Ministry of Foreign Affairs", kind=AgencyKind.FOREIGN_MINISTRY)
    officer = user_with_role(Role.CONSULAR_OFFICER, mfa, "consul")
    officer.first_name, officer.last_name = "Anvar", "Consul"
    officer.save()
    manager = user_with_role(Role.MANAGER, mfa, "manager")
    manager.first_name, manager.last_name = "Nigora", "Manager"
    manager.save()
    prison = FacilityFactory(name="Rusafa women's prison", kind="prison", country="IRQ")
    # A Tajik mother with two children; a Kazakh mother and her daughter travelling with the group
    # (handed over to Kazakhstan on the way); a Tajik girl whose case is put on hold while she is
    # being added.
    group, cases = a_family(mfa, children=(ARABIC_CHILD, "Амир Каримов"))
    _kazakh_group, kazakh_cases = a_family(mfa, name="Nurlanova", mother=KAZAKH_MOTHER, children=(KAZAKH_CHILD,))
    late = a_case(mfa, name=LATE_CHILD, sex="F", birth_date=dt.date(2012, 6, 1))
    for case in [*cases, *kazakh_cases, late]:
        custody_create(person=case.person, by=None, facility=prison, since=dt.date(2018, 1, 10))
        nationality_claim_add(
            person=case.person,
            by=None,
            country="KAZ" if case in kazakh_cases else "TJK",
            basis=NationalityBasis.STATEMENT,
        )
    return {
        "mfa": mfa,
        "officer": officer,
        "manager": manager,
        "group": group,
        "cases": cases,
        "kazakh": kazakh_cases,
        "late": late,
    }


def test_consular_officer_runs_an_operation(page: Page, live_server, team) -> None:
    # The figures before: no operation completed; three Tajik children and a woman held in Iraq.
    sign_in(page, live_server, "manager")
    page.goto(f"{live_server.url}/reports/")
    expect(page.get_by_test_id("figures-operations").get_by_test_id("empty-state")).to_be_visible()
    remaining = page.get_by_test_id("figures-remaining")
    expect(remaining.locator("[data-figure=remaining_children]")).to_have_text(["3"])
    expect(remaining.locator("[data-figure=remaining_women]")).to_have_text(["1"])
    shot(page, "operations-figures-before-en")

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
    assert {c.stage for c in Case.objects.filter(pk__in=[c.pk for c in team["cases"]])} == {CaseStage.SCHEDULED}

    # The Kazakh mother and daughter, by their family group, travel with them.
    page.get_by_test_id("manifest-add").click()
    page.locator("[data-hc-label=Nurlanova]").click()
    expect(page.locator("input[name=cases]:checked")).to_have_count(2)
    page.get_by_test_id("manifest-add-submit").click()
    expect(page.get_by_test_id("manifest-row")).to_have_count(5)

    # A girl approved when the page was opened, put on hold by a manager meanwhile: refused, with
    # a message that says who and why; nothing is added.
    late = team["late"]
    page.get_by_test_id("manifest-add").click()
    page.locator(f"input[name=cases][value='{late.pk}']").check()
    page.fill("#id_group_label", "Saidova")
    case_transition(case=late, to_stage=CaseStage.ON_HOLD, by=team["manager"], reason="Her mother asked to wait.")
    page.get_by_test_id("manifest-add-submit").click()
    expect(page.locator("[data-error-for=cases]")).to_have_text(
        f"{LATE_CHILD} cannot travel yet: the case is at stage “on hold”; only approved cases go on a manifest."
    )
    shot(page, "operations-manifest-refused-en")
    assert not ManifestEntry.objects.filter(case=late).exists()
    late.refresh_from_db()
    assert late.stage == CaseStage.ON_HOLD
    page.goto(f"{live_server.url}/operations/{operation.pk}/?tab=manifest")
    expect(page.get_by_test_id("manifest-row")).to_have_count(5)

    # Clear the groups, approve the operation, board the groups.
    group_status(page, "cleared", "Karimova")
    expect(page.get_by_text("Family group “Karimova”: 3 people cleared to travel.")).to_be_visible()
    group_status(page, "cleared", "Nurlanova")
    operation_move(page, "approved")
    expect(page.get_by_test_id("operation-status")).to_have_text("Approved")
    page.locator("a[data-tab=manifest]").click()
    group_status(page, "boarded", "Karimova")
    expect(page.get_by_text("Family group “Karimova”: 3 people boarded.")).to_be_visible()
    group_status(page, "boarded", "Nurlanova")
    expect(page.get_by_text("Family group “Nurlanova”: 2 people boarded.")).to_be_visible()
    shot(page, "operations-manifest-boarded-en")

    # The manifest PDF from its button: served inline, the browser opens it in its viewer (whose
    # page is what the response's body gives back), so the file itself is fetched again with the
    # browser's session, in English, Arabic and Russian.
    print_url = live_server.url + (page.get_by_test_id("manifest-print").get_attribute("href") or "")
    assert print_url == f"{live_server.url}/operations/{operation.pk}/manifest/print/"
    with page.expect_response(lambda r: r.url == print_url) as response_info:
        page.get_by_test_id("manifest-print").click()
    response = response_info.value
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    assert f'filename="manifest-{operation.reference}.pdf"' in response.headers["content-disposition"]
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for language in ("en", "ar", "ru"):
        in_language(page, live_server, language)
        pdf = page.request.get(print_url)
        assert pdf.status == 200
        assert pdf.headers["content-type"] == "application/pdf"
        assert pdf.body().startswith(b"%PDF-")
        (SCREENSHOTS / f"operations-manifest-{language}.pdf").write_bytes(pdf.body())
        html = page.request.get(f"{print_url}?format=html").text()
        assert f'<html lang="{language}" dir="{"rtl" if language == "ar" else "ltr"}">' in html
        for name in (CYRILLIC_MOTHER, "Zarina Karimova", ARABIC_CHILD, KAZAKH_MOTHER, KAZAKH_CHILD):
            assert name in html, (language, name)
        assert LATE_CHILD not in html
    in_language(page, live_server, "en")
    page.goto(f"{live_server.url}/operations/{operation.pk}/")

    operation_move(page, "under_way", on="2019-04-30")
    expect(page.get_by_test_id("operation-status")).to_have_text("Under way")

    # The Kazakh mother and daughter are handed over to Kazakhstan's authorities at the airport.
    page.locator("a[data-tab=handovers]").click()
    kazakh = team["kazakh"]
    for case, name in zip(kazakh, (KAZAKH_MOTHER, KAZAKH_CHILD), strict=True):
        page.get_by_test_id("handover-add").click()
        page.select_option("#id_case", str(case.pk))
        page.select_option("#id_receiving_country", "KAZ")
        page.fill("#id_receiving_authority", "Ministry of Foreign Affairs of Kazakhstan")
        page.fill("#id_place", "Baghdad International Airport")
        page.fill("#id_handed_over_at", "2019-04-30T09:30")
        page.fill("#id_our_officials", "Consul A. Consul")
        page.fill("#id_their_officials", "Consul B. Kazakh")
        shot(page, "operations-handover-form-en")
        page.get_by_test_id("handover-submit").click()
        expect(page.get_by_text(f"{name} handed over.")).to_be_visible()
        expect(page.get_by_test_id("handover-table")).to_contain_text(name)
    expect(page.get_by_test_id("handover-table")).to_contain_text("Kazakhstan")
    shot(page, "operations-handovers-en")
    assert {c.stage for c in Case.objects.filter(pk__in=[c.pk for c in kazakh])} == {CaseStage.HANDED_OVER}

    # The arrival: the family arrived; the mother and daughter handed over did not come home.
    page.get_by_test_id("record-arrival").click()
    expect(page.get_by_test_id("arrival-row")).to_have_count(5)
    for entry in ManifestEntry.objects.filter(case__in=kazakh):
        page.locator(f"#id_arrived_{entry.pk}").uncheck()
    page.fill("#id_arrived_on", "2019-04-30")
    shot(page, "operations-arrival-form-en")
    page.get_by_test_id("arrival-submit").click()
    expect(page.get_by_text("Arrival recorded: 3 arrived home, 0 did not arrive, 2 handed over.")).to_be_visible()
    expect(page.get_by_test_id("operation-status")).to_have_text("Completed")
    expect(page.get_by_test_id("rec-arrived")).to_have_text("3")
    expect(page.get_by_test_id("rec-missing")).to_have_text("0")
    expect(page.get_by_test_id("rec-handed")).to_have_text("2")
    shot(page, "operations-arrival-reconciled-en")
    operation.refresh_from_db()
    assert operation.status == OperationStatus.COMPLETED
    family = [c.pk for c in team["cases"]]
    assert {e.status for e in ManifestEntry.objects.filter(case__in=family)} == {ManifestStatus.ARRIVED}
    assert {c.stage for c in Case.objects.filter(pk__in=family)} == {CaseStage.RETURNED}
    assert {c.stage for c in Case.objects.filter(pk__in=[c.pk for c in kazakh])} == {CaseStage.HANDED_OVER}

    # The manifest in Arabic, right to left.
    in_language(page, live_server, "ar")
    page.goto(f"{live_server.url}/operations/{operation.pk}/?tab=manifest")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.get_by_test_id("manifest-row")).to_have_count(5)
    shot(page, "operations-manifest-ar")

    # The figures after: the operation with two children and a woman returned, a Kazakh woman
    # and child handed over, one Tajik child still held in Iraq.
    sign_in(page, live_server, "manager")
    page.goto(f"{live_server.url}/reports/")
    row = page.get_by_test_id("figures-operations").locator("tr[data-date='2019-04-30']")
    expect(row.locator("[data-figure=returned_children]")).to_have_text("2")
    expect(row.locator("[data-figure=returned_women]")).to_have_text("1")
    expect(row).to_contain_text("women: 1, children: 1")
    remaining = page.get_by_test_id("figures-remaining")
    expect(remaining.locator("[data-figure=remaining_children]")).to_have_text(["1"])
    expect(remaining.locator("[data-figure=remaining_women]")).to_have_text(["0"])
    shot(page, "operations-figures-after-en")
    in_language(page, live_server, "ar")
    page.goto(f"{live_server.url}/reports/")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    shot(page, "operations-figures-after-ar")
    in_language(page, live_server, "ru")
    page.goto(f"{live_server.url}/operations/{operation.pk}/?tab=handovers")
    expect(page.get_by_test_id("handover-table")).to_contain_text(KAZAKH_MOTHER)
    shot(page, "operations-handovers-ru")


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
