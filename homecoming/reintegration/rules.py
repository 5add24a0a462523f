"""Rules of the reintegration app that several layers share: which cases take services, who may
record which kind of service and see which notes, and a person's (possibly estimated) age."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from homecoming.accounts.choices import Role
from homecoming.cases.choices import CaseStage
from homecoming.core.access import Perm, can_see_field_group, has_perm, user_roles
from homecoming.reintegration.choices import ServiceKind
from homecoming.reintegration.vaccination import BirthDate

# Services and follow-up are for persons who have come home.
SERVICE_STAGES: frozenset[CaseStage] = frozenset({CaseStage.RETURNED, CaseStage.REINTEGRATING})

K = ServiceKind
# The kinds each role records as delivered, missed or cancelled. Anyone who records services may
# *plan* (or refer for) a service of any kind: a teacher who sees a child in distress plans a
# session with the psychologist, who then records what happened.
ROLE_SERVICE_KINDS: dict[Role, frozenset[ServiceKind]] = {
    Role.HEALTH_WORKER: frozenset({K.SCREENING, K.TREATMENT, K.VACCINATION}),
    Role.PSYCHOLOGIST: frozenset({K.PSYCHOSOCIAL}),
    Role.TEACHER: frozenset({K.SCHOOL}),
    Role.CASE_WORKER: frozenset({K.SCHOOL, K.PLACEMENT, K.LEGAL_AID, K.CIVIL_DOCUMENTS}),
}

# The field group of each kind's own notes (None: only the general notes).
KIND_FIELD_GROUP: dict[ServiceKind, str | None] = {
    K.SCREENING: "health",
    K.TREATMENT: "health",
    K.VACCINATION: "health",
    K.PSYCHOSOCIAL: "psychosocial",
    K.LEGAL_AID: "legal",
    K.SCHOOL: None,
    K.PLACEMENT: None,
    K.CIVIL_DOCUMENTS: "legal",
}
NOTE_FIELDS: dict[str, str] = {
    "health": "health_notes",
    "psychosocial": "psychosocial_notes",
    "legal": "legal_notes",
}


def kinds_recordable_by(user: Any) -> set[ServiceKind]:
    """The kinds of service ``user`` may record as delivered (or missed, or cancelled)."""
    if not has_perm(user, Perm.SERVICE_RECORD):
        return set()
    kinds: set[ServiceKind] = set()
    for role in user_roles(user):
        kinds |= ROLE_SERVICE_KINDS.get(role, frozenset())
    return kinds


def kinds_plannable_by(user: Any) -> set[ServiceKind]:
    """The kinds of service ``user`` may plan: every kind, for those who record services."""
    return set(ServiceKind) if has_perm(user, Perm.SERVICE_RECORD) else set()


def visible_note_groups(user: Any) -> set[str]:
    """The field groups of notes ``user`` may read and write: health, psychosocial, legal."""
    return {group for group in NOTE_FIELDS if can_see_field_group(user, group)}


# --- age ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Age:
    """A person's date of birth as far as it is known."""

    birth: BirthDate | None  # None: no date of birth or estimate recorded
    best: date | None  # the date to compute a single age from (the recorded date of birth)

    @property
    def known(self) -> bool:
        return self.birth is not None

    @property
    def estimated(self) -> bool:
        return self.birth is not None and self.birth.estimated

    def years_on(self, on: date) -> int | None:
        if self.best is None:
            return None
        return completed_years(self.best, on)

    def youngest_years_on(self, on: date) -> int | None:
        """Completed years counted from the latest plausible date of birth (the youngest age)."""
        if self.birth is None:
            return None
        return completed_years(self.birth.latest, on)


def completed_years(birth: date, on: date) -> int:
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


def age_of(person: Any) -> Age:
    """The date of birth of ``person``, exact or estimated.

    An estimate is read from ``birth_date_min`` / ``birth_date_max`` when the registry records
    them; otherwise ``birth_date`` is taken as exact.
    """
    best: date | None = getattr(person, "birth_date", None)
    low: date | None = getattr(person, "birth_date_min", None)
    high: date | None = getattr(person, "birth_date_max", None)
    bounds = [d for d in (low, high) if d is not None]
    if bounds:
        earliest, latest = min(bounds), max(bounds)
        if best is None or not (earliest <= best <= latest):
            best = earliest + (latest - earliest) / 2
        return Age(birth=BirthDate(earliest, latest), best=best)
    if best is not None:
        return Age(birth=BirthDate.exact(best), best=best)
    return Age(birth=None, best=None)
