"""Problems found in an uploaded list, located by row and column as the spreadsheet shows them.

An :class:`Issue` stores a stable ``code`` and its JSON parameters, never a rendered sentence,
so a batch's errors are shown in the language of whoever reads them, and the API can rely on
the codes. Row 1 is the header row; column letters are those of the spreadsheet (A, B, … AA).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

ERROR = "error"
WARNING = "warning"

MESSAGES: dict[str, Promise] = {
    # --- the file as a whole ------------------------------------------------------------------
    "file_empty": _("The file is empty."),
    "file_too_large": _("The file is %(size)s bytes; the limit is %(limit)s bytes. Split the list into smaller files."),
    "file_type_unsupported": _(
        "Files of type “%(extension)s” cannot be imported. Upload a CSV file (.csv, .txt, .tsv) or an Excel "
        "workbook (.xlsx)."
    ),
    "file_old_excel": _(
        "This is an old Excel workbook (.xls) or a password-protected workbook. Save it as .xlsx "
        "without a password, or as CSV, and upload it again."
    ),
    "file_binary": _("This is not a text file but %(kind)s. Upload the list as CSV or as an Excel workbook (.xlsx)."),
    "file_zip_as_csv": _(
        "This file is a ZIP archive (perhaps an Excel workbook saved with a .csv name), not CSV. Upload it with "
        "the .xlsx extension, or save it as CSV."
    ),
    "file_nul_bytes": _(
        "Line %(line)s contains NUL characters: the file is binary or in an encoding other than “%(encoding)s”."
    ),
    "encoding_invalid": _(
        "The file cannot be read as %(encoding)s: byte %(position)s (line %(line)s) is not valid in that encoding. "
        "Choose another encoding."
    ),
    "encoding_unknown": _("“%(encoding)s” is not an encoding this system can read."),
    "csv_malformed": _("Row %(row)s cannot be read as CSV: %(detail)s"),
    "xlsx_not_zip": _("This file is not a valid Excel workbook (.xlsx): %(detail)s"),
    "xlsx_too_many_parts": _("The workbook has %(count)s internal parts; the limit is %(limit)s. It was refused."),
    "xlsx_bomb_size": _(
        "The workbook would unpack to %(size)s bytes; the limit is %(limit)s bytes. It was refused as a possible "
        "ZIP bomb."
    ),
    "xlsx_bomb_ratio": _(
        "The part “%(part)s” of the workbook is compressed %(ratio)s times; the limit is %(limit)s. The workbook "
        "was refused as a possible ZIP bomb."
    ),
    "xlsx_encrypted_part": _("The part “%(part)s” of the workbook is encrypted. Remove the password and upload again."),
    "xlsx_macros": _(
        "The workbook contains macros (%(part)s). Workbooks with macros are refused: save it as a plain .xlsx "
        "workbook and upload it again."
    ),
    "xlsx_external_links": _(
        "The workbook links to other files (%(part)s). Such workbooks are refused: replace the links with their "
        "values (Data ▸ Edit Links ▸ Break Link) and upload it again."
    ),
    "xlsx_unsafe_xml": _("The workbook contains XML that is not allowed (%(detail)s). It was refused."),
    "xlsx_no_sheet": _("The workbook has no worksheet."),
    "xlsx_sheet_missing": _("The workbook has no sheet named “%(sheet)s”."),
    "xlsx_other_sheets": _("Only the sheet “%(sheet)s” was read; the workbook also has: %(others)s."),
    # --- header and layout --------------------------------------------------------------------
    "header_missing": _("Row 1 is empty. The first row must hold the names of the columns."),
    "header_only": _("The file has a header row but no rows of data."),
    "header_blank": _(
        "Column %(column)s has no name in row 1 but holds data (first in row %(row)s). Give the column a name or "
        "remove it."
    ),
    "header_duplicate": _(
        "Columns %(column)s and %(other)s are both named “%(header)s”. Give each column a different name."
    ),
    "too_many_columns": _("Row %(row)s has %(count)s columns; the limit is %(limit)s."),
    "too_many_rows": _(
        "The file has more than %(limit)s rows of data (row %(row)s is over the limit). Split it into smaller files."
    ),
    "row_too_long": _(
        "Row %(row)s has a value in column %(column)s, beyond the last named column (%(last)s). Give that column a "
        "name or move the value."
    ),
    "data_after_blank_rows": _(
        "Rows %(first)s to %(last)s are empty and more data follows. Remove the empty rows and upload the file again."
    ),
    "rows_ignored_after_blank": _(
        "Reading stopped at row %(row)s after %(count)s empty rows; any rows below it were not read."
    ),
    "cell_too_long": _(
        "The value is %(length)s characters long; the limit for a cell is %(limit)s. Only the first %(limit)s "
        "characters were kept."
    ),
    "cell_formula": _(
        "The cell held a formula; its last saved result “%(value)s” was read. Check it, or replace the formula "
        "with its value."
    ),
    "cell_formula_no_value": _(
        "The cell held a formula with no saved result, so it was read as empty. Replace the formula with its value."
    ),
    "cell_formula_text": _(
        "The value begins with “%(char)s”; it was read as text, never as a formula. Check that it is meant."
    ),
    "cell_control_characters": _("The value contained invisible control characters; they were removed."),
    # --- mapping ------------------------------------------------------------------------------
    "mapping_no_name": _(
        "No column is mapped to a name. Map a column to “Full name”, or to “Given name” and “Family name”."
    ),
    "mapping_unknown_column": _("The mapping names column “%(column)s”, which the file does not have."),
    "mapping_unknown_field": _("The mapping names the field “%(field)s”, which does not exist."),
    "mapping_column_twice": _("Column %(column)s is mapped to two fields: %(fields)s."),
    # --- values -------------------------------------------------------------------------------
    "name_required": _("The row has no name. Fill in the full name, or the given and family names."),
    "name_angle_brackets": _("A name cannot contain “<” or “>”. Remove the markup."),
    "name_formula": _("A name cannot begin with “%(char)s”. Remove it."),
    "name_no_letters": _("“%(value)s” has no letters; it is not a name."),
    "name_too_long": _("The name is %(length)s characters long; the limit is %(limit)s."),
    "name_cleaned": _("Invisible or look-alike characters were removed from or replaced in the name."),
    "sex_invalid": _(
        "“%(value)s” is not a sex this system understands. Use F or M (also female/male, ж/м, أنثى/ذكر), or leave "
        "the cell empty if it is not known."
    ),
    "date_invalid": _(
        "“%(value)s” is not a date. Write it as YYYY-MM-DD, DD/MM/YYYY, DD.MM.YYYY, a year (YYYY) or an age such "
        "as “about 7”."
    ),
    "date_impossible": _("“%(value)s” is not a real date (there is no day %(day)s in that month)."),
    "date_month_first": _(
        "“%(value)s” looks like month/day/year. Dates must be day/month/year (DD/MM/YYYY) or YYYY-MM-DD."
    ),
    "date_future": _("The date %(value)s is in the future."),
    "date_too_old": _("The date %(value)s is before %(year)s; check it."),
    "age_invalid": _("“%(value)s” is not an age in years. Write a number, such as 7 or “about 7”."),
    "age_negative": _("An age cannot be negative (“%(value)s”)."),
    "age_absurd": _("An age of %(value)s years is not possible; the limit is %(limit)s."),
    "age_dob_mismatch": _(
        "The age (%(age)s) does not agree with the date of birth (%(dob)s), which gives %(computed)s years on %(at)s."
    ),
    "age_at_without_age": _("A date for the age was given but no age."),
    "mother_row_invalid": _("“%(value)s” is not a row number. Write the number of the mother's row, such as 5."),
    "mother_row_missing": _("Row %(value)s, given as the mother's row, is not a row of data in this file."),
    "mother_row_self": _("A row cannot be its own mother's row."),
    "mother_row_not_female": _("Row %(value)s, given as the mother's row, is not a woman (sex: %(sex)s)."),
    "mother_row_not_adult": _(
        "Row %(value)s, given as the mother's row, is %(age)s years old; a mother must be at least %(limit)s."
    ),
    "mother_row_younger": _("Row %(value)s, given as the mother's row, is not older than this person."),
    "mother_row_cycle": _("Rows %(rows)s name each other as mothers."),
    "mother_row_error": _("Row %(value)s, given as the mother's row, has errors of its own; fix those first."),
    "mother_name_unresolved": _(
        "No woman named “%(value)s” was found in this file; the mother's name is kept as a note and no family "
        "link is made."
    ),
    "mother_name_ambiguous": _(
        "Several rows (%(rows)s) match the mother's name “%(value)s”; write the mother's row number instead."
    ),
    "mother_name_row_conflict": _(
        "The mother's name “%(value)s” does not match the name in row %(row)s, given as the mother's row."
    ),
    "facility_unknown": _(
        "No facility named “%(value)s” is registered. Check the spelling, or ask for the facility to be added first."
    ),
    "facility_ambiguous": _("Several facilities match “%(value)s” (%(matches)s); use the full name."),
    "identifier_without_value": _("An identifier type is given but no identifier."),
    "identifier_duplicate": _("The identifier “%(value)s” is also given in row %(row)s."),
    "nationality_unrecognised": _(
        "“%(value)s” is not a country this system recognises; it is kept as written. Use a three-letter code "
        "such as TJK."
    ),
    "value_too_long": _("The value is %(length)s characters long; the limit for this field is %(limit)s."),
    "value_formula": _("The value begins with “%(char)s”. It is stored as text, and escaped whenever it is exported."),
    # --- matching -----------------------------------------------------------------------------
    "duplicate_in_file": _("This row appears to be the same person as row %(row)s."),
    "ambiguous_unresolved": _(
        "This row may be a person already in the registry (%(count)s candidates). Choose the person or mark it new."
    ),
}


@dataclass(frozen=True)
class Issue:
    """One problem, located in the file. ``row`` None: the whole file; ``column`` "": the whole row."""

    code: str
    row: int | None = None
    column: str = ""
    header: str = ""
    field: str = ""
    severity: str = ERROR
    params: Mapping[str, Any] = dataclasses.field(default_factory=dict)

    @property
    def is_error(self) -> bool:
        return self.severity == ERROR

    def message(self) -> str:
        template = MESSAGES.get(self.code)
        if template is None:
            return self.code
        params = dict(self.params)
        params.setdefault("row", self.row)
        params.setdefault("column", self.column)
        params.setdefault("header", self.header)
        return str(template) % params

    def location(self) -> str:
        """“row 5, column C (Date of birth)” in the current language."""
        if self.row is None and not self.column:
            return gettext("the whole file")
        parts = []
        if self.row is not None:
            parts.append(gettext("row %(row)s") % {"row": self.row})
        if self.column:
            if self.header:
                parts.append(
                    gettext("column %(column)s (“%(header)s”)") % {"column": self.column, "header": self.header}
                )
            else:
                parts.append(gettext("column %(column)s") % {"column": self.column})
        return ", ".join(parts)

    def __str__(self) -> str:
        return f"{self.location()}: {self.message()}"

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"code": self.code, "severity": self.severity}
        if self.row is not None:
            data["row"] = self.row
        for key in ("column", "header", "field"):
            value = getattr(self, key)
            if value:
                data[key] = value
        if self.params:
            data["params"] = dict(self.params)
        return data

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Issue:
        return cls(
            code=str(data["code"]),
            row=data.get("row"),
            column=str(data.get("column", "")),
            header=str(data.get("header", "")),
            field=str(data.get("field", "")),
            severity=str(data.get("severity", ERROR)),
            params=dict(data.get("params", {})),
        )


class IntakeFileError(Exception):
    """The file cannot be read at all; ``issue`` says why and where."""

    def __init__(self, issue: Issue) -> None:
        super().__init__(issue.code)
        self.issue = issue

    def __str__(self) -> str:
        return str(self.issue)


def fatal(code: str, *, row: int | None = None, column: str = "", header: str = "", **params: Any) -> IntakeFileError:
    return IntakeFileError(Issue(code=code, row=row, column=column, header=header, params=params))


def column_letter(index: int) -> str:
    """0 → A, 25 → Z, 26 → AA (as spreadsheets name columns)."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(ord("A") + rem) + letters
    return letters


def column_index(letters: str) -> int:
    """A → 0, AA → 26; ValueError for anything else."""
    letters = letters.strip().upper()
    if not letters or not letters.isascii() or not letters.isalpha():
        raise ValueError(letters)
    index = 0
    for char in letters:
        index = index * 26 + (ord(char) - ord("A") + 1)
    return index - 1
