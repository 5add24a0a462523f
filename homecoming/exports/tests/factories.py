"""Factories of the exports. Generated data only."""

from __future__ import annotations

import datetime as dt

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from homecoming.core.testing.factories import UserFactory
from homecoming.exports.choices import ExportFormat, ExportKind, ExportStatus
from homecoming.exports.models import Export


class ExportFactory(DjangoModelFactory[Export]):
    """A ready export of a small CSV file."""

    class Meta:
        model = Export

    kind = ExportKind.PERSONS
    file_format = ExportFormat.CSV
    status = ExportStatus.READY
    purpose = "Checking the list with the receiving ministry"
    recipient = "Generated Recipient"
    created_by = factory.SubFactory(UserFactory)
    expires_at = factory.LazyFunction(lambda: timezone.now() + dt.timedelta(days=7))
    file_name = "persons.csv"
    content_type = "text/csv; charset=utf-8"
    content = b"\xef\xbb\xbfPerson number,Name\r\n"
    size = factory.LazyAttribute(lambda o: len(o.content))
