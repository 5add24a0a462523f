"""Stable error codes of the reintegration API. Clients may depend on these values; never rename one."""

from __future__ import annotations

import enum

from homecoming.core.error_codes import first_error_code


class ReintegrationErrorCode(enum.StrEnum):
    INVALID = "invalid"
    CASE_NOT_RETURNED = "case_not_returned"
    KIND_NOT_ALLOWED = "kind_not_allowed"
    DATE_IN_FUTURE = "date_in_future"
    DATE_BEFORE_BIRTH = "date_before_birth"
    DOSE_ALREADY_RECORDED = "dose_already_recorded"
    DOSE_NOT_ON_SCHEDULE = "dose_not_on_schedule"
    PLAN_EXISTS = "plan_exists"
    ASSIGNEE_NOT_ALLOWED = "assignee_not_allowed"
    PROVIDER_NOT_MEMBER = "provider_not_member"
    VISIT_CLOSED = "visit_closed"
    SERVICE_CLOSED = "service_closed"
    CASE_NOT_FOUND = "case_not_found"


def error_code_of(error: object) -> str:
    """The first stable code in a Django ValidationError (INVALID when it carries none)."""
    return first_error_code(error, ReintegrationErrorCode, ReintegrationErrorCode.INVALID)
