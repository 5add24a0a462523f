"""Models of the registry: persons and their names, family, documents, facilities and custody."""

from homecoming.registry.choices import Sex
from homecoming.registry.models.documents import PersonDocument
from homecoming.registry.models.facilities import LEGAL_FIELDS, CustodyRecord, Facility
from homecoming.registry.models.family import FamilyGroup, FamilyGroupMember, FamilyLink
from homecoming.registry.models.persons import (
    Identifier,
    NameKey,
    NationalityClaim,
    Person,
    PersonName,
    PersonShare,
    ShareKind,
)

__all__ = [
    "LEGAL_FIELDS",
    "CustodyRecord",
    "Facility",
    "FamilyGroup",
    "FamilyGroupMember",
    "FamilyLink",
    "Identifier",
    "NameKey",
    "NationalityClaim",
    "Person",
    "PersonDocument",
    "PersonName",
    "PersonShare",
    "Sex",
    "ShareKind",
]
