"""The demonstration loader the scenario calls: realistic services and follow-up, some overdue."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.utils import timezone

from homecoming.accounts.choices import Role
from homecoming.cases.choices import CaseStage
from homecoming.core.testing.factories import user_with_role
from homecoming.registry.choices import BirthDatePrecision
from homecoming.reintegration import coverage, selectors
from homecoming.reintegration.choices import DoseSource, ServiceKind, ServiceStatus, VisitStatus
from homecoming.reintegration.demo import demo_load_reintegration
from homecoming.reintegration.models import (
    FollowUpVisit,
    ReintegrationPlan,
    Screening,
    Service,
    VaccinationDose,
)
from homecoming.reintegration.tests.factories import returned_case
from homecoming.reintegration.worklist import worklist_for

pytestmark = pytest.mark.django_db

D = datetime.timedelta


def _today() -> datetime.date:
    return timezone.localdate()


@pytest.fixture
def staff(agency):
    """Everyone who works on returned children in the agency, and a focal point of a local committee."""
    return {
        "health": user_with_role(Role.HEALTH_WORKER, agency, username="nurse"),
        "psy": user_with_role(Role.PSYCHOLOGIST, agency, username="psy"),
        "teacher": user_with_role(Role.TEACHER, agency, username="teacher"),
        "worker": user_with_role(Role.CASE_WORKER, agency, username="worker"),
        "manager": user_with_role(Role.MANAGER, agency, username="manager"),
        "focal": user_with_role(Role.FOCAL_POINT, agency, username="mahalla"),
    }


@pytest.fixture
def returned(agency):
    """Thirty returned persons from three flights (400, 200 and 60 days ago) and five who came home
    two days ago: infants, toddlers with estimated ages, school-age children and their mothers."""
    today = _today()
    cases = []
    flights = [today - D(days=400), today - D(days=200), today - D(days=60), today - D(days=2)]
    for f, arrived in enumerate(flights):
        count = 10 if f < 3 else 5
        for i in range(count):
            person: dict[str, Any]
            surname = ("Karimova", "Saidov", "Rahimova", "Nazarov", "Qodirova")[i % 5]
            sex = "F" if i % 2 else "M"
            if i % 5 == 4:  # a mother, 25-35
                born = arrived - D(days=365 * (25 + i))
                person = {"birth_date": born}
            elif i % 5 == 3:  # a toddler whose age was estimated in the camp: a six-month range
                best = arrived - D(days=500 + 90 * i)
                person = {
                    "birth_date": best,
                    "birth_date_min": best - D(days=90),
                    "birth_date_max": best + D(days=90),
                    "birth_date_precision": BirthDatePrecision.ESTIMATED,
                }
            else:  # infants to twelve-year-olds
                person = {"birth_date": arrived - D(days=[80, 700, 3300][i % 3] + 37 * i)}
            cases.append(
                returned_case(
                    agency=agency, arrived=arrived, display_name=f"Child {f}-{i} {surname}", sex=sex, **person
                )
            )
    return cases


def test_loads_a_story(staff, returned):
    today = _today()
    summary = demo_load_reintegration(today=today)
    assert summary.cases == len(returned)
    assert not {why for why in summary.skipped if why.startswith("refused")}

    # screenings, mostly within a week, the under-fives with a z-score, some flagged
    screenings = Screening.objects.filter(service__case__in=returned)
    assert 25 <= screenings.count() <= len(returned)
    assert summary.screenings == screenings.count()
    assert screenings.filter(weight_for_age_z__isnull=False).count() >= 8
    assert screenings.filter(underweight__in=["moderate", "severe"]).count() == summary.underweight >= 1
    # those home two days are screened or planned, never later than today
    assert not Service.objects.filter(status=ServiceStatus.DELIVERED, date__gt=today).exists()

    # vaccination: doses from cards and given here, each given-here dose a delivered service
    doses = VaccinationDose.objects.filter(case__in=returned)
    assert doses.filter(source=DoseSource.GIVEN_HERE).count() >= 20
    assert not doses.filter(source=DoseSource.GIVEN_HERE, service__isnull=True).exists()
    assert doses.exclude(source=DoseSource.GIVEN_HERE).exists()

    # placement, school, sessions, documents
    kinds = set(Service.objects.filter(case__in=returned).values_list("kind", flat=True))
    assert kinds == set(ServiceKind)
    assert Service.objects.filter(kind=ServiceKind.PSYCHOSOCIAL, status=ServiceStatus.MISSED).exists()
    assert Service.objects.filter(kind=ServiceKind.PSYCHOSOCIAL, status=ServiceStatus.PLANNED, date__gte=today).exists()
    districts = set(
        Service.objects.filter(kind=ServiceKind.PLACEMENT, status=ServiceStatus.DELIVERED).values_list(
            "district", flat=True
        )
    )
    assert len(districts) >= 2

    # plans with visits done, missed and overdue; plans moved the cases on
    assert ReintegrationPlan.objects.filter(case__in=returned).count() == summary.plans >= 25
    visits = FollowUpVisit.objects.filter(case__in=returned)
    assert visits.filter(status=VisitStatus.DONE).count() == summary.visits_done > 0
    assert visits.filter(status=VisitStatus.MISSED).count() == summary.visits_missed
    overdue = visits.filter(status=VisitStatus.SCHEDULED, due_date__lt=today)
    assert overdue.count() == summary.visits_overdue >= 1
    assert not visits.filter(status=VisitStatus.DONE, outcome="").exists()
    assert visits.exclude(assigned_to=None).filter(assigned_to=staff["focal"]).exists()
    for case in returned:
        case.refresh_from_db()
    assert {c.stage for c in returned} <= {CaseStage.RETURNED, CaseStage.REINTEGRATING}
    assert sum(c.stage == CaseStage.REINTEGRATING for c in returned) == summary.plans


def test_the_dashboards_tell_a_story(staff, returned):
    today = _today()
    demo_load_reintegration(today=today)
    # the manager sees the overdue visits escalated
    escalated = selectors.followups_overdue(user=staff["manager"], today=today)
    assert escalated.exists()
    sections = {s.key: s for s in worklist_for(staff["manager"], today=today)}
    assert sections["escalations"].total == escalated.count()
    # the focal point sees only the visits assigned to them
    mine = selectors.visits_due_for(staff["focal"], today=today)
    assert mine.exists()
    assert set(mine.values_list("assigned_to", flat=True)) == {staff["focal"].pk}
    # coverage: neither nothing nor everything
    table = coverage.coverage(user=staff["manager"], today=today)
    assert table.total.children >= 20
    for key in ("screened", "vaccinated", "placed", "followed_up", "in_school"):
        cell = table.total.cells[key]
        assert cell.total > 0, key
        assert 0 < cell.met <= cell.total, key
    assert table.total.cells["screened"].met < table.total.cells["screened"].total  # some screened late
    assert table.total.cells["vaccinated"].met < table.total.cells["vaccinated"].total  # some behind
    assert len(table.rows) >= 2  # by district


def test_loading_twice_adds_nothing(staff, returned):
    today = _today()
    demo_load_reintegration(today=today)
    counts = (Service.objects.count(), VaccinationDose.objects.count(), FollowUpVisit.objects.count())
    again = demo_load_reintegration(today=today)
    assert again.cases == 0
    assert again.skipped == {"already has services or a plan": len(returned)}
    assert (Service.objects.count(), VaccinationDose.objects.count(), FollowUpVisit.objects.count()) == counts


def test_deterministic_for_a_seed(staff, agency):
    today = _today()
    first = returned_case(agency=agency, arrived=today - D(days=120), sex="F", birth_date=today - D(days=800))
    second = returned_case(agency=agency, arrived=today - D(days=120), sex="F", birth_date=today - D(days=800))
    demo_load_reintegration(today=today, seed=7, cases=[first])
    demo_load_reintegration(today=today, seed=7, cases=[second])

    def shape(case):
        return (
            sorted(Service.objects.filter(case=case).values_list("kind", "status", "date")),
            sorted(VaccinationDose.objects.filter(case=case).values_list("vaccine__code", "dose_number", "given_on")),
            sorted(FollowUpVisit.objects.filter(case=case).values_list("status", "due_date")),
        )

    assert shape(first) == shape(second)
    assert shape(first)[0]


def test_only_returned_cases_with_a_known_arrival(staff, agency):
    today = _today()
    waiting = returned_case(agency=agency, stage=CaseStage.SCHEDULED, birth_date=today - D(days=900))
    summary = demo_load_reintegration(today=today, cases=[waiting])
    assert summary.cases == 0
    assert not Service.objects.filter(case=waiting).exists()


def test_an_agency_without_a_health_worker_gets_no_screenings(agency):
    today = _today()
    user_with_role(Role.CASE_WORKER, agency, username="worker")
    case = returned_case(agency=agency, arrived=today - D(days=100), sex="M", birth_date=today - D(days=1000))
    summary = demo_load_reintegration(today=today)
    assert summary.cases == 1
    assert summary.skipped["no health_worker for screening"] == 1
    assert not Service.objects.filter(case=case, kind__in=[ServiceKind.SCREENING, ServiceKind.VACCINATION]).exists()
    assert ReintegrationPlan.objects.filter(case=case).exists()


def test_today_cannot_be_in_the_future():
    with pytest.raises(ValueError, match="real date"):
        demo_load_reintegration(today=_today() + D(days=1))


def test_shared_agencies_provide_services(agency, other_agency):
    """The health service the person is shared with screens; the case worker of the owner plans."""
    from homecoming.registry.models import PersonShare

    today = _today()
    nurse = user_with_role(Role.HEALTH_WORKER, other_agency, username="district-nurse")
    user_with_role(Role.CASE_WORKER, agency, username="worker")
    case = returned_case(agency=agency, arrived=today - D(days=30), sex="F", birth_date=today - D(days=400))
    PersonShare.objects.create(person=case.person, agency=other_agency)
    demo_load_reintegration(today=today)
    screening = Service.objects.filter(case=case, kind=ServiceKind.SCREENING).first()
    assert screening is not None
    assert (screening.provider, screening.provider_agency) == (nurse, other_agency)


def test_years_after_the_flight(staff, agency):
    """Children home since April 2019 (the seeds' Iraq flight): visits every six months after the template's,
    schooling from the September they turned seven, some still followed up in the last 90 days."""
    today = _today()
    arrived = datetime.date(2019, 4, 30)
    cases = [
        returned_case(
            agency=agency,
            arrived=arrived,
            display_name=f"Child {i} Nazarova",
            sex="F" if i % 2 else "M",
            birth_date=arrived - D(days=200 + 140 * i),
        )
        for i in range(16)
    ]
    summary = demo_load_reintegration(today=today)
    assert summary.cases == len(cases)
    later = FollowUpVisit.objects.filter(case__in=cases, months_after_arrival=None)
    assert later.exists()
    assert not later.filter(due_date__gt=today + D(days=366)).exists()
    for case in cases:
        born = case.person.birth_date
        assert born is not None
        adult = datetime.date(born.year + 18, born.month, 1)
        assert not FollowUpVisit.objects.filter(case=case, due_date__gt=adult + D(days=31)).exists()
    for school in Service.objects.filter(case__in=cases, kind=ServiceKind.SCHOOL, status=ServiceStatus.DELIVERED):
        birth = school.case.person.birth_date
        assert birth is not None
        assert school.date >= datetime.date(birth.year + 7, 8, 22)
        assert school.grade is not None
        assert school.grade <= max(0, (school.date - birth).days // 365 - 7)
    table = coverage.coverage(user=staff["manager"], today=today)
    followed = table.total.cells["followed_up"]
    assert followed.total == len(cases)
    assert 0 < followed.met < followed.total
