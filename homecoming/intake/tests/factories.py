"""Factories of the intake. Generated people only."""

from __future__ import annotations

import datetime as dt
import hashlib

import factory
from factory.django import DjangoModelFactory

from homecoming.core.testing.factories import AgencyFactory, UserFactory
from homecoming.intake.choices import BatchStatus, SourceKind
from homecoming.intake.models import IntakeBatch
from homecoming.intake.tests.files import HEADER, csv_bytes


def _content(o) -> bytes:
    return csv_bytes([HEADER, [f"Generated Person {o.file_name}", "F", "12.03.1990", "", "", ""]])


class IntakeBatchFactory(DjangoModelFactory[IntakeBatch]):
    """An uploaded list (status "uploaded"), not yet validated. Use the services for the later states."""

    class Meta:
        model = IntakeBatch

    owner_agency = factory.SubFactory(AgencyFactory)
    created_by = factory.SubFactory(UserFactory)
    source = "Generated Authority"
    source_key = "generated authority"
    source_kind = SourceKind.FOREIGN_AUTHORITY
    file_name = factory.Sequence(lambda n: f"list-{n}.csv")
    file_kind = "csv"
    content = factory.LazyAttribute(_content)
    file_size = factory.LazyAttribute(lambda o: len(o.content))
    content_sha256 = factory.LazyAttribute(lambda o: hashlib.sha256(o.content).hexdigest())
    encoding = "utf-8"
    delimiter = ","
    headers = HEADER
    mapping = factory.LazyFunction(
        lambda: {"full_name": "A", "sex": "B", "birth_date": "C", "mother_row": "D", "facility": "E", "identifier": "F"}
    )
    list_date = dt.date(2024, 5, 1)
    status = BatchStatus.UPLOADED
    row_count = 1
