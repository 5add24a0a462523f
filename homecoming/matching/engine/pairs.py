"""Reading person-pair CSV files and scoring them in bulk. Pure Python, no Django.

The format is that of the development set (``/work/shared/data/matching/dev_pairs.csv``)::

    pair_id,left_given,left_family,left_sex,left_birth_date,left_birth_date_estimated,
    right_given,right_family,right_sex,right_birth_date,right_birth_date_estimated

Extra columns are ignored (the script of each name is detected from the text, never read from a column).
A missing column, an empty or repeated ``pair_id`` is an :class:`InputError`. A value that cannot be read
(a date that is not a date, an unknown sex) is treated as missing, with a :class:`InputWarning` naming the
row and column; the row is still scored.
"""

from __future__ import annotations

import csv
import datetime
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import IO

from homecoming.matching.engine.compare import ESTIMATED_UNCERTAINTY_DAYS, Person
from homecoming.matching.engine.model import ModelParams, Score, load_params, score_pair

__all__ = [
    "REQUIRED_COLUMNS",
    "InputError",
    "InputWarning",
    "PairRow",
    "parse_birth_date",
    "parse_sex",
    "read_pairs",
    "score_rows",
    "write_scores",
]

SIDES = ("left", "right")
FIELDS = ("given", "family", "sex", "birth_date", "birth_date_estimated")
REQUIRED_COLUMNS = ("pair_id", *(f"{side}_{field}" for side in SIDES for field in FIELDS))

# Values of the sex column, in the languages the records come in.
_SEX_VALUES = {
    "f": "F", "female": "F", "woman": "F", "girl": "F", "ж": "F", "жен": "F", "женский": "F", "زن": "F",
    "أنثى": "F", "انثى": "F", "m": "M", "male": "M", "man": "M", "boy": "M", "м": "M", "муж": "M",
    "мужской": "M", "мард": "M", "ذكر": "M", "u": "", "unknown": "", "": "",
}  # fmt: skip
_TRUE = {"1", "true", "yes", "y", "t"}
_FALSE = {"0", "false", "no", "n", "f", ""}


class InputError(ValueError):
    """A file that cannot be scored at all. ``row`` is the 1-based line number in the file (1 = header)."""

    def __init__(self, message: str, *, row: int | None = None, column: str | None = None) -> None:
        self.row, self.column = row, column
        where = ", ".join(
            part for part in (f"row {row}" if row else "", f"column {column!r}" if column else "") if part
        )
        super().__init__(f"{where}: {message}" if where else message)


@dataclass(frozen=True, slots=True)
class InputWarning:
    row: int
    column: str
    message: str

    def __str__(self) -> str:
        return f"row {self.row}, column {self.column!r}: {self.message}"


@dataclass(frozen=True, slots=True)
class PairRow:
    row: int
    pair_id: str
    left: Person
    right: Person


_YEAR_RE = re.compile(r"^\d{4}$")
_MONTH_RE = re.compile(r"^(\d{4})-(\d{1,2})$")
_DOTTED_RE = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$")


def parse_birth_date(text: str, *, estimated: bool = False) -> tuple[datetime.date, int] | None:
    """A date of birth and its uncertainty in days, or ``None`` for an empty value.

    Accepts ``YYYY-MM-DD`` and ``DD.MM.YYYY`` (exact unless ``estimated``), ``YYYY-MM`` (the 15th, ±16 days)
    and ``YYYY`` (1 July, ±183 days). An estimated date is uncertain by at least
    :data:`~homecoming.matching.engine.compare.ESTIMATED_UNCERTAINTY_DAYS`. Raises ``ValueError`` otherwise.
    """
    text = text.strip()
    if not text:
        return None
    floor = ESTIMATED_UNCERTAINTY_DAYS if estimated else 0
    if _YEAR_RE.match(text):
        return datetime.date(int(text), 7, 1), max(floor, 183)
    if match := _MONTH_RE.match(text):
        return datetime.date(int(match[1]), int(match[2]), 15), max(floor, 16)
    if match := _DOTTED_RE.match(text):
        return datetime.date(int(match[3]), int(match[2]), int(match[1])), floor
    return datetime.date.fromisoformat(text), floor


def parse_sex(text: str) -> str | None:
    """ "F", "M", "" (unknown) or ``None`` if the value is not a sex at all."""
    return _SEX_VALUES.get(text.strip().lower())


def _flag(text: str) -> bool | None:
    value = text.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    return None


def _person(record: dict[str, str], side: str, row: int, warnings: list[InputWarning]) -> Person:
    def value(field: str) -> str:
        return record.get(f"{side}_{field}") or ""

    estimated_column = f"{side}_birth_date_estimated"
    estimated = _flag(value("birth_date_estimated"))
    if estimated is None:
        warnings.append(
            InputWarning(row, estimated_column, f"{value('birth_date_estimated')!r} is not 0 or 1; read as 0")
        )
        estimated = False
    date_column = f"{side}_birth_date"
    try:
        birth = parse_birth_date(value("birth_date"), estimated=estimated)
    except ValueError:
        warnings.append(
            InputWarning(row, date_column, f"{value('birth_date')!r} is not a date (YYYY-MM-DD); treated as missing")
        )
        birth = None
    sex = parse_sex(value("sex"))
    if sex is None:
        warnings.append(InputWarning(row, f"{side}_sex", f"{value('sex')!r} is not F, M or empty; treated as unknown"))
        sex = ""
    return Person.build(
        given=value("given"),
        family=value("family"),
        birth_date=birth[0] if birth else None,
        birth_uncertainty_days=birth[1] if birth else 0,
        sex=sex,
    )


def read_pairs(stream: IO[str]) -> tuple[list[PairRow], list[InputWarning]]:
    """Read and check a whole pairs file; raise :class:`InputError` if it cannot be scored."""
    reader = csv.DictReader(stream)
    header = [name.strip() for name in (reader.fieldnames or [])]
    if not header:
        raise InputError("the file is empty; expected a header with " + ", ".join(REQUIRED_COLUMNS))
    reader.fieldnames = header
    missing = [column for column in REQUIRED_COLUMNS if column not in header]
    if missing:
        raise InputError(
            f"missing column(s) {', '.join(missing)}; the header must contain {', '.join(REQUIRED_COLUMNS)}",
            row=1,
            column=missing[0],
        )
    rows: list[PairRow] = []
    warnings: list[InputWarning] = []
    seen: dict[str, int] = {}
    for record in reader:
        row = reader.line_num
        if None in record:
            raise InputError(f"{len(header) + len(record[None])} values for {len(header)} columns", row=row)
        pair_id = (record.get("pair_id") or "").strip()
        if not pair_id:
            raise InputError("empty pair_id", row=row, column="pair_id")
        if pair_id in seen:
            raise InputError(f"pair_id {pair_id!r} already used on row {seen[pair_id]}", row=row, column="pair_id")
        seen[pair_id] = row
        rows.append(
            PairRow(
                row=row,
                pair_id=pair_id,
                left=_person(record, "left", row, warnings),
                right=_person(record, "right", row, warnings),
            )
        )
    return rows, warnings


def score_rows(rows: Iterable[PairRow], params: ModelParams | None = None) -> Iterator[tuple[PairRow, Score]]:
    params = params or load_params()
    for row in rows:
        yield row, score_pair(row.left, row.right, params)


def write_scores(stream: IO[str], scored: Iterable[tuple[PairRow, Score]]) -> int:
    """Write ``pair_id,score,match`` rows; returns how many."""
    writer = csv.writer(stream, lineterminator="\n")
    writer.writerow(["pair_id", "score", "match"])
    count = 0
    for row, result in scored:
        writer.writerow([row.pair_id, f"{result.probability:.6f}", 1 if result.is_match else 0])
        count += 1
    return count
