"""Validating rows and the references between them."""

from __future__ import annotations

import datetime as dt

import pytest

from homecoming.intake.fields import propose_mapping
from homecoming.intake.reading import read_table
from homecoming.intake.tests.files import csv_bytes
from homecoming.intake.validation import validate_table

TODAY = dt.date(2024, 6, 15)
HEADER = [
    "Full name",
    "Sex",
    "Date of birth",
    "Estimated age",
    "Mother's row",
    "Mother's name",
    "Facility",
    "Identifier",
]
FACILITIES = {"al-hol camp": [(11, "Al-Hol camp")], "roj": [(12, "Roj camp"), (13, "Roj annex")]}


def facilities(name: str):
    return FACILITIES.get(name.casefold(), [])


def validate(rows, **kwargs):
    table = read_table(csv_bytes([HEADER, *rows]), filename="list.csv")
    mapping = kwargs.pop("mapping", None) or propose_mapping(table.headers)
    return validate_table(table, mapping, facilities=facilities, today=TODAY, **kwargs)


def codes(result, row):
    return [(i.code, i.column) for i in result.rows[row - 2].issues]


def test_a_good_family():
    result = validate(
        [
            ["Zarina Rahimova", "F", "12.03.1990", "", "", "", "Al-Hol camp", "A-1"],
            ["Farhod Rahimov", "M", "", "about 7", "2", "", "al-hol camp", "A-2"],
            ["Madina Rahimova", "ж", "2019", "", "", "Zarina Rahimova", "", "A-3"],
        ]
    )
    assert result.error_count == 0
    mother, son, daughter = (row.cleaned for row in result.rows)
    assert mother["birth_date"] == "1990-03-12"
    assert mother["facility_id"] == 11
    assert mother["facility"] == "Al-Hol camp"
    assert son["birth_date_precision"] == "estimated"
    assert son["mother_resolved_row"] == 2
    assert daughter["sex"] == "F"
    assert daughter["mother_resolved_row"] == 2  # by name, within the file
    assert daughter["birth_date_precision"] == "year"


def test_errors_name_row_and_column_with_header():
    result = validate([["Zarina Rahimova", "Q", "31/02/2015", "-2", "", "", "Nowhere", ""]])
    assert codes(result, 2) == [
        ("sex_invalid", "B"),
        ("date_impossible", "C"),
        ("age_negative", "D"),
        ("facility_unknown", "G"),
    ]
    issue = result.rows[0].issues[1]
    assert str(issue).startswith("row 2, column C (“Date of birth”):")
    assert result.rows_with_errors == 1


def test_a_name_with_markup_is_an_error_not_cleaned():
    result = validate([["<script>alert(1)</script>", "F", "", "", "", "", "", ""]])
    assert codes(result, 2) == [("name_angle_brackets", "A")]


def test_a_row_without_a_name():
    result = validate([["", "F", "2010", "", "", "", "", ""]])
    assert codes(result, 2) == [("name_required", "A")]


def test_given_and_family_names_make_the_full_name():
    table = read_table(csv_bytes([["Given name", "Family name"], ["Zarina", "Rahimova"]]), filename="l.csv")
    result = validate_table(table, propose_mapping(table.headers), today=TODAY)
    assert result.rows[0].cleaned["full_name"] == "Zarina Rahimova"


def test_age_and_date_of_birth_must_agree():
    result = validate(
        [["Zarina", "F", "2010-01-01", "30", "", "", "", ""], ["Ali", "M", "2010-01-01", "14", "", "", "", ""]]
    )
    assert codes(result, 2) == [("age_dob_mismatch", "D")]
    assert codes(result, 3) == []


def test_age_at_a_date():
    table = read_table(
        csv_bytes([["Full name", "Estimated age", "Age at date"], ["Ali", "7", "01.01.2020"]]), filename="l.csv"
    )
    result = validate_table(table, propose_mapping(table.headers), today=TODAY)
    cleaned = result.rows[0].cleaned
    assert cleaned["age_at"] == "2020-01-01"
    assert cleaned["birth_date_earliest"] == "2012-01-02"
    assert cleaned["birth_date_latest"] == "2013-01-01"


def test_the_list_date_is_the_default_date_of_ages():
    result = validate([["Ali", "M", "", "7", "", "", "", ""]], list_date=dt.date(2019, 2, 1))
    assert result.rows[0].cleaned["birth_date_latest"] == "2012-02-01"


@pytest.mark.parametrize(
    ("mother", "code"),
    [
        (["Ali Hassan", "M", "1980", "", "", "", "", ""], "mother_row_not_female"),
        (["Aisha Hassan", "F", "2014", "", "", "", "", ""], "mother_row_not_adult"),
        (["Aisha Hassan", "", "", "", "", "", "", ""], "mother_row_not_female"),
    ],
)
def test_a_mother_row_must_be_an_adult_woman(mother, code):
    result = validate([mother, ["Child", "M", "2016", "", "2", "", "", ""]])
    assert codes(result, 3) == [(code, "E")]
    assert result.rows[1].cleaned["mother_resolved_row"] is None


def test_a_mother_row_must_exist_and_not_be_the_row_itself():
    result = validate(
        [
            ["Zarina", "F", "1990", "", "2", "", "", ""],
            ["Child", "M", "2016", "", "9", "", "", ""],
            ["Kid", "M", "", "", "1", "", "", ""],
        ]
    )
    assert codes(result, 2) == [("mother_row_self", "E")]
    assert codes(result, 3) == [("mother_row_missing", "E")]
    assert codes(result, 4) == [("mother_row_missing", "E")]  # row 1 is the header
    assert "Row 9, given as the mother's row, is not a row of data" in result.rows[1].issues[0].message()


def test_a_mother_cannot_be_younger_than_her_child():
    result = validate([["Zarina", "F", "1990", "", "", "", "", ""], ["Adult son", "M", "1989", "", "2", "", "", ""]])
    assert codes(result, 3) == [("mother_row_younger", "E")]


def test_rows_naming_each_other_as_mothers():
    result = validate([["Zarina", "F", "", "", "3", "", "", ""], ["Madina", "F", "", "", "2", "", "", ""]])
    assert ("mother_row_cycle", "E") in codes(result, 2)


def test_a_mother_name_that_matches_no_row_is_kept_with_a_warning():
    result = validate([["Ali", "M", "2016", "", "", "Gulnora Yusupova", "", ""]])
    [issue] = result.rows[0].issues
    assert (issue.code, issue.severity, issue.column) == ("mother_name_unresolved", "warning", "F")
    assert result.error_count == 0
    assert result.rows[0].cleaned["mother_name"] == "Gulnora Yusupova"


def test_an_ambiguous_mother_name_is_an_error():
    result = validate(
        [
            ["Gulnora Yusupova", "F", "1980", "", "", "", "", ""],
            ["Yusupova Gulnora", "F", "1985", "", "", "", "", ""],
            ["Ali", "M", "2016", "", "", "Gulnora Yusupova", "", ""],
        ]
    )
    assert codes(result, 4) == [("mother_name_ambiguous", "F")]


def test_facility_names_are_matched_to_the_registry():
    result = validate([["Zarina", "F", "", "", "", "", "Roj", ""]])
    assert codes(result, 2) == [("facility_ambiguous", "G")]
    assert "Roj camp" in result.rows[0].issues[0].message()


def test_duplicate_identifiers_in_a_file():
    result = validate([["Zarina", "F", "", "", "", "", "", "A-1"], ["Madina", "F", "", "", "", "", "", "a-1"]])
    assert codes(result, 3) == [("identifier_duplicate", "H")]
    assert "row 2" in result.rows[1].issues[0].message()


def test_reading_issues_in_mapped_columns_go_to_their_row(settings):
    settings.HOMECOMING_INTAKE_MAX_CELL_CHARS = 20
    result = validate([["Zarina " + "a" * 30, "F", "", "", "", "", "", ""]])
    assert ("cell_too_long", "A") in codes(result, 2)
    assert result.rows[0].issues[0].field == "full_name"


def test_formula_like_values_are_kept_as_text_with_a_warning():
    result = validate([["Zarina", "F", "", "", "", "", "", "=1+1"]])
    assert [(i.code, i.severity) for i in result.rows[0].issues] == [
        ("cell_formula_text", "warning"),
        ("value_formula", "warning"),
    ]
    assert result.rows[0].cleaned["identifier"] == "=1+1"


def test_cleaned_values_are_json():
    import json

    result = validate([["Zarina\u200b Rahimova", "F", "01.02.1990", "", "", "", "Al-Hol camp", "A-1"]])
    assert json.loads(json.dumps(result.rows[0].cleaned))["full_name"] == "Zarina Rahimova"
    assert codes(result, 2) == [("name_cleaned", "A")]
