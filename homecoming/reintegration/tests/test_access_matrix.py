"""Access matrix of every page and API endpoint of the reintegration app.

Records hang on a returned person's case. "Assigned to the acting user" means the case (for
services) or the visit (for follow-up visits: a local focal point sees only the visits assigned to
them) is assigned to them. The vaccination schedule and follow-up templates belong to no agency:
their endpoints are checked by permission alone (``config_expected``).
"""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.utils import timezone

from homecoming.accounts.choices import Role
from homecoming.core.access import ROLE_PERMISSIONS, Perm
from homecoming.core.testing import matrix
from homecoming.core.testing.matrix import AccessMatrix, Endpoint, World
from homecoming.reintegration.choices import ServiceKind
from homecoming.reintegration.models import FollowUpTemplate, VaccineScheduleItem
from homecoming.reintegration.tests.factories import PlanFactory, ServiceFactory, VisitFactory, returned_case

JSON = "application/json"


def _today() -> str:
    return timezone.localdate().isoformat()


def a_case(world: World, agency, assignee) -> dict[str, Any]:
    case = returned_case(
        agency=agency, assigned_to=assignee, sex="F", birth_date=timezone.localdate() - datetime.timedelta(days=600)
    )
    return {"pk": case.pk}


def a_planned_case(world: World, agency, assignee) -> dict[str, Any]:
    kwargs = a_case(world, agency, assignee)
    PlanFactory(case_id=kwargs["pk"])
    return kwargs


def a_service(world: World, agency, assignee) -> dict[str, Any]:
    case = returned_case(agency=agency, assigned_to=assignee)
    return {"pk": ServiceFactory(case=case, kind=ServiceKind.LEGAL_AID).pk}


def a_screening(world: World, agency, assignee) -> dict[str, Any]:
    from homecoming.reintegration.models import Screening

    case = returned_case(agency=agency, assigned_to=assignee)
    service = ServiceFactory(case=case, kind=ServiceKind.SCREENING, status="delivered")
    return {"pk": Screening.objects.create(service=service, findings="Healthy.").pk}


def a_visit(world: World, agency, assignee) -> dict[str, Any]:
    case = returned_case(agency=agency)
    return {"pk": VisitFactory(plan=PlanFactory(case=case), assigned_to=assignee).pk}


def a_schedule_item(world: World, agency, assignee) -> dict[str, Any]:
    return {"pk": VaccineScheduleItem.objects.get(vaccine__code="mmr", dose_number=2).pk}


def a_template(world: World, agency, assignee) -> dict[str, Any]:
    return {"pk": FollowUpTemplate.objects.get(is_default=True).pk}


def legal_aid_form(world: World, kwargs: dict[str, Any]) -> dict[str, Any]:
    return {"kind": "legal_aid", "status": "planned", "date": _today(), "notes": "Lawyer to see the family."}


def service_edit_form(world: World, kwargs: dict[str, Any]) -> dict[str, Any]:
    return {"status": "planned", "date": _today(), "notes": "Moved to next week."}


def screening_form(world: World, kwargs: dict[str, Any]) -> dict[str, Any]:
    return {"date": _today(), "weight_kg": "10.5", "findings": "Scabies, treated."}


def dose_form(world: World, kwargs: dict[str, Any]) -> dict[str, Any]:
    item = VaccineScheduleItem.objects.get(vaccine__code="bcg", dose_number=1)
    return {"item": item.pk, "given_on": _today(), "source": "given_here"}


def plan_form(world: World, kwargs: dict[str, Any]) -> dict[str, Any]:
    return {"arrival_date": _today(), "template": FollowUpTemplate.objects.get(is_default=True).pk}


def visit_form(world: World, kwargs: dict[str, Any]) -> dict[str, Any]:
    return {"due_date": _today(), "purpose": "Check on school."}


def visit_record_form(world: World, kwargs: dict[str, Any]) -> dict[str, Any]:
    return {"status": "done", "completed_on": _today(), "outcome": "well", "outcome_notes": "All well."}


def schedule_form(world: World, kwargs: dict[str, Any]) -> dict[str, Any]:
    vaccine = VaccineScheduleItem.objects.get(vaccine__code="mmr", dose_number=2).vaccine
    return {
        "vaccine": vaccine.pk,
        "dose_number": 2,
        "recommended_age_days_0": 6,
        "recommended_age_days_1": "years",
        "minimum_age_days_0": 12,
        "minimum_age_days_1": "months",
        "minimum_interval_days_0": 4,
        "minimum_interval_days_1": "weeks",
        "is_active": "on",
    }


def template_form(world: World, kwargs: dict[str, Any]) -> dict[str, Any]:
    return {"name": "Standard: 1, 3, 6, 12 and 24 months", "months_after_arrival": "1, 3, 6, 12, 24", "is_active": "on"}


def service_api(world: World, kwargs: dict[str, Any]) -> dict[str, Any]:
    case = returned_case(agency=world.own)
    return {"case": case.pk, "kind": "legal_aid", "date": _today()}


def screening_api(world: World, kwargs: dict[str, Any]) -> dict[str, Any]:
    case = returned_case(agency=world.own, sex="M", birth_date=timezone.localdate() - datetime.timedelta(days=400))
    return {"case": case.pk, "date": _today(), "weight_kg": "9.1"}


def dose_api(world: World, kwargs: dict[str, Any]) -> dict[str, Any]:
    case = returned_case(agency=world.own, birth_date=timezone.localdate() - datetime.timedelta(days=400))
    return {"case": case.pk, "vaccine": "bcg", "dose_number": 1, "given_on": _today(), "source": "card"}


SV, SR, HV = Perm.SERVICE_VIEW, Perm.SERVICE_RECORD, Perm.HEALTH_VIEW
FV, FR, FP = Perm.FOLLOWUP_VIEW, Perm.FOLLOWUP_RECORD, Perm.FOLLOWUP_PLAN


class TestReintegrationPagesAccess(AccessMatrix):
    endpoints = [
        Endpoint("reintegration:worklist"),
        Endpoint("reintegration:service_list", perm=SV),
        Endpoint("reintegration:service_list", perm=SV, query="?flagged=1"),
        Endpoint("reintegration:case_services", perm=SV, record=a_case),
        Endpoint("reintegration:service_detail", perm=SV, record=a_service),
        Endpoint("reintegration:service_edit", perm=SR, view_perm=SV, record=a_service),
        Endpoint(
            "reintegration:service_edit", method="post", perm=SR, view_perm=SV, record=a_service, data=service_edit_form
        ),
        Endpoint("reintegration:service_create", perm=SR, view_perm=SV, record=a_case),
        Endpoint("reintegration:service_create", perm=SR, view_perm=SV, record=a_case, query="?kind=placement"),
        Endpoint(
            "reintegration:service_create",
            method="post",
            perm=SR,
            view_perm=SV,
            record=a_case,
            query="?kind=legal_aid",
            data=legal_aid_form,
        ),
        Endpoint("reintegration:screening_create", perm=HV, view_perm=SV, record=a_case),
        Endpoint(
            "reintegration:screening_create", method="post", perm=HV, view_perm=SV, record=a_case, data=screening_form
        ),
        Endpoint("reintegration:vaccination_plan", perm=HV, view_perm=SV, record=a_case),
        Endpoint("reintegration:dose_create", perm=HV, view_perm=SV, record=a_case),
        Endpoint("reintegration:dose_create", method="post", perm=HV, view_perm=SV, record=a_case, data=dose_form),
        Endpoint("reintegration:plan_create", perm=FP, view_perm=SV, record=a_case),
        Endpoint("reintegration:plan_create", method="post", perm=FP, view_perm=SV, record=a_case, data=plan_form),
        Endpoint("reintegration:visit_create", perm=FP, view_perm=SV, record=a_planned_case),
        Endpoint(
            "reintegration:visit_create", method="post", perm=FP, view_perm=SV, record=a_planned_case, data=visit_form
        ),
        Endpoint("reintegration:visit_list", perm=FV),
        Endpoint("reintegration:visit_list", perm=FV, query="?overdue=1&mine=1"),
        Endpoint("reintegration:visit_detail", perm=FV, record=a_visit),
        Endpoint("reintegration:visit_record", perm=FR, view_perm=FV, record=a_visit),
        Endpoint(
            "reintegration:visit_record", method="post", perm=FR, view_perm=FV, record=a_visit, data=visit_record_form
        ),
        Endpoint("reintegration:visit_assign", perm=FP, view_perm=FV, record=a_visit),
        Endpoint(
            "reintegration:visit_assign",
            method="post",
            perm=FP,
            view_perm=FV,
            record=a_visit,
            data=lambda w, k: {"action": "cancel", "reason": "Moved abroad."},
        ),
        Endpoint("reintegration:coverage", perm=Perm.FIGURES_EXACT),
        Endpoint("reintegration:coverage", perm=Perm.FIGURES_EXACT, query="?by=operation"),
        Endpoint("reintegration:coverage_children", perm=SV, query="?indicator=placed&met=0"),
    ]


class TestReintegrationApiAccess(AccessMatrix):
    endpoints = [
        Endpoint("service-list", perm=SV, api=True),
        Endpoint("service-list", method="post", perm=SR, api=True, data=service_api, content_type=JSON),
        Endpoint("service-detail", perm=SV, api=True, record=a_service),
        Endpoint(
            "service-detail",
            method="patch",
            perm=SR,
            view_perm=SV,
            api=True,
            record=a_service,
            data=lambda w, k: {"notes": "Lawyer found."},
            content_type=JSON,
        ),
        Endpoint("screening-list", perm=HV, api=True),
        Endpoint("screening-list", method="post", perm=HV, api=True, data=screening_api, content_type=JSON),
        Endpoint("screening-detail", perm=HV, view_perm=SV, api=True, record=a_screening),
        Endpoint("vaccination-dose-list", perm=HV, api=True),
        Endpoint("vaccination-dose-list", method="post", perm=HV, api=True, data=dose_api, content_type=JSON),
        Endpoint("vaccination-plan-detail", perm=HV, view_perm=SV, api=True, record=a_case),
        Endpoint("followup-list", perm=FV, api=True),
        Endpoint("followup-detail", perm=FV, api=True, record=a_visit),
        Endpoint(
            "followup-record",
            method="post",
            perm=FR,
            view_perm=FV,
            api=True,
            record=a_visit,
            data=visit_record_form,
            content_type=JSON,
        ),
    ]


_matrix_expected = matrix.expected


def config_expected(endpoint: Endpoint, role: Role | None, variant: str) -> set[int] | str:
    """Configuration belongs to no agency: the permission alone decides, in every variant."""
    if role is None or not endpoint.scoped:
        return _matrix_expected(endpoint, role, variant)
    return "allowed" if endpoint.perm in ROLE_PERMISSIONS[role] else {403}


class TestReintegrationConfigurationAccess(AccessMatrix):
    endpoints = [
        Endpoint("reintegration:schedule_list", perm=Perm.SCHEDULE_MANAGE),
        Endpoint("reintegration:schedule_create", perm=Perm.SCHEDULE_MANAGE),
        Endpoint("reintegration:schedule_create", method="post", perm=Perm.SCHEDULE_MANAGE, data=lambda w, k: {}),
        Endpoint("reintegration:schedule_edit", perm=Perm.SCHEDULE_MANAGE, record=a_schedule_item),
        Endpoint(
            "reintegration:schedule_edit",
            method="post",
            perm=Perm.SCHEDULE_MANAGE,
            record=a_schedule_item,
            data=schedule_form,
        ),
        Endpoint("reintegration:template_create", perm=Perm.SCHEDULE_MANAGE),
        Endpoint("reintegration:template_edit", perm=Perm.SCHEDULE_MANAGE, record=a_template),
        Endpoint(
            "reintegration:template_edit",
            method="post",
            perm=Perm.SCHEDULE_MANAGE,
            record=a_template,
            data=template_form,
        ),
    ]

    @pytest.fixture(autouse=True)
    def _config_policy(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setattr(matrix, "expected", config_expected)
