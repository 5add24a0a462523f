"""Stable error codes of the cases API. Clients may depend on these values; never rename one."""

from __future__ import annotations

import enum

from homecoming.core.error_codes import first_error_code


class CaseErrorCode(enum.StrEnum):
    INVALID = "invalid"
    TRANSITION_NOT_ALLOWED = "transition_not_allowed"
    UNKNOWN_STAGE = "unknown_stage"
    REASON_REQUIRED = "reason_required"
    APPROVAL_REQUIRED = "approval_required"
    APPROVAL_INVALID = "approval_invalid"
    APPROVAL_PENDING = "approval_pending"
    APPROVAL_NOT_NEEDED = "approval_not_needed"
    APPROVAL_SAME_USER = "approval_same_user"
    APPROVAL_DECIDED = "approval_decided"
    APPROVAL_STALE = "approval_stale"
    ASSESSMENT_REQUIRED = "assessment_required"
    CONSENT_REQUIRED = "consent_required"
    HOLD_RETURN = "hold_return"
    OPEN_CASE_EXISTS = "open_case_exists"
    ASSIGNEE_NOT_MEMBER = "assignee_not_member"
    AGENCY_NOT_ALLOWED = "agency_not_allowed"
    DATE_IN_FUTURE = "date_in_future"
    CONSENT_WITHDRAWN = "consent_withdrawn"
    DOCUMENT_INVALID = "document_invalid"
    DOCUMENT_TOO_LARGE = "document_too_large"
    PERSON_NOT_FOUND = "person_not_found"


def error_code_of(error: object) -> str:
    """The first stable code in a Django ValidationError (INVALID when it carries none)."""
    return first_error_code(error, CaseErrorCode, CaseErrorCode.INVALID)
