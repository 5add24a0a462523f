"""The job services and the runner around django-tasks tasks."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django_tasks_db.models import DBTaskResult

from homecoming.audit.models import AuditAction, AuditEntry
from homecoming.core import jobs
from homecoming.core.choices import JobStatus
from homecoming.core.jobs import JobRun, job_cancel, job_create, job_fail, job_log, job_progress, job_submit
from homecoming.core.models import Job
from homecoming.core.testing.factories import AgencyFactory, UserFactory
from homecoming.core.tests import jobs_for_tests as t
from homecoming.core.tests.factories import JobFactory

pytestmark = pytest.mark.django_db


def _queued(kind: str = "test.kind") -> Job:
    return job_create(kind=kind, created_by=UserFactory(), owner_agency=AgencyFactory())


def test_job_create_is_queued_and_audited() -> None:
    user = UserFactory()
    agency = AgencyFactory()
    job = job_create(kind="test.kind", created_by=user, owner_agency=agency, params={"list_id": 7})
    job.refresh_from_db()
    assert job.status == JobStatus.QUEUED
    assert job.progress == 0
    assert job.params == {"list_id": 7}
    assert job.language == "en"
    entry = AuditEntry.objects.get(object_type="core.job", object_id=str(job.pk))
    assert entry.action == AuditAction.CREATE
    assert entry.actor == user


def test_submit_enqueues_only_when_the_transaction_commits(django_capture_on_commit_callbacks) -> None:
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        job = job_submit(kind="test.count", task=t.counting_job, created_by=UserFactory(), total=3)
    assert DBTaskResult.objects.count() == 0, "enqueued before commit"
    assert len(callbacks) == 1
    callbacks[0]()
    queued = DBTaskResult.objects.get()
    job.refresh_from_db()
    assert job.task_result_id == str(queued.id)
    assert queued.args_kwargs == {"args": [job.pk], "kwargs": {"total": 3}}
    assert queued.task_path == "homecoming.core.tests.jobs_for_tests.counting_job"
    assert job.params == {"total": 3}


def test_a_successful_run_records_progress_log_and_result() -> None:
    job = _queued()
    t.counting_job.call(job.pk, total=4)
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED
    assert job.progress == 100
    assert job.result == {"counted": 4}
    assert job.message == "counted everything"
    assert [line.split("  ", 1)[1] for line in job.log_lines] == [f"counted {i}" for i in range(1, 5)]
    assert job.started_at is not None
    assert job.finished_at is not None
    assert job.started_at <= job.finished_at


def test_running_a_finished_job_again_does_nothing() -> None:
    job = _queued()
    t.counting_job.call(job.pk, total=2)
    job.refresh_from_db()
    before = (job.status, job.log, job.finished_at, job.result)
    t.counting_job.call(job.pk, total=9)  # the queue delivered the task twice
    job.refresh_from_db()
    assert (job.status, job.log, job.finished_at, job.result) == before


def test_an_unexpected_error_fails_the_job_keeps_the_traceback_and_reaches_the_queue() -> None:
    job = _queued()
    with pytest.raises(RuntimeError, match="4711"):
        t.crashing_job.call(job.pk)
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert job.progress == 40
    assert "RuntimeError: secret internal detail 4711" in job.error
    assert "4711" not in job.error_message
    assert "internal error" in job.error_message
    assert job.finished_at is not None


def test_a_job_error_is_shown_to_the_user_as_is() -> None:
    job = _queued()
    t.refusing_job.call(job.pk, row=12)  # not re-raised: an expected failure
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert job.error_message == "Row 12 has no date of birth."
    assert job.error == ""
    assert job.result == {"row": 12}


def test_cancelling_a_queued_job_stops_it_before_it_runs() -> None:
    job = _queued()
    job_cancel(job=job, actor=job.created_by)
    job.refresh_from_db()
    assert job.status == JobStatus.CANCELLED
    assert job.finished_at is not None
    t.counting_job.call(job.pk, total=3)
    job.refresh_from_db()
    assert job.status == JobStatus.CANCELLED
    assert job.log == ""
    assert AuditEntry.objects.filter(object_type="core.job", action=AuditAction.CHANGE).count() == 1


def test_cancelling_a_running_job_stops_it_at_its_next_progress_report() -> None:
    job = _queued()
    t.self_cancelling_job.call(job.pk)
    job.refresh_from_db()
    assert job.status == JobStatus.CANCELLED
    assert job.progress == 10
    assert job.cancel_requested


def test_a_finished_job_cannot_be_cancelled() -> None:
    job = JobFactory(status=JobStatus.SUCCEEDED)
    with pytest.raises(ValidationError) as excinfo:
        job_cancel(job=job, actor=job.created_by)
    assert "status" in excinfo.value.message_dict


def test_progress_is_one_cheap_update_and_clamped(django_assert_num_queries) -> None:
    job = JobFactory(status=JobStatus.RUNNING)
    with django_assert_num_queries(1):
        job_progress(job_id=job.pk, percent=250, message="almost")
    job.refresh_from_db()
    assert (job.progress, job.message) == (100, "almost")
    job_progress(job_id=job.pk, percent=-5)
    job.refresh_from_db()
    assert job.progress == 0


def test_progress_of_a_job_that_is_not_running_is_ignored() -> None:
    job = JobFactory(status=JobStatus.SUCCEEDED, progress=100)
    job_progress(job_id=job.pk, percent=3, message="late")
    job.refresh_from_db()
    assert (job.progress, job.message) == (100, "")


def test_the_log_is_append_only_stamped_lines(django_assert_num_queries) -> None:
    job = JobFactory(status=JobStatus.RUNNING)
    with django_assert_num_queries(1):
        job_log(job_id=job.pk, line="first\nline")
    job_log(job_id=job.pk, line="second")
    job.refresh_from_db()
    assert len(job.log_lines) == 2
    stamp, text = job.log_lines[0].split("  ", 1)
    assert text == "first line"
    assert len(stamp) == len("2024-01-01 00:00:00")
    assert job.log_lines[1].endswith("second")


def test_job_run_skips_writes_when_nothing_changed(django_assert_num_queries) -> None:
    job = JobFactory(status=JobStatus.RUNNING)
    run = JobRun(job=job)
    with django_assert_num_queries(1):
        run.progress(10, "step")
        run.progress(10.4, "step")
        run.progress(10.9, "step")
    with django_assert_num_queries(1):
        run.step(1, 2, "step")


def test_a_runaway_log_is_capped(monkeypatch) -> None:
    monkeypatch.setattr(jobs, "MAX_LOG_LINES", 3)
    job = JobFactory(status=JobStatus.RUNNING)
    run = JobRun(job=job)
    for i in range(10):
        run.log(f"line {i}")
    job.refresh_from_db()
    assert len(job.log_lines) == 4
    assert "too long" in job.log_lines[-1]


def test_job_fail_records_the_user_message_and_the_traceback_separately() -> None:
    job = JobFactory(status=JobStatus.RUNNING)
    assert job_fail(job_id=job.pk, error_message="Could not read the file.", error="Traceback ...")
    job.refresh_from_db()
    assert (job.status, job.error_message, job.error) == (JobStatus.FAILED, "Could not read the file.", "Traceback ...")
    assert not job_fail(job_id=job.pk, error_message="again")


def test_audit_entries_written_by_a_job_name_the_job() -> None:
    job = _queued(kind="test.audit")
    t.auditing_job.call(job.pk)
    entry = AuditEntry.objects.get(action=AuditAction.EXPORT)
    assert entry.purpose == f"job #{job.pk} (test.audit)"
    assert entry.actor == job.created_by


@pytest.mark.django_db(transaction=True)
def test_the_database_worker_runs_a_submitted_job(django_capture_on_commit_callbacks) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        job = job_submit(kind="test.count", task=t.counting_job, created_by=UserFactory(), total=5)
    call_command("db_worker", batch=True, startup_delay=False, queue_name="*", reload=False, verbosity=0)
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED
    assert job.result == {"counted": 5}
    assert DBTaskResult.objects.get(id=job.task_result_id).status == "SUCCESSFUL"


@pytest.mark.django_db(transaction=True)
def test_the_database_worker_records_a_crash_on_both_rows(django_capture_on_commit_callbacks) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        job = job_submit(kind="test.crash", task=t.crashing_job, created_by=UserFactory())
    call_command("db_worker", batch=True, startup_delay=False, queue_name="*", reload=False, verbosity=0)
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert DBTaskResult.objects.get(id=job.task_result_id).status == "FAILED"


def test_a_running_job_whose_worker_died_is_marked_failed_after_its_silence() -> None:
    import datetime

    from django.utils import timezone

    alive, dead = _queued(), _queued()
    for job in (alive, dead):
        jobs.job_start(job_id=job.pk)
    long_ago = timezone.now() - datetime.timedelta(minutes=30)
    Job.objects.filter(pk=dead.pk).update(heartbeat_at=long_ago, started_at=long_ago)
    job_progress(job_id=alive.pk, percent=40, message="Matching")

    assert jobs.job_reap_stale(silent_for=datetime.timedelta(minutes=15)) == [dead.pk]
    dead.refresh_from_db()
    alive.refresh_from_db()
    assert dead.status == JobStatus.FAILED
    assert "start it again" in dead.error_message
    assert alive.status == JobStatus.RUNNING


def test_the_reap_command_before_the_only_worker_starts_fails_every_running_job(capsys) -> None:
    job = _queued()
    jobs.job_start(job_id=job.pk)
    finished = _queued()
    jobs.job_start(job_id=finished.pk)
    jobs.job_succeed(job_id=finished.pk)

    call_command("jobs", "reap", "--minutes", "0")

    job.refresh_from_db()
    finished.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert finished.status == JobStatus.SUCCEEDED
    assert f"#{job.pk}" in capsys.readouterr().out
