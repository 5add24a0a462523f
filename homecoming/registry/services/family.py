"""Family links (stored once per pair) and family groups (who travels together)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from homecoming.accounts.models import Agency, User
from homecoming.audit.services import AuditEvent
from homecoming.registry.choices import INPUT_RELATIONS, LinkConfidence, Relation, Sex
from homecoming.registry.error_codes import RegistryErrorCode
from homecoming.registry.family import inverse_relation, stored_link
from homecoming.registry.models import FamilyGroup, FamilyGroupMember, FamilyLink, Person
from homecoming.registry.names import as_written
from homecoming.registry.services._common import audit_persons, bulk_check, invalid, person_event

__all__ = [
    "FamilyLinkInput",
    "family_group_create",
    "family_group_member_add",
    "family_group_member_remove",
    "family_link_add",
    "family_link_remove",
    "family_links_bulk_add",
]


def _check_sexes(link_person: Person, relation: str) -> None:
    if relation == Relation.MOTHER and link_person.sex == Sex.MALE:
        raise invalid(
            "relation",
            _("%(name)s is recorded as male and cannot be a mother; check the relation or the sex."),
            RegistryErrorCode.FAMILY_LINK_INVALID,
            name=link_person.display_name,
        )
    if relation == Relation.FATHER and link_person.sex == Sex.FEMALE:
        raise invalid(
            "relation",
            _("%(name)s is recorded as female and cannot be a father; check the relation or the sex."),
            RegistryErrorCode.FAMILY_LINK_INVALID,
            name=link_person.display_name,
        )


def _check_generations(elder: Person, younger: Person) -> None:
    """A parent or grandparent cannot have been born after the child (as far as the dates tell)."""
    elder_range, younger_range = elder.birth_range, younger.birth_range
    if elder_range is None or younger_range is None:
        return
    if elder_range.earliest >= younger_range.latest:
        raise invalid(
            "relation",
            _("By the dates of birth, %(elder)s was not born before %(younger)s; check the relation or the dates."),
            RegistryErrorCode.FAMILY_LINK_INVALID,
            elder=elder.display_name,
            younger=younger.display_name,
        )


@transaction.atomic
def family_link_add(
    *,
    person: Person,
    relative: Person,
    relation: str,
    by: User | None,
    source: str = "",
    confidence: str = LinkConfidence.PROBABLE,
) -> FamilyLink:
    """Record that ``relative`` is the ``relation`` of ``person`` ("Zarina is the mother of Amir":
    ``person=Amir, relative=Zarina, relation="mother"``). Stored once per pair."""
    if relation not in INPUT_RELATIONS and relation != Relation.PARENT:
        raise invalid("relation", _("Choose the relation."), RegistryErrorCode.FAMILY_LINK_INVALID)
    if confidence not in LinkConfidence.values:
        raise invalid("confidence", _("Choose how sure the link is."), RegistryErrorCode.INVALID)
    if relative.pk == person.pk:
        raise invalid("relative", _("A person cannot be their own relative."), RegistryErrorCode.FAMILY_LINK_INVALID)
    existing = (
        FamilyLink.objects.filter(Q(person=person, relative=relative) | Q(person=relative, relative=person))
        .select_related("person", "relative")
        .first()
    )
    if existing is not None:
        as_seen = existing.relation if existing.person_id == relative.pk else inverse_relation(existing.relation)
        raise invalid(
            "relative",
            _("%(relative)s is already linked to %(person)s as %(relation)s; remove that link first to change it."),
            RegistryErrorCode.FAMILY_LINK_EXISTS,
            relative=relative.display_name,
            person=person.display_name,
            relation=Relation(as_seen).label,
        )
    stored = stored_link(subject=relative, relation=relation, of=person, subject_sex=relative.sex, of_sex=person.sex)
    link_person, link_relative = stored.person, stored.relative
    _check_sexes(link_person, stored.relation)
    if stored.relation in (Relation.MOTHER, Relation.FATHER, Relation.PARENT, Relation.GRANDPARENT):
        _check_generations(link_person, link_relative)
    link = FamilyLink(
        person=link_person,
        relative=link_relative,
        relation=stored.relation,
        source=as_written(source)[:200],
        confidence=confidence,
        created_by=by,
    )
    link.full_clean()
    link.save()
    audit_persons(
        by=by,
        persons=[person, relative],
        changed_fields=["family_links"],
        detail={"what": "family_link_added", "link": link.pk, "relation": stored.relation},
    )
    return link


@transaction.atomic
def family_link_remove(*, link: FamilyLink, by: User | None) -> None:
    persons = [link.person, link.relative]
    pk, relation = link.pk, link.relation
    link.delete()
    audit_persons(
        by=by,
        persons=persons,
        changed_fields=["family_links"],
        detail={"what": "family_link_removed", "link": pk, "relation": relation},
    )


def _check_free(persons: Sequence[Person], *, field: str = "members") -> None:
    taken = (
        FamilyGroupMember.objects.filter(person__in=persons).select_related("person", "group").order_by("id").first()
    )
    if taken is not None:
        raise invalid(
            field,
            _("%(person)s already travels with the family group “%(group)s”; take them out of it first."),
            RegistryErrorCode.FAMILY_GROUP_INVALID,
            person=taken.person.display_name,
            group=taken.group.name,
        )


@transaction.atomic
def family_group_create(
    *, by: User | None, name: str, owner_agency: Agency, members: Sequence[Person], notes: str = ""
) -> FamilyGroup:
    """A group of persons who travel together (each person in one group at a time)."""
    name = as_written(name)[:200]
    if not name:
        raise invalid("name", _("Give the group a name, e.g. the mother's family name."), RegistryErrorCode.INVALID)
    unique = list({p.pk: p for p in members}.values())
    if len(unique) < 2:
        raise invalid("members", _("A family group has at least two persons."), RegistryErrorCode.FAMILY_GROUP_INVALID)
    _check_free(unique)
    group = FamilyGroup(name=name, owner_agency=owner_agency, notes=(notes or "").strip(), created_by=by)
    group.full_clean()
    group.save()
    FamilyGroupMember.objects.bulk_create([FamilyGroupMember(group=group, person=p) for p in unique])
    audit_persons(
        by=by,
        persons=unique,
        changed_fields=["family_group"],
        detail={"what": "family_group_joined", "family_group": group.pk},
    )
    return group


@transaction.atomic
def family_group_member_add(*, group: FamilyGroup, person: Person, by: User | None) -> FamilyGroupMember:
    _check_free([person], field="person")
    member = FamilyGroupMember(group=group, person=person)
    member.full_clean()
    member.save()
    audit_persons(
        by=by,
        persons=[person],
        changed_fields=["family_group"],
        detail={"what": "family_group_joined", "family_group": group.pk},
    )
    return member


@transaction.atomic
def family_group_member_remove(*, group: FamilyGroup, person: Person, by: User | None) -> bool:
    """Take a person out of a group; a group left with fewer than two persons is dissolved.
    Returns whether the group still exists."""
    group_pk = group.pk
    deleted, _count = FamilyGroupMember.objects.filter(group=group, person=person).delete()
    if not deleted:
        return True
    remaining = list(Person.objects.filter(family_group_memberships__group=group))
    left = [person]
    still = len(remaining) >= 2
    if not still:
        left += remaining
        group.delete()
    audit_persons(
        by=by,
        persons=left,
        changed_fields=["family_group"],
        detail={"what": "family_group_left", "family_group": group_pk, "dissolved": not still},
    )
    return still


# --- in bulk (a large import) ----------------------------------------------------------------------


@dataclass(frozen=True)
class FamilyLinkInput:
    """A link to record, as ``family_link_add`` takes it."""

    person: Person
    relative: Person
    relation: str
    source: str = ""
    confidence: str = LinkConfidence.PROBABLE


def _prepare_link(item: FamilyLinkInput, by: User | None, linked: dict[frozenset[int], FamilyLink]) -> FamilyLink:
    person, relative, relation = item.person, item.relative, item.relation
    if relation not in INPUT_RELATIONS and relation != Relation.PARENT:
        raise invalid("relation", _("Choose the relation."), RegistryErrorCode.FAMILY_LINK_INVALID)
    if item.confidence not in LinkConfidence.values:
        raise invalid("confidence", _("Choose how sure the link is."), RegistryErrorCode.INVALID)
    if relative.pk == person.pk:
        raise invalid("relative", _("A person cannot be their own relative."), RegistryErrorCode.FAMILY_LINK_INVALID)
    existing = linked.get(frozenset((person.pk, relative.pk)))
    if existing is not None:
        as_seen = existing.relation if existing.person_id == relative.pk else inverse_relation(existing.relation)
        raise invalid(
            "relative",
            _("%(relative)s is already linked to %(person)s as %(relation)s; remove that link first to change it."),
            RegistryErrorCode.FAMILY_LINK_EXISTS,
            relative=relative.display_name,
            person=person.display_name,
            relation=Relation(as_seen).label,
        )
    stored = stored_link(subject=relative, relation=relation, of=person, subject_sex=relative.sex, of_sex=person.sex)
    _check_sexes(stored.person, stored.relation)
    if stored.relation in (Relation.MOTHER, Relation.FATHER, Relation.PARENT, Relation.GRANDPARENT):
        _check_generations(stored.person, stored.relative)
    link = FamilyLink(
        person=stored.person,
        relative=stored.relative,
        relation=stored.relation,
        source=as_written(item.source)[:200],
        confidence=item.confidence,
        created_by=by,
    )
    link.full_clean(exclude=["person", "relative", "created_by"], validate_unique=False, validate_constraints=False)
    linked[frozenset((person.pk, relative.pk))] = link
    return link


def family_links_bulk_add(
    *, by: User | None, links: Sequence[FamilyLinkInput], batch_size: int = 1000
) -> tuple[list[FamilyLink], list[AuditEvent]]:
    """What ``family_link_add`` does for many links at once: the same checks (a pair is linked once:
    the links of the persons are read once per chunk, and a pair given twice is refused), records and
    audit content (an entry for each of the two persons). Returns the links and their audit events."""
    if not links:
        return [], []
    linked: dict[frozenset[int], FamilyLink] = {}
    person_ids = sorted({p.pk for item in links for p in (item.person, item.relative)})
    for start in range(0, len(person_ids), 450):
        ids = person_ids[start : start + 450]
        for link in FamilyLink.objects.filter(Q(person_id__in=ids) | Q(relative_id__in=ids)):
            linked[frozenset((link.person_id, link.relative_id))] = link
    records = [bulk_check(index, _prepare_link, item, by, linked) for index, item in enumerate(links)]
    with transaction.atomic():
        FamilyLink.objects.bulk_create(records, batch_size=batch_size)
    events = [
        person_event(
            by=by,
            person=person,
            changed_fields=["family_links"],
            detail={"what": "family_link_added", "link": link.pk, "relation": link.relation},
        )
        for item, link in zip(links, records, strict=True)
        for person in (item.person, item.relative)
    ]
    return records, events
