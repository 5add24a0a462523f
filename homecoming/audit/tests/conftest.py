from __future__ import annotations

import pytest

from homecoming.accounts.choices import AgencyKind, Role
from homecoming.core.testing.factories import AgencyFactory, user_with_role


@pytest.fixture
def cpa():
    return AgencyFactory(code="cpa", name="Child Protection Agency", kind=AgencyKind.CHILD_PROTECTION)


@pytest.fixture
def ngo():
    return AgencyFactory(code="ngo", name="Family Support NGO", kind=AgencyKind.NGO)


@pytest.fixture
def oversight():
    return AgencyFactory(code="oversight", name="Oversight Office", kind=AgencyKind.OVERSIGHT)


@pytest.fixture
def auditor(oversight):
    """An auditor of the oversight body: reads the whole trail."""
    return user_with_role(Role.AUDITOR, oversight, username="aziz")


@pytest.fixture
def worker(cpa):
    return user_with_role(Role.CASE_WORKER, cpa, username="malika")


@pytest.fixture
def ngo_worker(ngo):
    return user_with_role(Role.CASE_WORKER, ngo, username="rustam")
