"""GET /api/v1/audit-entries/: auditors only, same filters as the page, audited."""

from __future__ import annotations

import pytest
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from homecoming.audit.models import AuditAction, AuditEntry
from homecoming.audit.tests.factories import entry

pytestmark = pytest.mark.django_db

LIST = reverse("audit-entry-list")


@pytest.fixture
def api():
    return APIClient()


def test_an_auditor_searches_the_trail_by_object(api, auditor, worker) -> None:
    opened = entry(actor=worker, object_type="registry.person", object_id=12, ip="10.0.0.9")
    listed = entry(actor=worker, action=AuditAction.LIST, object_type="registry.person", object_ids=[12, 13])
    entry(actor=worker, object_type="registry.person", object_id=13)
    api.force_authenticate(auditor)
    response = api.get(LIST, {"object_type": "registry.person", "object_id": 12})
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2
    assert [r["id"] for r in body["results"]] == [listed.pk, opened.pk]
    row = body["results"][1]
    assert row["actor_username"] == "malika"
    assert row["agency_codes"] == ["cpa"]
    assert row["ip_address"] == "10.0.0.9"
    assert row["entry_hash"] == opened.entry_hash
    read = AuditEntry.objects.latest("id")
    assert (read.action, read.object_type, read.actor) == (AuditAction.LIST, "audit.auditentry", auditor)
    assert read.object_ids == [str(listed.pk), str(opened.pk)]
    assert read.detail["filters"] == {"object_type": "registry.person", "object_id": "12"}


def test_filters_and_detail(api, auditor, worker, ngo_worker) -> None:
    a = entry(actor=worker, action=AuditAction.EXPORT)
    entry(actor=ngo_worker, action=AuditAction.VIEW)
    api.force_authenticate(auditor)
    assert [r["id"] for r in api.get(LIST, {"user": "malika", "action": "export"}).json()["results"]] == [a.pk]
    response = api.get(reverse("audit-entry-detail", kwargs={"pk": a.pk}))
    assert response.status_code == 200
    assert response.json()["action"] == "export"
    assert AuditEntry.objects.latest("id").object_id == str(a.pk)


def test_a_bad_filter_answers_400_naming_it(api, auditor) -> None:
    api.force_authenticate(auditor)
    response = api.get(LIST, {"date_to": "tomorrow"})
    assert response.status_code == 400
    assert "date_to" in response.json()


def test_others_are_refused(api, worker, ngo_worker) -> None:
    made = entry(actor=worker)
    assert api.get(LIST).status_code == 401
    api.force_authenticate(worker)
    assert api.get(LIST).status_code == 403
    assert api.get(reverse("audit-entry-detail", kwargs={"pk": made.pk})).status_code == 403


def test_out_of_scope_entry_is_404_for_an_agency_auditor(api, cpa, worker, ngo_worker) -> None:
    from homecoming.accounts.choices import Role
    from homecoming.core.testing.factories import user_with_role

    cpa_auditor = user_with_role(Role.AUDITOR, cpa, username="cpa-auditor")
    other = entry(actor=ngo_worker)
    api.force_authenticate(cpa_auditor)
    assert api.get(reverse("audit-entry-detail", kwargs={"pk": other.pk})).status_code == 404
    assert api.get(LIST).json()["count"] == 0


def test_read_only(api, auditor, worker) -> None:
    made = entry(actor=worker)
    api.force_authenticate(auditor)
    assert api.post(LIST, {"action": "view"}, format="json").status_code == 405
    assert api.delete(reverse("audit-entry-detail", kwargs={"pk": made.pk})).status_code == 405


def test_token_clients_work_and_query_count_is_flat(api, auditor, worker, django_assert_max_num_queries) -> None:
    for i in range(30):
        entry(actor=worker, object_id=i)
    token = Token.objects.create(user=auditor)
    api.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    with django_assert_max_num_queries(11):
        response = api.get(LIST)
    assert response.status_code == 200
    assert response.json()["count"] == 30
