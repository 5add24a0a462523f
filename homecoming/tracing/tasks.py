"""The background job that searches every open tracing request again."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from django_tasks import task

from homecoming.core.access import Perm
from homecoming.core.jobs import JobRun, job_kind_register, job_task
from homecoming.tracing.services import tracing_match_persons, tracing_search_open

SEARCH_KIND = "tracing.search_open"
MATCH_PERSONS_KIND = "tracing.match_persons"


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


@task()
@job_task
def tracing_match_persons_job(run: JobRun, *, person_ids: list[int]) -> dict[str, Any]:
    """Many persons were written at once (an imported list): look for them in every open request."""
    run.progress(1, _("Looking for the new persons in the open tracing requests"))
    new = tracing_match_persons(person_ids=person_ids)
    run.final_message = _("%(persons)s persons looked for; %(new)s new possible matches.") % {
        "persons": len(person_ids),
        "new": new,
    }
    return {"persons": len(person_ids), "new": new}


job_kind_register(
    kind=MATCH_PERSONS_KIND,
    label=_("Look for newly registered persons in the open tracing requests"),
    description=_("Started by itself after a large import, so the import does not wait for it."),
)
