"""Batch deduplication of the registry: runs, the clusters they found, and the pairs people must review.

Written only by :mod:`homecoming.matching.batch.services`. A run never merges anyone: it records which
persons it believes are the same (``DedupCluster``) and puts the pairs on the review list
(``DuplicateCandidate``) where a person decides.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

__all__ = ["DedupCluster", "DedupRun", "DedupRunStatus", "DuplicateCandidate", "DuplicateStatus", "PersonMerge"]


class DedupRunStatus(models.TextChoices):
    RUNNING = "running", _("running")
    SUCCEEDED = "succeeded", _("succeeded")
    FAILED = "failed", _("failed")


class DedupRun(models.Model):
    """One deduplication of the whole registry, with what it found and how long each step took."""

    status = models.CharField(
        _("status"), max_length=20, choices=DedupRunStatus.choices, default=DedupRunStatus.RUNNING
    )
    threshold = models.FloatField(
        _("match threshold"), help_text=_("Pairs at or above this probability are put in one cluster.")
    )
    review_threshold = models.FloatField(
        _("review threshold"), help_text=_("Pairs from this probability up are listed for review.")
    )
    job = models.ForeignKey("core.Job", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    started_at = models.DateTimeField(_("started at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    persons = models.PositiveIntegerField(_("persons read"), default=0)
    names = models.PositiveIntegerField(_("names read"), default=0)
    clusters = models.PositiveIntegerField(_("clusters of several persons"), default=0)
    clustered_persons = models.PositiveIntegerField(_("persons in those clusters"), default=0)
    candidates = models.PositiveIntegerField(_("pairs listed for review"), default=0)
    timings = models.JSONField(_("seconds per step"), default=dict, blank=True)
    model = models.JSONField(_("trained model"), default=dict, blank=True)
    error_message = models.TextField(_("error"), blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        verbose_name = _("deduplication run")
        verbose_name_plural = _("deduplication runs")
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=DedupRunStatus.values), name="%(app_label)s_%(class)s_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(review_threshold__gt=0) & Q(review_threshold__lte=F("threshold")) & Q(threshold__lte=1),
                name="%(app_label)s_%(class)s_thresholds_ordered",
                violation_error_message=_(
                    "The review threshold must be above 0 and at most the match threshold (at most 1)."
                ),
            ),
        ]

    def __str__(self) -> str:
        return str(_("Deduplication run %(id)s") % {"id": self.pk})


class DedupCluster(models.Model):
    """A person's cluster in a run: persons with the same ``cluster_id`` are believed to be one person.

    Only clusters of two or more persons are stored; a person with no row is alone. ``cluster_id`` is the
    smallest person id of the cluster, so it does not change between runs that find the same cluster."""

    run = models.ForeignKey(DedupRun, on_delete=models.CASCADE, related_name="cluster_rows")
    person = models.ForeignKey("registry.Person", on_delete=models.CASCADE, related_name="dedup_clusters")
    cluster_id = models.BigIntegerField(_("cluster"))
    size = models.PositiveIntegerField(_("persons in the cluster"))

    class Meta:
        verbose_name = _("deduplication cluster")
        verbose_name_plural = _("deduplication clusters")
        constraints = [
            models.UniqueConstraint(fields=["run", "person"], name="%(app_label)s_%(class)s_unique_run_person"),
            models.CheckConstraint(condition=Q(size__gte=2), name="%(app_label)s_%(class)s_size_at_least_two"),
        ]
        indexes = [models.Index(fields=["run", "cluster_id"], name="matching_dedupcluster_run_cl")]

    def __str__(self) -> str:
        return f"{self.person_id} → {self.cluster_id}"


class DuplicateStatus(models.TextChoices):
    PENDING = "pending", _("to review")
    SAME_PERSON = "same_person", _("same person")
    NOT_SAME = "not_same", _("different persons")


class DuplicateCandidate(models.Model):
    """Two persons a deduplication run thinks may be the same, waiting for (or with) a person's decision.

    ``person_a`` has the smaller id. ``evidence`` is what the model saw, per comparison:
    ``{"name": {"level": "Same phonetic skeletons", "weight": 11.9}, "birth_date": {...}, "sex": {...}}``
    (weights in bits; the names compared are those of the best-scoring pair of the two persons' names).
    A later run updates a pending candidate and leaves a decided one alone."""

    person_a = models.ForeignKey("registry.Person", on_delete=models.CASCADE, related_name="+")
    person_b = models.ForeignKey("registry.Person", on_delete=models.CASCADE, related_name="+")
    run = models.ForeignKey(DedupRun, null=True, blank=True, on_delete=models.SET_NULL, related_name="candidate_rows")
    probability = models.FloatField(_("match probability"))
    evidence = models.JSONField(_("evidence"), default=dict, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=DuplicateStatus.choices, default=DuplicateStatus.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-probability", "id"]
        verbose_name = _("possible duplicate")
        verbose_name_plural = _("possible duplicates")
        constraints = [
            models.UniqueConstraint(fields=["person_a", "person_b"], name="%(app_label)s_%(class)s_unique_pair"),
            models.CheckConstraint(
                condition=Q(person_a__lt=F("person_b")), name="%(app_label)s_%(class)s_ordered_pair"
            ),
            models.CheckConstraint(
                condition=Q(status__in=DuplicateStatus.values), name="%(app_label)s_%(class)s_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(probability__gte=0) & Q(probability__lte=1),
                name="%(app_label)s_%(class)s_probability_range",
            ),
        ]
        indexes = [models.Index(fields=["status", "-probability"], name="matching_dupcand_status_prob")]

    def __str__(self) -> str:
        return f"{self.person_a_id} ~ {self.person_b_id} ({self.probability:.2f})"


class PersonMerge(models.Model):
    """Two person records merged into one by a reviewer ("same person"), with what it takes to undo it.

    The merged-away person is deleted; ``merged_person_id`` keeps its id (it is restored under that id on undo).
    ``choices`` says, per field, whose value survived (``"survivor"`` or ``"merged"``). ``journal`` is written
    and read only by :mod:`homecoming.matching.services`: the merged-away person and every row deleted with it
    (serialised), every row moved or changed (old values), every row created."""

    survivor = models.ForeignKey(
        "registry.Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="merges_received"
    )
    survivor_name = models.CharField(_("surviving record"), max_length=300)
    merged_person_id = models.BigIntegerField(_("merged record (id)"), db_index=True)
    merged_person_name = models.CharField(_("merged record"), max_length=300)
    probability = models.FloatField(_("match probability"), null=True, blank=True)
    choices = models.JSONField(_("values kept"), default=dict, blank=True)
    journal = models.JSONField(default=dict, blank=True)
    merged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    merged_at = models.DateTimeField(_("merged at"), auto_now_add=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    undone_at = models.DateTimeField(_("undone at"), null=True, blank=True)

    class Meta:
        ordering = ["-merged_at", "-id"]
        verbose_name = _("merge of two records")
        verbose_name_plural = _("merges of two records")

    def __str__(self) -> str:
        return f"{self.merged_person_name} → {self.survivor_name}"

    @property
    def is_undone(self) -> bool:
        return self.undone_at is not None
