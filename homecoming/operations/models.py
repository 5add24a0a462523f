"""Negotiations with foreign authorities and repatriation operations: transport legs, the
manifest (by family group), fees, handovers to third states and the arrival.

Rows are written only by ``homecoming.operations.services``. A manifest entry, a fee and a
handover are evidence and are never deleted (``PROTECT``); a withdrawn entry stays, with its
reason.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from homecoming.accounts.models import Agency
from homecoming.cases.models import Case
from homecoming.operations.choices import (
    FeeKind,
    FollowUpStatus,
    ManifestStatus,
    OperationStatus,
    TransportMode,
)
from homecoming.registry.models import Facility, FamilyGroup, Person

country_code = RegexValidator(r"^[A-Z]{3}$", _("Use the three-letter ISO 3166 code, for example TJK or IRQ."))
currency_code = RegexValidator(r"^[A-Z]{3}$", _("Use the three-letter ISO 4217 code, for example USD or TJS."))


class Operation(models.Model):
    """One repatriation mission: from a country and its facilities, home (or to a third state)."""

    name = models.CharField(_("name"), max_length=200)
    owner_agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, related_name="owned_operations", verbose_name=_("owner agency")
    )
    partner_agencies = models.ManyToManyField(
        Agency,
        blank=True,
        related_name="partner_operations",
        verbose_name=_("partner agencies"),
        help_text=_("Agencies in the system that take part; they see the operation."),
    )
    other_partners = models.CharField(
        _("other partners"),
        max_length=500,
        blank=True,
        help_text=_("Organisations outside the system, for example the ICRC or UNICEF."),
    )
    origin_country = models.CharField(_("origin country"), max_length=3, validators=[country_code])
    origin_place = models.CharField(_("place of departure"), max_length=200, blank=True)
    origin_facilities = models.ManyToManyField(
        Facility, blank=True, related_name="operations", verbose_name=_("origin facilities")
    )
    released_by = models.CharField(
        _("released by"),
        max_length=300,
        blank=True,
        help_text=_("The detaining authority that releases the people, for example the Government of Iraq."),
    )
    destination_country = models.CharField(_("destination country"), max_length=3, validators=[country_code])
    destination_place = models.CharField(_("place of arrival"), max_length=200, blank=True)
    planned_start = models.DateField(_("planned departure"), null=True, blank=True)
    planned_end = models.DateField(_("planned arrival"), null=True, blank=True)
    actual_start = models.DateField(_("actual departure"), null=True, blank=True)
    actual_end = models.DateField(_("actual arrival"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=OperationStatus.choices, default=OperationStatus.PLANNING, db_index=True
    )
    status_reason = models.TextField(_("reason for the status"), blank=True)
    escorts = models.TextField(_("escorts"), blank=True, help_text=_("Who travels with the group, one per line."))
    notes = models.TextField(_("notes"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("last changed"), auto_now=True)

    class Meta:
        ordering = ["-planned_start", "-id"]
        verbose_name = _("operation")
        verbose_name_plural = _("operations")
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=OperationStatus.values), name="%(app_label)s_%(class)s_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(planned_end__isnull=True)
                | Q(planned_start__isnull=True)
                | Q(planned_end__gte=F("planned_start")),
                name="%(app_label)s_%(class)s_planned_order",
                violation_error_message=_("The planned arrival cannot be before the planned departure."),
            ),
            models.CheckConstraint(
                condition=Q(actual_end__isnull=True)
                | Q(actual_start__isnull=True)
                | Q(actual_end__gte=F("actual_start")),
                name="%(app_label)s_%(class)s_actual_order",
                violation_error_message=_("The arrival cannot be before the departure."),
            ),
            models.CheckConstraint(
                condition=~Q(status=OperationStatus.COMPLETED) | Q(actual_end__isnull=False),
                name="%(app_label)s_%(class)s_completed_has_arrival",
                violation_error_message=_("A completed operation has an arrival date."),
            ),
        ]
        indexes = [models.Index(fields=["owner_agency", "status"], name="operations_agency_status_idx")]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("operations:operation_detail", kwargs={"pk": self.pk})

    @property
    def reference(self) -> str:
        return f"OP-{self.pk:04d}" if self.pk else ""

    @property
    def date(self) -> datetime.date | None:
        """The operation's date for figures: its actual arrival, else departure, else the plan."""
        return self.actual_end or self.actual_start or self.planned_end or self.planned_start


class TransportLeg(models.Model):
    """One stage of the journey: a flight or a convoy from one place to another."""

    operation = models.ForeignKey(Operation, on_delete=models.CASCADE, related_name="legs", verbose_name=_("operation"))
    sequence = models.PositiveSmallIntegerField(_("order"), default=1)
    mode = models.CharField(_("mode"), max_length=20, choices=TransportMode.choices)
    carrier = models.CharField(_("carrier"), max_length=200, blank=True)
    number = models.CharField(_("flight or convoy number"), max_length=60, blank=True)
    from_place = models.CharField(_("from"), max_length=200)
    from_country = models.CharField(_("from country"), max_length=3, validators=[country_code])
    to_place = models.CharField(_("to"), max_length=200)
    to_country = models.CharField(_("to country"), max_length=3, validators=[country_code])
    departure_at = models.DateTimeField(_("departure"), null=True, blank=True)
    arrival_at = models.DateTimeField(_("arrival"), null=True, blank=True)
    notes = models.CharField(_("notes"), max_length=500, blank=True)

    class Meta:
        ordering = ["operation", "sequence", "departure_at", "id"]
        verbose_name = _("transport leg")
        verbose_name_plural = _("transport legs")
        constraints = [
            models.CheckConstraint(
                condition=Q(mode__in=TransportMode.values), name="%(app_label)s_%(class)s_mode_valid"
            ),
            models.CheckConstraint(
                condition=Q(arrival_at__isnull=True)
                | Q(departure_at__isnull=True)
                | Q(arrival_at__gte=F("departure_at")),
                name="%(app_label)s_%(class)s_arrival_after_departure",
                violation_error_message=_("The arrival cannot be before the departure."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.from_place} → {self.to_place}"


class ManifestEntry(models.Model):
    """One person (through their case) on an operation's manifest, in a family group."""

    operation = models.ForeignKey(
        Operation, on_delete=models.PROTECT, related_name="manifest", verbose_name=_("operation")
    )
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="manifest_entries", verbose_name=_("case"))
    family_group = models.ForeignKey(
        FamilyGroup,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="manifest_entries",
        verbose_name=_("family group"),
    )
    group_label = models.CharField(
        _("family group"),
        max_length=200,
        help_text=_("People who travel together share a family group, for example the mother's name."),
    )
    status = models.CharField(
        _("status"), max_length=20, choices=ManifestStatus.choices, default=ManifestStatus.PLANNED, db_index=True
    )
    status_reason = models.TextField(_("reason"), blank=True)
    seat = models.CharField(_("seat or place"), max_length=20, blank=True)
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    added_at = models.DateTimeField(_("added"), default=timezone.now)
    status_changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    status_changed_at = models.DateTimeField(_("status changed"), null=True, blank=True)

    class Meta:
        ordering = ["operation", "group_label", "id"]
        verbose_name = _("manifest entry")
        verbose_name_plural = _("manifest entries")
        constraints = [
            models.UniqueConstraint(
                fields=["operation", "case"],
                name="%(app_label)s_%(class)s_unique_case",
                violation_error_message=_("This person is already on the manifest of this operation."),
            ),
            models.CheckConstraint(
                condition=Q(status__in=ManifestStatus.values), name="%(app_label)s_%(class)s_status_valid"
            ),
            models.CheckConstraint(
                condition=~Q(status__in=[ManifestStatus.WITHDRAWN, ManifestStatus.NO_SHOW]) | ~Q(status_reason=""),
                name="%(app_label)s_%(class)s_reason_given",
                violation_error_message=_("Say why the person is withdrawn or did not travel."),
            ),
            models.CheckConstraint(condition=~Q(group_label=""), name="%(app_label)s_%(class)s_group_label_given"),
        ]

    def __str__(self) -> str:
        return f"{self.operation_id}: {self.case_id} ({self.status})"


class FeeEntry(models.Model):
    """A sum paid for an operation: to the detaining authority, for the flight, tests, documents."""

    operation = models.ForeignKey(Operation, on_delete=models.PROTECT, related_name="fees", verbose_name=_("operation"))
    person = models.ForeignKey(
        Person,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="operation_fees",
        verbose_name=_("for person"),
        help_text=_("Leave empty for a sum paid for the whole operation."),
    )
    kind = models.CharField(_("kind"), max_length=30, choices=FeeKind.choices)
    amount = models.DecimalField(
        _("amount"), max_digits=14, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))]
    )
    currency = models.CharField(_("currency"), max_length=3, validators=[currency_code])
    payer = models.CharField(_("paid by"), max_length=200)
    payee = models.CharField(_("paid to"), max_length=200)
    paid_on = models.DateField(_("date paid"))
    reference = models.CharField(_("payment reference"), max_length=120, blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(_("recorded"), default=timezone.now)

    class Meta:
        ordering = ["operation", "paid_on", "id"]
        verbose_name = _("fee")
        verbose_name_plural = _("fees")
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=FeeKind.values), name="%(app_label)s_%(class)s_kind_valid"),
            models.CheckConstraint(
                condition=Q(amount__gt=0),
                name="%(app_label)s_%(class)s_amount_positive",
                violation_error_message=_("The amount must be more than zero."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.amount} {self.currency} ({self.get_kind_display()})"


class Handover(models.Model):
    """A person handed over to a third state's authorities during an operation."""

    operation = models.ForeignKey(
        Operation, on_delete=models.PROTECT, related_name="handovers", verbose_name=_("operation")
    )
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="handovers", verbose_name=_("case"))
    receiving_country = models.CharField(_("receiving state"), max_length=3, validators=[country_code])
    receiving_authority = models.CharField(_("receiving authority"), max_length=300)
    place = models.CharField(_("place"), max_length=200)
    handed_over_at = models.DateTimeField(_("time of handover"))
    our_officials = models.TextField(_("our officials"), help_text=_("Names and functions, one per line."))
    their_officials = models.TextField(
        _("their officials"), help_text=_("Names and functions of the receiving officials, one per line.")
    )
    note = models.TextField(_("note"), blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(_("recorded"), default=timezone.now)

    class Meta:
        ordering = ["operation", "handed_over_at", "id"]
        verbose_name = _("handover")
        verbose_name_plural = _("handovers")
        constraints = [
            models.UniqueConstraint(
                fields=["case"],
                name="%(app_label)s_%(class)s_once_per_case",
                violation_error_message=_("This person has already been handed over."),
            ),
            models.CheckConstraint(
                condition=~Q(receiving_authority=""), name="%(app_label)s_%(class)s_authority_given"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} → {self.receiving_country}"


class Negotiation(models.Model):
    """A meeting with a foreign counterpart about repatriation: who, where, what came of it."""

    owner_agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, related_name="negotiations", verbose_name=_("owner agency")
    )
    held_on = models.DateField(_("date"))
    place = models.CharField(_("place"), max_length=200)
    counterpart_country = models.CharField(_("counterpart's country"), max_length=3, validators=[country_code])
    their_authority = models.CharField(_("counterpart's authority"), max_length=300)
    our_participants = models.TextField(_("our participants"), help_text=_("Names and functions, one per line."))
    their_participants = models.TextField(_("their participants"), help_text=_("Names and functions, one per line."))
    subject = models.CharField(_("subject"), max_length=300)
    outcome = models.TextField(_("outcome"), blank=True)
    operations = models.ManyToManyField(
        Operation, blank=True, related_name="negotiations", verbose_name=_("operations concerned")
    )
    persons = models.ManyToManyField(
        Person, blank=True, related_name="negotiations", verbose_name=_("persons concerned")
    )
    facilities = models.ManyToManyField(
        Facility, blank=True, related_name="negotiations", verbose_name=_("facilities concerned")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("last changed"), auto_now=True)

    class Meta:
        ordering = ["-held_on", "-id"]
        verbose_name = _("negotiation")
        verbose_name_plural = _("negotiations")
        constraints = [
            models.CheckConstraint(condition=~Q(subject=""), name="%(app_label)s_%(class)s_subject_given"),
        ]

    def __str__(self) -> str:
        return f"{self.held_on}: {self.subject}"

    def get_absolute_url(self) -> str:
        return reverse("operations:negotiation_detail", kwargs={"pk": self.pk})


class NegotiationAction(models.Model):
    """A follow-up action agreed in a negotiation, with its due date and status."""

    negotiation = models.ForeignKey(
        Negotiation, on_delete=models.CASCADE, related_name="actions", verbose_name=_("negotiation")
    )
    description = models.CharField(_("action"), max_length=500)
    responsible = models.CharField(_("responsible"), max_length=200, blank=True)
    due_on = models.DateField(_("due"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=FollowUpStatus.choices, default=FollowUpStatus.OPEN)
    done_on = models.DateField(_("done on"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)

    class Meta:
        ordering = ["negotiation", "due_on", "id"]
        verbose_name = _("follow-up action")
        verbose_name_plural = _("follow-up actions")
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=FollowUpStatus.values), name="%(app_label)s_%(class)s_status_valid"
            ),
            models.CheckConstraint(
                condition=~Q(status=FollowUpStatus.DONE) | Q(done_on__isnull=False),
                name="%(app_label)s_%(class)s_done_dated",
                violation_error_message=_("Give the date the action was done."),
            ),
        ]

    def __str__(self) -> str:
        return self.description

    @property
    def is_overdue(self) -> bool:
        return self.status == FollowUpStatus.OPEN and self.due_on is not None and self.due_on < timezone.localdate()
