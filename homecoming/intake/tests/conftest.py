from __future__ import annotations

import datetime as dt

import pytest

from homecoming.accounts.choices import AgencyKind, Role
from homecoming.core.testing.factories import AgencyFactory, user_with_role
from homecoming.intake.tests.files import HEADER, csv_bytes


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
def facilities(db):
    """The camps and prisons the generated lists name."""
    from homecoming.registry.models import Facility

    return [
        Facility.objects.create(
            name="Al-Hol camp", kind="camp", country="SYR", custodian_authority="North-east Syria administration"
        ),
        Facility.objects.create(name="Roj camp", kind="camp", country="SYR"),
        Facility.objects.create(name="Baghdad women's prison", kind="prison", country="IRQ"),
    ]


@pytest.fixture
def list_date():
    return dt.date(2024, 5, 1)


@pytest.fixture
def good_rows():
    """A mother and her two children, as an Iraqi list might give them."""
    return [
        HEADER,
        ["Zarina Rahimova", "F", "12.03.1990", "", "Al-Hol camp", "IQ-001"],
        ["Farhod Rahimov", "M", "about 7", "2", "Al-Hol camp", "IQ-002"],
        ["Madina Rahimova", "F", "2019", "2", "Al-Hol camp", "IQ-003"],
    ]


@pytest.fixture
def good_csv(good_rows):
    return csv_bytes(good_rows)
