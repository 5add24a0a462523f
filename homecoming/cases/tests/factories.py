"""Factories of the cases app. Generated people only."""

from __future__ import annotations

import datetime
from typing import Any

import factory
from factory.django import DjangoModelFactory

from homecoming.cases.choices import (
    AssessmentKind,
    AssessmentOutcome,
    CaseStage,
    ConsentGiver,
    ConsentScope,
)
from homecoming.cases.models import Assessment, Case, Consent, ConsentScopeEntry
from homecoming.core.testing.factories import CaseFactory, UserFactory

PDF_BYTES = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PNG_BYTES = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPEG_BYTES = b"\xff\xd8\xff\xe0" + b"\x00" * 64


class AssessmentFactory(DjangoModelFactory[Assessment]):
    class Meta:
        model = Assessment

    case = factory.SubFactory(CaseFactory)
    kind = AssessmentKind.ELIGIBILITY
    assessed_on = datetime.date(2019, 2, 15)
    round_label = "February 2019"
    assessor_name = factory.Faker("name")
    assessor_role = "social worker"
    outcome = AssessmentOutcome.ELIGIBLE
    reasons = "Healthy, mother agrees, relatives at home ready to receive."
    recorded_by = factory.SubFactory(UserFactory)


class ConsentFactory(DjangoModelFactory[Consent]):
    """A consent; ``scopes=[...]`` (default: repatriation) become its scope entries."""

    class Meta:
        model = Consent
        skip_postgeneration_save = True

    case = factory.SubFactory(CaseFactory)
    given_by_relation = ConsentGiver.MOTHER
    given_by_name = factory.Faker("name", locale="ru_RU")
    given_on = datetime.date(2019, 3, 1)
    language = "Tajik"
    recorded_by = factory.SubFactory(UserFactory)

    @factory.post_generation
    def scopes(self, create: bool, extracted: Any, **kwargs: Any) -> None:
        if not create:
            return
        values = extracted if extracted is not None else [ConsentScope.REPATRIATION]
        ConsentScopeEntry.objects.bulk_create([ConsentScopeEntry(consent=self, scope=s) for s in values])


def case_ready_for_anything(**kwargs: Any) -> Case:
    """A case whose assessment and consent let every move of the table be made (approvals aside).

    Pass ``stage=`` (and ``held_from_stage=`` for ``on_hold``) to put it anywhere.
    """
    stage = kwargs.get("stage", CaseStage.IDENTIFIED)
    if stage == CaseStage.ON_HOLD:
        kwargs.setdefault("held_from_stage", CaseStage.APPROVED)
    if stage == CaseStage.CLOSED:
        kwargs.setdefault("closed_at", datetime.datetime(2024, 1, 1, tzinfo=datetime.UTC))
    case = CaseFactory(**kwargs)
    AssessmentFactory(case=case)
    ConsentFactory(case=case)
    return case
