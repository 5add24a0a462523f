"""The intake's background job: importing a batch (thin: it calls ``commit.batch_commit``)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django_tasks import task

from homecoming.core.jobs import JobCancelledError, JobError, JobRun, job_kind_register, job_task
from homecoming.intake.commit import COMMIT_KIND, CommitError, batch_commit, batch_commit_failed


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
