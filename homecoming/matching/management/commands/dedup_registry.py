"""``manage.py dedup_registry``: deduplicate the whole registry now, or as a background job."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from homecoming.matching.batch.pipeline import DEFAULT_REVIEW_THRESHOLD, DEFAULT_THRESHOLD


def _probability(value: str) -> float:
    try:
        number = float(value)
    except ValueError:
        raise CommandError(f"Not a probability: {value!r}") from None
    if not 0 < number <= 1:
        raise CommandError(f"A probability must be above 0 and at most 1, not {value}.")
    return number


class Command(BaseCommand):
    help = (
        "Find persons recorded more than once (names in any script, estimated birth dates), store the clusters "
        "and list the pairs to review. Nobody is merged."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--threshold", type=_probability, default=DEFAULT_THRESHOLD,
            help=f"probability from which two persons are put in one cluster (default {DEFAULT_THRESHOLD})",
        )  # fmt: skip
        parser.add_argument(
            "--review-threshold", type=_probability, default=DEFAULT_REVIEW_THRESHOLD,
            help=f"probability from which a pair is listed for review (default {DEFAULT_REVIEW_THRESHOLD})",
        )  # fmt: skip
        parser.add_argument(
            "--background", action="store_true", help="queue it as a job for the worker and return at once"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        threshold, review_threshold = options["threshold"], options["review_threshold"]
        if review_threshold > threshold:
            raise CommandError("--review-threshold must not be above --threshold.")
        if options["background"]:
            from django.db import transaction

            from homecoming.core.jobs import job_submit
            from homecoming.matching.batch.tasks import DEDUP_KIND, dedup_registry_job

            with transaction.atomic():
                job = job_submit(
                    kind=DEDUP_KIND,
                    task=dedup_registry_job,
                    created_by=None,
                    threshold=threshold,
                    review_threshold=review_threshold,
                )
            self.stdout.write(f"Queued as job #{job.pk}; a worker (manage.py db_worker) runs it.")
            return
        from homecoming.matching.batch.services import dedup_registry_run

        run = dedup_registry_run(threshold=threshold, review_threshold=review_threshold)
        timings = ", ".join(f"{step} {seconds:.1f} s" for step, seconds in run.timings.items())
        self.stdout.write(
            f"Run #{run.pk}: {run.persons} persons ({run.names} names) read; {run.clusters} clusters of "
            f"{run.clustered_persons} persons; {run.candidates} pairs to review.\nTimes: {timings}."
        )
