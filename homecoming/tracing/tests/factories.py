"""Factories of tracing requests. Generated people only."""

from __future__ import annotations

import datetime
from typing import Any

from homecoming.registry import services as registry
from homecoming.tracing.models import TracingRequest


def request_values(**overrides: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "requester_name": "Гулнора Саидова",
        "requester_relation": "grandparent",
        "requester_contact": "+992 00 000 0000",
        "requester_district": "Kulob",
        "sought_names": "Мухриддин Саидов",
        "sought_sex": "M",
        "sought_birth_date_min": datetime.date(2014, 1, 1),
        "sought_birth_date_max": datetime.date(2015, 12, 31),
        "sought_mother_name": "",
        "last_known_place": "Baghdad",
        "last_known_country": "IRQ",
        "consent_on": datetime.date(2019, 3, 1),
    }
    values.update(overrides)
    return values


def a_request(agency: Any, **overrides: Any) -> TracingRequest:
    """A request recorded directly (no search, no audit): for tests of access and pages."""
    values = request_values(**overrides)
    return TracingRequest.objects.create(owner_agency=agency, **values)


def a_child(agency: Any, name: str = "Muhriddin Saidov", **values: Any) -> Any:
    values.setdefault("sex", "M")
    values.setdefault("birth_date_precision", "estimated")
    values.setdefault("birth_date_min", datetime.date(2014, 3, 1))
    values.setdefault("birth_date_max", datetime.date(2015, 3, 1))
    return registry.person_create(by=None, owner_agency=agency, name=name, **values)
