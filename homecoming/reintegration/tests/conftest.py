from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from homecoming.accounts.choices import AgencyKind, Role
from homecoming.core.testing.factories import AgencyFactory, user_with_role
from homecoming.reintegration.tests.factories import returned_case


@pytest.fixture
def agency():
    return AgencyFactory(code="cpa", name="Child Protection Agency", kind=AgencyKind.CHILD_PROTECTION)


@pytest.fixture
def other_agency():
    return AgencyFactory(code="ngo", name="Family Support NGO", kind=AgencyKind.NGO)


@pytest.fixture
def health_worker(agency):
    return user_with_role(Role.HEALTH_WORKER, agency, username="nurse")


@pytest.fixture
def psychologist(agency):
    return user_with_role(Role.PSYCHOLOGIST, agency, username="psy")


@pytest.fixture
def teacher(agency):
    return user_with_role(Role.TEACHER, agency, username="teacher")


@pytest.fixture
def worker(agency):
    return user_with_role(Role.CASE_WORKER, agency, username="worker")


@pytest.fixture
def manager(agency):
    return user_with_role(Role.MANAGER, agency, username="manager")


@pytest.fixture
def focal_point(agency):
    return user_with_role(Role.FOCAL_POINT, agency, username="mahalla")


@pytest.fixture
def admin_user(agency):
    return user_with_role(Role.ADMINISTRATOR, agency, username="admin")


@pytest.fixture
def child(agency):
    """A girl of about two years, home for ten days."""
    today = timezone.localdate()
    return returned_case(
        agency=agency, display_name="Madina Karimova", sex="F", birth_date=today - datetime.timedelta(days=730)
    )
