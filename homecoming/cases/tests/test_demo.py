"""The demo cases: every stage shown, made through the services, loaded once."""

from __future__ import annotations

import pytest

from homecoming.accounts.models import Agency
from homecoming.cases.choices import ApprovalStatus, CaseStage
from homecoming.cases.demo import DEMO_PLAN, PENDING, demo_load_cases
from homecoming.cases.models import ApprovalRequest, Assessment, Case, CaseTransition, Consent
from homecoming.core.demo import demo_load_accounts
from homecoming.core.testing.factories import PersonFactory

pytestmark = pytest.mark.django_db


def test_nothing_without_persons() -> None:
    demo_load_accounts()
    assert demo_load_cases() == {"cases": 0}
    assert not Case.objects.exists()


def test_nothing_without_the_demo_accounts() -> None:
    PersonFactory()
    assert demo_load_cases() == {"cases": 0}


def test_demo_cases_cover_every_stage_and_load_once() -> None:
    demo_load_accounts()
    cpa = Agency.objects.get(code="cpa")
    persons = [PersonFactory(owner_agency=cpa) for _ in DEMO_PLAN]
    PersonFactory(owner_agency=Agency.objects.get(code="ngo"))
    assert demo_load_cases() == {"cases": len(DEMO_PLAN)}
    stages = [Case.objects.get(person=p).stage for p in persons]
    expected = [CaseStage.CONSENTED if s == PENDING else s for s in DEMO_PLAN]
    assert stages == expected
    assert set(Case.objects.values_list("assigned_to__username", flat=True)) == {"caseworker"}
    assert set(Case.objects.values_list("owner_agency__code", flat=True)) == {"cpa"}
    assert ApprovalRequest.objects.filter(status=ApprovalStatus.PENDING).count() == 1
    assert ApprovalRequest.objects.filter(status=ApprovalStatus.APPROVED).exists()
    assert Assessment.objects.exists()
    assert Consent.objects.exists()
    assert CaseTransition.objects.filter(to_stage=CaseStage.RETURNED).exists()

    before = (Case.objects.count(), CaseTransition.objects.count())
    assert demo_load_cases() == {"cases": 0}
    assert (Case.objects.count(), CaseTransition.objects.count()) == before
