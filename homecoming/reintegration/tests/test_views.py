"""The reintegration pages as their users meet them."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from homecoming.accounts.choices import Role
from homecoming.audit.models import AuditEntry
from homecoming.cases.choices import CaseStage
from homecoming.core.testing.factories import user_with_role
from homecoming.reintegration import growth, services
from homecoming.reintegration.choices import DoseSource, ServiceKind, ServiceStatus, VisitStatus
from homecoming.reintegration.models import (
    FollowUpTemplate,
    FollowUpVisit,
    Service,
    Vaccine,
    VaccineScheduleItem,
)
from homecoming.reintegration.tests.factories import PlanFactory, ServiceFactory, VisitFactory, returned_case

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate


def _url(name, **kwargs):
    return reverse(f"reintegration:{name}", kwargs=kwargs or None)


def _login(client, user):
    client.force_login(user)
    return client


def _placement(case, worker, **extra):
    values: dict[str, Any] = {
        "placement_type": "relatives",
        "caregiver_name": "Gulnora Saidova",
        "caregiver_relationship": "grandmother",
        "caregiver_phone": "+992 900 000 000",
        "address": "12 Rudaki Street, Vahdat",
        "district": "Vahdat",
    }
    values.update(extra)
    return services.service_record(
        case=case, by=worker, kind=ServiceKind.PLACEMENT, status=ServiceStatus.DELIVERED, date=TODAY(), **values
    )


class TestScreeningPage:
    def test_a_health_worker_screens_an_underweight_child(self, client, agency, health_worker):
        case = returned_case(agency=agency, sex="M", birth_date=TODAY() - datetime.timedelta(days=900))
        weight = round(growth.lms_at("M", 900).value_at(-2.6), 1)
        _login(client, health_worker)
        assert client.get(_url("screening_create", pk=case.pk)).status_code == 200
        response = client.post(
            _url("screening_create", pk=case.pk),
            {"date": TODAY().isoformat(), "weight_kg": str(weight), "muac_mm": "130", "findings": "Thin, pale."},
            follow=True,
        )
        assert response.status_code == 200
        page = response.content.decode()
        assert "Moderate underweight" in page
        assert 'data-testid="waz"' in page
        z = Service.objects.get(case=case, kind=ServiceKind.SCREENING).screening.weight_for_age_z
        assert z is not None
        assert -3 <= z < -2
        assert f"<strong>{z}</strong>" in page
        # flagged on the case page and in the health worker's list
        case_page = client.get(_url("case_services", pk=case.pk)).content.decode()
        assert 'data-testid="underweight-flag"' in case_page
        flagged = client.get(_url("service_list") + "?flagged=1").content.decode()
        assert case.person.display_name in flagged
        assert "moderate underweight" in flagged

    def test_errors_name_the_field(self, client, child, health_worker):
        _login(client, health_worker)
        response = client.post(
            _url("screening_create", pk=child.pk),
            {"date": (TODAY() + datetime.timedelta(days=2)).isoformat(), "weight_kg": "0.1"},
        )
        assert response.status_code == 400
        page = response.content.decode()
        assert 'data-error-for="date"' in page
        assert 'data-error-for="weight_kg"' in page

    def test_a_teacher_may_not_screen(self, client, child, teacher):
        _login(client, teacher)
        assert client.get(_url("screening_create", pk=child.pk)).status_code == 403


class TestVaccinationPages:
    def test_two_doses_and_the_catch_up_plan(self, client, child, health_worker):
        _login(client, health_worker)
        page = client.get(_url("vaccination_plan", pk=child.pk)).content.decode()
        assert 'data-testid="schedule-example"' in page
        assert 'data-status="overdue"' in page
        bcg = VaccineScheduleItem.objects.get(vaccine__code="bcg", dose_number=1)
        penta = VaccineScheduleItem.objects.get(vaccine__code="penta", dose_number=1)
        response = client.post(
            _url("dose_create", pk=child.pk),
            {"item": bcg.pk, "given_on": child.person.birth_date.isoformat(), "source": DoseSource.CARD},
        )
        assert response.status_code == 302
        client.post(
            _url("dose_create", pk=child.pk),
            {"item": penta.pk, "given_on": TODAY().isoformat(), "source": DoseSource.GIVEN_HERE, "batch_number": "A1"},
        )
        page = client.get(_url("vaccination_plan", pk=child.pk)).content.decode()
        assert "from the vaccination card" in page
        assert "given here" in page
        in_28_days = TODAY() + datetime.timedelta(days=28)
        assert date_format(in_28_days, "SHORT_DATE_FORMAT") in page  # the second pentavalent dose, 4 weeks on
        assert Service.objects.filter(case=child, kind=ServiceKind.VACCINATION).count() == 1

    def test_a_dose_twice_names_the_field(self, client, child, health_worker):
        _login(client, health_worker)
        bcg = VaccineScheduleItem.objects.get(vaccine__code="bcg", dose_number=1)
        data = {"item": bcg.pk, "given_on": TODAY().isoformat(), "source": DoseSource.CARD}
        client.post(_url("dose_create", pk=child.pk), data)
        response = client.post(_url("dose_create", pk=child.pk), data)
        assert response.status_code == 400
        assert 'data-error-for="item"' in response.content.decode()

    def test_health_information_is_for_health_workers(self, client, child, worker):
        _login(client, worker)
        assert client.get(_url("vaccination_plan", pk=child.pk)).status_code == 403
        page = client.get(_url("case_services", pk=child.pk)).content.decode()
        assert "Catch-up plan" not in page


class TestNotesByFieldGroup:
    @pytest.fixture
    def service(self, child):
        return ServiceFactory(
            case=child,
            kind=ServiceKind.PSYCHOSOCIAL,
            notes="Session at the centre.",
            health_notes="Asthma inhaler.",
            psychosocial_notes="Grief for the mother.",
            legal_notes="Mother's appeal pending.",
        )

    @pytest.mark.parametrize(
        ("role", "seen", "hidden"),
        [
            (Role.HEALTH_WORKER, "Asthma inhaler.", ["Grief for the mother.", "Mother's appeal pending."]),
            (Role.PSYCHOLOGIST, "Grief for the mother.", ["Asthma inhaler.", "Mother's appeal pending."]),
            (Role.CASE_WORKER, "Mother&#x27;s appeal pending.", ["Asthma inhaler.", "Grief for the mother."]),
            (Role.TEACHER, "Session at the centre.", ["Asthma inhaler.", "Grief for the mother.", "appeal pending"]),
        ],
    )
    def test_each_sees_their_group(self, client, agency, service, role, seen, hidden):
        _login(client, user_with_role(role, agency))
        page = client.get(_url("service_detail", pk=service.pk)).content.decode()
        assert "Session at the centre." in page
        assert seen in page
        for text in hidden:
            assert text not in page

    def test_the_form_offers_only_visible_groups(self, client, child, teacher):
        _login(client, teacher)
        page = client.get(_url("service_create", pk=child.pk) + "?kind=school").content.decode()
        assert 'name="school_name"' in page
        assert 'name="health_notes"' not in page
        assert 'name="psychosocial_notes"' not in page


class TestServicePages:
    def test_a_teacher_enrols_a_child(self, client, child, teacher):
        _login(client, teacher)
        response = client.post(
            _url("service_create", pk=child.pk) + "?kind=school",
            {"kind": "school", "status": "delivered", "date": TODAY().isoformat(), "school_name": "School No. 3"},
        )
        assert response.status_code == 400
        assert 'data-error-for="grade"' in response.content.decode()
        response = client.post(
            _url("service_create", pk=child.pk) + "?kind=school",
            {
                "kind": "school",
                "status": "delivered",
                "date": TODAY().isoformat(),
                "school_name": "School No. 3",
                "grade": "1",
            },
        )
        assert response.status_code == 302
        service = Service.objects.get(case=child, kind=ServiceKind.SCHOOL)
        assert service.grade == 1
        assert AuditEntry.objects.filter(
            object_type="reintegration.service", object_id=str(service.pk), action="create"
        ).exists()

    def test_a_teacher_may_plan_a_session_but_not_record_one(self, client, child, teacher):
        _login(client, teacher)
        page = client.get(_url("service_create", pk=child.pk) + "?kind=psychosocial").content.decode()
        assert 'value="delivered"' not in page
        response = client.post(
            _url("service_create", pk=child.pk) + "?kind=psychosocial",
            {"kind": "psychosocial", "status": "delivered", "date": TODAY().isoformat()},
        )
        assert response.status_code == 400
        assert 'data-error-for="status"' in response.content.decode()

    def test_a_psychologist_records_the_planned_session(self, client, child, psychologist):
        service = ServiceFactory(case=child, kind=ServiceKind.PSYCHOSOCIAL)
        _login(client, psychologist)
        response = client.post(
            _url("service_edit", pk=service.pk),
            {"status": "delivered", "date": TODAY().isoformat(), "psychosocial_notes": "Drew a house."},
        )
        assert response.status_code == 302
        service.refresh_from_db()
        assert service.status == ServiceStatus.DELIVERED
        assert service.psychosocial_notes == "Drew a house."

    def test_the_case_page(self, client, child, worker, django_assert_max_num_queries):
        _placement(child, worker)
        ServiceFactory(case=child, kind=ServiceKind.LEGAL_AID)
        PlanFactory(case=child)
        _login(client, worker)
        with django_assert_max_num_queries(30):
            response = client.get(_url("case_services", pk=child.pk))
        page = response.content.decode()
        assert "12 Rudaki Street, Vahdat" in page
        assert "Legal aid" in page
        assert AuditEntry.objects.filter(action="view", object_type="cases.case", object_id=str(child.pk)).exists()

    def test_service_list_pins_its_queries_and_audits_once(self, client, agency, worker, django_assert_max_num_queries):
        for _ in range(12):
            ServiceFactory(case=returned_case(agency=agency), kind=ServiceKind.LEGAL_AID)
        _login(client, worker)
        before = AuditEntry.objects.count()
        with django_assert_max_num_queries(15):
            response = client.get(_url("service_list"))
        assert response.status_code == 200
        assert AuditEntry.objects.count() == before + 1
        assert len(AuditEntry.objects.latest("id").object_ids) == 12

    def test_not_a_returned_person(self, client, agency, worker):
        case = returned_case(agency=agency, stage=CaseStage.APPROVED)
        _login(client, worker)
        response = client.post(
            _url("service_create", pk=case.pk) + "?kind=legal_aid",
            {"kind": "legal_aid", "status": "planned", "date": TODAY().isoformat()},
        )
        assert response.status_code == 400
        assert "come home" in response.content.decode()

    def test_another_agencys_case_is_not_found(self, client, other_agency, worker):
        case = returned_case(agency=other_agency)
        _login(client, worker)
        assert client.get(_url("case_services", pk=case.pk)).status_code == 404


class TestFollowUp:
    def test_a_case_worker_starts_the_plan(self, client, agency, worker, focal_point):
        case = returned_case(agency=agency, assigned_to=worker, arrived=datetime.date(2019, 4, 30))
        _login(client, worker)
        page = client.get(_url("plan_create", pk=case.pk)).content.decode()
        assert 'value="2019-04-30"' in page  # the arrival, from the move to "returned"
        template = FollowUpTemplate.objects.get(is_default=True)
        response = client.post(
            _url("plan_create", pk=case.pk),
            {"arrival_date": "2019-04-30", "template": template.pk, "assigned_to": focal_point.pk},
        )
        assert response.status_code == 302
        visits = FollowUpVisit.objects.filter(case=case)
        assert visits.count() == 5
        assert set(visits.values_list("assigned_to", flat=True)) == {focal_point.pk}
        case.refresh_from_db()
        assert case.stage == CaseStage.REINTEGRATING

    def test_a_focal_point_sees_the_minimum_and_records_the_visit(self, client, child, worker, focal_point):
        _placement(child, worker)
        ServiceFactory(case=child, kind=ServiceKind.TREATMENT, health_notes="Tuberculosis treatment.")
        visit = VisitFactory(plan=PlanFactory(case=child), assigned_to=focal_point, due_date=TODAY())
        other = VisitFactory(plan=PlanFactory(case=returned_case(agency=child.owner_agency)))
        _login(client, focal_point)
        page = client.get(_url("visit_detail", pk=visit.pk)).content.decode()
        assert child.person.display_name in page
        assert "12 Rudaki Street, Vahdat" in page
        assert "Gulnora Saidova" in page
        assert "Tuberculosis" not in page
        assert "All services of the child" not in page
        # nothing else
        assert client.get(_url("visit_detail", pk=other.pk)).status_code == 404
        assert client.get(_url("case_services", pk=child.pk)).status_code == 404
        assert client.get(reverse("cases:case_detail", kwargs={"pk": child.pk})).status_code == 404
        listing = client.get(_url("visit_list")).content.decode()
        assert re.findall(r'href="/reintegration/visits/(\d+)/"', listing) == [str(visit.pk)]
        # the visit
        response = client.post(
            _url("visit_record", pk=visit.pk),
            {"status": "done", "completed_on": TODAY().isoformat(), "outcome": "well", "outcome_notes": "At school."},
        )
        assert response.status_code == 302
        visit.refresh_from_db()
        assert visit.status == VisitStatus.DONE

    def test_record_without_outcome_names_the_field(self, client, child, focal_point):
        visit = VisitFactory(plan=PlanFactory(case=child), assigned_to=focal_point)
        _login(client, focal_point)
        response = client.post(
            _url("visit_record", pk=visit.pk), {"status": "done", "completed_on": TODAY().isoformat()}
        )
        assert response.status_code == 400
        assert 'data-error-for="outcome"' in response.content.decode()

    def test_a_manager_sees_the_overdue_visit_escalated(self, client, child, manager, focal_point):
        visit = VisitFactory(
            plan=PlanFactory(case=child), assigned_to=focal_point, due_date=TODAY() - datetime.timedelta(days=5)
        )
        _login(client, manager)
        page = client.get(_url("worklist")).content.decode()
        assert 'data-section="escalations"' in page
        assert child.person.display_name in page
        assert "escalated" in page
        detail = client.get(_url("visit_detail", pk=visit.pk)).content.decode()
        assert 'data-testid="visit-overdue"' in detail
        overdue = client.get(_url("visit_list") + "?overdue=1").content.decode()
        assert child.person.display_name in overdue

    def test_reassign_a_visit(self, client, child, manager, worker, focal_point):
        visit = VisitFactory(plan=PlanFactory(case=child), assigned_to=focal_point)
        _login(client, manager)
        response = client.post(
            _url("visit_assign", pk=visit.pk),
            {"action": "assign", "assigned_to": worker.pk, "due_date": TODAY().isoformat()},
        )
        assert response.status_code == 302
        visit.refresh_from_db()
        assert visit.assigned_to == worker

    def test_visit_list_pins_its_queries(self, client, agency, worker, django_assert_max_num_queries):
        for _ in range(8):
            VisitFactory(plan=PlanFactory(case=returned_case(agency=agency)), assigned_to=worker)
        _login(client, worker)
        with django_assert_max_num_queries(15):
            response = client.get(_url("visit_list"))
        assert len(re.findall(r'href="/reintegration/visits/\d+/"', response.content.decode())) == 8


class TestWorklistOnTheStartPage:
    def test_the_home_page_shows_the_section(self, client, child, health_worker):
        _login(client, health_worker)
        page = client.get(reverse("core:home")).content.decode()
        assert 'id="worklist-heading"' in page
        assert 'data-section="screenings"' in page
        assert child.person.display_name in page
        entry = AuditEntry.objects.filter(purpose="worklist").latest("id")
        assert entry.object_ids == [str(child.pk)]

    def test_roles_without_reintegration_work_see_nothing(self, client, agency):
        _login(client, user_with_role(Role.AUDITOR, agency))
        page = client.get(reverse("core:home")).content.decode()
        assert 'id="worklist-heading"' not in page


class TestCoverage:
    def test_the_manager_sees_shares_and_drills_down(self, client, agency, manager, worker, health_worker):
        three_days_ago = TODAY() - datetime.timedelta(days=3)
        screened = returned_case(
            agency=agency, arrived=three_days_ago, birth_date=TODAY() - datetime.timedelta(days=900), sex="F"
        )
        services.screening_record(case=screened, by=health_worker, date=TODAY(), weight_kg=Decimal("12"))
        _placement(screened, worker)
        not_screened = returned_case(
            agency=agency, arrived=three_days_ago, birth_date=TODAY() - datetime.timedelta(days=900), sex="M"
        )
        _login(client, manager)
        page = client.get(_url("coverage")).content.decode()
        assert 'data-indicator="screened">50%' in page
        assert "Vahdat" in page
        drill = client.get(_url("coverage_children") + "?indicator=screened&met=0")
        assert not_screened.person.display_name in drill.content.decode()
        assert screened.person.display_name not in drill.content.decode()

    def test_the_drill_down_needs_an_indicator(self, client, manager):
        _login(client, manager)
        assert client.get(_url("coverage_children") + "?indicator=nonsense").status_code == 404


class TestSchedulePages:
    def test_the_example_is_marked_until_confirmed(self, client, admin_user):
        _login(client, admin_user)
        page = client.get(_url("schedule_list")).content.decode()
        assert "EXAMPLE — replace with the Ministry of Health's official schedule." in page
        item = VaccineScheduleItem.objects.get(vaccine__code="rota", dose_number=1)
        edit = client.get(_url("schedule_edit", pk=item.pk)).content.decode()
        assert 'value="15"' in edit  # 105 days shown as 15 weeks
        response = client.post(
            _url("schedule_edit", pk=item.pk),
            {
                "vaccine": item.vaccine_id,
                "dose_number": 1,
                "recommended_age_days_0": 6,
                "recommended_age_days_1": "weeks",
                "minimum_age_days_0": 6,
                "minimum_age_days_1": "weeks",
                "maximum_age_days_0": 15,
                "maximum_age_days_1": "weeks",
                "is_active": "on",
            },
        )
        assert response.status_code == 302
        item.refresh_from_db()
        assert not item.is_example
        assert item.maximum_age_days == 105

    def test_schedule_errors_name_the_field(self, client, admin_user):
        _login(client, admin_user)
        response = client.post(
            _url("schedule_create"),
            {
                "vaccine": Vaccine.objects.get(code="mmr").pk,
                "dose_number": 3,
                "recommended_age_days_0": 1,
                "recommended_age_days_1": "years",
                "minimum_age_days_0": 2,
                "minimum_age_days_1": "years",
            },
        )
        assert response.status_code == 400
        assert 'data-error-for="minimum_age_days"' in response.content.decode()

    def test_template_months_are_checked(self, client, admin_user):
        _login(client, admin_user)
        response = client.post(
            _url("template_create"), {"name": "Odd", "months_after_arrival": "1, x", "is_active": "on"}
        )
        assert response.status_code == 400
        assert 'data-error-for="months_after_arrival"' in response.content.decode()
