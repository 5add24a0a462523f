"""Tracing requests: a relative at home looking for a child or a woman who may be held abroad, and the
registered persons the engine proposes for each request, with a tracing worker's decision."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from homecoming.accounts.models import Agency
from homecoming.registry.choices import Sex
from homecoming.registry.countries import COUNTRY_CHOICES


class RequesterRelation(models.TextChoices):
    MOTHER = "mother", _("mother")
    FATHER = "father", _("father")
    GRANDPARENT = "grandparent", _("grandparent")
    SIBLING = "sibling", _("brother or sister")
    AUNT_UNCLE = "aunt_uncle", _("aunt or uncle")
    SPOUSE = "spouse", _("husband or wife")
    CHILD = "child", _("son or daughter")
    OTHER = "other", _("other relative")


class TracingStatus(models.TextChoices):
    OPEN = "open", _("open: searching")
    FOUND = "found", _("found")
    CLOSED = "closed", _("closed")


class MatchStatus(models.TextChoices):
    PENDING = "pending", _("to review")
    CONFIRMED = "confirmed", _("confirmed: the person sought")
    REJECTED = "rejected", _("not the person sought")


class TracingRequest(models.Model):
    """Who asks, for whom, and what they know. The sought person's names may be in any script, one per line."""

    owner_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+", verbose_name=_("agency"))
    status = models.CharField(
        _("status"), max_length=12, choices=TracingStatus.choices, default=TracingStatus.OPEN, db_index=True
    )
    # The relative asking
    requester_name = models.CharField(_("name of the relative asking"), max_length=200)
    requester_relation = models.CharField(
        _("relation to the person sought"), max_length=20, choices=RequesterRelation.choices
    )
    requester_contact = models.CharField(_("phone or address"), max_length=300, blank=True)
    requester_district = models.CharField(_("district at home"), max_length=120, blank=True)
    # The person sought
    sought_names = models.TextField(
        _("names of the person sought"), help_text=_("One spelling per line, in any script, as the family writes it.")
    )
    sought_sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices, default=Sex.UNKNOWN)
    sought_birth_date_min = models.DateField(_("born not before"), null=True, blank=True)
    sought_birth_date_max = models.DateField(_("born not after"), null=True, blank=True)
    sought_mother_name = models.CharField(_("mother's name"), max_length=200, blank=True)
    sought_father_name = models.CharField(_("father's name"), max_length=200, blank=True)
    last_known_place = models.CharField(_("last known place"), max_length=200, blank=True)
    last_known_country = models.CharField(_("last known country"), max_length=3, choices=COUNTRY_CHOICES, blank=True)
    last_known_on = models.DateField(_("last news on"), null=True, blank=True)
    circumstances = models.TextField(_("what the family knows"), blank=True)
    # Consent of the relative to tracing (using and sharing these details to look for the person)
    consent_on = models.DateField(_("consent to tracing given on"))
    consent_withdrawn_on = models.DateField(_("consent withdrawn on"), null=True, blank=True)
    closed_reason = models.CharField(_("why it was closed"), max_length=300, blank=True)
    last_searched_at = models.DateTimeField(_("last searched"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("tracing request")
        verbose_name_plural = _("tracing requests")
        constraints = [
            models.CheckConstraint(
                condition=Q(sought_birth_date_min__isnull=True)
                | Q(sought_birth_date_max__isnull=True)
                | Q(sought_birth_date_min__lte=models.F("sought_birth_date_max")),
                name="tracing_birth_range_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"T-{self.pk}"

    def get_absolute_url(self) -> str:
        return reverse("tracing:request_detail", kwargs={"pk": self.pk})

    @property
    def reference(self) -> str:
        return f"T-{self.pk:05d}" if self.pk else ""

    @property
    def names(self) -> list[str]:
        return [line.strip() for line in self.sought_names.splitlines() if line.strip()]

    @property
    def consent_active(self) -> bool:
        return self.consent_withdrawn_on is None

    @property
    def is_searching(self) -> bool:
        return self.status == TracingStatus.OPEN and self.consent_active


class TracingMatch(models.Model):
    """A registered person the engine proposes for a request, with the evidence, and the decision."""

    request = models.ForeignKey(TracingRequest, on_delete=models.CASCADE, related_name="matches")
    person = models.ForeignKey("registry.Person", on_delete=models.CASCADE, related_name="tracing_matches")
    probability = models.FloatField(_("probability"))
    matched_name = models.CharField(_("name that matched"), max_length=300, blank=True)
    # [{"field", "level", "weight"}] — the engine's evidence in bits, mother's name included
    reasons = models.JSONField(default=list, blank=True)
    status = models.CharField(
        _("decision"), max_length=12, choices=MatchStatus.choices, default=MatchStatus.PENDING, db_index=True
    )
    note = models.TextField(_("note"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    found_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-probability", "id"]
        verbose_name = _("tracing match")
        verbose_name_plural = _("tracing matches")
        constraints = [models.UniqueConstraint(fields=["request", "person"], name="tracing_match_once")]

    def __str__(self) -> str:
        return f"{self.request} ~ {self.person_id} ({self.probability:.2f})"
