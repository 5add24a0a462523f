"""Factories of the shell's own models."""

from __future__ import annotations

import factory
from factory.django import DjangoModelFactory

from homecoming.core.choices import JobStatus
from homecoming.core.models import Job
from homecoming.core.testing.factories import AgencyFactory, UserFactory


class JobFactory(DjangoModelFactory[Job]):
    class Meta:
        model = Job

    kind = "test.kind"
    status = JobStatus.QUEUED
    owner_agency = factory.SubFactory(AgencyFactory)
    created_by = factory.SubFactory(UserFactory)
    language = "en"
