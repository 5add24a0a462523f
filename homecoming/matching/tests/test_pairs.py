"""Reading pair files: required columns, row-level errors and warnings, date and sex formats."""

from __future__ import annotations

import datetime
import io

import pytest

from homecoming.matching.engine.compare import ESTIMATED_UNCERTAINTY_DAYS
from homecoming.matching.engine.pairs import REQUIRED_COLUMNS, InputError, parse_birth_date, parse_sex, read_pairs

HEADER = ",".join(REQUIRED_COLUMNS)
GOOD = "1,Dilnoza,Karimova,F,2014-05-17,0,Дилноза,Каримова,F,2014-07-01,1"


def read(text: str):
    return read_pairs(io.StringIO(text))


class TestRead:
    def test_reads_rows_and_ignores_extra_columns(self):
        rows, warnings = read(f"{HEADER},right_script,note\n{GOOD},cyrl,anything\n")
        assert warnings == []
        assert len(rows) == 1
        row = rows[0]
        assert (row.row, row.pair_id) == (2, "1")
        assert row.left.birth_date == datetime.date(2014, 5, 17)
        assert row.right.birth_uncertainty_days == ESTIMATED_UNCERTAINTY_DAYS
        assert row.right.family.tokens == ("каримова",)

    def test_columns_in_any_order(self):
        columns = list(reversed(REQUIRED_COLUMNS))
        values = list(reversed(GOOD.split(",")))
        rows, _ = read(",".join(columns) + "\n" + ",".join(values) + "\n")
        assert rows[0].pair_id == "1"

    def test_missing_column_names_the_column(self):
        header = HEADER.replace(",right_sex", "")
        with pytest.raises(InputError, match="right_sex") as raised:
            read(header + "\n")
        assert raised.value.column == "right_sex"
        assert raised.value.row == 1

    def test_empty_file(self):
        with pytest.raises(InputError, match="empty"):
            read("")

    def test_empty_pair_id_names_row_and_column(self):
        with pytest.raises(InputError, match=r"row 3, column 'pair_id'"):
            read(f"{HEADER}\n{GOOD}\n{GOOD.replace('1,', ',', 1)}\n")

    def test_repeated_pair_id(self):
        with pytest.raises(InputError, match="already used on row 2"):
            read(f"{HEADER}\n{GOOD}\n{GOOD}\n")

    def test_too_many_values(self):
        with pytest.raises(InputError, match="row 2"):
            read(f"{HEADER}\n{GOOD},extra\n")

    def test_bad_date_is_missing_with_a_warning_naming_row_and_column(self):
        rows, warnings = read(f"{HEADER}\n{GOOD.replace('2014-05-17', '2014-13-45')}\n")
        assert rows[0].left.birth_date is None
        assert [str(warning) for warning in warnings] == [
            "row 2, column 'left_birth_date': '2014-13-45' is not a date (YYYY-MM-DD); treated as missing"
        ]

    def test_bad_sex_and_flag_are_warnings(self):
        rows, warnings = read(f"{HEADER}\n{GOOD.replace(',F,2014-05-17,0,', ',X,2014-05-17,maybe,')}\n")
        assert rows[0].left.sex == ""
        assert {warning.column for warning in warnings} == {"left_sex", "left_birth_date_estimated"}


class TestParse:
    @pytest.mark.parametrize(
        ("text", "estimated", "expected"),
        [
            ("2014-05-17", False, (datetime.date(2014, 5, 17), 0)),
            ("17.05.2014", False, (datetime.date(2014, 5, 17), 0)),
            ("2014-05-17", True, (datetime.date(2014, 5, 17), ESTIMATED_UNCERTAINTY_DAYS)),
            ("2014", False, (datetime.date(2014, 7, 1), 183)),
            ("2014-05", False, (datetime.date(2014, 5, 15), 16)),
            ("2014", True, (datetime.date(2014, 7, 1), ESTIMATED_UNCERTAINTY_DAYS)),
            ("", False, None),
        ],
    )
    def test_birth_dates(self, text, estimated, expected):
        assert parse_birth_date(text, estimated=estimated) == expected

    @pytest.mark.parametrize("text", ["soon", "2014-02-30", "14/05/2014"])
    def test_bad_birth_dates(self, text):
        with pytest.raises(ValueError):  # noqa: PT011 - the message is the standard library's
            parse_birth_date(text)

    @pytest.mark.parametrize(
        ("text", "expected"),
        [("F", "F"), ("m", "M"), ("female", "F"), ("Ж", "F"), ("ذكر", "M"), ("", ""), ("U", ""), ("x", None)],
    )
    def test_sex(self, text, expected):
        assert parse_sex(text) == expected
