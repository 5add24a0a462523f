"""The annotated copy of an uploaded list: its problems highlighted, an "Errors" column added.

Written with the exports' safe spreadsheet writer: every cell that could be a formula stays text.
"""

from __future__ import annotations

import contextlib
import io
from collections.abc import Iterable

from django.utils.translation import gettext as _

from homecoming.exports.spreadsheets import ERROR_FILL, HEADER_FILL, WARNING_FILL, xlsx_cell
from homecoming.intake.issues import Issue, column_index
from homecoming.intake.reading import Table

__all__ = ["annotated_xlsx"]


def annotated_xlsx(table: Table, issues: Iterable[Issue], *, title: str = "") -> bytes:
    """The list as read, with an "Errors" column and its problem cells highlighted and commented.

    Row numbers are those of the original (empty rows stay empty), so "row 7" means the same row
    in both files. Messages are in the current language.
    """
    from openpyxl import Workbook

    by_cell: dict[tuple[int, int], list[Issue]] = {}
    by_row: dict[int, list[Issue]] = {}
    file_level: list[Issue] = []
    for issue in issues:
        if issue.row is None:
            file_level.append(issue)
            continue
        by_row.setdefault(issue.row, []).append(issue)
        if issue.column:
            with contextlib.suppress(ValueError):
                by_cell.setdefault((issue.row, column_index(issue.column)), []).append(issue)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=(title or table.sheet or _("List"))[:31])
    width = len(table.headers)
    errors_header = _("Errors")
    sheet.append(
        [xlsx_cell(sheet, header, bold=True, fill=HEADER_FILL) for header in table.headers]
        + [xlsx_cell(sheet, errors_header, bold=True, fill=ERROR_FILL)]
    )
    expected = 2
    for row in table.rows:
        while expected < row.number:
            sheet.append([])
            expected += 1
        cells = []
        for index in range(width):
            cell_issues = by_cell.get((row.number, index), [])
            fill = ""
            if any(i.is_error for i in cell_issues):
                fill = ERROR_FILL
            elif cell_issues:
                fill = WARNING_FILL
            comment = "\n".join(i.message() for i in cell_issues)
            cells.append(xlsx_cell(sheet, row.values[index], fill=fill, comment=comment))
        row_issues = by_row.get(row.number, [])
        summary = "\n".join(
            (f"{i.column}: " if i.column else "") + i.message()
            for i in sorted(row_issues, key=lambda i: not i.is_error)
        )
        summary_fill = ERROR_FILL if any(i.is_error for i in row_issues) else (WARNING_FILL if row_issues else "")
        cells.append(xlsx_cell(sheet, summary, fill=summary_fill, wrap=True))
        sheet.append(cells)
        expected = row.number + 1
    if file_level:
        notes = workbook.create_sheet(title=_("About the file")[:31])
        notes.append([xlsx_cell(notes, _("Problems with the file as a whole"), bold=True, fill=HEADER_FILL)])
        for issue in file_level:
            notes.append([xlsx_cell(notes, issue.message(), fill=ERROR_FILL if issue.is_error else WARNING_FILL)])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
