"""Choices of the registry: one TextChoices class per field."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Sex(models.TextChoices):
    FEMALE = "F", _("female")
    MALE = "M", _("male")
    UNKNOWN = "U", _("unknown")


class BirthDatePrecision(models.TextChoices):
    """How well the date of birth is known. ``birth_date`` is always the best estimate."""

    EXACT = "exact", _("exact date")
    MONTH = "month", _("month and year known")
    YEAR = "year", _("year known")
    ESTIMATED = "estimated", _("estimated (a range)")


class NameKind(models.TextChoices):
    PRIMARY = "primary", _("primary name")
    ALIAS = "alias", _("alias or other name")
    FOREIGN_LIST = "foreign_list", _("spelling from a foreign list")
    TRANSLITERATION = "transliteration", _("transliteration")


class NameScript(models.TextChoices):
    """What ``matching.engine.keys.detect_script`` tells."""

    LATIN = "latn", _("Latin")
    CYRILLIC = "cyrl", _("Cyrillic")
    ARABIC = "arab", _("Arabic")
    MIXED = "mixed", _("mixed scripts")
    OTHER = "other", _("other script")


class NationalityBasis(models.TextChoices):
    DESCENT = "descent", _("born to a parent of this nationality")
    BIRTH_IN_TERRITORY = "birth_in_territory", _("born in the country")
    DOCUMENT = "document", _("holds a document of the country")
    NATURALISATION = "naturalisation", _("naturalisation")
    STATEMENT = "statement", _("own or a relative's statement")
    OTHER = "other", _("other")


class NationalityStatus(models.TextChoices):
    CLAIMED = "claimed", _("claimed")
    VERIFIED = "verified", _("verified")
    REJECTED = "rejected", _("rejected")


class DnaKinshipResult(models.TextChoices):
    NONE = "", _("no DNA test")
    PENDING = "pending", _("test pending")
    CONFIRMED = "confirmed", _("kinship confirmed")
    EXCLUDED = "excluded", _("kinship excluded")
    INCONCLUSIVE = "inconclusive", _("inconclusive")


class IdentifierType(models.TextChoices):
    PASSPORT = "passport", _("passport")
    NATIONAL_ID = "national_id", _("national identity card")
    BIRTH_CERTIFICATE = "birth_certificate", _("birth certificate")
    DETAINEE_NUMBER = "detainee_number", _("detainee or prisoner number")
    CAMP_REGISTRATION = "camp_registration", _("camp registration number")
    HUMANITARIAN_REFERENCE = "humanitarian_reference", _("humanitarian organisation reference (ICRC, UNHCR…)")
    OTHER = "other", _("other")


class DocumentKind(models.TextChoices):
    PHOTO = "photo", _("photo")
    BIRTH_CERTIFICATE = "birth_certificate", _("birth certificate")
    PASSPORT = "passport", _("passport or identity document")
    COURT = "court", _("court document")
    DNA_REPORT = "dna_report", _("DNA report")
    STATEMENT = "statement", _("written statement")
    MEDICAL = "medical", _("medical document")
    OTHER = "other", _("other document")


class Relation(models.TextChoices):
    """What ``person`` is to ``relative`` in a family link. Stored links use only
    ``STORED_RELATIONS``: a child or grandchild is stored the other way round."""

    MOTHER = "mother", _("mother")
    FATHER = "father", _("father")
    PARENT = "parent", _("parent")
    CHILD = "child", _("child")
    SIBLING = "sibling", _("sibling")
    GRANDPARENT = "grandparent", _("grandparent")
    GRANDCHILD = "grandchild", _("grandchild")
    GUARDIAN = "guardian", _("guardian")
    WARD = "ward", _("under the guardianship of")
    OTHER_RELATIVE = "other_relative", _("other relative")


STORED_RELATIONS = frozenset(
    {
        Relation.MOTHER,
        Relation.FATHER,
        Relation.PARENT,
        Relation.SIBLING,
        Relation.GRANDPARENT,
        Relation.GUARDIAN,
        Relation.OTHER_RELATIVE,
    }
)

#: Relations offered when linking: "<relative> is the … of <person>".
INPUT_RELATIONS = (
    Relation.MOTHER,
    Relation.FATHER,
    Relation.CHILD,
    Relation.SIBLING,
    Relation.GRANDPARENT,
    Relation.GRANDCHILD,
    Relation.GUARDIAN,
    Relation.WARD,
    Relation.OTHER_RELATIVE,
)


class LinkConfidence(models.TextChoices):
    CONFIRMED = "confirmed", _("confirmed (documents or DNA)")
    PROBABLE = "probable", _("probable (consistent statements)")
    POSSIBLE = "possible", _("possible (to be checked)")


class FacilityKind(models.TextChoices):
    PRISON = "prison", _("prison")
    CAMP = "camp", _("camp")
    CENTRE = "centre", _("detention or rehabilitation centre")
    FOSTER = "foster", _("foster family")
    RELATIVES = "relatives", _("placement with relatives")
    INSTITUTION = "institution", _("children's home or institution")


ABROAD_KINDS = frozenset({FacilityKind.PRISON, FacilityKind.CAMP, FacilityKind.CENTRE})
HOME_KINDS = frozenset({FacilityKind.FOSTER, FacilityKind.RELATIVES, FacilityKind.INSTITUTION})


class CustodyEndReason(models.TextChoices):
    NONE = "", _("still held")
    RELEASED = "released", _("released")
    TRANSFERRED = "transferred", _("transferred elsewhere")
    REPATRIATED = "repatriated", _("repatriated")
    HANDED_OVER = "handed_over", _("handed over to another state")
    PLACEMENT_ENDED = "placement_ended", _("placement ended")
    OTHER = "other", _("other")


class AgeBand(models.TextChoices):
    """Age bands of the person list's filter (age today from the best estimate)."""

    UNDER_5 = "0-4", _("under 5")
    FROM_5 = "5-11", _("5 to 11")
    FROM_12 = "12-17", _("12 to 17")
    ADULT = "18+", _("18 and over")
    UNKNOWN = "unknown", _("date of birth unknown")


#: (youngest, oldest) completed years of each band; None: open.
AGE_BAND_YEARS: dict[str, tuple[int, int | None]] = {
    AgeBand.UNDER_5: (0, 4),
    AgeBand.FROM_5: (5, 11),
    AgeBand.FROM_12: (12, 17),
    AgeBand.ADULT: (18, None),
}
