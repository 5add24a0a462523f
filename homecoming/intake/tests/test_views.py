"""The intake pages, as a consular officer uses them."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from homecoming.audit.models import AuditAction, AuditEntry
from homecoming.core.testing.factories import PersonFactory
from homecoming.intake import services
from homecoming.intake.choices import BatchStatus
from homecoming.intake.models import IntakeBatch
from homecoming.intake.tasks import intake_map_job
from homecoming.intake.tests.files import ARABIC_NAMES, HEADER, csv_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture
def client_in(client, officer):
    client.force_login(officer)
    return client


def post_upload(client, data: bytes, name="list.csv", **extra):
    payload = {
        "file": SimpleUploadedFile(name, data),
        "source": "Iraqi Ministry of Justice",
        "source_kind": "foreign_authority",
    }
    payload.update(extra)
    return client.post(reverse("intake:batch_upload"), payload)


def make_batch(officer, agency, data, *, map_it=True, name="list.csv"):
    batch = services.batch_upload(
        user=officer, agency=agency, file_name=name, data=data, source="Iraqi Ministry of Justice"
    )
    if map_it:
        batch = services.batch_map(batch=batch, user=officer, mapping=batch.mapping)
    return batch


def test_the_list_page_is_empty_at_first(client_in):
    response = client_in.get(reverse("intake:batch_list"))
    assert response.status_code == 200
    assert "No list has been uploaded yet." in response.content.decode()


def test_the_list_page_shows_batches_in_few_queries(client_in, officer, agency, django_assert_max_num_queries):
    for i in range(5):
        make_batch(officer, agency, csv_bytes([HEADER, [f"Person {i}", "F"]]), map_it=False)
    with django_assert_max_num_queries(8):
        response = client_in.get(reverse("intake:batch_list"))
    assert response.content.decode().count("Iraqi Ministry of Justice") == 5


def test_upload_then_mapping_page(client_in, good_csv):
    response = post_upload(client_in, good_csv)
    batch = IntakeBatch.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("intake:batch_mapping", kwargs={"pk": batch.pk})
    page = client_in.get(response["Location"]).content.decode()
    assert "Zarina Rahimova" in page  # the preview of the first rows
    assert 'value="A" selected' in page  # Full name proposed from column A


def test_an_unreadable_upload_says_why_and_keeps_nothing(client_in):
    response = post_upload(client_in, b"\x89PNG\r\n\x1a\n....", name="list.csv")
    assert response.status_code == 400
    assert "This is not a text file but a PNG image." in response.content.decode()
    assert not IntakeBatch.objects.exists()


def test_an_upload_error_names_row_and_column(client_in):
    data = csv_bytes([["Name", "Sex", "name"], ["Zarina", "F", "x"]])
    response = post_upload(client_in, data)
    assert response.status_code == 400
    assert "row 1, column C" in response.content.decode()


def test_the_same_file_again_is_refused_with_a_link_to_the_first(client_in, officer, agency, good_csv):
    first = make_batch(officer, agency, good_csv, map_it=False)
    response = post_upload(client_in, good_csv, name="again.csv")
    assert response.status_code == 400
    page = response.content.decode()
    assert "This very file has been uploaded before" in page
    assert first.get_absolute_url() in page
    assert IntakeBatch.objects.count() == 1


def run_map_job(batch):
    """The worker's part: the validation job queued by the mapping page."""
    batch.refresh_from_db()
    intake_map_job.call(batch.map_job_id, batch_id=batch.pk)


def test_mapping_post_validates_and_shows_errors(client_in, officer, agency, django_capture_on_commit_callbacks):
    data = csv_bytes(
        [
            HEADER,
            ["Zarina", "Q", "31/02/2015", "", "", ""],
            ["Ali", "M", "2015", "", "", ""],
            ["<b>x</b>", "M", "", "", "", ""],
        ]
    )
    batch = make_batch(officer, agency, data, map_it=False)
    form = {f"field_{key}": column for key, column in batch.mapping.items()}
    form["list_date"] = "2024-05-01"
    with django_capture_on_commit_callbacks(execute=True):
        response = client_in.post(reverse("intake:batch_mapping", kwargs={"pk": batch.pk}), form)
    assert response.status_code == 302
    # The rows are checked by a job; until it has run the page shows its progress.
    page = client_in.get(response["Location"]).content.decode()
    assert 'data-testid="map-progress"' in page
    assert "Waiting for a worker" in page
    assert 'data-row="2"' not in page
    run_map_job(batch)
    page = client_in.get(response["Location"]).content.decode()
    assert 'data-testid="map-progress"' not in page
    assert "2 rows have errors" in page
    assert "“Q” is not a sex this system understands" in page
    assert "&lt;b&gt;x&lt;/b&gt;" in page  # the name as written, escaped
    assert "<b>x</b>" not in page
    assert "is not a real date" in page
    assert 'data-row="2"' in page
    assert 'data-row="3"' not in page  # the errors tab shows only rows with errors


def test_a_mapping_without_a_name_is_refused_on_the_form(client_in, officer, agency, good_csv):
    batch = make_batch(officer, agency, good_csv, map_it=False)
    response = client_in.post(
        reverse("intake:batch_mapping", kwargs={"pk": batch.pk}), {"field_sex": "B", "list_date": "2024-05-01"}
    )
    assert response.status_code == 400
    assert "No column is mapped to a name" in response.content.decode()


def test_the_annotated_download_marks_errors_and_is_audited(client_in, officer, agency):
    data = csv_bytes([HEADER, ["Zarina", "Q", "", "", "", "=cmd|' /C calc'!A0"]])
    batch = make_batch(officer, agency, data)
    response = client_in.get(reverse("intake:batch_annotated", kwargs={"pk": batch.pk}))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response["Content-Disposition"]
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert sheet["G1"].value == "Errors"
    assert "B: " in sheet["G2"].value
    assert sheet["F2"].data_type == "s"
    assert AuditEntry.objects.filter(action=AuditAction.EXPORT, object_id=str(batch.pk)).count() == 1


def test_detail_of_a_valid_list_offers_the_import(client_in, officer, agency, good_csv):
    batch = make_batch(officer, agency, good_csv)
    page = client_in.get(batch.get_absolute_url()).content.decode()
    assert "Every row is valid and decided" in page
    assert 'data-testid="commit-button"' in page
    assert AuditEntry.objects.filter(action=AuditAction.VIEW, object_id=str(batch.pk)).exists()


def test_ambiguous_rows_are_decided_on_the_page(client_in, officer, agency, good_csv):
    farhod = PersonFactory(owner_agency=agency, display_name="Farhod Rahimov", sex="M")
    batch = make_batch(officer, agency, good_csv)
    page = client_in.get(batch.get_absolute_url()).content.decode()
    assert "1 row may already be in the registry" in page
    assert 'data-testid="commit-button" disabled' in page
    assert "Farhod Rahimov" in page
    listed = AuditEntry.objects.filter(action=AuditAction.LIST, object_type="registry.person").get()
    assert listed.object_ids == [str(farhod.pk)]
    url = reverse("intake:batch_resolve", kwargs={"pk": batch.pk, "number": 3})
    response = client_in.post(url, {"resolution": "existing", "person": farhod.pk, "show": "decide"})
    assert response.status_code == 302
    page = client_in.get(batch.get_absolute_url() + "?show=all").content.decode()
    assert "the registered person chosen" in page.lower()
    assert "Every row is valid and decided" in page


def test_discard(client_in, officer, agency, good_csv):
    batch = make_batch(officer, agency, good_csv)
    response = client_in.post(reverse("intake:batch_discard", kwargs={"pk": batch.pk}))
    assert response.status_code == 302
    batch.refresh_from_db()
    assert batch.status == BatchStatus.DISCARDED
    assert not batch.rows.exists()


def test_reading_again_in_another_encoding(client_in, officer, agency):
    data = csv_bytes([["Full name", "Sex"], *[[name, "F"] for name in ARABIC_NAMES]], encoding="cp1256")
    batch = make_batch(officer, agency, data, map_it=False)
    response = client_in.post(reverse("intake:batch_encoding", kwargs={"pk": batch.pk}), {"encoding": "cp1251"})
    assert response.status_code == 302
    batch.refresh_from_db()
    assert batch.encoding == "cp1251"
    page = client_in.get(reverse("intake:batch_mapping", kwargs={"pk": batch.pk})).content.decode()
    assert ARABIC_NAMES[0] not in page
    client_in.post(reverse("intake:batch_encoding", kwargs={"pk": batch.pk}), {"encoding": "cp1256"})
    assert ARABIC_NAMES[0] in client_in.get(reverse("intake:batch_mapping", kwargs={"pk": batch.pk})).content.decode()


def test_another_agencys_batch_is_not_found(client, other_officer, officer, agency, good_csv):
    batch = make_batch(officer, agency, good_csv)
    client.force_login(other_officer)
    assert client.get(batch.get_absolute_url()).status_code == 404


def test_pages_in_arabic_are_right_to_left(client_in, officer, agency, good_csv):
    batch = make_batch(officer, agency, good_csv)
    client_in.cookies["django_language"] = "ar"
    page = client_in.get(batch.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="ar").content.decode()
    assert 'dir="rtl"' in page


def test_the_batch_page_runs_few_queries_whatever_the_number_of_rows(
    client_in, officer, agency, django_assert_max_num_queries
):
    rows = [HEADER] + [
        [f"Person {chr(65 + i // 26)}{chr(65 + i % 26)} Rahimova", "F", f"{1980 + i % 30}"] for i in range(60)
    ]
    batch = make_batch(officer, agency, csv_bytes(rows))
    assert batch.row_count == 60
    with django_assert_max_num_queries(16):
        response = client_in.get(batch.get_absolute_url() + "?show=all")
    assert response.content.decode().count('data-row="') == 50  # one page
