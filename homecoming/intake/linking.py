"""Matching the rows of a batch: against earlier imports of the same source, against the registry,
and against each other.

* **Earlier imports** — a row with the same identifier as a row imported earlier from the same
  source (same agency), or the same name and exact date of birth, is that person again: the
  import updates them instead of registering a duplicate (a corrected file, a new edition).
* **Registry** — candidates come from the registry's name-key index (the matching engine's
  ``token_keys``) among the persons the importing user may see, scored on names, date of birth
  and sex (the engine's cross-script name similarity). One near-certain candidate makes the row "existing"; weaker or several candidates
  make it "ambiguous", for a person to decide.
* **Within the file** — a row that repeats an earlier row (same name keys, compatible date of
  birth and sex) is a "duplicate" of it, for a person to decide (skip it or keep both).
"""

from __future__ import annotations

import datetime as dt
import multiprocessing
from collections.abc import Callable, Iterable, Mapping, Sequence, Set
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from homecoming.matching.engine.compare import Name, prepare_name
from homecoming.matching.engine.compare import name_similarity as engine_name_similarity
from homecoming.matching.engine.keys import name_keys, tokens

EXISTING_SCORE = 0.95  # one candidate this sure is taken as the same person (the user may still change it)
CANDIDATE_SCORE = 0.6  # below this a registered person is not offered
CANDIDATE_NAME = 0.8  # nor when the names alone are less alike than this (a shared family name is not enough)
DUPLICATE_SCORE = 0.9
MAX_CANDIDATES = 5
MAX_SCORED = 6  # persons (or earlier rows) compared by name with one row, the likeliest first (see shortlist)

# A function told how many items of how many are done (every PROGRESS_EVERY rows, or chunk of names).
ProgressCallback = Callable[[int, int], None]
PROGRESS_EVERY = 500


@dataclass(frozen=True)
class PersonFacts:
    """What matching compares: names (all spellings), sex, birth range."""

    names: tuple[str, ...]
    sex: str = "U"
    birth_earliest: dt.date | None = None
    birth_latest: dt.date | None = None
    exact_birth: bool = False

    @classmethod
    def from_cleaned(cls, cleaned: Mapping[str, Any]) -> PersonFacts:
        names = [cleaned.get("full_name") or "", *list(cleaned.get("other_names") or [])]
        earliest = cleaned.get("birth_date_earliest")
        latest = cleaned.get("birth_date_latest")
        return cls(
            names=tuple(n for n in names if n),
            sex=cleaned.get("sex") or "U",
            birth_earliest=dt.date.fromisoformat(earliest) if earliest else None,
            birth_latest=dt.date.fromisoformat(latest) if latest else None,
            exact_birth=cleaned.get("birth_date_precision") == "day",
        )


@dataclass
class Candidate:
    person_id: int
    score: float
    reasons: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {"person_id": self.person_id, "score": round(self.score, 3), "reasons": self.reasons}


@lru_cache(maxsize=262_144)
def _prepared(text: str) -> Name:
    return prepare_name(text)


def token_keys_of(names: Iterable[str]) -> dict[str, frozenset[str]]:
    """{token: its search keys} over every spelling of a person (tokens without keys left out)."""
    found: dict[str, set[str]] = {}
    for name in names:
        for token, keys in name_keys(name).items():
            if keys:
                found.setdefault(token, set()).update(keys)
    return {token: frozenset(keys) for token, keys in found.items()}


class TokenIndex:
    """The ids (persons, rows) the names of a long list point at through their tokens' keys.

    The ids each token's keys point at (the union over its keys), and the ids two tokens both point at,
    are computed once per distinct token and pair of tokens: they repeat from row to row (a given name
    with a family name)."""

    def __init__(self, ids_by_key: Mapping[str, Set[int]]) -> None:
        self._ids_by_key = ids_by_key
        self._by_token: dict[frozenset[str], set[int]] = {}
        self._by_pair: dict[tuple[frozenset[str], frozenset[str]], set[int]] = {}

    def ids(self, keys: frozenset[str]) -> set[int]:
        """The ids any of a token's keys point at."""
        found = self._by_token.get(keys)
        if found is None:
            found = self._by_token[keys] = set().union(*(self._ids_by_key.get(key, ()) for key in keys))
        return found

    def covering(self, tokens: Iterable[frozenset[str]]) -> tuple[set[int], list[set[int]]]:
        """The ids found by at least two of the tokens of a name (by its only token if it has one), and
        each token's ids. The name is given as its tokens' keys.

        A shared family name, or a shared given name, is not enough to be offered as the same person; two
        names alike enough to be a candidate (``CANDIDATE_NAME``) share at least two tokens' keys."""
        keyed = [(keys, self.ids(keys)) for keys in tokens]
        if len(keyed) < 2:
            return (set(keyed[0][1]) if keyed else set()), [ids for _keys, ids in keyed]
        keyed.sort(key=lambda item: len(item[1]))
        found: set[int] = set()
        for i, (smaller_keys, smaller) in enumerate(keyed[:-1]):
            for larger_keys, larger in keyed[i + 1 :]:
                pair = (smaller_keys, larger_keys)
                both = self._by_pair.get(pair)
                if both is None:
                    both = self._by_pair[pair] = smaller & larger  # iterates the smaller set
                found |= both
        return found, [ids for _keys, ids in keyed]


# The engine's comparison of two names is the costly part of matching (names repeat in long lists): each
# pair is compared once and kept, at most PAIR_CACHE_SIZE pairs (then forgotten all at once).
PAIR_CACHE_SIZE = 2_000_000
_PAIRS: dict[tuple[str, str], float | None] = {}
# Pairs compared ahead of scoring (``compare_names``) in worker processes when they are this many or more.
PARALLEL_MIN_PAIRS = 20_000
PARALLEL_CHUNK = 2_000


def _pair_similarity(a: str, b: str) -> float | None:
    key = (a, b)
    if key in _PAIRS:
        return _PAIRS[key]
    value = engine_name_similarity(_prepared(a), _prepared(b))
    if len(_PAIRS) >= PAIR_CACHE_SIZE:
        _PAIRS.clear()
    _PAIRS[key] = value
    return value


def _similarities(pairs: Sequence[tuple[str, str]]) -> list[float | None]:
    """In a worker process: the engine's similarity of each pair."""
    return [engine_name_similarity(_prepared(a), _prepared(b)) for a, b in pairs]


def compare_names(
    pairs: Iterable[tuple[str, str]], *, processes: int = 1, progress: ProgressCallback | None = None
) -> None:
    """Compare many pairs of names ahead of their scoring (``score`` then finds them compared), with the
    engine's similarity: split among ``processes`` worker processes when they are many (the comparison is
    pure Python; one process uses one core). The result is the same as comparing them one by one."""
    todo = [pair for pair in dict.fromkeys(pairs) if pair not in _PAIRS]
    if len(_PAIRS) + len(todo) > PAIR_CACHE_SIZE:
        _PAIRS.clear()
    total = len(todo)
    if processes < 2 or total < PARALLEL_MIN_PAIRS:
        for done, (a, b) in enumerate(todo):
            if progress is not None and done % (PROGRESS_EVERY * 10) == 0:
                progress(done, total)
            _pair_similarity(a, b)
        return
    chunks = [todo[start : start + PARALLEL_CHUNK] for start in range(0, total, PARALLEL_CHUNK)]
    # Forked workers start at once, with the names prepared so far; they only compute (never touch the
    # database connection they inherit) and leave without clean-up. Where there is no fork: fresh ones.
    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
    pool = ProcessPoolExecutor(max_workers=processes, mp_context=multiprocessing.get_context(method))
    try:
        futures = {pool.submit(_similarities, chunk): chunk for chunk in chunks}
        done = 0
        for future in as_completed(futures):
            chunk = futures[future]
            _PAIRS.update(zip(chunk, future.result(), strict=True))
            done += len(chunk)
            if progress is not None:
                progress(done, total)
    finally:
        # On an error (or a cancelled job) the chunks not started are dropped.
        pool.shutdown(wait=True, cancel_futures=True)


def name_similarity(left: Sequence[str], right: Sequence[str]) -> float:
    """The best similarity (the matching engine's, across scripts) over the spellings of each side."""
    best = 0.0
    for a in left:
        for b in right:
            similarity = _pair_similarity(a, b)
            if similarity is not None:
                best = max(best, similarity)
    return best


def birth_agreement(left: PersonFacts, right: PersonFacts) -> float | None:
    """1 same exact date; 0.6 exact dates within a month or day and month swapped; 0 other exact dates; 0.7
    overlapping ranges, 0.3 within two years, 0 further apart (an estimated date on either side); None if
    unknown."""
    if not (left.birth_earliest and left.birth_latest and right.birth_earliest and right.birth_latest):
        return None
    if left.exact_birth and right.exact_birth:
        if left.birth_earliest == right.birth_earliest:
            return 1.0
        gap_days = abs((left.birth_earliest - right.birth_earliest).days)
        # A transposed day and month, or a typo in the day, is common in lists.
        if gap_days <= 31 or (
            left.birth_earliest.year == right.birth_earliest.year
            and left.birth_earliest.day == right.birth_earliest.month
            and left.birth_earliest.month == right.birth_earliest.day
        ):
            return 0.6
        # Two exact dates further apart are two people (siblings, namesakes) far more often than one person
        # written twice: not a candidate. The registry's deduplication still weighs such pairs for review.
        return 0.0
    if left.birth_earliest <= right.birth_latest and right.birth_earliest <= left.birth_latest:
        return 0.7
    gap = min(
        abs((left.birth_earliest - right.birth_latest).days), abs((right.birth_earliest - left.birth_latest).days)
    )
    return 0.3 if gap <= 2 * 366 else 0.0


def compatible(left: PersonFacts, right: PersonFacts) -> float | None:
    """The cheap part of ``score``: -1 if sex or birth rule the pair out, else the birth agreement."""
    if left.sex in {"F", "M"} and right.sex in {"F", "M"} and left.sex != right.sex:
        return -1.0
    birth = birth_agreement(left, right)
    return -1.0 if birth == 0.0 else birth


def score(left: PersonFacts, right: PersonFacts) -> tuple[float, list[str]]:
    """A score from 0 to 1 that two descriptions are the same person, and the reasons.

    Sex and birth are compared first: a pair they rule out is not compared by name (the costly part)."""
    if left.sex in {"F", "M"} and right.sex in {"F", "M"} and left.sex != right.sex:
        return 0.0, ["sex_differs"]
    birth = birth_agreement(left, right)
    if birth == 0.0:
        return 0.0, ["birth_differs"]
    names = name_similarity(left.names, right.names)
    reasons = [f"name:{round(names, 2)}"]
    if names < CANDIDATE_NAME:
        return names * 0.5, [*reasons, "names_differ"]
    if birth is None:
        total = names * 0.85
        reasons.append("birth_unknown")
    else:
        total = names * 0.7 + birth * 0.3
        reasons.append(f"birth:{birth}")
    if left.sex == right.sex and left.sex in {"F", "M"}:
        total = min(1.0, total + 0.05)
        reasons.append("sex")
    return total, reasons


def shortlist(
    row: PersonFacts,
    ids: Iterable[int],
    facts_of: Callable[[int], PersonFacts],
    token_sets: Sequence[Set[int]] = (),
) -> list[int]:
    """Of the ids a row's names point at, those sex and birth do not rule out, at most ``MAX_SCORED``
    (they are then compared by name): those more of the row's tokens point at first, then the best
    agreement of birth."""
    ranked = []
    for pk in ids:
        birth = compatible(row, facts_of(pk))
        if birth is None or birth >= 0:
            hits = sum(1 for found in token_sets if pk in found)
            ranked.append((-hits, -(birth if birth is not None else 0.5), pk))
    ranked.sort()
    return [pk for *_, pk in ranked[:MAX_SCORED]]


def phased(progress: ProgressCallback | None, start: float, end: float) -> ProgressCallback | None:
    """A part of a task's progress: done/total of the part as the share ``start``..``end`` (0 to 1) of the whole
    (reported as thousandths)."""
    if progress is None:
        return None
    reporter = progress

    def report(done: int, total: int) -> None:
        share = start + (end - start) * (done / total if total else 1.0)
        reporter(round(1000 * share), 1000)

    return report


def within_file_duplicates(
    rows: Sequence[tuple[int, PersonFacts]], *, processes: int = 1, progress: ProgressCallback | None = None
) -> dict[int, int]:
    """{row number: the earlier row it repeats}. With ``processes`` > 1 the names of the rows each row may
    repeat are compared beforehand in that many worker processes (``compare_names``)."""
    facts = dict(rows)
    by_key: dict[str, set[int]] = {}
    row_tokens: dict[int, dict[str, frozenset[str]]] = {}
    for number, row_facts in rows:
        row_tokens[number] = token_keys_of(row_facts.names)
        for keys in row_tokens[number].values():
            for key in keys:
                by_key.setdefault(key, set()).add(number)
    order = sorted(facts)
    listing = phased(progress, 0.0, 0.2)
    shortlists: dict[int, list[int]] = {}
    index = TokenIndex(by_key)
    for done, second in enumerate(order):
        if listing is not None and done % PROGRESS_EVERY == 0:
            listing(done, len(order))
        found, token_sets = index.covering(row_tokens[second].values())
        earlier = sorted(n for n in found if n < second)
        shortlists[second] = sorted(shortlist(facts[second], earlier, facts.__getitem__, token_sets))
    if processes > 1:
        compare_names(
            (
                (a, b)
                for second, firsts in shortlists.items()
                for first in firsts
                for a in facts[first].names
                for b in facts[second].names
            ),
            processes=processes,
            progress=phased(progress, 0.2, 0.9),
        )
    scoring = phased(progress, 0.9 if processes > 1 else 0.2, 1.0)
    duplicates: dict[int, int] = {}
    for done, second in enumerate(order):
        if scoring is not None and done % PROGRESS_EVERY == 0:
            scoring(done, len(order))
        for first in shortlists[second]:
            total, reasons = score(facts[first], facts[second])
            if total >= DUPLICATE_SCORE and "birth_differs" not in reasons:
                duplicates[second] = duplicates.get(first, first)
                break
    if scoring is not None:
        scoring(len(order), len(order))
    return duplicates


def name_key_of(name: str) -> str:
    return " ".join(sorted(tokens(name)))
