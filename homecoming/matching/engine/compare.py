"""Field comparisons between two person records, each giving a discrete level (as Splink's comparison levels).

Pure Python, no Django.

- Names (:func:`name_similarity`): each pair of tokens is aligned sound by sound with costs for the script
  pair (:mod:`homecoming.matching.engine.phonetic`: Latin ↔ Arabic, Latin ↔ Cyrillic, same script); an
  attached ``ال`` is tried with and without, several tokens are matched one to one (and also joined), and
  kunya markers (Abu, Umm) may be missing on one side. Given and family names are compared in both orders.
- Dates of birth (:func:`compare_birth_dates`): exact dates must agree to the day; the tolerance grows with
  each side's uncertainty (an estimated date is a mid-year date give or take a year by default).
- Sex: agree, disagree, or unknown.
"""

from __future__ import annotations

import datetime
import enum
import itertools
from dataclasses import dataclass
from functools import lru_cache

from homecoming.matching.engine.keys import KUNYA_PARTS, detect_script, tokens
from homecoming.matching.engine.phonetic import arabic_similarity, cyrillic_similarity, same_script_similarity

__all__ = [
    "ESTIMATED_UNCERTAINTY_DAYS",
    "FIELDS",
    "BirthLevel",
    "Comparison",
    "NameLevel",
    "Person",
    "SexLevel",
    "compare",
    "compare_birth_dates",
    "compare_sex",
    "name_level",
    "name_similarity",
    "prepare_name",
]

#: How far an estimated date of birth may be from the truth, by default: a mid-year date ±1 year.
ESTIMATED_UNCERTAINTY_DAYS = 548
#: Exact dates within this many days are "close" (a typing slip), as are swapped day and month.
CLOSE_DAYS = 31


class NameLevel(enum.IntEnum):
    """How alike two names are, from :func:`name_similarity`."""

    MISSING = -1
    DIFFERENT = 0
    WEAK = 1
    FAIR = 2
    STRONG = 3
    EXACT = 4


#: Lower bounds of the name similarity for each level (documented in docs/matching.md).
NAME_THRESHOLDS: tuple[tuple[NameLevel, float], ...] = (
    (NameLevel.EXACT, 0.985),
    (NameLevel.STRONG, 0.92),
    (NameLevel.FAIR, 0.85),
    (NameLevel.WEAK, 0.70),
)


class BirthLevel(enum.IntEnum):
    MISSING = -1
    DIFFERENT = 0
    NEAR = 1
    COMPATIBLE = 2
    CLOSE = 3
    EXACT = 4


class SexLevel(enum.IntEnum):
    MISSING = -1
    DISAGREE = 0
    AGREE = 1


#: The compared fields, in the order explanations list them.
FIELDS = ("given_name", "family_name", "birth_date", "sex")


@dataclass(frozen=True, slots=True)
class Name:
    """A name prepared for comparison: its tokens and the script of each."""

    text: str
    tokens: tuple[str, ...]
    scripts: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Person:
    """The fields of one record that the engine compares. Build it with :meth:`build`."""

    given: Name
    family: Name
    birth_date: datetime.date | None
    birth_uncertainty_days: int
    sex: str  # "F", "M" or "" (unknown)

    @classmethod
    def build(
        cls,
        *,
        given: str,
        family: str,
        birth_date: datetime.date | None = None,
        birth_date_estimated: bool = False,
        birth_uncertainty_days: int | None = None,
        sex: str = "",
    ) -> Person:
        """A record from raw values; an estimated date gets :data:`ESTIMATED_UNCERTAINTY_DAYS` unless told."""
        if birth_uncertainty_days is None:
            birth_uncertainty_days = ESTIMATED_UNCERTAINTY_DAYS if birth_date_estimated else 0
        normalised_sex = sex.strip().upper()[:1]
        return cls(
            given=prepare_name(given),
            family=prepare_name(family),
            birth_date=birth_date,
            birth_uncertainty_days=max(0, birth_uncertainty_days),
            sex=normalised_sex if normalised_sex in {"F", "M"} else "",
        )


@lru_cache(maxsize=65536)
def prepare_name(text: str) -> Name:
    parts = tuple(tokens(text))
    return Name(text=text, tokens=parts, scripts=tuple(detect_script(part) for part in parts))


# --------------------------------------------------------------------------------------------------
# Names
# --------------------------------------------------------------------------------------------------


def _arabic_variants(token: str) -> tuple[str, ...]:
    """An Arabic token with and without an attached article (الرياشي / رياشي)."""
    for article in ("ال", "أل", "ٱل"):
        if token.startswith(article) and len(token) - len(article) >= 2:
            return (token, token[len(article) :])
    return (token,)


@lru_cache(maxsize=262144)
def token_similarity(left: str, left_script: str, right: str, right_script: str) -> float:
    """Similarity in [0, 1] of two single name tokens, whatever their scripts."""
    if left == right:
        return 1.0
    left_arabic = left_script == "arab"
    right_arabic = right_script == "arab"
    if left_arabic and right_arabic:
        return max(
            same_script_similarity(a, b, "arab") for a in _arabic_variants(left) for b in _arabic_variants(right)
        )
    if left_arabic or right_arabic:
        latin, arabic = (right, left) if left_arabic else (left, right)
        return max(arabic_similarity(latin, variant) for variant in _arabic_variants(arabic))
    if left_script == "cyrl" and right_script != "cyrl":
        return _calibrate(cyrillic_similarity(right, left), _CYRILLIC_SCALE)
    if right_script == "cyrl" and left_script != "cyrl":
        return _calibrate(cyrillic_similarity(left, right), _CYRILLIC_SCALE)
    return same_script_similarity(left, right, "latn")


# Latin and Cyrillic both write vowels, so their alignment (with vowel mismatches charged) spreads lower than
# the Latin-Arabic one: unrelated names rarely pass 0.62 and true variants mostly pass 0.8. This maps it onto the
# common scale of NAME_THRESHOLDS (piecewise linear through these points).
_CYRILLIC_SCALE: tuple[tuple[float, float], ...] = ((0.0, 0.0), (0.62, 0.70), (0.80, 0.85), (0.90, 0.92), (1.0, 1.0))


def _calibrate(value: float, scale: tuple[tuple[float, float], ...]) -> float:
    for (x0, y0), (x1, y1) in itertools.pairwise(scale):
        if value <= x1:
            return y0 + (value - x0) * (y1 - y0) / (x1 - x0)
    return scale[-1][1]


def _strip_kunya(name: Name) -> Name:
    kept = [
        (token, script)
        for index, (token, script) in enumerate(zip(name.tokens, name.scripts, strict=True))
        if not (token in KUNYA_PARTS and index + 1 < len(name.tokens))
    ]
    return Name(text=name.text, tokens=tuple(t for t, _ in kept), scripts=tuple(s for _, s in kept))


def _token_set_similarity(left: Name, right: Name) -> float:
    """Tokens matched one to one (greedily, best first); a token missing on one side costs a little."""
    if len(left.tokens) == 1 and len(right.tokens) == 1:
        return token_similarity(left.tokens[0], left.scripts[0], right.tokens[0], right.scripts[0])
    scores = sorted(
        (
            (token_similarity(lt, ls, rt, rs), li, ri)
            for li, (lt, ls) in enumerate(zip(left.tokens, left.scripts, strict=True))
            for ri, (rt, rs) in enumerate(zip(right.tokens, right.scripts, strict=True))
        ),
        reverse=True,
    )
    used_left: set[int] = set()
    used_right: set[int] = set()
    matched: list[float] = []
    for score, li, ri in scores:
        if li in used_left or ri in used_right:
            continue
        used_left.add(li)
        used_right.add(ri)
        matched.append(score)
    shorter = min(len(left.tokens), len(right.tokens))
    longer = max(len(left.tokens), len(right.tokens))
    return sum(matched) / shorter * (0.9 + 0.1 * shorter / longer)


def _joined(name: Name) -> Name:
    if len(name.tokens) <= 1:
        return name
    script = name.scripts[0] if len(set(name.scripts)) == 1 else "mixed"
    return Name(text=name.text, tokens=("".join(name.tokens),), scripts=(script,))


def name_similarity(left: Name, right: Name) -> float | None:
    """Similarity in [0, 1] of two names (one or more tokens each); ``None`` if either is empty."""
    if not left.tokens or not right.tokens:
        return None
    best = _token_set_similarity(left, right)
    if len(left.tokens) > 1 or len(right.tokens) > 1:
        best = max(best, _token_set_similarity(_joined(left), _joined(right)))
        left_bare, right_bare = _strip_kunya(left), _strip_kunya(right)
        if (left_bare.tokens, right_bare.tokens) != (left.tokens, right.tokens):
            best = max(best, 0.97 * _token_set_similarity(left_bare, right_bare))
    return best


def name_level(similarity: float | None) -> NameLevel:
    if similarity is None:
        return NameLevel.MISSING
    for level, threshold in NAME_THRESHOLDS:
        if similarity >= threshold:
            return level
    return NameLevel.DIFFERENT


# --------------------------------------------------------------------------------------------------
# Date of birth and sex
# --------------------------------------------------------------------------------------------------


def compare_birth_dates(
    left: datetime.date | None, left_uncertainty_days: int, right: datetime.date | None, right_uncertainty_days: int
) -> BirthLevel:
    """Compare two dates of birth, each with its uncertainty in days (0 for an exact date).

    EXACT: both exact and equal. CLOSE: both exact, within a month or with day and month swapped.
    COMPATIBLE: within the combined uncertainty (plus a month). NEAR: within twice that plus a year.
    """
    if left is None or right is None:
        return BirthLevel.MISSING
    gap = abs((left - right).days)
    tolerance = left_uncertainty_days + right_uncertainty_days
    if tolerance == 0:
        if gap == 0:
            return BirthLevel.EXACT
        swapped = left.day <= 12 and left.year == right.year and (left.month, left.day) == (right.day, right.month)
        if gap <= CLOSE_DAYS or swapped:
            return BirthLevel.CLOSE
    if gap <= tolerance + CLOSE_DAYS:
        return BirthLevel.COMPATIBLE
    if gap <= 2 * tolerance + 366:
        return BirthLevel.NEAR
    return BirthLevel.DIFFERENT


def compare_sex(left: str, right: str) -> SexLevel:
    if not left or not right:
        return SexLevel.MISSING
    return SexLevel.AGREE if left == right else SexLevel.DISAGREE


# --------------------------------------------------------------------------------------------------
# Records
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Comparison:
    """The comparison vector of a record pair, with the similarities behind the name levels."""

    given_name: NameLevel
    family_name: NameLevel
    birth_date: BirthLevel
    sex: SexLevel
    given_similarity: float | None
    family_similarity: float | None
    names_swapped: bool


def _sum(*values: float | None) -> float:
    return sum(value for value in values if value is not None)


def compare(left: Person, right: Person) -> Comparison:
    """Compare two records field by field. Given and family names are also tried the other way round
    (one record in five in practice has them swapped), and the better order is kept."""
    given = name_similarity(left.given, right.given)
    family = name_similarity(left.family, right.family)
    given_swapped = name_similarity(left.given, right.family)
    family_swapped = name_similarity(left.family, right.given)
    swapped = _sum(given_swapped, family_swapped) > _sum(given, family) + 1e-9
    if swapped:
        given, family = given_swapped, family_swapped
    return Comparison(
        given_name=name_level(given),
        family_name=name_level(family),
        birth_date=compare_birth_dates(
            left.birth_date, left.birth_uncertainty_days, right.birth_date, right.birth_uncertainty_days
        ),
        sex=compare_sex(left.sex, right.sex),
        given_similarity=given,
        family_similarity=family,
        names_swapped=swapped,
    )
