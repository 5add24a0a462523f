# ruff: noqa: RUF001 - identifier words in Cyrillic and Arabic script, on purpose
"""The intake's one door into the registry: facilities by name, the persons a user may see, candidates
for a row (through the registry's name-key index), and the writes of an import (through the
registry's services, which validate and audit each write).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from homecoming.audit.services import audit_append_many
from homecoming.core.access import persons_visible_to
from homecoming.intake import linking
from homecoming.intake.fields import normalise_header
from homecoming.intake.validation import FacilityLookup
from homecoming.registry import services as registry
from homecoming.registry.choices import IdentifierType, LinkConfidence, NameKind, NationalityBasis, Relation
from homecoming.registry.countries import is_country_code
from homecoming.registry.models import CustodyRecord, Facility, FamilyLink, Identifier, NameKey, Person, PersonName

KEY_CHUNK = 900  # keys per query (SQLite allows 999 parameters)
MAX_KEY_LENGTH = 40


# --- reads ---------------------------------------------------------------------------------------------


def facility_lookup(*, user: Any) -> FacilityLookup:
    """A function from a facility's name (as written in a list) to the registered facilities it may be."""
    names: dict[str, list[tuple[int, str]]] = {}
    for pk, name in Facility.objects.filter(is_active=True).values_list("pk", "name"):
        names.setdefault(normalise_header(name), []).append((pk, name))

    def lookup(name: str) -> Sequence[tuple[int, str]]:
        return names.get(normalise_header(name), [])

    return lookup


def visible_person_ids(*, user: Any) -> Callable[[int], bool]:
    """A test of whether the user may see a person (one query per distinct id, cached)."""
    visible = persons_visible_to(user)
    cache: dict[int, bool] = {}

    def check(person_id: int) -> bool:
        if person_id not in cache:
            cache[person_id] = visible.filter(pk=person_id).exists()
        return cache[person_id]

    return check


def _person_facts(person: Person, names: Iterable[str]) -> linking.PersonFacts:
    return linking.PersonFacts(
        names=tuple(dict.fromkeys([person.display_name, *names])),
        sex=person.sex or "U",
        birth_earliest=person.birth_date_min or person.birth_date,
        birth_latest=person.birth_date_max or person.birth_date,
        exact_birth=person.birth_date is not None and person.birth_date_precision == "exact",
    )


def _chunks(items: Sequence[str], size: int) -> Iterable[Sequence[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def registry_candidates(*, user: Any, facts: Mapping[int, linking.PersonFacts]) -> dict[int, list[linking.Candidate]]:
    """{row number: registered persons it may be, best first}, among the persons the user may see.

    Candidates come from the registry's name-key index (one query per chunk of keys for the whole
    list): persons that at least two tokens of the row's names point at (see ``linking.covering``),
    not ruled out by sex or birth; the likeliest of them are scored on every spelling."""
    if not facts:
        return {}
    row_tokens = {
        number: {
            token: frozenset(k[:MAX_KEY_LENGTH] for k in keys) for token, keys in linking.token_keys_of(f.names).items()
        }
        for number, f in facts.items()
    }
    all_keys = sorted({key for tokens in row_tokens.values() for keys in tokens.values() for key in keys})
    visible = persons_visible_to(user).values("pk")
    persons_by_key: dict[str, set[int]] = {}
    for chunk in _chunks(all_keys, KEY_CHUNK):
        for key, person_id in NameKey.objects.filter(key__in=chunk, person_id__in=visible).values_list(
            "key", "person_id"
        ):
            persons_by_key.setdefault(key, set()).add(person_id)
    if not persons_by_key:
        return {}
    # A token's persons: the union over its keys (tokens repeat from row to row: computed once each).
    by_token: dict[frozenset[str], set[int]] = {}
    pointed: dict[int, tuple[set[int], list[set[int]]]] = {}
    for number, tokens in row_tokens.items():
        sets = []
        for keys in tokens.values():
            if keys not in by_token:
                by_token[keys] = set().union(*(persons_by_key.get(key, ()) for key in keys))
            sets.append(by_token[keys])
        found_ids = linking.covering(sets)
        if found_ids:
            pointed[number] = (found_ids, sets)
    wanted = set().union(*(ids for ids, _sets in pointed.values())) if pointed else set()
    if not wanted:
        return {}
    people: dict[int, linking.PersonFacts] = {}
    spellings: dict[int, list[str]] = {}
    wanted_list = sorted(wanted)
    for start in range(0, len(wanted_list), 10_000):
        ids = wanted_list[start : start + 10_000]
        for person_id, full_name in PersonName.objects.filter(person_id__in=ids).values_list("person_id", "full_name"):
            spellings.setdefault(person_id, []).append(full_name)
        for p in Person.objects.filter(pk__in=ids).only(
            "pk", "display_name", "sex", "birth_date", "birth_date_precision", "birth_date_min", "birth_date_max"
        ):
            people[p.pk] = _person_facts(p, spellings.get(p.pk, []))
    found: dict[int, list[linking.Candidate]] = {}
    for number, (pointed_ids, token_sets) in pointed.items():
        scored = []
        for pk in linking.shortlist(facts[number], pointed_ids, people.__getitem__, token_sets):
            total, reasons = linking.score(facts[number], people[pk])
            if total >= linking.CANDIDATE_SCORE:
                scored.append(linking.Candidate(pk, total, reasons))
        scored.sort(key=lambda c: (-c.score, c.person_id))
        if scored:
            found[number] = scored[: linking.MAX_CANDIDATES]
    return found


# --- writes of an import (inside the import's transaction; each registry service audits its write) ------

_PRECISION = {"day": "exact", "month": "month", "year": "year", "estimated": "estimated"}
# Words of an "identifier type" cell, in the languages of the lists, and the registry's type.
_IDENTIFIER_TYPES: dict[str, str] = {
    "passport": IdentifierType.PASSPORT,
    "паспорт": IdentifierType.PASSPORT,
    "шиноснома": IdentifierType.PASSPORT,
    "جواز سفر": IdentifierType.PASSPORT,
    "جواز": IdentifierType.PASSPORT,
    "national id": IdentifierType.NATIONAL_ID,
    "id card": IdentifierType.NATIONAL_ID,
    "identity card": IdentifierType.NATIONAL_ID,
    "удостоверение личности": IdentifierType.NATIONAL_ID,
    "بطاقة هوية": IdentifierType.NATIONAL_ID,
    "هوية": IdentifierType.NATIONAL_ID,
    "birth certificate": IdentifierType.BIRTH_CERTIFICATE,
    "свидетельство о рождении": IdentifierType.BIRTH_CERTIFICATE,
    "شهادة ميلاد": IdentifierType.BIRTH_CERTIFICATE,
    "detainee number": IdentifierType.DETAINEE_NUMBER,
    "prisoner number": IdentifierType.DETAINEE_NUMBER,
    "رقم السجين": IdentifierType.DETAINEE_NUMBER,
    "camp registration": IdentifierType.CAMP_REGISTRATION,
    "رقم القيد": IdentifierType.CAMP_REGISTRATION,
    "icrc": IdentifierType.HUMANITARIAN_REFERENCE,
    "unhcr": IdentifierType.HUMANITARIAN_REFERENCE,
}  # fmt: skip


def identifier_type_of(text: str, *, foreign: bool) -> str:
    """The registry's identifier type for an "identifier type" cell (a list's own number if empty)."""
    key = normalise_header(text)
    for words, kind in _IDENTIFIER_TYPES.items():
        if key == normalise_header(words):
            return kind
    if not key:
        return IdentifierType.DETAINEE_NUMBER if foreign else IdentifierType.OTHER
    return IdentifierType.OTHER


def _birth_fields(cleaned: Mapping[str, Any]) -> dict[str, Any]:
    """The registry's date-of-birth fields from a row: the best date, its precision and range."""
    value = cleaned.get("birth_date")
    if not value:
        return {}
    fields: dict[str, Any] = {
        "birth_date": dt.date.fromisoformat(value),
        "birth_date_precision": _PRECISION.get(cleaned.get("birth_date_precision") or "day", "exact"),
        "birth_date_min": None,
        "birth_date_max": None,
    }
    if fields["birth_date_precision"] == "estimated":
        fields["birth_date_min"] = dt.date.fromisoformat(cleaned["birth_date_earliest"])
        fields["birth_date_max"] = dt.date.fromisoformat(cleaned["birth_date_latest"])
    return fields


def _source(batch: Any) -> str:
    return str(
        _("%(source)s, list #%(batch)s of %(date)s")
        % {"source": batch.source, "batch": batch.pk, "date": batch.list_date.isoformat()}
    )


def _name(cleaned: Mapping[str, Any], batch: Any) -> registry.NameInput:
    return registry.NameInput(
        full_name=cleaned["full_name"],
        given_name=cleaned.get("given_name") or "",
        family_name=cleaned.get("family_name") or "",
        kind=NameKind.FOREIGN_LIST if batch.is_foreign_list else NameKind.ALIAS,
        source=_source(batch),
    )


def _other_names(cleaned: Mapping[str, Any], batch: Any) -> list[registry.NameInput]:
    kind = NameKind.FOREIGN_LIST if batch.is_foreign_list else NameKind.ALIAS
    return [registry.NameInput(full_name=n, kind=kind, source=_source(batch)) for n in cleaned.get("other_names") or []]


def _add_facts(*, person: Person, cleaned: Mapping[str, Any], user: Any, batch: Any) -> list[str]:
    """Identifier and nationality of a row, unless the person already has them."""
    added: list[str] = []
    value = cleaned.get("identifier") or ""
    if value:
        kind = identifier_type_of(cleaned.get("identifier_type") or "", foreign=batch.is_foreign_list)
        key = registry.identifier_value_key(value)
        if not Identifier.objects.filter(
            person=person, identifier_type=kind, issuing_authority=batch.source[:200], value_key=key
        ).exists():
            registry.identifier_add(
                person=person, by=user, identifier_type=kind, value=value, issuing_authority=batch.source[:200]
            )
            added.append("identifiers")
    country = cleaned.get("nationality") or ""
    if country and is_country_code(country) and not person.nationality_claims.filter(country=country).exists():
        _add_nationality(person=person, country=country, user=user, batch=batch)
        added.append("nationality")
    return added


def person_for_update(person_id: int) -> Person:
    return Person.objects.select_for_update().get(pk=person_id)


def persons_register_from_list(
    *, agency: Any, cleaned_rows: Sequence[Mapping[str, Any]], user: Any, batch: Any
) -> list[Person]:
    """Register the new persons of many rows at once (the registry's bulk services: the same cleaning,
    names, keys and audit content as one by one), with their identifiers and nationality. Their audit
    entries are appended here, in one write per kind. A refused row raises ``registry.BulkItemError``
    whose ``index`` is the row's place in ``cleaned_rows``."""
    persons, events = registry.persons_bulk_create(
        by=user,
        owner_agency=agency,
        persons=[
            registry.PersonInput(
                name=_name(cleaned, batch),
                sex=cleaned.get("sex") or "U",
                birth_place=(cleaned.get("birth_place") or "")[:200],
                other_names=_other_names(cleaned, batch),
                **_birth_fields(cleaned),
            )
            for cleaned in cleaned_rows
        ],
    )
    audit_append_many(events)
    wanted: list[tuple[int, registry.IdentifierInput]] = []
    for index, (person, cleaned) in enumerate(zip(persons, cleaned_rows, strict=True)):
        value = cleaned.get("identifier") or ""
        if value:
            kind = identifier_type_of(cleaned.get("identifier_type") or "", foreign=batch.is_foreign_list)
            wanted.append(
                (
                    index,
                    registry.IdentifierInput(
                        person=person, identifier_type=kind, value=value, issuing_authority=batch.source[:200]
                    ),
                )
            )
    try:
        _identifiers, events = registry.identifiers_bulk_add(by=user, identifiers=[item for _i, item in wanted])
    except registry.BulkItemError as error:
        raise registry.BulkItemError(wanted[error.index][0], error) from None
    audit_append_many(events)
    # A nationality is rare in a list: added one by one, through the registry's own service.
    for index, (person, cleaned) in enumerate(zip(persons, cleaned_rows, strict=True)):
        country = cleaned.get("nationality") or ""
        if country and is_country_code(country):
            try:
                _add_nationality(person=person, country=country, user=user, batch=batch)
            except ValidationError as error:
                raise registry.BulkItemError(index, error) from None
    return persons


def _add_nationality(*, person: Person, country: str, user: Any, batch: Any) -> None:
    registry.nationality_claim_add(
        person=person,
        by=user,
        country=country,
        basis=NationalityBasis.OTHER,
        statement=str(_("Given as %(country)s by %(source)s.") % {"country": country, "source": _source(batch)}),
    )


def person_update_from_list(
    *, person: Person, cleaned: Mapping[str, Any], user: Any, batch: Any, overwrite: bool = False
) -> list[str]:
    """Bring what the list adds to a registered person: its spellings as other names, its identifier and
    nationality; the sex and date of birth if missing. ``overwrite``: the same source corrects itself
    (a re-import), so its sex, date of birth and spelling replace the ones it gave before."""
    changes: dict[str, Any] = {}
    sex = cleaned.get("sex") or "U"
    if sex != "U" and person.sex != sex and (overwrite or person.sex == "U"):
        changes["sex"] = sex
    birth = _birth_fields(cleaned)
    if birth and (overwrite or person.birth_date is None) and person.birth_date != birth["birth_date"]:
        changes.update(birth)
    name = cleaned.get("full_name") or ""
    if overwrite and name and name != person.display_name:
        changes["name"] = _name(cleaned, batch)
    updated = registry.person_update(person=person, by=user, changes=changes) if changes else []
    # The date of birth, its precision and its range are one thing to a reader.
    changed = [f for f in updated if not f.startswith("birth_date")]
    if any(f.startswith("birth_date") for f in updated):
        changed.append("birth_date")
    spellings = set(person.names.values_list("full_name", flat=True))
    for other in [_name(cleaned, batch), *_other_names(cleaned, batch)]:
        if other.full_name not in spellings:
            registry.person_name_add(person=person, by=user, name=other)
            spellings.add(other.full_name)
            if "names" not in changed:
                changed.append("names")
    changed += [f for f in _add_facts(person=person, cleaned=cleaned, user=user, batch=batch) if f not in changed]
    return changed


def family_link_mother(*, mother: Person, child: Person, user: Any, batch: Any) -> bool:
    """Link a child to the mother the list gives (unless the two are already linked)."""
    if FamilyLink.objects.filter(person__in=[mother, child], relative__in=[mother, child]).exists():
        return False
    registry.family_link_add(
        person=child,
        relative=mother,
        relation=Relation.MOTHER,
        by=user,
        source=_source(batch),
        confidence=LinkConfidence.PROBABLE,
    )
    return True


def custody_record(*, person: Person, facility_id: int, since: dt.date, user: Any, batch: Any) -> bool:
    """Record the person at the facility the list gives, from the date of the list (unless they are
    recorded there already); a current stay elsewhere ends that day (a transfer)."""
    current = CustodyRecord.objects.filter(person=person, until__isnull=True).first()
    if current is not None and current.facility_id == facility_id:
        return False
    registry.custody_create(
        person=person, by=user, facility=Facility.objects.get(pk=facility_id), since=since, end_current=True
    )
    return True


def custody_record_new(*, persons: Sequence[Person], facility_ids: Sequence[int], since: dt.date, user: Any) -> int:
    """Record newly registered persons at the facilities the list gives (in bulk; audited in one write).
    Returns how many stays were recorded; a refused one raises ``registry.BulkItemError``."""
    facilities = Facility.objects.in_bulk(set(facility_ids))
    records, events = registry.custody_bulk_create(
        by=user,
        records=[
            registry.CustodyInput(person=person, facility=facilities[facility_id], since=since)
            for person, facility_id in zip(persons, facility_ids, strict=True)
        ],
    )
    audit_append_many(events)
    return len(records)


def cases_open_for(*, persons: Sequence[Person], agency: Any, user: Any, batch: Any) -> int:
    """A case (stage "identified") for each newly registered person of a foreign authority's list (in
    bulk, through the cases' bulk service; audited in one write). Returns how many were opened."""
    from homecoming.cases.services import cases_bulk_open

    cases, events = cases_bulk_open(
        persons=persons,
        owner_agency=agency,
        by=user,
        summary=str(_("Listed by %(source)s.") % {"source": _source(batch)}),
    )
    audit_append_many(events)
    return len(cases)
