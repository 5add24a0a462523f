"""Access matrix of every page and API endpoint of the cases app."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from homecoming.accounts.choices import Role
from homecoming.cases import services
from homecoming.cases.choices import CaseStage
from homecoming.cases.tests.factories import PDF_BYTES, AssessmentFactory, case_ready_for_anything
from homecoming.core.access import Perm
from homecoming.core.testing.factories import CaseFactory, PersonFactory, user_with_role
from homecoming.core.testing.matrix import AccessMatrix, Endpoint, World

JSON = "application/json"


def a_case(world: World, agency, assignee) -> dict[str, Any]:
    case = CaseFactory(person=PersonFactory(owner_agency=agency), assigned_to=assignee)
    return {"pk": case.pk}


def a_consent(world: World, agency, assignee) -> dict[str, Any]:
    case = CaseFactory(person=PersonFactory(owner_agency=agency), assigned_to=assignee)
    recorder = user_with_role(Role.CASE_WORKER, agency, username=f"recorder-{agency.code}")
    consent = services.consent_record(
        case=case,
        by=recorder,
        given_by_relation="mother",
        given_by_name="Generated Mother",
        scopes=["repatriation"],
        given_on=datetime.date(2019, 3, 1),
        document=SimpleUploadedFile("scan.pdf", PDF_BYTES),
    )
    return {"case_pk": case.pk, "pk": consent.pk}


def a_consent_api(world: World, agency, assignee) -> dict[str, Any]:
    return {"pk": a_consent(world, agency, assignee)["pk"]}


def an_assessment(world: World, agency, assignee) -> dict[str, Any]:
    case = CaseFactory(person=PersonFactory(owner_agency=agency), assigned_to=assignee)
    return {"pk": AssessmentFactory(case=case).pk}


def a_pending_approval(world: World, agency, assignee) -> dict[str, Any]:
    case = case_ready_for_anything(
        person=PersonFactory(owner_agency=agency), stage=CaseStage.CONSENTED, assigned_to=assignee
    )
    requester = user_with_role(Role.CASE_WORKER, agency, username=f"requester-{agency.code}")
    request = services.approval_request(case=case, to_stage=CaseStage.APPROVED, by=requester, reason="Ready.")
    return {"pk": request.pk}


def own_person(world: World, kwargs: dict[str, Any]) -> dict[str, Any]:
    return {"person": PersonFactory(owner_agency=world.own).pk}


def new_case_form(world: World, kwargs: dict[str, Any]) -> dict[str, Any]:
    return {"person": PersonFactory(owner_agency=world.own).pk, "owner_agency": world.own.pk, "priority": "normal"}


def new_case_api(world: World, kwargs: dict[str, Any]) -> dict[str, Any]:
    return {"person": PersonFactory(owner_agency=world.own).pk, "owner_agency": world.own.code}


def hold(world: World, kwargs: dict[str, Any]) -> dict[str, Any]:
    return {"to_stage": "on_hold", "reason": "Talks paused."}


def close_request(world: World, kwargs: dict[str, Any]) -> dict[str, Any]:
    return {"to_stage": "closed", "reason": "Duplicate record."}


def approve(world: World, kwargs: dict[str, Any]) -> dict[str, Any]:
    return {"decision": "approve"}


def approve_api(world: World, kwargs: dict[str, Any]) -> dict[str, Any]:
    return {"approve": True, "note": ""}


def new_assessment_api(world: World, kwargs: dict[str, Any]) -> dict[str, Any]:
    case = CaseFactory(person=PersonFactory(owner_agency=world.own))
    return {
        "case": case.pk,
        "kind": "eligibility",
        "assessed_on": "2019-02-14",
        "outcome": "eligible",
        "reasons": "Healthy.",
        "assessor_name": "Dr. Generated",
    }


def new_consent_api(world: World, kwargs: dict[str, Any]) -> dict[str, Any]:
    case = CaseFactory(person=PersonFactory(owner_agency=world.own))
    return {"case": case.pk, "given_by_relation": "self", "scopes": ["repatriation"], "given_on": "2019-03-01"}


def withdraw(world: World, kwargs: dict[str, Any]) -> dict[str, Any]:
    return {"withdrawn_on": "2019-04-01", "reason": "Changed her mind."}


class TestCasePagesAccess(AccessMatrix):
    endpoints = [
        Endpoint("cases:case_list", perm=Perm.CASE_VIEW),
        Endpoint("cases:case_create", perm=Perm.CASE_CHANGE, data=own_person),
        Endpoint("cases:case_create", method="post", perm=Perm.CASE_CHANGE, data=new_case_form),
        Endpoint("cases:case_detail", perm=Perm.CASE_VIEW, record=a_case),
        Endpoint("cases:case_detail", perm=Perm.CASE_VIEW, record=a_case, query="?tab=history"),
        Endpoint("cases:case_edit", perm=Perm.CASE_CHANGE, view_perm=Perm.CASE_VIEW, record=a_case),
        Endpoint(
            "cases:case_edit",
            method="post",
            perm=Perm.CASE_CHANGE,
            view_perm=Perm.CASE_VIEW,
            record=a_case,
            data=lambda w, k: {"priority": "high"},
        ),
        Endpoint("cases:case_transition", perm=Perm.CASE_TRANSITION, view_perm=Perm.CASE_VIEW, record=a_case),
        Endpoint(
            "cases:case_transition",
            method="post",
            perm=Perm.CASE_TRANSITION,
            view_perm=Perm.CASE_VIEW,
            record=a_case,
            data=hold,
        ),
        Endpoint("cases:assessment_create", perm=Perm.ASSESSMENT_RECORD, view_perm=Perm.CASE_VIEW, record=a_case),
        Endpoint(
            "cases:assessment_create",
            method="post",
            perm=Perm.ASSESSMENT_RECORD,
            view_perm=Perm.CASE_VIEW,
            record=a_case,
        ),
        Endpoint("cases:consent_create", perm=Perm.CONSENT_RECORD, view_perm=Perm.CASE_VIEW, record=a_case),
        Endpoint(
            "cases:consent_create", method="post", perm=Perm.CONSENT_RECORD, view_perm=Perm.CASE_VIEW, record=a_case
        ),
        Endpoint("cases:consent_withdraw", perm=Perm.CONSENT_RECORD, view_perm=Perm.CASE_VIEW, record=a_consent),
        Endpoint(
            "cases:consent_withdraw",
            method="post",
            perm=Perm.CONSENT_RECORD,
            view_perm=Perm.CASE_VIEW,
            record=a_consent,
            data=withdraw,
        ),
        Endpoint("cases:consent_document", perm=Perm.CASE_VIEW, record=a_consent),
        Endpoint("cases:approval_list", perm=Perm.CASE_APPROVE),
        Endpoint("cases:approval_decide", perm=Perm.CASE_APPROVE, view_perm=Perm.CASE_VIEW, record=a_pending_approval),
        Endpoint(
            "cases:approval_decide",
            method="post",
            perm=Perm.CASE_APPROVE,
            view_perm=Perm.CASE_VIEW,
            record=a_pending_approval,
            data=approve,
        ),
    ]


class TestCaseApiAccess(AccessMatrix):
    endpoints = [
        Endpoint("case-list", perm=Perm.CASE_VIEW, api=True),
        Endpoint("case-list", method="post", perm=Perm.CASE_CHANGE, api=True, data=new_case_api, content_type=JSON),
        Endpoint("case-detail", perm=Perm.CASE_VIEW, api=True, record=a_case),
        Endpoint(
            "case-transition",
            method="post",
            perm=Perm.CASE_TRANSITION,
            view_perm=Perm.CASE_VIEW,
            api=True,
            record=a_case,
            data=hold,
            content_type=JSON,
        ),
        Endpoint(
            "case-approval-request",
            method="post",
            perm=Perm.CASE_TRANSITION,
            view_perm=Perm.CASE_VIEW,
            api=True,
            record=a_case,
            data=close_request,
            content_type=JSON,
        ),
        Endpoint("approval-list", perm=Perm.CASE_APPROVE, api=True),
        Endpoint(
            "approval-detail", perm=Perm.CASE_APPROVE, view_perm=Perm.CASE_VIEW, api=True, record=a_pending_approval
        ),
        Endpoint(
            "approval-decide",
            method="post",
            perm=Perm.CASE_APPROVE,
            view_perm=Perm.CASE_VIEW,
            api=True,
            record=a_pending_approval,
            data=approve_api,
            content_type=JSON,
        ),
        Endpoint("assessment-list", perm=Perm.CASE_VIEW, api=True),
        Endpoint(
            "assessment-list",
            method="post",
            perm=Perm.ASSESSMENT_RECORD,
            api=True,
            data=new_assessment_api,
            content_type=JSON,
        ),
        Endpoint("assessment-detail", perm=Perm.CASE_VIEW, api=True, record=an_assessment),
        Endpoint("consent-list", perm=Perm.CASE_VIEW, api=True),
        Endpoint(
            "consent-list", method="post", perm=Perm.CONSENT_RECORD, api=True, data=new_consent_api, content_type=JSON
        ),
        Endpoint("consent-detail", perm=Perm.CASE_VIEW, api=True, record=a_consent_api),
        Endpoint(
            "consent-withdraw",
            method="post",
            perm=Perm.CONSENT_RECORD,
            view_perm=Perm.CASE_VIEW,
            api=True,
            record=a_consent_api,
            data=withdraw,
            content_type=JSON,
        ),
    ]
