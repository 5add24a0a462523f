"""Stable error codes of the operations API. Clients may depend on these values; never rename one."""

from __future__ import annotations

import enum

from homecoming.core.error_codes import first_error_code


class OperationErrorCode(enum.StrEnum):
    INVALID = "invalid"
    COUNTRY_UNKNOWN = "country_unknown"
    CURRENCY_UNKNOWN = "currency_unknown"
    STATUS_NOT_ALLOWED = "status_not_allowed"
    OPERATION_CLOSED = "operation_closed"
    REASON_REQUIRED = "reason_required"
    CASE_NOT_APPROVED = "case_not_approved"
    CASE_ON_OTHER_MANIFEST = "case_on_other_manifest"
    CASE_ALREADY_ON_MANIFEST = "case_already_on_manifest"
    CASE_MOVE_REFUSED = "case_move_refused"
    MANIFEST_STATUS_NOT_ALLOWED = "manifest_status_not_allowed"
    ARRIVAL_NOT_CLEARED = "arrival_not_cleared"
    ARRIVAL_REASON_MISSING = "arrival_reason_missing"
    PERSON_NOT_ON_OPERATION = "person_not_on_operation"
    HANDOVER_TO_DESTINATION = "handover_to_destination"
    DATE_IN_FUTURE = "date_in_future"
    AGENCY_NOT_ALLOWED = "agency_not_allowed"


def error_code_of(error: object) -> str:
    """The first stable code in a Django ValidationError (INVALID when it carries none)."""
    return first_error_code(error, OperationErrorCode, OperationErrorCode.INVALID)
