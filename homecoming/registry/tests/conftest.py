from __future__ import annotations

import pytest

from homecoming.accounts.choices import AgencyKind, Role
from homecoming.core.testing.factories import AgencyFactory, user_with_role


@pytest.fixture
def agency():
    return AgencyFactory(code="cpa", name="Child Protection Agency", kind=AgencyKind.CHILD_PROTECTION)


@pytest.fixture
def other_agency():
    return AgencyFactory(code="ngo", name="Family Support NGO", kind=AgencyKind.NGO)


@pytest.fixture
def worker(agency):
    return user_with_role(Role.CASE_WORKER, agency, username="worker")


@pytest.fixture
def ngo_worker(other_agency):
    return user_with_role(Role.CASE_WORKER, other_agency, username="ngo_worker")


@pytest.fixture
def teacher(agency):
    return user_with_role(Role.TEACHER, agency, username="teacher")


@pytest.fixture
def admin_user(agency):
    return user_with_role(Role.ADMINISTRATOR, agency, username="administrator")


@pytest.fixture
def consul(agency):
    return user_with_role(Role.CONSULAR_OFFICER, agency, username="consul")


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT
