"""Derived columns for the batch model, made with the matching engine's keys.

Splink compares columns with SQL, and SQL knows nothing about scripts. So before Splink sees the records,
every name is turned into script-free keys by :mod:`homecoming.matching.engine.keys` (the same keys the
registry's search uses):

========================  ===================================================================================
``given_rom``              the given name romanised (``romanise`` of its ``tokens``, joined): ``Ҷамшед`` →
``family_rom``             ``jamshed``; Arabic script gives a consonant skeleton with long vowels (``krimuf``)
``given_sk``               the phonetic consonant skeleton (``skeleton`` of each token, joined): ``Jamshed``,
``family_sk``              ``Djamshed``, ``Джамшед``, ``جمشيد`` all give ``jmxd``
``given_stem``             the skeleton without a Tajik/Russian surname suffix (``-ov``/``-ova``/``-ev``, whose
``family_stem``            skeleton ends in ``f``, and ``-zoda``/``-zade``, ``sd``): ``Каримов``, ``Karimova``,
                           ``Каримзода``, ``كريموف`` → ``krm``
``name_key``               the two stems sorted and joined (``jmxd|krm``): equal whatever the order of the names
``birth_lo``/``birth_hi``  the birth-date range in days since 1970 (equal for an exact date)
``birth_day``              the stated birth date in days (``birth_exact_day`` only when it is exact); ``birth_year``; ``birth_ymd`` and ``birth_ydm``
                           (year·10⁴ + month·100 + day, and with day and month swapped)
========================  ===================================================================================

Keys are computed once per distinct name (a million records hold a few ten thousand distinct spellings),
then spread over the rows with Arrow, so preparing a million records takes seconds.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import pyarrow as pa
import pyarrow.compute as pc

from homecoming.matching.engine.keys import romanise, skeleton, tokens

__all__ = ["INPUT_COLUMNS", "name_parts", "prepare_records", "stem"]

#: The columns a table of person records must have (``birth_date_min``/``max`` may be all null). A record is one
#: name of a person; ``person_id`` (optional, by default the ``record_id``) groups the names of one person.
INPUT_COLUMNS = ("record_id", "given_name", "family_name", "sex", "birth_date", "birth_date_min", "birth_date_max")

_SUFFIX_SD_RE = re.compile(r"sd$")
_ARABIC_ARTICLE_RE = re.compile(r"^(?:ال|أل|ٱل)(?=\w{2,})")
_SUFFIX_F_RE = re.compile(r"f$")


def stem(skel: str) -> str:
    """A skeleton without the surname suffixes ``-zoda`` (``sd``) and ``-ov``/``-ev`` (``f``); at least 2 letters."""
    out = skel
    for pattern in (_SUFFIX_SD_RE, _SUFFIX_F_RE):
        shorter = pattern.sub("", out)
        if len(shorter) >= 2:
            out = shorter
    return out


def name_parts(text: str | None) -> tuple[str | None, str | None, str | None]:
    """(romanised, skeleton, stem) of one name field; ``None`` for an empty name."""
    if not text:
        return None, None, None
    # An attached Arabic article ("الحسن") is left out, as a detached one ("al-Hassan") is by ``tokens``.
    parts = [_ARABIC_ARTICLE_RE.sub("", part) for part in tokens(text)]
    roman = "".join(romanise(part).replace(" ", "") for part in parts)
    skel = "".join(skeleton(part) for part in parts)
    if not roman:
        return None, None, None
    return roman, skel or None, stem(skel) if skel else None


def _map_distinct(column: pa.ChunkedArray, func: Callable[[str | None], tuple[str | None, ...]], width: int) -> list[pa.Array]:  # fmt: skip
    """Apply ``func`` once per distinct value of a string column; return ``width`` derived string columns."""
    combined = column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column
    encoded = pc.dictionary_encode(combined)
    derived = [func(value) for value in encoded.dictionary.to_pylist()]
    outputs = []
    for position in range(width):
        dictionary = pa.array([row[position] for row in derived], pa.string())
        outputs.append(dictionary.take(encoded.indices))
    return outputs


def _days(column: pa.ChunkedArray) -> pa.ChunkedArray:
    return pc.cast(pc.cast(column, pa.date32()), pa.int32())


def prepare_records(table: pa.Table) -> pa.Table:
    """The records with the derived columns the batch model compares (see the module's docstring)."""
    missing = [name for name in INPUT_COLUMNS if name not in table.column_names]
    if missing:
        raise ValueError(f"Person records lack the columns: {', '.join(missing)}")
    given_rom, given_sk, given_stem = _map_distinct(table["given_name"], name_parts, 3)
    family_rom, family_sk, family_stem = _map_distinct(table["family_name"], name_parts, 3)
    low = pc.if_else(pc.less_equal(pc.coalesce(given_stem, ""), pc.coalesce(family_stem, "")), given_stem, family_stem)
    high = pc.if_else(pc.less_equal(pc.coalesce(given_stem, ""), pc.coalesce(family_stem, "")), family_stem, given_stem)
    name_key = pc.binary_join_element_wise(pc.coalesce(low, ""), pc.coalesce(high, ""), "|")

    birth = pc.cast(table["birth_date"], pa.date32())
    birth_day = _days(birth)
    birth_lo = pc.coalesce(_days(table["birth_date_min"]), birth_day)
    birth_hi = pc.coalesce(_days(table["birth_date_max"]), birth_day)
    year, month, day = pc.year(birth), pc.month(birth), pc.day(birth)
    birth_ymd = pc.add(pc.multiply(year, 10000), pc.add(pc.multiply(month, 100), day))
    birth_ydm = pc.add(pc.multiply(year, 10000), pc.add(pc.multiply(day, 100), month))
    sex = pc.if_else(pc.is_in(table["sex"], pa.array(["F", "M"])), table["sex"], pa.scalar(None, pa.string()))

    record_id = pc.cast(table["record_id"], pa.int64())
    person_id = pc.cast(table["person_id"], pa.int64()) if "person_id" in table.column_names else record_id
    return pa.table(
        {
            "record_id": record_id,
            "person_id": person_id,
            "given_rom": given_rom,
            "family_rom": family_rom,
            "given_sk": given_sk,
            "family_sk": family_sk,
            "given_stem": given_stem,
            "family_stem": family_stem,
            "name_key": name_key,
            "sex": sex,
            "birth_day": birth_day,
            "birth_lo": birth_lo,
            "birth_hi": birth_hi,
            "birth_exact_day": pc.if_else(pc.equal(birth_lo, birth_hi), birth_day, pa.scalar(None, pa.int32())),
            "birth_year": pc.cast(year, pa.int32()),
            "birth_ymd": pc.cast(birth_ymd, pa.int32()),
            "birth_ydm": pc.cast(birth_ydm, pa.int32()),
        }
    )
