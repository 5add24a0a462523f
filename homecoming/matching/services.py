"""Deciding a possible duplicate: "different people" (remembered) or "same person" (merge, undoable).

A merge keeps one record (the *survivor*) and removes the other (the *merged* record):

- field by field, the reviewer chooses whose value survives (:data:`MERGE_FIELDS`; the date of birth moves
  with its precision and range, the name is the primary name);
- every name of the merged record is kept as an alias of the survivor (a spelling the survivor already has is
  not doubled);
- every row of every app that points at the merged person is moved to the survivor: names and their search
  keys, family links, family-group membership, custody, cases, documents, shares, identifiers, nationality
  claims, intake rows, ... (found from the models, so an app added later is moved too). Where moving would
  break a rule, a redundant row (the same family link twice, a link between the two records themselves, a
  second share with one agency, a second family group) is deleted; anything else (say both records have an
  open case) stops the merge with an explanation, and nothing is changed;
- the merged record's owner agency keeps access through a share;
- the merged person is deleted; ``PersonMerge.journal`` keeps it and everything changed, so that
  :func:`person_merge_undo` puts both records back as they were;
- both records get an audit entry (the survivor: changed, with the merge; the merged record: deleted).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.apps import apps
from django.core import serializers
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, router, transaction
from django.db.models.deletion import Collector
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from homecoming.audit.models import AuditAction
from homecoming.audit.services import audit_record
from homecoming.core.access import Perm, persons_visible_to
from homecoming.matching.models import DedupCluster, DuplicateCandidate, DuplicateStatus, PersonMerge
from homecoming.registry.choices import NameKind
from homecoming.registry.models import FamilyGroupMember, FamilyLink, NameKey, Person, PersonName, PersonShare

__all__ = [
    "MERGE_FIELDS",
    "MergeSide",
    "candidate_mark_not_same",
    "person_merge",
    "person_merge_undo",
]


class MergeSide:
    SURVIVOR = "survivor"
    MERGED = "merged"
    VALUES = (SURVIVOR, MERGED)


#: The choices a reviewer makes, and the Person fields each one carries over.
MERGE_FIELDS: dict[str, tuple[str, ...]] = {
    "name": ("display_name",),
    "sex": ("sex",),
    "birth_date": ("birth_date", "birth_date_precision", "birth_date_min", "birth_date_max"),
    "birth_place": ("birth_place",),
    "birth_country": ("birth_country",),
}

MERGE_FIELDS_ATTNAMES: tuple[str, ...] = tuple(name for fields in MERGE_FIELDS.values() for name in fields)

# Rows that may simply go when moving them would make them break a rule: they only repeat what the survivor
# already has (or link the two records to each other).
_REDUNDANT_ON_CONFLICT = (FamilyLink, FamilyGroupMember, PersonShare, NameKey, PersonName)
# Handled on their own before the generic move.
_HANDLED = (PersonName, DuplicateCandidate, DedupCluster)


# --------------------------------------------------------------------------------------------------
# "Different people"
# --------------------------------------------------------------------------------------------------


def _check_may_decide(by: Any, candidate: DuplicateCandidate) -> None:
    ids = {candidate.person_a_id, candidate.person_b_id}
    if persons_visible_to(by, Perm.PERSON_CHANGE).filter(pk__in=ids).count() != len(ids):
        raise ValidationError(_("You may not change both records, so you cannot decide about this pair."))


@transaction.atomic
def candidate_mark_not_same(*, candidate: DuplicateCandidate, by: Any) -> DuplicateCandidate:
    """Record that the two persons are different people. Later runs leave the pair alone (never proposed again)."""
    _check_may_decide(by, candidate)
    if candidate.status != DuplicateStatus.PENDING:
        raise ValidationError(_("This pair has already been decided."))
    candidate.status = DuplicateStatus.NOT_SAME
    candidate.decided_by = by
    candidate.decided_at = timezone.now()
    candidate.save(update_fields=["status", "decided_by", "decided_at", "updated_at"])
    audit_record(
        actor=by,
        action=AuditAction.CHANGE,
        obj=candidate,
        changed_fields=["status"],
        detail={"decision": "not_same", "persons": [candidate.person_a_id, candidate.person_b_id]},
    )
    return candidate


# --------------------------------------------------------------------------------------------------
# The journal: everything a merge changes, so that it can be undone
# --------------------------------------------------------------------------------------------------


def _label(model: type[models.Model]) -> str:
    return model._meta.label_lower


def _json_value(value: Any) -> Any:
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    return value


class _Journal:
    def __init__(self) -> None:
        self.updates: list[list[Any]] = []  # [model label, pk, {attname: old value}]
        self.deleted: list[str] = []  # serialised rows, in the order to restore them
        self.created: list[list[Any]] = []  # [model label, pk]

    def as_json(self, **extra: Any) -> dict[str, Any]:
        return {"updates": self.updates, "deleted": self.deleted, "created": self.created, **extra}

    def update(self, obj: models.Model, **changes: Any) -> None:
        """Change fields of one row (by attname), remembering the old values."""
        model = type(obj)
        old = {name: _json_value(getattr(obj, name)) for name in changes}
        model._default_manager.filter(pk=obj.pk).update(**changes)
        for name, value in changes.items():
            setattr(obj, name, value)
        self.updates.append([_label(model), obj.pk, old])

    def delete(self, objs: Sequence[models.Model]) -> None:
        """Delete rows and whatever their deletion cascades to, keeping them all to restore."""
        if not objs:
            return
        collector = Collector(using=router.db_for_write(type(objs[0])))
        collector.collect(list(objs))
        collector.sort()
        # Restore parents first: the reverse of the order Django deletes in, then the fast deletes (children).
        groups: list[Iterable[models.Model]] = [list(instances) for instances in reversed(collector.data.values())]
        groups.extend(list(qs) for qs in collector.fast_deletes)
        for group in groups:
            rows = list(group)
            if rows:
                self.deleted.append(serializers.serialize("json", rows))
        for obj in objs:
            if obj.pk is not None and type(obj)._default_manager.filter(pk=obj.pk).exists():
                obj.delete()

    def create(self, obj: models.Model) -> None:
        self.created.append([_label(type(obj)), obj.pk])


def _move_rows(journal: _Journal, model: type[models.Model], field: models.ForeignKey[Any, Any], *, old: int, new: int) -> None:  # fmt: skip
    """Point ``field`` of every row of ``model`` from person ``old`` to person ``new``."""
    for obj in list(model._default_manager.filter(**{field.attname: old})):
        try:
            with transaction.atomic():
                journal.update(obj, **{field.attname: new})
        except IntegrityError:
            if not issubclass(model, _REDUNDANT_ON_CONFLICT):
                raise ValidationError(
                    _("Both records have a %(what)s that cannot be joined (%(object)s): settle that first.")
                    % {"what": model._meta.verbose_name, "object": str(obj)}
                ) from None
            setattr(obj, field.attname, old)
            journal.delete([obj])


def _person_foreign_keys() -> list[tuple[type[models.Model], models.ForeignKey[Any, Any]]]:
    """Every foreign key (or one-to-one) of every model, auto-created many-to-many tables included, to Person."""
    out = []
    for model in apps.get_models(include_auto_created=True):
        if issubclass(model, _HANDLED):
            continue
        for field in model._meta.concrete_fields:
            if isinstance(field, models.ForeignKey) and field.related_model is Person:
                out.append((model, field))
    # Search keys after the names (the generic move runs after the names have moved).
    return sorted(out, key=lambda item: item[0] is NameKey)


# --------------------------------------------------------------------------------------------------
# Merge
# --------------------------------------------------------------------------------------------------


def _move_names(journal: _Journal, *, survivor: Person, merged: Person, keep_merged_name: bool) -> None:
    survivor_primary = survivor.names.filter(is_primary=True).first()
    promote: PersonName | None = None
    for name in list(merged.names.all()):
        was_primary = name.is_primary
        if was_primary:
            journal.update(name, is_primary=False, kind=NameKind.ALIAS)
        same_spelling = survivor.names.filter(full_name=name.full_name).first()
        if same_spelling is not None:
            journal.delete([name])  # the survivor has this spelling already
            if was_primary:
                promote = same_spelling
            continue
        journal.update(name, person_id=survivor.pk)
        if was_primary:
            promote = name
    if keep_merged_name and promote is not None and promote.pk != getattr(survivor_primary, "pk", None):
        if survivor_primary is not None:
            journal.update(survivor_primary, is_primary=False, kind=NameKind.ALIAS)
        journal.update(promote, is_primary=True, kind=NameKind.PRIMARY)


def _move_candidates(journal: _Journal, *, survivor: Person, merged: Person) -> None:
    """Pairs with the merged record: a "different people" decision carries over to the survivor; the rest go."""
    rows = list(DuplicateCandidate.objects.filter(models.Q(person_a=merged) | models.Q(person_b=merged)))
    for row in rows:
        if row.status != DuplicateStatus.NOT_SAME:
            continue
        other = row.person_b_id if row.person_a_id == merged.pk else row.person_a_id
        if other == survivor.pk:
            continue
        low, high = sorted((other, survivor.pk))
        if not DuplicateCandidate.objects.filter(person_a_id=low, person_b_id=high).exists():
            copy = DuplicateCandidate.objects.create(
                person_a_id=low,
                person_b_id=high,
                probability=row.probability,
                evidence=row.evidence,
                status=DuplicateStatus.NOT_SAME,
                decided_by=row.decided_by,
                decided_at=row.decided_at,
            )
            journal.create(copy)
    journal.delete(rows)
    journal.delete(list(DedupCluster.objects.filter(person=merged)))


def _check_choices(choices: Mapping[str, str]) -> dict[str, str]:
    unknown = set(choices) - set(MERGE_FIELDS)
    if unknown:
        raise ValidationError(_("Unknown fields: %(fields)s") % {"fields": ", ".join(sorted(unknown))})
    clean = {field: choices.get(field, MergeSide.SURVIVOR) for field in MERGE_FIELDS}
    if any(value not in MergeSide.VALUES for value in clean.values()):
        raise ValidationError(_("Choose for every field whether the surviving or the merged record's value is kept."))
    return clean


@transaction.atomic
def person_merge(
    *, candidate: DuplicateCandidate, survivor: Person, by: Any, choices: Mapping[str, str] | None = None
) -> PersonMerge:
    """Merge the two persons of ``candidate`` into ``survivor`` (one of them); see the module's docstring.

    ``choices`` maps fields of :data:`MERGE_FIELDS` to ``"survivor"`` (the default) or ``"merged"``."""
    _check_may_decide(by, candidate)
    if candidate.status != DuplicateStatus.PENDING:
        raise ValidationError(_("This pair has already been decided."))
    if survivor.pk not in (candidate.person_a_id, candidate.person_b_id):
        raise ValidationError(_("The surviving record must be one of the pair."))
    chosen = _check_choices(choices or {})
    merged_id = candidate.person_b_id if survivor.pk == candidate.person_a_id else candidate.person_a_id
    survivor = Person.objects.select_for_update().get(pk=survivor.pk)
    merged = Person.objects.select_for_update().get(pk=merged_id)

    journal = _Journal()
    survivor_before = {
        field.attname: _json_value(getattr(survivor, field.attname))
        for field in Person._meta.concrete_fields
        if not field.primary_key
    }
    # 1. Names (all kept as aliases; the primary name as chosen), then every other row pointing at the merged person.
    _move_names(journal, survivor=survivor, merged=merged, keep_merged_name=chosen["name"] == MergeSide.MERGED)
    _move_candidates(journal, survivor=survivor, merged=merged)
    for model, field in _person_foreign_keys():
        _move_rows(journal, model, field, old=merged.pk, new=survivor.pk)
    # 2. The merged record's agency keeps seeing the person.
    if merged.owner_agency_id != survivor.owner_agency_id:
        share, created = PersonShare.objects.get_or_create(
            person=survivor,
            agency_id=merged.owner_agency_id,
            defaults={"reason": gettext("Merged record #%(id)s was theirs.") % {"id": merged.pk}, "created_by": by},
        )
        if created:
            journal.create(share)
    # 3. Surviving values, field by field.
    changed: list[str] = []
    for choice, fields in MERGE_FIELDS.items():
        if chosen[choice] != MergeSide.MERGED:
            continue
        for name in fields:
            if getattr(survivor, name) != getattr(merged, name):
                setattr(survivor, name, getattr(merged, name))
                changed.append(name)
    survivor.full_clean(exclude=["owner_agency"])
    survivor.save()
    # 4. The candidate is decided, then goes with the merged person (the merge record keeps the decision).
    record = PersonMerge.objects.create(
        survivor=survivor,
        survivor_name=survivor.display_name,
        merged_person_id=merged.pk,
        merged_person_name=merged.display_name,
        probability=candidate.probability,
        choices=chosen,
        merged_by=by,
    )
    merged_snapshot = {
        "id": merged.pk,
        "display_name": merged.display_name,
        "sex": merged.sex,
        "birth_date": _json_value(merged.birth_date),
        "owner_agency": merged.owner_agency_id,
    }
    journal.delete([merged])
    record.journal = journal.as_json(survivor_before=survivor_before, candidate=[candidate.person_a_id, candidate.person_b_id])  # fmt: skip
    record.save(update_fields=["journal"])

    detail = {"merge": record.pk, "merged_person": merged_id, "survivor": survivor.pk, "choices": chosen}
    audit_record(actor=by, action=AuditAction.CHANGE, obj=survivor, changed_fields=[*changed, "names"], detail=detail)
    audit_record(
        actor=by,
        action=AuditAction.DELETE,
        object_type="registry.person",
        object_id=str(merged_id),
        detail={**detail, "merged_record": merged_snapshot},
    )
    return record


# --------------------------------------------------------------------------------------------------
# Undo
# --------------------------------------------------------------------------------------------------


def _restore(serialised: Iterable[str]) -> None:
    for chunk in serialised:
        for obj in serializers.deserialize("json", chunk):
            obj.save()


@transaction.atomic
def person_merge_undo(*, merge: PersonMerge, by: Any) -> Person:
    """Put both records back as they were before ``merge``; the pair returns to the review list. Returns the
    restored (merged-away) person. Changes made to the survivor since the merge are kept where they do not
    concern what the merge did."""
    merge = PersonMerge.objects.select_for_update().get(pk=merge.pk)
    if merge.is_undone:
        raise ValidationError(_("This merge has already been undone."))
    if merge.survivor_id is None:
        raise ValidationError(_("The surviving record no longer exists; the merge cannot be undone."))
    if not persons_visible_to(by, Perm.PERSON_CHANGE).filter(pk=merge.survivor_id).exists():
        raise ValidationError(_("You may not change the surviving record."))
    if Person.objects.filter(pk=merge.merged_person_id).exists():
        raise ValidationError(_("A record with the merged record's number exists again; the merge cannot be undone."))
    journal = merge.journal
    # 1. Rows created by the merge go; deleted rows (the merged person first) come back.
    for label, pk in reversed(journal.get("created", [])):
        apps.get_model(label)._default_manager.filter(pk=pk).delete()
    _restore(journal.get("deleted", []))
    # 2. Moved and changed rows get their old values back, last change first.
    for label, pk, old in reversed(journal.get("updates", [])):
        model = apps.get_model(label)
        model._default_manager.filter(pk=pk).update(**old)
    # 3. The survivor's own values as they were.
    survivor = Person.objects.select_for_update().get(pk=merge.survivor_id)
    before = journal.get("survivor_before", {})
    restored_fields = [name for name in MERGE_FIELDS_ATTNAMES if name in before]
    Person.objects.filter(pk=survivor.pk).update(**{name: before[name] for name in restored_fields})
    # 4. The pair is back on the review list.
    low, high = journal.get("candidate", [None, None])
    DuplicateCandidate.objects.filter(person_a_id=low, person_b_id=high).update(
        status=DuplicateStatus.PENDING, decided_by=None, decided_at=None
    )
    merge.undone_at = timezone.now()
    merge.undone_by = by
    merge.save(update_fields=["undone_at", "undone_by"])

    restored = Person.objects.get(pk=merge.merged_person_id)
    detail = {"merge": merge.pk, "merged_person": restored.pk, "survivor": survivor.pk, "undone": True}
    audit_record(actor=by, action=AuditAction.CHANGE, obj=survivor, changed_fields=[*restored_fields, "names"], detail=detail)  # fmt: skip
    audit_record(actor=by, action=AuditAction.CREATE, obj=restored, detail=detail)
    return restored


def merge_journal_summary(merge: PersonMerge) -> dict[str, int]:
    """How many rows of each kind the merge moved, deleted or created (for the merge page)."""
    counts: dict[str, int] = {}
    for label, _pk, old in merge.journal.get("updates", []):
        if any(name.endswith("_id") for name in old):
            model = apps.get_model(label)
            key = str(model._meta.verbose_name_plural)
            counts[key] = counts.get(key, 0) + 1
    for chunk in merge.journal.get("deleted", []):
        for item in json.loads(chunk):
            if item["model"] == "registry.person":
                continue
            model = apps.get_model(item["model"])
            key = gettext("%(what)s removed as redundant") % {"what": model._meta.verbose_name_plural}
            counts[key] = counts.get(key, 0) + 1
    return counts
