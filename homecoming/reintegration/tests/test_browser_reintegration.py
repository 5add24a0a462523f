"""Reintegration in a real browser ("Done when" of the issue):

* a health worker screens a returned child (the weight-for-age z-score shown and flagged), records
  two doses and sees the catch-up plan;
* a local focal point completes the visit assigned to them and cannot open anything else;
* a manager sees an overdue visit escalated on the start page.
"""

from __future__ import annotations

import datetime
import importlib
from decimal import Decimal
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.utils import formats, timezone
from playwright.sync_api import Page, expect

from homecoming.accounts.choices import AgencyKind, Role
from homecoming.core.testing.factories import TEST_PASSWORD, AgencyFactory, user_with_role
from homecoming.reintegration import growth, services
from homecoming.reintegration.choices import VisitOutcome, VisitStatus
from homecoming.reintegration.models import (
    FollowUpTemplate,
    FollowUpVisit,
    Screening,
    VaccinationDose,
    VaccineScheduleItem,
)
from homecoming.reintegration.tests.factories import returned_case

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = Path(settings.BASE_DIR) / "var" / "screenshots"
D = datetime.timedelta


def shot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"reintegration-{name}.png"), full_page=True)


def sign_in(page: Page, live_server, username: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", TEST_PASSWORD)
    page.locator("form button[type=submit]").last.click()
    expect(page.get_by_test_id("whoami")).to_be_visible()


def _seed_schedule() -> None:
    """Transactional tests empty the tables the migrations seeded: put the example schedule back."""
    if not VaccineScheduleItem.objects.exists() or not FollowUpTemplate.objects.exists():
        importlib.import_module("homecoming.reintegration.migrations.0002_example_schedule").seed(apps, None)


@pytest.fixture
def world():
    _seed_schedule()
    today = timezone.localdate()
    cpa = AgencyFactory(code="cpa", name="Child Protection Agency", kind=AgencyKind.CHILD_PROTECTION)
    people = {}
    for role, username, given, family in [
        (Role.HEALTH_WORKER, "nurse", "Dilnoza", "Nurse"),
        (Role.CASE_WORKER, "caseworker", "Malika", "Caseworker"),
        (Role.FOCAL_POINT, "mahalla", "Rustam", "Mahalla"),
        (Role.MANAGER, "manager", "Nigora", "Manager"),
    ]:
        user = user_with_role(role, cpa, username)
        user.first_name, user.last_name = given, family
        user.save()
        people[username] = user
    # A boy of 26 months, home for ten days, not screened yet.
    boy = returned_case(
        agency=cpa,
        arrived=today - D(days=10),
        display_name="Yusuf Karimov",
        sex="M",
        birth_date=today - D(days=800),
    )
    # His follow-up plan: the first visit, due today, goes to the focal point of his mahalla.
    template = FollowUpTemplate.objects.get(is_default=True)
    worker = people["caseworker"]
    plan = services.plan_create(
        case=boy, by=worker, arrival_date=today - D(days=10), template=template, assigned_to=people["mahalla"]
    )
    first = plan.visits.order_by("due_date").first()
    assert first is not None
    services.visit_assign(visit=first, by=worker, assigned_to=people["mahalla"], due_date=today)
    # The 3-month visit goes to the case worker: not the focal point's business.
    three = plan.visits.get(months_after_arrival=3)
    services.visit_assign(visit=three, by=worker, assigned_to=worker, due_date=three.due_date)
    services.service_record(
        case=boy,
        by=worker,
        kind="placement",
        date=today - D(days=9),
        status="delivered",
        placement_type="relatives",
        caregiver_name="Mavjuda Karimova",
        caregiver_relationship="grandmother",
        address="14 Rudaki Street",
        district="Vahdat",
    )
    # A girl home for four months whose 3-month visit, the case worker's, was never made.
    girl = returned_case(
        agency=cpa,
        arrived=today - D(days=125),
        display_name="Aisha Saidova",
        sex="F",
        birth_date=today - D(days=2500),
    )
    services.plan_create(case=girl, by=worker, arrival_date=today - D(days=125), template=template, assigned_to=worker)
    overdue = FollowUpVisit.objects.get(case=girl, months_after_arrival=3)
    assert overdue.status == VisitStatus.SCHEDULED
    assert overdue.due_date < today
    FollowUpVisit.objects.filter(case=girl, months_after_arrival=1).update(
        status=VisitStatus.DONE, completed_on=today - D(days=90), outcome=VisitOutcome.WELL
    )
    return {"today": today, "boy": boy, "girl": girl, "overdue": overdue, "first": first, **people}


def test_health_worker_screens_vaccinates_and_sees_the_plan(page: Page, live_server, world) -> None:
    boy, today = world["boy"], world["today"]
    sign_in(page, live_server, "nurse")

    # The start page lists the boy among the screenings pending.
    section = page.locator("[data-section=screenings]")
    expect(section).to_contain_text("Yusuf Karimov")
    shot(page, "1-nurse-home")
    section.get_by_role("link", name="Yusuf Karimov").click()
    expect(page.get_by_test_id("screening-form")).to_be_visible()

    # 9.4 kg at 800 days: the WHO's median for boys of that age is about 12.2 kg.
    weight = Decimal("9.4")
    expected = growth.weight_for_age(weight_kg=weight, sex="M", age_days=800)
    assert expected.category == growth.Underweight.MODERATE
    page.fill("#id_weight_kg", str(weight))
    page.fill("#id_height_cm", "82.5")
    page.fill("#id_muac_mm", "122")
    page.fill("#id_findings", "Thin, pale conjunctivae; scabies on both hands.")
    page.fill("#id_referrals", "Outpatient nutrition programme, district hospital.")
    page.get_by_test_id("screening-submit").click()

    waz = page.get_by_test_id("waz")
    expect(waz).to_contain_text(f"{expected.z:.2f}")
    expect(waz).to_contain_text("moderate underweight")
    expect(page.locator(".alert-warning").first).to_contain_text("moderate underweight")
    screening = Screening.objects.get(service__case=boy)
    assert screening.weight_for_age_z == Decimal(f"{expected.z:.2f}")
    shot(page, "2-screening-result")

    # Flagged on the child's page.
    page.goto(f"{live_server.url}/reintegration/cases/{boy.pk}/")
    expect(page.get_by_test_id("underweight-flag")).to_contain_text("Moderate underweight")

    # The catch-up plan before any dose: everything due since birth is overdue.
    page.goto(f"{live_server.url}/reintegration/cases/{boy.pk}/vaccinations/")
    plan = page.get_by_test_id("catch-up-plan")
    expect(page.get_by_test_id("schedule-example")).to_be_visible()
    expect(plan.locator("tr[data-status=overdue]").first).to_be_visible()
    overdue_before = plan.locator("tr[data-status=overdue]").count()

    # Two doses given here today, each from its row of the plan.
    for vaccine in ("DTP-HepB-Hib (pentavalent)", "Measles, mumps and rubella"):
        row = plan.locator("tr[data-status=overdue]", has_text=vaccine).first
        expect(row).to_be_visible()
        row.get_by_role("link", name="Record").click()
        expect(page.get_by_test_id("dose-form")).to_be_visible()
        expect(page.locator("#id_given_on")).to_have_value(today.isoformat())
        page.fill("#id_batch_number", f"B-{vaccine[:4]}-01")
        page.get_by_test_id("dose-submit").click()
        expect(page.get_by_test_id("catch-up-plan")).to_be_visible()

    given = page.get_by_test_id("doses-given")
    expect(given.locator("li")).to_have_count(2)
    expect(given).to_contain_text("DTP-HepB-Hib (pentavalent), dose 1")
    assert VaccinationDose.objects.filter(case=boy, source="given_here", given_on=today).count() == 2
    # The next pentavalent dose follows at the minimum interval of four weeks.
    next_penta = plan.locator("tr", has_text="DTP-HepB-Hib (pentavalent)").filter(has_text="upcoming").first
    expect(next_penta).to_contain_text(formats.date_format(today + D(days=28), "SHORT_DATE_FORMAT"))
    assert plan.locator("tr[data-status=overdue]").count() == overdue_before - 2
    shot(page, "3-catch-up-plan")

    # The same page in Arabic, right to left.
    page.context.add_cookies([{"name": "django_language", "value": "ar", "url": live_server.url}])
    page.reload()
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.get_by_test_id("catch-up-plan")).to_be_visible()
    shot(page, "3-catch-up-plan-ar")


def test_focal_point_completes_the_visit_and_sees_nothing_else(page: Page, live_server, world) -> None:
    boy, girl, first = world["boy"], world["girl"], world["first"]
    sign_in(page, live_server, "mahalla")

    section = page.locator("[data-section=mine]")
    expect(section).to_contain_text("Yusuf Karimov")
    expect(page.locator("body")).not_to_contain_text("Aisha Saidova")
    shot(page, "4-focal-point-home")
    section.get_by_role("link", name="Yusuf Karimov").click()

    # The minimum about the child: name, age, where and with whom he lives.
    card = page.get_by_test_id("child-card")
    expect(card).to_contain_text("Yusuf Karimov")
    expect(page.get_by_test_id("child-address")).to_contain_text("14 Rudaki Street, Vahdat")
    expect(page.get_by_test_id("child-caregiver")).to_contain_text("Mavjuda Karimova")
    expect(page.locator("body")).not_to_contain_text("All services of the child")
    page.get_by_test_id("record-visit").click()

    form = page.get_by_test_id("visit-record-form")
    form.locator("input[name=status][value=done]").check()
    page.select_option("#id_outcome", "concerns")
    page.fill("#id_outcome_notes", "Lives with his grandmother; eats little, sleeps badly.")
    page.fill("#id_next_steps", "Ask the health worker to weigh him again in two weeks.")
    page.get_by_test_id("visit-submit").click()
    expect(page.get_by_test_id("visit-status")).to_have_text("done")
    expect(page.get_by_test_id("visit-outcome")).to_contain_text("concerns")
    first.refresh_from_db()
    assert first.status == VisitStatus.DONE
    assert first.recorded_by == world["mahalla"]
    shot(page, "5-visit-done")

    # Nothing else opens: not the child's services, case or person, not another child's visit,
    # not the boy's later visits, not the lists.
    later = FollowUpVisit.objects.get(case=boy, months_after_arrival=3)
    refused = [
        f"/reintegration/cases/{boy.pk}/",
        f"/reintegration/cases/{boy.pk}/vaccinations/",
        f"/cases/{boy.pk}/",
        f"/persons/{boy.person_id}/",
        f"/reintegration/visits/{world['overdue'].pk}/",
        "/reintegration/services/",
        "/reintegration/coverage/",
        f"/cases/{girl.pk}/",
        f"/reintegration/visits/{later.pk}/",
        f"/reintegration/visits/{later.pk}/record/",
    ]
    for path in refused:
        response = page.goto(f"{live_server.url}{path}")
        assert response is not None
        assert response.status in (403, 404), (path, response.status)
    shot(page, "6-focal-point-refused")


def test_manager_sees_the_overdue_visit_escalated(page: Page, live_server, world) -> None:
    overdue = world["overdue"]
    sign_in(page, live_server, "manager")
    section = page.locator("[data-section=escalations]")
    expect(section).to_contain_text("Aisha Saidova")
    expect(section).to_contain_text("escalated")
    expect(section).to_contain_text("assigned to Malika Caseworker")
    expect(section).to_contain_text("overdue since")
    shot(page, "7-manager-escalations")
    section.get_by_role("link", name="Aisha Saidova").click()
    expect(page.get_by_test_id("visit-overdue")).to_be_visible()
    expect(page).to_have_url(f"{live_server.url}/reintegration/visits/{overdue.pk}/")
    shot(page, "8-overdue-visit")
