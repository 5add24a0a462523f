"""Access matrix of every page and API endpoint of the registry (persons, facilities, custody)."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from homecoming.accounts.choices import Role
from homecoming.core.access import Perm
from homecoming.core.testing.factories import CaseFactory, PersonFactory, user_with_role
from homecoming.core.testing.matrix import AccessMatrix, Endpoint, World
from homecoming.registry import services
from homecoming.registry.tests.factories import PDF_BYTES, FacilityFactory

JSON = "application/json"


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


def _person(agency: Any, assignee: Any) -> Any:
    person = PersonFactory(owner_agency=agency)
    if assignee is not None:  # "assigned to the acting user": their case
        CaseFactory(person=person, assigned_to=assignee)
    return person


def _system(agency: Any) -> Any:
    return user_with_role(Role.CASE_WORKER, agency, username=f"clerk-{agency.code}")


def a_person(world: World, agency: Any, assignee: Any) -> dict[str, Any]:
    return {"pk": _person(agency, assignee).pk}


def a_name(world: World, agency: Any, assignee: Any) -> dict[str, Any]:
    person = _person(agency, assignee)
    name = services.person_name_add(person=person, by=None, name="Зарина Раҳимова")
    return {"pk": person.pk, "name_pk": name.pk}


def a_claim(world: World, agency: Any, assignee: Any) -> dict[str, Any]:
    person = _person(agency, assignee)
    claim = services.nationality_claim_add(person=person, by=None, country="TJK", basis="descent")
    return {"pk": person.pk, "claim_pk": claim.pk}


def an_identifier(world: World, agency: Any, assignee: Any) -> dict[str, Any]:
    person = _person(agency, assignee)
    identifier = services.identifier_add(
        person=person, by=None, identifier_type="detainee_number", value=f"D-{person.pk}", issuer_country="IRQ"
    )
    return {"pk": person.pk, "identifier_pk": identifier.pk}


def a_link(world: World, agency: Any, assignee: Any) -> dict[str, Any]:
    child = _person(agency, assignee)
    mother = PersonFactory(owner_agency=agency, sex="F", birth_date=datetime.date(1990, 1, 1))
    link = services.family_link_add(person=child, relative=mother, relation="mother", by=None)
    return {"pk": child.pk, "link_pk": link.pk}


def a_group_member(world: World, agency: Any, assignee: Any) -> dict[str, Any]:
    child = _person(agency, assignee)
    sibling = PersonFactory(owner_agency=agency)
    services.family_group_create(by=None, name="Generated family", owner_agency=agency, members=[child, sibling])
    return {"pk": child.pk}


def a_custody(world: World, agency: Any, assignee: Any) -> dict[str, Any]:
    person = _person(agency, assignee)
    record = services.custody_create(
        person=person, by=None, facility=FacilityFactory(), since=datetime.date(2018, 1, 1)
    )
    return {"pk": person.pk, "custody_pk": record.pk}


def a_document(world: World, agency: Any, assignee: Any) -> dict[str, Any]:
    person = _person(agency, assignee)
    document = services.document_add(
        person=person, by=None, kind="passport", file=SimpleUploadedFile("passport.pdf", PDF_BYTES)
    )
    return {"pk": person.pk, "document_pk": document.pk}


def a_facility(world: World) -> dict[str, Any]:
    return {"pk": FacilityFactory().pk}


def an_api_person(world: World, agency: Any, assignee: Any) -> dict[str, Any]:
    return {"pk": _person(agency, assignee).pk}


def an_api_custody(world: World, agency: Any, assignee: Any) -> dict[str, Any]:
    return {"pk": a_custody(world, agency, assignee)["custody_pk"]}


def new_person_form(world: World, kwargs: dict[str, Any]) -> dict[str, Any]:
    return {"owner_agency": world.own.pk, "full_name": "Амир Саидов", "sex": "M", "birth_date_precision": "unknown"}


def new_person_api(world: World, kwargs: dict[str, Any]) -> dict[str, Any]:
    return {"owner_agency": world.own.code, "name": {"full_name": "Амир Саидов"}, "sex": "M"}


def new_custody_api(world: World, kwargs: dict[str, Any]) -> dict[str, Any]:
    person = PersonFactory(owner_agency=world.own)
    return {"person": person.pk, "facility": FacilityFactory().pk, "since": "2018-01-01"}


def new_facility(world: World, kwargs: dict[str, Any]) -> dict[str, Any]:
    return {"name": f"Camp {world.own.code}", "kind": "camp", "country": "SYR"}


def nothing(world: World, kwargs: dict[str, Any]) -> dict[str, Any]:
    return {}


# Record-scoped pages on one person: (URL name, record builder).
PERSON_FORMS = [
    ("registry:person_edit", a_person),
    ("registry:person_name_add", a_person),
    ("registry:nationality_create", a_person),
    ("registry:nationality_decide", a_claim),
    ("registry:identifier_create", a_person),
    ("registry:family_link_create", a_person),
    ("registry:family_group_create", a_person),
    ("registry:custody_create", a_person),
    ("registry:custody_edit", a_custody),
    ("registry:document_upload", a_person),
]
PERSON_ACTIONS = [  # POST only
    ("registry:person_name_remove", a_name),
    ("registry:person_name_primary", a_name),
    ("registry:identifier_remove", an_identifier),
    ("registry:family_link_remove", a_link),
    ("registry:family_group_leave", a_group_member),
]


class TestRegistryPagesAccess(AccessMatrix):
    endpoints = [
        Endpoint("registry:person_list", perm=Perm.PERSON_VIEW),
        Endpoint("registry:person_list", perm=Perm.PERSON_VIEW, query="?q=Mukhriddin&age_band=child"),
        Endpoint("registry:person_pick", perm=Perm.PERSON_VIEW, query="?find=Zarina"),
        Endpoint("registry:person_similar", perm=Perm.PERSON_VIEW, query="?full_name=Zarina"),
        Endpoint("registry:person_create", perm=Perm.PERSON_CHANGE),
        Endpoint("registry:person_create", method="post", perm=Perm.PERSON_CHANGE, data=new_person_form),
        Endpoint("registry:person_detail", perm=Perm.PERSON_VIEW, record=a_person),
        *[
            Endpoint("registry:person_detail", perm=Perm.PERSON_VIEW, record=a_person, query=f"?tab={tab}")
            for tab in ("family", "documents")
        ],
        Endpoint("registry:document_download", perm=Perm.PERSON_VIEW, record=a_document),
        *[
            Endpoint(name, perm=Perm.PERSON_CHANGE, view_perm=Perm.PERSON_VIEW, record=builder)
            for name, builder in PERSON_FORMS
        ],
        *[
            Endpoint(
                name, method="post", perm=Perm.PERSON_CHANGE, view_perm=Perm.PERSON_VIEW, record=builder, data=nothing
            )
            for name, builder in PERSON_FORMS + PERSON_ACTIONS
        ],
        Endpoint("registry:facility_list", perm=Perm.FACILITY_VIEW),
        Endpoint("registry:facility_list", perm=Perm.FACILITY_VIEW, query="?country=IRQ&kind=prison"),
        Endpoint("registry:facility_detail", perm=Perm.FACILITY_VIEW, url_kwargs=a_facility),
        Endpoint("registry:facility_create", perm=Perm.FACILITY_CHANGE),
        Endpoint("registry:facility_create", method="post", perm=Perm.FACILITY_CHANGE, data=new_facility),
        Endpoint("registry:facility_edit", perm=Perm.FACILITY_CHANGE, url_kwargs=a_facility),
        Endpoint(
            "registry:facility_edit", method="post", perm=Perm.FACILITY_CHANGE, url_kwargs=a_facility, data=new_facility
        ),
    ]


class TestRegistryApiAccess(AccessMatrix):
    endpoints = [
        Endpoint("person-list", perm=Perm.PERSON_VIEW, api=True),
        Endpoint("person-list", perm=Perm.PERSON_VIEW, api=True, query="?q=Мухриддин"),
        Endpoint(
            "person-list", method="post", perm=Perm.PERSON_CHANGE, api=True, data=new_person_api, content_type=JSON
        ),
        Endpoint("person-detail", perm=Perm.PERSON_VIEW, api=True, record=an_api_person),
        Endpoint(
            "person-detail",
            method="patch",
            perm=Perm.PERSON_CHANGE,
            view_perm=Perm.PERSON_VIEW,
            api=True,
            record=an_api_person,
            data=lambda w, k: {"birth_place": "Kulob"},
            content_type=JSON,
        ),
        Endpoint(
            "person-names",
            method="post",
            perm=Perm.PERSON_CHANGE,
            view_perm=Perm.PERSON_VIEW,
            api=True,
            record=an_api_person,
            data=lambda w, k: {"full_name": "Muhriddin Saidov"},
            content_type=JSON,
        ),
        Endpoint("facility-list", perm=Perm.FACILITY_VIEW, api=True),
        Endpoint(
            "facility-list", method="post", perm=Perm.FACILITY_CHANGE, api=True, data=new_facility, content_type=JSON
        ),
        Endpoint("facility-detail", perm=Perm.FACILITY_VIEW, api=True, url_kwargs=a_facility),
        Endpoint(
            "facility-detail",
            method="patch",
            perm=Perm.FACILITY_CHANGE,
            api=True,
            url_kwargs=a_facility,
            data=lambda w, k: {"locality": "Hasakah"},
            content_type=JSON,
        ),
        Endpoint("custody-record-list", perm=Perm.PERSON_VIEW, api=True),
        Endpoint(
            "custody-record-list",
            method="post",
            perm=Perm.PERSON_CHANGE,
            api=True,
            data=new_custody_api,
            content_type=JSON,
        ),
        Endpoint("custody-record-detail", perm=Perm.PERSON_VIEW, api=True, record=an_api_custody),
        Endpoint(
            "custody-record-detail",
            method="patch",
            perm=Perm.PERSON_CHANGE,
            view_perm=Perm.PERSON_VIEW,
            api=True,
            record=an_api_custody,
            data=lambda w, k: {"until": "2019-04-30", "end_reason": "released"},
            content_type=JSON,
        ),
    ]
