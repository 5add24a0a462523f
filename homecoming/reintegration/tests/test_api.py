"""The reintegration API's refusals: 400 with a stable code, a message and messages per field."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from homecoming.reintegration.error_codes import ReintegrationErrorCode
from homecoming.reintegration.models import Service
from homecoming.reintegration.tests.factories import returned_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(worker) -> APIClient:
    client = APIClient()
    client.force_authenticate(worker)
    return client


def test_a_service_is_recorded(api, agency) -> None:
    case = returned_case(agency=agency)
    response = api.post(
        "/api/v1/services/", {"case": case.pk, "kind": "legal_aid", "date": str(timezone.localdate())}, format="json"
    )
    assert response.status_code == 201, response.json()
    assert Service.objects.filter(case=case, kind="legal_aid").count() == 1


def test_input_the_serializer_refuses_answers_invalid_per_field(api) -> None:
    response = api.post("/api/v1/services/", {"kind": "no-such-kind"}, format="json")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == ReintegrationErrorCode.INVALID
    assert set(body["fields"]) == {"case", "kind", "date"}
    assert body["detail"] in [m for messages in body["fields"].values() for m in messages]


def test_a_case_out_of_scope_answers_case_not_found_on_the_field(api, other_agency) -> None:
    theirs = returned_case(agency=other_agency)
    response = api.post(
        "/api/v1/services/", {"case": theirs.pk, "kind": "legal_aid", "date": str(timezone.localdate())}, format="json"
    )
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == ReintegrationErrorCode.CASE_NOT_FOUND
    assert body["fields"] == {"case": [body["detail"]]}
    assert not Service.objects.exists()


def test_a_service_refusal_carries_its_stable_code(api, agency) -> None:
    case = returned_case(agency=agency)
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    response = api.post(
        "/api/v1/services/",
        {"case": case.pk, "kind": "legal_aid", "status": "delivered", "date": str(tomorrow)},
        format="json",
    )
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == ReintegrationErrorCode.DATE_IN_FUTURE
    assert body["detail"] in body["fields"]["date"]
    assert not Service.objects.exists()
