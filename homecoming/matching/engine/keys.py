# ruff: noqa: RUF001, RUF003 - letter tables in Cyrillic and Arabic script, on purpose
"""Name normalisation and search keys that work across Latin, Cyrillic (incl. Tajik) and Arabic script.

Pure Python, no Django. The public, stable API (used by the person registry for its key index):

- ``clean(text)``: display-safe clean-up (NFKC, invisible and direction-control characters removed,
  Latin/Cyrillic homoglyphs folded inside mixed-script tokens, whitespace collapsed).
- ``detect_script(text)``: ``"latn" | "cyrl" | "arab" | "mixed" | "other" | ""``.
- ``tokens(text)``: the name tokens (``عبد``/``Abd`` compounds joined, detached ``al-``/``el-`` dropped).
- ``romanise(text)``: lowercase ASCII romanisation (anyascii for Latin/Cyrillic, an own table for Arabic).
- ``token_keys(token)``: a few short ASCII keys per token; spellings of the same name share at least one key.
- ``name_keys(text)``: ``{token: keys}`` for every token of a name.
- ``skeleton(text)``: the main phonetic consonant skeleton (one of the keys).
- ``KEYS_VERSION``: changes whenever the keys a name gets change; stored keys made under another version
  must be rebuilt.

Keys are deliberately coarse (they are for finding candidates with an indexed equality lookup);
the fine-grained decision is made by :mod:`homecoming.matching.engine.compare`.
"""

from __future__ import annotations

import re
from functools import lru_cache

from anyascii import anyascii

from homecoming.matching.engine.phonetic import (
    ARABIC_CLASSES,
    CYRILLIC_CLASSES,
    LATIN_CLASSES,
    arabic_symbols,
    cyrillic_symbols,
    latin_symbols,
)
from homecoming.matching.engine.text import char_script, clean, detect_script

__all__ = [
    "KEYS_VERSION",
    "clean",
    "detect_script",
    "name_keys",
    "romanise",
    "skeleton",
    "token_keys",
    "tokens",
]

#: Bump when token_keys() gives different keys for the same token (stored keys must then be rebuilt).
KEYS_VERSION = 2

# --------------------------------------------------------------------------------------------------
# Tokens
# --------------------------------------------------------------------------------------------------

#: Arabic articles written as a word of their own ("al Rashid", "Эль Амин", "ال رشيد").
_ARTICLE_WORDS = frozenset({"al", "el", "аль", "эль", "ال"})
#: Articles, assimilated or not, recognised when a hyphen or apostrophe joins them to the next part
#: ("al-Rashid", "ar-Rahman", "ash-Shami", "ad-Din", "ud-Din", "аш-Шами").
_HYPHEN_ARTICLES = frozenset(
    {
        *(vowel + consonant for vowel in "aeu" for consonant in ("l", "r", "s", "sh", "t", "th", "d", "dh", "z", "n")),
        *(vowel + consonant for vowel in "аэу" for consonant in ("ль", "л", "р", "с", "ш", "т", "д", "з", "н")),
    }
)
#: Second parts that form one name with the part before them ("Nur ad-Din", "Fadl Allah", "سراج الدين").
_SUFFIX_PARTS = frozenset({"din", "deen", "dine", "allah", "ullah", "lah", "дин", "аллах", "улла", "الدين", "الله"})
#: The first part of an ``Abd`` compound ("Abd al-Rahman", "Abdul Karim", "عبد الله", "Абдул Карим").
_ABD_PARTS = frozenset({"abd", "abdu", "abdul", "abdel", "abdal", "abdol", "abdil", "abdur", "abdus", "abdi",
                        "абд", "абду", "абдул", "абдель", "абдаль", "абдал", "عبد"})  # fmt: skip
#: Kunya markers ("Abu Bakr", "Umm Kulthum", "أبو", "أم"): kept as tokens of their own, see compare.
KUNYA_PARTS = frozenset({"abu", "abou", "abo", "umm", "um", "ابو", "أبو", "ام", "أم", "абу", "умм", "ум"})

_WORD_SPLIT_RE = re.compile(r"[\s.,;:/()\"«»\[\]]+")
_PART_SPLIT_RE = re.compile(r"[\-\u2010-\u2015'\u2018\u2019\u02BC\u02BB\u0060\u00B4]+")


def _parts(text: str) -> list[tuple[str, bool]]:
    """Name parts with, for each, whether a hyphen or apostrophe ties it to the next part."""
    out: list[tuple[str, bool]] = []
    for word in _WORD_SPLIT_RE.split(clean(text).lower()):
        pieces = [piece for piece in _PART_SPLIT_RE.split(word) if piece]
        out.extend((piece, position < len(pieces) - 1) for position, piece in enumerate(pieces))
    return out


def tokens(text: str) -> list[str]:
    """Split a name into tokens, cleaned and lower-cased.

    Splits on whitespace, hyphens, apostrophes and punctuation. Arabic articles written apart are dropped
    ("Karim al-Rashid" gives ["karim", "rashid"]; an attached ``ال`` stays, see :func:`token_keys`).
    Compounds become one token: ``Abd``/``عبد`` with what follows ("Abd al-Rahman", "عبد الرحمن"), and
    ``ad-Din``/``الدين``/``Allah`` with what precedes ("Nur ad-Din", "سراج الدين").
    """
    parts = _parts(text)
    out: list[str] = []
    index = 0
    while index < len(parts):
        part, tied = parts[index]
        has_next = index + 1 < len(parts)
        is_article = has_next and ((tied and part in _HYPHEN_ARTICLES) or part in _ARTICLE_WORDS)
        if part in _ABD_PARTS and has_next:
            joined = part
            index += 1
            following, following_tied = parts[index]
            if index + 1 < len(parts) and (
                following in _ARTICLE_WORDS or (following_tied and following in _HYPHEN_ARTICLES)
            ):
                joined += following
                index += 1
            out.append(joined + parts[index][0])
            index += 1
            continue
        if is_article:
            following = parts[index + 1][0]
            if out and following in _SUFFIX_PARTS:
                out[-1] += part + following
                index += 2
                continue
            index += 1
            continue
        if out and part in {"الدين", "الله"}:
            out[-1] += part
        else:
            out.append(part)
        index += 1
    return out


# --------------------------------------------------------------------------------------------------
# Romanisation
# --------------------------------------------------------------------------------------------------

_ARABIC_DIACRITICS_RE = re.compile("[\u064b-\u065f\u0670\u06d6-\u06ed]")
# A plain romanisation of Arabic letters. Long-vowel letters are vowels here; ``_romanise_arabic_word`` turns
# waw and ya into consonants at the start of a word.
_ARABIC_LETTERS = {
    "ا": "a", "أ": "a", "إ": "i", "آ": "a", "ٱ": "a", "ء": "", "ؤ": "u", "ئ": "i", "ى": "a", "ة": "a",
    "ع": "a", "ب": "b", "ت": "t", "ث": "th", "ج": "j", "ح": "h", "خ": "kh", "د": "d", "ذ": "dh", "ر": "r",
    "ز": "z", "س": "s", "ش": "sh", "ص": "s", "ض": "d", "ط": "t", "ظ": "z", "غ": "gh", "ف": "f", "ق": "q",
    "ك": "k", "ل": "l", "م": "m", "ن": "n", "ه": "h", "و": "u", "ي": "i",
    # Persian, Urdu, Kurdish and other letters seen in names written in Arabic script.
    "ی": "i", "ې": "e", "ۍ": "i", "ے": "e", "ک": "k", "گ": "g", "ګ": "g", "پ": "p", "چ": "ch", "ژ": "zh",
    "ڤ": "v", "ۋ": "v", "ڨ": "g", "ڭ": "ng", "ھ": "h", "ە": "e", "ۆ": "o", "ێ": "e", "ڕ": "r", "ڵ": "l",
    "ٹ": "t", "ڈ": "d", "ں": "n", "ۀ": "e",
}  # fmt: skip
_ARABIC_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")


def _romanise_arabic_word(word: str) -> str:
    out: list[str] = []
    for ch in _ARABIC_DIACRITICS_RE.sub("", word):
        # At the start of a word waw and ya are consonants; elsewhere they are read as long vowels.
        if ch == "و":
            out.append("u" if out else "w")
        elif ch in {"ي", "ی"}:
            out.append("i" if out else "y")
        else:
            roman = _ARABIC_LETTERS.get(ch)
            if roman is None:
                roman = anyascii(ch).lower() if ch.isalnum() else ""
            out.append(roman)
    return "".join(out)


@lru_cache(maxsize=65536)
def romanise(text: str) -> str:
    """Lowercase ASCII romanisation of a name (letters, digits and single spaces only).

    Latin and Cyrillic (Russian, Tajik ғ ӣ қ ӯ ҳ ҷ, …) go through anyascii. Arabic script has no short vowels,
    so it gives a consonant skeleton with the long-vowel letters alif, waw and ya as vowels
    ("مخرالدين" gives "mkhraldin"); use :func:`skeleton` to compare it with a Latin spelling.
    """
    words: list[str] = []
    for word in clean(text).split(" "):
        if any(char_script(ch) == "arab" for ch in word):
            word = _romanise_arabic_word(word.translate(_ARABIC_DIGITS))
        else:
            word = anyascii(word)
        word = re.sub(r"[^a-z0-9]+", "", word.lower())
        if word:
            words.append(word)
    return " ".join(words)


# --------------------------------------------------------------------------------------------------
# Phonetic skeleton and keys
# --------------------------------------------------------------------------------------------------
#
# The skeleton is built from the sound symbols of :mod:`homecoming.matching.engine.phonetic` (one table per
# script), mapped to coarse consonant classes shared by all three scripts. Vowels are dropped after the first
# letter (a leading vowel becomes "a"), and so are h, kh and a consonant y; double letters collapse.
#
#   b  b p ب پ       f  f v w ф в ف ڤ    t  t th т ت ط ث     d  d dh д د ض ذ     s  s z ts c с з ц س ص ز ظ
#   x  sh ch ш ч ش تش                      j  j dzh zh дж ж ج ژ                     k  k q c g gh к г қ ғ ك ق غ گ
#   l m n r  as written                    y  a word-initial consonant y (й, ي)

# Arabic letter pairs that stand for one sound in foreign names (تش ch, تس/تز ts, دج j).
_ARABIC_PAIRS = {"tS": "C", "ts": "c", "tz": "c", "dj": "j"}
_KEY_VOWELS = frozenset("aeiouAIUE0")


def _classes(symbols: str, table: dict[str, str]) -> str:
    """Coarse skeleton of a symbol string: first letter kept (a vowel as "a"), then consonant classes."""
    if not symbols:
        return ""
    first = symbols[0]
    head = {"I": "y", "U": "f"}.get(first, "a") if first in _KEY_VOWELS else table.get(first, "")
    body = "".join(table.get(symbol, "") for symbol in symbols[1:])
    body = body.replace("h", "").replace("y", "")
    return re.sub(r"(.)\1+", r"\1", head + body)


def _arabic_key_symbols(token: str) -> str:
    symbols = arabic_symbols(token)
    for pair, single in _ARABIC_PAIRS.items():
        symbols = symbols.replace(pair, single)
    # An article inside a compound, before a sun letter, is not pronounced as "al" (its l is "L").
    return symbols.replace("L", "")


def _skeletons(token: str) -> tuple[str, ...]:
    """The main skeleton of one token first, then variants for letters that are read several ways."""
    script = detect_script(token)
    if script == "arab":
        symbols = _arabic_key_symbols(token)
        main = _classes(symbols, ARABIC_CLASSES)
        # Egyptian-style ج for a foreign g.
        return (main, _classes(symbols.replace("j", "g"), ARABIC_CLASSES))
    if script == "cyrl":
        symbols = cyrillic_symbols(token)
        # Japanese z and j are both дз in Russian (Polivanov): дз may stand for a Latin z.
        return (_classes(symbols, CYRILLIC_CLASSES), _classes(symbols.replace("q", "z"), CYRILLIC_CLASSES))
    symbols = latin_symbols(token)
    return (
        _classes(symbols, LATIN_CLASSES),
        # w as a glide ("Edward", Arabic و) rather than v ("Iwanow").
        _classes(symbols[:1] + symbols[1:].replace("w", ""), LATIN_CLASSES),
        # j as y ("Jan", "Ян") rather than dzh ("Jamshed").
        _classes(symbols.replace("J", "y"), LATIN_CLASSES),
        # ch as k (Italian, German) or t (Japanese "chi", Russian "ти"); sh as s (Japanese "shi", "си").
        _classes(symbols.replace("C", "k"), LATIN_CLASSES),
        _classes(symbols.replace("C", "t").replace("S", "s"), LATIN_CLASSES),
        # g before e/i as j ("Giovanni", Джованни, جيوفاني).
        _classes(re.sub(r"g(?=[ei])", "j", symbols), LATIN_CLASSES),
    )


def skeleton(text: str) -> str:
    """The main phonetic consonant skeleton of a name or token (words joined), in any script.

    "Mukhriddin", "Muhriddin", "Мухриддин" and "مخرالدين" all give "mrdn"; "Sirojiddin" and "Sirodjidin"
    give "srjdn". See the class table above.
    """
    return "".join(_skeletons(word)[0] for word in clean(text).lower().split(" ") if word)


_ARABIC_ARTICLE_RE = re.compile(r"^(?:ال|أل|ٱل)(?=\w{2,})")
_ABD_PREFIX_RE = re.compile(r"^abd(?:u|e|a|o|i)?l")


def token_keys(token: str, *, prefixes: bool = True) -> set[str]:
    """Search keys for one name token: spellings of the same name share at least one key.

    Keys are short lowercase ASCII strings (length 2 or more): the romanised token; its phonetic skeleton
    (see :func:`skeleton`) and the variants for letters read several ways (w, j, ch, sh, g in Latin, дз in
    Cyrillic, ج in Arabic); the first three letters of the skeleton (endings are often dropped or added:
    "Diomedes"/"Диомед"; left out with ``prefixes=False``); and variants for an attached Arabic article
    (``ال``) and ``Abd al-`` compounds.
    """
    return set(_token_keys(token, prefixes))


@lru_cache(maxsize=65536)
def _token_keys(token: str, prefixes: bool) -> frozenset[str]:
    token = clean(token).lower()
    variants = {token}
    article = _ARABIC_ARTICLE_RE.match(token)
    if article:
        variants.add(token[article.end() :])
    keys: set[str] = set()
    for variant in variants:
        roman = romanise(variant).replace(" ", "")
        if len(roman) >= 2:
            keys.add(roman[:40])
        skeletons = [
            "".join(parts) for parts in zip(*(_skeletons(word) for word in variant.split(" ") if word), strict=True)
        ]
        if not skeletons:
            continue
        main = skeletons[0]
        if prefixes and len(main) >= 4:
            # The first three classes; for an Abd- compound, three after the "abd".
            keys.add(main[:6] if main.startswith("abd") else main[:3])
        for skel in skeletons:
            if len(skel) < 2:
                continue
            keys.add(skel[:24])
            if skel.startswith("abdl") or (_ABD_PREFIX_RE.match(roman) and skel.startswith("abd")):
                # "Abdulrahman" / "Abdurrahman" / "عبدالرحمن": with and without the article's l.
                rest = skel[4:] if skel.startswith("abdl") else skel[3:]
                keys.add(("abd" + rest)[:24])
                keys.add(("abdl" + rest.removeprefix("l"))[:24])
    return frozenset(key for key in keys if len(key) >= 2)


def name_keys(text: str) -> dict[str, set[str]]:
    """Every token of a name mapped to its search keys."""
    return {token: token_keys(token) for token in tokens(text)}
