# ruff: noqa: RUF001, RUF003 - names and headers in Cyrillic and Arabic script, on purpose
"""Parsing cells: dates, ages, sex, names, countries, row numbers."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from homecoming.intake.values import (
    BadValueError,
    birth_from_age,
    parse_age,
    parse_birth_date,
    parse_date,
    parse_name,
    parse_nationality,
    parse_row_number,
    parse_sex,
    split_other_names,
)

TODAY = dt.date(2024, 6, 15)


def problem(func, *args, **kwargs) -> BadValueError:
    with pytest.raises(BadValueError) as info:
        func(*args, **kwargs)
    return info.value


@pytest.mark.parametrize(
    "text",
    [
        "2015-03-25",
        "2015/03/25",
        "25/03/2015",
        "25.03.2015",
        "25-03-2015",
        "٢٥/٠٣/٢٠١٥",
        "2015-03-25 00:00:00",
        " 25.3.2015 ",
    ],
)
def test_exact_dates_in_common_formats(text):
    birth = parse_birth_date(text, at=TODAY, today=TODAY)
    assert birth.value == dt.date(2015, 3, 25)
    assert birth.precision == "day"


def test_a_year_is_a_year_precision_date():
    birth = parse_birth_date("2012", at=TODAY, today=TODAY)
    assert birth.precision == "year"
    assert (birth.earliest, birth.latest) == (dt.date(2012, 1, 1), dt.date(2012, 12, 31))


def test_month_and_year():
    birth = parse_birth_date("03/2012", at=TODAY, today=TODAY)
    assert (birth.precision, birth.earliest, birth.latest) == ("month", dt.date(2012, 3, 1), dt.date(2012, 3, 31))


@pytest.mark.parametrize("text", ["about 7", "approx. 7", "~7", "7?", "около 7 лет", "حوالي ٧ سنوات", "7 years", "7"])
def test_an_age_in_the_date_column_is_an_estimated_birth_date(text):
    birth = parse_birth_date(text, at=TODAY, today=TODAY)
    assert birth.precision == "estimated"
    assert birth.earliest == dt.date(2016, 6, 16)
    assert birth.latest == dt.date(2017, 6, 15)
    assert birth.earliest <= birth.value <= birth.latest


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("31/02/2015", "date_impossible"),
        ("2015-02-29", "date_impossible"),
        ("2015-13-01", "date_invalid"),
        ("03/25/2015", "date_month_first"),
        ("2031-01-01", "date_future"),
        ("1850", "date_too_old"),
        ("01.01.1899", "date_too_old"),
        ("yesterday", "date_invalid"),
        ("25/03/15", "date_invalid"),
        ("-3", "age_negative"),
        ("about 300", "age_absurd"),
    ],
)
def test_bad_dates_say_why(text, code):
    assert problem(parse_birth_date, text, at=TODAY, today=TODAY).code == code


def test_leap_day_is_a_real_date():
    assert parse_date("29.02.2016", today=TODAY) == dt.date(2016, 2, 29)


@pytest.mark.parametrize(
    ("text", "years", "estimated"),
    [
        ("7", 7, False),
        ("7.5", 7.5, False),
        ("7,5", 7.5, False),
        ("about 7", 7, True),
        ("~7", 7, True),
        ("7?", 7, True),
        ("18 months", 1.5, False),
        ("18 мес", 1.5, False),
        ("6 أشهر", 0.5, False),
        ("3-4", 3.5, True),
        ("примерно 12 лет", 12, True),
        ("٩", 9, False),
        ("7 years old", 7, False),
    ],
)
def test_ages(text, years, estimated):
    value, marked = parse_age(text)
    assert value == pytest.approx(years)
    assert marked is estimated


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("-1", "age_negative"),
        ("150", "age_absurd"),
        ("seven", "age_invalid"),
        ("5-3", "age_invalid"),
        ("1 2", "age_invalid"),
    ],
)
def test_bad_ages(text, code):
    assert problem(parse_age, text).code == code


def test_birth_from_age_in_months_for_babies():
    birth = birth_from_age(0.5, dt.date(2024, 6, 15))
    assert (birth.earliest, birth.latest) == (dt.date(2023, 11, 16), dt.date(2023, 12, 15))


@given(
    st.integers(min_value=0, max_value=100), st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2030, 12, 31))
)
def test_someone_born_in_the_range_has_that_age(age, at):
    from homecoming.intake.values import age_on

    birth = birth_from_age(age, at)
    assert age_on(birth.earliest, at) == age
    assert age_on(birth.latest, at) == age
    assert age_on(birth.earliest - dt.timedelta(days=1), at) == age + 1


@pytest.mark.parametrize(
    ("text", "sex"),
    [
        ("F", "F"), ("female", "F"), ("Girl", "F"), ("ж", "F"), ("Жен.", "F"), ("женский", "F"), ("أنثى", "F"),
        ("انثى", "F"), ("зан", "F"), ("M", "M"), ("male", "M"), ("boy", "M"), ("м", "M"), ("муж", "M"),
        ("ذكر", "M"), ("мард", "M"), ("", "U"), ("unknown", "U"), ("?", "U"), ("غير معروف", "U"),
    ],
)  # fmt: skip
def test_sex_in_english_russian_tajik_and_arabic(text, sex):
    assert parse_sex(text) == sex


def test_an_unknown_sex_value_is_an_error():
    error = problem(parse_sex, "yes")
    assert error.code == "sex_invalid"
    assert error.params == {"value": "yes"}


def test_names_are_cleaned_of_invisible_and_direction_characters():
    name, changed = parse_name("Zari\u200bna \u202eRahimova\u202c")
    assert name == "Zarina Rahimova"
    assert changed


def test_homoglyphs_are_folded():
    # A Cyrillic "а" hidden in a Latin name.
    name, changed = parse_name("Z\u0430rina")
    assert name == "Zarina"
    assert changed


def test_a_clean_name_is_unchanged():
    assert parse_name("  Зарина   Рахимова ") == ("Зарина Рахимова", False)


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("<script>alert(1)</script>", "name_angle_brackets"),
        ("Zarina <b>", "name_angle_brackets"),
        ('=HYPERLINK("x")', "name_formula"),
        ("@SUM(A1)", "name_formula"),
        ("+Zarina", "name_formula"),
        ("12345", "name_no_letters"),
        ("---", "name_formula"),
        ("x" * 301, "name_too_long"),
    ],
)
def test_bad_names(text, code):
    assert problem(parse_name, text).code == code


def test_other_names_split_on_semicolons_and_bars():
    assert split_other_names("Zarina R.; Зарина | زارينا ;; ") == ["Zarina R.", "Зарина", "زارينا"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [("Tajikistan", ("TJK", True)), ("Таджикистан", ("TJK", True)), ("طاجيكستان", ("TJK", True)), ("TJK", ("TJK", True)),
     ("tjk", ("TJK", True)), ("Россия", ("RUS", True)), ("Atlantis", ("Atlantis", False))],
)  # fmt: skip
def test_nationality(text, expected):
    assert parse_nationality(text) == expected


@pytest.mark.parametrize(("text", "number"), [("5", 5), ("5.0", 5), ("row 12", 12), ("#7", 7), ("٣", 3)])
def test_row_numbers(text, number):
    assert parse_row_number(text) == number


def test_a_bad_row_number():
    assert problem(parse_row_number, "mother").code == "mother_row_invalid"
