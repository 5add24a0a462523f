from __future__ import annotations

import pytest

from homecoming.accounts.choices import AgencyKind, Role
from homecoming.core.testing.factories import AgencyFactory, user_with_role


@pytest.fixture
def agency():
    return AgencyFactory(code="cpa", name="Child Protection Agency", kind=AgencyKind.CHILD_PROTECTION)


@pytest.fixture
def other_agency():
    return AgencyFactory(code="mfa", name="Ministry of Foreign Affairs", kind=AgencyKind.FOREIGN_MINISTRY)


@pytest.fixture
def worker(agency):
    return user_with_role(Role.CASE_WORKER, agency, username="worker")
