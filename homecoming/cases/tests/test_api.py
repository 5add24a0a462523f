"""The cases API: scoped, audited, stable error codes, documented."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from rest_framework.test import APIClient

from homecoming.accounts.choices import Role
from homecoming.audit.models import AuditAction, AuditEntry
from homecoming.cases import services
from homecoming.cases.choices import ApprovalStatus, CaseStage
from homecoming.cases.error_codes import CaseErrorCode
from homecoming.cases.models import ApprovalRequest, Case, Consent
from homecoming.cases.tests.factories import PDF_BYTES, AssessmentFactory, ConsentFactory, case_ready_for_anything
from homecoming.core.testing.factories import CaseFactory, PersonFactory, user_with_role

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(worker) -> APIClient:
    client = APIClient()
    client.force_authenticate(worker)
    return client


def test_case_list_is_scoped_paginated_and_audited(api, agency, other_agency) -> None:
    mine = CaseFactory(person=PersonFactory(owner_agency=agency, display_name="Farida Nazarova"))
    CaseFactory(person=PersonFactory(owner_agency=other_agency))
    response = api.get("/api/v1/cases/")
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"count", "next", "previous", "results"}
    assert body["count"] == 1
    [row] = body["results"]
    assert row["id"] == mine.pk
    assert row["person"]["display_name"] == "Farida Nazarova"
    assert row["owner_agency"] == "cpa"
    assert row["stage"] == "identified"
    [entry] = AuditEntry.objects.filter(action=AuditAction.LIST, object_type="cases.case")
    assert entry.object_ids == [str(mine.pk)]


def test_case_list_search_by_name_and_stage(api, agency) -> None:
    CaseFactory(person=PersonFactory(owner_agency=agency, display_name="Farida Nazarova"), stage=CaseStage.VERIFIED)
    CaseFactory(person=PersonFactory(owner_agency=agency, display_name="Parviz Aliev"))
    assert [r["person"]["display_name"] for r in api.get("/api/v1/cases/", {"q": "nazar"}).json()["results"]] == [
        "Farida Nazarova"
    ]
    assert api.get("/api/v1/cases/", {"stage": "verified"}).json()["count"] == 1
    assert api.get("/api/v1/cases/", {"stage": ["verified", "identified"]}).json()["count"] == 2


def test_case_list_query_count(api, agency, worker, django_assert_max_num_queries) -> None:
    for _ in range(20):
        CaseFactory(person=PersonFactory(owner_agency=agency), assigned_to=worker)
    with django_assert_max_num_queries(10):
        assert api.get("/api/v1/cases/").status_code == 200


def test_case_retrieve_and_other_agency_404(api, agency, other_agency) -> None:
    mine = CaseFactory(person=PersonFactory(owner_agency=agency))
    theirs = CaseFactory(person=PersonFactory(owner_agency=other_agency))
    assert api.get(f"/api/v1/cases/{mine.pk}/").json()["id"] == mine.pk
    assert AuditEntry.objects.filter(action=AuditAction.VIEW, object_id=str(mine.pk)).exists()
    assert api.get(f"/api/v1/cases/{theirs.pk}/").status_code == 404
    response = api.post(
        f"/api/v1/cases/{theirs.pk}/transition/", {"to_stage": "verified", "reason": "x"}, format="json"
    )
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.stage == CaseStage.IDENTIFIED


def test_case_create(api, agency, other_agency, worker) -> None:
    person = PersonFactory(owner_agency=agency)
    response = api.post(
        "/api/v1/cases/",
        {"person": person.pk, "owner_agency": "cpa", "assigned_to": worker.pk, "priority": "high"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["assigned_to"]["username"] == "worker"
    again = api.post("/api/v1/cases/", {"person": person.pk, "owner_agency": "cpa"}, format="json")
    assert again.status_code == 400
    assert again.json()["code"] == CaseErrorCode.OPEN_CASE_EXISTS
    stranger = PersonFactory(owner_agency=other_agency)
    hidden = api.post("/api/v1/cases/", {"person": stranger.pk, "owner_agency": "cpa"}, format="json")
    assert hidden.status_code == 400
    assert hidden.json()["code"] == CaseErrorCode.PERSON_NOT_FOUND
    not_mine = api.post(
        "/api/v1/cases/", {"person": PersonFactory(owner_agency=agency).pk, "owner_agency": "ngo"}, format="json"
    )
    assert not_mine.status_code == 400
    assert not_mine.json()["code"] == CaseErrorCode.AGENCY_NOT_ALLOWED
    bad = api.post("/api/v1/cases/", {"owner_agency": "cpa", "priority": "whenever"}, format="json")
    assert bad.status_code == 400
    assert bad.json()["code"] == CaseErrorCode.INVALID
    assert set(bad.json()["fields"]) == {"person", "priority"}


def test_transition_ok_and_error_codes(api, agency) -> None:
    case = CaseFactory(person=PersonFactory(owner_agency=agency))
    url = f"/api/v1/cases/{case.pk}/transition/"
    response = api.post(url, {"to_stage": "verified", "reason": "Embassy confirmed."}, format="json")
    assert response.status_code == 200
    body = response.json()
    assert body["stage"] == "verified"
    assert body["transition"]["from_stage"] == "identified"
    cases = [
        ({"to_stage": "returned", "reason": "x"}, CaseErrorCode.TRANSITION_NOT_ALLOWED),
        ({"to_stage": "assessed", "reason": "x"}, CaseErrorCode.ASSESSMENT_REQUIRED),
        ({"to_stage": "on_hold"}, CaseErrorCode.REASON_REQUIRED),
        ({"to_stage": "moon", "reason": "x"}, CaseErrorCode.UNKNOWN_STAGE),
    ]
    for payload, code in cases:
        refused = api.post(url, payload, format="json")
        assert refused.status_code == 400
        assert refused.json()["code"] == code, payload
        assert refused.json()["detail"]


def test_transition_needing_approval_then_request_and_decide(api, agency, worker, manager) -> None:
    case = case_ready_for_anything(person=PersonFactory(owner_agency=agency), stage=CaseStage.CONSENTED)
    refused = api.post(f"/api/v1/cases/{case.pk}/transition/", {"to_stage": "approved", "reason": "x"}, format="json")
    assert refused.status_code == 400
    assert refused.json()["code"] == CaseErrorCode.APPROVAL_REQUIRED
    created = api.post(
        f"/api/v1/cases/{case.pk}/approval-request/", {"to_stage": "approved", "reason": "Ready."}, format="json"
    )
    assert created.status_code == 201
    assert created.json()["status"] == "pending"
    approval_id = created.json()["id"]
    same = api.post(f"/api/v1/approvals/{approval_id}/decide/", {"approve": True}, format="json")
    assert same.status_code == 403  # a case worker may not approve at all
    boss = APIClient()
    boss.force_authenticate(manager)
    assert [a["id"] for a in boss.get("/api/v1/approvals/").json()["results"]] == [approval_id]
    decided = boss.post(f"/api/v1/approvals/{approval_id}/decide/", {"approve": True, "note": "Yes."}, format="json")
    assert decided.status_code == 200
    assert decided.json()["status"] == "approved"
    case.refresh_from_db()
    assert case.stage == CaseStage.APPROVED


def test_manager_cannot_decide_own_request_via_api(agency, manager) -> None:
    case = case_ready_for_anything(person=PersonFactory(owner_agency=agency), stage=CaseStage.CONSENTED)
    request = services.approval_request(case=case, to_stage=CaseStage.APPROVED, by=manager, reason="Mine.")
    client = APIClient()
    client.force_authenticate(manager)
    response = client.post(f"/api/v1/approvals/{request.pk}/decide/", {"approve": True}, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == CaseErrorCode.APPROVAL_SAME_USER
    assert ApprovalRequest.objects.get(pk=request.pk).status == ApprovalStatus.PENDING


def test_assessments_api(api, agency, other_agency, worker) -> None:
    case = CaseFactory(person=PersonFactory(owner_agency=agency))
    theirs = CaseFactory(person=PersonFactory(owner_agency=other_agency))
    AssessmentFactory(case=theirs)
    payload = {
        "case": case.pk,
        "kind": "eligibility",
        "assessed_on": "2019-02-14",
        "outcome": "eligible",
        "reasons": "Healthy.",
        "assessor": worker.pk,
        "round_label": "February 2019",
    }
    created = api.post("/api/v1/assessments/", payload, format="json")
    assert created.status_code == 201, created.json()
    listed = api.get("/api/v1/assessments/").json()
    assert [a["case"] for a in listed["results"]] == [case.pk]
    assert api.get(f"/api/v1/assessments/{created.json()['id']}/").status_code == 200
    assert api.post("/api/v1/assessments/", {**payload, "case": theirs.pk}, format="json").status_code == 404
    future = api.post("/api/v1/assessments/", {**payload, "assessed_on": "2999-01-01"}, format="json")
    assert future.status_code == 400
    assert future.json()["code"] == CaseErrorCode.DATE_IN_FUTURE
    assert future.json()["fields"] == {"assessed_on": ["The date cannot be in the future."]}


def test_consents_api_with_document_and_withdrawal(api, agency) -> None:
    case = CaseFactory(person=PersonFactory(owner_agency=agency))
    created = api.post(
        "/api/v1/consents/",
        {
            "case": case.pk,
            "given_by_relation": "mother",
            "given_by_name": "M. Nazarova",
            "scopes": ["repatriation", "tracing"],
            "given_on": "2019-03-01",
            "document": SimpleUploadedFile("scan.pdf", PDF_BYTES),
        },
        format="multipart",
    )
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["scopes"] == ["repatriation", "tracing"]
    assert body["has_document"] is True
    assert body["document_url"] == reverse("cases:consent_document", args=[case.pk, body["id"]])
    bad_file = api.post(
        "/api/v1/consents/",
        {
            "case": case.pk,
            "given_by_relation": "self",
            "scopes": ["repatriation"],
            "given_on": "2019-03-01",
            "document": SimpleUploadedFile("scan.pdf", b"GIF89a..."),
        },
        format="multipart",
    )
    assert bad_file.status_code == 400
    assert bad_file.json()["code"] == CaseErrorCode.DOCUMENT_INVALID
    withdrawn = api.post(
        f"/api/v1/consents/{body['id']}/withdraw/", {"withdrawn_on": "2019-04-01", "reason": "Refused."}, format="json"
    )
    assert withdrawn.status_code == 200
    assert withdrawn.json()["is_withdrawn"] is True
    again = api.post(
        f"/api/v1/consents/{body['id']}/withdraw/", {"withdrawn_on": "2019-04-02", "reason": "x"}, format="json"
    )
    assert again.json()["code"] == CaseErrorCode.CONSENT_WITHDRAWN
    assert api.get("/api/v1/consents/", {"withdrawn": "false"}).json()["count"] == 0
    assert Consent.objects.count() == 1


def test_consent_of_another_agency_is_404(api, other_agency) -> None:
    consent = ConsentFactory(case=CaseFactory(person=PersonFactory(owner_agency=other_agency)))
    assert api.get(f"/api/v1/consents/{consent.pk}/").status_code == 404
    response = api.post(
        f"/api/v1/consents/{consent.pk}/withdraw/", {"withdrawn_on": "2019-04-01", "reason": "x"}, format="json"
    )
    assert response.status_code == 404


def test_roles_without_permission_get_403(agency) -> None:
    client = APIClient()
    client.force_authenticate(user_with_role(Role.AUDITOR, agency))
    assert client.get("/api/v1/cases/").status_code == 403
    health = APIClient()
    health.force_authenticate(user_with_role(Role.HEALTH_WORKER, agency))
    case = CaseFactory(person=PersonFactory(owner_agency=agency))
    assert (
        health.post(f"/api/v1/cases/{case.pk}/transition/", {"to_stage": "verified", "reason": "x"}).status_code == 403
    )
    assert Case.objects.get(pk=case.pk).stage == CaseStage.IDENTIFIED


def test_anonymous_is_refused() -> None:
    assert APIClient().get("/api/v1/cases/").status_code in (401, 403)


def test_openapi_documents_the_endpoints_and_errors(client) -> None:
    schema = client.get("/api/schema/", {"format": "json"}).json()
    paths = schema["paths"]
    for path in (
        "/api/v1/cases/",
        "/api/v1/cases/{id}/",
        "/api/v1/cases/{id}/transition/",
        "/api/v1/cases/{id}/approval-request/",
        "/api/v1/approvals/",
        "/api/v1/approvals/{id}/decide/",
        "/api/v1/assessments/",
        "/api/v1/consents/",
        "/api/v1/consents/{id}/withdraw/",
    ):
        assert path in paths, path
    transition = paths["/api/v1/cases/{id}/transition/"]["post"]
    assert {"200", "400", "403", "404"} <= set(transition["responses"])
    error = schema["components"]["schemas"]["CaseError"]
    assert set(error["properties"]) == {"code", "detail", "fields"}
    codes = schema["components"]["schemas"]["CaseErrorCodeEnum"]["enum"]
    assert set(codes) == {c.value for c in CaseErrorCode}


def test_assessment_and_consent_lists_query_counts(api, agency, django_assert_max_num_queries) -> None:
    for _ in range(15):
        case = CaseFactory(person=PersonFactory(owner_agency=agency))
        AssessmentFactory(case=case)
        ConsentFactory(case=case, scopes=["repatriation", "services"])
    with django_assert_max_num_queries(10):
        assert api.get("/api/v1/assessments/").json()["count"] == 15
    with django_assert_max_num_queries(11):
        body = api.get("/api/v1/consents/").json()
    assert body["count"] == 15
    assert body["results"][0]["scopes"] == ["repatriation", "services"]
