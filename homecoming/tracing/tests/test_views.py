"""Tracing pages as a worker uses them."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from homecoming.audit.models import AuditAction, AuditEntry
from homecoming.tracing.models import TracingRequest
from homecoming.tracing.tests.factories import a_child, request_values

pytestmark = pytest.mark.django_db


def form_data(agency: Any, **overrides: Any) -> dict[str, Any]:
    values = request_values(**overrides)
    data = {k: ("" if v is None else v) for k, v in values.items()}
    data["owner_agency"] = agency.pk
    return data


def test_recording_a_request_shows_the_match_found(client: Client, agency: Any, worker: Any) -> None:
    child = a_child(agency, "Muhriddin Saidov")
    client.force_login(worker)
    response = client.post(reverse("tracing:request_create"), form_data(agency), follow=True)
    assert response.status_code == 200
    text = response.content.decode()
    assert "1 possible matches" in text or "possible match" in text
    assert child.display_name in text
    assert 'data-testid="probability"' in text


def test_an_age_gives_the_range_of_the_date_of_birth(client: Client, agency: Any, worker: Any) -> None:
    client.force_login(worker)
    data = form_data(agency, sought_birth_date_min=None, sought_birth_date_max=None, last_known_on="2019-03-01")
    data["age_years"] = 4
    client.post(reverse("tracing:request_create"), data)
    request = TracingRequest.objects.get()
    assert request.sought_birth_date_min is not None
    assert request.sought_birth_date_min.year == 2013
    assert request.sought_birth_date_max is not None
    assert request.sought_birth_date_max.year == 2016


def test_errors_name_the_field(client: Client, agency: Any, worker: Any) -> None:
    client.force_login(worker)
    response = client.post(reverse("tracing:request_create"), form_data(agency, sought_names="", consent_on=""))
    assert response.status_code == 400
    text = response.content.decode()
    assert 'href="#id_sought_names"' in text
    assert 'href="#id_consent_on"' in text
    assert TracingRequest.objects.count() == 0


def test_a_record_of_another_agency_is_shown_without_its_details(
    client: Client, agency: Any, other_agency: Any, worker: Any
) -> None:
    child = a_child(other_agency, "Muhriddin Saidov")
    client.force_login(worker)
    response = client.post(reverse("tracing:request_create"), form_data(agency), follow=True)
    text = response.content.decode()
    assert "Ministry of Foreign Affairs" in text
    assert 'data-testid="held-elsewhere"' in text
    assert child.display_name not in text
    assert child.get_absolute_url() not in text


def test_a_script_tag_in_a_name_is_shown_as_text(client: Client, agency: Any, worker: Any) -> None:
    client.force_login(worker)
    client.post(reverse("tracing:request_create"), form_data(agency, sought_names="<script>alert(1)</script> Amir"))
    request = TracingRequest.objects.get()
    text = client.get(request.get_absolute_url()).content.decode()
    assert "<script>alert(1)</script>" not in text
    assert "&lt;script&gt;" in text


def test_reading_a_request_is_audited(client: Client, agency: Any, worker: Any) -> None:
    client.force_login(worker)
    client.post(reverse("tracing:request_create"), form_data(agency))
    request = TracingRequest.objects.get()
    client.get(request.get_absolute_url())
    assert AuditEntry.objects.filter(action=AuditAction.VIEW, object_id=str(request.pk), actor=worker).exists()
    client.get(reverse("tracing:request_list"))
    assert AuditEntry.objects.filter(action=AuditAction.LIST, actor=worker).exists()


def test_the_list_finds_a_request_by_name_or_reference(client: Client, agency: Any, worker: Any) -> None:
    client.force_login(worker)
    client.post(reverse("tracing:request_create"), form_data(agency))
    request = TracingRequest.objects.get()
    for q in ("Мухриддин", request.reference, "Гулнора"):
        text = client.get(reverse("tracing:request_list"), {"q": q}).content.decode()
        assert request.reference in text, q
    assert request.reference not in client.get(reverse("tracing:request_list"), {"q": "Zafar"}).content.decode()


def test_the_page_works_right_to_left(client: Client, agency: Any, worker: Any) -> None:
    client.force_login(worker)
    client.post(reverse("tracing:request_create"), form_data(agency))
    request = TracingRequest.objects.get()
    client.cookies["django_language"] = "ar"
    text = client.get(request.get_absolute_url()).content.decode()
    assert 'dir="rtl"' in text
