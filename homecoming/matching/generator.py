# ruff: noqa: RUF001, RUF002, RUF003 - letter tables in Cyrillic and Arabic script, on purpose
"""A synthetic population with known truth, for the batch deduplication benchmark and tests.

Generated people only: the names come from small lists in ``homecoming/matching/batch/data/`` (Tajik names
written for this project, Arabic names, and Russian/Kazakh/Kyrgyz names from a CC0 data set), combined at
random. Nothing here is about a real person.

What it makes (``generate_population(n=..., seed=...)``, a pyarrow table of exactly ``n`` records):

- **families**: a mother and one to six children; the children share the father's surname (``Каримов`` for a
  boy, ``Каримова`` for a girl, ``Каримзода`` for both), siblings are born one to three years apart, a few are
  twins. These are the hard negatives: same surname, close birth dates, often the same sex;
- **single adults**, and people of Russian/Kazakh or Arab origin besides the Tajik majority; children born in
  the camps often have Arabic given names;
- **duplicates** of about a quarter of the people, each recorded again the way another office would write it:
  in another script (Cyrillic ↔ Latin ↔ Arabic), with an ad-hoc Latin spelling (kh/h, dj/j, ou/u, doubled
  letters, ``-ov``/``-off``, ``-zoda``/``-zade``), a Russianised Cyrillic spelling (``ҳ``→``х``, ``ҷ``→``дж``),
  the surname in its reformed form (``Каримов`` → ``Каримзода``), given and family names swapped, a typing
  slip, an estimated birth date (1 July of a year up to two years off, with a range of ±1 or ±2 years), no
  birth date, or no sex.

Truth: ``entity_id`` (one per person); ``family_id`` groups a mother and her children. The generator is
deterministic for a given ``n`` and ``seed`` and makes a million records in about half a minute.
"""

from __future__ import annotations

import csv
import datetime
import random
import re
from bisect import bisect
from dataclasses import dataclass, field
from itertools import accumulate
from pathlib import Path

import pyarrow as pa

__all__ = ["POPULATION_SCHEMA", "NameBank", "NameForm", "generate_population", "true_pair_count"]

DATA_DIR = Path(__file__).resolve().parent / "batch" / "data"

POPULATION_SCHEMA = pa.schema(
    [
        ("record_id", pa.int64()),
        ("entity_id", pa.int64()),
        ("family_id", pa.int64()),
        ("given_name", pa.string()),
        ("family_name", pa.string()),
        ("sex", pa.string()),
        ("birth_date", pa.date32()),
        ("birth_date_min", pa.date32()),
        ("birth_date_max", pa.date32()),
        ("script", pa.string()),
    ]
)

_EPOCH = datetime.date(1970, 1, 1)


def _day(year: int, month: int, day: int) -> int:
    return (datetime.date(year, month, day) - _EPOCH).days


# --------------------------------------------------------------------------------------------------
# Names and their spellings
# --------------------------------------------------------------------------------------------------


@dataclass(eq=False)
class NameForm:
    """One name with its spellings in the three scripts; the spelling pools are filled on first use."""

    cyrillic: str
    latin: str
    arabic: str = ""
    latin_variants: tuple[str, ...] = ()
    pools: dict[str, tuple[list[str], list[float]]] = field(default_factory=dict)


# Cyrillic (Tajik and Russian) to a Latin spelling, as a clerk might write it: each letter has its choices.
_CYR_TO_LAT: dict[str, tuple[str, ...]] = {
    "а": ("a",), "б": ("b",), "в": ("v", "v", "w"), "г": ("g",), "ғ": ("gh", "g"), "д": ("d",),
    "е": ("e", "e", "ye"), "ё": ("yo", "io"), "ж": ("zh", "j"), "з": ("z",), "и": ("i",), "ӣ": ("i", "iy"),
    "й": ("y", "i", "j"), "к": ("k",), "қ": ("q", "k"), "л": ("l",), "м": ("m",), "н": ("n",), "о": ("o",),
    "п": ("p",), "р": ("r",), "с": ("s",), "т": ("t",), "у": ("u", "u", "ou"), "ӯ": ("u", "ou"), "ф": ("f",),
    "х": ("kh", "kh", "h"), "ҳ": ("h", "kh"), "ц": ("ts",), "ч": ("ch",), "ҷ": ("j", "dzh", "dj"),
    "ш": ("sh",), "щ": ("shch",), "ъ": ("", "'"), "ы": ("y", "i"), "ь": ("",), "э": ("e",),
    "ю": ("yu", "iu"), "я": ("ya", "ia"), "ә": ("a",), "ұ": ("u",), "ү": ("u",), "ң": ("ng",), "қа": ("qa",),
}  # fmt: skip
_CYR_RUSSIANISED = {"ҳ": "х", "ҷ": "дж", "ӣ": "и", "ӯ": "у", "қ": "к", "ғ": "г", "ъ": ""}
# Cyrillic to Arabic script, as an Arabic-speaking clerk writes a name heard aloud. Short vowels inside a word
# are often left out ("" among the choices); doubled letters are written once.
_CYR_TO_AR: dict[str, tuple[str, ...]] = {
    "б": ("ب",), "в": ("ف", "و"), "г": ("غ", "ك", "ج"), "ғ": ("غ",), "д": ("د",), "ж": ("ج", "ژ"), "з": ("ز",),
    "й": ("ي",), "к": ("ك",), "қ": ("ق", "ك"), "л": ("ل",), "м": ("م",), "н": ("ن",), "п": ("ب",), "р": ("ر",),
    "с": ("س",), "т": ("ت",), "ф": ("ف",), "х": ("خ",), "ҳ": ("ح", "ه"), "ц": ("تس",), "ч": ("تش", "ش"),
    "ҷ": ("ج",), "ш": ("ش",), "щ": ("ش",), "ъ": ("ع", ""), "ь": ("",), "ы": ("ي",), "э": ("ي", ""),
    "ю": ("يو",), "я": ("يا",), "ё": ("يو",), "е": ("ي", ""), "и": ("ي", ""), "ӣ": ("ي",), "о": ("و", "ا"),
    "у": ("و",), "ӯ": ("و",), "а": ("ا", ""), "ә": ("ا",), "ұ": ("و",), "ү": ("و",), "ң": ("نغ",),
}  # fmt: skip
_AR_INITIAL = {"а": "ا", "о": "ا", "и": "إ", "е": "ي", "э": "إ", "у": "أو", "ӯ": "أو", "ӣ": "إي", "ә": "ا"}
_AR_FINAL = {"а": ("ة", "ا", "ه"), "о": ("و", "ا"), "и": ("ي",), "ӣ": ("ي",), "е": ("ي",), "я": ("ية", "يا")}


def _latin_from_cyrillic(text: str, rng: random.Random) -> str:
    out: list[str] = []
    lowered = text.lower().replace("дж", "ҷ")
    for ch in lowered:
        choices = _CYR_TO_LAT.get(ch)
        out.append(rng.choice(choices) if choices else ch)
    return _capitalise("".join(out))


def _arabic_from_cyrillic(text: str, rng: random.Random) -> str:
    words: list[str] = []
    for word in text.lower().replace("дж", "ҷ").replace("-", " ").split():
        if word in {"аль", "ал", "аш", "ат", "ад", "ар", "ас", "эль"}:
            words.append("ال")
            continue
        out: list[str] = []
        last = len(word) - 1
        for position, ch in enumerate(word):
            if position == 0 and ch in _AR_INITIAL:
                piece = _AR_INITIAL[ch]
            elif position == last and ch in _AR_FINAL:
                piece = rng.choice(_AR_FINAL[ch])
            else:
                choices = _CYR_TO_AR.get(ch)
                piece = rng.choice(choices) if choices else ""
            if piece and out and out[-1] == piece:
                continue  # no shadda: a doubled consonant is written once
            out.append(piece)
        words.append("".join(out))
    return " ".join(word for word in words if word)


def _russianised(text: str, rng: random.Random) -> str:
    out = "".join(_CYR_RUSSIANISED.get(ch, ch) for ch in text)
    out = out.replace("Ҳ", "Х").replace("Ҷ", "Дж").replace("Қ", "К").replace("Ғ", "Г").replace("Ӯ", "У")
    if rng.random() < 0.3 and "о" in out[1:]:
        # Tajik о heard as Russian а ("Раҳмон" → "Рахман").
        position = rng.choice([i for i, ch in enumerate(out) if ch == "о" and i > 0])
        out = out[:position] + "а" + out[position + 1 :]
    return out


# Ad-hoc Latin respellings: (pattern, replacement), one or two applied at a time.
_LATIN_RULES: tuple[tuple[str, str], ...] = (
    (r"kh", "h"),
    (r"(?<![skcgz])h", "kh"),
    (r"(?<!d)j", "dj"),
    (r"dj|dzh", "j"),
    (r"(?<!o)u", "ou"),
    (r"ou", "u"),
    (r"o(?=[^aeiou]*[aeiou])", "a"),
    (r"q", "k"),
    (r"gh", "g"),
    (r"iy", "i"),
    (r"y(?=[aeiou])", "i"),
    (r"([bdfklmnprst])(?=[aeiou])", r"\1\1"),
    (r"([bdfklmnprst])\1", r"\1"),
    (r"i", "ee"),
    (r"ov$", "off"),
    (r"ov$", "ow"),
    (r"ova$", "owa"),
    (r"zoda$", "zade"),
    (r"zoda$", "zada"),
    (r"i$", "iy"),
    (r"'|ʼ", ""),
)


def _capitalise(text: str) -> str:
    return " ".join(part[:1].upper() + part[1:] for part in text.split(" "))


def _latin_rule_variant(latin: str, rng: random.Random) -> str:
    text = latin.lower()
    applicable = [rule for rule in _LATIN_RULES if re.search(rule[0], text)]
    if not applicable:
        return latin
    for pattern, replacement in rng.sample(applicable, k=min(len(applicable), rng.choice((1, 1, 2)))):
        matches = list(re.finditer(pattern, text))
        if not matches:
            continue
        match = rng.choice(matches)
        text = text[: match.start()] + match.expand(replacement) + text[match.end() :]
    return _capitalise(text)


def _pool(spellings: list[str], first_weight: float) -> tuple[list[str], list[float]]:
    """Distinct spellings with cumulative weights: the first gets ``first_weight``, the rest share the remainder."""
    distinct = list(dict.fromkeys(s for s in spellings if s))
    if len(distinct) == 1:
        return distinct, [1.0]
    rest = (1.0 - first_weight) / (len(distinct) - 1)
    return distinct, list(accumulate([first_weight] + [rest] * (len(distinct) - 1)))


def _spelling(name: NameForm, script: str, rng: random.Random) -> str:
    pool = name.pools.get(script)
    if pool is None:
        if script == "latn":
            generated = [_latin_rule_variant(name.latin, rng) for _ in range(4)]
            generated += [_latin_from_cyrillic(name.cyrillic, rng) for _ in range(3)]
            pool = _pool([name.latin, *name.latin_variants, *generated], 0.4)
        elif script == "cyrl":
            pool = _pool([name.cyrillic, *(_russianised(name.cyrillic, rng) for _ in range(2))], 0.6)
        else:
            generated = [_arabic_from_cyrillic(name.cyrillic, rng) for _ in range(3)]
            pool = _pool([name.arabic, *generated] if name.arabic else generated, 0.5)
        name.pools[script] = pool
    spellings, cumulative = pool
    return spellings[bisect(cumulative, rng.random() * cumulative[-1])] if len(spellings) > 1 else spellings[0]


def _typo(text: str, rng: random.Random) -> str:
    """One typing slip: a letter left out, doubled, swapped with the next, or replaced by another of the word."""
    if len(text) < 3:
        return text
    position = rng.randrange(1, len(text) - 1)
    kind = rng.random()
    if kind < 0.3:
        return text[:position] + text[position + 1 :]
    if kind < 0.5:
        return text[:position] + text[position] + text[position:]
    if kind < 0.75:
        return text[: position - 1] + text[position] + text[position - 1] + text[position + 1 :]
    letters = [ch for ch in set(text.lower()) if ch.isalpha() and ch != text[position]]
    return text[:position] + (rng.choice(letters) if letters else text[position]) + text[position + 1 :]


# --------------------------------------------------------------------------------------------------
# The name lists
# --------------------------------------------------------------------------------------------------


def _read_psv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle, delimiter="|"))


def _zipf(count: int, exponent: float = 0.9) -> list[float]:
    """Cumulative weights for a list ordered from the most to the least common name."""
    return list(accumulate(1.0 / (rank + 2) ** exponent for rank in range(count)))


class NameBank:
    """The given names (by origin and sex) and surname stems the generator draws from, with Zipf-like weights."""

    _SURNAME_STYLES = ("ov", "zoda", "i")

    def __init__(self, data_dir: Path = DATA_DIR) -> None:
        missing = [name for name in ("tj_given.psv", "ar_names.psv", "ar_family.psv", "cc0_names.csv")
                   if not (data_dir / name).exists()]  # fmt: skip
        if missing:
            raise FileNotFoundError(f"Name lists missing from {data_dir}: {', '.join(missing)}")
        self.given: dict[tuple[str, str], list[NameForm]] = {}
        tajik = _read_psv(data_dir / "tj_given.psv")
        for sex in ("M", "F"):
            self.given["tj", sex] = [
                NameForm(row["cyrillic"], row["latin"], "", tuple(filter(None, row["latin_variants"].split(";"))))
                for row in tajik
                if row["sex"] == sex
            ]
            self.given["ar", sex] = [
                NameForm(row["cyrillic"], row["latin"], row["arabic"], tuple(filter(None, row["latin_variants"].split(";"))))
                for row in _read_psv(data_dir / "ar_names.psv")
                if row["sex"] == sex
            ]  # fmt: skip
        # A Tajik name of Arabic origin is written in its usual Arabic spelling by an Arabic-speaking clerk.
        arabic_of = {
            spelling.lower(): name.arabic
            for sex in ("M", "F")
            for name in self.given["ar", sex]
            for spelling in (name.latin, *name.latin_variants)
        }
        for sex in ("M", "F"):
            for name in self.given["tj", sex]:
                name.arabic = next(
                    (arabic_of[s.lower()] for s in (name.latin, *name.latin_variants) if s.lower() in arabic_of), ""
                )
        self.ar_family = [
            NameForm(row["cyrillic"], row["latin"], row["arabic"], tuple(filter(None, row["latin_variants"].split(";"))))
            for row in _read_psv(data_dir / "ar_family.psv")
        ]  # fmt: skip
        ru_rows = list(csv.DictReader((data_dir / "cc0_names.csv").open(encoding="utf-8")))
        for sex in ("M", "F"):
            self.given["ru", sex] = [
                NameForm(row["cyrillic"], row["latin"])
                for row in ru_rows
                if row["kind"] == "given" and row["sex"] == sex
            ]
        self.ru_surnames = [(row["cyrillic"], row["latin"]) for row in ru_rows if row["kind"] == "surname"]
        self.weights = {key: _zipf(len(names)) for key, names in self.given.items()}
        self.stems = self.given["tj", "M"]
        self.stem_weights = _zipf(len(self.stems), 0.7)
        self._surnames: dict[tuple[int, str, str], NameForm] = {}

    def pick_given(self, origin: str, sex: str, rng: random.Random) -> NameForm:
        names, weights = self.given[origin, sex], self.weights[origin, sex]
        return names[bisect(weights, rng.random() * weights[-1])]

    def pick_family(self, origin: str, rng: random.Random) -> tuple[str, int, str]:
        """(origin, index, style) of a family name: a Tajik stem with a suffix style, a Russian or an Arab name."""
        if origin == "tj":
            index = bisect(self.stem_weights, rng.random() * self.stem_weights[-1])
            return "tj", index, rng.choices(self._SURNAME_STYLES, weights=(0.55, 0.35, 0.10))[0]
        if origin == "ru":
            return "ru", rng.randrange(len(self.ru_surnames)), "ov"
        return "ar", rng.randrange(len(self.ar_family)), ""

    def surname(self, family: tuple[str, int, str], sex: str) -> NameForm:
        """The surname of a family in the form for one sex (``Каримов``/``Каримова``; ``Каримзода`` for both)."""
        origin, index, style = family
        key = (index, style, sex) if origin == "tj" else (index + 10_000 * (1 + (origin == "ar")), style, sex)
        found = self._surnames.get(key)
        if found is not None:
            return found
        feminine = sex == "F"
        if origin == "ar":
            found = self.ar_family[index]
        elif origin == "ru":
            cyrillic, latin = self.ru_surnames[index]
            found = NameForm(cyrillic + "а" if feminine else cyrillic, latin + "a" if feminine else latin)
        else:
            stem = self.stems[index]
            cyr, lat = stem.cyrillic.replace("ӣ", "и").replace("ъ", ""), stem.latin.replace("ʼ", "")
            if style == "zoda":
                found = NameForm(cyr + "зода", lat + "zoda")
            elif style == "i" and cyr[-1] not in "аоиуеэ":
                found = NameForm(cyr + "ӣ", lat + "i")
            else:
                vowel = cyr[-1] in "аоиуеэ"
                suffix_c, suffix_l = ("ев", "ev") if vowel else ("ов", "ov")
                found = NameForm(cyr + suffix_c + ("а" if feminine else ""), lat + suffix_l + ("a" if feminine else ""))
        self._surnames[key] = found
        return found


# --------------------------------------------------------------------------------------------------
# People and records
# --------------------------------------------------------------------------------------------------


@dataclass
class _Person:
    entity_id: int
    family_id: int
    sex: str
    birth: int  # days since 1970-01-01
    given: NameForm
    family: tuple[str, int, str]
    origin: str


_DUPLICATES = list(accumulate((0.75, 0.17, 0.06, 0.02)))  # P(0, 1, 2, 3 further records of a person)
_CHILDREN = list(accumulate((0.20, 0.25, 0.22, 0.15, 0.10, 0.08)))  # P(1..6 children)
_LAST_BIRTH = _day(2024, 12, 31)


def _scripts_for(origin: str, original: bool) -> tuple[tuple[str, ...], tuple[float, ...]]:
    if original:
        return ("cyrl", "latn", "arab"), ((0.1, 0.4, 0.5) if origin == "ar" else (0.55, 0.35, 0.10))
    return ("cyrl", "latn", "arab"), (0.30, 0.45, 0.25)


class _Generator:
    def __init__(self, seed: int, bank: NameBank) -> None:
        self.rng = random.Random(seed)  # noqa: S311 - reproducible test data, not secrets
        self.bank = bank
        self.people: list[_Person] = []
        self.next_entity = 1

    def _person(self, family_id: int, sex: str, birth: int, given: NameForm, family: tuple[str, int, str], origin: str) -> _Person:  # fmt: skip
        person = _Person(self.next_entity, family_id, sex, birth, given, family, origin)
        self.next_entity += 1
        self.people.append(person)
        return person

    def family(self, family_id: int) -> None:
        rng, bank = self.rng, self.bank
        origin = rng.choices(("tj", "ru", "ar"), weights=(0.82, 0.06, 0.12))[0]
        father_family = bank.pick_family(origin, rng)
        mother_family = father_family if rng.random() < 0.5 else bank.pick_family(origin, rng)
        mother_birth = _day(rng.randint(1975, 2002), 1, 1) + rng.randrange(365)
        self._person(family_id, "F", mother_birth, bank.pick_given(origin, "F", rng), mother_family, origin)
        count = bisect(_CHILDREN, rng.random()) + 1
        birth = mother_birth + rng.randint(18 * 365, 30 * 365)
        names_used: set[int] = set()
        for _ in range(count):
            if birth > _LAST_BIRTH:
                break
            sex = rng.choice("MF")
            # Children born in the camps (from 2014) often get Arabic given names.
            child_origin = "ar" if origin == "tj" and birth > _day(2014, 1, 1) and rng.random() < 0.3 else origin
            given = bank.pick_given(child_origin, sex, rng)
            for _retry in range(5):
                if id(given) not in names_used:
                    break
                given = bank.pick_given(child_origin, sex, rng)
            names_used.add(id(given))
            self._person(family_id, sex, birth, given, father_family, origin)
            if rng.random() < 0.03:  # twins
                sex = rng.choice("MF")
                self._person(family_id, sex, birth, bank.pick_given(child_origin, sex, rng), father_family, origin)
            birth += rng.randint(300, 1100)

    def single(self, family_id: int) -> None:
        rng = self.rng
        origin = rng.choices(("tj", "ru", "ar"), weights=(0.80, 0.08, 0.12))[0]
        sex = rng.choice("MF")
        birth = _day(rng.randint(1960, 2006), 1, 1) + rng.randrange(365)
        self._person(family_id, sex, birth, self.bank.pick_given(origin, sex, rng), self.bank.pick_family(origin, rng), origin)  # fmt: skip

    def record(self, person: _Person, original: bool) -> tuple[object, ...]:
        rng, bank = self.rng, self.bank
        scripts, weights = _scripts_for(person.origin, original)
        script = rng.choices(scripts, weights=weights)[0]
        family = person.family
        if not original and family[0] == "tj" and rng.random() < 0.06:
            # The surname in its other form, e.g. after the 2007/2016 name reforms: Каримов ↔ Каримзода.
            family = (family[0], family[1], "zoda" if family[2] != "zoda" else "ov")
        given_name = _spelling(person.given, script, rng)
        family_name = _spelling(bank.surname(family, person.sex), script, rng)
        if rng.random() < (0.10 if not original else 0.02):
            if rng.random() < 0.5:
                given_name = _typo(given_name, rng)
            else:
                family_name = _typo(family_name, rng)
        if rng.random() < (0.12 if not original else 0.02):
            given_name, family_name = family_name, given_name
        sex: str | None = person.sex
        if rng.random() < (0.15 if not original else 0.03):
            sex = None
        birth = birth_min = birth_max = None
        draw = rng.random()
        exact, estimated, missing = (0.80, 0.15, 0.05) if original else (0.52, 0.30, 0.12)
        if draw < exact:
            birth = birth_min = birth_max = person.birth
        elif draw < exact + estimated:
            year = datetime.date.fromordinal(_EPOCH.toordinal() + person.birth).year
            year += rng.choice((-2, -1, -1, 0, 0, 0, 1, 1, 2))
            margin = rng.choice((1, 1, 2))
            birth = _day(year, 7, 1)
            birth_min, birth_max = _day(year - margin, 7, 1), _day(year + margin, 7, 1)
        elif draw < exact + estimated + missing:
            pass
        else:
            # A wrong exact date: day and month swapped, or a few days off.
            date = datetime.date.fromordinal(_EPOCH.toordinal() + person.birth)
            if date.day <= 12 and date.day != date.month and rng.random() < 0.5:
                date = date.replace(month=date.day, day=date.month)
            else:
                date += datetime.timedelta(days=rng.choice((-10, -3, -1, 1, 2, 7, 30)))
            birth = birth_min = birth_max = (date - _EPOCH).days
        return (person.entity_id, person.family_id, given_name, family_name, sex, birth, birth_min, birth_max, script)


def generate_population(*, n: int, seed: int = 2024, bank: NameBank | None = None) -> pa.Table:
    """Exactly ``n`` person records (people and their duplicates, shuffled), as a table of ``POPULATION_SCHEMA``."""
    if n < 1:
        raise ValueError("n must be at least 1")
    generator = _Generator(seed, bank or NameBank())
    rng = generator.rng
    rows: list[tuple[object, ...]] = []
    family_id = 0
    while len(rows) < n:
        family_id += 1
        start = len(generator.people)
        if rng.random() < 0.8:
            generator.family(family_id)
        else:
            generator.single(family_id)
        for person in generator.people[start:]:
            rows.append(generator.record(person, original=True))
            for _ in range(bisect(_DUPLICATES, rng.random())):
                rows.append(generator.record(person, original=False))
    del rows[n:]
    rng.shuffle(rows)
    columns = list(zip(*rows, strict=True))
    return pa.table(
        {
            "record_id": pa.array(range(1, n + 1), pa.int64()),
            "entity_id": pa.array(columns[0], pa.int64()),
            "family_id": pa.array(columns[1], pa.int64()),
            "given_name": pa.array(columns[2], pa.string()),
            "family_name": pa.array(columns[3], pa.string()),
            "sex": pa.array(columns[4], pa.string()),
            "birth_date": pa.array(columns[5], pa.int32()).cast(pa.date32()),
            "birth_date_min": pa.array(columns[6], pa.int32()).cast(pa.date32()),
            "birth_date_max": pa.array(columns[7], pa.int32()).cast(pa.date32()),
            "script": pa.array(columns[8], pa.string()),
        },
        schema=POPULATION_SCHEMA,
    )


def true_pair_count(entity_ids: list[int]) -> int:
    """How many record pairs describe the same person (Σ n·(n−1)/2 over the people)."""
    counts: dict[int, int] = {}
    for entity in entity_ids:
        counts[entity] = counts.get(entity, 0) + 1
    return sum(count * (count - 1) // 2 for count in counts.values())
