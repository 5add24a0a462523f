"""Vaccination catch-up: from a child's date of birth and the doses recorded, what is due when.

The national schedule is data (``VaccineScheduleItem`` rows, edited by administrators); this
module is pure: it takes the schedule, the birth date (exact or estimated) and the doses given,
and returns the plan. ``plan_for_case`` in ``selectors`` loads the rows and calls it.

The rules, per vaccine, dose after dose in order:

* A dose recorded (from a card, the caregiver's account, or given here) is *given*. The next
  dose counts its minimum interval from it. A dose given before its minimum age, or sooner
  than the minimum interval after the previous one, still counts but carries a warning for the
  health worker to judge.
* A dose not given is due on the latest of: its recommended age, its minimum age, and the
  previous dose's date (given or planned) plus the minimum interval. If that date has passed
  the dose is *overdue* and planned for today; if it is today, *due*; otherwise *upcoming*.
  Catch-up doses follow each other at the minimum intervals, not at the routine ages.
* A dose whose planned date falls after its maximum age (rotavirus, for example) is *no longer
  given*, and so is every later dose of that vaccine: a series that cannot be started or
  continued in time is not resumed.

Estimated ages. Many children born in the camps have only an estimated date of birth, a range
from ``earliest`` to ``latest``. The plan is conservative on both sides:

* minimum and recommended ages are counted from the **latest** plausible date of birth — the
  youngest the child may be — so that no dose is planned before the child is old enough for it
  (a dose given too young may not protect and may have to be repeated);
* maximum ages are counted from the **earliest** plausible date of birth — the oldest the child
  may be — so that no dose is planned after the child may have passed its upper age limit
  (for rotavirus, the risk of intussusception rises with age).

The price is that a dose with a narrow window may be marked "no longer given" for a child whose
age is very uncertain; the plan says why, and a narrower estimate (a clinical age assessment)
reopens it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from homecoming.reintegration.choices import PlanStatus


@dataclass(frozen=True)
class BirthDate:
    """An exact date of birth (``earliest == latest``) or an estimated range."""

    earliest: date
    latest: date

    def __post_init__(self) -> None:
        if self.earliest > self.latest:
            raise ValueError("The earliest plausible date of birth is after the latest.")

    @classmethod
    def exact(cls, value: date) -> BirthDate:
        return cls(value, value)

    @property
    def estimated(self) -> bool:
        return self.earliest != self.latest


@dataclass(frozen=True)
class ScheduleEntry:
    """One dose of the national schedule. Ages and intervals in days."""

    vaccine: str  # the vaccine's code
    vaccine_name: str
    dose_number: int
    recommended_age_days: int
    minimum_age_days: int
    minimum_interval_days: int | None = None  # from the previous dose of the same vaccine
    maximum_age_days: int | None = None  # the oldest age at which the dose may still be given
    pk: int | None = None

    @property
    def key(self) -> tuple[str, int]:
        return (self.vaccine, self.dose_number)


@dataclass(frozen=True)
class GivenDose:
    vaccine: str
    dose_number: int
    given_on: date
    source: str = ""
    pk: int | None = None

    @property
    def key(self) -> tuple[str, int]:
        return (self.vaccine, self.dose_number)


@dataclass(frozen=True)
class PlannedDose:
    entry: ScheduleEntry
    status: PlanStatus
    due_on: date | None = None  # when to give it (today for overdue doses); None if given or skipped
    scheduled_on: date | None = None  # the date the routine or catch-up schedule gives (before "today")
    given: GivenDose | None = None
    reason: Any = ""  # why: a lazily translated sentence
    warning: Any = ""

    @property
    def is_due_now(self) -> bool:
        return self.status in (PlanStatus.OVERDUE, PlanStatus.DUE)


@dataclass(frozen=True)
class CatchUpPlan:
    birth: BirthDate
    today: date
    doses: list[PlannedDose] = field(default_factory=list)

    @property
    def due_now(self) -> list[PlannedDose]:
        return [d for d in self.doses if d.is_due_now]

    @property
    def upcoming(self) -> list[PlannedDose]:
        return sorted(
            (d for d in self.doses if d.status == PlanStatus.UPCOMING),
            key=lambda d: (d.due_on or self.today, d.entry.vaccine_name),
        )

    @property
    def given(self) -> list[PlannedDose]:
        return [d for d in self.doses if d.status == PlanStatus.GIVEN]

    @property
    def skipped(self) -> list[PlannedDose]:
        return [d for d in self.doses if d.status == PlanStatus.SKIPPED]

    @property
    def up_to_date(self) -> bool:
        """Fully vaccinated for age: nothing overdue or due today."""
        return not self.due_now

    def by_status(self, status: PlanStatus) -> list[PlannedDose]:
        return [d for d in self.doses if d.status == status]


def _days(n: int) -> timedelta:
    return timedelta(days=n)


def humanise_age(days: int) -> Any:
    """An age or interval in the words a schedule uses: birth, 6 weeks, 9 months, 6 years."""
    if days == 0:
        return _("birth")
    for years in range(1, 19):
        if days == round(years * 365.25):
            return ngettext_lazy("%(n)d year", "%(n)d years", "n") % {"n": years}
    if days % 7 == 0 and days <= 52 * 7:
        return ngettext_lazy("%(n)d week", "%(n)d weeks", "n") % {"n": days // 7}
    for months in range(1, 216):
        if days == round(months * 30.4375):
            return ngettext_lazy("%(n)d month", "%(n)d months", "n") % {"n": months}
    return ngettext_lazy("%(n)d day", "%(n)d days", "n") % {"n": days}


def catch_up_plan(
    *,
    birth: BirthDate,
    schedule: Iterable[ScheduleEntry],
    given: Iterable[GivenDose],
    today: date,
) -> CatchUpPlan:
    """The catch-up plan of a child born on ``birth`` with the doses ``given``, as of ``today``."""
    if birth.earliest > today:
        raise ValueError("The date of birth is in the future.")
    series: dict[str, list[ScheduleEntry]] = defaultdict(list)
    for entry in schedule:
        series[entry.vaccine].append(entry)
    given_by_key: dict[tuple[str, int], GivenDose] = {}
    for dose in sorted(given, key=lambda d: d.given_on):
        given_by_key.setdefault(dose.key, dose)
    doses: list[PlannedDose] = []
    for vaccine in series:
        doses.extend(_plan_series(sorted(series[vaccine], key=lambda e: e.dose_number), birth, given_by_key, today))
    return CatchUpPlan(birth=birth, today=today, doses=_ordered(doses))


def _ordered(doses: Sequence[PlannedDose]) -> list[PlannedDose]:
    """Given doses by date, then what is due now, upcoming by date, and skipped last."""
    rank = {
        PlanStatus.GIVEN: 0,
        PlanStatus.OVERDUE: 1,
        PlanStatus.DUE: 1,
        PlanStatus.UPCOMING: 2,
        PlanStatus.SKIPPED: 3,
    }

    def key(d: PlannedDose) -> tuple[int, date, int, str, int]:
        when = d.given.given_on if d.given else (d.due_on or d.scheduled_on or date.max)
        return (rank[d.status], when, d.entry.recommended_age_days, d.entry.vaccine_name, d.entry.dose_number)

    return sorted(doses, key=key)


def _plan_series(
    entries: list[ScheduleEntry],
    birth: BirthDate,
    given_by_key: dict[tuple[str, int], GivenDose],
    today: date,
) -> list[PlannedDose]:
    planned: list[PlannedDose] = []
    previous: date | None = None  # the previous dose's date, given or planned
    blocked = False
    for entry in entries:
        dose = given_by_key.get(entry.key)
        if dose is not None:
            planned.append(
                PlannedDose(
                    entry=entry,
                    status=PlanStatus.GIVEN,
                    given=dose,
                    warning=_given_warning(entry, dose, birth, previous),
                )
            )
            previous = dose.given_on
            continue
        if blocked:
            planned.append(
                PlannedDose(
                    entry=entry,
                    status=PlanStatus.SKIPPED,
                    reason=_(
                        "An earlier dose of this vaccine could not be given in time, so the series is not resumed."
                    ),
                )
            )
            continue
        earliest = birth.latest + _days(entry.minimum_age_days)
        if previous is not None and entry.minimum_interval_days:
            earliest = max(earliest, previous + _days(entry.minimum_interval_days))
        scheduled = max(earliest, birth.latest + _days(entry.recommended_age_days))
        due = max(scheduled, today)
        if entry.maximum_age_days is not None and due > birth.earliest + _days(entry.maximum_age_days):
            blocked = True
            if birth.estimated:
                reason = _(
                    "Past the maximum age of %(age)s for this dose (counted from the earliest plausible date of birth, "
                    "as the age is estimated)."
                ) % {"age": humanise_age(entry.maximum_age_days)}
            else:
                reason = _("Past the maximum age of %(age)s for this dose.") % {
                    "age": humanise_age(entry.maximum_age_days)
                }
            planned.append(PlannedDose(entry=entry, status=PlanStatus.SKIPPED, scheduled_on=scheduled, reason=reason))
            continue
        if scheduled < today:
            status = PlanStatus.OVERDUE
        elif scheduled == today:
            status = PlanStatus.DUE
        else:
            status = PlanStatus.UPCOMING
        planned.append(PlannedDose(entry=entry, status=status, due_on=due, scheduled_on=scheduled))
        previous = due
    return planned


def _given_warning(entry: ScheduleEntry, dose: GivenDose, birth: BirthDate, previous: date | None) -> Any:
    # Judged against the earliest plausible date of birth: a warning only when the dose was too
    # early whatever the child's true age within the estimate.
    if dose.given_on < birth.earliest + _days(entry.minimum_age_days):
        return _("Recorded as given before the minimum age of %(age)s: judge whether to repeat it.") % {
            "age": humanise_age(entry.minimum_age_days)
        }
    if (
        previous is not None
        and entry.minimum_interval_days
        and dose.given_on < previous + _days(entry.minimum_interval_days)
    ):
        return _("Recorded as given less than %(interval)s after the previous dose: judge whether to repeat it.") % {
            "interval": humanise_age(entry.minimum_interval_days)
        }
    return ""
