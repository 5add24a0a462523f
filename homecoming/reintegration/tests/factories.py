"""Factories of the reintegration app. Generated people only."""

from __future__ import annotations

import datetime
from typing import Any

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from homecoming.cases.choices import CaseStage
from homecoming.cases.models import Case, CaseTransition
from homecoming.core.testing.factories import CaseFactory, PersonFactory, UserFactory
from homecoming.reintegration.choices import ServiceKind, ServiceStatus, VisitStatus
from homecoming.reintegration.models import FollowUpTemplate, FollowUpVisit, ReintegrationPlan, Service


def returned_case(
    *,
    agency: Any,
    arrived: datetime.date | None = None,
    stage: str = CaseStage.RETURNED,
    assigned_to: Any = None,
    **person: Any,
) -> Case:
    """A case of a person who came home on ``arrived`` (by default 10 days ago): the case moved to
    "returned" that day, as the cases app records it."""
    arrived = arrived or timezone.localdate() - datetime.timedelta(days=10)
    case = CaseFactory(person=PersonFactory(owner_agency=agency, **person), stage=stage, assigned_to=assigned_to)
    CaseTransition.objects.create(
        case=case,
        from_stage=CaseStage.SCHEDULED,
        to_stage=CaseStage.RETURNED,
        by=UserFactory(),
        at=datetime.datetime.combine(arrived, datetime.time(20, 0), tzinfo=datetime.UTC),
        reason="Arrived on the flight.",
    )
    return case


class ServiceFactory(DjangoModelFactory[Service]):
    class Meta:
        model = Service

    case = factory.SubFactory(CaseFactory)
    kind = ServiceKind.PSYCHOSOCIAL
    status = ServiceStatus.PLANNED
    date = factory.LazyFunction(timezone.localdate)
    recorded_by = factory.SubFactory(UserFactory)


class PlanFactory(DjangoModelFactory[ReintegrationPlan]):
    class Meta:
        model = ReintegrationPlan

    case = factory.SubFactory(CaseFactory)
    arrival_date = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=60))
    template = factory.LazyFunction(lambda: FollowUpTemplate.objects.filter(is_default=True).first())
    created_by = factory.SubFactory(UserFactory)


class VisitFactory(DjangoModelFactory[FollowUpVisit]):
    class Meta:
        model = FollowUpVisit

    plan = factory.SubFactory(PlanFactory)
    case = factory.LazyAttribute(lambda o: o.plan.case)
    due_date = factory.LazyFunction(timezone.localdate)
    status = VisitStatus.SCHEDULED
    purpose = "Follow-up visit"
