"""The stable error code carried by a ValidationError, shared by every app's ``error_codes.error_code_of``."""

from __future__ import annotations

import enum

from django.core.exceptions import ValidationError


def first_error_code(error: object, codes: type[enum.StrEnum], default: enum.StrEnum) -> str:
    """The first code of ``codes`` carried by a Django ValidationError (``default`` when it carries none)."""
    if not isinstance(error, ValidationError):
        return default.value
    items: list[ValidationError]
    if hasattr(error, "error_dict"):
        items = [e for errors in error.error_dict.values() for e in errors]
    else:
        items = list(error.error_list)
    for item in items:
        if item.code in codes._value2member_map_:
            return str(item.code)
    return default.value
