"""Load a generated population (:mod:`homecoming.matching.generator`) into the registry tables.

For the tests and the benchmark only: generated people, never real data. Every generated record becomes a
person of its own with one primary name, as two offices' records of one person would be before anyone
noticed. Person ids are the generated ``record_id`` plus ``offset`` (the largest person id before loading),
so the truth can be joined back. On PostgreSQL the rows go in with ``COPY``; elsewhere with ``bulk_create``.
Search keys (``NameKey``) are not built: the batch deduplication does not read them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pyarrow as pa
from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone

from homecoming.accounts.models import Agency
from homecoming.registry.choices import BirthDatePrecision, NameKind, Sex
from homecoming.registry.models import Person, PersonName

__all__ = ["population_load"]

_PERSON_COLUMNS = [
    "id", "owner_agency_id", "display_name", "sex", "birth_date", "birth_date_precision", "birth_date_min",
    "birth_date_max", "birth_place", "birth_country", "created_at", "updated_at",
]  # fmt: skip
_NAME_COLUMNS = [
    "id", "person_id", "full_name", "given_name", "family_name", "script", "kind", "is_primary", "source",
    "romanised", "keys_version", "created_at",
]  # fmt: skip


def _rows(table: pa.Table, agency_id: int, offset: int) -> Iterator[tuple[tuple[Any, ...], tuple[Any, ...]]]:
    now = timezone.now()
    columns = {name: table[name].to_pylist() for name in table.column_names}
    for index in range(table.num_rows):
        pk = offset + columns["record_id"][index]
        given, family = columns["given_name"][index] or "", columns["family_name"][index] or ""
        full = f"{given} {family}".strip()
        birth: dt.date | None = columns["birth_date"][index]
        low, high = columns["birth_date_min"][index], columns["birth_date_max"][index]
        precision = BirthDatePrecision.EXACT if birth is None or low == high else BirthDatePrecision.ESTIMATED
        person = (
            pk, agency_id, full[:300], columns["sex"][index] or Sex.UNKNOWN, birth, str(precision),
            low, high, "", "", now, now,
        )  # fmt: skip
        name = (pk, pk, full[:300], given[:150], family[:150], columns["script"][index] or "", str(NameKind.PRIMARY), True, "generated", "", 0, now)  # fmt: skip
        yield person, name


def _copy(table: str, columns: list[str], rows: list[tuple[Any, ...]]) -> None:
    with connection.cursor() as cursor, cursor.cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def population_load(table: pa.Table, *, agency: Agency) -> int:
    """Insert one person and one primary name per generated record; returns the id offset used."""
    offset = max(
        Person.objects.aggregate(top=Max("id"))["top"] or 0, PersonName.objects.aggregate(top=Max("id"))["top"] or 0
    )
    persons, names = [], []
    for person, name in _rows(table, agency.pk, offset):
        persons.append(person)
        names.append(name)
    with transaction.atomic():
        if connection.vendor == "postgresql":
            _copy(Person._meta.db_table, _PERSON_COLUMNS, persons)
            _copy(PersonName._meta.db_table, _NAME_COLUMNS, names)
            with connection.cursor() as cursor:
                for model in (Person, PersonName):
                    db_table = model._meta.db_table
                    cursor.execute(
                        f"SELECT setval(pg_get_serial_sequence('{db_table}', 'id'), (SELECT max(id) FROM {db_table}))"  # noqa: S608
                    )
        else:
            Person.objects.bulk_create(
                (Person(**dict(zip(_PERSON_COLUMNS, row, strict=True))) for row in persons), batch_size=2000
            )
            PersonName.objects.bulk_create(
                (PersonName(**dict(zip(_NAME_COLUMNS, row, strict=True))) for row in names), batch_size=2000
            )
    return offset
