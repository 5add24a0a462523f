"""Stable error codes of the registry API. Clients may depend on these values; never rename one."""

from __future__ import annotations

import enum

from homecoming.core.error_codes import first_error_code


class RegistryErrorCode(enum.StrEnum):
    INVALID = "invalid"
    NAME_REQUIRED = "name_required"
    NAME_DUPLICATE = "name_duplicate"
    PRIMARY_NAME_REQUIRED = "primary_name_required"
    BIRTH_DATE_INVALID = "birth_date_invalid"
    AGENCY_NOT_ALLOWED = "agency_not_allowed"
    COUNTRY_UNKNOWN = "country_unknown"
    FILE_INVALID = "file_invalid"
    FILE_TOO_LARGE = "file_too_large"
    FILE_TYPE_REFUSED = "file_type_refused"
    IDENTIFIER_TAKEN = "identifier_taken"
    NATIONALITY_DUPLICATE = "nationality_duplicate"
    NATIONALITY_DECIDED = "nationality_decided"
    FAMILY_LINK_INVALID = "family_link_invalid"
    FAMILY_LINK_EXISTS = "family_link_exists"
    FAMILY_GROUP_INVALID = "family_group_invalid"
    CUSTODY_OVERLAP = "custody_overlap"
    CUSTODY_INVALID = "custody_invalid"
    FACILITY_DUPLICATE = "facility_duplicate"
    DATE_IN_FUTURE = "date_in_future"
    PERSON_NOT_FOUND = "person_not_found"


def error_code_of(error: object) -> str:
    """The first stable code in a Django ValidationError (INVALID when it carries none)."""
    return first_error_code(error, RegistryErrorCode, RegistryErrorCode.INVALID)
