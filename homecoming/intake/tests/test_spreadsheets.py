"""The annotated copy of a list with its errors."""

from __future__ import annotations

import io

import openpyxl

from homecoming.exports.spreadsheets import ERROR_FILL, WARNING_FILL
from homecoming.intake.fields import propose_mapping
from homecoming.intake.reading import read_table
from homecoming.intake.spreadsheets import annotated_xlsx
from homecoming.intake.tests.files import HEADER
from homecoming.intake.tests.files import csv_bytes as make_csv
from homecoming.intake.validation import validate_table


def test_the_annotated_copy_highlights_problems_and_keeps_row_numbers():
    rows = [
        HEADER,
        ["Zarina Rahimova", "F", "12.03.1990", "", "", "A-1"],
        ["", "", "", "", "", ""],
        ["Ali", "Q", "31/02/2015", "", "", "=1+1"],
    ]
    table = read_table(make_csv(rows), filename="list.csv")
    result = validate_table(table, propose_mapping(table.headers))
    issues = [issue for row in result.rows for issue in row.issues]
    workbook = openpyxl.load_workbook(io.BytesIO(annotated_xlsx(table, issues)))
    sheet = workbook.active
    assert [c.value for c in sheet[1]] == [*HEADER, "Errors"]
    assert sheet["A2"].value == "Zarina Rahimova"
    assert sheet["G2"].value is None
    assert sheet["A3"].value is None  # the empty row stays where it was
    assert sheet["A4"].value == "Ali"
    assert sheet["B4"].fill.fgColor.rgb.endswith(ERROR_FILL)
    assert "not a sex this system understands" in sheet["B4"].comment.text
    assert sheet["C4"].fill.fgColor.rgb.endswith(ERROR_FILL)
    assert sheet["F4"].value == "=1+1"
    assert sheet["F4"].data_type == "s"
    assert sheet["F4"].fill.fgColor.rgb.endswith(WARNING_FILL)
    errors = sheet["G4"].value
    assert errors.startswith("B: ")
    assert "C: " in errors
