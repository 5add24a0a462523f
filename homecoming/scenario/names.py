# ruff: noqa: RUF001 - name lists and letter tables in Cyrillic and Arabic script, on purpose
"""Invented names for the seeds' scenario, spelled as the lists of different authorities spell them.

Every person is a random combination of a given name and a family name (a fixed seed makes the
draw reproducible); no real person is described. Tajik names are written in Tajik Cyrillic (the
home state's own records) and romanised in three ways, as they arrive from abroad: the Tajik
Latin spelling, the Russian passport spelling, and an ad-hoc spelling of a foreign list; Iraqi
lists also write them in Arabic script. Russian and Kazakh names come from the shared lists of
common names (``data/forenames.csv``, ``data/surnames.csv``).
"""

from __future__ import annotations

import csv
import random
import unicodedata
from dataclasses import dataclass
from functools import cache
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data"

# --- hand-made Tajik lists: (Cyrillic, Tajik Latin) ----------------------------------------------

TAJIK_FEMALE: tuple[tuple[str, str], ...] = (
    ("Зарина", "Zarina"),
    ("Мадина", "Madina"),
    ("Нигина", "Nigina"),
    ("Малика", "Malika"),
    ("Гулнора", "Gulnora"),
    ("Шаҳноза", "Shahnoza"),
    ("Дилноза", "Dilnoza"),
    ("Фарзона", "Farzona"),
    ("Меҳрона", "Mehrona"),
    ("Сумая", "Sumaya"),
    ("Оиша", "Oisha"),
    ("Фотима", "Fotima"),
    ("Ҳадича", "Hadicha"),
    ("Мунира", "Munira"),
    ("Парвина", "Parvina"),
    ("Сурайё", "Surayyo"),
    ("Таҳмина", "Tahmina"),
    ("Ситора", "Sitora"),
    ("Мавзуна", "Mavzuna"),
    ("Шодия", "Shodiya"),
    ("Гулчеҳра", "Gulchehra"),
    ("Зулайхо", "Zulaykho"),
    ("Фируза", "Firuza"),
    ("Нозия", "Noziya"),
    ("Асия", "Asiya"),
    ("Индира", "Indira"),
    ("Марям", "Maryam"),
    ("Рухшона", "Rukhshona"),
    ("Саодат", "Saodat"),
    ("Хуршеда", "Khursheda"),
)
TAJIK_MALE: tuple[tuple[str, str], ...] = (
    ("Муҳаммад", "Muhammad"),
    ("Юсуф", "Yusuf"),
    ("Абдулло", "Abdullo"),
    ("Абубакр", "Abubakr"),
    ("Умар", "Umar"),
    ("Алӣ", "Ali"),
    ("Исмоил", "Ismoil"),
    ("Иброҳим", "Ibrohim"),
    ("Фирдавс", "Firdavs"),
    ("Сомон", "Somon"),
    ("Билол", "Bilol"),
    ("Ҳамза", "Hamza"),
    ("Усмон", "Usmon"),
    ("Довуд", "Dovud"),
    ("Мустафо", "Mustafo"),
    ("Идрис", "Idris"),
    ("Ёсин", "Yosin"),
    ("Мусо", "Muso"),
    ("Ҷаъфар", "Ja'far"),
    ("Зубайр", "Zubayr"),
    ("Раҳим", "Rahim"),
    ("Назар", "Nazar"),
    ("Шариф", "Sharif"),
    ("Қурбон", "Qurbon"),
    ("Ҳасан", "Hasan"),
    ("Саид", "Said"),
    ("Карим", "Karim"),
    ("Азиз", "Aziz"),
    ("Сафар", "Safar"),
    ("Давлат", "Davlat"),
    ("Ҷӯра", "Jura"),
    ("Раҷаб", "Rajab"),
    ("Файзулло", "Fayzullo"),
    ("Наим", "Naim"),
)

# The Tajik rows of the shared list of common forenames are in Latin only: their Cyrillic here.
_TJ_CYRILLIC = {
    "Sumayah": "Сумайя",
    "Asiya": "Осиё",
    "Oisha": "Оиша",
    "Googoosh": "Гугуш",
    "Anohito": "Анохито",
    "Indira": "Индира",
    "Muhammad": "Муҳаммад",
    "Yusuf": "Юсуф",
    "Abdullo": "Абдулло",
    "Abubakr": "Абубакр",
}

# --- romanisation -------------------------------------------------------------------------------

_TAJIK_LATIN = {
    "а": "a", "б": "b", "в": "v", "г": "g", "ғ": "gh", "д": "d", "е": "e", "ё": "yo", "ж": "zh",
    "з": "z", "и": "i", "ӣ": "i", "й": "y", "к": "k", "қ": "q", "л": "l", "м": "m", "н": "n",
    "о": "o", "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ӯ": "u", "ф": "f", "х": "kh",
    "ҳ": "h", "ч": "ch", "ҷ": "j", "ш": "sh", "ъ": "'", "э": "e", "ю": "yu", "я": "ya", "ц": "ts",
    "щ": "shch", "ы": "y", "ь": "",
}  # fmt: skip
_RUSSIAN_PASSPORT = {
    **_TAJIK_LATIN,
    "ғ": "g", "ё": "e", "й": "i", "қ": "k", "ҳ": "kh", "ҷ": "dzh", "ъ": "ie", "ю": "iu", "я": "ia",
}  # fmt: skip
# An ad-hoc foreign list: each letter spelled one of several ways, chosen per name.
_AD_HOC = {
    "ғ": ("gh", "g"), "ё": ("yo", "io", "jo"), "ж": ("zh", "j"), "й": ("y", "i"), "қ": ("q", "k"),
    "у": ("u", "ou"), "ӯ": ("u", "oo"), "х": ("kh", "h", "x"), "ҳ": ("h", "kh", ""),
    "ҷ": ("j", "dj", "dzh"), "ъ": ("'", "", "a"), "ю": ("yu", "iu"), "я": ("ya", "ia", "a"),
    "и": ("i", "ee"), "е": ("e", "ye"),
}  # fmt: skip
_ARABIC = {
    "а": "ا", "б": "ب", "в": "ف", "г": "غ", "ғ": "غ", "д": "د", "е": "ي", "ё": "يو", "ж": "ج",
    "з": "ز", "и": "ي", "ӣ": "ي", "й": "ي", "к": "ك", "қ": "ق", "л": "ل", "м": "م", "н": "ن",
    "о": "و", "п": "ب", "р": "ر", "с": "س", "т": "ت", "у": "و", "ӯ": "و", "ф": "ف", "х": "خ",
    "ҳ": "ه", "ч": "تش", "ҷ": "ج", "ш": "ش", "ъ": "ع", "э": "ا", "ю": "يو", "я": "يا", "ц": "تس",
    "щ": "ش", "ы": "ي", "ь": "",
}  # fmt: skip
_SHORT_VOWELS = frozenset("аеэ")


def _strip_accents(text: str) -> str:
    """Remove stress marks (``Смирно́в``) but keep letters such as ё and й."""
    decomposed = unicodedata.normalize("NFD", text)
    kept = "".join(ch for ch in decomposed if ch != "\u0301")
    return unicodedata.normalize("NFC", kept)


def _spell(text: str, table: dict[str, str]) -> str:
    out = []
    for word in text.split(" "):
        letters = "".join(table.get(ch.lower(), ch) for ch in word)
        out.append(letters[:1].upper() + letters[1:])
    return " ".join(out)


def tajik_latin(text: str) -> str:
    """The Tajik Latin spelling: ``Шаҳноза Ҷӯраева`` -> ``Shahnoza Juraeva``."""
    return _spell(text, _TAJIK_LATIN)


def russian_passport(text: str) -> str:
    """The Russian-style passport spelling: ``Шаҳноза Ҷӯраева`` -> ``Shakhnoza Dzhuraeva``."""
    return _spell(text, _RUSSIAN_PASSPORT)


def ad_hoc_latin(text: str, rng: random.Random) -> str:
    """A foreign list's spelling, each ambiguous letter spelled one of its usual ways."""
    table = {**_TAJIK_LATIN, **{ch: rng.choice(options) for ch, options in _AD_HOC.items()}}
    return _spell(text, table)


def arabic(text: str, rng: random.Random) -> str:
    """An Arabic-script spelling as an Iraqi list writes it: short vowels inside a word often left out."""
    words = []
    for word in text.split(" "):
        letters = []
        for index, ch in enumerate(word.lower()):
            if 0 < index < len(word) - 1 and ch in _SHORT_VOWELS and rng.random() < 0.6:
                continue
            letters.append(_ARABIC.get(ch, ""))
        words.append("".join(letters))
    return " ".join(w for w in words if w)


# --- family names -------------------------------------------------------------------------------


def _female_form(family: str) -> str:
    for ending in ("ов", "ев", "ёв", "ин"):
        if family.endswith(ending):
            return family + "а"
    return family


def patronymic_family_name(father_given: str, *, zoda: bool, female: bool) -> str:
    """A Tajik family name made from the father's given name: ``Умар`` -> ``Умаров``/``Умарова``
    or ``Умарзода``."""
    stem = father_given.replace("ӣ", "и").replace("ъ", "")
    if zoda:
        return stem + "зода"
    masculine = stem + ("ев" if stem[-1] in "аоуиэеӯ" else "ов")
    return _female_form(masculine) if female else masculine


# --- the shared lists ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ListedName:
    written: str  # as written in the country (Cyrillic for RU, KZ)
    latin: str


def _is_cyrillic(text: str) -> bool:
    return any("\u0400" <= ch <= "\u04ff" for ch in text)


@cache
def forenames(country: str, sex: str) -> tuple[ListedName, ...]:
    """Common forenames of ``country`` ("RU", "KZ", "TJ") and sex ("F", "M"), from the shared list."""
    names: dict[str, ListedName] = {}
    with (DATA / "forenames.csv").open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            if row["country"] != country or row["sex"] != sex:
                continue
            written, latin = _strip_accents(row["localized"]), row["romanized"]
            if country == "TJ":
                written = _TJ_CYRILLIC.get(latin, "")
            if not _is_cyrillic(written) or _is_cyrillic(latin):
                continue
            names.setdefault(written, ListedName(written, latin))
    return tuple(names.values())


@cache
def surnames(country: str) -> tuple[ListedName, ...]:
    """Common family names of ``country`` in their masculine form, from the shared list."""
    names: dict[str, ListedName] = {}
    with (DATA / "surnames.csv").open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            written, latin = _strip_accents(row["localized"]), row["romanized"]
            if row["country"] != country or not _is_cyrillic(written) or _is_cyrillic(latin):
                continue
            if not written.endswith(("ов", "ев", "ёв", "ин")):  # keep family names, not given names
                continue
            names.setdefault(written, ListedName(written, latin))
    return tuple(names.values())


def female_latin(latin: str) -> str:
    return latin + "a" if latin.endswith(("ov", "ev", "yov", "in")) else latin
