"""Each user's own API token: made (shown once), replaced, revoked; all audited."""

from __future__ import annotations

import pytest
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from homecoming.audit.models import AuditAction, AuditEntry

pytestmark = pytest.mark.django_db

PAGE = reverse("accounts:api_token")


def events(user) -> list[str]:
    return list(
        AuditEntry.objects.filter(action=AuditAction.SECURITY, object_id=str(user.pk))
        .order_by("id")
        .values_list("detail__event", flat=True)
    )


def test_make_use_replace_and_revoke_a_token(client, worker) -> None:
    client.force_login(worker)
    assert "You have no API token." in client.get(PAGE).content.decode()

    response = client.post(PAGE, {"action": "create"})
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    key = Token.objects.get(user=worker).key
    assert key in response.content.decode()
    assert key not in client.get(PAGE).content.decode()  # shown once

    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert api.get("/api/v1/jobs/").status_code == 200

    client.post(PAGE, {"action": "create"})
    new_key = Token.objects.get(user=worker).key
    assert new_key != key
    assert api.get("/api/v1/jobs/").status_code == 401

    response = client.post(PAGE, {"action": "revoke"}, follow=True)
    assert "has been revoked" in response.content.decode()
    assert not Token.objects.filter(user=worker).exists()
    assert events(worker) == ["api_token_created", "api_token_created", "api_token_revoked"]


def test_an_unknown_action_changes_nothing(client, worker) -> None:
    client.force_login(worker)
    response = client.post(PAGE, {"action": "steal"}, follow=True)
    assert "Choose whether to make a new token" in response.content.decode()
    assert not Token.objects.filter(user=worker).exists()
    assert events(worker) == []
