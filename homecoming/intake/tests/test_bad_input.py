"""A corpus of malformed lists, generated here (no committed binaries).

Each goes through the command line import, as an operator would run it: each must be refused with
a message naming what is wrong and where (row and column as the spreadsheet shows them), write
nothing (no batch, no audit entry), and leave the registry unchanged.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from dataclasses import dataclass

import pytest
from django.core.management import CommandError, call_command

from homecoming.audit.models import AuditEntry
from homecoming.core.testing.factories import PersonFactory
from homecoming.intake.issues import MESSAGES
from homecoming.intake.models import IntakeBatch, IntakeRow
from homecoming.intake.tests.files import CYRILLIC_NAMES, csv_bytes, sheet_xml_replace, xlsx_bytes, zip_rewrite
from homecoming.registry.models import Person

pytestmark = pytest.mark.django_db

H = ["Full name", "Sex", "Date of birth", "Estimated age", "Mother's row", "Identifier"]
OK = ["Zarina Rahimova", "F", "12.03.1990", "", "", "A-1"]
FUTURE = (dt.date.today() + dt.timedelta(days=40)).strftime("%d.%m.%Y")  # noqa: DTZ011


def rows(*extra):
    return csv_bytes([H, OK, *extra])


def zip_of(name: str, content: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr(name, content)
    return out.getvalue()


XML_BOMB = (
    '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1">'
    '<c r="A1" t="inlineStr"><is><t>&b;</t></is></c></row></sheetData></worksheet>'
)


@dataclass
class Bad:
    id: str
    data: bytes
    code: str
    where: str = ""  # "row 3, column B" when the problem has a place in the sheet
    file_name: str = "list.csv"
    options: tuple[tuple[str, str], ...] = ()


CORPUS = [
    # --- files that cannot be read at all ---
    Bad("empty", b"", "file_empty"),
    Bad("only-blank-lines", b"\r\n\r\n , ,\r\n", "file_empty"),
    Bad("header-only", csv_bytes([H]), "header_only"),
    Bad("pdf-named-csv", b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n", "file_binary"),
    Bad("png-named-csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 40, "file_binary"),
    Bad("zip-named-csv", zip_of("a.txt", b"hello"), "file_zip_as_csv"),
    Bad("nul-bytes", b"Full name,Sex\r\nZarina,F\r\nAli\x00,M\r\n", "file_nul_bytes"),
    Bad(
        "wrong-encoding-chosen",
        csv_bytes([H, *[[n, "F", "", "", "", ""] for n in CYRILLIC_NAMES]], encoding="cp1251"),
        "encoding_invalid",
        options=(("encoding", "utf-8"),),
    ),
    Bad("unsupported-extension", b"Full name\nZarina\n", "file_type_unsupported", file_name="list.docx"),
    # --- header and layout ---
    Bad(
        "duplicate-headers",
        csv_bytes([["Full name", "Sex", "full  NAME"], ["a", "F", "b"]]),
        "header_duplicate",
        "row 1, column C",
    ),
    Bad(
        "blank-header-with-data",
        csv_bytes([["Full name", "", "Sex"], ["a", "", "F"], ["b", "x", "M"]]),
        "header_blank",
        "row 3, column B",
    ),
    Bad("value-beyond-header", rows(["Ali", "M", "", "", "", "A-2", "", "stray"]), "row_too_long", "row 3, column H"),
    Bad("empty-first-row", b",,,\r\nZarina,F,1990,\r\n", "header_missing", "row 1"),
    Bad(
        "data-after-1000-empty-rows",
        rows() + b",,,,,\r\n" * 1200 + csv_bytes([["Ali", "M"]]),
        "data_after_blank_rows",
        "row 3",
    ),
    Bad("huge-cell", rows(["Ali " + "x" * 50_000, "M", "", "", "", "A-2"]), "cell_too_long", "row 3, column A"),
    # --- values ---
    Bad("bad-sex", rows(["Ali", "yes", "", "", "", "A-2"]), "sex_invalid", "row 3, column B"),
    Bad("impossible-date", rows(["Ali", "M", "31/02/2015", "", "", "A-2"]), "date_impossible", "row 3, column C"),
    Bad("month-first-date", rows(["Ali", "M", "03/25/2015", "", "", "A-2"]), "date_month_first", "row 3, column C"),
    Bad("future-date", rows(["Ali", "M", FUTURE, "", "", "A-2"]), "date_future", "row 3, column C"),
    Bad("date-too-old", rows(["Ali", "M", "01.01.1850", "", "", "A-2"]), "date_too_old", "row 3, column C"),
    Bad("not-a-date", rows(["Ali", "M", "last spring", "", "", "A-2"]), "date_invalid", "row 3, column C"),
    Bad("negative-age", rows(["Ali", "M", "", "-3", "", "A-2"]), "age_negative", "row 3, column D"),
    Bad("absurd-age", rows(["Ali", "M", "", "about 250", "", "A-2"]), "age_absurd", "row 3, column D"),
    Bad(
        "age-and-date-disagree",
        rows(["Ali", "M", "2015-01-01", "40", "", "A-2"]),
        "age_dob_mismatch",
        "row 3, column D",
    ),
    Bad(
        "script-in-name",
        rows(["<script>alert(1)</script>", "M", "", "", "", "A-2"]),
        "name_angle_brackets",
        "row 3, column A",
    ),
    Bad("formula-as-name", rows(["=cmd|' /C calc'!A0", "M", "", "", "", "A-2"]), "name_formula", "row 3, column A"),
    Bad("name-without-letters", rows(["12345", "M", "", "", "", "A-2"]), "name_no_letters", "row 3, column A"),
    Bad("no-name", rows(["", "M", "2015", "", "", "A-2"]), "name_required", "row 3, column A"),
    Bad("mother-row-missing", rows(["Ali", "M", "2015", "", "40", "A-2"]), "mother_row_missing", "row 3, column E"),
    Bad(
        "mother-row-is-a-man",
        csv_bytes([H, ["Karim", "M", "1980", "", "", "A-1"], ["Ali", "M", "2015", "", "2", "A-2"]]),
        "mother_row_not_female",
        "row 3, column E",
    ),
    Bad(
        "mother-row-is-a-child",
        csv_bytes([H, ["Aisha", "F", "2013", "", "", "A-1"], ["Ali", "M", "2015", "", "2", "A-2"]]),
        "mother_row_not_adult",
        "row 3, column E",
    ),
    Bad("mother-row-is-itself", rows(["Aisha", "F", "1990", "", "3", "A-2"]), "mother_row_self", "row 3, column E"),
    Bad(
        "mother-row-not-a-number", rows(["Ali", "M", "", "", "Zarina", "A-2"]), "mother_row_invalid", "row 3, column E"
    ),
    Bad("duplicate-identifier", rows(["Ali", "M", "", "", "", "a-1"]), "identifier_duplicate", "row 3, column F"),
    # --- workbooks ---
    Bad(
        "xlsx-macros",
        zip_rewrite(xlsx_bytes([H, OK]), add={"xl/vbaProject.bin": b"\x00" * 64}),
        "xlsx_macros",
        file_name="l.xlsx",
    ),
    Bad(
        "xlsx-external-links",
        zip_rewrite(xlsx_bytes([H, OK]), add={"xl/externalLinks/externalLink1.xml": b"<x/>"}),
        "xlsx_external_links",
        file_name="l.xlsx",
    ),
    Bad(
        "xlsx-zip-bomb",
        zip_rewrite(xlsx_bytes([H, OK]), add={"xl/media/pad.bin": b"\x00" * (4 * 1024 * 1024)}),
        "xlsx_bomb_ratio",
        file_name="l.xlsx",
    ),
    Bad(
        "xlsx-xml-entities",
        zip_rewrite(xlsx_bytes([H, OK]), replace={"xl/worksheets/sheet1.xml": lambda _c: XML_BOMB.encode()}),
        "xlsx_unsafe_xml",
        file_name="l.xlsx",
    ),
    Bad(
        "xlsx-password-protected",
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 1000,
        "file_old_excel",
        file_name="l.xlsx",
    ),
    Bad("xlsx-truncated", xlsx_bytes([H, OK])[:300], "xlsx_not_zip", file_name="l.xlsx"),
    Bad("xlsx-not-a-workbook", zip_of("hello.txt", b"hi"), "xlsx_not_zip", file_name="l.xlsx"),
    Bad(
        "xlsx-duplicate-headers",
        xlsx_bytes([["Full name", "Full name"], ["a", "b"]]),
        "header_duplicate",
        "row 1, column B",
        file_name="l.xlsx",
    ),
    Bad(
        "xlsx-formula-name",
        xlsx_bytes([H, OK, ["=A2", "M", "", "", "", "A-2"]]),
        "name_required",
        "row 3, column A",
        file_name="l.xlsx",
    ),
    Bad(
        "xlsx-million-rows-then-data",
        zip_rewrite(
            xlsx_bytes([H, OK]),
            replace=sheet_xml_replace(
                "</sheetData>",
                '<row r="1048576"><c r="A1048576" t="inlineStr"><is><t>Ali</t></is></c></row></sheetData>',
            ),
        ),
        "data_after_blank_rows",
        "row 3",
        file_name="l.xlsx",
    ),
    Bad(
        "xlsx-bad-date-cell",
        xlsx_bytes([H, OK, ["Ali", "M", "32.13.2015", "", "", "A-2"]]),
        "date_invalid",
        "row 3, column C",
        file_name="l.xlsx",
    ),
]


def test_the_corpus_is_large_enough():
    assert len(CORPUS) >= 30
    assert len({bad.id for bad in CORPUS}) == len(CORPUS)


@pytest.mark.parametrize("bad", CORPUS, ids=[bad.id for bad in CORPUS])
def test_a_malformed_list_is_refused_and_changes_nothing(bad, officer, agency, tmp_path, capsys):
    PersonFactory(owner_agency=agency, display_name="Existing Person")
    persons = list(Person.objects.values_list("pk", "display_name", "sex", "birth_date"))
    audit_entries = AuditEntry.objects.count()
    path = tmp_path / bad.file_name
    path.write_bytes(bad.data)
    options = dict(bad.options)
    with pytest.raises(CommandError) as info:
        call_command("intake", str(path), source="Iraqi Ministry of Justice", user=officer.username, **options)
    assert info.value.returncode in {1, 2}
    said = capsys.readouterr().err + str(info.value)
    # The message of that problem, in words, at its place.
    template = str(MESSAGES[bad.code]).split("%(")[0].strip()
    assert template[:25] in said, said
    if bad.where:
        assert bad.where in said, said
    assert not IntakeBatch.objects.exists()
    assert not IntakeRow.objects.exists()
    assert AuditEntry.objects.count() == audit_entries
    assert list(Person.objects.values_list("pk", "display_name", "sex", "birth_date")) == persons
