"""Family relations: how a link entered from either side is stored, and how it reads from the other
side. No database."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

from homecoming.registry.choices import Relation, Sex

__all__ = ["GENERATION", "StoredLink", "inverse_relation", "relation_label", "stored_link"]

#: How many generations above (negative) or below (positive) the other person is, seen from the
#: person whose page it is: "my mother" is one above.
GENERATION: dict[str, int] = {
    Relation.GRANDPARENT: -2,
    Relation.MOTHER: -1,
    Relation.FATHER: -1,
    Relation.PARENT: -1,
    Relation.GUARDIAN: -1,
    Relation.SIBLING: 0,
    Relation.OTHER_RELATIVE: 0,
    Relation.CHILD: 1,
    Relation.WARD: 1,
    Relation.GRANDCHILD: 2,
}


T = TypeVar("T")


@dataclass(frozen=True)
class StoredLink(Generic[T]):
    """A link as stored: ``person`` is the ``relation`` of ``relative`` (ids or objects)."""

    person: T
    relative: T
    relation: Relation


def _parent_relation(sex: str) -> Relation:
    if sex == Sex.FEMALE:
        return Relation.MOTHER
    if sex == Sex.MALE:
        return Relation.FATHER
    return Relation.PARENT


def stored_link(*, subject: T, relation: str, of: T, subject_sex: str, of_sex: str) -> StoredLink[T]:
    """ "``subject`` is the ``relation`` of ``of``", as it is stored.

    A child, grandchild or ward is stored from the other side: "Amir is the child of Zarina"
    becomes "Zarina is the mother of Amir" (mother or father from Zarina's sex, else parent)."""
    rel = Relation(relation)
    if rel == Relation.CHILD:
        return StoredLink(of, subject, _parent_relation(of_sex))
    if rel == Relation.GRANDCHILD:
        return StoredLink(of, subject, Relation.GRANDPARENT)
    if rel == Relation.WARD:
        return StoredLink(of, subject, Relation.GUARDIAN)
    if rel == Relation.PARENT:
        return StoredLink(subject, of, _parent_relation(subject_sex))
    return StoredLink(subject, of, rel)


def inverse_relation(relation: str) -> Relation:
    """What ``relative`` is to ``person`` when ``person`` is the ``relation`` of ``relative``."""
    rel = Relation(relation)
    return {
        Relation.MOTHER: Relation.CHILD,
        Relation.FATHER: Relation.CHILD,
        Relation.PARENT: Relation.CHILD,
        Relation.GRANDPARENT: Relation.GRANDCHILD,
        Relation.GUARDIAN: Relation.WARD,
        Relation.CHILD: Relation.PARENT,
        Relation.GRANDCHILD: Relation.GRANDPARENT,
        Relation.WARD: Relation.GUARDIAN,
    }.get(rel, rel)


def relation_label(relation: str) -> str:
    return str(Relation(relation).label)
