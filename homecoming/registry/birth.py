"""Dates of birth, exact or estimated. Pure functions, no database.

A person's ``birth_date`` is always the best estimate; ``birth_date_min`` / ``birth_date_max`` say
how far off it may be. Children born in a conflict zone often have no papers: a foreign list says
"about 4 years old in March 2019", which :func:`birth_range_from_age` turns into a range.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass

from homecoming.registry.choices import AGE_BAND_YEARS, BirthDatePrecision

__all__ = [
    "BirthRange",
    "add_years",
    "age_band_birth_range",
    "birth_range_from_age",
    "completed_years",
    "range_of_precision",
]

MAX_AGE = 130


@dataclass(frozen=True)
class BirthRange:
    """Born on some day from ``earliest`` to ``latest`` (both included)."""

    earliest: dt.date
    latest: dt.date

    @property
    def best(self) -> dt.date:
        """The middle of the range: the best estimate when nothing else is known."""
        return self.earliest + (self.latest - self.earliest) / 2

    def __contains__(self, day: object) -> bool:
        return isinstance(day, dt.date) and self.earliest <= day <= self.latest


def add_years(day: dt.date, years: int) -> dt.date:
    """``day`` moved by whole years; 29 February becomes 28 February in a common year."""
    year = day.year + years
    if day.month == 2 and day.day == 29 and not calendar.isleap(year):
        return dt.date(year, 2, 28)
    return day.replace(year=year)


def completed_years(birth: dt.date, on: dt.date) -> int:
    """The age in completed years on ``on`` of someone born on ``birth``."""
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


def birth_range_from_age(*, age: int, on: dt.date, on_latest: dt.date | None = None, margin: int = 0) -> BirthRange:
    """The dates of birth of someone who was ``age`` (completed years) old on ``on``.

    ``on_latest``: the age was told for a period, not a day ("4 years old in March 2019" is
    ``on=2019-03-01, on_latest=2019-03-31``). ``margin``: the age itself is approximate by that
    many years either way ("about 4" with ``margin=1`` is 3 to 5).

    Someone exactly 4 on 15 March 2019 was born from 16 March 2014 to 15 March 2015.
    """
    if age < 0 or age > MAX_AGE:
        raise ValueError(f"age out of range: {age}")
    if margin < 0:
        raise ValueError(f"negative margin: {margin}")
    last = on_latest or on
    if last < on:
        raise ValueError("on_latest is before on")
    earliest = add_years(on, -(age + margin + 1)) + dt.timedelta(days=1)
    latest = min(add_years(last, -max(age - margin, 0)), last)
    return BirthRange(earliest, latest)


def range_of_precision(day: dt.date, precision: str, *, today: dt.date | None = None) -> BirthRange:
    """The range a date of birth stands for at a precision (exact, month, year).

    The end of the range is never after ``today`` (a child born this month is not born later)."""
    if precision == BirthDatePrecision.MONTH:
        earliest = day.replace(day=1)
        latest = day.replace(day=calendar.monthrange(day.year, day.month)[1])
    elif precision == BirthDatePrecision.YEAR:
        earliest = dt.date(day.year, 1, 1)
        latest = dt.date(day.year, 12, 31)
    else:
        earliest = latest = day
    if today is not None and latest > today:
        latest = max(today, earliest)
    return BirthRange(earliest, latest)


def age_band_birth_range(band: str, *, today: dt.date) -> tuple[dt.date | None, dt.date | None]:
    """(born on or after, born on or before) for the best estimate of someone in an age band today."""
    youngest, oldest = AGE_BAND_YEARS[band]
    born_before = add_years(today, -youngest)
    born_after = None if oldest is None else add_years(today, -(oldest + 1)) + dt.timedelta(days=1)
    return born_after, born_before
