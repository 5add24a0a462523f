"""The stage table itself: complete, closed is final, approvals where the brief wants them."""

from __future__ import annotations

import itertools

import pytest

from homecoming.cases.choices import (
    ALLOWED_TRANSITIONS,
    APPROVAL_STAGES,
    HOLDABLE_STAGES,
    MAIN_PATH,
    CaseStage,
    needs_approval,
)


def test_every_stage_has_a_row() -> None:
    assert set(ALLOWED_TRANSITIONS) == set(CaseStage)


def test_no_stage_moves_to_itself() -> None:
    for stage, targets in ALLOWED_TRANSITIONS.items():
        assert stage not in targets


def test_closed_is_final() -> None:
    assert ALLOWED_TRANSITIONS[CaseStage.CLOSED] == frozenset()


def test_main_path_moves_forward_one_step() -> None:
    for here, there in itertools.pairwise(MAIN_PATH):
        assert there in ALLOWED_TRANSITIONS[here], f"{here} -> {there}"


def test_on_hold_from_every_open_stage_and_back() -> None:
    for stage in HOLDABLE_STAGES:
        assert CaseStage.ON_HOLD in ALLOWED_TRANSITIONS[stage]
        assert stage in ALLOWED_TRANSITIONS[CaseStage.ON_HOLD]


def test_not_eligible_only_from_verified_assessed_consented() -> None:
    sources = {s for s, targets in ALLOWED_TRANSITIONS.items() if CaseStage.NOT_ELIGIBLE in targets}
    assert sources == {CaseStage.VERIFIED, CaseStage.ASSESSED, CaseStage.CONSENTED}


def test_handed_over_only_from_approved_or_scheduled() -> None:
    sources = {s for s, targets in ALLOWED_TRANSITIONS.items() if CaseStage.HANDED_OVER in targets}
    assert sources == {CaseStage.APPROVED, CaseStage.SCHEDULED}


@pytest.mark.parametrize(
    ("from_stage", "to_stage", "expected"),
    [
        (CaseStage.CONSENTED, CaseStage.APPROVED, True),
        (CaseStage.REINTEGRATING, CaseStage.CLOSED, True),
        (CaseStage.ON_HOLD, CaseStage.CLOSED, True),
        (CaseStage.NOT_ELIGIBLE, CaseStage.CLOSED, True),
        (CaseStage.SCHEDULED, CaseStage.APPROVED, False),
        (CaseStage.ON_HOLD, CaseStage.APPROVED, False),
        (CaseStage.APPROVED, CaseStage.SCHEDULED, False),
        (CaseStage.IDENTIFIED, CaseStage.VERIFIED, False),
    ],
)
def test_needs_approval(from_stage, to_stage, expected) -> None:
    assert needs_approval(from_stage, to_stage) is expected
    if expected:
        assert to_stage in APPROVAL_STAGES
