"""Building uploaded files in tests: CSV in any encoding, XLSX workbooks, and doctored ZIP containers.

Generated people only; nothing here is a committed binary.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import openpyxl

HEADER = ["Full name", "Sex", "Date of birth", "Mother's row", "Facility", "Identifier"]


def csv_text(rows: Iterable[Sequence[Any]], *, delimiter: str = ",") -> str:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    for row in rows:
        writer.writerow(row)
    return out.getvalue()


def csv_bytes(rows: Iterable[Sequence[Any]], *, encoding: str = "utf-8", delimiter: str = ",") -> bytes:
    """``encoding`` "utf-8-sig" writes a BOM; "utf-16" writes a BOM (little-endian); "utf-16-be" none."""
    return csv_text(rows, delimiter=delimiter).encode(encoding)


def xlsx_bytes(
    rows: Iterable[Sequence[Any]],
    *,
    merges: Sequence[str] = (),
    title: str = "List",
    extra_sheets: Sequence[str] = (),
) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = title
    for row in rows:
        sheet.append(list(row))
    for ref in merges:
        sheet.merge_cells(ref)
    for name in extra_sheets:
        workbook.create_sheet(name).append(["other"])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def zip_rewrite(
    data: bytes,
    *,
    add: dict[str, bytes] | None = None,
    replace: dict[str, Callable[[bytes], bytes]] | None = None,
    compression: int = zipfile.ZIP_DEFLATED,
) -> bytes:
    """A copy of a ZIP (an XLSX) with parts added or rewritten."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if replace and info.filename in replace:
                content = replace[info.filename](content)
            target.writestr(info.filename, content)
        for name, content in (add or {}).items():
            target.writestr(name, content)
    return out.getvalue()


def sheet_xml_replace(old: str, new: str) -> dict[str, Callable[[bytes], bytes]]:
    return {"xl/worksheets/sheet1.xml": lambda content: content.replace(old.encode(), new.encode())}


CYRILLIC_NAMES = [
    "Зарина Рахимова",
    "Фарход Назаров",
    "Мадина Шарипова",
    "Сомон Каримзода",
    "Нилуфар Саидова",
    "Рустам Исмоилов",
    "Гулнора Юсупова",
    "Дилшод Ахмедов",
    "Парвина Холова",
    "Шахзод Давлатов",
]
ARABIC_NAMES = [
    "فاطمة عبد الله",
    "محمد الحسن",
    "عائشة يوسف",
    "علي إبراهيم",
    "مريم خليل",
    "عمر سعيد",
    "زينب حسين",
    "يوسف أحمد",
    "خديجة مصطفى",
    "حسن عبد الرحمن",
]
LATIN_NAMES = [
    "José Núñez",
    "Zoë Müller",
    "Françoise Lefèvre",
    "Jürgen Schäfer",
    "Inès Côté",
    "Ana Peña",
    "Björn Åström",
    "Chloé Gaëlle",
    "Renée Dubé",
    "Søren Kirkegård",
]
