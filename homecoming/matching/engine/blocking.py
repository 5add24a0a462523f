"""Blocking: which record pairs are worth comparing at all.

Pure Python, no Django. Two records are candidates when any name token of one shares a search key
(:func:`homecoming.matching.engine.keys.token_keys`) with any name token of the other, given and family
names pooled (so swapped names still meet). The same keys serve an indexed database lookup.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from homecoming.matching.engine.compare import Person
from homecoming.matching.engine.keys import token_keys

__all__ = ["blocking_keys", "candidate_pairs"]

#: A key shared by more records than this on one side is too common to block on alone.
MAX_BLOCK_SIZE = 200


def blocking_keys(person: Person, *, prefixes: bool = True) -> set[str]:
    """Every search key of every name token of a record, given and family names pooled.

    ``prefixes=False`` leaves out the three-letter skeleton prefixes (a tighter block, used for training).
    """
    keys: set[str] = set()
    for name in (person.given, person.family):
        for token in name.tokens:
            keys |= token_keys(token, prefixes=prefixes)
    return keys


def candidate_pairs(
    left: Sequence[Person],
    right: Sequence[Person],
    *,
    prefixes: bool = True,
    max_block_size: int = MAX_BLOCK_SIZE,
) -> list[tuple[int, int]]:
    """Index pairs (i, j) of left[i] and right[j] that share at least one blocking key, in order."""
    index: dict[str, list[int]] = defaultdict(list)
    for position, person in enumerate(right):
        for key in blocking_keys(person, prefixes=prefixes):
            index[key].append(position)
    pairs: set[tuple[int, int]] = set()
    for position, person in enumerate(left):
        for key in blocking_keys(person, prefixes=prefixes):
            block = index.get(key)
            if block and len(block) <= max_block_size:
                pairs.update((position, other) for other in block)
    return sorted(pairs)
