# ruff: noqa: RUF001 - names and headers in Cyrillic and Arabic script, on purpose
"""Mapping columns to fields: default names, synonyms in four languages, templates, checks."""

from __future__ import annotations

from homecoming.intake.fields import (
    FIELDS,
    SYNONYMS,
    check_mapping,
    clean_mapping,
    normalise_header,
    propose_mapping,
    template_from_mapping,
)


def test_default_headers_map_to_every_field():
    headers = [f.default_header for f in FIELDS]
    mapping = propose_mapping(headers)
    assert mapping == {f.key: chr(ord("A") + i) for i, f in enumerate(FIELDS)}


def test_no_synonym_belongs_to_two_fields():
    seen: dict[str, str] = {}
    for f in FIELDS:
        for name in (f.default_header, *f.synonyms):
            key = normalise_header(name)
            assert seen.setdefault(key, f.key) == f.key, f"{name!r} is a synonym of {seen[key]} and {f.key}"
    assert len(SYNONYMS) >= 150


def test_russian_and_arabic_headers_are_recognised():
    headers = ["№", "Ф.И.О.", "Пол", "Дата рождения", "Место содержания", "Примечание"]
    assert propose_mapping(headers) == {"full_name": "B", "sex": "C", "birth_date": "D", "facility": "E", "notes": "F"}
    arabic = ["الاسم الكامل", "الجنس", "تاريخ الميلاد", "اسم الأم", "المخيم", "رقم القيد"]
    assert propose_mapping(arabic) == {
        "full_name": "A",
        "sex": "B",
        "birth_date": "C",
        "mother_name": "D",
        "facility": "E",
        "identifier": "F",
    }


def test_header_normalisation_ignores_case_punctuation_and_arabic_variants():
    assert normalise_header("  Date-of-BIRTH: ") == "date of birth"
    assert normalise_header("إسم الأُم") == normalise_header("اسم الام")
    assert normalise_header("Ёлка") == "елка"


def test_a_template_wins_over_synonyms_and_survives_reordered_columns():
    headers = ["Nom", "Sexe", "Name"]
    template = template_from_mapping(headers, {"full_name": "A", "sex": "B", "notes": "C"})
    assert template == {"nom": "full_name", "sexe": "sex", "name": "notes"}
    reordered = ["Name", "Sexe", "Nom"]
    assert propose_mapping(reordered, template) == {"full_name": "C", "sex": "B", "notes": "A"}


def test_each_column_is_proposed_once():
    mapping = propose_mapping(["Name", "Full name"])
    assert list(mapping.values()) == ["A"]


def test_mapping_checks():
    headers = ["Name", "Sex"]
    codes = [i.code for i in check_mapping(headers, {"sex": "B"})]
    assert codes == ["mapping_no_name"]
    issues = check_mapping(headers, {"full_name": "A", "notes": "A", "sex": "Z", "colour": "B"})
    assert {i.code for i in issues} == {"mapping_column_twice", "mapping_unknown_column", "mapping_unknown_field"}
    twice = next(i for i in issues if i.code == "mapping_column_twice")
    assert "Full name" in twice.message()
    assert "Notes" in twice.message()
    assert check_mapping(headers, {"given_name": "a", "sex": ""}) == []


def test_clean_mapping_keeps_known_fields_in_order():
    assert clean_mapping({"sex": " b ", "full_name": "a", "x": "C", "notes": ""}) == {"full_name": "A", "sex": "B"}
