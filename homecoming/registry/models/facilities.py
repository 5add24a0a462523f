"""Facilities (prisons, camps and centres abroad; placements at home) and custody records."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from homecoming.registry.choices import ABROAD_KINDS, CustodyEndReason, FacilityKind
from homecoming.registry.countries import COUNTRY_CHOICES
from homecoming.registry.models.persons import Person

__all__ = ["LEGAL_FIELDS", "CustodyRecord", "Facility"]


class Facility(models.Model):
    """A place where persons are held or placed. Not person data: any role with
    ``Perm.FACILITY_VIEW`` sees facilities; ``Perm.FACILITY_CHANGE`` edits them."""

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=FacilityKind.choices)
    country = models.CharField(_("country"), max_length=3, choices=COUNTRY_CHOICES)
    locality = models.CharField(_("town or region"), max_length=200, blank=True)
    custodian_authority = models.CharField(
        _("custodian authority"),
        max_length=200,
        blank=True,
        help_text=_("Who holds or runs it, e.g. “Government of Iraq”, “North-east Syria administration”."),
    )
    notes = models.TextField(_("notes"), blank=True)
    is_active = models.BooleanField(_("in use"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["country", "name"]
        verbose_name = _("facility")
        verbose_name_plural = _("facilities")
        constraints = [
            models.UniqueConstraint(
                fields=["name", "country"],
                name="%(app_label)s_%(class)s_unique_name_country",
                violation_error_message=_("A facility of this name is already registered in this country."),
            ),
            models.CheckConstraint(
                condition=Q(kind__in=FacilityKind.values), name="%(app_label)s_%(class)s_kind_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("registry:facility_detail", kwargs={"pk": self.pk})

    @property
    def is_abroad(self) -> bool:
        return self.kind in ABROAD_KINDS


#: The legal field group of a custody record: shown only to users with ``Perm.LEGAL_VIEW``.
LEGAL_FIELDS = ("charge", "sentence", "sentence_months", "life_sentence", "court", "sentenced_on", "notes")


class CustodyRecord(models.Model):
    """Where a person is (or was) held or placed, since when, until when, on what legal basis."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="custody_records")
    facility = models.ForeignKey(Facility, on_delete=models.PROTECT, related_name="custody_records")
    since = models.DateField(
        _("since"), help_text=_("The day they arrived, or the earliest day they are known to be there.")
    )
    until = models.DateField(_("until"), null=True, blank=True, help_text=_("Release, transfer or end of placement."))
    end_reason = models.CharField(
        _("how it ended"), max_length=20, choices=CustodyEndReason.choices, blank=True, default=""
    )
    # --- legal field group (Perm.LEGAL_VIEW) ---
    charge = models.TextField(_("charge"), blank=True)
    sentence = models.CharField(_("sentence as pronounced"), max_length=300, blank=True)
    sentence_months = models.PositiveIntegerField(_("length of the sentence (months)"), null=True, blank=True)
    life_sentence = models.BooleanField(_("life sentence"), default=False)
    court = models.CharField(_("court"), max_length=200, blank=True)
    sentenced_on = models.DateField(_("sentenced on"), null=True, blank=True)
    notes = models.TextField(_("legal notes"), blank=True)
    # ---
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-since", "-id"]
        verbose_name = _("custody record")
        verbose_name_plural = _("custody records")
        constraints = [
            models.CheckConstraint(
                condition=Q(until__isnull=True) | Q(until__gte=F("since")),
                name="%(app_label)s_%(class)s_until_after_since",
                violation_error_message=_("The end date cannot be before the start date."),
            ),
            models.CheckConstraint(
                condition=Q(life_sentence=False) | Q(sentence_months__isnull=True),
                name="%(app_label)s_%(class)s_life_sentence_has_no_length",
                violation_error_message=_("A life sentence has no length in months."),
            ),
            models.CheckConstraint(
                condition=Q(until__isnull=False) | Q(end_reason=""),
                name="%(app_label)s_%(class)s_end_reason_needs_end",
            ),
            models.UniqueConstraint(
                fields=["person"],
                condition=Q(until__isnull=True),
                name="%(app_label)s_%(class)s_one_current_per_person",
                violation_error_message=_("This person is already recorded as held or placed somewhere now."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} @ {self.facility}"

    @property
    def is_current(self) -> bool:
        return self.until is None
