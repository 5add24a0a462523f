from __future__ import annotations

import pytest

from homecoming.accounts.choices import AgencyKind, Role
from homecoming.core.testing.factories import AgencyFactory, user_with_role


@pytest.fixture
def agency():
    return AgencyFactory(code="mfa", name="Ministry of Foreign Affairs", kind=AgencyKind.FOREIGN_MINISTRY)


@pytest.fixture
def other_agency():
    return AgencyFactory(code="ngo", name="Family Support NGO", kind=AgencyKind.NGO)


@pytest.fixture
def officer(agency):
    return user_with_role(Role.CONSULAR_OFFICER, agency, username="officer")


@pytest.fixture
def other_officer(other_agency):
    return user_with_role(Role.CONSULAR_OFFICER, other_agency, username="other-officer")


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT
