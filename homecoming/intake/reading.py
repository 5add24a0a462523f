"""Reading uploaded lists safely: CSV in any common encoding, and XLSX workbooks.

Pure functions, no database. :func:`read_table` turns the bytes of an upload into a
:class:`Table` of text cells, or raises :class:`~homecoming.intake.issues.IntakeFileError`
naming what is wrong and where. Nothing here evaluates a formula, follows a link, runs a
macro or resolves an XML entity:

* **Size** — the file, the number of rows and columns and each cell are capped
  (``homecoming.intake.conf``); a run of empty rows ends the reading without loading them.
* **CSV** — refused when its first bytes say it is an image, a PDF, an archive or a program;
  the encoding comes from a byte-order mark, then strict UTF-8, then a scored guess between
  Windows-1251 (Cyrillic), Windows-1256 (Arabic) and Latin-1 (:func:`detect_encoding`), and
  the user may override it; the delimiter is sniffed (``, ; tab |``).
* **XLSX** — the ZIP container is inspected before openpyxl opens it (number of parts, total
  uncompressed size, compression ratio, encrypted parts, macros, external links); openpyxl
  reads it read-only with defusedxml active and cached values only (``data_only``); merged
  cells take the value of their top-left cell; a formula cell is flagged.
* **Cells** — a value beginning with ``= + - @`` is text and is flagged; control characters
  are removed.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import re
import unicodedata
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any

from defusedxml import ElementTree as SafeET
from defusedxml.common import DefusedXmlException
from django.utils.translation import gettext_lazy as _

from homecoming.intake.conf import limit
from homecoming.intake.issues import WARNING, IntakeFileError, Issue, column_index, column_letter, fatal

CSV_EXTENSIONS = frozenset({".csv", ".txt", ".tsv", ".tab"})
XLSX_EXTENSIONS = frozenset({".xlsx"})

# Encodings a user may choose (codec name, label). Detection only ever proposes the first five.
ENCODING_CHOICES: list[tuple[str, Any]] = [
    ("utf-8", _("UTF-8 (Unicode)")),
    ("utf-16", _("UTF-16 (Unicode, as Excel saves “Unicode text”)")),
    ("cp1251", _("Windows-1251 (Cyrillic)")),
    ("cp1256", _("Windows-1256 (Arabic)")),
    ("latin-1", _("Latin-1 (Western European)")),
    ("cp1252", _("Windows-1252 (Western European)")),
    ("koi8-r", _("KOI8-R (Cyrillic)")),
    ("cp866", _("DOS 866 (Cyrillic)")),
]
ENCODING_LABELS = dict(ENCODING_CHOICES)
GUESSED_ENCODINGS = ("cp1251", "cp1256", "latin-1")
_EXPECTED_SCRIPT = {"cp1251": "CYRILLIC", "cp1256": "ARABIC", "latin-1": "LATIN"}
# The most frequent letters of Russian/Tajik and of Arabic names: a misread file rarely hits them.
_COMMON_LETTERS = {
    "cp1251": frozenset("оеаинтсрвлкмдпуяыз"),
    "cp1256": frozenset("اليمونهربتعدسحفقة"),
}

DELIMITERS = (",", ";", "\t", "|")
_SNIFF_CHARS = 64 * 1024
_SNIFF_LINES = 50
# What a CSV upload must not start with: (magic bytes, what it is).
_MAGIC: list[tuple[bytes, Any]] = [
    (b"%PDF", _("a PDF document")),
    (b"\x89PNG\r\n\x1a\n", _("a PNG image")),
    (b"\xff\xd8\xff", _("a JPEG image")),
    (b"GIF87a", _("a GIF image")),
    (b"GIF89a", _("a GIF image")),
    (b"BM", _("a BMP image")),
    (b"II*\x00", _("a TIFF image")),
    (b"MM\x00*", _("a TIFF image")),
    (b"RIFF", _("a RIFF file (image, audio or video)")),
    (b"\x1f\x8b", _("a gzip archive")),
    (b"7z\xbc\xaf\x27\x1c", _("a 7-Zip archive")),
    (b"Rar!\x1a\x07", _("a RAR archive")),
    (b"BZh", _("a bzip2 archive")),
    (b"\xfd7zXZ\x00", _("an xz archive")),
    (b"MZ", _("a Windows program")),
    (b"\x7fELF", _("a program")),
    (b"{\\rtf", _("an RTF document")),
    (b"\x00\x00\x01\x00", _("an icon")),
    (b"OggS", _("an audio file")),
    (b"ID3", _("an audio file")),
    (b"\x00\x00\x00\x18ftyp", _("a video")),
    (b"\x00\x00\x00\x20ftyp", _("a video")),
]
_ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")
_OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_BOMS: list[tuple[bytes, str]] = [
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
]
# Control characters removed from cells (tab, CR and LF are whitespace and are kept).
_CONTROL_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


@dataclass(frozen=True)
class EncodingGuess:
    """How the text of a CSV file was decoded. ``confident`` False: the user should check the preview."""

    encoding: str
    reason: str  # "bom", "utf-8", "ascii", "utf-16-nul", "scored", "chosen"
    confident: bool = True
    scores: dict[str, float] = field(default_factory=dict)

    @property
    def label(self) -> str:
        base = {"utf-8-sig": "utf-8", "utf-32": "utf-32"}.get(self.encoding, self.encoding)
        if base.startswith("utf-16"):
            base = "utf-16"
        return str(ENCODING_LABELS.get(base, self.encoding))


@dataclass
class TableRow:
    number: int  # as the spreadsheet shows it: the header is row 1
    values: list[str]


@dataclass
class Table:
    """A sheet of text cells: a header row and the data rows below it."""

    kind: str  # "csv" or "xlsx"
    headers: list[str]
    rows: list[TableRow]
    encoding: EncodingGuess | None = None
    delimiter: str = ""
    sheet: str = ""
    issues: list[Issue] = field(default_factory=list)

    @property
    def columns(self) -> list[str]:
        return [column_letter(i) for i in range(len(self.headers))]

    def header_of(self, column: str) -> str:
        try:
            return self.headers[column_index(column)]
        except (ValueError, IndexError):
            return ""


# --- entry point ---------------------------------------------------------------------------


def file_kind(filename: str) -> str:
    """ "csv" or "xlsx" from the file name; IntakeFileError for anything else."""
    suffix = PurePosixPath(filename.replace("\\", "/")).suffix.lower()
    if suffix in CSV_EXTENSIONS:
        return "csv"
    if suffix in XLSX_EXTENSIONS:
        return "xlsx"
    if suffix in {".xls", ".xlsm", ".xlsb", ".xltm", ".xlt"}:
        raise fatal("file_old_excel") if suffix in {".xls", ".xlt"} else fatal("xlsx_macros", part=suffix)
    raise fatal("file_type_unsupported", extension=suffix or filename)


def read_table(data: bytes, *, filename: str, encoding: str | None = None, sheet: str | None = None) -> Table:
    """Read an uploaded list. ``encoding`` overrides detection for CSV; ``sheet`` picks an XLSX sheet."""
    kind = file_kind(filename)
    if not data:
        raise fatal("file_empty")
    max_bytes = limit("HOMECOMING_INTAKE_MAX_BYTES")
    if len(data) > max_bytes:
        raise fatal("file_too_large", size=len(data), limit=max_bytes)
    if kind == "xlsx":
        return read_xlsx(data, sheet=sheet)
    return read_csv(data, encoding=encoding)


# --- encodings -----------------------------------------------------------------------------


def _is_ascii(data: bytes) -> bool:
    return data.isascii()


def _utf16_without_bom(data: bytes) -> str | None:
    """UTF-16 without a byte-order mark shows as NUL in every other byte of Latin text."""
    sample = data[:4096]
    if len(sample) < 4:
        return None
    even = sample[0::2]
    odd = sample[1::2]
    even_nul = even.count(0) / len(even)
    odd_nul = odd.count(0) / len(odd)
    if odd_nul > 0.3 and even_nul < 0.05:
        return "utf-16-le"
    if even_nul > 0.3 and odd_nul < 0.05:
        return "utf-16-be"
    return None


def _script_of(char: str) -> str:
    try:
        return unicodedata.name(char).split(" ", 1)[0]
    except ValueError:
        return ""


def _words(text: str) -> Iterator[str]:
    word: list[str] = []
    for char in text:
        if unicodedata.category(char)[0] in "LM":
            word.append(char)
        elif word:
            yield "".join(word)
            word = []
    if word:
        yield "".join(word)


def encoding_score(data: bytes, encoding: str) -> float:
    """How plausible ``encoding`` is for ``data`` (0 = impossible), from the text it decodes to.

    Only non-ASCII characters tell the candidates apart. A character counts for the encoding
    when it is a letter of the script the encoding is for (Cyrillic for Windows-1251, Arabic for
    Windows-1256, Latin for Latin-1) and sits in a plausible word: Latin-1 accents sit in words
    that also have ASCII letters; Cyrillic and Arabic words are wholly non-ASCII. The share of
    such characters is multiplied by the share of words with a sane letter case (Arabic has
    none) and by how many of the letters are among the language's most frequent ones.
    """
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError:
        return 0.0
    expected = _EXPECTED_SCRIPT[encoding]
    non_ascii = sum(1 for char in text if ord(char) > 127 and not char.isspace())
    if not non_ascii:
        return 1.0
    matching: list[str] = []
    words = consistent = 0
    for word in _words(text):
        foreign = [char for char in word if ord(char) > 127]
        if not foreign:
            continue
        words += 1
        has_ascii = len(foreign) < len(word)
        plausible = has_ascii if expected == "LATIN" else not has_ascii
        if plausible:
            matching.extend(char for char in foreign if _script_of(char) == expected)
        if expected == "ARABIC" or word.isupper() or word.islower() or word.istitle():
            consistent += 1
    if not words:
        return 0.0
    score = (len(matching) / non_ascii) * (consistent / words)
    common = _COMMON_LETTERS.get(encoding)
    if common and matching:
        score *= 0.5 + sum(1 for char in matching if char.lower() in common) / len(matching)
    return round(score, 4)


def detect_encoding(data: bytes) -> EncodingGuess:
    """BOM, then UTF-16 without BOM (NUL in every other byte), then strict UTF-8, then the best legacy code page."""
    for bom, name in _BOMS:
        if data.startswith(bom):
            return EncodingGuess(encoding=name, reason="bom")
    utf16 = _utf16_without_bom(data)
    if utf16 is not None:
        return EncodingGuess(encoding=utf16, reason="utf-16-nul")
    if _is_ascii(data):
        return EncodingGuess(encoding="utf-8", reason="ascii")
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        return EncodingGuess(encoding="utf-8", reason="utf-8")
    sample = data[: 256 * 1024]
    scores = {name: encoding_score(sample, name) for name in GUESSED_ENCODINGS}
    ranked = sorted(scores.items(), key=lambda item: item[1], reverse=True)
    best, best_score = ranked[0]
    runner_up = ranked[1][1]
    confident = best_score >= 0.6 and best_score - runner_up >= 0.25
    return EncodingGuess(encoding=best, reason="scored", confident=confident, scores=scores)


def _line_of(data: bytes, position: int) -> int:
    return data.count(b"\n", 0, position) + 1


def decode(data: bytes, encoding: str | None = None) -> tuple[str, EncodingGuess]:
    """The text of ``data`` and how it was decoded; ``encoding`` (a user's choice) wins over detection."""
    if encoding:
        try:
            codec = codecs.lookup(encoding).name
        except LookupError:
            raise fatal("encoding_unknown", encoding=encoding) from None
        name = encoding
        # A chosen UTF-8 or UTF-16 still honours (and drops) a byte-order mark.
        if codec == "utf-8" and data.startswith(codecs.BOM_UTF8):
            name = "utf-8-sig"
        guess = EncodingGuess(encoding=name, reason="chosen")
    else:
        guess = detect_encoding(data)
    try:
        text = data.decode(guess.encoding)
    except UnicodeDecodeError as exc:
        raise fatal(
            "encoding_invalid",
            encoding=guess.label,
            position=exc.start + 1,
            line=_line_of(data, exc.start),
        ) from None
    return text.removeprefix("\ufeff"), guess


# --- CSV -----------------------------------------------------------------------------------


def sniff_kind(data: bytes) -> str | None:
    """What a file that should be text really is, from its first bytes; None if it may be text."""
    head = data[:16]
    if head.startswith(_ZIP_MAGIC):
        return "zip"
    if head.startswith(_OLE2_MAGIC):
        return "ole2"
    for magic, what in _MAGIC:
        if head.startswith(magic):
            return str(what)
    return None


def sniff_delimiter(text: str) -> str:
    """The delimiter that splits the first lines into the same number (> 1) of fields most often."""
    lines = text[:_SNIFF_CHARS].splitlines()[:_SNIFF_LINES]
    if len(text) > _SNIFF_CHARS and len(lines) > 1:
        lines = lines[:-1]  # the last line may be cut in the middle
    lines = [line for line in lines if line.strip()]
    if not lines:
        return ","
    best, best_key = ",", (0.0, 0)
    for delimiter in DELIMITERS:
        try:
            counts = [len(record) for record in csv.reader(lines, delimiter=delimiter) if record]
        except csv.Error:
            continue
        if not counts:
            continue
        mode = max(set(counts), key=counts.count)
        if mode < 2:
            continue
        key = (counts.count(mode) / len(counts), mode)
        if key > best_key:
            best, best_key = delimiter, key
    return best


_BLANK_TAIL_CHARS = " \t\r\n,;|\x0b\x0c"


def _drop_blank_tail(text: str) -> str:
    """Cut the trailing lines that hold only whitespace and delimiters (without reading them row by row)."""
    stripped = text.rstrip(_BLANK_TAIL_CHARS)
    cut = text.find("\n", len(stripped))
    if cut == -1:
        return text
    return text[: cut + 1]


def read_csv(data: bytes, *, encoding: str | None = None) -> Table:
    kind = sniff_kind(data)
    if kind == "zip":
        raise fatal("file_zip_as_csv")
    if kind == "ole2":
        raise fatal("file_old_excel")
    if kind is not None:
        raise fatal("file_binary", kind=kind)
    text, guess = decode(data, encoding)
    nul = text.find("\x00")
    if nul != -1:
        raise fatal("file_nul_bytes", line=text.count("\n", 0, nul) + 1, encoding=guess.label)
    if not text.strip(_BLANK_TAIL_CHARS):
        raise fatal("file_empty")
    text = _drop_blank_tail(text)
    delimiter = sniff_delimiter(text)
    # The csv module refuses fields over 128 KiB; the file is already size-capped, and long cells
    # are reported with their row and column by build_table.
    if csv.field_size_limit() < len(text) + 1:
        csv.field_size_limit(len(text) + 1)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)

    def records() -> Iterator[tuple[int, list[Any]]]:
        number = 0
        while True:
            try:
                record = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                raise fatal("csv_malformed", row=number + 1, detail=str(exc)) from None
            number += 1
            yield number, record

    table = build_table(records(), kind="csv", stop_on_blank_run=False)
    table.encoding = guess
    table.delimiter = delimiter
    return table


# --- XLSX ----------------------------------------------------------------------------------


_NS_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_NS_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_NS_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
_SMALL_PART = 1024 * 1024  # parts below this size may compress as much as they like


def inspect_xlsx_container(data: bytes) -> zipfile.ZipFile:
    """Open the workbook's ZIP container and refuse it if it is a bomb or holds macros or links."""
    if data.startswith(_OLE2_MAGIC):
        raise fatal("file_old_excel")
    if not data.startswith(_ZIP_MAGIC):
        kind = sniff_kind(data)
        raise fatal("xlsx_not_zip", detail=kind or _("it is not a ZIP archive"))
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError) as exc:
        raise fatal("xlsx_not_zip", detail=str(exc)) from None
    max_parts = limit("HOMECOMING_INTAKE_XLSX_MAX_PARTS")
    if len(infos) > max_parts:
        raise fatal("xlsx_too_many_parts", count=len(infos), limit=max_parts)
    total = sum(info.file_size for info in infos)
    max_total = limit("HOMECOMING_INTAKE_XLSX_MAX_UNCOMPRESSED_BYTES")
    if total > max_total:
        raise fatal("xlsx_bomb_size", size=total, limit=max_total)
    max_ratio = limit("HOMECOMING_INTAKE_XLSX_MAX_RATIO")
    for info in infos:
        name = info.filename
        lower = name.lower()
        if info.flag_bits & 0x1:
            raise fatal("xlsx_encrypted_part", part=name)
        if lower.endswith("vbaproject.bin") or (lower.endswith(".bin") and "vba" in lower):
            raise fatal("xlsx_macros", part=name)
        if "externallinks/" in lower or lower.startswith("xl/externallink"):
            raise fatal("xlsx_external_links", part=name)
        if info.file_size > _SMALL_PART:
            ratio = info.file_size / max(info.compress_size, 1)
            if ratio > max_ratio:
                raise fatal("xlsx_bomb_ratio", part=name, ratio=int(ratio), limit=max_ratio)
    return archive


def _parse_xml(archive: zipfile.ZipFile, name: str) -> Any:
    try:
        with archive.open(name) as stream:
            return SafeET.parse(stream).getroot()
    except DefusedXmlException as exc:
        raise fatal("xlsx_unsafe_xml", detail=type(exc).__name__) from None
    except (KeyError, SafeET.ParseError, zipfile.BadZipFile, OSError, EOFError) as exc:
        raise fatal("xlsx_not_zip", detail=str(exc)) from None


def _sheet_parts(archive: zipfile.ZipFile) -> list[tuple[str, str]]:
    """(sheet name, part path) of each worksheet, in workbook order."""
    workbook = _parse_xml(archive, "xl/workbook.xml")
    try:
        rels = _parse_xml(archive, "xl/_rels/workbook.xml.rels")
    except IntakeFileError:
        rels = None
    targets: dict[str, str] = {}
    if rels is not None:
        for rel in rels.iter(f"{{{_NS_PKG_REL}}}Relationship"):
            if rel.get("TargetMode") == "External":
                raise fatal("xlsx_external_links", part=rel.get("Target", ""))
            target = rel.get("Target", "")
            path = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
            targets[rel.get("Id", "")] = str(PurePosixPath(path))
    sheets = []
    for sheet in workbook.iter(f"{{{_NS_MAIN}}}sheet"):
        rel_id = sheet.get(f"{{{_NS_REL}}}id", "")
        path = targets.get(rel_id, "")
        if path and path in archive.namelist():
            sheets.append((sheet.get("name", ""), path))
    return sheets


def _cell_position(ref: str) -> tuple[int, int] | None:
    match = re.fullmatch(r"\$?([A-Za-z]{1,3})\$?(\d{1,7})", ref)
    if not match:
        return None
    return int(match.group(2)), column_index(match.group(1))


@dataclass
class _SheetFacts:
    formulas: set[tuple[int, int]] = field(default_factory=set)
    merges: list[tuple[int, int, int, int]] = field(default_factory=list)  # min_row, min_col, max_row, max_col
    last_value_row: int = 0


def _sheet_facts(archive: zipfile.ZipFile, part: str) -> _SheetFacts:
    """One streaming pass over the sheet's XML: formula cells, merged ranges, the last row with a value."""
    facts = _SheetFacts()
    cell_tag, formula_tag, value_tag = f"{{{_NS_MAIN}}}c", f"{{{_NS_MAIN}}}f", f"{{{_NS_MAIN}}}v"
    inline_tag, merge_tag, row_tag = f"{{{_NS_MAIN}}}is", f"{{{_NS_MAIN}}}mergeCell", f"{{{_NS_MAIN}}}row"
    try:
        with archive.open(part) as stream:
            for _event, element in SafeET.iterparse(stream, events=("end",)):
                tag = element.tag
                if tag == cell_tag:
                    position = _cell_position(element.get("r", ""))
                    if position is not None:
                        if element.find(formula_tag) is not None:
                            facts.formulas.add(position)
                        value = element.find(value_tag)
                        if (value is not None and (value.text or "").strip()) or element.find(inline_tag) is not None:
                            facts.last_value_row = max(facts.last_value_row, position[0])
                    element.clear()
                elif tag == row_tag:
                    element.clear()
                elif tag == merge_tag:
                    ref = element.get("ref", "")
                    first, _sep, last = ref.partition(":")
                    start, end = _cell_position(first), _cell_position(last or first)
                    if start and end:
                        facts.merges.append((start[0], start[1], end[0], end[1]))
    except DefusedXmlException as exc:
        raise fatal("xlsx_unsafe_xml", detail=type(exc).__name__) from None
    except (SafeET.ParseError, zipfile.BadZipFile, OSError, EOFError, KeyError) as exc:
        raise fatal("xlsx_not_zip", detail=str(exc)) from None
    return facts


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e16:
            return str(int(value))
        return repr(value)
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0, 0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return str(value)
    return str(value)


def read_xlsx(data: bytes, *, sheet: str | None = None) -> Table:
    import openpyxl
    import openpyxl.xml

    # openpyxl parses with defusedxml whenever it is installed; refuse to run without it.
    if not openpyxl.xml.DEFUSEDXML:  # pragma: no cover - the requirements install defusedxml
        raise RuntimeError("defusedxml is required to read workbooks safely")
    archive = inspect_xlsx_container(data)
    sheets = _sheet_parts(archive)
    if not sheets:
        raise fatal("xlsx_no_sheet")
    names = [name for name, _part in sheets]
    if sheet:
        if sheet not in names:
            raise fatal("xlsx_sheet_missing", sheet=sheet)
        chosen = sheet
    else:
        chosen = names[0]
    part = dict(sheets)[chosen]
    facts = _sheet_facts(archive, part)
    try:
        workbook = openpyxl.load_workbook(
            io.BytesIO(data), read_only=True, data_only=True, keep_links=False, keep_vba=False
        )
    except DefusedXmlException as exc:
        raise fatal("xlsx_unsafe_xml", detail=type(exc).__name__) from None
    except Exception as exc:  # openpyxl raises many kinds on a damaged workbook
        raise fatal("xlsx_not_zip", detail=type(exc).__name__) from None
    try:
        worksheet = workbook[chosen]
        # The <dimension> a workbook declares may be wrong: never let it cut rows off.
        worksheet.reset_dimensions()
        max_columns = limit("HOMECOMING_INTAKE_MAX_COLUMNS")
        cell_rows = worksheet.iter_rows(values_only=True, max_col=max_columns + 1)
        flagged: list[Issue] = []
        records = _xlsx_records(cell_rows, facts, flagged)
        table = build_table(records, kind="xlsx", stop_on_blank_run=True, last_value_row=facts.last_value_row)
    except IntakeFileError:
        raise
    except DefusedXmlException as exc:
        raise fatal("xlsx_unsafe_xml", detail=type(exc).__name__) from None
    except Exception as exc:
        raise fatal("xlsx_not_zip", detail=type(exc).__name__) from None
    finally:
        workbook.close()
    table.sheet = chosen
    table.issues[:0] = [issue for issue in flagged if issue.row is None or issue.row <= _last_row(table)]
    _add_headers(table)
    if len(names) > 1:
        others = ", ".join(f"“{name}”" for name in names if name != chosen)
        table.issues.insert(
            0, Issue(code="xlsx_other_sheets", severity=WARNING, params={"sheet": chosen, "others": others})
        )
    return table


def _last_row(table: Table) -> int:
    return table.rows[-1].number if table.rows else 1


def _add_headers(table: Table) -> None:
    """Name the column of each cell issue by its header, once the header is known."""
    named = []
    for issue in table.issues:
        if issue.column and not issue.header:
            issue = Issue(
                code=issue.code,
                row=issue.row,
                column=issue.column,
                header=table.header_of(issue.column),
                field=issue.field,
                severity=issue.severity,
                params=issue.params,
            )
        named.append(issue)
    table.issues = named


def _xlsx_records(
    cell_rows: Iterable[tuple[Any, ...]], facts: _SheetFacts, flagged: list[Issue]
) -> Iterator[tuple[int, list[Any]]]:
    """Rows of cell values, merged ranges filled from their top-left cell, formula cells flagged."""
    merges = sorted(facts.merges)
    next_merge = 0
    active: list[tuple[int, int, int, int]] = []
    top_left: dict[tuple[int, int], Any] = {}
    for number, cells in enumerate(cell_rows, start=1):
        values = list(cells)
        while next_merge < len(merges) and merges[next_merge][0] <= number:
            active.append(merges[next_merge])
            next_merge += 1
        if active:
            active = [m for m in active if m[2] >= number]
            for min_row, min_col, _max_row, max_col in active:
                if number == min_row and min_col < len(values):
                    top_left[(min_row, min_col)] = values[min_col]
                source = top_left.get((min_row, min_col))
                if source is None:
                    continue
                for col in range(min_col, max_col + 1):
                    if (number, col) == (min_row, min_col):
                        continue
                    while col >= len(values):
                        values.append(None)
                    if values[col] is None:
                        values[col] = source
        if facts.formulas:
            for col, value in enumerate(values):
                if (number, col) in facts.formulas:
                    if value is None or value == "":
                        flagged.append(
                            Issue(code="cell_formula_no_value", row=number, column=column_letter(col), severity=WARNING)
                        )
                    else:
                        flagged.append(
                            Issue(
                                code="cell_formula",
                                row=number,
                                column=column_letter(col),
                                severity=WARNING,
                                params={"value": _cell_text(value)[:100]},
                            )
                        )
        yield number, [_cell_text(value) for value in values]


# --- both kinds: header, rows, caps ---------------------------------------------------------


def _clean_cell(value: str, number: int, col: int, issues: list[Issue]) -> str:
    if _CONTROL_RE.search(value):
        # Line breaks inside a cell become spaces; other control characters go.
        value = _CONTROL_RE.sub("", value.replace("\x0b", " ").replace("\x0c", " "))
        issues.append(Issue(code="cell_control_characters", row=number, column=column_letter(col), severity=WARNING))
    value = value.strip()
    max_chars = limit("HOMECOMING_INTAKE_MAX_CELL_CHARS")
    if len(value) > max_chars:
        issues.append(
            Issue(
                code="cell_too_long",
                row=number,
                column=column_letter(col),
                params={"length": len(value), "limit": max_chars},
            )
        )
        value = value[:max_chars]
    if value.startswith("="):
        issues.append(
            Issue(
                code="cell_formula_text", row=number, column=column_letter(col), severity=WARNING, params={"char": "="}
            )
        )
    return value


def build_table(
    records: Iterator[tuple[int, list[Any]]],
    *,
    kind: str,
    stop_on_blank_run: bool,
    last_value_row: int = 0,
) -> Table:
    """Header, data rows and cell issues from raw records, enforcing the caps.

    ``stop_on_blank_run``: stop after the limit of consecutive empty rows and say so (XLSX);
    otherwise a long run of empty rows followed by data is an error (CSV, whose empty tail has
    already been cut). ``last_value_row`` (XLSX): the last row holding a value, to tell the two apart.
    """
    max_columns = limit("HOMECOMING_INTAKE_MAX_COLUMNS")
    max_rows = limit("HOMECOMING_INTAKE_MAX_ROWS")
    max_blank = limit("HOMECOMING_INTAKE_MAX_BLANK_RUN")
    issues: list[Issue] = []
    first = next(records, None)
    if first is None:
        raise fatal("file_empty")
    _number, header_cells = first
    raw_headers = [str(cell if cell is not None else "") for cell in header_cells]
    if len(raw_headers) > max_columns and any(h.strip() for h in raw_headers[max_columns:]):
        raise fatal("too_many_columns", row=1, count=len(raw_headers), limit=max_columns)
    headers = [_clean_cell(h, 1, i, issues) for i, h in enumerate(raw_headers[:max_columns])]
    while headers and not headers[-1]:
        headers.pop()
    if not headers:
        raise fatal("header_missing", row=1)
    seen: dict[str, int] = {}
    for index, header in enumerate(headers):
        if not header:
            continue
        key = " ".join(header.casefold().split())
        if key in seen:
            raise fatal(
                "header_duplicate",
                row=1,
                column=column_letter(index),
                header=header,
                other=column_letter(seen[key]),
            )
        seen[key] = index
    width = len(headers)
    rows: list[TableRow] = []
    blank_run = 0
    blank_start = 0
    blank_columns_with_data: set[int] = {i for i, h in enumerate(headers) if not h}
    for number, cells in records:
        values = [str(cell) if cell is not None else "" for cell in cells]
        if not any(v.strip() for v in values):
            if blank_run == 0:
                blank_start = number
            blank_run += 1
            if blank_run >= max_blank:
                if stop_on_blank_run:
                    if last_value_row > number:
                        raise fatal(
                            "data_after_blank_rows",
                            row=blank_start,
                            first=blank_start,
                            last=number,
                            resumes=last_value_row,
                        )
                    issues.append(
                        Issue(
                            code="rows_ignored_after_blank",
                            severity=WARNING,
                            params={"row": number, "count": blank_run},
                        )
                    )
                    break
                raise fatal("data_after_blank_rows", row=blank_start, first=blank_start, last=number)
            continue
        blank_run = 0
        if len(rows) >= max_rows:
            raise fatal("too_many_rows", row=number, limit=max_rows)
        if len(values) > max_columns and any(v.strip() for v in values[max_columns:]):
            raise fatal("too_many_columns", row=number, count=len(values), limit=max_columns)
        for index in range(width, len(values)):
            if values[index].strip():
                raise fatal("row_too_long", row=number, column=column_letter(index), last=column_letter(width - 1))
        cleaned = [_clean_cell(values[i], number, i, issues) if i < len(values) else "" for i in range(width)]
        for index in list(blank_columns_with_data):
            if cleaned[index]:
                raise fatal("header_blank", row=number, column=column_letter(index))
        rows.append(TableRow(number=number, values=cleaned))
    if not rows:
        raise fatal("header_only")
    table = Table(kind=kind, headers=headers, rows=rows, issues=issues)
    _add_headers(table)
    return table
