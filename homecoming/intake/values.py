# ruff: noqa: RUF001 - vocabularies in Cyrillic and Arabic script, on purpose
"""Parsing one cell into a value: dates, ages, sex, names, countries. Pure functions.

Each parser returns the value or raises :class:`BadValueError` with an issue code and its
parameters (see ``homecoming.intake.issues.MESSAGES``); the caller adds the row and column.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from homecoming.intake.fields import normalise_header
from homecoming.matching.engine.keys import clean

EARLIEST_YEAR = 1900
MAX_AGE_YEARS = 120
NAME_MAX_LENGTH = 300


class BadValueError(Exception):
    def __init__(self, code: str, **params: Any) -> None:
        super().__init__(code)
        self.code = code
        self.params = params


# Arabic-Indic and Eastern Arabic-Indic digits, and the Arabic decimal separator.
_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹٫", "01234567890123456789.")


def western_digits(text: str) -> str:
    return text.translate(_DIGITS)


# --- dates ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class BirthDate:
    """A date of birth: exact ("day"), to the month or year, or estimated from an age."""

    value: dt.date
    precision: str  # "day", "month", "year", "estimated"
    earliest: dt.date
    latest: dt.date

    def to_json(self) -> dict[str, str]:
        return {
            "birth_date": self.value.isoformat(),
            "birth_date_precision": self.precision,
            "birth_date_earliest": self.earliest.isoformat(),
            "birth_date_latest": self.latest.isoformat(),
        }


_ISO = re.compile(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?")
_DMY = re.compile(r"(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})")
_MY = re.compile(r"(\d{1,2})[/.\-](\d{4})")
_YEAR = re.compile(r"(\d{4})")
_ABOUT_WORDS = frozenset({
    "about", "approx", "approximately", "around", "circa", "ca", "c", "estimated", "est", "aged", "age", "some",
    "около", "примерно", "приблизительно", "ориентировочно", "тахминан", "қариб", "тақрибан",
    "حوالي", "حوالى", "تقريبا", "نحو", "قرابة", "تقريباً",
})  # fmt: skip
_YEAR_WORDS = frozenset({
    "years", "year", "yrs", "yr", "y", "yo", "old", "лет", "год", "года", "г", "сол", "сола", "سنة", "سنوات",
    "عام", "أعوام", "اعوام", "سنه", "سنين",
})  # fmt: skip
_MONTH_WORDS = frozenset({
    "months", "month", "mos", "mo", "m", "мес", "месяц", "месяца", "месяцев", "моҳ", "моҳа", "شهر", "أشهر", "اشهر",
    "شهور", "شهرا", "شهراً",
})  # fmt: skip
_AGE_TOKEN = re.compile(r"-?\d+(?:\.\d+)?|[^\W\d_]+")
_AGE_RANGE = re.compile(r"(\d+(?:\.\d+)?)\s*(?:-|–|—|to|до|تا|إلى|الى)\s*(\d+(?:\.\d+)?)")


def parse_age(text: str) -> tuple[float, bool]:
    """An age in years (months become a fraction) and whether it was marked as estimated.

    Accepts "7", "7.5", "7,5", "about 7", "~7", "7?", "7 years", "18 months", "3-4" (the middle,
    estimated), in English, Russian, Tajik and Arabic, with Arabic-Indic digits.
    """
    raw = text.strip()
    text = " ".join(western_digits(raw).casefold().replace(",", ".").split())
    estimated = False
    for mark in ("~", "≈", "±", "?", "+"):
        if mark in text:
            estimated = True
            text = text.replace(mark, " ")
    if match := _AGE_RANGE.search(text):
        low, high = float(match[1]), float(match[2])
        if low > high:
            raise BadValueError("age_invalid", value=raw)
        text = text[: match.start()] + f" {(low + high) / 2} " + text[match.end() :]
        estimated = True
    tokens = _AGE_TOKEN.findall(text)
    numbers = [t for t in tokens if t[0].isdigit() or t[0] == "-"]
    months = False
    for word in (t for t in tokens if t not in numbers):
        if word in _ABOUT_WORDS:
            estimated = True
        elif word in _MONTH_WORDS:
            months = True
        elif word not in _YEAR_WORDS:
            raise BadValueError("age_invalid", value=raw)
    if len(numbers) != 1:
        raise BadValueError("age_invalid", value=raw)
    value = float(numbers[0])
    if value < 0:
        raise BadValueError("age_negative", value=raw)
    if months:
        value = value / 12
    if value > MAX_AGE_YEARS:
        raise BadValueError("age_absurd", value=round(value, 1), limit=MAX_AGE_YEARS)
    return value, estimated


def _add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def _add_months(day: dt.date, months: int) -> dt.date:
    month_index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(month_index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return dt.date(year, month + 1, min(day.day, last))


def birth_from_age(age: float, at: dt.date) -> BirthDate:
    """The range of birth dates for someone ``age`` years old on ``at`` (whole years or months)."""
    months = round(age * 12)
    if months % 12 == 0 or age >= 3:
        years = int(age)
        latest = _add_years(at, -years)
        earliest = _add_years(at, -(years + 1)) + dt.timedelta(days=1)
    else:
        latest = _add_months(at, -months)
        earliest = _add_months(at, -(months + 1)) + dt.timedelta(days=1)
    middle = earliest + (latest - earliest) / 2
    return BirthDate(value=middle, precision="estimated", earliest=earliest, latest=latest)


def _checked(year: int, month: int, day: int, raw: str) -> dt.date:
    if not 1 <= month <= 12:
        raise BadValueError("date_invalid", value=raw)
    last = calendar.monthrange(year, month)[1] if year >= 1 else 31
    if not 1 <= day <= last:
        if 1 <= day <= 31:
            raise BadValueError("date_impossible", value=raw, day=day)
        raise BadValueError("date_invalid", value=raw)
    return dt.date(year, month, day)


def _in_range(value: dt.date, raw: str, today: dt.date) -> None:
    if value > today:
        raise BadValueError("date_future", value=raw)
    if value.year < EARLIEST_YEAR:
        raise BadValueError("date_too_old", value=raw, year=EARLIEST_YEAR)


def parse_date(text: str, *, today: dt.date) -> dt.date:
    """An exact date (for "age at date"): ISO or day/month/year."""
    raw = text.strip()
    text = western_digits(raw)
    if match := _ISO.fullmatch(text):
        value = _checked(int(match[1]), int(match[2]), int(match[3]), raw)
    elif match := _DMY.fullmatch(text):
        day, month, year = int(match[1]), int(match[2]), int(match[3])
        if month > 12 and day <= 12:
            raise BadValueError("date_month_first", value=raw)
        value = _checked(year, month, day, raw)
    else:
        raise BadValueError("date_invalid", value=raw)
    _in_range(value, raw, today)
    return value


def parse_birth_date(text: str, *, at: dt.date, today: dt.date) -> BirthDate:
    """A date of birth in any accepted form; "about 7" is an age on ``at``."""
    raw = text.strip()
    text = western_digits(raw)
    if _ISO.fullmatch(text) or _DMY.fullmatch(text):
        value = parse_date(raw, today=today)
        return BirthDate(value=value, precision="day", earliest=value, latest=value)
    if match := _MY.fullmatch(text):
        month, year = int(match[1]), int(match[2])
        if not 1 <= month <= 12:
            raise BadValueError("date_invalid", value=raw)
        earliest = dt.date(year, month, 1)
        latest = dt.date(year, month, calendar.monthrange(year, month)[1])
        _in_range(earliest, raw, today)
        return BirthDate(value=earliest, precision="month", earliest=earliest, latest=min(latest, today))
    if match := _YEAR.fullmatch(text):
        year = int(match[1])
        earliest = dt.date(year, 1, 1)
        _in_range(earliest, raw, today)
        latest = min(dt.date(year, 12, 31), today)
        return BirthDate(value=dt.date(year, 7, 1) if latest.year == year else earliest, precision="year",
                         earliest=earliest, latest=latest)  # fmt: skip
    try:
        age, _estimated = parse_age(raw)
    except BadValueError as problem:
        if problem.code in {"age_negative", "age_absurd"}:
            raise
        raise BadValueError("date_invalid", value=raw) from None
    return birth_from_age(age, at)


def age_on(birth: dt.date, day: dt.date) -> int:
    """Whole years between ``birth`` and ``day``."""
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


# --- sex -----------------------------------------------------------------------------------

_SEX_WORDS: dict[str, tuple[str, ...]] = {
    "F": ("f", "female", "woman", "women", "girl", "w", "fem", "ж", "жен", "женский", "женщина", "девочка",
          "д", "зан", "духтар", "занона", "أنثى", "انثى", "انثي", "أنثي", "أ", "مؤنث", "امرأة", "امراه", "بنت",
          "طفلة", "فتاة", "ث"),
    "M": ("m", "male", "man", "men", "boy", "муж", "м", "мужской", "мужчина", "мальчик", "мард", "писар",
          "мардона", "ذكر", "ذ", "مذكر", "رجل", "ولد", "طفل", "صبي"),
    "U": ("u", "unknown", "not known", "unk", "x", "?", "-", "—", "n a", "na", "неизвестно", "не известно",
          "не указан", "номаълум", "مجهول", "غير معروف", "غير محدد"),
}  # fmt: skip
_SEX_INDEX = {normalise_header(word) or word: code for code, words in _SEX_WORDS.items() for word in words}


def parse_sex(text: str) -> str:
    """ "F", "M" or "U" (unknown, also for an empty cell)."""
    raw = text.strip()
    if not raw:
        return "U"
    key = normalise_header(raw) or raw
    if key in _SEX_INDEX:
        return _SEX_INDEX[key]
    raise BadValueError("sex_invalid", value=raw)


# --- names ---------------------------------------------------------------------------------

_FORMULA_START = ("=", "+", "-", "@")


def clean_text(text: str) -> str:
    """Invisible and direction-override characters removed, look-alikes folded (the matching engine's rule)."""
    return clean(text)


def parse_name(text: str) -> tuple[str, bool]:
    """A cleaned name and whether cleaning changed more than spacing."""
    raw = " ".join(text.split())
    if "<" in raw or ">" in raw:
        raise BadValueError("name_angle_brackets")
    if raw.startswith(_FORMULA_START):
        raise BadValueError("name_formula", char=raw[0])
    cleaned = " ".join(clean_text(raw).split())
    if not any(unicodedata.category(char).startswith("L") for char in cleaned):
        raise BadValueError("name_no_letters", value=raw[:100])
    if len(cleaned) > NAME_MAX_LENGTH:
        raise BadValueError("name_too_long", length=len(cleaned), limit=NAME_MAX_LENGTH)
    return cleaned, cleaned != raw


def split_other_names(text: str) -> list[str]:
    parts = re.split(r"[;|\n]+|\s/\s", text)
    return [part.strip() for part in parts if part.strip()]


# --- countries -----------------------------------------------------------------------------

# The countries this work meets most, by code and by name in English, Russian, Tajik and Arabic.
_COUNTRIES: dict[str, tuple[str, ...]] = {
    "TJK": ("tajikistan", "tajik", "tadjikistan", "таджикистан", "таджик", "тоҷикистон", "тоҷик", "طاجيكستان", "طاجيكي", "طاجيكية"),
    "KAZ": ("kazakhstan", "kazakh", "казахстан", "казах", "қазақстан", "кazakhstan", "كازاخستان", "كازاخي", "كازاخية"),
    "UZB": ("uzbekistan", "uzbek", "узбекистан", "узбек", "ӯзбекистон", "أوزبكستان", "اوزبكستان", "أوزبكي", "أوزبكية"),
    "KGZ": ("kyrgyzstan", "kyrgyz", "kirghizia", "кыргызстан", "киргизия", "киргиз", "قيرغيزستان", "قرغيزستان"),
    "TKM": ("turkmenistan", "turkmen", "туркменистан", "туркмен", "تركمانستان"),
    "RUS": ("russia", "russian federation", "russian", "россия", "российская федерация", "русия", "روسيا", "روسي", "روسية"),
    "AZE": ("azerbaijan", "азербайджан", "أذربيجان", "اذربيجان"),
    "AFG": ("afghanistan", "afghan", "афганистан", "афғонистон", "أفغانستان", "افغانستان"),
    "IRQ": ("iraq", "iraqi", "ирак", "ироқ", "العراق", "عراقي", "عراقية"),
    "SYR": ("syria", "syrian arab republic", "syrian", "сирия", "сурия", "سوريا", "سورية", "سوري"),
    "TUR": ("turkey", "türkiye", "turkiye", "turkish", "турция", "туркия", "تركيا", "تركي", "تركية"),
    "IRN": ("iran", "иран", "эрон", "إيران", "ايران"),
    "DEU": ("germany", "german", "германия", "олмон", "ألمانيا", "المانيا"),
    "FRA": ("france", "french", "франция", "фаронса", "فرنسا"),
    "GBR": ("united kingdom", "uk", "britain", "великобритания", "британия", "المملكة المتحدة", "بريطانيا"),
    "UKR": ("ukraine", "украина", "украина", "أوكرانيا"),
    "GEO": ("georgia", "грузия", "гурҷистон", "جورجيا"),
    "IDN": ("indonesia", "индонезия", "إندونيسيا", "اندونيسيا"),
    "MAR": ("morocco", "марокко", "المغرب"),
    "TUN": ("tunisia", "тунис", "تونس"),
    "EGY": ("egypt", "египет", "миср", "مصر"),
    "SAU": ("saudi arabia", "саудовская аравия", "السعودية"),
    "JOR": ("jordan", "иордания", "الأردن", "الاردن"),
    "LBN": ("lebanon", "ливан", "لبنان"),
}  # fmt: skip
_COUNTRY_INDEX = {normalise_header(name): code for code, names in _COUNTRIES.items() for name in (code, *names)}


def parse_nationality(text: str) -> tuple[str, bool]:
    """(ISO 3166 alpha-3 code, True) for a recognised country; (the text as written, False) otherwise."""
    raw = " ".join(text.split())
    key = normalise_header(raw)
    if key in _COUNTRY_INDEX:
        return _COUNTRY_INDEX[key], True
    if re.fullmatch(r"[A-Z]{3}", raw):
        return raw, True
    return raw, False


def parse_row_number(text: str) -> int:
    raw = western_digits(text.strip())
    match = re.fullmatch(r"(?:row|строка|сатр|صف|سطر)?\s*#?\s*(\d{1,7})(?:\.0+)?", raw.casefold())
    if not match:
        raise BadValueError("mother_row_invalid", value=text.strip())
    return int(match[1])
