"""Services for returned persons, the vaccination schedule, and follow-up plans and visits.

Rows are written only by ``homecoming.reintegration.services``. Services, screenings, doses and
visits are records of care: they are corrected or cancelled, never deleted (``PROTECT``).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from homecoming.accounts.models import Agency
from homecoming.cases.models import Case
from homecoming.reintegration.choices import (
    CaregiverAssessment,
    CivilDocumentKind,
    DoseSource,
    PlacementType,
    ServiceKind,
    ServiceStatus,
    Underweight,
    VisitOutcome,
    VisitStatus,
    ZNotComputed,
)

MAX_AGE_DAYS = 100 * 366


# --- the national vaccination schedule ---------------------------------------------------------


class Vaccine(models.Model):
    """A vaccine (or combination) of the national schedule."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=120)
    sort_order = models.PositiveSmallIntegerField(_("order on the schedule"), default=0)
    is_active = models.BooleanField(_("in use"), default=True)

    class Meta:
        ordering = ["sort_order", "name"]
        verbose_name = _("vaccine")
        verbose_name_plural = _("vaccines")

    def __str__(self) -> str:
        return self.name


class VaccineScheduleItem(models.Model):
    """One dose of the national schedule. Ages and intervals are kept in days."""

    vaccine = models.ForeignKey(Vaccine, on_delete=models.PROTECT, related_name="schedule", verbose_name=_("vaccine"))
    dose_number = models.PositiveSmallIntegerField(_("dose"), validators=[MinValueValidator(1), MaxValueValidator(10)])
    recommended_age_days = models.PositiveIntegerField(
        _("recommended age (days)"), validators=[MaxValueValidator(MAX_AGE_DAYS)]
    )
    minimum_age_days = models.PositiveIntegerField(
        _("minimum age (days)"), validators=[MaxValueValidator(MAX_AGE_DAYS)]
    )
    minimum_interval_days = models.PositiveIntegerField(
        _("minimum interval from the previous dose (days)"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(MAX_AGE_DAYS)],
    )
    maximum_age_days = models.PositiveIntegerField(
        _("maximum age (days)"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(MAX_AGE_DAYS)],
        help_text=_("The oldest age at which this dose may still be given; empty if there is none."),
    )
    is_active = models.BooleanField(_("in use"), default=True)
    is_example = models.BooleanField(
        _("example value"),
        default=False,
        help_text=_("Seeded as an example; saving the dose from the schedule page confirms it."),
    )
    notes = models.TextField(_("notes"), blank=True)
    updated_at = models.DateTimeField(_("last changed"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["vaccine__sort_order", "vaccine__name", "dose_number"]
        verbose_name = _("scheduled dose")
        verbose_name_plural = _("vaccination schedule")
        constraints = [
            models.UniqueConstraint(
                fields=["vaccine", "dose_number"],
                name="%(app_label)s_%(class)s_unique_dose",
                violation_error_message=_("This dose of this vaccine is already on the schedule."),
            ),
            models.CheckConstraint(
                condition=Q(minimum_age_days__lte=F("recommended_age_days")),
                name="%(app_label)s_%(class)s_minimum_before_recommended",
            ),
            models.CheckConstraint(
                condition=Q(maximum_age_days__isnull=True) | Q(maximum_age_days__gte=F("recommended_age_days")),
                name="%(app_label)s_%(class)s_maximum_after_recommended",
            ),
            models.CheckConstraint(
                condition=Q(dose_number__gt=1) | Q(minimum_interval_days__isnull=True),
                name="%(app_label)s_%(class)s_first_dose_no_interval",
            ),
        ]

    def __str__(self) -> str:
        return _("%(vaccine)s, dose %(dose)s") % {"vaccine": self.vaccine, "dose": self.dose_number}

    def clean(self) -> None:
        errors: dict[str, Any] = {}
        # None until the fields are valid: full_clean() calls clean() after field errors too.
        recommended: int | None = self.recommended_age_days
        minimum: int | None = self.minimum_age_days
        if recommended is not None and minimum is not None and minimum > recommended:
            errors["minimum_age_days"] = _("The minimum age cannot be later than the recommended age.")
        if recommended is not None and self.maximum_age_days is not None and self.maximum_age_days < recommended:
            errors["maximum_age_days"] = _("The maximum age cannot be earlier than the recommended age.")
        if self.dose_number == 1 and self.minimum_interval_days is not None:
            errors["minimum_interval_days"] = _("A first dose has no previous dose: leave the interval empty.")
        if errors:
            raise ValidationError(errors)


# --- services ----------------------------------------------------------------------------------


class Service(models.Model):
    """Something done for a returned person: planned, then delivered, missed or cancelled.

    Notes are kept by field group: ``notes`` for everyone who may see the service,
    ``health_notes`` only with the health permission, ``psychosocial_notes`` only with the
    psychosocial one, ``legal_notes`` only with the legal one (``core.access.can_see_field_group``).
    """

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="services", verbose_name=_("case"))
    kind = models.CharField(_("kind"), max_length=20, choices=ServiceKind.choices, db_index=True)
    status = models.CharField(
        _("status"), max_length=20, choices=ServiceStatus.choices, default=ServiceStatus.PLANNED, db_index=True
    )
    date = models.DateField(_("date"), help_text=_("When it is planned for, or when it happened."))
    provider_agency = models.ForeignKey(
        Agency,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reintegration_services",
        verbose_name=_("provider agency"),
    )
    provider = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reintegration_services",
        verbose_name=_("worker"),
    )
    notes = models.TextField(_("notes"), blank=True)
    health_notes = models.TextField(_("health notes"), blank=True)
    psychosocial_notes = models.TextField(_("psychosocial notes"), blank=True)
    legal_notes = models.TextField(_("legal notes"), blank=True)
    # school enrolment
    school_name = models.CharField(_("school"), max_length=200, blank=True)
    grade = models.PositiveSmallIntegerField(
        _("grade"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(12)],
        help_text=_("0 for the preparatory class."),
    )
    # placement
    placement_type = models.CharField(_("placement"), max_length=20, choices=PlacementType.choices, blank=True)
    caregiver_name = models.CharField(_("caregiver"), max_length=300, blank=True)
    caregiver_relationship = models.CharField(_("caregiver's relationship to the child"), max_length=100, blank=True)
    caregiver_phone = models.CharField(_("caregiver's telephone"), max_length=40, blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    district = models.CharField(_("district"), max_length=100, blank=True, db_index=True)
    caregiver_assessment = models.CharField(
        _("caregiver assessment"), max_length=20, choices=CaregiverAssessment.choices, blank=True
    )
    # civil documents
    document_kind = models.CharField(_("document"), max_length=30, choices=CivilDocumentKind.choices, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("recorded by")
    )
    recorded_at = models.DateTimeField(_("recorded"), default=timezone.now)
    updated_at = models.DateTimeField(_("last changed"), auto_now=True)

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name = _("service")
        verbose_name_plural = _("services")
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=ServiceKind.values), name="%(app_label)s_%(class)s_kind_valid"),
            models.CheckConstraint(
                condition=Q(status__in=ServiceStatus.values), name="%(app_label)s_%(class)s_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(placement_type="") | Q(kind=ServiceKind.PLACEMENT),
                name="%(app_label)s_%(class)s_placement_fields_on_placement",
            ),
            models.CheckConstraint(
                condition=Q(grade__isnull=True) | Q(kind=ServiceKind.SCHOOL),
                name="%(app_label)s_%(class)s_grade_on_school",
            ),
            models.CheckConstraint(
                condition=Q(document_kind="") | Q(kind=ServiceKind.CIVIL_DOCUMENTS),
                name="%(app_label)s_%(class)s_document_on_civil_documents",
            ),
        ]
        indexes = [models.Index(fields=["case", "kind", "status"], name="reint_service_case_kind_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.date} ({self.get_status_display()})"

    def get_absolute_url(self) -> str:
        return reverse("reintegration:service_detail", kwargs={"pk": self.pk})

    def clean(self) -> None:
        errors: dict[str, Any] = {}
        if self.kind == ServiceKind.SCHOOL:
            if not self.school_name.strip():
                errors["school_name"] = _("Name the school.")
            if self.grade is None:
                errors["grade"] = _("Give the grade the child is enrolled in (0 for the preparatory class).")
        if self.kind == ServiceKind.PLACEMENT:
            if not self.placement_type:
                errors["placement_type"] = _("Say where the child is placed.")
            elif self.placement_type != PlacementType.INSTITUTION and not self.caregiver_name.strip():
                errors["caregiver_name"] = _("Name the caregiver the child lives with.")
            if not self.address.strip():
                errors["address"] = _("Give the address where the child lives.")
            if not self.district.strip():
                errors["district"] = _("Give the district.")
        if self.kind == ServiceKind.CIVIL_DOCUMENTS and not self.document_kind:
            errors["document_kind"] = _("Say which document.")
        if errors:
            raise ValidationError(errors)


class Screening(models.Model):
    """The measurements and findings of an arrival screening (all of it health information)."""

    service = models.OneToOneField(Service, on_delete=models.PROTECT, related_name="screening")
    weight_kg = models.DecimalField(
        _("weight (kg)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0.5), MaxValueValidator(250)],
    )
    height_cm = models.DecimalField(
        _("length or height (cm)"),
        max_digits=4,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(30), MaxValueValidator(230)],
    )
    muac_mm = models.PositiveSmallIntegerField(
        _("mid-upper arm circumference (mm)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(50), MaxValueValidator(500)],
    )
    oedema = models.BooleanField(_("bilateral pitting oedema"), default=False)
    findings = models.TextField(_("findings"), blank=True)
    referrals = models.TextField(_("referrals"), blank=True)
    # computed by the service that records the screening
    age_days = models.PositiveIntegerField(_("age at screening (days)"), null=True, blank=True)
    age_estimated = models.BooleanField(_("age estimated"), default=False)
    weight_for_age_z = models.DecimalField(
        _("weight-for-age z-score"), max_digits=4, decimal_places=2, null=True, blank=True
    )
    underweight = models.CharField(_("weight-for-age"), max_length=10, choices=Underweight.choices, blank=True)
    z_not_computed = models.CharField(_("why no z-score"), max_length=20, choices=ZNotComputed.choices, blank=True)
    z_implausible = models.BooleanField(_("z-score implausible: check the measurement"), default=False)

    class Meta:
        verbose_name = _("screening")
        verbose_name_plural = _("screenings")
        constraints = [
            models.CheckConstraint(
                condition=Q(underweight="") | Q(underweight__in=Underweight.values),
                name="%(app_label)s_%(class)s_underweight_valid",
            ),
            models.CheckConstraint(
                condition=Q(weight_for_age_z__isnull=True) | ~Q(underweight=""),
                name="%(app_label)s_%(class)s_z_classified",
            ),
        ]

    def __str__(self) -> str:
        return _("Screening of %(date)s") % {"date": self.service.date}

    @property
    def is_underweight(self) -> bool:
        return self.underweight in (Underweight.MODERATE, Underweight.SEVERE)

    @property
    def muac_category(self) -> str:
        """Acute malnutrition by MUAC (6-59 months): "severe", "moderate" or ""."""
        from homecoming.reintegration.growth import muac_class

        if self.muac_mm is None or self.age_days is None:
            return ""
        return muac_class(self.muac_mm, self.age_days)


class VaccinationDose(models.Model):
    """A dose a child has received: from a card, the caregiver's account, or given here."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="vaccination_doses", verbose_name=_("case"))
    vaccine = models.ForeignKey(Vaccine, on_delete=models.PROTECT, related_name="doses", verbose_name=_("vaccine"))
    dose_number = models.PositiveSmallIntegerField(_("dose"), validators=[MinValueValidator(1), MaxValueValidator(10)])
    given_on = models.DateField(_("date given"))
    source = models.CharField(_("source"), max_length=20, choices=DoseSource.choices)
    service = models.OneToOneField(
        Service,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="vaccination_dose",
        verbose_name=_("service"),
    )
    batch_number = models.CharField(_("batch number"), max_length=60, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("recorded by")
    )
    recorded_at = models.DateTimeField(_("recorded"), default=timezone.now)

    class Meta:
        ordering = ["given_on", "id"]
        verbose_name = _("vaccination dose")
        verbose_name_plural = _("vaccination doses")
        constraints = [
            models.UniqueConstraint(
                fields=["case", "vaccine", "dose_number"],
                name="%(app_label)s_%(class)s_unique_dose",
                violation_error_message=_("This dose is already recorded for this child."),
            ),
            models.CheckConstraint(
                condition=Q(source__in=DoseSource.values), name="%(app_label)s_%(class)s_source_valid"
            ),
            models.CheckConstraint(
                condition=~Q(source=DoseSource.GIVEN_HERE) | Q(service__isnull=False),
                name="%(app_label)s_%(class)s_given_here_has_service",
            ),
        ]

    def __str__(self) -> str:
        return _("%(vaccine)s, dose %(dose)s on %(date)s") % {
            "vaccine": self.vaccine,
            "dose": self.dose_number,
            "date": self.given_on,
        }


# --- follow-up ---------------------------------------------------------------------------------


class FollowUpTemplate(models.Model):
    """The visits a reintegration plan starts with, in months after arrival."""

    name = models.CharField(_("name"), max_length=120, unique=True)
    months_after_arrival = models.JSONField(
        _("visits (months after arrival)"), default=list, help_text=_("For example 1, 3, 6, 12, 24.")
    )
    is_default = models.BooleanField(_("default"), default=False)
    is_active = models.BooleanField(_("in use"), default=True)

    class Meta:
        ordering = ["-is_default", "name"]
        verbose_name = _("follow-up template")
        verbose_name_plural = _("follow-up templates")
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"],
                condition=Q(is_default=True),
                name="%(app_label)s_%(class)s_one_default",
                violation_error_message=_("Only one template can be the default."),
            )
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        months = self.months_after_arrival
        if (
            not isinstance(months, list)
            or not months
            or not all(isinstance(m, int) and 0 < m <= 120 for m in months)
            or sorted(set(months)) != months
        ):
            raise ValidationError(
                {"months_after_arrival": _("Give one or more months from 1 to 120, in increasing order, each once.")}
            )


class ReintegrationPlan(models.Model):
    """The follow-up of one returned person's case: its visits, counted from the arrival date."""

    case = models.OneToOneField(Case, on_delete=models.PROTECT, related_name="reintegration_plan")
    arrival_date = models.DateField(_("arrival date"))
    template = models.ForeignKey(
        FollowUpTemplate, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("template")
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("reintegration plan")
        verbose_name_plural = _("reintegration plans")

    def __str__(self) -> str:
        return _("Reintegration plan of %(case)s") % {"case": self.case}


class FollowUpVisit(models.Model):
    """A scheduled visit or review, assigned to a worker or a local focal point."""

    plan = models.ForeignKey(ReintegrationPlan, on_delete=models.PROTECT, related_name="visits")
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="followup_visits", verbose_name=_("case"))
    months_after_arrival = models.PositiveSmallIntegerField(_("months after arrival"), null=True, blank=True)
    due_date = models.DateField(_("due"), db_index=True)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="followup_visits",
        verbose_name=_("assigned to"),
    )
    purpose = models.CharField(_("purpose"), max_length=300, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=VisitStatus.choices, default=VisitStatus.SCHEDULED, db_index=True
    )
    completed_on = models.DateField(_("date of the visit"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=20, choices=VisitOutcome.choices, blank=True)
    outcome_notes = models.TextField(_("what was found"), blank=True)
    next_steps = models.TextField(_("next steps"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["due_date", "id"]
        verbose_name = _("follow-up visit")
        verbose_name_plural = _("follow-up visits")
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=VisitStatus.values), name="%(app_label)s_%(class)s_status_valid"
            ),
            models.CheckConstraint(
                condition=~Q(status=VisitStatus.DONE) | (Q(completed_on__isnull=False) & ~Q(outcome="")),
                name="%(app_label)s_%(class)s_done_has_outcome",
            ),
            models.CheckConstraint(
                condition=Q(outcome="") | Q(outcome__in=VisitOutcome.values),
                name="%(app_label)s_%(class)s_outcome_valid",
            ),
        ]
        indexes = [models.Index(fields=["status", "due_date"], name="reint_visit_status_due_idx")]

    def __str__(self) -> str:
        return _("Visit due %(date)s") % {"date": self.due_date}

    def get_absolute_url(self) -> str:
        return reverse("reintegration:visit_detail", kwargs={"pk": self.pk})

    @property
    def is_overdue(self) -> bool:
        return self.status == VisitStatus.SCHEDULED and self.due_date < timezone.localdate()

    def clean(self) -> None:
        errors: dict[str, Any] = {}
        if self.status == VisitStatus.DONE:
            if self.completed_on is None:
                errors["completed_on"] = _("Give the date of the visit.")
            if not self.outcome:
                errors["outcome"] = _("Say what the visit found.")
        if self.completed_on is not None and self.completed_on > timezone.localdate():
            errors["completed_on"] = _("The date of the visit cannot be in the future.")
        if errors:
            raise ValidationError(errors)
