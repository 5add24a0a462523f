"""Reads of the registry. Every queryset of persons starts from ``core.access.persons_visible_to``.

Name search (``person_name_q``) goes through the ``NameKey`` index: for each token of the query,
the persons having any of that token's keys (or a key starting with its romanised form); the
persons found for every token are the result. "Mukhriddin", "Muhriddin" and "Мухриддин" share
keys, so each finds the same person.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.db.models import BigIntegerField, Count, ExpressionWrapper, F, Prefetch, Q, QuerySet
from django.http import Http404

from homecoming.audit.models import AuditAction, AuditEntry
from homecoming.core.access import Perm, has_perm, persons_visible_to
from homecoming.registry.choices import Relation
from homecoming.registry.family import GENERATION, inverse_relation
from homecoming.registry.filters import FacilityFilterSet, PersonFilterSet
from homecoming.registry.models import (
    CustodyRecord,
    Facility,
    FamilyGroup,
    FamilyGroupMember,
    FamilyLink,
    Identifier,
    NameKey,
    NationalityClaim,
    Person,
    PersonDocument,
    PersonName,
)
from homecoming.registry.names import query_token_keys

__all__ = [
    "FamilyMember",
    "FamilyView",
    "KeysetPage",
    "PersonAbilities",
    "custody_list",
    "facility_current_persons",
    "facility_filterset",
    "facility_get",
    "facility_list",
    "keyset_page",
    "person_abilities",
    "person_custody",
    "person_documents",
    "person_family",
    "person_filterset",
    "person_history",
    "person_identifiers",
    "person_likely_duplicates",
    "person_list",
    "person_list_page",
    "person_name_q",
    "person_names",
    "person_nationality_claims",
    "person_tab_counts",
    "persons_pickable",
]


# --- name search --------------------------------------------------------------------------------


def _prefix_q(prefix: str) -> Q:
    """Keys starting with ``prefix``: LIKE on PostgreSQL (the key index has varchar_pattern_ops),
    a range elsewhere (SQLite compares keys byte by byte, so the range uses its index)."""
    if connection.vendor == "postgresql":
        return Q(key__startswith=prefix)
    return Q(key__gte=prefix, key__lt=prefix[:-1] + chr(ord(prefix[-1]) + 1))


def person_name_q(text: str, prefix: str = "") -> Q:
    """A filter on Person (or, with ``prefix`` such as ``"person__"``, on a model pointing at
    Person) matching ``text`` in any script and spelling. Blank text matches everyone; text with
    no usable token matches no one."""
    if not (text or "").strip():
        return Q()
    wanted = query_token_keys(text)
    if not wanted:
        return Q(pk__in=[])
    target = f"{prefix}pk__in" if prefix else "pk__in"
    q = Q()
    for keys, roman in wanted:
        key_q = Q(key__in=sorted(keys)) if keys else Q(pk__in=[])
        if roman:
            key_q |= _prefix_q(roman)
        q &= Q(**{target: NameKey.objects.filter(key_q).values_list(_PERSON_ID_UNORDERED)})
    return q


#: ``person_id + 0``: the same ids, but not in the order of the ``person_id`` index. Without it, a
#: list ordered by id with a LIMIT tempts PostgreSQL into walking the person and name-key id indexes
#: backwards in step (a merge join), filtering every key on the way: fast for a common name,
#: a scan of the whole key table (over 300 ms with 100,000 persons) for a rare or unknown one. With
#: it, the keys are found through the key index first (a few ms whatever the name).
_PERSON_ID_UNORDERED = ExpressionWrapper(F("person_id") + 0, output_field=BigIntegerField())


# --- lists ---------------------------------------------------------------------------------------


def _with_list_data(qs: QuerySet[Person]) -> QuerySet[Person]:
    """What a list row shows: owner agency, other spellings, the current custody and its facility."""
    return qs.select_related("owner_agency").prefetch_related(
        Prefetch("names", queryset=PersonName.objects.filter(is_primary=False).order_by("id"), to_attr="other_names"),
        Prefetch(
            "custody_records",
            queryset=CustodyRecord.objects.filter(until__isnull=True).select_related("facility"),
            to_attr="current_custody",
        ),
    )


def person_filterset(*, user: Any, data: Any) -> PersonFilterSet:
    """The person list's filters over the persons ``user`` may see (the page renders its form)."""
    return PersonFilterSet(data, queryset=persons_visible_to(user), user=user)


def person_list(*, user: Any, filters: dict[str, Any] | None = None) -> QuerySet[Person]:
    """The persons ``user`` may see, filtered (``PersonFilterSet``), newest first, with their list data."""
    return _with_list_data(person_filterset(user=user, data=filters or {}).qs.order_by("-pk"))


def person_list_page(
    *, user: Any, data: Any, after: Any = None, before: Any = None, size: int = 25
) -> tuple[PersonFilterSet, KeysetPage]:
    """The person list's filters and one page of its results (keyset paging on the id)."""
    filterset = person_filterset(user=user, data=data)
    page = keyset_page(_with_list_data(filterset.qs), after=after, before=before, size=size)
    return filterset, page


def persons_pickable(*, user: Any, text: str, exclude: Sequence[int] = (), limit: int = 8) -> list[Person]:
    """Persons ``user`` may see whose names match ``text`` (to pick a relative), newest first."""
    if len((text or "").strip()) < 2:
        return []
    qs = persons_visible_to(user).filter(person_name_q(text)).exclude(pk__in=list(exclude))
    return list(_with_list_data(qs.order_by("-pk"))[:limit])


def person_likely_duplicates(
    *,
    user: Any,
    names: Sequence[tuple[str, str]],
    sex: str = "",
    birth_date: dt.date | None = None,
    birth_date_min: dt.date | None = None,
    birth_date_max: dt.date | None = None,
    exclude: int | None = None,
    limit: int = 5,
) -> list[Any]:
    """Registered persons (that ``user`` may see) who are likely the person being typed in: the matching
    engine's scored candidates for each ``(given, family)`` spelling, best first, each with its
    probability and per-field reasons (``matching.selectors.LikelyDuplicate``)."""
    from homecoming.matching.selectors import likely_duplicates

    best: dict[int, Any] = {}
    for given, family in names:
        if not f"{given} {family}".strip():
            continue
        for hit in likely_duplicates(
            user=user,
            given_name=given,
            family_name=family,
            birth_date=birth_date,
            birth_date_min=birth_date_min,
            birth_date_max=birth_date_max,
            sex=sex,
            exclude=exclude,
            limit=limit,
        ):
            if hit.person.pk not in best or hit.probability > best[hit.person.pk].probability:
                best[hit.person.pk] = hit
    return sorted(best.values(), key=lambda hit: (-hit.probability, hit.person.pk))[:limit]


@dataclass(frozen=True)
class KeysetPage:
    """One page of a list ordered by descending id: rows, and where the neighbours start."""

    rows: list[Any]
    total: int
    total_is_capped: bool
    next_after: int | None
    previous_before: int | None
    is_first: bool

    @property
    def has_next(self) -> bool:
        return self.next_after is not None

    @property
    def has_previous(self) -> bool:
        return self.previous_before is not None


def keyset_page(
    qs: QuerySet[Any], *, after: Any = None, before: Any = None, size: int = 25, count_cap: int = 10_000
) -> KeysetPage:
    """A page of ``qs`` (ordered by ``-pk``) after the id ``after`` or before the id ``before``.

    Fast at any depth (an index range, no OFFSET). The total is counted up to ``count_cap``."""
    after_id, before_id = _as_id(after), _as_id(before)
    if before_id is not None:
        rows = list(qs.filter(pk__gt=before_id).order_by("pk")[: size + 1])
        more_before = len(rows) > size
        rows = list(reversed(rows[:size]))
        has_after = True
        has_before = more_before
    else:
        page_qs = qs.filter(pk__lt=after_id) if after_id is not None else qs
        rows = list(page_qs.order_by("-pk")[: size + 1])
        has_after = len(rows) > size
        rows = rows[:size]
        has_before = after_id is not None
    total = qs.order_by()[: count_cap + 1].count()
    return KeysetPage(
        rows=rows,
        total=min(total, count_cap),
        total_is_capped=total > count_cap,
        next_after=rows[-1].pk if rows and has_after else None,
        previous_before=rows[0].pk if rows and has_before else None,
        is_first=not has_before,
    )


def _as_id(value: Any) -> int | None:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if number > 0 else None


# --- one person -------------------------------------------------------------------------------------


def person_names(*, person: Person) -> QuerySet[PersonName]:
    return person.names.select_related("created_by").order_by("-is_primary", "id")


def person_identifiers(*, person: Person) -> QuerySet[Identifier]:
    return person.identifiers.order_by("identifier_type", "id")


def person_nationality_claims(*, person: Person) -> QuerySet[NationalityClaim]:
    return person.nationality_claims.select_related("decided_by", "dna_relative").prefetch_related("evidence_documents")


def person_documents(*, person: Person) -> QuerySet[PersonDocument]:
    return person.documents.select_related("uploaded_by").order_by("-uploaded_at", "-id")


def person_custody(*, person: Person) -> QuerySet[CustodyRecord]:
    return person.custody_records.select_related("facility").order_by("-since", "-id")


def person_history(*, person: Person, limit: int = 200) -> QuerySet[AuditEntry]:
    """The changes to a person's record (not the reads), newest first."""
    return (
        AuditEntry.objects.filter(object_type="registry.person", object_id=str(person.pk))
        .exclude(action__in=[AuditAction.VIEW, AuditAction.LIST, AuditAction.SEARCH])
        .order_by("-id")[:limit]
    )


def person_tab_counts(*, person: Person) -> dict[str, int]:
    row = (
        Person.objects.filter(pk=person.pk)
        .annotate(
            n_names=Count("names", distinct=True),
            n_custody=Count("custody_records", distinct=True),
            n_documents=Count("documents", distinct=True),
        )
        .values("n_names", "n_custody", "n_documents")
        .first()
        or {}
    )
    links = FamilyLink.objects.filter(Q(person=person) | Q(relative=person)).count()
    return {
        "names": row.get("n_names") or 0,
        "family": links,
        "custody": row.get("n_custody") or 0,
        "documents": row.get("n_documents") or 0,
    }


@dataclass(frozen=True)
class FamilyMember:
    """A relative as seen from one person's page. ``other`` is None when the relative is out of
    the user's scope (the link is shown, the person is not)."""

    link: FamilyLink
    relation: Relation
    other: Person | None
    other_id: int

    @property
    def generation(self) -> int:
        return GENERATION.get(self.relation, 0)


@dataclass
class FamilyView:
    person: Person
    members: list[FamilyMember] = field(default_factory=list)
    group: FamilyGroup | None = None
    group_members: list[Person] = field(default_factory=list)
    group_hidden: int = 0

    @property
    def visible_ids(self) -> list[int]:
        ids = [m.other.pk for m in self.members if m.other is not None]
        ids += [p.pk for p in self.group_members if p.pk not in ids and p.pk != self.person.pk]
        return ids

    def by_generation(self) -> list[tuple[int, list[FamilyMember]]]:
        rows: dict[int, list[FamilyMember]] = {}
        for member in self.members:
            rows.setdefault(member.generation, []).append(member)
        return sorted(rows.items())


def person_family(*, user: Any, person: Person) -> FamilyView:
    """The person's relatives (both directions of each link) and family group, each relative
    shown only if ``user`` may see them."""
    links = list(FamilyLink.objects.filter(Q(person=person) | Q(relative=person)).order_by("id"))
    other_ids = {link.relative_id if link.person_id == person.pk else link.person_id for link in links}
    group_member = FamilyGroupMember.objects.filter(person=person).select_related("group").first()
    group_ids: set[int] = set()
    if group_member is not None:
        group_ids = set(
            FamilyGroupMember.objects.filter(group_id=group_member.group_id).values_list("person_id", flat=True)
        )
    wanted = (other_ids | group_ids) - {person.pk}
    visible: dict[int, Person] = {}
    if wanted:
        visible = {p.pk: p for p in _with_list_data(persons_visible_to(user).filter(pk__in=wanted))}
    view = FamilyView(person=person)
    for link in links:
        if link.person_id == person.pk:
            relation, other_id = inverse_relation(link.relation), link.relative_id
        else:
            relation, other_id = Relation(link.relation), link.person_id
        view.members.append(FamilyMember(link=link, relation=relation, other=visible.get(other_id), other_id=other_id))
    view.members.sort(key=_family_order)
    if group_member is not None:
        view.group = group_member.group
        view.group_members = [visible[pk] for pk in sorted(group_ids) if pk in visible]
        view.group_hidden = len(group_ids - set(visible) - {person.pk})
    return view


def _family_order(member: FamilyMember) -> tuple[int, str, int]:
    """Older generations first, then the eldest first (unknown dates last)."""
    born = member.other.birth_date if member.other is not None else None
    return (member.generation, born.isoformat() if born else "9999", member.other_id)


@dataclass(frozen=True)
class PersonAbilities:
    """What ``user`` may do on one person, for showing buttons (the views check again)."""

    change: bool
    legal: bool
    facilities: bool


def person_abilities(*, user: Any, person: Person) -> PersonAbilities:
    change = (
        has_perm(user, Perm.PERSON_CHANGE)
        and persons_visible_to(user, Perm.PERSON_CHANGE).filter(pk=person.pk).exists()
    )
    return PersonAbilities(
        change=change,
        legal=has_perm(user, Perm.LEGAL_VIEW),
        facilities=has_perm(user, Perm.FACILITY_VIEW),
    )


# --- facilities and custody ------------------------------------------------------------------------


def facility_filterset(*, data: Any) -> FacilityFilterSet:
    return FacilityFilterSet(data, queryset=Facility.objects.order_by("country", "name"))


def facility_list(*, filters: dict[str, Any] | None = None) -> QuerySet[Facility]:
    return facility_filterset(data=filters or {}).qs


def facility_get(*, pk: Any) -> Facility:
    try:
        return Facility.objects.get(pk=int(pk))
    except (TypeError, ValueError, Facility.DoesNotExist):
        raise Http404 from None


def facility_current_persons(*, user: Any, facility: Facility, limit: int = 50) -> list[Person]:
    """Persons held or placed at ``facility`` now, among those ``user`` may see."""
    if not has_perm(user, Perm.PERSON_VIEW):
        return []
    qs = persons_visible_to(user).filter(custody_records__facility=facility, custody_records__until__isnull=True)
    return list(_with_list_data(qs.order_by("display_name", "pk"))[:limit])


def custody_list(*, user: Any) -> QuerySet[CustodyRecord]:
    """Custody records of the persons ``user`` may see."""
    visible = persons_visible_to(user)
    return (
        CustodyRecord.objects.filter(person__in=visible.values("pk"))
        .select_related("facility", "person")
        .order_by("-since", "-id")
    )
