"""Safe spreadsheets out: cells that could be formulas stay text."""

from __future__ import annotations

import io

import openpyxl
import pytest

from homecoming.exports.spreadsheets import csv_bytes, escape_csv, xlsx_bytes

DANGEROUS = ["=1+1", "+SUM(A1)", "-2+3", "@cmd", "\tx", "\rx", '=HYPERLINK("http://evil","click")']


@pytest.mark.parametrize("value", DANGEROUS)
def test_csv_cells_that_could_be_formulas_get_an_apostrophe(value):
    assert escape_csv(value) == "'" + value
    written = csv_bytes([[value]]).decode("utf-8-sig")
    assert written.lstrip('"').startswith("'")


def test_csv_keeps_ordinary_values_and_writes_a_bom():
    data = csv_bytes([["Зарина", 7, None, "a,b"]])
    assert data.startswith(b"\xef\xbb\xbf")
    assert data.decode("utf-8-sig") == 'Зарина,7,,"a,b"\r\n'


def test_xlsx_cells_that_could_be_formulas_stay_text():
    data = xlsx_bytes({"Persons": [["Name"], *[[value] for value in DANGEROUS], [7]]})
    sheet = openpyxl.load_workbook(io.BytesIO(data))["Persons"]
    for row, value in enumerate(DANGEROUS, start=2):
        cell = sheet.cell(row=row, column=1)
        assert cell.value == value.replace("\r", "\n")  # XML keeps no bare carriage return
        assert cell.data_type == "s"
        assert cell.quotePrefix
    assert sheet.cell(row=len(DANGEROUS) + 2, column=1).value == 7
    assert sheet["A1"].font.bold
