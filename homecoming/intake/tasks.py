"""The intake's background jobs: validating and matching a batch (``services.batch_map_run``) and importing
it (``commit.batch_commit``); both thin."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django_tasks import task

from homecoming.core.jobs import JobCancelledError, JobError, JobRun, job_kind_register, job_task
from homecoming.intake.commit import COMMIT_KIND, CommitError, batch_commit, batch_commit_failed
from homecoming.intake.services import MAP_KIND


@task()
@job_task
def intake_commit_job(run: JobRun, *, batch_id: int) -> dict[str, Any]:
    run.progress(1, _("Importing the list"))
    run.log(_("Importing list #%(id)s in one transaction: all of it or nothing.") % {"id": batch_id})
    try:
        counts = batch_commit(batch_id=batch_id, user=run.job.created_by, run=run)
    except CommitError as exc:
        batch_commit_failed(batch_id=batch_id, message=exc.message)
        raise JobError(_("Nothing was imported: %(reason)s") % {"reason": exc.message}) from None
    except ValidationError as exc:
        reason = "; ".join(exc.messages)
        batch_commit_failed(batch_id=batch_id, message=reason)
        raise JobError(_("Nothing was imported: %(reason)s") % {"reason": reason}) from None
    except JobCancelledError:
        batch_commit_failed(batch_id=batch_id, message=_("The import was cancelled; nothing was imported."))
        raise
    except Exception:
        batch_commit_failed(batch_id=batch_id, message=_("An internal error stopped the import; nothing was imported."))
        raise
    run.log(
        _("%(created)s persons registered, %(updated)s updated, %(links)s family links, %(cases)s cases opened.")
        % counts
    )
    run.final_message = _("The list has been imported: %(created)s new persons, %(updated)s updated.") % counts
    return {"batch_id": batch_id, **counts}


job_kind_register(
    kind=COMMIT_KIND,
    label=_("Import a list"),
    description=_(
        "Registers the persons of a validated list, links mothers and children, records custody and opens "
        "cases, in one transaction: either all of it is imported or nothing."
    ),
    result_template="intake/job_result.html",
)


@task()
@job_task
def intake_map_job(run: JobRun, *, batch_id: int) -> dict[str, Any]:
    """Validate every row of a list and match the valid rows (``services.batch_map_run``)."""
    from homecoming.intake.services import MapError, batch_map_failed, batch_map_run

    run.log(_("Validating and matching the rows of list #%(id)s.") % {"id": batch_id})
    try:
        batch = batch_map_run(batch_id=batch_id, user=run.job.created_by, run=run)
    except MapError as exc:
        batch_map_failed(batch_id=batch_id, job_id=run.job_id)
        raise JobError(exc.message) from None
    except BaseException:
        batch_map_failed(batch_id=batch_id, job_id=run.job_id)
        raise
    counts = {
        "rows": batch.row_count,
        "errors": batch.error_count,
        "rows_with_errors": batch.rows_with_errors,
        "new": batch.new_count,
        "existing": batch.existing_count,
        "ambiguous": batch.ambiguous_count,
        "duplicate": batch.duplicate_count,
    }
    if batch.error_count:
        run.final_message = (
            ngettext(
                "The list has errors in %(rows_with_errors)s row; nothing can be imported yet.",
                "The list has errors in %(rows_with_errors)s rows; nothing can be imported yet.",
                batch.rows_with_errors,
            )
            % counts
        )
    else:
        run.final_message = (
            _(
                "Every row is valid: %(new)s new persons, %(existing)s already registered, %(ambiguous)s to decide, "
                "%(duplicate)s repeated rows."
            )
            % counts
        )
    run.log(run.final_message)
    return {"batch_id": batch_id, **counts}


job_kind_register(
    kind=MAP_KIND,
    label=_("Validate a list"),
    description=_(
        "Checks every row of an uploaded list and compares the valid rows with the registry and with each "
        "other; nothing is imported."
    ),
    result_template="intake/job_map_result.html",
)
