"""A grandmother's tracing request in a real browser: the worker records it in Cyrillic, the search
proposes the child registered from an Iraqi list in Arabic script, the worker confirms it."""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import Page, expect

from homecoming.accounts.choices import AgencyKind, Role
from homecoming.core.testing.browser import shot, sign_in
from homecoming.core.testing.factories import AgencyFactory, user_with_role
from homecoming.registry import services as registry
from homecoming.tracing.models import MatchStatus, TracingMatch, TracingStatus

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_worker_records_a_request_and_confirms_the_child_found(page: Page, live_server) -> None:
    cpa = AgencyFactory(code="cpa", name="Child Protection Agency", kind=AgencyKind.CHILD_PROTECTION)
    mfa = AgencyFactory(code="mfa", name="Ministry of Foreign Affairs", kind=AgencyKind.FOREIGN_MINISTRY)
    user_with_role(Role.CASE_WORKER, cpa, "caseworker")
    child = registry.person_create(
        by=None,
        owner_agency=cpa,
        name="مخرالدين سعيدوف",
        sex="M",
        birth_date_precision="estimated",
        birth_date_min=dt.date(2014, 3, 1),
        birth_date_max=dt.date(2015, 3, 1),
    )
    registry.person_create(by=None, owner_agency=mfa, name="Mukhriddin Saidov", sex="M")  # another agency's record

    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in(page, live_server, "caseworker")
    page.goto(f"{live_server.url}/tracing/")
    expect(page.get_by_test_id("empty-state")).to_be_visible()
    page.get_by_test_id("new-request").click()

    page.get_by_test_id("save-request").click()  # nothing filled in: the errors name the fields
    expect(page.get_by_test_id("form-errors")).to_contain_text("Names of the person sought")
    expect(page.get_by_test_id("form-errors")).to_contain_text("Consent to tracing given on")

    page.fill("#id_requester_name", "Гулнора Саидова")
    page.select_option("#id_requester_relation", "grandparent")
    page.fill("#id_sought_names", "Мухриддин Саидов\nMuhriddin Saidov")
    page.select_option("#id_sought_sex", "M")
    page.fill("#id_age_years", "4")
    page.fill("#id_last_known_on", "2019-03-01")
    page.fill("#id_consent_on", "2019-03-05")
    shot(page, "tracing-1-form")
    page.get_by_test_id("save-request").click()

    proposals = page.get_by_test_id("proposal")
    expect(proposals).to_have_count(2)
    ours = proposals.filter(has_text="مخرالدين سعيدوف")
    expect(ours).to_have_count(1)
    expect(page.get_by_test_id("held-elsewhere")).to_contain_text("Ministry of Foreign Affairs")
    expect(page.get_by_text("Mukhriddin Saidov", exact=True)).to_have_count(0)  # not shown: another agency's
    shot(page, "tracing-2-proposals")

    ours.get_by_label("This is the person sought").check()
    ours.get_by_label("How you know").fill("The grandmother recognised him on the photo.")
    ours.get_by_test_id("decide").click()
    expect(page.get_by_test_id("request-status")).to_have_text("Found")
    shot(page, "tracing-3-found")

    match = TracingMatch.objects.get(person=child)
    assert match.status == MatchStatus.CONFIRMED
    assert match.request.status == TracingStatus.FOUND
