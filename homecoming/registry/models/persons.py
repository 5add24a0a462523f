"""Persons, their names in every script, the search keys of those names, shares, nationality
claims and identifiers."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from homecoming.accounts.models import Agency
from homecoming.registry.birth import BirthRange, range_of_precision
from homecoming.registry.choices import (
    BirthDatePrecision,
    DnaKinshipResult,
    IdentifierType,
    NameKind,
    NameScript,
    NationalityBasis,
    NationalityStatus,
    Sex,
)
from homecoming.registry.countries import COUNTRY_CHOICES

__all__ = [
    "Identifier",
    "NameKey",
    "NationalityClaim",
    "Person",
    "PersonName",
    "PersonShare",
    "ShareKind",
]


class Person(models.Model):
    """Anyone the system tracks: a child, a woman, a man, a relative at home.

    ``display_name`` mirrors the primary name (``PersonName.is_primary``); only the registry's
    name services write either. ``birth_date`` is the best estimate of the date of birth;
    ``birth_date_min`` / ``birth_date_max`` give the range it stands for.
    """

    owner_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="owned_persons")
    display_name = models.CharField(_("name"), max_length=300, help_text=_("The primary name as written."))
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices, default=Sex.UNKNOWN)
    birth_date = models.DateField(_("date of birth"), null=True, blank=True, db_index=True)
    birth_date_precision = models.CharField(
        _("how well the date of birth is known"),
        max_length=10,
        choices=BirthDatePrecision.choices,
        default=BirthDatePrecision.EXACT,
    )
    birth_date_min = models.DateField(_("born at the earliest on"), null=True, blank=True)
    birth_date_max = models.DateField(_("born at the latest on"), null=True, blank=True)
    birth_place = models.CharField(_("place of birth"), max_length=200, blank=True)
    birth_country = models.CharField(_("country of birth"), max_length=3, choices=COUNTRY_CHOICES, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-id"]
        verbose_name = _("person")
        verbose_name_plural = _("persons")
        constraints = [
            models.CheckConstraint(condition=Q(sex__in=Sex.values), name="%(app_label)s_%(class)s_sex_valid"),
            models.CheckConstraint(
                condition=Q(birth_date_precision__in=BirthDatePrecision.values),
                name="%(app_label)s_%(class)s_birth_precision_valid",
            ),
            models.CheckConstraint(
                condition=Q(birth_date_min__isnull=True)
                | Q(birth_date_max__isnull=True)
                | Q(birth_date_min__lte=F("birth_date_max")),
                name="%(app_label)s_%(class)s_birth_range_ordered",
                violation_error_message=_("The earliest date of birth must not be after the latest."),
            ),
            models.CheckConstraint(
                condition=Q(birth_date__isnull=True)
                | Q(birth_date_min__isnull=True)
                | Q(birth_date_max__isnull=True)
                | Q(birth_date__gte=F("birth_date_min"), birth_date__lte=F("birth_date_max")),
                name="%(app_label)s_%(class)s_birth_date_in_range",
                violation_error_message=_("The date of birth must lie within its range."),
            ),
            models.CheckConstraint(
                condition=~Q(birth_date_precision=BirthDatePrecision.ESTIMATED)
                | Q(birth_date_min__isnull=False, birth_date_max__isnull=False),
                name="%(app_label)s_%(class)s_estimate_has_range",
                violation_error_message=_("An estimated date of birth needs its range."),
            ),
        ]

    def __str__(self) -> str:
        return self.display_name

    def get_absolute_url(self) -> str:
        return reverse("registry:person_detail", kwargs={"pk": self.pk})

    # --- dates of birth ---------------------------------------------------------------------

    @property
    def birth_range(self) -> BirthRange | None:
        if self.birth_date_min is not None and self.birth_date_max is not None:
            return BirthRange(self.birth_date_min, self.birth_date_max)
        if self.birth_date is not None:
            return BirthRange(self.birth_date, self.birth_date)
        return None

    @property
    def birth_is_estimated(self) -> bool:
        return self.birth_date is not None and self.birth_date_precision != BirthDatePrecision.EXACT

    def clean(self) -> None:
        """Derive the range of a date given at a precision; check an estimate and dates in the future."""
        super().clean()
        errors: dict[str, ValidationError] = {}
        today = timezone.localdate()
        self.display_name = (self.display_name or "").strip()
        if self.birth_date_precision == BirthDatePrecision.ESTIMATED:
            self._clean_estimate(errors)
        elif self.birth_date is None:
            self.birth_date_min = self.birth_date_max = None
        else:
            derived = range_of_precision(_as_date(self.birth_date), self.birth_date_precision, today=today)
            self.birth_date_min, self.birth_date_max = derived.earliest, derived.latest
        for field in ("birth_date", "birth_date_min", "birth_date_max"):
            value = getattr(self, field)
            if value is not None and field not in errors and _as_date(value) > today:
                errors[field] = ValidationError(_("A date of birth cannot be in the future."), code="birth_in_future")
        if errors:
            raise ValidationError(errors)

    def _clean_estimate(self, errors: dict[str, ValidationError]) -> None:
        low, high = self.birth_date_min, self.birth_date_max
        if low is None:
            errors["birth_date_min"] = ValidationError(
                _("Give the earliest likely date of birth of an estimated date (or the age and when it was told)."),
                code="estimate_needs_range",
            )
        if high is None:
            errors["birth_date_max"] = ValidationError(
                _("Give the latest likely date of birth of an estimated date (or the age and when it was told)."),
                code="estimate_needs_range",
            )
        if low is None or high is None:
            return
        low, high = _as_date(low), _as_date(high)
        if low > high:
            errors["birth_date_max"] = ValidationError(
                _("The latest likely date of birth must not be before the earliest."), code="range_reversed"
            )
            return
        if self.birth_date is None or not (low <= _as_date(self.birth_date) <= high):
            self.birth_date = BirthRange(low, high).best


def _as_date(value: dt.date | str) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


class PersonName(models.Model):
    """One name of a person as written, in any script. Exactly one per person is primary.

    ``script`` and ``romanised`` are derived; the search keys are in ``NameKey``. Only the
    registry's name services write names (they keep the keys and ``Person.display_name`` in step).
    """

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="names")
    full_name = models.CharField(_("name as written"), max_length=300)
    given_name = models.CharField(_("given name"), max_length=150, blank=True)
    family_name = models.CharField(_("family name"), max_length=150, blank=True)
    script = models.CharField(_("script"), max_length=8, choices=NameScript.choices, blank=True)
    kind = models.CharField(_("kind of name"), max_length=20, choices=NameKind.choices, default=NameKind.ALIAS)
    is_primary = models.BooleanField(_("primary"), default=False)
    source = models.CharField(
        _("source"),
        max_length=200,
        blank=True,
        help_text=_("Where this spelling comes from, e.g. a foreign authority's list or a birth certificate."),
    )
    romanised = models.CharField(_("romanised"), max_length=300, blank=True)
    keys_version = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-is_primary", "id"]
        verbose_name = _("name")
        verbose_name_plural = _("names")
        constraints = [
            models.UniqueConstraint(
                fields=["person"],
                condition=Q(is_primary=True),
                name="%(app_label)s_%(class)s_one_primary",
                violation_error_message=_("A person has exactly one primary name."),
            ),
            models.UniqueConstraint(
                fields=["person", "full_name"],
                name="%(app_label)s_%(class)s_unique_spelling",
                violation_error_message=_("This person already has this name."),
            ),
            models.CheckConstraint(
                condition=Q(is_primary=True, kind=NameKind.PRIMARY) | (Q(is_primary=False) & ~Q(kind=NameKind.PRIMARY)),
                name="%(app_label)s_%(class)s_primary_kind",
            ),
        ]

    def __str__(self) -> str:
        return self.full_name


class NameKey(models.Model):
    """A search key of a person's name (``matching.engine.keys.token_keys``), for indexed lookups.

    Written only by the registry's name services, together with the name."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="name_keys")
    name = models.ForeignKey(PersonName, on_delete=models.CASCADE, related_name="keys")
    key = models.CharField(max_length=40)

    class Meta:
        verbose_name = _("name key")
        verbose_name_plural = _("name keys")
        constraints = [
            models.UniqueConstraint(fields=["name", "key"], name="%(app_label)s_%(class)s_unique_name_key"),
        ]
        indexes = [
            # Equality and prefix (LIKE 'abc%') lookups on PostgreSQL whatever the collation; the
            # person id in the index answers "which persons have this key" from the index alone.
            models.Index(
                fields=["key", "person"],
                name="registry_namekey_key_idx",
                opclasses=["varchar_pattern_ops", "int8_ops"],
            ),
        ]

    def __str__(self) -> str:
        return self.key


class ShareKind(models.TextChoices):
    SHARED = "shared", _("shared")
    REFERRED = "referred", _("referred")


class PersonShare(models.Model):
    """Another agency's access to a person (and their cases): shared for information or referred for services."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="shares")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="shared_persons")
    kind = models.CharField(_("kind"), max_length=20, choices=ShareKind.choices, default=ShareKind.SHARED)
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("share")
        verbose_name_plural = _("shares")
        constraints = [
            models.UniqueConstraint(fields=["person", "agency"], name="%(app_label)s_%(class)s_unique_person_agency")
        ]

    def __str__(self) -> str:
        return f"{self.person} → {self.agency}"


class NationalityClaim(models.Model):
    """A claim that a person holds a nationality, and its verification."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="nationality_claims")
    country = models.CharField(_("nationality"), max_length=3, choices=COUNTRY_CHOICES)
    basis = models.CharField(_("basis"), max_length=30, choices=NationalityBasis.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=NationalityStatus.choices, default=NationalityStatus.CLAIMED
    )
    statement = models.TextField(
        _("statements"), blank=True, help_text=_("Who said what, and when (the person, a relative, an authority).")
    )
    evidence_documents = models.ManyToManyField(
        "registry.PersonDocument", blank=True, related_name="supported_claims", verbose_name=_("documents")
    )
    dna_result = models.CharField(
        _("DNA kinship result"), max_length=20, choices=DnaKinshipResult.choices, blank=True, default=""
    )
    dna_relative = models.ForeignKey(
        Person,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("DNA compared with"),
        help_text=_("The relative (a citizen at home) whose DNA was compared."),
    )
    dna_reference = models.CharField(_("DNA report reference"), max_length=100, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.TextField(_("reasons of the decision"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["country"]
        verbose_name = _("nationality claim")
        verbose_name_plural = _("nationality claims")
        constraints = [
            models.UniqueConstraint(
                fields=["person", "country"],
                name="%(app_label)s_%(class)s_unique_person_country",
                violation_error_message=_("This nationality is already claimed for this person."),
            ),
            models.CheckConstraint(
                condition=Q(status=NationalityStatus.CLAIMED, decided_at__isnull=True)
                | (~Q(status=NationalityStatus.CLAIMED) & Q(decided_at__isnull=False)),
                name="%(app_label)s_%(class)s_decided_when_verified_or_rejected",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} · {self.country} ({self.status})"


class Identifier(models.Model):
    """A number an authority gave a person: passport, identity card, detainee number, …

    Unique per type, issuer (country and authority) and value, whoever holds it."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="identifiers")
    identifier_type = models.CharField(_("type"), max_length=30, choices=IdentifierType.choices)
    issuer_country = models.CharField(_("issuing country"), max_length=3, choices=COUNTRY_CHOICES, blank=True)
    issuing_authority = models.CharField(_("issuing authority"), max_length=200, blank=True)
    value = models.CharField(_("number"), max_length=100)
    value_key = models.CharField(max_length=100, editable=False)
    issued_on = models.DateField(_("issued on"), null=True, blank=True)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["identifier_type", "id"]
        verbose_name = _("identifier")
        verbose_name_plural = _("identifiers")
        constraints = [
            models.UniqueConstraint(
                fields=["identifier_type", "issuer_country", "issuing_authority", "value_key"],
                name="%(app_label)s_%(class)s_unique_per_issuer",
                violation_error_message=_("This number of this issuer is already recorded in the registry."),
            ),
            models.CheckConstraint(
                condition=Q(issued_on__isnull=True) | Q(valid_until__isnull=True) | Q(valid_until__gte=F("issued_on")),
                name="%(app_label)s_%(class)s_valid_after_issued",
                violation_error_message=_("The document cannot expire before it was issued."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_identifier_type_display()} {self.value}"

    @property
    def is_expired(self) -> bool:
        return self.valid_until is not None and self.valid_until < timezone.localdate()
