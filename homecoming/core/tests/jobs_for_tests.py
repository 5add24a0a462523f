"""Tasks used only by the tests of homecoming.core.jobs (module level, so the worker can import them)."""

from __future__ import annotations

from typing import Any

from django_tasks import task

from homecoming.audit.models import AuditAction
from homecoming.audit.services import audit_record
from homecoming.core.jobs import JobError, JobRun, job_cancel, job_task


@task()
@job_task
def counting_job(run: JobRun, *, total: int) -> dict[str, Any]:
    for done in range(1, total + 1):
        run.step(done, total, f"item {done}")
        run.log(f"counted {done}")
    run.final_message = "counted everything"
    return {"counted": total}


@task()
@job_task
def crashing_job(run: JobRun) -> None:
    run.progress(40, "about to crash")
    raise RuntimeError("secret internal detail 4711")


@task()
@job_task
def refusing_job(run: JobRun, *, row: int) -> None:
    raise JobError(f"Row {row} has no date of birth.", result={"row": row})


@task()
@job_task
def self_cancelling_job(run: JobRun) -> None:
    run.progress(10, "working")
    job_cancel(job=run.job, actor=run.job.created_by)
    run.progress(20, "still working")  # raises JobCancelledError
    raise AssertionError("not reached")


@task()
@job_task
def auditing_job(run: JobRun) -> None:
    audit_record(actor=run.job.created_by, action=AuditAction.EXPORT, object_type="test.thing", object_id="1")
