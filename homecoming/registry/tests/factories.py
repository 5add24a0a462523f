"""Factories of the registry. Generated people and places only."""

from __future__ import annotations

import datetime

import factory
from factory.django import DjangoModelFactory

from homecoming.core.testing.factories import PersonFactory
from homecoming.registry.choices import FacilityKind
from homecoming.registry.models import CustodyRecord, Facility

PDF_BYTES = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PNG_BYTES = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPEG_BYTES = b"\xff\xd8\xff\xe0" + b"\x00" * 64


class FacilityFactory(DjangoModelFactory[Facility]):
    class Meta:
        model = Facility
        django_get_or_create = ("name", "country")

    name = factory.Sequence(lambda n: f"Facility {n}")
    kind = FacilityKind.PRISON
    country = "IRQ"
    locality = "Baghdad"
    custodian_authority = "Government of Iraq"


class CustodyRecordFactory(DjangoModelFactory[CustodyRecord]):
    class Meta:
        model = CustodyRecord

    person = factory.SubFactory(PersonFactory)
    facility = factory.SubFactory(FacilityFactory)
    since = datetime.date(2018, 6, 1)
