"""Writing spreadsheets that cannot attack whoever opens them.

A cell that begins with ``= + - @``, a tab, a carriage return or a line feed could run as a
formula in Excel or LibreOffice (CSV injection). In CSV such a value is prefixed with an
apostrophe; in XLSX it is written as a string with Excel's "quote prefix" (shown as text,
never evaluated). Numbers and dates are written as such and need no escaping.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n", "\x00")
ERROR_FILL = "FFC7CE"
WARNING_FILL = "FFEB9C"
HEADER_FILL = "DDEBF7"


def needs_escape(value: Any) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_TRIGGERS)


def escape_csv(value: Any) -> str:
    """A cell for CSV: text that could be a formula gets a leading apostrophe."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    text = str(value)
    if text.startswith(FORMULA_TRIGGERS):
        return "'" + text
    return text


def csv_bytes(rows: Iterable[Sequence[Any]], *, delimiter: str = ",") -> bytes:
    """UTF-8 with a byte-order mark (so that Excel reads Cyrillic and Arabic correctly), every cell escaped."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    for row in rows:
        writer.writerow([escape_csv(value) for value in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def xlsx_cell(
    sheet: Any,
    value: Any,
    *,
    fill: str = "",
    bold: bool = False,
    comment: str = "",
    wrap: bool = False,
) -> Any:
    """A write-only cell: text that could be a formula stays text (quote prefix), optionally highlighted."""
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.comments import Comment
    from openpyxl.styles import Alignment, Font, PatternFill

    if isinstance(value, str):
        value = value.replace("\x00", "")
    cell = WriteOnlyCell(sheet, value=value)
    if isinstance(value, str) and (cell.data_type == "f" or needs_escape(value)):
        cell.data_type = "s"
        cell.quotePrefix = True
    if fill:
        cell.fill = PatternFill("solid", fgColor=fill)
    if bold:
        cell.font = Font(bold=True)
    if wrap:
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    if comment:
        cell.comment = Comment(comment[:30000], "Homecoming")
    return cell


def xlsx_bytes(sheets: Mapping[str, Iterable[Sequence[Any]]], *, header_rows: int = 1) -> bytes:
    """A workbook of plain sheets (first row bold), every text cell safe."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    for title, rows in sheets.items():
        sheet = workbook.create_sheet(title=title[:31])
        for index, row in enumerate(rows):
            header = index < header_rows
            sheet.append([xlsx_cell(sheet, value, bold=header, fill=HEADER_FILL if header else "") for value in row])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
