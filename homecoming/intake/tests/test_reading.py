"""Reading uploads: encodings, delimiters, XLSX containers and every guard. Pure, no database."""

from __future__ import annotations

import time
import zipfile

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from homecoming.intake.issues import IntakeFileError, column_index, column_letter
from homecoming.intake.reading import decode, detect_encoding, read_table, sniff_delimiter
from homecoming.intake.tests.files import (
    ARABIC_NAMES,
    CYRILLIC_NAMES,
    HEADER,
    LATIN_NAMES,
    csv_bytes,
    csv_text,
    sheet_xml_replace,
    xlsx_bytes,
    zip_rewrite,
)

ROWS = [HEADER, ["Zarina Rahimova", "F", "1990-05-01", "", "Al-Hol camp", "A-1"]]


def error_of(data: bytes, filename: str = "list.csv", **kwargs) -> IntakeFileError:
    with pytest.raises(IntakeFileError) as info:
        read_table(data, filename=filename, **kwargs)
    return info.value


def names_file(names: list[str]) -> list[list[str]]:
    return [["Full name", "Sex"], *[[name, "F"] for name in names]]


# --- columns ------------------------------------------------------------------------------


def test_column_letters_round_trip():
    assert [column_letter(i) for i in (0, 25, 26, 51, 52, 701, 702)] == ["A", "Z", "AA", "AZ", "BA", "ZZ", "AAA"]
    for i in range(0, 2000, 7):
        assert column_index(column_letter(i)) == i
    with pytest.raises(ValueError, match="1"):
        column_index("1")


# --- encodings ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("encoding", "reason"),
    [
        ("utf-8", "utf-8"),
        ("utf-8-sig", "bom"),
        ("utf-16", "bom"),
        ("utf-16-le", "utf-16-nul"),
        ("utf-16-be", "utf-16-nul"),
    ],
)
def test_unicode_files_are_read_with_or_without_a_bom(encoding, reason):
    rows = names_file(["Зарина Рахимова", "فاطمة عبد الله", "Zarina Rahimova"])
    if encoding == "utf-16-be":
        data = b"\xfe\xff" + csv_text(rows).encode("utf-16-be")
        reason = "bom"
    else:
        data = csv_bytes(rows, encoding=encoding)
    table = read_table(data, filename="list.csv")
    assert table.encoding is not None
    assert table.encoding.reason == reason
    assert table.headers == ["Full name", "Sex"]  # no BOM left in the first header
    assert [row.values[0] for row in table.rows] == ["Зарина Рахимова", "فاطمة عبد الله", "Zarina Rahimova"]


def test_utf16_big_endian_without_bom_is_detected():
    data = csv_text(names_file(["Zarina Rahimova", "Ali Hassan"])).encode("utf-16-be")
    table = read_table(data, filename="list.csv")
    assert table.encoding is not None
    assert table.encoding.encoding == "utf-16-be"
    assert table.rows[1].values == ["Ali Hassan", "F"]


@pytest.mark.parametrize(
    ("names", "encoding"),
    [(CYRILLIC_NAMES, "cp1251"), (ARABIC_NAMES, "cp1256"), (LATIN_NAMES, "latin-1")],
)
def test_legacy_code_pages_are_guessed_from_the_script(names, encoding):
    data = csv_bytes(names_file(names), encoding=encoding)
    table = read_table(data, filename="list.csv")
    assert table.encoding is not None
    assert table.encoding.encoding == encoding
    assert table.encoding.reason == "scored"
    assert table.encoding.confident
    assert [row.values[0] for row in table.rows] == names


@pytest.mark.parametrize(("names", "encoding"), [(CYRILLIC_NAMES, "cp1251"), (ARABIC_NAMES, "cp1256")])
def test_all_capitals_do_not_fool_the_guess(names, encoding):
    upper = [name.upper() for name in names]
    assert detect_encoding(csv_bytes(names_file(upper), encoding=encoding)).encoding == encoding


@settings(max_examples=60, deadline=None)
@given(
    st.sampled_from([(CYRILLIC_NAMES, "cp1251"), (ARABIC_NAMES, "cp1256"), (LATIN_NAMES, "latin-1")]),
    st.lists(st.integers(min_value=0, max_value=9), min_size=4, max_size=30),
)
def test_guess_is_right_for_any_list_of_names(case, picks):
    names, encoding = case
    data = csv_bytes(names_file([names[i] for i in picks]), encoding=encoding)
    assert detect_encoding(data).encoding == encoding


def test_a_chosen_encoding_overrides_the_guess():
    data = csv_bytes(names_file(CYRILLIC_NAMES), encoding="cp1251")
    table = read_table(data, filename="list.csv", encoding="cp1256")
    assert table.encoding is not None
    assert table.encoding.reason == "chosen"
    assert table.rows[0].values[0] != CYRILLIC_NAMES[0]  # what the user sees in the preview, and corrects


def test_a_chosen_encoding_that_does_not_fit_names_the_line():
    data = csv_bytes(names_file(["Zarina", "Madina", *CYRILLIC_NAMES]), encoding="cp1251")
    error = error_of(data, encoding="utf-8")
    assert error.issue.code == "encoding_invalid"
    assert error.issue.params["line"] == 4
    assert "UTF-8" in error.issue.message()
    assert "line 4" in error.issue.message()


def test_an_unknown_encoding_name_is_refused():
    assert error_of(csv_bytes(ROWS), encoding="klingon").issue.code == "encoding_unknown"


def test_decode_drops_the_bom_of_a_chosen_utf8():
    text, guess = decode("\ufeffa,b\n".encode(), "utf-8")
    assert text == "a,b\n"
    assert guess.encoding == "utf-8-sig"


# --- delimiters ---------------------------------------------------------------------------


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
def test_delimiter_is_sniffed(delimiter):
    rows = [HEADER, ["Rahimova, Zarina", "F", "01.05.1990", "", "Al-Hol; annex", "A|1"]]
    table = read_table(csv_bytes(rows, delimiter=delimiter), filename="list.csv")
    assert table.delimiter == delimiter
    assert table.headers == HEADER
    assert table.rows[0].values[0] == "Rahimova, Zarina"


def test_a_single_column_file_has_one_column():
    assert sniff_delimiter("Full name\nZarina Rahimova\nAli Hassan\n") == ","
    table = read_table(b"Full name\nZarina Rahimova\n", filename="list.txt")
    assert table.headers == ["Full name"]


def test_rows_are_numbered_as_the_spreadsheet_shows_them_even_with_line_breaks_in_cells():
    rows = [HEADER, ["Zarina\nRahimova", "F"], ["Ali Hassan", "M"]]
    table = read_table(csv_bytes(rows), filename="list.csv")
    assert [row.number for row in table.rows] == [2, 3]
    assert table.rows[1].values[0] == "Ali Hassan"


# --- refused CSV --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "code", "what"),
    [
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "file_binary", "PDF"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "file_binary", "PNG"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", "file_binary", "JPEG"),
        (b"GIF89a\x01\x00", "file_binary", "GIF"),
        (b"MZ\x90\x00\x03", "file_binary", "program"),
        (b"\x1f\x8b\x08\x00", "file_binary", "gzip"),
        (b"PK\x03\x04\x14\x00\x00\x00", "file_zip_as_csv", "ZIP"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1\x00", "file_old_excel", "old Excel"),
    ],
)
def test_a_csv_that_is_something_else_is_refused_by_its_first_bytes(data, code, what):
    error = error_of(data + b"x" * 100)
    assert error.issue.code == code
    assert what in error.issue.message()


def test_nul_bytes_in_a_text_file_are_refused_naming_the_line():
    error = error_of(b"Full name,Sex\nZarina,F\nAli\x00\x00,M\n")
    assert error.issue.code == "file_nul_bytes"
    assert error.issue.params["line"] == 3


@pytest.mark.parametrize(
    ("filename", "code"),
    [
        ("list.pdf", "file_type_unsupported"),
        ("list.xls", "file_old_excel"),
        ("list.xlsm", "xlsx_macros"),
        ("list", "file_type_unsupported"),
    ],
)
def test_unsupported_file_names_are_refused(filename, code):
    assert error_of(b"a,b\n1,2\n", filename=filename).issue.code == code


def test_an_empty_file_is_refused():
    assert error_of(b"").issue.code == "file_empty"
    assert error_of(b"\n\n\n").issue.code == "file_empty"


def test_a_file_over_the_size_limit_is_refused(settings):
    settings.HOMECOMING_INTAKE_MAX_BYTES = 100
    error = error_of(csv_bytes([HEADER] + [["Zarina Rahimova", "F"]] * 10))
    assert error.issue.code == "file_too_large"
    assert "100" in error.issue.message()


# --- header and layout --------------------------------------------------------------------


def test_header_only_is_refused():
    assert error_of(csv_bytes([HEADER])).issue.code == "header_only"
    assert error_of(csv_bytes([HEADER, ["", ""], [" ", ""]])).issue.code == "header_only"


def test_an_empty_first_row_is_refused():
    error = error_of(b",,\nZarina,F,1990\n")
    assert error.issue.code == "header_missing"
    assert error.issue.row == 1


def test_duplicate_headers_name_both_columns():
    error = error_of(csv_bytes([["Name", "Sex", "name "], ["a", "F", "b"]]))
    assert error.issue.code == "header_duplicate"
    assert (error.issue.row, error.issue.column, error.issue.params["other"]) == (1, "C", "A")
    assert "Columns C and A" in error.issue.message()


def test_a_column_without_a_name_but_with_data_is_refused():
    error = error_of(csv_bytes([["Name", "", "Sex"], ["a", "", "F"], ["b", "x", "M"]]))
    assert (error.issue.code, error.issue.row, error.issue.column) == ("header_blank", 3, "B")


def test_a_value_beyond_the_last_named_column_is_refused():
    error = error_of(csv_bytes([["Name", "Sex"], ["a", "F"], ["b", "M", "", "stray"]]))
    assert (error.issue.code, error.issue.row, error.issue.column) == ("row_too_long", 3, "D")


def test_short_rows_are_padded():
    table = read_table(csv_bytes([["Name", "Sex", "Notes"], ["a"]]), filename="list.csv")
    assert table.rows[0].values == ["a", "", ""]


def test_too_many_columns(settings):
    settings.HOMECOMING_INTAKE_MAX_COLUMNS = 5
    error = error_of(csv_bytes([[f"c{i}" for i in range(8)], ["x"] * 8]))
    assert (error.issue.code, error.issue.row) == ("too_many_columns", 1)


def test_too_many_rows_names_the_first_row_over_the_limit(settings):
    settings.HOMECOMING_INTAKE_MAX_ROWS = 3
    error = error_of(csv_bytes([HEADER] + [["Zarina", "F"]] * 5))
    assert (error.issue.code, error.issue.row) == ("too_many_rows", 5)
    assert "more than 3 rows" in error.issue.message()


def test_a_huge_cell_is_cut_and_reported_with_row_and_column(settings):
    settings.HOMECOMING_INTAKE_MAX_CELL_CHARS = 50
    table = read_table(csv_bytes([HEADER, ["Zarina", "F"], ["Ali", "M", "x" * 200_000]]), filename="list.csv")
    assert table.rows[1].values[2] == "x" * 50
    [issue] = table.issues
    assert (issue.code, issue.row, issue.column, issue.header) == ("cell_too_long", 3, "C", "Date of birth")
    assert issue.is_error
    assert "200000" in issue.message()
    assert str(issue).startswith("row 3, column C (“Date of birth”)")


def test_a_million_empty_rows_at_the_end_are_not_read_one_by_one():
    data = csv_bytes(ROWS) + b",,,,,\r\n" * 1_000_000
    started = time.monotonic()
    table = read_table(data, filename="list.csv")
    assert len(table.rows) == 1
    assert time.monotonic() - started < 5  # generous: a row-by-row read takes far longer on these machines


def test_data_after_a_long_run_of_empty_rows_is_refused(settings):
    settings.HOMECOMING_INTAKE_MAX_BLANK_RUN = 10
    data = csv_bytes(ROWS) + b"\r\n" * 50 + csv_bytes([["Ali Hassan", "M"]])
    error = error_of(data)
    assert error.issue.code == "data_after_blank_rows"
    assert error.issue.row == 3
    assert "Rows 3 to 12 are empty" in error.issue.message()


def test_a_few_empty_rows_in_the_middle_are_skipped():
    data = csv_bytes([*ROWS, ["", ""], ["", ""], ["Ali Hassan", "M"]])
    table = read_table(data, filename="list.csv")
    assert [row.number for row in table.rows] == [2, 5]


def test_a_value_beginning_with_equals_is_text_and_flagged():
    table = read_table(csv_bytes([HEADER, ['=HYPERLINK("http://x","y")', "F"], ["+992 900", "M"]]), filename="l.csv")
    assert table.rows[0].values[0] == '=HYPERLINK("http://x","y")'
    [issue] = table.issues
    assert (issue.code, issue.row, issue.column, issue.severity) == ("cell_formula_text", 2, "A", "warning")


def test_control_characters_are_removed_and_flagged():
    table = read_table(b"Full name,Sex\nZari\x07na\x1b,F\n", filename="l.csv")
    assert table.rows[0].values[0] == "Zarina"
    assert table.issues[0].code == "cell_control_characters"


# --- XLSX ---------------------------------------------------------------------------------


def test_xlsx_values_are_read_as_text():
    import datetime as dt

    data = xlsx_bytes([HEADER, ["Zarina Rahimova", "F", dt.date(1990, 5, 1), 3, 7.5, True]])
    table = read_table(data, filename="list.xlsx")
    assert table.kind == "xlsx"
    assert table.sheet == "List"
    assert table.rows[0].number == 2
    assert table.rows[0].values == ["Zarina Rahimova", "F", "1990-05-01", "3", "7.5", "TRUE"]


def test_merged_cells_take_the_value_of_their_top_left_cell():
    rows = [HEADER, ["Zarina", "F", "", "", "Al-Hol camp"], ["Madina", "F"], ["Ali", "M"]]
    table = read_table(xlsx_bytes(rows, merges=["E2:E4"]), filename="list.xlsx")
    assert [row.values[4] for row in table.rows] == ["Al-Hol camp"] * 3


def test_formula_cells_are_flagged_and_never_evaluated():
    data = xlsx_bytes([HEADER, ["Zarina", "F", "=TODAY()"], ["Ali", "M", "1990"]])
    # A workbook saved by Excel keeps the formula's last result next to it.
    data = zip_rewrite(data, replace=sheet_xml_replace("<f>TODAY()</f><v />", "<f>TODAY()</f><v>2001</v>"))
    table = read_table(data, filename="list.xlsx")
    assert table.rows[0].values[2] == "2001"
    [issue] = table.issues
    assert (issue.code, issue.row, issue.column, issue.header) == ("cell_formula", 2, "C", "Date of birth")


def test_a_formula_without_a_saved_result_reads_as_empty_and_is_flagged():
    table = read_table(xlsx_bytes([HEADER, ["Zarina", "F", "=1+1"]]), filename="list.xlsx")
    assert table.rows[0].values[2] == ""
    assert table.issues[0].code == "cell_formula_no_value"


def test_a_wrong_dimension_does_not_cut_rows():
    rows = [HEADER] + [[f"Person {i}", "F"] for i in range(10)]
    data = zip_rewrite(
        xlsx_bytes(rows), replace=sheet_xml_replace('<dimension ref="A1:F11" />', '<dimension ref="A1:B2" />')
    )
    assert len(read_table(data, filename="list.xlsx").rows) == 10


def test_other_sheets_are_named_in_a_warning():
    table = read_table(xlsx_bytes(ROWS, extra_sheets=["Notes"]), filename="list.xlsx")
    assert table.issues[0].code == "xlsx_other_sheets"
    assert "Notes" in table.issues[0].message()
    # The other sheet can be chosen; this one holds only a header.
    assert (
        error_of(xlsx_bytes(ROWS, extra_sheets=["Notes"]), filename="l.xlsx", sheet="Notes").issue.code == "header_only"
    )


def test_choosing_a_missing_sheet_is_refused():
    assert error_of(xlsx_bytes(ROWS), filename="l.xlsx", sheet="Nope").issue.code == "xlsx_sheet_missing"


def test_macros_are_refused():
    data = zip_rewrite(xlsx_bytes(ROWS), add={"xl/vbaProject.bin": b"\x00" * 100})
    error = error_of(data, filename="list.xlsx")
    assert error.issue.code == "xlsx_macros"
    assert "vbaProject.bin" in error.issue.message()


def test_external_links_are_refused():
    data = zip_rewrite(xlsx_bytes(ROWS), add={"xl/externalLinks/externalLink1.xml": b"<externalLink/>"})
    assert error_of(data, filename="list.xlsx").issue.code == "xlsx_external_links"


def test_external_relationships_are_refused():
    rel = '<Relationship Type="x" Target="file:///etc/passwd" TargetMode="External" Id="rId9" />'
    data = zip_rewrite(
        xlsx_bytes(ROWS),
        replace={
            "xl/_rels/workbook.xml.rels": lambda c: c.replace(b"</Relationships>", rel.encode() + b"</Relationships>")
        },
    )
    assert error_of(data, filename="list.xlsx").issue.code == "xlsx_external_links"


def test_a_zip_bomb_is_refused_by_its_compression_ratio_before_it_is_unpacked():
    data = zip_rewrite(xlsx_bytes(ROWS), add={"xl/media/padding.bin": b"\x00" * (5 * 1024 * 1024)})
    error = error_of(data, filename="list.xlsx")
    assert error.issue.code == "xlsx_bomb_ratio"
    assert "padding.bin" in error.issue.message()


def test_a_zip_bomb_is_refused_by_its_total_size(settings):
    settings.HOMECOMING_INTAKE_XLSX_MAX_UNCOMPRESSED_BYTES = 10_000
    data = zip_rewrite(xlsx_bytes(ROWS), add={"xl/media/a.txt": bytes(range(256)) * 60})
    assert error_of(data, filename="list.xlsx").issue.code == "xlsx_bomb_size"


def test_too_many_parts_are_refused(settings):
    settings.HOMECOMING_INTAKE_XLSX_MAX_PARTS = 12
    data = zip_rewrite(xlsx_bytes(ROWS), add={f"xl/media/{i}.txt": b"x" for i in range(10)})
    assert error_of(data, filename="list.xlsx").issue.code == "xlsx_too_many_parts"


def test_an_encrypted_part_is_refused():
    data = bytearray(zip_rewrite(xlsx_bytes(ROWS), compression=zipfile.ZIP_STORED))
    # Set the "encrypted" flag of the first entry in the central directory.
    central = data.rfind(b"PK\x01\x02", 0, data.find(b"PK\x05\x06"))
    first = data.find(b"PK\x01\x02")
    assert central != -1
    data[first + 8] |= 0x1
    assert error_of(bytes(data), filename="list.xlsx").issue.code == "xlsx_encrypted_part"


def test_xml_entities_are_refused():
    bomb = (
        '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
        '<row r="1"><c r="A1" t="inlineStr"><is><t>&lol2;</t></is></c></row></sheetData></worksheet>'
    )
    data = zip_rewrite(xlsx_bytes(ROWS), replace={"xl/worksheets/sheet1.xml": lambda _c: bomb.encode()})
    assert error_of(data, filename="list.xlsx").issue.code == "xlsx_unsafe_xml"


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"Full name,Sex\nZarina,F\n", "xlsx_not_zip"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "file_old_excel"),
        (b"PK\x03\x04" + b"\x00" * 100, "xlsx_not_zip"),
    ],
)
def test_a_workbook_that_is_not_one_is_refused(data, code):
    assert error_of(data, filename="list.xlsx").issue.code == code


def test_a_zip_that_is_not_a_workbook_is_refused():
    import io

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("hello.txt", "hi")
    assert error_of(out.getvalue(), filename="list.xlsx").issue.code == "xlsx_not_zip"


def test_a_million_empty_rows_in_a_workbook_stop_the_reading_early():
    data = zip_rewrite(
        xlsx_bytes(ROWS), replace=sheet_xml_replace("</sheetData>", '<row r="1048576" />' + "</sheetData>")
    )
    started = time.monotonic()
    table = read_table(data, filename="list.xlsx")
    assert len(table.rows) == 1
    assert table.issues[-1].code == "rows_ignored_after_blank"
    assert time.monotonic() - started < 5


def test_data_far_below_a_million_empty_rows_is_refused():
    cell = '<row r="1048576"><c r="A1048576" t="inlineStr"><is><t>Ali</t></is></c></row>'
    data = zip_rewrite(xlsx_bytes(ROWS), replace=sheet_xml_replace("</sheetData>", cell + "</sheetData>"))
    error = error_of(data, filename="list.xlsx")
    assert (error.issue.code, error.issue.row) == ("data_after_blank_rows", 3)


def test_duplicate_headers_in_a_workbook_name_the_columns():
    error = error_of(xlsx_bytes([["Name", "Sex", "Name"], ["a", "F", "b"]]), filename="l.xlsx")
    assert (error.issue.code, error.issue.column) == ("header_duplicate", "C")
