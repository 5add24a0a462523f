"""Field comparisons: names across scripts, dates of birth with uncertainty, sex (pure Python, no database)."""

from __future__ import annotations

import datetime

import pytest

from homecoming.matching.engine.compare import (
    ESTIMATED_UNCERTAINTY_DAYS,
    BirthLevel,
    NameLevel,
    Person,
    SexLevel,
    compare,
    compare_birth_dates,
    compare_sex,
    name_level,
    name_similarity,
    prepare_name,
)
from homecoming.matching.engine.phonetic import arabic_symbols, cyrillic_symbols, latin_symbols


def similarity(left: str, right: str) -> float:
    value = name_similarity(prepare_name(left), prepare_name(right))
    assert value is not None
    return value


SAME_NAME = [
    # Latin ↔ Cyrillic, including Tajik letters and the Russian conventions for other languages.
    ("Jamshed", "Ҷамшед"),
    ("Qodirova", "Қодирова"),
    ("Ghafurov", "Ғафуров"),
    ("Huseyn", "Ҳусейн"),
    ("Mukhriddin", "Мухриддин"),
    ("Michel", "Мишель"),
    ("Giuseppe", "Джузеппе"),
    ("Yoshida", "Ёсида"),
    ("Schmidt", "Шмидт"),
    # Latin ↔ Arabic: no short vowels, no p/v/g/ch letters.
    ("Muhammad", "محمد"),
    ("Khadija", "خديجة"),
    ("Yusuf", "يوسف"),
    ("Peter", "بيتر"),
    ("Victoria", "فيكتوريا"),
    ("Montecchia", "مونتيكتشيا"),
    ("Rashid", "الرشيد"),
    ("Nur ad-Din", "نور الدين"),
    ("Abd al-Rahman", "عبد الرحمن"),
    ("Umm Kulthum", "أم كلثوم"),
    # Same script, different transliteration.
    ("Mukhriddin", "Muhriddin"),
    ("Sirojiddin", "Sirodjiddin"),
    ("Yusuf", "Yousef"),
    ("محمد", "مُحَمَّد"),
]

DIFFERENT_NAMES = [
    ("Jamshed", "Фаррух"),
    ("Madina", "Зарина"),  # rhyming sisters' names must not look alike
    ("Karimov", "Rahimov"),
    ("Dilnoza", "Nilufar"),
    ("Umar", "علي"),
    ("Peter", "بكر"),
    ("Zarina", "مدينة"),
]


class TestNames:
    @pytest.mark.parametrize(("left", "right"), SAME_NAME)
    def test_spellings_of_one_name_are_at_least_fair(self, left, right):
        assert name_level(similarity(left, right)) >= NameLevel.FAIR, similarity(left, right)

    @pytest.mark.parametrize(("left", "right"), DIFFERENT_NAMES)
    def test_different_names_are_different(self, left, right):
        assert name_level(similarity(left, right)) == NameLevel.DIFFERENT, similarity(left, right)

    def test_identical_is_exact(self):
        assert name_level(similarity("Karimov", "karimov")) == NameLevel.EXACT

    def test_symmetric(self):
        assert similarity("Yusuf", "يوسف") == pytest.approx(similarity("يوسف", "Yusuf"))
        assert similarity("Jamshed", "Ҷамшед") == pytest.approx(similarity("Ҷамшед", "Jamshed"))

    def test_empty_name_is_missing(self):
        assert name_similarity(prepare_name(""), prepare_name("Karimov")) is None
        assert name_level(None) == NameLevel.MISSING

    def test_a_middle_name_on_one_side_costs_little(self):
        assert name_level(similarity("Mary Ann", "Mary")) >= NameLevel.STRONG

    def test_sound_symbols(self):
        assert latin_symbols("Montecchia") == "monteKia"  # Italian cch is k
        assert arabic_symbols("مونتيكتشيا") == "mUntIktSIA"
        assert cyrillic_symbols("Джамшед") == "jamSed"
        assert cyrillic_symbols("Юлия") == "yuliya"


def person(given, family, *, born=None, estimated=False, sex="F"):
    return Person.build(given=given, family=family, birth_date=born, birth_date_estimated=estimated, sex=sex)


class TestRecords:
    def test_swapped_given_and_family_names_are_found(self):
        comparison = compare(person("Dilnoza", "Karimova"), person("Каримова", "Дилноза"))
        assert comparison.names_swapped
        assert comparison.given_name == NameLevel.EXACT
        assert comparison.family_name == NameLevel.EXACT

    def test_straight_order_is_kept_when_it_is_better(self):
        comparison = compare(person("Dilnoza", "Karimova"), person("Дилноза", "Каримова"))
        assert not comparison.names_swapped

    def test_sibling_pattern(self):
        comparison = compare(person("Madina", "Karimova"), person("Зарина", "Каримова"))
        assert comparison.family_name == NameLevel.EXACT
        assert comparison.given_name == NameLevel.DIFFERENT

    def test_build_normalises_sex_and_uncertainty(self):
        record = Person.build(
            given="A", family="B", sex=" f ", birth_date=datetime.date(2015, 7, 1), birth_date_estimated=True
        )
        assert record.sex == "F"
        assert record.birth_uncertainty_days == ESTIMATED_UNCERTAINTY_DAYS
        assert Person.build(given="A", family="B", sex="x").sex == ""


D = datetime.date


class TestBirthDates:
    def test_exact(self):
        assert compare_birth_dates(D(2015, 3, 4), 0, D(2015, 3, 4), 0) == BirthLevel.EXACT

    def test_a_typing_slip_is_close(self):
        assert compare_birth_dates(D(2015, 3, 4), 0, D(2015, 3, 5), 0) == BirthLevel.CLOSE
        assert compare_birth_dates(D(2015, 3, 4), 0, D(2015, 4, 3), 0) == BirthLevel.CLOSE  # day and month swapped

    def test_exact_dates_years_apart_are_different(self):
        assert compare_birth_dates(D(2015, 3, 4), 0, D(2018, 3, 4), 0) == BirthLevel.DIFFERENT

    def test_exact_dates_one_year_apart_are_only_near(self):
        assert compare_birth_dates(D(2015, 3, 4), 0, D(2016, 3, 4), 0) == BirthLevel.NEAR

    def test_estimated_date_within_its_uncertainty_is_compatible(self):
        assert (
            compare_birth_dates(D(2016, 11, 20), 0, D(2015, 7, 1), ESTIMATED_UNCERTAINTY_DAYS) == BirthLevel.COMPATIBLE
        )

    def test_tolerance_grows_with_uncertainty(self):
        exact, other = D(2015, 1, 1), D(2018, 7, 1)  # 3½ years apart
        assert compare_birth_dates(exact, 0, other, 0) == BirthLevel.DIFFERENT
        assert compare_birth_dates(exact, 0, other, ESTIMATED_UNCERTAINTY_DAYS) == BirthLevel.NEAR
        assert compare_birth_dates(exact, 0, other, 4 * 365) == BirthLevel.COMPATIBLE
        # Both sides' uncertainties add up.
        assert compare_birth_dates(exact, 2 * 365, other, 2 * 365) == BirthLevel.COMPATIBLE

    def test_missing(self):
        assert compare_birth_dates(None, 0, D(2015, 3, 4), 0) == BirthLevel.MISSING


class TestSex:
    def test_levels(self):
        assert compare_sex("F", "F") == SexLevel.AGREE
        assert compare_sex("F", "M") == SexLevel.DISAGREE
        assert compare_sex("", "M") == SexLevel.MISSING
