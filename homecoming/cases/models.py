"""Cases, their stage history and approvals, assessments and consent.

Rows are written only by ``homecoming.cases.services``; history, approvals, assessments and
consents are evidence and are never deleted (``PROTECT``).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from homecoming.accounts.models import Agency
from homecoming.cases.choices import (
    ApprovalStatus,
    AssessmentKind,
    AssessmentOutcome,
    CasePriority,
    CaseStage,
    ConsentGiver,
    ConsentScope,
)
from homecoming.registry.models import Person


class Case(models.Model):
    """The file of one person's journey home."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="cases", verbose_name=_("person"))
    owner_agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, related_name="owned_cases", verbose_name=_("owner agency")
    )
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_cases",
        verbose_name=_("assigned worker"),
    )
    stage = models.CharField(
        _("stage"), max_length=20, choices=CaseStage.choices, default=CaseStage.IDENTIFIED, db_index=True
    )
    held_from_stage = models.CharField(
        _("on hold from stage"),
        max_length=20,
        choices=CaseStage.choices,
        blank=True,
        help_text=_("While the case is on hold: the stage it returns to."),
    )
    priority = models.CharField(_("priority"), max_length=10, choices=CasePriority.choices, default=CasePriority.NORMAL)
    summary = models.TextField(_("summary"), blank=True)
    opened_at = models.DateTimeField(_("opened"), default=timezone.now)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("opened by"),
    )
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    updated_at = models.DateTimeField(_("last changed"), auto_now=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        constraints = [
            models.UniqueConstraint(
                fields=["person"],
                condition=~Q(stage=CaseStage.CLOSED),
                name="%(app_label)s_%(class)s_one_open_per_person",
                violation_error_message=_("This person already has an open case; work on that one or close it."),
            ),
            models.CheckConstraint(
                condition=Q(stage__in=CaseStage.values),
                name="%(app_label)s_%(class)s_stage_valid",
            ),
            models.CheckConstraint(
                condition=Q(priority__in=CasePriority.values),
                name="%(app_label)s_%(class)s_priority_valid",
            ),
        ]
        indexes = [models.Index(fields=["owner_agency", "stage"], name="cases_case_agency_stage_idx")]

    def __str__(self) -> str:
        return f"{self.person} ({self.get_stage_display()})"

    def get_absolute_url(self) -> str:
        return reverse("cases:case_detail", kwargs={"pk": self.pk})

    @property
    def reference(self) -> str:
        return f"C-{self.pk:06d}" if self.pk else ""

    @property
    def is_open(self) -> bool:
        return self.stage != CaseStage.CLOSED


class ApprovalRequest(models.Model):
    """A request for a manager's approval of a stage move; decided by a different user."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="approval_requests", verbose_name=_("case"))
    from_stage = models.CharField(_("from stage"), max_length=20, choices=CaseStage.choices)
    to_stage = models.CharField(_("to stage"), max_length=20, choices=CaseStage.choices)
    reason = models.TextField(_("reason"))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("requested by")
    )
    requested_at = models.DateTimeField(_("requested"), default=timezone.now)
    status = models.CharField(
        _("status"), max_length=20, choices=ApprovalStatus.choices, default=ApprovalStatus.PENDING, db_index=True
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decision_note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]
        verbose_name = _("approval request")
        verbose_name_plural = _("approval requests")
        constraints = [
            models.UniqueConstraint(
                fields=["case"],
                condition=Q(status=ApprovalStatus.PENDING),
                name="%(app_label)s_%(class)s_one_pending_per_case",
                violation_error_message=_("This case already has a request waiting for a decision."),
            ),
            models.CheckConstraint(
                condition=~Q(decided_by=F("requested_by")),
                name="%(app_label)s_%(class)s_decider_not_requester",
                violation_error_message=_("A request must be decided by someone other than who made it."),
            ),
            models.CheckConstraint(
                condition=(
                    Q(status=ApprovalStatus.PENDING, decided_at__isnull=True, decided_by__isnull=True)
                    | Q(
                        status__in=[ApprovalStatus.APPROVED, ApprovalStatus.REJECTED],
                        decided_at__isnull=False,
                        decided_by__isnull=False,
                    )
                    | Q(status=ApprovalStatus.SUPERSEDED, decided_at__isnull=False)
                ),
                name="%(app_label)s_%(class)s_decision_complete",
            ),
            models.CheckConstraint(condition=~Q(reason=""), name="%(app_label)s_%(class)s_reason_given"),
        ]

    def __str__(self) -> str:
        return f"{self.case} → {self.get_to_stage_display()} ({self.get_status_display()})"

    @property
    def is_pending(self) -> bool:
        return self.status == ApprovalStatus.PENDING


class CaseTransition(models.Model):
    """One move of a case from one stage to another: who, when, why."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="transitions", verbose_name=_("case"))
    from_stage = models.CharField(_("from stage"), max_length=20, choices=CaseStage.choices)
    to_stage = models.CharField(_("to stage"), max_length=20, choices=CaseStage.choices)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("by"))
    at = models.DateTimeField(_("at"), default=timezone.now, db_index=True)
    reason = models.TextField(_("reason"))
    approval = models.OneToOneField(
        ApprovalRequest,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="transition",
        verbose_name=_("approval"),
    )

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("stage move")
        verbose_name_plural = _("stage moves")
        constraints = [
            models.CheckConstraint(
                condition=~Q(from_stage=F("to_stage")), name="%(app_label)s_%(class)s_stage_changes"
            ),
            models.CheckConstraint(condition=~Q(reason=""), name="%(app_label)s_%(class)s_reason_given"),
        ]

    def __str__(self) -> str:
        return f"{self.case_id}: {self.from_stage} → {self.to_stage}"


class Assessment(models.Model):
    """An eligibility or best-interests assessment of the case's person: outcome and reasons."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="assessments", verbose_name=_("case"))
    kind = models.CharField(_("kind"), max_length=20, choices=AssessmentKind.choices)
    assessed_on = models.DateField(_("date of assessment"))
    round_label = models.CharField(
        _("assessment round"), max_length=60, blank=True, help_text=_("For example “February 2019”.")
    )
    assessor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("assessor (user)"),
    )
    assessor_name = models.CharField(_("assessor's name"), max_length=200)
    assessor_role = models.CharField(_("assessor's role"), max_length=200, blank=True)
    outcome = models.CharField(_("outcome"), max_length=20, choices=AssessmentOutcome.choices)
    reasons = models.TextField(_("reasons"))
    recommendations = models.TextField(_("recommendations"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("recorded by")
    )
    recorded_at = models.DateTimeField(_("recorded"), default=timezone.now)

    class Meta:
        ordering = ["-assessed_on", "-id"]
        verbose_name = _("assessment")
        verbose_name_plural = _("assessments")
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=AssessmentKind.values), name="%(app_label)s_%(class)s_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(outcome__in=AssessmentOutcome.values), name="%(app_label)s_%(class)s_outcome_valid"
            ),
            models.CheckConstraint(condition=~Q(reasons=""), name="%(app_label)s_%(class)s_reasons_given"),
            models.CheckConstraint(condition=~Q(assessor_name=""), name="%(app_label)s_%(class)s_assessor_named"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.assessed_on}: {self.get_outcome_display()}"


def consent_document_path(instance: Consent, filename: str) -> str:
    """Where a signed consent is stored under MEDIA_ROOT (the service names the file)."""
    return f"consents/{instance.case_id}/{filename}"


class ConsentQuerySet(models.QuerySet["Consent"]):
    def valid(self) -> ConsentQuerySet:
        """Consents not withdrawn."""
        return self.filter(withdrawn_on__isnull=True)

    def covering(self, scope: ConsentScope | str) -> ConsentQuerySet:
        return self.filter(scope_entries__scope=scope)


class Consent(models.Model):
    """Consent given on behalf of the case's person (by a parent, a guardian, or themself)."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="consents", verbose_name=_("case"))
    given_by_relation = models.CharField(_("given by"), max_length=20, choices=ConsentGiver.choices)
    given_by_name = models.CharField(_("name of who consented"), max_length=300)
    given_by_person = models.ForeignKey(
        Person,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="consents_given",
        verbose_name=_("who consented, in the registry"),
    )
    given_on = models.DateField(_("date of consent"))
    witness_name = models.CharField(_("witness"), max_length=300, blank=True)
    interpreter_name = models.CharField(_("interpreter"), max_length=300, blank=True)
    language = models.CharField(_("language"), max_length=60, blank=True)
    document = models.FileField(_("signed document"), upload_to=consent_document_path, blank=True, max_length=255)
    document_name = models.CharField(_("file name"), max_length=255, blank=True)
    document_content_type = models.CharField(max_length=60, blank=True)
    document_size = models.PositiveIntegerField(default=0)
    document_sha256 = models.CharField(max_length=64, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("recorded by")
    )
    recorded_at = models.DateTimeField(_("recorded"), default=timezone.now)
    withdrawn_on = models.DateField(_("withdrawn on"), null=True, blank=True)
    withdrawal_reason = models.TextField(_("reason for withdrawal"), blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("withdrawal recorded by"),
    )
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    objects = ConsentQuerySet.as_manager()

    class Meta:
        ordering = ["-given_on", "-id"]
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        constraints = [
            models.CheckConstraint(
                condition=Q(given_by_relation__in=ConsentGiver.values),
                name="%(app_label)s_%(class)s_giver_valid",
            ),
            models.CheckConstraint(condition=~Q(given_by_name=""), name="%(app_label)s_%(class)s_giver_named"),
            models.CheckConstraint(
                condition=(
                    Q(withdrawn_on__isnull=True, withdrawn_by__isnull=True, withdrawal_reason="")
                    | (Q(withdrawn_on__isnull=False, withdrawn_by__isnull=False) & ~Q(withdrawal_reason=""))
                ),
                name="%(app_label)s_%(class)s_withdrawal_complete",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_given_by_relation_display()} {self.given_on}"

    @property
    def is_withdrawn(self) -> bool:
        return self.withdrawn_on is not None

    @property
    def scopes(self) -> list[str]:
        """The scopes consented to, in the order of ``ConsentScope`` (uses prefetched entries)."""
        given = {entry.scope for entry in self.scope_entries.all()}
        return [value for value in ConsentScope.values if value in given]

    @property
    def scope_labels(self) -> list[str]:
        return [str(ConsentScope(value).label) for value in self.scopes]


class ConsentScopeEntry(models.Model):
    """One thing a consent covers (repatriation, services, sharing, tracing)."""

    consent = models.ForeignKey(Consent, on_delete=models.CASCADE, related_name="scope_entries")
    scope = models.CharField(_("scope"), max_length=20, choices=ConsentScope.choices)

    class Meta:
        verbose_name = _("consent scope")
        verbose_name_plural = _("consent scopes")
        constraints = [
            models.UniqueConstraint(fields=["consent", "scope"], name="%(app_label)s_%(class)s_unique_scope"),
            models.CheckConstraint(
                condition=Q(scope__in=ConsentScope.values), name="%(app_label)s_%(class)s_scope_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.get_scope_display()
