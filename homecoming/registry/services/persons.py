"""Registering persons and changing them: identity, names in every script (with their search keys),
nationality claims and identifiers.

The search keys of a name (``NameKey``) are written here and only here, in the same transaction as
the name; ``Person.display_name`` always mirrors the primary name.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import cache
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from homecoming.accounts.models import Agency, User
from homecoming.audit.models import AuditAction
from homecoming.audit.services import AuditEvent
from homecoming.core.access import Perm, Scope, agencies_with
from homecoming.core.bulk import bulk_copy, bulk_insert_values, bulk_update_fields
from homecoming.registry.choices import (
    BirthDatePrecision,
    DnaKinshipResult,
    IdentifierType,
    NameKind,
    NationalityBasis,
    NationalityStatus,
    Sex,
)
from homecoming.registry.error_codes import RegistryErrorCode
from homecoming.registry.models import (
    Identifier,
    NameKey,
    NationalityClaim,
    Person,
    PersonDocument,
    PersonName,
    PersonShare,
    ShareKind,
)
from homecoming.registry.names import KEYS_VERSION, as_written, has_letter, keys_of_name, romanised, script_of
from homecoming.registry.services._common import (
    BulkItemError,
    audit_person,
    bulk_check,
    check_country,
    invalid,
    not_in_future,
    person_event,
)

__all__ = [
    "PERSON_FIELDS",
    "BulkItemError",
    "IdentifierInput",
    "NameInput",
    "NationalityInput",
    "PersonInput",
    "identifier_add",
    "identifier_remove",
    "identifier_value_key",
    "identifiers_bulk_add",
    "name_keys_rebuild",
    "nationality_claim_add",
    "nationality_claim_decide",
    "nationality_claims_bulk_add",
    "person_create",
    "person_name_add",
    "person_name_remove",
    "person_name_set_primary",
    "person_name_update",
    "person_names_bulk_add",
    "person_names_index_unchecked",
    "person_share",
    "person_update",
    "persons_bulk_create",
    "persons_bulk_update",
]

#: Fields of a person that ``person_update`` changes (the primary name goes through ``name``).
PERSON_FIELDS = (
    "sex",
    "birth_date",
    "birth_date_precision",
    "birth_date_min",
    "birth_date_max",
    "birth_place",
    "birth_country",
)


@dataclass(frozen=True)
class NameInput:
    """A name as a user or a list gives it."""

    full_name: str
    given_name: str = ""
    family_name: str = ""
    kind: str = NameKind.ALIAS
    source: str = ""

    @classmethod
    def of(cls, value: NameInput | str) -> NameInput:
        return value if isinstance(value, NameInput) else cls(full_name=value)


# --- names and their keys --------------------------------------------------------------------------


def _clean_name(name: NameInput, field: str = "full_name") -> NameInput:
    full = as_written(name.full_name)
    if not full or not has_letter(full):
        raise invalid(field, _("Write the name, with at least one letter."), RegistryErrorCode.NAME_REQUIRED)
    if len(full) > 300:
        raise invalid(field, _("A name can have at most %(max)s characters."), RegistryErrorCode.INVALID, max=300)
    kind = name.kind if name.kind in NameKind.values else NameKind.ALIAS
    return NameInput(
        full_name=full,
        given_name=as_written(name.given_name)[:150],
        family_name=as_written(name.family_name)[:150],
        kind=kind,
        source=as_written(name.source)[:200],
    )


def _sync_keys(name: PersonName) -> int:
    """Replace the search keys of one name. Returns how many it has."""
    NameKey.objects.filter(name=name).delete()
    keys = keys_of_name(name.full_name, name.given_name, name.family_name)
    NameKey.objects.bulk_create(
        [NameKey(person_id=name.person_id, name=name, key=key) for key in sorted(keys)], batch_size=500
    )
    if name.keys_version != KEYS_VERSION:
        name.keys_version = KEYS_VERSION
        name.save(update_fields=["keys_version"])
    return len(keys)


def _fill_derived(name: PersonName) -> None:
    name.script = script_of(name.full_name)
    name.romanised = romanised(name.full_name)
    name.keys_version = KEYS_VERSION


def _name_record(*, person: Person, name: NameInput, primary: bool, by: User | None) -> PersonName:
    """A name of ``person`` as stored (unsaved), its script, romanised form and keys version filled in."""
    kind = NameKind.PRIMARY if primary else (NameKind.ALIAS if name.kind == NameKind.PRIMARY else name.kind)
    record = PersonName(
        person=person,
        full_name=name.full_name,
        given_name=name.given_name,
        family_name=name.family_name,
        kind=kind,
        is_primary=primary,
        source=name.source,
        created_by=by,
    )
    _fill_derived(record)
    return record


def _name_taken_error(person: Person, name: NameInput) -> ValidationError:
    return invalid(
        "full_name",
        _("%(name)s already has the name “%(spelling)s”."),
        RegistryErrorCode.NAME_DUPLICATE,
        name=person.display_name or name.full_name,
        spelling=name.full_name,
    )


def _write_name(*, person: Person, name: NameInput, primary: bool, by: User | None) -> PersonName:
    if PersonName.objects.filter(person=person, full_name=name.full_name).exists():
        raise _name_taken_error(person, name)
    record = _name_record(person=person, name=name, primary=primary, by=by)
    record.full_clean()
    record.save()
    _sync_keys(record)
    return record


def _mirror_primary(person: Person, primary: PersonName) -> None:
    if person.display_name != primary.full_name:
        person.display_name = primary.full_name
        person.save(update_fields=["display_name", "updated_at"])


# --- persons ----------------------------------------------------------------------------------------


def _check_owner_agency(by: User | None, agency: Agency) -> None:
    if not agency.is_active:
        raise invalid("owner_agency", _("This agency is no longer active."), RegistryErrorCode.AGENCY_NOT_ALLOWED)
    if by is not None and agency.pk not in agencies_with(by, Perm.PERSON_CHANGE, Scope.AGENCY):
        raise invalid(
            "owner_agency",
            _("You cannot register persons for %(agency)s; choose an agency you work in."),
            RegistryErrorCode.AGENCY_NOT_ALLOWED,
            agency=str(agency),
        )


def _person_values(values: Mapping[str, Any]) -> dict[str, Any]:
    out = {key: values[key] for key in PERSON_FIELDS if key in values}
    if "birth_place" in out:
        out["birth_place"] = as_written(out["birth_place"] or "")[:200]
    if "birth_country" in out:
        out["birth_country"] = check_country(out["birth_country"] or "", "birth_country")
    if "sex" in out and out["sex"] not in Sex.values:
        raise invalid("sex", _("Choose female, male or unknown."), RegistryErrorCode.INVALID)
    if "birth_date_precision" in out and out["birth_date_precision"] not in BirthDatePrecision.values:
        raise invalid(
            "birth_date_precision", _("Choose how well the date of birth is known."), RegistryErrorCode.INVALID
        )
    return out


def _clean_person(person: Person) -> None:
    try:
        person.full_clean(exclude=["owner_agency", "created_by"])
    except ValidationError as error:
        raise _with_code(
            error, RegistryErrorCode.BIRTH_DATE_INVALID, fields=("birth_date", "birth_date_min", "birth_date_max")
        ) from None


def _with_code(error: ValidationError, code: RegistryErrorCode, *, fields: Iterable[str]) -> ValidationError:
    """The same errors, with ``code`` on those of ``fields`` that carry none of ours."""
    if not hasattr(error, "error_dict"):
        return error
    wanted = set(fields)
    rebuilt: dict[str, list[ValidationError]] = {}
    for field, errors in error.error_dict.items():
        rebuilt[field] = [
            ValidationError(e.message, code=code.value if field in wanted else e.code, params=e.params)
            if field in wanted and e.code not in RegistryErrorCode._value2member_map_
            else e
            for e in errors
        ]
    return ValidationError(rebuilt)


@transaction.atomic
def person_create(
    *,
    by: User | None,
    owner_agency: Agency,
    name: NameInput | str,
    sex: str = Sex.UNKNOWN,
    birth_date: dt.date | None = None,
    birth_date_precision: str = BirthDatePrecision.EXACT,
    birth_date_min: dt.date | None = None,
    birth_date_max: dt.date | None = None,
    birth_place: str = "",
    birth_country: str = "",
    other_names: Sequence[NameInput | str] = (),
) -> Person:
    """Register a person with a primary name (and any other spellings).

    ``by`` None: the system itself (an import by a command, the demo); otherwise ``by`` must be
    allowed to change persons of ``owner_agency``."""
    _check_owner_agency(by, owner_agency)
    primary = _clean_name(NameInput.of(name))
    others = [_clean_name(NameInput.of(other)) for other in other_names]
    values = _person_values(
        {
            "sex": sex,
            "birth_date": birth_date,
            "birth_date_precision": birth_date_precision,
            "birth_date_min": birth_date_min,
            "birth_date_max": birth_date_max,
            "birth_place": birth_place,
            "birth_country": birth_country,
        }
    )
    person = Person(owner_agency=owner_agency, display_name=primary.full_name, created_by=by, **values)
    _clean_person(person)
    person.save()
    _write_name(person=person, name=primary, primary=True, by=by)
    seen = {primary.full_name}
    for other in others:
        if other.full_name in seen:
            continue
        seen.add(other.full_name)
        _write_name(person=person, name=other, primary=False, by=by)
    audit_person(
        by=by,
        person=person,
        action=AuditAction.CREATE,
        changed_fields=["names", *[k for k, v in values.items() if v not in ("", None)]],
        detail={"names": len(seen), "owner_agency": owner_agency.code},
    )
    return person


@transaction.atomic
def person_update(*, person: Person, by: User | None, changes: Mapping[str, Any]) -> list[str]:
    """Change the identity of a person: any of ``PERSON_FIELDS``, and ``name`` (a ``NameInput``:
    the primary name, corrected). Returns the fields that changed."""
    values = _person_values(changes)
    before = {field: getattr(person, field) for field in PERSON_FIELDS}
    for field, value in values.items():
        setattr(person, field, value)
    _clean_person(person)
    changed = [field for field in PERSON_FIELDS if getattr(person, field) != before[field]]
    if changed:
        person.save(update_fields=[*changed, "updated_at"])
    if changes.get("name"):
        primary = person.names.filter(is_primary=True).first()
        new = NameInput.of(changes["name"])
        if primary is not None and not new.source:
            new = replace(new, source=primary.source)
        if primary is None:
            _write_name(person=person, name=_clean_name(new), primary=True, by=by)
            changed.append("names")
        elif _name_changed(primary, _clean_name(new)):
            _update_name(primary, _clean_name(new))
            changed.append("names")
        _mirror_primary(person, person.names.get(is_primary=True))
    if changed:
        audit_person(by=by, person=person, changed_fields=changed, detail={"what": "identity"})
    return changed


def _name_changed(record: PersonName, name: NameInput) -> bool:
    return (record.full_name, record.given_name, record.family_name, record.source) != (
        name.full_name,
        name.given_name,
        name.family_name,
        name.source,
    )


def _update_name(record: PersonName, name: NameInput) -> None:
    if (
        name.full_name != record.full_name
        and PersonName.objects.filter(person_id=record.person_id, full_name=name.full_name).exists()
    ):
        raise invalid(
            "full_name",
            _("This person already has the name “%(spelling)s”; make that one primary instead."),
            RegistryErrorCode.NAME_DUPLICATE,
            spelling=name.full_name,
        )
    record.full_name = name.full_name
    record.given_name = name.given_name
    record.family_name = name.family_name
    record.source = name.source
    if not record.is_primary and name.kind != NameKind.PRIMARY:
        record.kind = name.kind
    _fill_derived(record)
    record.full_clean()
    record.save()
    _sync_keys(record)


@transaction.atomic
def person_name_add(
    *, person: Person, by: User | None, name: NameInput | str, make_primary: bool = False
) -> PersonName:
    """Add a spelling (an alias, a foreign list's spelling, a transliteration); optionally primary."""
    clean = _clean_name(NameInput.of(name))
    if make_primary:
        PersonName.objects.filter(person=person, is_primary=True).update(is_primary=False, kind=NameKind.ALIAS)
    record = _write_name(person=person, name=clean, primary=make_primary, by=by)
    if make_primary:
        _mirror_primary(person, record)
    audit_person(
        by=by,
        person=person,
        changed_fields=["names"],
        detail={"what": "name_added", "name": record.pk, "script": record.script, "kind": record.kind},
    )
    return record


@transaction.atomic
def person_name_update(*, name: PersonName, by: User | None, data: NameInput) -> PersonName:
    """Correct a spelling (its text, parts, kind or source); the keys follow."""
    clean = _clean_name(data)
    if not _name_changed(name, clean) and (name.is_primary or name.kind == clean.kind):
        return name
    _update_name(name, clean)
    if name.is_primary:
        _mirror_primary(name.person, name)
    audit_person(
        by=by,
        person=name.person,
        changed_fields=["names"],
        detail={"what": "name_changed", "name": name.pk, "script": name.script, "kind": name.kind},
    )
    return name


@transaction.atomic
def person_name_remove(*, name: PersonName, by: User | None) -> None:
    """Remove a spelling (and its keys). The primary name stays until another is made primary."""
    if name.is_primary:
        raise invalid(
            "name",
            _("The primary name cannot be removed; make another name primary first."),
            RegistryErrorCode.PRIMARY_NAME_REQUIRED,
        )
    person, pk, script, kind = name.person, name.pk, name.script, name.kind
    name.delete()
    audit_person(
        by=by,
        person=person,
        changed_fields=["names"],
        detail={"what": "name_removed", "name": pk, "script": script, "kind": kind},
    )


@transaction.atomic
def person_name_set_primary(*, name: PersonName, by: User | None) -> PersonName:
    """Make a spelling the primary name; the former primary becomes an alias."""
    if name.is_primary:
        return name
    person = name.person
    PersonName.objects.filter(person=person, is_primary=True).update(is_primary=False, kind=NameKind.ALIAS)
    name.is_primary = True
    name.kind = NameKind.PRIMARY
    name.full_clean()
    name.save(update_fields=["is_primary", "kind"])
    _mirror_primary(person, name)
    audit_person(
        by=by,
        person=person,
        changed_fields=["names", "display_name"],
        detail={"what": "primary_name_changed", "name": name.pk, "script": name.script},
    )
    return name


def person_names_index_unchecked(*, person: Person, aliases: Sequence[NameInput | str] = ()) -> None:
    """Give a person whose record was written directly (test factories, bulk tools) the primary
    name of its display name, and ``aliases``, with their keys. Not audited, no permission check:
    not for user requests."""
    with transaction.atomic():
        if not PersonName.objects.filter(person=person, is_primary=True).exists():
            _write_name(person=person, name=_clean_name(NameInput(person.display_name)), primary=True, by=None)
        for alias in aliases:
            clean = _clean_name(NameInput.of(alias))
            if not PersonName.objects.filter(person=person, full_name=clean.full_name).exists():
                _write_name(person=person, name=clean, primary=False, by=None)


def name_keys_rebuild(*, persons: QuerySet[Person] | None = None, batch_size: int = 500) -> dict[str, int]:
    """Bring the search keys up to date: names made under another ``KEYS_VERSION``, and persons
    without a primary name (registered before names were kept) get one from their display name.

    Idempotent; each batch in its own transaction. Returns what was done."""
    persons = persons if persons is not None else Person.objects.all()
    created = 0
    for person in persons.filter(names__isnull=True).exclude(display_name="").iterator(chunk_size=batch_size):
        with transaction.atomic():
            if not PersonName.objects.filter(person=person).exists() and has_letter(as_written(person.display_name)):
                _write_name(person=person, name=_clean_name(NameInput(person.display_name)), primary=True, by=None)
                _mirror_primary(person, person.names.get(is_primary=True))
                created += 1
    stale = PersonName.objects.filter(person__in=persons.values("pk")).exclude(keys_version=KEYS_VERSION)
    rebuilt = 0
    while True:
        batch = list(stale.order_by("pk")[:batch_size])
        if not batch:
            break
        with transaction.atomic():
            for name in batch:
                _fill_derived(name)
                name.save(update_fields=["script", "romanised", "keys_version"])
                _sync_keys(name)
                rebuilt += 1
    return {"names_created": created, "names_rebuilt": rebuilt}


# --- nationality ---------------------------------------------------------------------------------


@transaction.atomic
def nationality_claim_add(
    *,
    person: Person,
    by: User | None,
    country: str,
    basis: str,
    statement: str = "",
    documents: Iterable[PersonDocument] = (),
    dna_result: str = DnaKinshipResult.NONE,
    dna_relative: Person | None = None,
    dna_reference: str = "",
) -> NationalityClaim:
    """Record that a person claims (or is claimed to hold) a nationality, with its evidence."""
    country = check_country(country, "country")
    if not country:
        raise invalid("country", _("Choose the nationality claimed."), RegistryErrorCode.INVALID)
    if NationalityClaim.objects.filter(person=person, country=country).exists():
        raise invalid(
            "country",
            _("This nationality is already claimed for this person; add the evidence to that claim."),
            RegistryErrorCode.NATIONALITY_DUPLICATE,
        )
    if basis not in NationalityBasis.values:
        raise invalid("basis", _("Choose the basis of the claim."), RegistryErrorCode.INVALID)
    docs = _own_documents(person, documents)
    _check_dna(person, dna_result, dna_relative)
    claim = NationalityClaim(
        person=person,
        country=country,
        basis=basis,
        statement=(statement or "").strip(),
        dna_result=dna_result or "",
        dna_relative=dna_relative,
        dna_reference=(dna_reference or "").strip(),
        created_by=by,
    )
    claim.full_clean()
    claim.save()
    claim.evidence_documents.set(docs)
    audit_person(
        by=by,
        person=person,
        changed_fields=["nationality_claims"],
        detail={"what": "nationality_claimed", "claim": claim.pk, "country": country, "documents": len(docs)},
    )
    return claim


def _own_documents(person: Person, documents: Iterable[PersonDocument]) -> list[PersonDocument]:
    docs = list(documents)
    if any(doc.person_id != person.pk for doc in docs):
        raise invalid("evidence_documents", _("Choose documents of this person only."), RegistryErrorCode.INVALID)
    return docs


def _check_dna(person: Person, result: str, relative: Person | None) -> None:
    if result and result not in DnaKinshipResult.values:
        raise invalid("dna_result", _("Choose the result of the DNA test."), RegistryErrorCode.INVALID)
    if relative is not None and relative.pk == person.pk:
        raise invalid(
            "dna_relative",
            _("Choose the relative the DNA was compared with, not the person."),
            RegistryErrorCode.INVALID,
        )
    if result in (DnaKinshipResult.CONFIRMED, DnaKinshipResult.EXCLUDED) and relative is None:
        raise invalid(
            "dna_relative",
            _("Say whose DNA was compared (the relative at home) for a confirmed or excluded kinship."),
            RegistryErrorCode.INVALID,
        )


@transaction.atomic
def nationality_claim_decide(
    *,
    claim: NationalityClaim,
    by: User,
    status: str,
    note: str,
    documents: Iterable[PersonDocument] | None = None,
    dna_result: str | None = None,
    dna_relative: Person | None = None,
    dna_reference: str | None = None,
) -> NationalityClaim:
    """Verify or reject a claim, with the reasons; the evidence may be completed at the same time.
    A decision can be revisited (new evidence), each time recorded."""
    if status not in (NationalityStatus.VERIFIED, NationalityStatus.REJECTED):
        raise invalid("status", _("Choose verified or rejected."), RegistryErrorCode.INVALID)
    note = (note or "").strip()
    if not note:
        raise invalid("decision_note", _("Give the reasons for the decision."), RegistryErrorCode.INVALID)
    if dna_result is not None:
        _check_dna(claim.person, dna_result, dna_relative if dna_relative is not None else claim.dna_relative)
        claim.dna_result = dna_result
        if dna_relative is not None:
            claim.dna_relative = dna_relative
    if dna_reference is not None:
        claim.dna_reference = dna_reference.strip()
    previous = claim.status
    claim.status = status
    claim.decision_note = note
    claim.decided_by = by
    claim.decided_at = timezone.now()
    claim.full_clean()
    claim.save()
    if documents is not None:
        claim.evidence_documents.set(_own_documents(claim.person, documents))
    audit_person(
        by=by,
        person=claim.person,
        changed_fields=["nationality_claims"],
        detail={
            "what": "nationality_decided",
            "claim": claim.pk,
            "country": claim.country,
            "from": previous,
            "to": status,
        },
    )
    return claim


# --- identifiers ---------------------------------------------------------------------------------

_VALUE_SEPARATORS = re.compile(r"[\s\-./]+")


def identifier_value_key(value: str) -> str:
    """The number as compared for uniqueness: upper case, without spaces, dashes, dots or slashes."""
    return _VALUE_SEPARATORS.sub("", as_written(value)).upper()[:100]


@transaction.atomic
def identifier_add(
    *,
    person: Person,
    by: User | None,
    identifier_type: str,
    value: str,
    issuer_country: str = "",
    issuing_authority: str = "",
    issued_on: dt.date | None = None,
    valid_until: dt.date | None = None,
) -> Identifier:
    """Record a number an authority gave the person. The same number of the same issuer cannot be
    recorded twice in the registry (for anyone)."""
    if identifier_type not in IdentifierType.values:
        raise invalid("identifier_type", _("Choose the type of identifier."), RegistryErrorCode.INVALID)
    value = as_written(value)[:100]
    key = identifier_value_key(value)
    if not key:
        raise invalid("value", _("Write the number."), RegistryErrorCode.INVALID)
    issuer_country = check_country(issuer_country, "issuer_country")
    issuing_authority = as_written(issuing_authority)[:200]
    not_in_future(issued_on, "issued_on")
    if issued_on and valid_until and valid_until < issued_on:
        raise invalid("valid_until", _("The document cannot expire before it was issued."), RegistryErrorCode.INVALID)
    taken = Identifier.objects.filter(
        identifier_type=identifier_type,
        issuer_country=issuer_country,
        issuing_authority=issuing_authority,
        value_key=key,
    )
    if taken.exists():
        same = taken.filter(person=person).exists()
        raise invalid(
            "value",
            _("This person already has this number.")
            if same
            else _(
                "This number of this issuer is already recorded in the registry for someone else. "
                "If it is the same person, ask the agency that registered them to share the record."
            ),
            RegistryErrorCode.IDENTIFIER_TAKEN,
        )
    identifier = Identifier(
        person=person,
        identifier_type=identifier_type,
        issuer_country=issuer_country,
        issuing_authority=issuing_authority,
        value=value,
        value_key=key,
        issued_on=issued_on,
        valid_until=valid_until,
        created_by=by,
    )
    identifier.full_clean()
    identifier.save()
    audit_person(
        by=by,
        person=person,
        changed_fields=["identifiers"],
        detail={"what": "identifier_added", "identifier": identifier.pk, "type": identifier_type},
    )
    return identifier


@transaction.atomic
def identifier_remove(*, identifier: Identifier, by: User | None) -> None:
    person, pk, kind = identifier.person, identifier.pk, identifier.identifier_type
    identifier.delete()
    audit_person(
        by=by,
        person=person,
        changed_fields=["identifiers"],
        detail={"what": "identifier_removed", "identifier": pk, "type": kind},
    )


# --- shares ----------------------------------------------------------------------------------------


@transaction.atomic
def person_share(
    *, person: Person, agency: Agency, by: User | None, kind: str = ShareKind.REFERRED, reason: str = ""
) -> PersonShare:
    """Give another agency access to a person and their cases: shared for information, or referred
    for services (a returned child referred to the health ministry for screening). Sharing again
    re-activates a withdrawn share."""
    if kind not in ShareKind.values:
        raise invalid("kind", _("Choose whether the person is shared or referred."), RegistryErrorCode.INVALID)
    if agency.pk == person.owner_agency_id:
        raise invalid("agency", _("This agency already keeps the record."), RegistryErrorCode.INVALID)
    share, created = PersonShare.objects.get_or_create(
        person=person, agency=agency, defaults={"kind": kind, "reason": reason[:300], "created_by": by}
    )
    if not created and (not share.is_active or share.kind != kind):
        share.is_active, share.kind, share.reason = True, kind, reason[:300] or share.reason
        share.save(update_fields=["is_active", "kind", "reason"])
    audit_person(
        by=by,
        person=person,
        changed_fields=["shares"],
        detail={"what": "shared", "agency": agency.code, "kind": kind},
    )
    return share


# --- in bulk (a large import) ----------------------------------------------------------------------
#
# The same cleaning, derived fields, search keys and audit content as the services above, for many
# records at once: each record is validated in memory (``full_clean`` without the queries of its
# foreign keys, uniqueness and check constraints, which are checked here for the whole batch, or
# cannot be broken by new records, and which the database enforces in any case), written with
# ``core.bulk.bulk_copy`` (``COPY`` on PostgreSQL, ``bulk_create`` elsewhere), and its audit entries
# returned as events for the caller to append in one write (``audit_append_many``), inside the
# caller's transaction. A refused item raises ``BulkItemError``
# (its ``index``, the errors the single service would raise) and nothing is written.

BULK_BATCH_SIZE = 1000
_IN_CHUNK = 900  # values per IN (...) (SQLite allows 999 parameters)


@dataclass(frozen=True)
class PersonInput:
    """A person to register, as ``person_create`` takes it."""

    name: NameInput | str
    sex: str = Sex.UNKNOWN
    birth_date: dt.date | None = None
    birth_date_precision: str = BirthDatePrecision.EXACT
    birth_date_min: dt.date | None = None
    birth_date_max: dt.date | None = None
    birth_place: str = ""
    birth_country: str = ""
    other_names: Sequence[NameInput | str] = ()


@dataclass(frozen=True)
class IdentifierInput:
    """A number to record, as ``identifier_add`` takes it."""

    person: Person
    identifier_type: str
    value: str
    issuer_country: str = ""
    issuing_authority: str = ""
    issued_on: dt.date | None = None
    valid_until: dt.date | None = None


@cache
def _relations(model: type[models.Model]) -> tuple[str, ...]:
    return tuple(f.name for f in model._meta.concrete_fields if f.is_relation)


def _clean_in_memory(record: Any) -> None:
    """``full_clean`` without a query: no foreign-key lookups, uniqueness or constraint queries."""
    record.full_clean(exclude=_relations(record.__class__), validate_unique=False, validate_constraints=False)


def _new_name(*, person: Person, name: NameInput, primary: bool, by: User | None) -> PersonName:
    """The record ``_write_name`` saves, unsaved (the person's own spellings are checked by the caller)."""
    record = _name_record(person=person, name=name, primary=primary, by=by)
    _clean_in_memory(record)
    return record


def _write_keys(names: Iterable[PersonName]) -> None:
    """Write the search keys of saved names, as ``_sync_keys`` writes them (as plain rows: there are
    many of them, several a name)."""
    bulk_insert_values(
        NameKey,
        ["person", "name", "key"],
        [
            (name.person_id, name.pk, key)
            for name in names
            for key in sorted(keys_of_name(name.full_name, name.given_name, name.family_name))
        ],
    )


def _prepare_person(
    item: PersonInput, *, owner_agency: Agency, by: User | None
) -> tuple[Person, list[PersonName], list[str]]:
    primary = _clean_name(NameInput.of(item.name))
    others = [_clean_name(NameInput.of(other)) for other in item.other_names]
    values = _person_values(
        {
            "sex": item.sex,
            "birth_date": item.birth_date,
            "birth_date_precision": item.birth_date_precision,
            "birth_date_min": item.birth_date_min,
            "birth_date_max": item.birth_date_max,
            "birth_place": item.birth_place,
            "birth_country": item.birth_country,
        }
    )
    person = Person(owner_agency=owner_agency, display_name=primary.full_name, created_by=by, **values)
    try:
        _clean_in_memory(person)
    except ValidationError as error:
        raise _with_code(
            error, RegistryErrorCode.BIRTH_DATE_INVALID, fields=("birth_date", "birth_date_min", "birth_date_max")
        ) from None
    names = [_new_name(person=person, name=primary, primary=True, by=by)]
    seen = {primary.full_name}
    for other in others:
        if other.full_name in seen:
            continue
        seen.add(other.full_name)
        names.append(_new_name(person=person, name=other, primary=False, by=by))
    return person, names, ["names", *[k for k, v in values.items() if v not in ("", None)]]


def persons_bulk_create(
    *, by: User | None, owner_agency: Agency, persons: Sequence[PersonInput]
) -> tuple[list[Person], list[AuditEvent]]:
    """Register many persons at once: what ``person_create`` stores for each (the person, its names
    with their script, romanisation and search keys), and its audit entry, returned as an event.
    Returns the persons (in the order given) and the events; the caller appends the events."""
    _check_owner_agency(by, owner_agency)
    prepared = [
        bulk_check(index, _prepare_person, item, owner_agency=owner_agency, by=by) for index, item in enumerate(persons)
    ]
    if not prepared:
        return [], []
    with transaction.atomic():
        records = bulk_copy(Person, [person for person, _names, _fields in prepared])
        names: list[PersonName] = []
        for person, person_names, _fields in prepared:
            for name in person_names:
                name.person = person
                names.append(name)
        bulk_copy(PersonName, names)
        _write_keys(names)
    events = [
        person_event(
            by=by,
            person=person,
            action=AuditAction.CREATE,
            changed_fields=fields,
            detail={"names": len(person_names), "owner_agency": owner_agency.code},
        )
        for person, person_names, fields in prepared
    ]
    return records, events


def _prepare_identifier(item: IdentifierInput) -> tuple[Identifier, tuple[str, str, str, str]]:
    if item.identifier_type not in IdentifierType.values:
        raise invalid("identifier_type", _("Choose the type of identifier."), RegistryErrorCode.INVALID)
    value = as_written(item.value)[:100]
    key = identifier_value_key(value)
    if not key:
        raise invalid("value", _("Write the number."), RegistryErrorCode.INVALID)
    issuer_country = check_country(item.issuer_country, "issuer_country")
    issuing_authority = as_written(item.issuing_authority)[:200]
    not_in_future(item.issued_on, "issued_on")
    if item.issued_on and item.valid_until and item.valid_until < item.issued_on:
        raise invalid("valid_until", _("The document cannot expire before it was issued."), RegistryErrorCode.INVALID)
    identifier = Identifier(
        person=item.person,
        identifier_type=item.identifier_type,
        issuer_country=issuer_country,
        issuing_authority=issuing_authority,
        value=value,
        value_key=key,
        issued_on=item.issued_on,
        valid_until=item.valid_until,
    )
    _clean_in_memory(identifier)
    return identifier, (item.identifier_type, issuer_country, issuing_authority, key)


def _taken_error(same: bool) -> ValidationError:
    return invalid(
        "value",
        _("This person already has this number.")
        if same
        else _(
            "This number of this issuer is already recorded in the registry for someone else. "
            "If it is the same person, ask the agency that registered them to share the record."
        ),
        RegistryErrorCode.IDENTIFIER_TAKEN,
    )


def identifiers_bulk_add(
    *, by: User | None, identifiers: Sequence[IdentifierInput]
) -> tuple[list[Identifier], list[AuditEvent]]:
    """Record many numbers at once, with the checks of ``identifier_add`` (a number of an issuer is
    recorded once in the registry, for anyone: checked against the registry in one query per chunk
    of numbers, and among the numbers given). Returns the identifiers and their audit events."""
    prepared = [bulk_check(index, _prepare_identifier, item) for index, item in enumerate(identifiers)]
    if not prepared:
        return [], []
    holders: dict[tuple[str, str, str, str], int | None] = {}
    by_issuer: dict[tuple[str, str, str], list[str]] = {}
    for _identifier, (kind, country, authority, key) in prepared:
        by_issuer.setdefault((kind, country, authority), []).append(key)
    for (kind, country, authority), keys in by_issuer.items():
        unique_keys = sorted(set(keys))
        for start in range(0, len(unique_keys), _IN_CHUNK):
            for key, person_id in Identifier.objects.filter(
                identifier_type=kind,
                issuer_country=country,
                issuing_authority=authority,
                value_key__in=unique_keys[start : start + _IN_CHUNK],
            ).values_list("value_key", "person_id"):
                holders[(kind, country, authority, key)] = person_id
    for index, (identifier, unique) in enumerate(prepared):
        if unique in holders:
            raise BulkItemError(index, _taken_error(holders[unique] == identifier.person_id))
        holders[unique] = identifier.person_id
    records = [identifier for identifier, _unique in prepared]
    for identifier in records:
        identifier.created_by = by
    with transaction.atomic():
        bulk_copy(Identifier, records)
    events = [
        person_event(
            by=by,
            person=identifier.person,
            changed_fields=["identifiers"],
            detail={"what": "identifier_added", "identifier": identifier.pk, "type": identifier.identifier_type},
        )
        for identifier in records
    ]
    return records, events


# --- in bulk: registered persons (an import adding to persons already registered) -------------------
#
# The persons are changed in the order given, as the single services would change them one after the
# other (a person given twice sees the first change); the caller locks them first
# (``select_for_update``), so that no concurrent edit is lost.


@dataclass(frozen=True)
class NationalityInput:
    """A nationality claim to record, as ``nationality_claim_add`` takes it (without documents or DNA)."""

    person: Person
    country: str
    basis: str
    statement: str = ""


def _ids_in_chunks(ids: Iterable[int]) -> Iterator[list[int]]:
    unique = sorted(set(ids))
    for start in range(0, len(unique), _IN_CHUNK):
        yield unique[start : start + _IN_CHUNK]


def persons_bulk_update(
    *, by: User | None, changes: Sequence[tuple[Person, Mapping[str, Any]]], batch_size: int = BULK_BATCH_SIZE
) -> tuple[list[list[str]], list[AuditEvent]]:
    """What ``person_update`` does to each person (any of ``PERSON_FIELDS``; the primary name changes
    through ``person_update`` itself), for many persons at once: the same cleaning, derived fields (the
    range of a date of birth) and audit content; the persons (changed in place) are written with one
    ``bulk_update`` per chunk. Returns, for each item, the fields that changed, and the audit events."""
    results: list[list[str]] = []
    events: list[AuditEvent] = []
    dirty: dict[int, Person] = {}
    fields: set[str] = set()
    now = timezone.now()
    for index, (person, wanted) in enumerate(changes):
        if "name" in wanted:
            raise ValueError("the primary name changes through person_update")
        values = bulk_check(index, _person_values, wanted)
        before = {field: getattr(person, field) for field in PERSON_FIELDS}
        for field, value in values.items():
            setattr(person, field, value)
        try:
            _clean_in_memory(person)
        except ValidationError as error:
            raise BulkItemError(
                index,
                _with_code(
                    error,
                    RegistryErrorCode.BIRTH_DATE_INVALID,
                    fields=("birth_date", "birth_date_min", "birth_date_max"),
                ),
            ) from None
        changed = [field for field in PERSON_FIELDS if getattr(person, field) != before[field]]
        results.append(changed)
        if changed:
            person.updated_at = now
            dirty[person.pk] = person
            fields.update(changed)
            events.append(person_event(by=by, person=person, changed_fields=changed, detail={"what": "identity"}))
    if dirty:
        with transaction.atomic():
            bulk_update_fields(
                Person,
                list(dirty.values()),
                [*[field for field in PERSON_FIELDS if field in fields], "updated_at"],
                batch_size=batch_size,
            )
    return results, events


def person_names_bulk_add(
    *, by: User | None, names: Sequence[tuple[Person, NameInput | str]]
) -> tuple[list[PersonName], list[AuditEvent]]:
    """What ``person_name_add`` does (a spelling added, not made primary) for many spellings at once:
    the same cleaning, the record built as the single service builds it (script, romanised form, keys
    version), its search keys and its audit entry. A spelling the person already has, in the registry
    (asked once per chunk of persons) or earlier in ``names``, is refused as the single service refuses
    it. Returns the names and their audit events."""
    cleaned = [bulk_check(index, _clean_name, NameInput.of(name)) for index, (_person, name) in enumerate(names)]
    if not cleaned:
        return [], []
    spellings: set[tuple[int, str]] = set()
    for ids in _ids_in_chunks(person.pk for person, _name in names):
        spellings.update(PersonName.objects.filter(person_id__in=ids).values_list("person_id", "full_name"))
    records: list[PersonName] = []
    for index, ((person, _name), clean) in enumerate(zip(names, cleaned, strict=True)):
        if (person.pk, clean.full_name) in spellings:
            raise BulkItemError(index, _name_taken_error(person, clean))
        spellings.add((person.pk, clean.full_name))
        records.append(bulk_check(index, _new_name, person=person, name=clean, primary=False, by=by))
    with transaction.atomic():
        bulk_copy(PersonName, records)
        _write_keys(records)
    events = [
        person_event(
            by=by,
            person=record.person,
            changed_fields=["names"],
            detail={"what": "name_added", "name": record.pk, "script": record.script, "kind": record.kind},
        )
        for record in records
    ]
    return records, events


def _prepare_claim(item: NationalityInput, by: User | None, claimed: set[tuple[int, str]]) -> NationalityClaim:
    country = check_country(item.country, "country")
    if not country:
        raise invalid("country", _("Choose the nationality claimed."), RegistryErrorCode.INVALID)
    if (item.person.pk, country) in claimed:
        raise invalid(
            "country",
            _("This nationality is already claimed for this person; add the evidence to that claim."),
            RegistryErrorCode.NATIONALITY_DUPLICATE,
        )
    if item.basis not in NationalityBasis.values:
        raise invalid("basis", _("Choose the basis of the claim."), RegistryErrorCode.INVALID)
    claim = NationalityClaim(
        person=item.person,
        country=country,
        basis=item.basis,
        statement=(item.statement or "").strip(),
        dna_result="",
        dna_relative=None,
        dna_reference="",
        created_by=by,
    )
    _clean_in_memory(claim)
    claimed.add((item.person.pk, country))
    return claim


def nationality_claims_bulk_add(
    *, by: User | None, claims: Sequence[NationalityInput], batch_size: int = BULK_BATCH_SIZE
) -> tuple[list[NationalityClaim], list[AuditEvent]]:
    """What ``nationality_claim_add`` does (without documents or DNA) for many claims at once: the same
    checks (a nationality is claimed once per person: asked once per chunk of persons, and among the
    claims given), records and audit content. Returns the claims and their audit events."""
    if not claims:
        return [], []
    claimed: set[tuple[int, str]] = set()
    for ids in _ids_in_chunks(item.person.pk for item in claims):
        claimed.update(NationalityClaim.objects.filter(person_id__in=ids).values_list("person_id", "country"))
    records = [bulk_check(index, _prepare_claim, item, by, claimed) for index, item in enumerate(claims)]
    with transaction.atomic():
        NationalityClaim.objects.bulk_create(records, batch_size=batch_size)
    events = [
        person_event(
            by=by,
            person=claim.person,
            changed_fields=["nationality_claims"],
            detail={"what": "nationality_claimed", "claim": claim.pk, "country": claim.country, "documents": 0},
        )
        for claim in records
    ]
    return records, events
