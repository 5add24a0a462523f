"""The rules a stage move must satisfy besides the table, as reads (no writes).

``case_transition()`` raises what ``move_refusal()`` returns; the case page uses the same
function to say, next to each move, why it cannot be made yet.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from homecoming.cases.choices import ALLOWED_TRANSITIONS, CONSENT_STAGES, AssessmentOutcome, CaseStage, ConsentScope
from homecoming.cases.error_codes import CaseErrorCode
from homecoming.cases.models import Case


def to_stage_or_error(value: CaseStage | str) -> CaseStage:
    try:
        return CaseStage(value)
    except ValueError:
        raise ValidationError(
            {"to_stage": ValidationError(_("Choose a stage from the list."), code=CaseErrorCode.UNKNOWN_STAGE)}
        ) from None


def _error(message: Any, code: CaseErrorCode, **params: str) -> ValidationError:
    return ValidationError({"to_stage": ValidationError(message, code=code, params=params or None)})


def latest_assessment_outcome(case: Case) -> str | None:
    return case.assessments.order_by("-assessed_on", "-id").values_list("outcome", flat=True).first()


def has_valid_repatriation_consent(case: Case) -> bool:
    return case.consents.valid().covering(ConsentScope.REPATRIATION).exists()


def move_refusal(case: Case, to_stage: CaseStage) -> ValidationError | None:
    """Why ``case`` cannot move to ``to_stage`` now (keyed by "to_stage"), or None if it can.

    Approval is not checked here: whether a move needs one is ``choices.needs_approval``.
    """
    from_stage = CaseStage(case.stage)
    if to_stage not in ALLOWED_TRANSITIONS[from_stage]:
        if from_stage == CaseStage.CLOSED:
            return _error(
                _("A closed case cannot move any more; open a new case for this person if needed."),
                CaseErrorCode.TRANSITION_NOT_ALLOWED,
            )
        return _error(
            _("A case in stage “%(from)s” cannot move to “%(to)s”."),
            CaseErrorCode.TRANSITION_NOT_ALLOWED,
            **{"from": str(from_stage.label), "to": str(to_stage.label)},
        )
    if from_stage == CaseStage.ON_HOLD and to_stage != CaseStage.CLOSED and to_stage != case.held_from_stage:
        held = CaseStage(case.held_from_stage).label if case.held_from_stage else "—"
        return _error(
            _("This case was put on hold at stage “%(held)s”; it can only go back to that stage, or be closed."),
            CaseErrorCode.HOLD_RETURN,
            held=str(held),
        )
    if to_stage == CaseStage.ASSESSED:
        outcome = latest_assessment_outcome(case)
        if outcome is None:
            return _error(
                _("Record an assessment before moving the case to “assessed”."), CaseErrorCode.ASSESSMENT_REQUIRED
            )
        if outcome != AssessmentOutcome.ELIGIBLE:
            return _error(
                _(
                    "The latest assessment's outcome is “%(outcome)s”; a case moves to “assessed” only "
                    "after an assessment finds the person eligible."
                ),
                CaseErrorCode.ASSESSMENT_REQUIRED,
                outcome=str(AssessmentOutcome(outcome).label),
            )
    if to_stage in CONSENT_STAGES and not has_valid_repatriation_consent(case):
        return _error(
            _("Record a valid consent to repatriation (not withdrawn) before moving the case to “%(to)s”."),
            CaseErrorCode.CONSENT_REQUIRED,
            to=str(to_stage.label),
        )
    return None
