# ruff: noqa: RUF001 - vocabularies in Cyrillic and Arabic script, on purpose
"""The fields a list can fill, their default column names, and the mapping of columns to fields.

A *mapping* is ``{field key: column letter}`` for one file. A *template* remembers, per source
authority, ``{normalised header: field key}``, so the next file from the same source is mapped
whatever the order of its columns. An unknown source is mapped from the default header names
and their synonyms in English, Russian, Tajik and Arabic (docs/intake.md lists them).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from homecoming.intake.issues import Issue, column_index, column_letter


@dataclass(frozen=True)
class FieldDef:
    key: str
    label: StrOrPromise
    default_header: str
    synonyms: tuple[str, ...] = ()
    help: StrOrPromise = ""


FIELDS: tuple[FieldDef, ...] = (
    FieldDef(
        "full_name",
        _("Full name"),
        "Full name",
        (
            "name",
            "names",
            "person",
            "full names",
            "фио",
            "ф и о",
            "полное имя",
            "имя и фамилия",
            "ном ва насаб",
            "الاسم الكامل",
            "الاسم",
            "الاسم الثلاثي",
            "الاسم الرباعي",
            "اسم الشخص",
        ),
        _("The name as written, in any script; used when there are no separate given and family names."),
    ),
    FieldDef(
        "given_name",
        _("Given name"),
        "Given name",
        ("first name", "forename", "given names", "имя", "ном", "الاسم الأول", "الاسم الاول", "اسم"),
    ),
    FieldDef(
        "family_name",
        _("Family name"),
        "Family name",
        (
            "surname",
            "last name",
            "family names",
            "фамилия",
            "насаб",
            "اسم العائلة",
            "اللقب",
            "الكنية العائلية",
            "العائلة",
        ),
    ),
    FieldDef(
        "other_names",
        _("Other names"),
        "Other names",
        (
            "aliases",
            "alias",
            "also known as",
            "aka",
            "other spellings",
            "kunya",
            "другие имена",
            "псевдонимы",
            "другое написание",
            "номҳои дигар",
            "أسماء أخرى",
            "الأسماء الأخرى",
            "الكنية",
            "اسم آخر",
        ),
        _("Other names or spellings, separated by “;”."),
    ),
    FieldDef("sex", _("Sex"), "Sex", ("gender", "пол", "ҷинс", "جنس", "الجنس", "النوع")),
    FieldDef(
        "birth_date",
        _("Date of birth"),
        "Date of birth",
        (
            "dob",
            "birth date",
            "date born",
            "born",
            "birthdate",
            "дата рождения",
            "д р",
            "санаи таваллуд",
            "تاريخ الميلاد",
            "تاريخ الولادة",
            "المواليد",
            "الميلاد",
            "مواليد",
        ),
        _("YYYY-MM-DD, DD/MM/YYYY, DD.MM.YYYY, a year (YYYY), or “about 7” (an estimated age)."),
    ),
    FieldDef(
        "age",
        _("Estimated age"),
        "Estimated age",
        (
            "age",
            "age years",
            "approximate age",
            "возраст",
            "лет",
            "синну сол",
            "синну",
            "العمر",
            "السن",
            "العمر التقريبي",
        ),
        _("In years (7, “about 7”) or months (“18 months”)."),
    ),
    FieldDef(
        "age_at",
        _("Age at date"),
        "Age at date",
        ("age as of", "age on", "as of", "date of age", "возраст на дату", "на дату", "العمر بتاريخ", "بتاريخ"),
        _("The date on which the estimated age was true; the date of the list if empty."),
    ),
    FieldDef(
        "birth_place",
        _("Place of birth"),
        "Place of birth",
        (
            "birthplace",
            "born in",
            "place born",
            "место рождения",
            "ҷои таваллуд",
            "مكان الميلاد",
            "مكان الولادة",
            "محل الولادة",
        ),
    ),
    FieldDef(
        "nationality",
        _("Nationality"),
        "Nationality",
        ("citizenship", "country", "гражданство", "шаҳрвандӣ", "الجنسية", "البلد"),
        _("A country name or a three-letter code such as TJK."),
    ),
    FieldDef(
        "mother_row",
        _("Mother's row"),
        "Mother's row",
        (
            "mother row",
            "mother's row number",
            "mother row number",
            "mother ref",
            "row of mother",
            "строка матери",
            "номер строки матери",
            "сатри модар",
            "صف الأم",
            "رقم صف الأم",
            "سطر الأم",
        ),
        _("The row number, in this file, of the child's mother."),
    ),
    FieldDef(
        "mother_name",
        _("Mother's name"),
        "Mother's name",
        (
            "mother",
            "mother name",
            "name of mother",
            "мать",
            "имя матери",
            "фио матери",
            "модар",
            "номи модар",
            "اسم الأم",
            "الأم",
            "اسم الام",
            "الام",
        ),
        _("Linked to the woman of that name in this file, if there is exactly one."),
    ),
    FieldDef(
        "facility",
        _("Facility"),
        "Facility",
        (
            "camp",
            "prison",
            "place of detention",
            "detention facility",
            "location",
            "centre",
            "center",
            "учреждение",
            "лагерь",
            "тюрьма",
            "место содержания",
            "место нахождения",
            "лагер",
            "зиндон",
            "المخيم",
            "السجن",
            "مكان الاحتجاز",
            "المرفق",
            "المركز",
            "مكان التواجد",
        ),
        _("The name of a registered prison, camp or centre."),
    ),
    FieldDef(
        "identifier_type",
        _("Identifier type"),
        "Identifier type",
        (
            "id type",
            "document type",
            "type of document",
            "тип документа",
            "вид документа",
            "навъи ҳуҷҷат",
            "نوع الوثيقة",
            "نوع المستند",
            "نوع الهوية",
        ),
    ),
    # Not "No", "№" or "Number": in most lists that is the row's serial number, which changes when a
    # corrected file inserts a row, so it cannot identify the person across imports.
    FieldDef(
        "identifier",
        _("Identifier"),
        "Identifier",
        (
            "id",
            "id number",
            "document number",
            "reference",
            "ref",
            "registration number",
            "номер документа",
            "рег номер",
            "регистрационный номер",
            "رقم الوثيقة",
            "رقم القيد",
            "رقم الهوية",
            "الرقم المرجعي",
        ),
        _("The source authority's number for the person; a corrected file is matched on it."),
    ),
    FieldDef(
        "notes",
        _("Notes"),
        "Notes",
        (
            "remarks",
            "comments",
            "comment",
            "note",
            "примечания",
            "примечание",
            "комментарий",
            "эзоҳ",
            "ملاحظات",
            "ملاحظة",
        ),
    ),
)
FIELD_BY_KEY: dict[str, FieldDef] = {f.key: f for f in FIELDS}
FIELD_KEYS: tuple[str, ...] = tuple(f.key for f in FIELDS)
NAME_FIELDS = ("full_name", "given_name", "family_name")

_ARABIC_MARKS = re.compile("[\u064b-\u065f\u0670\u0640]")
_ARABIC_FOLD = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ى": "ي", "ة": "ه", "ؤ": "و", "ئ": "ي"})


def normalise_header(text: str) -> str:
    """A header reduced for comparison: case, punctuation, spacing, Arabic marks and letter variants."""
    text = unicodedata.normalize("NFKC", text).casefold().replace("ё", "е")
    text = _ARABIC_MARKS.sub("", text).translate(_ARABIC_FOLD)
    text = "".join(char if char.isalnum() else " " for char in text)
    return " ".join(text.split())


def _synonym_index() -> dict[str, str]:
    index: dict[str, str] = {}
    for f in FIELDS:
        for name in (f.key, f.key.replace("_", " "), f.default_header, *f.synonyms):
            index.setdefault(normalise_header(name), f.key)
    return index


SYNONYMS: dict[str, str] = _synonym_index()


def propose_mapping(headers: Sequence[str], template: Mapping[str, str] | None = None) -> dict[str, str]:
    """``{field: column letter}`` for the headers: the source's template first, then the default names."""
    mapping: dict[str, str] = {}
    used: set[int] = set()
    normalised = [normalise_header(h) for h in headers]
    for lookup in (dict(template or {}), SYNONYMS):
        for index, header in enumerate(normalised):
            if index in used or not header:
                continue
            field_key = lookup.get(header)
            if field_key in FIELD_BY_KEY and field_key not in mapping:
                mapping[field_key] = column_letter(index)
                used.add(index)
    return {key: mapping[key] for key in FIELD_KEYS if key in mapping}


def template_from_mapping(headers: Sequence[str], mapping: Mapping[str, str]) -> dict[str, str]:
    """What a source's template remembers of a mapping: ``{normalised header: field}``."""
    remembered: dict[str, str] = {}
    for field_key, column in mapping.items():
        try:
            header = headers[column_index(column)]
        except (ValueError, IndexError):
            continue
        if header:
            remembered[normalise_header(header)] = field_key
    return remembered


def check_mapping(headers: Sequence[str], mapping: Mapping[str, Any]) -> list[Issue]:
    """Problems with a mapping: unknown fields or columns, a column used twice, no name."""
    issues: list[Issue] = []
    by_column: dict[str, list[str]] = {}
    for field_key, column in mapping.items():
        if field_key not in FIELD_BY_KEY:
            issues.append(Issue(code="mapping_unknown_field", params={"field": str(field_key)}))
            continue
        column = str(column or "").strip().upper()
        if not column:
            continue
        try:
            index = column_index(column)
        except ValueError:
            index = -1
        if not 0 <= index < len(headers):
            issues.append(Issue(code="mapping_unknown_column", field=field_key, params={"column": column}))
            continue
        by_column.setdefault(column, []).append(field_key)
    for column, keys in by_column.items():
        if len(keys) > 1:
            labels = ", ".join(str(FIELD_BY_KEY[k].label) for k in keys)
            issues.append(Issue(code="mapping_column_twice", column=column, params={"fields": labels}))
    if not any(key in mapping and mapping[key] for key in NAME_FIELDS):
        issues.append(Issue(code="mapping_no_name"))
    return issues


def clean_mapping(mapping: Mapping[str, Any]) -> dict[str, str]:
    """Only known fields with a column, column letters upper-cased, in field order."""
    result = {}
    for key in FIELD_KEYS:
        column = str(mapping.get(key) or "").strip().upper()
        if column:
            result[key] = column
    return result
