"""The exports' background jobs (thin: they call the services)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _
from django_tasks import task

from homecoming.core.access import Perm
from homecoming.core.jobs import JobError, JobRun, job_kind_register, job_task
from homecoming.exports.services import (
    EXPORT_KIND,
    ExportPasswordLostError,
    export_build,
    export_failed,
    export_purge_expired,
)

PURGE_KIND = "exports.purge_expired"


@task()
@job_task
def export_build_job(run: JobRun, *, export_id: int) -> dict[str, Any]:
    run.progress(10, _("Selecting the records"))
    try:
        export = export_build(export_id=export_id)
    except PermissionDenied:
        message = str(_("The person who asked for this export may no longer export such data."))
        export_failed(export_id=export_id, message=message)
        raise JobError(message) from None
    except ExportPasswordLostError:
        message = str(_("The password of this encrypted export can no longer be read. Ask for a new export."))
        export_failed(export_id=export_id, message=message)
        raise JobError(message) from None
    except Exception:
        export_failed(export_id=export_id, message=str(_("An internal error stopped the export.")))
        raise
    run.final_message = _("The file is ready: %(rows)s rows.") % {"rows": export.row_count}
    return {"export_id": export.pk, "rows": export.row_count, "size": export.size}


@task()
@job_task
def export_purge_job(run: JobRun) -> dict[str, Any]:
    count = export_purge_expired()
    run.final_message = _("%(count)s expired export files deleted.") % {"count": count}
    return {"deleted": count}


job_kind_register(
    kind=EXPORT_KIND,
    label=_("Prepare an export"),
    description=_("Makes the file of an export from the records its requester may see, and records what it holds."),
)
job_kind_register(
    kind=PURGE_KIND,
    label=_("Delete expired export files"),
    description=_("Deletes the files of exports past their expiry date. Their record (who, what, why) stays."),
    task=export_purge_job,
    start_perm=Perm.JOBS_VIEW,
)
