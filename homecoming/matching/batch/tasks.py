"""The registry deduplication as a background job (thin: it calls ``dedup_registry_run``)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from django_tasks import task

from homecoming.core.jobs import JobRun, job_kind_register, job_task
from homecoming.matching.batch.services import dedup_registry_run

__all__ = ["DEDUP_KIND", "dedup_registry_job"]

DEDUP_KIND = "matching.dedup"


@task()
@job_task
def dedup_registry_job(run: JobRun, *, threshold: float, review_threshold: float) -> dict[str, Any]:
    dedup = dedup_registry_run(
        threshold=threshold,
        review_threshold=review_threshold,
        actor=run.job.created_by,
        job=run.job,
        progress=lambda percent, message: run.progress(percent, message),
    )
    counts = {
        "run": dedup.pk,
        "persons": dedup.persons,
        "clusters": dedup.clusters,
        "clustered_persons": dedup.clustered_persons,
        "candidates": dedup.candidates,
    }
    run.log(
        _(
            "%(persons)s persons read; %(clusters)s clusters of %(clustered_persons)s persons; %(candidates)s pairs to review."
        )
        % counts
    )
    run.final_message = _("Deduplication finished: %(candidates)s pairs to review.") % counts
    return counts


job_kind_register(
    kind=DEDUP_KIND,
    label=_("Registry deduplication"),
    description=_("Finds persons recorded more than once, across scripts, and lists the pairs to review."),
)
