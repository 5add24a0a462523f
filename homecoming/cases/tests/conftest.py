from __future__ import annotations

import pytest

from homecoming.accounts.choices import AgencyKind, Role
from homecoming.core.testing.factories import AgencyFactory, PersonFactory, user_with_role


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
def manager(agency):
    return user_with_role(Role.MANAGER, agency, username="manager")


@pytest.fixture
def manager2(agency):
    return user_with_role(Role.MANAGER, agency, username="manager2")


@pytest.fixture
def person(agency):
    return PersonFactory(owner_agency=agency, display_name="Zarina Rahimova")


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT
