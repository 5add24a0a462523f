"""The shell's pages: start page, health check, jobs, error pages."""

from __future__ import annotations

import pytest
from django.test import Client, RequestFactory
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from config import urls as root_urls
from homecoming.accounts.choices import Role
from homecoming.audit.models import AuditAction, AuditEntry
from homecoming.core import errors
from homecoming.core.choices import JobStatus
from homecoming.core.jobs import job_kind_register
from homecoming.core.models import Job
from homecoming.core.tasks import AUDIT_VERIFY_KIND, audit_verify_chain_job
from homecoming.core.testing.factories import AgencyFactory, UserFactory, user_with_role
from homecoming.core.tests.factories import JobFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def agency():
    return AgencyFactory(code="cpa", name="Child Protection Agency")


def signed_in(client: Client, user) -> Client:
    client.force_login(user)
    return client


# --- start page --------------------------------------------------------------------------


def test_home_asks_anonymous_visitors_to_sign_in(client: Client) -> None:
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_home_shows_the_roles_and_cards_of_a_case_worker(client: Client, agency) -> None:
    user = user_with_role(Role.CASE_WORKER, agency, "malika")
    response = signed_in(client, user).get("/")
    assert response.status_code == 200
    text = response.content.decode()
    assert "Case worker — Child Protection Agency" in text
    cards = response.context["cards"]
    assert reverse("core:job_list") in [c["url"] for c in cards]
    assert "Long-running work" in text  # the jobs card's description


def test_home_of_an_auditor_offers_no_jobs(client: Client, agency) -> None:
    user = user_with_role(Role.AUDITOR, agency, "aziz")
    response = signed_in(client, user).get("/")
    assert response.status_code == 200
    assert reverse("core:job_list") not in [c["url"] for c in response.context["cards"]]
    assert reverse("core:job_list") not in [i["url"] for i in response.context["nav_items"]]


def test_home_of_a_user_without_a_role_says_what_to_do(client: Client) -> None:
    response = signed_in(client, UserFactory(username="nobody")).get("/")
    assert response.status_code == 200
    assert "no role in any agency" in response.content.decode()


def test_home_lists_the_users_recent_jobs(client: Client, agency) -> None:
    user = user_with_role(Role.CASE_WORKER, agency)
    job = JobFactory(created_by=user, owner_agency=agency, kind=AUDIT_VERIFY_KIND)
    response = signed_in(client, user).get("/")
    assert reverse("core:job_detail", args=[job.pk]) in response.content.decode()
    assert "Verify the audit trail" in response.content.decode()


def test_home_query_count_is_bounded(client: Client, agency, django_assert_max_num_queries) -> None:
    user = user_with_role(Role.MANAGER, agency)
    JobFactory.create_batch(5, created_by=user, owner_agency=agency)
    signed_in(client, user)
    # session, user, 2 x OTP devices, memberships (navigation), jobs, memberships (page), session save x 3
    with django_assert_max_num_queries(10):
        assert client.get("/").status_code == 200


def test_base_page_has_landmarks_language_selector_and_footer(client: Client, agency) -> None:
    user = user_with_role(Role.CASE_WORKER, agency)
    text = signed_in(client, user).get("/").content.decode()
    assert '<html lang="en" dir="ltr">' in text
    assert 'href="#main"' in text
    assert '<main id="main"' in text
    assert "<footer" in text
    for code, name in [("en", "English"), ("ru", "Русский"), ("tg", "Тоҷикӣ"), ("ar", "العربيّة")]:
        assert f'<option value="{code}" lang="{code}"' in text
        assert name in text


# --- health and error pages -------------------------------------------------------------------


def test_healthz_reports_the_database(client: Client) -> None:
    response = client.get(reverse("core:healthz"))
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"] == "ok"
    assert body["vendor"] in {"sqlite", "postgresql"}
    assert "no-cache" in response["Cache-Control"]


def test_healthz_answers_503_when_the_database_is_down(client: Client, monkeypatch) -> None:
    from django.db import DatabaseError, connection

    def broken_cursor(*args, **kwargs):
        raise DatabaseError("down")

    monkeypatch.setattr(connection, "cursor", broken_cursor)
    response = client.get(reverse("core:healthz"))
    assert response.status_code == 503
    assert response.json() == {"status": "error", "database": "unavailable", "vendor": connection.vendor}


def test_404_page_is_in_the_shells_style(client: Client, settings) -> None:
    assert settings.DEBUG is False
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    text = response.content.decode()
    assert "Page not found" in text
    assert 'class="navbar' in text
    assert "/no/such/page/" not in text.split("<main", 1)[1]  # the path is not echoed back


def test_403_page_is_in_the_shells_style(client: Client, agency) -> None:
    user = user_with_role(Role.TEACHER, agency)
    response = signed_in(client, user).post(reverse("core:job_start"), {"kind": AUDIT_VERIFY_KIND})
    assert response.status_code == 403
    assert "Not allowed" in response.content.decode()
    assert "Sign out" in response.content.decode()


def test_500_page_is_in_the_shells_style_and_leaks_nothing() -> None:
    assert root_urls.handler500 == "homecoming.core.errors.server_error"
    request = RequestFactory().get("/boom/")
    response = errors.server_error(request)
    assert response.status_code == 500
    text = response.content.decode()
    assert "Something went wrong" in text
    assert "Traceback" not in text


def test_500_page_renders_even_when_a_context_processor_fails(monkeypatch) -> None:
    request = RequestFactory().get("/boom/")  # no user, no session: context processors may fail
    monkeypatch.setattr(
        "homecoming.core.context_processors.nav_for", lambda *a, **k: (_ for _ in ()).throw(RuntimeError)
    )
    response = errors.server_error(request)
    assert response.status_code == 500
    assert "Something went wrong" in response.content.decode()


# --- jobs -------------------------------------------------------------------------------------


def test_job_list_shows_own_and_agency_jobs_to_a_user_with_the_jobs_permission(client: Client, agency) -> None:
    manager = user_with_role(Role.MANAGER, agency, "nigora")
    colleague = user_with_role(Role.CASE_WORKER, agency, "malika")
    other = AgencyFactory(code="ngo")
    own = JobFactory(created_by=manager, owner_agency=agency)
    colleagues = JobFactory(created_by=colleague, owner_agency=agency)
    foreign = JobFactory(created_by=UserFactory(), owner_agency=other)
    response = signed_in(client, manager).get(reverse("core:job_list"))
    assert response.status_code == 200
    shown = {j.pk for j in response.context["jobs"]}
    assert shown == {own.pk, colleagues.pk}
    assert foreign.pk not in shown
    assert "Jobs you started and those of your agency." in response.content.decode()


def test_job_list_of_a_user_without_the_permission_shows_only_their_own(client: Client, agency) -> None:
    teacher = user_with_role(Role.TEACHER, agency, "dilnoza")
    mine = JobFactory(created_by=teacher, owner_agency=agency)
    JobFactory(created_by=user_with_role(Role.CASE_WORKER, agency), owner_agency=agency)
    response = signed_in(client, teacher).get(reverse("core:job_list"))
    assert [j.pk for j in response.context["jobs"]] == [mine.pk]
    assert response.context["startable"] == []
    assert "Start a job" not in response.content.decode()


def test_job_list_empty_state_and_status_filter(client: Client, agency) -> None:
    user = user_with_role(Role.CASE_WORKER, agency)
    signed_in(client, user)
    response = client.get(reverse("core:job_list"))
    assert 'data-testid="empty-state"' in response.content.decode()
    assert "No jobs yet" in response.content.decode()
    done = JobFactory(created_by=user, owner_agency=agency, status=JobStatus.SUCCEEDED, progress=100)
    JobFactory(created_by=user, owner_agency=agency, status=JobStatus.QUEUED)
    response = client.get(reverse("core:job_list"), {"status": "succeeded"})
    assert [j.pk for j in response.context["jobs"]] == [done.pk]
    response = client.get(reverse("core:job_list"), {"status": "nonsense"})
    assert len(response.context["jobs"]) == 2


def test_job_list_query_count_does_not_grow_with_the_jobs(
    client: Client, agency, django_assert_max_num_queries
) -> None:
    user = user_with_role(Role.CASE_WORKER, agency)
    JobFactory.create_batch(30, created_by=user, owner_agency=agency)
    signed_in(client, user)
    with django_assert_max_num_queries(10):
        response = client.get(reverse("core:job_list"))
    assert len(response.context["jobs"]) == 30


def test_job_list_pages_by_fifty(client: Client, agency) -> None:
    user = user_with_role(Role.CASE_WORKER, agency)
    JobFactory.create_batch(55, created_by=user, owner_agency=agency)
    signed_in(client, user)
    first = client.get(reverse("core:job_list"))
    assert len(first.context["jobs"]) == 50
    assert "Page 1 of 2" in first.content.decode()
    second = client.get(reverse("core:job_list"), {"page": 2})
    assert len(second.context["jobs"]) == 5


def test_starting_the_audit_check_queues_a_job_on_commit(
    client: Client, agency, django_capture_on_commit_callbacks
) -> None:
    admin = user_with_role(Role.AUDITOR, agency, "ada")
    signed_in(client, admin)
    assert "Verify the audit trail" in client.get(reverse("core:job_list")).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("core:job_start"), {"kind": AUDIT_VERIFY_KIND})
    job = Job.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("core:job_detail", args=[job.pk])
    assert job.kind == AUDIT_VERIFY_KIND
    assert job.created_by == admin
    assert job.owner_agency == agency
    assert DBTaskResult.objects.filter(id=job.task_result_id).exists()


def test_only_registered_startable_kinds_can_be_started(client: Client, agency) -> None:
    job_kind_register(kind="test.not_startable", label="Internal")
    user = user_with_role(Role.MANAGER, agency)
    signed_in(client, user)
    assert client.post(reverse("core:job_start"), {"kind": "test.not_startable"}).status_code == 403
    assert client.post(reverse("core:job_start"), {"kind": "no.such.kind"}).status_code == 403
    assert client.get(reverse("core:job_start")).status_code == 405
    assert not Job.objects.exists()


def test_job_detail_shows_progress_accessibly_and_polls_while_running(client: Client, agency) -> None:
    user = user_with_role(Role.CASE_WORKER, agency)
    job = JobFactory(
        created_by=user,
        owner_agency=agency,
        status=JobStatus.RUNNING,
        progress=42,
        message="Checking the hash chain",
        log="2030-01-01 10:00:00  12 entries to check.\n",
    )
    response = signed_in(client, user).get(reverse("core:job_detail", args=[job.pk]))
    assert response.status_code == 200
    text = response.content.decode()
    assert 'role="progressbar"' in text
    assert 'aria-valuenow="42"' in text
    assert "Checking the hash chain" in text
    assert "12 entries to check." in text
    assert f'hx-get="{reverse("core:job_progress", args=[job.pk])}"' in text
    assert 'hx-trigger="every 1s"' in text
    assert "Cancel this job" in text


def test_the_polled_part_stops_polling_once_the_job_has_finished(client: Client, agency) -> None:
    user = user_with_role(Role.CASE_WORKER, agency)
    job = JobFactory(created_by=user, owner_agency=agency, status=JobStatus.RUNNING, progress=10)
    signed_in(client, user)
    url = reverse("core:job_progress", args=[job.pk])
    running = client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert 'hx-trigger="every 1s"' in running
    assert "<html" not in running  # a fragment, not a page
    Job.objects.filter(pk=job.pk).update(status=JobStatus.SUCCEEDED, progress=100, message="Done and dusted.")
    response = client.get(url, HTTP_HX_REQUEST="true")
    finished = response.content.decode()
    assert "hx-trigger" not in finished
    assert 'aria-valuenow="100"' in finished
    assert "Done and dusted." in finished
    assert "no-cache" in response["Cache-Control"]


def test_a_failed_job_shows_the_user_message_never_the_traceback(client: Client, agency) -> None:
    user = user_with_role(Role.CASE_WORKER, agency)
    job = JobFactory(
        created_by=user,
        owner_agency=agency,
        status=JobStatus.FAILED,
        error_message="Row 3 has no date of birth.",
        error='Traceback (most recent call last):\n  File "secret.py"',
    )
    text = signed_in(client, user).get(reverse("core:job_detail", args=[job.pk])).content.decode()
    assert "The job failed" in text
    assert "Row 3 has no date of birth." in text
    assert "Traceback" not in text
    assert "secret.py" not in text
    assert "Cancel this job" not in text


def test_while_running_only_the_tail_of_a_long_log_is_sent(client: Client, agency) -> None:
    user = user_with_role(Role.CASE_WORKER, agency)
    log = "".join(f"2030-01-01 10:00:00  line {i}\n" for i in range(250))
    job = JobFactory(created_by=user, owner_agency=agency, status=JobStatus.RUNNING, log=log)
    signed_in(client, user)
    text = client.get(reverse("core:job_progress", args=[job.pk])).content.decode()
    assert "line 249" in text
    assert "line 49<" not in text
    assert "50 earlier lines are not shown" in text
    Job.objects.filter(pk=job.pk).update(status=JobStatus.SUCCEEDED)
    text = client.get(reverse("core:job_progress", args=[job.pk])).content.decode()
    assert "line 0<" in text


def test_a_job_of_another_agency_is_not_found(client: Client, agency) -> None:
    manager = user_with_role(Role.MANAGER, agency)
    job = JobFactory(owner_agency=AgencyFactory(code="elsewhere"))
    signed_in(client, manager)
    for name in ("core:job_detail", "core:job_progress"):
        assert client.get(reverse(name, args=[job.pk])).status_code == 404
    assert client.post(reverse("core:job_cancel", args=[job.pk])).status_code == 404
    assert client.get(reverse("core:job_detail", args=[999999])).status_code == 404


def test_cancelling_from_the_page(client: Client, agency) -> None:
    user = user_with_role(Role.CASE_WORKER, agency)
    job = JobFactory(created_by=user, owner_agency=agency)
    signed_in(client, user)
    response = client.post(reverse("core:job_cancel", args=[job.pk]), follow=True)
    assert response.status_code == 200
    assert "The job has been cancelled." in response.content.decode()
    job.refresh_from_db()
    assert job.status == JobStatus.CANCELLED
    response = client.post(reverse("core:job_cancel", args=[job.pk]), follow=True)
    assert "already finished" in response.content.decode()


def test_cancelling_a_running_job_asks_it_to_stop(client: Client, agency) -> None:
    user = user_with_role(Role.CASE_WORKER, agency)
    job = JobFactory(created_by=user, owner_agency=agency, status=JobStatus.RUNNING)
    response = signed_in(client, user).post(reverse("core:job_cancel", args=[job.pk]), follow=True)
    assert "The job will stop at its next step." in response.content.decode()
    job.refresh_from_db()
    assert job.status == JobStatus.RUNNING
    assert job.cancel_requested
    assert AuditEntry.objects.filter(object_type="core.job", action=AuditAction.CHANGE).exists()


def test_the_audit_check_runs_and_its_page_shows_the_result(client: Client, agency) -> None:
    admin = user_with_role(Role.AUDITOR, agency)
    signed_in(client, admin)
    client.post(reverse("core:job_start"), {"kind": AUDIT_VERIFY_KIND})
    job = Job.objects.get()
    audit_verify_chain_job.call(job.pk)
    text = client.get(reverse("core:job_detail", args=[job.pk])).content.decode()
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED
    assert "The audit trail is intact" in text
    assert f"{job.result['checked']} entries were checked" in text
    assert job.result["checked"] >= 1  # at least the job's own creation was audited
