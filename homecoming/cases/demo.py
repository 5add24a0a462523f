"""Demo cases for a newcomer's first look: cases at every stage for the demo persons of agency
"cpa", assigned to the demo user "caseworker", made through the real services (history, audit,
approvals by "manager"). Idempotent: persons that already have a case are left alone."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from homecoming.accounts.models import Agency, User
from homecoming.cases import services
from homecoming.cases.choices import AssessmentKind, AssessmentOutcome, CaseStage, ConsentGiver, ConsentScope
from homecoming.cases.models import Case
from homecoming.registry.models import Person

DEMO_AGENCY = "cpa"
DEMO_WORKER = "caseworker"
DEMO_MANAGER = "manager"
PENDING = "pending_approval"

# The stage each successive demo person's case is brought to (repeats when there are more persons).
DEMO_PLAN: tuple[str, ...] = (
    CaseStage.IDENTIFIED,
    CaseStage.VERIFIED,
    CaseStage.ASSESSED,
    CaseStage.CONSENTED,
    PENDING,
    CaseStage.APPROVED,
    CaseStage.SCHEDULED,
    CaseStage.RETURNED,
    CaseStage.REINTEGRATING,
    CaseStage.ON_HOLD,
    CaseStage.NOT_ELIGIBLE,
    CaseStage.CLOSED,
)
DEMO_MAX_CASES = 24


@dataclass
class _Demo:
    worker: User
    manager: User | None
    today: datetime.date

    def move(self, case: Case, to: CaseStage, reason: str) -> None:
        services.case_transition(case=case, to_stage=to, by=self.worker, reason=reason)

    def approve(self, case: Case, to: CaseStage, reason: str) -> bool:
        if self.manager is None:
            return False
        request = services.approval_request(case=case, to_stage=to, by=self.worker, reason=reason)
        services.approval_decide(request=request, by=self.manager, approve=True, note="Checked and agreed.")
        return True

    def assess(self, case: Case, outcome: AssessmentOutcome) -> None:
        eligible = outcome == AssessmentOutcome.ELIGIBLE
        services.assessment_record(
            case=case,
            by=self.worker,
            kind=AssessmentKind.BEST_INTERESTS,
            assessed_on=self.today - datetime.timedelta(days=40),
            outcome=outcome,
            reasons=(
                "In good health; relatives at home are ready to receive the child; return is in the child's interest."
                if eligible
                else "Serious medical condition needs treatment before any travel; to be assessed again next round."
            ),
            recommendations="Medical check-up on arrival; psychosocial support." if eligible else "",
            assessor=self.worker,
            assessor_role="social worker",
            round_label=f"{self.today:%B %Y}",
        )

    def consent(self, case: Case, person: Person) -> None:
        adult = person.birth_date is not None and (self.today - person.birth_date).days >= 18 * 365
        services.consent_record(
            case=case,
            by=self.worker,
            given_by_relation=ConsentGiver.SELF if adult else ConsentGiver.MOTHER,
            given_by_name="" if adult else "The child's mother (demo)",
            scopes=[ConsentScope.REPATRIATION, ConsentScope.SERVICES],
            given_on=self.today - datetime.timedelta(days=30),
            witness_name="Consular officer (demo)",
            interpreter_name="Interpreter (demo)",
            language="Tajik",
        )

    def bring(self, case: Case, person: Person, target: str) -> None:
        """Walk the case along the main path to ``target`` through the services."""
        if target == CaseStage.IDENTIFIED:
            return
        if target == CaseStage.NOT_ELIGIBLE:
            self.move(case, CaseStage.VERIFIED, "Identity confirmed from the foreign authority's list.")
            self.assess(case, AssessmentOutcome.NOT_ELIGIBLE)
            self.move(case, CaseStage.NOT_ELIGIBLE, "Not eligible in this round; see the assessment.")
            return
        self.move(case, CaseStage.VERIFIED, "Identity confirmed from the foreign authority's list.")
        if target == CaseStage.VERIFIED:
            return
        self.assess(case, AssessmentOutcome.ELIGIBLE)
        self.move(case, CaseStage.ASSESSED, "Best-interests assessment found return in the child's interest.")
        if target == CaseStage.ASSESSED:
            return
        self.consent(case, person)
        self.move(case, CaseStage.CONSENTED, "Consent to repatriation signed and witnessed.")
        if target == CaseStage.CONSENTED:
            return
        if target == CaseStage.ON_HOLD:
            self.move(case, CaseStage.ON_HOLD, "Talks with the foreign authority paused.")
            return
        if target == PENDING:
            if self.manager is not None:
                services.approval_request(
                    case=case, to_stage=CaseStage.APPROVED, by=self.worker, reason="Assessed, consented: ready."
                )
            return
        if not self.approve(case, CaseStage.APPROVED, "Assessed eligible and consented: ready for repatriation."):
            return
        if target == CaseStage.APPROVED:
            return
        self.move(case, CaseStage.SCHEDULED, "On the manifest of the next operation.")
        if target == CaseStage.SCHEDULED:
            return
        self.move(case, CaseStage.RETURNED, "Arrived home with the operation.")
        if target == CaseStage.RETURNED:
            return
        self.move(case, CaseStage.REINTEGRATING, "Placed with relatives; follow-up by the local committee.")
        if target == CaseStage.REINTEGRATING:
            return
        self.approve(case, CaseStage.CLOSED, "Settled at home; follow-up visits complete.")


@transaction.atomic
def demo_load_cases() -> dict[str, int]:
    """Open demo cases for the persons of agency "cpa" that have none. Does nothing without them."""
    agency = Agency.objects.filter(code=DEMO_AGENCY).first()
    worker = User.objects.filter(username=DEMO_WORKER).first()
    if agency is None or worker is None:
        return {"cases": 0}
    persons = list(Person.objects.filter(owner_agency=agency, cases__isnull=True).order_by("pk")[:DEMO_MAX_CASES])
    if not persons:
        return {"cases": 0}
    demo = _Demo(
        worker=worker,
        manager=User.objects.filter(username=DEMO_MANAGER).first(),
        today=timezone.localdate(),
    )
    already = Case.objects.filter(owner_agency=agency).count()
    for index, person in enumerate(persons, start=already):
        case = services.case_open(
            person=person,
            owner_agency=agency,
            by=worker,
            assigned_to=worker,
            summary="Demo case: generated person, generated history.",
        )
        demo.bring(case, person, DEMO_PLAN[index % len(DEMO_PLAN)])
    return {"cases": len(persons)}
