"""The registry API as a client sees it: search by any spelling, registering with an estimated age,
errors that name the field, scope, the legal field group, and the audit trail."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from rest_framework.test import APIClient

from homecoming.accounts.choices import Role
from homecoming.audit.models import AuditAction, AuditEntry
from homecoming.core.testing.factories import user_with_role
from homecoming.registry import services
from homecoming.registry.tests.factories import FacilityFactory

pytestmark = pytest.mark.django_db


def api(user: Any) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def register(agency: Any, name: str, *others: str, **values: Any) -> Any:
    return services.person_create(by=None, owner_agency=agency, name=name, other_names=list(others), **values)


def test_search_finds_one_person_by_any_spelling(agency: Any, worker: Any) -> None:
    person = register(agency, "Мухриддин Саидов", sex="M")
    register(agency, "Zarina Rahimova", sex="F")
    for query in ("Mukhriddin", "Muhriddin", "Мухриддин", "muhriddin saidov"):
        response = api(worker).get("/api/v1/persons/", {"q": query})
        assert response.status_code == 200
        assert [row["id"] for row in response.json()["results"]] == [person.pk], query


def test_register_with_an_age_told_on_a_date(agency: Any, worker: Any) -> None:
    response = api(worker).post(
        "/api/v1/persons/",
        {
            "owner_agency": agency.code,
            "name": {"full_name": "Амир Раҳимов"},
            "other_names": [{"full_name": "Amir Rakhimov", "source": "Iraqi list"}],
            "sex": "M",
            "age_years": 4,
            "age_on": "2019-03-15",
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["birth_date_precision"] == "estimated"
    assert body["birth_date_min"] == "2014-03-16"
    assert body["birth_date_max"] == "2015-03-15"
    assert {(n["full_name"], n["script"]) for n in body["names"]} == {
        ("Амир Раҳимов", "cyrl"),
        ("Amir Rakhimov", "latn"),
    }
    assert AuditEntry.objects.filter(action=AuditAction.CREATE, object_id=str(body["id"])).exists()


def test_errors_name_the_field(agency: Any, worker: Any) -> None:
    client = api(worker)
    response = client.post(
        "/api/v1/persons/", {"owner_agency": agency.code, "name": {"full_name": "  "}}, format="json"
    )
    assert response.status_code == 400
    assert "name.full_name" in response.json()["fields"]
    response = client.post(
        "/api/v1/persons/", {"owner_agency": agency.code, "name": {"full_name": "123"}}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["code"] == "name_required"
    response = client.post(
        "/api/v1/persons/",
        {"owner_agency": agency.code, "name": {"full_name": "Amir"}, "age_years": 4},
        format="json",
    )
    assert response.status_code == 400
    assert "age_years" in response.json()["fields"]


def test_registering_for_another_agency_is_refused(agency: Any, other_agency: Any, worker: Any) -> None:
    response = api(worker).post(
        "/api/v1/persons/", {"owner_agency": other_agency.code, "name": {"full_name": "Amir"}}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["code"] == "agency_not_allowed"


def test_another_agencys_person_is_not_found(agency: Any, other_agency: Any, ngo_worker: Any) -> None:
    person = register(agency, "Zarina Rahimova")
    assert api(ngo_worker).get(f"/api/v1/persons/{person.pk}/").status_code == 404
    assert api(ngo_worker).get("/api/v1/persons/", {"q": "Zarina"}).json()["results"] == []


def test_a_script_tag_in_a_name_is_kept_as_text(agency: Any, worker: Any) -> None:
    response = api(worker).post(
        "/api/v1/persons/",
        {"owner_agency": agency.code, "name": {"full_name": "<script>alert(1)</script> Amir"}},
        format="json",
    )
    assert response.status_code == 201
    assert response["Content-Type"].startswith("application/json")
    assert "Amir" in response.json()["display_name"]


def test_correcting_a_name_keeps_the_search_keys_in_step(agency: Any, worker: Any) -> None:
    person = register(agency, "Zarina Rahimova")
    client = api(worker)
    response = client.patch(f"/api/v1/persons/{person.pk}/", {"name": {"full_name": "Dilnoza Rahimova"}}, format="json")
    assert response.status_code == 200, response.json()
    assert client.get("/api/v1/persons/", {"q": "Zarina"}).json()["results"] == []
    assert [r["id"] for r in client.get("/api/v1/persons/", {"q": "Дилноза"}).json()["results"]] == [person.pk]


def test_reads_and_lists_are_audited(agency: Any, worker: Any) -> None:
    person = register(agency, "Zarina Rahimova")
    client = api(worker)
    client.get("/api/v1/persons/")
    listed = AuditEntry.objects.filter(action=AuditAction.LIST, actor=worker).latest("id")
    assert person.pk in [int(i) for i in listed.object_ids]
    client.get(f"/api/v1/persons/{person.pk}/")
    assert AuditEntry.objects.filter(action=AuditAction.VIEW, actor=worker, object_id=str(person.pk)).exists()


def test_legal_details_only_for_roles_that_may_see_them(agency: Any, worker: Any) -> None:
    person = register(agency, "Zarina Rahimova", sex="F")
    facility = FacilityFactory(name="Rusafa prison")
    response = api(worker).post(
        "/api/v1/custody-records/",
        {
            "person": person.pk,
            "facility": facility.pk,
            "since": "2017-09-01",
            "life_sentence": True,
            "charge": "Membership",
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["charge"] == "Membership"
    teacher = user_with_role(Role.TEACHER, agency, username="teacher")
    rows = api(teacher).get("/api/v1/custody-records/", {"person": person.pk}).json()["results"]
    assert len(rows) == 1
    assert "charge" not in rows[0]
    assert "life_sentence" not in rows[0]
    detail = api(worker).get(f"/api/v1/persons/{person.pk}/").json()
    assert detail["current_custody"]["facility"]["name"] == "Rusafa prison"


def test_a_second_stay_cannot_overlap_the_first(agency: Any, worker: Any) -> None:
    person = register(agency, "Zarina Rahimova", sex="F")
    services.custody_create(person=person, by=None, facility=FacilityFactory(), since=datetime.date(2017, 9, 1))
    response = api(worker).post(
        "/api/v1/custody-records/",
        {"person": person.pk, "facility": FacilityFactory(name="Camp").pk, "since": "2018-01-01"},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["code"] == "custody_overlap"
    response = api(worker).post(
        "/api/v1/custody-records/",
        {"person": person.pk, "facility": FacilityFactory(name="Camp").pk, "since": "2018-01-01", "end_current": True},
        format="json",
    )
    assert response.status_code == 201, response.json()


def test_facilities_are_reference_data(agency: Any, worker: Any, admin_user: Any) -> None:
    assert api(worker).post("/api/v1/facilities/", {"name": "Al-Hol"}, format="json").status_code == 403
    response = api(admin_user).post(
        "/api/v1/facilities/", {"name": "Al-Hol camp", "kind": "camp", "country": "SYR"}, format="json"
    )
    assert response.status_code == 201, response.json()
    again = api(admin_user).post(
        "/api/v1/facilities/", {"name": "al-hol camp", "kind": "camp", "country": "SYR"}, format="json"
    )
    assert again.status_code == 400
    assert again.json()["code"] == "facility_duplicate"
    assert [f["name"] for f in api(worker).get("/api/v1/facilities/").json()["results"]] == ["Al-Hol camp"]
