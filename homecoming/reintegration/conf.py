"""Settings of the reintegration app, overridable with ``HOMECOMING_REINTEGRATION = {...}``."""

from __future__ import annotations

from typing import Any

from django.conf import settings

DEFAULTS: dict[str, Any] = {
    # Ages in completed years: a child is under CHILD_AGE; school age is SCHOOL_AGE_FROM to
    # SCHOOL_AGE_TO inclusive (Tajikistan: school from 7, eleven grades).
    "CHILD_AGE": 18,
    "SCHOOL_AGE_FROM": 7,
    "SCHOOL_AGE_TO": 17,
    # The coverage dashboard: screened within this many days of arrival; a follow-up visit
    # within this many days counts as recent.
    "SCREENING_WITHIN_DAYS": 7,
    "FOLLOWUP_RECENT_DAYS": 90,
}


def setting(name: str) -> Any:
    overrides = getattr(settings, "HOMECOMING_REINTEGRATION", {}) or {}
    return overrides.get(name, DEFAULTS[name])
