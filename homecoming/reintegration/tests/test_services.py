"""The writes of the reintegration app: validation naming the field, computed values, audit entries."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from homecoming.accounts.choices import Role
from homecoming.audit.models import AuditEntry
from homecoming.cases.choices import CaseStage
from homecoming.cases.models import CaseTransition
from homecoming.core.testing.factories import CaseFactory, PersonFactory, user_with_role
from homecoming.reintegration import growth, selectors, services
from homecoming.reintegration.choices import (
    DoseSource,
    PlanStatus,
    ServiceKind,
    ServiceStatus,
    Underweight,
    VisitOutcome,
    VisitStatus,
    ZNotComputed,
)
from homecoming.reintegration.models import FollowUpTemplate, FollowUpVisit, Service, Vaccine, VaccineScheduleItem
from homecoming.reintegration.tests.factories import PlanFactory, ServiceFactory, VisitFactory, returned_case

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate


def _errors(caught):
    return caught.value.message_dict


def _audit(obj):
    return AuditEntry.objects.filter(object_type=f"reintegration.{obj._meta.model_name}", object_id=str(obj.pk))


class TestServiceRecord:
    def test_plans_a_session_and_audits_without_the_notes(self, child, psychologist):
        service = services.service_record(
            case=child,
            by=psychologist,
            kind=ServiceKind.PSYCHOSOCIAL,
            date=TODAY() + datetime.timedelta(days=3),
            psychosocial_notes="Nightmares since the camp.",
        )
        assert service.status == ServiceStatus.PLANNED
        entry = _audit(service).get()
        assert entry.action == "create"
        assert "psychosocial_notes" in entry.changed_fields
        assert "Nightmares" not in str(entry.detail)

    def test_only_for_returned_persons(self, agency, worker):
        case = CaseFactory(person=PersonFactory(owner_agency=agency), stage=CaseStage.APPROVED)
        with pytest.raises(ValidationError) as caught:
            services.service_record(case=case, by=worker, kind=ServiceKind.LEGAL_AID, date=TODAY())
        assert "come home" in str(caught.value)

    def test_what_happened_is_not_in_the_future(self, child, worker):
        with pytest.raises(ValidationError) as caught:
            services.service_record(
                case=child,
                by=worker,
                kind=ServiceKind.LEGAL_AID,
                status=ServiceStatus.DELIVERED,
                date=TODAY() + datetime.timedelta(days=1),
            )
        assert "date" in _errors(caught)

    def test_school_enrolment_needs_school_and_grade(self, child, teacher):
        with pytest.raises(ValidationError) as caught:
            services.service_record(case=child, by=teacher, kind=ServiceKind.SCHOOL, date=TODAY())
        assert set(_errors(caught)) >= {"school_name", "grade"}
        service = services.service_record(
            case=child, by=teacher, kind=ServiceKind.SCHOOL, date=TODAY(), school_name="School No. 12", grade=0
        )
        assert service.grade == 0

    def test_placement_needs_address_district_and_caregiver(self, child, worker):
        with pytest.raises(ValidationError) as caught:
            services.service_record(
                case=child, by=worker, kind=ServiceKind.PLACEMENT, date=TODAY(), placement_type="relatives"
            )
        assert set(_errors(caught)) >= {"caregiver_name", "address", "district"}

    def test_an_institution_needs_no_named_caregiver(self, child, worker):
        service = services.service_record(
            case=child,
            by=worker,
            kind=ServiceKind.PLACEMENT,
            status=ServiceStatus.DELIVERED,
            date=TODAY(),
            placement_type="institution",
            address="Children's home No. 1",
            district="Vahdat",
        )
        assert service.district == "Vahdat"

    def test_provider_must_work_for_the_provider_agency(self, child, worker, other_agency):
        with pytest.raises(ValidationError) as caught:
            services.service_record(
                case=child,
                by=worker,
                kind=ServiceKind.LEGAL_AID,
                date=TODAY(),
                provider=worker,
                provider_agency=other_agency,
            )
        assert "provider" in _errors(caught)


class TestServiceUpdate:
    def test_a_planned_session_is_delivered(self, child, psychologist):
        service = ServiceFactory(case=child, kind=ServiceKind.PSYCHOSOCIAL)
        services.service_update(
            service=service, by=psychologist, status=ServiceStatus.DELIVERED, psychosocial_notes="Drew her family."
        )
        service.refresh_from_db()
        assert service.status == ServiceStatus.DELIVERED
        assert _audit(service).get().changed_fields == ["psychosocial_notes", "status"]

    def test_a_delivered_service_keeps_its_status(self, child, psychologist):
        service = ServiceFactory(case=child, status=ServiceStatus.DELIVERED)
        with pytest.raises(ValidationError) as caught:
            services.service_update(service=service, by=psychologist, status=ServiceStatus.CANCELLED)
        assert "status" in _errors(caught)

    def test_nothing_changed_writes_nothing(self, child, psychologist):
        service = ServiceFactory(case=child)
        services.service_update(service=service, by=psychologist, status=ServiceStatus.PLANNED)
        assert not _audit(service).exists()


class TestScreening:
    def test_computes_and_flags_weight_for_age(self, agency, health_worker):
        born = TODAY() - datetime.timedelta(days=700)
        case = returned_case(agency=agency, sex="F", birth_date=born)
        lms = growth.lms_at("F", 700)
        weight = Decimal(str(round(lms.value_at(-2.5), 2)))
        screening = services.screening_record(case=case, by=health_worker, date=TODAY(), weight_kg=weight, muac_mm=118)
        assert screening.age_days == 700
        assert screening.weight_for_age_z == Decimal("-2.50")
        assert screening.underweight == Underweight.MODERATE
        assert screening.is_underweight
        assert screening.muac_category == "moderate"
        assert screening.service.status == ServiceStatus.DELIVERED
        assert screening.service.kind == ServiceKind.SCREENING
        assert _audit(screening).get().detail["underweight"] == "moderate"

    def test_severe(self, agency, health_worker):
        case = returned_case(agency=agency, sex="M", birth_date=TODAY() - datetime.timedelta(days=1000))
        screening = services.screening_record(case=case, by=health_worker, date=TODAY(), weight_kg=Decimal("8.0"))
        assert screening.underweight == Underweight.SEVERE
        assert screening.weight_for_age_z is not None
        assert screening.weight_for_age_z < -3

    def test_oedema_means_no_z_score(self, child, health_worker):
        screening = services.screening_record(
            case=child, by=health_worker, date=TODAY(), weight_kg=Decimal("9.0"), oedema=True
        )
        assert screening.weight_for_age_z is None
        assert screening.z_not_computed == ZNotComputed.OEDEMA

    def test_no_birth_date(self, agency, health_worker):
        case = returned_case(agency=agency, sex="F", birth_date=None)
        screening = services.screening_record(case=case, by=health_worker, date=TODAY(), weight_kg=Decimal("9.0"))
        assert screening.z_not_computed == ZNotComputed.NO_BIRTH_DATE

    def test_over_five_years(self, agency, health_worker):
        case = returned_case(agency=agency, sex="M", birth_date=TODAY() - datetime.timedelta(days=2400))
        screening = services.screening_record(case=case, by=health_worker, date=TODAY(), weight_kg=Decimal("19.0"))
        assert screening.z_not_computed == ZNotComputed.AGE_OUT_OF_RANGE

    def test_sex_unknown(self, agency, health_worker):
        case = returned_case(agency=agency, sex="U", birth_date=TODAY() - datetime.timedelta(days=400))
        screening = services.screening_record(case=case, by=health_worker, date=TODAY(), weight_kg=Decimal("9.0"))
        assert screening.z_not_computed == ZNotComputed.SEX_UNKNOWN

    def test_delivers_a_planned_screening(self, child, health_worker):
        planned = ServiceFactory(case=child, kind=ServiceKind.SCREENING)
        screening = services.screening_record(
            case=child, by=health_worker, date=TODAY(), weight_kg=Decimal("11.0"), planned=planned
        )
        assert screening.service_id == planned.pk
        planned.refresh_from_db()
        assert planned.status == ServiceStatus.DELIVERED
        assert Service.objects.filter(case=child).count() == 1

    def test_not_before_birth(self, child, health_worker):
        with pytest.raises(ValidationError) as caught:
            services.screening_record(
                case=child, by=health_worker, date=TODAY() - datetime.timedelta(days=800), weight_kg=Decimal("3")
            )
        assert "date" in _errors(caught)

    def test_estimated_age_is_marked(self, agency, health_worker):
        case = returned_case(agency=agency, sex="F", birth_date=TODAY() - datetime.timedelta(days=500))
        person = case.person
        person.birth_date_min = TODAY() - datetime.timedelta(days=600)  # what the registry may record
        person.birth_date_max = TODAY() - datetime.timedelta(days=400)
        screening = services.screening_record(case=case, by=health_worker, date=TODAY(), weight_kg=Decimal("9.5"))
        assert screening.age_estimated
        assert screening.age_days == 500


class TestVaccinationDose:
    def test_given_here_is_a_delivered_service(self, child, health_worker):
        penta = Vaccine.objects.get(code="penta")
        dose = services.vaccination_dose_record(
            case=child, by=health_worker, vaccine=penta, dose_number=1, given_on=TODAY(), source=DoseSource.GIVEN_HERE
        )
        assert dose.service is not None
        assert dose.service.kind == ServiceKind.VACCINATION
        assert dose.service.status == ServiceStatus.DELIVERED
        assert _audit(dose).get().detail == {"case": child.pk, "vaccine": "penta", "dose": 1, "source": "given_here"}

    def test_from_a_card_is_not_a_service(self, child, health_worker):
        dose = services.vaccination_dose_record(
            case=child,
            by=health_worker,
            vaccine=Vaccine.objects.get(code="bcg"),
            dose_number=1,
            given_on=child.person.birth_date,
            source=DoseSource.CARD,
        )
        assert dose.service is None

    def test_the_same_dose_twice_is_refused(self, child, health_worker):
        bcg = Vaccine.objects.get(code="bcg")
        services.vaccination_dose_record(
            case=child, by=health_worker, vaccine=bcg, dose_number=1, given_on=TODAY(), source=DoseSource.VERBAL
        )
        with pytest.raises(ValidationError) as caught:
            services.vaccination_dose_record(
                case=child, by=health_worker, vaccine=bcg, dose_number=1, given_on=TODAY(), source=DoseSource.CARD
            )
        assert "already recorded" in _errors(caught)["dose_number"][0]

    def test_a_dose_not_on_the_schedule(self, child, health_worker):
        with pytest.raises(ValidationError) as caught:
            services.vaccination_dose_record(
                case=child,
                by=health_worker,
                vaccine=Vaccine.objects.get(code="bcg"),
                dose_number=2,
                given_on=TODAY(),
                source=DoseSource.CARD,
            )
        assert "not on the schedule" in _errors(caught)["dose_number"][0]

    def test_not_before_birth_nor_in_the_future(self, child, health_worker):
        bcg = Vaccine.objects.get(code="bcg")
        for when in (child.person.birth_date - datetime.timedelta(days=1), TODAY() + datetime.timedelta(days=1)):
            with pytest.raises(ValidationError) as caught:
                services.vaccination_dose_record(
                    case=child, by=health_worker, vaccine=bcg, dose_number=1, given_on=when, source=DoseSource.CARD
                )
            assert "given_on" in _errors(caught)

    def test_the_plan_follows_the_doses(self, child, health_worker):
        before = selectors.plan_for_case(case=child)
        assert before is not None
        due = {(d.entry.vaccine, d.entry.dose_number) for d in before.due_now}
        assert ("penta", 1) in due
        services.vaccination_dose_record(
            case=child,
            by=health_worker,
            vaccine=Vaccine.objects.get(code="penta"),
            dose_number=1,
            given_on=TODAY(),
            source=DoseSource.GIVEN_HERE,
        )
        plan = selectors.plan_for_case(case=child)
        assert plan is not None
        after = {(d.entry.vaccine, d.entry.dose_number): d for d in plan.doses}
        assert after[("penta", 1)].status == PlanStatus.GIVEN
        assert after[("penta", 2)].due_on == TODAY() + datetime.timedelta(days=28)


def test_the_example_schedule_is_seeded_and_marked():
    items = VaccineScheduleItem.objects.all()
    assert items.count() == 19
    assert all(item.is_example for item in items)
    assert all(item.notes.startswith("EXAMPLE") for item in items)
    rota = VaccineScheduleItem.objects.get(vaccine__code="rota", dose_number=1)
    assert rota.maximum_age_days == 105
    assert FollowUpTemplate.objects.get(is_default=True).months_after_arrival == [1, 3, 6, 12, 24]


class TestPlan:
    def test_visits_from_the_template_and_the_case_moves_on(self, agency, worker):
        case = returned_case(agency=agency, assigned_to=worker)
        template = FollowUpTemplate.objects.get(is_default=True)
        plan = services.plan_create(case=case, by=worker, arrival_date=datetime.date(2019, 4, 30), template=template)
        visits = list(plan.visits.order_by("due_date"))
        assert [v.due_date for v in visits] == [
            datetime.date(2019, 5, 30),
            datetime.date(2019, 7, 30),
            datetime.date(2019, 10, 30),
            datetime.date(2020, 4, 30),
            datetime.date(2021, 4, 30),
        ]
        assert {v.assigned_to for v in visits} == {worker}  # the case's worker by default
        case.refresh_from_db()
        assert case.stage == CaseStage.REINTEGRATING
        assert CaseTransition.objects.filter(case=case, to_stage=CaseStage.REINTEGRATING).exists()
        assert _audit(plan).get().detail["visits"] == 5

    def test_one_plan_per_case(self, child, worker):
        template = FollowUpTemplate.objects.get(is_default=True)
        services.plan_create(case=child, by=worker, arrival_date=TODAY(), template=template)
        with pytest.raises(ValidationError) as caught:
            services.plan_create(case=child, by=worker, arrival_date=TODAY(), template=template)
        assert "case" in _errors(caught)

    def test_visits_go_only_to_those_who_make_visits(self, child, worker, teacher, focal_point):
        template = FollowUpTemplate.objects.get(is_default=True)
        with pytest.raises(ValidationError) as caught:
            services.plan_create(case=child, by=worker, arrival_date=TODAY(), template=template, assigned_to=teacher)
        assert "assigned_to" in _errors(caught)
        plan = services.plan_create(
            case=child, by=worker, arrival_date=TODAY(), template=template, assigned_to=focal_point
        )
        assert set(plan.visits.values_list("assigned_to", flat=True)) == {focal_point.pk}

    def test_a_focal_point_of_an_agency_the_child_is_shared_with(self, child, worker, other_agency):
        from homecoming.registry.models import PersonShare

        outsider = user_with_role(Role.FOCAL_POINT, other_agency, username="mahalla-2")
        template = FollowUpTemplate.objects.get(is_default=True)
        with pytest.raises(ValidationError):
            services.plan_create(case=child, by=worker, arrival_date=TODAY(), template=template, assigned_to=outsider)
        PersonShare.objects.create(person=child.person, agency=other_agency, kind="referred")
        plan = services.plan_create(
            case=child, by=worker, arrival_date=TODAY(), template=template, assigned_to=outsider
        )
        assert plan.visits.count() == 5

    def test_add_months_keeps_to_the_month(self):
        assert services.add_months(datetime.date(2019, 1, 31), 1) == datetime.date(2019, 2, 28)
        assert services.add_months(datetime.date(2020, 1, 31), 1) == datetime.date(2020, 2, 29)
        assert services.add_months(datetime.date(2019, 11, 15), 3) == datetime.date(2020, 2, 15)
        assert services.add_months(datetime.date(2019, 3, 15), -12) == datetime.date(2018, 3, 15)


class TestVisits:
    @pytest.fixture
    def visit(self, child, focal_point):
        return VisitFactory(plan=PlanFactory(case=child), assigned_to=focal_point)

    def test_done_needs_an_outcome(self, visit, focal_point):
        with pytest.raises(ValidationError) as caught:
            services.visit_record(visit=visit, by=focal_point, status=VisitStatus.DONE, completed_on=TODAY())
        assert "outcome" in _errors(caught)

    def test_done(self, visit, focal_point):
        services.visit_record(
            visit=visit,
            by=focal_point,
            status=VisitStatus.DONE,
            completed_on=TODAY(),
            outcome=VisitOutcome.WELL,
            outcome_notes="Goes to school, plays with cousins.",
        )
        visit.refresh_from_db()
        assert visit.status == VisitStatus.DONE
        assert visit.recorded_by == focal_point
        entry = _audit(visit).get()
        assert entry.detail["outcome"] == "well"
        assert "cousins" not in str(entry.detail)

    def test_missed_says_what_next_and_can_reschedule(self, visit, focal_point):
        with pytest.raises(ValidationError) as caught:
            services.visit_record(visit=visit, by=focal_point, status=VisitStatus.MISSED, completed_on=TODAY())
        assert "next_steps" in _errors(caught)
        services.visit_record(
            visit=visit,
            by=focal_point,
            status=VisitStatus.MISSED,
            completed_on=TODAY(),
            next_visit_on=TODAY() + datetime.timedelta(days=7),
        )
        again = FollowUpVisit.objects.exclude(pk=visit.pk).get(case=visit.case)
        assert again.assigned_to == focal_point
        assert again.due_date == TODAY() + datetime.timedelta(days=7)

    def test_recorded_once(self, visit, focal_point):
        services.visit_record(
            visit=visit, by=focal_point, status=VisitStatus.DONE, completed_on=TODAY(), outcome=VisitOutcome.WELL
        )
        with pytest.raises(ValidationError) as caught:
            services.visit_record(
                visit=visit, by=focal_point, status=VisitStatus.DONE, completed_on=TODAY(), outcome=VisitOutcome.WELL
            )
        assert "already done" in str(caught.value)

    def test_not_in_the_future(self, visit, focal_point):
        with pytest.raises(ValidationError) as caught:
            services.visit_record(
                visit=visit,
                by=focal_point,
                status=VisitStatus.DONE,
                completed_on=TODAY() + datetime.timedelta(days=1),
                outcome=VisitOutcome.WELL,
            )
        assert "completed_on" in _errors(caught)

    def test_reassign_and_cancel(self, visit, worker, manager):
        services.visit_assign(visit=visit, by=manager, assigned_to=worker, due_date=TODAY())
        visit.refresh_from_db()
        assert visit.assigned_to == worker
        with pytest.raises(ValidationError) as caught:
            services.visit_cancel(visit=visit, by=manager, reason=" ")
        assert "reason" in _errors(caught)
        services.visit_cancel(visit=visit, by=manager, reason="The family moved abroad.")
        visit.refresh_from_db()
        assert visit.status == VisitStatus.CANCELLED


class TestEscalation:
    def test_overdue_visits_of_the_agency_reach_its_manager(self, child, manager, worker, other_agency):
        plan = PlanFactory(case=child)
        overdue = VisitFactory(plan=plan, due_date=TODAY() - datetime.timedelta(days=3), assigned_to=worker)
        VisitFactory(plan=plan, due_date=TODAY())  # due today: not overdue yet
        VisitFactory(plan=plan, due_date=TODAY() - datetime.timedelta(days=9), status=VisitStatus.CANCELLED)
        elsewhere = returned_case(agency=other_agency)
        VisitFactory(plan=PlanFactory(case=elsewhere), due_date=TODAY() - datetime.timedelta(days=30))
        assert list(selectors.followups_overdue(user=manager)) == [overdue]
        assert overdue.is_overdue

    def test_nobody_else_gets_escalations(self, child, worker):
        VisitFactory(plan=PlanFactory(case=child), due_date=TODAY() - datetime.timedelta(days=3))
        assert not selectors.followups_overdue(user=worker).exists()


class TestConfiguration:
    def test_saving_a_dose_confirms_it(self, admin_user):
        item = VaccineScheduleItem.objects.get(vaccine__code="mmr", dose_number=2)
        services.schedule_item_save(
            by=admin_user,
            item=item,
            vaccine=item.vaccine,
            dose_number=2,
            recommended_age_days=548,
            minimum_age_days=365,
            minimum_interval_days=28,
            maximum_age_days=None,
            notes="Ministry order of 2024.",
        )
        item.refresh_from_db()
        assert not item.is_example
        assert item.recommended_age_days == 548
        assert "recommended_age_days" in _audit(item).get().changed_fields

    def test_schedule_rules_name_the_field(self, admin_user):
        vaccine = Vaccine.objects.get(code="mmr")
        with pytest.raises(ValidationError) as caught:
            services.schedule_item_save(
                by=admin_user,
                vaccine=vaccine,
                dose_number=1,
                recommended_age_days=300,
                minimum_age_days=400,
                minimum_interval_days=28,
                maximum_age_days=200,
            )
        assert set(_errors(caught)) >= {"minimum_age_days", "maximum_age_days", "minimum_interval_days"}

    def test_one_default_template(self, admin_user):
        new = services.template_save(by=admin_user, name="Short", months_after_arrival=[1, 6], is_default=True)
        assert list(FollowUpTemplate.objects.filter(is_default=True)) == [new]

    def test_template_months_checked(self, admin_user):
        with pytest.raises(ValidationError) as caught:
            services.template_save(by=admin_user, name="Odd", months_after_arrival=[6, 1], is_default=False)
        assert "months_after_arrival" in _errors(caught)
