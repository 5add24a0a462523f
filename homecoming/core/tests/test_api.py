"""The API's shell: OpenAPI schema and documentation, authentication, the jobs API."""

from __future__ import annotations

import re

import pytest
import yaml
from django.conf import settings
from django.contrib.staticfiles import finders
from django.test import Client
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from homecoming.accounts.choices import Role
from homecoming.core.choices import JobStatus
from homecoming.core.testing.factories import AgencyFactory, user_with_role
from homecoming.core.tests.factories import JobFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def agency():
    return AgencyFactory(code="cpa")


def test_the_openapi_schema_is_served_to_anyone(client: Client) -> None:
    response = client.get(reverse("api_schema"))
    assert response.status_code == 200
    schema = yaml.safe_load(response.content)
    assert schema["openapi"].startswith("3.")
    assert schema["info"]["title"] == "Homecoming API"
    assert "/api/v1/jobs/" in schema["paths"]
    assert "/api/v1/jobs/{id}/" in schema["paths"]
    as_json = client.get(reverse("api_schema"), {"format": "json"})
    assert as_json.status_code == 200
    assert as_json.json()["openapi"] == schema["openapi"]


def test_the_schema_declares_session_and_token_authentication(client: Client) -> None:
    schema = yaml.safe_load(client.get(reverse("api_schema")).content)
    schemes = schema["components"]["securitySchemes"]
    assert {"cookieAuth", "tokenAuth"} <= set(schemes)


def test_the_api_documentation_uses_only_our_own_static_files(client: Client) -> None:
    response = client.get(reverse("api_docs"))
    assert response.status_code == 200
    text = response.content.decode()
    assert "swagger-ui-bundle.js" in text
    external = re.findall(r"""(?:src|href)=["'](https?://[^"']+)""", text)
    assert external == [], f"third-party requests: {external}"
    assert "cdn.jsdelivr.net" not in text
    assert '"validatorUrl": null' in text  # no online validator badge calling swagger.io
    dist = str(settings.SPECTACULAR_SETTINGS["SWAGGER_UI_DIST"])
    assert dist.startswith(settings.STATIC_URL)
    for name in ("swagger-ui.css", "swagger-ui-bundle.js", "swagger-ui-standalone-preset.js", "favicon-32x32.png"):
        assert f"{dist}/{name}" in text or name == "favicon-32x32.png"
        assert finders.find(f"{dist.removeprefix(str(settings.STATIC_URL))}/{name}"), f"{name} is not in static/"


def test_vendored_css_source_map_exists_for_the_manifest_storage() -> None:
    # CompressedManifestStaticFilesStorage fails collectstatic on a missing sourceMappingURL target.
    dist = str(settings.SPECTACULAR_SETTINGS["SWAGGER_UI_DIST"]).removeprefix(str(settings.STATIC_URL))
    css = finders.find(f"{dist}/swagger-ui.css")
    assert css
    with open(css, encoding="utf-8") as f:
        maps = re.findall(r"sourceMappingURL=(\S+?)\s*\*/", f.read())
    for target in maps:
        assert finders.find(f"{dist}/{target}"), target


def test_anonymous_callers_get_401_or_403_on_a_data_endpoint() -> None:
    api = APIClient()
    for url in (reverse("job-list"), reverse("job-detail", args=[1])):
        assert api.get(url).status_code in {401, 403}


def test_a_token_authenticates(agency) -> None:
    user = user_with_role(Role.CASE_WORKER, agency)
    job = JobFactory(created_by=user, owner_agency=agency)
    token = Token.objects.create(user=user)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    response = api.get(reverse("job-list"))
    assert response.status_code == 200
    assert [j["id"] for j in response.json()["results"]] == [job.pk]


def test_a_wrong_token_is_refused(agency) -> None:
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION="Token " + "0" * 40)
    response = api.get(reverse("job-list"))
    # 403 rather than 401: the first authentication class (the session) sets no WWW-Authenticate header.
    assert response.status_code in {401, 403}
    assert response.json()["detail"] == "Invalid token."


def test_an_inactive_users_token_is_refused(agency) -> None:
    user = user_with_role(Role.CASE_WORKER, agency)
    token = Token.objects.create(user=user)
    user.is_active = False
    user.save(update_fields=["is_active"])
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    response = api.get(reverse("job-list"))
    assert response.status_code in {401, 403}
    assert response.json()["detail"] == "User inactive or deleted."


def test_the_session_authenticates_the_api(client: Client, agency) -> None:
    user = user_with_role(Role.MANAGER, agency)
    client.force_login(user)
    assert client.get(reverse("job-list")).status_code == 200


def test_the_jobs_api_shows_status_and_result_but_never_the_traceback(agency) -> None:
    user = user_with_role(Role.CASE_WORKER, agency)
    job = JobFactory(
        created_by=user,
        owner_agency=agency,
        status=JobStatus.FAILED,
        error_message="Row 3 has no date of birth.",
        error="Traceback: secret",
        result={"row": 3},
    )
    api = APIClient()
    api.force_authenticate(user)
    body = api.get(reverse("job-detail", args=[job.pk])).json()
    assert body["status"] == "failed"
    assert body["error_message"] == "Row 3 has no date of birth."
    assert body["result"] == {"row": 3}
    assert body["created_by"] == user.username
    assert body["owner_agency"] == "cpa"
    assert "error" not in body
    assert "secret" not in str(body)


def test_the_jobs_api_hides_other_agencies_jobs_and_filters_by_status(agency) -> None:
    manager = user_with_role(Role.MANAGER, agency)
    running = JobFactory(owner_agency=agency, status=JobStatus.RUNNING)
    JobFactory(owner_agency=agency, status=JobStatus.SUCCEEDED)
    foreign = JobFactory(owner_agency=AgencyFactory(code="else"))
    api = APIClient()
    api.force_authenticate(manager)
    assert api.get(reverse("job-detail", args=[foreign.pk])).status_code == 404
    assert api.get(reverse("job-list")).json()["count"] == 2
    only_running = api.get(reverse("job-list"), {"status": "running"}).json()
    assert [j["id"] for j in only_running["results"]] == [running.pk]


def test_the_jobs_api_query_count_is_flat(agency, django_assert_max_num_queries) -> None:
    user = user_with_role(Role.MANAGER, agency)
    JobFactory.create_batch(20, created_by=user, owner_agency=agency)
    api = APIClient()
    api.force_authenticate(user)
    with django_assert_max_num_queries(4):
        assert len(api.get(reverse("job-list")).json()["results"]) == 20
