"""Validating every row of a mapped table, and the references between rows. No database access:
facilities are looked up through the function the caller passes in.

The result of a row is its raw values (by field), its cleaned values (JSON, as they will be
stored) and its issues, each located by row and column.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from homecoming.intake.conf import limit
from homecoming.intake.fields import FIELD_BY_KEY, normalise_header
from homecoming.intake.issues import ERROR, WARNING, Issue, column_index
from homecoming.intake.reading import Table
from homecoming.intake.values import (
    BadValueError,
    BirthDate,
    age_on,
    birth_from_age,
    parse_age,
    parse_birth_date,
    parse_date,
    parse_name,
    parse_nationality,
    parse_row_number,
    parse_sex,
    split_other_names,
)
from homecoming.matching.engine.keys import tokens

# Longest value kept per field (names have their own limit in values.NAME_MAX_LENGTH).
FIELD_MAX_LENGTH = {
    "birth_place": 200,
    "nationality": 100,
    "mother_name": 300,
    "facility": 200,
    "identifier_type": 50,
    "identifier": 100,
    "notes": 2000,
    "other_names": 1000,
}

# name → [(facility id, facility name)], for the names of facilities in the file.
FacilityLookup = Callable[[str], Sequence[tuple[int, str]]]


@dataclass
class RowResult:
    number: int
    raw: dict[str, str]
    cleaned: dict[str, Any] = field(default_factory=dict)
    issues: list[Issue] = field(default_factory=list)

    @property
    def errors(self) -> list[Issue]:
        return [issue for issue in self.issues if issue.is_error]

    @property
    def has_errors(self) -> bool:
        return any(issue.is_error for issue in self.issues)


@dataclass
class Validation:
    rows: list[RowResult]
    file_issues: list[Issue]

    @property
    def error_count(self) -> int:
        return sum(len(row.errors) for row in self.rows) + sum(1 for i in self.file_issues if i.is_error)

    @property
    def rows_with_errors(self) -> int:
        return sum(1 for row in self.rows if row.has_errors)


class _RowContext:
    """Adds issues to one row, located at the column of a field."""

    def __init__(self, result: RowResult, table: Table, mapping: Mapping[str, str]) -> None:
        self.result = result
        self.table = table
        self.mapping = mapping

    def add(self, field_key: str, code: str, severity: str = ERROR, **params: Any) -> None:
        column = self.mapping.get(field_key, "")
        self.result.issues.append(
            Issue(
                code=code,
                row=self.result.number,
                column=column,
                header=self.table.header_of(column) if column else "",
                field=field_key,
                severity=severity,
                params=params,
            )
        )

    def problem(self, field_key: str, problem: BadValueError) -> None:
        self.add(field_key, problem.code, **problem.params)


def _raw_values(table: Table, mapping: Mapping[str, str], values: Sequence[str]) -> dict[str, str]:
    raw = {}
    for field_key, column in mapping.items():
        try:
            index = column_index(column)
        except ValueError:
            continue
        raw[field_key] = values[index] if index < len(values) else ""
    return raw


def _limited(ctx: _RowContext, field_key: str, value: str) -> str:
    max_length = FIELD_MAX_LENGTH.get(field_key)
    if max_length and len(value) > max_length:
        ctx.add(field_key, "value_too_long", length=len(value), limit=max_length)
        return value[:max_length]
    return value


def _validate_names(ctx: _RowContext, raw: Mapping[str, str], cleaned: dict[str, Any]) -> None:
    names: dict[str, str] = {}
    for key in ("full_name", "given_name", "family_name"):
        value = raw.get(key, "").strip()
        if not value:
            continue
        try:
            names[key], changed = parse_name(value)
        except BadValueError as problem:
            ctx.problem(key, problem)
            names[key] = ""
            continue
        if changed:
            ctx.add(key, "name_cleaned", WARNING)
    given, family = names.get("given_name", ""), names.get("family_name", "")
    full = names.get("full_name", "") or " ".join(part for part in (given, family) if part)
    failed = any(issue.field in {"full_name", "given_name", "family_name"} for issue in ctx.result.errors)
    if not full and not failed:
        ctx.add("full_name" if "full_name" in ctx.mapping else "given_name", "name_required")
    cleaned.update(full_name=full, given_name=given, family_name=family)
    others: list[str] = []
    for value in split_other_names(raw.get("other_names", "")):
        try:
            name, _changed = parse_name(value)
        except BadValueError as problem:
            ctx.problem("other_names", problem)
            continue
        if name not in others and name != full:
            others.append(name)
    cleaned["other_names"] = others


def _disagree(birth: BirthDate, from_age: BirthDate) -> bool:
    """A stated date of birth and a stated age disagree (one year of slack: ages in lists are rounded)."""
    if birth.precision not in {"day", "month", "year"}:
        return False
    slack = dt.timedelta(days=366)
    return birth.latest < from_age.earliest - slack or birth.earliest > from_age.latest + slack


def _validate_dates(
    ctx: _RowContext, raw: Mapping[str, str], cleaned: dict[str, Any], list_date: dt.date, today: dt.date
) -> None:
    at = list_date
    at_text = raw.get("age_at", "").strip()
    if at_text:
        try:
            at = parse_date(at_text, today=today)
        except BadValueError as problem:
            ctx.problem("age_at", problem)
    cleaned["age_at"] = at.isoformat()
    birth = None
    dob_text = raw.get("birth_date", "").strip()
    if dob_text:
        try:
            birth = parse_birth_date(dob_text, at=at, today=today)
        except BadValueError as problem:
            ctx.problem("birth_date", problem)
    age_text = raw.get("age", "").strip()
    age = None
    if age_text:
        try:
            age, _estimated = parse_age(age_text)
        except BadValueError as problem:
            ctx.problem("age", problem)
    elif at_text:
        ctx.add("age_at", "age_at_without_age", WARNING)
    if age is not None:
        cleaned["age"] = round(age, 2)
        from_age = birth_from_age(age, at)
        if birth is None:
            birth = from_age
        elif _disagree(birth, from_age):
            ctx.add(
                "age",
                "age_dob_mismatch",
                age=age_text,
                dob=dob_text,
                computed=age_on(birth.value, at),
                at=at.isoformat(),
            )
    if birth is not None:
        cleaned.update(birth.to_json())
    else:
        cleaned.update(birth_date=None, birth_date_precision="", birth_date_earliest=None, birth_date_latest=None)


def _validate_row(
    table: Table,
    mapping: Mapping[str, str],
    number: int,
    values: Sequence[str],
    *,
    facilities: FacilityLookup | None,
    facility_cache: dict[str, Sequence[tuple[int, str]]],
    list_date: dt.date,
    today: dt.date,
) -> RowResult:
    raw = _raw_values(table, mapping, values)
    result = RowResult(number=number, raw=raw)
    ctx = _RowContext(result, table, mapping)
    cleaned: dict[str, Any] = {}
    _validate_names(ctx, raw, cleaned)
    try:
        cleaned["sex"] = parse_sex(raw.get("sex", ""))
    except BadValueError as problem:
        ctx.problem("sex", problem)
        cleaned["sex"] = "U"
    _validate_dates(ctx, raw, cleaned, list_date, today)
    for key in ("birth_place", "identifier_type", "identifier", "notes"):
        value = " ".join(raw.get(key, "").split()) if key != "notes" else raw.get(key, "").strip()
        value = _limited(ctx, key, value)
        if value.startswith(("=", "+", "@")) or (value.startswith("-") and len(value) > 1 and not value[1:2].isdigit()):
            ctx.add(key, "value_formula", WARNING, char=value[0])
        cleaned[key] = value
    if cleaned["identifier_type"] and not cleaned["identifier"]:
        ctx.add("identifier", "identifier_without_value")
    nationality_text = _limited(ctx, "nationality", raw.get("nationality", "").strip())
    cleaned["nationality"] = ""
    if nationality_text:
        code, known = parse_nationality(nationality_text)
        cleaned["nationality"] = code
        if not known:
            ctx.add("nationality", "nationality_unrecognised", WARNING, value=nationality_text)
    mother_text = raw.get("mother_row", "").strip()
    cleaned["mother_row"] = None
    if mother_text:
        try:
            cleaned["mother_row"] = parse_row_number(mother_text)
        except BadValueError as problem:
            ctx.problem("mother_row", problem)
    mother_name = _limited(ctx, "mother_name", " ".join(raw.get("mother_name", "").split()))
    if mother_name:
        try:
            mother_name, _changed = parse_name(mother_name)
        except BadValueError as problem:
            ctx.problem("mother_name", problem)
    cleaned["mother_name"] = mother_name
    facility_name = _limited(ctx, "facility", " ".join(raw.get("facility", "").split()))
    cleaned["facility"] = facility_name
    cleaned["facility_id"] = None
    if facility_name and facilities is not None:
        key = normalise_header(facility_name)
        if key not in facility_cache:
            facility_cache[key] = list(facilities(facility_name))
        found = facility_cache[key]
        if len(found) == 1:
            cleaned["facility_id"], cleaned["facility"] = found[0]
        elif not found:
            ctx.add("facility", "facility_unknown", value=facility_name)
        else:
            ctx.add(
                "facility",
                "facility_ambiguous",
                value=facility_name,
                matches=", ".join(name for _id, name in found[:5]),
            )
    result.cleaned = cleaned
    return result


def _name_key(name: str) -> str:
    """Names compared within one file: the same tokens in any order ("al-" and spacing aside)."""
    return " ".join(sorted(tokens(name)))


def _mother_checks(rows: list[RowResult], mapping: Mapping[str, str], table: Table, list_date: dt.date) -> None:
    by_number = {row.number: row for row in rows}
    min_age = limit("HOMECOMING_INTAKE_MOTHER_MIN_AGE")
    women_by_name: dict[str, list[int]] = {}
    for row in rows:
        if row.cleaned.get("sex") == "F" and row.cleaned.get("full_name"):
            women_by_name.setdefault(_name_key(row.cleaned["full_name"]), []).append(row.number)
    for row in rows:
        ctx = _RowContext(row, table, mapping)
        mother_row = row.cleaned.get("mother_row")
        mother_name = row.cleaned.get("mother_name", "")
        row.cleaned["mother_resolved_row"] = None
        if mother_row is not None:
            mother = by_number.get(mother_row)
            if mother_row == row.number:
                ctx.add("mother_row", "mother_row_self")
                continue
            if mother is None:
                ctx.add("mother_row", "mother_row_missing", value=mother_row)
                continue
            sex = mother.cleaned.get("sex", "U")
            if sex != "F":
                ctx.add("mother_row", "mother_row_not_female", value=mother_row, sex=mother.raw.get("sex", "") or "—")
                continue
            earliest = mother.cleaned.get("birth_date_earliest")
            if earliest:
                oldest = age_on(dt.date.fromisoformat(earliest), list_date)
                if oldest < min_age:
                    ctx.add("mother_row", "mother_row_not_adult", value=mother_row, age=oldest, limit=min_age)
                    continue
                child_latest = row.cleaned.get("birth_date_latest")
                if child_latest and earliest >= child_latest:
                    ctx.add("mother_row", "mother_row_younger", value=mother_row)
                    continue
            if mother_name and _name_key(mother_name) != _name_key(mother.cleaned.get("full_name", "")):
                ctx.add("mother_name", "mother_name_row_conflict", WARNING, value=mother_name, row=mother_row)
            row.cleaned["mother_resolved_row"] = mother_row
        elif mother_name:
            candidates = [n for n in women_by_name.get(_name_key(mother_name), []) if n != row.number]
            if len(candidates) == 1:
                row.cleaned["mother_resolved_row"] = candidates[0]
            elif not candidates:
                ctx.add("mother_name", "mother_name_unresolved", WARNING, value=mother_name)
            else:
                ctx.add("mother_name", "mother_name_ambiguous", rows=", ".join(map(str, candidates)), value=mother_name)
    # Rows that name each other as mothers (possible when no ages are known).
    for row in rows:
        seen = [row.number]
        current = row.cleaned.get("mother_resolved_row")
        while current is not None and current not in seen and len(seen) < 50:
            seen.append(current)
            current = by_number[current].cleaned.get("mother_resolved_row") if current in by_number else None
        if current is not None and current == row.number:
            ctx = _RowContext(row, table, mapping)
            ctx.add("mother_row", "mother_row_cycle", rows=", ".join(map(str, seen)))
            row.cleaned["mother_resolved_row"] = None


def _identifier_checks(rows: list[RowResult], mapping: Mapping[str, str], table: Table) -> None:
    first: dict[tuple[str, str], int] = {}
    for row in rows:
        value = row.cleaned.get("identifier", "")
        if not value:
            continue
        key = (row.cleaned.get("identifier_type", "").casefold(), value.casefold())
        if key in first:
            _RowContext(row, table, mapping).add("identifier", "identifier_duplicate", value=value, row=first[key])
        else:
            first[key] = row.number


def validate_table(
    table: Table,
    mapping: Mapping[str, str],
    *,
    facilities: FacilityLookup | None = None,
    list_date: dt.date | None = None,
    today: dt.date | None = None,
) -> Validation:
    """Validate every row of ``table`` under ``mapping`` (``{field: column letter}``)."""
    today = today or dt.date.today()  # noqa: DTZ011 - a calendar date, not a moment
    list_date = min(list_date or today, today)
    mapping = {key: column for key, column in mapping.items() if key in FIELD_BY_KEY and column}
    mapped_columns = {column: key for key, column in mapping.items()}
    facility_cache: dict[str, Sequence[tuple[int, str]]] = {}
    rows = [
        _validate_row(
            table,
            mapping,
            row.number,
            row.values,
            facilities=facilities,
            facility_cache=facility_cache,
            list_date=list_date,
            today=today,
        )
        for row in table.rows
    ]
    _mother_checks(rows, mapping, table, list_date)
    _identifier_checks(rows, mapping, table)
    # Issues found while reading: those in mapped columns go to their row; the rest of the file's to the batch.
    by_number = {row.number: row for row in rows}
    file_issues: list[Issue] = []
    for issue in table.issues:
        if issue.row is None or issue.row == 1:
            file_issues.append(issue)
        elif issue.column in mapped_columns and issue.row in by_number:
            located = Issue(
                code=issue.code,
                row=issue.row,
                column=issue.column,
                header=issue.header,
                field=mapped_columns[issue.column],
                severity=issue.severity,
                params=issue.params,
            )
            by_number[issue.row].issues.insert(0, located)
    for row in rows:
        row.issues.sort(key=lambda i: (column_index(i.column) if i.column else -1, i.severity != ERROR))
    return Validation(rows=rows, file_issues=file_issues)
