"""The export pages."""

from __future__ import annotations

import pytest
from django.urls import reverse

from homecoming.accounts.choices import AgencyKind, Role
from homecoming.audit.models import AuditAction, AuditEntry
from homecoming.core.testing.factories import AgencyFactory, PersonFactory, user_with_role
from homecoming.exports.choices import ExportStatus
from homecoming.exports.models import Export
from homecoming.exports.services import export_build

pytestmark = pytest.mark.django_db


@pytest.fixture
def agency():
    return AgencyFactory(code="mfa", kind=AgencyKind.FOREIGN_MINISTRY)


@pytest.fixture
def officer(agency):
    return user_with_role(Role.CONSULAR_OFFICER, agency, username="officer")


def test_the_form_requires_purpose_and_recipient(client, officer):
    client.force_login(officer)
    response = client.post(
        reverse("exports:export_create"), {"kind": "persons", "file_format": "csv", "purpose": "", "recipient": ""}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert 'data-error-for="purpose"' in page
    assert 'data-error-for="recipient"' in page
    assert not Export.objects.exists()


def test_asking_downloading_and_listing(client, officer, agency, django_capture_on_commit_callbacks):
    PersonFactory(owner_agency=agency, display_name="Zarina Rahimova")
    client.force_login(officer)
    response = client.post(
        reverse("exports:export_create"),
        {
            "kind": "persons",
            "file_format": "csv",
            "purpose": "Checking the list with the ministry",
            "recipient": "MFA Iraq desk",
        },
    )
    export = Export.objects.get()
    assert response.status_code == 302
    assert response["Location"] == export.get_absolute_url()
    page = client.get(export.get_absolute_url()).content.decode()
    assert "The file is being prepared." in page
    export_build(export_id=export.pk)
    page = client.get(export.get_absolute_url()).content.decode()
    assert 'data-testid="download-export"' in page
    download = client.get(reverse("exports:export_download", kwargs={"pk": export.pk}))
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment;")
    assert "Zarina Rahimova" in download.content.decode("utf-8-sig")
    assert AuditEntry.objects.filter(action=AuditAction.EXPORT, object_id=str(export.pk)).count() == 2
    listing = client.get(reverse("exports:export_list")).content.decode()
    assert "MFA Iraq desk" in listing


def test_the_progress_fragment_reloads_the_page_when_ready(client, officer, agency):
    client.force_login(officer)
    export = Export.objects.create(
        kind="persons",
        file_format="csv",
        purpose="Checking the list",
        recipient="x",
        created_by=officer,
        expires_at="2999-01-01T00:00:00Z",
        status=ExportStatus.READY,
    )
    response = client.get(reverse("exports:export_progress", kwargs={"pk": export.pk}), HTTP_HX_REQUEST="true")
    assert response.status_code == 204
    assert response["HX-Refresh"] == "true"


def test_figures_page_for_a_statistician(client):
    statistician = user_with_role(Role.STATISTICIAN, AgencyFactory(code="stats", kind=AgencyKind.STATISTICS))
    client.force_login(statistician)
    page = client.get(reverse("exports:figures_create")).content.decode()
    assert "small counts are left out" in page
    assert client.get(reverse("exports:export_create")).status_code == 403
