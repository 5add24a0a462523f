"""Names as written and their search keys. No database.

A name is stored as written, in any script, after a minimal clean-up that changes nothing a reader
would see: Unicode NFC, invisible and direction-control characters removed (they can disguise a
name or reorder what is displayed; the zero-width non-joiner of Persian spelling stays), white space collapsed. The search keys come from the matching
engine (``homecoming.matching.engine.keys``): spellings of the same name in Latin, Cyrillic and
Arabic script share at least one key.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from homecoming.matching.engine.keys import KEYS_VERSION, detect_script, name_keys, romanise, token_keys, tokens

__all__ = [
    "KEYS_VERSION",
    "MAX_KEY_LENGTH",
    "as_written",
    "has_letter",
    "keys_of_name",
    "query_token_keys",
    "romanised",
    "script_of",
]

MAX_KEY_LENGTH = 40
#: Controls, format characters (zero-width, bidi embeddings, overrides and isolates), line breaks.
_INVISIBLE_CATEGORIES = frozenset({"Cc", "Cf", "Zl", "Zp"})
#: The zero-width non-joiner is kept: Persian spelling uses it inside names.
_ZWNJ = "\u200c"
_SPACES = re.compile(r"\s+")


_CACHED_LENGTH = 300  # longer texts are cleaned each time, not remembered


def as_written(text: str) -> str:
    """The name as written, safe to store and display (see the module docstring)."""
    text = text or ""
    # Names repeat in an imported list: short texts are cleaned once (a huge cell is not kept in memory).
    return _as_written_cached(text) if len(text) <= _CACHED_LENGTH else _as_written(text)


def _as_written(text: str) -> str:
    text = unicodedata.normalize("NFC", text)
    text = "".join(" " if ch in "\t\n\r" else ch for ch in text)
    text = "".join(ch for ch in text if ch == _ZWNJ or unicodedata.category(ch) not in _INVISIBLE_CATEGORIES)
    return _SPACES.sub(" ", text).strip()


_as_written_cached = lru_cache(maxsize=65_536)(_as_written)


def has_letter(text: str) -> bool:
    return any(ch.isalpha() for ch in text)


def script_of(text: str) -> str:
    """``latn``, ``cyrl``, ``arab``, ``mixed``, ``other``, or "" when there is no letter."""
    return detect_script(text)


def romanised(text: str) -> str:
    return romanise(text)[:300]


def keys_of_name(*parts: str) -> set[str]:
    """The search keys of a name: every key of every token of every part given."""
    keys: set[str] = set()
    for part in parts:
        if not part:
            continue
        for token_key_set in name_keys(part).values():
            keys.update(key[:MAX_KEY_LENGTH] for key in token_key_set)
    return keys


def query_token_keys(text: str) -> list[tuple[set[str], str]]:
    """For each token of a search: (its keys, its romanised form for a prefix match).

    The romanised form is "" when it is too short to be a useful prefix (under 3 letters).
    Tokens that give neither are left out."""
    out: list[tuple[set[str], str]] = []
    for token in tokens(as_written(text))[:8]:
        keys = {key[:MAX_KEY_LENGTH] for key in token_keys(token)}
        roman = romanise(token).replace(" ", "")[:MAX_KEY_LENGTH]
        prefix = roman if len(roman) >= 3 else ""
        if keys or prefix:
            out.append((keys, prefix))
    return out
