"""Choices of the reintegration app."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class ServiceKind(models.TextChoices):
    SCREENING = "screening", _("arrival screening")
    TREATMENT = "treatment", _("treatment")
    VACCINATION = "vaccination", _("vaccination dose")
    PSYCHOSOCIAL = "psychosocial", _("psychosocial session")
    SCHOOL = "school", _("school enrolment")
    PLACEMENT = "placement", _("placement")
    LEGAL_AID = "legal_aid", _("legal aid")
    CIVIL_DOCUMENTS = "civil_documents", _("civil documents")


class ServiceStatus(models.TextChoices):
    PLANNED = "planned", _("planned")
    DELIVERED = "delivered", _("delivered")
    MISSED = "missed", _("missed")
    CANCELLED = "cancelled", _("cancelled")


class PlacementType(models.TextChoices):
    PARENT = "parent", _("with a parent")
    RELATIVES = "relatives", _("with relatives")
    FOSTER = "foster", _("foster family")
    INSTITUTION = "institution", _("institution")


class CaregiverAssessment(models.TextChoices):
    PENDING = "pending", _("not assessed yet")
    SUITABLE = "suitable", _("suitable")
    WITH_SUPPORT = "with_support", _("suitable with support")
    NOT_SUITABLE = "not_suitable", _("not suitable")


class CivilDocumentKind(models.TextChoices):
    LATE_BIRTH_REGISTRATION = "late_birth_registration", _("late birth registration")
    BIRTH_CERTIFICATE = "birth_certificate", _("birth certificate")
    PASSPORT = "passport", _("passport")
    NATIONAL_ID = "national_id", _("national identity card")
    OTHER = "other", _("other document")


class Underweight(models.TextChoices):
    """The WHO's weight-for-age classification (values as in ``growth.Underweight``)."""

    NONE = "none", _("not underweight")
    MODERATE = "moderate", _("moderate underweight")
    SEVERE = "severe", _("severe underweight")


class ZNotComputed(models.TextChoices):
    """Why a screening has no weight-for-age z-score."""

    NO_WEIGHT = "no_weight", _("no weight recorded")
    OEDEMA = "oedema", _("oedema: weight does not reflect nutrition (WHO)")
    NO_BIRTH_DATE = "no_birth_date", _("no date of birth or estimate recorded")
    SEX_UNKNOWN = "sex_unknown", _("sex not recorded")
    AGE_OUT_OF_RANGE = "age_out_of_range", _("over 60 months: outside the WHO Child Growth Standards")
    AGE_NEGATIVE = "age_negative", _("screening date before the date of birth")


class DoseSource(models.TextChoices):
    CARD = "card", _("vaccination card or record")
    VERBAL = "verbal", _("caregiver's account")
    GIVEN_HERE = "given_here", _("given here")


class VisitStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("scheduled")
    DONE = "done", _("done")
    MISSED = "missed", _("missed")
    CANCELLED = "cancelled", _("cancelled")


class VisitOutcome(models.TextChoices):
    WELL = "well", _("the child is doing well")
    CONCERNS = "concerns", _("concerns: follow up")
    URGENT = "urgent", _("urgent protection concern: referred")
    NOT_FOUND = "not_found", _("the child was not found at the address")


class PlanStatus(models.TextChoices):
    """The state of a dose in a catch-up plan (computed, never stored)."""

    GIVEN = "given", _("given")
    OVERDUE = "overdue", _("overdue: give now")
    DUE = "due", _("due today")
    UPCOMING = "upcoming", _("upcoming")
    SKIPPED = "skipped", _("no longer given")
