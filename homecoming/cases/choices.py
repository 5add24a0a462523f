"""Choices of the cases app, and the table of allowed stage moves.

``ALLOWED_TRANSITIONS`` is THE table: ``case_transition()`` refuses every move not listed in
it. A few moves carry extra rules, enforced by the service:

* moves into ``APPROVAL_STAGES`` (approved, closed) need a manager's approval given by a
  different user than the one who asked, except a return to ``approved`` from ``scheduled``
  (taken off an operation before it left) or from ``on_hold``: the approval given stands;
* ``on_hold`` returns only to the stage the case was put on hold from (or closes);
* ``assessed`` needs an assessment whose outcome is *eligible*;
* ``consented``, ``approved`` and ``scheduled`` need a valid (not withdrawn) consent to
  repatriation;
* every move needs a reason.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class CaseStage(models.TextChoices):
    IDENTIFIED = "identified", _("identified")
    VERIFIED = "verified", _("verified")
    ASSESSED = "assessed", _("assessed")
    CONSENTED = "consented", _("consented")
    APPROVED = "approved", _("approved")
    SCHEDULED = "scheduled", _("scheduled")
    RETURNED = "returned", _("returned")
    REINTEGRATING = "reintegrating", _("reintegrating")
    CLOSED = "closed", _("closed")
    ON_HOLD = "on_hold", _("on hold")
    NOT_ELIGIBLE = "not_eligible", _("not eligible")
    HANDED_OVER = "handed_over", _("handed over")


S = CaseStage

# The main path, in order.
MAIN_PATH: tuple[CaseStage, ...] = (
    S.IDENTIFIED,
    S.VERIFIED,
    S.ASSESSED,
    S.CONSENTED,
    S.APPROVED,
    S.SCHEDULED,
    S.RETURNED,
    S.REINTEGRATING,
    S.CLOSED,
)

# Stages from which a case may be put on hold, and to which it may come back.
HOLDABLE_STAGES: frozenset[CaseStage] = frozenset(MAIN_PATH) - {S.CLOSED}

ALLOWED_TRANSITIONS: dict[CaseStage, frozenset[CaseStage]] = {
    S.IDENTIFIED: frozenset({S.VERIFIED, S.ON_HOLD, S.CLOSED}),
    S.VERIFIED: frozenset({S.ASSESSED, S.NOT_ELIGIBLE, S.ON_HOLD}),
    S.ASSESSED: frozenset({S.CONSENTED, S.NOT_ELIGIBLE, S.ON_HOLD}),
    S.CONSENTED: frozenset({S.APPROVED, S.NOT_ELIGIBLE, S.ON_HOLD}),
    S.APPROVED: frozenset({S.SCHEDULED, S.HANDED_OVER, S.ON_HOLD}),
    S.SCHEDULED: frozenset({S.RETURNED, S.APPROVED, S.HANDED_OVER, S.ON_HOLD}),
    S.RETURNED: frozenset({S.REINTEGRATING, S.ON_HOLD}),
    S.REINTEGRATING: frozenset({S.CLOSED, S.ON_HOLD}),
    S.CLOSED: frozenset(),
    # Back to the stage it was put on hold from (the service checks which), or closed.
    S.ON_HOLD: HOLDABLE_STAGES | {S.CLOSED},
    # Re-assessed in a later round (the service requires a new eligible assessment), or closed.
    S.NOT_ELIGIBLE: frozenset({S.ASSESSED, S.CLOSED}),
    S.HANDED_OVER: frozenset({S.CLOSED}),
}

# Moves into these stages need a manager's approval (see ``needs_approval``).
APPROVAL_STAGES: frozenset[CaseStage] = frozenset({S.APPROVED, S.CLOSED})

# Moves into these stages need a valid consent to repatriation.
CONSENT_STAGES: frozenset[CaseStage] = frozenset({S.CONSENTED, S.APPROVED, S.SCHEDULED})

# A case in any stage but these counts as open (one open case per person).
CLOSED_STAGES: frozenset[CaseStage] = frozenset({S.CLOSED})


def needs_approval(from_stage: CaseStage | str, to_stage: CaseStage | str) -> bool:
    """Whether moving ``from_stage`` -> ``to_stage`` needs a manager's approval."""
    if to_stage not in APPROVAL_STAGES:
        return False
    # Taken off an operation before it left, or back from hold: the approval given before stands.
    return not (to_stage == S.APPROVED and from_stage in (S.SCHEDULED, S.ON_HOLD))


class CasePriority(models.TextChoices):
    LOW = "low", _("low")
    NORMAL = "normal", _("normal")
    HIGH = "high", _("high")
    URGENT = "urgent", _("urgent")


class ApprovalStatus(models.TextChoices):
    PENDING = "pending", _("pending")
    APPROVED = "approved", _("approved")
    REJECTED = "rejected", _("rejected")
    SUPERSEDED = "superseded", _("superseded")


class AssessmentKind(models.TextChoices):
    ELIGIBILITY = "eligibility", _("eligibility")
    BEST_INTERESTS = "best_interests", _("best interests")


class AssessmentOutcome(models.TextChoices):
    ELIGIBLE = "eligible", _("eligible")
    NOT_ELIGIBLE = "not_eligible", _("not eligible")
    NEEDS_INFORMATION = "needs_information", _("needs more information")


class ConsentGiver(models.TextChoices):
    MOTHER = "mother", _("mother")
    FATHER = "father", _("father")
    GUARDIAN = "guardian", _("guardian")
    SELF = "self", _("the person themself")


class ConsentScope(models.TextChoices):
    REPATRIATION = "repatriation", _("repatriation")
    SERVICES = "services", _("services")
    SHARING = "sharing", _("information sharing")
    TRACING = "tracing", _("family tracing")
