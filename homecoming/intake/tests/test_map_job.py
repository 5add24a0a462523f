"""Validating and matching a list as a background job: the page queues it, the job does the work (the same
as the command line's ``batch_map``) and the page follows it until it has finished."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from homecoming.core.choices import JobStatus
from homecoming.core.jobs import job_cancel
from homecoming.core.models import Job
from homecoming.core.testing.factories import PersonFactory
from homecoming.intake import services
from homecoming.intake.choices import BatchStatus, MatchStatus
from homecoming.intake.models import IntakeRow
from homecoming.intake.tasks import intake_map_job
from homecoming.intake.tests.files import HEADER, csv_bytes

pytestmark = pytest.mark.django_db


def upload(user, agency, data, name="list.csv"):
    return services.batch_upload(
        user=user, agency=agency, file_name=name, data=data, source="Iraqi Ministry of Justice"
    )


def start(batch, user, **kwargs):
    return services.batch_map_start(batch=batch, user=user, mapping=kwargs.pop("mapping", batch.mapping), **kwargs)


def test_the_job_validates_and_matches_as_the_command_does(
    officer, agency, good_csv, list_date, django_capture_on_commit_callbacks
):
    PersonFactory(owner_agency=agency, display_name="Zarina Rahimova", sex="F", birth_date=None)
    batch = upload(officer, agency, good_csv)
    with django_capture_on_commit_callbacks() as callbacks:
        job = start(batch, officer, list_date=list_date, save_template=True)
    assert len(callbacks) == 1  # queued only once the request commits
    batch.refresh_from_db()
    assert batch.status == BatchStatus.VALIDATING
    assert batch.is_validating
    assert not batch.is_open
    assert batch.list_date == list_date
    assert batch.template is not None
    assert not IntakeRow.objects.filter(batch=batch).exists()

    intake_map_job.call(job.pk, batch_id=batch.pk)
    job.refresh_from_db()
    batch.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED
    assert job.progress == 100
    assert batch.status == BatchStatus.MATCHED
    assert (batch.new_count, batch.ambiguous_count) == (2, 1)
    assert job.result == {
        "batch_id": batch.pk,
        "rows": 3,
        "errors": 0,
        "rows_with_errors": 0,
        "new": 2,
        "existing": 0,
        "ambiguous": 1,
        "duplicate": 0,
    }
    assert batch.rows.get(number=2).match_status == MatchStatus.AMBIGUOUS
    assert "Validating and matching" in job.log


def test_a_wrong_mapping_is_refused_at_once_and_nothing_is_queued(officer, agency, good_csv):
    batch = upload(officer, agency, good_csv)
    with pytest.raises(ValidationError) as info:
        start(batch, officer, mapping={"sex": "B"})
    assert "mapping" in info.value.message_dict
    batch.refresh_from_db()
    assert batch.status == BatchStatus.UPLOADED
    assert not Job.objects.exists()


def test_a_list_being_validated_cannot_be_changed(officer, agency, good_csv):
    batch = upload(officer, agency, good_csv)
    start(batch, officer)
    with pytest.raises(ValidationError):
        start(batch, officer)
    with pytest.raises(ValidationError):
        services.batch_discard(batch=batch, user=officer)


def test_a_cancelled_validation_leaves_the_list_to_validate_again(officer, agency, good_csv):
    batch = upload(officer, agency, good_csv)
    job = start(batch, officer)
    job_cancel(job=job, actor=officer)
    batch.refresh_from_db()
    # The job will not run; the list is open again and its mapping may be confirmed anew.
    assert batch.status == BatchStatus.VALIDATING
    assert batch.is_open
    again = start(batch, officer)
    intake_map_job.call(job.pk, batch_id=batch.pk)  # the old job, delivered late: does nothing
    intake_map_job.call(again.pk, batch_id=batch.pk)
    batch.refresh_from_db()
    assert batch.status == BatchStatus.MATCHED
    assert batch.rows.count() == 3


def test_a_failing_validation_marks_the_job_failed_and_the_list_uploaded(officer, agency, good_csv, monkeypatch):
    batch = upload(officer, agency, good_csv)
    job = start(batch, officer)

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(services, "validate_table", broken)
    with pytest.raises(RuntimeError):
        intake_map_job.call(job.pk, batch_id=batch.pk)
    job.refresh_from_db()
    batch.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert batch.status == BatchStatus.UPLOADED
    assert batch.is_open


@pytest.fixture
def client_in(client, officer):
    client.force_login(officer)
    return client


def test_the_page_follows_the_job_until_the_rows_are_shown(
    client_in, officer, agency, good_csv, django_capture_on_commit_callbacks
):
    batch = upload(officer, agency, good_csv)
    form = {f"field_{key}": column for key, column in batch.mapping.items()}
    form["list_date"] = "2024-05-01"
    with django_capture_on_commit_callbacks(execute=True):
        response = client_in.post(reverse("intake:batch_mapping", kwargs={"pk": batch.pk}), form)
    assert response["Location"] == batch.get_absolute_url()
    page = client_in.get(batch.get_absolute_url()).content.decode()
    assert 'data-testid="map-progress"' in page
    assert reverse("intake:batch_progress", kwargs={"pk": batch.pk}) in page
    # While it runs the mapping page sends back to the batch page.
    assert client_in.get(reverse("intake:batch_mapping", kwargs={"pk": batch.pk})).status_code == 302
    progress_url = reverse("intake:batch_progress", kwargs={"pk": batch.pk})
    assert 'data-testid="map-progress"' in client_in.get(progress_url, HTTP_HX_REQUEST="true").content.decode()

    batch.refresh_from_db()
    intake_map_job.call(batch.map_job_id, batch_id=batch.pk)
    response = client_in.get(progress_url, HTTP_HX_REQUEST="true")
    assert response.status_code == 204
    assert response["HX-Refresh"] == "true"
    page = client_in.get(batch.get_absolute_url() + "?show=all").content.decode()
    assert 'data-testid="map-progress"' not in page
    assert 'data-testid="commit-button"' in page
    assert page.count('data-row="') == 3


def test_the_page_says_when_the_validation_stopped(client_in, officer, agency, good_csv):
    batch = upload(officer, agency, good_csv)
    job = start(batch, officer)
    Job.objects.filter(pk=job.pk).update(status=JobStatus.FAILED, error_message="The worker was restarted.")
    page = client_in.get(batch.get_absolute_url()).content.decode()
    assert 'data-testid="map-stopped"' in page
    assert "The worker was restarted." in page
    assert 'data-testid="map-progress"' not in page
    assert client_in.get(reverse("intake:batch_mapping", kwargs={"pk": batch.pk})).status_code == 200


def test_the_job_page_shows_what_the_validation_found(client_in, officer, agency, list_date):
    data = csv_bytes([HEADER, ["Zarina", "Q", "", "", "", ""], ["Ali", "M", "2015", "", "", ""]])
    batch = upload(officer, agency, data)
    job = start(batch, officer, list_date=list_date)
    intake_map_job.call(job.pk, batch_id=batch.pk)
    page = client_in.get(reverse("core:job_detail", kwargs={"pk": job.pk})).content.decode()
    assert "1 row has errors" in page
    assert batch.get_absolute_url() in page


def test_while_the_list_is_validated_the_page_shows_no_counts_of_errors_nor_the_annotated_file(
    client_in, officer, agency, good_csv
):
    batch = upload(officer, agency, good_csv)
    start(batch, officer)
    body = client_in.get(batch.get_absolute_url()).content.decode()
    assert 'data-testid="batch-counts"' in body
    assert 'data-testid="error-count"' not in body
    assert 'data-testid="annotated-link"' not in body


def test_the_progress_bar_names_each_step_in_turn(officer, agency, good_csv, list_date, monkeypatch):
    """The steps as the progress bar shows them, in order and rising; the search of the registry's candidates
    is named as such (not as the search for earlier imports before it)."""
    from homecoming.registry.models import NameKey

    PersonFactory(owner_agency=agency, display_name="Zarina Rahimova", sex="F", birth_date=None)
    seen: list[tuple[float, str]] = []

    def progress(percent: float, message: object = "") -> None:
        seen.append((percent, str(message)))

    looked_up = NameKey.objects.filter

    def lookup(*args, **kwargs):  # the registry's name keys read: which step does the bar show?
        seen.append((-1, "registry read"))
        return looked_up(*args, **kwargs)

    monkeypatch.setattr(NameKey.objects, "filter", lookup)
    batch = upload(officer, agency, good_csv)
    services.batch_map(
        batch=batch,
        user=officer,
        mapping=batch.mapping,
        list_date=list_date,
        progress=progress,
    )
    steps = [message for index, (_p, message) in enumerate(seen) if index == 0 or seen[index - 1][1] != message]
    assert steps == [
        "Reading the list",
        "Checking every row",
        "Looking for earlier imports of the same source",
        "Comparing the rows with the registry",
        "registry read",
        "Comparing the rows with the registry",
        "Looking for rows that repeat another row",
        "Saving the rows",
    ]
    percents = [percent for percent, message in seen if message != "registry read"]
    assert percents == sorted(percents)
