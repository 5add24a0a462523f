# ruff: noqa: RUF001, RUF002, RUF003 - letter tables in Cyrillic and Arabic script, on purpose
"""Sound-level forms of a name, and alignments that compare spellings of a name across scripts.

Pure Python, no Django.

Arabic script writes consonants and long vowels only, and it has no letter for p, v, g, ch, ts…, so an
Arabic spelling of "Montecchia" (مونتيكتشيا) and the Latin one share no letters after romanisation
("muntiktshia" vs "montecchia"). Instead of romanising the Arabic side, both sides become sequences of
sound symbols and a weighted edit distance aligns them:

- a Latin consonant costs nothing against the Arabic letters it is usually written with
  (g → غ ج ك ق, v → ف و, ch → تش ش ك خ, ts/z → تس تز ز…),
- a Latin vowel costs little when Arabic leaves it out (short vowels are not written) and nothing against
  a matching long-vowel letter (a → ا, o/u → و, i/e → ي),
- everything else costs one consonant (or half of one, for vowels).

Latin and Cyrillic spellings are aligned the same way (:func:`cyrillic_similarity`), with tables for the Russian
conventions (English, French, German, Polish, Chinese and Japanese names each have their own), and two spellings
in one script with a table where letters of the same sound class are close (:func:`same_script_similarity`).
The coarse sound classes (:data:`LATIN_CLASSES` and its twins) also make the search keys of
:mod:`homecoming.matching.engine.keys`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from anyascii import anyascii

from homecoming.matching.engine.text import clean

__all__ = [
    "ARABIC_CLASSES",
    "CYRILLIC_CLASSES",
    "LATIN_CLASSES",
    "arabic_similarity",
    "arabic_symbols",
    "cyrillic_similarity",
    "cyrillic_symbols",
    "latin_symbols",
    "same_script_similarity",
]

# --------------------------------------------------------------------------------------------------
# Latin (and romanised Cyrillic) → sound symbols
# --------------------------------------------------------------------------------------------------
#
# Symbols (one character each):
#   vowels      a e i o u
#   consonants  b d f g h k l m n p r s t v w z  as written
#               j  dzh/dj (ج)        J  a Latin "j" (ج, ي or خ depending on the language)
#               y  consonant y       S  sh            C  ch/tsh (تش)         c  ts/tz (تس)
#               Q  c before e/i/y    X  kh            G  gh                   T  th      D  dh     Z  zh
#               x  a word-initial x (Xavier, Xiaobo: s, sh, kh or z)
#               K  c before a consonant, a, o, u or at the end (k; ts or ch in Slavic, j in Turkish)
#               q  q (k; ch in Chinese pinyin)

# Letters with diacritics that carry a sound anyascii would drop (č → c loses the "ch").
_LATIN_LETTERS = {
    "č": "ch", "ć": "ch", "ç": "ch", "ĉ": "ch", "š": "sh", "ś": "sh", "ş": "sh", "ș": "sh", "ŝ": "sh",
    "ž": "zh", "ż": "zh", "ź": "z", "ǆ": "dzh", "đ": "dj", "ğ": "", "ñ": "ny", "ß": "ss", "ř": "rzh",
    "ţ": "ts", "ț": "ts", "ĝ": "j", "ĵ": "j", "ð": "dh", "þ": "th", "ə": "a", "ı": "i", "ä": "e", "æ": "e",
    "œ": "e", "å": "o",
    # Cyrillic letters anyascii romanises in a way that hides the sound.
    "ж": "zh", "ч": "ch", "ш": "sh", "щ": "shch", "ц": "ts", "х": "kh", "ҳ": "h", "ғ": "gh", "қ": "q",
    "ҷ": "dzh", "й": "y", "ъ": "", "ь": "", "э": "e", "ы": "i", "ӣ": "i", "ӯ": "u", "є": "ye", "ї": "yi",
    "ё": "yo", "ю": "yu", "я": "ya",
}  # fmt: skip
_LATIN_RULES: tuple[tuple[str, str], ...] = (
    ("tsch", "C"), ("shch", "SC"), ("cch", "K"), ("dzh", "j"), ("dsh", "j"), ("sch", "S"), ("tch", "C"), ("tsh", "C"),
    ("sh", "S"), ("ch", "C"), ("cz", "C"), ("cs", "C"), ("zh", "Z"), ("kh", "X"), ("gh", "G"), ("ph", "f"),
    ("th", "T"), ("dh", "D"), ("dj", "j"), ("ts", "c"), ("tz", "c"), ("ck", "k"), ("sz", "s"),
    ("c(?=[eiy])", "Q"), ("c", "K"), ("^x", "x"), ("x", "ks"), ("j", "J"),
)  # fmt: skip
_LATIN_RULES_RE = re.compile("|".join(f"(?P<r{index}>{pattern})" for index, (pattern, _) in enumerate(_LATIN_RULES)))
LATIN_VOWELS = frozenset("aeiou")


def _latin_rule(match: re.Match[str]) -> str:
    return _LATIN_RULES[int(str(match.lastgroup)[1:])][1]


@lru_cache(maxsize=65536)
def latin_symbols(token: str) -> str:
    """The sound symbols of a Latin or Cyrillic token (see the table at the top of this module)."""
    text = "".join(_LATIN_LETTERS.get(ch, ch) for ch in clean(token).lower())
    text = _LATIN_RULES_RE.sub(_latin_rule, re.sub(r"[^a-z]+", "", anyascii(text).lower()))
    out: list[str] = []
    for index, ch in enumerate(text):
        if ch == "y":
            before = text[index - 1] if index else ""
            after = text[index + 1] if index + 1 < len(text) else ""
            is_consonant = after in LATIN_VOWELS and (not before or before in LATIN_VOWELS)
            ch = "y" if is_consonant else "i"
        if out and out[-1] == ch and ch not in LATIN_VOWELS:
            continue  # double consonants are written once in Arabic and Cyrillic transliteration
        out.append(ch)
    return "".join(out)


# --------------------------------------------------------------------------------------------------
# Arabic → sound symbols
# --------------------------------------------------------------------------------------------------
#
#   vowel letters  A  alif, alif madda, alif maqsura (ا آ ى)     I  ya (ي ی)    U  waw (و)    E  ayn (ع)
#                  0  hamza and its carriers (ء أ إ ئ ؤ ٱ): any vowel, or nothing
#                  a  ta marbuta (ة) or a word-final ha (ه)
#   consonants     b p f v t d r z s l m n k q g j h  as their usual romanisation
#                  1 ث   2 ذ   3 ظ   4 ط   5 ض   6 ص   7 ح   S ش   X خ   G غ   Z ژ
#                  L  the l of an article before a sun letter (often not written in Latin: ad-Din)
_ARABIC_SYMBOLS = {
    "ا": "A", "آ": "A", "ى": "A", "ي": "I", "ی": "I", "ې": "I", "و": "U", "ۆ": "U", "ع": "E",
    "ء": "0", "أ": "0", "إ": "0", "ئ": "0", "ؤ": "0", "ٱ": "0", "ة": "a", "ۀ": "a", "ە": "a",
    "ب": "b", "پ": "p", "ف": "f", "ڤ": "v", "ۋ": "v", "ت": "t", "ث": "1", "ج": "j", "ح": "7", "خ": "X",
    "د": "d", "ذ": "2", "ر": "r", "ز": "z", "ژ": "Z", "س": "s", "ش": "S", "ص": "6", "ض": "5", "ط": "4",
    "ظ": "3", "غ": "G", "ق": "q", "ك": "k", "ک": "k", "گ": "g", "ڭ": "g", "ل": "l", "م": "m", "ن": "n",
    "ه": "h", "ھ": "h",
}  # fmt: skip
_ARABIC_MARKS_RE = re.compile("[\u064b-\u065f\u0670\u06d6-\u06ed]")
ARABIC_VOWELS = frozenset("AIUE0a")
_ARABIC_ARTICLE_L_RE = re.compile(r"(?<=[A0])l(?=[t1d2rzsS6543n])")


@lru_cache(maxsize=65536)
def arabic_symbols(token: str) -> str:
    """The sound symbols of an Arabic-script token (see the table above); harakat are ignored."""
    symbols = [_ARABIC_SYMBOLS[ch] for ch in _ARABIC_MARKS_RE.sub("", clean(token)) if ch in _ARABIC_SYMBOLS]
    if len(symbols) > 1 and symbols[-1] == "h":
        symbols[-1] = "a"  # a final ha is usually a final vowel (-a, -e, -eh)
    # The l of an article before a sun letter is not pronounced ("نور الدين" Nur ad-Din, "عبد الرحمن").
    return _ARABIC_ARTICLE_L_RE.sub("L", "".join(symbols))


# --------------------------------------------------------------------------------------------------
# Cyrillic → sound symbols
# --------------------------------------------------------------------------------------------------
#
#   vowels      a e i o u  (я ю ё е after a vowel, a soft or hard sign, or at the start add a "y")
#   consonants  b v g d z k l m n p r s t f  as written;  y й
#               Z ж   C ч   S ш щ   X х   c ц   j дж ҷ   q дз   G ғ   K қ   h ҳ
_CYRILLIC_SYMBOLS = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "o", "ж": "Z", "з": "z", "и": "i",
    "й": "y", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r", "с": "s", "т": "t",
    "у": "u", "ф": "f", "х": "X", "ц": "c", "ч": "C", "ш": "S", "щ": "S", "ы": "i", "э": "e", "ю": "u",
    "я": "a", "і": "i", "ї": "i", "є": "e", "ў": "u", "ґ": "g", "ғ": "G", "ӣ": "i", "қ": "K", "ӯ": "u",
    "ҳ": "h", "ҷ": "j", "ә": "a", "ө": "o", "ү": "u", "ң": "n", "һ": "h", "ј": "y", "љ": "l", "њ": "n",
    "ћ": "C", "ђ": "j", "џ": "j",
}  # fmt: skip
_IOTATED = frozenset("яюёеєї")
CYRILLIC_VOWELS = frozenset("aeiou")


@lru_cache(maxsize=65536)
def cyrillic_symbols(token: str) -> str:
    """The sound symbols of a Cyrillic token (see the table above)."""
    text = clean(token).lower()
    out: list[str] = []
    previous = ""
    for index, ch in enumerate(text):
        nxt = text[index + 1] if index + 1 < len(text) else ""
        if ch in "ьъ":
            previous = ch
            continue
        symbol = _CYRILLIC_SYMBOLS.get(ch)
        if symbol is None:
            continue
        if ch in _IOTATED and (
            not previous or previous in "ьъ" or _CYRILLIC_SYMBOLS.get(previous, "") in CYRILLIC_VOWELS
        ):
            out.append("y")
        if ch == "д" and nxt in {"ж", "з"}:
            symbol = "j" if nxt == "ж" else "q"
        elif ch in {"ж", "з"} and previous == "д":
            previous = ch
            continue
        if out and out[-1] == symbol and symbol not in CYRILLIC_VOWELS:
            previous = ch
            continue
        out.append(symbol)
        previous = ch
    return "".join(out)


# --------------------------------------------------------------------------------------------------
# Alignment
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Costs:
    """How a Latin spelling may be written in another script, as edit costs (0 free, 1 one consonant).

    Besides one-to-one substitutions, a Latin symbol may be written with two target symbols (``split``:
    ch → تش), two Latin symbols with one target symbol (``merge``: French au → о), and three generic rules
    apply: two Latin vowels as one target vowel, one Latin vowel as two target vowels (English "i" → ای/ай),
    and two Latin consonants that are each written with the same target letter as that one letter.
    """

    sub_table: dict[str, dict[str, float]]  # Latin symbol → target symbol → cost
    split: dict[str, dict[str, float]]  # Latin symbol → two target symbols → cost
    merge: dict[str, dict[str, float]]  # two Latin symbols → target symbol → cost
    latin_vowels: frozenset[str]
    target_vowels: frozenset[str]
    latin_skip: dict[str, float]  # a Latin symbol with nothing in the target
    latin_final_skip: dict[str, float]  # the same, for the last symbol (silent final letters)
    target_skip: dict[str, float]  # a target symbol with nothing in the Latin spelling
    vowel_mismatch: float

    def sub(self, latin: str, target: str) -> float:
        cost = self.sub_table.get(latin, {}).get(target)
        if cost is not None:
            return cost
        if latin == target:
            return 0.0
        if latin in self.latin_vowels and target in self.target_vowels:
            return self.vowel_mismatch
        return 1.0

    def split_cost(self, latin: str, first: str, second: str) -> float | None:
        cost = self.split.get(latin, {}).get(first + second)
        if cost is not None:
            return cost
        if latin in self.latin_vowels and first in self.target_vowels and second in self.target_vowels:
            return min(self.sub(latin, first), self.sub(latin, second)) + 0.15
        if first == second and first not in self.target_vowels and self.sub(latin, first) == 0:
            return 0.1  # a doubled letter in the target ("Stetter" ستتر)
        return None

    def merge_cost(self, first: str, second: str, target: str) -> float | None:
        cost = self.merge.get(first + second, {}).get(target)
        if cost is not None:
            return cost
        if first in self.latin_vowels and second in self.latin_vowels and target in self.target_vowels:
            return min(self.sub(first, target), self.sub(second, target)) + 0.1
        if first not in self.latin_vowels and second not in self.latin_vowels:
            both = self.sub(first, target) + self.sub(second, target)
            if both <= 0.3:
                return 0.1 + both  # "ddh" → د, "dt" → д, "ssh" → с
        return None


def _align(source: str, target: str, costs: _Costs) -> float:
    """1 - (weighted edit distance) / (the heavier spelling's weight: consonants 1, vowels ½)."""
    if not source or not target:
        return 0.0
    width = len(target) + 1
    target_skip = [costs.target_skip.get(symbol, 1.0) for symbol in target]
    first_row = [0.0]
    for cost in target_skip:
        first_row.append(first_row[-1] + cost)
    rows = [first_row]
    last = len(source) - 1
    for row, latin in enumerate(source, start=1):
        skip = costs.latin_skip.get(latin, 1.0)
        if row - 1 == last and row > 1:
            skip = min(skip, costs.latin_final_skip.get(latin, 1.0))
        above = rows[-1]
        above2 = rows[-2] if row >= 2 else None
        before = source[row - 2] if row >= 2 else ""
        current = [above[0] + skip]
        for column in range(1, width):
            symbol = target[column - 1]
            best = min(
                above[column - 1] + costs.sub(latin, symbol),
                above[column] + skip,
                current[column - 1] + target_skip[column - 1],
            )
            if column >= 2:
                split = costs.split_cost(latin, target[column - 2], symbol)
                if split is not None:
                    best = min(best, above[column - 2] + split)
            if above2 is not None:
                merge = costs.merge_cost(before, latin, symbol)
                if merge is not None:
                    best = min(best, above2[column - 1] + merge)
            current.append(best)
        rows.append(current)
    source_weight = sum(0.5 if symbol in costs.latin_vowels else 1.0 for symbol in source)
    target_weight = sum(0.5 if symbol in costs.target_vowels else 1.0 for symbol in target)
    return max(0.0, 1.0 - rows[-1][-1] / max(source_weight, target_weight))


# Silent final letters (French -t, -s, -x, -d; -ng written -н in Chinese names…).
_FINAL_SKIP = {"t": 0.5, "s": 0.5, "d": 0.5, "x": 0.5, "z": 0.5, "p": 0.6, "r": 0.7, "g": 0.5, "K": 0.6}
# Latin vowel pairs read as one sound (French au/eau/ou/ai, English ee/oo/ea, Dutch and German ie/ei, Danish aa).
_VOWEL_PAIRS = {
    "au": "o", "ou": "u", "ai": "e", "ei": "e", "eu": "e", "ee": "i", "oo": "u", "ea": "i", "ie": "i", "ae": "e",
    "oe": "e", "aa": "a", "ue": "u",
}  # fmt: skip

# Latin → Arabic. Arabic has no p, v, g, ch, ts, so those are written with the nearest letters; short vowels
# are not written at all, long vowels with ا و ي.
_ARABIC_COSTS = _Costs(
    sub_table={
        "b": {"b": 0, "p": 0, "f": 0.6},
        "p": {"b": 0, "p": 0, "f": 0.6},
        "f": {"f": 0, "v": 0, "b": 0.6},
        "v": {"f": 0, "v": 0, "U": 0, "b": 0.5},
        "w": {"U": 0, "f": 0, "v": 0},
        "t": {"t": 0, "4": 0, "1": 0.3, "a": 0.3, "d": 0.6},
        "T": {"1": 0, "t": 0, "s": 0.2, "2": 0.3, "3": 0.3, "4": 0.2, "z": 0.5},
        "d": {"d": 0, "5": 0, "2": 0, "t": 0.6, "4": 0.6},
        "D": {"2": 0, "d": 0, "3": 0, "5": 0, "z": 0.3},
        "s": {"s": 0, "6": 0, "z": 0, "S": 0.4, "1": 0.3},
        "z": {"z": 0, "s": 0, "3": 0, "2": 0.2, "1": 0.3, "5": 0.5, "j": 0.5, "Z": 0.3},
        "c": {"s": 0, "z": 0, "t": 0.5},
        "x": {"S": 0, "s": 0, "z": 0, "X": 0, "k": 0.3},
        "Q": {"s": 0, "6": 0.2, "k": 0.4, "S": 0.4, "j": 0.3},
        "K": {"k": 0, "q": 0, "s": 0.3, "j": 0.3, "X": 0.3},
        "q": {"q": 0, "k": 0, "G": 0.3, "X": 0.4},
        "S": {"S": 0, "s": 0.4},
        "C": {"S": 0, "k": 0.2, "X": 0.2, "q": 0.5, "7": 0.6, "h": 0.6, "j": 0.5},
        "Z": {"j": 0, "z": 0, "Z": 0, "S": 0.5},
        "j": {"j": 0, "Z": 0.2, "z": 0.5},
        "J": {"j": 0, "I": 0, "X": 0.3, "h": 0.4, "Z": 0.3},
        "y": {"I": 0, "j": 0.5, "0": 0},
        "k": {"k": 0, "q": 0, "X": 0.3, "G": 0.5, "g": 0},
        "g": {"G": 0, "j": 0, "k": 0, "q": 0, "g": 0, "X": 0.3},
        "G": {"G": 0, "q": 0.2, "g": 0, "j": 0.4, "k": 0.4},
        "X": {"X": 0, "7": 0, "h": 0, "k": 0.2, "G": 0.5},
        "h": {"h": 0, "7": 0, "X": 0.2, "a": 0.3},
        "l": {"l": 0, "L": 0, "I": 0.5},
        "m": {"m": 0, "n": 0.7},
        "n": {"n": 0, "m": 0.7},
        # Vowels: a long-vowel letter of the same colour costs nothing; ayn and hamza carry any vowel.
        "a": {"A": 0, "a": 0, "E": 0, "0": 0, "h": 0.3, "I": 0.5, "U": 0.4},
        "e": {"I": 0, "A": 0, "a": 0, "E": 0, "0": 0, "h": 0.3, "U": 0.6},
        "i": {"I": 0, "E": 0, "0": 0, "A": 0.4, "a": 0.4, "U": 0.6},
        "o": {"U": 0, "A": 0.2, "E": 0, "0": 0, "a": 0.5, "I": 0.6},
        "u": {"U": 0, "E": 0, "0": 0, "A": 0.3, "I": 0.5, "a": 0.6},
    },
    split={
        "C": {"tS": 0, "tz": 0.3, "ts": 0.3},  # تش
        "Q": {"tS": 0, "ts": 0.1, "dj": 0.3},
        "K": {"tS": 0.2, "ts": 0.2},  # Slavic c, č without its accent
        "c": {"ts": 0, "tz": 0},  # تس تز
        "z": {"tz": 0, "ts": 0.1, "dz": 0.2},
        "j": {"dj": 0, "dz": 0.2},  # دج
        "J": {"dj": 0, "dI": 0.1},
        "g": {"dj": 0.1},
        "S": {"s7": 0.1, "sh": 0.1},  # "Eshaq" إسحاق
        "X": {"kh": 0.1},
        "T": {"th": 0.1},
        "x": {"ks": 0, "kz": 0},
    },
    merge={
        **{pair: {"U" if sound in "ou" else "I" if sound in "ie" else "A": 0} for pair, sound in _VOWEL_PAIRS.items()},
        "pf": {"f": 0.1},
        "gn": {"n": 0.2},
        "sQ": {"S": 0.1},
    },
    latin_vowels=LATIN_VOWELS,
    target_vowels=ARABIC_VOWELS,
    latin_skip={"a": 0.2, "e": 0.2, "i": 0.2, "o": 0.3, "u": 0.3, "h": 0.4, "w": 0.5, "y": 0.4, "G": 0.4},
    latin_final_skip=_FINAL_SKIP,
    target_skip={"A": 0.4, "I": 0.4, "U": 0.4, "E": 0.4, "0": 0.1, "a": 0.3, "h": 0.6, "L": 0.1},
    vowel_mismatch=0.6,
)

# Latin → Cyrillic. Both write vowels, so vowels weigh more; the consonant tables cover the Russian
# conventions for English, German, French, Italian, Spanish, Chinese (Palladius) and Japanese (Polivanov).
_CYRILLIC_COSTS = _Costs(
    sub_table={
        "w": {"v": 0, "u": 0},
        "v": {"v": 0, "f": 0.3},
        "f": {"f": 0, "v": 0.3},
        "b": {"b": 0, "p": 0.3},
        "p": {"p": 0, "b": 0.3},
        "t": {"t": 0, "d": 0.3},
        "d": {"d": 0, "t": 0.3},
        "T": {"t": 0, "s": 0, "z": 0.2, "f": 0.3},
        "D": {"d": 0, "z": 0.2},
        "s": {"s": 0, "z": 0, "S": 0.3, "c": 0.5},
        "z": {"z": 0, "s": 0, "c": 0, "q": 0, "Z": 0.3},
        "c": {"c": 0, "C": 0.3, "s": 0.4},
        "x": {"s": 0, "S": 0, "X": 0, "k": 0.3},
        "Q": {"s": 0, "c": 0, "C": 0, "Z": 0.5, "j": 0.3, "k": 0.3},
        "K": {"k": 0, "K": 0, "c": 0.2, "C": 0.2, "s": 0.4, "j": 0.3},
        "q": {"k": 0, "K": 0, "c": 0.2, "C": 0.3},
        "S": {"S": 0, "s": 0.2, "C": 0.4},
        "C": {"C": 0, "S": 0, "X": 0.2, "k": 0.2, "t": 0.2, "c": 0.3},
        "Z": {"Z": 0, "j": 0, "z": 0.3},
        "j": {"j": 0, "Z": 0.1, "q": 0.2},
        "J": {"j": 0, "Z": 0, "y": 0, "q": 0, "X": 0.3, "i": 0.3},
        "y": {"y": 0, "i": 0.2},
        "k": {"k": 0, "K": 0, "X": 0.3, "g": 0.4},
        "g": {"g": 0, "G": 0, "X": 0.3, "j": 0.2, "Z": 0.3, "k": 0.4},
        "G": {"g": 0, "G": 0, "X": 0.3},
        "X": {"X": 0, "h": 0, "K": 0.2, "k": 0.3, "g": 0.4},
        "h": {"X": 0, "h": 0, "g": 0.2},
        "l": {"l": 0, "y": 0.4},  # French -ill- → й
        "m": {"m": 0, "n": 0.7},
        "n": {"n": 0, "m": 0.7},
        "a": {"a": 0, "e": 0.3, "o": 0.3},
        "e": {"e": 0, "i": 0.2, "a": 0.3},
        "i": {"i": 0, "e": 0.2, "y": 0.2},
        "o": {"o": 0, "a": 0.2, "u": 0.3},
        "u": {"u": 0, "o": 0.3, "a": 0.4},
    },
    split={
        "c": {"ts": 0, "tc": 0},  # тс, тц
        "x": {"ks": 0},
        "C": {"tS": 0, "tC": 0},  # тш, тч
        "X": {"kX": 0.1},
        "J": {"dZ": 0},
        "Z": {"CZ": 0},  # Chinese zh → чж
        "f": {"pX": 0.1, "pf": 0.1},  # Thai ph → пх, German ph → пф
        "T": {"tX": 0.1},  # Thai th → тх
        "D": {"dX": 0},  # дх
        "k": {"ck": 0.2},  # Polish -cki → -цкий
    },
    merge={
        **{pair: {sound: 0} for pair, sound in _VOWEL_PAIRS.items()},
        "eu": {"e": 0, "o": 0.1, "u": 0.2},
        "oe": {"e": 0, "u": 0},  # Dutch oe
        "ie": {"i": 0, "e": 0.1},  # Polish ie
        "oi": {"a": 0.3},
        "gn": {"n": 0.2},
        "ng": {"n": 0.2},  # Chinese -ng → -н
        "dz": {"q": 0},  # дз
        "dg": {"j": 0.1},  # English -dge → -дж
        "sQ": {"S": 0.1},
    },
    latin_vowels=LATIN_VOWELS,
    target_vowels=CYRILLIC_VOWELS,
    latin_skip={"a": 0.3, "e": 0.25, "i": 0.3, "o": 0.3, "u": 0.3, "h": 0.3, "w": 0.5, "y": 0.3, "G": 0.4},
    latin_final_skip=_FINAL_SKIP,
    target_skip={"a": 0.4, "e": 0.4, "i": 0.3, "o": 0.4, "u": 0.4, "y": 0.2},
    vowel_mismatch=0.5,
)


# Coarse consonant classes of the sound symbols, shared by the three scripts (used for search keys, and for
# cheap substitutions when two spellings in the same script are compared):
#
#   b  b p ب پ       f  f v w ф в ف ڤ    t  t th т ت ط ث     d  d dh д د ض ذ     s  s z ts c с з ц س ص ز ظ
#   x  sh ch ш ч ش تش                      j  j dzh zh дж ж ج ژ                     k  k q c g gh к г қ ғ ك ق غ گ
#   h  h kh х ҳ ح خ ه                       l m n r  as written                      y  consonant y (й)
LATIN_CLASSES = {
    "b": "b", "p": "b", "f": "f", "v": "f", "w": "f", "t": "t", "T": "t", "d": "d", "D": "d",
    "s": "s", "z": "s", "c": "s", "Q": "s", "x": "s", "S": "x", "C": "x", "j": "j", "J": "j", "Z": "j",
    "y": "y", "k": "k", "q": "k", "K": "k", "g": "k", "G": "k", "X": "h", "h": "h",
    "l": "l", "m": "m", "n": "n", "r": "r",
}  # fmt: skip
CYRILLIC_CLASSES = {
    "b": "b", "p": "b", "f": "f", "v": "f", "t": "t", "d": "d", "s": "s", "z": "s", "c": "s", "S": "x", "C": "x",
    "j": "j", "Z": "j", "q": "j", "y": "y", "k": "k", "K": "k", "g": "k", "G": "k", "X": "h", "h": "h",
    "l": "l", "m": "m", "n": "n", "r": "r",
}  # fmt: skip
ARABIC_CLASSES = {
    "b": "b", "p": "b", "f": "f", "v": "f", "t": "t", "4": "t", "1": "t", "d": "d", "5": "d", "2": "d",
    "s": "s", "6": "s", "z": "s", "3": "s", "c": "s", "S": "x", "C": "x", "j": "j", "Z": "j",
    "k": "k", "q": "k", "g": "k", "G": "k", "X": "h", "7": "h", "h": "h", "l": "l", "m": "m", "n": "n", "r": "r",
}  # fmt: skip


def _same_script_costs(classes: dict[str, str], vowels: frozenset[str], skip: dict[str, float]) -> _Costs:
    """Costs for two spellings in the same script: letters of one class are close (0.3), vowels cheap."""
    by_class: dict[str, list[str]] = {}
    for symbol, klass in classes.items():
        by_class.setdefault(klass, []).append(symbol)
    table = {symbol: {other: 0.3 for other in by_class[klass] if other != symbol} for symbol, klass in classes.items()}
    return _Costs(
        sub_table=table,
        split={},
        merge={},
        latin_vowels=vowels,
        target_vowels=vowels,
        latin_skip=skip,
        latin_final_skip={},
        target_skip=skip,
        vowel_mismatch=0.4,
    )


_LATIN_SAME_COSTS = _same_script_costs(
    LATIN_CLASSES, LATIN_VOWELS, {**dict.fromkeys(LATIN_VOWELS, 0.3), "h": 0.3, "X": 0.4, "w": 0.4, "y": 0.3}
)
_ARABIC_SAME_COSTS = _same_script_costs(
    ARABIC_CLASSES, ARABIC_VOWELS, {**dict.fromkeys(ARABIC_VOWELS, 0.3), "0": 0.1, "L": 0.1, "h": 0.4}
)


@lru_cache(maxsize=262144)
def same_script_similarity(left_token: str, right_token: str, script: str) -> float:
    """Similarity in [0, 1] of two spellings in the same script (Latin and Cyrillic compared as Latin sounds)."""
    if script == "arab":
        return _align(arabic_symbols(left_token), arabic_symbols(right_token), _ARABIC_SAME_COSTS)
    return _align(latin_symbols(left_token), latin_symbols(right_token), _LATIN_SAME_COSTS)


@lru_cache(maxsize=262144)
def arabic_similarity(latin_token: str, arabic_token: str) -> float:
    """Similarity in [0, 1] between a Latin (or Cyrillic) spelling and an Arabic-script spelling of one name."""
    return _align(latin_symbols(latin_token), arabic_symbols(arabic_token), _ARABIC_COSTS)


@lru_cache(maxsize=262144)
def cyrillic_similarity(latin_token: str, cyrillic_token: str) -> float:
    """Similarity in [0, 1] between a Latin spelling and a Cyrillic spelling of one name."""
    return _align(latin_symbols(latin_token), cyrillic_symbols(cyrillic_token), _CYRILLIC_COSTS)
