# ruff: noqa: RUF001 - identifier words in Cyrillic and Arabic script, on purpose
"""The intake's one door into the registry: facilities by name, the persons a user may see, candidates
for a row (through the registry's name-key index), and the writes of an import (through the
registry's services, which validate and audit each write).
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from homecoming.audit.services import audit_append_many
from homecoming.core.access import persons_visible_to
from homecoming.intake import linking
from homecoming.intake.fields import normalise_header
from homecoming.intake.validation import FacilityLookup
from homecoming.registry import services as registry
from homecoming.registry.choices import IdentifierType, LinkConfidence, NameKind, NationalityBasis, Relation
from homecoming.registry.countries import is_country_code
from homecoming.registry.models import (
    CustodyRecord,
    Facility,
    FamilyLink,
    Identifier,
    NameKey,
    NationalityClaim,
    Person,
    PersonName,
)

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


_FACT_FIELDS = ("pk", "display_name", "sex", "birth_date", "birth_date_precision", "birth_date_min", "birth_date_max")


def _person_facts(values: Sequence[Any], names: Iterable[str]) -> linking.PersonFacts:
    """What matching compares of a registered person (its ``_FACT_FIELDS`` and the spellings of its names)."""
    _pk, display_name, sex, birth_date, precision, birth_min, birth_max = values
    return linking.PersonFacts(
        names=tuple(dict.fromkeys([display_name, *names])),
        sex=sex or "U",
        birth_earliest=birth_min or birth_date,
        birth_latest=birth_max or birth_date,
        exact_birth=birth_date is not None and precision == "exact",
    )


def _chunks(items: Sequence[str], size: int) -> Iterable[Sequence[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def registry_candidates(
    *,
    user: Any,
    facts: Mapping[int, linking.PersonFacts],
    processes: int = 1,
    progress: linking.ProgressCallback | None = None,
) -> dict[int, list[linking.Candidate]]:
    """{row number: registered persons it may be, best first}, among the persons the user may see.

    Candidates come from the registry's name-key index (one query per chunk of keys for the whole
    list): persons that at least two tokens of the row's names point at (see ``linking.TokenIndex.covering``),
    not ruled out by sex or birth; the likeliest of them are scored on every spelling (their names compared
    beforehand in ``processes`` worker processes, see ``linking.compare_names``)."""
    if not facts:
        return {}
    if progress is not None:
        progress(0, 1)  # the progress bar names this step while the candidates are looked up
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
    # A token's persons: the union over its keys (tokens, and pairs of them, repeat from row to row).
    index = linking.TokenIndex(persons_by_key)
    pointed: dict[int, tuple[set[int], list[set[int]]]] = {}
    for number, tokens in row_tokens.items():
        found_ids, sets = index.covering(tokens.values())
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
        for values in Person.objects.filter(pk__in=ids).values_list(*_FACT_FIELDS):
            people[values[0]] = _person_facts(values, spellings.get(values[0], []))
    listing = linking.phased(progress, 0.0, 0.1)
    shortlists: dict[int, list[int]] = {}
    for done, (number, (pointed_ids, token_sets)) in enumerate(pointed.items()):
        if listing is not None and done % linking.PROGRESS_EVERY == 0:
            listing(done, len(pointed))
        shortlists[number] = linking.shortlist(facts[number], pointed_ids, people.__getitem__, token_sets)
    linking.compare_names(
        (
            (a, b)
            for number, pks in shortlists.items()
            for pk in pks
            for a in facts[number].names
            for b in people[pk].names
        ),
        processes=processes,
        progress=linking.phased(progress, 0.1, 0.95),
    )
    found: dict[int, list[linking.Candidate]] = {}
    for number, pks in shortlists.items():
        scored = []
        for pk in pks:
            total, reasons = linking.score(facts[number], people[pk])
            if total >= linking.CANDIDATE_SCORE:
                scored.append(linking.Candidate(pk, total, reasons))
        scored.sort(key=lambda c: (-c.score, c.person_id))
        if scored:
            found[number] = scored[: linking.MAX_CANDIDATES]
    if progress is not None:
        progress(1, 1)
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


_TYPE_OF_WORDS: dict[str, str] = {}  # _IDENTIFIER_TYPES by the words as compared (filled once)


def identifier_type_of(text: str, *, foreign: bool) -> str:
    """The registry's identifier type for an "identifier type" cell (a list's own number if empty)."""
    if not _TYPE_OF_WORDS:
        for words, kind in reversed(_IDENTIFIER_TYPES.items()):  # the first of words compared alike wins
            _TYPE_OF_WORDS[normalise_header(words)] = kind
    key = normalise_header(text)
    if key in _TYPE_OF_WORDS:
        return _TYPE_OF_WORDS[key]
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


def persons_for_update(person_ids: Iterable[int]) -> dict[int, Person]:
    """The registered persons an import adds to, locked (``SELECT … FOR UPDATE``, in the order of their
    ids so that two imports cannot deadlock) until the import's transaction ends: an edit made meanwhile
    on a page waits, and is not lost. Raises ``Person.DoesNotExist`` if one is gone."""
    wanted = sorted(set(person_ids))
    persons: dict[int, Person] = {}
    for start in range(0, len(wanted), KEY_CHUNK):
        chunk = wanted[start : start + KEY_CHUNK]
        persons.update(
            (p.pk, p) for p in Person.objects.select_for_update(of=("self",)).filter(pk__in=chunk).order_by("pk")
        )
    if len(persons) != len(wanted):
        raise Person.DoesNotExist(f"persons {sorted(set(wanted) - set(persons))} do not exist")
    return persons


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
        statement=_nationality_statement(country, batch),
    )


def _identity_changes(*, person: Person, cleaned: Mapping[str, Any], batch: Any, overwrite: bool) -> dict[str, Any]:
    """What a row changes in a registered person's identity: the sex and date of birth if missing (all of
    them, and the primary spelling, if ``overwrite``)."""
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
    return changes


def _identity_fields(updated: Sequence[str]) -> list[str]:
    """The date of birth, its precision and its range are one thing to a reader."""
    changed = [f for f in updated if not f.startswith("birth_date")]
    if any(f.startswith("birth_date") for f in updated):
        changed.append("birth_date")
    return changed


def _nationality_statement(country: str, batch: Any) -> str:
    return str(_("Given as %(country)s by %(source)s.") % {"country": country, "source": _source(batch)})


def person_update_from_list(
    *, person: Person, cleaned: Mapping[str, Any], user: Any, batch: Any, overwrite: bool = False
) -> list[str]:
    """Bring what the list adds to a registered person: its spellings as other names, its identifier and
    nationality; the sex and date of birth if missing. ``overwrite``: the same source corrects itself
    (a re-import), so its sex, date of birth and spelling replace the ones it gave before.
    One person, through the single-record services; ``persons_update_from_list`` does the same for many."""
    changes = _identity_changes(person=person, cleaned=cleaned, batch=batch, overwrite=overwrite)
    changed = _identity_fields(registry.person_update(person=person, by=user, changes=changes) if changes else [])
    spellings = set(person.names.values_list("full_name", flat=True))
    for other in [_name(cleaned, batch), *_other_names(cleaned, batch)]:
        if other.full_name not in spellings:
            registry.person_name_add(person=person, by=user, name=other)
            spellings.add(other.full_name)
            if "names" not in changed:
                changed.append("names")
    changed += [f for f in _add_facts(person=person, cleaned=cleaned, user=user, batch=batch) if f not in changed]
    return changed


@contextlib.contextmanager
def _refused_as(indexes: Sequence[int]) -> Iterator[None]:
    """A bulk service's refusal of its item ``i`` becomes the refusal of item ``indexes[i]`` of the caller."""
    try:
        yield
    except registry.BulkItemError as error:
        raise registry.BulkItemError(indexes[error.index], error) from None


def _person_chunks(person_ids: Iterable[int]) -> Iterator[list[int]]:
    wanted = sorted(set(person_ids))
    for start in range(0, len(wanted), KEY_CHUNK):
        yield wanted[start : start + KEY_CHUNK]


def persons_update_from_list(
    *,
    persons: Sequence[Person],
    cleaned_rows: Sequence[Mapping[str, Any]],
    user: Any,
    batch: Any,
    overwrite: Sequence[bool],
) -> list[list[str]]:
    """``person_update_from_list`` for many rows at once (the ``persons``, locked by the caller, are
    changed in place): the same changes, through the registry's bulk services, which check, derive and
    audit as the single-record services do; the audit entries appended here, one write per kind. Rows
    of the same person are applied one after the other, as row by row. Returns what changed for each
    row; a refused row raises ``registry.BulkItemError`` whose ``index`` is its place in the lists."""
    changed: list[list[str]] = [[] for _person in persons]
    rounds: list[list[int]] = []  # round k: the k-th row of each person
    seen: dict[int, int] = {}
    for index, person in enumerate(persons):
        occurrence = seen.get(person.pk, 0)
        seen[person.pk] = occurrence + 1
        if occurrence == len(rounds):
            rounds.append([])
        rounds[occurrence].append(index)
    for indexes in rounds:
        _update_identities(indexes, persons, cleaned_rows, user, batch, overwrite, changed)
        _add_spellings(indexes, persons, cleaned_rows, user, batch, changed)
        _add_identifiers(indexes, persons, cleaned_rows, user, batch, changed)
        _add_nationalities(indexes, persons, cleaned_rows, user, batch, changed)
    return changed


def _update_identities(
    indexes: Sequence[int],
    persons: Sequence[Person],
    cleaned_rows: Sequence[Mapping[str, Any]],
    user: Any,
    batch: Any,
    overwrite: Sequence[bool],
    changed: list[list[str]],
) -> None:
    wanted: list[tuple[int, dict[str, Any]]] = []
    for index in indexes:
        person = persons[index]
        changes = _identity_changes(person=person, cleaned=cleaned_rows[index], batch=batch, overwrite=overwrite[index])
        if "name" in changes:
            # A source correcting its own spelling (a re-import): the primary name, through the single service.
            try:
                changed[index] = _identity_fields(registry.person_update(person=person, by=user, changes=changes))
            except ValidationError as error:
                raise registry.BulkItemError(index, error) from None
        elif changes:
            wanted.append((index, changes))
    if not wanted:
        return
    with _refused_as([index for index, _changes in wanted]):
        results, events = registry.persons_bulk_update(
            by=user, changes=[(persons[index], changes) for index, changes in wanted]
        )
    audit_append_many(events)
    for (index, _changes), updated in zip(wanted, results, strict=True):
        changed[index] = _identity_fields(updated)


def _add_spellings(
    indexes: Sequence[int],
    persons: Sequence[Person],
    cleaned_rows: Sequence[Mapping[str, Any]],
    user: Any,
    batch: Any,
    changed: list[list[str]],
) -> None:
    spellings: set[tuple[int, str]] = set()
    for ids in _person_chunks(persons[index].pk for index in indexes):
        spellings.update(PersonName.objects.filter(person_id__in=ids).values_list("person_id", "full_name"))
    wanted: list[tuple[int, registry.NameInput]] = []
    for index in indexes:
        person, cleaned = persons[index], cleaned_rows[index]
        for other in [_name(cleaned, batch), *_other_names(cleaned, batch)]:
            if (person.pk, other.full_name) not in spellings:
                spellings.add((person.pk, other.full_name))
                wanted.append((index, other))
                if "names" not in changed[index]:
                    changed[index].append("names")
    with _refused_as([index for index, _name in wanted]):
        _names, events = registry.person_names_bulk_add(by=user, names=[(persons[i], name) for i, name in wanted])
    audit_append_many(events)


def _add_identifiers(
    indexes: Sequence[int],
    persons: Sequence[Person],
    cleaned_rows: Sequence[Mapping[str, Any]],
    user: Any,
    batch: Any,
    changed: list[list[str]],
) -> None:
    authority = batch.source[:200]
    listed = [index for index in indexes if cleaned_rows[index].get("identifier")]
    held: set[tuple[int, str, str]] = set()
    for ids in _person_chunks(persons[index].pk for index in listed):
        held.update(
            Identifier.objects.filter(person_id__in=ids, issuing_authority=authority).values_list(
                "person_id", "identifier_type", "value_key"
            )
        )
    wanted: list[tuple[int, registry.IdentifierInput]] = []
    for index in listed:
        person, cleaned = persons[index], cleaned_rows[index]
        value = cleaned["identifier"]
        kind = identifier_type_of(cleaned.get("identifier_type") or "", foreign=batch.is_foreign_list)
        unique = (person.pk, kind, registry.identifier_value_key(value))
        if unique in held:
            continue
        held.add(unique)
        wanted.append(
            (
                index,
                registry.IdentifierInput(person=person, identifier_type=kind, value=value, issuing_authority=authority),
            )
        )
        if "identifiers" not in changed[index]:
            changed[index].append("identifiers")
    with _refused_as([index for index, _item in wanted]):
        _identifiers, events = registry.identifiers_bulk_add(by=user, identifiers=[item for _i, item in wanted])
    audit_append_many(events)


def _add_nationalities(
    indexes: Sequence[int],
    persons: Sequence[Person],
    cleaned_rows: Sequence[Mapping[str, Any]],
    user: Any,
    batch: Any,
    changed: list[list[str]],
) -> None:
    listed = [index for index in indexes if is_country_code(cleaned_rows[index].get("nationality") or "")]
    claimed: set[tuple[int, str]] = set()
    for ids in _person_chunks(persons[index].pk for index in listed):
        claimed.update(NationalityClaim.objects.filter(person_id__in=ids).values_list("person_id", "country"))
    wanted: list[tuple[int, registry.NationalityInput]] = []
    for index in listed:
        person, country = persons[index], cleaned_rows[index]["nationality"]
        if (person.pk, country) in claimed:
            continue
        claimed.add((person.pk, country))
        wanted.append(
            (
                index,
                registry.NationalityInput(
                    person=person,
                    country=country,
                    basis=NationalityBasis.OTHER,
                    statement=_nationality_statement(country, batch),
                ),
            )
        )
        if "nationality" not in changed[index]:
            changed[index].append("nationality")
    with _refused_as([index for index, _item in wanted]):
        _claims, events = registry.nationality_claims_bulk_add(by=user, claims=[item for _i, item in wanted])
    audit_append_many(events)


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


def family_links_mother(*, pairs: Sequence[tuple[Person, Person]], user: Any, batch: Any) -> list[bool]:
    """``family_link_mother`` for many (mother, child) pairs at once (the links of the persons read once
    per chunk, the new ones written and audited in bulk). Returns, for each pair, whether it was linked
    now; a refused pair raises ``registry.BulkItemError`` whose ``index`` is its place in ``pairs``."""
    linked: set[frozenset[int]] = set()
    person_ids = sorted({person.pk for pair in pairs for person in pair})
    for start in range(0, len(person_ids), KEY_CHUNK // 2):
        ids = person_ids[start : start + KEY_CHUNK // 2]
        linked.update(
            frozenset(pair)
            for pair in FamilyLink.objects.filter(Q(person_id__in=ids) | Q(relative_id__in=ids)).values_list(
                "person_id", "relative_id"
            )
        )
    made = [False] * len(pairs)
    wanted: list[tuple[int, registry.FamilyLinkInput]] = []
    for index, (mother, child) in enumerate(pairs):
        pair = frozenset((mother.pk, child.pk))
        if pair in linked:
            continue
        linked.add(pair)
        made[index] = True
        wanted.append(
            (
                index,
                registry.FamilyLinkInput(
                    person=child,
                    relative=mother,
                    relation=Relation.MOTHER,
                    source=_source(batch),
                    confidence=LinkConfidence.PROBABLE,
                ),
            )
        )
    with _refused_as([index for index, _item in wanted]):
        _links, events = registry.family_links_bulk_add(by=user, links=[item for _i, item in wanted])
    audit_append_many(events)
    return made


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


def custody_record_many(
    *, persons: Sequence[Person], facility_ids: Sequence[int], since: dt.date, user: Any
) -> list[bool]:
    """``custody_record`` for many registered persons at once (their current stays read once per chunk,
    the new stays and the ends of the current ones written and audited in bulk). Returns, for each
    person, whether a stay was recorded; a refused one raises ``registry.BulkItemError`` whose ``index``
    is its place in ``persons``."""
    current: dict[int, int] = {}
    for ids in _person_chunks(person.pk for person in persons):
        current.update(
            CustodyRecord.objects.filter(person_id__in=ids, until__isnull=True).values_list("person_id", "facility_id")
        )
    facilities = Facility.objects.in_bulk(set(facility_ids))
    made = [False] * len(persons)
    wanted: list[tuple[int, registry.CustodyInput]] = []
    for index, (person, facility_id) in enumerate(zip(persons, facility_ids, strict=True)):
        if current.get(person.pk) == facility_id:
            continue
        if facility_id not in facilities:
            raise Facility.DoesNotExist(f"facility {facility_id} does not exist")
        current[person.pk] = facility_id
        made[index] = True
        wanted.append((index, registry.CustodyInput(person=person, facility=facilities[facility_id], since=since)))
    with _refused_as([index for index, _item in wanted]):
        _records, events = registry.custody_bulk_transfer(by=user, records=[item for _i, item in wanted])
    audit_append_many(events)
    return made


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
