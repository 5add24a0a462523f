# ruff: noqa: RUF001 - letter tables in Cyrillic script, on purpose
"""Unicode clean-up and script detection for names. Pure Python, no Django.

Re-exported by :mod:`homecoming.matching.engine.keys`, which is the public entry point.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

__all__ = ["char_script", "clean", "detect_script"]

# --------------------------------------------------------------------------------------------------
# Clean-up
# --------------------------------------------------------------------------------------------------

#: Zero-width and direction-control characters, BOM, soft hyphen, Arabic tatweel, and a few more
#: invisible formatting characters (word joiner, Mongolian vowel separator, Arabic letter mark).
_INVISIBLE = dict.fromkeys(
    [
        *range(0x200B, 0x2010),  # ZWSP, ZWNJ, ZWJ, LRM, RLM
        *range(0x202A, 0x202F),  # LRE, RLE, PDF, LRO, RLO
        *range(0x2060, 0x2065),  # word joiner, invisible operators
        *range(0x2066, 0x206A),  # LRI, RLI, FSI, PDI
        0xFEFF,  # BOM / zero-width no-break space
        0x00AD,  # soft hyphen
        0x0640,  # Arabic tatweel
        0x061C,  # Arabic letter mark
        0x180E,  # Mongolian vowel separator
    ]
)

# Latin and Cyrillic letters that look the same. Only applied inside a token that mixes both scripts.
_LATIN_TO_CYRILLIC = {
    "a": "а", "c": "с", "e": "е", "o": "о", "p": "р", "x": "х", "y": "у", "i": "і", "j": "ј", "s": "ѕ",
    "A": "А", "B": "В", "C": "С", "E": "Е", "H": "Н", "K": "К", "M": "М", "O": "О", "P": "Р", "T": "Т",
    "X": "Х", "Y": "У", "I": "І", "J": "Ј", "S": "Ѕ",
}  # fmt: skip
_CYRILLIC_TO_LATIN = {cyr: lat for lat, cyr in _LATIN_TO_CYRILLIC.items()}
_HOMOGLYPHS = set(_LATIN_TO_CYRILLIC) | set(_CYRILLIC_TO_LATIN)

_SPACE_RE = re.compile(r"\s+")


def char_script(ch: str) -> str:
    """The script of one letter: "latn", "cyrl", "arab" or "other" ("" for a non-letter)."""
    if not ch.isalpha():
        return ""
    code = ord(ch)
    if code < 0x0250 or 0x1E00 <= code < 0x1F00:
        return "latn"
    if 0x0400 <= code < 0x0530 or 0x1C80 <= code < 0x1C90 or 0x2DE0 <= code < 0x2E00 or 0xA640 <= code < 0xA6A0:
        return "cyrl"
    if 0x0600 <= code < 0x0700 or 0x0750 <= code < 0x0780 or 0x08A0 <= code < 0x0900 or 0xFB50 <= code < 0xFE00:
        return "arab"
    if 0xFE70 <= code < 0xFF00:
        return "arab"
    return "other"


def _fold_homoglyphs(token: str) -> str:
    scripts = [char_script(ch) for ch in token]
    if "latn" not in scripts or "cyrl" not in scripts:
        return token
    # Decide by the letters that are unambiguous; fall back to all letters.
    latin = sum(1 for ch, sc in zip(token, scripts, strict=True) if sc == "latn" and ch not in _HOMOGLYPHS)
    cyrillic = sum(1 for ch, sc in zip(token, scripts, strict=True) if sc == "cyrl" and ch not in _HOMOGLYPHS)
    if latin == cyrillic:
        latin, cyrillic = scripts.count("latn"), scripts.count("cyrl")
    table = _LATIN_TO_CYRILLIC if cyrillic > latin else _CYRILLIC_TO_LATIN
    return "".join(table.get(ch, ch) for ch in token)


@lru_cache(maxsize=65536)
def clean(text: str) -> str:
    """Normalise a name for storage and comparison, keeping its script and case.

    NFKC (which also turns Arabic presentation forms into letters), invisible and direction-control
    characters removed, Latin/Cyrillic look-alikes folded to the token's dominant script, whitespace collapsed.
    """
    if not text:
        return ""
    text = unicodedata.normalize("NFKC", text).translate(_INVISIBLE)
    parts = [_fold_homoglyphs(part) for part in _SPACE_RE.split(text) if part]
    return " ".join(parts)


def detect_script(text: str) -> str:
    """The script of a text: "latn", "cyrl", "arab", "mixed" (several), "other", or "" (no letters)."""
    found: set[str] = set()
    for ch in clean(text):
        script = char_script(ch)
        if script:
            found.add(script)
    if not found:
        return ""
    if len(found) > 1:
        return "mixed"
    return found.pop()
