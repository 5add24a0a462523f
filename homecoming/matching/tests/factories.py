"""Generated people for the matching tests: a small hand-written list of Tajik and Arabic names with their usual
Latin, Cyrillic and Arabic spellings, combined at random. No real person's data."""

from __future__ import annotations

import csv
import datetime
import random
from dataclasses import dataclass
from pathlib import Path

from homecoming.matching.engine.pairs import REQUIRED_COLUMNS

# (Latin, Cyrillic, Arabic) spellings of the same name.
GIVEN = {
    "M": [
        ("Jamshed", "Джамшед", "جمشيد"),
        ("Farrukh", "Фаррух", "فرخ"),
        ("Rustam", "Рустам", "رستم"),
        ("Firdavs", "Фирдавс", "فردوس"),
        ("Umar", "Умар", "عمر"),
        ("Yusuf", "Юсуф", "يوسف"),
        ("Sirojiddin", "Сироджиддин", "سراج الدين"),
        ("Bahrom", "Баҳром", "بهرام"),
        ("Daler", "Далер", "دلير"),
        ("Ismoil", "Исмоил", "إسماعيل"),
    ],
    "F": [
        ("Dilnoza", "Дилноза", "دلنوزا"),
        ("Madina", "Мадина", "مدينة"),
        ("Zarina", "Зарина", "زرينة"),
        ("Nilufar", "Нилуфар", "نيلوفر"),
        ("Khadija", "Хадиҷа", "خديجة"),
        ("Aisha", "Аиша", "عائشة"),
        ("Parvina", "Парвина", "پروينا"),
        ("Gulnora", "Гулнора", "گلنورا"),
        ("Mavjuda", "Мавҷуда", "موجوده"),
        ("Sitora", "Ситора", "ستارة"),
    ],
}
FAMILY = {
    "M": [
        ("Karimov", "Каримов", "كريموف"),
        ("Sharipov", "Шарипов", "شريبوف"),
        ("Qodirov", "Қодиров", "قاديروف"),
        ("Ghafurov", "Ғафуров", "غفوروف"),
        ("Saidzoda", "Саидзода", "سعيدزاده"),
        ("Davlatov", "Давлатов", "دولتوف"),
        ("Mirzoev", "Мирзоев", "ميرزوييف"),
        ("Usmonov", "Усмонов", "عثمانوف"),
        ("Rahimov", "Раҳимов", "رحيموف"),
        ("Nazarov", "Назаров", "نظاروف"),
    ],
    "F": [
        ("Karimova", "Каримова", "كريموفا"),
        ("Sharipova", "Шарипова", "شريبوفا"),
        ("Qodirova", "Қодирова", "قاديروفا"),
        ("Ghafurova", "Ғафурова", "غفوروفا"),
        ("Saidzoda", "Саидзода", "سعيدزاده"),
        ("Davlatova", "Давлатова", "دولتوفا"),
        ("Mirzoeva", "Мирзоева", "ميرزوييفا"),
        ("Usmonova", "Усмонова", "عثمانوفا"),
        ("Rahimova", "Раҳимова", "رحيموفا"),
        ("Nazarova", "Назарова", "نظاروفا"),
    ],
}


@dataclass(frozen=True)
class GeneratedPair:
    row: dict[str, str]
    is_match: bool


def _date(rng: random.Random) -> datetime.date:
    return datetime.date(2004, 1, 1) + datetime.timedelta(days=rng.randrange(20 * 365))


def generate_pairs(count: int, *, seed: int = 7) -> list[GeneratedPair]:
    """Half the same person (right side in Cyrillic or Arabic, sometimes names swapped, sometimes an estimated
    or missing date), half siblings (same family, another given name, born 2 to 6 years apart)."""
    rng = random.Random(seed)
    pairs: list[GeneratedPair] = []
    for index in range(count):
        sex = rng.choice("MF")
        script = 1 + index % 2  # 1: Cyrillic, 2: Arabic
        given = rng.choice(GIVEN[sex])
        family = rng.choice(FAMILY[sex])
        born = _date(rng)
        is_match = index % 4 < 2
        if is_match:
            right_given, right_family, right_born = given, family, born
        else:
            right_given = rng.choice([name for name in GIVEN[sex] if name != given])
            right_family = family
            right_born = born + datetime.timedelta(days=rng.choice([-1, 1]) * rng.randrange(2 * 365, 6 * 365))
        estimated = index % 5 == 0
        if estimated:
            right_born = datetime.date(right_born.year, 7, 1)
        right_date = "" if index % 7 == 0 else right_born.isoformat()
        names = [right_given[script], right_family[script]]
        if index % 6 == 0:
            names.reverse()
        pairs.append(
            GeneratedPair(
                row={
                    "pair_id": str(1000 + index),
                    "left_given": given[0],
                    "left_family": family[0],
                    "left_sex": sex,
                    "left_birth_date": born.isoformat(),
                    "left_birth_date_estimated": "0",
                    "right_given": names[0],
                    "right_family": names[1],
                    "right_sex": sex,
                    "right_birth_date": right_date,
                    "right_birth_date_estimated": "1" if estimated and right_date else "0",
                },
                is_match=is_match,
            )
        )
    return pairs


def write_pairs_csv(path: Path, pairs: list[GeneratedPair], *, columns: tuple[str, ...] = REQUIRED_COLUMNS) -> Path:
    with path.open("w", encoding="utf-8", newline="") as stream:
        writer = csv.DictWriter(stream, fieldnames=list(columns), extrasaction="ignore")
        writer.writeheader()
        for pair in pairs:
            writer.writerow(pair.row)
    return path
