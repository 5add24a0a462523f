"""Weight-for-age z-scores from the WHO Child Growth Standards (0-60 months). Pure Python, no Django.

Source of the method and the tables:

* WHO Multicentre Growth Reference Study Group. *WHO Child Growth Standards:
  Length/height-for-age, weight-for-age, weight-for-length, weight-for-height and body mass
  index-for-age: Methods and development.* Geneva: World Health Organization, 2006 —
  chapter 7 ("Computation of centiles and z-scores"), including the *restricted application of
  the LMS method* beyond ±3 SD used below.
* The monthly L, M, S values of weight-for-age for boys and girls, 0-60 months, as published by
  the WHO (https://www.who.int/tools/child-growth-standards/standards/weight-for-age),
  in the copy kept by the BSD-licensed ``pygrowup`` project (``data/`` holds the files and the
  licence; see ``data/README.md``).

How the z-score is computed (WHO, 2006, §7; the same as the WHO Anthro software):

1. Age in days from the dates (``age_days``); an age given in months converts at the WHO's
   30.4375 days a month.
2. L, M and S at that age: the WHO tables give them per completed month; between two months
   they are interpolated linearly at the fractional month ``age_days / 30.4375``. (WHO Anthro
   reads a table by day whose values lie on these same smooth curves; linear interpolation of
   the monthly values differs from it in the fourth decimal of the z-score.)
3. ``z = ((y / M) ** L - 1) / (S * L)``.
4. Restricted application beyond ±3 SD: the LMS distribution's tails are not used; the distance
   between the +2 and +3 SD weights (or -2 and -3) continues linearly, so that
   ``z = 3 + (y - SD3) / (SD3 - SD2)`` above +3 and ``z = -3 + (y - SD3neg) / (SD2neg - SD3neg)``
   below -3.

Classification (WHO): *severe underweight* z < -3; *moderate underweight* -3 ≤ z < -2. A
z-score below -6 or above +5 is biologically implausible (WHO flags) and means the weight, the
age or the sex should be checked before anything is concluded.
"""

from __future__ import annotations

import enum
import json
import math
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import cache
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent / "data"
TABLE_FILES = {
    "M": DATA_DIR / "pygrowup_wfa_boys_0_5_zscores.json",
    "F": DATA_DIR / "pygrowup_wfa_girls_0_5_zscores.json",
}

DAYS_PER_MONTH = 30.4375  # WHO: 365.25 / 12
MAX_MONTH = 60
MAX_AGE_DAYS = math.floor(MAX_MONTH * DAYS_PER_MONTH)  # 1826: the standard ends at 60 months
IMPLAUSIBLE_LOW = -6.0  # WHO flags for weight-for-age
IMPLAUSIBLE_HIGH = 5.0


class GrowthError(ValueError):
    """The z-score cannot be computed for these inputs; ``code`` says why."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


class Underweight(enum.StrEnum):
    """The WHO's classification by weight-for-age z-score."""

    SEVERE = "severe"  # z < -3
    MODERATE = "moderate"  # -3 <= z < -2
    NONE = "none"  # z >= -2


@dataclass(frozen=True)
class LMS:
    l: float  # noqa: E741 - the WHO's name: Box-Cox power
    m: float  # median
    s: float  # coefficient of variation

    def value_at(self, z: float) -> float:
        """The measurement at z-score ``z`` on the LMS curve (the exact, unrounded SD weight)."""
        if self.l == 0:
            return self.m * math.exp(self.s * z)
        return self.m * (1 + self.l * self.s * z) ** (1 / self.l)


@dataclass(frozen=True)
class TableRow:
    """One month of the WHO table: LMS and the SD weights as published (rounded to 0.1 kg)."""

    month: int
    lms: LMS
    sd: dict[int, float]  # -3 … 3 -> kg


@dataclass(frozen=True)
class WeightForAge:
    z: float  # rounded to 2 decimals, as the WHO reports it
    category: Underweight
    implausible: bool
    age_days: int


@cache
def table(sex: str) -> tuple[TableRow, ...]:
    """The WHO weight-for-age table of ``sex`` ("M" or "F"), months 0-60."""
    path = TABLE_FILES.get(sex)
    if path is None:
        raise GrowthError("sex_unknown", "The WHO standards are by sex: boys (M) or girls (F).")
    names = {-3: "SD3neg", -2: "SD2neg", -1: "SD1neg", 0: "SD0", 1: "SD1", 2: "SD2", 3: "SD3"}
    rows = []
    for raw in json.loads(path.read_text(encoding="utf-8")):
        rows.append(
            TableRow(
                month=int(raw["Month"]),
                lms=LMS(l=float(raw["L"]), m=float(raw["M"]), s=float(raw["S"])),
                sd={k: float(raw[name]) for k, name in names.items()},
            )
        )
    rows.sort(key=lambda r: r.month)
    if [r.month for r in rows] != list(range(MAX_MONTH + 1)):
        raise GrowthError("table_broken", f"The table {path.name} must hold every month from 0 to {MAX_MONTH}.")
    return tuple(rows)


def age_in_days(birth_date: date, on: date) -> int:
    return (on - birth_date).days


def months_to_days(months: float) -> int:
    """An age in months as the WHO converts it (30.4375 days a month), rounded to the day."""
    return round(months * DAYS_PER_MONTH)


def lms_at(sex: str, age_days: float) -> LMS:
    """L, M and S of ``sex`` at ``age_days`` (fractional days allowed), interpolated linearly
    between the monthly values."""
    if age_days < 0:
        raise GrowthError("age_negative", "The measurement date is before the date of birth.")
    if age_days > MAX_MONTH * DAYS_PER_MONTH:
        raise GrowthError("age_out_of_range", "The WHO Child Growth Standards cover children up to 60 months.")
    rows = table(sex)
    months = age_days / DAYS_PER_MONTH
    low = min(math.floor(months), MAX_MONTH)
    if low == MAX_MONTH:
        return rows[MAX_MONTH].lms
    frac = months - low
    a, b = rows[low].lms, rows[low + 1].lms
    return LMS(l=a.l + (b.l - a.l) * frac, m=a.m + (b.m - a.m) * frac, s=a.s + (b.s - a.s) * frac)


def zscore(measure: float, lms: LMS) -> float:
    """The z-score of ``measure`` (unrounded), with the WHO's restricted application beyond ±3."""
    if measure <= 0:
        raise GrowthError("measure_not_positive", "The weight must be more than zero.")
    z = math.log(measure / lms.m) / lms.s if lms.l == 0 else ((measure / lms.m) ** lms.l - 1) / (lms.s * lms.l)
    if z > 3:
        sd3 = lms.value_at(3)
        sd23 = sd3 - lms.value_at(2)
        z = 3 + (measure - sd3) / sd23
    elif z < -3:
        sd3neg = lms.value_at(-3)
        sd23neg = lms.value_at(-2) - sd3neg
        z = -3 + (measure - sd3neg) / sd23neg
    return z


def classify(z: float) -> Underweight:
    if z < -3:
        return Underweight.SEVERE
    if z < -2:
        return Underweight.MODERATE
    return Underweight.NONE


def weight_for_age(*, weight_kg: float | Decimal, sex: str, age_days: int) -> WeightForAge:
    """Weight-for-age z-score and classification of a child of ``sex`` ("M"/"F") at ``age_days``.

    Raises ``GrowthError`` (with a ``code``) when the standards do not apply: sex unknown, age
    negative or over 60 months, weight not positive.
    """
    lms = lms_at(sex, age_days)
    z = zscore(float(weight_kg), lms)
    rounded = round(z, 2)
    # Classify on the rounded value, as reported: a child shown at -2.00 is not "below -2".
    return WeightForAge(
        z=rounded,
        category=classify(rounded),
        implausible=rounded < IMPLAUSIBLE_LOW or rounded > IMPLAUSIBLE_HIGH,
        age_days=age_days,
    )


MUAC_SEVERE_MM = 115  # WHO/UNICEF 2009: MUAC < 115 mm is severe acute malnutrition (6-59 months)
MUAC_MODERATE_MM = 125  # 115 to < 125 mm: moderate acute malnutrition
MUAC_FROM_DAYS = months_to_days(6)


def muac_class(muac_mm: int, age_days: int) -> str:
    """ "severe", "moderate" or "" by mid-upper arm circumference, for children 6-59 months old."""
    if not (MUAC_FROM_DAYS <= age_days < months_to_days(60)):
        return ""
    if muac_mm < MUAC_SEVERE_MM:
        return "severe"
    if muac_mm < MUAC_MODERATE_MM:
        return "moderate"
    return ""
