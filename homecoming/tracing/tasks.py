"""The background job that searches every open tracing request again."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from django_tasks import task

from homecoming.core.access import Perm
from homecoming.core.jobs import JobRun, job_kind_register, job_task
from homecoming.tracing.services import tracing_search_open

SEARCH_KIND = "tracing.search_open"


@task()
@job_task
def tracing_search_open_job(run: JobRun) -> dict[str, Any]:
    run.progress(1, _("Searching the registry for every open tracing request"))
    totals = tracing_search_open(progress=lambda done, total: run.step(done, total, _("Searching")))
    run.log(
        _("%(requests)s open requests searched; %(new)s new possible matches.")
        % {"requests": totals["requests"], "new": totals["new"]}
    )
    run.final_message = _("%(requests)s open requests searched; %(new)s new possible matches.") % {
        "requests": totals["requests"],
        "new": totals["new"],
    }
    return totals


job_kind_register(
    kind=SEARCH_KIND,
    label=_("Search all open tracing requests again"),
    description=_("Looks for every person sought by an open tracing request in the whole registry, as it is now."),
    task=tracing_search_open_job,
    start_perm=Perm.TRACING_RECORD,
)
